"""SVG snapshots of Match and Coverage on the demo line (seed 7) at a fixed Monday 10:00 New York.

At that time the demo has a shift on (rosa-s, ana-r, backup luis-m), a call log of a few
weeks behind it and two coverage goals, so both screens show real content.
Regenerate with `pytest tests/snapshots/test_match_snapshots.py --snapshot-update`, then look.
"""

from __future__ import annotations

import asyncio

import pytest
from textual.worker import WorkerCancelled

NOW = "2026-11-23T10:00:00-05:00"  # Monday 23 Nov 2026, 10:00 in New York
SIZE = (100, 30)


@pytest.fixture
def demo_db(tmp_path, monkeypatch, access_clock_follows_warmline_now):
    """The demo line built at NOW (every time in it is relative to the week NOW falls in)."""
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    for name in ("WARMLINE_DB", "WARMLINE_AS", "WARMLINE_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    from warmline import demo
    from warmline.db import open_db

    path = tmp_path / "demo.db"
    with open_db(path, create=True) as db:
        demo.build(db, seed=7)
    return path


def app_as(path, handle: str):
    from warmline.screens.app import make_app
    from warmline import people
    from warmline.db import open_db

    with open_db(path) as db:
        actor = people.get(db.conn, handle)
    return make_app(path, actor=actor)


async def workers_done(pilot) -> None:
    """Wait for the running workers; one cancelled meanwhile (an exclusive reload replacing
    another when the file's data_version first changes) is not an error."""
    for _ in range(10):
        try:
            await pilot.app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            await pilot.pause()


async def until_shown(pilot, predicate, seconds: float = 5.0) -> None:
    """Let workers land until `predicate()` holds (bounded), then settle the screen."""
    for _ in range(int(seconds / 0.05)):
        await workers_done(pilot)
        await pilot.pause()
        if predicate():
            break
        await asyncio.sleep(0.05)
    await workers_done(pilot)
    await pilot.pause()


@pytest.mark.slow
def test_match_screen_snapshot(demo_db, snap_compare):
    """rosa-s, on the Monday 09–13 shift, asks for a caller who needs 'loneliness'."""
    app = app_as(demo_db, "rosa-s")

    async def run_before(pilot) -> None:
        from warmline.screens.match import MatchScreen

        await until_shown(pilot, lambda: pilot.app.line is not None)
        await pilot.press("m")
        await until_shown(pilot, lambda: isinstance(pilot.app.screen, MatchScreen) and pilot.app.screen.data)
        screen = pilot.app.screen
        for field in screen.query("Input"):
            field.cursor_blink = False
        await pilot.press(*"loneliness", "enter")
        await until_shown(
            pilot,
            lambda: screen.data is not None
            and screen.data.result is not None
            and [t.id for t in screen.data.result.needs] == ["loneliness"],
        )

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_coverage_screen_snapshot(demo_db, snap_compare):
    """dana-w, coordinator, opens coverage for this week: heat map, gaps, the first suggestion."""
    app = app_as(demo_db, "dana-w")

    async def run_before(pilot) -> None:
        from warmline.screens.coverage import CoverageScreen

        await until_shown(pilot, lambda: pilot.app.line is not None)
        await pilot.press("v")
        await until_shown(
            pilot, lambda: isinstance(pilot.app.screen, CoverageScreen) and pilot.app.screen.data is not None
        )

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
