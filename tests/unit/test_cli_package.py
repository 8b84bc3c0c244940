"""The CLI package's shape: one module per command group, each found from root.MODULES, and a
command loads its own group's module, not the sixty commands (issue 13).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import warmline
from tests.unit.test_import_hygiene import loaded_modules
from warmline.cli import cli
from warmline.cli.root import MODULES

CLI = Path(warmline.__file__).parent / "cli"


def test_every_command_is_found_in_the_module_root_names():
    """A command added to `cli` by another module than MODULES says would be missing from
    `warmline X` (only listed by --help): MODULES and the commands agree, both ways."""
    where = {name: command.callback.__module__ for name, command in cli.commands.items()}
    assert sorted(where) == sorted(MODULES)
    assert {name: f"warmline.cli.{module}" for name, module in MODULES.items()} == where


def test_no_module_of_the_cli_is_a_grab_bag():
    sizes = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in CLI.glob("*.py")}
    views = Path(warmline.__file__).parent / "views" / "json_shapes.py"
    sizes[views.name] = len(views.read_text(encoding="utf-8").splitlines())
    assert {name: n for name, n in sizes.items() if n > 600} == {}


@pytest.mark.parametrize(
    ("args", "module", "not_loaded"),
    [(["shifts", "--help"], "shifts", "people"), (["people", "list", "--help"], "people", "shifts")],
)
def test_a_command_loads_its_own_group_only(tmp_path, args, module, not_loaded):
    code = f"from warmline.cli import main; main({args!r})"
    modules, result = loaded_modules(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"warmline.cli.{module}" in modules
    assert f"warmline.cli.{not_loaded}" not in modules


def test_the_help_listing_is_generated_from_the_commands():
    """cli/listing.py is what `python -m warmline.cli.make_listing` writes from the commands now."""
    from warmline.cli import make_listing

    assert (CLI / "listing.py").read_text(encoding="utf-8") == make_listing.generate(), (
        "warmline/cli/listing.py is out of date: run `python -m warmline.cli.make_listing`"
    )


def test_help_lists_the_commands_as_click_would(capsys):
    """The listing from cli/listing.py prints exactly what click's own listing of the commands does."""
    import click

    from warmline.cli.root import Warmline

    def shown() -> str:
        with pytest.raises(SystemExit):
            cli.main(args=["--help"], prog_name="warmline")
        return capsys.readouterr().out

    fast = shown()
    original = Warmline.format_commands
    Warmline.format_commands = click.Group.format_commands  # type: ignore[method-assign]
    try:
        slow = shown()
    finally:
        Warmline.format_commands = original  # type: ignore[method-assign]
    assert "Commands:" in fast and "  assign " in fast
    assert fast == slow


def test_help_imports_no_command_module(tmp_path):
    code = "from warmline.cli import main; main(['--help'])"
    modules, result = loaded_modules(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Commands:" in result.stdout
    loaded = sorted(m for m in modules if m.startswith("warmline.cli.") and m not in ("warmline.cli.root", "warmline.cli.listing", "warmline.cli.output"))
    assert loaded == [], f"`warmline --help` imported {loaded}"
