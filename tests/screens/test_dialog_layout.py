"""Issue 15's rough edges in layout: the crisis banner stays visible over every dialog at 80x24, the
footer keeps a space between a key and its label at every width, and the shift form's boxes show
what was typed."""

from __future__ import annotations

import pytest
from rota_file import at, make_rota, settle

from warmline.screens.app import make_app
from warmline.screens.assign import AssignDialog
from warmline.screens.confirm import ChoiceDialog, ConfirmDialog, DiscardDialog
from warmline.screens.dialogs import ShiftDialog
from warmline.screens.handoff import HandoffDialog
from warmline.screens.help import HelpDialog
from warmline.screens.load import AutofillDialog
from warmline.screens.person_form import AddPersonDialog, DeactivateDialog, PersonEditorDialog
from warmline.screens.plain import Input
from warmline.screens.shift_form import ShiftFormDialog
from warmline.screens.swap import SwapDialog
from warmline.screens.widgets import KeysFooter, LineHeader
from warmline.views.shift_form import ShiftDraft


@pytest.fixture
def line(tmp_path, monkeypatch):
    return make_rota(tmp_path, monkeypatch)


def dialogs(line, shift: int, home) -> list:
    draft = ShiftDraft(day=at(24, 0).date(), start=at(24, 9).time(), end=at(24, 13).time(), seats=2, backup=1, note="")
    return [
        ShiftDialog(shift),
        ShiftFormDialog("new", draft),
        ShiftFormDialog("series", draft),
        ConfirmDialog("Drop this shift?", "A long body. " * 30, yes="Drop it", no="Keep it"),
        ChoiceDialog("Cancel which?", [("", "Keep it"), ("one", "Cancel this occurrence only")]),
        DiscardDialog(),
        PersonEditorDialog("ana"),
        AddPersonDialog(),
        DeactivateDialog("Ana R.", "ana"),
        HandoffDialog(shift),
        SwapDialog(shift),
        AssignDialog(shift, "Assign"),
        AutofillDialog(at(23, 0), at(30, 0)),
        HelpDialog(home),
    ]


@pytest.mark.slow
async def test_the_escalation_banner_stays_visible_over_every_dialog_at_80x24(line):
    shift = line.shift(at(24, 9), at(24, 13), on=((line.coord, "peer"),))
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        escalation = home.query_one(LineHeader).escalation_text
        assert escalation
        for dialog in dialogs(line, shift, home):
            app.push_screen(dialog)
            await settle(pilot)
            assert app.screen is dialog
            header = dialog.query_one(LineHeader)
            assert header.escalation_text == escalation, type(dialog).__name__
            assert header.region.y == 0 and header.region.height >= 2, type(dialog).__name__
            footer = dialog.query_one(KeysFooter)
            for box in dialog.query(".dialog, .dialog-box"):
                if box.display:
                    assert box.region.y >= header.region.bottom, type(dialog).__name__  # below the banner
                    assert box.region.bottom <= footer.region.y, type(dialog).__name__
            app.pop_screen()
            await settle(pilot)


@pytest.mark.parametrize("width", [60, 80, 99, 100, 140])
async def test_the_footer_keeps_a_space_between_key_and_label(line, width):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(KeysFooter)
        drawn = footer.render().plain
        assert "q Quit" in drawn
        for key, _shown, description, _enabled in footer.keys:
            if description and drawn.find(description) > 0:
                assert drawn[drawn.find(description) - 1] == " ", (width, description)


LONGEST = {  # the longest valid value of each box, and mistaken longer ones
    "day": ["2026-11-24", "2026-11-240", "24 Nov 2026"],
    "until": ["2026-12-31", "2026-12-310", "31 Dec 2026"],
    "start": ["09:00", "9:00 am", "09:00 pm"],
    "end": ["13:00", "1:00 pm", "01:00 pm"],
    "seats": ["12", "1000"],
    "backup": ["3", "1000"],
}


@pytest.mark.slow
@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_the_shift_form_boxes_show_what_was_typed(line, size):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        draft = ShiftDraft(day=at(24, 0).date(), start=at(24, 9).time(), end=at(24, 13).time(), seats=2, backup=1)
        form = ShiftFormDialog("new", draft)
        app.push_screen(form)
        await settle(pilot)
        for wid, values in LONGEST.items():
            box = form.query_one(f"#{wid}", Input)
            for value in values:
                box.value = value
                box.cursor_position = len(value)
                await pilot.pause()
                room = box.content_region.width
                assert room > len(value), (wid, value, room)  # all of it, and the cursor after it
                scroll = form.query_one("#shift-form")
                inside = scroll.content_region.right - scroll.scrollbar_size_vertical
                assert box.region.right <= inside, (wid, value)  # not cut off by the dialog's edge
