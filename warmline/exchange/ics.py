"""iCalendar (RFC 5545) feeds of the rota: one person's shifts, or the whole rota.

Every event has a stable UID (`shift-{id}@warmline.{line-slug}`) and SEQUENCE = the
shift's version, so importing a fresh export updates the events instead of adding
copies, and a subscribed calendar follows edits and cancellations (STATUS:CANCELLED).
Times carry the line's TZID with its VTIMEZONE; the one wall time a TZID cannot say
(the second 01:30 of an autumn night) is written in UTC instead.

Feeds hold no tags and, of other people, only the first names of those on the same
shift. They are written 0644 (they are meant to be published by a web server).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from ..errors import Invalid, Refused, StorageError
from ..model import Person, ShiftView

DEFAULT_LEAD_MINUTES = (60, 15)
PAST_DAYS = 56  # feeds keep eight weeks of past shifts, so last month's stay visible
FUTURE_DAYS = 520 * 7  # beyond any horizon: everything already materialised
MAX_LEAD_MINUTES = 7 * 24 * 60
FEED_MODE = 0o644
DIR_MODE = 0o755
KEY_FILE = ".warmline-feed-key"
PRODID = "-//warmline//warmline rota//EN"


def line_slug(name: str) -> str:
    """The line's name as a UID domain part: lower-case letters, digits and hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:60].strip("-") or "line"


def event_uid(shift_id: int, slug: str, *, rota: bool = False) -> str:
    """The stable UID of a shift's event (the whole-rota feed uses its own, so the two never collide)."""
    return f"{'rota-' if rota else ''}shift-{shift_id}@warmline.{slug}"


def first_name(name: str) -> str:
    """The first word of a display name: all a feed shows of anyone else."""
    parts = name.split()
    return parts[0] if parts else "someone"


def lead_minutes(conn: sqlite3.Connection, person_id: int) -> tuple[int, ...]:
    """A person's reminder lead times in minutes: their notification settings when the schema has them, else 60 and 15.

    The same settings drive warmline's own reminders (`warmline.notify`), so a calendar
    reminds a person when warmline would.
    """
    has_prefs = conn.execute(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'notify_pref'"
    ).fetchone()
    if not has_prefs:
        return DEFAULT_LEAD_MINUTES
    from ..notify.outbox import get_prefs

    return tuple(m for m in get_prefs(conn, person_id).leads if 0 <= m <= MAX_LEAD_MINUTES)


def _may_export(viewer: Person, person: Person) -> None:
    if viewer.id != person.id and not viewer.is_coordinator:
        raise Refused(
            f"only coordinators may export another person's shifts; {viewer.handle} may export their own"
            " (`warmline export ics` without --person)"
        )


def _window(since: datetime | None) -> tuple[datetime, datetime]:
    from ..clock import now

    moment = now()
    start = since if since is not None else moment - timedelta(days=PAST_DAYS)
    return start.astimezone(timezone.utc), moment + timedelta(days=FUTURE_DAYS)


def _when(moment: datetime, tz) -> datetime:
    """The value to write: wall time in the line's zone, or UTC for a repeated autumn wall time."""
    local = moment.astimezone(tz)
    if local.fold:
        # TZID wall times mean the first of two identical ones (RFC 5545 3.3.5); this is the second.
        return moment.astimezone(timezone.utc)
    return local


def _calendar(title: str, line):
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", title)
    cal.add("x-wr-calname", title)
    cal.add("x-wr-timezone", line.tz)
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    return cal


def _finish(cal, views: list[ShiftView]) -> bytes:
    if views:
        first = min(v.shift.start_utc for v in views).date()
        last = max(v.shift.end_utc for v in views).date()
        # A VTIMEZONE for the years the events span (a zone's whole history would be much longer).
        cal.add_missing_timezones(first_date=date(first.year - 1, 1, 1), last_date=date(last.year + 2, 1, 1))
    return cal.to_ical()


def _event(view: ShiftView, *, uid: str, summary: str, description: str, tz, stamp: datetime, leads=()):
    from icalendar import Alarm, Event

    s = view.shift
    cancelled = s.status == "cancelled"
    ev = Event()
    ev.add("uid", uid)
    ev.add("dtstamp", stamp)
    ev.add("dtstart", _when(s.start_utc, tz))
    ev.add("dtend", _when(s.end_utc, tz))
    ev.add("sequence", s.version)
    ev.add("summary", ("Cancelled: " if cancelled else "") + summary)
    ev.add("description", description)
    ev.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    ev.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    if not cancelled:
        for minutes in leads:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{summary} starts in {minutes} minutes" if minutes else f"{summary} starts now")
            alarm.add("trigger", timedelta(minutes=-minutes))
            ev.add_component(alarm)
    return ev


def _names(assignments, *, skip: int | None = None, suffix: str = "") -> list[str]:
    return [first_name(a.name) + suffix for a in assignments if a.person_id != skip]


