"""Home and triads (issue 16): j joins (and, asked first, leaves); the next triad meeting is a line on Home."""

from __future__ import annotations

import pytest
from rota_file import make_rota, settle, text_of

from warmline.screens.app import make_app
from warmline.screens.confirm import ConfirmDialog
from warmline.screens.home import HomeScreen
from warmline import people, triads
from warmline.db import open_db


@pytest.fixture
def line(tmp_path, monkeypatch):
    """Test Line at Monday 2026-11-23 08:00 New York, with coord, ana and ben."""
    return make_rota(tmp_path, monkeypatch)


@pytest.mark.slow
async def test_j_joins_triads_and_asks_before_leaving(line):
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("j")
        await settle(pilot)
        with open_db(line.path) as db:
            assert triads.is_opted_in(db.conn, line.ana.id)
        assert "opted in to triads" in text_of(app.screen.query_one("#home-message"))
        await pilot.press("j")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # stay
        await settle(pilot)
        with open_db(line.path) as db:
            assert triads.is_opted_in(db.conn, line.ana.id)
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        with open_db(line.path) as db:
            assert not triads.is_opted_in(db.conn, line.ana.id)


async def test_home_shows_the_next_triad_meeting_and_whose_turn(line):
    with open_db(line.path) as db:
        coord = people.get(db.conn, "coord")
        cat = people.add(db, coord, handle="cat", name="[bold]Cat[/bold]")
        for p in (line.ana, line.ben, cat):
            triads.join(db, p)
        triads.apply(db, coord, triads.propose(db.conn, coord))
    app = make_app(line.path, actor=line.ben)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        shown = text_of(app.screen.query_one("#next-shift"))
        # Everyone is free at any time: the soonest daytime hour at least a day ahead of Monday 08:00.
        assert "Triad meeting Tue 24 Nov 08:30–09:30 · ana narrates" in shown
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "your turn to narrate" in text_of(app.screen.query_one("#next-shift"))
