"""The app as a whole: help from the bindings, the palette, live refresh from another process, 80×24."""

from __future__ import annotations

import pytest
from rota_file import at, make_rota, settle, text_of, until

from warmline.screens.app import make_app
from warmline.screens.dialogs import ShiftDialog
from warmline.screens.shift_form import ShiftFormDialog
from warmline.screens.help import HelpDialog
from warmline.screens.home import HomeScreen
from warmline.screens.registry import BY_NAME, SCREENS
from warmline.screens.rota import RotaScreen
from warmline.screens.week import WeekGrid
from warmline import rota


@pytest.fixture
def line(tmp_path, monkeypatch):
    """Test Line at Monday 2026-11-23 08:00 New York, with coord, ana and ben."""
    return make_rota(tmp_path, monkeypatch)


@pytest.mark.slow
async def test_help_lists_the_keys_of_this_screen_and_the_app(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpDialog)
        table = app.screen.query_one("#help-keys")
        cells = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        rows = {(key, does) for _group, key, _id, does in cells}
        groups = [group for group, *_ in cells if group]
        assert groups == ["Shifts", "Moving around", "App"]  # each group once, on its first row
        assert not any("Screen" in cell or "Grid" in cell for row in cells for cell in row)  # no class names
        assert not any(key in ("↑", "↓", "←", "→") for key, _ in rows)  # the grid's own cursor keys are not listed
        for key, does in (
            ("[", "Previous week"),
            ("]", "Next week"),
            ("t", "Go to today"),
            ("n", "New shift or series"),
            ("q", "Quit"),
            ("h", "Home"),
            ("p", "People"),
            ("u", "Audit"),
            ("?", "Help"),
            ("⏎", "Open shift"),
            ("^p", "Open the command palette"),
        ):
            assert (key, does) in rows, (key, does)
        assert any(k == "^q" and d.startswith("Quit") for k, d in rows)
        assert ("r", "Rota") not in rows  # already here
        await pilot.press("escape")
        assert isinstance(app.screen, RotaScreen)


@pytest.mark.slow
async def test_command_palette_runs_app_actions(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"next week")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RotaScreen)
        assert text_of(app.screen.query_one("#week-title")).startswith("Mon 30 Nov")


@pytest.mark.slow
async def test_people_profile_and_audit_open_or_say_not_yet(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for key, name in (("p", "people"), ("u", "audit")):
            await pilot.press(key)
            await settle(pilot)
            opened = app.is_screen_installed(name) and app.screen is app.get_screen(name)
            said = any("not available yet" in str(n.message) for n in app._notifications)
            assert opened or said
            await pilot.press("h")
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen)


@pytest.mark.slow
async def test_another_process_writing_shows_up_within_two_seconds(line):
    first = line.shift(at(23, 9), at(23, 13))
    watched = line.shift(at(23, 13), at(23, 17))
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        grid = screen.query_one(WeekGrid)
        grid.select_shift(watched)
        await pilot.press("n")  # an open form, half filled in
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ShiftFormDialog)
        form.query_one("#note").value = "typed before the change"
        # Another process (here: another connection) claims a seat and adds an earlier shift.
        with line.db() as other:
            rota.claim(other, line.ana, watched)
            rota.add_shift(other, line.coord, start=at(23, 8, 30), end=at(23, 9))

        def shown() -> bool:
            return len(grid.days[0]) == 3 and "ana" in grid.block_text(0, 2)

        assert await until(pilot, shown, seconds=2.0)
        assert app.screen is form and form.query_one("#note").value == "typed before the change"
        assert grid.selected_view.shift.id == watched  # the cursor stayed on its shift
        assert first in [v.shift.id for v in grid.days[0]]


@pytest.mark.slow
async def test_home_refreshes_by_key_and_keeps_the_cursor(line):
    taken = line.shift(at(25, 9), at(25, 13), seats=1)
    kept = line.shift(at(26, 9), at(26, 13), seats=1)
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#open-seats")
        assert table.keys == [str(taken), str(kept)]
        table.focus()
        await pilot.press("down")
        with line.db() as other:
            rota.claim(other, line.ben, taken)
        assert await until(pilot, lambda: table.keys == [str(kept)], seconds=2.0)
        assert table.cursor_key == str(kept)


async def test_every_screen_works_at_80_by_24(line):
    sid = line.shift(at(23, 9), at(23, 13), on=((line.ana, "peer"),))
    line.shift(at(24, 22), at(25, 6), on=((line.ben, "peer"), (line.coord, "backup")))
    for actor in (line.coord, line.ana):
        app = make_app(line.path, actor=actor)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen)
            footer_fits(app)
            await pilot.press("r")
            await settle(pilot)
            footer_fits(app)
            assert len(app.screen.query_one(WeekGrid).days[0]) == 1
            header = app.screen.query_one("LineHeader")
            assert header.region.height <= 3 and "988" in text_of(header)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, ShiftDialog) and app.screen.shift_id == sid
            footer_fits(app)
            if actor.is_coordinator:
                await pilot.press("escape", "n")
                await settle(pilot)
                form = app.screen
                assert isinstance(form, ShiftFormDialog)
                assert form.query_one("#save").region.bottom <= 24
                await pilot.press("escape")
            else:
                await pilot.press("escape")
                # Volunteers get no coordinator keys: no new shift, no audit; p is their profile.
                keys = app.screen.active_bindings
                assert "n" not in keys and "u" not in keys
                assert keys["p"].binding.action == "go('profile')"
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpDialog)
            await pilot.press("escape")
            await settle(pilot)


def footer_fits(app) -> None:
    """Every key the footer shows is inside 80 columns."""
    footer = app.screen.query_one("KeysFooter")
    assert footer.keys and footer.region.width <= 80
    shown = {key for key, _, _ in footer.spans}
    assert all(key in shown for key, *_ in footer.keys), (footer.keys, footer.spans)  # none cut off
    assert max(end for _, _, end in footer.spans) <= 80, footer.spans


@pytest.mark.slow
@pytest.mark.parametrize("name", [entry.name for entry in SCREENS])
async def test_every_screens_footer_fits_80_columns(line, name):
    """Each screen of the registry at 80 columns, for a coordinator and (if they may open it) a volunteer: no key
    is cut off mid-word ("q Quit h▏"), and the keys that act here are all shown."""
    entry = BY_NAME[name]
    from warmline import people
    from warmline.people import PersonChanges

    db = line.db()
    for who in (line.coord, line.ana):  # a tag each: its keys (space, x) act, so they must be shown
        people.edit(db, who, who.handle, PersonChanges(offer=("grief",)))
    db.close()
    for actor in (line.coord, line.ana):
        if not entry.may_open(actor.is_coordinator):
            continue
        app = make_app(line.path, actor=actor)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.action_go(name)
            await settle(pilot)
            await settle(pilot)
            footer = app.screen.query_one("KeysFooter")
            shown = {key for key, _, _ in footer.spans}
            # What a person needs here is whole: the screen's keys that work now, ? (help lists the rest),
            # q and the palette; keys that switch screens or are greyed may be left out, whole.
            kept = [k for (k, *_), rank in zip(footer.keys, footer.ranks) if rank < 2]
            assert kept and all(key in shown for key in kept), (name, footer.keys, footer.spans)
            assert max(end for _, _, end in footer.spans) <= 80
