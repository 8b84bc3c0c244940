"""Home and debriefs (issue 16): b asks for a debrief after confirming; the backup is told; off shift it says why."""

from __future__ import annotations

import pytest
from rota_file import make_rota, settle, text_of

from warmline.screens.app import make_app
from warmline.screens.confirm import ConfirmDialog
from warmline.screens.home import HomeScreen
from warmline import people, rota
from warmline.db import open_db
from warmline.times import parse_moment
from warmline.recurrence import zone


@pytest.fixture
def line(tmp_path, monkeypatch, access_clock_follows_warmline_now):
    """Test Line at Monday 2026-11-23 08:00 New York: ana on shift 07:00-11:00 with ben as backup."""
    made = make_rota(tmp_path, monkeypatch)
    tz = zone("America/New_York")
    with open_db(made.path) as db:
        coord = people.get(db.conn, "coord")
        shift = rota.add_shift(db, coord, start=parse_moment("2026-11-23T07:00", tz), end=parse_moment("2026-11-23T11:00", tz))
        rota.assign(db, coord, shift.id, "ana")
        rota.assign(db, coord, shift.id, "ben", role="backup")
    return made


def debriefs(path):
    with open_db(path) as db:
        return [tuple(r) for r in db.conn.execute("SELECT asker_id, status FROM debrief")]


@pytest.mark.slow
async def test_b_asks_for_a_debrief_after_confirming(line):
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # not now: nothing asked
        await settle(pilot)
        assert debriefs(line.path) == []
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert debriefs(line.path) == [(line.ana.id, "open")]
        assert "Debrief 1 asked: 1 person was told" in text_of(app.screen.query_one("#home-message"))
    with open_db(line.path) as db:
        told = db.conn.execute("SELECT person_id, kind FROM notification WHERE kind = 'debrief'").fetchall()
    assert [tuple(r) for r in told] == [(line.ben.id, "debrief")]


async def test_off_shift_the_app_says_why_and_asks_nothing(line):
    app = make_app(line.path, actor=line.coord)  # not on a shift
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "coord is not on a shift now" in text_of(app.screen.query_one("#home-message"))
    assert debriefs(line.path) == []
