"""Claiming due notifications for a delivery, and recording how sending them went.

Rows are claimed with ``UPDATE … WHERE state = 'pending'`` inside BEGIN IMMEDIATE and delivered
outside the transaction, so two delivery loops never send one row twice. A row left 'sending' for
5 minutes (its loop crashed mid-send) goes back to pending: only then may a notification be shown
twice (at-least-once for that crash case). A failed send is retried with exponential backoff
(30 s, 1, 2, 4 min) and after 5 attempts is failed for good; a desktop that is not there at all
fails at once. A reminder never goes out after its shift started. A claim under a REMOTE token
is a lease for `notify pull` (notify/lease.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..clock import now
from ..db import Database, iso_utc
from .prefs import Prefs, get_prefs, quiet_until
from .queue import refresh
from .rows import _COLUMNS, Notification, _expire_late, _row

MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(seconds=30)
STALE_SENDING = timedelta(minutes=5)
REMOTE = "remote:"  # claim_token prefix of a lease taken by `notify pull` (over ssh)
REMOTE_LEASE = timedelta(minutes=2)  # an unconfirmed pull goes back to pending after this


@dataclass
class Claimed:
    """What one delivery tick took for one person: rows to send, rows held by quiet hours, rows just expired."""

    token: str
    rows: list[Notification]
    prefs: Prefs
    held: list[tuple[Notification, datetime]] = field(default_factory=list)
    expired: list[Notification] = field(default_factory=list)


def claim(
    db: Database, person_id: int, *, moment: datetime | None = None, limit: int = 50, token: str | None = None
) -> Claimed:
    """In one write transaction: requeue crashed sends, expire late rows, refresh, and mark this person's due
    rows 'sending' under a fresh token (only rows still 'pending', so no two loops take the same row).

    A `token` starting with REMOTE marks a lease for `notify pull` (notify/lease.py): such rows go back to
    pending when not confirmed within REMOTE_LEASE."""
    from ..line import get as get_line
    from ..recurrence import zone

    moment = moment or now()
    token = token or uuid.uuid4().hex
    with db.transaction() as conn:
        conn.execute(
            "UPDATE notification SET state = 'pending', claim_token = NULL,"
            " last_error = 'requeued: a delivery stopped while sending (it may have been shown once already)'"
            " WHERE state = 'sending' AND claimed_at <= ? AND claim_token NOT LIKE ?",
            (iso_utc(moment - STALE_SENDING), REMOTE + "%"),
        )
        conn.execute(
            "UPDATE notification SET state = 'pending', claim_token = NULL,"
            " last_error = 'requeued: a pull over ssh was not confirmed in time (the connection may have dropped)'"
            " WHERE state = 'sending' AND claimed_at <= ? AND claim_token LIKE ?",
            (iso_utc(moment - REMOTE_LEASE), REMOTE + "%"),
        )
        expired = [n for n in _expire_late(conn, moment) if n.person_id == person_id]
        refresh(conn, moment, moment=moment)
        prefs = get_prefs(conn, person_id)
        tz = zone(get_line(conn).tz)
        rows = [
            _row(r)
            for r in conn.execute(
                f"SELECT {_COLUMNS} FROM notification WHERE person_id = ? AND state = 'pending' AND due_utc <= ?"
                " AND (next_attempt_utc IS NULL OR next_attempt_utc <= ?) ORDER BY due_utc, id LIMIT ?",
                (person_id, iso_utc(moment), iso_utc(moment), limit),
            )
        ]
        # Two reminders for one shift both due (the loop was not running at the first): send only the
        # nearer one, so nobody reads "in 1 h" ten minutes before their shift.
        latest: dict[int | None, Notification] = {}
        for n in rows:
            if n.kind == "reminder" and (n.shift_id not in latest or n.due_utc > latest[n.shift_id].due_utc):
                latest[n.shift_id] = n
        superseded = [n for n in rows if n.kind == "reminder" and latest[n.shift_id].id != n.id]
        conn.executemany(
            "UPDATE notification SET state = 'expired', last_error = 'superseded by a nearer reminder'"
            " WHERE id = ? AND state = 'pending'",
            [(n.id,) for n in superseded],
        )
        expired += superseded
        rows = [n for n in rows if n not in superseded]
        quiet_end = quiet_until(prefs, moment, tz)
        held = [(n, quiet_end) for n in rows if quiet_end is not None and n.kind != "handoff"]
        take = [n for n in rows if not (quiet_end is not None and n.kind != "handoff")]
        conn.executemany(
            "UPDATE notification SET state = 'sending', claim_token = ?, claimed_at = ? WHERE id = ? AND state = 'pending'",
            [(token, iso_utc(moment), n.id) for n in take],
        )
        mine = [
            _row(r)
            for r in conn.execute(
                f"SELECT {_COLUMNS} FROM notification WHERE claim_token = ? ORDER BY due_utc, id", (token,)
            )
        ]
        # Re-read the expired ones so they carry the reason just recorded.
        expired = [
            _row(conn.execute(f"SELECT {_COLUMNS} FROM notification WHERE id = ?", (n.id,)).fetchone()) for n in expired
        ]
    return Claimed(token, mine, prefs, held, expired)


@dataclass(frozen=True)
class Result:
    """How delivering one claimed row went: the channels it reached, or why not and whether to retry."""

    id: int
    channels: tuple[str, ...] = ()
    error: str | None = None
    permanent: bool = False


@dataclass(frozen=True)
class Finished:
    """A row's state after a delivery attempt."""

    notification: Notification
    outcome: str  # sent | retry | failed | lost
    retry_at: datetime | None = None


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 30 s, 1 min, 2 min, 4 min, …"""
    return RETRY_BASE * (2 ** max(0, attempts - 1))


def finish(db: Database, token: str, results: list[Result], *, moment: datetime | None = None) -> list[Finished]:
    """Record each result under the claim's token: sent, retry later (backoff), or failed for good."""
    moment = moment or now()
    done = []
    with db.transaction() as conn:
        for result in results:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM notification WHERE id = ? AND claim_token = ? AND state = 'sending'",
                (result.id, token),
            ).fetchone()
            if row is None:
                # Requeued after 5 minutes and taken by another loop: it records its own outcome.
                lost = conn.execute(f"SELECT {_COLUMNS} FROM notification WHERE id = ?", (result.id,)).fetchone()
                done.append(Finished(_row(lost), "lost"))
                continue
            n = _row(row)
            if result.channels:
                conn.execute(
                    "UPDATE notification SET state = 'sent', sent_at = ?, channel = ?, last_error = ?,"
                    " claim_token = NULL, next_attempt_utc = NULL WHERE id = ?",
                    (iso_utc(moment), ",".join(result.channels), result.error, n.id),
                )
                outcome, retry_at = "sent", None
            else:
                attempts = n.attempts + 1
                if result.permanent or attempts >= MAX_ATTEMPTS:
                    conn.execute(
                        "UPDATE notification SET state = 'failed', attempts = ?, last_error = ?, claim_token = NULL,"
                        " next_attempt_utc = NULL WHERE id = ?",
                        (attempts, result.error, n.id),
                    )
                    outcome, retry_at = "failed", None
                else:
                    retry_at = moment + backoff(attempts)
                    conn.execute(
                        "UPDATE notification SET state = 'pending', attempts = ?, last_error = ?, claim_token = NULL,"
                        " next_attempt_utc = ? WHERE id = ?",
                        (attempts, result.error, iso_utc(retry_at), n.id),
                    )
                    outcome = "retry"
            fresh = conn.execute(f"SELECT {_COLUMNS} FROM notification WHERE id = ?", (n.id,)).fetchone()
            done.append(Finished(_row(fresh), outcome, retry_at))
    return done
