"""The rota's person-level rules as pure functions: overlap, rest, weekly hours and shifts, overnights.

`rota.py` applies them inside each write transaction; `rota.check` applies them to the
whole file. Hours are real elapsed time (UTC); weeks are ISO weeks and months are
calendar months in the line's zone, each shift counted in the week and month it starts.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from .errors import RuleBroken
from .model import Limits

OVERNIGHT_FROM = time(0, 0)
OVERNIGHT_TO = time(5, 0)  # a shift with any part between 00:00 and 05:00 local is an overnight


class Span(NamedTuple):
    """A scheduled shift's id and UTC bounds, as the rules see it."""

    shift_id: int
    start: datetime
    end: datetime

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


def week_of(moment: datetime, tz: ZoneInfo) -> date:
    """The Monday (local) of the ISO week in which `moment` falls."""
    local = moment.astimezone(tz).date()
    return local - timedelta(days=local.weekday())


def month_of(moment: datetime, tz: ZoneInfo) -> date:
    """The first day (local) of the month in which `moment` falls."""
    return moment.astimezone(tz).date().replace(day=1)


def window_for(span: Span, tz: ZoneInfo, limits: Limits) -> tuple[datetime, datetime]:
    """UTC bounds that contain every other shift the rules must look at for `span`."""
    local = span.start.astimezone(tz)
    week_start = datetime.combine(week_of(span.start, tz), time(0), tz) - timedelta(days=1)
    month_start = datetime.combine(local.date().replace(day=1), time(0), tz) - timedelta(days=1)
    rest = timedelta(hours=limits.min_rest_hours + 1)
    lo = min(week_start, month_start, span.start - rest)
    hi = max(week_start + timedelta(days=9), month_start + timedelta(days=34), span.end + rest)
    return lo, hi


def is_overnight(start: datetime, end: datetime, tz: ZoneInfo) -> bool:
    """True when any part of [start, end) falls between 00:00 and 05:00 local time."""
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        lo = datetime.combine(day, OVERNIGHT_FROM, tz)
        hi = datetime.combine(day, OVERNIGHT_TO, tz)
        if start < hi and end > lo:
            return True
        day += timedelta(days=1)
    return False


def describe(span: Span, tz: ZoneInfo) -> str:
    """'shift 14 (Mon 2026-11-23 09:00–13:00)' in local time."""
    start = span.start.astimezone(tz)
    end = span.end.astimezone(tz)
    return f"shift {span.shift_id} ({start:%a %Y-%m-%d %H:%M}–{end:%H:%M})"


def problems(
    handle: str,
    span: Span,
    others: list[Span],
    limits: Limits,
    tz: ZoneInfo,
) -> list[RuleBroken]:
    """Every rule `span` would break for this person, given their other scheduled shifts.

    Overlap cannot be overridden; rest and the weekly and monthly limits can, by a coordinator.
    """
    found: list[RuleBroken] = []
    rest_needed = timedelta(hours=limits.min_rest_hours)
    week = week_of(span.start, tz)
    month = month_of(span.start, tz)
    week_hours = span.hours
    week_shifts = 1
    overnight = is_overnight(span.start, span.end, tz)
    month_overnights = 1 if overnight else 0
    for other in others:
        if other.shift_id == span.shift_id:
            continue
        if other.start < span.end and other.end > span.start:
            found.append(
                RuleBroken(
                    f"{handle} is already on {describe(other, tz)}, which overlaps {describe(span, tz)}",
                    rule="overlap",
                    overridable=False,
                )
            )
            continue
        gap = span.start - other.end if other.end <= span.start else other.start - span.end
        if gap < rest_needed:
            found.append(
                RuleBroken(
                    f"{handle} would have {gap.total_seconds() / 3600:.1f} h rest between {describe(other, tz)} "
                    f"and {describe(span, tz)}; the minimum is {limits.min_rest_hours:g} h",
                    rule="rest",
                    overridable=True,
                )
            )
        if week_of(other.start, tz) == week:
            week_hours += other.hours
            week_shifts += 1
        if overnight and month_of(other.start, tz) == month and is_overnight(other.start, other.end, tz):
            month_overnights += 1
    if week_hours > limits.max_hours_week + 1e-9:
        found.append(
            RuleBroken(
                f"{handle} would work {week_hours:.1f} h in the week of {week.isoformat()}; "
                f"the limit is {limits.max_hours_week:g} h",
                rule="max-hours",
                overridable=True,
            )
        )
    if week_shifts > limits.max_shifts_week:
        found.append(
            RuleBroken(
                f"{handle} would have {week_shifts} shifts in the week of {week.isoformat()}; "
                f"the limit is {limits.max_shifts_week}",
                rule="max-shifts",
                overridable=True,
            )
        )
    if overnight and month_overnights > limits.max_overnights_month:
        found.append(
            RuleBroken(
                f"{handle} would have {month_overnights} overnight shifts in {month:%B %Y}; "
                f"the limit is {limits.max_overnights_month}",
                rule="max-overnights",
                overridable=True,
            )
        )
    return found


def combine(found: list[RuleBroken]) -> RuleBroken:
    """One refusal carrying every broken rule; overridable only if each of them is."""
    if len(found) == 1:
        return found[0]
    messages = list(dict.fromkeys(p.message for p in found))  # one edit can break a rule the same way twice
    return RuleBroken(
        "; ".join(messages),
        rule=",".join(sorted({p.rule for p in found})),
        overridable=all(p.overridable for p in found),
    )
