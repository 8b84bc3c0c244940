"""iCalendar (RFC 5545) feeds of the rota: one person's shifts, or the whole rota.

Every event has a stable UID (`shift-{id}@warmline.{line-slug}`); its SEQUENCE grows and its
LAST-MODIFIED moves whenever anything in it changes (time, status, text: each feed's last
content of each event is kept in the rota), so importing a fresh export updates the events
instead of adding copies, and a subscribed calendar follows edits and cancellations
(STATUS:CANCELLED). A shift someone was taken off stays in their feed as cancelled (for as
long as a cancelled shift would), so an import removes it from their calendar.
Times carry the line's TZID with its VTIMEZONE (written here, onsets in the time before each
change as RFC 5545 3.6.5 says); the one wall time a TZID cannot say (the second 01:30 of an
autumn night) is written in UTC instead. Every calendar has its VTIMEZONE, so even a person
with no shifts gets a calendar with a component.

Every TEXT value passes through text.safe (no control character leaves warmline) and is
escaped as RFC 5545 TEXT (commas, semicolons, backslashes, newlines).

A person's feed also holds their triad meetings (warmline.triads): "Triad meeting", its time and
their reminder lead times, nothing else (UID `triad-meeting-{id}@…`; cancelled once they leave).

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
import stat
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

from ..errors import Invalid, Refused, StorageError
from ..model import Person, ShiftView
from ..text import safe

DEFAULT_LEAD_MINUTES = (60, 15)
PAST_DAYS = 56  # feeds keep eight weeks of past shifts, so last month's stay visible
FUTURE_DAYS = 520 * 7  # beyond any horizon: everything already materialised
MAX_LEAD_MINUTES = 7 * 24 * 60
FEED_MODE = 0o644
DIR_MODE = 0o755
KEY_FILE = ".warmline-feed-key"
MANIFEST_FILE = ".warmline-feeds"  # the feed names written last time: the only files ever removed
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


def _text(value: object, *, multiline: bool = False):
    """A TEXT value: control characters made visible, then escaped as RFC 5545 TEXT when written."""
    from icalendar import vText

    return vText(safe(value, multiline=multiline))


def _calendar(title: str, line):
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", _text(title))
    cal.add("x-wr-calname", _text(title))
    cal.add("x-wr-timezone", _text(line.tz))
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    return cal


def _transitions(tz, lo: datetime, hi: datetime) -> list[tuple[datetime, timedelta, timedelta]]:
    """The zone's offset changes in [lo, hi): (UTC instant, offset before, offset after)."""
    found = []
    step = timedelta(days=1)
    moment = lo
    before = moment.astimezone(tz).utcoffset()
    while moment < hi:
        nxt = moment + step
        after = nxt.astimezone(tz).utcoffset()
        if after != before:
            a, b = moment, nxt  # the change lies in (a, b]: narrow it to the second
            while b - a > timedelta(seconds=1):
                mid = a + (b - a) / 2
                if mid.astimezone(tz).utcoffset() == before:
                    a = mid
                else:
                    b = mid
            found.append((b.replace(microsecond=0), before, after))
            before = after
        moment = nxt
    return found


def _summer(local: datetime) -> bool:
    """DAYLIGHT for time moved forward; a negative 'DST' (Dublin's winter in tzdata) is STANDARD."""
    saved = local.dst()
    return saved is not None and saved > timedelta(0)


def _vtimezone(tz, name: str, first: date, last: date):
    """The line's VTIMEZONE for the years first-1 to last+1: one observance per change.

    DTSTART of each observance is the onset in the local time before it (TZOFFSETFROM), as RFC
    5545 3.6.5 has it: 02:00 for both of New York's changes. The first observance covers the
    start of the range, so a zone without changes still has one (a VTIMEZONE needs one).
    """
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    lo = datetime(max(first.year - 1, 1), 1, 1, tzinfo=timezone.utc)
    hi = datetime(min(last.year + 2, 9999), 1, 1, tzinfo=timezone.utc)
    vtz = Timezone()
    vtz.add("tzid", _text(name))
    start_local = lo.astimezone(tz)
    opening = TimezoneDaylight() if _summer(start_local) else TimezoneStandard()
    offset = start_local.utcoffset()
    opening.add("dtstart", (lo + offset).replace(tzinfo=None))
    opening.add("tzoffsetfrom", offset)
    opening.add("tzoffsetto", offset)
    if start_local.tzname():
        opening.add("tzname", _text(start_local.tzname()))
    vtz.add_component(opening)
    for instant, before, after in _transitions(tz, lo, hi):
        local = instant.astimezone(tz)
        obs = TimezoneDaylight() if _summer(local) else TimezoneStandard()
        obs.add("dtstart", (instant + before).replace(tzinfo=None))
        obs.add("tzoffsetfrom", before)
        obs.add("tzoffsetto", after)
        if local.tzname():
            obs.add("tzname", _text(local.tzname()))
        vtz.add_component(obs)
    return vtz


