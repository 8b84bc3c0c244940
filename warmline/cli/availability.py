"""`warmline availability` and `warmline timeoff`: when people can (or prefer to) take shifts, and time off."""

from __future__ import annotations

import click

from ..session import Context
from ..views.json_shapes import availability_json, clash_json, time_off_json
from .common import _day_label
from .output import echo, emit, json_option, pass_ctx
from .root import cli


def _print_availability(a) -> None:
    from ..availability import windows_text

    echo(f"{a.handle}: available {windows_text(a.available)}")
    if a.preferred:
        echo(f"  prefers {windows_text(a.preferred)}")
    for t in a.time_off:
        echo(f"  time off {t.id}: {t.describe()}")


def _print_clashes(clashes, tz, actor) -> None:
    for k in clashes:
        mine = k.handle == actor.handle
        what = f"drop it with `warmline drop {k.shift_id}`" if mine else f"`warmline unassign {k.shift_id} {k.handle}` or find cover"
        rule = "time off" if k.rule == "time-off" else "availability"
        echo(
            f"note: {'you are' if mine else k.handle + ' is'} still on #{k.shift_id} {_day_label(k.start, tz)}–"
            f"{k.end.astimezone(tz):%H:%M}, which {'your' if mine else 'their'} {rule} now rules out: {what}"
        )


def _change_out(c: Context, change, as_json: bool, what: str) -> None:
    tz = c.tz()
    if as_json:
        data = availability_json(change.availability) | {"clashes": [clash_json(k, tz) for k in change.clashes]}
        if change.time_off is not None:
            data["time_off_added"] = time_off_json(change.time_off)
        emit(data)
        return
    echo(what)
    _print_availability(change.availability)
    _print_clashes(change.clashes, tz, c.actor())


@cli.group("availability")
def availability_group() -> None:
    """When you can take shifts: weekly windows (none at all means any time), and preferred times.

    Claims, the assignment picker, cover requests and auto-fill follow them; a coordinator
    may override with --force (audited).

    \b
    Example:
      warmline availability set MO 17:00-21:00 WE,FR 09:00-13:00
    """


@availability_group.command("set")
@click.argument("windows", nargs=-1, required=True, metavar="DAYS HH:MM-HH:MM ...")
@click.option("--person", metavar="H", help="Someone else's (coordinators).")
@click.option("--preferred", is_flag=True, help="Set preferred windows (used by auto-fill) instead.")
@json_option
@pass_ctx
def availability_set(c: Context, windows, person, preferred, as_json) -> None:
    """Replace your weekly windows: days, then one or more local time ranges.

    Days are MO TU WE TH FR SA SU, lists like MO,WE, weekdays, weekends or daily. A range
    ending earlier than it starts runs past midnight (22:00-06:00); 00:00-00:00 is all day.

    \b
    Examples:
      warmline availability set MO 17:00-21:00 WE,FR 09:00-13:00
      warmline availability set --preferred weekends 10:00-16:00
      warmline availability set --person sam daily 22:00-06:00
    """
    from .. import availability

    kind = "preferred" if preferred else "available"
    change = availability.set_windows(c.db(), c.actor(), person, availability.parse_windows(windows, kind=kind), kind=kind)
    _change_out(c, change, as_json, f"Set {kind} windows for {change.availability.handle}.")


@availability_group.command("clear")
@click.option("--person", metavar="H", help="Someone else's (coordinators).")
@click.option("--preferred", is_flag=True, help="Clear the preferred windows instead.")
@click.option("--all", "both", is_flag=True, help="Clear available and preferred windows.")
@json_option
@pass_ctx
def availability_clear(c: Context, person, preferred, both, as_json) -> None:
    """Clear your available windows: you are then available at any time.

    \b
    Example:
      warmline availability clear --preferred
    """
    from .. import availability

    if preferred and both:
        raise click.UsageError("give --preferred or --all, not both")
    kind = None if both else "preferred" if preferred else "available"
    change = availability.clear(c.db(), c.actor(), person, kind=kind)
    _change_out(c, change, as_json, f"Cleared {'all' if both else kind} windows for {change.availability.handle}.")


@availability_group.command("list")
@click.option("--person", metavar="H", help="Someone else's (coordinators).")
@click.option("--all", "everyone", is_flag=True, help="Everyone's (coordinators).")
@json_option
@pass_ctx
def availability_list(c: Context, person, everyone, as_json) -> None:
    """Show your windows and upcoming time off (or someone's, or everyone's, for coordinators).

    \b
    Example:
      warmline availability list --all --json
    """
    from .. import availability

    if person and everyone:
        raise click.UsageError("give --person or --all, not both")
    conn = c.db().conn
    found = availability.everyone(conn, c.actor()) if everyone else [availability.of(conn, c.actor(), person)]
    if as_json:
        emit([availability_json(a) for a in found])
        return
    for a in found:
        _print_availability(a)


@cli.group("timeoff")
def timeoff_group() -> None:
    """Days off (local days, both inclusive): nobody can put you on a shift then without --force.

    \b
    Example:
      warmline timeoff add 2026-12-24 2026-12-26
    """


@timeoff_group.command("add")
@click.argument("first")
@click.argument("last", required=False)
@click.option("--person", metavar="H", help="Someone else's (coordinators).")
@json_option
@pass_ctx
def timeoff_add(c: Context, first, last, person, as_json) -> None:
    """Add time off from FIRST to LAST (YYYY-MM-DD; LAST defaults to FIRST).

    Shifts you are already on in that time stay yours until you drop them; they are listed.

    \b
    Examples:
      warmline timeoff add 2026-12-24 2026-12-26
      warmline timeoff add --person sam 2026-12-01
    """
    from .. import availability
    from ..times import parse_day

    first_day = parse_day(first, what="FIRST")
    last_day = parse_day(last, what="LAST") if last else first_day
    change = availability.add_time_off(c.db(), c.actor(), person, first_day, last_day)
    _change_out(c, change, as_json, f"Added time off {change.time_off.id} for {change.time_off.handle}: {change.time_off.describe()}.")


@timeoff_group.command("list")
@click.option("--person", metavar="H", help="Someone else's (coordinators; without it coordinators see everyone's).")
@click.option("--past", is_flag=True, help="Include time off that has ended.")
@json_option
@pass_ctx
def timeoff_list(c: Context, person, past, as_json) -> None:
    """List upcoming time off: your own, or for coordinators everyone's.

    \b
    Example:
      warmline timeoff list --json
    """
    from .. import availability

    found = availability.time_off(c.db().conn, c.actor(), person, include_past=past)
    if as_json:
        emit([time_off_json(t) for t in found])
        return
    if not found:
        echo("No time off.")
    for t in found:
        echo(f"{t.id:>5}  {t.handle:<16} {t.describe()}  ({t.days} day{'' if t.days == 1 else 's'})")


@timeoff_group.command("remove")
@click.argument("time_off_id", type=int)
@json_option
@pass_ctx
def timeoff_remove(c: Context, time_off_id: int, as_json: bool) -> None:
    """Remove one entry of time off (yours, or anyone's for coordinators).

    \b
    Example:
      warmline timeoff remove 3
    """
    from .. import availability

    entry = availability.remove_time_off(c.db(), c.actor(), time_off_id)
    if as_json:
        emit(time_off_json(entry) | {"removed": True})
    else:
        echo(f"Removed time off {entry.id} ({entry.handle}: {entry.describe()}).")
