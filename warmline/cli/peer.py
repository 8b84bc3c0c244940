"""`warmline debrief`, `warmline me export` and `warmline people forget` (issue 16, part 2):
debriefs after a hard call, and people's own data.

Parses, calls warmline.debrief and warmline.privacy, prints. Its groups are added to `warmline`
at the end (`people forget` to `people` by people.py).
"""

from __future__ import annotations

import sys

import click

from ..session import Context
from ..views.json_shapes import debrief_json
from .output import echo, emit, json_option, pass_ctx
from .root import cli


# ---------------------------------------------------------------- debrief


@click.group("debrief")
def debrief_group() -> None:
    """Debriefs after a hard call: ask, take one, list, and (coordinators) monthly counts.

    Asked on shift or in the two hours after it; the shift's backup and your triad are told
    who asks and when, nothing else. The first to accept is named to you.

    \b
    Example:
      warmline debrief request
    """


@debrief_group.command("request")
@click.option("--share", is_flag=True, help="Let coordinators see your name in the monthly counts (default: counted only).")
@json_option
@pass_ctx
def debrief_request(c: Context, share: bool, as_json: bool) -> None:
    """Ask for a debrief: on shift, or in the two hours after it.

    Your shift's backup and your triad are told who asks and when, nothing else; no reason is
    asked for. Nobody taking it in 15 minutes tells the coordinators.

    \b
    Example:
      warmline debrief request
    """
    from .. import debrief

    d, told = debrief.request(c.db(), c.actor(), share=share)
    if as_json:
        emit(debrief_json(d, c.tz()) | {"told": [p.handle for p in told]})
        return
    if not told:
        echo(f"Debrief {d.id} asked, but nobody could be told (no backup, triad or coordinator): call a coordinator.")
    elif d.escalated:
        echo(f"Debrief {d.id} asked; with no backup or triad to ask, the coordinators were told ({len(told)}).")
    else:
        echo(f"Debrief {d.id} asked; {len(told)} {'person was' if len(told) == 1 else 'people were'} told. "
             "You will be told who takes it.")


@debrief_group.command("accept")
@click.argument("debrief_id", metavar="ID", type=int)
@json_option
@pass_ctx
def debrief_accept(c: Context, debrief_id: int, as_json: bool) -> None:
    """Take a debrief request made to you; the first to accept is named to the asker.

    \b
    Example:
      warmline debrief accept 3
    """
    from .. import debrief

    d = debrief.accept(c.db(), c.actor(), debrief_id)
    if as_json:
        emit(debrief_json(d, c.tz()))
    else:
        echo(f"You took debrief {d.id}: {d.asker_name} has been told; please reach them now.")


@debrief_group.command("list")
@json_option
@pass_ctx
def debrief_list(c: Context, as_json: bool) -> None:
    """The debriefs you asked for, and those you were asked to take.

    \b
    Example:
      warmline debrief list --json
    """
    from .. import debrief

    tz = c.tz()
    found = debrief.visible(c.db().conn, c.actor())
    if as_json:
        emit([debrief_json(d, tz) for d in found])
        return
    if not found:
        echo("No debriefs.")
        return
    for d in found:
        when = f"{d.asked_at.astimezone(tz):%a %d %b %H:%M}"
        if d.role == "asker":
            state = f"taken by {d.taken_by_name}" if d.status == "taken" else "open"
            echo(f"#{d.id:<4} {when}  you asked  {state}")
        else:
            state = "taken by you" if d.taken_by_you else ("taken" if d.status == "taken" else f"open: warmline debrief accept {d.id}")
            echo(f"#{d.id:<4} {when}  {d.asker_name} asked  {state}")


