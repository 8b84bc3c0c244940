"""Dates near the ends of the calendar (issue 12, class H).

warmline handles dates from 1970-01-01 to 2999-12-31 (warmline/times.py FIRST_DAY..LAST_DAY).
Outside that, every command that takes a date or a time answers with one `error:` line and
exit 1, never an OverflowError traceback, and changes nothing in the file; the core refuses
the same values whichever face (CLI, app) hands them over. The ends of the range work.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from warmline import availability, rota
from warmline.errors import Invalid
from warmline.times import FIRST_DAY, LAST_DAY, check_day, check_moment, day_range, parse_day, parse_moment

NY = ZoneInfo("America/New_York")
DAYS = ["0001-01-01", "9999-12-31", "9999-12-30", "1969-12-31", "3000-01-01"]
MOMENTS = ["0001-01-01T00:00", "9999-12-31T23:59", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00+14:00",
           "9999-12-31T23:00Z", "1969-12-31T23:59"]


def dump(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture(scope="module")
def line(tmp_path_factory):
    from conftest import CliRunner

    folder = tmp_path_factory.mktemp("ends")
    cli = CliRunner(folder)

    def ok(*args):
        done = cli(*args)
        assert done.returncode == 0, (args, done.stderr)
        return done

    ok("init", "--name", "Ends", "--tz", "America/New_York", "--coordinator", "coord")
    ok("people", "add", "sam", "--name", "Sam", "--tag", "grief")
    ok("shift", "add", "--start", "2026-11-23T07:00", "--end", "2026-11-23T11:00")
    ok("shift", "add", "--start", "2026-11-24T17:00", "--end", "2026-11-24T21:00", "--rrule", "FREQ=WEEKLY")
    ok("shifts")  # the horizon is extended now, not by the first refused command
    return cli


def commands() -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for day in DAYS:
        found += [
            ("shifts", "--from", day), ("shifts", "--to", day), ("shifts", "--from", "2026-11-23", "--to", day),
            ("timeoff", "add", day), ("timeoff", "add", "2026-11-30", day), ("timeoff", "add", day, "2026-11-30"),
            ("coverage", "--from", day), ("coverage", "--to", day),
            ("load", "--from", day), ("load", "--to", day),
            ("autofill", "--from", day), ("autofill", "--to", day), ("autofill", "--from", day, "--apply"),
            ("export", "csv", "rota", "--from", day), ("export", "csv", "rota", "--to", day),
            ("export", "csv", "hours", "--from", day), ("export", "csv", "hours", "--to", day),
            ("report", "--from", day, "--to", "2026-11-30"), ("report", "--from", "2026-11-01", "--to", day),
            ("shift", "add", "--start", "2026-12-01T09:00", "--end", "2026-12-01T10:00", "--rrule", "FREQ=DAILY",
             "--until", day),
            ("series", "edit", "1", "--until", day),
        ]
    for moment in MOMENTS:
        found += [
            ("shifts", "--from", moment), ("shifts", "--to", moment),
            ("shift", "add", "--start", moment, "--end", "2026-11-23T13:00"),
            ("shift", "add", "--start", "2026-11-23T12:00", "--end", moment),
            ("shift", "add", "--start", moment, "--end", moment),
            ("shift", "edit", "1", "--start", moment), ("shift", "edit", "1", "--end", moment),
            ("match", "grief", "--at", moment), ("call", "log", "grief", "--at", moment),
            ("coverage", "--from", moment), ("autofill", "--to", moment),
        ]
    return found


@pytest.mark.slow  # ~170 real processes
def test_every_date_and_time_option_refuses_the_ends_of_the_calendar(line):
    before = dump(line.db)
    for args in commands():
        done = line(*args)
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr and "OverflowError" not in done.stderr, (args, done.stderr)
        lines = done.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, done.stderr)
        assert ("outside the dates warmline handles (1970-01-01 to 2999-12-31)" in lines[0]
                or "not a date" in lines[0] or "not an ISO 8601" in lines[0]), (args, lines[0])
    assert dump(line.db) == before  # nothing changed, the audit log included
    done = line("audit")
    assert done.returncode == 0 and "Traceback" not in done.stderr


@pytest.mark.slow
def test_the_ends_of_the_range_work(line):
    for args in (
        ("shifts", "--from", "2999-12-25", "--to", "2999-12-31"),
        ("shifts", "--from", "1970-01-01", "--to", "1970-01-07"),
        ("coverage", "--from", "2999-12-25", "--to", "2999-12-31"),
        ("export", "csv", "rota", "--from", "2999-12-25", "--to", "2999-12-31"),
        ("match", "grief", "--at", "2999-12-31T23:59"),
    ):
        done = line(*args)
        assert done.returncode == 0, (args, done.stderr)
    done = line("shift", "add", "--start", "2999-12-31T20:00", "--end", "2999-12-31T23:59", "--json")
    assert done.returncode == 0 and '"start": "2999-12-31T20:00:00-05:00"' in done.stdout
    done = line("timeoff", "add", "2999-12-30", "2999-12-31", "--person", "sam")
    assert done.returncode == 0, done.stderr
    done = line("availability", "list", "--person", "sam")
    assert done.returncode == 0 and "2999-12-30 to 2999-12-31" in done.stdout, done.stderr
    done = line("autofill", "--from", "2999-12-25", "--to", "2999-12-31", "--json")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("text", DAYS)
def test_parse_day_refuses(text):
    with pytest.raises(Invalid, match="outside the dates warmline handles"):
        parse_day(text, what="--from")


@pytest.mark.parametrize("text", MOMENTS)
def test_parse_moment_refuses(text):
    with pytest.raises(Invalid, match="outside the dates warmline handles"):
        parse_moment(text, NY, what="--at")


def test_the_range_itself():
    assert parse_day("1970-01-01") == FIRST_DAY and parse_day("2999-12-31") == LAST_DAY
    assert parse_moment("2999-12-31T23:59", NY).year == 2999
    lo, hi = day_range(NY, datetime(2026, 11, 23, 13, tzinfo=ZoneInfo("UTC")), "2999-12-31", "2999-12-31")
    assert hi > lo
    with pytest.raises(Invalid):
        check_day(date(1, 1, 1))
    with pytest.raises(Invalid):
        check_moment(datetime(1, 1, 1, tzinfo=NY))  # astimezone would overflow: refused, not raised
    with pytest.raises(Invalid):
        check_moment(datetime(9999, 12, 31, 23, 59, tzinfo=ZoneInfo("Etc/GMT+12")))


def test_the_core_refuses_whichever_face_asks(line_db, coordinator):
    """The app's New shift form and time-off dialog call these directly."""
    before = dump(line_db.path)
    for start in (datetime(9999, 12, 31, 23, 0, tzinfo=NY), datetime(1, 1, 1, 0, 0, tzinfo=NY)):
        end = start.replace(minute=30)
        with pytest.raises(Invalid, match="outside the dates"):
            rota.add_shift(line_db, coordinator, start=start, end=end)
        with pytest.raises(Invalid, match="outside the dates"):
            rota.add_series(line_db, coordinator, rule="FREQ=DAILY", start=start, end=end)
    with pytest.raises(Invalid, match="outside the dates"):
        rota.add_series(line_db, coordinator, rule="FREQ=DAILY", start=datetime(2026, 12, 1, 9, tzinfo=NY),
                        end=datetime(2026, 12, 1, 10, tzinfo=NY), until=date(9999, 12, 31))
    with pytest.raises(Invalid, match="outside the dates"):
        availability.add_time_off(line_db, coordinator, None, date(9999, 12, 31), date(9999, 12, 31))
    with pytest.raises(Invalid, match="outside the dates"):
        availability.add_time_off(line_db, coordinator, None, date(2026, 12, 1), date(9999, 12, 31))
    assert dump(line_db.path) == before


@pytest.mark.slow
def test_a_clock_set_outside_the_range_is_refused(line):
    before = dump(line.db)
    for moment in ("9999-12-31T23:59:00+00:00", "0001-01-01T00:00:00+00:00", "3000-06-01T00:00:00+00:00"):
        for args in (("shifts",), ("coverage",), ("timeoff", "add", "2026-12-01")):
            done = line(*args, env={"WARMLINE_NOW": moment})
            assert done.returncode == 1 and "Traceback" not in done.stderr, (moment, args, done.stderr)
            assert done.stderr.startswith("error: WARMLINE_NOW ") and len(done.stderr.splitlines()) == 1
    assert dump(line.db) == before
