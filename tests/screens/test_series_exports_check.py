"""Pilot tests for Series, Exports and Check (issue 15): a coordinator lists the repeating series (rule in
words, next shift, seats), edits one in the shift form and cancels one only after a question whose
default keeps it; anyone exports their own calendar (no tags in it) to a path they type, coordinators also
someone's calendar, the feeds and the CSVs; bad paths are refused in one line and nothing is written; a
file already there is replaced only after a question; the app writes no file for someone whose login is
not the OS user running it; Check lists each finding, or says all is good."""

from __future__ import annotations

import stat
from datetime import date

import pytest
from rota_file import at, make_rota, settle, text_of, until

from warmline.screens.app import WarmlineCommands, make_app
from warmline.screens.check import CheckScreen
from warmline.screens.confirm import ConfirmDialog
from warmline.screens.exports import ExportsScreen
from warmline.screens.plain import Input, OptionList
from warmline.screens.series import SeriesScreen
from warmline.screens.shift_form import ShiftFormDialog


@pytest.fixture
def line(tmp_path, monkeypatch):
    return make_rota(tmp_path, monkeypatch)


def add_series(line, *, rule: str = "FREQ=WEEKLY;BYDAY=MO,WE", seats: int = 2) -> int:
    from warmline import rota

    with line.db() as db:
        s, _made = rota.add_series(
            db, line.coord, rule=rule, start=at(23, 17), end=at(23, 21), seats=seats, backup=1, until=date(2027, 1, 31)
        )
        return s.id


def series_of(line, series_id: int):
    from warmline import rota

    with line.db() as db:
        s = rota.get_series(db.conn, series_id)
        future = rota.series_ahead(db.conn, at(23, 8)).get(series_id, (None, 0))[1]
        return s, future


def my_login(line, handle: str) -> None:
    """Record the OS user running the tests as this person's login (the app writes files only then)."""
    from warmline import people
    from warmline.access import os_user

    with line.db() as db:
        people.edit(db, line.coord, handle, people.PersonChanges(login=os_user()))


async def open_screen(app, pilot, name: str, cls):
    await settle(pilot)
    app.action_go(name)
    await settle(pilot)
    assert isinstance(app.screen, cls)
    return app.screen


def message(screen, wid: str) -> str:
    return text_of(screen.query_one(wid))


# ---------------------------------------------------------------- Series


async def test_series_lists_in_words_and_cancel_asks_with_keep_as_the_default(line):
    sid = add_series(line)
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Series" in [c[0] for c in WarmlineCommands(app.screen)._commands()]
        screen = await open_screen(app, pilot, "series", SeriesScreen)
        assert await until(pilot, lambda: str(sid) in screen.rows)
        cells = screen.rows[str(sid)].cells()
        assert cells[1] == "every Mon, Wed" and cells[2] == "17:00–21:00"
        assert cells[3] == "Mon 23 Nov" and cells[4] == "2+1" and cells[5] == "2027-01-31"
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "will be cancelled" in text_of(app.screen.query_one(".dialog-body"))
        await pilot.press("enter")  # the default is Keep it
        await settle(pilot)
        assert app.screen is screen and "Kept" in message(screen, "#series-message")
        assert series_of(line, sid)[0].status == "active"
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert await until(pilot, lambda: "cancelled" in message(screen, "#series-message"))
        assert screen.rows[str(sid)].cells()[-1] == "CANCELLED"
    s, future = series_of(line, sid)
    assert s.status == "cancelled" and future == 0
    assert len(line.audit("series.cancel")) == 1


@pytest.mark.slow
async def test_a_new_line_offers_no_series_keys_and_the_list_fits_80_columns(line):
    """Issue 15 (a new user's walk): with no series, e and x showed and did nothing; the demo's
    weekday series ('every Mon, Tue, Wed, Thu, Fri') pushed Status past 80 columns."""
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot, "series", SeriesScreen)
        assert await until(pilot, lambda: screen.loaded)
        assert "No repeating series yet" in message(screen, "#series-message")
        assert not screen.active_bindings["e"].enabled and not screen.active_bindings["x"].enabled  # greyed
        sid = add_series(line, rule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")
        screen.reload()
        assert await until(pilot, lambda: str(sid) in screen.rows)
        assert screen.active_bindings["e"].enabled and screen.active_bindings["x"].enabled
        table = screen.query_one("#series-table")
        assert str(table.get_row(str(sid))[1]) == "every weekday"
        assert table.virtual_size.width <= table.scrollable_content_region.width  # Status whole


@pytest.mark.slow
async def test_series_edit_saves_through_the_shift_form(line):
    sid = add_series(line)
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_screen(app, pilot, "series", SeriesScreen)
        assert await until(pilot, lambda: str(sid) in screen.rows)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ShiftFormDialog) and form.mode == "series"
        form.query_one("#seats", Input).value = "3"
        form.query_one("#start", Input).value = "17:30"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert await until(pilot, lambda: "updated" in message(screen, "#series-message"))
        assert await until(pilot, lambda: screen.rows[str(sid)].cells()[2] == "17:30–21:00")
    s, _future = series_of(line, sid)
    assert (s.seats, s.start_time) == (3, "17:30")
    assert len(line.audit("series.edit")) == 1