def _finish(cal, line, tz, views: list[ShiftView], events: list) -> bytes:
    from ..clock import now

    if views:
        first = min(v.shift.start_utc for v in views).date()
        last = max(v.shift.end_utc for v in views).date()
    else:
        first = last = now().date()
    cal.add_component(_vtimezone(tz, line.tz, first, last))
    for ev in events:
        cal.add_component(ev)
    return cal.to_ical()


class _Times(NamedTuple):
    """When something that is not a shift happens (a triad meeting): what _Spec reads of a shift."""

    start_utc: datetime
    end_utc: datetime
    status: str


class _Timed(NamedTuple):
    shift: _Times


class _Spec(NamedTuple):
    """One event before its SEQUENCE is known: what it says, and the least SEQUENCE it may have."""

    view: ShiftView | _Timed
    uid: str
    summary: str
    description: str
    cancelled: bool
    leads: tuple[int, ...]
    least: int

    def digest(self, tz) -> str:
        s = self.view.shift
        content = "\x1f".join(
            (
                _when(s.start_utc, tz).isoformat(), _when(s.end_utc, tz).isoformat(), self.summary,
                self.description, "cancelled" if self.cancelled else "confirmed", ",".join(map(str, self.leads)),
            )
        )
        return hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()


def _sequences(conn: sqlite3.Connection, feed: str, specs: list[_Spec], tz, moment: datetime) -> dict[str, tuple[int, datetime]]:
    """Each event's SEQUENCE and LAST-MODIFIED: kept while it says the same, moved on when it changes.

    The least SEQUENCE is the shift's version (one more for a shift the person was taken off), so
    a feed never goes below what an export before this bookkeeping said.
    """
    from ..db import Database, iso_utc, parse_utc

    has_table = conn.execute("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'feed_event'").fetchone()
    if not has_table:  # an old schema opened without migrating: the shift's version, as before
        return {sp.uid: (sp.least, moment) for sp in specs}
    path = Path(conn.execute("PRAGMA database_list").fetchone()[2] or ":memory:")
    result: dict[str, tuple[int, datetime]] = {}
    with Database(conn, path).transaction():
        stored = {
            uid: (digest, seq, modified)
            for uid, digest, seq, modified in conn.execute(
                "SELECT uid, digest, sequence, modified_utc FROM feed_event WHERE feed = ?", (feed,)
            )
        }
        for sp in specs:
            digest = sp.digest(tz)
            old = stored.get(sp.uid)
            if old is not None and old[0] == digest and old[1] >= sp.least:
                result[sp.uid] = (old[1], parse_utc(old[2]))
                continue
            seq = sp.least if old is None else max(old[1] + 1, sp.least)
            conn.execute(
                "INSERT OR REPLACE INTO feed_event (feed, uid, digest, sequence, modified_utc) VALUES (?, ?, ?, ?, ?)",
                (feed, sp.uid, digest, seq, iso_utc(moment)),
            )
            result[sp.uid] = (seq, moment)
    return result


def _event(spec: _Spec, *, tz, stamp: datetime, sequence: int, modified: datetime):
    from icalendar import Alarm, Event

    s = spec.view.shift
    cancelled = spec.cancelled
    ev = Event()
    ev.add("uid", _text(spec.uid))
    ev.add("dtstamp", stamp.astimezone(timezone.utc))
    ev.add("last-modified", modified.astimezone(timezone.utc))
    ev.add("dtstart", _when(s.start_utc, tz))
    ev.add("dtend", _when(s.end_utc, tz))
    ev.add("sequence", sequence)
    ev.add("summary", _text(("Cancelled: " if cancelled else "") + spec.summary))
    ev.add("description", _text(spec.description, multiline=True))
    ev.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    ev.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    if not cancelled:
        for minutes in spec.leads:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            text = f"{spec.summary} starts in {minutes} minutes" if minutes else f"{spec.summary} starts now"
            alarm.add("description", _text(text))
            alarm.add("trigger", timedelta(minutes=-minutes))
            ev.add_component(alarm)
    return ev


