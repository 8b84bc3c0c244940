"""The line's tags in the database: seeding the shipped taxonomy, listing, adding, resolving."""

from __future__ import annotations

import json
import sqlite3

from . import audit
from .db import Database
from .access import require
from .errors import Refused
from .identity import fresh_actor
from .taxonomy import Resolver, Tag, check_new, load_default
from .text import clean_text


def seed_defaults(conn: sqlite3.Connection) -> int:
    """Insert the shipped taxonomy (data/tags.toml); existing ids are kept as they are."""
    rows = [
        (t.id, t.label, t.family, json.dumps(list(t.aliases)), json.dumps(list(t.related)))
        for t in load_default()
    ]
    before = conn.total_changes
    conn.executemany(
        "INSERT OR IGNORE INTO tag (id, label, family, aliases, related) VALUES (?, ?, ?, ?, ?)", rows
    )
    return conn.total_changes - before


def all_tags(conn: sqlite3.Connection, family: str | None = None) -> list[Tag]:
    """Every tag of the line (optionally one family), ordered by family then label."""
    sql = "SELECT id, label, family, aliases, related FROM tag"
    params: tuple = ()
    if family:
        sql += " WHERE family = ?"
        params = (family,)
    sql += " ORDER BY family, label"
    return [
        Tag(r["id"], r["label"], r["family"], tuple(json.loads(r["aliases"])), tuple(json.loads(r["related"])))
        for r in conn.execute(sql, params)
    ]


def resolver(conn: sqlite3.Connection) -> Resolver:
    """A resolver over this line's tags (ids, labels and aliases, case-insensitive)."""
    return Resolver(all_tags(conn))


def add(db: Database, actor, *, tag_id: str, label: str, family: str, aliases: tuple[str, ...] = ()) -> Tag:
    """Add a custom tag (coordinators only), refusing clashes with existing ids, labels and aliases."""
    new = Tag(
        tag_id.strip().lower(),
        clean_text(label, "the tag's label", limit=60),
        family.strip().lower(),
        tuple(clean_text(a, "an alias", limit=60) for a in aliases),
    )
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        require(who, "tag.add")
        existing = all_tags(conn)
        same = next((t for t in existing if t.id == new.id), None)
        if same is not None:
            raise Refused(
                f"tag {same.id!r} exists already ({same.family}: {same.label}): use it as it is, "
                "or give the new tag another id (see `warmline tags list`)"
            )
        check_new(existing, new)
        conn.execute(
            "INSERT INTO tag (id, label, family, aliases, related) VALUES (?, ?, ?, ?, '[]')",
            (new.id, new.label, new.family, json.dumps(list(new.aliases))),
        )
        # Tags never appear in logs, not even taxonomy entries: the row says only that one was added.
        audit.record(conn, who.handle, "tag.add", "taxonomy", f"1 {new.family} tag added")
    return new
