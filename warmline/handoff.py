"""Handoff notes: what one shift tells the next, screened for caller details, and acknowledged.

A note belongs to the shift it was written on (the outgoing shift). Its readers are
the people on the *next* shift(s): the scheduled shift(s) starting at, or soonest
after, the outgoing shift's end, within 24 hours. Readers are worked out from the
rota each time, so someone who claims a seat on the next shift later still sees the
note. The change (the moment the note is "for") is the next shift's start; a note
that nobody on the next shift acknowledged 15 minutes after the change is overdue,
and the backup and the coordinators are told (see `warmline.notify.outbox`).

Callers are anonymous (DESIGN.md): the note is the only free text kept about calls,
so it is refused when it looks like it holds a phone number or an e-mail address.
The refusal says why but never repeats what it found, and nothing is written.
Audit rows record a note's length, never its text.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from datetime import datetime, timedelta
from functools import cache
from types import SimpleNamespace
from typing import NamedTuple

from . import audit
from .clock import now
from .db import Database, iso_utc, parse_utc
from .errors import Invalid, NotFound, Refused
from .model import Person, Shift

MAX_NOTE = 1000
NEXT_WITHIN = timedelta(hours=24)  # the next shift must start within this long after the outgoing one ends
ACK_GRACE = timedelta(minutes=15)  # unacknowledged this long after the change: overdue
WRITE_OFFER = timedelta(minutes=30)  # the app offers the note dialog in the last 30 minutes of a shift
WRITE_GRACE = timedelta(hours=2)  # a volunteer may still write for two hours after their shift ends
RECENT = timedelta(days=7)  # how far back `handoff list` looks

ANONYMOUS = "callers are anonymous: the note looks like it contains {what}; remove it"


# ---------------------------------------------------------------- screening


_PHONE_MIN_DIGITS = 7  # local numbers have 7; 988, 911, 112, 116 123 and shift ids have fewer
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


@cache
def _patterns() -> SimpleNamespace:
    """The screening's patterns, compiled the first time a note is screened (not at import: the
    app's start-up imports this module for reading notes)."""
    domain_tail = (
        r"(?:com|org|net|edu|gov|mil|int|info|io|co|me|us|uk|ca|au|nz|ie|de|fr|es|it|nl|be|ch|at|se|no|dk|fi"
        r"|pl|pt|in|mx|br|ar|jp|email|mail)"
    )
    # "name at example dot com", "name (at) example (dot) org", "name[at]example.com"
    at = r"(?:\s*[\(\[\{<]\s*at\s*[\)\]\}>]\s*|\s+at\s+)"
    dot = r"(?:\s*[\(\[\{<]\s*dot\s*[\)\]\}>]\s*|\s+dot\s+|\.(?=\w))"
    return SimpleNamespace(
        # Things that look numeric but are ordinary in a note; masked before looking for phone numbers.
        iso_date=re.compile(
            r"(?<!\d)(?:19|20)\d\d-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01])(?:T\d{1,2}:\d\d(?::\d\d)?)?(?!\d)"
        ),
        num_date=re.compile(r"(?<![\d./])(\d{1,2})([/.])(\d{1,2})\2((?:19|20)\d\d|\d\d)(?![\d./])"),
        clock=re.compile(r"(?<![\d:])(?:[01]?\d|2[0-4]):[0-5]\d(?::[0-5]\d)?(?![\d:])"),
        hhmm_range=re.compile(r"(?<!\d)(?:[01]\d|2[0-3])[0-5]\d\s*[-–—]\s*(?:[01]\d|2[0-4])[0-5]\d(?!\d)"),
        # A run of digits with the separators phone numbers are written with: spaces, dots, dashes,
        # slashes and parentheses, optionally led by + or (.
        digit_run=re.compile(r"[+(]?\d(?:[\s.\-/()\u2010-\u2015]*\d)*\)?"),
        email=re.compile(r"[\w.+%-]+\s*(?:@|＠)\s*[\w-]+(?:\s*\.\s*[\w-]+)*\s*\.\s*[a-z]{2,}", re.IGNORECASE),
        email_spelled=re.compile(rf"[\w.+-]+{at}[\w-]+(?:{dot}[\w-]+)*{dot}{domain_tail}\b", re.IGNORECASE),
    )


def _valid_day_month(match: re.Match) -> bool:
    a, b = int(match.group(1)), int(match.group(3))
    return 1 <= a <= 31 and 1 <= b <= 31 and (a <= 12 or b <= 12)


