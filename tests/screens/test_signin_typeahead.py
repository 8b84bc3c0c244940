"""Sign-in type-ahead: handle, Enter, passphrase and Enter arriving in one burst (a paste, a
password manager, a laggy link) never put the passphrase in the visible handle box.

The keys are posted to the app all at once, with no pause between them, as a terminal driver
does when it reads a burst from stdin: Textual hands each key to the widget focused when the
app reads it, which is where the passphrase used to land in the handle box.
"""

from __future__ import annotations

import pytest
from rota_file import PASS, make_rota, settle, text_of
from textual import events
from textual.widgets import Input, Static

from warmline.screens.app import make_app
from warmline.screens.home import HomeScreen
from warmline.screens.signin import SignInScreen

TRIES = 10


@pytest.fixture
def line(tmp_path, monkeypatch):
    """Test Line at Monday 2026-11-23 08:00 New York, with coord, ana and ben."""
    return make_rota(tmp_path, monkeypatch)


def key(ch: str) -> events.Key:
    """The Key event a terminal driver posts for a typed character."""
    if ch == "\r":
        return events.Key("enter", "\r")
    if ch == " ":
        return events.Key("space", " ")
    return events.Key(ch, ch)


def burst(app, text: str) -> None:
    """Every key of `text` posted to the app at once, as the driver does with a burst read from stdin."""
    for ch in text:
        app.post_message(key(ch))


def visible_text(screen) -> str:
    """What the sign-in screen shows: every Static/Label and every non-password Input's value."""
    shown = [text_of(w) for w in screen.query(Static)]  # labels and the message included
    shown += [w.value for w in screen.query(Input) if not w.password]
    return "\n".join(map(str, shown))


async def watch_burst(pilot, text: str, secret: str) -> list[str]:
    """Post the burst, then read the screen on every step until the app is idle; what was seen."""
    app = pilot.app
    burst(app, text)
    seen: list[str] = []
    for _ in range(40):
        await pilot.pause()
        if isinstance(app.screen, SignInScreen):
            seen.append(visible_text(app.screen))
    await settle(pilot)
    assert secret not in app.export_screenshot()  # the whole screen as drawn, header and toasts included
    return seen


@pytest.mark.slow
async def test_a_burst_sign_in_never_shows_the_passphrase_and_signs_in(line):
    for attempt in range(TRIES):
        app = make_app(line.path, actor=None)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, SignInScreen)
            seen = await watch_burst(pilot, f"ana\r{PASS}\r", PASS)
            assert not [s for s in seen if PASS in s or "horse" in s], f"try {attempt}: the passphrase was shown"
            assert isinstance(app.screen, HomeScreen), f"try {attempt}: not signed in"
            assert app.actor is not None and app.actor.handle == "ana"
    assert len(line.audit("signin")) == TRIES


@pytest.mark.slow
async def test_a_burst_with_a_wrong_passphrase_keeps_it_hidden_and_says_so(line):
    app = make_app(line.path, actor=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        seen = await watch_burst(pilot, "ana\rnot the passphrase\r", "not the passphrase")
        assert not [s for s in seen if "not the passphrase" in s]
        screen = app.screen
        assert isinstance(screen, SignInScreen)
        assert screen.query_one("#handle", Input).value == "ana"
        assert "wrong passphrase" in text_of(screen.query_one("#signin-message"))
        # Typed again in one burst, straight into the passphrase box that has the focus now.
        await watch_burst(pilot, f"{PASS}\r", PASS)
        assert isinstance(app.screen, HomeScreen)


@pytest.mark.slow
async def test_a_burst_typed_before_the_handle_box_has_the_focus_never_lands_in_it(line):
    """The keys arrive before any box has the focus (as when typed while the app starts)."""
    app = make_app(line.path, actor=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.set_focus(None)
        seen = await watch_burst(pilot, f"ana\r{PASS}\r", PASS)
        assert not [s for s in seen if PASS in s or "horse" in s]
        if isinstance(app.screen, SignInScreen):  # the handle was lost before a box had the focus: asked for
            assert app.screen.query_one("#handle", Input).value in ("", "ana")
            assert PASS not in visible_text(app.screen)


@pytest.mark.slow
async def test_tab_and_enter_still_work_one_key_at_a_time(line):
    app = make_app(line.path, actor=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press(*"ana", "enter")
        assert screen.focused is screen.query_one("#passphrase")
        await pilot.press("shift+tab")  # back to fix the handle
        assert screen.focused is screen.query_one("#handle")
        await pilot.press("end", "backspace", "enter", *PASS, "enter")
        await settle(pilot)
        assert app.screen is screen and app.actor is None  # 'an' is nobody's handle
        assert screen.query_one("#handle", Input).value == "an"
        assert PASS not in visible_text(screen)


@pytest.mark.slow
async def test_a_password_manager_burst_with_tab_never_shows_the_passphrase(line):
    """handle, Tab, passphrase, Enter (a password manager's auto-type), all at once."""
    for attempt in range(3):
        app = make_app(line.path, actor=None)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            burst_keys = [key(ch) for ch in "ana"] + [events.Key("tab", "\t")]
            burst_keys += [key(ch) for ch in PASS + "\r"]
            for event in burst_keys:
                app.post_message(event)
            seen = []
            for _ in range(40):
                await pilot.pause()
                if isinstance(app.screen, SignInScreen):
                    seen.append(visible_text(app.screen))
            await settle(pilot)
            assert not [s for s in seen if PASS in s or "horse" in s], f"try {attempt}: the passphrase was shown"
            assert isinstance(app.screen, HomeScreen), f"try {attempt}: not signed in"


@pytest.mark.fast_tier_sample(3)
@pytest.mark.parametrize("separator", ["\t", "\n", "\r\n"])
async def test_a_paste_of_handle_and_passphrase_keeps_the_passphrase_hidden(line, separator):
    app = make_app(line.path, actor=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.query_one("#handle").post_message(events.Paste(f"ana{separator}{PASS}{separator}"))
        await settle(pilot)
        assert screen.query_one("#handle", Input).value == "ana"
        assert screen.query_one("#passphrase", Input).value == PASS
        assert screen.focused is screen.query_one("#passphrase")
        assert PASS not in visible_text(screen) and PASS not in app.export_screenshot()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