def person_calendar(
    conn: sqlite3.Connection, viewer: Person, handle: str | None = None, *, since: datetime | None = None
) -> bytes:
    """One person's shifts (the viewer's own without a handle) as an iCalendar file.

    Volunteers may export only themselves; coordinators anyone. Past shifts from the last
    eight weeks (or from `since`) are kept; cancelled ones carry STATUS:CANCELLED.
    """
    from .. import rota
    from ..clock import now
    from ..line import get as get_line
    from ..people import get
    from ..recurrence import zone

    person = get(conn, handle) if handle else viewer
    _may_export(viewer, person)
    line = get_line(conn)
    tz = zone(line.tz)
    lo, hi = _window(since)
    found = rota.views(conn, lo, hi, person_id=person.id)
    slug = line_slug(line.name)
    leads = lead_minutes(conn, person.id)
    stamp = now()
    cal = _calendar(f"{line.name}: {first_name(person.name)}'s shifts", line)
    for view in found:
        mine = next((a for a in view.peers + view.backups if a.person_id == person.id), None)
        role = mine.role if mine else "peer"
        summary = f"{line.name}: {'backup (on call)' if role == 'backup' else 'peer shift'}"
        others = _names(view.peers, skip=person.id) + _names(view.backups, skip=person.id, suffix=" (backup)")
        lines = [f"With: {', '.join(others) if others else 'nobody else yet'}"]
        if view.open_seats and view.shift.status == "scheduled":
            lines.append(f"Open peer seats: {view.open_seats}")
        lines += [f"You are: {role}", line.escalation, f"Shift {view.shift.id} in warmline."]
        cal.add_component(
            _event(
                view, uid=event_uid(view.shift.id, slug), summary=summary, description="\n".join(lines),
                tz=tz, stamp=stamp, leads=leads,
            )
        )
    return _finish(cal, found)


def rota_calendar(conn: sqlite3.Connection, viewer: Person, *, since: datetime | None = None) -> bytes:
    """Every shift of the line as an iCalendar file: first names of who is on it and open seats, no alarms."""
    from .. import rota
    from ..clock import now
    from ..line import get as get_line
    from ..recurrence import zone

    if not viewer.active:
        raise Refused(f"{viewer.handle} is inactive: ask a coordinator")
    line = get_line(conn)
    tz = zone(line.tz)
    lo, hi = _window(since)
    found = rota.views(conn, lo, hi)
    slug = line_slug(line.name)
    stamp = now()
    cal = _calendar(f"{line.name}: rota", line)
    for view in found:
        s = view.shift
        summary = f"{line.name}: {len(view.peers)}/{s.seats} peers"
        if s.status == "scheduled" and view.open_seats:
            summary += f", {view.open_seats} open"
        lines = [
            f"Peers: {', '.join(_names(view.peers)) or 'nobody yet'}",
            f"Backup: {', '.join(_names(view.backups)) or ('nobody yet' if s.backup_seats else 'none')}",
            line.escalation,
            f"Shift {s.id} in warmline: `warmline claim {s.id}` takes an open seat.",
        ]
        cal.add_component(
            _event(view, uid=event_uid(s.id, slug, rota=True), summary=summary, description="\n".join(lines), tz=tz, stamp=stamp)
        )
    return _finish(cal, found)


# ---------------------------------------------------------------- files


def write_feed(path: Path, data: bytes) -> Path:
    """Write a feed atomically (a web server never serves half a file), mode 0644 whatever the umask."""
    path = Path(path)
    parent = path.parent
    if not parent.is_dir():
        raise StorageError(f"the directory {parent} does not exist: create it, or write somewhere else with -o")
    if path.is_dir():
        raise Invalid(f"{path} is a directory: give a file name with -o, or use --dir {path}")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, FEED_MODE)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise StorageError(f"cannot write {path} ({exc.strerror}): check the directory's permissions") from None
    return path


@dataclass(frozen=True)
class Feed:
    """One written feed: whose (None for the whole rota) and where."""

    handle: str | None
    path: Path


def _feed_key(directory: Path) -> bytes:
    """The directory's secret for feed file names: made once (0600), kept so published URLs stay the same."""
    key_path = directory / KEY_FILE
    try:
        fd = os.open(key_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        key = key_path.read_bytes().strip()
        if len(key) < 32:
            raise StorageError(f"{key_path} is damaged (too short): delete it to make new feed names") from None
        return key
    except OSError as exc:
        raise StorageError(f"cannot create {key_path} ({exc.strerror})") from None
    key = secrets.token_hex(32).encode()
    with os.fdopen(fd, "wb") as fh:
        fh.write(key + b"\n")
    return key


def feed_name(key: bytes, handle: str | None) -> str:
    """A feed's file name: the handle plus a token nobody can guess without the directory's key."""
    label = handle or "rota"
    token = hmac.new(key, label.encode(), hashlib.sha256).hexdigest()[:20]
    return f"{label}-{token}.ics"


def write_feeds(conn: sqlite3.Connection, viewer: Person, directory: Path, *, since: datetime | None = None) -> list[Feed]:
    """Write the whole rota and one feed per active person into `directory` (coordinators).

    Names carry a secret token (a published URL does not reveal the others); feeds of
    people no longer active are removed. The directory is created 0755.
    """
    from ..people import all_people

    if not viewer.is_coordinator:
        raise Refused(f"only coordinators may export everyone's feeds; {viewer.handle} is a volunteer")
    directory = Path(directory)
    people_dir = directory / "people"
    try:
        for folder in (directory, people_dir):
            if not folder.exists():
                folder.mkdir(mode=DIR_MODE, parents=True)
                os.chmod(folder, DIR_MODE)  # mkdir's mode is cut by the umask
    except OSError as exc:
        raise StorageError(f"cannot create {directory} ({exc.strerror}): choose another --dir") from None
    if not directory.is_dir():
        raise Invalid(f"{directory} is not a directory: give a directory with --dir, or a file with -o")
    key = _feed_key(directory)
    written = [Feed(None, write_feed(directory / feed_name(key, None), rota_calendar(conn, viewer, since=since)))]
    keep = set()
    for person in all_people(conn, include_inactive=False):
        name = feed_name(key, person.handle)
        keep.add(name)
        data = person_calendar(conn, viewer, person.handle, since=since)
        written.append(Feed(person.handle, write_feed(people_dir / name, data)))
    for stale in people_dir.glob("*.ics"):
        if stale.name not in keep:
            stale.unlink(missing_ok=True)
    return written
