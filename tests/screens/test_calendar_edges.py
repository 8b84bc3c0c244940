"""The shift form at the ends of the calendar: a date in year 9999 or year 1 (or a shift that
runs past the last day warmline keeps) is refused with a clear message in the form, nothing
changes, and the app keeps running (it raised OverflowError in a worker before)."""

from __future__ import annotations

import pytest
from rota_file import at, make_rota, settle, text_of
from textual.widgets._toast import Toast

from warmline.screens.app import make_app
from warmline.screens.dialogs import ShiftDialog
from warmline.screens.shift_form import ShiftFormDialog
from warmline.screens.rota import RotaScreen
from warmline import rota


@pytest.fixture
def line(tmp_path, monkeypatch):
    """Test Line at Monday 2026-11-23 08:00 New York, with coord, ana and ben; one shift on Tuesday."""
    made = make_rota(tmp_path, monkeypatch)
    made.tue = made.shift(at(24, 9), at(24, 13))
    return made


def shifts_and_series(line) -> tuple[list, list]:
    with line.db() as db:
        shifts = [tuple(r) for r in db.conn.execute("SELECT id, start_utc, end_utc, version FROM shift ORDER BY id")]
        series = [tuple(r) for r in db.conn.execute("SELECT id, rule, until_day FROM series ORDER BY id")]
    return shifts, series


async def save_form(pilot, **values: str) -> ShiftFormDialog:
    """Fill the open form's boxes, ctrl+s, and return the form shown afterwards (it must still be one)."""
    app = pilot.app
    form = app.screen
    assert isinstance(form, ShiftFormDialog)
    for box, value in values.items():
        form.query_one(f"#{box}").value = value
    await pilot.press("ctrl+s")
    await settle(pilot)
    shown = app.screen
    assert app.is_running and app._exception is None
    assert isinstance(shown, ShiftFormDialog), "the form closed: something was accepted"
    return shown


def said(form: ShiftFormDialog) -> str:
    return text_of(form.query_one("#form-message"))


def no_unexpected_error(app) -> None:
    toasts = [text_of(t) for t in app.screen.query(Toast)]
    assert not [t for t in toasts if "unexpected" in t or "Overflow" in t], toasts


@pytest.mark.fast_tier_sample(5)
@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"day": "9999-12-31"}, "9999-12-31"),
        ({"day": "0001-01-01"}, "0001-01-01"),
        ({"day": "9999-12-31", "start": "23:00", "end": "03:00"}, "9999-12-31"),
        ({"day": "2999-12-31", "start": "23:00", "end": "03:00"}, ""),  # ends on a day past the last
        ({"until": "9999-12-31"}, ""),
    ],
    ids=["year-9999", "year-1", "overnight-9999", "overnight-past-the-last-day", "until-9999"],
)
async def test_a_new_shift_at_the_ends_of_the_calendar_is_refused_in_the_form(line, values, words):
    before = shifts_and_series(line)
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, RotaScreen)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        if "until" in values:  # a series: tick Monday
            form.query_one("#day-MO").focus()
            await pilot.press("space")
        shown = await save_form(pilot, **values)
        message = said(shown)
        assert message and words in message, message
        assert "Traceback" not in message and "Overflow" not in message
        no_unexpected_error(app)
        # What was typed is still there, to correct.
        for box, value in values.items():
            assert shown.query_one(f"#{box}").value == value
        await pilot.press("escape")  # what was typed: "Discard your changes?", y discards
        await settle(pilot)
        assert type(app.screen).__name__ == "DiscardDialog"
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, RotaScreen) and app.is_running
    assert shifts_and_series(line) == before


@pytest.mark.slow
async def test_moving_a_shift_to_year_9999_is_refused_and_changes_nothing(line):
    before = shifts_and_series(line)
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        app.push_screen(ShiftDialog(line.tue))
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = await save_form(pilot, day="9999-12-31")
        assert "9999-12-31" in said(form)
        no_unexpected_error(app)
    assert shifts_and_series(line) == before
    with line.db() as db:
        assert rota.view(db.conn, line.tue).shift.start_local.year == 2026
