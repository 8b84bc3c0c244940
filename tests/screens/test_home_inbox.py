"""A coordinator's Home is an inbox (issue 15): a row per thing waiting, a key that acts on it, the
row gone once it is dealt with; and `c` claims from Open seats only, asking first within the cut-off."""

from __future__ import annotations

import pytest
from rota_file import at, make_rota, settle, text_of

from warmline import handoff, rota, swaps
from warmline.screens.app import make_app
from warmline.screens.confirm import ConfirmDialog
from warmline.screens.dialogs import ShiftDialog
from warmline.screens.handoff import NoteDialog
from warmline.screens.home import HomeScreen
from warmline.screens.load import LoadScreen


@pytest.fixture
def line(tmp_path, monkeypatch, access_clock_follows_warmline_now):
    """Test Line at Monday 2026-11-23 08:00 New York, with coord, ana and ben (ben: 4 h a week at most)."""
    return make_rota(tmp_path, monkeypatch)


async def open_home(pilot) -> HomeScreen:
    await settle(pilot)
    await settle(pilot)  # the inbox is read after Home's first frame
    home = pilot.app.screen
    assert isinstance(home, HomeScreen)
    return home


def inbox_keys(home: HomeScreen, kind: str = "") -> list[str]:
    """The inbox's row keys (of one kind: "swap", "cover", ...)."""
    return [k for k in home.query_one("#inbox").keys if k.startswith(kind)]


async def select(pilot, home: HomeScreen, key: str) -> None:
    table = home.query_one("#inbox")
    table.focus()
    table.move_cursor(row=table.get_row_index(key))
    await pilot.pause()


async def test_an_empty_inbox_says_so_calmly_and_a_volunteer_has_none(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        home = await open_home(pilot)
        assert inbox_keys(home) == [] and not home.query_one("#inbox").display
        assert "Nothing waits for you" in text_of(home.query_one("#inbox-empty"))
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        home = await open_home(pilot)
        assert not home.query("#inbox-panel") and home.inbox is None


async def test_a_swap_waiting_for_approval_is_approved_with_o_and_refused_with_x(line):
    from warmline import people

    with line.db() as db:
        cai = people.add(db, line.coord, handle="cai", name="Cai L.")
        dee = people.add(db, line.coord, handle="dee", name="Dee M.")
    x = line.shift(at(25, 9), at(25, 13), on=((line.ana, "peer"), (line.coord, "backup")))
    y = line.shift(at(26, 9), at(26, 13), on=((cai, "peer"), (line.coord, "backup")))
    w = line.shift(at(25, 14), at(25, 18), on=((line.ana, "peer"), (line.coord, "backup")))
    z = line.shift(at(27, 9), at(27, 13), on=((dee, "peer"), (line.coord, "backup")))
    with line.db() as db:
        swaps.set_need_approval(db, line.coord, True)
        first = swaps.propose(db, line.ana, x, y, "cai").id
        swaps.accept(db, cai, first)
        second = swaps.propose(db, line.ana, w, z, "dee").id
        swaps.accept(db, dee, second)
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        home = await open_home(pilot)
        assert inbox_keys(home, "swap") == [f"swap-{first}", f"swap-{second}"]  # the oldest first
        assert home.query_one("#inbox").has_focus  # a coordinator's Home leads with the inbox
        row = [str(c) for c in home.query_one("#inbox").get_row(f"swap-{first}")]
        assert row[0] == "Swap to approve" and "ana gives" in row[2] and row[3] == "o approve · x refuse"
        await select(pilot, home, f"swap-{first}")
        assert "o" in home.active_bindings and "x" in home.active_bindings
        assert "c" not in home.active_bindings and "d" not in home.active_bindings  # they act on other tables
        await pilot.press("o")
        await settle(pilot)
        assert [p.handle for p in line.view(y).peers] == ["ana"]
        assert "approved" in text_of(home.query_one("#home-message"))
        assert f"swap-{first}" not in inbox_keys(home)
        await select(pilot, home, f"swap-{second}")
        await pilot.press("x")
        await settle(pilot)
        with line.db() as db:
            assert swaps.get(db.conn, line.coord, second).status == "refused"
        assert inbox_keys(home, "swap") == []


@pytest.mark.slow
async def test_cover_wanted_opens_the_shift_and_goes_once_taken(line):
    sid = line.shift(at(24, 9), at(24, 13), seats=1, on=((line.ana, "peer"), (line.coord, "backup")))
    with line.db() as db:
        assert rota.drop(db, line.ana, sid) == "cover-requested"
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        home = await open_home(pilot)
        assert inbox_keys(home) == [f"cover-{sid}"]
        row = [str(c) for c in home.query_one("#inbox").get_row(f"cover-{sid}")]
        assert row[0] == "Cover wanted" and "ana (peer) asked for cover" in row[2]
        await select(pilot, home, f"cover-{sid}")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ShiftDialog) and app.screen.shift_id == sid
        await pilot.press("escape")
        await settle(pilot)
        with line.db() as db:
            rota.claim(db, line.ben, sid)
        home.reload()
        await settle(pilot)
        assert inbox_keys(home, "cover") == []


