"""Load, swaps and auto-fill: what the screens show and what they write, checked in the database."""

from __future__ import annotations

import pytest
from rota_file import at, make_rota, settle, text_of, until

from warmline.screens import autofill as autofill_screen
from warmline.screens import load as load_screen
from warmline.screens.app import make_app
from warmline.screens.dialogs import ShiftDialog
from warmline.screens.load import AutofillDialog, LoadScreen
from warmline.screens.swap import SwapDialog, SwapsScreen
from warmline import people, rota, swaps


@pytest.fixture
def line(tmp_path, monkeypatch):
    """Test Line at Monday 2026-11-23 08:00 New York, with coord, ana and ben (ben: at most 4 h a week)."""
    return make_rota(tmp_path, monkeypatch)


def row_texts(table) -> dict[str, list[str]]:
    """Each row's cells as plain text, by the person's handle (first cell)."""
    rows = {}
    for key in table.keys:
        cells = [getattr(c, "plain", str(c)) for c in table.get_row(key)]
        rows[cells[0]] = cells
    return rows


def footer_fits(app) -> None:
    footer = app.screen.query_one("KeysFooter")
    shown = {key for key, _, _ in footer.spans}
    assert footer.keys and all(key in shown for key, *_ in footer.keys), (footer.keys, footer.spans)
    assert max(end for _, _, end in footer.spans) <= 80


async def open_load(pilot) -> LoadScreen:
    await settle(pilot)
    await pilot.press("l")
    await settle(pilot)
    assert isinstance(pilot.app.screen, LoadScreen)
    return pilot.app.screen


@pytest.mark.slow
async def test_load_shows_hours_flags_in_words_bars_and_the_spread(line):
    with line.db() as db:
        cy = people.add(db, line.coord, handle="cy", name="Cy P.", max_hours_week=4)
    line.shift(at(23, 9), at(23, 13), on=((line.ana, "peer"),))
    line.shift(at(24, 9), at(24, 13), on=((line.ben, "peer"),))  # 4 of ben's 4 h: at the limit
    line.shift(at(25, 9), at(25, 13), on=((cy, "peer"),))
    line.shift(at(26, 9), at(26, 11), on=((cy, "peer"),))  # 6 of cy's 4 h: over
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_load(pilot)
        rows = row_texts(screen.query_one("#load-table"))
        assert rows["cy"][1:] == ["6 h", "6 / 4 h", "0 / " + rows["cy"][3].split(" / ")[1], "2 d", "OVER: hours"]
        assert rows["ben"][5] == "at: hours" and rows["ben"][2] == "4 / 4 h"
        assert rows["ana"][5] == ""
        assert screen.query_one("#load-table").keys[0] == str(cy.id)  # most hours first
        bars = text_of(screen.query_one("#load-bars")).splitlines()
        assert bars[0].startswith("cy ") and "█" * load_screen.BAR_WIDTH in bars[0] and bars[0].endswith("6.0 h OVER")
        assert bars[1].startswith("ana ") and "█" * 21 in bars[1] and "█" * 22 not in bars[1]
        spread = text_of(screen.query_one("#load-spread"))
        assert spread.startswith("max 6.0 h (cy) · min 4.0 h · mean 4.7 h · Gini 0.10")
        assert "23 Nov" in text_of(screen.query_one("#load-title"))
        # ] moves the range a week later; the keyed table keeps its rows and drops the hours before it.
        keys_before = set(screen.query_one("#load-table").keys)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert "30 Nov" in text_of(screen.query_one("#load-title"))
        assert row_texts(screen.query_one("#load-table"))["cy"][1] == "0 h"
        assert set(screen.query_one("#load-table").keys) == keys_before


