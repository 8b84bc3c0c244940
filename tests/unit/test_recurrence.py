"""Series expansion across daylight-saving changes, checked against UTC instants worked out by hand.

2026 clock changes used throughout:
  America/New_York   EST -5 / EDT -4     forward 2026-03-08 02:00, back 2026-11-01 02:00
  Europe/London      GMT +0 / BST +1     forward 2026-03-29 01:00, back 2026-10-25 02:00
  Australia/Sydney   AEST +10 / AEDT +11 back 2026-04-05 03:00, forward 2026-10-04 02:00
  Australia/Adelaide ACST +9:30 / ACDT +10:30, same local times and dates as Sydney
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from dateutil import tz as dateutil_tz
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from warmline.errors import Invalid
from warmline.recurrence import (
    Occurrence,
    localize,
    occurrences,
    parse_rule,
    shift_span,
    zone,
)

UTC = timezone.utc
NY = "America/New_York"
LONDON = "Europe/London"
SYDNEY = "Australia/Sydney"
ADELAIDE = "Australia/Adelaide"
ZONES = (NY, LONDON, SYDNEY, ADELAIDE)

WIDE_START = datetime(2025, 1, 1, tzinfo=UTC)
WIDE_END = datetime(2028, 1, 1, tzinfo=UTC)


def u(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def expand(rule, first, start, end, tz_name, until=None, lo=WIDE_START, hi=WIDE_END):
    return occurrences(rule, first, start, end, tz_name, until, lo, hi)


def spans(found: list[Occurrence]) -> list[tuple[str, datetime, datetime]]:
    return [(o.key, o.start_utc, o.end_utc) for o in found]


# --- localize: the gap and ambiguity rules ---------------------------------------------


@pytest.mark.parametrize(
    ("tz_name", "wall", "expected_utc", "expected_wall", "offset_hours"),
    [
        # Spring gaps: the nonexistent wall time moves forward by the gap (one hour).
        (NY, datetime(2026, 3, 8, 2, 30), u(2026, 3, 8, 7, 30), datetime(2026, 3, 8, 3, 30), -4),
        (LONDON, datetime(2026, 3, 29, 1, 30), u(2026, 3, 29, 1, 30), datetime(2026, 3, 29, 2, 30), 1),
        (SYDNEY, datetime(2026, 10, 4, 2, 30), u(2026, 10, 3, 16, 30), datetime(2026, 10, 4, 3, 30), 11),
        (ADELAIDE, datetime(2026, 10, 4, 2, 30), u(2026, 10, 3, 17, 0), datetime(2026, 10, 4, 3, 30), 10.5),
        # Autumn overlaps: the first of the two, i.e. still daylight time.
        (NY, datetime(2026, 11, 1, 1, 30), u(2026, 11, 1, 5, 30), datetime(2026, 11, 1, 1, 30), -4),
        (LONDON, datetime(2026, 10, 25, 1, 30), u(2026, 10, 25, 0, 30), datetime(2026, 10, 25, 1, 30), 1),
        (SYDNEY, datetime(2026, 4, 5, 2, 30), u(2026, 4, 4, 15, 30), datetime(2026, 4, 5, 2, 30), 11),
        (ADELAIDE, datetime(2026, 4, 5, 2, 30), u(2026, 4, 4, 16, 0), datetime(2026, 4, 5, 2, 30), 10.5),
        # Ordinary times either side.
        (NY, datetime(2026, 1, 15, 9, 0), u(2026, 1, 15, 14, 0), datetime(2026, 1, 15, 9, 0), -5),
        (ADELAIDE, datetime(2026, 6, 1, 9, 0), u(2026, 5, 31, 23, 30), datetime(2026, 6, 1, 9, 0), 9.5),
    ],
)
def test_localize_gap_and_ambiguity(tz_name, wall, expected_utc, expected_wall, offset_hours):
    tz = zone(tz_name)
    got = localize(wall, tz)
    assert got.astimezone(UTC) == expected_utc
    assert got.replace(tzinfo=None) == expected_wall
    assert got.utcoffset() == timedelta(hours=offset_hours)
    # Normalised: a round trip through UTC gives back the same wall time.
    assert got.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == expected_wall


def test_localize_refuses_an_aware_datetime():
    with pytest.raises(ValueError):
        localize(u(2026, 1, 1), zone(NY))


# --- weekly and daily series across both changes of 2026 -------------------------------


def test_weekly_new_york_keeps_wall_time_across_spring_forward():
    found = expand("FREQ=WEEKLY;BYDAY=MO", date(2026, 3, 2), time(9), time(17), NY,
                   lo=u(2026, 3, 1), hi=u(2026, 3, 17))
    assert spans(found) == [
        ("2026-03-02", u(2026, 3, 2, 14), u(2026, 3, 2, 22)),
        ("2026-03-09", u(2026, 3, 9, 13), u(2026, 3, 9, 21)),
        ("2026-03-16", u(2026, 3, 16, 13), u(2026, 3, 16, 21)),
    ]
    assert all(o.start_local.time() == time(9) and o.end_local.time() == time(17) for o in found)
    assert [o.hours for o in found] == [8, 8, 8]


def test_weekly_new_york_keeps_wall_time_across_fall_back():
    found = expand("FREQ=WEEKLY;BYDAY=MO", date(2026, 10, 26), time(9), time(17), NY,
                   lo=u(2026, 10, 25), hi=u(2026, 11, 10))
    assert spans(found) == [
        ("2026-10-26", u(2026, 10, 26, 13), u(2026, 10, 26, 21)),
        ("2026-11-02", u(2026, 11, 2, 14), u(2026, 11, 2, 22)),
        ("2026-11-09", u(2026, 11, 9, 14), u(2026, 11, 9, 22)),
    ]
    assert [o.start_local.utcoffset() for o in found] == [
        timedelta(hours=-4), timedelta(hours=-5), timedelta(hours=-5)
    ]


def test_weekdays_new_york_with_rrule_prefix():
    found = expand("RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", date(2026, 3, 5), time(9), time(17), NY,
                   until=date(2026, 3, 10))
    assert spans(found) == [
        ("2026-03-05", u(2026, 3, 5, 14), u(2026, 3, 5, 22)),
        ("2026-03-06", u(2026, 3, 6, 14), u(2026, 3, 6, 22)),
        ("2026-03-09", u(2026, 3, 9, 13), u(2026, 3, 9, 21)),
        ("2026-03-10", u(2026, 3, 10, 13), u(2026, 3, 10, 21)),
    ]


def test_daily_new_york_across_the_change_day_itself():
    found = expand("FREQ=DAILY", date(2026, 3, 7), time(9), time(17), NY, until=date(2026, 3, 9))
    assert spans(found) == [
        ("2026-03-07", u(2026, 3, 7, 14), u(2026, 3, 7, 22)),
        ("2026-03-08", u(2026, 3, 8, 13), u(2026, 3, 8, 21)),
        ("2026-03-09", u(2026, 3, 9, 13), u(2026, 3, 9, 21)),
    ]


@pytest.mark.parametrize(
    ("first", "until", "expected"),
    [
        (date(2026, 3, 27), date(2026, 3, 30), [
            ("2026-03-27", u(2026, 3, 27, 9), u(2026, 3, 27, 17)),
            ("2026-03-28", u(2026, 3, 28, 9), u(2026, 3, 28, 17)),
            ("2026-03-29", u(2026, 3, 29, 8), u(2026, 3, 29, 16)),
            ("2026-03-30", u(2026, 3, 30, 8), u(2026, 3, 30, 16)),
        ]),
        (date(2026, 10, 23), date(2026, 10, 26), [
            ("2026-10-23", u(2026, 10, 23, 8), u(2026, 10, 23, 16)),
            ("2026-10-24", u(2026, 10, 24, 8), u(2026, 10, 24, 16)),
            ("2026-10-25", u(2026, 10, 25, 9), u(2026, 10, 25, 17)),
            ("2026-10-26", u(2026, 10, 26, 9), u(2026, 10, 26, 17)),
        ]),
    ],
    ids=["spring", "autumn"],
)
def test_daily_london(first, until, expected):
    found = expand("FREQ=DAILY", first, time(9), time(17), LONDON, until=until)
    assert spans(found) == expected
    assert all(o.start_local.time() == time(9) for o in found)


def test_weekly_london_sundays_on_both_change_days():
    found = expand("FREQ=WEEKLY;BYDAY=SU", date(2026, 3, 22), time(9), time(17), LONDON,
                   lo=u(2026, 3, 1), hi=u(2026, 11, 2))
    by_key = {o.key: (o.start_utc, o.end_utc) for o in found}
    assert by_key["2026-03-22"] == (u(2026, 3, 22, 9), u(2026, 3, 22, 17))
    assert by_key["2026-03-29"] == (u(2026, 3, 29, 8), u(2026, 3, 29, 16))
    assert by_key["2026-10-18"] == (u(2026, 10, 18, 8), u(2026, 10, 18, 16))
    assert by_key["2026-10-25"] == (u(2026, 10, 25, 9), u(2026, 10, 25, 17))
    assert by_key["2026-11-01"] == (u(2026, 11, 1, 9), u(2026, 11, 1, 17))
    assert len(found) == 33  # 2026-03-22 to 2026-11-01 inclusive, weekly


@pytest.mark.parametrize(
    ("first", "until", "expected"),
    [
        # Daylight time ends in April in the southern hemisphere: UTC moves one hour later.
        (date(2026, 4, 3), date(2026, 4, 6), [
            ("2026-04-03", u(2026, 4, 2, 22), u(2026, 4, 3, 6)),
            ("2026-04-04", u(2026, 4, 3, 22), u(2026, 4, 4, 6)),
            ("2026-04-05", u(2026, 4, 4, 23), u(2026, 4, 5, 7)),
            ("2026-04-06", u(2026, 4, 5, 23), u(2026, 4, 6, 7)),
        ]),
        # ...and starts in October: UTC moves one hour earlier.
        (date(2026, 10, 2), date(2026, 10, 5), [
            ("2026-10-02", u(2026, 10, 1, 23), u(2026, 10, 2, 7)),
            ("2026-10-03", u(2026, 10, 2, 23), u(2026, 10, 3, 7)),
            ("2026-10-04", u(2026, 10, 3, 22), u(2026, 10, 4, 6)),
            ("2026-10-05", u(2026, 10, 4, 22), u(2026, 10, 5, 6)),
        ]),
    ],
    ids=["april-end-of-dst", "october-start-of-dst"],
)
def test_daily_sydney(first, until, expected):
    found = expand("FREQ=DAILY", first, time(9), time(17), SYDNEY, until=until)
    assert spans(found) == expected
    assert all(o.start_local.time() == time(9) for o in found)


def test_weekly_sydney_saturdays_keys_are_local_dates():
    # Local Saturday morning is Friday evening in UTC: the key is the local date.
    found = expand("FREQ=WEEKLY;BYDAY=SA", date(2026, 3, 28), time(9), time(13), SYDNEY,
                   until=date(2026, 4, 11))
    assert spans(found) == [
        ("2026-03-28", u(2026, 3, 27, 22), u(2026, 3, 28, 2)),
        ("2026-04-04", u(2026, 4, 3, 22), u(2026, 4, 4, 2)),
        ("2026-04-11", u(2026, 4, 10, 23), u(2026, 4, 11, 3)),
    ]


@pytest.mark.parametrize(
    ("first", "until", "expected"),
    [
        (date(2026, 3, 29), date(2026, 4, 12), [
            ("2026-03-29", u(2026, 3, 29, 7, 30), u(2026, 3, 29, 11, 30)),
            ("2026-04-05", u(2026, 4, 5, 8, 30), u(2026, 4, 5, 12, 30)),
            ("2026-04-12", u(2026, 4, 12, 8, 30), u(2026, 4, 12, 12, 30)),
        ]),
        (date(2026, 9, 27), date(2026, 10, 11), [
            ("2026-09-27", u(2026, 9, 27, 8, 30), u(2026, 9, 27, 12, 30)),
            ("2026-10-04", u(2026, 10, 4, 7, 30), u(2026, 10, 4, 11, 30)),
            ("2026-10-11", u(2026, 10, 11, 7, 30), u(2026, 10, 11, 11, 30)),
        ]),
    ],
    ids=["april", "october"],
)
def test_weekly_adelaide_half_hour_offset(first, until, expected):
    found = expand("FREQ=WEEKLY;BYDAY=SU", first, time(18), time(22), ADELAIDE, until=until)
    assert spans(found) == expected
    assert all(o.start_local.time() == time(18) for o in found)


def test_daily_adelaide_across_october_change():
    found = expand("FREQ=DAILY", date(2026, 10, 3), time(9), time(17), ADELAIDE, until=date(2026, 10, 4))
    assert spans(found) == [
        ("2026-10-03", u(2026, 10, 2, 23, 30), u(2026, 10, 3, 7, 30)),
        ("2026-10-04", u(2026, 10, 3, 22, 30), u(2026, 10, 4, 6, 30)),
    ]


# --- the spring gap and the autumn overlap inside series -------------------------------


def test_gap_start_new_york_moves_to_0330():
    found = expand("FREQ=DAILY", date(2026, 3, 7), time(2, 30), time(10, 30), NY, until=date(2026, 3, 9))
    assert spans(found) == [
        ("2026-03-07", u(2026, 3, 7, 7, 30), u(2026, 3, 7, 15, 30)),
        ("2026-03-08", u(2026, 3, 8, 7, 30), u(2026, 3, 8, 14, 30)),
        ("2026-03-09", u(2026, 3, 9, 6, 30), u(2026, 3, 9, 14, 30)),
    ]
    change_day = found[1]
    assert change_day.key == "2026-03-08"  # still identified by the rule's date
    assert change_day.start_local.replace(tzinfo=None) == datetime(2026, 3, 8, 3, 30)
    assert change_day.hours == 7


def test_gap_start_sydney_moves_to_0330():
    found = expand("FREQ=DAILY", date(2026, 10, 3), time(2, 30), time(10, 30), SYDNEY,
                   until=date(2026, 10, 5))
    assert spans(found) == [
        ("2026-10-03", u(2026, 10, 2, 16, 30), u(2026, 10, 3, 0, 30)),
        ("2026-10-04", u(2026, 10, 3, 16, 30), u(2026, 10, 3, 23, 30)),
        ("2026-10-05", u(2026, 10, 4, 15, 30), u(2026, 10, 4, 23, 30)),
    ]
    assert found[1].start_local.replace(tzinfo=None) == datetime(2026, 10, 4, 3, 30)


def test_gap_start_london_shift_span():
    start, end = shift_span(date(2026, 3, 29), time(1, 30), time(9, 0), zone(LONDON))
    assert (start, end) == (u(2026, 3, 29, 1, 30), u(2026, 3, 29, 8, 0))


def test_ambiguous_start_new_york_is_the_first_0130():
    start, end = shift_span(date(2026, 11, 1), time(1, 30), time(9, 30), zone(NY))
    assert start == u(2026, 11, 1, 5, 30)  # 01:30 EDT
    assert end == u(2026, 11, 1, 14, 30)  # 09:30 EST
    found = expand("FREQ=DAILY;COUNT=1", date(2026, 11, 1), time(1, 30), time(9, 30), NY)
    assert found[0].start_local.utcoffset() == timedelta(hours=-4)
    assert found[0].hours == 9


def test_local_time_in_the_repeated_hour_compares_unequal_across_zones():
    # Why callers must compare the *_utc fields: PEP 495 inter-zone equality.
    (found,) = expand("FREQ=DAILY;COUNT=1", date(2026, 11, 1), time(1), time(5), NY)
    assert found.start_utc == u(2026, 11, 1, 5)
    assert found.start_local.astimezone(UTC) == found.start_utc
    assert found.start_local != found.start_utc


def test_fold_on_the_requested_time_is_ignored():
    start, _ = shift_span(date(2026, 11, 1), time(1, 30, fold=1), time(9, 30), zone(NY))
    assert start == u(2026, 11, 1, 5, 30)


# --- overnight shifts ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz_name", "day", "expected_start", "expected_end", "hours"),
    [
        (NY, date(2026, 10, 31), u(2026, 11, 1, 2), u(2026, 11, 1, 11), 9),
        (NY, date(2026, 3, 7), u(2026, 3, 8, 3), u(2026, 3, 8, 10), 7),
        (NY, date(2026, 3, 14), u(2026, 3, 15, 2), u(2026, 3, 15, 10), 8),
        (LONDON, date(2026, 10, 24), u(2026, 10, 24, 21), u(2026, 10, 25, 6), 9),
        (LONDON, date(2026, 3, 28), u(2026, 3, 28, 22), u(2026, 3, 29, 5), 7),
        (LONDON, date(2026, 1, 10), u(2026, 1, 10, 22), u(2026, 1, 11, 6), 8),
        (SYDNEY, date(2026, 4, 4), u(2026, 4, 4, 11), u(2026, 4, 4, 20), 9),
        (SYDNEY, date(2026, 10, 3), u(2026, 10, 3, 12), u(2026, 10, 3, 19), 7),
        (ADELAIDE, date(2026, 4, 4), u(2026, 4, 4, 11, 30), u(2026, 4, 4, 20, 30), 9),
        (ADELAIDE, date(2026, 10, 3), u(2026, 10, 3, 12, 30), u(2026, 10, 3, 19, 30), 7),
    ],
)
def test_overnight_22_to_06(tz_name, day, expected_start, expected_end, hours):
    assert shift_span(day, time(22), time(6), zone(tz_name)) == (expected_start, expected_end)
    found = expand("FREQ=DAILY;COUNT=1", day, time(22), time(6), tz_name)
    assert spans(found) == [(day.isoformat(), expected_start, expected_end)]
    assert found[0].hours == hours
    assert found[0].end_local.date() == day + timedelta(days=1)


def test_overnight_series_hours_around_fall_back():
    found = expand("FREQ=DAILY", date(2026, 10, 30), time(22), time(6), NY, until=date(2026, 11, 1))
    assert spans(found) == [
        ("2026-10-30", u(2026, 10, 31, 2), u(2026, 10, 31, 10)),
        ("2026-10-31", u(2026, 11, 1, 2), u(2026, 11, 1, 11)),
        ("2026-11-01", u(2026, 11, 2, 3), u(2026, 11, 2, 11)),
    ]
    assert [o.hours for o in found] == [8, 9, 8]


# --- UNTIL and COUNT ------------------------------------------------------------------


def test_until_includes_the_until_date_across_fall_back():
    found = expand("FREQ=WEEKLY;BYDAY=MO,WE,FR", date(2026, 10, 19), time(9), time(17), NY,
                   until=date(2026, 11, 2))
    assert [o.key for o in found] == [
        "2026-10-19", "2026-10-21", "2026-10-23", "2026-10-26", "2026-10-28", "2026-10-30",
        "2026-11-02",
    ]
    assert found[-2].start_utc == u(2026, 10, 30, 13)
    assert found[-1].start_utc == u(2026, 11, 2, 14)


def test_until_on_a_day_the_rule_misses_stops_before_it():
    found = expand("FREQ=WEEKLY;BYDAY=MO,WE,FR", date(2026, 10, 19), time(9), time(17), NY,
                   until=date(2026, 11, 1))
    assert found[-1].key == "2026-10-30"


def test_until_across_spring_forward_includes_the_final_day():
    found = expand("FREQ=DAILY", date(2026, 3, 6), time(22), time(6), NY, until=date(2026, 3, 8))
    assert spans(found) == [
        ("2026-03-06", u(2026, 3, 7, 3), u(2026, 3, 7, 11)),
        ("2026-03-07", u(2026, 3, 8, 3), u(2026, 3, 8, 10)),
        ("2026-03-08", u(2026, 3, 9, 2), u(2026, 3, 9, 10)),
    ]


def test_until_late_start_on_the_until_date_is_included():
    found = expand("FREQ=DAILY", date(2026, 4, 3), time(23, 59, 59), time(7), SYDNEY,
                   until=date(2026, 4, 5))
    assert [o.key for o in found] == ["2026-04-03", "2026-04-04", "2026-04-05"]
    assert found[-1].start_utc == u(2026, 4, 5, 13, 59, 59)


def test_until_before_first_day_gives_nothing():
    assert expand("FREQ=DAILY", date(2026, 3, 6), time(9), time(17), NY, until=date(2026, 3, 5)) == []


def test_count_counts_from_first_day_not_from_the_window():
    rule = "FREQ=DAILY;COUNT=3"
    assert spans(expand(rule, date(2026, 3, 7), time(9), time(17), NY)) == [
        ("2026-03-07", u(2026, 3, 7, 14), u(2026, 3, 7, 22)),
        ("2026-03-08", u(2026, 3, 8, 13), u(2026, 3, 8, 21)),
        ("2026-03-09", u(2026, 3, 9, 13), u(2026, 3, 9, 21)),
    ]
    later = expand(rule, date(2026, 3, 7), time(9), time(17), NY, lo=u(2026, 3, 8))
    assert [o.key for o in later] == ["2026-03-08", "2026-03-09"]


def test_count_counts_only_matching_days():
    # 2026-03-01 is a Sunday: the series starts there but the first shift is Monday.
    found = expand("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=3", date(2026, 3, 1), time(9), time(17), NY)
    assert [o.key for o in found] == ["2026-03-02", "2026-03-04", "2026-03-09"]


def test_count_and_until_together_stop_at_whichever_comes_first():
    found = expand("FREQ=DAILY;COUNT=10", date(2026, 3, 7), time(9), time(17), NY, until=date(2026, 3, 9))
    assert [o.key for o in found] == ["2026-03-07", "2026-03-08", "2026-03-09"]
    found = expand("FREQ=DAILY;COUNT=2", date(2026, 3, 7), time(9), time(17), NY, until=date(2026, 3, 9))
    assert [o.key for o in found] == ["2026-03-07", "2026-03-08"]


def test_until_inside_the_rule_is_refused():
    with pytest.raises(Invalid, match="--until"):
        parse_rule("FREQ=DAILY;UNTIL=20261231T235959Z")
    with pytest.raises(Invalid, match="--until"):
        expand("FREQ=DAILY;UNTIL=20261231", date(2026, 3, 7), time(9), time(17), NY)


# --- windows ---------------------------------------------------------------------------


def test_window_start_inclusive_end_exclusive():
    found = expand("FREQ=DAILY", date(2026, 3, 1), time(9), time(17), NY,
                   lo=u(2026, 3, 3, 14), hi=u(2026, 3, 5, 14))
    assert [o.key for o in found] == ["2026-03-03", "2026-03-04"]


def test_window_bounds_in_another_zone():
    sydney = ZoneInfo(SYDNEY)
    # 2026-03-04 01:00 AEDT is 2026-03-03 14:00 UTC.
    found = expand("FREQ=DAILY", date(2026, 3, 1), time(9), time(17), NY,
                   lo=datetime(2026, 3, 4, 1, tzinfo=sydney), hi=datetime(2026, 3, 6, 1, tzinfo=sydney))
    assert [o.key for o in found] == ["2026-03-03", "2026-03-04"]


def test_window_overnight_shift_is_placed_by_its_start():
    found = expand("FREQ=DAILY", date(2026, 3, 1), time(22), time(6), NY,
                   lo=u(2026, 3, 5, 0), hi=u(2026, 3, 6, 0))
    # 2026-03-04 22:00 EST (03:00 UTC on the 5th) starts in the window; it is keyed by its local date.
    assert spans(found) == [("2026-03-04", u(2026, 3, 5, 3), u(2026, 3, 5, 11))]


def test_empty_or_early_windows():
    assert expand("FREQ=DAILY", date(2026, 3, 1), time(9), time(17), NY,
                  lo=u(2026, 3, 5), hi=u(2026, 3, 5)) == []
    assert expand("FREQ=DAILY", date(2026, 3, 1), time(9), time(17), NY,
                  lo=u(2026, 1, 1), hi=u(2026, 3, 1)) == []


def test_window_must_be_aware():
    with pytest.raises(ValueError):
        occurrences("FREQ=DAILY", date(2026, 3, 1), time(9), time(17), NY, None,
                    datetime(2026, 3, 1), datetime(2026, 4, 1))


def test_unbounded_daily_rule_over_260_weeks():
    tz = ZoneInfo(NY)
    lo = datetime(2026, 1, 1, tzinfo=tz)
    found = expand("FREQ=DAILY", date(2026, 1, 1), time(9), time(17), NY,
                   lo=lo, hi=lo + timedelta(weeks=260))
    assert len(found) == 1820
    assert found[0].key == "2026-01-01" and found[-1].key == "2030-12-25"
    assert len({o.key for o in found}) == 1820
    assert all(a.start_utc < b.start_utc for a, b in zip(found, found[1:]))
    assert all(o.start_local.time() == time(9) for o in found)


def test_series_begun_long_before_the_window():
    found = expand("FREQ=DAILY", date(2016, 1, 1), time(9), time(17), NY,
                   lo=u(2026, 3, 1), hi=u(2026, 3, 8))
    assert [o.key for o in found] == [f"2026-03-0{d}" for d in range(1, 8)]


def test_open_ended_window():
    found = expand("FREQ=YEARLY", date(2026, 3, 8), time(9), time(17), NY, until=date(2028, 12, 31),
                   lo=datetime.min.replace(tzinfo=UTC), hi=datetime.max.replace(tzinfo=UTC))
    assert spans(found) == [
        ("2026-03-08", u(2026, 3, 8, 13), u(2026, 3, 8, 21)),
        ("2027-03-08", u(2027, 3, 8, 14), u(2027, 3, 8, 22)),  # 2027 changes on 03-14
        ("2028-03-08", u(2028, 3, 8, 14), u(2028, 3, 8, 22)),  # 2028 changes on 03-12
    ]


def test_monthly_last_friday():
    found = expand("FREQ=MONTHLY;BYDAY=-1FR", date(2026, 1, 1), time(18), time(22), LONDON,
                   until=date(2026, 4, 30))
    assert spans(found) == [
        ("2026-01-30", u(2026, 1, 30, 18), u(2026, 1, 30, 22)),
        ("2026-02-27", u(2026, 2, 27, 18), u(2026, 2, 27, 22)),
        ("2026-03-27", u(2026, 3, 27, 18), u(2026, 3, 27, 22)),
        ("2026-04-24", u(2026, 4, 24, 17), u(2026, 4, 24, 21)),
    ]


# --- parse_rule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FREQ=WEEKLY;BYDAY=MO,WE", "FREQ=WEEKLY;BYDAY=MO,WE"),
        ("  rrule:freq=weekly;byday=mo,we;  ", "FREQ=WEEKLY;BYDAY=MO,WE"),
        ("BYDAY=MO;FREQ=WEEKLY", "FREQ=WEEKLY;BYDAY=MO"),
        ("FREQ=MONTHLY;BYDAY=-1FR;COUNT=06;INTERVAL=+2", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=6;INTERVAL=2"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"),
    ],
)
def test_parse_rule_normalises(text, expected):
    assert parse_rule(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("RRULE:", "empty"),
        ("NONSENSE", "NAME=VALUE"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY"),
        ("FREQ=WEEKLY;;BYDAY", "NAME=VALUE"),
        ("BYDAY=MO", "FREQ=DAILY, WEEKLY"),
        ("FREQ=FORTNIGHTLY", "not a frequency"),
        ("FREQ=HOURLY", "at most daily"),
        ("FREQ=MINUTELY;INTERVAL=30", "at most daily"),
        ("FREQ=SECONDLY", "at most daily"),
        ("FREQ=DAILY;BYHOUR=9,17", "one series per shift time"),
        ("DTSTART=20260101T090000;FREQ=DAILY", "DTSTART"),
        ("DTSTART:20260101T090000\nRRULE:FREQ=DAILY", "one line"),
        ("FREQ=DAILY;UNTIL=20261231", "--until"),
        ("FREQ=DAILY;FREQ=WEEKLY", "twice"),
        ("FREQ=DAILY;INTERVAL=0", "1 or more"),
        ("FREQ=DAILY;COUNT=-2", "1 or more"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "out of range"),
        ("FREQ=MONTHLY;BYDAY=+6MO", "out of range"),
        ("FREQ=DAILY;BYDAY=1MO", "MONTHLY or YEARLY"),
        ("FREQ=WEEKLY;BYMONTHDAY=3", "cannot be used with FREQ=WEEKLY"),
        ("FREQ=DAILY;X-NAME=1", "unknown part"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "never happen"),
        ("FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2", "never happen"),
    ],
)
def test_parse_rule_refuses(text, fragment):
    with pytest.raises(Invalid) as caught:
        parse_rule(text)
    assert fragment in str(caught.value)


def test_refusals_show_a_working_example():
    for text in ("", "FREQ=HOURLY", "FREQ=DAILY;UNTIL=20261231", "BYDAY=MO", "NONSENSE"):
        with pytest.raises(Invalid, match="FREQ=WEEKLY;BYDAY=MO,WE"):
            parse_rule(text)


def test_daily_rule_stepping_whole_weeks_off_its_weekday_is_empty_and_quick():
    # dateutil alone would search day by day to the year 9999 for this.
    assert expand("FREQ=DAILY;INTERVAL=7;BYDAY=TU", date(2026, 3, 2), time(9), time(17), NY) == []


# --- other invalid input ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["Mars/Base", "", "   ", "../etc/passwd", "/etc/localtime", "America",
                                  "America/New_York/", "localtime"])
def test_unknown_zone(name):
    with pytest.raises(Invalid) as caught:
        zone(name)
    assert str(caught.value).startswith(f"unknown time zone {name!r}: use an IANA name such as")


def test_unknown_zone_exact_message_and_suggestion():
    with pytest.raises(Invalid) as caught:
        zone("Mars/Base")
    assert str(caught.value) == (
        "unknown time zone 'Mars/Base': use an IANA name such as America/New_York"
    )
    with pytest.raises(Invalid, match="did you mean America/New_York"):
        zone("america/new_york")


def test_unknown_zone_in_occurrences():
    with pytest.raises(Invalid, match="unknown time zone"):
        expand("FREQ=DAILY", date(2026, 3, 1), time(9), time(17), "Mars/Base")


def test_end_equal_to_start_is_refused():
    with pytest.raises(Invalid, match="end time must differ from its start time"):
        shift_span(date(2026, 3, 1), time(9), time(9), zone(NY))
    with pytest.raises(Invalid, match="end time must differ from its start time"):
        expand("FREQ=DAILY", date(2026, 3, 1), time(2), time(2), NY)


@pytest.mark.parametrize(
    ("tz_name", "day"),
    [(NY, date(2026, 11, 1)), (LONDON, date(2026, 10, 25)), (SYDNEY, date(2026, 4, 5))],
)
def test_longer_than_24_hours_across_fall_back_is_refused(tz_name, day):
    # 00:30 to 00:29 the next day is 23 h 59 min of wall time plus the repeated hour.
    with pytest.raises(Invalid, match="at most 24 hours.*24.98"):
        shift_span(day, time(0, 30), time(0, 29), zone(tz_name))


def test_exactly_24_hours_across_fall_back_is_allowed():
    # 01:30 EDT to 00:30 EST next day.
    assert shift_span(date(2026, 11, 1), time(1, 30), time(0, 30), zone(NY)) == (
        u(2026, 11, 1, 5, 30), u(2026, 11, 2, 5, 30)
    )


def test_start_in_gap_pushed_past_the_end_is_refused():
    # 02:45 becomes 03:45 EDT, after the 03:15 end.
    with pytest.raises(Invalid, match="would end before it starts"):
        shift_span(date(2026, 3, 8), time(2, 45), time(3, 15), zone(NY))


# --- property: every span agrees with an independent time-zone implementation ----------

# Each zone's changes in 2025-2027, to steer examples onto the days that matter;
# the expected values still come from the independent oracle below.
_CHANGE_DAYS = {
    NY: [date(2025, 3, 9), date(2025, 11, 2), date(2026, 3, 8), date(2026, 11, 1),
         date(2027, 3, 14), date(2027, 11, 7)],
    LONDON: [date(2025, 3, 30), date(2025, 10, 26), date(2026, 3, 29), date(2026, 10, 25),
             date(2027, 3, 28), date(2027, 10, 31)],
    SYDNEY: [date(2025, 4, 6), date(2025, 10, 5), date(2026, 4, 5), date(2026, 10, 4),
             date(2027, 4, 4), date(2027, 10, 3)],
}
_CHANGE_DAYS[ADELAIDE] = _CHANGE_DAYS[SYDNEY]


@st.composite
def _shifts(draw):
    tz_name = draw(st.sampled_from(ZONES))
    near_change = st.tuples(st.sampled_from(_CHANGE_DAYS[tz_name]), st.integers(0, 1)).map(
        lambda pair: pair[0] - timedelta(days=pair[1])  # the day itself or the night before
    )
    day = draw(st.one_of(st.dates(date(2025, 1, 1), date(2027, 12, 31)), near_change))
    hour = draw(st.one_of(st.integers(0, 23), st.integers(0, 3)))
    minute = draw(st.one_of(st.integers(0, 59), st.sampled_from([0, 30, 59])))
    # Wall-clock length in minutes, never 0 so end != start; biased to very
    # short and nearly-24-hour shifts, the ones a clock change can break.
    length = draw(st.one_of(st.integers(1, 1439), st.integers(1, 90), st.integers(1350, 1439)))
    start_minutes = hour * 60 + minute
    end_minutes = (start_minutes + length) % 1440
    return tz_name, day, time(hour, minute), time(end_minutes // 60, end_minutes % 60)


def _oracle_utc(wall: datetime, tz_name: str) -> datetime:
    """Where RFC 5545 puts `wall`, worked out with dateutil's own TZif reader, not zoneinfo."""
    other = dateutil_tz.gettz(tz_name)
    if dateutil_tz.datetime_exists(wall, other):
        return wall.replace(tzinfo=other, fold=0).astimezone(UTC)
    # In a gap: read the wall time with the offset in force before the change.
    before = other.utcoffset(wall - timedelta(hours=6))
    return (wall - before).replace(tzinfo=UTC)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(_shifts())
