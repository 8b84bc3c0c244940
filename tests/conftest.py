"""Fixtures shared by every test: a rota on a temporary file, its coordinator, a fixed clock,
the installed `warmline` command as a real process, and `require_tool` for external programs.

External tools (tmux, Xvfb, dunst, ...) are skipped when missing on a developer's machine,
but in CI (`CI=true`, where `.ci/run` installs them) a missing tool fails the test instead:
a suite that silently skips its real-terminal and notification tests proves nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

FIXED_NOW = "2026-11-23T08:00:00-05:00"  # a Monday morning in New York
LINE_TZ = "America/New_York"
CLI_TIMEOUT = 60
# Variables that would make a test depend on the shell it was started from.
_INHERITED_WARMLINE_VARS = ("WARMLINE_DB", "WARMLINE_AS", "WARMLINE_PASSPHRASE", "WARMLINE_NEW_PASSPHRASE", "WARMLINE_NOW")


def in_ci() -> bool:
    """True when running in CI (`CI=true`), where missing tools are failures, not skips."""
    return os.environ.get("CI", "").strip().lower() == "true"


def require_tool(name: str) -> str:
    """Return the path of the executable `name`; skip the test when it is missing (fail in CI)."""
    found = shutil.which(name)
    if found:
        return found
    reason = f"{name} is not installed (on Debian: run .ci/run, or apt-get install the package providing {name})"
    if in_ci():
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def warmline_script() -> Path:
    """The console script installed beside the running interpreter (the venv's `warmline`)."""
    return Path(sys.executable).parent / "warmline"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "requires_tool(*names): the test needs these executables; skipped when missing, failed when CI=true",
    )
    config.addinivalue_line("markers", "real_scrypt_cost: hash passphrases at the shipped scrypt cost in-process")
    config.addinivalue_line(
        "markers",
        "fast_tier_sample(every): of this parametrised test, only every `every`-th case (the first, the"
        " every+1-th, ...) is in the fast tier; the others are marked slow (CI runs them all). Not for"
        " snapshot tests: syrupy counts the snapshots of the cases left out as unused and fails the run",
    )
    # pytest-textual-snapshot writes its failure report into the working directory (the source
    # tree) unless told otherwise: tests never write into the source tree.
    if getattr(config.option, "snapshot_report", None) == "snapshot_report.html":
        config.option.snapshot_report = str(Path(tempfile.gettempdir()) / "warmline-snapshot-report.html")
    # Hypothesis keeps its example database and constants cache in ./.hypothesis (the source
    # tree when run from the checkout): keep them in the temporary directory instead.
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / f"warmline-tests-hypothesis-{os.getuid()}")


# --- Tests never write into the source tree -------------------------------------------------
# The run's start and end are compared (every file under the checkout but .git, the venv, build
# metadata and bytecode caches). A file created, changed or removed during the run is listed
# after the results; with CI=true (a fresh clone nobody else edits) the run fails. Writing the
# screenshots or updating snapshots on purpose is exempt.
REPO = Path(__file__).resolve().parents[1]
_NOT_SOURCE = {".git", ".venv", "venv", "__pycache__", ".import_linter_cache"}


def source_tree_state(root: Path = REPO) -> dict[str, tuple[int, int]]:
    """Every file under `root` (but .git, the venv, *.egg-info, bytecode caches): path -> (mtime_ns, size)."""
    state: dict[str, tuple[int, int]] = {}
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [d for d in subdirs if d not in _NOT_SOURCE and not d.endswith(".egg-info")]
        for name in files:
            path = Path(directory, name)
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue
            state[str(path.relative_to(root))] = (info.st_mtime_ns, info.st_size)
    return state


def source_tree_changes(before: Mapping[str, tuple[int, int]], after: Mapping[str, tuple[int, int]]) -> list[str]:
    """The files created (+), changed (~) or removed (-) between two `source_tree_state`s."""
    changes = [f"+ {p}" for p in after if p not in before]
    changes += [f"~ {p}" for p in after if p in before and after[p] != before[p]]
    changes += [f"- {p}" for p in before if p not in after]
    return sorted(changes, key=lambda line: line[2:])


def _writes_on_purpose(config: pytest.Config) -> bool:
    return bool(getattr(config.option, "update_snapshots", False)) or os.environ.get("WARMLINE_WRITE_SCREENSHOTS") == "1"


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_TREE_BEFORE] = source_tree_state()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    before = session.config.stash.get(_TREE_BEFORE, None)
    if before is None or _writes_on_purpose(session.config) or not session.testscollected:
        return
    changes = source_tree_changes(before, source_tree_state())
    session.config.stash[_TREE_CHANGES] = changes
    if changes and in_ci() and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    changes = config.stash.get(_TREE_CHANGES, [])
    if changes:
        why = "CI=true: the run fails" if in_ci() else "a test wrote them, or someone edited the checkout meanwhile"
        terminalreporter.section("files in the source tree changed during the tests")
        terminalreporter.write_line(f"tests never write into the source tree ({why}):")
        for line in changes[:50]:
            terminalreporter.write_line(f"  {line}")


