"""People: volunteers and coordinators, their limits, languages and the tags they chose to share.

A person's tags are visible only to themself and to coordinators; every function
that returns tags checks that. Audit rows record tag changes as counts, never names.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Collection, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import NamedTuple

from . import audit
from .access import close_lock_window, hash_passphrase, require, sign_in
from .clock import now
from .db import Database, iso_utc
from .errors import Invalid, Refused
from .identity import (  # noqa: F401 (people.get, people.fresh_actor, ...: reading a person is identity's)
    _PERSON_COLUMNS,
    HANDLE_RE,
    by_login,
    fresh_actor,
    get,
    get_by_id,
    validate_handle,
)
from .line_settings import get as get_line
from .model import ROLES, Person
from .text import clean_text
from .triad_membership import take_out

LOGIN_RE = re.compile(r"[A-Za-z0-9._][A-Za-z0-9._@-]{0,63}")
LIMIT_BOUNDS = {
    "max_hours_week": (0, 168, "max hours per week"),
    "max_shifts_week": (0, 50, "max shifts per week"),
    "min_rest_hours": (0, 168, "min rest hours"),
    "max_overnights_month": (0, 31, "max overnight shifts per month"),
}
LIMIT_FIELDS = tuple(LIMIT_BOUNDS)


def validate_limit(field: str, value: float | int | None) -> float | int | None:
    """Refuse a limit outside its sensible range."""
    if value is None:
        return None
    low, high, label = LIMIT_BOUNDS[field]
    if value != value or value < low or value > high:  # value != value catches NaN
        raise Invalid(f"{label} is {value}; it must be between {low} and {high}")
    return value


def all_people(
    conn: sqlite3.Connection, *, include_inactive: bool = True, ids: Collection[int] | None = None
) -> list[Person]:
    """Everyone on the line (or only those with the given ids), ordered by handle."""
    where = [] if include_inactive else ["active = 1"]
    args: tuple = ()
    if ids is not None:
        # One bound JSON array rather than one parameter per id: no limit on how many.
        where.append("id IN (SELECT value FROM json_each(?))")
        import json

        args = (json.dumps(sorted(ids)),)
    sql = f"SELECT {_PERSON_COLUMNS} FROM person"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY handle"
    # Plain tuples and positional Person(...) calls: sqlite3.Row -> dict -> Person(**data) cost
    # ~3x as much, which shows on the People screen (10,000 people).
    cur = conn.cursor()
    cur.row_factory = None
    rows = cur.execute(sql, args).fetchall()
    langs: dict[int, list[str]] = {}
    lang_sql = "SELECT person_id, tag_id FROM person_language"
    if ids is not None:
        lang_sql += " WHERE person_id IN (SELECT value FROM json_each(?))"
    for pid, tag in cur.execute(lang_sql + " ORDER BY person_id, tag_id", args):
        langs.setdefault(pid, []).append(tag)
    none: tuple[str, ...] = ()
    return [
        Person(pid, handle, name, role, login, pronouns, hours, shifts, rest, overnights, bool(active),
               bool(has_passphrase), tuple(langs[pid]) if pid in langs else none)
        for pid, handle, name, role, login, pronouns, hours, shifts, rest, overnights, active, has_passphrase in rows
    ]


class Listed(NamedTuple):
    """One person as a list of people shows them."""

    id: int
    handle: str
    name: str
    role: str
    active: bool
    languages: tuple[str, ...]  # tag ids, sorted


def roster(conn: sqlite3.Connection) -> list[Listed]:
    """Everyone on the line, ordered by handle, with only what a list shows (no limits, login or passphrase).

    About half the cost of all_people: ~60 ms less on a line of 10,000 people, each time the
    People screen loads.
    """
    cur = conn.cursor()
    cur.row_factory = None
    langs: dict[int, list[str]] = {}
    for pid, tag in cur.execute("SELECT person_id, tag_id FROM person_language ORDER BY person_id, tag_id"):
        langs.setdefault(pid, []).append(tag)
    none: tuple[str, ...] = ()
    return [
        Listed(pid, handle, name, role, active == 1, tuple(langs[pid]) if pid in langs else none)
        for pid, handle, name, role, active in cur.execute(
            "SELECT id, handle, name, role, active FROM person ORDER BY handle"
        )
    ]


def login_seen_by(viewer: Person, person: Person) -> str | None:
    """`person`'s OS login as `viewer` may see it: coordinators and the person themself; None to anyone else."""
    if viewer.is_coordinator or viewer.id == person.id:
        return person.login
    return None


