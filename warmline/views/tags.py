"""The app's Tags screen, without Textual: the line's tags by label, and how many people offer each.

Coordinators may see the counts (the core refuses anyone else: they lead to who offers what). A
tag's id is internal: the screen shows labels, and the add form makes the id from the label, so a
coordinator never has to invent one. Only tags in the offered state count: a proposed tag waits for
its person to accept it and a paused one is not used, so neither is counted as offered.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from warmline import access, people
from warmline import tags as tag_svc
from warmline.db import Database
from warmline.errors import Invalid, Refused
from warmline.model import Person
from warmline.taxonomy import FAMILIES, Resolver, Tag

from .people import split_names

FAMILY_WORDS = {
    "experience": "experience",
    "circumstance": "circumstance",
    "identity": "identity",
    "language": "language",
}


@dataclass(frozen=True)
class TagRow:
    """One tag as the list shows it: label, kind, other names, and how many active people offer (or speak) it."""

    tag: Tag
    people: int

    @property
    def key(self) -> str:
        return self.tag.id

    @property
    def cells(self) -> tuple[str, str, str, str]:
        verb = "speak" if self.tag.family == "language" else "offer"
        return (self.tag.label, FAMILY_WORDS.get(self.tag.family, self.tag.family), ", ".join(self.tag.aliases),
                f"{self.people} {verb}{'s' if self.people == 1 else ''}" if self.people else "nobody")


@dataclass(frozen=True)
class TagsLoaded:
    """Every tag of the line (by family, then label) with its count, or the core's refusal."""

    rows: list[TagRow] = field(default_factory=list)
    refusal: str | None = None


def load_tags(db: Database, actor: Person) -> TagsLoaded:
    """The line's tags with how many active people offer each (languages: speak it); coordinators only."""
    conn = db.conn
    me = people.fresh_actor(conn, actor, reading=True)
    try:
        offered = people.offered_tags(conn, me)
    except Refused as exc:
        return TagsLoaded(refusal=str(exc))
    counts: dict[str, int] = {}
    for person in people.roster(conn):
        if not person.active:
            continue
        for tag_id in (*offered.get(person.handle, ()), *person.languages):
            counts[tag_id] = counts.get(tag_id, 0) + 1
    return TagsLoaded([TagRow(t, counts.get(t.id, 0)) for t in tag_svc.all_tags(conn)])


def tag_id_for(label: str, family: str, taken: set[str]) -> str:
    """An unused id made from the label ('Gambling recovery' -> 'gambling-recovery'; languages 'lang-…')."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if family == "language" and not slug.startswith("lang-"):
        slug = f"lang-{slug}" if slug else "lang"
    slug = slug[:34].strip("-")
    if len(slug) < 2:
        slug = "tag"
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


def add_tag(db: Database, actor: Person, label: str, family: str, also: str) -> Tag:
    """Add a tag from the app's form: the id is made from the label; a name already in use is refused
    in words without ids (the core checks the actor and the taxonomy again)."""
    access.require(people.fresh_actor(db.conn, actor, reading=True), "tag.add")  # said first; the core checks again
    if family not in FAMILIES:
        raise Invalid(f"choose what kind of tag it is: {', '.join(FAMILIES)}")
    if not label.strip():
        raise Invalid("the label is empty: give the words people should see, e.g. gambling recovery")
    aliases = tuple(split_names(also))
    existing = tag_svc.all_tags(db.conn)
    resolver = Resolver(existing)
    for name in (label, *aliases):
        try:
            found = resolver.resolve(name)
        except Invalid:
            continue
        said = name.strip()[:40]
        if found.label.casefold() == said.casefold():
            raise Refused(f"{found.label} is already a tag ({found.family}): use it as it is")
        raise Refused(f"{said!r} already names the {found.family} tag {found.label}: choose other words")
    tag_id = tag_id_for(label, family, {t.id for t in existing})
    return tag_svc.add(db, actor, tag_id=tag_id, label=label, family=family, aliases=aliases)


__all__ = ["TagRow", "TagsLoaded", "add_tag", "load_tags", "tag_id_for"]