def _events(conn: sqlite3.Connection, feed: str, specs: list[_Spec], tz) -> list:
    from ..clock import now

    stamp = now()
    seqs = _sequences(conn, feed, specs, tz, stamp)
    return [_event(sp, tz=tz, stamp=stamp, sequence=seqs[sp.uid][0], modified=seqs[sp.uid][1]) for sp in specs]


def _names(assignments, *, skip: int | None = None, suffix: str = "") -> list[str]:
    return [first_name(a.name) + suffix for a in assignments if a.person_id != skip]


def _removed_from(conn: sqlite3.Connection, person_id: int) -> dict[int, str]:
    """The shifts a person was taken off (and is not back on): shift id -> the role they had."""
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'assignment_removed'"
    ).fetchone()
    if not has_table:
        return {}
    return dict(conn.execute("SELECT shift_id, role FROM assignment_removed WHERE person_id = ?", (person_id,)))


def person_calendar(
    conn: sqlite3.Connection, viewer: Person, handle: str | None = None, *, since: datetime | None = None
) -> bytes:
    """One person's shifts (the viewer's own without a handle) as an iCalendar file.

    Volunteers may export only themselves; coordinators anyone. Past shifts from the last
    eight weeks (or from `since`) are kept; cancelled ones, and ones the person was taken
    off, carry STATUS:CANCELLED. Records each event's content (for SEQUENCE), so it writes.
    """
    from .. import rota
    from ..line import get as get_line
    from ..people import get
    from ..recurrence import zone

    person = get(conn, handle) if handle else viewer
    _may_export(viewer, person)
    line = get_line(conn)
    tz = zone(line.tz)
    lo, hi = _window(since)
    removed = _removed_from(conn, person.id)
    found = [
        v for v in rota.views(conn, lo, hi)
        if v.shift.id in removed or any(a.person_id == person.id for a in v.peers + v.backups)
    ]
    slug = line_slug(line.name)
    leads = lead_minutes(conn, person.id)
    cal = _calendar(f"{line.name}: {first_name(person.name)}'s shifts", line)
    specs = []
    for view in found:
        mine = next((a for a in view.peers + view.backups if a.person_id == person.id), None)
        taken_off = mine is None
        role = mine.role if mine else removed.get(view.shift.id, "peer")
        summary = f"{line.name}: {'backup (on call)' if role == 'backup' else 'peer shift'}"
        others = _names(view.peers, skip=person.id) + _names(view.backups, skip=person.id, suffix=" (backup)")
        if taken_off:
            lines = ["You are no longer on this shift."]
        else:
            lines = [f"With: {', '.join(others) if others else 'nobody else yet'}"]
            if view.open_seats and view.shift.status == "scheduled":
                lines.append(f"Open peer seats: {view.open_seats}")
            lines.append(f"You are: {role}")
        lines += [line.escalation, f"Shift {view.shift.id} in warmline."]
        cancelled = taken_off or view.shift.status == "cancelled"
        specs.append(
            _Spec(
                view, event_uid(view.shift.id, slug), summary, "\n".join(lines), cancelled, tuple(leads),
                view.shift.version + (1 if taken_off else 0),
            )
        )
    # Triad meetings (warmline.triads): "Triad meeting" and nothing more; the person's reminder lead times.
    from ..triads import feed_meetings

    timed: list = []
    for meeting, off in feed_meetings(conn, person.id, lo, hi):
        times = _Timed(_Times(meeting.start_utc, meeting.end_utc, "cancelled" if off else "scheduled"))
        timed.append(times)
        specs.append(_Spec(times, f"triad-meeting-{meeting.id}@warmline.{slug}", "Triad meeting", "", off, tuple(leads), 0))
    return _finish(cal, line, tz, found + timed, _events(conn, f"person:{person.id}", specs, tz))


def rota_calendar(conn: sqlite3.Connection, viewer: Person, *, since: datetime | None = None) -> bytes:
    """Every shift of the line as an iCalendar file: first names of who is on it and open seats, no alarms."""
    from .. import rota
    from ..line import get as get_line
    from ..recurrence import zone

    if not viewer.active:
        raise Refused(f"{viewer.handle} is inactive: ask a coordinator")
    line = get_line(conn)
    tz = zone(line.tz)
    lo, hi = _window(since)
    found = rota.views(conn, lo, hi)
    slug = line_slug(line.name)
    cal = _calendar(f"{line.name}: rota", line)
    specs = []
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
        specs.append(
            _Spec(view, event_uid(s.id, slug, rota=True), summary, "\n".join(lines), s.status == "cancelled", (), s.version)
        )
    return _finish(cal, line, tz, found, _events(conn, "rota", specs, tz))


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


