"""Who is in which triad, as rows: a triad's current members, and taking someone out of theirs.

Shared by `triad leave` (triads.py), `people deactivate` (people.py) and `people forget`
(privacy.py), which all end a membership the same way, inside their own transaction. It sits
below people and triads (it imports nothing of warmline), so people need not import triads.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple


class Member(NamedTuple):
    person_id: int
    handle: str
    name: str
    position: int


def take_out(conn: sqlite3.Connection, person_id: int, stamp: str) -> tuple[int, int] | None:
    """Take the person out of their current triad, inside the caller's transaction (triad leave, people
    deactivate, people forget): the triad goes on while three remain (later narrators from the fixed order
    of those who remain), else it ends and its later meetings are cancelled. Past membership stays.
    Returns (triad id, members remaining), or None when they were in no current triad."""
    row = _current_membership(conn, person_id)
    if row is None:
        return None
    triad_id = row[0]
    conn.execute("UPDATE triad_member SET left_at = ? WHERE triad_id = ? AND person_id = ?", (stamp, triad_id, person_id))
    remaining = _members(conn, triad_id)
    if len(remaining) < 3:
        conn.execute("UPDATE triad SET status = 'ended', ended_at = ? WHERE id = ?", (stamp, triad_id))
        conn.execute(
            "UPDATE triad_meeting SET status = 'cancelled' WHERE triad_id = ? AND start_utc > ?", (triad_id, stamp)
        )
    else:
        _renarrate(conn, triad_id, remaining, stamp)
    return triad_id, len(remaining)


def _current_membership(conn: sqlite3.Connection, person_id: int):
    return conn.execute(
        "SELECT m.triad_id FROM triad_member m JOIN triad t ON t.id = m.triad_id"
        " WHERE m.person_id = ? AND m.left_at IS NULL AND t.status = 'active' ORDER BY m.triad_id LIMIT 1",
        (person_id,),
    ).fetchone()


def _members(conn: sqlite3.Connection, triad_id: int) -> list[Member]:
    return [
        Member(r[0], r[1], r[2], r[3])
        for r in conn.execute(
            "SELECT p.id, p.handle, p.name, m.position FROM triad_member m JOIN person p ON p.id = m.person_id"
            " WHERE m.triad_id = ? AND m.left_at IS NULL ORDER BY m.position",
            (triad_id,),
        )
    ]


def _renarrate(conn: sqlite3.Connection, triad_id: int, members: list[Member], after: str) -> None:
    """Later meetings' narrators from the fixed order of the members who remain."""
    for mid, number in conn.execute(
        "SELECT id, number FROM triad_meeting WHERE triad_id = ? AND start_utc > ? AND status = 'scheduled'",
        (triad_id, after),
    ).fetchall():
        conn.execute(
            "UPDATE triad_meeting SET narrator_id = ? WHERE id = ?", (members[number % len(members)].person_id, mid)
        )
