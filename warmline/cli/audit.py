"""`warmline check` and `warmline audit`: the rota's rules checked, and who changed what."""

from __future__ import annotations

import click

from ..session import Context
from .output import echo, emit, json_option, pass_ctx
from .root import cli


@cli.command()
@json_option
@pass_ctx
def check(c: Context, as_json: bool) -> None:
    """Check the file's integrity and every rota invariant; exit 1 if any is broken.

    \b
    Example:
      warmline check
    """
    from .. import rota
    from ..errors import Refused
    from ..schema import differences

    c.refuse_foreign_schema = False  # list what is foreign instead of refusing to open the file
    foreign = differences(c.db().conn, c.db().schema_version())
    if foreign:
        # Signing in may write (and a foreign trigger would run on that write): report without an actor.
        report = rota.CheckReport(errors=[f"schema: {d}" for d in foreign])
    else:
        c.actor()
        report = rota.check(c.db().conn)
    if as_json:
        emit({"ok": report.ok, "errors": report.errors, "warnings": report.warnings})
    else:
        for w in report.warnings:
            echo(f"warning: {w}")
        for e in report.errors:
            echo(f"problem: {e}")
        if report.ok:
            echo("ok: integrity and every rota invariant hold" + (f" ({len(report.warnings)} warnings)" if report.warnings else ""))
    if not report.ok:
        raise Refused(f"{len(report.errors)} problems found (listed above)")


@cli.command()
@click.option("--person", metavar="H", help="Only changes made by this person.")
@click.option("--limit", type=click.IntRange(1, 100000), default=200, show_default=True, help="How many entries.")
@json_option
@pass_ctx
def audit(c: Context, person: str | None, limit: int, as_json: bool) -> None:
    """Show the change log, newest first (coordinators).

    \b
    Example:
      warmline audit --person sam --limit 20
    """
    from .. import audit as log

    found = log.entries(c.db().conn, c.actor(), actor=person, limit=limit)  # refuses those who may not read it
    if as_json:
        emit([e._asdict() for e in found])
        return
    for e in found:
        echo(f"{e.at}  {e.actor:<16} {e.action:<18} {e.subject:<12} {e.detail}")
