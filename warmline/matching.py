"""Matching a caller's needs to the peers on shift (coverage goals and the coverage report are in
warmline.coverage).

Matching ranks the people on shift at a moment by what they chose to offer: a need
they share exactly counts most, a need they share through a related tag less, a
preferred identity least; a required language filters. The fit orders everyone, peers and
backups alike; at an equal fit a peer comes before a backup, and anyone marked busy comes last. Paused tags never count and
are never shown. Every candidate carries the reasons for its place.

All functions return plain dataclasses and print nothing: the CLI and the screens
format them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from . import clock
from .calls import on_shift
from .clock import now
from .db import iso_utc
from .errors import Invalid, Refused
from .model import Person
from .taxonomy import Resolver, Tag

MAX_NEEDS = 9  # with at most 9 needs and 9 preferences the score orders like (exact, related, preferences)
MAX_PREFERENCES = 9
EXACT_POINTS = 100
RELATED_POINTS = 10
PREFERENCE_POINTS = 1
NEXT_WINDOW = timedelta(hours=24)
NEXT_PER_NEED = 10
_LONGEST_SHIFT = timedelta(hours=24)


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class MatchCandidate:
    """One person on shift, with the reasons for their place in the ranking."""

    handle: str
    name: str
    role: str  # 'peer' or 'backup'
    shift_id: int
    score: int
    shares: tuple[str, ...]  # labels of needs they offer exactly
    related: tuple[str, ...]  # "need → their related offered tag", labels
    preferences: tuple[str, ...]  # labels of preferred identities they offer
    language: str | None  # label of the required language, which they speak
    busy: bool  # marked on a call (counts only while their shift is current)
    busy_since: datetime | None
    calls_taken: int  # calls logged as taken by them during this shift


@dataclass(frozen=True)
class NextShift:
    """A shift starting within 24 h with someone offering a need nobody on shift offers.

    For a volunteer `need` and `need_label` are None: the next shifts with everyone on them, no reasons.
    """

    shift_id: int
    start: datetime
    end: datetime
    need: str | None  # tag id (None: no reason given, see above)
    need_label: str | None
    handles: tuple[str, ...]


@dataclass(frozen=True)
class MatchResult:
    """Who on shift at `at` fits the caller's needs, best first; what nobody meets, and who is on soon."""

    at: datetime
    needs: tuple[Tag, ...]
    language: Tag | None
    prefer: tuple[Tag, ...]
    shift_ids: tuple[int, ...]  # the shifts current at `at` with someone active on them
    candidates: tuple[MatchCandidate, ...]
    unmet: tuple[Tag, ...]  # needs (and the language) nobody ranked meets exactly
    next: tuple[NextShift, ...]
    without_language: int  # people on shift left out because they do not speak the language


# ---------------------------------------------------------------- helpers


def _zone(conn: sqlite3.Connection):
    from .line import get as get_line
    from .recurrence import zone

    line = get_line(conn)
    return line, zone(line.tz)


def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None:
        raise Invalid(f"{what} needs a zone or offset")
    return moment.astimezone(timezone.utc)


@dataclass(frozen=True)
class _Taxonomy:
    tags: tuple[Tag, ...]
    resolver: Resolver
    related: dict[str, frozenset[str]]
    labels: dict[str, str]


_TAXONOMY_CACHE: dict[tuple, _Taxonomy] = {}


def _taxonomy(conn: sqlite3.Connection) -> _Taxonomy:
    """The line's tags with a resolver and related sets, rebuilt only when the tag rows change.

    Reading the raw rows costs little; parsing them and indexing every name for the
    resolver is most of a match's time, so it is kept keyed by the rows themselves.
    """
    import json

    rows = tuple(tuple(r) for r in conn.execute("SELECT id, label, family, aliases, related FROM tag ORDER BY family, label"))
    found = _TAXONOMY_CACHE.get(rows)
    if found is None:
        tags = tuple(Tag(r[0], r[1], r[2], tuple(json.loads(r[3])), tuple(json.loads(r[4]))) for r in rows)
        found = _Taxonomy(
            tags,
            Resolver(tags),
            {k: frozenset(v) for k, v in _related_ids(list(tags)).items()},
            {t.id: t.label for t in tags},
        )
        if len(_TAXONOMY_CACHE) >= 8:
            _TAXONOMY_CACHE.clear()
        _TAXONOMY_CACHE[rows] = found
    return found


