"""Swaps: I take your shift and you take mine, in one transaction that checks both sides.

Life cycle (the `swap` table's status):

    proposed ──accept──▶ done                       (the line does not need approval)
    proposed ──accept──▶ accepted ──approve──▶ done  (line.swaps_need_approval)
    proposed ──decline──▶ declined      proposed/accepted ──withdraw──▶ withdrawn
    proposed/accepted ──refuse (coordinator)──▶ refused

Only the proposer (on the first shift) may withdraw, only the other person (on the
second) may accept or decline, and only a coordinator may approve or refuse.

The swap itself re-reads both shifts under the write lock and checks every rota rule
for both people as if the swap were done: the proposer on the other shift without
their own old one, and the other person on the proposer's shift without theirs
(`rules.problems` with each person's other shifts adjusted, plus availability and
time off). Nothing is overridden: a swap that breaks anyone's rule is refused with a
message naming whose, and the rota is left as it was. The details of another person's
limits, availability and time off are shown only to them and coordinators: the other
side hears only that one of their limits or their availability stands in the way. Each person takes the other's
seat as it was (a peer seat stays a peer seat). A late drop's open cover request on a
swapped shift is closed, since the seat is now someone else's.

The same check runs when a swap is proposed and accepted, so a swap that could never
go ahead is refused early; it runs again when the swap is done.

Every step reports `swap.changed` (warmline.events) inside its transaction; the outbox
(notify/swap_notices.py) tells the person asked, the coordinators when approval is due, and
the people in the swap how it ended.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from . import audit, events, rules
from .access import require
from .clock import now
from .db import Database, iso_utc, parse_utc
from .errors import Invalid, NotFound, Refused, RuleBroken
from .line_settings import swaps_need_approval
from .model import Line, Person

STATUSES = ("proposed", "accepted", "declined", "withdrawn", "done", "refused")
OPEN = ("proposed", "accepted")


@dataclass(frozen=True)
class Swap:
    """A swap as people see it: who gives which shift for which, where it stands, and who acts next."""

    id: int
    status: str
    from_person_id: int
    from_handle: str
    from_shift_id: int
    from_start: datetime
    from_end: datetime
    to_person_id: int
    to_handle: str
    to_shift_id: int
    to_start: datetime
    to_end: datetime
    created_at: datetime
    decided_at: datetime | None
    approved_by: str | None
    waiting_for: str  # the handle who must accept, "coordinator" when approval is due, "" when closed

    @property
    def open(self) -> bool:
        return self.status in OPEN


# ---------------------------------------------------------------- the line setting


def need_approval(conn: sqlite3.Connection) -> bool:
    """True when a coordinator must approve a swap after the other person accepts it (the line's
    setting, read where the line's settings are: line_settings; `warmline line set` changes it too)."""
    return swaps_need_approval(conn)


def set_need_approval(db: Database, actor: Person, required: bool) -> bool:
    """Say whether swaps need a coordinator's approval (coordinators only); returns the new setting."""
    from .people import fresh_actor

    if not isinstance(required, bool):
        raise Invalid("say yes or no: whether swaps need a coordinator's approval")
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        require(who, "line.edit")
        conn.execute("UPDATE line SET swaps_need_approval = ? WHERE id = 1", (1 if required else 0,))
        audit.record(conn, who.handle, "line.edit", "swaps", f"swaps need approval: {'yes' if required else 'no'}")
        return need_approval(conn)


# ---------------------------------------------------------------- reading

_SELECT = (
    "SELECT w.id, w.status, w.from_person, fp.handle, w.from_shift, fs.start_utc, fs.end_utc,"
    " w.to_person, tp.handle, w.to_shift, ts.start_utc, ts.end_utc, w.created_at, w.decided_at, ap.handle"
    " FROM swap w JOIN person fp ON fp.id = w.from_person JOIN person tp ON tp.id = w.to_person"
    " JOIN shift fs ON fs.id = w.from_shift JOIN shift ts ON ts.id = w.to_shift"
    " LEFT JOIN person ap ON ap.id = w.approved_by"
)


def _swap(row) -> Swap:
    status = row[1]
    waiting = row[8] if status == "proposed" else "coordinator" if status == "accepted" else ""
    return Swap(
        id=row[0],
        status=status,
        from_person_id=row[2],
        from_handle=row[3],
        from_shift_id=row[4],
        from_start=parse_utc(row[5]),
        from_end=parse_utc(row[6]),
        to_person_id=row[7],
        to_handle=row[8],
        to_shift_id=row[9],
        to_start=parse_utc(row[10]),
        to_end=parse_utc(row[11]),
        created_at=parse_utc(row[12]),
        decided_at=parse_utc(row[13]) if row[13] else None,
        approved_by=row[14],
        waiting_for=waiting,
    )


def _read(conn: sqlite3.Connection, swap_id: int) -> Swap:
    ok = isinstance(swap_id, int) and not isinstance(swap_id, bool) and 0 < swap_id < 2**63
    row = conn.execute(_SELECT + " WHERE w.id = ?", (swap_id,)).fetchone() if ok else None
    if row is None:
        raise NotFound(f"there is no swap {str(swap_id)[:20]}: see `warmline swap list`")
    return _swap(row)


def get(conn: sqlite3.Connection, viewer: Person, swap_id: int) -> Swap:
    """One swap, if the viewer is one of its two people or a coordinator."""
    swap = _read(conn, swap_id)
    if not viewer.is_coordinator and viewer.id not in (swap.from_person_id, swap.to_person_id):
        raise NotFound(f"there is no swap {swap_id} of yours: see `warmline swap list`")
    return swap


def swaps(conn: sqlite3.Connection, viewer: Person, *, open_only: bool = False) -> list[Swap]:
    """Swaps newest first: a volunteer sees the ones they are in; a coordinator sees all."""
    sql, params = _SELECT, []
    where = []
    if not viewer.is_coordinator:
        where.append("(w.from_person = ? OR w.to_person = ?)")
        params += [viewer.id, viewer.id]
    if open_only:
        where.append("w.status IN ('proposed', 'accepted')")
    if where:
        sql += " WHERE " + " AND ".join(where)
    return [_swap(r) for r in conn.execute(sql + " ORDER BY w.id DESC", params)]


# ---------------------------------------------------------------- the rules for both sides


def _others(conn: sqlite3.Connection, person_id: int, lo: datetime, hi: datetime, leaving: int) -> list[rules.Span]:
    """The person's scheduled shifts touching [lo, hi), without the one they give away."""
    return [
        rules.Span(r[0], parse_utc(r[1]), parse_utc(r[2]))
        for r in conn.execute(
            "SELECT s.id, s.start_utc, s.end_utc FROM assignment a JOIN shift s ON s.id = a.shift_id"
            " WHERE a.person_id = ? AND s.status = 'scheduled' AND s.end_utc > ? AND s.start_utc < ? AND s.id != ?",
            (person_id, iso_utc(lo), iso_utc(hi), leaving),
        )
    ]


def side_problems(
    conn: sqlite3.Connection, line: Line, person: Person, taking: rules.Span, leaving: int
) -> list[RuleBroken]:
    """Every rule `person` would break on `taking` once they no longer hold shift `leaving`."""
    from .availability import problems as availability_problems
    from .recurrence import zone
    from .triads import meeting_problems

    if not person.active:
        return [RuleBroken(f"{person.handle} is inactive and cannot be put on shifts", rule="inactive", overridable=False)]
    tz = zone(line.tz)
    limits = person.limits(line)
    lo, hi = rules.window_for(taking, tz, limits)
    found = rules.problems(person.handle, taking, _others(conn, person.id, lo, hi, leaving), limits, tz)
    found += meeting_problems(conn, person, taking.start, taking.end)  # says no more than "one of their commitments"
    return found + availability_problems(conn, person, taking, tz)


# Rules whose details are no one's private data: who is on which shift is the rota everyone sees.
PUBLIC_RULES = frozenset({"overlap", "inactive", "triad-meeting"})  # a triad meeting: no details, ever


def private_to(viewer: Person | None, person: Person, shift, found: list[RuleBroken]) -> list[RuleBroken]:
    """`found` (the problems of `person` taking `shift`) as `viewer` may see them.

    Coordinators and the person themself see every detail. Anyone else learns only that the
    shift breaks one of the person's limits or their availability: their time off, availability
    windows, rest and hour limits are theirs (`availability list --person` refuses them too).
    """
    if viewer is None or viewer.is_coordinator or viewer.id == person.id:
        return found
    shown = [p for p in found if p.rule in PUBLIC_RULES]
    if len(shown) < len(found):
        shown.append(
            RuleBroken(
                f"{person.handle} cannot take shift {shift.id}: it breaks one of their limits or their availability "
                "(they or a coordinator can see which)",
                rule="their-limits",
                overridable=False,
            )
        )
    return shown


def swap_problems(
    conn: sqlite3.Connection, line: Line, a: Person, a_shift, b: Person, b_shift, *, viewer: Person | None = None
) -> list[RuleBroken]:
    """What the swap would break: `a` on b_shift without a_shift, and `b` on a_shift without b_shift.

    With a `viewer`, each side is as they may see it (see `private_to`); without one, every detail.
    """
    found = side_problems(conn, line, a, rules.Span(b_shift.id, b_shift.start_utc, b_shift.end_utc), a_shift.id)
    found = private_to(viewer, a, b_shift, found)
    theirs = side_problems(conn, line, b, rules.Span(a_shift.id, a_shift.start_utc, a_shift.end_utc), b_shift.id)
    return found + private_to(viewer, b, a_shift, theirs)


def _refuse_if_broken(found: list[RuleBroken], a: Person, b: Person, a_shift, b_shift) -> None:
    if not found:
        return
    whose = [h for h in (a.handle, b.handle) if any(p.message.startswith(h + " ") for p in found)]
    names = " and ".join(whose) if whose else f"{a.handle} or {b.handle}"
    combined = rules.combine(found)
    raise RuleBroken(
        f"swapping shift {a_shift.id} for shift {b_shift.id} would break a rule for {names}: {combined.message}",
        rule=combined.rule,
        overridable=False,
    )


def _role_of(conn: sqlite3.Connection, shift_id: int, person_id: int) -> str | None:
    row = conn.execute("SELECT role FROM assignment WHERE shift_id = ? AND person_id = ?", (shift_id, person_id)).fetchone()
    return row[0] if row else None


def _label(shift) -> str:
    return f"shift {shift.id} ({shift.start_local:%a %Y-%m-%d %H:%M}–{shift.end_local:%H:%M})"


def _validate(conn: sqlite3.Connection, a: Person, a_shift, b: Person, b_shift) -> tuple[str, str]:
    """Both shifts scheduled and ahead, each person on their own and not on the other's; returns their roles."""
    moment = now()
    for s in (a_shift, b_shift):
        if s.status != "scheduled":
            raise Refused(f"shift {s.id} is cancelled: it cannot be swapped")
        if s.start_utc <= moment:
            raise Refused(f"{_label(s)} has already started: it can no longer be swapped")
    a_role = _role_of(conn, a_shift.id, a.id)
    b_role = _role_of(conn, b_shift.id, b.id)
    if a_role is None:
        raise Refused(f"{a.handle} is not on {_label(a_shift)}: the swap cannot go ahead")
    if b_role is None:
        raise Refused(f"{b.handle} is not on {_label(b_shift)}: the swap cannot go ahead")
    if _role_of(conn, b_shift.id, a.id):
        raise Refused(f"{a.handle} is already on {_label(b_shift)} too: there is nothing to swap")
    if _role_of(conn, a_shift.id, b.id):
        raise Refused(f"{b.handle} is already on {_label(a_shift)} too: there is nothing to swap")
    return a_role, b_role


def preview(conn: sqlite3.Connection, actor: Person, my_shift: int, their_shift: int, handle: str) -> list[RuleBroken]:
    """What proposing this swap now would run into, without writing anything: [] when it could go ahead.

    Refusals that are not rota rules (not on the shift, a shift that has started, …) come back as
    one RuleBroken with rule 'swap', so a screen can show every reason the same way.
    """
    from .errors import WarmlineError
    from .line import get as get_line
    from .people import get as get_person
    from .rota import get_shift

    try:
        other = get_person(conn, handle)
        if other.id == actor.id or my_shift == their_shift:
            raise Invalid("a swap needs someone else and two different shifts")
        mine, theirs = get_shift(conn, my_shift), get_shift(conn, their_shift)
        _validate(conn, actor, mine, other, theirs)
        return swap_problems(conn, get_line(conn), actor, mine, other, theirs, viewer=actor)
    except RuleBroken as exc:
        return [exc]
    except WarmlineError as exc:
        return [RuleBroken(str(exc), rule="swap", overridable=False)]


# ---------------------------------------------------------------- changing


def propose(db: Database, actor: Person, my_shift: int, their_shift: int, handle: str) -> Swap:
    """Offer my shift `my_shift` for `handle`'s shift `their_shift`; refused now if it could not go ahead."""
    from .line import get as get_line
    from .people import fresh_actor, get as get_person
    from .rota import get_shift

    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        other = get_person(conn, handle)
        if other.id == who.id:
            raise Invalid("a swap is with someone else: name the person whose shift you would take")
        if my_shift == their_shift:
            raise Invalid("a swap needs two different shifts: yours and theirs")
        if not other.active:
            raise Refused(f"{other.handle} is inactive: choose someone else to swap with")
        line = get_line(conn)
        mine = get_shift(conn, my_shift)
        theirs = get_shift(conn, their_shift)
        _validate(conn, who, mine, other, theirs)
        if conn.execute(
            "SELECT 1 FROM swap WHERE from_person = ? AND from_shift = ? AND to_person = ? AND to_shift = ?"
            " AND status IN ('proposed', 'accepted')",
            (who.id, mine.id, other.id, theirs.id),
        ).fetchone():
            raise Refused(f"{who.handle} already proposed this swap to {other.handle}: see `warmline swap list`")
        _refuse_if_broken(swap_problems(conn, line, who, mine, other, theirs, viewer=who), who, other, mine, theirs)
        cur = conn.execute(
            "INSERT INTO swap (from_person, from_shift, to_person, to_shift, status, created_at)"
            " VALUES (?, ?, ?, ?, 'proposed', ?)",
            (who.id, mine.id, other.id, theirs.id, iso_utc(now())),
        )
        audit.record(
            conn, who.handle, "swap.propose", f"swap {cur.lastrowid}",
            f"shift {mine.id} for {other.handle}'s shift {theirs.id}",
        )
        events.report(conn, "swap.changed", swap_id=cur.lastrowid, what="proposed", actor_id=who.id)
        return _read(conn, cur.lastrowid)


def _open(swap: Swap) -> None:
    if not swap.open:
        raise Refused(f"swap {swap.id} is {swap.status}: nothing more can be done with it")


def _execute(conn: sqlite3.Connection, who: Person, swap: Swap, *, approver: Person | None) -> None:
    """Do the swap inside the caller's transaction, after re-checking everything; raises and changes nothing if not."""
    from .line import get as get_line
    from .people import get_by_id
    from .rota import get_shift

    line = get_line(conn)
    a = get_by_id(conn, swap.from_person_id)
    b = get_by_id(conn, swap.to_person_id)
    x = get_shift(conn, swap.from_shift_id)
    y = get_shift(conn, swap.to_shift_id)
    a_role, b_role = _validate(conn, a, x, b, y)
    _refuse_if_broken(swap_problems(conn, line, a, x, b, y, viewer=who), a, b, x, y)
    moment = iso_utc(now())
    conn.execute("DELETE FROM assignment WHERE shift_id = ? AND person_id = ?", (x.id, a.id))
    conn.execute("DELETE FROM assignment WHERE shift_id = ? AND person_id = ?", (y.id, b.id))
    conn.executemany(
        "INSERT INTO assignment (shift_id, person_id, role, created_at) VALUES (?, ?, ?, ?)",
        [(x.id, b.id, a_role, moment), (y.id, a.id, b_role, moment)],
    )
    closed = conn.execute(
        "UPDATE cover_request SET status = 'withdrawn', closed_at = ?"
        " WHERE status = 'open' AND ((shift_id = ? AND person_id = ?) OR (shift_id = ? AND person_id = ?))",
        (moment, x.id, a.id, y.id, b.id),
    ).rowcount
    # Other open swaps offering or asking for either of these two seats can no longer happen.
    stale = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM swap WHERE id != ? AND status IN ('proposed', 'accepted') AND ("
            " (from_shift = ? AND from_person = ?) OR (to_shift = ? AND to_person = ?) OR"
            " (from_shift = ? AND from_person = ?) OR (to_shift = ? AND to_person = ?))",
            (swap.id, x.id, a.id, x.id, a.id, y.id, b.id, y.id, b.id),
        )
    ]
    conn.executemany(
        "UPDATE swap SET status = 'withdrawn', decided_at = ? WHERE id = ?", [(moment, sid) for sid in stale]
    )
    conn.execute(
        "UPDATE swap SET status = 'done', decided_at = ?, approved_by = ? WHERE id = ?",
        (moment, approver.id if approver else None, swap.id),
    )
    notes = [f"{a.handle} takes shift {y.id} ({b_role}), {b.handle} takes shift {x.id} ({a_role})"]
    if approver:
        notes.append(f"approved by {approver.handle}")
    if closed:
        notes.append(f"{closed} cover request closed")
    if stale:
        notes.append("withdrew stale swaps " + ", ".join(map(str, stale)))
    audit.record(conn, who.handle, "swap.done", f"swap {swap.id}", "; ".join(notes))
    events.report(conn, "swap.changed", swap_id=swap.id, what="done", actor_id=who.id)
    for sid in stale:  # the people of those swaps hear that they can no longer happen
        events.report(conn, "swap.changed", swap_id=sid, what="superseded", actor_id=who.id, by_swap_id=swap.id)