def _for_screening(text: str) -> str:
    """The text as the screen reads it: compatibility forms folded (full-width digits become
    digits) and invisible format characters (zero-width spaces) removed, so they hide nothing."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")


def _mask_ordinary_numbers(text: str) -> str:
    found = _patterns()
    text = found.iso_date.sub(" x ", text)
    text = found.num_date.sub(lambda m: " x " if _valid_day_month(m) else m.group(0), text)
    text = found.hhmm_range.sub(" x ", text)
    return found.clock.sub(" x ", text)


def looks_like_phone(text: str) -> bool:
    """True when the text holds something written like a phone number (national or international)."""
    masked = _mask_ordinary_numbers(_for_screening(text))
    for match in _patterns().digit_run.finditer(masked):
        groups = re.findall(r"\d+", match.group(0))
        digits = sum(len(g) for g in groups)
        if digits < _PHONE_MIN_DIGITS:
            continue
        # Runs of one- and two-digit numbers ("12 15 18 20", "9.30-10.15") are counts and times;
        # a phone number has a group of three or more digits, or is international (+33 1 23 45 67 89),
        # or is a national number in pairs (01 23 45 67 89).
        text_run = match.group(0).lstrip("(")
        if max(len(g) for g in groups) >= 3 or text_run.startswith("+") or (digits >= 10 and groups[0].startswith("0")):
            return True
    return False


def looks_like_email(text: str) -> bool:
    """True when the text holds an e-mail address, plain or spelled out ("name at example dot com")."""
    folded = _for_screening(text)
    found = _patterns()
    return bool(found.email.search(folded) or found.email_spelled.search(folded))


def screen(text: str) -> str:
    """Return the note as it will be stored, or raise: Invalid for its form, Refused for caller details.

    Newlines are kept (Windows and old Mac line ends become \\n); every other control
    character, and the bidirectional overrides that can disguise text, are refused.
    The refusal names what was found, never the text itself.
    """
    if not isinstance(text, str):
        raise Invalid("the note must be text")
    note = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not note:
        raise Invalid("the note is empty: write what the next shift should know")
    if len(note) > MAX_NOTE:
        raise Invalid(f"the note is {len(note)} characters long; the most is {MAX_NOTE}: shorten it")
    for ch in note:
        if ch != "\n" and (unicodedata.category(ch) == "Cc" or ch in _BIDI):
            raise Invalid(
                "the note contains a control character (a tab, escape or direction override): "
                "remove it; line breaks are fine"
            )
    if looks_like_phone(note):
        raise Refused(ANONYMOUS.format(what="a phone number"))
    if looks_like_email(note):
        raise Refused(ANONYMOUS.format(what="an e-mail address"))
    return note


# ---------------------------------------------------------------- the shape of a note


class Reader(NamedTuple):
    """Someone on the next shift, and when they acknowledged the note (None: not yet)."""

    person_id: int
    handle: str
    name: str
    role: str
    acked_at: datetime | None


class HandoffNote(NamedTuple):
    """A note from one shift to the next, with its readers as the rota stands now."""

    id: int
    shift_id: int
    author_id: int
    author_handle: str
    author_name: str
    body: str
    created_at: datetime
    shift_start: datetime
    shift_end: datetime
    shift_label: str
    next_shift_ids: tuple[int, ...]
    change_at: datetime | None
    next_label: str
    readers: tuple[Reader, ...]

    @property
    def unacked(self) -> tuple[Reader, ...]:
        """The readers who have not acknowledged it."""
        return tuple(r for r in self.readers if r.acked_at is None)

    def overdue(self, moment: datetime | None = None) -> bool:
        """True when someone on the next shift has not acknowledged it 15 minutes after the change."""
        moment = moment or now()
        return bool(self.change_at and self.unacked and moment >= self.change_at + ACK_GRACE)

    def reader(self, person_id: int) -> Reader | None:
        """This person's place among the readers, or None."""
        return next((r for r in self.readers if r.person_id == person_id), None)


def _label(shift: Shift) -> str:
    return f"{shift.start_local:%a %d %b %H:%M}–{shift.end_local:%H:%M}"