def test_property_spans_match_independent_zone_data(shift):
    tz_name, day, start, end = shift
    start_wall = datetime.combine(day, start)
    end_wall = datetime.combine(day if end > start else day + timedelta(days=1), end)
    expected_start = _oracle_utc(start_wall, tz_name)
    expected_end = _oracle_utc(end_wall, tz_name)
    length = expected_end - expected_start

    other = dateutil_tz.gettz(tz_name)
    event("start in gap" if not dateutil_tz.datetime_exists(start_wall, other) else "start exists")
    event("start ambiguous" if dateutil_tz.datetime_ambiguous(start_wall, other) else "start unique")
    event("end in gap" if not dateutil_tz.datetime_exists(end_wall, other) else "end exists")
    event("refused" if not timedelta(0) < length <= timedelta(hours=24) else "accepted")

    lo = datetime.combine(day, time(), UTC) - timedelta(days=2)
    if not timedelta(0) < length <= timedelta(hours=24):
        with pytest.raises(Invalid):
            expand("FREQ=DAILY", day, start, end, tz_name, lo=lo, hi=lo + timedelta(days=5))
        return

    (found,) = expand("FREQ=DAILY;COUNT=1", day, start, end, tz_name, lo=lo, hi=lo + timedelta(days=5))
    assert found.key == day.isoformat()
    assert (found.start_utc, found.end_utc) == (expected_start, expected_end)
    assert found.end_utc > found.start_utc
    assert 0 < found.hours <= 24

    local = found.start_local.replace(tzinfo=None)
    if dateutil_tz.datetime_exists(start_wall, other):
        assert local == start_wall
    else:
        gap = other.utcoffset(start_wall + timedelta(hours=6)) - other.utcoffset(
            start_wall - timedelta(hours=6)
        )
        assert gap > timedelta(0)
        assert local == start_wall + gap
    # Not `start_local == start_utc`: PEP 495 makes an inter-zone == False
    # whenever one side is in the repeated hour, even for the same instant.
    assert found.start_local.astimezone(UTC) == found.start_utc
    assert found.end_local.astimezone(UTC) == found.end_utc
    assert found.start_local.tzinfo is zone(tz_name)
