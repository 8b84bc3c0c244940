"""Who someone is on this line: a person as the rota holds them, read by handle, id or OS login,
and re-read fresh inside a write transaction (`fresh_actor`).

The low room every other one reads people through (people.py re-exports these names: people.get
is this `get`): it imports only the model and the errors, so access (signing in), tags and people
can all read a person without importing one another.
"""

from __future__ import annotations

import re
import sqlite3

from .errors import Invalid, NotFound, Refused
from .model import Person

HANDLE_RE = re.compile(r"[a-z0-9_-]{2,32}")

_PERSON_COLUMNS = (
    "id, handle, name, role, login, pronouns, max_hours_week, max_shifts_week, min_rest_hours,"
    " max_overnights_month, active, passphrase_hash IS NOT NULL AS has_passphrase"
)


def validate_handle(handle: str) -> str:
    """Return the handle if it matches [a-z0-9_-]{2,32}; else Invalid saying how to fix it."""
    if not isinstance(handle, str) or not HANDLE_RE.fullmatch(handle):
        shown = repr(handle[:40]) if isinstance(handle, str) else repr(handle)
        raise Invalid(
            f"{shown} is not a valid handle: use 2 to 32 lower-case letters, digits, '-' or '_' (e.g. sam or ana-r)"
        )
    return handle


def _person(conn: sqlite3.Connection, row: sqlite3.Row) -> Person:
    languages = tuple(
        r[0]
        for r in conn.execute(
            "SELECT tag_id FROM person_language WHERE person_id = ? ORDER BY tag_id", (row["id"],)
        )
    )
    data = dict(row)
    data["active"] = bool(data["active"])
    data["has_passphrase"] = bool(data["has_passphrase"])
    return Person(**data, languages=languages)


def get(conn: sqlite3.Connection, handle: str) -> Person:
    """The person with this handle, or NotFound naming close handles."""
    row = conn.execute(f"SELECT {_PERSON_COLUMNS} FROM person WHERE handle = ?", (handle,)).fetchone()
    if row is None:
        handles = [r[0] for r in conn.execute("SELECT handle FROM person")]
        import difflib  # (only for this message)

        close = difflib.get_close_matches(str(handle), handles, n=3)
        hint = f": did you mean {', '.join(close)}?" if close else ": see `warmline people list`"
        raise NotFound(f"nobody on this line has the handle {str(handle)[:40]!r}{hint}")
    return _person(conn, row)


def get_by_id(conn: sqlite3.Connection, person_id: int) -> Person | None:
    """The person with this id, or None."""
    row = conn.execute(f"SELECT {_PERSON_COLUMNS} FROM person WHERE id = ?", (person_id,)).fetchone()
    return _person(conn, row) if row else None


def by_login(conn: sqlite3.Connection, login: str) -> Person | None:
    """The person mapped to this OS login, or None."""
    row = conn.execute(f"SELECT {_PERSON_COLUMNS} FROM person WHERE login = ?", (login,)).fetchone()
    return _person(conn, row) if row else None


def fresh_actor(conn: sqlite3.Connection, actor: Person, *, reading: bool = False) -> Person:
    """Re-read the actor: their role or active flag may have changed since they signed in.

    Inside a write transaction an inactive person is refused; with `reading=True` (a screen's or a
    listing's read) they are only re-read, and the read itself decides what they may see.
    """
    current = get_by_id(conn, actor.id)
    if current is None:
        raise Refused(f"{actor.handle} is no longer on this line")
    if not current.active and not reading:
        raise Refused(f"{actor.handle} is inactive and cannot make changes: ask a coordinator")
    return current
