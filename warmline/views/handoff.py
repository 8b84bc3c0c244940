"""Handoff notes' read model and words: the shift a note is written on, who will read it, and
what the core's screen says of the note as typed (callers are anonymous: no phone numbers or
e-mail addresses)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warmline import handoff
from warmline.db import Database
from warmline.errors import WarmlineError
from warmline.identity import fresh_actor
from warmline.line import get as get_line
from warmline.model import Person, Shift
from warmline.recurrence import zone
from warmline.rota import get_shift

from . import words


def span_label(start: datetime, end: datetime, tz) -> str:
    """Mon 23 Nov 09:00–13:00, in the line's zone."""
    a, b = start.astimezone(tz), end.astimezone(tz)
    return f"{a:%a %d %b %H:%M}–{b:%H:%M}"


@dataclass(frozen=True)
class HandoffTarget:
    """The shift a note is written on and who will read it (the people on the next shift)."""

    shift: Shift
    label: str
    next_label: str
    readers: tuple[str, ...]


def load_target(db: Database, shift_id: int) -> HandoffTarget:
    """The shift and the next one(s), with the handles of the people on them."""
    conn = db.conn
    tz = zone(get_line(conn).tz)
    shift = get_shift(conn, shift_id)
    following = handoff.incoming(conn, shift)
    readers: dict[int, str] = {}
    for _next, people in following:
        for a in people:
            readers.setdefault(a.person_id, a.handle)
    return HandoffTarget(
        shift,
        span_label(shift.start_utc, shift.end_utc, tz),
        ", ".join(span_label(s.start_utc, s.end_utc, tz) for s, _ in following),
        tuple(readers.values()),
    )


def check_text(text: str) -> tuple[bool, str]:
    """(sendable, what to say) for the note as typed, from the core's screen: never repeats what it found."""
    if not text.strip():
        return False, "Write what the next shift should know. No caller details: no phone numbers or e-mail addresses."
    try:
        note = handoff.screen(text)
    except WarmlineError as exc:
        return False, f"✗ Not sendable: {exc}"
    return True, f"✓ No phone numbers or e-mail addresses · {len(note)} / {handoff.MAX_NOTE} characters"



# ---------------------------------------------------------------- a person's handoff history


@dataclass(frozen=True)
class HistoryEntry:
    """One note in someone's handoff history, in words (its text is user text: shown as data)."""

    id: int
    written: str  # Tue 24 Nov 12:45, in the line's zone
    shift: str  # the shift it was written on
    author: str  # the author's name ("you" for the viewer's own)
    for_shift: str  # the next shift(s), or a word when none follows
    status: str  # the viewer's part (wrote it, acknowledged it when, not yet), else where it stands
    acks: str  # who acknowledged it and when, and who has not yet
    body: str
    to_ack: bool  # the viewer is on the next shift and has not acknowledged it
    note: handoff.HandoffNote


@dataclass(frozen=True)
class HandoffHistory:
    """The notes a person may read from the last 90 days, newest first (at most 200)."""

    entries: tuple[HistoryEntry, ...]
    complete: bool  # False: there are more in the window than shown
    tz: str
    everyone: bool = False  # a coordinator's: every note on the line
    days: int = handoff.HISTORY.days

    def find(self, key: str | None) -> HistoryEntry | None:
        return next((e for e in self.entries if str(e.id) == key), None)

    @property
    def summary(self) -> str:
        """One line: how many notes, over how long."""
        count = len(self.entries)
        if not count:
            whose = "on the line" if self.everyone else "for you, or by you,"
            return f"No handoff notes {whose} in the last {self.days} days."
        notes = "1 note" if count == 1 else f"{count} notes"
        more = "" if self.complete else f" (the newest {count}: older ones are not shown)"
        return f"{notes} from the last {self.days} days, newest first{more} · enter reads one"


def _moment(at: datetime, tz) -> str:
    local = at.astimezone(tz)
    return f"{words.day(local)} {words.hm(local)}"


def _who(reader: handoff.Reader, viewer_id: int) -> str:
    return "you" if reader.person_id == viewer_id else reader.handle


def history_entry(note: handoff.HandoffNote, viewer_id: int, tz) -> HistoryEntry:
    """A note as the history shows it to the person `viewer_id`."""
    mine = note.reader(viewer_id)
    acked = sorted((r for r in note.readers if r.acked_at), key=lambda r: (r.acked_at, r.handle))
    parts = []
    if acked:
        parts.append("acknowledged by " + ", ".join(f"{_who(r, viewer_id)} {_moment(r.acked_at, tz)}" for r in acked))
    waiting = [_who(r, viewer_id) for r in note.unacked]
    if waiting:
        parts.append(("not yet by " if acked else "not yet acknowledged by ") + ", ".join(waiting))
    if not note.readers:
        parts.append("nobody is on the next shift" if note.next_shift_ids else "no shift followed within 24 hours")
    if mine is not None:
        status = f"you acknowledged it {_moment(mine.acked_at, tz)}" if mine.acked_at else "not acknowledged yet"
    elif note.author_id == viewer_id:
        status = "you wrote it"
    elif note.readers and not note.unacked:
        status = "acknowledged"
    elif note.unacked:
        status = "waiting for " + ", ".join(r.handle for r in note.unacked)
    else:
        status = "nobody to read it"
    return HistoryEntry(
        id=note.id,
        written=_moment(note.created_at, tz),
        shift=span_label(note.shift_start, note.shift_end, tz),
        author="you" if note.author_id == viewer_id else note.author_name,
        for_shift=note.next_label or "no next shift",
        status=status,
        acks="; ".join(parts),
        body=note.body,
        to_ack=mine is not None and mine.acked_at is None,
        note=note,
    )


def load_history(db: Database, actor: Person) -> HandoffHistory:
    """The actor's handoff history: the notes the core lets them read (for shifts they were on or after,
    notes they wrote; a coordinator's: every note), acknowledged ones included, newest first."""
    conn = db.conn
    who = fresh_actor(conn, actor, reading=True)
    line = get_line(conn)
    tz = zone(line.tz)
    notes, complete = handoff.history(conn, who)
    entries = tuple(history_entry(n, who.id, tz) for n in notes)
    return HandoffHistory(entries, complete, line.tz, everyone=who.is_coordinator)