def tags_of(conn: sqlite3.Connection, viewer: Person, person: Person) -> list[tuple[str, str]]:
    """(tag id, state) pairs of a person's tags; only they and coordinators may see them."""
    if viewer.id != person.id:
        require(viewer, "tags.read.others")
    return [
        (r[0], r[1])
        for r in conn.execute(
            "SELECT tag_id, state FROM person_tag WHERE person_id = ? ORDER BY tag_id", (person.id,)
        )
    ]


def offered_tags(conn: sqlite3.Connection, viewer: Person) -> dict[str, tuple[str, ...]]:
    """Every person's offered tags (handle -> tag ids, sorted), for coordinators only.

    Offered only: a proposed tag is not used until its person accepts it, a paused one not while
    paused, so neither counts as offered (People's tag filter, the Tags screen's counts).
    """
    require(viewer, "tags.read.others")
    cur = conn.cursor()
    cur.row_factory = None
    found: dict[str, list[str]] = {}
    for handle, tag_id in cur.execute(
        "SELECT p.handle, t.tag_id FROM person_tag t JOIN person p ON p.id = t.person_id"
        " WHERE t.state = 'offered' ORDER BY t.person_id, t.tag_id"
    ):
        found.setdefault(handle, []).append(tag_id)
    return {handle: tuple(ids) for handle, ids in found.items()}


@dataclass
class PersonChanges:
    """What an edit changes; None leaves a field as it is."""

    name: str | None = None
    role: str | None = None
    login: str | None = None
    pronouns: str | None = None
    languages: list[str] | None = None
    max_hours_week: float | None = None
    max_shifts_week: int | None = None
    min_rest_hours: float | None = None
    max_overnights_month: int | None = None
    offer: tuple[str, ...] = ()
    pause: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    active: bool | None = None


def _resolve_tags(conn: sqlite3.Connection, names, *, family: str | None = None):
    if not names:
        return []
    from .tags import resolver  # here, not at the top: the app's start reads people, never tags

    found = resolver(conn).resolve_many(names, family=family)
    if family is None:
        for tag in found:
            if tag.family == "language":
                raise Invalid(f"{tag.label} is a language: give it with --language, not as a tag")
    return found


def insert_person(
    conn: sqlite3.Connection,
    *,
    actor: str,
    handle: str,
    name: str,
    role: str = "volunteer",
    login: str | None = None,
    pronouns: str | None = None,
    languages: tuple[str, ...] | list[str] = (),
    tags: tuple[str, ...] | list[str] = (),
    paused_tags: tuple[str, ...] | list[str] = (),
    passphrase: str | None = None,
    tags_set_by_self: bool = False,
    **limits: float | int | None,
) -> int:
    """Insert one person inside the caller's transaction, validating every field; returns the id.

    Consent (issue 15): the tags a coordinator gives someone they add are *proposed* (used for
    matching only once the person accepts them; the person is told, never which), each a 'proposed'
    step by `actor` in the person's consent history; paused tags stay paused (never used). With
    `tags_set_by_self` (the demo's invented people) the tags are the person's own: offered at once.
    """
    validate_handle(handle)
    name = clean_text(name, "the name", limit=80)
    if role not in ROLES:
        raise Invalid(f"role {role!r} is not one of: {', '.join(ROLES)}")
    if login is not None and not LOGIN_RE.fullmatch(login):
        raise Invalid(f"{login[:40]!r} is not a valid OS login name")
    if pronouns is not None:
        pronouns = clean_text(pronouns, "the pronouns", limit=30, allow_empty=True) or None
    for field, value in limits.items():
        if field not in LIMIT_FIELDS:
            raise TypeError(f"unknown limit {field}")
        validate_limit(field, value)
    offered = _resolve_tags(conn, tags)
    paused = _resolve_tags(conn, paused_tags)
    both = {t.id for t in offered} & {t.id for t in paused}
    if both:
        raise Invalid("a tag cannot be both offered and paused: give it once")
    langs = _resolve_tags(conn, languages, family="language")
    if conn.execute("SELECT 1 FROM person WHERE handle = ?", (handle,)).fetchone():
        raise Refused(f"the handle {handle} is taken: choose another")
    if login and conn.execute("SELECT 1 FROM person WHERE login = ?", (login,)).fetchone():
        raise Refused(f"the login {login} already belongs to someone on this line")
    cur = conn.execute(
        "INSERT INTO person (handle, name, role, login, pronouns, passphrase_hash, max_hours_week,"
        " max_shifts_week, min_rest_hours, max_overnights_month, active, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
        (
            handle,
            name,
            role,
            login,
            pronouns,
            hash_passphrase(passphrase) if passphrase else None,
            limits.get("max_hours_week"),
            limits.get("max_shifts_week"),
            limits.get("min_rest_hours"),
            limits.get("max_overnights_month"),
            iso_utc(now()),
        ),
    )
    pid = cur.lastrowid
    given = "offered" if tags_set_by_self else "proposed"  # a coordinator only proposes (consent)
    conn.executemany(
        "INSERT INTO person_tag (person_id, tag_id, state) VALUES (?, ?, ?)",
        [(pid, t.id, given) for t in offered] + [(pid, t.id, "paused") for t in paused],
    )
    if offered or paused:
        from .consent import record as consent_record  # here: the app's start never writes tags

        adder = conn.execute("SELECT id FROM person WHERE handle = ?", (actor,)).fetchone()
        by = pid if tags_set_by_self else (adder[0] if adder else None)
        at = iso_utc(now())
        for t in offered:
            consent_record(conn, pid, t.id, given, by, at)
        for t in paused:
            consent_record(conn, pid, t.id, "paused", by, at)
        if offered and not tags_set_by_self:  # the outbox tells them once, never which (notify/reactions.py)
            from . import events

            events.report(conn, "tags.proposed", person_id=pid, at=at)
    conn.executemany(
        "INSERT OR IGNORE INTO person_language (person_id, tag_id) VALUES (?, ?)", [(pid, t.id) for t in langs]
    )
    audit.record(
        conn,
        actor,
        "person.add",
        handle,
        f"role {role}; {len(offered)} tags {given}, {len(paused)} paused",
    )
    return pid


