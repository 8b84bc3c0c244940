"""Match's read model and words: what a match asked, what the core answered, and the reasons in words.

The ranking, the refusal for people not on shift and the busy mark come from the core
(warmline.matching, warmline.calls); this module reads them for the app's Match screen and
words the reasons for both faces.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from warmline import calls, matching, people
from warmline.calls import OnShift
from warmline.clock import now
from warmline.db import Database
from warmline.errors import Invalid, Refused
from warmline.line import get as get_line
from warmline.matching import MatchCandidate, MatchResult
from warmline.model import Person
from warmline.tags import all_tags
from warmline.taxonomy import Tag

NO_SHARED_NEED = "no shared need"
ON_A_CALL = "ON A CALL"


def split_entries(text: str) -> list[str]:
    """The comma-separated entries of a field, stripped, empty ones left out."""
    return [part.strip() for part in text.split(",") if part.strip()]


def tag_names(tags: Iterable[Tag]) -> list[str]:
    """The names a tag is suggested by: labels first (they read best), then aliases. Never its id
    ("lang-en", "hearing-voices"): typed, an id still resolves, but the app suggests words."""
    tags = list(tags)
    names: list[str] = []
    for pick in (lambda t: (t.label,), lambda t: t.aliases):
        for tag in sorted(tags, key=lambda t: t.label.casefold()):
            for name in pick(tag):
                if name not in names:
                    names.append(name)
    return names


@dataclass(frozen=True)
class MatchQuery:
    """What was asked: needs, an optional language, preferred identities."""

    needs: tuple[str, ...] = ()
    language: str = ""
    prefer: tuple[str, ...] = ()


@dataclass(frozen=True)
class MatchData:
    """One match read in a worker: the result, or the core's refusal or complaint, and my seat now."""

    query: MatchQuery
    tz: str
    tags: tuple[Tag, ...]
    seat: OnShift | None
    result: MatchResult | None = None
    refusal: str | None = None
    invalid: str | None = None
    me: Person | None = None


def load_match(db: Database, actor: Person, query: MatchQuery) -> MatchData:
    """Run matching.match for the query (now), with my current seat and the line's tags for completion."""
    conn = db.conn
    line = get_line(conn)
    me = people.fresh_actor(conn, actor, reading=True)
    seat = calls.on_shift(conn, me.id, now())
    tags = tuple(all_tags(conn))
    base = {"query": query, "tz": line.tz, "tags": tags, "seat": seat, "me": me}
    try:
        result = matching.match(
            conn, me, list(query.needs), language=query.language or None, prefer=list(query.prefer)
        )
    except Refused as exc:
        return MatchData(**base, refusal=str(exc))
    except Invalid as exc:
        return MatchData(**base, invalid=str(exc))
    return MatchData(**base, result=result)


def reasons(c: MatchCandidate) -> str:
    """The reasons for a candidate's place, in words: shares, related, also (preferences), language."""
    parts = []
    if c.shares:
        parts.append("shares: " + ", ".join(c.shares))
    if c.related:
        parts.append("related: " + ", ".join(c.related))
    if c.preferences:
        parts.append("also: " + ", ".join(c.preferences))
    if c.language:
        parts.append(f"speaks {c.language}")
    return " · ".join(parts)


def call_count(n: int) -> str:
    """1 call, 2 calls."""
    return f"{n} call{'' if n == 1 else 's'}"


def reasons_and_state(c: MatchCandidate) -> str:
    """The reasons, then the calls taken this shift and ON A CALL, on one line (the CLI's listing)."""
    why = reasons(c)
    parts = [why] if why else []
    if c.calls_taken:
        parts.append(f"{call_count(c.calls_taken)} this shift")
    if c.busy:
        parts.append(ON_A_CALL)
    return " · ".join(parts) or NO_SHARED_NEED
