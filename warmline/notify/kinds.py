"""Notification kinds: the one table every list of kinds and every kind's weight comes from.

To add a kind: a row here, and a migration in warmline/migrations.py whose `kind` CHECK of the
notification table names it (SQLite cannot alter a CHECK, so an old migration keeps its list;
tests/unit/test_triads.py compares the current schema's CHECK with `KINDS`). Then the code
that queues it (notify/queue.py for the rota's kinds, debrief.py for debriefs). The severity is
how the app shows it as a toast ("information" or "warning"); nothing here is Textual.
"""

from __future__ import annotations

from typing import NamedTuple


class Kind(NamedTuple):
    """One kind of notification: its name (the schema's), its family, how it is shown, where it comes from."""

    name: str
    family: str  # "shift" (the rota's) or "peer" (issue 16: triads and debriefs)
    severity: str  # "information" or "warning" (the app's toast)
    scanned: bool  # made by the time-driven scan (queue.refresh) rather than by an event
    about: str


TABLE: tuple[Kind, ...] = (
    Kind("reminder", "shift", "information", True, "before each of a person's shifts, at each lead time"),
    Kind("handoff", "shift", "information", True, "15 min before a change, to those going off and coming on"),
    Kind("note", "shift", "information", True, "a handoff note waits for someone on the next shift"),
    Kind("changed", "shift", "information", False, "a shift someone is on moved or runs again"),
    Kind("cancelled", "shift", "warning", False, "a shift someone is on was cancelled"),
    Kind("cover", "shift", "information", False, "a seat reopened or cover was asked: to who could take it"),
    Kind("unacked", "shift", "warning", True, "a note unacknowledged 15 min after the change"),
    Kind("meeting", "peer", "information", True, "a triad meeting, at each lead time"),
    Kind("debrief", "peer", "information", False, "a debrief asked for"),
    Kind("debrief-taken", "peer", "information", False, "a debrief was taken"),
    Kind("debrief-open", "peer", "information", True, "a debrief nobody took in 15 min: to coordinators"),
    Kind("proposal", "peer", "information", False, "a coordinator proposed an experience for the person's profile (never which)"),
    Kind("swap", "shift", "information", False, "someone proposes a swap: to the person asked"),
    Kind("swap-approval", "shift", "information", False, "an accepted swap waits for approval: to coordinators"),
    Kind("swap-decided", "shift", "information", False, "a swap was accepted, done, declined, withdrawn or refused"),
)

KINDS = tuple(k.name for k in TABLE)  # what the notification table's CHECK accepts
SHIFT_KINDS = tuple(k.name for k in TABLE if k.family == "shift")
PEER_KINDS = tuple(k.name for k in TABLE if k.family == "peer")
TIME_DRIVEN = tuple(k.name for k in TABLE if k.scanned)
SEVERITY = {k.name: k.severity for k in TABLE}
