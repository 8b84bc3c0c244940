"""The outbox's subscriptions to what the rota reports (warmline.events), made at `import warmline`.

Every start of warmline imports this module (warmline/__init__.py), whatever face it opens, so it is
light on purpose: it imports only warmline.events, and each reaction loads the outbox's queueing
(warmline/notify/queue.py, with the database and audit modules behind it) the first time the rota
reports something, inside the transaction of that change. `warmline --help` and the app's first
frame pay nothing for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import events

if TYPE_CHECKING:
    import sqlite3


def shifts_changed(conn: sqlite3.Connection, **details: object) -> None:
    from .queue import shifts_changed as react

    react(conn, **details)


def shifts_cancelled(conn: sqlite3.Connection, **details: object) -> None:
    from .queue import shifts_cancelled as react

    react(conn, **details)


def cover_needed(conn: sqlite3.Connection, **details: object) -> None:
    from .queue import cover_needed as react

    react(conn, **details)


def cover_withdrawn(conn: sqlite3.Connection, **details: object) -> None:
    from .queue import cover_withdrawn as react

    react(conn, **details)


def note_written(conn: sqlite3.Connection, **details: object) -> None:
    from .queue import note_written as react

    react(conn, **details)


def tags_proposed(conn: sqlite3.Connection, *, person_id: int, at: str) -> None:
    """Tell the person a coordinator proposed an experience for their profile: never which (lock-screen text)."""
    from datetime import timedelta

    from ..db import parse_utc
    from .rows import _insert, _Row

    moment = parse_utc(at)
    row = _Row(
        person_id, "proposal", None, moment, moment, moment + timedelta(days=7),
        "Proposed for your profile",
        "A coordinator proposed an experience for your profile: open your profile to accept or decline it.",
        f"proposal:{person_id}:{at}",
    )
    _insert(conn, [row], moment, update=False)


def swap_changed(conn: sqlite3.Connection, **details: object) -> None:
    """A swap moved on: the person asked, the coordinators or the people in it are told (notify/swap_notices.py)."""
    from .swap_notices import swap_changed as react

    react(conn, **details)


events.subscribe("shifts.changed", shifts_changed)
events.subscribe("shifts.cancelled", shifts_cancelled)
events.subscribe("seat.opened", cover_needed)
events.subscribe("cover.withdrawn", cover_withdrawn)
events.subscribe("note.written", note_written)
events.subscribe("tags.proposed", tags_proposed)
events.subscribe("swap.changed", swap_changed)