def _related_ids(tags: list[Tag]) -> dict[str, set[str]]:
    """Related tags in both directions: a tag is related to those it lists and to those listing it."""
    related: dict[str, set[str]] = {t.id: set(t.related) for t in tags}
    for t in tags:
        for other in t.related:
            related.setdefault(other, set()).add(t.id)
    for tag_id, others in related.items():
        others.discard(tag_id)
    return related


def _may_match(conn: sqlite3.Connection, actor: Person, at: datetime | None) -> datetime:
    """The moment to match at: any `at` (default now) for a coordinator; the real present for a volunteer.

    A volunteer matches only for the shift they are on, and only at the real present (never at
    WARMLINE_NOW, which whoever runs the command sets): a time of their choosing would list the
    tags of the people on any other shift.
    """
    if not actor.active:
        raise Refused(f"{actor.handle} is inactive: ask a coordinator")
    if actor.is_coordinator:
        return now() if at is None else _aware(at, "the match time")
    if on_shift(conn, actor.id, clock.real_now()) is None:
        raise Refused(
            f"{actor.handle} is not on a shift now: only the people on the current shift and coordinators "
            "can match callers to peers"
        )
    if at is not None:
        raise Refused(
            f"{actor.handle} may match only for the shift they are on, at the present: leave out the time "
            "(coordinators may match at any time)"
        )
    return clock.real_now()


def _utc(text: str) -> datetime:
    """The stored UTC text as an aware datetime (fromisoformat: several times faster than strptime)."""
    return datetime.fromisoformat(text)


def _marks(values) -> str:
    return ",".join("?" * len(values))


_NOTHING: frozenset[str] = frozenset()


def _offered(conn: sqlite3.Connection, person_ids: list[int], tag_ids: list[str]) -> dict[int, set[str]]:
    """Which of `tag_ids` each of `person_ids` offers now (paused tags never count); people offering none are left out."""
    found: dict[int, set[str]] = {}
    if person_ids and tag_ids:
        for pid, tag_id in conn.execute(
            f"SELECT person_id, tag_id FROM person_tag WHERE state = 'offered' AND person_id IN ({_marks(person_ids)})"
            f" AND tag_id IN ({_marks(tag_ids)})",
            (*person_ids, *tag_ids),
        ):
            found.setdefault(pid, set()).add(tag_id)
    return found


def _speakers(conn: sqlite3.Connection, person_ids: list[int], lang: Tag) -> set[int]:
    """Those of `person_ids` who speak `lang`."""
    if not person_ids:
        return set()
    return {
        r[0]
        for r in conn.execute(
            f"SELECT person_id FROM person_language WHERE tag_id = ? AND person_id IN ({_marks(person_ids)})",
            (lang.id, *person_ids),
        )
    }


# ---------------------------------------------------------------- matching


