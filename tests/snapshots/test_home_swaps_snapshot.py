"""SVG snapshot (issue 15): a volunteer's Home at 80 × 24 when another volunteer has just proposed a
swap with them: the notice as a toast (no desktop in the snapshots) and "Swaps for you" with its keys,
under the crisis banner. Same switches as tests/snapshots/test_snapshots.py (fixed clock, demo seed 7)."""

from __future__ import annotations

from pathlib import Path

from snapshot_app import app_for, demo  # noqa: F401 - demo is a fixture
from test_snapshots import settle
from warmline.screens.home import HomeScreen


def propose_a_swap(path: Path):
    """The first swap the demo allows between two volunteers (by id, the core's own check); returns
    the person asked, after the proposal."""
    from datetime import timedelta

    from warmline import people, rota, swaps
    from warmline.clock import now
    from warmline.db import open_db
    from warmline.views.swap import swap_options

    moment = now()
    with open_db(path) as db:
        for p in sorted(people.all_people(db.conn, include_inactive=False), key=lambda p: p.id):
            if p.is_coordinator:
                continue
            for v in rota.views(db.conn, moment, moment + timedelta(weeks=1), person_id=p.id):
                options = swap_options(db, p, v.shift.id).options
                asked = [o for o in options if not people.get(db.conn, o.handle).is_coordinator]
                if asked:
                    swaps.propose(db, p, v.shift.id, asked[0].shift_id, asked[0].handle)
                    return people.get(db.conn, asked[0].handle)
    raise AssertionError("the demo allows no swap between two volunteers this week")


def test_home_with_a_swap_offered_at_80x24(snap_compare, demo):
    asked = propose_a_swap(demo)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await settle(pilot)  # Swaps for you is read after Home's first frame
        pilot.app.deliver_notifications()  # now, not on the first delivery's timer: the notice is in the picture
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, HomeScreen) and screen.swaps
        assert screen.query_one("#home-swaps").has_focus
        assert [n.title for n in pilot.app._notifications][-1].startswith("Swap proposed: your ")

    assert snap_compare(app_for(demo, asked), terminal_size=(80, 24), run_before=run_before)
