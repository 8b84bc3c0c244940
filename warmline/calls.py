"""Being on a call, and the anonymous call log.

A person on a shift marks themself busy ("on a call") and free again; the mark
lives on their assignment and counts only while that shift is current, so it
clears itself when the shift ends. The call log is anonymous demand: each row is
a time, the need tags asked for, and optionally who took it. Nothing about the
caller is stored, and audit rows carry counts, never tag names.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from typing import NamedTuple

from . import audit, clock
from .clock import now
from .db import Database, iso_utc, parse_utc
from .errors import Invalid, Refused
from .model import Person

MAX_NEEDS_PER_CALL = 10
# A shift lasts at most 24 h, so a shift containing a moment started less than 24 h before it.
_LONGEST_SHIFT = timedelta(hours=24)


class OnShift(NamedTuple):
    """A person's seat on the shift that is current at some moment."""

    shift_id: int
    person_id: int
    handle: str
    role: str
    start_utc: datetime
    end_utc: datetime
    busy_since: datetime | None


class BusyState(NamedTuple):
    """What `set_busy` did: the person's seat, whether they are now on a call, and whether it changed."""

    shift_id: int
    handle: str
    role: str
    busy: bool
    since: datetime | None
    shift_end: datetime
    changed: bool


def on_shift(conn: sqlite3.Connection, person_id: int, moment: datetime) -> OnShift | None:
    """The scheduled shift `person_id` is on at `moment` (start <= moment < end), or None."""
    row = conn.execute(
        "SELECT s.id, a.person_id, p.handle, a.role, s.start_utc, s.end_utc, a.busy_since"
        " FROM assignment a JOIN shift s ON s.id = a.shift_id JOIN person p ON p.id = a.person_id"
        " WHERE a.person_id = ? AND s.status = 'scheduled' AND s.start_utc > ? AND s.start_utc <= ?"
        " AND s.end_utc > ? ORDER BY s.start_utc LIMIT 1",
        (person_id, iso_utc(moment - _LONGEST_SHIFT), iso_utc(moment), iso_utc(moment)),
    ).fetchone()
    if row is None:
        return None
    return OnShift(
        row[0], row[1], row[2], row[3], parse_utc(row[4]), parse_utc(row[5]), parse_utc(row[6]) if row[6] else None
    )


def set_busy(db: Database, actor: Person, on: bool) -> BusyState:
    """Mark oneself on a call (on=True) or free, on the shift one is on now; audited.

    Refused when the actor is not on a shift now. Marking busy twice keeps the first time.
    """
    from .people import fresh_actor

    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        moment = clock.real_now()  # an access decision: never WARMLINE_NOW
        seat = on_shift(conn, who.id, moment)
        if seat is None:
            raise Refused(
                f"{who.handle} is not on a shift now: only the people on the current shift can mark "
                "themselves on a call or free"
            )
        if on and seat.busy_since is not None:
            return BusyState(seat.shift_id, who.handle, seat.role, True, seat.busy_since, seat.end_utc, False)
        if not on and seat.busy_since is None:
            return BusyState(seat.shift_id, who.handle, seat.role, False, None, seat.end_utc, False)
        since = moment if on else None
        conn.execute(
            "UPDATE assignment SET busy_since = ? WHERE shift_id = ? AND person_id = ?",
            (iso_utc(since) if since else None, seat.shift_id, who.id),
        )
        audit.record(
            conn, who.handle, "busy.on" if on else "busy.off", f"shift {seat.shift_id}", "on a call" if on else "free"
        )
        return BusyState(seat.shift_id, who.handle, seat.role, on, since, seat.end_utc, True)


def log_call(
    db: Database,
    actor: Person,
    needs: list[str],
    *,
    at: datetime | None = None,
    taken_by: str | None = None,
) -> int:
    """Log one call: its time, its need tags and optionally who took it. Returns the call id.

    People on a shift now may log calls from their current shift; coordinators may log any past
    call. `taken_by` defaults to the actor when they were on a shift at the call's time, and must
    name someone who was. Audited as counts only ("1 call, 2 needs"): tags never appear in logs.
    """
    from .people import fresh_actor, get as get_person
    from .tags import resolver

    if len(needs) > MAX_NEEDS_PER_CALL:
        raise Invalid(f"{len(needs)} needs given; a call may have at most {MAX_NEEDS_PER_CALL}")
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        # Whether a volunteer is on shift now is an access decision: the real clock, never WARMLINE_NOW.
        moment = now() if who.is_coordinator else clock.real_now()
        mine = on_shift(conn, who.id, moment)
        if not who.is_coordinator and mine is None:
            raise Refused(f"{who.handle} is not on a shift now: only people on shift and coordinators can log calls")
        when = moment if at is None else at
        if when.tzinfo is None:
            raise Invalid("the call's time needs a zone or offset")
        if when > moment:
            raise Invalid("the call's time is in the future: log a call after it happens")
        if not who.is_coordinator and when < mine.start_utc:
            raise Refused(
                f"{who.handle} may log calls only from their current shift (since "
                f"{mine.start_utc:%Y-%m-%d %H:%M} UTC): ask a coordinator to log an earlier call"
            )
        tags = resolver(conn).resolve_many(needs)
        taker: int | None = None
        if taken_by is not None:
            person = get_person(conn, taken_by)
            if on_shift(conn, person.id, when) is None:
                raise Refused(f"{person.handle} was not on a shift at that time: give who was, or leave --taken-by out")
            taker = person.id
        elif on_shift(conn, who.id, when) is not None:
            taker = who.id
        cur = conn.execute("INSERT INTO call (at_utc, taken_by) VALUES (?, ?)", (iso_utc(when), taker))
        call_id = cur.lastrowid
        conn.executemany("INSERT INTO call_need (call_id, tag_id) VALUES (?, ?)", [(call_id, t.id) for t in tags])
        count = len(tags)
        detail = f"1 call, {count} need{'' if count == 1 else 's'}"
        if taker is not None:
            detail += f"; taken by {taken_by or who.handle}"
        audit.record(conn, who.handle, "call.log", f"call {call_id}", detail)
        return call_id
