"""Rota: the week grid, week keys, and the coordinator's assign, create, edit and cancel flows."""

from __future__ import annotations

from datetime import date

import pytest
from rota_file import at, make_rota, settle, text_of

from warmline.screens.app import make_app
from warmline.screens.assign import AssignDialog
from warmline.screens.confirm import ChoiceDialog, ConfirmDialog
from warmline.screens.dialogs import ShiftDialog
from warmline.screens.shift_form import ShiftFormDialog
from warmline.screens.rota import RotaScreen
from warmline.screens.week import WeekGrid, block_states
from warmline import rota


@pytest.fixture
def line(tmp_path, monkeypatch):
    """Test Line at Monday 2026-11-23 08:00 New York, with coord, ana and ben."""
    return make_rota(tmp_path, monkeypatch)


async def open_rota(pilot) -> RotaScreen:
    await settle(pilot)
    await pilot.press("r")
    await settle(pilot)
    assert isinstance(pilot.app.screen, RotaScreen)
    return pilot.app.screen


def day_texts(screen: RotaScreen, index: int) -> list[str]:
    """The text of each shift block in one day column (0 = Monday), as drawn."""
    grid = screen.query_one(WeekGrid)
    return [grid.block_text(index, i) for i in range(len(grid.days[index]))]


def drawn_lines(grid: WeekGrid) -> list[str]:
    """Every line of the grid as drawn on screen."""
    return [grid.render_line(y).text for y in range(grid.size.height)]


def drawn_style(grid: WeekGrid, text: str):
    """The style the grid draws `text` in (the first place it shows)."""
    for y in range(grid.size.height):
        for segment in grid.render_line(y):
            if text in segment.text:
                return segment.style
    raise AssertionError(f"{text!r} is not drawn")


def week_views(line, monday: date):
    with line.db() as db:
        return rota.views(db.conn, at(monday.day, 0, month=monday.month), at(monday.day + 7, 0, month=monday.month))


async def test_grid_shows_shifts_by_day_with_gaps_in_words(line):
    line.shift(at(23, 9), at(23, 13), on=((line.ana, "peer"),))
    line.shift(at(23, 13), at(23, 17), on=((line.ana, "backup"), (line.ben, "peer")), seats=1)
    line.shift(at(25, 17), at(25, 21), on=((line.ben, "peer"), (line.coord, "backup")))
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_rota(pilot)
        assert "23 Nov" in text_of(screen.query_one("#week-title")) and "this week" in text_of(
            screen.query_one("#week-title")
        )
        monday = day_texts(screen, 0)
        assert len(monday) == 2
        assert monday[0].splitlines() == ["09:00–13:00", "you", "1 OPEN", "NO BACKUP"]
        assert monday[1].splitlines() == ["13:00–17:00", "ben", "backup you"]
        assert day_texts(screen, 1) == []
        assert day_texts(screen, 2)[0].splitlines()[:2] == ["17:00–21:00", "ben"]
        summary = text_of(screen.query_one("#week-summary"))
        assert "3 shifts" in summary and "2 OPEN" in summary and "1 NO BACKUP" in summary
        # Colour marks the states as well; the words above carry the meaning.
        grid = screen.query_one(WeekGrid)
        assert block_states(grid.days[0][0], line.ana.id) == {"open", "nobackup", "mine"}
        plain = drawn_style(grid, "ben")
        for alert in ("1 OPEN", "NO BACKUP", "backup you"):
            style = drawn_style(grid, alert)
            assert style.bold and (style.color != plain.color or style.underline)


