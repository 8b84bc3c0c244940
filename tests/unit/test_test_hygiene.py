"""Every test checks something: a test function with no assertion passes whatever the code does.

A test counts as checking when its body (or a helper it calls, defined in the same module,
tests/conftest.py or a tests/ helper module, followed a few calls deep) has an `assert`, a
`pytest.raises`/`pytest.fail`/`pytest.warns`, or a call to a snapshot comparison
(`snap_compare`). Parametrised or not, fixtures included, there is no exemption list: a test
that only exercises code must say what it expects; `assert True` says nothing.

Also here: the README tells contributors to run the fast tier (`-m "not slow"`) while CI runs
everything, and the source-tree guard of tests/conftest.py (tests never write into the checkout)
sees what it must.
"""

from __future__ import annotations

import ast
import functools
import re
import tomllib
from pathlib import Path

from conftest import source_tree_changes, source_tree_state

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
# run_state_machine_as_test: the machine's @invariant and @rule methods hold the assertions.
CHECKING_CALLS = {"raises", "fail", "warns", "snap_compare", "approx", "run_state_machine_as_test"}


@functools.cache
def _parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _functions(tree: ast.Module) -> dict[str, ast.AST]:
    found: dict[str, ast.AST] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.setdefault(node.name, node)
    return found


def _helper_functions() -> dict[str, ast.AST]:
    helpers: dict[str, ast.AST] = {}
    for path in TESTS.rglob("*.py"):
        if path.name.startswith("test_"):
            continue
        helpers.update(_functions(_parsed(path)))
    return helpers


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _checks(node: ast.AST, known: dict[str, ast.AST], depth: int = 0, seen: frozenset[str] = frozenset()) -> bool:
    for child in ast.walk(node):
        if isinstance(child, ast.Assert):
            return True
        if isinstance(child, ast.Call):
            name = _called_name(child)
            if name in CHECKING_CALLS:
                return True
            if name and name in known and name not in seen and depth < 4:
                if _checks(known[name], known, depth + 1, seen | {name}):
                    return True
    return False


def test_every_test_function_asserts_something() -> None:
    helpers = _helper_functions()
    silent: list[str] = []
    for path in sorted(TESTS.rglob("test_*.py")):
        tree = _parsed(path)
        known = {**helpers, **_functions(tree)}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
                if not _checks(node, known):
                    silent.append(f"{path.relative_to(TESTS)}:{node.lineno} {node.name}")
    assert not silent, "tests that assert nothing (add the check they stand for):\n" + "\n".join(silent)


def _is_constant_truth(node: ast.Assert) -> bool:
    return isinstance(node.test, ast.Constant) and bool(node.test.value)


def test_no_test_asserts_only_a_constant() -> None:
    """`assert True` (or `assert "text"`) checks nothing: it counts as no assertion."""
    found: list[str] = []
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(_parsed(path)):
            if isinstance(node, ast.Assert) and _is_constant_truth(node):
                found.append(f"{path.relative_to(TESTS)}:{node.lineno}")
    assert not found, "asserts of a constant that is always true:\n" + "\n".join(found)


def test_the_silent_test_check_catches_a_test_that_checks_nothing() -> None:
    """The check above, on a made-up module: only the test that checks nothing is reported."""
    tree = ast.parse(
        "def helper(x):\n    assert x\n"
        "def test_calls_a_checking_helper():\n    helper(1)\n"
        "def test_raises():\n    with pytest.raises(ValueError):\n        int('x')\n"
        "def test_only_runs_code():\n    int('1')\n"
        "async def test_async_silent():\n    await thing()\n"
    )
    known = _functions(tree)
    silent = sorted(
        node.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.name.startswith("test_")
        and not _checks(node, known)
    )
    assert silent == ["test_async_silent", "test_only_runs_code"]


def _contributors_section(readme: str) -> str:
    start = readme.index("## For contributors")
    following = readme.find("\n## ", start + 1)
    return readme[start:] if following == -1 else readme[start:following]


def test_the_readme_tells_contributors_to_run_the_fast_tier_and_ci_runs_everything() -> None:
    """While working, a contributor runs the fast tier (the README's test command plus
    `-m "not slow"`, named in "For contributors"); CI runs the README's command: every test."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    command = re.search(r"^TEST_COMMAND=\((.*)\)$", ci, re.MULTILINE)
    assert command, ".ci/run has no TEST_COMMAND=(...) line"
    fast = f'{command.group(1)} -m "not slow"'
    assert fast in _contributors_section(readme), (
        f'README\'s "For contributors" section must tell contributors to run `{fast}` while working'
    )
    markers = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]["markers"]
    assert any(m.startswith("slow:") for m in markers), "the `slow` marker is not declared in pyproject.toml"
    pytest_args = command.group(1).split(" pytest ", 1)[1].split()
    assert not {"-m", "-k"} & set(pytest_args), f"CI must run every test, slow ones included: {command.group(1)}"
    assert f"{command.group(1)}" in readme, "the README's test command and .ci/run's differ"


def test_the_source_tree_guard_sees_a_file_created_changed_or_removed(tmp_path: Path) -> None:
    """tests/conftest.py compares the checkout before and after the run with these two functions."""
    (tmp_path / "kept.txt").write_text("same", encoding="utf-8")
    (tmp_path / "changed.txt").write_text("before", encoding="utf-8")
    (tmp_path / "removed.txt").write_text("gone soon", encoding="utf-8")
    (tmp_path / "__pycache__").mkdir()
    before = source_tree_state(tmp_path)
    (tmp_path / "changed.txt").write_text("after, and longer", encoding="utf-8")
    (tmp_path / "removed.txt").unlink()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "new.png").write_bytes(b"png")
    (tmp_path / "__pycache__" / "x.pyc").write_bytes(b"bytecode is not source")
    assert source_tree_changes(before, source_tree_state(tmp_path)) == [
        "~ changed.txt", "+ docs/new.png", "- removed.txt",
    ]
