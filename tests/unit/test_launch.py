"""`warmline` opens the app without click (warmline/launch.py): only the plain ways of opening it
take that path; everything else reaches the CLI, which parses and explains as always."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from warmline.launch import app_options


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], {}),
        (["--db", "rota.db"], {"--db": "rota.db"}),
        (["--db=rota.db"], {"--db": "rota.db"}),
        (["--as", "ana", "--db", "r.db"], {"--as": "ana", "--db": "r.db"}),
        (["--as=ana"], {"--as": "ana"}),
    ],
)
def test_the_plain_ways_of_opening_the_app_are_read_here(args, expected):
    assert app_options(args) == expected


@pytest.mark.parametrize(
    "args",
    [
        ["--help"], ["-h"], ["--version"], ["shifts"], ["--db", "r.db", "shifts"], ["--db"], ["--db", ""],
        ["--db="], ["--as", "  "], ["--db", "a.db", "--db", "b.db"], ["--as", "--db"], ["--dbx", "a"], ["-x"],
    ],
)
def test_anything_else_goes_to_the_cli(args):
    assert app_options(args) is None


def run(code: str, tmp_path, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARMLINE_")} | (extra or {})
    return subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_opening_the_app_imports_no_click(tmp_path):
    code = (
        "import sys, warmline.session as s\n"
        "s.open_app = lambda c: print('click' in sys.modules, c.db_path, c.as_handle)\n"
        "from warmline.launch import main\n"
        "main(['--db', 'r.db', '--as', 'ana'])\n"
    )
    result = run(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "r.db", "ana"]


@pytest.mark.slow
def test_errors_on_the_app_path_read_as_the_cli_reports_them(tmp_path):
    missing = tmp_path / "nowhere" / "r.db"
    fast = run(f"from warmline.launch import main; main(['--db', {str(missing)!r}])", tmp_path)
    # The same file through click (with a command that opens it the same way) gives the same line.
    slow = run(f"from warmline.cli import main; main(['--db', {str(missing)!r}, 'shifts'])", tmp_path)
    assert fast.returncode == 1 and fast.stdout == ""
    assert fast.stderr.startswith("error: ") and fast.stderr.count("\n") == 1, fast.stderr
    assert fast.stderr == slow.stderr and slow.returncode == 1


@pytest.mark.slow
def test_a_plain_demo_opens_without_click_saying_what_the_cli_says(tmp_path):
    """`warmline demo` runs the CLI's demo (warmline.session.open_demo) from launch.py: the same build,
    the same summary on stderr, the app opened as the demo's coordinator; only click stays unloaded."""
    stub = "import sys, warmline.session as s\ns.open_app = lambda c: print('click' in sys.modules, c.as_handle, c.use_config)\n"
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "WARMLINE_AS": "nobody"}
    fast = run(stub + "from warmline.launch import main\nmain(['demo'])\n", tmp_path, env)
    assert fast.returncode == 0, fast.stderr
    assert fast.stdout.split() == ["False", "None", "False"]
    assert "Harbor Peer Warmline: " in fast.stderr and "you are coordinator" in fast.stderr
    assert (tmp_path / "data" / "warmline" / "demo.db").is_file()
    again = run(stub + "from warmline.launch import main\nmain(['demo'])\n", tmp_path, env)
    slow = run(stub + "from warmline.cli import main\nmain(['demo'])\n", tmp_path, env)
    assert again.returncode == slow.returncode == 0, again.stderr + slow.stderr
    assert slow.stdout.split() == ["True", "None", "False"]
    assert "is already set up in demo.db" in again.stderr and again.stderr == slow.stderr