@pytest.mark.slow
async def test_a_shift_with_no_backup_this_week_opens_to_assign_one(line):
    sid = line.shift(at(25, 9), at(25, 13), on=((line.ana, "peer"),))
    later = line.shift(at(2, 9, month=12), at(2, 13, month=12), on=((line.ana, "peer"),))  # 9 days on: not listed
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        home = await open_home(pilot)
        assert inbox_keys(home) == [f"backup-{sid}"] and f"backup-{later}" not in inbox_keys(home)
        row = [str(c) for c in home.query_one("#inbox").get_row(f"backup-{sid}")]
        assert row[0] == "No backup" and "on it: ana" in row[2] and row[3] == "enter: assign"
        await select(pilot, home, f"backup-{sid}")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ShiftDialog) and app.screen.shift_id == sid
        await pilot.press("escape")
        await settle(pilot)
        with line.db() as db:
            rota.assign(db, line.coord, sid, "coord", role="backup", force=True)
        home.reload()
        await settle(pilot)
        assert inbox_keys(home) == []


@pytest.mark.slow
async def test_a_note_not_acknowledged_opens_and_goes_once_read(line, monkeypatch):
    a = line.shift(at(23, 9), at(23, 13), seats=1, backup=0, on=((line.ana, "peer"),))
    line.shift(at(23, 13), at(23, 17), seats=1, backup=0, on=((line.ben, "peer"),))
    monkeypatch.setenv("WARMLINE_NOW", at(23, 12, 45).isoformat())
    with line.db() as db:
        note_id = handoff.write_note(db, line.ana, a, "Quiet evening.").id
    monkeypatch.setenv("WARMLINE_NOW", at(23, 13, 20).isoformat())
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        home = await open_home(pilot)
        assert f"note-{note_id}" in inbox_keys(home)
        row = [str(c) for c in home.query_one("#inbox").get_row(f"note-{note_id}")]
        assert row[0] == "Note not acknowledged" and "not yet read by ben" in row[2]
        await select(pilot, home, f"note-{note_id}")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, NoteDialog)
        await pilot.press("escape")
        await settle(pilot)
        with line.db() as db:
            handoff.ack(db, line.ben, note_id)
        home.reload()
        await settle(pilot)
        assert f"note-{note_id}" not in inbox_keys(home)


@pytest.mark.slow
async def test_someone_at_a_limit_opens_their_load(line):
    sid = line.shift(at(24, 9), at(24, 13), on=((line.ben, "peer"), (line.coord, "backup")))  # ben: 4 of 4 h
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        home = await open_home(pilot)
        key = f"limit-{line.ben.id}"
        assert inbox_keys(home) == [key]
        row = [str(c) for c in home.query_one("#inbox").get_row(key)]
        assert row[0] == "At a limit" and "ben: at: hours" in row[2]
        await select(pilot, home, key)
        await pilot.press("enter")
        await settle(pilot)
        load = app.screen
        assert isinstance(load, LoadScreen) and load.query_one("#load-table").cursor_key == str(line.ben.id)
        await pilot.press("h")
        await settle(pilot)
        with line.db() as db:
            rota.unassign(db, line.coord, sid, "ben")
        home.reload()
        await settle(pilot)
        assert inbox_keys(home) == []


