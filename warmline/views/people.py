"""The People list, a person's details and the editor's words and parsing, for the app (no Textual).

The loaders run on the app's worker threads (`call_core`); every read is a core call, and the
core refuses what the viewer may not see (other people's tags, the list for a volunteer).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import NamedTuple

from warmline import access, fairness, people, rota, rules
from warmline import line as line_svc
from warmline import tags as tag_svc
from warmline.clock import now
from warmline.db import Database
from warmline.errors import Invalid, Refused
from warmline.model import Line, Person
from warmline.people import LIMIT_BOUNDS, LIMIT_FIELDS
from warmline.recurrence import zone
from warmline.taxonomy import Tag
from warmline.views.words import hours_number

INT_LIMITS = frozenset({"max_shifts_week", "max_overnights_month"})
LIMIT_LABELS = {
    "max_hours_week": "Max hours a week",
    "max_shifts_week": "Max shifts a week",
    "min_rest_hours": "Min rest (hours)",
    "max_overnights_month": "Max overnights a month",
}
STATE_TEXT = {
    "offered": "offered",
    "paused": "paused",
    "proposed": "proposed, not used until accepted",  # issue 15: a coordinator's tag waits for the person
    "removed": "will be removed",
}


# ---------------------------------------------------------------- reads (run on worker threads)


def week_bounds(line: Line, moment: datetime) -> tuple[datetime, datetime]:
    """The current local ISO week of `moment` in the line's zone, as aware datetimes [Monday 00:00, next Monday)."""
    tz = zone(line.tz)
    monday = rules.week_of(moment, tz)
    return datetime.combine(monday, time(0), tz), datetime.combine(monday + timedelta(days=7), time(0), tz)


def hours_by_person(conn, line: Line, moment: datetime) -> dict[int, float]:
    """Real elapsed hours on scheduled shifts starting this week, per person id, from one pass over the week."""
    start, end = week_bounds(line, moment)
    totals: dict[int, float] = {}
    for view in rota.views(conn, start, end):
        if view.shift.status != "scheduled":
            continue
        for seat in (*view.peers, *view.backups):
            totals[seat.person_id] = totals.get(seat.person_id, 0.0) + view.shift.hours
    return totals


class PersonRow(NamedTuple):
    """One row of the people list, held in memory so filtering needs no query.

    A tuple rather than a dataclass: 10,000 of them are built on every load.
    """

    handle: str
    cells: tuple[str, ...]  # name, handle, role, languages, hours (with "OVER"/"near" in words), active
    search: str  # handle, name and languages, case-folded, one per line


@dataclass(frozen=True)
class PeopleLoaded:
    """Everyone with their hours this week (and the widest cell of each column), or the core's refusal."""

    rows: list[PersonRow] = field(default_factory=list)
    refusal: str | None = None
    widths: tuple[int, ...] = ()  # measured by the app, on the worker (screens/people.py)


def load_people(db: Database, actor: Person) -> PeopleLoaded:
    """The people list for a coordinator; a volunteer gets the core's refusal instead."""
    conn = db.conn
    who = people.fresh_actor(conn, actor, reading=True)
    try:
        # The list leads to everyone's tags, which only coordinators may see.
        access.require(who, "tags.read.others")
    except Refused as exc:
        return PeopleLoaded(refusal=str(exc))
    line = line_svc.get(conn)
    labels = {t.id: t.label for t in tag_svc.all_tags(conn, family="language")}
    hours = hours_by_person(conn, line, now())
    start, end = week_bounds(line, now())
    # Only people with a shift near this week can be near a limit in it (a monthly overnight
    # limit counts shifts weeks away): fairness reads just them.
    strain = {
        p.person_id: fairness.level_word(p.level)
        for p in fairness.load(conn, start, end, viewer=who, person_ids=fairness.flaggable(conn, start, end)).people
        if p.level
    }
    # Many people share a set of languages: work out its text and search words once per set.
    spoken: dict[tuple[str, ...], tuple[str, str]] = {(): ("", "")}
    rows = []
    for p in people.roster(conn):
        langs = spoken.get(p.languages)
        if langs is None:
            names = [labels.get(t, t.removeprefix("lang-")) for t in p.languages]
            words = "".join(f"\n{word}" for word in [*names, *(t.removeprefix("lang-") for t in p.languages)])
            langs = spoken[p.languages] = (", ".join(names), words.casefold())
        hours_cell = hours_number(hours[p.id]) if p.id in hours else "0"
        if p.id in strain:
            hours_cell += f" {strain[p.id]}"
        cells = (p.name, p.handle, p.role, langs[0], hours_cell, "yes" if p.active else "no")
        rows.append(PersonRow(p.handle, cells, f"{p.handle}\n{p.name}".casefold() + langs[1]))
    return PeopleLoaded(rows)


@dataclass(frozen=True)
class PeopleOffers:
    """Who offers which tag, for People's tag filter: read after the list is drawn, so it costs the
    list's opening nothing. Offered only: a proposed tag (not yet accepted) or a paused one is not."""

    by_handle: dict[str, tuple[str, ...]]  # handle -> ids of the tags offered
    words: dict[str, str]  # handle -> the labels of those tags, case-folded, one per line (for the filter box)
    offered: list[tuple[str, str, int]]  # (tag id, label, how many offer it), by label: the tag chooser