@pytest.mark.slow
async def test_arrows_move_between_shifts_and_a_volunteer_claims_in_the_dialog(line):
    a = line.shift(at(23, 9), at(23, 13))
    b = line.shift(at(23, 13), at(23, 17))
    c = line.shift(at(25, 13), at(25, 17))
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_rota(pilot)
        grid = screen.query_one(WeekGrid)
        assert grid.selected_view.shift.id == a  # today, first shift
        await pilot.press("down")
        assert grid.selected_view.shift.id == b
        await pilot.press("right")  # Tuesday: no shifts
        assert grid.selected_view is None and "no shifts" in text_of(screen.query_one("#shift-status"))
        await pilot.press("right")  # Wednesday: nearest in time to 13:00
        assert grid.selected_view.shift.id == c
        assert "Wed 25 Nov 13:00–17:00" in text_of(screen.query_one("#shift-status"))
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ShiftDialog) and dialog.shift_id == c
        # A volunteer may claim an open seat here, and may not assign.
        assert dialog.check_action("assign", ()) is False
        await pilot.press("a", "c")
        await settle(pilot)
        assert app.screen is dialog
        assert [p.handle for p in line.view(c).peers] == ["ana"]
        assert "You are on this shift" in text_of(dialog.query_one("#shift-message"))
        assert "Peers (1 of 2): you" in text_of(dialog.query_one("#shift-details"))


@pytest.mark.slow
async def test_a_busy_day_scrolls_to_keep_the_cursor_in_view_and_a_click_selects(line):
    busy = [line.shift(at(23, h), at(23, h + 1)) for h in range(8, 20)]  # twelve shifts on Monday
    wednesday = line.shift(at(25, 9), at(25, 13))
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_rota(pilot)
        grid = screen.query_one(WeekGrid)
        assert grid.selected_view.shift.id == busy[0]
        assert "19:00–20:00" not in "".join(drawn_lines(grid))  # below the bottom of the day
        for _ in busy[1:]:
            await pilot.press("down")
        assert grid.selected_view.shift.id == busy[-1]
        drawn = "".join(drawn_lines(grid))
        assert "19:00–20:00" in drawn and "08:00–09:00" not in drawn
        assert "Mon 23 Nov 19:00–20:00" in text_of(screen.query_one("#shift-status"))
        # A click on Wednesday's shift selects it; one on the gap below it selects nothing new.
        heading = drawn_lines(grid)[0]
        await pilot.click(WeekGrid, offset=(heading.index("Wed 25"), 2))
        assert grid.selected_view.shift.id == wednesday
        assert "Wed 25 Nov 09:00–13:00" in text_of(screen.query_one("#shift-status"))
        await pilot.click(WeekGrid, offset=(heading.index("Wed 25"), 12))
        assert grid.selected_view.shift.id == wednesday
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ShiftDialog) and app.screen.shift_id == wednesday


@pytest.mark.slow
async def test_week_keys_move_by_week_and_t_returns_to_today(line):
    nxt = line.shift(at(1, 9, month=12), at(1, 13, month=12))
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_rota(pilot)
        title = lambda: text_of(screen.query_one("#week-title"))  # noqa: E731
        assert title().startswith("Mon 23 Nov")
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert title().startswith("Mon 30 Nov") and "next week" in title()
        assert [v.shift.id for v in screen.query_one(WeekGrid).days[1]] == [nxt]
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert title().startswith("Mon 16 Nov") and "last week" in title()
        await pilot.press("t")
        await settle(pilot)
        assert title().startswith("Mon 23 Nov")
        assert screen.query_one(WeekGrid).selected_day == date(2026, 11, 23)


