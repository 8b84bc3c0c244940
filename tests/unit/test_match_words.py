"""A match's reasons in words, written once for the CLI's listing and the app's Match screen (views.match)."""

from __future__ import annotations

from warmline.matching import MatchCandidate
from warmline.views.match import reasons, reasons_and_state, split_entries, tag_names
from warmline.taxonomy import Tag


def candidate(**kw) -> MatchCandidate:
    fields = dict(
        handle="ada", name="Ada", role="peer", shift_id=1, score=100, shares=(), related=(), preferences=(),
        language=None, busy=False, busy_since=None, calls_taken=0,
    )
    return MatchCandidate(**(fields | kw))


def test_reasons_read_shares_related_also_and_language():
    c = candidate(shares=("grief",), related=("trauma → domestic abuse survived",), preferences=("woman",), language="Spanish")
    assert reasons(c) == "shares: grief · related: trauma → domestic abuse survived · also: woman · speaks Spanish"
    assert reasons(candidate()) == ""


def test_the_cli_line_adds_calls_and_the_busy_mark_or_says_no_shared_need():
    assert reasons_and_state(candidate()) == "no shared need"
    assert reasons_and_state(candidate(calls_taken=1, busy=True)) == "1 call this shift · ON A CALL"
    assert reasons_and_state(candidate(shares=("grief",), calls_taken=2)) == "shares: grief · 2 calls this shift"


def test_typed_entries_and_the_names_a_tag_answers_to():
    assert split_entries(" grief, ,housing insecurity ") == ["grief", "housing insecurity"]
    tags = [Tag("es", "Spanish", "language", ("espanol",), ()), Tag("grief", "grief", "need", (), ())]
    assert tag_names(tags) == ["grief", "Spanish", "espanol"]  # suggested by name, never by id
    assert tag_names([Tag("lang-en", "English", "language", ("en",), ())]) == ["English", "en"]
