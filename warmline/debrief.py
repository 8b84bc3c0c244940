"""Debriefs after a hard call: a person on shift (or in the two hours after it) asks to talk.

Who is asked: the backups of the asker's shift and the other members of the asker's triad
(`triad_member`), each on every channel they use (the notification outbox). What they are told:
who asks and when, nothing else: warmline takes no reason, no free text and nothing about a
caller, and a debrief never carries tags. The first to accept (inside BEGIN IMMEDIATE, so two
racing accepts cannot both win) is named to the asker; the others are told it is taken. A request
nobody took in 15 minutes goes to the coordinators (`escalate`, run by every notify round); one
with nobody else to ask goes to them at once.

Privacy: the audit rows of a debrief name no one (actor 'peer'), so the audit log does not tell
coordinators who asked or who took it; `stats` gives coordinators counts per month, and names
only the askers who chose to share (`request(share=True)`). Coordinators see a request
themselves only when it comes to them (escalated, or nobody else to ask).

The decision "on shift or within two hours after" uses the real clock (`clock.real_now`);
the request's recorded time and the 15-minute escalation follow `clock.now` (WARMLINE_NOW).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from . import audit, clock
from .db import Database, iso_utc, parse_utc
from .errors import Invalid, NotFound, Refused
from .model import Person

AFTER_SHIFT = timedelta(hours=2)  # a debrief may be asked for up to two hours after one's shift ends
ESCALATE_AFTER = timedelta(minutes=15)  # then the coordinators are told
STALE_AFTER = timedelta(hours=2)  # an open request older than this is not escalated any more
ANONYMOUS = "peer"  # the audit actor of a debrief: the log does not say who asked or took it


@dataclass(frozen=True)
class Debrief:
    """One request as the viewer may see it.

    `role` is the viewer's part: 'asker', or why it reached them ('backup', 'triad',
    'coordinator'). `taken_by_name` is shown to the asker and to whoever took it; to the other
    recipients only `taken` and `taken_by_you`.
    """

    id: int
    asked_at: datetime
    asker_handle: str
    asker_name: str
    status: str  # open | taken
    taken_at: datetime | None
    taken_by_handle: str | None
    taken_by_name: str | None
    escalated: bool
    shared: bool
    role: str
    taken_by_you: bool


# ---------------------------------------------------------------- who is asked


def current_shift(conn: sqlite3.Connection, person: Person, moment: datetime) -> int | None:
    """The shift the person is on at `moment`, or ended within the last two hours (the latest); else None."""
    row = conn.execute(
        "SELECT s.id FROM assignment a JOIN shift s ON s.id = a.shift_id"
        " WHERE a.person_id = ? AND s.status = 'scheduled' AND s.start_utc <= ? AND s.end_utc > ?"
        " ORDER BY s.start_utc DESC, s.id DESC LIMIT 1",
        (person.id, iso_utc(moment), iso_utc(moment - AFTER_SHIFT)),
    ).fetchone()
    return row[0] if row else None


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def triad_mates(conn: sqlite3.Connection, person_id: int) -> list[int]:
    """The ids of the other members of the person's triads (none when triads are not there)."""
    if not _has_table(conn, "triad_member"):
        return []
    return [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT m.person_id FROM triad_member m JOIN triad_member me ON me.triad_id = m.triad_id"
            " JOIN triad t ON t.id = m.triad_id WHERE t.status = 'active' AND me.person_id = ? AND m.person_id != ?"
            " AND me.left_at IS NULL AND m.left_at IS NULL ORDER BY m.person_id",
            (person_id, person_id),
        )
    ]


def _active(conn: sqlite3.Connection, ids) -> dict[int, Person]:
    from .people import all_people

    return {p.id: p for p in all_people(conn, include_inactive=False, ids=set(ids))}


def _coordinators(conn: sqlite3.Connection, but: int) -> list[Person]:
    from .people import all_people

    return [p for p in all_people(conn, include_inactive=False) if p.is_coordinator and p.id != but]


# ---------------------------------------------------------------- wording: who asks and when, nothing else


def _when(conn: sqlite3.Connection, moment: datetime) -> str:
    from .line import get as get_line
    from .recurrence import zone

    return f"{moment.astimezone(zone(get_line(conn).tz)):%a %H:%M}"