@pytest.mark.slow
async def test_assign_refused_then_overridden_but_never_an_overlap(line):
    line.shift(at(24, 9), at(24, 13), on=((line.ben, "peer"),))  # ben's 4 h limit is used up
    line.shift(at(23, 12), at(23, 16), on=((line.ana, "peer"),))  # ana is busy then
    sid = line.shift(at(23, 13), at(23, 17))
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_rota(pilot)
        screen.query_one(WeekGrid).select_shift(sid)
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        await pilot.press("a")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, AssignDialog)
        table = picker.query_one("#candidates")
        handles = table.keys
        assert handles.index("coord") < handles.index("ben") < handles.index("ana")  # eligible, forceable, never
        assert "overlap (no)" in str(table.get_cell("ana", "fit"))
        # An overlap is refused in place, with no override offered.
        table.move_cursor(row=table.get_row_index("ana"))
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert "overlaps" in text_of(dialog.query_one("#shift-message"))
        await pilot.press("a")
        await settle(pilot)
        picker = app.screen
        table = picker.query_one("#candidates")
        assert "4 h / 4 h" in str(table.get_cell("ben", "week"))
        assert "max-hours (override)" in str(table.get_cell("ben", "fit"))
        table.move_cursor(row=table.get_row_index("ben"))
        await pilot.pause()
        assert "would work 8.0 h" in text_of(picker.query_one("#candidate-detail"))
        await pilot.press("enter")
        await settle(pilot)
        # Refused in place with the core's message, then an override is offered.
        assert "would work 8.0 h" in text_of(dialog.query_one("#shift-message"))
        assert line.view(sid).peers == []
        assert isinstance(app.screen, ConfirmDialog)
        assert "Override" in text_of(app.screen.query_one(".dialog-title"))
        await pilot.press("y")
        await settle(pilot)
        assert [p.handle for p in line.view(sid).peers] == ["ben"]
        assert "forced past: max-hours" in line.audit("assign")[0].detail
        assert "rule overridden" in text_of(dialog.query_one("#shift-message"))


@pytest.mark.slow
async def test_create_a_series_from_the_form(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_rota(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ShiftFormDialog)
        assert form.query_one("#day").value == "2026-11-23"  # the selected day
        await pilot.click("#time-evening")  # preset: 17:00–21:00
        for code in ("MO", "WE"):
            form.query_one(f"#day-{code}").focus()
            await pilot.press("space")
        form.query_one("#until").value = "2026-12-06"
        form.query_one("#seats").value = "3"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RotaScreen)
        with line.db() as db:
            (series,) = rota.all_series(db.conn)
            shifts = rota.views(db.conn, at(23, 0), at(8, 0, month=12))
        assert series.rule == "FREQ=WEEKLY;BYDAY=MO,WE" and series.until_day == "2026-12-06"
        assert [(v.shift.start_local.day, v.shift.start_local.hour, v.shift.seats) for v in shifts] == [
            (23, 17, 3),
            (25, 17, 3),
            (30, 17, 3),
            (2, 17, 3),
        ]
        assert day_texts(screen, 0)[0].startswith("17:00–21:00\n3 OPEN")
        assert day_texts(screen, 2)[0].startswith("17:00–21:00")
        assert day_texts(screen, 1) == []


@pytest.mark.slow
async def test_a_bad_form_stays_open_with_the_reason(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_rota(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        form.query_one("#start").value = "25:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "not a time" in text_of(form.query_one("#form-message"))
        # A refusal from the core reopens the form with what was typed and the core's reason.
        form.query_one("#start").value = "09:00"
        form.query_one("#seats").value = "99"
        await pilot.press("ctrl+s")
        await settle(pilot)
        again = app.screen
        assert isinstance(again, ShiftFormDialog) and again is not form
        assert again.query_one("#seats").value == "99"
        assert "from 0 to 50" in text_of(again.query_one("#form-message"))


def make_series(line):
    with line.db() as db:
        series, _made = rota.add_series(
            db, line.coord, rule="FREQ=WEEKLY;BYDAY=MO,WE", start=at(23, 9), end=at(23, 13), until=date(2026, 12, 6)
        )
        ids = [v.shift.id for v in rota.views(db.conn, at(23, 0), at(8, 0, month=12))]
    return series, ids


def local_spans(line, ids):
    spans = []
    for sid in ids:
        s = line.view(sid).shift
        spans.append((s.start_local.strftime("%a %d %H:%M"), s.end_local.strftime("%H:%M"), s.status))
    return spans


@pytest.mark.slow
async def test_edit_one_occurrence_then_the_whole_series(line):
    series, ids = make_series(line)  # Mon 23, Wed 25, Mon 30, Wed 2
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_rota(pilot)
        await pilot.press("enter", "e")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("enter")  # "This occurrence only" is first
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ShiftFormDialog) and form.mode == "shift"
        form.query_one("#start").value = "10:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        spans = local_spans(line, ids)
        assert spans[0] == ("Mon 23 10:00", "13:00", "scheduled")
        assert spans[1] == ("Wed 25 09:00", "13:00", "scheduled")
        assert line.view(ids[0]).shift.detached
        # Now the whole series, from Wednesday's occurrence.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RotaScreen)
        assert day_texts(screen, 0)[0].startswith("10:00–13:00")
        await pilot.press("right", "right", "enter", "e")
        await settle(pilot)
        await pilot.press("down", "enter")  # "The whole series"
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ShiftFormDialog) and form.mode == "series"
        assert form.query_one("#day-MO").value and form.query_one("#day-WE").value
        form.query_one("#end").value = "14:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        spans = local_spans(line, ids)
        assert spans[0] == ("Mon 23 10:00", "13:00", "scheduled")  # edited on its own: kept
        assert spans[1:] == [
            ("Wed 25 09:00", "14:00", "scheduled"),
            ("Mon 30 09:00", "14:00", "scheduled"),
            ("Wed 02 09:00", "14:00", "scheduled"),
        ]
        assert "1 updated" not in line.audit("series.edit")[0].detail  # 3 future occurrences followed
        await pilot.press("escape")
        await settle(pilot)
        assert day_texts(screen, 2)[0].startswith("09:00–14:00")