@debrief_group.command("stats")
@click.option("--from", "start", metavar="D", help="First day (default: the 1st of the month a year ago).")
@click.option("--to", "finish", metavar="D", help="Last day, inclusive (default: today).")
@json_option
@pass_ctx
def debrief_stats(c: Context, start: str | None, finish: str | None, as_json: bool) -> None:
    """Debriefs asked and taken per month (coordinators): counts, never who asked unless they shared it.

    \b
    Example:
      warmline debrief stats --from 2026-01-01
    """
    from datetime import date, timedelta

    from .. import debrief
    from ..clock import now
    from ..times import parse_bound

    tz = c.tz()
    today = now().astimezone(tz).date()
    year_ago = date(today.year - 1, today.month, 1)
    lo = parse_bound(start, tz, end=False, what="--from") if start else debrief.month_start(year_ago, tz)
    hi = parse_bound(finish, tz, end=True, what="--to") if finish else debrief.month_start(today, tz) + timedelta(days=32)
    rows = debrief.stats(c.db().conn, c.actor(), lo, hi)
    if as_json:
        emit([
            {"month": m.month, "asked": m.asked, "taken": m.taken,
             "shared": [{"asked_at": at, "name": name, "taken": taken} for at, name, taken in m.shared]}
            for m in rows
        ])
        return
    if not rows:
        echo("No debriefs asked in that time.")
        return
    echo(f"{'month':<8} {'asked':>5} {'taken':>5}")
    for m in rows:
        echo(f"{m.month:<8} {m.asked:>5} {m.taken:>5}")
        for at, name, taken in m.shared:
            echo(f"         shared: {name}, {at[:16].replace('T', ' ')}{'' if taken else ' (not taken)'}")


# ---------------------------------------------------------------- me


@click.group("me")
def me_group() -> None:
    """Your own data.

    \b
    Example:
      warmline me export -o me.json
    """


@me_group.command("export")
@click.option("-o", "--output", "output", metavar="FILE", help="Write to FILE (mode 0600, atomically) instead of stdout.")
@pass_ctx
def me_export(c: Context, output: str | None) -> None:
    """Everything warmline holds about you, as JSON: profile, tags, availability, shifts, notifications, audit rows.

    \b
    Example:
      warmline me export -o ~/my-warmline-data.json
    """
    from .. import privacy
    from ..text import json_dumps

    if output is not None and not output.strip():
        from ..errors import Invalid

        raise Invalid("-o is empty: give a file name")
    data = privacy.export_me(c.db().conn, c.actor())
    if output is None:
        emit(data)
        return
    path = privacy.write_private(output, json_dumps(data) + "\n")
    echo(f"Wrote your data to {path} (mode 0600).", err=True)


# ---------------------------------------------------------------- people forget


@click.command("forget")
@click.argument("handle")
@click.option("--yes", is_flag=True, help="Do it without asking (needed when not at a terminal).")
@json_option
@pass_ctx
def people_forget(c: Context, handle: str, yes: bool, as_json: bool) -> None:
    """Erase a departed person and replace them with a pseudonym (coordinators; deactivate them first).

    Their name, handle, login, passphrase, tags, keys, availability, time off and notifications
    go; their shifts stay countable under the pseudonym. Backups taken before keep what they held.

    \b
    Example:
      warmline people forget sam --yes
    """
    from .. import privacy
    from ..errors import Invalid
    from ..people import validate_handle

    validate_handle(handle)
    actor = c.actor()
    if not yes:
        if not (sys.stdin and sys.stdin.isatty()):
            raise Invalid(f"forgetting {handle} cannot be undone: confirm with --yes (or run in a terminal to be asked)")
        if not click.confirm(f"Forget {handle} for good (it cannot be undone)?", default=False, err=True):
            echo("Nothing was changed.", err=True)
            return
    done = privacy.forget(c.db(), actor, handle)
    if as_json:
        emit({"handle": done.pseudonym, "erased": done.erased, "rewritten": done.rewritten,
              "audit_rows_redacted": done.audit_rows, "vacuumed": done.vacuumed})
        return
    echo(f"Forgot {handle}: now {done.pseudonym}; {done.rewritten} rows of text that named them were rewritten.")
    if not done.vacuumed:
        echo("warning: another warmline kept the file busy, so erased text may remain in free pages until "
             "the next `warmline people forget` or VACUUM", err=True)


cli.add_command(debrief_group)
cli.add_command(me_group)
