"""Issue 15, swaps and cover in the app: every party answers a swap with a key, a coordinator
refuses or approves, the proposer withdraws, and a late drop's cover request is taken back on
the shift itself. Each checked in the database; the read model for Home's "swaps waiting for you"."""

from __future__ import annotations

import pytest
from rota_file import at, make_rota, settle, text_of, until

from warmline import rota, swaps
from warmline.screens.app import make_app
from warmline.screens.dialogs import ShiftDialog
from warmline.screens.swap import SwapsScreen
from warmline.views.swap import swaps_waiting, waiting_text


@pytest.fixture
def line(tmp_path, monkeypatch):
    """Test Line at Monday 2026-11-23 08:00 New York, with coord, ana and ben (ben: at most 4 h a week)."""
    made = make_rota(tmp_path, monkeypatch)
    made.mine = made.shift(at(30, 17), at(30, 19), on=((made.ana, "peer"),))
    made.theirs = made.shift(at(1, 17, month=12), at(1, 19, month=12), on=((made.ben, "peer"),))
    with made.db() as db:
        made.swap = swaps.propose(db, made.ana, made.mine, made.theirs, "ben").id
    return made


def status(line) -> str:
    with line.db() as db:
        return swaps.get(db.conn, line.coord, line.swap).status


async def open_swaps(pilot) -> SwapsScreen:
    await settle(pilot)
    pilot.app.action_go("swaps")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SwapsScreen)
    assert await until(pilot, lambda: screen.query_one("#swaps-table").row_count == 1)
    return screen


def decision_keys(screen) -> set[str]:
    """The swap keys usable now (footer, help and palette read the same bindings; greyed ones left out)."""
    shown = screen.active_bindings
    return {key for key in "axwon" if key in shown and shown[key].enabled}


@pytest.mark.slow
async def test_each_person_is_offered_only_the_swap_keys_they_can_use(line):
    """Issue 15 (a new user's walk): every key showed for everyone, even on an empty list, and the
    rows named shift ids (#22) where a person reads times; at 80 columns 'Waiting for' was cut off."""
    for who, keys in ((line.ben, {"a", "x"}), (line.coord, {"n"}), (line.ana, {"w"})):
        app = make_app(line.path, actor=who)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_swaps(pilot)
            assert decision_keys(screen) == keys, who.handle
            table = screen.query_one("#swaps-table")
            shown = [str(cell) for cell in table.get_row(str(line.swap))]
            assert shown[1].startswith("you: " if who is line.ana else "ana: ") and "#" not in shown[1] + shown[2]
            assert table.virtual_size.width <= table.size.width  # every column whole at 80 columns
            if who is line.ana:
                await pilot.press("w")
                assert await until(pilot, lambda: screen.query_one("#swaps-table").row_count == 0)
                assert decision_keys(screen) == set()  # an empty list offers none (a, x, w greyed)
                assert {"a", "x", "w"} <= set(screen.active_bindings) and "o" not in screen.active_bindings
    assert status(line) == "withdrawn"


@pytest.mark.slow
async def test_the_swap_picker_names_times_and_people_not_shift_ids(line):
    """Issue 15 (a new user's walk): the picker read 'Swap Mon 30 Nov 17:00–19:00 #1 for…' and each
    choice '… #2  ben (peer)': shift ids where a person reads times."""
    from warmline.screens.swap import SwapDialog

    other = line.shift(at(2, 17, month=12), at(2, 19, month=12), on=((line.ben, "peer"),))
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dialog = SwapDialog(line.mine)
        app.push_screen(dialog)
        assert await until(pilot, lambda: bool(dialog.options))
        title = text_of(dialog.query_one("#swap-title"))
        labels = [str(option.prompt) for option in dialog.query_one("#swap-options").options]
        assert title.startswith("Swap Mon 30 Nov 17:00") and "#" not in title, title
        assert any("ben (peer)" in label for label in labels) and not any("#" in label for label in labels), labels
    assert other


@pytest.mark.slow
async def test_the_person_asked_declines_with_x(line):
    app = make_app(line.path, actor=line.ben)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_swaps(pilot)
        assert "n" not in screen.active_bindings and "o" not in screen.active_bindings  # coordinators' keys
        await pilot.press("x")
        await settle(pilot)
        assert f"Swap {line.swap} declined." in text_of(screen.query_one("#swaps-message"))
    assert status(line) == "declined"
    assert [a.handle for a in line.view(line.mine).peers] == ["ana"]


