"""`warmline shifts`, `warmline shift` and `warmline series`: the rota, one shift, and repeating shifts."""

from __future__ import annotations

import click

from ..session import Context
from ..views.json_shapes import series_json, shift_json
from .common import _clock_time
from .output import echo, emit, json_option, pass_ctx
from .root import cli


def _print_shifts(c: Context, start, finish, person, mine, open_only, as_json: bool = False) -> None:
    from ..views.rota_text import listed, rota_lines

    actor = c.actor()
    tz = c.tz()
    found = listed(c.db(), actor, tz, start, finish, person, mine, open_only)
    if as_json:
        emit([shift_json(v, tz) for v in found])
        return
    for text in rota_lines(c.line(), found, tz):
        echo(text)


@cli.command("shifts")
@click.option("--from", "start", metavar="D", help="First day or time (default: today).")
@click.option("--to", "finish", metavar="D", help="Last day (inclusive) or time (default: a week on).")
@click.option("--person", metavar="H", help="Only this person's shifts.")
@click.option("--mine", is_flag=True, help="Only your shifts.")
@click.option("--open", "open_only", is_flag=True, help="Only shifts with open seats or cover requests.")
@json_option
@pass_ctx
def shifts_cmd(c: Context, start, finish, person, mine, open_only, as_json) -> None:
    """List shifts with who is on them and the seats still open.

    \b
    Examples:
      warmline shifts --from 2026-11-23 --to 2026-11-29 --open
      warmline shifts --mine --json
    """
    if person and mine:
        raise click.UsageError("give --person or --mine, not both")
    _print_shifts(c, start, finish, person, mine, open_only, as_json)


@cli.group()
def shift() -> None:
    """Create, edit and cancel shifts (coordinators).

    \b
    Example:
      warmline shift add --start 2026-11-23T09:00 --end 2026-11-23T13:00
    """


@shift.command("add")
@click.option("--start", required=True, metavar="T", help="Start, e.g. 2026-11-23T09:00.")
@click.option(
    "--end", required=True, metavar="T",
    help="End, e.g. 2026-11-23T13:00; an overnight shift (or series) ends on the next day's date.",
)
@click.option("--seats", type=int, default=2, show_default=True, help="Peer seats (with --backup, at least one seat).")
@click.option("--backup", type=int, default=1, show_default=True, help="Backup seats.")
@click.option("--rrule", metavar="RULE", help="Repeat by an RFC 5545 rule, e.g. FREQ=WEEKLY;BYDAY=MO,WE,FR.")
@click.option("--until", metavar="DATE", help="With --rrule: the last day it may repeat on.")
@click.option("--note", default="", help="A note shown with the shift.")
@json_option
@pass_ctx
def shift_add(c: Context, start, end, seats, backup, rrule, until, note, as_json) -> None:
    """Create a shift, or with --rrule a recurring series.

    A shift that has already ended, one with no seat, and an exact duplicate (the
    same start and end as a scheduled shift, or the same series) are refused.

    \b
    Examples:
      warmline shift add --start 2026-11-23T09:00 --end 2026-11-23T13:00 --seats 2 --backup 1
      warmline shift add --start 2026-11-23T17:00 --end 2026-11-23T21:00 \\
          --rrule "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" --until 2027-03-31
      warmline shift add --start 2026-11-23T22:00 --end 2026-11-24T06:00 --rrule FREQ=DAILY
    """
    from .. import rota
    from ..times import parse_day, parse_moment

    tz = c.tz()
    begin = parse_moment(start, tz, what="--start")
    finish = parse_moment(end, tz, what="--end")
    if until is not None and rrule is None:
        raise click.UsageError("--until goes with --rrule")
    if rrule is not None:  # an empty --rrule is refused by the core, not taken as "no repeat"
        # As for one shift, --end's date decides: an overnight series ends on the next day's date.
        series, made = rota.add_series(
            c.db(), c.actor(), rule=rrule, start=begin, end=finish, seats=seats, backup=backup,
            until=parse_day(until, what="--until") if until is not None else None, note=note,
        )
        if as_json:
            emit(series_json(series) | {"shifts_created": made})
        else:
            echo(f"Created series {series.id} with {made} shifts so far.")
        return
    s = rota.add_shift(c.db(), c.actor(), start=begin, end=finish, seats=seats, backup=backup, note=note)
    if as_json:
        emit(shift_json(rota.view(c.db().conn, s.id), tz))
    else:
        echo(f"Created shift {s.id}.")


