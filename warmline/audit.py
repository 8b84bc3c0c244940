"""The append-only audit log: one row per change, written in the change's own transaction.

Rows never carry lived-experience tags or passphrases: tag changes are recorded as counts.
"""

from __future__ import annotations

import sqlite3

from .clock import now
from .db import iso_utc
from .model import AuditEntry, Person
from .permissions import require  # the lowest room: access (signing in) records audit rows


def record(conn: sqlite3.Connection, actor: str, action: str, subject: str = "", detail: str = "") -> None:
    """Append one audit row; call inside the write transaction that makes the change."""
    if not conn.in_transaction:
        raise RuntimeError("audit.record must run inside the change's write transaction")
    conn.execute(
        "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
        (iso_utc(now()), actor, action, subject, detail),
    )


def entries(
    conn: sqlite3.Connection,
    viewer: Person,
    *,
    actor: str | None = None,
    limit: int = 200,
    before_id: int | None = None,
) -> list[AuditEntry]:
    """The newest entries first, optionally only one actor's, paged by id; only for those who may
    read the log (`viewer`, as the file has them now: Refused otherwise, for every caller)."""
    require(viewer, "audit.read")
    sql = "SELECT id, at, actor, action, subject, detail FROM audit"
    where, params = [], []
    if actor:
        where.append("actor = ?")
        params.append(actor)
    if before_id is not None:
        where.append("id < ?")
        params.append(before_id)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC LIMIT ?"
    params.append(limit)
    return [AuditEntry(**dict(row)) for row in conn.execute(sql, params)]
