"""Swaps with notice: the outbox's reaction to `swap.changed` (warmline/swaps.py reports it).

- ``swap``           the person asked, when someone proposes a swap with them
- ``swap-approval``  the coordinators, when an accepted swap waits for their approval
- ``swap-decided``   the people in a swap, when it is accepted (and waits), done, declined,
                     withdrawn or refused, each told once; the actor is never told what they did

Each row names people and shift times and numbers only: never a tag, never a reason from
anyone's limits or availability (lock-screen safe, as every notification). When a swap closes,
its `swap` and `swap-approval` rows not yet sent are retired ("no longer applies"), and so is the
offer once the person asked accepts it.
Loaded by notify/reactions.py on the first swap event, inside that change's transaction.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from ..clock import now
from ..model import Person, Shift
from .queue import _hook, _long, _short
from .rows import NO_LONGER, _insert, _Row

CLOSED = ("done", "declined", "withdrawn", "refused", "superseded")
WHERE_TO_ANSWER = "Answer it in warmline: on Home, or in Swaps."


def _swap_row(conn: sqlite3.Connection, swap_id: int) -> sqlite3.Row:
    row = conn.execute(
        "SELECT id, status, from_person, from_shift, to_person, to_shift FROM swap WHERE id = ?", (swap_id,)
    ).fetchone()
    if row is None:
        raise LookupError(f"no swap {swap_id}")
    return row


def _retire_open_rows(conn: sqlite3.Connection, swap_id: int, why: str, *, offer_only: bool = False) -> None:
    """The swap closed (or was answered): its offer and approval requests not yet sent no longer apply."""
    conn.execute(
        "UPDATE notification SET state = 'expired', last_error = ? WHERE state = 'pending'"
        " AND kind IN ('swap', 'swap-approval') AND (dedupe LIKE ? OR dedupe LIKE ?)",
        (f"{NO_LONGER}: {why}", f"swap:{swap_id}:%", "-" if offer_only else f"swap-approval:{swap_id}:%"),
    )


def _decided(person: Person, swap_id: int, what: str, moment: datetime, until: datetime, shift: Shift,
             title: str, body: str) -> _Row:
    return _Row(person.id, "swap-decided", shift.id, moment, moment, until, title, body,
                f"swap-decided:{swap_id}:{what}:{person.id}")


@_hook
def swap_changed(
    conn: sqlite3.Connection, swap_id: int, what: str, actor_id: int, by_swap_id: int | None = None
) -> int:
    """Queue what this step of a swap tells whom (exactly one row per person told); returns how many."""
    from ..people import all_people, get_by_id
    from ..rota import get_shift

    moment = now()
    row = _swap_row(conn, swap_id)
    a, b = get_by_id(conn, row["from_person"]), get_by_id(conn, row["to_person"])
    x, y = get_shift(conn, row["from_shift"]), get_shift(conn, row["to_shift"])  # a gives x, b gives y
    if a is None or b is None:
        return 0
    if what in CLOSED:
        _retire_open_rows(conn, swap_id, f"the swap was {what}")
    elif what == "accepted":  # the person asked has answered: their offer, if not yet sent, need not be
        _retire_open_rows(conn, swap_id, "the swap was accepted", offer_only=True)
    soon = min(x.start_utc, y.start_utc)  # after this the swap can no longer happen
    later = max(x.start_utc, y.start_utc)
    offered = f"shift #{x.id} ({_long(x)}) for shift #{y.id} ({_long(y)})"
    rows: list[_Row] = []
    if what == "proposed":
        rows.append(_Row(
            b.id, "swap", y.id, moment, moment, soon,
            f"Swap proposed: your {_short(y)}",
            f"{a.name} offers shift #{x.id} ({_long(x)}) for your shift #{y.id} ({_long(y)}). {WHERE_TO_ANSWER}",
            f"swap:{swap_id}:{b.id}",
        ))
    elif what == "accepted":  # the line needs a coordinator's approval
        rows.append(_decided(
            a, swap_id, what, moment, soon, x, f"Swap accepted: {_short(x)}",
            f"{b.name} accepted your {offered}. It is done once a coordinator approves it.",
        ))
        for c in all_people(conn, include_inactive=False):
            if c.is_coordinator and c.id != actor_id:
                rows.append(_Row(
                    c.id, "swap-approval", y.id, moment, moment, soon,
                    f"Swap to approve: {_short(x)} and {_short(y)}",
                    f"{a.name} gives shift #{x.id} ({_long(x)}) to {b.name} for their shift #{y.id} ({_long(y)});"
                    f" {b.name} accepted. Approve or refuse it in warmline: the inbox on Home, or Swaps.",
                    f"swap-approval:{swap_id}:{c.id}",
                ))
    elif what == "done":
        if _approved(conn, swap_id):
            told = [(a, y, x), (b, x, y)]
            by = "A coordinator approved it"
        else:
            told = [(a, y, x)]  # b accepted it: b did it
            by = f"{b.name} accepted"
        for person, taking, giving in told:
            if person.id != actor_id:
                rows.append(_decided(
                    person, swap_id, what, moment, later, taking, f"Swap done: you take {_short(taking)}",
                    f"{by}: you are now on shift #{taking.id} ({_long(taking)}), no longer on shift #{giving.id}.",
                ))
    elif what == "declined":
        rows.append(_decided(
            a, swap_id, what, moment, soon, x, f"Swap declined: {_short(x)}",
            f"{b.name} declined your {offered}. You stay on shift #{x.id}.",
        ))
    elif what == "withdrawn":
        rows.append(_decided(
            b, swap_id, what, moment, soon, y, f"Swap withdrawn: your {_short(y)}",
            f"{a.name} withdrew the swap of {offered}. Nothing changes: you stay on shift #{y.id}.",
        ))
    elif what == "refused":
        for person, mine in ((a, x), (b, y)):
            if person.id != actor_id:
                rows.append(_decided(
                    person, swap_id, what, moment, soon, mine, f"Swap refused: {_short(mine)}",
                    f"A coordinator refused the swap of {offered}. Nothing changes: you stay on shift #{mine.id}.",
                ))
    elif what == "superseded":  # another swap took one of its seats; the people of that swap are told of it
        done_ids = _people_of(conn, by_swap_id)
        for person, mine in ((a, x), (b, y)):
            if person.id != actor_id and person.id not in done_ids:
                rows.append(_decided(
                    person, swap_id, what, moment, soon, mine, f"Swap withdrawn: {_short(mine)}",
                    f"The swap of {offered} can no longer happen: one of its shifts changed hands in another swap."
                    f" Nothing changes: you stay on shift #{mine.id}.",
                ))
    inactive = {p.id for p in (a, b) if not p.active}  # nobody inactive is told (coordinators are read active)
    return _insert(conn, [r for r in rows if r.person_id not in inactive], moment, update=False)


def _approved(conn: sqlite3.Connection, swap_id: int) -> bool:
    return conn.execute("SELECT approved_by IS NOT NULL FROM swap WHERE id = ?", (swap_id,)).fetchone()[0] == 1


def _people_of(conn: sqlite3.Connection, swap_id: int | None) -> set[int]:
    """The two people of a swap (none for None)."""
    found = conn.execute("SELECT from_person, to_person FROM swap WHERE id = ?", (swap_id,)).fetchone() if swap_id else None
    return set(found) if found else set()
