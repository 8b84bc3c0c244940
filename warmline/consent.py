"""Consent to lived-experience tags: proposals, acceptance, and each person's consent history.

A tag of a person is 'proposed' (a coordinator suggested it), 'offered' (the person accepted it, or
set it themself: only offered tags are used for matching) or 'paused' (kept, unused); a removed or
declined tag has no row. Every step is one row of the person's consent history (table tag_consent,
append-only: its triggers refuse UPDATE and DELETE), written in the same transaction as the change.
Only the person and coordinators read the history; only the person accepts or declines a proposal.
Tags never appear in the audit log or in an error: the audit rows say counts.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from . import audit, events
from .clock import now
from .db import Database, iso_utc
from .errors import Invalid, Refused
from .identity import fresh_actor, get
from .model import Person
from .permissions import require
from .tags import all_tags, resolver
from .taxonomy import Tag

# What a history row says happened, in the schema's words (migration 12).
WHATS = ("proposed", "accepted", "declined", "offered", "paused", "resumed", "removed", "added", "before-consent")


class Step(NamedTuple):
    """One row of a person's consent history (`at` is the stored UTC text)."""

    at: str
    tag_id: str
    label: str
    what: str
    by: str | None  # the handle of who did it; None for the rows the migration wrote


def record(conn: sqlite3.Connection, person_id: int, tag_id: str, what: str, by_id: int | None, at: str | None = None) -> None:
    """Append one step to a person's consent history, inside the caller's transaction."""
    if what not in WHATS:
        raise ValueError(f"unknown consent step {what!r}")
    conn.execute(
        "INSERT INTO tag_consent (person_id, tag_id, what, by_id, at) VALUES (?, ?, ?, ?, ?)",
        (person_id, tag_id, what, by_id, at or iso_utc(now())),
    )


def _states(conn: sqlite3.Connection, person_id: int) -> dict[str, str]:
    return dict(conn.execute("SELECT tag_id, state FROM person_tag WHERE person_id = ?", (person_id,)).fetchall())


def _set(conn: sqlite3.Connection, person_id: int, tag_id: str, state: str) -> None:
    conn.execute(
        "INSERT INTO person_tag (person_id, tag_id, state) VALUES (?, ?, ?)"
        " ON CONFLICT (person_id, tag_id) DO UPDATE SET state = excluded.state",
        (person_id, tag_id, state),
    )


def change(
    conn: sqlite3.Connection, who: Person, person: Person, *, offer: list[Tag], pause: list[Tag], remove: list[Tag]
) -> dict[str, int]:
    """Apply an edit's tag changes with consent, inside the caller's (people.edit's) transaction.

    The person's own offer offers (accepting a proposal, resuming a paused tag, or a new tag); a
    coordinator's offer for someone else proposes (an offered tag stays offered). Pausing keeps a tag
    unused (never a consent: a paused tag is never used). Removing drops any tag. Returns the
    counts for the audit row: offered, proposed, paused, removed.
    """
    own = who.id == person.id
    states = _states(conn, person.id)
    at = iso_utc(now())
    counts = {"offered": 0, "proposed": 0, "paused": 0, "removed": 0}
    fresh = 0
    for t in offer:
        before = states.get(t.id)
        if before == "offered":
            counts["offered"] += 1
            continue
        if own:
            _set(conn, person.id, t.id, "offered")
            what = {"proposed": "accepted", "paused": "resumed"}.get(before or "", "offered")
            record(conn, person.id, t.id, what, who.id, at)
            counts["offered"] += 1
        else:
            if before != "proposed":  # proposed again (a re-run import): no second step
                _set(conn, person.id, t.id, "proposed")
                record(conn, person.id, t.id, "proposed", who.id, at)
                fresh += 1
            counts["proposed"] += 1
    if fresh:  # the outbox tells the person once for the edit, never which tag (notify/reactions.py)
        events.report(conn, "tags.proposed", person_id=person.id, at=at)
    for t in pause:
        if states.get(t.id) != "paused":
            _set(conn, person.id, t.id, "paused")
            record(conn, person.id, t.id, "paused", who.id, at)
        counts["paused"] += 1
    for t in remove:
        if t.id in states:
            conn.execute("DELETE FROM person_tag WHERE person_id = ? AND tag_id = ?", (person.id, t.id))
            record(conn, person.id, t.id, "removed", who.id, at)
        counts["removed"] += 1
    return counts


