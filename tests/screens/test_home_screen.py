"""Home: the next shift and countdown, claiming an open seat, and dropping both ways."""

from __future__ import annotations

import pytest
from rota_file import at, make_rota, settle, text_of

from warmline.screens.app import make_app
from warmline.screens.confirm import ConfirmDialog
from warmline.screens.home import HomeScreen


@pytest.fixture
def line(tmp_path, monkeypatch):
    """Test Line at Monday 2026-11-23 08:00 New York, with coord, ana and ben."""
    return make_rota(tmp_path, monkeypatch)


async def test_home_shows_next_shift_countdown_and_who_shares_it(line):
    sid = line.shift(at(24, 9), at(24, 13), on=((line.ana, "peer"), (line.ben, "peer"), (line.coord, "backup")))
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        when = who = text_of(app.screen.query_one("#next-shift"))
        assert "Tue 24 Nov 09:00–13:00" in when
        assert "starts in 1 d 1 h 00 m" in when  # 08:00 Monday → 09:00 Tuesday
        assert "ben" in who and "backup coord" in who
        assert str(sid) in app.screen.query_one("#upcoming").keys
        # The header: the line's name, the time in its zone, and the escalation text.
        header = app.screen.query_one("LineHeader")
        assert header.name_text == "Test Line" and "Test Line" in text_of(header)
        assert header.clock_text == "Mon 23 Nov 08:00 EST" and "Mon 23 Nov 08:00 EST" in text_of(header)
        assert "988" in header.escalation_text and "988" in text_of(header)


async def test_claim_an_open_seat_from_home(line):
    sid = line.shift(at(25, 9), at(25, 13), on=((line.coord, "backup"),))
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        open_table = app.screen.query_one("#open-seats")
        assert open_table.keys == [str(sid)]
        await pilot.press("c")
        await settle(pilot)
        assert [p.handle for p in line.view(sid).peers] == ["ana"]
        assert line.audit("claim") and "ana as peer" in line.audit("claim")[0].detail
        assert str(sid) in app.screen.query_one("#upcoming").keys
        assert not open_table.keys
        assert "Thank you" in text_of(app.screen.query_one("#home-message"))


@pytest.mark.slow
async def test_drop_far_ahead_reopens_the_seat(line):
    sid = line.shift(at(27, 9), at(27, 13), on=((line.ana, "peer"), (line.coord, "backup")))
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        # "Keep it" changes nothing.
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("n")
        await settle(pilot)
        assert [p.handle for p in line.view(sid).peers] == ["ana"] and line.audit("drop") == []
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        body = text_of(app.screen.query_one(".dialog-body"))
        assert "more than 48 h away" in body and "seat reopens" in body
        await pilot.press("y")
        await settle(pilot)
        view = line.view(sid)
        assert view.peers == [] and view.cover == []
        assert "reopened" in line.audit("drop")[0].detail
        assert str(sid) not in app.screen.query_one("#upcoming").keys
        assert "open again" in text_of(app.screen.query_one("#home-message"))


@pytest.mark.slow
async def test_drop_within_the_cutoff_asks_for_cover(line):
    sid = line.shift(at(24, 9), at(24, 13), on=((line.ana, "peer"), (line.coord, "backup")))
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await pilot.pause()
        body = text_of(app.screen.query_one(".dialog-body"))
        assert "within 48 h" in body and "asks for cover" in body
        await pilot.press("y")
        await settle(pilot)
        view = line.view(sid)
        assert [p.handle for p in view.peers] == ["ana"]  # stays on until covered
        assert [c.handle for c in view.cover] == ["ana"]
        table = app.screen.query_one("#upcoming")
        assert "you asked for cover" in str(table.get_cell(str(sid), "status"))