@pytest.mark.slow
async def test_a_volunteer_sees_only_their_own_load(line):
    line.shift(at(23, 9), at(23, 13), on=((line.ana, "peer"),))
    line.shift(at(24, 9), at(24, 13), on=((line.ben, "peer"),))
    app = make_app(line.path, actor=line.ben)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_load(pilot)
        footer_fits(app)
        rows = row_texts(screen.query_one("#load-table"))
        assert list(rows) == ["ben"] and rows["ben"][5] == "at: hours"
        assert "ana" not in text_of(screen.query_one("#load-bars"))
        assert "Only your own load" in text_of(screen.query_one("#load-spread"))
        app.action_go("swaps")
        await settle(pilot)
        assert isinstance(app.screen, SwapsScreen)
        footer_fits(app)
        assert "o" not in app.screen.active_bindings  # approving is for coordinators


async def open_swap_dialog(pilot, shift_id: int) -> SwapDialog:
    await settle(pilot)
    pilot.app.push_screen(ShiftDialog(shift_id))
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, SwapDialog)
    return dialog


async def pick(pilot, dialog: SwapDialog, shift_id: int, handle: str) -> None:
    index = next(i for i, o in enumerate(dialog.options) if o.shift_id == shift_id and o.handle == handle)
    dialog.query_one("#swap-options").highlighted = index
    await settle(pilot)


@pytest.mark.slow
async def test_a_swap_proposed_in_the_shift_dialog_and_accepted_in_swaps_swaps_the_shifts(line):
    mine = line.shift(at(23, 17), at(23, 21), on=((line.ana, "peer"),))
    theirs = line.shift(at(24, 17), at(24, 21), on=((line.ben, "peer"),))
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_swap_dialog(pilot, mine)
        await pick(pilot, dialog, theirs, "ben")
        assert "No rule is broken" in text_of(dialog.query_one("#swap-problems"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ShiftDialog)
        assert "proposed: it waits for ben" in text_of(app.screen.query_one("#shift-message"))
    with line.db() as db:
        (swap,) = swaps.swaps(db.conn, line.ben, open_only=True)
    assert (swap.from_shift_id, swap.to_shift_id, swap.waiting_for) == (mine, theirs, "ben")

    app = make_app(line.path, actor=line.ben)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.action_go("swaps")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SwapsScreen)
        assert screen.query_one("#swaps-table").keys == [str(swap.id)]
        assert "w" not in screen.active_bindings  # only ana may withdraw: the key is not offered to ben
        await pilot.press("a")
        await settle(pilot)
        assert "done: the shifts are swapped" in text_of(screen.query_one("#swaps-message"))
        assert await until(pilot, lambda: screen.query_one("#swaps-table").row_count == 0)
    assert [a.handle for a in line.view(mine).peers] == ["ben"]
    assert [a.handle for a in line.view(theirs).peers] == ["ana"]


@pytest.mark.slow
async def test_the_picker_leaves_out_swaps_that_break_a_rule_and_says_why_in_one_line(line):
    """Issue 15: only shifts that pass the rules are offered; the rest are counted, without ben's limits."""
    c = line.shift(at(24, 9), at(24, 11), on=((line.ben, "peer"),))
    d = line.shift(at(25, 9), at(25, 11), on=((line.ben, "peer"),))
    e = line.shift(at(26, 9), at(26, 13), on=((line.ana, "peer"),))  # ben would work 6 h of his 4
    with line.db() as db:
        assert swaps.preview(db.conn, line.ana, e, c, "ben") and swaps.preview(db.conn, line.ana, e, d, "ben")
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_swap_dialog(pilot, e)
        assert await until(pilot, lambda: bool(text_of(dialog.query_one("#swap-left-out"))))
        assert [(o.shift_id, o.handle) for o in dialog.options] == []
        left_out = text_of(dialog.query_one("#swap-left-out"))
        assert left_out == "2 left out: 2 break one of the other person's (their limits or availability)."
        assert "4 h" not in left_out and "hours" not in left_out  # ben's limit is his and the coordinators'
        assert "passes the rules for both of you" in text_of(dialog.query_one("#swap-problems"))
        await pilot.press("enter")  # nothing to propose
        await settle(pilot)
        assert app.screen is dialog
    with line.db() as db:
        assert swaps.swaps(db.conn, line.coord) == []
    assert [a.handle for a in line.view(c).peers] == ["ben"]
    assert [a.handle for a in line.view(e).peers] == ["ana"]


