"""Handoff history in the app (issue 15: acknowledged notes no longer vanish): the notes a person may
read from the last 90 days, newest first, acknowledged ones with who and when; enter reads one and `a`
there acknowledges one still waiting; note text is shown as data; the palette reaches it.

The rota (Monday 23 Nov 2026, New York): A 09:00–13:00 ana, B 13:00–17:00 ben (the next shift).
"""

from __future__ import annotations

import pytest
from rota_file import at, make_rota, settle, text_of, until

from warmline import handoff, people
from warmline.screens.app import make_app
from warmline.screens.handoff import NoteDialog
from warmline.screens.handoff_history import HandoffHistoryScreen

MARKUP = "[bold red]Busy[/] evening; the 988 card is by the phone."


@pytest.fixture
def line(tmp_path, monkeypatch, access_clock_follows_warmline_now):
    made = make_rota(tmp_path, monkeypatch)
    made.a = made.shift(at(23, 9), at(23, 13), seats=1, backup=0, on=((made.ana, "peer"),))
    made.b = made.shift(at(23, 13), at(23, 17), seats=1, backup=0, on=((made.ben, "peer"),))
    return made


def write(line, monkeypatch, text: str) -> int:
    monkeypatch.setenv("WARMLINE_NOW", at(23, 12, 45).isoformat())
    with line.db() as db:
        return handoff.write_note(db, line.ana, line.a, text).id


async def open_history(app, pilot) -> HandoffHistoryScreen:
    await settle(pilot)
    app.action_go("handoff_history")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, HandoffHistoryScreen)
    assert await until(pilot, lambda: screen.history is not None)
    return screen


def acks(line) -> list[tuple]:
    with line.db() as db:
        return [tuple(r) for r in db.conn.execute("SELECT note_id, person_id FROM handoff_ack")]


async def test_an_acknowledged_note_stays_in_the_history_with_who_and_when(line, monkeypatch):
    note_id = write(line, monkeypatch, MARKUP)
    monkeypatch.setenv("WARMLINE_NOW", at(23, 13, 5).isoformat())
    app = make_app(line.path, actor=line.ben)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(app, pilot)
        table = screen.query_one("#hh-table")
        assert table.keys == [str(note_id)]
        row = [str(c) for c in table.get_row(str(note_id))]
        assert row[1] == "Ana R." and row[3] == "not acknowledged yet"
        detail = text_of(screen.query_one("#hh-note"))
        assert MARKUP in detail  # the note's text as data, markup and all
        assert "Not yet acknowledged by you." in detail

        await pilot.press("enter")  # read it in full; a acknowledges it
        await settle(pilot)
        assert isinstance(app.screen, NoteDialog)
        await pilot.press("a")
        await settle(pilot)
        assert app.screen is screen and acks(line) == [(note_id, line.ben.id)]
        assert "Acknowledged Ana R.'s handoff note" in text_of(screen.query_one("#hh-message"))
        assert await until(pilot, lambda: "acknowledged it" in str(table.get_row(str(note_id))[3]))
        assert str(table.get_row(str(note_id))[3]) == "you acknowledged it Mon 23 Nov 13:05"
        assert "Acknowledged by you Mon 23 Nov 13:05." in text_of(screen.query_one("#hh-note"))
        assert "1 note from the last 90 days" in text_of(screen.query_one("#hh-summary"))

        app.action_go("home")  # Home lists only what waits: the note has left it
        await settle(pilot)
        assert not app.screen.query("#handoff-panel") or not app.screen.query_one("#handoff-panel").display


@pytest.mark.slow
async def test_who_sees_which_notes(line, monkeypatch):
    note_id = write(line, monkeypatch, "Quiet evening.")
    monkeypatch.setenv("WARMLINE_NOW", at(23, 14).isoformat())
    with line.db() as db:
        handoff.ack(db, line.ben, note_id)
        cai = people.add(db, line.coord, handle="cai", name="Cai L.")
    for actor, status in ((line.ana, "you wrote it"), (line.coord, "acknowledged")):
        app = make_app(line.path, actor=actor)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await open_history(app, pilot)
            table = screen.query_one("#hh-table")
            assert table.keys == [str(note_id)]
            assert str(table.get_row(str(note_id))[3]) == status
            assert "Acknowledged by ben Mon 23 Nov 14:00." in text_of(screen.query_one("#hh-note"))
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, NoteDialog) and "a" not in app.screen.active_bindings  # not theirs to ack
    app = make_app(line.path, actor=cai)  # on neither shift: nothing to read
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_history(app, pilot)
        assert screen.query_one("#hh-table").keys == []
        assert "No handoff notes for you, or by you, in the last 90 days." in text_of(screen.query_one("#hh-summary"))


@pytest.mark.slow
async def test_the_palette_goes_to_handoff_history(line):
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Handoff history")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HandoffHistoryScreen)
