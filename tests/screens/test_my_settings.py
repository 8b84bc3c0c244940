"""Pilot tests for My settings (issue 15): a volunteer adds and removes availability windows and time
off and changes their notification channels, lead times and quiet hours in the app; each change lands
in the database and shows; bad input is refused with the message and changes nothing; esc with unsaved
notification changes asks; a coordinator edits their own; the screen and its dialogs fit 80x24 under
the crisis banner; Profile's `s` and the palette open it."""

from __future__ import annotations

from datetime import date, time

import pytest
from rota_file import at, make_rota, settle, text_of, until

from warmline.screens.app import WarmlineCommands, make_app
from warmline.screens.confirm import ConfirmDialog, DiscardDialog
from warmline.screens.my_settings import MySettingsScreen, TimeOffDialog, WindowDialog
from warmline.screens.plain import Input
from warmline.screens.table import KeyTable
from warmline.screens.widgets import KeysFooter, LineHeader


@pytest.fixture
def line(tmp_path, monkeypatch):
    return make_rota(tmp_path, monkeypatch)


def stored(line, handle: str = "ana"):
    """(available windows, preferred windows, time off, prefs) as the core reads them."""
    from warmline import availability, people
    from warmline.notify.prefs import get_prefs

    with line.db() as db:
        person = people.get(db.conn, handle)
        a = availability.of(db.conn, person)
        return (
            [(w.weekday, w.start, w.end) for w in a.available],
            [(w.weekday, w.start, w.end) for w in a.preferred],
            [(t.first_day, t.last_day) for t in a.time_off],
            get_prefs(db.conn, person.id),
        )


async def open_settings(app, pilot) -> MySettingsScreen:
    await settle(pilot)
    app.action_go("my_settings")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, MySettingsScreen)
    assert await until(pilot, lambda: screen.loaded is not None)
    return screen


def said(screen, where: str) -> str:
    return text_of(screen.query_one(where))


async def add_window(app, pilot, screen, days: tuple[str, ...], start: str, end: str, *, preferred: bool = False):
    await pilot.press("a")
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, WindowDialog)
    for code in days:
        dialog.query_one(f"#wd-{code}").value = True
    dialog.query_one("#wd-start", Input).value = start
    dialog.query_one("#wd-end", Input).value = end
    dialog.query_one("#wd-preferred").value = preferred
    await pilot.press("ctrl+s")
    await settle(pilot)
    return dialog


async def test_a_volunteer_adds_and_removes_windows_and_each_lands_and_shows(line):
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_settings(app, pilot)
        assert said(screen, "#ms-avail-summary") == "Now: available any time."
        await add_window(app, pilot, screen, ("MO", "WE"), "17:00", "21:00")
        assert app.screen is screen
        assert stored(line)[0] == [(0, time(17), time(21)), (2, time(17), time(21))]
        table = screen.query_one("#ms-windows", KeyTable)
        assert await until(pilot, lambda: table.row_count == 2)
        assert table.get_row_at(0)[:3] == ["Mon", "17:00", "21:00"]
        assert said(screen, "#ms-avail-message") == "✓ Saved. You are available Mon 17:00–21:00, Wed 17:00–21:00."
        await add_window(app, pilot, screen, ("SA",), "10:00", "16:00", preferred=True)
        assert stored(line)[1] == [(5, time(10), time(16))]
        assert await until(pilot, lambda: table.row_count == 3)
        # x on the first window asks (opening on Keep it); y removes it
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # the safe answer: nothing removed
        await settle(pilot)
        assert len(stored(line)[0]) == 2
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert stored(line)[0] == [(2, time(17), time(21))]
        assert stored(line)[1] == [(5, time(10), time(16))]  # the preferred window is untouched
        assert await until(pilot, lambda: table.row_count == 2)
        assert said(screen, "#ms-avail-message").startswith("✓ Removed Mon 17:00–21:00")
        # the last available window: the question says what none means
        table.move_cursor(row=0)
        await pilot.press("x")
        await settle(pilot)
        assert "available at any time" in text_of(app.screen.query_one(".dialog-body"))
        await pilot.press("y")
        await settle(pilot)
        assert stored(line)[0] == []
        assert await until(pilot, lambda: said(screen, "#ms-avail-summary") == "Now: available any time. Preferred: Sat 10:00–16:00.")
        assert said(screen, "#ms-avail-message").endswith("No available windows means available at any time.")
    assert len(line.audit("availability.set")) == 3  # two added, one removed (the rest kept)
    assert len(line.audit("availability.clear")) == 1


@pytest.mark.fast_tier_sample(2)
@pytest.mark.parametrize(
    ("days", "start", "end", "says"),
    [
        ((), "17:00", "21:00", "tick at least one day"),
        (("MO",), "25:00", "21:00", "is not a time range"),
        (("MO",), "17:00", "", "give the window's from and to times"),
        (("MO",), "5pm", "9pm", "is not a time range"),
    ],
)
async def test_a_bad_window_is_refused_in_the_dialog_and_nothing_changes(line, days, start, end, says):
    before = stored(line)
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_settings(app, pilot)
        dialog = await add_window(app, pilot, screen, days, start, end)
        assert app.screen is dialog  # kept open, as typed, to be fixed
        message = text_of(dialog.query_one("#wd-message"))
        assert message.startswith("✗ Not added:") and says in message
        assert dialog.query_one("#wd-start", Input).value == start
    assert stored(line) == before
    assert line.audit("availability.set") == []


