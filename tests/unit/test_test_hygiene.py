"""Every test checks something: a test function with no assertion passes whatever the code does.

A test counts as checking when its body (or a helper it calls, defined in the same module,
tests/conftest.py or a tests/ helper module, followed a few calls deep) has an `assert`, a
`pytest.raises`/`pytest.fail`/`pytest.warns`, or a call to a snapshot comparison
(`snap_compare`). Parametrised or not, fixtures included, there is no exemption list: a test
that only exercises code must say what it expects.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
# run_state_machine_as_test: the machine's @invariant and @rule methods hold the assertions.
CHECKING_CALLS = {"raises", "fail", "warns", "snap_compare", "approx", "run_state_machine_as_test"}


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
        helpers.update(_functions(ast.parse(path.read_text(encoding="utf-8"))))
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
        tree = ast.parse(path.read_text(encoding="utf-8"))
        known = {**helpers, **_functions(tree)}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
                if not _checks(node, known):
                    silent.append(f"{path.relative_to(TESTS)}:{node.lineno} {node.name}")
    assert not silent, "tests that assert nothing (add the check they stand for):\n" + "\n".join(silent)