@pytest.mark.slow
async def test_a_swap_that_breaks_a_rule_by_the_time_it_is_proposed_shows_the_core_message(line):
    c = line.shift(at(24, 9), at(24, 11), on=((line.ben, "peer"),))
    e = line.shift(at(26, 9), at(26, 13), on=((line.ana, "peer"),))  # 4 h for ben: his whole week
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_swap_dialog(pilot, e)
        await pick(pilot, dialog, c, "ben")
        line.shift(at(27, 9), at(27, 11), on=((line.ben, "peer"),))  # meanwhile ben takes 2 h more
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        refusal = text_of(dialog.query_one("#swap-problems"))
        assert refusal.startswith(f"swapping shift {e} for shift {c} would break a rule for ben")
    with line.db() as db:
        assert swaps.swaps(db.conn, line.coord) == []
    assert [a.handle for a in line.view(c).peers] == ["ben"]
    assert [a.handle for a in line.view(e).peers] == ["ana"]


@pytest.mark.slow
async def test_autofill_proposal_is_shown_as_a_diff_and_applied(line, monkeypatch):
    monkeypatch.setattr(autofill_screen, "AUTOFILL_SECONDS", 0.2)
    evening = line.shift(at(23, 17), at(23, 21), seats=1, backup=0)
    morning = line.shift(at(24, 9), at(24, 13), seats=1, backup=0)
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.action_autofill()
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AutofillDialog)
        assert await until(pilot, lambda: dialog.plan is not None)
        diff = text_of(dialog.query_one("#autofill-body")).splitlines()
        placed = {p.shift_id: p.handle for p in dialog.plan.proposal.placements}
        assert set(placed) == {evening, morning}
        assert f"+ Mon 23 Nov 17:00–21:00  {placed[evening]} (peer)" in diff  # by time, no shift id
        assert f"+ Tue 24 Nov 09:00–13:00  {placed[morning]} (peer)" in diff
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, AutofillDialog)
    assert [a.handle for a in line.view(evening).peers] == [placed[evening]]
    assert [a.handle for a in line.view(morning).peers] == [placed[morning]]
    with line.db() as db:
        assert rota.check(db.conn).ok


async def test_autofill_escape_discards(line, monkeypatch):
    monkeypatch.setattr(autofill_screen, "AUTOFILL_SECONDS", 0.2)
    sid = line.shift(at(23, 17), at(23, 21), seats=1, backup=0)
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.action_autofill()
        await settle(pilot)
        assert isinstance(app.screen, AutofillDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, AutofillDialog)
    assert line.view(sid).peers == []


@pytest.mark.slow
async def test_rota_and_people_flag_someone_over_a_limit_in_words(tmp_path, monkeypatch):
    """Issue "5 of 7": the Rota and People screens flag anyone over or near a limit, without colour."""
    from rota_file import at, make_rota, settle

    from warmline.screens.app import make_app
    from warmline.screens.people import PeopleScreen
    from warmline.screens.rota import RotaScreen

    line = make_rota(tmp_path, monkeypatch)  # ben's limit is 4 h a week
    line.shift(at(24, 9), at(24, 13), on=((line.ben, "peer"),))
    line.shift(at(25, 9), at(25, 13), on=((line.ben, "peer"),))  # forced: 8 h, over ben's 4 h
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, RotaScreen)
        assert "ben" in app.screen.data.strain and app.screen.data.strain["ben"][0] == "OVER"
        summary = str(app.screen.query_one("#week-summary").render())
        assert "1 OVER A LIMIT" in summary
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PeopleScreen)
        table = app.screen.query_one("#people-table")
        row = table.get_row("ben")
        assert "8 OVER" in [str(c) for c in row]
