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


def note_written(conn: sqlite3.Connection, **details: object) -> None:
    from .queue import note_written as react

    react(conn, **details)


events.subscribe("shifts.changed", shifts_changed)
events.subscribe("shifts.cancelled", shifts_cancelled)
events.subscribe("seat.opened", cover_needed)
events.subscribe("note.written", note_written)
