"""Creating shifts and series (issue 15, rough edges): what a coordinator cannot create by mistake.

Refused, in the core whichever face hands the values over: a shift with no seat (0 peer +
0 backup), a shift that has already ended by the line's clock (history goes in only with
`allow_past=True`: the demo, tests), an exact duplicate of a scheduled shift (same start and
end; its id is named) and a series identical to an active one. One rule for an end before the
start: `--end`'s date decides, for a one-off shift and a series alike (an overnight series ends
on the next day's date); an end earlier the same day is refused in both, with the fix named.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

import pytest

from warmline import rota
from warmline.errors import Invalid, Refused
from warmline.recurrence import zone
from warmline.rota import SeriesChanges

TZ = zone("America/New_York")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def db(line_db, fixed_now):  # the clock: Mon 2026-11-23 08:00 New York
    return line_db


def count(db, table: str) -> int:
    return db.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# ---------------------------------------------------------------- seats


def test_a_shift_with_no_seat_is_refused(db, coordinator):
    with pytest.raises(Invalid, match=r"at least one seat \(0 peer \+ 0 backup given\)"):
        rota.add_shift(db, coordinator, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00"), seats=0, backup=0)
    with pytest.raises(Invalid, match="at least one seat"):
        rota.add_series(
            db, coordinator, rule="FREQ=DAILY", start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00"), seats=0, backup=0
        )
    assert count(db, "shift") == count(db, "series") == 0
    only_backup = rota.add_shift(db, coordinator, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00"), seats=0, backup=1)
    assert (only_backup.seats, only_backup.backup_seats) == (0, 1)


def test_an_edit_cannot_leave_a_shift_or_series_with_no_seat(db, coordinator):
    shift = rota.add_shift(db, coordinator, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00"), seats=1, backup=1)
    with pytest.raises(Invalid, match="at least one seat"):
        rota.edit_shift(db, coordinator, shift.id, seats=0, backup=0)
    assert (rota.get_shift(db.conn, shift.id).seats, rota.get_shift(db.conn, shift.id).backup_seats) == (1, 1)
    series, _ = rota.add_series(
        db, coordinator, rule="FREQ=DAILY", start=at("2026-11-25T09:00"), end=at("2026-11-25T13:00"), seats=1, backup=0
    )
    with pytest.raises(Invalid, match="at least one seat"):
        rota.edit_series(db, coordinator, series.id, SeriesChanges(seats=0))
    assert rota.get_series(db.conn, series.id).seats == 1


# ---------------------------------------------------------------- the past


def test_a_shift_that_has_already_ended_is_refused(db, coordinator):
    with pytest.raises(Invalid, match="has already passed: give a start and end in the future"):
        rota.add_shift(db, coordinator, start=at("2026-11-20T09:00"), end=at("2026-11-20T13:00"))
    with pytest.raises(Invalid, match="its first shift would end at 2026-11-22T13:00"):
        rota.add_series(db, coordinator, rule="FREQ=DAILY", start=at("2026-11-22T09:00"), end=at("2026-11-22T13:00"))
    # Ending exactly now is over too.
    with pytest.raises(Invalid, match="already passed"):
        rota.add_shift(db, coordinator, start=at("2026-11-23T04:00"), end=at("2026-11-23T08:00"))
    assert count(db, "shift") == count(db, "series") == 0


def test_a_shift_under_way_may_be_added_and_history_only_on_purpose(db, coordinator):
    running = rota.add_shift(db, coordinator, start=at("2026-11-23T07:00"), end=at("2026-11-23T11:00"))
    assert running.id
    past = rota.add_shift(db, coordinator, start=at("2026-11-20T09:00"), end=at("2026-11-20T13:00"), allow_past=True)
    series, made = rota.add_series(
        db, coordinator, rule="FREQ=DAILY", start=at("2026-11-16T09:00"), end=at("2026-11-16T13:00"), allow_past=True
    )
    assert past.id and made > 7  # a week of history and then the horizon


def test_moving_a_shift_into_the_past_is_refused_but_a_past_shift_may_be_corrected(db, coordinator):
    shift = rota.add_shift(db, coordinator, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00"))
    with pytest.raises(Invalid, match="already passed"):
        rota.edit_shift(db, coordinator, shift.id, start=at("2026-11-20T09:00"), end=at("2026-11-20T13:00"))
    assert rota.get_shift(db.conn, shift.id).start_local.day == 24
    past = rota.add_shift(db, coordinator, start=at("2026-11-20T09:00"), end=at("2026-11-20T13:00"), allow_past=True)
    assert rota.edit_shift(db, coordinator, past.id, seats=3, note="three came").seats == 3


# ---------------------------------------------------------------- duplicates


def test_an_exact_duplicate_shift_is_refused_naming_the_one_that_exists(db, coordinator):
    first = rota.add_shift(db, coordinator, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00"))
    for seats, backup in ((2, 1), (3, 0)):  # other seats do not make it another shift
        with pytest.raises(Refused, match=rf"shift {first.id} already runs from .*`warmline shift edit {first.id} "):
            rota.add_shift(
                db, coordinator, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00"), seats=seats, backup=backup
            )
    assert count(db, "shift") == 1
    # Overlapping but not the same is a different shift; the same times after a cancel are fine.
    rota.add_shift(db, coordinator, start=at("2026-11-24T09:00"), end=at("2026-11-24T12:00"))
    rota.cancel_shift(db, coordinator, first.id)
    again = rota.add_shift(db, coordinator, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00"))
    assert again.id != first.id


def test_moving_a_shift_onto_another_is_refused(db, coordinator):
    one = rota.add_shift(db, coordinator, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00"))
    two = rota.add_shift(db, coordinator, start=at("2026-11-24T13:00"), end=at("2026-11-24T17:00"))
    with pytest.raises(Refused, match=f"shift {one.id} already runs"):
        rota.edit_shift(db, coordinator, two.id, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00"))
    # Re-saving a shift at its own times is not a duplicate of itself.
    assert rota.edit_shift(db, coordinator, one.id, start=at("2026-11-24T09:00"), seats=3).seats == 3


def test_an_identical_series_is_refused_naming_the_one_that_exists(db, coordinator):
    kw = dict(rule="FREQ=WEEKLY;BYDAY=MO,WE", start=at("2026-11-25T17:00"), end=at("2026-11-25T21:00"))
    series, _ = rota.add_series(db, coordinator, **kw)
    before = count(db, "shift")
    with pytest.raises(Refused, match=rf"series {series.id} already repeats .*`warmline series edit {series.id}`"):
        rota.add_series(db, coordinator, **kw)
    assert (count(db, "series"), count(db, "shift")) == (1, before)
    # Another last day, or once the first is cancelled, is a series of its own.
    rota.add_series(db, coordinator, **kw, until=date(2026, 12, 31))
    rota.cancel_series(db, coordinator, series.id)
    rota.add_series(db, coordinator, **kw)
    assert count(db, "series") == 3


# ---------------------------------------------------------------- an end before the start: one rule


def test_an_end_before_the_start_is_refused_for_a_shift_and_a_series_alike(db, coordinator):
    for make in (
        lambda s, e: rota.add_shift(db, coordinator, start=s, end=e),
        lambda s, e: rota.add_series(db, coordinator, rule="FREQ=DAILY", start=s, end=e),
    ):
        with pytest.raises(Invalid, match=r"not after the start .*overnight shift ends the next day: --end 2026-11-25T06:00"):
            make(at("2026-11-24T22:00"), at("2026-11-24T06:00"))
    assert count(db, "shift") == count(db, "series") == 0


def test_an_overnight_series_ends_on_the_next_days_date(db, coordinator):
    series, made = rota.add_series(
        db, coordinator, rule="FREQ=DAILY", start=at("2026-11-24T22:00"), end=at("2026-11-25T06:00"), until=date(2026, 11, 26)
    )
    assert (series.start_time, series.end_time, made) == ("22:00", "06:00", 3)
    first = db.conn.execute("SELECT start_local, end_local FROM shift ORDER BY start_utc LIMIT 1").fetchone()
    assert tuple(first) == ("2026-11-24T22:00:00-05:00", "2026-11-25T06:00:00-05:00")


@pytest.mark.slow
def test_the_cli_refuses_an_rrule_end_before_its_start_like_a_one_off(run_cli):
    assert run_cli("init", "--name", "L", "--tz", "America/New_York", "--coordinator", "coord").returncode == 0
    for extra in ((), ("--rrule", "FREQ=DAILY")):
        done = run_cli("shift", "add", "--start", "2026-11-24T22:00", "--end", "2026-11-24T06:00", *extra)
        assert done.returncode == 1, done.stderr
        assert done.stderr.startswith("error: the end") and "--end 2026-11-25T06:00" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    conn = sqlite3.connect(run_cli.db)
    try:
        assert conn.execute("SELECT count(*) FROM shift").fetchone()[0] == 0
    finally:
        conn.close()
    done = run_cli("shift", "add", "--start", "2026-11-24T22:00", "--end", "2026-11-25T06:00", "--rrule", "FREQ=DAILY",
                   "--until", "2026-11-25")
    assert done.returncode == 0 and "with 2 shifts" in done.stdout, done.stderr
    again = run_cli("shift", "add", "--start", "2026-11-24T22:00", "--end", "2026-11-25T06:00", "--rrule", "FREQ=DAILY",
                    "--until", "2026-11-25")
    assert again.returncode == 1 and again.stderr.startswith("error: series 1 already repeats"), again.stderr
