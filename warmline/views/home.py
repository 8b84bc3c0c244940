"""Home's data and words: what Home shows (HomeData, read by load_home), the triad meeting line,
the handoff-note offer, what asking for a debrief did.

On Home's start path: warmline.screens.start begins load_home before Textual is imported, so this
imports only what the load needs (no Textual, no heavy module). A coordinator's inbox is not here:
warmline.views.inbox, read after Home's first frame.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

from warmline import handoff, rota, triads
from warmline.clock import now
from warmline.db import Database
from warmline.line import get as get_line
from warmline.model import Line, Person, Shift, ShiftView

from . import words

WEEKS_AHEAD = 4


class HomeData(NamedTuple):
    """Everything Home shows, read in one worker call."""

    line: Line
    mine: list[ShiftView]
    open: list[ShiftView]
    moment: datetime
    notes: list[handoff.HandoffNote]  # for me, not acknowledged yet (a coordinator's overdue ones: in the inbox)
    write_shift: Shift | None = None  # the shift I am on when it ends within 30 min (offer the note)
    meeting: triads.Meeting | None = None  # my next triad meeting (issue 16)
    in_triads: bool = False  # I opted in to triads


def load_home(db: Database, actor: Person) -> HomeData:
    """My shifts that have not ended (next four weeks) and the open seats I could claim now."""
    conn = db.conn
    line = get_line(conn)
    moment = now()
    horizon = moment + timedelta(weeks=WEEKS_AHEAD)
    # From a day back, so a shift in progress (at most 24 h long) is still "mine now".
    mine = [
        v
        for v in rota.views(conn, moment - timedelta(hours=24), horizon, person_id=actor.id)
        if v.shift.end_utc > moment
    ]
    notes = handoff.unread_notes(conn, actor, moment)
    if actor.is_coordinator:
        # Each note once: a note overdue for acknowledgement is a row of the coordinator's inbox
        # (views/inbox.py), where enter reads it (and acknowledges it when it is theirs).
        notes = [n for n in notes if not n.overdue(moment)]
    return HomeData(
        line,
        mine,
        rota.claimable(conn, actor, moment, horizon),
        moment,
        notes=notes,
        write_shift=handoff.can_write_now(conn, actor, moment),
        meeting=triads.next_meeting(conn, actor, moment),
        in_triads=triads.is_opted_in(conn, actor.id),
    )


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