def accept(db: Database, actor: Person, swap_id: int) -> Swap:
    """Accept a swap offered to you: it is done now, or waits for a coordinator when the line needs approval."""
    from .line import get as get_line
    from .people import fresh_actor, get_by_id
    from .rota import get_shift

    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        swap = _read(conn, swap_id)
        if who.id != swap.to_person_id:
            raise Refused(f"swap {swap.id} was offered to {swap.to_handle}: only they may accept it")
        if swap.status != "proposed":
            raise Refused(f"swap {swap.id} is {swap.status}: only a proposed swap can be accepted")
        if need_approval(conn):
            a = get_by_id(conn, swap.from_person_id)
            x = get_shift(conn, swap.from_shift_id)
            y = get_shift(conn, swap.to_shift_id)
            _validate(conn, a, x, who, y)
            _refuse_if_broken(swap_problems(conn, get_line(conn), a, x, who, y, viewer=who), a, who, x, y)
            conn.execute(
                "UPDATE swap SET status = 'accepted', decided_at = ? WHERE id = ?", (iso_utc(now()), swap.id)
            )
            audit.record(conn, who.handle, "swap.accept", f"swap {swap.id}", "waiting for a coordinator's approval")
            events.report(conn, "swap.changed", swap_id=swap.id, what="accepted", actor_id=who.id)
        else:
            _execute(conn, who, swap, approver=None)
        return _read(conn, swap.id)


