"""The app's My settings screen, without Textual: a person's own availability, time off and
notification settings, what it loads, how it reads what was typed, and the core calls it makes.

Everything is saved through the core functions the CLI uses (availability.set_windows,
add_time_off, remove_time_off; notify.prefs.set_prefs), which check permissions; the person is
always the one signed in (a coordinator opening it edits their own). What is typed is read with
the core's own parsers, so the refusals say what the CLI says, in the app's words (no options).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from warmline import availability
from warmline.availability import Availability, Change, Clash, TimeOff, Window
from warmline.errors import Invalid, NotFound
from warmline.model import Person
from warmline.notify.prefs import (
    CHANNELS,
    Prefs,
    get_prefs,
    lead_text,
    parse_channels,
    parse_leads,
    parse_quiet,
    set_prefs,
)
from warmline.views import words

ANY_TIME = "No available windows means available at any time."
NO_TIME_OFF = "No time off."
KIND_WORDS = {"available": "available", "preferred": "preferred (would rather)"}
CHANNEL_HELP = {
    "desktop": "a desktop notification",
    "terminal": "a bell and a notice in the terminal that delivers your notifications",
    "app": "a toast here in the app",
}


@dataclass(frozen=True)
class MySettings:
    """What My settings shows: the person, the line's zone, their windows and time off, their notifications."""

    handle: str
    name: str
    tz: str
    availability: Availability
    prefs: Prefs

    @property
    def windows(self) -> tuple[Window, ...]:
        """Available windows, then preferred ones, each by day and time."""
        return self.availability.available + self.availability.preferred


def load_my_settings(db, actor: Person) -> MySettings:
    """The signed-in person's own settings."""
    from warmline.line import get as get_line
    from warmline.people import get as get_person

    conn = db.conn
    me = get_person(conn, actor.handle)  # fresh: the name may have changed since sign-in
    return MySettings(
        me.handle,
        me.name,
        get_line(conn).tz,
        availability.of(conn, actor),
        get_prefs(conn, actor.id),
    )


# ---------------------------------------------------------------- rows


def window_key(window: Window) -> str:
    """A window's row key: its kind, day and times (stable across a reload, unlike its id)."""
    return f"{window.kind}:{window.weekday}:{window.start:%H:%M}:{window.end:%H:%M}"


def window_rows(settings: MySettings) -> list[tuple[str, tuple[str, str, str, str]]]:
    """(key, (day, from, to, kind)) for each window."""
    return [
        (
            window_key(w),
            (
                words.WEEKDAY_NAMES[w.weekday],
                f"{w.start:%H:%M}",
                f"{w.end:%H:%M}" + (" (next day)" if w.overnight and w.end != w.start else "")
                + (" (all day)" if w.end == w.start else ""),
                KIND_WORDS[w.kind],
            ),
        )
        for w in settings.windows
    ]


def time_off_rows(settings: MySettings) -> list[tuple[str, tuple[str, str, str]]]:
    """(key, (first day, last day, days)) for each upcoming entry of time off; the key is its id."""
    return [
        (str(t.id), (_day(t.first_day), _day(t.last_day), f"{t.days} day{'' if t.days == 1 else 's'}"))
        for t in settings.availability.time_off
    ]


def _day(day: date) -> str:
    return f"{words.day(day)} {day.year}"


def availability_summary(settings: MySettings) -> str:
    """One line: the windows as `availability list` says them ("available any time" when there are none)."""
    a = settings.availability
    text = f"Now: available {availability.windows_text(a.available)}."
    if a.preferred:
        text += f" Preferred: {availability.windows_text(a.preferred)}."
    return text


def leads_text(prefs: Prefs) -> str:
    """The lead times as typed in the form: '60,15', or 'none'."""
    return ",".join(str(m) for m in prefs.leads) or "none"


def quiet_text(prefs: Prefs) -> str:
    """Quiet hours as typed in the form: '22:00-07:00', or '' for none."""
    return "-".join(prefs.quiet) if prefs.quiet else ""


def prefs_summary(prefs: Prefs) -> str:
    """'Channels desktop, app; reminders 1 h and 15 min before a shift; quiet hours none.'"""
    leads = " and ".join(lead_text(m) for m in prefs.leads) or "none"
    quiet = "–".join(prefs.quiet) if prefs.quiet else "none"
    return f"Channels {', '.join(prefs.channels)}; reminders {leads} before a shift; quiet hours {quiet}."


# ---------------------------------------------------------------- what was typed


def _app_words(message: str) -> str:
    """The core parsers' CLI words ("--lead 60,15") as the form says them."""
    for cli, app in (
        (", or --no-quiet", ", or leave the box empty for none"),
        ("--channels ", ""),
        ("--lead ", ""),
        ("--quiet ", ""),
    ):
        message = message.replace(cli, app)
    return message


