"""Load and fairness: who works how much, who is at or over a limit, and how evenly the hours are spread.

`load(conn, start, end)` reads every scheduled shift once and returns, per person:
hours and shifts this week (the ISO week of `at`, default now) and this month, overnight
shifts this month, hours, shifts and overnights in [start, end), the longest run of
consecutive local days with a shift starting on them within the range, hours per ISO
week touching the range (for a bar chart), and flags.

A flag says a person is **over** a limit (weekly hours, weekly shifts, monthly
overnights, rest between shifts), **at** one (exactly the limit: allowed, but no more),
or **near** one: at 90 % of it or more (a limit of 0 is never "at" or "near").
`level_word` is how every face shows a level: "OVER", "at", "near". Weeks and months are those touching the range, counted whole, as
the rules count them: a shift counts in the week and month (local) it starts in.

The spread is over active volunteers (coordinators left out), people with no hours
included: the most and fewest hours in the range, the mean, and the Gini coefficient
G = Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² x̄) (0 when everyone works the same, towards 1 when one
person does everything; 0 when nobody works).

Nothing here prints: the CLI and the Load screen format it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from . import rules
from .clock import now
from .db import iso_utc, parse_utc
from .errors import Invalid
from .model import Limits, Person

NEAR = 0.9
_EPS = 1e-9


@dataclass(frozen=True)
class Flag:
    """A person over or near one limit in one week, month or rest gap."""

    person_id: int
    handle: str
    rule: str  # 'max-hours', 'max-shifts', 'max-overnights' or 'rest'
    level: str  # 'over', 'at' or 'near'
    period: date  # the week's Monday, the month's first day, or the local day the later shift starts (rest)
    value: float
    limit: float
    message: str


@dataclass(frozen=True)
class WeekLoad:
    """One ISO week of one person's work (the whole week, not only the part inside the range)."""

    week: date
    hours: float
    shifts: int
    limit_hours: float
    limit_shifts: int


@dataclass(frozen=True)
class PersonLoad:
    """One person's load. `hours`, `shifts`, `overnights` and `streak` are for the range."""

    person_id: int
    handle: str
    name: str
    role: str
    active: bool
    limits: Limits
    hours_week: float
    shifts_week: int
    hours_month: float
    overnights_month: int
    hours: float
    shifts: int
    overnights: int
    streak: int
    weeks: tuple[WeekLoad, ...]
    flags: tuple[Flag, ...]

    @property
    def level(self) -> str:
        """The strongest of the flags' levels: 'over', else 'at', else 'near'; '' without flags."""
        return min((f.level for f in self.flags), key=LEVEL_RANK.__getitem__, default="")


@dataclass(frozen=True)
class Spread:
    """How evenly hours in the range fall on the active volunteers (zeros included)."""

    people: int
    total_hours: float
    mean_hours: float
    max_hours: float
    min_hours: float
    max_handles: tuple[str, ...]
    min_handles: tuple[str, ...]
    gini: float


@dataclass(frozen=True)
class LoadReport:
    """Everyone's load for [start, end), their flags, and the spread."""

    start: datetime
    end: datetime
    at: datetime
    week: date  # Monday of the week of `at`
    month: date  # first day of the month of `at`
    people: tuple[PersonLoad, ...]
    spread: Spread | None  # None when the viewer may see only themself
    flags: tuple[Flag, ...]  # every person's, 'over' first


def gini(values: list[float]) -> float:
    """The Gini coefficient of non-negative values: Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² mean); 0 for none or all zero."""
    n = len(values)
    total = sum(values)
    if n == 0 or total <= 0:
        return 0.0
    ordered = sorted(values)
    # Σᵢ Σⱼ |xᵢ − xⱼ| = 2 Σᵢ (2i − n + 1) xᵢ over the sorted values (i from 0), computed in O(n log n).
    pair_sum = 2 * sum((2 * i - n + 1) * x for i, x in enumerate(ordered))
    return pair_sum / (2 * n * n * (total / n))


def _level(value: float, limit: float) -> str | None:
    if value > limit + _EPS:
        return "over"
    if limit > 0 and value >= limit - _EPS:
        return "at"  # exactly the limit: allowed, but "near" would understate it
    if limit > 0 and value >= NEAR * limit - _EPS:
        return "near"
    return None


LEVEL_RANK = {"over": 0, "at": 1, "near": 2}
_LEVEL_WORDS = {"over": "OVER", "at": "at", "near": "near"}


