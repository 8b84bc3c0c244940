"""Availability windows, preferred times and time off: parsing, the two rules, who may change what.

Line: America/New_York; the clock is Monday 2026-11-23 08:00. Claims never override the rules;
a coordinator's assign is refused, then goes through with --force and says so in the audit log.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from warmline import access, availability, people, rota, rules
from warmline.availability import Window, parse_windows
from warmline.db import open_db
from warmline.errors import Invalid, Refused, RuleBroken
from warmline.line import create

NY = ZoneInfo("America/New_York")
NOW = "2026-11-23T08:00:00-05:00"
SECRET = "correct horse battery"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """New York time; day 23 is Monday 23 November 2026 (day 31 is 1 December)."""
    return datetime(2026, 11, 1, hour, minute, tzinfo=NY) + timedelta(days=day - 1)


class Line:
    def __init__(self, path):
        self.db = open_db(path, create=True)
        create(self.db, name="T", tz="America/New_York", actor="coord", first_coordinator=("coord", "Coord", None))
        self.coord = people.get(self.db.conn, "coord")
        self.sam = people.add(self.db, self.coord, handle="sam", name="Sam")
        self.kim = people.add(self.db, self.coord, handle="kim", name="Kim")

    def shift(self, start: datetime, end: datetime, **kw) -> int:
        return rota.add_shift(self.db, self.coord, start=start, end=end, **kw).id

    def set(self, who, *tokens, handle=None, kind="available"):
        return availability.set_windows(self.db, who, handle, parse_windows(tokens, kind=kind), kind=kind)

    def audit(self) -> tuple[str, str, str]:
        return tuple(self.db.conn.execute("SELECT action, subject, detail FROM audit ORDER BY id DESC LIMIT 1").fetchone())

    def dump(self) -> list[str]:
        return list(self.db.conn.iterdump())


@pytest.fixture
def w(tmp_path, monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    made = Line(tmp_path / "r.db")
    yield made
    made.db.close()


# ---------------------------------------------------------------- parsing


def test_windows_are_days_then_ranges():
    found = parse_windows(["MO", "17:00-21:00", "TU,TH", "09:00-13:00", "18:00-22:00", "weekends", "10:00–16:00"])
    assert [w.describe() for w in found] == [
        "Mon 17:00–21:00", "Tue 09:00–13:00", "Tue 18:00–22:00", "Thu 09:00–13:00", "Thu 18:00–22:00",
        "Sat 10:00–16:00", "Sun 10:00–16:00",
    ]


def test_a_range_ending_before_it_starts_runs_past_midnight_and_24_00_is_midnight():
    night, late = parse_windows(["FR", "22:00-06:00", "SA", "18:00-24:00"])
    assert night.overnight and (night.start, night.end) == (time(22), time(6))
    assert late.overnight and late.end == time(0)


@pytest.mark.parametrize(
    ("tokens", "says"),
    [
        (["17:00-21:00"], "has no day before it"),
        (["MO"], "ends with days but no time range"),
        (["XX", "17:00-21:00"], "is not a day"),
        (["MO", "17-21"], "is not a time range"),
        (["MO", "25:00-26:00"], "is not a time range"),
    ],
)
def test_bad_windows_say_how_to_write_them(tokens, says):
    with pytest.raises(Invalid, match=says):
        parse_windows(tokens)


# ---------------------------------------------------------------- the rules


def test_no_available_windows_means_available_any_time(w):
    sid = w.shift(at(24, 2), at(24, 6))
    assert availability.of(w.db.conn, w.sam).any_time
    assert rota.claim(w.db, w.sam, sid).handle == "sam"


def test_a_claim_outside_the_windows_is_refused_with_a_clear_message(w):
    w.set(w.sam, "MO", "17:00-21:00")
    sid = w.shift(at(24, 9), at(24, 13))
    before = w.dump()
    with pytest.raises(RuleBroken) as refused:
        rota.claim(w.db, w.sam, sid)
    assert refused.value.rule == "availability"
    assert str(refused.value) == (
        f"sam is not available for shift {sid} (Tue 2026-11-24 09:00–13:00): their availability is Mon 17:00–21:00"
    )
    assert "--force" not in str(refused.value)  # a claim never overrides, so no hint to
    assert w.dump() == before


def test_a_shift_must_lie_wholly_inside_the_windows(w):
    w.set(w.sam, "MO", "17:00-21:00")
    inside = w.shift(at(30, 17), at(30, 21))
    overhang = w.shift(at(23, 16), at(23, 21))
    assert rota.claim(w.db, w.sam, inside)
    with pytest.raises(RuleBroken, match="not available"):
        rota.claim(w.db, w.sam, overhang)


def test_windows_that_meet_at_midnight_join_up(w):
    w.set(w.sam, "MO", "17:00-00:00", "TU", "00:00-02:00")
    sid = w.shift(at(23, 22), at(24, 2))
    assert rota.claim(w.db, w.sam, sid)


def test_time_off_is_local_days_inclusive_and_catches_an_overnight_starting_the_evening_before(w):
    availability.add_time_off(w.db, w.sam, None, date(2026, 11, 25), date(2026, 11, 26))
    eve = w.shift(at(24, 22), at(25, 2))  # runs into the first day off
    last = w.shift(at(26, 20), at(26, 23, 59))
    before = w.shift(at(24, 17), at(25, 0))  # ends at midnight: not on the day off
    after = w.shift(at(27, 0), at(27, 4))
    for sid in (eve, last):
        with pytest.raises(RuleBroken, match=r"sam has time off 2026-11-25 to 2026-11-26 \(time off 1\)") as refused:
            rota.claim(w.db, w.sam, sid)
        assert refused.value.rule == "time-off"
    assert rota.claim(w.db, w.sam, before)
    assert rota.claim(w.db, w.sam, after)


def test_a_coordinator_is_refused_then_forces_and_the_audit_says_so(w):
    w.set(w.sam, "MO", "17:00-21:00")
    availability.add_time_off(w.db, w.sam, None, date(2026, 11, 24), date(2026, 11, 24))
    sid = w.shift(at(24, 9), at(24, 13))
    with pytest.raises(RuleBroken) as refused:
        rota.assign(w.db, w.coord, sid, "sam")
    assert refused.value.overridable
    assert refused.value.rule == "availability,time-off"
    assert str(refused.value).endswith("(a coordinator may override with --force)")
    rota.assign(w.db, w.coord, sid, "sam", force=True)
    action, subject, detail = w.audit()
    assert (action, subject) == ("assign", f"shift {sid}")
    assert detail.endswith("forced past: availability,time-off")


def test_the_picker_marks_unavailable_people_forceable_and_the_open_seat_board_leaves_them_out(w):
    w.set(w.sam, "SA,SU", "10:00-16:00")
    sid = w.shift(at(24, 9), at(24, 13))
    found = {c.person.handle: c for c in rota.candidates(w.db.conn, w.coord, sid)}
    assert not found["sam"].eligible and found["sam"].forceable
    assert [p.rule for p in found["sam"].problems] == ["availability"]
    assert found["kim"].eligible
    assert sid not in [v.shift.id for v in rota.claimable(w.db.conn, w.sam, at(23, 0), at(30, 0))]
    assert sid in [v.shift.id for v in rota.claimable(w.db.conn, w.kim, at(23, 0), at(30, 0))]


def test_moving_a_shift_out_of_someones_availability_needs_force(w):
    w.set(w.sam, "TU", "09:00-13:00")
    sid = w.shift(at(24, 9), at(24, 13))
    rota.claim(w.db, w.sam, sid)
    with pytest.raises(RuleBroken, match="not available"):
        rota.edit_shift(w.db, w.coord, sid, start=at(24, 14), end=at(24, 18))
    rota.edit_shift(w.db, w.coord, sid, start=at(24, 14), end=at(24, 18), force=True)


def test_preferred_windows_never_refuse_anything(w):
    w.set(w.sam, "SA", "10:00-16:00", kind="preferred")
    sid = w.shift(at(24, 9), at(24, 13))
    assert rota.claim(w.db, w.sam, sid)
    cal = availability.calendars(w.db.conn, [w.sam.id], at(23, 0), at(30, 0), NY)[w.sam.id]
    assert cal.preferred(int(at(28, 10).timestamp()), int(at(28, 16).timestamp()))
    assert not cal.preferred(int(at(28, 9).timestamp()), int(at(28, 16).timestamp()))


def test_windows_keep_their_wall_clock_times_across_the_autumn_change(tmp_path, monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", "2026-10-26T08:00:00-04:00")
    line = Line(tmp_path / "dst.db")
    try:
        line.set(line.sam, "SA", "22:00-06:00")  # Sat 31 Oct 22:00 – Sun 1 Nov 06:00 lasts 9 hours
        sid = line.shift(datetime(2026, 10, 31, 22, tzinfo=NY), datetime(2026, 11, 1, 6, tzinfo=NY))
        assert rota.view(line.db.conn, sid).shift.hours == 9
        assert rota.claim(line.db, line.sam, sid)
    finally:
        line.db.close()


# ---------------------------------------------------------------- changing them: who, what is kept, what is said


def test_volunteers_change_their_own_and_coordinators_anyones(w):
    w.set(w.sam, "MO", "17:00-21:00")
    with pytest.raises(Refused, match="only coordinators may edit other people"):
        w.set(w.sam, "MO", "17:00-21:00", handle="kim")
    w.set(w.coord, "TU", "09:00-13:00", handle="kim")
    assert w.audit() == ("availability.set", "kim", "available: Tue 09:00–13:00")
    with pytest.raises(Refused, match="may see only their own"):
        availability.of(w.db.conn, w.sam, "kim")
    assert [x.describe() for x in availability.of(w.db.conn, w.coord, "kim").available] == ["Tue 09:00–13:00"]


def test_setting_replaces_one_kind_and_clearing_means_any_time(w):
    w.set(w.sam, "MO", "17:00-21:00")
    w.set(w.sam, "SA", "10:00-16:00", kind="preferred")
    w.set(w.sam, "TU", "09:00-13:00")
    mine = availability.of(w.db.conn, w.sam)
    assert [x.describe() for x in mine.available] == ["Tue 09:00–13:00"]
    assert [x.describe() for x in mine.preferred] == ["Sat 10:00–16:00"]
    availability.clear(w.db, w.sam)
    assert w.audit() == ("availability.clear", "sam", "available: none (available any time)")
    mine = availability.of(w.db.conn, w.sam)
    assert mine.any_time and mine.preferred
    availability.clear(w.db, w.sam, kind=None)
    assert not availability.of(w.db.conn, w.sam).preferred


def test_time_off_over_shifts_you_hold_keeps_them_and_lists_them(w):
    sid = w.shift(at(25, 9), at(25, 13))
    rota.claim(w.db, w.sam, sid)
    change = availability.add_time_off(w.db, w.sam, None, date(2026, 11, 25), date(2026, 11, 27))
    assert [(k.shift_id, k.rule) for k in change.clashes] == [(sid, "time-off")]
    assert "sam" in [a.handle for a in rota.view(w.db.conn, sid).peers]
    assert [(k.shift_id, k.rule) for k in availability.conflicts(w.db.conn, at(23, 0), at(30, 0))] == [(sid, "time-off")]
    assert w.audit() == ("timeoff.add", "sam", "time off 1: 2026-11-25 to 2026-11-27")


def test_time_off_is_listed_removed_and_guarded(w):
    mine = availability.add_time_off(w.db, w.sam, None, date(2026, 12, 1), date(2026, 12, 1)).time_off
    theirs = availability.add_time_off(w.db, w.coord, "kim", date(2026, 12, 2), date(2026, 12, 3)).time_off
    assert [t.handle for t in availability.time_off(w.db.conn, w.coord)] == ["sam", "kim"]
    assert [t.id for t in availability.time_off(w.db.conn, w.sam)] == [mine.id]
    with pytest.raises(Refused, match="kim's: only they or a coordinator"):
        availability.remove_time_off(w.db, w.sam, theirs.id)
    assert availability.remove_time_off(w.db, w.sam, mine.id).id == mine.id
    assert w.audit() == ("timeoff.remove", "sam", f"time off {mine.id}: 2026-12-01")
    with pytest.raises(Invalid, match="in the past"):
        availability.add_time_off(w.db, w.sam, None, date(2026, 11, 1), date(2026, 11, 2))
    with pytest.raises(Invalid, match="before the first"):
        availability.add_time_off(w.db, w.sam, None, date(2026, 12, 5), date(2026, 12, 4))
    with pytest.raises(Refused, match="already has time off"):
        availability.add_time_off(w.db, w.coord, "kim", date(2026, 12, 2), date(2026, 12, 3))


def test_the_rules_as_pure_functions():
    cal = availability.Calendar("sam", (Window(0, time(9), time(12)),), [(100, 200)], [], [])
    assert cal.available(100, 200) and cal.available(150, 180)
    assert not cal.available(90, 150) and not cal.available(150, 210)
    span = rules.Span(1, datetime(2026, 11, 23, 14, tzinfo=NY), datetime(2026, 11, 23, 15, tzinfo=NY))
    assert [p.rule for p in cal.problems(span, NY)] == ["availability"]


# ---------------------------------------------------------------- the CLI


@pytest.mark.slow
def test_cli_availability_and_time_off(run_cli):
    db = open_db(run_cli.db, create=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WARMLINE_NOW", NOW)
        create(db, name="T", tz="America/New_York", actor="root", first_coordinator=("root", "Root", access.os_user()))
        root = people.get(db.conn, "root")
        people.add(db, root, handle="sam", name="Sam")
        people.set_passphrase(db, root, "sam", SECRET)
    db.close()
    as_sam = {"WARMLINE_AS": "sam", "WARMLINE_PASSPHRASE": SECRET}

    done = run_cli("availability", "set", "MO", "17:00-21:00", "weekends", "10:00-16:00", env=as_sam)
    assert done.returncode == 0, done.stderr
    assert "sam: available Mon 17:00–21:00, Sat 10:00–16:00, Sun 10:00–16:00" in done.stdout
    refused = run_cli("availability", "set", "--person", "root", "MO", "17:00-21:00", env=as_sam)
    assert refused.returncode == 1 and refused.stderr.startswith("error: only coordinators may")
    listed = json.loads(run_cli("availability", "list", "--person", "sam", "--json").stdout)
    assert listed[0]["available"][0] == {"day": "MO", "weekday": 0, "from": "17:00", "to": "21:00", "kind": "available"}
    added = json.loads(run_cli("timeoff", "add", "2026-12-24", "2026-12-26", "--json", env=as_sam).stdout)
    assert added["time_off_added"]["days"] == 3
    assert [t["handle"] for t in json.loads(run_cli("timeoff", "list", "--json").stdout)] == ["sam"]
    removed = run_cli("timeoff", "remove", str(added["time_off_added"]["id"]), env=as_sam)
    assert removed.returncode == 0 and "Removed time off" in removed.stdout
    cleared = run_cli("availability", "clear", "--person", "sam")
    assert cleared.returncode == 0 and "sam: available any time" in cleared.stdout
