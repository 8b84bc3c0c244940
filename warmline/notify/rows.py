"""The outbox table: one row per notification to one person, with a UNIQUE dedupe key.

Writing rows (`_insert`, an upsert on the dedupe key; `_retire`, `_expire_late`) for the modules
that queue them (notify/queue.py, debrief.py), and reading them for the app and `warmline notify
list`. States: pending → sending → sent | failed | expired (notify/claims.py moves them).

Privacy: titles and bodies hold times, shift numbers and people's names only: never tags, never
a note's text, never anything about a caller (they are lock-screen safe).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..clock import now
from ..db import Database, iso_utc, parse_utc
from ..errors import Refused
from ..model import Person
from .prefs import get_prefs

STATES = ("pending", "sending", "sent", "failed", "expired")
NO_LONGER = "no longer applies"  # last_error prefix of rows retired by the rota changing (may revive)


# ---------------------------------------------------------------- shapes


@dataclass(frozen=True)
class Notification:
    """One outbox row."""

    id: int
    person_id: int
    kind: str
    shift_id: int | None
    event_utc: datetime
    due_utc: datetime
    expires_utc: datetime | None
    title: str
    body: str
    state: str
    attempts: int
    next_attempt_utc: datetime | None
    sent_at: datetime | None
    channel: str | None
    last_error: str | None
    shown_in_app_at: datetime | None
    created_at: datetime


_COLUMNS = (
    "id, person_id, kind, shift_id, event_utc, due_utc, expires_utc, title, body, state, attempts,"
    " next_attempt_utc, sent_at, channel, last_error, shown_in_app_at, created_at"
)


def _row(r: sqlite3.Row) -> Notification:
    def t(value):
        return parse_utc(value) if value else None

    return Notification(
        id=r["id"],
        person_id=r["person_id"],
        kind=r["kind"],
        shift_id=r["shift_id"],
        event_utc=parse_utc(r["event_utc"]),
        due_utc=parse_utc(r["due_utc"]),
        expires_utc=t(r["expires_utc"]),
        title=r["title"],
        body=r["body"],
        state=r["state"],
        attempts=r["attempts"],
        next_attempt_utc=t(r["next_attempt_utc"]),
        sent_at=t(r["sent_at"]),
        channel=r["channel"],
        last_error=r["last_error"],
        shown_in_app_at=t(r["shown_in_app_at"]),
        created_at=parse_utc(r["created_at"]),
    )


# ---------------------------------------------------------------- writing rows


@dataclass
class _Row:
    person_id: int
    kind: str
    shift_id: int | None
    event: datetime
    due: datetime
    expires: datetime | None
    title: str
    body: str
    dedupe: str
    meeting_id: int | None = None  # a 'meeting' row: the triad meeting it reminds of


def _insert(conn: sqlite3.Connection, rows: list[_Row], moment: datetime, *, update: bool) -> int:
    """Insert rows; with update=True a pending row of the same key gets the fresh wording and times, and a
    row retired as 'no longer applies' comes back. Returns how many rows are new."""
    if not rows:
        return 0
    before = conn.execute("SELECT coalesce(max(id), 0) FROM notification").fetchone()[0]
    sql = (
        "INSERT INTO notification (person_id, kind, shift_id, event_utc, due_utc, expires_utc, title, body, dedupe,"
        " created_at, meeting_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    if update:
        revive = f"(notification.state = 'expired' AND notification.last_error LIKE '{NO_LONGER}%')"
        sql += (
            " ON CONFLICT (dedupe) DO UPDATE SET title = excluded.title, body = excluded.body,"
            " due_utc = excluded.due_utc, expires_utc = excluded.expires_utc, shift_id = excluded.shift_id,"
            f" last_error = CASE WHEN {revive} THEN NULL ELSE notification.last_error END,"
            f" state = CASE WHEN {revive} THEN 'pending' ELSE notification.state END"
            f" WHERE notification.state = 'pending' OR {revive}"
        )
    else:
        sql += " ON CONFLICT (dedupe) DO NOTHING"
    created = iso_utc(moment)
    conn.executemany(
        sql,
        [
            (
                r.person_id,
                r.kind,
                r.shift_id,
                iso_utc(r.event),
                iso_utc(r.due),
                iso_utc(r.expires) if r.expires else None,
                r.title,
                r.body,
                r.dedupe,
                created,
                r.meeting_id,
            )
            for r in rows
        ],
    )
    return conn.execute("SELECT count(*) FROM notification WHERE id > ?", (before,)).fetchone()[0]


def _retire(conn: sqlite3.Connection, ids: list[int], why: str) -> None:
    conn.executemany(
        "UPDATE notification SET state = 'expired', last_error = ? WHERE id = ? AND state = 'pending'",
        [(f"{NO_LONGER}: {why}", i) for i in ids],
    )


def _expire_late(conn: sqlite3.Connection, moment: datetime) -> list[Notification]:
    """Pending rows past their expiry become 'expired' (a reminder for a shift that started is not sent late)."""
    rows = [
        _row(r)
        for r in conn.execute(
            f"SELECT {_COLUMNS} FROM notification WHERE state = 'pending' AND expires_utc IS NOT NULL"
            " AND expires_utc <= ?",
            (iso_utc(moment),),
        )
    ]
    why = {
        "reminder": "too late: the shift has started",
        "handoff": "too late: the handoff has happened",
        "meeting": "too late: the meeting has started",
    }
    conn.executemany(
        "UPDATE notification SET state = 'expired', last_error = ? WHERE id = ? AND state = 'pending'",
        [(why.get(n.kind, "too late: it no longer matters"), n.id) for n in rows],
    )
    return rows


# ---------------------------------------------------------------- reading (the app and `warmline notify list`)


def pending_for_app(conn: sqlite3.Connection, person: Person, moment: datetime | None = None, *, limit: int = 20) -> list[Notification]:
    """Due rows the app should show this person as toasts: not yet shown there, not expired (by state or
    time). Rows that failed on the desktop are included even when the person did not choose the app."""
    moment = moment or now()
    app = "app" in get_prefs(conn, person.id).channels
    states = "('pending', 'sending', 'sent', 'failed')" if app else "('failed')"
    return [
        _row(r)
        for r in conn.execute(
            f"SELECT {_COLUMNS} FROM notification WHERE person_id = ? AND shown_in_app_at IS NULL"
            f" AND state IN {states} AND due_utc <= ? AND (expires_utc IS NULL OR expires_utc > ?)"
            " ORDER BY due_utc, id LIMIT ?",
            (person.id, iso_utc(moment), iso_utc(moment), limit),
        )
    ]


def mark_shown_in_app(db: Database, person: Person, ids: list[int]) -> int:
    """Record that the app showed these rows (the person's own only); returns how many were marked."""
    if not ids:
        return 0
    moment = iso_utc(now())
    with db.transaction() as conn:
        return sum(
            conn.execute(
                "UPDATE notification SET shown_in_app_at = ? WHERE id = ? AND person_id = ? AND shown_in_app_at IS NULL",
                (moment, int(i), person.id),
            ).rowcount
            for i in ids
        )


def for_person(
    conn: sqlite3.Connection, person_id: int, *, include_old: bool = False, moment: datetime | None = None, limit: int = 50
) -> list[Notification]:
    """A person's notifications, newest due first: by default those due in the last 7 days or later."""
    moment = moment or now()
    sql = f"SELECT {_COLUMNS} FROM notification WHERE person_id = ?"
    params: list[object] = [person_id]
    if not include_old:
        sql += " AND due_utc >= ?"
        params.append(iso_utc(moment - timedelta(days=7)))
    sql += " ORDER BY due_utc DESC, id DESC LIMIT ?"
    params.append(limit)
    return [_row(r) for r in conn.execute(sql, params)]


def require_self_or_coordinator(actor: Person, person: Person) -> None:
    """Only the person and coordinators may read a person's notifications."""
    if actor.id != person.id and not actor.is_coordinator:
        raise Refused(f"{actor.handle} may only see their own notifications; a coordinator can see {person.handle}'s")
