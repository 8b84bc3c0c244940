"""The queue seen from another machine: `notify pull` leases a person's due notifications, `notify
confirm` marks the ones shown as sent.

A pull is the outbox's own claim (refresh, expire, quiet hours, the nearer reminder only) under a
token starting with `claims.REMOTE`: the rows become 'sending'. A confirm marks them 'sent'
(channel 'remote'). A lease not confirmed within `claims.REMOTE_LEASE` (2 min) goes back to
pending at the next claim, so a connection cut between pull and confirm never loses a row;
the client remembers what it showed until the host has confirmed it, so it never shows one twice
(notify/remote.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from ..clock import now
from ..db import Database, iso_utc
from ..errors import Invalid
from ..model import Person
from . import claims
from .rows import Notification

MAX_PULL = 50
MAX_CONFIRM = 200


def pull(db: Database, person: Person, *, moment: datetime | None = None, limit: int = MAX_PULL) -> list[Notification]:
    """Lease this person's due notifications (for REMOTE_LEASE) and return them, oldest due first."""
    from ..errors import Refused

    if not person.active:
        raise Refused(f"{person.handle} is inactive: ask a coordinator")
    claimed = claims.claim(db, person.id, moment=moment, limit=limit, token=claims.REMOTE + uuid.uuid4().hex)
    return claimed.rows


@dataclass(frozen=True)
class Confirmed:
    """What a confirm did to one id: 'sent' (now), 'already' (sent before), or 'unknown' (not yours, or gone)."""

    id: int
    result: str


def parse_ids(values) -> list[int]:
    """Notification ids as typed ('12', '13'); Invalid for anything that is not a positive number."""
    ids = []
    for value in values:
        text = str(value).strip()
        if not text.isdigit() or not text.isascii() or len(text) > 18 or int(text) < 1:
            raise Invalid(f"{text[:20]!r} is not a notification id: give the numbers `notify pull` printed")
        ids.append(int(text))
    if not ids:
        raise Invalid("give at least one notification id, e.g. `warmline notify confirm 12 13`")
    if len(ids) > MAX_CONFIRM:
        raise Invalid(f"{len(ids)} ids given; at most {MAX_CONFIRM} at a time")
    return list(dict.fromkeys(ids))


def confirm(db: Database, person: Person, ids: list[int], *, moment: datetime | None = None) -> list[Confirmed]:
    """Mark these of the person's notifications as shown (sent): a lease of theirs, or one that lapsed back to pending."""
    moment = moment or now()
    done = []
    with db.transaction() as conn:
        for i in ids:
            row = conn.execute(
                "SELECT state, claim_token FROM notification WHERE id = ? AND person_id = ?", (i, person.id)
            ).fetchone()
            if row is None:
                done.append(Confirmed(i, "unknown"))
                continue
            state, token = row[0], row[1] or ""
            if state == "sent":
                done.append(Confirmed(i, "already"))
            elif state == "pending" or (state == "sending" and token.startswith(claims.REMOTE)):
                conn.execute(
                    "UPDATE notification SET state = 'sent', sent_at = ?, channel = 'remote', last_error = NULL,"
                    " claim_token = NULL, next_attempt_utc = NULL WHERE id = ?",
                    (iso_utc(moment), i),
                )
                done.append(Confirmed(i, "sent"))
            else:
                done.append(Confirmed(i, "unknown"))  # failed or expired here meanwhile, or another loop's send
    return done