_TREE_BEFORE = pytest.StashKey[dict[str, tuple[int, int]]]()
_TREE_CHANGES = pytest.StashKey[list[str]]()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`fast_tier_sample(every)`: mark slow all but every `every`-th case of a parametrised test,
    before `-m "not slow"` deselects (the fast tier keeps a sample, CI runs every case)."""
    seen: dict[tuple[str, str], int] = {}
    for item in items:
        marker = item.get_closest_marker("fast_tier_sample")
        if marker is None:
            continue
        every = int(marker.args[0] if marker.args else marker.kwargs["every"])
        key = (item.nodeid.split("::")[0], getattr(item, "originalname", item.name))
        index = seen[key] = seen.get(key, -1) + 1
        if index % every:
            item.add_marker(pytest.mark.slow)


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in item.iter_markers(name="requires_tool"):
        for name in marker.args:
            require_tool(name)


@pytest.fixture(autouse=True)
def _test_scrypt_cost(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """In this process, passphrases are hashed at n=2**14 instead of the shipped 2**17 (8x cheaper).

    Only a module constant of the test's own process changes (nothing a person running warmline
    can set); `warmline` run as a subprocess hashes at the shipped cost. A test marked
    `real_scrypt_cost` keeps the shipped cost.
    """
    if request.node.get_closest_marker("real_scrypt_cost") is None:
        from warmline import access

        monkeypatch.setattr(access, "SCRYPT_N", 2**14)


@pytest.fixture
def access_clock_follows_warmline_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """In this test's process only, access decisions follow WARMLINE_NOW like everything else.

    warmline's access decisions (on shift now? locked?) use `clock.real_now()`, which ignores
    WARMLINE_NOW. In-process tests built around the fixed test clock rebind that function here;
    a person running warmline cannot, and `warmline` run as a subprocess never follows WARMLINE_NOW
    for access (tests/security/test_clock_access.py).
    """
    from warmline import clock

    monkeypatch.setattr(clock, "real_now", clock.now)


@pytest.fixture
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> str:
    """Fix warmline's clock (WARMLINE_NOW) at Monday 2026-11-23 08:00 New York time."""
    monkeypatch.setenv("WARMLINE_NOW", FIXED_NOW)
    return FIXED_NOW


@pytest.fixture
def line_db(tmp_path: Path):
    """A fresh rota on tmp_path/rota.db with a line (America/New_York) and one coordinator, 'coord'."""
    from warmline.db import open_db
    from warmline.line import create

    db = open_db(tmp_path / "rota.db", create=True)
    try:
        create(db, name="Test Line", tz=LINE_TZ, actor="coord", first_coordinator=("coord", "Coordinator", None))
        yield db
    finally:
        db.close()


@pytest.fixture
def coordinator(line_db):
    """The line's first coordinator (handle 'coord') as a Person."""
    from warmline.people import get

    return get(line_db.conn, "coord")


class CliRunner:
    """Runs the installed `warmline` as a subprocess against one temporary rota file.

    `run(*args, env=None, input=None)` returns the CompletedProcess (text output captured).
    `env` adds to or overrides the environment; a value of None removes that variable.
    """

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.db = workdir / "cli.db"
        self.script = warmline_script()
        base = {k: v for k, v in os.environ.items() if k not in _INHERITED_WARMLINE_VARS}
        base.update(
            WARMLINE_DB=str(self.db),
            WARMLINE_NOW=FIXED_NOW,
            # Keep anything that falls back to the per-user data dir inside the test's directory.
            XDG_DATA_HOME=str(workdir / "xdg-data"),
            PYTHONDONTWRITEBYTECODE="1",
            NO_COLOR="1",
            COLUMNS="100",
        )
        self.env = base

    def __call__(
        self, *args: str, env: Mapping[str, str | None] | None = None, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        if not self.script.exists():
            pytest.fail(f"the warmline console script is not installed beside {sys.executable}", pytrace=False)
        full_env = dict(self.env)
        for key, value in (env or {}).items():
            if value is None:
                full_env.pop(key, None)
            else:
                full_env[key] = value
        return subprocess.run(
            [str(self.script), *map(str, args)],
            env=full_env,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            cwd=self.workdir,
            timeout=CLI_TIMEOUT,
        )


@pytest.fixture
def run_cli(tmp_path: Path) -> Iterator[CliRunner]:
    """A function running the installed `warmline` on tmp_path/cli.db with the clock fixed.

    Example: `result = run_cli("init", "--name", "Test Line", "--tz", "America/New_York")`;
    `run_cli.db` is the rota file's path.
    """
    workdir = tmp_path / "cli"
    workdir.mkdir()
    yield CliRunner(workdir)
