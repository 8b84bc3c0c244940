"""Home's words: the triad meeting line, the handoff-note offer, what asking for a debrief did.

On Home's start path: it imports only the words (no database, no heavy module). Home's data
itself is read by warmline.screens.start (load_home), begun before the app starts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import words


def meeting_line(meeting: Any, me_id: int) -> str:
    """My next triad meeting, its time and whose turn it is to narrate (nothing else: nothing is recorded)."""
    if meeting is None:
        return ""
    if meeting.narrator_id == me_id:
        turn = "your turn to narrate"
    else:
        turn = f"{meeting.narrator or 'someone'} narrates"
    return f"Triad meeting {meeting.start_local:%a %d %b %H:%M}–{meeting.end_local:%H:%M} · {turn}"


def note_offer(shift_end: datetime | None, moment: datetime) -> str:
    """In the last 30 minutes of my shift (it ends at `shift_end`): the offer to write the handoff note."""
    if shift_end is None:
        return ""
    left = shift_end - moment
    ends = f"ends in {words.countdown(left)}" if left.total_seconds() > 0 else "has ended"
    return f"Your shift {ends} · Write a handoff note for the next shift (w)"


def debrief_asked(debrief_id: int, told: list) -> str:
    """What asking for a debrief did: how many were told, or that nobody could be."""
    if not told:
        who = "nobody could be told: call a coordinator"
    else:
        who = f"{len(told)} {'person was' if len(told) == 1 else 'people were'} told; you will be told who takes it"
    return f"Debrief {debrief_id} asked: {who}."
