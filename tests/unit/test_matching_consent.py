"""Matching uses only the tags a person offers (issue 15): never a proposal waiting for them, a paused or a declined tag."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from warmline import consent, matching, people, rota
from warmline.people import PersonChanges

NY = ZoneInfo("America/New_York")


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=NY)


@pytest.fixture
def line(line_db, coordinator, monkeypatch, access_clock_follows_warmline_now):
    """A shift on now (Mon 23 Nov 09:00–13:00) with ada, bea, cal and dee on it, none holding a tag yet."""
    monkeypatch.setenv("WARMLINE_NOW", at(23, 10).isoformat())
    shift = rota.add_shift(line_db, coordinator, start=at(23, 9), end=at(23, 13), seats=4, backup=0)
    on = {}
    for handle in ("ada", "bea", "cal", "dee"):
        on[handle] = people.add(line_db, coordinator, handle=handle, name=handle.title())
        rota.assign(line_db, coordinator, shift.id, handle, role="peer", force=True)
    return line_db, coordinator, on


def ranked(db, coord) -> dict[str, int]:
    return {c.handle: c.score for c in matching.match(db.conn, coord, ["grief"]).candidates}


def test_only_offered_tags_count_for_matching(line):
    db, coord, on = line
    for handle in ("ada", "bea", "cal", "dee"):
        people.edit(db, coord, handle, PersonChanges(offer=("grief",)))  # four proposals
    assert set(ranked(db, coord).values()) == {0}, "a proposal is not used before the person accepts it"
    assert matching.match(db.conn, coord, ["grief"]).unmet != ()

    consent.accept(db, on["ada"], "grief")  # offered
    consent.decline(db, on["bea"], "grief")  # declined: gone
    consent.accept(db, on["cal"], "grief")
    people.edit(db, on["cal"], "cal", PersonChanges(pause=("grief",)))  # accepted, then paused
    # dee's proposal still waits
    scores = ranked(db, coord)
    assert scores == {"ada": 100, "bea": 0, "cal": 0, "dee": 0}
    states = {h: people.tags_of(db.conn, coord, on[h]) for h in on}
    assert states == {"ada": [("grief", "offered")], "bea": [], "cal": [("grief", "paused")], "dee": [("grief", "proposed")]}


def test_the_persons_own_offer_is_used_at_once_and_a_coordinator_cannot_bypass_consent(line):
    db, coord, on = line
    people.edit(db, on["ada"], "ada", PersonChanges(offer=("grief",)))
    assert ranked(db, coord)["ada"] == 100
    people.edit(db, on["bea"], "bea", PersonChanges(pause=("grief",)))
    people.edit(db, coord, "bea", PersonChanges(offer=("grief",)))  # a coordinator resuming it only proposes
    assert ranked(db, coord)["bea"] == 0
    assert people.tags_of(db.conn, coord, on["bea"]) == [("grief", "proposed")]
