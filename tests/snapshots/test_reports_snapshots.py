"""SVG snapshots of the Reports screen on the demo line (seed 7) at a fixed Monday morning, at 100×30
and at 80×24: last week (by week) has ended shifts, a call log and goal checks, so every part shows.

Regenerate with `pytest tests/snapshots/test_reports_snapshots.py --snapshot-update`, then look.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from snapshot_app import app_for, coordinator, demo  # noqa: F401 - demo is a fixture

def coordinator_app(path: Path):
    return app_for(path, coordinator(path))


async def settle(pilot) -> None:
    app = pilot.app
    for _ in range(10):  # bounded: a result may start another worker
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            break
    for field in app.screen.query(Input):
        field.cursor_blink = False


async def last_week(pilot) -> None:
    from warmline.screens.reports import ReportsScreen

    await settle(pilot)
    await pilot.press("f")
    await settle(pilot)
    await pilot.press("w", "left_square_bracket")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReportsScreen) and screen.by == "week" and str(screen.first) == "2026-11-16"
    assert screen.data.period.total.shifts > 0 and screen.data.period.total.calls > 0


@pytest.mark.slow
@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
def test_reports_last_week(snap_compare, demo, size):
    assert snap_compare(coordinator_app(demo), terminal_size=size, run_before=last_week)
