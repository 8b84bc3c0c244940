"""A person's notification settings: the channels they are told on, reminder lead times, quiet hours.

Parsing what a person types (`--channels`, `--lead`, `--quiet`), reading and changing the
settings (one's own, or anyone's for a coordinator; audited), and when quiet hours end.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from .. import audit
from ..db import Database
from ..errors import Invalid
from ..model import Person

CHANNELS = ("desktop", "terminal", "app")
EXTERNAL_CHANNELS = ("desktop", "terminal")
DEFAULT_CHANNELS = ("desktop", "app")
DEFAULT_LEADS = (60, 15)
MAX_LEADS = 5
MAX_LEAD_MINUTES = 24 * 60

_HHMM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


@dataclass(frozen=True)
class Prefs:
    """A person's notification settings: channels, reminder lead times (minutes), quiet hours (local HH:MM)."""

    channels: tuple[str, ...] = DEFAULT_CHANNELS
    leads: tuple[int, ...] = DEFAULT_LEADS
    quiet: tuple[str, str] | None = None

    @property
    def external(self) -> tuple[str, ...]:
        """The channels the delivery loop sends on (the app shows rows by itself)."""
        return tuple(c for c in self.channels if c in EXTERNAL_CHANNELS)


def parse_channels(text: str) -> tuple[str, ...]:
    """'desktop,app' → ('desktop', 'app'); Invalid for an unknown channel or an empty list."""
    names = [part.strip().lower() for part in (text or "").split(",") if part.strip()]
    if not names:
        raise Invalid(f"give at least one channel: {', '.join(CHANNELS)} (e.g. --channels app)")
    for name in names:
        if name not in CHANNELS:
            raise Invalid(f"{name[:20]!r} is not a channel: choose from {', '.join(CHANNELS)}")
    return tuple(dict.fromkeys(names))


def parse_leads(text: str) -> tuple[int, ...]:
    """'60,15' → (60, 15) minutes before a shift; 'none' (or 'off', or 0 alone) → no reminders.

    0 inside a list is refused: it would read as a reminder at the start, which there is not.
    """
    raw = (text or "").strip().lower()
    if raw in ("none", "off", "0"):
        return ()
    found = []
    for part in raw.split(","):
        part = part.strip()
        if part.isdigit() and int(part) == 0:
            raise Invalid(
                "lead time 0 in a list: 0 alone (or 'none') means no reminders; a list gives minutes "
                f"from 1 to {MAX_LEAD_MINUTES}, e.g. --lead 60,15"
            )
        if not part.isdigit() or not 1 <= int(part) <= MAX_LEAD_MINUTES:
            raise Invalid(
                f"lead time {part[:20]!r} is not a number of minutes from 1 to {MAX_LEAD_MINUTES}: "
                "give e.g. --lead 60,15 (or --lead none)"
            )
        found.append(int(part))
    leads = tuple(sorted(set(found), reverse=True))
    if len(leads) > MAX_LEADS:
        raise Invalid(f"{len(leads)} lead times given; at most {MAX_LEADS}")
    return leads


def parse_quiet(text: str) -> tuple[str, str]:
    """'22:00-07:00' → ('22:00', '07:00'): local quiet hours, which may cross midnight."""
    parts = (text or "").replace("–", "-").split("-")
    if len(parts) != 2 or not all(_HHMM.fullmatch(p.strip()) for p in parts):
        raise Invalid(f"quiet hours {str(text)[:30]!r} are not HH:MM-HH:MM: give e.g. --quiet 22:00-07:00")
    start, end = (time.fromisoformat(p.strip().zfill(5)).strftime("%H:%M") for p in parts)
    if start == end:
        raise Invalid("quiet hours start and end at the same time: give a range, or --no-quiet")
    return start, end


def get_prefs(conn: sqlite3.Connection, person_id: int) -> Prefs:
    """A person's settings, or the defaults (desktop and app; 60 and 15 minutes; no quiet hours)."""
    row = conn.execute(
        "SELECT channels, lead_minutes, quiet_start, quiet_end FROM notify_pref WHERE person_id = ?", (person_id,)
    ).fetchone()
    if row is None:
        return Prefs()
    leads = tuple(int(x) for x in row[1].split(",") if x)
    quiet = (row[2], row[3]) if row[2] else None
    return Prefs(tuple(c for c in row[0].split(",") if c), leads, quiet)


def set_prefs(
    db: Database,
    actor: Person,
    handle: str | None = None,
    *,
    channels: tuple[str, ...] | None = None,
    leads: tuple[int, ...] | None = None,
    quiet: tuple[str, str] | None = None,
    clear_quiet: bool = False,
) -> Prefs:
    """Change a person's notification settings: one's own, or anyone's for a coordinator. Audited."""
    from ..access import require
    from ..people import fresh_actor, get as get_person

    if quiet is not None and clear_quiet:
        raise Invalid("give quiet hours or --no-quiet, not both")
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        person = who if handle is None else get_person(conn, handle)
        if person.id != who.id:
            require(who, "person.edit", target=person)
        old = get_prefs(conn, person.id)
        new = Prefs(
            old.channels if channels is None else channels,
            old.leads if leads is None else leads,
            None if clear_quiet else (old.quiet if quiet is None else quiet),
        )
        if new == old and (channels, leads, quiet) == (None, None, None) and not clear_quiet:
            return old
        conn.execute(
            "INSERT INTO notify_pref (person_id, channels, lead_minutes, quiet_start, quiet_end) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (person_id) DO UPDATE SET channels = excluded.channels,"
            " lead_minutes = excluded.lead_minutes, quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end",
            (
                person.id,
                ",".join(new.channels),
                ",".join(str(m) for m in new.leads),
                new.quiet[0] if new.quiet else None,
                new.quiet[1] if new.quiet else None,
            ),
        )
        audit.record(
            conn,
            who.handle,
            "notify.settings",
            person.handle,
            f"channels {','.join(new.channels)}; leads {','.join(map(str, new.leads)) or 'none'}; "
            f"quiet {'-'.join(new.quiet) if new.quiet else 'none'}",
        )
        return new


def quiet_until(prefs: Prefs, moment: datetime, tz) -> datetime | None:
    """When `moment` falls in the person's quiet hours, the end of those quiet hours; else None."""
    from ..recurrence import localize

    if not prefs.quiet:
        return None
    start, end = (time.fromisoformat(x) for x in prefs.quiet)
    local = moment.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    day = local.date()
    if start < end:
        if not start <= clock < end:
            return None
    else:
        if end <= clock < start:
            return None
        if clock >= start:
            day += timedelta(days=1)
    return localize(datetime.combine(day, end), tz)


def lead_text(minutes: int) -> str:
    """60 → '1 h', 15 → '15 min', 90 → '1 h 30 min'."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"