def level_word(level: str) -> str:
    """How a level reads wherever it is shown (CLI, screens): 'OVER', 'at', 'near'; '' for none."""
    return _LEVEL_WORDS.get(level, "")


# A limit flag for a range comes from shifts in it, in the months it touches (overnights) or just
# before it (rest): all within this many days of it. Nobody without a shift that close can be
# flagged, so a caller after the flags reads only those people's loads (on a line of 2,000 people,
# a few hundred: load() then costs a third of the time and memory, with the same flags).
FLAG_REACH_DAYS = 40


def flaggable(conn: sqlite3.Connection, start: datetime, end: datetime) -> set[int]:
    """The ids of everyone who could be over or near a limit in [start, end): those with a
    scheduled shift within FLAG_REACH_DAYS of it. load(..., person_ids=flaggable(...)) gives
    the same flags as load() for everyone."""
    from .rota import working

    reach = timedelta(days=FLAG_REACH_DAYS)
    return working(conn, start - reach, end + reach)


def load(
    conn: sqlite3.Connection,
    start: datetime,
    end: datetime,
    *,
    at: datetime | None = None,
    viewer: Person | None = None,
    person_ids: Collection[int] | None = None,
) -> LoadReport:
    """Per-person load for shifts starting in [start, end), flags and the spread.

    With a volunteer as `viewer` only their own row is returned and no spread; a coordinator
    (or no viewer: the core's own callers) gets everyone; `person_ids` keeps only those people (and their spread).
    """
    from .line import get as get_line
    from .people import all_people
    from .recurrence import localize, zone

    if start.tzinfo is None or end.tzinfo is None:
        raise Invalid("the range needs times with a zone or offset")
    if end <= start:
        raise Invalid("the end is not after the start: give a later end")
    line = get_line(conn)
    tz = zone(line.tz)
    at = now() if at is None else at
    this_week = rules.week_of(at, tz)
    this_month = rules.month_of(at, tz)
    first_week = rules.week_of(start, tz)
    last_week = rules.week_of(end - timedelta(seconds=1), tz)
    first_month = rules.month_of(start, tz)
    last_month = rules.month_of(end - timedelta(seconds=1), tz)

    def local_midnight(day: date) -> datetime:
        return localize(datetime.combine(day, time(0)), tz)

    lo = min(start, local_midnight(min(first_week, first_month, this_week, this_month)))
    lo -= timedelta(days=8)  # the longest rest that can matter is a week
    after_last_month = (last_month.replace(day=28) + timedelta(days=4)).replace(day=1)
    after_this_month = (this_month.replace(day=28) + timedelta(days=4)).replace(day=1)
    hi = max(end, local_midnight(max(last_week + timedelta(days=7), after_last_month, this_week + timedelta(days=7), after_this_month)))

    # person_ids: e.g. flaggable()'s, the only people who can be near a limit in the range;
    # reading only them matters on a big line, where building everyone costs most of the call.
    everyone = all_people(conn, ids=person_ids)
    if viewer is not None and not viewer.is_coordinator:
        everyone = [p for p in everyone if p.id == viewer.id]
    wanted = {p.id for p in everyone}
    spans: dict[int, list[rules.Span]] = {}
    for pid, sid, s_start, s_end in conn.execute(
        "SELECT a.person_id, s.id, s.start_utc, s.end_utc FROM assignment a JOIN shift s ON s.id = a.shift_id"
        " WHERE s.status = 'scheduled' AND s.start_utc >= ? AND s.start_utc < ? ORDER BY s.start_utc, s.id",
        (iso_utc(lo), iso_utc(hi)),
    ):
        if pid in wanted:
            spans.setdefault(pid, []).append(rules.Span(sid, parse_utc(s_start), parse_utc(s_end)))

    weeks_in_range = []
    week = first_week
    while week <= last_week:
        weeks_in_range.append(week)
        week += timedelta(days=7)
    months_in_range = []
    month = first_month
    while month <= last_month:
        months_in_range.append(month)
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)

    rows: list[PersonLoad] = []
    for person in everyone:
        mine = spans.get(person.id, [])
        if not person.active and not any(start <= s.start < end for s in mine):
            continue
        rows.append(_person_load(person, line, tz, mine, start, end, this_week, this_month, weeks_in_range, months_in_range))

    spread = None
    if viewer is None or viewer.is_coordinator:
        counted = [r for r in rows if r.active and r.role == "volunteer"]
        spread = _spread(counted)
    flags = sorted(
        (f for r in rows for f in r.flags), key=lambda f: (LEVEL_RANK[f.level], f.handle, f.period, f.rule)
    )
    return LoadReport(start, end, at, this_week, this_month, tuple(rows), spread, tuple(flags))


