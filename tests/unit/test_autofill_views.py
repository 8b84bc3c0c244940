"""warmline/views/autofill.py: the range the app's Auto-fill reads (as `warmline autofill --from --to`
does, naming From and To), its quick choices, and the words of a proposal (the CLI's reasons)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from warmline.autofill import OpenSeat, Placement, Proposal, Score
from warmline.errors import Invalid
from warmline.views.autofill import AutofillPlan, plan_rows, quick_ranges, range_words, read_range, reasons, summary

TZ = "America/New_York"
NOW = "2026-11-23T08:00:00-05:00"


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", NOW)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def test_a_range_of_days_is_read_as_the_cli_reads_it_the_last_day_included():
    assert read_range(TZ, "2026-11-23", "2026-12-20") == (utc("2026-11-23T00:00-05:00"), utc("2026-12-21T00:00-05:00"))
    assert read_range(TZ, " 2026-11-01 ", "2026-11-23") == (utc("2026-11-01T00:00-04:00"), utc("2026-11-24T00:00-05:00"))


@pytest.mark.parametrize(
    ("first", "last", "says"),
    [
        ("2026-12-20", "2026-12-01", "To is not after From: give a later To"),
        ("2026-11-01", "2026-11-22", "the range ends 2026-11-22, in the past: auto-fill fills only future shifts; give a later To"),
        ("2026-11-23", "2033-01-01", "the range is longer than six years: give a shorter one"),
        ("next week", "2026-12-01", "From 'next week' is not an ISO 8601 date-time"),
        ("2026-11-23", "2026-13-01", "To '2026-13-01' is not a date: use YYYY-MM-DD, e.g. 2026-11-23"),
        ("2026-11-23", "3000-01-01", "To 3000-01-01 is outside the dates warmline handles"),
        ("", "2026-12-01", "From is empty: give a date, e.g. 2026-11-23"),
        ("2026-11-23", "  ", "To is empty: give a date, e.g. 2026-11-23"),
    ],
)
def test_a_bad_range_is_refused_in_the_clis_words_naming_the_forms_fields(first, last, says):
    with pytest.raises(Invalid) as refused:
        read_range(TZ, first, last)
    assert refused.value.message.startswith(says)
    assert "--" not in refused.value.message


def test_quick_choices_are_whole_weeks_and_months_from_today():
    assert quick_ranges(date(2026, 11, 25)) == (
        ("This week", date(2026, 11, 23), date(2026, 11, 29)),
        ("Next week", date(2026, 11, 30), date(2026, 12, 6)),
        ("Next 4 weeks", date(2026, 11, 25), date(2026, 12, 22)),
        ("This month", date(2026, 11, 1), date(2026, 11, 30)),
        ("Next month", date(2026, 12, 1), date(2026, 12, 31)),
    )
    assert quick_ranges(date(2026, 12, 31))[4] == ("Next month", date(2027, 1, 1), date(2027, 1, 31))
    assert quick_ranges(date(2027, 1, 30))[4] == ("Next month", date(2027, 2, 1), date(2027, 2, 28))


def placement(shift_id: int, handle: str, **kw) -> Placement:
    fields = dict(
        shift_id=shift_id, start=utc("2026-11-24T09:00-05:00"), end=utc("2026-11-24T13:00-05:00"), person_id=shift_id,
        handle=handle, name=handle, role="peer", preferred=False, goals=(), needs=(),
    )
    fields.update(kw)
    return Placement(**fields)


def plan(placements, left_open=(), hours=()) -> AutofillPlan:
    score = Score(seats=len(placements), hours=16 * len(placements))
    return AutofillPlan(
        Proposal(
            start=utc("2026-11-23T00:00-05:00"), end=utc("2026-12-21T00:00-05:00"), engine="greedy", requested="greedy",
            notice="", optimal=False, seconds=0.1, seats_open=len(placements) + sum(o.count for o in left_open),
            placements=tuple(placements), left_open=tuple(left_open), score=score, heuristic_score=score,
            gini_before=0.4, gini_after=0.25, hours=tuple(hours),
        ),
        TZ,
    )


def test_a_placements_reasons_are_the_clis_and_each_shows_the_persons_hours_before_and_after():
    both = placement(7, "ana", goals=("Spanish",), needs=("grief", "loneliness"), preferred=True)
    plain = placement(8, "ben", role="backup")
    assert reasons(both) == ["goal: Spanish", "offers: grief, loneliness", "preferred time"]
    assert reasons(plain) == []
    gap = OpenSeat(9, utc("2026-11-25T22:00-05:00"), utc("2026-11-26T06:00-05:00"), "peer", 2, 0, "nobody is eligible")
    shown = plan([both, plain], [gap], hours=[("ana", 8.0, 12.0), ("ben", 0.0, 4.5)])
    assert [(r.kind, r.text) for r in plan_rows(shown)] == [
        ("add", "+ Tue 24 Nov 09:00–13:00  ana (peer)"),  # times, not shift ids (issue 15)
        ("why", "    goal: Spanish · offers: grief, loneliness · preferred time · 8 → 12 h in range"),
        ("add", "+ Tue 24 Nov 09:00–13:00  ben (backup)"),
        ("why", "    fills an open seat · 0 → 4.5 h in range"),
        ("open", "  Wed 25 Nov 22:00–06:00  peer ×2 OPEN: nobody is eligible"),
    ]
    assert summary(shown) == "2 of 4 open seats filled · hours spread (Gini) 0.40 → 0.25"
    assert range_words(shown) == "Mon 23 Nov – Sun 20 Dec 2026"


def test_a_plan_with_nothing_to_place_says_so():
    assert summary(plan([])) == "No open seats on future shifts in these days: nothing to apply."
    gap = OpenSeat(9, utc("2026-11-25T22:00-05:00"), utc("2026-11-26T06:00-05:00"), "backup", 1, 0, "nobody")
    assert summary(plan([], [gap])).endswith("· nothing to apply")