@pytest.mark.slow
async def test_series_edit_refused_reopens_the_form_and_changes_nothing(line):
    sid = add_series(line)
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_screen(app, pilot, "series", SeriesScreen)
        assert await until(pilot, lambda: str(sid) in screen.rows)
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#seats", Input).value = "0"
        app.screen.query_one("#backup", Input).value = "0"
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ShiftFormDialog)
        assert "seat" in message(form, "#form-message")
        assert form.query_one("#seats", Input).value == "0"  # kept as typed
    assert series_of(line, sid)[0].seats == 2
    assert line.audit("series.edit") == []


@pytest.mark.slow
async def test_a_volunteer_cannot_open_series_or_check(line):
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        names = [c[0] for c in WarmlineCommands(app.screen)._commands()]
        assert "Series" not in names and "Check" not in names and "Exports" in names
        for name in ("series", "check"):
            app.action_go(name)
            await settle(pilot)
            assert not app.is_screen_installed(name)


# ---------------------------------------------------------------- Exports


@pytest.mark.slow
async def test_a_volunteer_exports_their_own_calendar_with_no_tags(line, tmp_path):
    from warmline import people

    line.shift(at(24, 9), at(24, 13), on=((line.ana, "peer"),))
    with line.db() as db:
        people.edit(db, line.coord, "ana", people.PersonChanges(offer=("grief",)))
    my_login(line, "ana")
    target = tmp_path / "ana.ics"
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot, "exports", ExportsScreen)
        kinds = screen.query_one("#ex-kinds", OptionList)
        assert [kinds.get_option_at_index(i).id for i in range(kinds.option_count)] == ["mine"]
        assert screen.query_one("#ex-path", Input).value.endswith("my-shifts.ics")
        screen.query_one("#ex-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await until(pilot, lambda: message(screen, "#ex-message").startswith("✓ Wrote your shifts"))
        assert message(screen, "#ex-message").startswith("✓ Wrote your shifts"), message(screen, "#ex-message")
    data = target.read_text()
    assert "BEGIN:VCALENDAR" in data and "peer shift" in data
    assert "grief" not in data.lower()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


@pytest.mark.slow
@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "the file name is empty"),
        ("{tmp}/no-such-folder/x.ics", "does not exist"),
        ("{tmp}", "is a folder"),
        ("{tmp}/a\x1bb.ics", "control character"),
    ],
)
async def test_a_bad_path_is_refused_in_one_line_and_nothing_is_written(line, tmp_path, typed, says):
    my_login(line, "ana")
    out = tmp_path / "out"
    out.mkdir()
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_screen(app, pilot, "exports", ExportsScreen)
        screen.query_one("#ex-path", Input).value = typed.format(tmp=out)
        await pilot.press("ctrl+s")
        await settle(pilot)
        said = message(screen, "#ex-message")
        assert said.startswith("✗ Not exported:") and says in said and "\n" not in said
    assert list(out.iterdir()) == []