def load_offers(db: Database, actor: Person) -> PeopleOffers:
    """Every person's offered tags by handle, their labels for the filter box, and the tags anyone offers."""
    conn = db.conn
    who = people.fresh_actor(conn, actor, reading=True)
    by_handle = people.offered_tags(conn, who)  # coordinators only (the core refuses anyone else)
    labels = {t.id: t.label for t in tag_svc.all_tags(conn) if t.family != "language"}
    words: dict[tuple[str, ...], str] = {}
    counts: dict[str, int] = {}
    for offers in by_handle.values():
        for tag_id in offers:
            counts[tag_id] = counts.get(tag_id, 0) + 1
    by_words = {}
    for handle, offers in by_handle.items():
        text = words.get(offers)
        if text is None:  # many people share a set of tags: its words once per set
            text = words[offers] = "".join(f"\n{labels[t]}" for t in offers if t in labels).casefold()
        by_words[handle] = text
    chooser = sorted(((t, labels[t], n) for t, n in counts.items() if t in labels), key=lambda c: c[1].casefold())
    return PeopleOffers(by_handle, by_words, chooser)


@dataclass(frozen=True)
class PersonLoaded:
    """One person with their tags (only for themself or a coordinator), the tag catalogue and the line."""

    person: Person
    tags: list[tuple[str, str]]
    catalog: list[Tag]
    line: Line
    viewer: Person


def load_person(db: Database, actor: Person, handle: str) -> PersonLoaded:
    """A person for the editor or the profile; tags_of refuses other people's tags to volunteers."""
    conn = db.conn
    who = people.fresh_actor(conn, actor, reading=True)
    person = people.get(conn, handle)
    return PersonLoaded(person, people.tags_of(conn, who, person), tag_svc.all_tags(conn), line_svc.get(conn), who)


def load_catalog(db: Database) -> list[Tag]:
    """Every tag of the line (the taxonomy is public)."""
    return tag_svc.all_tags(db.conn)


@dataclass(frozen=True)
class NewPersonForm:
    """What the add-person form shows before anything is typed: the tags to suggest, the line's default limits."""

    catalog: list[Tag]
    defaults: dict[str, str]  # limit name -> the line's default, as the form shows it ("12")


def load_new_person_form(db: Database) -> NewPersonForm:
    """The tag catalogue and the line's default limits (a blank limit box means the default)."""
    line = line_svc.get(db.conn)
    return NewPersonForm(
        tag_svc.all_tags(db.conn), {name: f"{getattr(line, 'default_' + name):g}" for name in LIMIT_FIELDS}
    )


def new_person_fields(typed: dict[str, str], *, login: str, passphrase: str, again: str) -> dict:
    """people.add's keyword arguments for the login, limits and passphrase typed in the add form.

    A blank box is left out (no login; the line's default limit; no passphrase yet); a limit that is
    not a number, or two passphrases that differ, is a one-line error. The core checks the rest.
    """
    fields: dict = {}
    if login.strip():
        fields["login"] = login.strip()
    for name in LIMIT_FIELDS:
        if typed.get(name, "").strip():
            fields[name] = parse_limit(name, typed[name])
    if passphrase or again:
        if passphrase != again:
            raise Invalid("the two passphrases differ: type the same one in both boxes")
        fields["passphrase"] = passphrase
    return fields


# ---------------------------------------------------------------- what was typed


def split_names(text: str) -> list[str]:
    """The items of a comma-separated list, stripped, empties dropped."""
    return [part.strip() for part in text.split(",") if part.strip()]


def same_names(a: str, b: str) -> bool:
    """True when two comma-separated lists name the same things (case and order aside)."""
    return {s.casefold() for s in split_names(a)} == {s.casefold() for s in split_names(b)}


def parse_limit(name: str, text: str) -> float | int:
    """A limit typed by a person, or Invalid saying what to type."""
    label = LIMIT_BOUNDS[name][2]
    text = text.strip()
    if not text:
        raise Invalid(f"{label} is empty: give a number")
    try:
        return int(text) if name in INT_LIMITS else float(text)
    except ValueError:
        kind = "a whole number" if name in INT_LIMITS else "a number"
        raise Invalid(f"{label} is {text!r}: give {kind}, e.g. 4") from None


def limit_changes(typed: dict[str, str], base: dict[str, str]) -> dict[str, float | int]:
    """The limits whose typed value differs from the value shown when the form was loaded."""
    out: dict[str, float | int] = {}
    for name in LIMIT_FIELDS:
        value = parse_limit(name, typed[name])
        if not base.get(name) or value != parse_limit(name, base[name]):
            out[name] = value
    return out


def language_text(person: Person, catalog: Iterable[Tag]) -> str:
    labels = {t.id: t.label for t in catalog}
    return ", ".join(labels.get(t, t) for t in person.languages)
