"""How shifts read as text (views.words): countdowns, weekly rules, and the words that carry meaning without colour."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from warmline.views import words
from warmline.model import Assignment, Shift, ShiftView


def view(seats: int = 2, backup: int = 1, peers: int = 0, backups: int = 0, status: str = "scheduled") -> ShiftView:
    start = datetime(2026, 11, 24, 14, tzinfo=timezone.utc)
    shift = Shift(
        1, None, None, start, start + timedelta(hours=4), start, start, "UTC", seats, backup, "", status, False, 1
    )
    on = [Assignment(1, i, f"p{i}", f"P {i}", "peer") for i in range(peers)]
    bk = [Assignment(1, 10 + i, f"b{i}", f"B {i}", "backup") for i in range(backups)]
    return ShiftView(shift, on, bk, [])


def test_countdown_reads_at_a_glance():
    assert words.countdown(timedelta(days=1, hours=1)) == "1 d 1 h 00 m"
    assert words.countdown(timedelta(hours=2, minutes=3, seconds=9)) == "2 h 03 m 09 s"
    assert words.countdown(timedelta(minutes=4, seconds=5)) == "4 m 05 s"
    assert words.countdown(timedelta(0)) == "now"


def test_weekly_rules_round_trip_through_the_form():
    assert words.weekly_rule(("WE", "MO")) == "FREQ=WEEKLY;BYDAY=MO,WE"
    assert words.rule_days("FREQ=WEEKLY;BYDAY=MO,WE") == ("MO", "WE")
    assert words.rule_days("FREQ=DAILY") == words.WEEKDAYS
    assert words.rule_days("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO") is None  # kept as it is by the form
    assert words.rule_text("FREQ=WEEKLY;BYDAY=SA,SU") == "every Sat, Sun"


def test_gaps_are_words_not_only_colours():
    assert words.status(view(peers=0, backups=0)) == "2 OPEN, NO BACKUP"
    assert words.status(view(peers=2, backups=1)) == "covered"
    assert words.status(view(status="cancelled")) == "CANCELLED"
    assert words.week_start(datetime(2026, 11, 29, 12, tzinfo=timezone.utc), timezone.utc) == date(2026, 11, 23)


def test_backup_reads_as_who_or_no_backup():
    assert words.backup_text(view(backups=0)) == "NO BACKUP"
    assert words.backup_text(view(backups=2)) == "b0, b1"
    assert words.backup_text(view(backups=2), 10) == "b1"  # the viewer is left out
    assert words.backup_text(view(backups=1), 10) == "you"
    assert words.backup_text(view(backups=0), 10, none="NO BACKUP yet") == "NO BACKUP yet"


def test_hours_read_as_each_face_shows_them():
    assert (words.hours(4.0), words.hours(4.5)) == ("4 h", "4.5 h")
    assert (words.hours_column(4.0), words.hours_column(4.25)) == ("4.0 h", "4.2 h")
    assert (words.hours_number(6.0), words.hours_number(4.5), words.hours_number(0)) == ("6", "4.5", "0")


def test_two_moments_read_in_the_line_zone():
    start = datetime(2026, 11, 24, 14, tzinfo=timezone.utc)
    assert words.between(start, start + timedelta(hours=4), timezone(timedelta(hours=-5))) == "Tue 24 Nov 09:00–13:00"
