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