@pytest.mark.slow
async def test_c_claims_only_from_open_seats(line):
    mine = line.shift(at(26, 9), at(26, 13), on=((line.ana, "peer"), (line.coord, "backup")))
    free = line.shift(at(27, 9), at(27, 13), on=((line.coord, "backup"),))
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        home = await open_home(pilot)
        assert home.query_one("#upcoming").has_focus and home.query_one("#upcoming").keys == [str(mine)]
        await pilot.press("c")
        await settle(pilot)
        assert line.view(free).peers == [] and line.audit("claim") == []
        assert "c claims the seat selected in Open seats" in text_of(home.query_one("#home-message"))
        home.query_one("#open-seats").focus()
        await pilot.pause()
        await pilot.press("c")  # 4 days ahead: outside the cut-off, claimed at once
        await settle(pilot)
        assert [p.handle for p in line.view(free).peers] == ["ana"]


@pytest.mark.slow
async def test_a_claim_within_the_cutoff_is_confirmed_first(line):
    sid = line.shift(at(24, 9), at(24, 13), on=((line.coord, "backup"),))  # 25 h ahead: within 48 h
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        home = await open_home(pilot)
        assert home.query_one("#open-seats").has_focus  # none of mine: c claims from here
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.title_text == "Claim it?"
        assert "Within 48 h of the start you can't drop it, only ask for cover" in app.screen.body
        await pilot.press("n")
        await settle(pilot)
        assert line.view(sid).peers == [] and line.audit("claim") == []
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert [p.handle for p in line.view(sid).peers] == ["ana"]
        assert str(sid) in home.query_one("#upcoming").keys


@pytest.mark.slow
async def test_the_palette_offers_approve_on_a_swap_in_the_inbox_and_runs_it(line):
    from warmline import people

    with line.db() as db:
        cai = people.add(db, line.coord, handle="cai", name="Cai L.")
    x = line.shift(at(25, 9), at(25, 13), on=((line.ana, "peer"), (line.coord, "backup")))
    y = line.shift(at(26, 9), at(26, 13), on=((cai, "peer"), (line.coord, "backup")))
    with line.db() as db:
        swaps.set_need_approval(db, line.coord, True)
        swap_id = swaps.propose(db, line.ana, x, y, "cai").id
        swaps.accept(db, cai, swap_id)
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        home = await open_home(pilot)
        await select(pilot, home, f"swap-{swap_id}")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"approve")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        with line.db() as db:
            assert swaps.get(db.conn, line.coord, swap_id).status == "done"
        assert inbox_keys(home, "swap") == []


@pytest.mark.slow
async def test_an_overdue_note_shows_once_for_a_coordinator_in_the_inbox(line, monkeypatch):
    """Each note once: a note overdue for acknowledgement is the inbox's row, not also a row of Home's
    handoff notes; one for the coordinator's own shift too, and enter there lets them acknowledge it."""
    a = line.shift(at(23, 9), at(23, 13), seats=1, backup=0, on=((line.ana, "peer"),))
    line.shift(at(23, 13), at(23, 17), seats=2, backup=0, on=((line.ben, "peer"), (line.coord, "peer")))
    monkeypatch.setenv("WARMLINE_NOW", at(23, 12, 45).isoformat())
    with line.db() as db:
        note_id = handoff.write_note(db, line.ana, a, "Quiet evening.").id
    monkeypatch.setenv("WARMLINE_NOW", at(23, 13, 20).isoformat())  # 20 min after the change: overdue
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        home = await open_home(pilot)
        assert inbox_keys(home, "note") == [f"note-{note_id}"]
        shown = home.query("#handoff-notes")
        assert not shown or f"note-{note_id}" not in shown.first().keys or not home.query_one("#handoff-panel").display
        row = [str(c) for c in home.query_one("#inbox").get_row(f"note-{note_id}")]
        assert "not yet read by you, ben" in row[2]
        await select(pilot, home, f"note-{note_id}")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, NoteDialog) and app.screen.reader  # theirs to acknowledge
        await pilot.press("a")
        await settle(pilot)
        with line.db() as db:
            got = handoff.get_note(db.conn, note_id)
        assert got.reader(line.coord.id).acked_at is not None
        assert [f"note-{note_id}"] == inbox_keys(home, "note")  # ben has not read it yet
        row = [str(c) for c in home.query_one("#inbox").get_row(f"note-{note_id}")]
        assert "not yet read by ben" in row[2] and "you" not in row[2]
