"""The My settings read model (warmline/views/my_settings.py): what the forms read, in the app's words,
and the core calls it makes on the person's own windows, time off and notification settings."""

from __future__ import annotations

from datetime import date, time

import pytest

from warmline import availability, people
from warmline.db import open_db
from warmline.errors import Invalid, NotFound
from warmline.line import create
from warmline.notify.prefs import Prefs
from warmline.views import my_settings as view

NOW = "2026-11-23T08:00:00-05:00"


@pytest.fixture
def line(tmp_path, monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    db = open_db(tmp_path / "r.db", create=True)
    create(db, name="T", tz="America/New_York", actor="coord", first_coordinator=("coord", "Coord", None))
    coord = people.get(db.conn, "coord")
    sam = people.add(db, coord, handle="sam", name="Sam")
    yield db, coord, sam
    db.close()


def test_a_window_is_read_as_availability_set_reads_it():
    found = view.read_window(("MO", "WE"), "17:00", " 21:00 ")
    assert [(w.weekday, w.start, w.end, w.kind) for w in found] == [
        (0, time(17), time(21), "available"),
        (2, time(17), time(21), "available"),
    ]
    (night,) = view.read_window(("FR",), "22:00", "06:00", preferred=True)
    assert night.overnight and night.kind == "preferred"


@pytest.mark.parametrize(
    ("days", "start", "end", "says"),
    [((), "17:00", "21:00", "tick at least one day"), (("MO",), "", "21:00", "from and to"),
     (("MO",), "17:00", "24:30", "is not a time range")],
)
def test_a_bad_window_says_what_and_how(days, start, end, says):
    with pytest.raises(Invalid, match=says):
        view.read_window(days, start, end)


def test_time_off_days():
    assert view.read_time_off("2026-12-24", "") == (date(2026, 12, 24), date(2026, 12, 24))
    assert view.read_time_off("2026-12-24", "2026-12-26") == (date(2026, 12, 24), date(2026, 12, 26))
    with pytest.raises(Invalid, match="is before the first"):
        view.read_time_off("2026-12-26", "2026-12-24")
    with pytest.raises(Invalid, match="is not a date"):
        view.read_time_off("24/12/2026", "")


def test_typed_prefs_are_only_what_changed():
    loaded = Prefs()
    same = dict(channels=("desktop", "app"), leads="60,15", quiet="")
    assert view.typed_prefs(loaded, **same) == {}
    assert view.typed_prefs(loaded, **(same | {"leads": "15, 60"})) == {}  # the same set of reminders
    assert view.typed_prefs(loaded, **(same | {"leads": "0"})) == {"leads": ()}
    assert view.typed_prefs(loaded, **(same | {"leads": "none"})) == {"leads": ()}
    assert view.typed_prefs(loaded, **(same | {"leads": ""})) == {"leads": ()}
    assert view.typed_prefs(loaded, **(same | {"quiet": "22:00–07:00"})) == {"quiet": ("22:00", "07:00")}
    assert view.typed_prefs(loaded, **(same | {"channels": ("app",)})) == {"channels": ("app",)}
    quiet = Prefs(quiet=("22:00", "07:00"))
    assert view.typed_prefs(quiet, **(same | {"quiet": "22:00-07:00"})) == {}
    assert view.typed_prefs(quiet, **same) == {"clear_quiet": True}


@pytest.mark.parametrize(
    ("changed", "says"),
    [
        ({"channels": ()}, "tick at least one channel: desktop, terminal, app"),
        ({"leads": "0,15"}, "lead time 0 in a list"),
        ({"leads": "x"}, "give e.g. 60,15 (or none)"),
        ({"quiet": "7-8"}, "give e.g. 22:00-07:00"),
        ({"quiet": "08:00-08:00"}, "or leave the box empty for none"),
    ],
)
def test_bad_notification_settings_are_said_without_cli_options(changed, says):
    with pytest.raises(Invalid) as caught:
        view.typed_prefs(Prefs(), **({"channels": ("app",), "leads": "60,15", "quiet": ""} | changed))
    assert says in str(caught.value) and "--" not in str(caught.value)


def test_rows_and_summaries(line):
    db, _coord, sam = line
    availability.set_windows(db, sam, None, view.read_window(("MO",), "22:00", "02:00"))
    availability.set_windows(db, sam, None, view.read_window(("SU",), "00:00", "00:00", preferred=True))
    availability.add_time_off(db, sam, None, date(2026, 12, 24), date(2026, 12, 26))
    loaded = view.load_my_settings(db, sam)
    assert [cells for _key, cells in view.window_rows(loaded)] == [
        ("Mon", "22:00", "02:00 (next day)", "available"),
        ("Sun", "00:00", "00:00 (all day)", "preferred (would rather)"),
    ]
    assert [cells for _key, cells in view.time_off_rows(loaded)] == [("Thu 24 Dec 2026", "Sat 26 Dec 2026", "3 days")]
    assert view.availability_summary(loaded) == "Now: available Mon 22:00–02:00. Preferred: Sun 00:00–00:00."
    assert view.prefs_summary(loaded.prefs) == (
        "Channels desktop, app; reminders 1 h and 15 min before a shift; quiet hours none."
    )


def test_adding_and_removing_windows_keeps_the_rest_and_only_the_persons_own(line):
    db, coord, sam = line
    availability.set_windows(db, coord, None, view.read_window(("TU",), "09:00", "13:00"))
    view.add_windows(db, sam, view.read_window(("MO",), "17:00", "21:00"))
    change = view.add_windows(db, sam, view.read_window(("MO", "WE"), "17:00", "21:00"))  # Monday's is there
    assert [w.describe() for w in change.availability.available] == ["Mon 17:00–21:00", "Wed 17:00–21:00"]
    with pytest.raises(Invalid, match="you already have Mon 17:00–21:00 as available"):
        view.add_windows(db, sam, view.read_window(("MO",), "17:00", "21:00"))
    view.add_windows(db, sam, view.read_window(("SA",), "10:00", "16:00", preferred=True))
    change = view.remove_window(db, sam, "available:0:17:00:21:00")
    assert [w.describe() for w in change.availability.available] == ["Wed 17:00–21:00"]
    assert [w.describe() for w in change.availability.preferred] == ["Sat 10:00–16:00"]
    with pytest.raises(NotFound, match="no longer there"):
        view.remove_window(db, sam, "available:0:17:00:21:00")
    assert [w.describe() for w in availability.of(db.conn, coord).available] == ["Tue 09:00–13:00"]


def test_notification_settings_are_saved_for_the_person_only(line):
    db, coord, sam = line
    prefs = view.save_prefs(db, sam, view.typed_prefs(Prefs(), channels=("terminal",), leads="1440,60", quiet="23:00-06:00"))
    assert prefs == Prefs(("terminal",), (1440, 60), ("23:00", "06:00"))
    assert view.load_my_settings(db, sam).prefs == prefs
    assert view.load_my_settings(db, coord).prefs == Prefs()


def test_clashes_are_said_in_a_few_lines(line):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from warmline.availability import Clash

    tz = ZoneInfo("America/New_York")
    start = datetime(2026, 11, 24, 9, tzinfo=tz)
    clashes = tuple(
        Clash(10 + i, start + timedelta(days=i), start + timedelta(days=i, hours=4), 2, "sam", "time-off", "")
        for i in range(5)
    )
    lines = view.clash_lines(clashes, tz)
    assert lines[0].startswith("You are still on 5 shifts your time off now rules out")
    assert lines[1:] == [
        "  Tue 24 Nov 09:00–13:00 (shift 10)",
        "  Wed 25 Nov 09:00–13:00 (shift 11)",
        "  Thu 26 Nov 09:00–13:00 (shift 12)",
        "  2 more shifts (see Home)",
    ]
    assert view.clash_lines((), tz) == []