def approve(db: Database, actor: Person, swap_id: int) -> Swap:
    """Approve an accepted swap and do it (coordinators)."""
    from .people import fresh_actor

    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        if not who.is_coordinator:
            raise Refused(f"only coordinators may approve swaps; {who.handle} is a volunteer")
        swap = _read(conn, swap_id)
        if swap.status == "proposed":
            raise Refused(f"swap {swap.id} waits for {swap.to_handle} to accept it first")
        if swap.status != "accepted":
            raise Refused(f"swap {swap.id} is {swap.status}: only an accepted swap can be approved")
        _execute(conn, who, swap, approver=who)
        return _read(conn, swap.id)


def _close(db: Database, actor: Person, swap_id: int, status: str) -> Swap:
    from .people import fresh_actor

    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        swap = _read(conn, swap_id)
        if status == "declined":
            if who.id != swap.to_person_id:
                raise Refused(f"swap {swap.id} was offered to {swap.to_handle}: only they may decline it")
            if swap.status != "proposed":
                raise Refused(f"swap {swap.id} is {swap.status}: only a proposed swap can be declined")
        elif status == "withdrawn":
            if who.id != swap.from_person_id:
                raise Refused(f"swap {swap.id} was proposed by {swap.from_handle}: only they may withdraw it")
            _open(swap)
        else:  # refused
            if not who.is_coordinator:
                raise Refused(f"only coordinators may refuse swaps; {who.handle} is a volunteer")
            _open(swap)
        conn.execute(
            "UPDATE swap SET status = ?, decided_at = ?, approved_by = ? WHERE id = ?",
            (status, iso_utc(now()), who.id if status == "refused" else None, swap.id),
        )
        action = {"declined": "swap.decline", "withdrawn": "swap.withdraw", "refused": "swap.refuse"}[status]
        audit.record(conn, who.handle, action, f"swap {swap.id}", f"was {swap.status}")
        events.report(conn, "swap.changed", swap_id=swap.id, what=status, actor_id=who.id)
        return _read(conn, swap.id)


def decline(db: Database, actor: Person, swap_id: int) -> Swap:
    """Decline a swap offered to you."""
    return _close(db, actor, swap_id, "declined")


def withdraw(db: Database, actor: Person, swap_id: int) -> Swap:
    """Withdraw a swap you proposed (while it is proposed or waiting for approval)."""
    return _close(db, actor, swap_id, "withdrawn")


def refuse(db: Database, actor: Person, swap_id: int) -> Swap:
    """Refuse a proposed or accepted swap (coordinators)."""
    return _close(db, actor, swap_id, "refused")