def _own_proposal(conn: sqlite3.Connection, who: Person, name: str) -> Tag:
    tag = resolver(conn).resolve(name)
    if tag.family == "language":
        raise Invalid(
            "that is a language, not a tag to accept or decline: languages are set with `warmline people edit --language`"
        )
    if _states(conn, who.id).get(tag.id) != "proposed":
        raise Invalid(
            f"nothing of that name is proposed to {who.handle}: see `warmline people show {who.handle}` "
            "for your tags and what waits for you"
        )
    return tag


def accept(db: Database, actor: Person, name: str) -> Tag:
    """Accept a tag a coordinator proposed to the acting person: from now on it is used for matching."""
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        tag = _own_proposal(conn, who, name)
        _set(conn, who.id, tag.id, "offered")
        record(conn, who.id, tag.id, "accepted", who.id)
        audit.record(conn, who.handle, "tags.accept", who.handle, "1 proposed tag accepted")
    return tag


def decline(db: Database, actor: Person, name: str) -> Tag:
    """Decline a tag a coordinator proposed to the acting person: it leaves their profile."""
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        tag = _own_proposal(conn, who, name)
        conn.execute("DELETE FROM person_tag WHERE person_id = ? AND tag_id = ?", (who.id, tag.id))
        record(conn, who.id, tag.id, "declined", who.id)
        audit.record(conn, who.handle, "tags.decline", who.handle, "1 proposed tag declined")
    return tag


def _may_read(viewer: Person, person: Person) -> None:
    if viewer.id != person.id and not viewer.is_coordinator:
        # Says nothing of whether the person has tags, proposals or a history at all.
        raise Refused(
            f"only {person.handle} and coordinators may read {person.handle}'s consent history; "
            f"{viewer.handle} may read their own (`warmline tags history`)"
        )


def proposals(conn: sqlite3.Connection, viewer: Person, person: Person) -> list[Tag]:
    """The tags proposed to `person`, waiting for them to accept or decline (the person and coordinators)."""
    _may_read(viewer, person)
    if viewer.id != person.id:
        require(viewer, "tags.read.others")
    by_id = {t.id: t for t in all_tags(conn)}
    ids = [r[0] for r in conn.execute(
        "SELECT tag_id FROM person_tag WHERE person_id = ? AND state = 'proposed' ORDER BY tag_id", (person.id,)
    )]
    return [by_id[i] for i in ids if i in by_id]


def history(conn: sqlite3.Connection, viewer: Person, person: Person) -> list[Step]:
    """`person`'s consent history, oldest first: only they and coordinators may read it."""
    _may_read(viewer, person)
    if viewer.id != person.id:
        require(viewer, "tags.read.others")
    rows = conn.execute(
        "SELECT c.at, c.tag_id, coalesce(t.label, c.tag_id), c.what, p.handle FROM tag_consent c"
        " LEFT JOIN tag t ON t.id = c.tag_id LEFT JOIN person p ON p.id = c.by_id"
        " WHERE c.person_id = ? ORDER BY c.id",
        (person.id,),
    ).fetchall()
    return [Step(*r) for r in rows]


def history_of(db: Database, actor: Person, handle: str | None = None) -> tuple[Person, list[Step]]:
    """(the person, their consent history) for `handle` (default: the acting person), as the actor may read it."""
    conn = db.conn  # a read: no write lock (as views.people.load_person)
    who = fresh_actor(conn, actor, reading=True)
    person = who if handle is None else get(conn, handle)
    return person, history(conn, who, person)

