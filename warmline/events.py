"""What the rota reports inside its transactions, for the rooms that react to it.

A room that changes the rota (rota, handoff) says what happened with `report(conn, event, ...)`
inside its own write transaction; every subscriber runs there and then, in that transaction, so
what it writes (the outbox's notifications) commits or rolls back with the change. The reporting
room imports only this module, never its subscribers: the outbox (warmline/notify/queue.py)
subscribes through warmline/notify/reactions.py, which warmline/__init__.py imports, so the subscription is in
place for every face (CLI, app, serve, ssh, demo, import) before any rota change can happen.

An event nobody listens to is a bug, not a quiet no-op: a notification silently not queued is
the worst failure of a rota, so `report` refuses to run one without a subscriber.

Events (keyword arguments):
- ``shifts.changed``   before: list[Shift], as they were (times moved, or back on)
- ``shifts.cancelled`` shift_ids: list[int]
- ``seat.opened``      shift_id: int, role: str, left_person_id: int | None, request_id: int | None (a seat
                       reopened, or cover asked: the cover request's id)
- ``cover.withdrawn``  shift_id: int, request_id: int (the asker took back a cover request: they stay on)
- ``note.written``     note_id: int (a handoff note for the next shift)
- ``tags.proposed``    person_id: int, at: str (stored UTC): a coordinator proposed tags for someone's
                       profile (warmline/consent.py; never which: the person is told only that)
- ``swap.changed``     swap_id: int, what: str, actor_id: int: a swap was proposed, accepted (it waits for
                       a coordinator), done, declined, withdrawn or refused, or 'superseded' (withdrawn
                       because another swap took one of its seats) (warmline/swaps.py)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

EVENTS = ("shifts.changed", "shifts.cancelled", "seat.opened", "cover.withdrawn", "note.written", "tags.proposed", "swap.changed")

_subscribers: dict[str, list[Callable[..., object]]] = {event: [] for event in EVENTS}


def subscribe(event: str, reaction: Callable[..., object]) -> None:
    """Call `reaction(conn, **details)` whenever `event` is reported (once, however often subscribed)."""
    if event not in _subscribers:
        raise ValueError(f"{event!r} is not an event: one of {', '.join(EVENTS)}")
    if reaction not in _subscribers[event]:
        _subscribers[event].append(reaction)


def listening(event: str) -> tuple[Callable[..., object], ...]:
    """The reactions subscribed to `event`, in the order they run."""
    return tuple(_subscribers[event])


def report(conn: sqlite3.Connection, event: str, **details: object) -> None:
    """Tell every subscriber what happened, inside the caller's write transaction."""
    reactions = _subscribers[event]
    if not reactions:
        raise RuntimeError(f"nobody listens to {event!r}: import warmline (its __init__ subscribes the outbox)")
    if not conn.in_transaction:
        raise RuntimeError(f"{event!r} must be reported inside the write transaction that made the change")
    for reaction in reactions:
        reaction(conn, **details)