@pytest.mark.slow
async def test_the_proposer_withdraws_with_w(line):
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_swaps(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert f"Swap {line.swap} withdrawn." in text_of(screen.query_one("#swaps-message"))
    assert status(line) == "withdrawn"


@pytest.mark.slow
async def test_a_coordinator_refuses_with_n_and_approves_with_o(line):
    with line.db() as db:
        swaps.set_need_approval(db, line.coord, True)
        swaps.accept(db, line.ben, line.swap)
        waiting = swaps_waiting(db, line.coord)
        assert [s.id for s in waiting.swaps] == [line.swap]
        assert waiting_text(waiting) == (
            "1 swap waiting for you: answer in Swaps (a accept, x decline; coordinators o approve, n refuse)."
        )
        assert swaps_waiting(db, line.ben).swaps == [] and waiting_text(swaps_waiting(db, line.ben)) == ""
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_swaps(pilot)
        assert "n" in screen.active_bindings and "o" in screen.active_bindings
        await pilot.press("n")
        await settle(pilot)
        assert f"Swap {line.swap} refused." in text_of(screen.query_one("#swaps-message"))
    assert status(line) == "refused"
    assert [a.handle for a in line.view(line.mine).peers] == ["ana"]

    with line.db() as db:  # ana asks again; ben accepts; the coordinator approves
        again = swaps.propose(db, line.ana, line.mine, line.theirs, "ben").id
        swaps.accept(db, line.ben, again)
    line.swap = again
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_swaps(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert "done: the shifts are swapped" in text_of(screen.query_one("#swaps-message"))
    assert status(line) == "done"
    assert [a.handle for a in line.view(line.mine).peers] == ["ben"]


async def test_swaps_waiting_for_a_volunteer_are_the_ones_offered_to_them(line):
    with line.db() as db:
        assert [s.id for s in swaps_waiting(db, line.ben).swaps] == [line.swap]
        assert swaps_waiting(db, line.ana).swaps == []  # ana waits for ben: nothing for her to do
        assert swaps_waiting(db, line.coord).swaps == []  # no approval needed on this line
        assert "tag" not in waiting_text(swaps_waiting(db, line.ben)).lower()


@pytest.mark.slow
async def test_withdraw_cover_in_the_shift_dialog(line):
    late = line.shift(at(24, 9), at(24, 13), on=((line.ana, "peer"),))  # 25 h ahead: a drop asks for cover
    with line.db() as db:
        assert rota.drop(db, line.ana, late) == "cover-requested"
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ShiftDialog(late))
        await settle(pilot)
        dialog = app.screen
        assert "w" in dialog.active_bindings
        await pilot.press("w")
        await settle(pilot)
        assert "Cover request withdrawn" in text_of(dialog.query_one("#shift-message"))
        assert await until(pilot, lambda: "w" not in dialog.active_bindings)  # nothing more to withdraw
    assert line.view(late).cover == []
    assert [a.handle for a in line.view(late).peers] == ["ana"]
    assert [e.detail for e in line.audit("cover.withdraw")][0].startswith("ana (peer) stays on")


@pytest.mark.slow
async def test_no_withdraw_key_for_a_volunteer_on_someone_elses_cover_request(line):
    late = line.shift(at(24, 9), at(24, 13), on=((line.ana, "peer"),))
    with line.db() as db:
        rota.drop(db, line.ana, late)
    app = make_app(line.path, actor=line.ben)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ShiftDialog(late))
        await settle(pilot)
        assert "w" not in app.screen.active_bindings
    assert [c.handle for c in line.view(late).cover] == ["ana"]


@pytest.mark.slow
async def test_a_coordinator_withdraws_someones_cover_request_choosing_whose(line):
    late = line.shift(at(24, 9), at(24, 13), on=((line.ana, "peer"), (line.ben, "peer")))
    with line.db() as db:
        rota.drop(db, line.ana, late)
        rota.drop(db, line.ben, late)
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.push_screen(ShiftDialog(late))
        await settle(pilot)
        dialog = app.screen
        await pilot.press("w")
        await settle(pilot)
        assert app.screen is not dialog  # whose? (opens on nobody)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert [c.handle for c in line.view(late).cover] == ["ana", "ben"]
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # ben
        await settle(pilot)
        assert "Cover request withdrawn: ben stays on." in text_of(dialog.query_one("#shift-message"))
    assert [c.handle for c in line.view(late).cover] == ["ana"]
    assert [e.actor for e in line.audit("cover.withdraw")] == ["coord"]
