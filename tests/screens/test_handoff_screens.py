"""Handoff notes and notifications in the app: writing a note in the last 30 minutes of a shift,
refusals shown in place, reading and acknowledging on Home, overdue notes for coordinators, and
the open app delivering its user's notifications (toasts; the desktop through the same channel).

The rota (Monday 23 Nov 2026, New York), built with the core at 08:00; each test then moves the
clock (WARMLINE_NOW) into the last 30 minutes of A:

    A  09:00–13:00   ana (peer)        ← the note is written here
    B  13:00–17:00   ben (peer)        ← the next shift: ben reads and acknowledges
    coord is on neither shift.
"""

from __future__ import annotations

import os
import subprocess
import time

import pytest
from rota_file import at, make_rota, settle, text_of, until
from textual.widgets import TextArea
from textual.widgets._toast import Toast

from warmline.screens.app import make_app
from warmline.screens.handoff import HandoffDialog, NoteDialog
from warmline.screens.home import HomeScreen
from warmline import handoff, rota
from warmline.notify import outbox

PHONE = "Caller asked to be rung back on 555-123-4567"
EMAIL = "She said to write to sam at example dot com"
NOTE = "Quiet evening. Two regular callers; the chat queue was slow."


@pytest.fixture
def line(tmp_path, monkeypatch, access_clock_follows_warmline_now):
    """Test Line at Monday 08:00 with shifts A (ana) and B (ben)."""
    made = make_rota(tmp_path, monkeypatch)
    made.a = made.shift(at(23, 9), at(23, 13), seats=1, backup=0, on=((made.ana, "peer"),))
    made.b = made.shift(at(23, 13), at(23, 17), seats=1, backup=0, on=((made.ben, "peer"),))
    for name in ("WARMLINE_NOTIFY_CHANNEL",):
        monkeypatch.delenv(name, raising=False)
    return made


def set_now(monkeypatch, moment) -> None:
    monkeypatch.setenv("WARMLINE_NOW", moment.isoformat())


def rows(line, sql: str, *args) -> list[tuple]:
    with line.db() as db:
        return [tuple(r) for r in db.conn.execute(sql, args)]


def write(line, text: str = NOTE) -> int:
    with line.db() as db:
        return handoff.write_note(db, line.ana, line.a, text).id


def toasts(app) -> list[str]:
    """The toasts on screen (the test must run the app with notifications=True: run_test's default is off)."""
    return [text_of(t) for t in app.screen.query(Toast)]


async def open_dialog(pilot) -> HandoffDialog:
    await pilot.press("w")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, HandoffDialog)
    return dialog


# ---------------------------------------------------------------- writing


