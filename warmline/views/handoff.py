"""Handoff notes' read model and words: the shift a note is written on, who will read it, and
what the core's screen says of the note as typed (callers are anonymous: no phone numbers or
e-mail addresses)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warmline import handoff
from warmline.db import Database
from warmline.errors import WarmlineError
from warmline.line import get as get_line
from warmline.model import Shift
from warmline.recurrence import zone
from warmline.rota import get_shift


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

