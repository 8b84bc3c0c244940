"""The shift form's values (ShiftDraft), read from what was typed, and the core calls that create or
edit what a form describes: a one-off shift, a weekly series, one shift, or a whole series (no Textual)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from warmline import rota
from warmline.db import Database
from warmline.errors import Invalid
from warmline.line import get as get_line
from warmline.model import Person, Series
from warmline.recurrence import shift_span, zone
from warmline.views import words as labels


@dataclass(frozen=True)
class ShiftDraft:
    """What the shift form returns: a one-off shift (no days) or a weekly series (days chosen)."""

    day: date
    start: time
    end: time
    seats: int = 2
    backup: int = 1
    note: str = ""
    days: tuple[str, ...] = ()
    until: date | None = None


_TIME = re.compile(r"(\d{1,2})(?::?(\d{2}))?")
TIME_PRESETS = {
    "morning": ("Morning", time(9), time(13)),
    "afternoon": ("Afternoon", time(13), time(17)),
    "evening": ("Evening", time(17), time(21)),
    "night": ("Night", time(21), time(1)),
}
DAY_PRESETS = {
    "weekdays": ("Weekdays", labels.WEEKDAYS[:5]),
    "weekend": ("Weekend", labels.WEEKDAYS[5:]),
    "everyday": ("Every day", labels.WEEKDAYS),
    "once": ("Once", ()),
}


def parse_time(text: str, what: str) -> time:
    """A wall time from 9, 0900, 09:00 or 9:30."""
    match = _TIME.fullmatch(text.strip())
    if match:
        h, m = int(match.group(1)), int(match.group(2) or 0)
        if h < 24 and m < 60:
            return time(h, m)
    raise Invalid(f"{what} {text.strip()!r} is not a time: use HH:MM, e.g. 09:00 or 21:30")


def parse_count(text: str, what: str) -> int:
    """A whole number of seats."""
    raw = text.strip()
    if not raw.isdigit():
        raise Invalid(f"{what} {raw!r} is not a whole number: use e.g. 2")
    return int(raw)


def first_day_on(day: date, days: tuple[str, ...]) -> date:
    """The first date on or after `day` that falls on one of `days`."""
    for offset in range(7):
        candidate = day + timedelta(days=offset)
        if labels.WEEKDAYS[candidate.weekday()] in days:
            return candidate
    return day


def create_from_draft(db: Database, actor: Person, draft: ShiftDraft) -> tuple[str, int | None, date]:
    """Create what the form describes; returns (what was made, the new shift's id for a one-off, its first day)."""
    line = get_line(db.conn)
    tz = zone(line.tz)
    if draft.days:
        first = first_day_on(draft.day, draft.days)
        start, end = shift_span(first, draft.start, draft.end, tz)
        series, made = rota.add_series(
            db,
            actor,
            rule=labels.weekly_rule(draft.days),
            start=start,
            end=end,
            seats=draft.seats,
            backup=draft.backup,
            until=draft.until,
            note=draft.note,
        )
        what = f"series {labels.rule_text(series.rule)} {series.start_time}–{series.end_time}: {made} shifts"
        return what, None, first
    start, end = shift_span(draft.day, draft.start, draft.end, tz)
    shift = rota.add_shift(db, actor, start=start, end=end, seats=draft.seats, backup=draft.backup, note=draft.note)
    return (
        f"shift {labels.day(shift.start_local)} {labels.hm(shift.start_local)}–{labels.hm(shift.end_local)}",
        shift.id,
        draft.day,
    )


def edit_one(db: Database, actor: Person, shift_id: int, draft: ShiftDraft, force: bool = False) -> Any:
    """Apply the form to one shift (a series occurrence is detached from its series)."""
    tz = zone(get_line(db.conn).tz)
    start, end = shift_span(draft.day, draft.start, draft.end, tz)
    return rota.edit_shift(
        db, actor, shift_id, start=start, end=end, seats=draft.seats, backup=draft.backup, note=draft.note, force=force
    )


def series_changes(series: Series, draft: ShiftDraft) -> rota.SeriesChanges:
    """Only what the form changed about a series."""
    changes = rota.SeriesChanges()
    if labels.hm(draft.start) != series.start_time:
        changes.start_time = draft.start
    if labels.hm(draft.end) != series.end_time:
        changes.end_time = draft.end
    if draft.seats != series.seats:
        changes.seats = draft.seats
    if draft.backup != series.backup_seats:
        changes.backup = draft.backup
    if draft.note.strip() != series.note:
        changes.note = draft.note
    until = draft.until.isoformat() if draft.until else None
    if until != series.until_day:
        if draft.until is None:
            changes.clear_until = True
        else:
            changes.until = draft.until
    if draft.days and draft.days != labels.rule_days(series.rule):
        changes.rule = labels.weekly_rule(draft.days)
    return changes


def edit_whole_series(db: Database, actor: Person, series_id: int, draft: ShiftDraft, force: bool = False) -> Any:
    """Apply the form to a series: its future occurrences not edited on their own follow."""
    series = rota.get_series(db.conn, series_id)
    return rota.edit_series(db, actor, series_id, series_changes(series, draft), force=force)