@shift.command("edit")
@click.argument("shift_id", type=int)
@click.option("--start", metavar="T", help="New start.")
@click.option("--end", metavar="T", help="New end.")
@click.option("--seats", type=int, help="Peer seats.")
@click.option("--backup", type=int, help="Backup seats.")
@click.option("--note", help="The note.")
@click.option("--force", is_flag=True, help="Override rest/limit rules for the people on it (audited).")
@json_option
@pass_ctx
def shift_edit(c: Context, shift_id, start, end, seats, backup, note, force, as_json) -> None:
    """Edit one shift (a series occurrence is detached from its series).

    \b
    Example:
      warmline shift edit 12 --end 2026-11-23T14:00 --seats 3
    """
    from .. import rota
    from ..times import parse_moment

    tz = c.tz()
    s = rota.edit_shift(
        c.db(), c.actor(), shift_id,
        start=parse_moment(start, tz, what="--start") if start is not None else None,
        end=parse_moment(end, tz, what="--end") if end is not None else None,
        seats=seats, backup=backup, note=note, force=force,
    )
    if as_json:
        emit(shift_json(rota.view(c.db().conn, s.id), tz))
    else:
        echo(f"Updated shift {s.id}.")


@shift.command("cancel")
@click.argument("shift_id", type=int)
@json_option
@pass_ctx
def shift_cancel(c: Context, shift_id: int, as_json: bool) -> None:
    """Cancel one shift (one occurrence; the rest of its series stays).

    \b
    Example:
      warmline shift cancel 12
    """
    from .. import rota

    s = rota.cancel_shift(c.db(), c.actor(), shift_id)
    if as_json:
        emit(shift_json(rota.view(c.db().conn, s.id), c.tz()))
    else:
        echo(f"Cancelled shift {s.id}.")


@cli.group()
def series() -> None:
    """List, edit and cancel recurring series (coordinators edit).

    \b
    Example:
      warmline series list
    """


@series.command("list")
@json_option
@pass_ctx
def series_list(c: Context, as_json: bool) -> None:
    """List the series.

    \b
    Example:
      warmline series list --json
    """
    from .. import rota

    c.actor()
    found = rota.all_series(c.db().conn)
    if as_json:
        emit([series_json(s) for s in found])
        return
    for s in found:
        until = f" until {s.until_day}" if s.until_day else ""
        echo(f"#{s.id:<4} {s.start_time}–{s.end_time} {s.rule} from {s.first_day}{until}  {s.seats}+{s.backup_seats} seats  {s.status}")


@series.command("edit")
@click.argument("series_id", type=int)
@click.option("--start-time", metavar="HH:MM", help="New local start time.")
@click.option("--end-time", metavar="HH:MM", help="New local end time (earlier than the start: next day).")
@click.option("--seats", type=int, help="Peer seats.")
@click.option("--backup", type=int, help="Backup seats.")
@click.option("--note", help="The note.")
@click.option("--until", metavar="DATE", help="The last day it may repeat on.")
@click.option("--no-until", is_flag=True, help="Repeat without an end.")
@click.option("--rrule", metavar="RULE", help="A new repeat rule.")
@click.option("--force", is_flag=True, help="Override rest/limit rules for the people on it (audited).")
@json_option
@pass_ctx
def series_edit(c: Context, series_id, start_time, end_time, seats, backup, note, until, no_until, rrule, force, as_json) -> None:
    """Edit a series: its future occurrences change, except ones edited on their own.

    \b
    Example:
      warmline series edit 3 --start-time 17:30 --end-time 21:30
    """
    from .. import rota
    from ..times import parse_day

    if until and no_until:
        raise click.UsageError("give --until or --no-until, not both")
    changes = rota.SeriesChanges(
        start_time=_clock_time(start_time, "--start-time"), end_time=_clock_time(end_time, "--end-time"),
        seats=seats, backup=backup, note=note, until=parse_day(until, what="--until") if until is not None else None,
        clear_until=no_until, rule=rrule,
    )
    s, changed = rota.edit_series(c.db(), c.actor(), series_id, changes, force=force)
    if as_json:
        emit(series_json(s) | {"shifts_changed": changed})
    else:
        echo(f"Updated series {s.id}; {changed} future shifts changed.")


@series.command("cancel")
@click.argument("series_id", type=int)
@json_option
@pass_ctx
def series_cancel(c: Context, series_id: int, as_json: bool) -> None:
    """Cancel a series: it stops repeating and its future shifts are cancelled.

    \b
    Example:
      warmline series cancel 3
    """
    from .. import rota

    s, count = rota.cancel_series(c.db(), c.actor(), series_id)
    if as_json:
        emit(series_json(s) | {"shifts_cancelled": count})
    else:
        echo(f"Cancelled series {s.id} and {count} future shifts.")