def read_window(days: tuple[str, ...], start: str, end: str, *, preferred: bool = False) -> list[Window]:
    """The windows of the Add window form (one per ticked day), read as `availability set` reads them."""
    if not days:
        raise Invalid("tick at least one day for the window (or Weekdays, Weekend, Every day)")
    if not start.strip() or not end.strip():
        raise Invalid("give the window's from and to times, e.g. 17:00 and 21:00")
    tokens = [",".join(days), f"{start.strip()}-{end.strip()}"]
    kind = "preferred" if preferred else "available"
    return availability.parse_windows(tokens, kind=kind)


def read_time_off(first: str, last: str) -> tuple[date, date]:
    """The Add time off form's days (YYYY-MM-DD; an empty last day is the first day)."""
    from warmline.times import parse_day

    first_day = parse_day(first, what="the first day")
    last_day = parse_day(last, what="the last day") if last.strip() else first_day
    if last_day < first_day:
        raise Invalid(f"the last day ({last_day.isoformat()}) is before the first ({first_day.isoformat()}): swap them")
    return first_day, last_day


def typed_prefs(loaded: Prefs, *, channels: tuple[str, ...], leads: str, quiet: str) -> dict:
    """set_prefs' keyword arguments for what differs from `loaded` (empty when nothing does); Invalid in the app's words."""
    changes: dict = {}
    try:
        if not channels:
            raise Invalid(f"tick at least one channel: {', '.join(CHANNELS)}")
        chosen = parse_channels(",".join(channels))
        if set(chosen) != set(loaded.channels):
            changes["channels"] = chosen
        if leads.strip().lower() != leads_text(loaded):
            parsed = parse_leads(leads if leads.strip() else "none")
            if parsed != loaded.leads:
                changes["leads"] = parsed
        if quiet.strip() != quiet_text(loaded):
            if quiet.strip():
                parsed_quiet = parse_quiet(quiet)
                if parsed_quiet != loaded.quiet:
                    changes["quiet"] = parsed_quiet
            elif loaded.quiet:
                changes["clear_quiet"] = True
    except Invalid as exc:
        raise Invalid(_app_words(str(exc))) from None
    return changes


# ---------------------------------------------------------------- the core calls (in a worker)


def add_windows(db, actor: Person, new: list[Window]) -> Change:
    """Add windows of one kind to the person's own (read afresh, then replaced in one core call)."""
    kind = new[0].kind
    current = availability.of(db.conn, actor)
    have = current.available if kind == "available" else current.preferred
    known = {window_key(w) for w in have}
    added = [w for w in new if window_key(w) not in known]
    if not added:
        raise Invalid(f"you already have {availability.windows_text(new)} as {kind}: nothing to add")
    return availability.set_windows(db, actor, None, [*have, *added], kind=kind)


def remove_window(db, actor: Person, key: str) -> Change:
    """Remove one of the person's own windows by its row key (read afresh, then replaced in one core call)."""
    current = availability.of(db.conn, actor)
    kind = key.partition(":")[0]
    have = current.available if kind == "available" else current.preferred
    left = [w for w in have if window_key(w) != key]
    if len(left) == len(have):
        raise NotFound("that window is no longer there (your availability was changed meanwhile): the list is reloaded")
    return availability.set_windows(db, actor, None, left, kind=kind)


def add_time_off(db, actor: Person, first: date, last: date) -> Change:
    """Record the person's own days off (first to last, inclusive)."""
    return availability.add_time_off(db, actor, None, first, last)


def remove_time_off(db, actor: Person, time_off_id: int) -> TimeOff:
    """Remove one entry of the person's own time off."""
    return availability.remove_time_off(db, actor, time_off_id)


def save_prefs(db, actor: Person, changes: dict) -> Prefs:
    """Change the person's own notification settings (only what `typed_prefs` found changed)."""
    return set_prefs(db, actor, None, **changes)


MAX_CLASH_LINES = 3


def clash_lines(clashes: tuple[Clash, ...], tz: ZoneInfo) -> list[str]:
    """What a change left: the shifts the person is still on that it now rules out (the first few), and what to do."""
    if not clashes:
        return []
    rule = "time off" if clashes[0].rule == "time-off" else "availability"
    shown = [f"{words.between(k.start, k.end, tz)} (shift {k.shift_id})" for k in clashes[:MAX_CLASH_LINES]]
    more = len(clashes) - len(shown)
    if more:
        shown.append(f"{more} more shift{'' if more == 1 else 's'} (see Home)")
    return [
        f"You are still on {len(clashes)} shift{'' if len(clashes) == 1 else 's'} your {rule} now rules out "
        "(they stay yours until you drop them on Home, or a coordinator finds cover):",
        *(f"  {line}" for line in shown),
    ]