def _link(conn: sqlite3.Connection, debrief_id: int) -> None:
    """Point the outbox rows about this debrief at it (notification.debrief_id)."""
    conn.execute(
        "UPDATE notification SET debrief_id = ? WHERE debrief_id IS NULL AND kind IN ('debrief', 'debrief-taken',"
        " 'debrief-open') AND (dedupe LIKE ? OR dedupe LIKE ? OR dedupe LIKE ?)",
        (debrief_id, f"debrief:{debrief_id}:%", f"debrief-taken:{debrief_id}:%", f"debrief-open:{debrief_id}:%"),
    )


def _rows(conn, kind: str, debrief_id: int, asked: datetime, asker: Person, people: list[Person], moment: datetime):
    from .notify.rows import _Row

    when = _when(conn, asked)
    expires = asked + STALE_AFTER
    if kind == "debrief":
        title = f"Debrief asked: {asker.name}"
        body = f"{asker.name} asks for a debrief ({when}). If you can talk now: warmline debrief accept {debrief_id}"
    else:
        title = f"Debrief not yet taken: {asker.name}"
        body = (
            f"{asker.name} asked for a debrief ({when}) and nobody has taken it for 15 minutes."
            f" If you can talk now: warmline debrief accept {debrief_id}"
        )
    return [
        _Row(p.id, kind, None, asked, moment, expires, title, body, f"{kind}:{debrief_id}:{p.id}") for p in people
    ]


# ---------------------------------------------------------------- asking, accepting, escalating


def request(db: Database, actor: Person, *, share: bool = False) -> tuple[Debrief, list[Person]]:
    """Ask for a debrief; returns the request and the people asked. On shift or within 2 h after it (real clock)."""
    from .notify.rows import _insert
    from .people import fresh_actor

    real = clock.real_now()  # an access decision: never WARMLINE_NOW
    asked = clock.now()
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        shift_id = current_shift(conn, who, real)
        if shift_id is None:
            raise Refused(
                f"{who.handle} is not on a shift now and did not end one in the last 2 hours: a debrief is asked"
                " for on shift or soon after; a coordinator is there to talk to at any time"
            )
        mine = conn.execute(
            "SELECT id FROM debrief WHERE asker_id = ? AND status = 'open' AND asked_at > ?",
            (who.id, iso_utc(asked - STALE_AFTER)),
        ).fetchone()
        if mine:
            raise Refused(f"your debrief request {mine[0]} is still open: the people asked have been told; wait for one of them")
        backups = [
            r[0]
            for r in conn.execute(
                "SELECT person_id FROM assignment WHERE shift_id = ? AND role = 'backup' AND person_id != ?",
                (shift_id, who.id),
            )
        ]
        mates = triad_mates(conn, who.id)
        active = _active(conn, backups + mates)
        why: dict[int, str] = {}
        for pid in mates:
            if pid in active:
                why[pid] = "triad"
        for pid in backups:
            if pid in active:
                why[pid] = "backup"
        escalated = not why
        if escalated:  # nobody else to ask: the coordinators at once
            why = {p.id: "coordinator" for p in _coordinators(conn, who.id)}
            active = _active(conn, why)
        cur = conn.execute(
            "INSERT INTO debrief (asker_id, shift_id, asked_at, escalated_at, shared) VALUES (?, ?, ?, ?, ?)",
            (who.id, shift_id, iso_utc(asked), iso_utc(asked) if escalated else None, int(share)),
        )
        did = cur.lastrowid
        conn.executemany(
            "INSERT INTO debrief_recipient (debrief_id, person_id, why) VALUES (?, ?, ?)",
            [(did, pid, w) for pid, w in why.items()],
        )
        told = [active[pid] for pid in why]
        _insert(conn, _rows(conn, "debrief-open" if escalated else "debrief", did, asked, who, told, asked), asked, update=False)
        _link(conn, did)
        audit.record(
            conn,
            who.handle if share else ANONYMOUS,
            "debrief.request",
            f"debrief {did}",
            f"{len(told)} asked" + ("; to the coordinators at once" if escalated else "") + ("; shared" if share else ""),
        )
        return _one(conn, who, did), told


