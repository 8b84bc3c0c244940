"""SVG snapshots of Auto-fill's proposal (issue 15) on the demo line (seed 7) at Monday 23 Nov 2026,
08:00 New York: the next four weeks proposed, each placement with its reasons, at 80x24 and 100x30 in
the dark theme and a light one, under the line's header (the crisis banner).
Regenerate with `pytest tests/snapshots/test_autofill_snapshots.py --snapshot-update`, then look.
"""

from __future__ import annotations

import pytest
from snapshot_app import app_for, coordinator, demo  # noqa: F401  (demo is a fixture)

SIZES = {"80x24": (80, 24), "100x30": (100, 30)}
THEMES = {"dark": "textual-dark", "light": "textual-light"}


@pytest.mark.slow
@pytest.mark.parametrize("theme", list(THEMES.values()), ids=list(THEMES))
@pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))
def test_autofill_proposal(snap_compare, demo, size, theme):  # noqa: F811
    import asyncio

    from warmline.screens.autofill import AutofillDialog, AutofillScreen

    app = app_for(demo, coordinator(demo))
    app.theme = theme
    app.animation_level = "none"

    async def run_before(pilot) -> None:
        for _ in range(100):
            await pilot.pause()
            if app.line is not None:
                break
            await asyncio.sleep(0.02)
        app.action_go("autofill")
        for _ in range(100):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if isinstance(app.screen, AutofillScreen) and app.screen.form is not None:
                break
            await asyncio.sleep(0.02)
        for field in app.screen.query("Input"):
            field.cursor_blink = False
        await pilot.click("#af-quick-2")  # Next 4 weeks
        for _ in range(250):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if isinstance(app.screen, AutofillDialog) and app.screen.plan is not None:
                break
            await asyncio.sleep(0.02)
        await app.workers.wait_for_complete()
        await pilot.pause()
        for toast in app.screen.query("Toast"):
            toast.remove()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
