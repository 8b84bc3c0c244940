"""The tag taxonomy: what peers offer from their own lives and what callers ask for.

Tags live in four families (experience, circumstance, identity, language). The
default set ships as ``data/tags.toml``; a line may add its own tags, checked with
``check_new``. ``Resolver`` turns what a person typed into a tag. Pure: no database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import Invalid

FAMILIES = ("experience", "circumstance", "identity", "language")

# Kebab-case: ids appear in the CLI and in stored data, so no spaces, capitals,
# or leading/trailing/doubled hyphens that would make two ids look alike.
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ID_MIN, _ID_MAX = 2, 40
_SEPARATORS = re.compile(r"[\s_\-]+")
_KEYS = frozenset({"id", "label", "family", "aliases", "related"})
_LIST_HINT = "See `warmline tags list`."


@dataclass(frozen=True)
class Tag:
    """One tag: a stable id, the label people see, its family, other names and related ids."""

    id: str
    label: str
    family: str
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()


def _key(text: str) -> str:
    # NFKC so that composed and decomposed accents ("kreyòl") typed on different
    # terminals compare equal; spaces, underscores and hyphens are interchangeable
    # because people type "hearing_voices", "hearing-voices" and "hearing voices".
    text = unicodedata.normalize("NFKC", text).casefold()
    return _SEPARATORS.sub(" ", text).strip()


def load_default() -> list[Tag]:
    """Load and validate the taxonomy shipped with warmline."""
    # Imported on use: most commands read tags from the database and never need
    # the TOML reader or package resources, so importing this module stays cheap.
    from importlib.resources import files

    text = (files("warmline.data") / "tags.toml").read_text(encoding="utf-8")
    return parse(text)


def parse(text: str) -> list[Tag]:
    """Parse tags from TOML text (an array of tables named ``tag``) and validate them."""
    import tomllib

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Invalid(f"the tag file is not valid TOML ({exc}); fix the file and try again") from None
    entries = doc.get("tag", [])
    if not isinstance(entries, list):
        raise Invalid(
            "the tag file must hold an array of tables named [[tag]]; see data/tags.toml for the shape"
        )
    tags = [_tag_from_table(n, entry) for n, entry in enumerate(entries, start=1)]
    validate(tags)
    return tags


def _tag_from_table(n: int, entry: object) -> Tag:
    if not isinstance(entry, dict):
        raise Invalid(f"tag #{n} in the tag file is not a table; write each tag as a [[tag]] table")
    name = entry.get("id", f"#{n}")
    # A misspelt key ("alias") would otherwise be silently ignored and the tag
    # would quietly lose its aliases.
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise Invalid(
            f"tag {name!r} has unknown field(s) {', '.join(unknown)}; "
            f"the fields are {', '.join(sorted(_KEYS))}"
        )
    for field in ("id", "label", "family"):
        if not isinstance(entry.get(field), str):
            raise Invalid(f"tag {name!r} needs a text {field}; add `{field} = \"...\"` to its table")
    lists = {}
    for field in ("aliases", "related"):
        value = entry.get(field, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise Invalid(f"tag {name!r}: {field} must be a list of text, like {field} = [\"a\", \"b\"]")
        lists[field] = tuple(value)
    return Tag(entry["id"], entry["label"], entry["family"], lists["aliases"], lists["related"])


def _check_shape(tag: Tag) -> None:
    if not (_ID_MIN <= len(tag.id) <= _ID_MAX and _ID.fullmatch(tag.id)):
        raise Invalid(
            f"tag id {tag.id!r} is not allowed: ids are {_ID_MIN}-{_ID_MAX} lower-case letters, "
            "digits and single hyphens (like 'hearing-voices')"
        )
    if tag.family not in FAMILIES:
        raise Invalid(f"tag {tag.id!r} has unknown family {tag.family!r}; use one of {', '.join(FAMILIES)}")
    if not _key(tag.label):
        raise Invalid(f"tag {tag.id!r} has an empty label; give it the words people should see")
    for alias in tag.aliases:
        if not _key(alias):
            raise Invalid(f"tag {tag.id!r} has an empty alias; remove it or fill it in")
    if tag.id in tag.related:
        raise Invalid(f"tag {tag.id!r} lists itself as related; remove it from its own related list")


def _claim(owners: dict[str, tuple[Tag, str]], tag: Tag) -> None:
    # Every name must resolve to exactly one tag, using the same normalisation as
    # the Resolver, or typing it would pick a tag arbitrarily.
    names = [(tag.id, "id"), (tag.label, "label")] + [(a, "alias") for a in tag.aliases]
    for name, kind in names:
        key = _key(name)
        holder = owners.get(key)
        if holder is not None and holder[0].id != tag.id:
            other, other_kind = holder
            raise Invalid(
                f"tag {tag.id!r}: {kind} {name!r} clashes with the {other_kind} of tag {other.id!r}; "
                "every name must point to one tag, so choose a different one"
            )
        owners.setdefault(key, (tag, kind))


def validate(tags: list[Tag]) -> None:
    """Raise Invalid, naming the offending tag, if the tags do not form a usable taxonomy."""
    owners: dict[str, tuple[Tag, str]] = {}
    ids: set[str] = set()
    for tag in tags:
        _check_shape(tag)
        if tag.id in ids:
            raise Invalid(f"tag id {tag.id!r} is used twice; each tag needs its own id")
        ids.add(tag.id)
        _claim(owners, tag)
    for tag in tags:
        for rel in tag.related:
            if rel not in ids:
                raise Invalid(
                    f"tag {tag.id!r} lists unknown tag {rel!r} as related; "
                    "use the id of an existing tag or remove it"
                )


def check_new(tags: list[Tag], new: Tag) -> None:
    """Raise Invalid if adding ``new`` to the (already valid) ``tags`` would break the taxonomy."""
    validate([*tags, new])


class Resolver:
    """Find tags by id, label or alias as people type them."""

    def __init__(self, tags: Iterable[Tag]) -> None:
        """Index the tags; ids win over labels, labels over aliases if names ever overlap."""
        self._tags = list(tags)
        self._by_family: dict[str | None, dict[str, Tag]] = {None: {}}
        for family in FAMILIES:
            self._by_family[family] = {}
        # Separate passes so precedence holds across tags, not just within one,
        # should an unvalidated list ever reuse a name.
        for names in (lambda t: (t.id,), lambda t: (t.label,), lambda t: t.aliases):
            for tag in self._tags:
                index = self._by_family.setdefault(tag.family, {})
                for name in names(tag):
                    key = _key(name)
                    index.setdefault(key, tag)
                    self._by_family[None].setdefault(key, tag)

    def resolve(self, text: str, *, family: str | None = None) -> Tag:
        """Return the tag ``text`` names, or raise Invalid with close suggestions."""
        if family is not None and family not in FAMILIES:
            raise Invalid(f"unknown tag family {family!r}; use one of {', '.join(FAMILIES)}")
        index = self._by_family[family]
        typed = text.strip()
        key = _key(text)
        if not key:
            raise Invalid("no tag given: name one, or see `warmline tags list` for the tags this line uses")
        tag = index.get(key)
        if tag is not None:
            return tag
        what = "tag" if family is None else f"{family} tag"
        elsewhere = self._by_family[None].get(key)
        if elsewhere is not None:
            raise Invalid(
                f"{typed[:40]!r} is the {elsewhere.family} tag {elsewhere.label} ({elsewhere.id}), "
                f"not a {what}. {_LIST_HINT}"
            )
        # Imported here because suggestions are only needed on the error path.
        import difflib

        suggestions: list[Tag] = []
        for match in difflib.get_close_matches(key, list(index), n=6):
            candidate = index[match]
            if candidate not in suggestions:
                suggestions.append(candidate)
        if not suggestions:
            raise Invalid(f"unknown {what} {typed[:40]!r}: see `warmline tags list` for the tags this line uses")
        shown = [f"{t.label} ({t.id})" for t in suggestions[:3]]
        options = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
        raise Invalid(f"unknown {what} {typed[:40]!r}: did you mean {options}? {_LIST_HINT}")

    def resolve_many(self, texts: Iterable[str], *, family: str | None = None) -> list[Tag]:
        """Resolve each text; return the tags once each, in the order first named."""
        seen: set[str] = set()
        result: list[Tag] = []
        for text in texts:
            tag = self.resolve(text, family=family)
            if tag.id not in seen:
                seen.add(tag.id)
                result.append(tag)
        return result