def next_shifts(conn: sqlite3.Connection, shift: Shift) -> list[Shift]:
    """The scheduled shift(s) starting at or soonest after `shift` ends, within 24 h (all that start then)."""
    from .rota import get_shift

    first = conn.execute(
        "SELECT min(start_utc) FROM shift WHERE status = 'scheduled' AND id != ? AND start_utc >= ? AND start_utc < ?",
        (shift.id, iso_utc(shift.end_utc), iso_utc(shift.end_utc + NEXT_WITHIN)),
    ).fetchone()[0]
    if first is None:
        return []
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM shift WHERE status = 'scheduled' AND id != ? AND start_utc = ? ORDER BY id",
            (shift.id, first),
        )
    ]
    return [get_shift(conn, sid) for sid in ids]


def incoming(conn: sqlite3.Connection, shift: Shift) -> list[tuple[Shift, list]]:
    """The next shift(s) with the people on them (peers and backup): the readers of a note on `shift`."""
    from .rota import assignments

    found = next_shifts(conn, shift)
    on = assignments(conn, [s.id for s in found])
    return [(s, on[s.id]) for s in found]


def _load(conn: sqlite3.Connection, row: sqlite3.Row) -> HandoffNote:
    from .rota import get_shift

    shift = get_shift(conn, row["shift_id"])
    following = incoming(conn, shift)
    acks = {
        r[0]: parse_utc(r[1])
        for r in conn.execute("SELECT person_id, at FROM handoff_ack WHERE note_id = ?", (row["id"],))
    }
    readers: list[Reader] = []
    seen: set[int] = set()
    for _, people in following:
        for a in people:
            if a.person_id in seen or a.person_id == row["author_id"]:
                continue
            seen.add(a.person_id)
            readers.append(Reader(a.person_id, a.handle, a.name, a.role, acks.get(a.person_id)))
    change = following[0][0].start_utc if following else None
    return HandoffNote(
        id=row["id"],
        shift_id=shift.id,
        author_id=row["author_id"],
        author_handle=row["handle"],
        author_name=row["name"],
        body=row["body"],
        created_at=parse_utc(row["created_at"]),
        shift_start=shift.start_utc,
        shift_end=shift.end_utc,
        shift_label=_label(shift),
        next_shift_ids=tuple(s.id for s, _ in following),
        change_at=change,
        next_label=", ".join(_label(s) for s, _ in following),
        readers=tuple(readers),
    )


_NOTE_SQL = (
    "SELECT n.id, n.shift_id, n.author_id, n.body, n.created_at, p.handle, p.name"
    " FROM handoff_note n JOIN person p ON p.id = n.author_id"
)


def get_note(conn: sqlite3.Connection, note_id: int) -> HandoffNote:
    """The note with this id, or NotFound."""
    if not isinstance(note_id, int) or isinstance(note_id, bool) or not -(2**63) <= note_id < 2**63:
        raise NotFound(f"there is no handoff note {str(note_id)[:40]}: see `warmline handoff list`")
    row = conn.execute(_NOTE_SQL + " WHERE n.id = ?", (note_id,)).fetchone()
    if row is None:
        raise NotFound(f"there is no handoff note {note_id}: see `warmline handoff list`")
    return _load(conn, row)


def _recent(conn: sqlite3.Connection, moment: datetime, window: timedelta) -> list[HandoffNote]:
    rows = conn.execute(
        _NOTE_SQL + " WHERE n.created_at >= ? ORDER BY n.created_at DESC, n.id DESC", (iso_utc(moment - window),)
    ).fetchall()
    return [_load(conn, r) for r in rows]


def may_read(viewer: Person, note: HandoffNote) -> bool:
    """Its author, its readers and coordinators may read a note."""
    return viewer.is_coordinator or viewer.id == note.author_id or note.reader(viewer.id) is not None


# ---------------------------------------------------------------- writing


def can_write_now(conn: sqlite3.Connection, person: Person, moment: datetime | None = None) -> Shift | None:
    """The shift `person` is on now when it ends within 30 minutes (when the app offers the note dialog)."""
    from .calls import on_shift
    from .rota import get_shift

    moment = moment or now()
    seat = on_shift(conn, person.id, moment)
    if seat is None or seat.end_utc - moment > WRITE_OFFER:
        return None
    return get_shift(conn, seat.shift_id)


