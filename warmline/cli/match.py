"""`warmline match`, `busy` and `call log`: who on shift fits a caller's needs, and the calls taken."""

from __future__ import annotations

import click

from ..session import Context
from ..text import safe
from ..views.json_shapes import match_json
from .output import echo, emit, json_option, pass_ctx
from .root import cli


@cli.command("match")
@click.argument("needs", nargs=-1, metavar="TAG...")
@click.option("--at", metavar="T", help="Match at this time (default: now).")
@click.option("--language", metavar="L", help="A language the caller needs (a hard requirement).")
@click.option("--prefer", multiple=True, metavar="TAG", help="A preferred identity, e.g. woman or veteran (repeat).")
@json_option
@pass_ctx
def match_cmd(c: Context, needs, at, language, prefer, as_json) -> None:
    """Rank the people on shift for a caller's needs, with the reasons (on shift now, or coordinators).

    Needs shared exactly count most, then needs shared through a related tag, then
    preferences. Free peers come first, then backup; people on a call come last.
    When nobody on shift offers a need, the next shifts within 24 h that have
    someone who does are named.

    \b
    Examples:
      warmline match grief "housing insecurity"
      warmline match voices --language es --prefer woman --json
    """
    from ..matching import match
    from ..times import parse_moment
    from ..views.match import reasons_and_state

    if not (needs or language or prefer):
        raise click.UsageError("name at least one need (TAG), --language or --prefer")
    tz = c.tz()
    result = match(
        c.db().conn, c.actor(), list(needs), at=parse_moment(at, tz, what="--at") if at else None,
        language=language, prefer=list(prefer),
    )
    line = c.line()
    if as_json:
        emit(match_json(result, tz, line.escalation))
        return
    echo(f"{safe(line.name)} — {safe(line.escalation)}")
    asked = ", ".join(t.label for t in result.needs) or "no particular need"
    if result.language:
        asked += f" (in {result.language.label})"
    if result.prefer:
        asked += "; prefers " + ", ".join(t.label for t in result.prefer)
    echo(f"Caller: {asked} — at {result.at.astimezone(tz):%a %d %b %H:%M}")
    if not result.candidates:
        echo("Nobody on shift" + (f" speaks {result.language.label}." if result.without_language else " at that time."))
    for n, m in enumerate(result.candidates, start=1):
        echo(f"{n:>3}. {safe(m.handle):<16} {safe(m.name):<20} {m.role:<7} {m.score:>4}  {safe(reasons_and_state(m))}")
    if result.unmet:
        echo("Nobody on shift offers: " + ", ".join(t.label for t in result.unmet))
        for nxt in result.next:
            start = nxt.start.astimezone(tz)
            echo(
                f"  {nxt.need_label or 'next on shift'}: shift {nxt.shift_id} {start:%a %H:%M}–{nxt.end.astimezone(tz):%H:%M}"
                f" ({', '.join(nxt.handles)})"
            )
        if not result.next:
            echo("  nobody offering it is on a shift in the next 24 h")


@cli.command("busy")
@click.argument("state", type=click.Choice(["on", "off"]))
@json_option
@pass_ctx
def busy_cmd(c: Context, state: str, as_json: bool) -> None:
    """Mark yourself on a call (on) or free (off) for your current shift; it clears when the shift ends.

    \b
    Example:
      warmline busy on
    """
    from ..calls import set_busy
    from ..times import local_iso

    tz = c.tz()
    result = set_busy(c.db(), c.actor(), state == "on")
    if as_json:
        emit(
            {
                "shift_id": result.shift_id,
                "handle": result.handle,
                "role": result.role,
                "busy": result.busy,
                "since": local_iso(result.since, tz) if result.since else None,
                "shift_end": local_iso(result.shift_end, tz),
                "changed": result.changed,
            }
        )
    elif result.busy:
        since = result.since.astimezone(tz)
        already = "already " if not result.changed else ""
        echo(f"You are {already}marked on a call since {since:%H:%M} (shift {result.shift_id}); `warmline busy off` when free.")
    else:
        echo(f"You are {'already ' if not result.changed else ''}free for calls (shift {result.shift_id}).")


@cli.group("call")
def call_group() -> None:
    """The anonymous call log: a time and need tags per call, nothing about the caller.

    \b
    Example:
      warmline call log grief "housing insecurity"
    """


@call_group.command("log")
@click.argument("needs", nargs=-1, metavar="TAG...")
@click.option("--at", metavar="T", help="When the call was (default: now).")
@click.option("--taken-by", metavar="H", help="Who took it (default: you, when you are on shift).")
@json_option
@pass_ctx
def call_log_cmd(c: Context, needs, at, taken_by, as_json) -> None:
    """Log a call's needs for demand statistics (people on shift and coordinators).

    Only the time, the need tags and who took it are kept.

    \b
    Example:
      warmline call log voices "leaving detox" --at 2026-11-23T10:40
    """
    from ..calls import log_call
    from ..clock import now
    from ..tags import resolver
    from ..times import local_iso, parse_moment

    tz = c.tz()
    when = parse_moment(at, tz, what="--at") if at else now()
    call_id = log_call(c.db(), c.actor(), list(needs), at=when, taken_by=taken_by)
    tags = resolver(c.db().conn).resolve_many(list(needs))
    if as_json:
        emit({"id": call_id, "at": local_iso(when, tz), "needs": [t.id for t in tags], "taken_by": taken_by})
    else:
        echo(f"Logged call {call_id} with {len(tags)} need{'' if len(tags) == 1 else 's'}.")
