"""The rota's rules in the core: each one's refusal with its numbers, force and its audit,
claims, drops and cover requests, and what editing or cancelling a series does.

Line: America/New_York, defaults 20 h and 5 shifts a week, 8 h rest, 4 overnights a month,
drop cut-off 48 h. The clock is Monday 2026-11-23 08:00 local unless a test moves it.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from warmline import people, rota, rules
from warmline import line as line_mod
from warmline.db import open_db, parse_utc
from warmline.errors import Invalid, Refused, RuleBroken
from warmline.people import PersonChanges
from warmline.recurrence import zone
from warmline.times import parse_moment

NOW = "2026-11-23T08:00:00-05:00"
TZ = zone("America/New_York")
OVERRIDE = " (a coordinator may override with --force)"


def at(text: str) -> datetime:
    return parse_moment(text, TZ)


class Line:
    """A fresh line with a coordinator and two volunteers, and shortcuts for the tests."""

    def __init__(self, path):
        self.db = open_db(path, create=True)
        line_mod.create(
            self.db, name="T", tz="America/New_York", actor="coord", first_coordinator=("coord", "Coord", None)
        )
        self.coord = people.get(self.db.conn, "coord")
        self.sam = people.add(self.db, self.coord, handle="sam", name="Sam")
        self.kim = people.add(self.db, self.coord, handle="kim", name="Kim")

    def shift(self, start: str, end: str, *, seats: int = 2, backup: int = 1) -> int:
        return rota.add_shift(self.db, self.coord, start=at(start), end=at(end), seats=seats, backup=backup).id

    def assign(self, shift_id: int, handle: str, **kw):
        return rota.assign(self.db, self.coord, shift_id, handle, **kw)

    def limits(self, handle: str, **limits):
        people.edit(self.db, self.coord, handle, PersonChanges(**limits))

    def on(self, shift_id: int) -> list[str]:
        v = rota.view(self.db.conn, shift_id)
        return [a.handle for a in v.peers + v.backups]

    def last_audit(self) -> tuple[str, str, str]:
        row = self.db.conn.execute("SELECT action, subject, detail FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        return tuple(row)

    def dump(self) -> list[str]:
        return list(self.db.conn.iterdump())

    def cover(self, shift_id: int) -> list[tuple]:
        return [
            tuple(r)
            for r in self.db.conn.execute(
                "SELECT p.handle, c.role, c.status, t.handle FROM cover_request c JOIN person p ON p.id = c.person_id"
                " LEFT JOIN person t ON t.id = c.taken_by WHERE c.shift_id = ? ORDER BY c.id",
                (shift_id,),
            )
        ]


@pytest.fixture
def w(tmp_path, monkeypatch) -> Line:
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    made = Line(tmp_path / "r.db")
    yield made
    made.db.close()


def refused(call, *args, **kwargs) -> RuleBroken:
    with pytest.raises(RuleBroken) as caught:
        call(*args, **kwargs)
    return caught.value


# ---------------------------------------------------------------- seats and overlap: never forceable


@pytest.mark.parametrize("force", [False, True])
def test_a_shift_never_has_more_peers_than_seats(w, force):
    s = w.shift("2026-11-24T09:00", "2026-11-24T13:00", seats=1)
    w.assign(s, "sam")
    before = w.dump()
    err = refused(w.assign, s, "kim", force=force)
    assert str(err) == f"shift {s} has no free peer seat (1 of 1 taken)"
    assert (err.rule, err.overridable) == ("seats", False)
    assert w.dump() == before


@pytest.mark.parametrize("force", [False, True])
def test_a_shift_never_has_more_backups_than_backup_seats(w, force):
    s = w.shift("2026-11-24T09:00", "2026-11-24T13:00", backup=0)
    err = refused(w.assign, s, "kim", role="backup", force=force)
    assert str(err) == f"shift {s} has no free backup seat (0 of 0 taken)"


def test_claim_of_a_full_shift_is_refused(w):
    s = w.shift("2026-11-24T09:00", "2026-11-24T13:00", seats=1)
    w.assign(s, "sam")
    err = refused(rota.claim, w.db, w.kim, s)
    assert str(err) == f"shift {s} (Tue 2026-11-24 09:00–13:00) has no free peer seat (1 of 1 taken)"


def test_seats_cannot_shrink_below_the_people_on_a_shift(w):
    s = w.shift("2026-11-24T09:00", "2026-11-24T13:00", seats=2)
    w.assign(s, "sam")
    w.assign(s, "kim")
    err = refused(rota.edit_shift, w.db, w.coord, s, seats=1, force=True)
    assert err.rule == "seats"
    assert "has 2 peers and 0 backup" in str(err)


@pytest.mark.parametrize("force", [False, True])
def test_a_person_is_never_on_two_overlapping_shifts(w, force):
    a = w.shift("2026-11-24T09:00", "2026-11-24T13:00")
    b = w.shift("2026-11-24T12:00", "2026-11-24T16:00")
    w.assign(a, "sam")
    before = w.dump()
    err = refused(w.assign, b, "sam", force=force)
    assert str(err) == (
        f"sam is already on shift {a} (Tue 2026-11-24 09:00–13:00), which overlaps shift {b} (Tue 2026-11-24 12:00–16:00)"
    )
    assert (err.rule, err.overridable) == ("overlap", False)
    assert w.dump() == before


def test_moving_a_shift_onto_another_of_its_peoples_shifts_is_refused_even_forced(w):
    a = w.shift("2026-11-24T09:00", "2026-11-24T13:00")
    b = w.shift("2026-11-25T09:00", "2026-11-25T13:00")
    w.assign(a, "sam")
    w.assign(b, "sam")
    err = refused(rota.edit_shift, w.db, w.coord, b, start=at("2026-11-24T11:00"), end=at("2026-11-24T15:00"), force=True)
    assert err.rule == "overlap"
    assert rota.get_shift(w.db.conn, b).start_utc == at("2026-11-25T09:00")


def test_back_to_back_shifts_do_not_overlap_but_break_rest(w):
    a = w.shift("2026-11-24T09:00", "2026-11-24T13:00")
    b = w.shift("2026-11-24T13:00", "2026-11-24T17:00")
    w.assign(a, "sam")
    err = refused(w.assign, b, "sam")
    assert err.rule == "rest"
    assert "0.0 h rest" in str(err)


# ---------------------------------------------------------------- rest and limits: forceable by a coordinator


def test_min_rest_between_shifts(w):
    a = w.shift("2026-11-24T09:00", "2026-11-24T13:00")
    b = w.shift("2026-11-24T17:00", "2026-11-24T21:00")
    w.assign(a, "sam")
    expected = (
        f"sam would have 4.0 h rest between shift {a} (Tue 2026-11-24 09:00–13:00) "
        f"and shift {b} (Tue 2026-11-24 17:00–21:00); the minimum is 8 h"
    )
    err = refused(w.assign, b, "sam")
    assert str(err) == expected + OVERRIDE
    assert (err.rule, err.overridable) == ("rest", True)
    # A volunteer claiming it is refused the same way, with no hint about forcing.
    assert str(refused(rota.claim, w.db, w.sam, b)) == expected


def test_rest_counts_before_as_well_as_after(w):
    a = w.shift("2026-11-24T17:00", "2026-11-24T21:00")
    b = w.shift("2026-11-24T09:00", "2026-11-24T14:00")
    w.assign(a, "sam")
    assert "3.0 h rest" in str(refused(w.assign, b, "sam"))


def test_rest_uses_the_persons_own_minimum(w):
    w.limits("sam", min_rest_hours=12)
    a = w.shift("2026-11-24T09:00", "2026-11-24T13:00")
    b = w.shift("2026-11-24T23:00", "2026-11-25T03:00")
    w.assign(a, "sam")
    assert str(refused(w.assign, b, "sam")).endswith("; the minimum is 12 h" + OVERRIDE)
    c = w.shift("2026-11-25T01:00", "2026-11-25T05:00")
    w.assign(c, "sam")  # exactly 12 h after the end of a


def test_max_hours_per_iso_week(w):
    a = w.shift("2026-11-24T08:00", "2026-11-24T18:00")  # 10 h
    b = w.shift("2026-11-25T08:00", "2026-11-25T14:00")  # 6 h
    c = w.shift("2026-11-26T08:00", "2026-11-26T14:00")  # 6 h
    w.assign(a, "sam")
    w.assign(b, "sam")
    err = refused(w.assign, c, "sam")
    assert str(err) == "sam would work 22.0 h in the week of 2026-11-23; the limit is 20 h" + OVERRIDE
    assert (err.rule, err.overridable) == ("max-hours", True)


def test_max_hours_allows_exactly_the_limit(w):
    w.limits("sam", max_hours_week=8)
    a = w.shift("2026-11-24T09:00", "2026-11-24T13:00")
    b = w.shift("2026-11-25T09:00", "2026-11-25T13:00")
    c = w.shift("2026-11-26T09:00", "2026-11-26T09:30")
    w.assign(a, "sam")
    w.assign(b, "sam")
    assert str(refused(w.assign, c, "sam")).startswith("sam would work 8.5 h in the week of 2026-11-23; the limit is 8 h")


def test_max_shifts_per_iso_week(w):
    w.limits("kim", max_shifts_week=2)
    ids = [w.shift(f"2026-11-{day}T09:00", f"2026-11-{day}T11:00") for day in (24, 25, 26)]
    w.assign(ids[0], "kim")
    w.assign(ids[1], "kim")
    err = refused(w.assign, ids[2], "kim")
    assert str(err) == "kim would have 3 shifts in the week of 2026-11-23; the limit is 2" + OVERRIDE
    assert err.rule == "max-shifts"
    # The next ISO week starts afresh.
    w.assign(w.shift("2026-11-30T09:00", "2026-11-30T11:00"), "kim")


def test_max_overnight_shifts_per_month(w):
    w.limits("sam", max_overnights_month=1)
    first = w.shift("2026-12-01T22:00", "2026-12-02T02:00")
    second = w.shift("2026-12-09T04:00", "2026-12-09T08:00")  # only its first hour is overnight
    w.assign(first, "sam")
    err = refused(w.assign, second, "sam")
    assert str(err) == "sam would have 2 overnight shifts in December 2026; the limit is 1" + OVERRIDE
    assert err.rule == "max-overnights"
    # Not overnights: ends exactly at midnight, starts exactly at 05:00.
    w.assign(w.shift("2026-12-12T18:00", "2026-12-13T00:00"), "sam")
    w.assign(w.shift("2026-12-15T05:00", "2026-12-15T09:00"), "sam")
    # An overnight that starts on 30 November counts in November.
    w.assign(w.shift("2026-11-30T22:00", "2026-12-01T02:00"), "kim")
    w.limits("kim", max_overnights_month=1)
    w.assign(w.shift("2026-12-05T23:00", "2026-12-06T03:00"), "kim")


@pytest.mark.parametrize(
    ("start", "end", "overnight"),
    [
        ("2026-11-24T22:00", "2026-11-25T00:00", False),
        ("2026-11-24T23:00", "2026-11-25T00:30", True),
        ("2026-11-25T00:00", "2026-11-25T01:00", True),
        ("2026-11-25T04:59", "2026-11-25T06:00", True),
        ("2026-11-25T05:00", "2026-11-25T09:00", False),
        ("2026-11-25T06:00", "2026-11-26T00:00", False),
        ("2026-11-25T06:00", "2026-11-26T06:00", True),
        ("2026-11-24T21:00", "2026-11-25T05:00", True),
    ],
)
def test_overnight_means_any_part_between_midnight_and_five_local(start, end, overnight):
    assert rules.is_overnight(at(start).astimezone(timezone.utc), at(end).astimezone(timezone.utc), TZ) is overnight


def test_weeks_are_local_weeks_not_utc_weeks(w):
    """Sunday 19:00-23:00 in New York is Monday 00:00-04:00 UTC: it belongs to the local week."""
    w.limits("sam", max_hours_week=6)
    sunday = w.shift("2026-11-29T19:00", "2026-11-29T23:00")  # 4 h, week of 2026-11-23 locally
    wednesday = w.shift("2026-11-25T09:00", "2026-11-25T12:00")  # 3 h, same local week
    monday = w.shift("2026-11-30T09:00", "2026-11-30T12:00")  # 3 h, the next local week
    w.assign(wednesday, "sam")
    w.assign(monday, "sam")
    assert str(refused(w.assign, sunday, "sam")) == (
        "sam would work 7.0 h in the week of 2026-11-23; the limit is 6 h" + OVERRIDE
    )
    rota.unassign(w.db, w.coord, wednesday, "sam")
    w.assign(sunday, "sam")  # with Monday's 3 h it would be 7 h in one UTC week


def test_hours_are_real_elapsed_time_across_the_autumn_change(w, monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", "2026-10-20T08:00:00-04:00")
    w.limits("sam", max_hours_week=8)
    night = w.shift("2026-10-31T22:00", "2026-11-01T06:00")  # 9 h of real time
    assert rota.get_shift(w.db.conn, night).hours == 9
    assert str(refused(w.assign, night, "sam")) == (
        "sam would work 9.0 h in the week of 2026-10-26; the limit is 8 h" + OVERRIDE
    )


def test_hours_are_real_elapsed_time_across_the_spring_change(w, monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", "2026-03-01T08:00:00-05:00")
    w.limits("sam", max_hours_week=7)
    night = w.shift("2026-03-07T22:00", "2026-03-08T06:00")  # 7 h of real time
    assert rota.get_shift(w.db.conn, night).hours == 7
    w.assign(night, "sam")  # exactly at the 7 h limit: allowed
    assert "sam" in w.on(night)


def test_several_broken_rules_are_reported_together(w):
    w.limits("sam", max_shifts_week=1)
    a = w.shift("2026-11-24T09:00", "2026-11-24T13:00")
    b = w.shift("2026-11-24T15:00", "2026-11-24T19:00")
    w.assign(a, "sam")
    err = refused(w.assign, b, "sam")
    assert err.rule == "max-shifts,rest"
    assert err.overridable
    assert "2.0 h rest" in str(err) and "2 shifts in the week of 2026-11-23; the limit is 1" in str(err)


# ---------------------------------------------------------------- force


def test_a_coordinator_may_force_rest_and_limits_and_it_is_audited(w):
    a = w.shift("2026-11-24T09:00", "2026-11-24T13:00")
    b = w.shift("2026-11-24T17:00", "2026-11-24T21:00")
    w.assign(a, "sam")
    w.assign(b, "sam", force=True)
    assert w.on(b) == ["sam"]
    action, subject, detail = w.last_audit()
    assert (action, subject) == ("assign", f"shift {b}")
    assert detail.endswith("; forced past: rest")


def test_force_on_a_shift_edit_is_audited(w):
    a = w.shift("2026-11-24T09:00", "2026-11-24T13:00")
    b = w.shift("2026-11-25T09:00", "2026-11-25T13:00")
    w.assign(a, "sam")
    w.assign(b, "sam")
    err = refused(rota.edit_shift, w.db, w.coord, b, start=at("2026-11-24T17:00"), end=at("2026-11-24T21:00"))
    assert err.rule == "rest"
    rota.edit_shift(w.db, w.coord, b, start=at("2026-11-24T17:00"), end=at("2026-11-24T21:00"), force=True)
    action, _, detail = w.last_audit()
    assert action == "shift.edit" and "forced past: rest" in detail


def test_an_unforced_assignment_is_not_marked_forced(w):
    s = w.shift("2026-11-24T09:00", "2026-11-24T13:00")
    w.assign(s, "sam", force=True)
    assert "forced" not in w.last_audit()[2]


def test_volunteers_get_no_override(w):
    a = w.shift("2026-11-24T09:00", "2026-11-24T13:00")
    b = w.shift("2026-11-24T17:00", "2026-11-24T21:00")
    w.assign(a, "sam")
    with pytest.raises(Refused, match="only coordinators may"):
        rota.assign(w.db, w.sam, b, "sam", force=True)
    assert w.on(b) == []


# ---------------------------------------------------------------- people and shape


@pytest.mark.parametrize("force", [False, True])
def test_no_assignment_of_an_inactive_person(w, force):
    s = w.shift("2026-11-24T09:00", "2026-11-24T13:00")
    people.deactivate(w.db, w.coord, "kim")
    err = refused(w.assign, s, "kim", force=force)
    assert str(err) == "kim is inactive and cannot be put on shifts"
    assert (err.rule, err.overridable) == ("inactive", False)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-11-24T09:00", "2026-11-24T09:00", "is not after the start"),
        ("2026-11-24T09:00", "2026-11-24T08:00", "is not after the start"),
        ("2026-11-24T09:00", "2026-11-25T10:00", "the shift would last 25.0 h; a shift lasts at most 24 h"),
        ("2026-11-24T09:00", "2026-11-25T09:01", "a shift lasts at most 24 h"),
    ],
)
def test_a_shift_ends_after_it_starts_and_lasts_at_most_24_hours(w, start, end, message):
    before = w.dump()
    with pytest.raises(Invalid, match=message):
        w.shift(start, end)
    assert w.dump() == before


def test_a_24_hour_shift_is_allowed(w):
    assert rota.get_shift(w.db.conn, w.shift("2026-11-24T09:00", "2026-11-25T09:00")).hours == 24


def test_shift_length_is_real_time_across_the_autumn_change(w, monkeypatch):
    """00:00 to 23:30 on 1 November 2026 is 24.5 h of real time in New York."""
    monkeypatch.setenv("WARMLINE_NOW", "2026-10-20T08:00:00-04:00")
    with pytest.raises(Invalid, match="the shift would last 24.5 h"):
        w.shift("2026-11-01T00:00", "2026-11-01T23:30")
    s = w.shift("2026-11-01T00:00", "2026-11-01T22:00")  # 23 h
    with pytest.raises(Invalid, match="the shift would last 24.5 h"):
        rota.edit_shift(w.db, w.coord, s, end=at("2026-11-01T23:30"))


def test_edit_rejects_an_end_before_the_start(w):
    s = w.shift("2026-11-24T09:00", "2026-11-24T13:00")
    with pytest.raises(Invalid, match="is not after the start"):
        rota.edit_shift(w.db, w.coord, s, end=at("2026-11-24T08:00"))


# ---------------------------------------------------------------- cancelled shifts


def test_cancelled_shifts_do_not_count_for_overlap_or_limits(w):
    w.limits("sam", max_shifts_week=1)
    a = w.shift("2026-11-24T09:00", "2026-11-24T13:00")
    b = w.shift("2026-11-24T12:00", "2026-11-24T16:00")
    c = w.shift("2026-11-26T09:00", "2026-11-26T13:00")
    w.assign(a, "sam")
    assert refused(w.assign, b, "sam").rule == "overlap"
    assert refused(w.assign, c, "sam").rule == "max-shifts"
    rota.cancel_shift(w.db, w.coord, a)
    w.assign(b, "sam")  # neither the overlap nor the one-shift limit counts the cancelled shift


def test_a_cancelled_shift_cannot_be_assigned_or_claimed(w):
    s = w.shift("2026-11-30T09:00", "2026-11-30T13:00")
    rota.cancel_shift(w.db, w.coord, s)
    with pytest.raises(Refused, match="is cancelled"):
        w.assign(s, "sam")
    with pytest.raises(Refused, match="is cancelled"):
        rota.claim(w.db, w.sam, s)


# ---------------------------------------------------------------- claim, drop, cover requests


def test_claim_takes_an_open_seat_once(w):
    s = w.shift("2026-11-30T09:00", "2026-11-30T13:00")
    a = rota.claim(w.db, w.sam, s)
    assert (a.handle, a.role) == ("sam", "peer")
    assert w.on(s) == ["sam"]
    with pytest.raises(Refused, match="sam is already on shift"):
        rota.claim(w.db, w.sam, s)
    rota.claim(w.db, w.kim, s, role="backup")
    assert rota.view(w.db.conn, s).backups[0].handle == "kim"


def test_a_started_shift_cannot_be_claimed_or_dropped(w):
    s = w.shift("2026-11-23T07:00", "2026-11-23T11:00")
    with pytest.raises(Refused, match="has already started"):
        rota.claim(w.db, w.sam, s)
    w.assign(s, "kim")
    with pytest.raises(Refused, match="has already started"):
        rota.drop(w.db, w.kim, s)


def test_an_early_drop_reopens_the_seat(w):
    s = w.shift("2026-11-25T09:00", "2026-11-25T13:00")  # 49 h ahead
    w.assign(s, "sam")
    assert rota.drop(w.db, w.sam, s) == "reopened"
    assert w.on(s) == []
    assert w.cover(s) == []
    assert w.last_audit()[0] == "drop" and "seat reopened" in w.last_audit()[2]


@pytest.mark.parametrize(("start", "outcome"), [("2026-11-25T08:00", "reopened"), ("2026-11-25T07:59", "cover-requested")])
def test_the_drop_cut_off_is_48_hours(w, start, outcome):
    s = rota.add_shift(w.db, w.coord, start=at(start), end=at(start) + timedelta(hours=4)).id
    w.assign(s, "sam")
    assert rota.drop(w.db, w.sam, s) == outcome


def test_late_drop_becomes_a_cover_request_until_someone_takes_it(w):
    s = w.shift("2026-11-24T09:00", "2026-11-24T13:00", seats=1)  # 25 h ahead
    w.assign(s, "sam")
    assert rota.drop(w.db, w.sam, s) == "cover-requested"
    assert w.on(s) == ["sam"]  # still on until covered
    assert w.cover(s) == [("sam", "peer", "open", None)]
    assert [c.handle for c in rota.view(w.db.conn, s).cover] == ["sam"]
    assert s in [v.shift.id for v in rota.views(w.db.conn, at("2026-11-23T00:00"), at("2026-11-30T00:00"), open_only=True)]
    detail = w.last_audit()[2]
    assert "within 48 h: cover requested, sam stays on until covered" in detail

    with pytest.raises(Refused, match="sam already asked for cover"):
        rota.drop(w.db, w.sam, s)

    taken = rota.claim(w.db, w.kim, s)
    assert taken.handle == "kim"
    assert w.on(s) == ["kim"]
    assert w.cover(s) == [("sam", "peer", "taken", "kim")]
    assert rota.view(w.db.conn, s).cover == []
    assert w.last_audit()[2].endswith("; covers for sam")


def test_a_backup_cover_request_is_taken_by_a_backup_claim(w):
    s = w.shift("2026-11-24T09:00", "2026-11-24T13:00", seats=1, backup=1)
    w.assign(s, "sam", role="backup")
    w.assign(s, "coord")
    assert rota.drop(w.db, w.sam, s) == "cover-requested"
    assert w.cover(s) == [("sam", "backup", "open", None)]
    err = refused(rota.claim, w.db, w.kim, s)  # no peer seat and no peer cover
    assert err.rule == "seats"
    rota.claim(w.db, w.kim, s, role="backup")
    assert [a.handle for a in rota.view(w.db.conn, s).backups] == ["kim"]
    assert w.cover(s) == [("sam", "backup", "taken", "kim")]


def test_taking_a_cover_request_still_checks_the_claimers_rules(w):
    s = w.shift("2026-11-24T09:00", "2026-11-24T13:00", seats=1)
    other = w.shift("2026-11-24T10:00", "2026-11-24T12:00")
    w.assign(s, "sam")
    w.assign(other, "kim")
    rota.drop(w.db, w.sam, s)
    before = w.dump()
    assert refused(rota.claim, w.db, w.kim, s).rule == "overlap"
    assert w.dump() == before
    assert w.on(s) == ["sam"]


def test_unassign_withdraws_a_cover_request(w):
    s = w.shift("2026-11-24T09:00", "2026-11-24T13:00")
    w.assign(s, "sam")
    rota.drop(w.db, w.sam, s)
    rota.unassign(w.db, w.coord, s, "sam")
    assert w.on(s) == []
    assert w.cover(s) == [("sam", "peer", "withdrawn", None)]


def test_cancelling_a_shift_withdraws_its_cover_requests(w):
    s = w.shift("2026-11-24T09:00", "2026-11-24T13:00")
    w.assign(s, "sam")
    rota.drop(w.db, w.sam, s)
    rota.cancel_shift(w.db, w.coord, s)
    assert w.cover(s) == [("sam", "peer", "withdrawn", None)]


def test_a_person_not_on_a_shift_cannot_drop_it(w):
    s = w.shift("2026-11-30T09:00", "2026-11-30T13:00")
    with pytest.raises(Refused, match="sam is not on shift"):
        rota.drop(w.db, w.sam, s)


# ---------------------------------------------------------------- series


RULE = "FREQ=WEEKLY;BYDAY=MO,WE,FR"


def series_shifts(w, series_id) -> dict[str, tuple]:
    """occurrence key -> (local start, local end, status, detached)"""
    return {
        r[0]: (
            parse_utc(r[1]).astimezone(TZ).strftime("%Y-%m-%d %H:%M"),
            parse_utc(r[2]).astimezone(TZ).strftime("%H:%M"),
            r[3],
            bool(r[4]),
        )
        for r in w.db.conn.execute(
            "SELECT occurrence, start_utc, end_utc, status, detached FROM shift WHERE series_id = ? ORDER BY start_utc",
            (series_id,),
        )
    }


def shift_at(w, series_id, local_day: str) -> int:
    for r in w.db.conn.execute("SELECT id, start_utc FROM shift WHERE series_id = ?", (series_id,)):
        if parse_utc(r[1]).astimezone(TZ).date().isoformat() == local_day:
            return r[0]
    raise AssertionError(f"no occurrence on {local_day}")


@pytest.fixture
def series(w):
    made, count = rota.add_series(w.db, w.coord, rule=RULE, start=at("2026-11-23T17:00"), end=at("2026-11-23T21:00"))
    # 12 weeks from Monday 2026-11-23 08:00: 12 Mondays, Wednesdays and Fridays up to 2027-02-12.
    assert count == 36
    return made.id


def test_series_are_expanded_12_weeks_ahead_and_extending_is_idempotent(w, series, monkeypatch):
    shifts = series_shifts(w, series)
    assert len(shifts) == 36
    assert min(v[0] for v in shifts.values()) == "2026-11-23 17:00"
    assert max(v[0] for v in shifts.values()) == "2027-02-12 17:00"
    audits = w.db.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    assert rota.extend_horizon(w.db) == 0
    assert rota.extend_horizon(w.db) == 0
    assert w.db.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == audits

    monkeypatch.setenv("WARMLINE_NOW", "2026-11-30T08:00:00-05:00")
    assert rota.extend_horizon(w.db) == 3
    assert rota.extend_horizon(w.db) == 0
    shifts = series_shifts(w, series)
    assert len(shifts) == 39
    assert sorted(v[0] for v in shifts.values())[-3:] == ["2027-02-15 17:00", "2027-02-17 17:00", "2027-02-19 17:00"]


def test_extending_skips_a_date_the_clocks_make_impossible_and_extends_the_other_series(w, series, monkeypatch):
    """02:45–03:15 cannot exist on 14 March 2027 in New York: the clocks skip 02:00–03:00, so it
    would start (at 03:45, the gap's time moved on) after it ends. The
    series was made months before that date came into the horizon: extending leaves that one date
    out instead of failing, and the other series still grow."""
    night, _ = rota.add_series(w.db, w.coord, rule="FREQ=DAILY", start=at("2026-11-24T02:45"), end=at("2026-11-24T03:15"))
    monkeypatch.setenv("WARMLINE_NOW", "2027-02-01T08:00:00-05:00")
    assert rota.extend_horizon(w.db) > 0
    nights = series_shifts(w, night.id)
    assert "2027-03-14" not in nights and {"2027-03-13", "2027-03-15"} <= set(nights)
    assert nights["2027-03-15"][0] == "2027-03-15 02:45"  # the day after: local time again
    assert max(series_shifts(w, series)) >= "2027-04-"  # the evening series grew too
    assert rota.check(w.db.conn).ok


def test_editing_one_occurrence_detaches_it_and_it_survives(w, series, monkeypatch):
    one = shift_at(w, series, "2026-12-02")
    rota.edit_shift(w.db, w.coord, one, start=at("2026-12-02T18:00"), end=at("2026-12-02T22:00"))
    edited = rota.get_shift(w.db.conn, one)
    assert edited.detached and edited.series_id == series

    rota.edit_series(w.db, w.coord, series, rota.SeriesChanges(start_time=time(16, 0), end_time=time(20, 0)))
    shifts = series_shifts(w, series)
    assert shifts["2026-12-02"][:2] == ("2026-12-02 18:00", "22:00")
    assert shifts["2026-12-04"][:2] == ("2026-12-04 16:00", "20:00")

    monkeypatch.setenv("WARMLINE_NOW", "2026-12-14T08:00:00-05:00")
    assert rota.extend_horizon(w.db) == 9
    shifts = series_shifts(w, series)
    assert shifts["2026-12-02"] == ("2026-12-02 18:00", "22:00", "scheduled", True)
    assert list(shifts).count("2026-12-02") == 1
    assert shifts["2027-03-05"][:2] == ("2027-03-05 16:00", "20:00")


def test_editing_a_series_changes_only_future_occurrences(w, series, monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", "2026-11-26T08:00:00-05:00")  # Monday and Wednesday are past
    rota.edit_series(w.db, w.coord, series, rota.SeriesChanges(start_time=time(18, 0), end_time=time(22, 0), seats=3))
    shifts = series_shifts(w, series)
    assert shifts["2026-11-23"][:2] == ("2026-11-23 17:00", "21:00")
    assert shifts["2026-11-25"][:2] == ("2026-11-25 17:00", "21:00")
    assert shifts["2026-11-27"][:2] == ("2026-11-27 18:00", "22:00")
    assert rota.get_shift(w.db.conn, shift_at(w, series, "2026-11-25")).seats == 2
    assert rota.get_shift(w.db.conn, shift_at(w, series, "2026-11-27")).seats == 3


def test_cancelling_one_occurrence_keeps_the_rest(w, series, monkeypatch):
    friday = shift_at(w, series, "2026-11-27")
    rota.cancel_shift(w.db, w.coord, friday)
    shifts = series_shifts(w, series)
    assert shifts["2026-11-27"][2] == "cancelled"
    assert sum(1 for v in shifts.values() if v[2] == "scheduled") == 35
    rota.edit_series(w.db, w.coord, series, rota.SeriesChanges(start_time=time(16, 0)))
    monkeypatch.setenv("WARMLINE_NOW", "2026-11-30T08:00:00-05:00")
    rota.extend_horizon(w.db)
    shifts = series_shifts(w, series)
    assert shifts["2026-11-27"][2] == "cancelled"
    assert sum(1 for v in shifts.values() if v[2] == "scheduled") == 38


def test_a_new_rule_cancels_future_occurrences_it_no_longer_makes(w, series):
    rota.edit_series(w.db, w.coord, series, rota.SeriesChanges(rule="FREQ=WEEKLY;BYDAY=MO,WE"))
    shifts = series_shifts(w, series)
    fridays = [v for k, v in shifts.items() if datetime.fromisoformat(k).weekday() == 4]
    assert len(fridays) == 12 and all(v[2] == "cancelled" for v in fridays)


def test_a_series_edit_checks_the_rules_for_the_people_on_it(w, series):
    monday = shift_at(w, series, "2026-11-30")
    morning = w.shift("2026-11-30T08:00", "2026-11-30T12:00")
    w.assign(monday, "sam")
    w.assign(morning, "sam", force=True)  # 5 h rest, already under the minimum
    before = w.dump()
    err = refused(rota.edit_series, w.db, w.coord, series, rota.SeriesChanges(start_time=time(11, 0)), force=True)
    assert err.rule == "overlap"
    err = refused(rota.edit_series, w.db, w.coord, series, rota.SeriesChanges(start_time=time(13, 0)))
    assert err.rule == "rest"
    assert "sam would have 1.0 h rest" in str(err)
    assert w.dump() == before
    rota.edit_series(w.db, w.coord, series, rota.SeriesChanges(start_time=time(13, 0)), force=True)
    action, _, detail = w.last_audit()
    assert action == "series.edit" and detail.endswith("forced past: rest")
    assert series_shifts(w, series)["2026-11-30"][0] == "2026-11-30 13:00"


def test_cancelling_a_series_cancels_future_shifts_only(w, series, monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", "2026-11-26T08:00:00-05:00")
    _, cancelled = rota.cancel_series(w.db, w.coord, series)
    assert cancelled == 34
    shifts = series_shifts(w, series)
    assert shifts["2026-11-23"][2] == shifts["2026-11-25"][2] == "scheduled"
    monkeypatch.setenv("WARMLINE_NOW", "2027-01-26T08:00:00-05:00")
    assert rota.extend_horizon(w.db) == 0


def test_check_finds_nothing_wrong_after_all_of_this(w, series):
    a = shift_at(w, series, "2026-11-30")
    w.assign(a, "sam")
    w.assign(shift_at(w, series, "2026-12-02"), "sam")
    report = rota.check(w.db.conn)
    assert report.ok, report.errors


def test_a_series_edit_counts_the_new_length_of_every_occurrence(w):
    """Three 4 h shifts a week made 7 h long is 21 h: over sam's 20 h, though each check alone sees 15 h."""
    made, _ = rota.add_series(w.db, w.coord, rule=RULE, start=at("2026-11-30T09:00"), end=at("2026-11-30T13:00"))
    for day in ("2026-11-30", "2026-12-02", "2026-12-04"):
        w.assign(shift_at(w, made.id, day), "sam")
    err = refused(rota.edit_series, w.db, w.coord, made.id, rota.SeriesChanges(end_time=time(16, 0)))
    assert "sam would work 21.0 h in the week of 2026-11-30; the limit is 20 h" in str(err)


def test_a_series_edit_does_not_count_occurrences_it_cancels(w):
    """Mon/Wed/Fri 6 h becoming Mon/Wed 8 h is 16 h a week: within 20 h, so no refusal."""
    made, _ = rota.add_series(w.db, w.coord, rule=RULE, start=at("2026-11-30T09:00"), end=at("2026-11-30T15:00"))
    for day in ("2026-11-30", "2026-12-02", "2026-12-04"):
        w.assign(shift_at(w, made.id, day), "sam")
    changes = rota.SeriesChanges(rule="FREQ=WEEKLY;BYDAY=MO,WE", end_time=time(17, 0))
    rota.edit_series(w.db, w.coord, made.id, changes)
    report = rota.check(w.db.conn)
    assert report.ok and not report.warnings, (report.errors, report.warnings)


# ---------------------------------------------------------------- reading a week


def test_a_weeks_views_and_who_works_read_only_that_week(w):
    inside = w.shift("2026-11-24T09:00", "2026-11-24T13:00")
    later = w.shift("2026-12-01T09:00", "2026-12-01T13:00")
    cancelled = w.shift("2026-11-25T09:00", "2026-11-25T13:00")
    w.assign(inside, "sam")
    w.assign(inside, "kim", role="backup")
    w.assign(later, "sam")
    w.assign(later, "coord", role="backup")
    w.assign(cancelled, "coord")
    rota.cancel_shift(w.db, w.coord, cancelled)
    assert rota.drop(w.db, w.sam, inside) == "cover-requested"  # within the cut-off: sam stays on
    assert rota.drop(w.db, w.sam, later) == "reopened"
    week = (at("2026-11-23T00:00"), at("2026-11-30T00:00"))
    views = rota.views(w.db.conn, *week)
    assert [v.shift.id for v in views] == [inside, cancelled]
    assert [(a.handle, a.role) for a in views[0].peers + views[0].backups] == [("sam", "peer"), ("kim", "backup")]
    assert [c.handle for c in views[0].cover] == ["sam"] and views[1].cover == []
    assert views[0].shift == rota.get_shift(w.db.conn, inside)
    # Who works: scheduled shifts starting in the range, peers and backups alike; not cancelled ones.
    assert rota.working(w.db.conn, *week) == {w.sam.id, w.kim.id}
    assert rota.working(w.db.conn, at("2026-11-30T00:00"), at("2026-12-07T00:00")) == {w.coord.id}
