"""A coordinator's inbox on Home: what waits for them, a row each, and the key that acts on it.

Swaps waiting for approval, open cover requests, handoff notes not acknowledged, shifts with no
backup in the next 7 days and people at or over a limit. Read through the core (swaps, rota,
handoff, fairness); the rows name people by handle and shifts by time, never anyone's tags.

Not on Home's start path: Home loads the inbox in a worker after its first frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from warmline import fairness, handoff, rota, swaps
from warmline.clock import now
from warmline.db import Database
from warmline.line import get as get_line
from warmline.model import Person
from warmline.recurrence import zone

from . import words
from .load import WEEKS, flag_words
from .rota import local_weeks

BACKUP_DAYS = 7  # shifts with no backup are listed this far ahead

# The kinds of item, in the order the inbox lists them (what most needs a decision first).
SWAP, COVER, NOTE, BACKUP, LIMIT = "swap", "cover", "note", "backup", "limit"
KIND_WORDS = {
    SWAP: "Swap to approve",
    COVER: "Cover wanted",
    NOTE: "Note not acknowledged",
    BACKUP: "No backup",
    LIMIT: "At a limit",
}
ACT_WORDS = {  # short: the inbox must show its details at 80 columns
    SWAP: "o approve · x refuse",
    COVER: "enter: assign",
    NOTE: "enter: read",
    BACKUP: "enter: assign",
    LIMIT: "enter: Load",
}
EMPTY = "Nothing waits for you: no swaps to approve, no cover wanted, no notes overdue, backups in place, nobody at a limit."


@dataclass(frozen=True)
class InboxItem:
    """One row: `ref` is the swap, shift, note or person it is about (by kind)."""

    kind: str
    ref: int
    when: str  # the moment it is about, in the line's zone ("" for a person)
    detail: str  # handles and words, never tags

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.ref}"

    @property
    def what(self) -> str:
        return KIND_WORDS[self.kind]

    @property
    def act(self) -> str:
        return ACT_WORDS[self.kind]


@dataclass(frozen=True)
class Inbox:
    """A coordinator's inbox, read in one worker call (empty for a volunteer)."""

    items: tuple[InboxItem, ...]
    moment: datetime
    tz: str = "UTC"
    notes: tuple[handoff.HandoffNote, ...] = ()  # the notes not acknowledged (enter reads one)

    def find(self, key: str | None) -> InboxItem | None:
        return next((i for i in self.items if i.key == key), None)

    def note(self, note_id: int) -> handoff.HandoffNote | None:
        return next((n for n in self.notes if n.id == note_id), None)


def read_inbox(db: Database, actor: Person) -> Inbox:
    """What waits for a coordinator now; nothing for a volunteer."""
    conn = db.conn
    moment = now()
    if not actor.is_coordinator:
        return Inbox((), moment)
    line = get_line(conn)
    tz = zone(line.tz)
    items: list[InboxItem] = []
    for s in reversed(swaps.swaps(conn, actor, open_only=True)):  # oldest first
        if s.waiting_for == "coordinator":
            detail = f"{s.from_handle} gives {words.between(s.from_start, s.from_end, tz)} to {s.to_handle} for theirs"
            items.append(InboxItem(SWAP, s.id, words.between(s.to_start, s.to_end, tz), detail))
    wanted = rota.open_cover(conn)
    covers = [rota.view(conn, shift_id) for shift_id in wanted]
    for v in sorted(covers, key=lambda v: (v.shift.start_utc, v.shift.id)):
        if v.shift.status == "scheduled" and v.shift.end_utc > moment:
            asking = ", ".join(f"{c.handle} ({c.role})" for c in v.cover)
            items.append(InboxItem(COVER, v.shift.id, words.when(v), f"{asking} asked for cover"))
    notes = sorted(handoff.unacknowledged(conn, moment), key=lambda n: (n.change_at or n.created_at, n.id))
    for n in notes:
        unacked = sorted(n.unacked, key=lambda r: r.person_id != actor.id)  # "you" first: enter acknowledges
        waiting = ", ".join("you" if r.person_id == actor.id else r.handle for r in unacked)
        change = n.change_at.astimezone(tz) if n.change_at else None
        when = f"{words.day(change)} {words.hm(change)}" if change else ""
        items.append(InboxItem(NOTE, n.id, when, f"from {n.author_handle} · not yet read by {waiting}"))
    for v in rota.views(conn, moment, moment + timedelta(days=BACKUP_DAYS)):
        if words.no_backup(v):
            on = words.handles(v.peers) or "nobody on it yet"
            items.append(InboxItem(BACKUP, v.shift.id, words.when(v), f"on it: {on}"))
    monday = words.week_start(moment, tz)
    start, end = local_weeks(monday, line.tz, WEEKS)
    report = fairness.load(conn, start, end, at=moment, viewer=actor, person_ids=fairness.flaggable(conn, start, end))
    for p in sorted(report.people, key=lambda p: (fairness.LEVEL_RANK.get(p.level, 9), p.handle)):
        if p.level in ("over", "at"):
            items.append(InboxItem(LIMIT, p.person_id, "", f"{p.handle}: {flag_words(p)}"))
    return Inbox(tuple(items), moment, line.tz, tuple(notes))