def _person_load(person, line, tz, mine, start, end, this_week, this_month, weeks_in_range, months_in_range) -> PersonLoad:
    limits = person.limits(line)
    by_week: dict[date, list[rules.Span]] = {}
    overnights_by_month: dict[date, int] = {}
    for s in mine:
        by_week.setdefault(rules.week_of(s.start, tz), []).append(s)
        if rules.is_overnight(s.start, s.end, tz):
            m = rules.month_of(s.start, tz)
            overnights_by_month[m] = overnights_by_month.get(m, 0) + 1
    in_range = [s for s in mine if start <= s.start < end]
    hours_month = sum(s.hours for s in mine if rules.month_of(s.start, tz) == this_month)

    flags: list[Flag] = []
    weeks = []
    for week in weeks_in_range:
        group = by_week.get(week, [])
        hours = sum(s.hours for s in group)
        weeks.append(WeekLoad(week, hours, len(group), limits.max_hours_week, limits.max_shifts_week))
        level = _level(hours, limits.max_hours_week)
        if level:
            flags.append(
                Flag(person.id, person.handle, "max-hours", level, week, hours, limits.max_hours_week,
                     f"{person.handle} works {hours:.1f} h in the week of {week.isoformat()}; "
                     f"the limit is {limits.max_hours_week:g} h")
            )
        level = _level(len(group), limits.max_shifts_week)
        if level:
            flags.append(
                Flag(person.id, person.handle, "max-shifts", level, week, len(group), limits.max_shifts_week,
                     f"{person.handle} has {len(group)} shifts in the week of {week.isoformat()}; "
                     f"the limit is {limits.max_shifts_week}")
            )
    for month in months_in_range:
        count = overnights_by_month.get(month, 0)
        level = _level(count, limits.max_overnights_month)
        if level and count:
            flags.append(
                Flag(person.id, person.handle, "max-overnights", level, month, count, limits.max_overnights_month,
                     f"{person.handle} has {count} overnight shifts in {month:%B %Y}; "
                     f"the limit is {limits.max_overnights_month}")
            )
    rest = timedelta(hours=limits.min_rest_hours)
    for previous, span in zip(mine, mine[1:]):
        gap = span.start - previous.end
        if start <= span.start < end and timedelta(0) <= gap < rest:
            gap_h = gap.total_seconds() / 3600
            flags.append(
                Flag(person.id, person.handle, "rest", "over", span.start.astimezone(tz).date(), gap_h,
                     limits.min_rest_hours,
                     f"{person.handle} has {gap_h:.1f} h rest before {rules.describe(span, tz)}; "
                     f"the minimum is {limits.min_rest_hours:g} h")
            )
    return PersonLoad(
        person_id=person.id,
        handle=person.handle,
        name=person.name,
        role=person.role,
        active=person.active,
        limits=limits,
        hours_week=sum(s.hours for s in by_week.get(this_week, [])),
        shifts_week=len(by_week.get(this_week, [])),
        hours_month=hours_month,
        overnights_month=overnights_by_month.get(this_month, 0),
        hours=sum(s.hours for s in in_range),
        shifts=len(in_range),
        overnights=sum(1 for s in in_range if rules.is_overnight(s.start, s.end, tz)),
        streak=_streak(sorted({s.start.astimezone(tz).date() for s in in_range})),
        weeks=tuple(weeks),
        flags=tuple(flags),
    )


def _streak(days: list[date]) -> int:
    """The longest run of consecutive days in a sorted list of distinct days."""
    best = run = 0
    previous = None
    for day in days:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    return best


def _spread(rows: list[PersonLoad]) -> Spread:
    if not rows:
        return Spread(0, 0.0, 0.0, 0.0, 0.0, (), (), 0.0)
    hours = [r.hours for r in rows]
    top, bottom = max(hours), min(hours)
    return Spread(
        people=len(rows),
        total_hours=sum(hours),
        mean_hours=sum(hours) / len(hours),
        max_hours=top,
        min_hours=bottom,
        max_handles=tuple(r.handle for r in rows if abs(r.hours - top) < _EPS),
        min_handles=tuple(r.handle for r in rows if abs(r.hours - bottom) < _EPS),
        gini=gini(hours),
    )