@pytest.mark.slow
async def test_a_window_already_there_is_refused_by_the_core_in_place(line):
    from warmline import availability

    with line.db() as db:
        availability.set_windows(db, line.ana, None, availability.parse_windows(["MO", "17:00-21:00"]))
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_settings(app, pilot)
        dialog = await add_window(app, pilot, screen, ("MO",), "17:00", "21:00")
        assert app.screen is dialog
        assert "you already have Mon 17:00–21:00 as available" in text_of(dialog.query_one("#wd-message"))
    assert len(line.audit("availability.set")) == 1  # only the setup's


async def test_narrowing_windows_lists_the_shift_still_held(line):
    shift = line.shift(at(24, 9), at(24, 13), on=((line.ana, "peer"),))  # Tuesday morning
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_settings(app, pilot)
        await add_window(app, pilot, screen, ("MO",), "17:00", "21:00")
        message = said(screen, "#ms-avail-message")
        assert f"(shift {shift})" in message and "Tue 24 Nov 09:00–13:00" in message
        assert "You are still on 1 shift your availability now rules out" in message
        assert "drop them on Home" in message and "warmline" not in message
    assert line.view(shift).peers[0].handle == "ana"  # still on it: the change only says so


async def test_time_off_is_added_and_removed_and_bad_days_are_refused(line):
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_settings(app, pilot)
        for first, last, says in (
            ("2026-12-24x", "", "is not a date: use YYYY-MM-DD"),
            ("2026-12-26", "2026-12-24", "is before the first"),
            ("2026-11-01", "", "is in the past"),  # the core's refusal, in place
        ):
            await pilot.press("t")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, TimeOffDialog)
            dialog.query_one("#to-first", Input).value = first
            dialog.query_one("#to-last", Input).value = last
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen is dialog
            message = text_of(dialog.query_one("#to-message"))
            assert message.startswith("✗ Not added:") and says in message, message
            dialog.query_one("#to-first", Input).value = ""
            dialog.query_one("#to-last", Input).value = ""
            await pilot.press("escape")  # emptied again: nothing to discard, closes at once
            await settle(pilot)
            assert app.screen is screen
        assert stored(line)[2] == []
        await pilot.press("t")
        await settle(pilot)
        app.screen.query_one("#to-first", Input).value = "2026-12-24"
        app.screen.query_one("#to-last", Input).value = "2026-12-26"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert stored(line)[2] == [(date(2026, 12, 24), date(2026, 12, 26))]
        assert "✓ Added time off from Thu 24 Dec to Sat 26 Dec 2026" in said(screen, "#ms-off-message")
        table = screen.query_one("#ms-time-off", KeyTable)
        assert await until(pilot, lambda: table.row_count == 1)
        assert table.get_row_at(0)[2] == "3 days"
        table.focus()
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert stored(line)[2] == []
        assert await until(pilot, lambda: table.row_count == 0)
    assert len(line.audit("timeoff.add")) == 1 and len(line.audit("timeoff.remove")) == 1


async def test_notification_settings_are_saved_and_shown(line):
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_settings(app, pilot)
        assert screen.query_one("#ms-leads", Input).value == "60,15"
        assert screen.query_one("#ms-ch-desktop").value and not screen.query_one("#ms-ch-terminal").value
        screen.query_one("#ms-ch-desktop").value = False
        screen.query_one("#ms-ch-terminal").value = True
        screen.query_one("#ms-leads", Input).value = "1440,60"
        screen.query_one("#ms-quiet", Input).value = "22:00-07:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        prefs = stored(line)[3]
        assert (prefs.channels, prefs.leads, prefs.quiet) == (("terminal", "app"), (1440, 60), ("22:00", "07:00"))
        assert said(screen, "#ms-notify-message").startswith("✓ Saved.")
        assert "reminders 24 h and 1 h before a shift" in said(screen, "#ms-notify-summary")
        assert not screen.unsaved
        # 0 alone means no reminders; an empty quiet box means none
        screen.query_one("#ms-leads", Input).value = "0"
        screen.query_one("#ms-quiet", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        prefs = stored(line)[3]
        assert (prefs.leads, prefs.quiet) == ((), None)
        assert screen.query_one("#ms-leads", Input).value == "none"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert said(screen, "#ms-notify-message").startswith("Nothing to save")
    assert len(line.audit("notify.settings")) == 2


@pytest.mark.fast_tier_sample(3)
@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("#ms-leads", "0,15", "lead time 0 in a list"),
        ("#ms-leads", "2000", "is not a number of minutes from 1 to 1440"),
        ("#ms-leads", "soon", "give e.g. 60,15"),
        ("#ms-quiet", "22:00", "are not HH:MM-HH:MM: give e.g. 22:00-07:00"),
        ("#ms-quiet", "22:00-22:00", "leave the box empty for none"),
        ("#ms-ch-desktop", False, "tick at least one channel"),
    ],
)
async def test_bad_notification_settings_are_refused_and_nothing_changes(line, field, value, says):
    before = stored(line)
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_settings(app, pilot)
        screen.query_one("#ms-ch-terminal").value = True  # a good change beside the bad one is not kept either
        if field == "#ms-ch-desktop":
            for channel in ("desktop", "terminal", "app"):
                screen.query_one(f"#ms-ch-{channel}").value = False
        screen.query_one(field).value = value
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = said(screen, "#ms-notify-message")
        assert message.startswith("✗ Not saved:") and says in message, message
        assert "--" not in message  # no CLI options in the app
        assert screen.query_one(field).value == value  # kept as typed
    assert stored(line) == before
    assert line.audit("notify.settings") == []


