"""The `warmline` group: its global options (--db, --as), opening the app, and the error handling.

Exit codes: 0 done, 1 refused or invalid (one `error:` line on stderr), 2 usage. Every command
group's module (warmline/cli/*.py) adds its commands to `cli` when it is imported, and it is imported
when one of its commands is asked for (MODULES): `warmline shifts` loads shifts.py, not every
command; `--help`, an unknown command and `cli.commands` load them all.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib import import_module
from typing import Any

import click

from ..session import Context
from ..session import open_app as _open_app
from ..text import safe

EPILOG = "Times are ISO 8601 in the line's zone unless they carry an offset. Docs: README.md."

# The module of warmline/cli that adds each top-level command or group (a new one: a row here).
MODULES = {
    "init": "setup", "demo": "setup",
    "people": "people", "tags": "tags",
    "shifts": "shifts", "shift": "shifts", "series": "shifts",
    "assign": "assign", "unassign": "assign", "claim": "assign", "drop": "assign", "cover": "assign",
    "check": "audit", "audit": "audit",
    "match": "match", "busy": "match", "call": "match",
    "goal": "goals", "coverage": "goals", "load": "goals",
    "availability": "availability", "timeoff": "availability",
    "swap": "swaps", "line": "line", "triad": "triads",
    "autofill": "autofill", "handoff": "handoff", "notify": "notify",
    "keys": "remote", "ssh": "remote", "debrief": "peer", "me": "peer",
    "export": "exchange", "import": "exchange", "backup": "exchange", "restore": "exchange",
    "replicate": "exchange", "report": "report",
    "config": "serve", "serve": "serve",
}


class Warmline(click.Group):
    """The `warmline` group: a command's module is imported when the command is asked for."""

    @property
    def commands(self) -> dict[str, click.Command]:
        """Every command (each module imported): for listing them, and for tests that walk them."""
        for module in dict.fromkeys(MODULES.values()):
            import_module(f"{__package__}.{module}")
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        name = name or cmd.name
        if name is None:
            raise TypeError("Command has no name.")
        self._commands[name] = cmd  # not self.commands: a module adds its commands while it is imported

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of `warmline --help` from cli/listing.py (generated from the commands),
        with click's own shortening: every command listed, no command module imported."""
        from .listing import LISTING

        if set(LISTING) != set(MODULES):  # out of date (a test says so): list them the slow way
            super().format_commands(ctx, formatter)
            return
        limit = formatter.width - 6 - max(map(len, LISTING))
        # click shortens each help as it would the command's own (a stand-in Command carries the text)
        rows = [(name, click.Command(name, help=first).get_short_help_str(limit)) for name, first in sorted(LISTING.items())]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = MODULES.get(cmd_name)
        if module is not None:
            import_module(f"{__package__}.{module}")
        return self._commands.get(cmd_name)


@click.group(
    cls=Warmline,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EPILOG,
)
@click.option("--db", "db_path", metavar="PATH", help="The rota file (default: $WARMLINE_DB, else your data dir).")
@click.option("--as", "as_handle", metavar="HANDLE", envvar="WARMLINE_AS", help="Act as this person (env WARMLINE_AS).")
@click.version_option(package_name="warmline", message="warmline %(version)s")
@click.pass_context
def cli(ctx: click.Context, db_path: str | None, as_handle: str | None) -> None:
    """A terminal rota for peer-run warmlines.

    Run with no command to open the app.

    \b
    Example:
      warmline init --name "Harbor Peer Warmline" --tz America/New_York
    """
    ctx.obj = Context(db_path, as_handle)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        _open_app(ctx.obj)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI with warmline's exit codes and one-line errors."""
    code = run_guarded(lambda: cli.main(args=argv, prog_name="warmline", standalone_mode=False))
    sys.exit(code if isinstance(code, int) else 0)


def run_guarded(work: Callable[[], Any]) -> Any:
    """Run `work` and turn what it raises into warmline's exit codes and one-line errors
    (also used by warmline.launch, which opens the app without going through click)."""
    from ..errors import WarmlineError

    try:
        return work()
    except click.MissingParameter as exc:
        # A BadParameter subclass, but a missing option or argument is a usage error: exit 2.
        _show_usage(exc)
        sys.exit(2)
    except click.BadParameter as exc:
        # A malformed value (a number that is not one) is invalid input: exit 1, one line.
        _fail(exc.format_message())
    except click.UsageError as exc:
        _show_usage(exc)
        sys.exit(2)
    except click.ClickException as exc:
        _fail(exc.format_message())
    except click.Abort:
        _fail("aborted: nothing was changed")
    except WarmlineError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as exc:
        # A path the system refuses while it is looked at (a name too long, a loop of links, no permission).
        name = str(exc.filename or "")
        if len(name) > 80:
            name = f"{name[:40]}…{name[-30:]}"
        _fail(f"cannot use {name or 'a file'}: {exc.strerror or exc}")
    except Exception as exc:
        import sqlite3

        if isinstance(exc, sqlite3.Error):
            _fail(f"database error: {exc}: nothing was changed")
        raise


def _show_usage(exc: click.UsageError) -> None:
    """click's usage message, made safe: it may quote what was typed (an unknown option or command)."""
    import io

    buffer = io.StringIO()
    exc.show(file=buffer)
    click.echo(safe(buffer.getvalue(), multiline=True), err=True, nl=False)


def _fail(message: str) -> None:
    # The one place errors are printed: one line, and nothing in it acts on the terminal.
    click.echo("error: " + safe(" ".join(str(message).split())), err=True)
    sys.exit(1)
