"""SVG snapshots of the Reports screen on the demo line (seed 7) at a fixed Monday morning, at 100×30
and at 80×24: last week (by week) has ended shifts, a call log and goal checks, so every part shows.

Regenerate with `pytest tests/snapshots/test_reports_snapshots.py --snapshot-update`, then look.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

NOW = "2026-11-23T08:00:00-05:00"  # Monday 23 Nov 2026, 08:00 in New York


class NoDesktop:
    """A fake desktop channel that is never there (so reminders show as toasts, the same everywhere)."""

    name = "desktop"

    def send(self, notification) -> None:
        from warmline.notify.channels import DesktopUnavailable

        raise DesktopUnavailable("none in the snapshot tests")


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    for name in ("WARMLINE_DB", "WARMLINE_AS", "WARMLINE_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    from warmline.db import open_db
    from warmline.demo import build

    path = tmp_path / "demo.db"
    with open_db(path, create=True) as db:
        build(db, seed=7)
    return path


def coordinator_app(path: Path):
    from screens.app import make_app
    from warmline import people
    from warmline.db import open_db

    with open_db(path) as db:
        actor = next(p for p in people.all_people(db.conn) if p.is_coordinator)
    return make_app(path, actor=actor, notifier=NoDesktop())


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
    from screens.reports import ReportsScreen

    await settle(pilot)
    await pilot.press("f")
    await settle(pilot)
    await pilot.press("w", "left_square_bracket")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReportsScreen) and screen.by == "week" and str(screen.first) == "2026-11-16"
    assert screen.data.period.total.shifts > 0 and screen.data.period.total.calls > 0


@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
def test_reports_last_week(snap_compare, demo, size):
    assert snap_compare(coordinator_app(demo), terminal_size=size, run_before=last_week)