async def test_esc_with_unsaved_notification_changes_asks(line):
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_settings(app, pilot)
        screen.query_one("#ms-quiet", Input).value = "23:00-06:00"
        screen.query_one("#ms-windows").focus()
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
        await pilot.press("enter")  # Keep editing
        await settle(pilot)
        assert app.screen is screen and screen.query_one("#ms-quiet", Input).value == "23:00-06:00"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is app.get_screen("home")
    assert stored(line)[3].quiet is None


@pytest.mark.slow
async def test_esc_on_a_filled_window_form_asks_first(line):
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_settings(app, pilot)
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        dialog.query_one("#wd-start", Input).value = "17:00"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog and dialog.query_one("#wd-start", Input).value == "17:00"


@pytest.mark.slow
async def test_a_coordinator_edits_their_own(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_settings(app, pilot)
        assert "(coord)" in said(screen, "#ms-title")
        await add_window(app, pilot, screen, ("TU",), "09:00", "13:00")
    assert stored(line, "coord")[0] == [(1, time(9), time(13))]
    assert stored(line, "ana")[0] == []


async def test_profile_s_and_the_palette_open_it_for_a_volunteer(line):
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        names = [c[0] for c in WarmlineCommands(app.screen)._commands()]
        assert "My settings" in names
        app.action_go("profile")
        await settle(pilot)
        app.screen.query_one("#pr-tags").focus()
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, MySettingsScreen)


@pytest.mark.slow
async def test_what_a_change_says_is_in_sight_at_80x24(line):
    """Time off sits below the fold at 80x24: its message ("✓ Added time off …") is scrolled into sight."""
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(app, pilot)
        for day in ("MO", "TU", "WE", "TH"):  # a few windows push Time off down
            await add_window(app, pilot, screen, (day,), "07:00", "23:00")
        screen.query_one("#ms-windows").focus()
        screen.query_one("#ms-body").scroll_home(animate=False)
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        app.screen.query_one("#to-first", Input).value = "2026-12-24"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        assert app.screen is screen
        message = screen.query_one("#ms-off-message")
        assert "✓ Added time off" in said(screen, "#ms-off-message")
        body = screen.query_one("#ms-body")
        shown = message.region.intersection(body.region)
        assert shown.height >= 1, (message.region, body.region)


async def test_the_screen_and_its_dialogs_fit_80x24_under_the_banner(line):
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(app, pilot)
        escalation = screen.query_one(LineHeader).escalation_text
        assert escalation
        body = screen.query_one("#ms-body")
        assert body.region.y >= screen.query_one(LineHeader).region.bottom
        assert body.region.bottom <= screen.query_one(KeysFooter).region.y
        for key, kind in (("a", WindowDialog), ("t", TimeOffDialog)):
            screen.query_one("#ms-windows").focus()
            await pilot.press(key)
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, kind)
            header = dialog.query_one(LineHeader)
            assert header.escalation_text == escalation and header.region.y == 0
            box = dialog.query_one(".dialog")
            assert box.region.y >= header.region.bottom, kind.__name__
            assert box.region.bottom <= dialog.query_one(KeysFooter).region.y, kind.__name__
            assert box.region.right <= 80
            for button in dialog.query(".dialog-buttons Button"):
                assert button.region.bottom <= box.region.bottom and button.region.height > 0, kind.__name__
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is screen


@pytest.mark.fast_tier_sample(3)
@pytest.mark.parametrize("name", ["[@click=app.quit]Click[/]", "\x1b]0;pwned\x07Ana", "Rosa [/]"])
async def test_a_hostile_name_is_shown_as_text(line, name):
    from hostile import escaped_controls, plant

    plant(line.path, "UPDATE person SET name = ? WHERE handle = 'ana'", (name,))
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_settings(app, pilot)
        title = said(screen, "#ms-title")
        assert "(ana)" in title and escaped_controls(title) == []
        if "[" in name:
            assert name in title  # markup shown as typed, never acted on
        assert escaped_controls(app.export_screenshot()) == []
        assert app.is_running
