"""SVG snapshots of each screen on the demo line (pytest-textual-snapshot).

Deterministic by switches, not sleeps: WARMLINE_NOW fixes the clock (the header clock and
Home's countdown read the app's clock, which is warmline.clock.now, so they are static),
the demo is built with seed 7 into a fresh file per test, the terminal is 100 × 30, Input
cursors do not blink, and every screenshot waits for the workers to finish first (the
in-app notification delivery is a worker too, so its toasts are always there). The desktop
is a fake that is never available, so those toasts do not depend on whether the machine
running the tests has a notification daemon.
Textual is pinned (pyproject: textual==8.2.*), since its rendering is part of the picture.

Regenerate after a deliberate change with
    .venv/bin/python -m pytest tests/snapshots --snapshot-update
and look at the SVGs under tests/snapshots/__snapshots__/ before accepting them.

The snapshot tests are plain functions: snap_compare runs the app with its own event loop.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Input

from snapshot_app import NOW, app_for, coordinator, demo  # noqa: F401 - demo is a fixture
from warmline.screens.dialogs import ShiftDialog
from warmline.screens.help import HelpDialog
from warmline.screens.home import HomeScreen
from warmline.screens.people import PeopleScreen
from warmline.screens.rota import RotaScreen
from warmline.screens.week import WeekGrid

SIZE = (100, 30)


def volunteer_with_open_seats(path: Path):
    """The first volunteer (by id) with a shift of their own coming up and open seats they can take."""
    from warmline import people, rota
    from warmline.clock import now
    from warmline.db import open_db

    moment = now()
    horizon = moment + timedelta(weeks=4)
    with open_db(path) as db:
        for p in sorted(people.all_people(db.conn), key=lambda p: p.id):
            if p.is_coordinator or not p.active:
                continue
            if rota.claimable(db.conn, p, moment, horizon) and rota.views(
                db.conn, moment, horizon, person_id=p.id
            ):
                return p
    raise AssertionError("the demo has no volunteer with both a shift and an open seat")


def first_open_shift_this_week(path: Path) -> int:
    """The id of the first scheduled shift this week that has an open seat."""
    from warmline import rota
    from warmline.db import open_db

    start = rota_monday()
    with open_db(path) as db:
        views = rota.views(db.conn, start, start + timedelta(days=7))
    return next(v.shift.id for v in views if v.shift.status == "scheduled" and v.open_seats)


def rota_monday():
    from datetime import datetime

    return datetime.fromisoformat(NOW).replace(hour=0)


async def settle(pilot) -> None:
    """Let workers finish and their results land (a result may start another worker)."""
    app = pilot.app
    for _ in range(10):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            break
    for field in app.screen.query(Input):
        field.cursor_blink = False


async def go(pilot, key: str, screen_type: type) -> None:
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    assert isinstance(pilot.app.screen, screen_type), pilot.app.screen


def test_home_volunteer(snap_compare, demo):
    person = volunteer_with_open_seats(demo)

    async def run_before(pilot) -> None:
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, HomeScreen) and screen.data is not None
        assert screen.query_one("#upcoming").row_count and screen.query_one("#open-seats").row_count

    assert snap_compare(app_for(demo, person), terminal_size=SIZE, run_before=run_before)


def test_home_coordinator(snap_compare, demo):
    """A coordinator's Home leads with the inbox (issue 15): a row per item, its key in the last column."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        await settle(pilot)  # the inbox is read after Home's first frame
        screen = pilot.app.screen
        assert isinstance(screen, HomeScreen) and screen.inbox is not None
        assert screen.query_one("#inbox").row_count and screen.query_one("#inbox").has_focus

    assert snap_compare(app_for(demo, coordinator(demo)), terminal_size=SIZE, run_before=run_before)


@pytest.mark.slow
def test_rota_coordinator_this_week(snap_compare, demo):
    async def run_before(pilot) -> None:
        await go(pilot, "r", RotaScreen)
        assert pilot.app.screen.data is not None and pilot.app.screen.data.views

    assert snap_compare(app_for(demo, coordinator(demo)), terminal_size=SIZE, run_before=run_before)


@pytest.mark.slow
def test_people_coordinator(snap_compare, demo):
    async def run_before(pilot) -> None:
        await go(pilot, "p", PeopleScreen)
        assert pilot.app.screen.query_one("#people-table").row_count == 26  # 2 coordinators, 24 volunteers

    assert snap_compare(app_for(demo, coordinator(demo)), terminal_size=SIZE, run_before=run_before)


@pytest.mark.slow
def test_shift_dialog_open_seat(snap_compare, demo):
    shift_id = first_open_shift_this_week(demo)

    async def run_before(pilot) -> None:
        await go(pilot, "r", RotaScreen)
        assert pilot.app.screen.query_one(WeekGrid).select_shift(shift_id)
        await pilot.press("enter")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ShiftDialog) and dialog.details is not None

    assert snap_compare(app_for(demo, coordinator(demo)), terminal_size=SIZE, run_before=run_before)


@pytest.mark.slow
def test_help_on_rota(snap_compare, demo):
    async def run_before(pilot) -> None:
        await go(pilot, "r", RotaScreen)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HelpDialog)

    assert snap_compare(app_for(demo, coordinator(demo)), terminal_size=SIZE, run_before=run_before)


@pytest.mark.slow
def test_load_coordinator(snap_compare, demo):
    """The Load screen: hours per person, limits in words, the bar chart and the spread."""
    from warmline.screens.load import LoadScreen

    async def run_before(pilot) -> None:
        await go(pilot, "l", LoadScreen)

    assert snap_compare(app_for(demo, coordinator(demo)), terminal_size=SIZE, run_before=run_before)