def _check_writer(conn: sqlite3.Connection, who: Person, shift: Shift, moment: datetime) -> None:
    if shift.status != "scheduled":
        raise Refused(f"shift {shift.id} is cancelled: there is no handoff from it")
    if who.is_coordinator:
        return
    on = conn.execute(
        "SELECT 1 FROM assignment WHERE shift_id = ? AND person_id = ?", (shift.id, who.id)
    ).fetchone()
    if on is None:
        raise Refused(
            f"{who.handle} is not on shift {shift.id}: only the people on a shift (or a coordinator) "
            "write its handoff note"
        )
    if moment < shift.start_utc:
        raise Refused(
            f"shift {shift.id} has not started yet: write its handoff note during the shift "
            "(the app offers it in the last 30 minutes)"
        )
    if moment > shift.end_utc + WRITE_GRACE:
        raise Refused(
            f"shift {shift.id} ended more than {int(WRITE_GRACE.total_seconds() // 3600)} h ago: "
            "ask a coordinator to pass the note on"
        )


def write_note(db: Database, actor: Person, shift_id: int, text: str) -> HandoffNote:
    """Write a handoff note on a shift for the next one: by someone on the shift, or a coordinator.

    The text is screened first (see `screen`); a refused note changes nothing. The people
    on the next shift are told a note is waiting (a 'note' notification, in the same transaction).
    """
    from .notify import outbox
    from .people import fresh_actor
    from .rota import get_shift

    body = screen(text)
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        shift = get_shift(conn, shift_id)
        moment = now()
        _check_writer(conn, who, shift, moment)
        cur = conn.execute(
            "INSERT INTO handoff_note (shift_id, author_id, body, created_at) VALUES (?, ?, ?, ?)",
            (shift.id, who.id, body, iso_utc(moment)),
        )
        note = get_note(conn, cur.lastrowid)
        audit.record(
            conn,
            who.handle,
            "handoff.write",
            f"shift {shift.id}",
            f"note {note.id}, {len(body)} characters; {len(note.readers)} readers",
        )
        outbox.note_written(conn, note.id)
        return note


# ---------------------------------------------------------------- reading and acknowledging


def notes_for(
    conn: sqlite3.Connection, person: Person, *, unread_only: bool = False, moment: datetime | None = None
) -> list[HandoffNote]:
    """Notes of the last 7 days whose readers include `person`, newest first."""
    moment = moment or now()
    found = []
    for note in _recent(conn, moment, RECENT):
        mine = note.reader(person.id)
        if mine is None or (unread_only and mine.acked_at is not None):
            continue
        found.append(note)
    return found


def unread_notes(conn: sqlite3.Connection, person: Person, moment: datetime | None = None) -> list[HandoffNote]:
    """Notes for `person` that they have not acknowledged yet (what Home shows), newest first."""
    return notes_for(conn, person, unread_only=True, moment=moment)


def list_notes(
    conn: sqlite3.Connection, viewer: Person, *, unread_only: bool = False, moment: datetime | None = None
) -> list[HandoffNote]:
    """What `warmline handoff list` shows: notes for the viewer (and ones they wrote); a coordinator sees every
    recent note. With unread_only: only notes the viewer has yet to acknowledge."""
    moment = moment or now()
    if unread_only:
        return unread_notes(conn, viewer, moment)
    return [n for n in _recent(conn, moment, RECENT) if may_read(viewer, n)]


def unacknowledged(conn: sqlite3.Connection, moment: datetime | None = None) -> list[HandoffNote]:
    """Recent notes not acknowledged by everyone on the next shift 15 minutes after the change."""
    moment = moment or now()
    return [n for n in _recent(conn, moment, RECENT) if n.overdue(moment)]


def ack(db: Database, actor: Person, note_id: int) -> HandoffNote:
    """Acknowledge a note as one of its readers (someone on the next shift). Acknowledging twice is harmless."""
    from .people import fresh_actor

    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        note = get_note(conn, note_id)
        mine = note.reader(who.id)
        if mine is None:
            if not may_read(who, note):
                # Do not confirm to a stranger what a note is about: the same words as a missing note.
                raise NotFound(f"there is no handoff note {note_id} for {who.handle}: see `warmline handoff list`")
            raise Refused(
                f"{who.handle} is not on the shift note {note_id} is for: only the people on it acknowledge it"
            )
        if mine.acked_at is not None:
            return note
        conn.execute(
            "INSERT INTO handoff_ack (note_id, person_id, at) VALUES (?, ?, ?)", (note.id, who.id, iso_utc(now()))
        )
        audit.record(conn, who.handle, "handoff.ack", f"note {note.id}", f"shift {note.shift_id}")
        return get_note(conn, note.id)