def _read_small(path: Path, limit: int = 1 << 20) -> bytes | None:
    """A small regular file's bytes without following a link (None when there is no file)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StorageError(
            f"cannot read {path} ({exc.strerror}): warmline follows no symbolic link in a feed directory;"
            " remove the link"
        ) from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise StorageError(f"{path} is not a regular file: remove it")
        return fh.read(limit)


def _feed_key(directory: Path) -> bytes:
    """The directory's secret for feed file names: made once (0600), kept so published URLs stay the same."""
    key_path = directory / KEY_FILE
    try:
        fd = os.open(key_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        key = (_read_small(key_path) or b"").strip()
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


def _real_directory(folder: Path, what: str) -> None:
    """Make `folder` (0755) if missing; refuse a symbolic link or anything but a directory there."""
    if folder.is_symlink():
        raise Refused(
            f"{folder} is a symbolic link: warmline writes feeds only into a real directory and follows no link"
            f" ({what}); remove the link, or give the real directory with --dir"
        )
    if not folder.exists():
        try:
            folder.mkdir(mode=DIR_MODE, parents=True)
            os.chmod(folder, DIR_MODE)  # mkdir's mode is cut by the umask
        except OSError as exc:
            raise StorageError(f"cannot create {folder} ({exc.strerror}): choose another --dir") from None
    if folder.is_symlink() or not folder.is_dir():
        raise Invalid(f"{folder} is not a directory: give a directory with --dir, or a file with -o")


def _manifest(directory: Path) -> set[str]:
    """The feed names warmline wrote into DIR/people last time (only those may be removed)."""
    data = _read_small(directory / MANIFEST_FILE)
    if data is None:
        return set()
    names = set()
    for line in data.decode("utf-8", "replace").splitlines():
        if re.fullmatch(r"[A-Za-z0-9_.-]+-[0-9a-f]{20}\.ics", line):
            names.add(line)
    return names


def _write_manifest(directory: Path, names: set[str]) -> None:
    path = directory / MANIFEST_FILE
    try:
        fd, tmp = tempfile.mkstemp(prefix=f"{MANIFEST_FILE}.", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write("".join(f"{n}\n" for n in sorted(names)))
            os.chmod(tmp, 0o600)  # it lists the secret feed names
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise StorageError(f"cannot write {path} ({exc.strerror})") from None


def write_feeds(conn: sqlite3.Connection, viewer: Person, directory: Path, *, since: datetime | None = None) -> list[Feed]:
    """Write the whole rota and one feed per active person into `directory` (coordinators).

    Names carry a secret token (a published URL does not reveal the others); feeds of people
    no longer active are removed. The directory is created 0755. No symbolic link is followed:
    DIR and DIR/people must be real directories, each feed is written through a temporary file
    in the real directory and renamed (a link in a feed's place is replaced, its target never
    written), and only files listed in DIR/.warmline-feeds (the names written last time) are
    ever removed.
    """
    from ..people import all_people

    if not viewer.is_coordinator:
        raise Refused(f"only coordinators may export everyone's feeds; {viewer.handle} is a volunteer")
    directory = Path(directory)
    people_dir = directory / "people"
    _real_directory(directory, "--dir")
    _real_directory(people_dir, "its people directory")
    key = _feed_key(directory)
    previous = _manifest(directory)
    written = [Feed(None, write_feed(directory / feed_name(key, None), rota_calendar(conn, viewer, since=since)))]
    keep: set[str] = set()
    for person in all_people(conn, include_inactive=False):
        name = feed_name(key, person.handle)
        keep.add(name)
        data = person_calendar(conn, viewer, person.handle, since=since)
        written.append(Feed(person.handle, write_feed(people_dir / name, data)))
    _write_manifest(directory, keep)
    for stale in sorted(previous - keep):
        path = people_dir / stale
        try:
            if stat.S_ISREG(os.lstat(path).st_mode) or path.is_symlink():
                path.unlink()  # a link is removed itself; its target is never touched
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StorageError(f"cannot remove the old feed {path} ({exc.strerror})") from None
    return written
