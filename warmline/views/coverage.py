"""Coverage's read model: a week's demand against who is on shift, worked out as a needs × time heat map.

Demand is the anonymous call log averaged into a typical week (warmline.coverage.demand);
"covered" means someone on shift in that hour offers the need (or speaks the language).
The heat map reads without colour: a glyph for how much demand, a mark where it is not covered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from warmline import people
from warmline.clock import now
from warmline.db import Database
from warmline.errors import Refused
from warmline.line import get as get_line
from warmline.coverage import MAX_FILLERS, CoverageReport, Gap, coverage, hour_of_week
from warmline.model import Person
from warmline.recurrence import zone

from . import words
from .rota import local_weeks

# The day in four six-hour bands: (first hour, the letter in the heading, the legend's words).
BANDS = (
    (0, "N", "night 0–6"),
    (6, "M", "morning 6–12"),
    (12, "A", "afternoon 12–18"),
    (18, "E", "evening 18–24"),
)
BAND_HOURS = 6
DAY_HOURS = 24
# Expected calls for one need in one band of the typical week: below LOW is "░", below HIGH "▒", else "█".
LOW = 0.5
HIGH = 1.0
GLYPHS = ("·", "░", "▒", "█")
UNCOVERED = "✗"
PARTLY = "½"
FILLERS = MAX_FILLERS
_HOUR = timedelta(hours=1)


# ---------------------------------------------------------------- the heat map, worked out


@dataclass(frozen=True)
class HeatCell:
    """One need in one band of one day: demand level 0–3 and how much of it is covered."""

    expected: float
    level: int
    mark: str  # "" covered (or no demand), PARTLY, or UNCOVERED

    @property
    def glyph(self) -> str:
        return GLYPHS[self.level]


@dataclass(frozen=True)
class HeatRow:
    """One need with demand: its label, the week's expected calls and 7 × 4 cells (Monday night first)."""

    tag_id: str
    label: str
    total: float
    cells: tuple[HeatCell, ...]


def level(expected: float) -> int:
    """0 no demand, 1 low, 2 some, 3 high (expected calls in a band of the typical week)."""
    if expected <= 0:
        return 0
    if expected < LOW:
        return 1
    if expected < HIGH:
        return 2
    return 3


def covered_hours(report: CoverageReport, tz: Any) -> dict[str, set[int]]:
    """For each need, the hours of the week (0 = Monday 00:00 local) in which someone on shift offers it.

    A shift covers a clock hour whose middle falls inside it (as the core counts it); only hours
    inside the report's range count, so a shift running past Sunday midnight covers no Monday.
    """
    found: dict[str, set[int]] = {}
    for s in report.shifts:
        offered = [d.tag_id for d in s.demand if d.covered]
        if not offered:
            continue
        hours: list[int] = []
        slot = s.start.replace(minute=0, second=0, microsecond=0)
        while slot + _HOUR / 2 < s.end:
            middle = slot + _HOUR / 2
            if middle >= s.start and report.start <= middle < report.end:
                hours.append(hour_of_week(middle, tz))
            slot += _HOUR
        for tag_id in offered:
            found.setdefault(tag_id, set()).update(hours)
    return found


def heat_rows(report: CoverageReport, tz: Any) -> list[HeatRow]:
    """The needs with demand, most expected calls first, as rows of 7 days × 4 bands."""
    cover = covered_hours(report, tz)
    rows = []
    for tag_id, by_hour in report.demand_by_hour.items():
        total = sum(by_hour)
        if total <= 0:
            continue
        mine = cover.get(tag_id, set())
        cells = []
        for day in range(7):
            for first, _letter, _name in BANDS:
                hours = range(day * DAY_HOURS + first, day * DAY_HOURS + first + BAND_HOURS)
                expected = sum(by_hour[h] for h in hours)
                missing = sum(by_hour[h] for h in hours if by_hour[h] > 0 and h not in mine)
                if expected <= 0 or missing <= 0:
                    mark = ""
                elif missing >= expected - 1e-9:
                    mark = UNCOVERED
                else:
                    mark = PARTLY
                cells.append(HeatCell(expected, level(expected), mark))
        rows.append(HeatRow(tag_id, report.labels.get(tag_id, tag_id), total, tuple(cells)))
    rows.sort(key=lambda r: (-r.total, r.label.casefold()))
    return rows


# ---------------------------------------------------------------- loading


@dataclass(frozen=True)
class CoverageData:
    """One week's coverage, read in one worker call (or the core's refusal)."""

    tz: str
    monday: date
    today: date
    moment: datetime
    report: CoverageReport | None = None
    rows: tuple[HeatRow, ...] = ()
    refusal: str | None = None
    open_seats: dict[int, tuple[int, int]] = field(default_factory=dict)  # shift → (peer, backup) seats free


def load_coverage(db: Database, actor: Person, monday: date | None) -> CoverageData:
    """The coverage report for one local week (this week when monday is None), with its heat map."""
    conn = db.conn
    line = get_line(conn)
    tz = zone(line.tz)
    moment = now()
    today = moment.astimezone(tz).date()
    if monday is None:
        monday = words.week_start(moment, tz)
    lo, hi = local_weeks(monday, line.tz)
    me = people.fresh_actor(conn, actor, reading=True)
    try:
        report = coverage(conn, me, lo, hi)
    except Refused as exc:
        return CoverageData(line.tz, monday, today, moment, refusal=str(exc))
    seats = {s.shift_id: (s.open_seats, s.open_backup_seats) for s in report.shifts}
    return CoverageData(line.tz, monday, today, moment, report, tuple(heat_rows(report, tz)), open_seats=seats)


def gap_key(g: Gap) -> str:
    """A gap's row key: the same gap keeps its row (and the cursor) across reloads."""
    return f"{g.kind}:{g.shift_id}:{g.tag_id}:{g.goal_id or 0}" + (f":{g.start:%Y%m%dT%H%M}" if g.no_shift else "")


def gap_what(g: Gap) -> str:
    """'goal 0 of 1' or '~0.8 calls'."""
    if g.kind == "goal":
        return f"goal {g.have} of {g.need}"
    return f"~{g.expected:.1f} calls"


def why_not(g: Gap, moment: datetime) -> str:
    """Why nobody can fill a gap from the screen: started, no shift, no free seat, nobody eligible."""
    if g.start <= moment:
        return "started"
    if not g.fillable:
        return "no shift: add one" if g.no_shift else "no free seat"
    return "nobody eligible"
