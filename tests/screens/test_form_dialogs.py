"""Issue 15's rough edges in dialogs: esc asks before throwing away what was typed, and no
destructive choice is where a question opens (enter alone never cancels, drops or removes)."""

from __future__ import annotations

import pytest
from rota_file import at, make_rota, settle

from warmline.screens.app import make_app
from warmline.screens.confirm import ChoiceDialog, ConfirmDialog, DiscardDialog
from warmline.screens.dialogs import ShiftDialog
from warmline.screens.handoff import HandoffDialog
from warmline.screens.person_form import AddPersonDialog, PersonEditorDialog
from warmline.screens.plain import Input
from warmline.screens.rota import RotaScreen
from warmline.screens.shift_form import ShiftFormDialog


@pytest.fixture
def line(tmp_path, monkeypatch):
    return make_rota(tmp_path, monkeypatch)


async def open_new_shift_form(pilot) -> ShiftFormDialog:
    await settle(pilot)
    await pilot.press("r")
    await settle(pilot)
    assert isinstance(pilot.app.screen, RotaScreen)
    await pilot.press("n")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ShiftFormDialog)
    return pilot.app.screen


@pytest.mark.slow
async def test_esc_on_an_untouched_form_closes_it_at_once(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_new_shift_form(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RotaScreen)


@pytest.mark.slow
async def test_esc_on_a_filled_form_asks_and_enter_keeps_editing(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_new_shift_form(pilot)
        form.query_one("#note", Input).focus()
        await pilot.press(*"quiet night")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
        assert app.screen.title_text == "Discard your changes?"
        assert app.focused is not None and app.focused.id == "no"  # Keep editing is the default
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form
        assert form.query_one("#note", Input).value == "quiet night"
        # The Back button asks too; y discards.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, RotaScreen)
        with line.db() as db:
            assert db.conn.execute("SELECT count(*) FROM shift").fetchone()[0] == 0


@pytest.mark.slow
async def test_the_person_editor_and_add_form_ask_only_when_changed(line):
    from warmline.screens.people import PeopleScreen

    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.push_screen(PersonEditorDialog("ana"))
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, PersonEditorDialog) and editor._data is not None
        await pilot.press("escape")  # loaded, untouched: closes
        await settle(pilot)
        assert not isinstance(app.screen, PersonEditorDialog)
        app.push_screen(PersonEditorDialog("ana"))
        await settle(pilot)
        editor = app.screen
        editor.query_one("#ed-pronouns", Input).value = "she/her"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is editor
        app.pop_screen()
        await settle(pilot)
        app.push_screen(AddPersonDialog())
        await settle(pilot)
        add = app.screen
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, AddPersonDialog)
        app.push_screen(AddPersonDialog())
        await settle(pilot)
        await pilot.press(*"sam")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
        assert add is not app.screen
        assert not isinstance(app.screen, PeopleScreen)


@pytest.mark.slow
async def test_a_written_handoff_note_asks_before_it_is_thrown_away(line):
    shift = line.shift(at(23, 6), at(23, 10), on=((line.ana, "peer"),))
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.push_screen(HandoffDialog(shift))
        await settle(pilot)
        await pilot.press(*"calm")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HandoffDialog)


@pytest.mark.slow
async def test_questions_open_on_the_safe_choice(line):
    one = line.shift(at(24, 9), at(24, 13), on=((line.ana, "peer"),))
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.push_screen(ShiftDialog(one))
        await settle(pilot)
        # Cancel: a yes/no question that opens on "Keep it"; enter keeps the shift.
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert app.focused is not None and app.focused.id == "no"
        await pilot.press("enter")
        await settle(pilot)
        assert line.view(one).shift.status == "scheduled"
        # Unassign: the picker opens on "keep everyone"; enter takes nobody off.
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert [a.handle for a in line.view(one).peers] == ["ana"]


async def test_cancel_which_opens_on_keep_it(line):
    from datetime import date

    from warmline import rota

    with line.db() as db:
        rota.add_series(
            db, line.coord, rule="FREQ=WEEKLY;BYDAY=MO,WE", start=at(23, 9), end=at(23, 13), until=date(2026, 12, 6)
        )
        first = rota.views(db.conn, at(23, 0), at(24, 0))[0].shift.id
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.push_screen(ShiftDialog(first))
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("enter")  # was "Cancel this occurrence only"
        await settle(pilot)
        assert line.view(first).shift.status == "scheduled"
        assert isinstance(app.screen, ShiftDialog)