@pytest.mark.slow
async def test_a_file_already_there_is_replaced_only_after_asking(line, tmp_path):
    my_login(line, "coord")
    target = tmp_path / "rota.csv"
    target.write_text("keep me")
    line.shift(at(24, 9), at(24, 13), on=((line.ana, "peer"),))
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_screen(app, pilot, "exports", ExportsScreen)
        kinds = screen.query_one("#ex-kinds", OptionList)
        kinds.highlighted = [kinds.get_option_at_index(i).id for i in range(kinds.option_count)].index("rota")
        await settle(pilot)
        assert screen.query_one("#ex-dates").display and screen.query_one("#ex-excel").parent.display
        screen.query_one("#ex-path", Input).value = str(target)
        screen.query_one("#ex-excel").value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # the default keeps the file
        await settle(pilot)
        assert target.read_text() == "keep me"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert await until(pilot, lambda: message(screen, "#ex-message").startswith("✓ Wrote 1 row"))
    data = target.read_bytes()
    assert data.startswith("\ufeff".encode()) and b"\r\n" in data and b"ana" in data
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.slow
async def test_the_app_writes_no_file_for_someone_whose_login_is_not_the_os_user(line, tmp_path):
    target = tmp_path / "mine.ics"
    app = make_app(line.path, actor=line.ana)  # ana has no login: e.g. signed in with a key on a shared account
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_screen(app, pilot, "exports", ExportsScreen)
        assert "writes no files for you" in message(screen, "#ex-message")
        assert screen.query_one("#ex-export").disabled
        assert not screen.active_bindings["ctrl+s"].enabled  # the key greyed with the button (issue 15)
        screen.query_one("#ex-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "writes no files for you" in message(screen, "#ex-message")
    assert not target.exists()


def test_the_export_refuses_in_the_views_too(line, tmp_path):
    from warmline.errors import Refused
    from warmline.views.exports import export

    with line.db() as db, pytest.raises(Refused, match="writes no files for you"):
        export(db, line.ana, "mine", tmp_path / "x.ics")
    my_login(line, "ana")
    with line.db() as db, pytest.raises(Refused, match="only coordinators"):
        export(db, line.ana, "rota", tmp_path / "x.csv")
    assert not (tmp_path / "x.ics").exists() and not (tmp_path / "x.csv").exists()


# ---------------------------------------------------------------- Check


@pytest.mark.slow
async def test_check_says_all_good_then_lists_each_finding(line):
    from warmline import rota

    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot, "check", CheckScreen)
        assert await until(pilot, lambda: screen.result is not None)
        assert message(screen, "#check-summary").startswith("All good")
        assert message(screen, "#check-list") == ""
        # ben's weekly limit is 4 h: a forced second shift is a warning, a peer over the seats a problem
        first = line.shift(at(24, 9), at(24, 13), on=((line.ben, "peer"),))
        line.shift(at(25, 9), at(25, 13), on=((line.ben, "peer"),))
        with line.db() as db:
            db.conn.execute("UPDATE shift SET seats = 0 WHERE id = ?", (first,))
            db.conn.commit()
            assert not rota.check(db.conn).ok
        await pilot.press("c")
        await settle(pilot)
        assert await until(pilot, lambda: screen.result is not None and not screen.result.ok)
        assert message(screen, "#check-summary").startswith("1 problem found, and 1 warning")
        listing = message(screen, "#check-list")
        assert f"problem: seats: shift {first} has 1 peer people for 0 seats" in listing
        assert "warning: max-hours: ben works 8.0 h" in listing


# ---------------------------------------------------------------- the words (no Pilot)


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=WEEKLY;BYDAY=MO,WE", "every Mon, Wed"),
        ("FREQ=DAILY", "every day"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "every weekday"),  # was "every Mon, Tue, Wed, Thu, Fri"
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=SA", "every 2 weeks on Sat"),
        ("FREQ=MONTHLY;BYDAY=1MO", "every month on the 1st Mon"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "every month on the last Fri"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,15", "every month on day 1, 15"),
        ("FREQ=DAILY;INTERVAL=3;COUNT=10", "every 3 days, 10 times"),
        ("FREQ=WEEKLY;BYSETPOS=1;BYDAY=MO", "FREQ=WEEKLY;BYSETPOS=1;BYDAY=MO"),  # not worded: shown as it is
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=MONTHLY;BYMONTHDAY=-1"),
    ],
)
def test_a_series_rule_in_words(rule, words):
    from warmline.views.series import rule_words

    assert rule_words(rule) == words


def test_the_check_summary_counts_problems_and_warnings():
    from warmline.views.check import CheckResult, Finding

    assert CheckResult(()).summary().startswith("All good")
    assert CheckResult((Finding(False, "max-hours: x"),)).ok
    assert "1 warning" in CheckResult((Finding(False, "max-hours: x"),)).summary()
    two = CheckResult((Finding(True, "a"), Finding(True, "b")))
    assert not two.ok and two.summary() == "2 problems found."


def test_a_coordinator_exports_someones_calendar_and_the_feeds(line, tmp_path):
    from warmline.views.exports import export, load_setup

    line.shift(at(24, 9), at(24, 13), on=((line.ana, "peer"), (line.ben, "peer")))
    my_login(line, "coord")
    with line.db() as db:
        setup = load_setup(db, line.coord)
        assert setup.refusal == "" and {"ana", "ben", "coord"} <= set(setup.handles)
        done = export(db, line.coord, "person", tmp_path / "ana.ics", person="ana")
        assert done.said == f"Wrote ana's shifts to {tmp_path / 'ana.ics'}."
        feeds = export(db, line.coord, "feeds", tmp_path / "feeds")
        assert "calendar feeds" in feeds.said
        assert load_setup(db, line.ana).handles == ()  # a volunteer picks nobody else
    data = (tmp_path / "ana.ics").read_text()
    assert "Test Line: Ana's shifts" in data and "With: Ben" in data
    people_feeds = sorted(p.name for p in (tmp_path / "feeds" / "people").iterdir())
    assert [name.split("-")[0] for name in people_feeds] == ["ana", "ben", "coord"]
