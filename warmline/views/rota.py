"""The Rota's read model: one local week of shifts, and who in it is over or near a limit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from warmline import rota
from warmline.clock import now
from warmline.db import Database
from warmline.line import get as get_line
from warmline.model import Line, Person, ShiftView
from warmline.recurrence import localize, zone

from . import words


@dataclass(frozen=True)
class WeekData:
    """One week of shifts, read in one worker call."""

    line: Line
    monday: date
    today: date
    views: list[ShiftView]
    # handle -> "OVER"/"near" and the flags' messages, for people over or near a limit this week.
    # The core decides whose load the viewer may see (a volunteer: only their own).
    # Loaded after the grid is drawn (load_strain): empty until then.
    strain: dict[str, tuple[str, str]] = field(default_factory=dict)


def local_weeks(monday: date, tz_name: str, weeks: int = 1) -> tuple[datetime, datetime]:
    """From local midnight on `monday` to local midnight `weeks` weeks later, in the zone `tz_name`."""
    tz = zone(tz_name)
    lo = localize(datetime.combine(monday, time(0)), tz)
    return lo, localize(datetime.combine(monday + timedelta(days=7 * weeks), time(0)), tz)


def load_week(db: Database, monday: date | None) -> WeekData:
    """The shifts starting in one local week (this week when monday is None), without limit flags."""
    line = get_line(db.conn)
    moment = now()
    today = moment.astimezone(zone(line.tz)).date()
    if monday is None:
        monday = words.week_start(moment, zone(line.tz))
    return WeekData(line, monday, today, rota.views(db.conn, *local_weeks(monday, line.tz)))


def load_strain(db: Database, monday: date, viewer: Person) -> dict[str, tuple[str, str]]:
    """Who is over or near a limit in this local week (handle -> word, messages), as `viewer` may see.

    This reads people's loads, which costs far more than the week's shifts: the Rota reads it
    after the grid is drawn.
    """
    from warmline import fairness

    lo, hi = local_weeks(monday, get_line(db.conn).tz)
    nearby = fairness.flaggable(db.conn, lo, hi)  # the same flags as everyone's load, read for fewer
    strain: dict[str, tuple[str, str]] = {}
    for person in fairness.load(db.conn, lo, hi, viewer=viewer, person_ids=nearby).people:
        if person.level:
            word = fairness.level_word(person.level)
            strain[person.handle] = (word, "; ".join(f.message for f in person.flags))
    return strain