def add(db: Database, actor: Person, **fields) -> Person:
    """Add a person (coordinators only)."""
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        require(who, "person.add")
        pid = insert_person(conn, actor=who.handle, **fields)
        return get_by_id(conn, pid)


def edit(db: Database, actor: Person, handle: str, changes: PersonChanges, *, line=None) -> Person:
    """Edit a person. Volunteers may edit only themself, and may only lower their limits."""
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        person = get(conn, handle)
        if who.id == person.id and not who.is_coordinator:
            require(who, "person.edit.self", target=person)
            for field, label in (("role", "role"), ("login", "login"), ("active", "active flag")):
                if getattr(changes, field) is not None:
                    raise Refused(f"only coordinators may change a person's {label}; {who.handle} is a volunteer")
            limits_now = person.limits(line or get_line(conn))
            for field in LIMIT_FIELDS:
                new = getattr(changes, field)
                if new is not None and new > getattr(limits_now, field) and field != "min_rest_hours":
                    raise Refused(
                        f"{who.handle} may lower their own {LIMIT_BOUNDS[field][2]} but not raise it "
                        f"(now {getattr(limits_now, field):g}, asked {new:g}): ask a coordinator"
                    )
                if field == "min_rest_hours" and new is not None and new < limits_now.min_rest_hours:
                    raise Refused(
                        f"{who.handle} may lengthen their own min rest but not shorten it "
                        f"(now {limits_now.min_rest_hours:g} h, asked {new:g} h): ask a coordinator"
                    )
        else:
            require(who, "person.edit", target=person)
        sets: dict[str, object] = {}
        if changes.name is not None:
            sets["name"] = clean_text(changes.name, "the name", limit=80)
        if changes.role is not None:
            if changes.role not in ROLES:
                raise Invalid(f"role {changes.role!r} is not one of: {', '.join(ROLES)}")
            if person.id == who.id and changes.role != "coordinator":
                _refuse_last_coordinator(conn, person)
            sets["role"] = changes.role
        if changes.login is not None:
            login = changes.login or None
            if login is not None and not LOGIN_RE.fullmatch(login):
                raise Invalid(f"{login[:40]!r} is not a valid OS login name")
            if login and conn.execute(
                "SELECT 1 FROM person WHERE login = ? AND id != ?", (login, person.id)
            ).fetchone():
                raise Refused(f"the login {login} already belongs to someone on this line")
            sets["login"] = login
        if changes.pronouns is not None:
            sets["pronouns"] = clean_text(changes.pronouns, "the pronouns", limit=30, allow_empty=True) or None
        for field in LIMIT_FIELDS:
            value = getattr(changes, field)
            if value is not None:
                sets[field] = validate_limit(field, value)
        if changes.active is not None:
            if not changes.active:
                raise Invalid("use `warmline people deactivate` to deactivate someone")
            sets["active"] = 1
        if sets:
            assignments = ", ".join(f"{k} = ?" for k in sets)
            conn.execute(f"UPDATE person SET {assignments} WHERE id = ?", (*sets.values(), person.id))
        if changes.languages is not None:
            langs = _resolve_tags(conn, changes.languages, family="language")
            conn.execute("DELETE FROM person_language WHERE person_id = ?", (person.id,))
            conn.executemany(
                "INSERT OR IGNORE INTO person_language (person_id, tag_id) VALUES (?, ?)",
                [(person.id, t.id) for t in langs],
            )
        offered = _resolve_tags(conn, changes.offer)
        paused = _resolve_tags(conn, changes.pause)
        removed = _resolve_tags(conn, changes.remove_tags)
        clash = ({t.id for t in offered} & {t.id for t in paused}) | (
            {t.id for t in removed} & ({t.id for t in offered} | {t.id for t in paused})
        )
        if clash:
            raise Invalid("the same tag was given twice (offer, pause or remove): give each tag once")
        # Consent (issue 15): a coordinator's offer for someone else is a proposal; each step is in the
        # person's consent history (consent.py), written in this transaction.
        from .consent import change as consent_change  # here: the app's start never edits a person

        n = consent_change(conn, who, person, offer=offered, pause=paused, remove=removed)
        changed = sorted(sets) + (["languages"] if changes.languages is not None else [])
        detail = ", ".join(changed)
        if offered or paused or removed:
            proposed = f"{n['proposed']} proposed, " if n["proposed"] else ""
            counts = f"tags: {n['offered']} offered, {proposed}{n['paused']} paused, {n['removed']} removed"
            detail = f"{detail}; {counts}" if detail else counts
            if who.id != person.id:
                detail += f" (by coordinator {who.handle} at {person.handle}'s request)"
        if not detail:
            raise Invalid("nothing to change: give at least one option (see `warmline people edit --help`)")
        audit.record(conn, who.handle, "person.edit", person.handle, detail)
        return get_by_id(conn, person.id)