def accept(db: Database, actor: Person, debrief_id: int) -> Debrief:
    """Take a debrief request made to you: the first accept wins; the asker is told who, the others that it is taken."""
    from .notify.rows import _insert, _Row
    from .people import fresh_actor, get_by_id

    moment = clock.now()
    with db.transaction() as conn:  # BEGIN IMMEDIATE: of two racing accepts, the second sees 'taken'
        who = fresh_actor(conn, actor)
        row = conn.execute(
            "SELECT d.id, d.asker_id, d.asked_at, d.status, d.taken_by FROM debrief d"
            " JOIN debrief_recipient r ON r.debrief_id = d.id AND r.person_id = ? WHERE d.id = ?",
            (who.id, debrief_id),
        ).fetchone()
        if row is None:
            raise NotFound(f"there is no debrief request {debrief_id} for {who.handle}: see `warmline debrief list`")
        if row["status"] != "open":
            if row["taken_by"] == who.id:
                raise Refused(f"you have already taken debrief {debrief_id}")
            raise Refused(f"debrief {debrief_id} is already taken by someone else: nothing to do")
        conn.execute(
            "UPDATE debrief SET status = 'taken', taken_by = ?, taken_at = ? WHERE id = ? AND status = 'open'",
            (who.id, iso_utc(moment), debrief_id),
        )
        conn.execute(
            "UPDATE notification SET state = 'expired', last_error = 'no longer applies: the debrief was taken'"
            " WHERE state = 'pending' AND kind IN ('debrief', 'debrief-open') AND (dedupe LIKE ? OR dedupe LIKE ?)",
            (f"debrief:{debrief_id}:%", f"debrief-open:{debrief_id}:%"),
        )
        asker = get_by_id(conn, row["asker_id"])
        asked = parse_utc(row["asked_at"])
        when = _when(conn, asked)
        others = [
            p
            for p in _active(
                conn,
                [r[0] for r in conn.execute("SELECT person_id FROM debrief_recipient WHERE debrief_id = ?", (debrief_id,))],
            ).values()
            if p.id != who.id
        ]
        rows = [
            _Row(
                asker.id, "debrief-taken", None, moment, moment, moment + STALE_AFTER,
                f"Debrief taken: {who.name}", f"{who.name} will debrief with you (you asked {when}).",
                f"debrief-taken:{debrief_id}:{asker.id}",
            )
        ] + [
            _Row(
                p.id, "debrief-taken", None, moment, moment, moment + STALE_AFTER,
                "Debrief taken", f"The debrief {asker.name} asked for ({when}) is taken: thank you.",
                f"debrief-taken:{debrief_id}:{p.id}",
            )
            for p in others
        ]
        _insert(conn, rows, moment, update=False)
        _link(conn, debrief_id)
        audit.record(conn, ANONYMOUS, "debrief.accept", f"debrief {debrief_id}", "taken")
        return _one(conn, who, debrief_id)


def escalate(conn: sqlite3.Connection, moment: datetime) -> int:
    """Requests open for 15 minutes go to the coordinators ('debrief-open'). Run inside a notify round's
    write transaction; idempotent. Returns how many requests were escalated."""
    from .notify.rows import _insert
    from .people import get_by_id

    if not _has_table(conn, "debrief"):
        return 0
    due = conn.execute(
        "SELECT id, asker_id, asked_at FROM debrief WHERE status = 'open' AND escalated_at IS NULL"
        " AND asked_at <= ? AND asked_at > ? ORDER BY id",
        (iso_utc(moment - ESCALATE_AFTER), iso_utc(moment - STALE_AFTER)),
    ).fetchall()
    for did, asker_id, asked_at in due:
        asker = get_by_id(conn, asker_id)
        already = {r[0] for r in conn.execute("SELECT person_id FROM debrief_recipient WHERE debrief_id = ?", (did,))}
        told = [p for p in _coordinators(conn, asker_id) if p.id not in already]
        conn.executemany(
            "INSERT INTO debrief_recipient (debrief_id, person_id, why) VALUES (?, ?, 'coordinator')",
            [(did, p.id) for p in told],
        )
        conn.execute("UPDATE debrief SET escalated_at = ? WHERE id = ?", (iso_utc(moment), did))
        _insert(conn, _rows(conn, "debrief-open", did, parse_utc(asked_at), asker, told, moment), moment, update=False)
        _link(conn, did)
        audit.record(conn, "system", "debrief.escalate", f"debrief {did}", f"untaken for 15 min; {len(told)} coordinator{'' if len(told) == 1 else 's'} told")
    return len(due)


# ---------------------------------------------------------------- reading


_SELECT = (
    "SELECT d.id, d.asked_at, d.status, d.taken_at, d.escalated_at, d.shared, d.asker_id, d.taken_by,"
    " a.handle AS asker_handle, a.name AS asker_name, t.handle AS taker_handle, t.name AS taker_name"
    " FROM debrief d JOIN person a ON a.id = d.asker_id LEFT JOIN person t ON t.id = d.taken_by"
)


