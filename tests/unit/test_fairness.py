"""Load and fairness on a rota small enough to work out by hand.

The week of Monday 23 November 2026 (New York), the clock on its Monday 08:00:

    ana  (limits 12 h, 3 shifts)  Mon, Tue, Wed 09–13 and, forced, Fri 09–13    16 h, 4 shifts
                                  and Mon 16 Nov 09–13, the week before           (20 h in November)
    ben  (limit 1 overnight)      Thu 22:00–Fri 02:00 and, forced, Fri 06–08     6 h, rest 4 h < 8 h
    cy                            nothing                                        0 h
    coord                         Sat 10–16                                      6 h (not in the spread)

Spread over the active volunteers ana, ben, cy = 16, 6, 0 h: mean 22/3, and
Σᵢ Σⱼ |xᵢ − xⱼ| = 2 (10 + 16 + 6) = 64, so Gini = 64 / (2 · 3² · 22/3) = 64/132.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from warmline import access, fairness, people, rota
from warmline.db import open_db
from warmline.line import create

NY = ZoneInfo("America/New_York")
NOW = "2026-11-23T08:00:00-05:00"
SECRET = "correct horse battery"
WEEK = (datetime(2026, 11, 23, tzinfo=NY), datetime(2026, 11, 30, tzinfo=NY))


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, 1, hour, tzinfo=NY) + timedelta(days=day - 1)


def build(db, coord_login=None):
    create(db, name="T", tz="America/New_York", actor="coord", first_coordinator=("coord", "Coord", coord_login))
    coord = people.get(db.conn, "coord")
    people.add(db, coord, handle="ana", name="Ana", max_hours_week=12, max_shifts_week=3)
    people.add(db, coord, handle="ben", name="Ben", max_overnights_month=1)
    people.add(db, coord, handle="cy", name="Cy")

    def put(handle, start, end, force=False):
        sid = rota.add_shift(db, coord, start=start, end=end, allow_past=True).id  # a week of history too
        rota.assign(db, coord, sid, handle, force=force)

    put("ana", at(16, 9), at(16, 13))
    for day in (23, 24, 25):
        put("ana", at(day, 9), at(day, 13))
    put("ana", at(27, 9), at(27, 13), force=True)
    put("ben", at(26, 22), at(27, 2))
    put("ben", at(27, 6), at(27, 8), force=True)
    put("coord", at(28, 10), at(28, 16))
    return coord


@pytest.fixture
def line(tmp_path, monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    db = open_db(tmp_path / "r.db", create=True)
    coord = build(db)
    yield db, coord
    db.close()


def test_gini_by_hand():
    assert fairness.gini([]) == 0.0
    assert fairness.gini([0, 0]) == 0.0
    assert fairness.gini([5, 5, 5]) == 0.0
    assert fairness.gini([0, 0, 3]) == pytest.approx(2 / 3)  # one person does everything: (n − 1) / n
    assert fairness.gini([16, 6, 0]) == pytest.approx(64 / 132)


def test_each_persons_numbers(line):
    db, coord = line
    report = fairness.load(db.conn, *WEEK, viewer=coord)
    rows = {p.handle: p for p in report.people}
    assert (report.week, report.month) == (date(2026, 11, 23), date(2026, 11, 1))
    ana, ben, cy, boss = rows["ana"], rows["ben"], rows["cy"], rows["coord"]
    assert (ana.hours_week, ana.shifts_week, ana.hours_month, ana.hours, ana.shifts, ana.streak) == (16, 4, 20, 16, 4, 3)
    assert [(w.week, w.hours, w.shifts, w.limit_hours) for w in ana.weeks] == [(date(2026, 11, 23), 16, 4, 12)]
    assert (ben.hours, ben.shifts, ben.overnights, ben.overnights_month, ben.streak) == (6, 2, 1, 1, 2)
    assert (cy.hours, cy.shifts, cy.streak, cy.flags) == (0, 0, 0, ())
    assert (boss.hours, boss.role) == (6, "coordinator")


def test_flags_over_and_near_each_limit(line):
    db, coord = line
    report = fairness.load(db.conn, *WEEK)
    got = {(f.handle, f.rule, f.level, f.value, f.limit) for f in report.flags}
    assert got == {
        ("ana", "max-hours", "over", 16, 12),
        ("ana", "max-shifts", "over", 4, 3),
        ("ben", "max-overnights", "at", 1, 1),  # exactly the limit: "at", not "near" (issue 15)
        ("ben", "rest", "over", 4, 8),
    }
    assert [f.level for f in report.flags][:3] == ["over", "over", "over"]  # 'over' first
    rows = {p.handle: p for p in report.people}
    assert (rows["ana"].level, rows["ben"].level, rows["cy"].level) == ("over", "over", "")
    rest = next(f for f in report.flags if f.rule == "rest")
    assert rest.message.startswith("ben has 4.0 h rest before shift")


def test_near_is_ninety_percent_or_more(line, monkeypatch):
    db, coord = line
    people.add(db, coord, handle="dee", name="Dee", max_hours_week=10)
    sid = rota.add_shift(db, coord, start=at(24, 8), end=at(24, 17)).id  # 9 h of 10: 90 %
    rota.assign(db, coord, sid, "dee")
    flags = [f for f in fairness.load(db.conn, *WEEK).flags if f.handle == "dee"]
    assert [(f.rule, f.level) for f in flags] == [("max-hours", "near")]


def test_the_spread_is_over_active_volunteers_with_zeros(line):
    db, coord = line
    s = fairness.load(db.conn, *WEEK).spread
    assert (s.people, s.total_hours, s.max_hours, s.min_hours) == (3, 22, 16, 0)
    assert (s.max_handles, s.min_handles) == (("ana",), ("cy",))
    assert s.mean_hours == pytest.approx(22 / 3)
    assert s.gini == pytest.approx(64 / 132)


def test_a_volunteer_sees_only_themself(line):
    db, coord = line
    ben = people.get(db.conn, "ben")
    report = fairness.load(db.conn, *WEEK, viewer=ben)
    assert [p.handle for p in report.people] == ["ben"]
    assert report.spread is None
    assert {f.handle for f in report.flags} == {"ben"}


def test_person_ids_keep_only_those_people_and_their_flags(line):
    db, coord = line
    ids = {people.get(db.conn, h).id for h in ("ben", "cy")}
    full = {p.handle: p for p in fairness.load(db.conn, *WEEK).people}
    report = fairness.load(db.conn, *WEEK, person_ids=ids)
    assert [p.handle for p in report.people] == ["ben", "cy"]
    assert {p.handle: p for p in report.people} == {h: full[h] for h in ("ben", "cy")}  # same numbers and flags
    assert {f.handle for f in report.flags} == {"ben"}
    assert fairness.load(db.conn, *WEEK, person_ids=set()).people == ()
    # A volunteer still sees only themself, whatever ids are asked for.
    ben = people.get(db.conn, "ben")
    assert [p.handle for p in fairness.load(db.conn, *WEEK, viewer=ben, person_ids=ids).people] == ["ben"]


@pytest.mark.slow
def test_cli_load(run_cli):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WARMLINE_NOW", NOW)
        db = open_db(run_cli.db, create=True)
        build(db, coord_login=access.os_user())
        people.set_passphrase(db, people.get(db.conn, "coord"), "ben", SECRET)
        db.close()
    everyone = run_cli("load", "--from", "2026-11-23", "--to", "2026-11-29", "--json")
    assert everyone.returncode == 0, everyone.stderr
    data = json.loads(everyone.stdout)
    assert {p["handle"] for p in data["people"]} == {"ana", "ben", "cy", "coord"}
    assert data["spread"]["gini"] == round(64 / 132, 4)
    ana = next(p for p in data["people"] if p["handle"] == "ana")
    assert (ana["hours"], ana["streak"], ana["level"]) == (16, 3, "over")
    mine = json.loads(run_cli("load", "--json", env={"WARMLINE_AS": "ben", "WARMLINE_PASSPHRASE": SECRET}).stdout)
    assert [p["handle"] for p in mine["people"]] == ["ben"] and mine["spread"] is None
    text = run_cli("load", "--from", "2026-11-23", "--to", "2026-11-29").stdout
    assert "OVER max-hours (2026-11-23)" in text and "Gini 0.48" in text


@pytest.mark.slow
def test_flaggable_people_give_the_same_flags_as_everyone(tmp_path, fixed_now):
    """The Rota and People read loads only for fairness.flaggable(): the flags must be everyone's."""
    from warmline.demo import build

    db = open_db(tmp_path / "demo.db", create=True)
    build(db, seed=7)
    try:
        monday = datetime(2026, 11, 23, tzinfo=ZoneInfo("America/New_York"))
        flagged = 0
        for weeks in range(-4, 8):
            lo = monday + timedelta(weeks=weeks)
            hi = lo + timedelta(days=7)
            everyone = {p.person_id: (p.level, p.flags) for p in fairness.load(db.conn, lo, hi).people if p.level}
            some = fairness.load(db.conn, lo, hi, person_ids=fairness.flaggable(db.conn, lo, hi)).people
            assert {p.person_id: (p.level, p.flags) for p in some if p.level} == everyone, lo
            flagged += len(everyone)
        assert flagged  # the demo has people near or over a limit in these weeks
    finally:
        db.close()


def test_exactly_the_limit_is_at_not_near(line):
    """Issue 15: at 100 % of a limit a person was flagged "near"; they are "at" it."""
    db, coord = line
    people.add(db, coord, handle="dee", name="Dee", max_hours_week=10, max_shifts_week=2)
    for day in (24, 25):
        sid = rota.add_shift(db, coord, start=at(day, 8), end=at(day, 13)).id  # 2 × 5 h: 10 of 10 h, 2 of 2 shifts
        rota.assign(db, coord, sid, "dee")
    report = fairness.load(db.conn, *WEEK)
    flags = sorted((f.rule, f.level) for f in report.flags if f.handle == "dee")
    assert flags == [("max-hours", "at"), ("max-shifts", "at")]
    dee = next(p for p in report.people if p.handle == "dee")
    assert dee.level == "at" and fairness.level_word(dee.level) == "at"
    assert [fairness.level_word(w) for w in ("over", "at", "near", "")] == ["OVER", "at", "near", ""]
