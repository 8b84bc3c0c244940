"""The app's Series screen without Textual: every repeating series with its rule in words, its next
shift and its seats, and the shift form's draft for editing one (the form and its core call are
warmline/views/shift_form.py's, as the shift dialog uses them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from warmline import rota
from warmline.clock import now
from warmline.db import Database
from warmline.model import Person, Series
from warmline.people import fresh_actor
from warmline.recurrence import zone
from warmline.views import words as labels
from warmline.views.shift_form import ShiftDraft


@dataclass(frozen=True)
class SeriesRow:
    """One series as the list shows it."""

    series: Series
    repeats: str  # the rule in words (rule_words)
    times: str  # "17:00–21:00"
    next_start: datetime | None  # the next scheduled shift, in the line's zone
    ahead: int  # scheduled shifts still to come

    @property
    def active(self) -> bool:
        return self.series.status == "active"

    def cells(self) -> tuple[str, ...]:
        s = self.series
        nxt = labels.day(self.next_start) if self.next_start else "none ahead"
        return (
            str(s.id),
            self.repeats,
            self.times,
            nxt,
            f"{s.seats}+{s.backup_seats}",
            s.until_day or "no end",
            "active" if self.active else "CANCELLED",
        )


_EVERY = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}
_ORDINAL = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", -1: "last", -2: "2nd-last"}


def rule_words(rule: str) -> str:
    """A series rule in words: 'every Mon, Wed', 'every 2 weeks on Sat', 'every month on the 1st Mon';
    a rule with parts this does not word is shown as it is."""
    plain = labels.rule_text(rule)
    if plain != rule:
        return plain
    try:
        parts = dict(p.split("=", 1) for p in rule.upper().split(";") if p)
    except ValueError:
        return rule
    freq = _EVERY.get(parts.pop("FREQ", ""))
    interval = parts.pop("INTERVAL", "1")
    byday = parts.pop("BYDAY", "")
    monthday = parts.pop("BYMONTHDAY", "")
    count = parts.pop("COUNT", "")
    if freq is None or parts or not interval.isdigit() or (count and not count.isdigit()):
        return rule
    words = f"every {freq}" if interval in ("", "1") else f"every {interval} {freq}s"
    days = []
    for code in filter(None, byday.split(",")):
        ordinal, day = code[:-2], code[-2:]
        if day not in labels.WEEKDAYS:
            return rule
        name = labels.WEEKDAY_NAMES[labels.WEEKDAYS.index(day)]
        if ordinal:
            try:
                name = f"the {_ORDINAL[int(ordinal)]} {name}"
            except (ValueError, KeyError):
                return rule
        days.append(name)
    if days:
        words += " on " + ", ".join(days)
    if monthday:
        try:
            numbers = [int(d) for d in monthday.split(",")]
        except ValueError:
            return rule
        if any(d <= 0 for d in numbers):
            return rule
        words += " on day " + ", ".join(str(d) for d in numbers)
    if count:
        words += f", {count} times"
    return words


COLUMNS = (
    ("#", "id"),
    ("Repeats", "repeats"),
    ("Time", "time"),
    ("Next", "next"),
    ("Seats", "seats"),
    ("Until", "until"),
    ("Status", "status"),
)


def load_series(db: Database, actor: Person) -> list[SeriesRow]:
    """Every series, active ones first (oldest first within each), with its next shift after now."""
    conn = db.conn
    fresh_actor(conn, actor, reading=True)
    found = rota.all_series(conn)
    if not found:
        return []
    tz = zone(found[0].tz)
    ahead = rota.series_ahead(conn, now())
    rows = []
    for s in found:
        first, count = ahead.get(s.id, (None, 0))
        rows.append(
            SeriesRow(
                s,
                rule_words(s.rule),
                f"{s.start_time}–{s.end_time}",
                first.astimezone(zone(s.tz) if s.tz else tz) if first else None,
                count if s.status == "active" else 0,
            )
        )
    rows.sort(key=lambda r: (not r.active, r.series.id))
    return rows


def draft_of(series: Series) -> ShiftDraft:
    """The shift form's values for a whole series (its first day is shown, not edited)."""
    return ShiftDraft(
        day=date.fromisoformat(series.first_day),
        start=time.fromisoformat(series.start_time),
        end=time.fromisoformat(series.end_time),
        seats=series.seats,
        backup=series.backup_seats,
        note=series.note,
        days=labels.rule_days(series.rule) or (),
        until=date.fromisoformat(series.until_day) if series.until_day else None,
    )


def fixed_rule(series: Series) -> str:
    """The rule the form keeps as it is (one that is more than days of the week), else ""."""
    return "" if labels.rule_days(series.rule) else series.rule


def cancel_question(row: SeriesRow) -> tuple[str, str]:
    """(title, body) of the question asked before a series is cancelled."""
    s = row.series
    when = f"{row.repeats} {row.times}"
    body = (
        f"Series {s.id}, {when}: its {row.ahead} scheduled shift{'s' if row.ahead != 1 else ''} still to come "
        "will be cancelled and it stops repeating. Shifts that have started or ended stay as they were; "
        "the people on the cancelled shifts are told."
        if row.ahead
        else f"Series {s.id}, {when}: it has no shift still to come; it stops repeating."
    )
    return "Cancel this series?", body