def _debrief(row: sqlite3.Row, viewer: Person, role: str) -> Debrief:
    mine = viewer.id in (row["asker_id"], row["taken_by"])
    return Debrief(
        id=row["id"],
        asked_at=parse_utc(row["asked_at"]),
        asker_handle=row["asker_handle"],
        asker_name=row["asker_name"],
        status=row["status"],
        taken_at=parse_utc(row["taken_at"]) if row["taken_at"] else None,
        taken_by_handle=row["taker_handle"] if mine else None,
        taken_by_name=row["taker_name"] if mine else None,
        escalated=row["escalated_at"] is not None,
        shared=bool(row["shared"]),
        role=role,
        taken_by_you=row["taken_by"] == viewer.id,
    )


def _one(conn: sqlite3.Connection, viewer: Person, debrief_id: int) -> Debrief:
    for d in visible(conn, viewer):
        if d.id == debrief_id:
            return d
    raise NotFound(f"there is no debrief request {debrief_id} for {viewer.handle}")


def visible(conn: sqlite3.Connection, viewer: Person, *, since: datetime | None = None) -> list[Debrief]:
    """The requests the viewer asked or was asked to take (coordinators: those that came to them), newest first."""
    if not _has_table(conn, "debrief"):
        return []
    where, params = "", [viewer.id, viewer.id, viewer.id]
    if since is not None:
        where = " AND d.asked_at >= ?"
        params.append(iso_utc(since))
    rows = conn.execute(
        f"{_SELECT} LEFT JOIN debrief_recipient r ON r.debrief_id = d.id AND r.person_id = ?"
        f" WHERE (d.asker_id = ? OR r.person_id = ?){where} ORDER BY d.asked_at DESC, d.id DESC",
        params,
    ).fetchall()
    out = []
    for row in rows:
        if row["asker_id"] == viewer.id:
            role = "asker"
        else:
            role = conn.execute(
                "SELECT why FROM debrief_recipient WHERE debrief_id = ? AND person_id = ?", (row["id"], viewer.id)
            ).fetchone()[0]
        out.append(_debrief(row, viewer, role))
    return out


def open_for(conn: sqlite3.Connection, viewer: Person, moment: datetime | None = None) -> list[Debrief]:
    """Open requests the viewer could take now (not their own), asked in the last two hours."""
    moment = moment or clock.now()
    return [d for d in visible(conn, viewer, since=moment - STALE_AFTER) if d.role != "asker" and d.status == "open"]


@dataclass(frozen=True)
class MonthCount:
    """Debriefs asked and taken in one month (line-local), and the askers who chose to share their name."""

    month: str  # YYYY-MM
    asked: int
    taken: int
    shared: tuple[tuple[str, str, bool], ...]  # (asked_at local ISO, name, taken)


def stats(conn: sqlite3.Connection, actor: Person, start: datetime, end: datetime) -> list[MonthCount]:
    """Debriefs asked and taken per month in [start, end) (coordinators): counts, and only shared askers by name."""
    from .line import get as get_line
    from .recurrence import zone
    from .times import local_iso

    if not actor.active or not actor.is_coordinator:
        raise Refused(f"only coordinators may see debrief counts; {actor.handle} is a volunteer")
    if end <= start:
        raise Invalid("--to is not after --from: give a later --to")
    tz = zone(get_line(conn).tz)
    months: dict[str, list] = {}
    if not _has_table(conn, "debrief"):
        return []
    for asked_at, status, shared, name in conn.execute(
        "SELECT d.asked_at, d.status, d.shared, p.name FROM debrief d JOIN person p ON p.id = d.asker_id"
        " WHERE d.asked_at >= ? AND d.asked_at < ? ORDER BY d.asked_at",
        (iso_utc(start), iso_utc(end)),
    ):
        at = parse_utc(asked_at)
        key = f"{at.astimezone(tz):%Y-%m}"
        entry = months.setdefault(key, [0, 0, []])
        entry[0] += 1
        entry[1] += status == "taken"
        if shared:
            entry[2].append((local_iso(at, tz), name, status == "taken"))
    return [MonthCount(k, v[0], v[1], tuple(v[2])) for k, v in sorted(months.items())]


def month_start(day, tz) -> datetime:
    """Midnight at the start of the month holding `day`, in the line's zone."""
    from .recurrence import localize

    return localize(datetime.combine(day.replace(day=1), time(0)), tz)


def private_view(notification):
    """A debrief notification as someone other than its recipient sees it (a coordinator reading another
    person's notifications): that there was one, not who asked or took it. Other kinds pass unchanged."""
    import dataclasses

    if not notification.kind.startswith("debrief"):
        return notification
    return dataclasses.replace(notification, title="Debrief (private)", body="")