def match(
    conn: sqlite3.Connection,
    actor: Person,
    needs: list[str],
    *,
    at: datetime | None = None,
    language: str | None = None,
    prefer: list[str] | tuple[str, ...] = (),
) -> MatchResult:
    """Rank the people on shift at `at` (default now) for a caller's needs, with reasons.

    Order: free before busy (on a call), peers before backup, higher score, fewer calls taken
    this shift, handle. Score = 100 per need offered exactly + 10 per need offered through a
    related tag + 1 per preference offered. A language is a hard requirement. Needs may name
    a language, which then becomes the requirement. Coordinators may match at any time; a volunteer
    only on a shift now, at the real present (see `_may_match`), and for them the next shifts
    for unmet needs name everyone on them without reasons (see `_next_on_shift`).
    """
    at = moment = _may_match(conn, actor, at)
    if actor.is_coordinator:
        moment = now()
    taxonomy = _taxonomy(conn)
    resolver = taxonomy.resolver
    named = resolver.resolve_many(list(needs))
    languages = [t for t in named if t.family == "language"]
    need_tags = [t for t in named if t.family != "language"]
    if language is not None:
        asked = resolver.resolve(language, family="language")
        languages = [asked] + [t for t in languages if t.id != asked.id]
    if len(languages) > 1:
        raise Invalid(
            f"more than one language given ({', '.join(t.label for t in languages)}): give the one the caller needs"
        )
    lang = languages[0] if languages else None
    prefs = []
    for tag in resolver.resolve_many(list(prefer)):
        if tag.family == "language":
            raise Invalid(f"{tag.label} is a language: give it with --language")
        if all(tag.id != n.id for n in need_tags):
            prefs.append(tag)
    if len(need_tags) > MAX_NEEDS:
        raise Invalid(f"{len(need_tags)} needs given; give at most {MAX_NEEDS}, the ones that matter most")
    if len(prefs) > MAX_PREFERENCES:
        raise Invalid(f"{len(prefs)} preferences given; give at most {MAX_PREFERENCES}")
    related = taxonomy.related
    labels = taxonomy.labels

    rows = conn.execute(
        "SELECT s.id, s.start_utc, s.end_utc, a.person_id, a.role, a.busy_since, p.handle, p.name"
        " FROM shift s JOIN assignment a ON a.shift_id = s.id JOIN person p ON p.id = a.person_id"
        " WHERE s.start_utc > ? AND s.start_utc <= ? AND s.end_utc > ? AND s.status = 'scheduled'"
        " AND p.active = 1",
        (iso_utc(at - _LONGEST_SHIFT), iso_utc(at), iso_utc(at)),
    ).fetchall()
    shift_ids = tuple(sorted({r[0] for r in rows}))
    person_ids = [r[3] for r in rows]
    wanted = {t.id for t in need_tags} | {t.id for t in prefs}
    for t in need_tags:
        wanted |= related.get(t.id, set())
    offered = _offered(conn, person_ids, sorted(wanted))
    speaks = _speakers(conn, person_ids, lang) if lang is not None else set()
    calls: dict[int, list[str]] = {}
    if person_ids:
        lo = min(r[1] for r in rows)
        hi = max(r[2] for r in rows)
        for pid, when in conn.execute(
            f"SELECT taken_by, at_utc FROM call WHERE at_utc >= ? AND at_utc < ? AND taken_by IN ({_marks(person_ids)})",
            (lo, hi, *person_ids),
        ):
            calls.setdefault(pid, []).append(when)

    now_text = iso_utc(moment)
    found: list[MatchCandidate] = []
    met: set[str] = set()  # need ids someone ranked offers exactly
    without_language = 0
    for sid, start, end, pid, role, busy_since, handle, name in rows:
        if lang is not None and pid not in speaks:
            without_language += 1
            continue
        mine = offered.get(pid, _NOTHING)
        shares = [t for t in need_tags if t.id in mine]
        met.update(t.id for t in shares)
        pairs = []
        related_needs = 0
        for t in need_tags:
            if t.id in mine:
                continue
            theirs = sorted((labels[r] for r in related.get(t.id, ()) if r in mine), key=str.casefold)
            if theirs:
                related_needs += 1
                pairs += [f"{t.label} → {label}" for label in theirs]
        met_prefs = [t.label for t in prefs if t.id in mine]
        # Busy counts only while the shift is current: the mark clears itself when the shift ends.
        busy = bool(busy_since) and start <= now_text < end  # stored UTC text sorts as time
        taken = sum(1 for when in calls.get(pid, ()) if start <= when < end)
        found.append(
            MatchCandidate(
                handle=handle,
                name=name,
                role=role,
                shift_id=sid,
                score=EXACT_POINTS * len(shares) + RELATED_POINTS * related_needs + PREFERENCE_POINTS * len(met_prefs),
                shares=tuple(t.label for t in shares),
                related=tuple(pairs),
                preferences=tuple(met_prefs),
                language=lang.label if lang else None,
                busy=busy,
                busy_since=_utc(busy_since) if busy else None,
                calls_taken=taken,
            )
        )
    # Fit first: whoever shares more of what the caller asks for ranks higher, a backup included (issue
    # 15: two peers sharing nothing ranked above the backup who shares it). Then, at an equal fit,
    # peers before backups, fewer calls taken this shift, and the handle. Busy people come last.
    found.sort(key=lambda c: (c.busy, -c.score, c.role != "peer", c.calls_taken, c.handle))

    unmet = [t for t in need_tags if t.id not in met]
    if lang is not None and not found:
        unmet.append(lang)
    if not unmet:
        upcoming: tuple[NextShift, ...] = ()
    elif actor.is_coordinator:
        upcoming = _next_shifts(conn, at, unmet, lang)
    else:
        upcoming = _next_on_shift(conn, at)
    return MatchResult(
        at=at,
        needs=tuple(need_tags),
        language=lang,
        prefer=tuple(prefs),
        shift_ids=shift_ids,
        candidates=tuple(found),
        unmet=tuple(unmet),
        next=upcoming,
        without_language=without_language,
    )


