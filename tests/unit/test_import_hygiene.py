"""The core and the CLI's start-up path stay light: no Textual or Rich, and none of the heavy
optional libraries, until a command that needs them runs (STYLE.md 1 and 10).

Each check runs in a fresh interpreter (this test process has imported everything already)
and reads the module names loaded by the time that interpreter exits.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

UI_LIBRARIES = ("textual", "rich")
HEAVY_LIBRARIES = ("sqlite_utils", "icalendar", "plyer", "dateutil")

# Runs `code`, then (even after sys.exit) writes every loaded module name to the file in argv[1].
WRAPPER = """
import atexit, json, sys
_out = sys.argv[1]
def _dump():
    with open(_out, "w") as fh:
        json.dump(sorted(sys.modules), fh)
atexit.register(_dump)
del sys.argv[1]
exec(compile(sys.argv[1], "<check>", "exec"))
"""

CASES = {
    "import warmline": "import warmline",
    "import warmline.cli": "import warmline.cli",
    "warmline --help": "import sys; sys.argv = ['warmline', '--help']; from warmline.cli import main; main()",
}


def loaded_modules(code: str, tmp_path: Path) -> tuple[list[str], subprocess.CompletedProcess[str]]:
    out = tmp_path / "modules.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARMLINE_")}
    env["WARMLINE_DB"] = str(tmp_path / "unused.db")
    result = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(out), code],
        cwd=tmp_path,  # not the repository: import what is installed
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert out.exists(), f"the check did not finish:\n{result.stderr}"
    return json.loads(out.read_text()), result


def offenders(modules: list[str], roots: tuple[str, ...]) -> list[str]:
    return [m for m in modules if m.split(".")[0] in roots]


@pytest.mark.parametrize("case", list(CASES))
def test_no_ui_library_is_loaded(case, tmp_path):
    modules, result = loaded_modules(CASES[case], tmp_path)
    assert "warmline" in modules
    bad = offenders(modules, UI_LIBRARIES)
    assert not bad, f"`{case}` loads UI modules (import them lazily, inside the TUI path): {bad[:10]}"
    if case == "warmline --help":
        assert result.returncode == 0, result.stderr
        assert "Usage: warmline" in result.stdout


@pytest.mark.parametrize("case", ["import warmline.cli", "warmline --help"])
def test_heavy_libraries_stay_off_the_start_up_path(case, tmp_path):
    modules, _ = loaded_modules(CASES[case], tmp_path)
    bad = offenders(modules, HEAVY_LIBRARIES)
    assert not bad, f"`{case}` loads {sorted({m.split('.')[0] for m in bad})}: import them inside the function that needs them"


@pytest.mark.slow
def test_the_wrapper_sees_what_it_should(tmp_path):
    """Guard against a check that passes because it sees nothing."""
    modules, _ = loaded_modules("import textual.app, dateutil.rrule", tmp_path)
    assert offenders(modules, UI_LIBRARIES)
    assert offenders(modules, ("dateutil",))
