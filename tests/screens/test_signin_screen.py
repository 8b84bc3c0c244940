"""Sign-in: the right passphrase opens Home; a wrong one is said in place; five lock the handle."""

from __future__ import annotations

import pytest
from rota_file import PASS, make_rota, settle, text_of

from warmline.screens.app import make_app
from warmline.screens.home import HomeScreen
from warmline.screens.signin import SignInScreen


@pytest.fixture
def line(tmp_path, monkeypatch):
    """Test Line at Monday 2026-11-23 08:00 New York, with coord, ana and ben."""
    return make_rota(tmp_path, monkeypatch)


async def sign_in(pilot, handle: str, secret: str) -> None:
    screen = pilot.app.screen
    screen.query_one("#handle").value = handle
    screen.query_one("#passphrase").value = secret
    screen.query_one("#passphrase").focus()
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.slow
async def test_the_right_passphrase_opens_home(line):
    app = make_app(line.path, actor=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)  # interactive before any data arrives
        await settle(pilot)
        # Typed for real: handle, enter moves to the passphrase, enter signs in.
        await pilot.press(*"ana", "enter", *PASS, "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.actor is not None and app.actor.handle == "ana"
        assert "ana · volunteer" in app.screen.query_one("LineHeader").who_text
    assert line.audit("signin")[0].actor == "ana"


async def test_a_wrong_passphrase_is_said_in_place(line):
    app = make_app(line.path, actor=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await sign_in(pilot, "ana", "not the passphrase")
        assert isinstance(app.screen, SignInScreen)
        message = text_of(app.screen.query_one("#signin-message"))
        assert "wrong passphrase" in message
        assert app.screen.query_one("#passphrase").value == ""  # cleared for the next try
        assert app.actor is None
        # Keys for other screens do nothing before signing in.
        await pilot.press("r")
        assert isinstance(app.screen, SignInScreen)
    assert [e.detail for e in line.audit("signin.failed")] == ["wrong passphrase"]


@pytest.mark.slow
async def test_five_wrong_passphrases_lock_the_handle(line):
    app = make_app(line.path, actor=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for _ in range(5):
            await sign_in(pilot, "ben", "wrong wrong wrong")
        message = text_of(app.screen.query_one("#signin-message"))
        assert "locked for 30 s" in message
        # Now even the right passphrase is refused, in the same words as any failure (they do not
        # tell whether the handle exists, so neither whether it is locked).
        await sign_in(pilot, "ben", PASS)
        assert isinstance(app.screen, SignInScreen)
        assert text_of(app.screen.query_one("#signin-message")) == message
    assert len(line.audit("signin.failed")) == 5
    # The attempt while locked is counted; the lock window's one audit row comes when it is over.
    assert len(line.audit("signin.locked")) == 0
