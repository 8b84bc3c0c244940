"""The words both faces use for shifts, people and durations: pure functions, no database, no textual, no click.

The words that carry meaning without colour (NO BACKUP, CANCELLED, 2 OPEN) are written here
once, for the app's screens and the CLI's listings alike.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from warmline.model import Assignment, ShiftView

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

NO_BACKUP = "NO BACKUP"
CANCELLED = "CANCELLED"


def hm(moment: datetime | time, *, compact: bool = False) -> str:
    """09:00, or with compact=True 09 when on the hour."""
    if compact and moment.minute == 0:
        return f"{moment.hour:02d}"
    return f"{moment.hour:02d}:{moment.minute:02d}"


def span(view: ShiftView, *, compact: bool = False) -> str:
    """The local wall-clock span of a shift, e.g. 09:00–13:00."""
    s = view.shift
    return f"{hm(s.start_local, compact=compact)}–{hm(s.end_local, compact=compact)}"


def day(moment: datetime | date) -> str:
    """Tue 24 Nov."""
    return f"{WEEKDAY_NAMES[moment.weekday()]} {moment.day} {moment:%b}"


def week_relative(monday: date, today: date) -> str:
    """'this week', 'next week' or 'last week' for the week starting `monday`, else ''."""
    weeks = (monday - (today - timedelta(days=today.weekday()))).days // 7
    return {0: "this week", 1: "next week", -1: "last week"}.get(weeks, "")


def between(start: datetime, end: datetime, tz: tzinfo) -> str:
    """Tue 24 Nov 09:00–13:00: two moments read in the zone `tz`."""
    a, b = start.astimezone(tz), end.astimezone(tz)
    return f"{day(a)} {hm(a)}–{hm(b)}"


def when(view: ShiftView) -> str:
    """Tue 24 Nov 09:00–13:00."""
    return f"{day(view.shift.start_local)} {span(view)}"


# Hours read three ways, on purpose: the app says "4 h" in a sentence or a cell; the CLI's
# listings and Load's bars and spread keep one decimal ("4.0 h") so a column of them lines up and
# reads as the core's own messages do ("4.0 h rest"); a table headed "Hours" shows the bare number.


def hours(value: float) -> str:
    """4 h, or 4.5 h (the app)."""
    return f"{value:.0f} h" if abs(value - round(value)) < 0.05 else f"{value:.1f} h"


def hours_column(value: float) -> str:
    """4.0 h: always one decimal, for aligned columns (the CLI's listings, Load's bars)."""
    return f"{value:.1f} h"


def hours_number(value: float) -> str:
    """6, 4.5, 0: hours without a unit or trailing zeros, under a column headed Hours."""
    return f"{round(value, 2):g}"


def handles(people: list[Assignment], *, except_id: int | None = None) -> str:
    """Comma-separated handles, leaving out one person (usually the viewer)."""
    return ", ".join(a.handle for a in people if a.person_id != except_id)


def countdown(delta: timedelta) -> str:
    """Starts in 1 d 2 h 03 m 09 s; a live countdown that reads well at a glance."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return "now"
    days, rest = divmod(seconds, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    if days:
        return f"{days} d {h} h {m:02d} m"
    if h:
        return f"{h} h {m:02d} m {s:02d} s"
    return f"{m} m {s:02d} s"


def open_text(view: ShiftView) -> str:
    """'2 OPEN' when peer seats are empty, else ''."""
    return f"{view.open_seats} OPEN" if view.open_seats else ""


def backup_text(view: ShiftView, me_id: int | None = None, *, none: str = NO_BACKUP) -> str:
    """Who is backup: their handles (the viewer left out, or 'you' when only they are), else NO BACKUP."""
    return handles(view.backups, except_id=me_id) or ("you" if view.backups else none)


def no_backup(view: ShiftView) -> bool:
    """True when nobody is on call as backup for this (scheduled) shift."""
    return view.shift.status == "scheduled" and not view.backups


def status(view: ShiftView, me_id: int | None = None) -> str:
    """The words that must read without colour: CANCELLED, 2 OPEN, NO BACKUP, COVER WANTED."""
    if view.shift.status != "scheduled":
        return CANCELLED
    parts = []
    if me_id is not None and any(c.person_id == me_id for c in view.cover):
        parts.append("you asked for cover")
    elif view.cover:
        parts.append("COVER WANTED")
    if view.open_seats:
        parts.append(open_text(view))
    if no_backup(view):
        parts.append(NO_BACKUP)
    return ", ".join(parts) or "covered"


def week_start(moment: datetime, tz: ZoneInfo) -> date:
    """The local Monday of the week `moment` falls in."""
    local = moment.astimezone(tz).date()
    return local - timedelta(days=local.weekday())


def weekly_rule(days: list[str] | tuple[str, ...]) -> str:
    """FREQ=WEEKLY;BYDAY=MO,TU for the chosen weekdays (in week order)."""
    chosen = [d for d in WEEKDAYS if d in days]
    return "FREQ=WEEKLY;BYDAY=" + ",".join(chosen)


def rule_days(rule: str) -> tuple[str, ...] | None:
    """The weekdays of a plain weekly/daily rule, or None when the rule is more than days of the week."""
    parts = dict(p.split("=", 1) for p in rule.upper().split(";") if "=" in p)
    if parts.get("FREQ") == "DAILY" and set(parts) == {"FREQ"}:
        return WEEKDAYS
    if parts.get("FREQ") == "WEEKLY" and set(parts) <= {"FREQ", "BYDAY"}:
        days = tuple(d for d in WEEKDAYS if d in parts.get("BYDAY", "").split(","))
        return days or None
    return None


def rule_text(rule: str) -> str:
    """A plain reading of a series rule: 'every Mon, Tue' or the rule itself."""
    days = rule_days(rule)
    if days is None:
        return rule
    if days == WEEKDAYS:
        return "every day"
    if days == WEEKDAYS[:5]:  # "every Mon, Tue, Wed, Thu, Fri" pushed the Series list past 80 columns
        return "every weekday"
    return "every " + ", ".join(WEEKDAY_NAMES[WEEKDAYS.index(d)] for d in days)


def fit(text: str, width: int) -> str:
    """Cut text to width with an ellipsis."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"
