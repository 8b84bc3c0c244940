"""Issue 15, swaps with notice on Home: the person asked sees "Swaps for you" and answers with a key
(a accepts after asking, x declines), the proposer withdraws with w, and both sides' Home follows.
c stays on Open seats only. Each checked in the database and in the outbox."""

from __future__ import annotations

import pytest
from rota_file import at, make_rota, settle, text_of, until

from warmline import swaps
from warmline.screens.app import make_app
from warmline.screens.confirm import ConfirmDialog
from warmline.views.swap import home_caption, swaps_for_home


@pytest.fixture
def line(tmp_path, monkeypatch):
    """Test Line at Monday 2026-11-23 08:00 New York; ana on Mon 30 Nov, ben on Tue 1 Dec; ana asks ben to swap."""
    made = make_rota(tmp_path, monkeypatch)
    made.mine = made.shift(at(30, 17), at(30, 19), on=((made.ana, "peer"),))
    made.theirs = made.shift(at(1, 17, month=12), at(1, 19, month=12), on=((made.ben, "peer"),))
    made.open = made.shift(at(2, 17, month=12), at(2, 19, month=12))  # an open seat, for c
    with made.db() as db:
        made.swap = swaps.propose(db, made.ana, made.mine, made.theirs, "ben").id
    return made


def status(line) -> str:
    with line.db() as db:
        return swaps.get(db.conn, line.coord, line.swap).status


def told(line, kind: str) -> list[str]:
    with line.db() as db:
        return [
            r[0]
            for r in db.conn.execute(
                "SELECT p.handle FROM notification n JOIN person p ON p.id = n.person_id WHERE n.kind = ? ORDER BY n.id",
                (kind,),
            )
        ]


async def home_swaps(pilot):
    await settle(pilot)
    screen = pilot.app.screen
    assert await until(pilot, lambda: bool(screen.query("#home-swaps")) and screen.query_one("#home-swaps").row_count == 1)
    return screen, screen.query_one("#home-swaps")


def test_swaps_for_home_words_each_side(line):
    with line.db() as db:
        (ben,) = swaps_for_home(db, line.ben)
        (ana,) = swaps_for_home(db, line.ana)
        assert swaps_for_home(db, line.coord) == []  # a coordinator's Home lists only swaps they are in
    assert (ben.what, ben.give, ben.take) == ("ana asks you", "Tue 1 Dec 17:00–19:00", "Mon 30 Nov 17:00–19:00")
    assert ben.answer and not ben.withdraw
    assert (ana.what, ana.answer, ana.withdraw) == ("waiting for ben", False, True)
    assert ana.give == ben.take
    assert home_caption([ben]) == "Swaps for you · 1 to answer (a accept, x decline)"
    assert home_caption([ben, ana]) == "Swaps for you · 1 to answer (a accept, x decline) · w withdraws yours"


async def test_the_person_asked_sees_the_swap_on_home_and_accepts_it_after_asking(line):
    assert told(line, "swap") == ["ben"]  # the notice, once
    app = make_app(line.path, actor=line.ben)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, table = await home_swaps(pilot)
        assert table.has_focus  # a new swap offered to ben leads
        assert table.caption == "Swaps for you · 1 to answer (a accept, x decline)"
        assert "a" in screen.active_bindings and screen.active_bindings["a"].binding.action == "accept_swap"
        assert screen.active_bindings["x"].binding.action == "decline_swap"
        assert "c" not in screen.active_bindings  # c claims from Open seats only
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        await pilot.press("enter")  # opens on "Not now": enter does not accept
        await settle(pilot)
        assert status(line) == "proposed"
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert await until(pilot, lambda: status(line) == "done")
        assert f"Swap {line.swap} done: the shifts are swapped." in text_of(screen.query_one("#home-message"))
        assert await until(pilot, lambda: not screen.query_one("#home-swaps-panel").display)  # nothing left
    assert [a.handle for a in line.view(line.mine).peers] == ["ben"]
    assert told(line, "swap-decided") == ["ana"]


@pytest.mark.slow
async def test_the_person_asked_declines_with_x_and_c_still_claims_from_open_seats(line):
    app = make_app(line.path, actor=line.ben)
    async with app.run_test(size=(100, 30)) as pilot:
        screen, table = await home_swaps(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert await until(pilot, lambda: status(line) == "declined")
        assert "declined: ana is told" in text_of(screen.query_one("#home-message"))
        screen.query_one("#open-seats").focus()
        await settle(pilot)
        assert screen.active_bindings["c"].binding.action == "claim"
    assert told(line, "swap-decided") == ["ana"]
    assert [a.handle for a in line.view(line.mine).peers] == ["ana"]


@pytest.mark.slow
async def test_the_proposer_withdraws_from_home_and_the_other_side_follows(line):
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, table = await home_swaps(pilot)
        assert not table.has_focus  # nothing for ana to answer: the focus stays on her shifts
        assert "a" not in screen.active_bindings or screen.active_bindings["a"].binding.action != "accept_swap"
        table.focus()
        await settle(pilot)
        assert screen.active_bindings["w"].binding.action == "withdraw_swap"
        await pilot.press("w")
        await settle(pilot)
        assert await until(pilot, lambda: status(line) == "withdrawn")
        assert "withdrawn: ben is told" in text_of(screen.query_one("#home-message"))
    assert told(line, "swap-decided") == ["ben"]
    with line.db() as db:
        assert swaps_for_home(db, line.ben) == []  # ben's Home no longer lists it


@pytest.mark.slow
async def test_the_proposers_home_follows_when_the_other_side_declines(line):
    """ana's Home is open while ben declines elsewhere (the CLI, another app): her row goes by itself."""
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, table = await home_swaps(pilot)
        with line.db() as db:
            swaps.decline(db, line.ben, line.swap)
        assert await until(pilot, lambda: not screen.query_one("#home-swaps-panel").display, seconds=5.0)
        assert screen.swaps == []
    assert told(line, "swap-decided") == ["ana"]


@pytest.mark.slow
async def test_enter_on_a_swap_opens_swaps_on_that_swap(line):
    from warmline.screens.swap import SwapsScreen

    other = line.shift(at(29, 17), at(29, 19), on=((line.ana, "peer"),))
    with line.db() as db:
        newer = swaps.propose(db, line.ana, other, line.theirs, "ben").id
    app = make_app(line.path, actor=line.ben)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        assert await until(pilot, lambda: bool(screen.query("#home-swaps")) and screen.query_one("#home-swaps").row_count == 2)
        table = screen.query_one("#home-swaps")
        assert table.has_focus and table.cursor_key == f"swap-{line.swap}"  # the older first
        await pilot.press("enter")
        await settle(pilot)
        swaps_screen = app.screen
        assert isinstance(swaps_screen, SwapsScreen)
        assert await until(pilot, lambda: swaps_screen.current() is not None and swaps_screen.current().id == line.swap)
        assert newer != line.swap  # Swaps lists the newer first: the cursor moved to the one chosen on Home