def _refuse_last_coordinator(conn: sqlite3.Connection, person: Person) -> None:
    others = conn.execute(
        "SELECT count(*) FROM person WHERE role = 'coordinator' AND active = 1 AND id != ?", (person.id,)
    ).fetchone()[0]
    if person.role == "coordinator" and others == 0:
        raise Refused(f"{person.handle} is the line's last active coordinator: make someone else coordinator first")


def deactivate(db: Database, actor: Person, handle: str) -> tuple[Person, int]:
    """Deactivate a person and take them off future shifts; returns (person, shifts released)."""
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        person = get(conn, handle)
        require(who, "person.deactivate", target=person)
        if not person.active:
            raise Refused(f"{handle} is already inactive")
        _refuse_last_coordinator(conn, person)
        moment = iso_utc(now())
        ids = [r[0] for r in conn.execute(FUTURE_SEATS, (person.id, moment))]
        released = conn.execute(
            "DELETE FROM assignment WHERE person_id = ? AND shift_id IN"
            " (SELECT id FROM shift WHERE start_utc > ? AND status = 'scheduled')",
            (person.id, moment),
        ).rowcount
        conn.execute(
            "UPDATE cover_request SET status = 'withdrawn', closed_at = ? WHERE person_id = ? AND status = 'open'",
            (moment, person.id),
        )
        conn.execute("UPDATE person SET active = 0 WHERE id = ?", (person.id,))
        # Out of triads as `triad leave` would take them: opted out, and out of a current triad.
        conn.execute("DELETE FROM triad_optin WHERE person_id = ?", (person.id,))
        left = take_out(conn, person.id, moment)
        if left is not None:
            audit.record(conn, who.handle, "triad.leave", f"triad {left[0]}", f"{handle} (deactivated)")
        # The shift ids let a reactivation offer the seats back (rota.released_seats reads them).
        audit.record(
            conn, who.handle, "person.deactivate", handle,
            f"released from {released} future shifts" + (f"{RELEASED_IDS}{','.join(map(str, ids))}" if ids else ""),
        )
        return get_by_id(conn, person.id), released


