"""The line's settings: its one row in the rota (name, zone, escalation text, drop cut-off, horizon,
default limits), created by `warmline init` (line.create).

Read by nearly every room, so it sits low: it imports nothing of warmline but the model and errors.
`line.get` is this same function.
"""

from __future__ import annotations

import sqlite3

from .errors import Refused
from .model import Line


def get(conn: sqlite3.Connection) -> Line:
    """The line's settings; Refused with what to do when the rota has not been set up."""
    row = conn.execute(
        "SELECT name, tz, escalation, drop_cutoff_hours, horizon_weeks, default_max_hours_week,"
        " default_max_shifts_week, default_min_rest_hours, default_max_overnights_month FROM line WHERE id = 1"
    ).fetchone()
    if row is None:
        raise Refused("this rota has no line yet: run `warmline init --name NAME --tz ZONE` first")
    return Line(**dict(row))


def swaps_need_approval(conn: sqlite3.Connection) -> bool:
    """True when a coordinator must approve a swap after the other person accepts it (swaps.need_approval)."""
    row = conn.execute("SELECT swaps_need_approval FROM line WHERE id = 1").fetchone()
    if row is None:
        raise Refused("this rota has no line yet: run `warmline init --name NAME --tz ZONE` first")
    return bool(row[0])