@pytest.mark.slow
async def test_the_note_is_offered_only_in_the_last_30_minutes_and_sends(line, monkeypatch):
    set_now(monkeypatch, at(23, 12, 20))  # 40 minutes left of A
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert not home.query_one("#next-shift").offer
        assert "w" not in home.active_bindings
        await pilot.press("w")
        await settle(pilot)
        assert app.screen is home

        set_now(monkeypatch, at(23, 12, 45))  # 15 minutes left
        home.reload()
        await settle(pilot)
        offer = home.query_one("#next-shift").offer
        assert "ends in 15 m 00 s" in offer and "(w)" in offer and offer in text_of(home.query_one("#next-shift"))
        assert "w" in home.active_bindings

        dialog = await open_dialog(pilot)
        assert "ben" in text_of(dialog.query_one("#handoff-for"))  # who will read it
        await pilot.press(*"Quiet night")
        assert "✓" in text_of(dialog.query_one("#handoff-message"))
        dialog.query_one(TextArea).insert(". Two regular callers; the chat queue was slow.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is home
        stored = rows(line, "SELECT shift_id, author_id, body FROM handoff_note")
        assert stored == [(line.a, line.ana.id, "Quiet night. Two regular callers; the chat queue was slow.")]
        assert "sent to ben" in text_of(home.query_one("#home-message"))


@pytest.mark.slow
async def test_a_phone_number_or_email_is_refused_in_place_and_the_note_kept(line, monkeypatch):
    set_now(monkeypatch, at(23, 12, 45))
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        dialog = await open_dialog(pilot)
        area = dialog.query_one(TextArea)
        area.insert(PHONE)
        await pilot.pause()
        message = dialog.query_one("#handoff-message")
        assert "phone number" in text_of(message)  # live, before sending
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog and area.text == PHONE
        assert "phone number" in text_of(message) and "555" not in text_of(message)  # never repeats it
        assert rows(line, "SELECT count(*) FROM handoff_note") == [(0,)]

        area.clear()
        area.insert(EMAIL)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog and area.text == EMAIL
        assert "e-mail address" in text_of(message) and "example" not in text_of(message)
        assert rows(line, "SELECT count(*) FROM handoff_note") == [(0,)]

        # A refusal from the core itself (ana taken off A meanwhile) also shows here, note kept.
        area.clear()
        area.insert(NOTE)
        with line.db() as other:
            rota.unassign(other, line.coord, line.a, "ana")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog and area.text == NOTE
        assert "Not sent" in text_of(message) and "not on shift" in text_of(message)
        assert rows(line, "SELECT count(*) FROM handoff_note") == [(0,)]

        # Escape with a note typed asks first.
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is dialog and area.text == NOTE


# ---------------------------------------------------------------- reading


async def test_the_next_shift_sees_the_note_on_home_and_acknowledges_it(line, monkeypatch):
    set_now(monkeypatch, at(23, 12, 45))
    note_id = write(line)
    set_now(monkeypatch, at(23, 12, 55))
    app = make_app(line.path, actor=line.ben)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        footer = home.query_one("KeysFooter")
        keys = {key: end for key, _, end in footer.spans}
        assert "a" in keys and max(keys.values()) <= 80, keys  # fits at 80 columns
        panel = home.query_one("#handoff-panel")
        table = home.query_one("#handoff-notes")
        assert panel.display and table.keys == [f"note-{note_id}"]
        assert "Ana R." in str(table.get_row(table.keys[0])[0])
        assert NOTE in text_of(home.query_one("#handoff-preview"))
        assert table.has_focus, app.focused  # the note is the first thing to read

        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        assert NOTE in text_of(app.screen.query_one("#note-body"))
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is home and rows(line, "SELECT count(*) FROM handoff_ack") == [(0,)]

        await pilot.press("a")
        await settle(pilot)
        assert rows(line, "SELECT note_id, person_id FROM handoff_ack") == [(note_id, line.ben.id)]
        assert not panel.display and "Acknowledged" in text_of(home.query_one("#home-message"))


@pytest.mark.slow
async def test_a_coordinator_sees_a_note_unacknowledged_15_minutes_after_the_change(line, monkeypatch):
    set_now(monkeypatch, at(23, 12, 45))
    note_id = write(line)
    set_now(monkeypatch, at(23, 13, 10))  # 10 minutes after the change: not yet overdue
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await settle(pilot)  # the inbox is read after Home's first frame
        home = app.screen
        assert not home.query("#handoff-panel")  # no note to show: no panel (it is mounted when one appears)
        assert not [k for k in home.query_one("#inbox").keys if k.startswith("note")]

        set_now(monkeypatch, at(23, 13, 20))
        home.reload()
        await settle(pilot)
        inbox = home.query_one("#inbox")
        assert [k for k in inbox.keys if k.startswith("note")] == [f"note-{note_id}"]
        assert "not yet read by ben" in str(inbox.get_row(f"note-{note_id}")[2])
        assert not home.query("#handoff-panel")  # once: the inbox's row, not also Home's handoff notes
        assert "a" not in home.active_bindings  # only ben acknowledges it

        with line.db() as other:
            handoff.ack(other, line.ben, note_id)
        assert await until(pilot, lambda: f"note-{note_id}" not in inbox.keys, seconds=3.0)


# ---------------------------------------------------------------- notifications in the open app


def move_a(line) -> None:
    """A coordinator moves A from another connection: ana gets a 'changed' notification."""
    with line.db() as other:
        rota.edit_shift(other, line.coord, line.a, end=at(23, 13, 30))


def changed_row(line) -> tuple:
    (found,) = rows(
        line,
        "SELECT state, channel, last_error, shown_in_app_at FROM notification WHERE kind = 'changed'"
        " AND person_id = ?",
        line.ana.id,
    )
    return found


@pytest.mark.slow
async def test_a_notification_from_another_connection_shows_as_a_toast(line, monkeypatch):
    set_now(monkeypatch, at(23, 10))  # nothing due for ana now
    with line.db() as db:
        outbox.set_prefs(db, line.ana, channels=("app",))
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        assert not toasts(app)
        move_a(line)
        assert await until(pilot, lambda: any("Shift changed" in t for t in toasts(app)), seconds=4.0)
        assert any("Now Mon 23 Nov 09:00–13:30" in t for t in toasts(app))
        assert await until(pilot, lambda: changed_row(line)[3] is not None, seconds=2.0)
        state, channel, _error, _shown = changed_row(line)
        assert (state, channel) == ("sent", "app")
        # Shown once: later deliveries do not toast it again.
        app.deliver_notifications()
        await settle(pilot)
        assert sum("Shift changed" in t for t in toasts(app)) == 1


@pytest.mark.slow
async def test_without_a_desktop_the_app_keeps_going_and_shows_the_toast(line, monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    set_now(monkeypatch, at(23, 10))
    app = make_app(line.path, actor=line.ana)  # default channels: desktop and app
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        move_a(line)
        assert await until(pilot, lambda: any("Shift changed" in t for t in toasts(app)), seconds=4.0)
        assert await until(pilot, lambda: changed_row(line)[3] is not None, seconds=2.0)
        state, _channel, error, _shown = changed_row(line)
        assert state == "failed" and error.startswith("desktop unavailable: no D-Bus session")
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


# ---------------------------------------------------------------- a real desktop


@pytest.fixture
def desktop(tmp_path, monkeypatch):
    """A private D-Bus session with dunst on a private Xvfb display; the test process uses that bus."""
    from conftest import require_tool

    for tool in ("dbus-daemon", "Xvfb", "dunst", "dunstctl", "dbus-send", "notify-send"):
        require_tool(tool)
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "XDG_"))}
    env.pop("WAYLAND_DISPLAY", None)
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local"))
    started: list[subprocess.Popen] = []
    try:
        bus = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE, text=True, env=env, stdin=subprocess.DEVNULL,
        )
        started.append(bus)
        address = bus.stdout.readline().strip()
        xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", "1", "-nolisten", "tcp", "-screen", "0", "640x480x24"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, stdin=subprocess.DEVNULL,
        )
        started.append(xvfb)
        display = ":" + xvfb.stdout.readline().strip()
        env.update(DBUS_SESSION_BUS_ADDRESS=address, DISPLAY=display)
        dunst = subprocess.Popen(
            ["dunst"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
        )
        started.append(dunst)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            owner = subprocess.run(
                ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                 "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.Notifications"],
                env=env, capture_output=True, text=True, timeout=5,
            )
            if "true" in owner.stdout:
                break
            time.sleep(0.1)
        else:
            pytest.fail("dunst never owned org.freedesktop.Notifications")
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield env
    finally:
        for process in reversed(started):
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()


def shown_on_desktop(env) -> list[str]:
    import json

    done = subprocess.run(["dunstctl", "history"], env=env, capture_output=True, text=True, timeout=10)
    data = json.loads(done.stdout or '{"data": []}')
    return [entry["summary"]["data"] for group in data["data"] for entry in group]



@pytest.mark.slow
async def test_the_open_app_delivers_to_a_real_desktop_like_the_daemon(line, monkeypatch, desktop):
    set_now(monkeypatch, at(23, 10))
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        move_a(line)
        assert await until(pilot, lambda: any("Shift changed" in t for t in toasts(app)), seconds=4.0)
        assert await until(pilot, lambda: changed_row(line)[3] is not None, seconds=2.0)
        state, channel, _error, _shown = changed_row(line)
        assert (state, channel) == ("sent", "desktop")

    def on_desktop() -> bool:
        subprocess.run(["dunstctl", "close-all"], env=desktop, capture_output=True, timeout=10)
        return any(s.startswith("Shift changed") for s in shown_on_desktop(desktop))

    deadline = time.monotonic() + 5
    while not on_desktop() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert on_desktop(), shown_on_desktop(desktop)
