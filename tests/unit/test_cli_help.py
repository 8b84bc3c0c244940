"""Every command and group explains itself with an example (STYLE.md 2: sqlite-utils' test_docs).

A command added without help text, or without an "Example", fails here by name.
"""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from warmline.cli import cli


def walk(command: click.Command, path: tuple[str, ...] = ("warmline",)):
    """Yield (path, command) for `command` and everything below it, depth first."""
    yield path, command
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            yield from walk(command.commands[name], (*path, name))


ALL = list(walk(cli))
IDS = [" ".join(path) for path, _ in ALL]


def test_the_tree_is_walked():
    names = set(IDS)
    assert {"warmline", "warmline init", "warmline people add", "warmline shift add", "warmline check"} <= names
    assert len(ALL) > 20


@pytest.mark.parametrize(("path", "command"), ALL, ids=IDS)
def test_every_command_has_help_with_an_example(path, command):
    name = " ".join(path)
    assert command.help and command.help.strip(), f"`{name}` has no help text: give it a docstring"
    assert "Example" in command.help, f"`{name}`'s help has no \"Example\": add one, e.g.\n\n    \\b\n    Example:\n      {name} ..."


@pytest.mark.parametrize(("path", "command"), ALL, ids=IDS)
def test_every_help_page_renders_with_its_example(path, command):
    result = CliRunner().invoke(cli, [*path[1:], "--help"], prog_name="warmline", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"`{' '.join(path)} --help` does not show its example"
    # The example keeps its line breaks (a \b paragraph), so it can be copied as is.
    example = result.output.split("Example", 1)[1]
    assert "\n      warmline" in example or "\n    warmline" in example, result.output


def test_top_level_help_lists_every_command(run_cli):
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    listed = result.stdout.split("Commands:", 1)[1]
    listed_names = {line.split()[0] for line in listed.splitlines() if line.startswith("  ") and line.split()}
    missing = sorted(set(cli.commands) - listed_names)
    assert not missing, f"`warmline --help` does not list: {missing}"


@pytest.mark.fast_tier_sample(19)
@pytest.mark.parametrize(
    "group", sorted(name for name, cmd in cli.commands.items() if isinstance(cmd, click.Group))
)
def test_group_help_lists_every_subcommand(group, run_cli):
    result = run_cli(group, "--help")
    assert result.returncode == 0, result.stderr
    listed = result.stdout.split("Commands:", 1)[1]
    listed_names = {line.split()[0] for line in listed.splitlines() if line.startswith("  ") and line.split()}
    missing = sorted(set(cli.commands[group].commands) - listed_names)
    assert not missing, f"`warmline {group} --help` does not list: {missing}"
