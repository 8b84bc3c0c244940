"""`warmline init` and `warmline demo`: a new line, or the demo line to try warmline on."""

from __future__ import annotations

import click

from ..session import Context, open_demo
from .output import echo, emit, json_option, pass_ctx
from .root import cli


def _default_handle(user: str | None) -> str:
    import re

    handle = re.sub(r"[^a-z0-9_-]+", "-", (user or "coordinator").lower()).strip("-")[:32]
    return handle if len(handle) >= 2 else "coordinator"


@cli.command()
@click.option("--name", required=True, help="The line's name, e.g. 'Harbor Peer Warmline'.")
@click.option(
    "--tz", required=True,
    help="The line's IANA time zone: a region's name, e.g. America/New_York, or UTC (fixed offsets such as EST are refused).",
)
@click.option("--coordinator", "handle", help="Your handle (default: from your OS login).")
@click.option(
    "--escalation",
    help="The escalation text always shown (default: the zone's national crisis line where one is well known, "
    "e.g. 988 in the US and Canada, else your local emergency number).",
)
@click.option("--drop-cutoff", type=int, default=48, show_default=True, help="Hours before a shift after which a drop needs cover.")
@json_option
@pass_ctx
def init(c: Context, name: str, tz: str, handle: str | None, escalation: str | None, drop_cutoff: int, as_json: bool) -> None:
    """Create a new line in an empty rota file; you become its first coordinator.

    \b
    Example:
      warmline init --name "Harbor Peer Warmline" --tz America/New_York --coordinator ana
    """
    from ..access import os_user
    from ..db import open_db
    from ..line import create
    from ..recurrence import zone

    zone(tz)  # refuse a bad zone before creating any file
    user = os_user()
    handle = handle or _default_handle(user)
    from ..people import validate_handle

    validate_handle(handle)
    db = open_db(c.db_path, create=True)
    c._db = db
    line = create(
        db,
        name=name,
        tz=tz,
        escalation=escalation,  # None: the zone's default (line.default_escalation)
        drop_cutoff_hours=drop_cutoff,
        actor=handle,
        first_coordinator=(handle, handle, user),
    )
    if as_json:
        emit({"name": line.name, "tz": line.tz, "coordinator": handle, "login": user, "db": str(db.path),
              "escalation": line.escalation})
    else:
        echo(f"Created {line.name} ({line.tz}) in {db.path}; {handle} (OS user {user}) is its coordinator.")
        echo(f"Escalation text, shown on every screen: {line.escalation}")
        echo("Change it (or the name, the drop cut-off, swap approval) with `warmline line set`.")


@cli.command()
@click.option("--no-tui", is_flag=True, help="Only create and seed the demo data; do not open the app.")
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed (the same seed builds the same line).")
@click.option("--people", "people_count", type=int, help="Number of volunteers (default 24; 120 with --round-the-clock).")
@click.option("--weeks", type=int, help="Weeks of rota (default 12: 4 back, 8 ahead; N >= 12: 4 back, N-4 ahead; fewer: a third back).")
@click.option("--round-the-clock", is_flag=True, help="A 24/7 rota of 4-hour shifts (4 peer seats, 1 backup).")
@pass_ctx
def demo(c: Context, no_tui: bool, seed: int, people_count: int | None, weeks: int | None, round_the_clock: bool) -> None:
    """Create a demo line (if needed) and open it as its coordinator.

    The demo lives in its own demo.db beside your real rota, unless --db is given.

    \b
    Examples:
      warmline demo
      warmline demo --no-tui --seed 3 --people 2000 --weeks 260 --round-the-clock
    """
    # The steps live in warmline.session.open_demo: a plain `warmline demo` runs them from
    # warmline/launch.py without click.
    open_demo(c, seed=seed, people=people_count, weeks=weeks, round_the_clock=round_the_clock, no_tui=no_tui, say=echo)