@pytest.mark.slow
async def test_cancel_one_occurrence_of_a_series_or_a_one_off_shift(line):
    series, ids = make_series(line)
    one_off = line.shift(at(23, 13), at(23, 17), on=((line.ana, "peer"),))
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_rota(pilot)
        await pilot.press("enter", "k")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("down", "enter")  # "Cancel this occurrence only" (it opens on "Keep it")
        await settle(pilot)
        assert [s[2] for s in local_spans(line, ids)] == ["cancelled", "scheduled", "scheduled", "scheduled"]
        await pilot.press("escape")
        await settle(pilot)
        assert day_texts(screen, 0)[0].splitlines() == ["09:00–13:00", "CANCELLED"]
        assert day_texts(screen, 2)[0].startswith("09:00–13:00\n2 OPEN")
        # A one-off shift: a plain confirmation that says who is on it.
        await pilot.press("down", "enter", "k")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "on it: ana" in text_of(app.screen.query_one(".dialog-body"))
        await pilot.press("y")
        await settle(pilot)
        assert line.view(one_off).shift.status == "cancelled"
        assert len(line.audit("shift.cancel")) == 2


def test_limit_flags_are_those_of_everyones_load_though_only_people_near_the_week_are_read(line):
    from warmline import fairness, people
    from warmline.people import PersonChanges

    from warmline.views.rota import load_strain

    with line.db() as db:
        people.edit(db, line.coord, "ana", PersonChanges(max_overnights_month=1))
    line.shift(at(10, 23), at(11, 3), on=((line.ana, "peer"),))  # ana: an overnight two weeks before, none this week
    line.shift(at(24, 9), at(24, 13), on=((line.ben, "peer"),))  # ben: 8 h this week, his limit is 4 h
    line.shift(at(25, 9), at(25, 13), on=((line.ben, "peer"),))
    line.shift(at(22, 19), at(22, 23), on=((line.coord, "peer"),))  # coord: 3 h of rest before Monday's shift
    line.shift(at(23, 2), at(23, 6), on=((line.coord, "peer"),))
    with line.db() as db:
        strain = load_strain(db, date(2026, 11, 23), line.coord)
        everyone = fairness.load(db.conn, at(23, 0), at(30, 0), viewer=line.coord).people
        mine = load_strain(db, date(2026, 11, 23), line.ana)
    expected = {p.handle: {"over": "OVER", "at": "at", "near": "near"}[p.level] for p in everyone if p.level}
    assert {handle: word for handle, (word, _) in strain.items()} == expected
    assert expected == {"ana": "at", "ben": "OVER", "coord": "OVER"}  # ana: 1 overnight of 1
    assert "overnight" in strain["ana"][1] and "rest" in strain["coord"][1]
    assert set(mine) == {"ana"}  # a volunteer sees only their own