# A person's seats on scheduled shifts that have not started (what deactivation releases).
FUTURE_SEATS = (
    "SELECT a.shift_id FROM assignment a JOIN shift s ON s.id = a.shift_id"
    " WHERE a.person_id = ? AND s.start_utc > ? AND s.status = 'scheduled' ORDER BY s.start_utc"
)
RELEASED_IDS = "; shift ids "


def future_seats(conn: sqlite3.Connection, actor: Person, handle: str) -> int:
    """How many future shifts deactivating `handle` would release (coordinators; to confirm first)."""
    who = fresh_actor(conn, actor)
    person = get(conn, handle)
    require(who, "person.deactivate", target=person)
    return len(conn.execute(FUTURE_SEATS, (person.id, iso_utc(now()))).fetchall())


def set_passphrase(db: Database, actor: Person, handle: str, passphrase: str, *, current: str | None = None) -> None:
    """Set a passphrase (a person's own, or anyone's for a coordinator). Only its scrypt hash is stored.

    Changing one's own passphrase, once there is one, needs the current one (`current`): a session
    left open must not let someone else lock its owner out. It is checked as a sign-in is, so
    wrong guesses count toward the lock. A coordinator resetting someone else's needs none.
    """
    row = db.conn.execute("SELECT id, passphrase_hash FROM person WHERE handle = ?", (handle,)).fetchone()
    if row is not None and row[0] == actor.id and row[1]:
        if not current:
            raise Refused("changing your own passphrase needs your current one: nothing was changed")
        try:
            sign_in(db, handle, current)
        except Refused as exc:
            raise Refused(f"your current passphrase was not accepted, so nothing was changed ({exc})") from None
    hashed = hash_passphrase(passphrase)  # before the transaction: scrypt is deliberately slow
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        person = get(conn, handle)
        if who.id == person.id:
            require(who, "person.passphrase.self", target=person)
        else:
            require(who, "person.passphrase", target=person)
        close_lock_window(conn, person.id)  # a lock window it ends still gets its one audit row
        conn.execute(
            "UPDATE person SET passphrase_hash = ?, failed_signins = 0, locked_until = NULL WHERE id = ?",
            (hashed, person.id),
        )
        audit.record(conn, who.handle, "person.passphrase", handle, "passphrase set")


class Saved(NamedTuple):
    """What `save_person` wrote: the person as they are now, the steps taken, shifts released."""

    person: Person
    steps: tuple[str, ...]  # of "passphrase", "details", "deactivated", in the order written
    released: int = 0  # future shifts a deactivation took them off


class _OneTransaction:
    """The database as `set_passphrase`, `edit` and `deactivate` see it inside `save_person`: their
    transactions are one, begun (db.transaction) by the first of them and ended by save_person."""

    def __init__(self, db: Database, stack: ExitStack) -> None:
        self._db, self._stack = db, stack
        self.conn = db.conn
        self.path = db.path

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        if not self.conn.in_transaction:
            self._stack.enter_context(self._db.transaction())
        yield self.conn


def save_person(
    db: Database,
    actor: Person,
    handle: str,
    changes: PersonChanges | None,
    passphrase: str | None,
    deactivate_too: bool,
) -> Saved:
    """A coordinator's save of the person editor, in ONE transaction: a new passphrase, the changed
    details and tags, then deactivation. Each step checks what it always checks; if one refuses,
    nothing of the save is written (never "details saved, then the passphrase refused").

    The passphrase goes first so its scrypt hash (which refuses a bad one) is worked out before
    the write transaction begins.
    """
    steps: list[str] = []
    released = 0
    with ExitStack() as stack:  # ends the transaction: commit, or roll back what any step wrote
        within = _OneTransaction(db, stack)
        if passphrase is not None:
            set_passphrase(within, actor, handle, passphrase)  # type: ignore[arg-type]
            steps.append("passphrase")
        if changes is not None:
            edit(within, actor, handle, changes)  # type: ignore[arg-type]
            steps.append("details")
        if deactivate_too:
            _, released = deactivate(within, actor, handle)  # type: ignore[arg-type]
            steps.append("deactivated")
    return Saved(get(db.conn, handle), tuple(steps), released)
