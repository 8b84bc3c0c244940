"""Pilot tests for Line settings (issue 15): a coordinator changes each setting and the header shows the
new name and escalation at once; a refusal is said in place and changes nothing; esc with changes asks
before discarding them (enter keeps editing); a volunteer cannot open it; People's `s` and the palette reach it."""

from __future__ import annotations

import pytest
from rota_file import make_rota, settle, text_of, until

from warmline.screens.app import WarmlineCommands, make_app
from warmline.screens.confirm import DiscardDialog
from warmline.screens.line_settings import LineSettingsScreen
from warmline.screens.plain import Input
from warmline.screens.widgets import LineHeader


@pytest.fixture
def line(tmp_path, monkeypatch):
    return make_rota(tmp_path, monkeypatch)


def stored(line):
    from warmline import line as line_svc

    with line.db() as db:
        return line_svc.settings(db.conn)


async def open_settings(app, pilot) -> LineSettingsScreen:
    await settle(pilot)
    app.action_go("line_settings")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, LineSettingsScreen)
    assert await until(pilot, lambda: screen.loaded is not None)
    return screen


def message(screen) -> str:
    return text_of(screen.query_one("#ls-message"))


@pytest.mark.slow
async def test_a_coordinator_changes_every_setting_and_the_header_follows(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_settings(app, pilot)
        assert screen.query_one("#ls-name", Input).value == "Test Line"
        assert screen.query_one("#ls-cutoff", Input).value == "48"
        screen.query_one("#ls-name", Input).value = "Harbor Night Line"
        screen.query_one("#ls-escalation", Input).value = "Call Samaritans on 116 123"
        screen.query_one("#ls-cutoff", Input).value = "24"
        screen.query_one("#ls-approval").value = True
        await pilot.press("enter")  # enter in a field never saves
        await settle(pilot)
        assert stored(line).name == "Test Line"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert message(screen).startswith("✓ Saved the name, the escalation text, the drop cut-off, swap approval")
        assert tuple(stored(line)) == ("Harbor Night Line", "America/New_York", "Call Samaritans on 116 123", 24, True)
        header = screen.query_one(LineHeader)
        assert await until(pilot, lambda: header.name_text == "Harbor Night Line")
        assert header.escalation_text == "Call Samaritans on 116 123"
        assert not screen.unsaved
        await pilot.press("escape")  # nothing unsaved: straight back, no question
        await settle(pilot)
        assert app.screen is app.get_screen("home")
        home_header = app.screen.query_one(LineHeader)
        assert "Harbor Night Line" in home_header.name_text and "116 123" in home_header.escalation_text


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("#ls-name", "", "the line's name is empty"),
        ("#ls-escalation", "   ", "the escalation text is empty"),
        ("#ls-escalation", "x" * 201, "the most is 200"),
        ("#ls-cutoff", "700", "between 0 and 672 h"),
        ("#ls-cutoff", "", "a whole number of hours"),
    ],
)
@pytest.mark.slow
async def test_a_refusal_is_said_in_place_and_nothing_changes(line, field, value, says):
    before = stored(line)
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_settings(app, pilot)
        screen.query_one("#ls-approval").value = True  # a good change beside the bad one is not kept either
        screen.query_one(field, Input).value = value
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert message(screen).startswith("✗ Not saved:") and says in message(screen)
        assert screen.query_one(field, Input).value == value  # kept as typed, to be fixed
        assert app.screen is screen
    assert stored(line) == before
    assert line.audit("line.edit") == []


@pytest.mark.slow
async def test_esc_with_unsaved_changes_asks_and_enter_keeps_editing(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_settings(app, pilot)
        screen.query_one("#ls-name", Input).value = "Typed, not saved"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
        await pilot.press("enter")  # the default is Keep editing
        await settle(pilot)
        assert app.screen is screen and screen.query_one("#ls-name", Input).value == "Typed, not saved"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")  # discard
        await settle(pilot)
        assert app.screen is app.get_screen("home")
        assert screen.query_one("#ls-name", Input).value == "Test Line"
    assert stored(line).name == "Test Line"


@pytest.mark.slow
async def test_people_s_and_the_palette_open_it_for_a_coordinator(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        names = [c[0] for c in WarmlineCommands(app.screen)._commands()]
        assert "Line settings" in names
        app.action_go("people")
        await settle(pilot)
        app.screen.query_one("#people-table").focus()
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, LineSettingsScreen)


async def test_a_volunteer_cannot_open_it(line):
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        names = [c[0] for c in WarmlineCommands(app.screen)._commands()]
        assert "Line settings" not in names
        app.action_go("line_settings")
        await settle(pilot)
        assert not isinstance(app.screen, LineSettingsScreen)
        assert not app.is_screen_installed("line_settings")