def _next_on_shift(conn: sqlite3.Connection, at: datetime) -> tuple[NextShift, ...]:
    """For a volunteer: the shifts starting within 24 h after `at`, with everyone on them, and no reasons.

    Nobody's tags choose who is named (a list of who fits a need would tell the volunteer who
    offers it): only the people on the shift being matched are ranked by their tags.
    """
    rows = conn.execute(
        "SELECT s.id, s.start_utc, s.end_utc, p.handle FROM shift s"
        " JOIN assignment a ON a.shift_id = s.id JOIN person p ON p.id = a.person_id"
        " WHERE s.start_utc > ? AND s.start_utc <= ? AND s.status = 'scheduled' AND p.active = 1"
        " ORDER BY s.start_utc, s.id, p.handle",
        (iso_utc(at), iso_utc(at + NEXT_WINDOW)),
    ).fetchall()
    by_shift: dict[int, list] = {}
    for sid, start, end, handle in rows:
        by_shift.setdefault(sid, [start, end, []])[2].append(handle)
    return tuple(
        NextShift(sid, _utc(start), _utc(end), None, None, tuple(handles))
        for sid, (start, end, handles) in list(by_shift.items())[:NEXT_PER_NEED]
    )


def _next_shifts(conn: sqlite3.Connection, at: datetime, unmet: list[Tag], lang: Tag | None) -> tuple[NextShift, ...]:
    """Shifts starting within 24 h after `at` with someone offering each unmet need (and speaking the language)."""
    rows = conn.execute(
        "SELECT s.id, s.start_utc, s.end_utc, a.person_id, p.handle FROM shift s"
        " JOIN assignment a ON a.shift_id = s.id JOIN person p ON p.id = a.person_id"
        " WHERE s.start_utc > ? AND s.start_utc <= ? AND s.status = 'scheduled' AND p.active = 1"
        " ORDER BY s.start_utc, s.id, p.handle",
        (iso_utc(at), iso_utc(at + NEXT_WINDOW)),
    ).fetchall()
    if not rows:
        return ()
    person_ids = sorted({r[3] for r in rows})
    tag_ids = [t.id for t in unmet if t.family != "language"]
    holds = _offered(conn, person_ids, tag_ids)
    speaks = _speakers(conn, person_ids, lang) if lang is not None else None
    found: list[NextShift] = []
    for need in unmet:
        by_shift: dict[int, list] = {}
        for sid, start, end, pid, handle in rows:
            if speaks is not None and pid not in speaks:
                continue
            if need.family != "language" and need.id not in holds.get(pid, ()):
                continue
            by_shift.setdefault(sid, [start, end, []])[2].append(handle)
        for sid, (start, end, handles) in list(by_shift.items())[:NEXT_PER_NEED]:
            found.append(NextShift(sid, _utc(start), _utc(end), need.id, need.label, tuple(handles)))
    return tuple(found)
