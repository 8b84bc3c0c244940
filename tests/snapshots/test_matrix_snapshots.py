"""Every main screen at 80×24 and 100×30, in the dark theme and a light one (issue 15).

One row of SHOTS is one screen (or dialog) as a person reaches it; the matrix is SHOTS × SIZES ×
THEMES. A new screen in screens/registry.py is one line: `Shot.go("goals")` opens it by its registry
name, as a coordinator if only coordinators may open it, else as a volunteer. A screen whose first
view needs keys or data of its own gets a `reach` (and a `prepare` for the file).

Deterministic as tests/snapshots/test_snapshots.py: the demo (seed 7) at a fixed Monday 10:00 in
New York (a shift is on, so Match has peers), built once per module and copied for each test;
no Input cursor blinks, no toasts (delivered, then cleared), no animation (a scroll lands at
once); the workers have finished; the desktop is a fake that is never there.
Slow tier (pytest-textual-snapshot cases cannot be sampled: syrupy would count the ones left out
as unused). Regenerate with
    .venv/bin/python -m pytest tests/snapshots/test_matrix_snapshots.py --snapshot-update
(or `-k 'goals'` for one screen's four), then look at the SVGs before committing them.
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

import pytest
from textual.widgets import Input
from textual.worker import WorkerCancelled

from snapshot_app import NoDesktop

NOW = "2026-11-23T10:00:00-05:00"  # Monday 23 Nov 2026, 10:00 in New York: rosa-s and ana-r are on
SIZES = {"80x24": (80, 24), "100x30": (100, 30)}
THEMES = {"dark": "textual-dark", "light": "textual-light"}  # textual-dark is the app's default

COORDINATOR = "coordinator"  # the demo's first coordinator
VOLUNTEER = "volunteer"  # the first volunteer with a shift of their own and open seats to take
ASKED = "asked"  # the volunteer a swap is waiting for (prepare: propose_a_swap)

Reach = Callable[..., Awaitable[None]]  # (pilot) -> None: from Home to the screen shown


class Shot(NamedTuple):
    """One screen of the matrix: its id, who looks, how they get there."""

    name: str
    who: str  # COORDINATOR, VOLUNTEER, ASKED or a demo handle
    reach: Reach | None = None  # None: the registry screen `name`, opened with app.action_go
    # (file, monkeypatch) -> None: changes the copied demo file, or pins what the machine would decide
    prepare: Callable[[Path, pytest.MonkeyPatch], None] | None = None

    @classmethod
    def go(cls, name: str) -> Shot:
        """A registry screen opened by name, by whoever it is for."""
        from warmline.screens.registry import BY_NAME, COORDINATORS

        return cls(name, COORDINATOR if BY_NAME[name].who == COORDINATORS else VOLUNTEER)


# --------------------------------------------------------------- getting there


async def workers_done(pilot) -> None:
    """Wait for the running workers; one cancelled meanwhile (an exclusive reload replacing another) is no error."""
    for _ in range(10):
        try:
            await pilot.app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            await pilot.pause()


async def settle(pilot) -> None:
    """Let workers finish and their results land (a result may start another worker), cursors still."""
    app = pilot.app
    for _ in range(10):
        await pilot.pause()
        await workers_done(pilot)
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            break
    for field in app.screen.query(Input):
        field.cursor_blink = False


async def press(pilot, *keys: str) -> None:
    await settle(pilot)
    await pilot.press(*keys)
    await settle(pilot)


async def no_toasts(pilot) -> None:
    """Deliver the person's notifications now and clear their toasts: a delivery otherwise starts
    when the app's poll first runs, before or after the screenshot (the toasts have tests of their own)."""
    pilot.app.deliver_notifications()
    await settle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


def opened(name: str) -> Reach:
    async def reach(pilot) -> None:
        await settle(pilot)
        pilot.app.action_go(name)
        await settle(pilot)
        await settle(pilot)
        app = pilot.app
        shown = app.is_screen_installed(name) and app.screen is app.get_screen(name)
        assert shown, f"{name} did not open: {app.screen!r}"

    return reach


async def home_volunteer(pilot) -> None:
    await settle(pilot)
    screen = pilot.app.screen
    assert screen.name == "home" and screen.data is not None
    assert screen.query_one("#upcoming").row_count and screen.query_one("#open-seats").row_count


async def home_coordinator(pilot) -> None:
    await settle(pilot)
    await settle(pilot)  # the inbox is read after Home's first frame
    screen = pilot.app.screen
    # Home opens at its top with the inbox focused ("Your next shift" in sight at 80x24): the inbox's
    # first focus does not scroll (it once left Home 3 rows down, or not, by timing).
    assert screen.scroll_y == 0
    assert screen.name == "home" and screen.inbox is not None
    assert screen.query_one("#inbox").row_count and screen.query_one("#inbox").has_focus


async def match_loneliness(pilot) -> None:
    """rosa-s, on the Monday 09–13 shift, asks for a caller who needs 'loneliness'."""
    await press(pilot, "m")
    screen = pilot.app.screen
    assert screen.name == "match", screen
    await press(pilot, *"loneliness", "enter")
    for _ in range(20):  # bounded: the match arrives from a worker
        if screen.data is not None and screen.data.result is not None:
            break
        await settle(pilot)
    assert [t.id for t in screen.data.result.needs] == ["loneliness"]


async def reports_last_week(pilot) -> None:
    await press(pilot, "f")
    await press(pilot, "w", "left_square_bracket")
    screen = pilot.app.screen
    assert screen.name == "reports" and screen.data.period.total.shifts > 0


async def shift_dialog(pilot) -> None:
    """The first shift this week with an open seat, opened from the Rota."""
    from warmline.screens.dialogs import ShiftDialog
    from warmline.screens.week import WeekGrid

    await press(pilot, "r")
    data = pilot.app.screen.data
    shift_id = next(v.shift.id for v in data.views if v.shift.status == "scheduled" and v.open_seats)
    assert pilot.app.screen.query_one(WeekGrid).select_shift(shift_id)
    await press(pilot, "enter")
    assert isinstance(pilot.app.screen, ShiftDialog) and pilot.app.screen.details is not None


async def add_person(pilot) -> None:
    from warmline.screens.person_form import AddPersonDialog

    await press(pilot, "p")
    await press(pilot, "n")
    assert isinstance(pilot.app.screen, AddPersonDialog)


def propose_a_swap(path: Path, _monkeypatch: pytest.MonkeyPatch) -> None:
    """The first swap (by volunteer id, then time) between two volunteers that breaks no rule, proposed."""
    from warmline import people, rota, swaps
    from warmline.clock import now
    from warmline.db import open_db

    moment = now()
    with open_db(path) as db:
        conn = db.conn
        everyone = sorted(people.all_people(conn), key=lambda p: p.id)
        volunteers = [p for p in everyone if p.active and not p.is_coordinator]
        week = rota.views(conn, moment + timedelta(hours=1), moment + timedelta(days=7))
        peers = [(v.shift.id, a.handle) for v in week if v.shift.status == "scheduled" for a in v.peers]
        for me in volunteers:
            for mine, handle in peers:
                if handle != me.handle:
                    continue
                for theirs, other in peers:
                    if other != me.handle and not swaps.preview(conn, me, mine, theirs, other):
                        swaps.propose(db, me, mine, theirs, other)
                        return
    raise AssertionError("the demo has no swap that breaks no rule this week")


NOTE = "Quiet morning. One caller asked about the Thursday peer group: details are in the folder."


def write_a_note(path: Path, _monkeypatch: pytest.MonkeyPatch) -> None:
    """ana-r, on the Monday 09–13 shift, leaves a handoff note for the 13–17 shift (noor-c reads it)."""
    from warmline import handoff, people, rota
    from warmline.clock import now
    from warmline.db import open_db

    moment = now()
    with open_db(path) as db:
        ana = people.get(db.conn, "ana-r")
        shift = next(v.shift.id for v in rota.views(db.conn, moment - timedelta(hours=4), moment, person_id=ana.id))
        handoff.write_note(db, ana, shift, NOTE)


def own_login(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The volunteer's login is the OS user running the app (so it writes files for them), at a home
    folder that is the same on every machine."""
    from warmline import access, people
    from warmline.db import open_db

    with open_db(path) as db:
        person = actor_for(path, VOLUNTEER)
        coordinator = actor_for(path, COORDINATOR)
        people.edit(db, coordinator, person.handle, people.PersonChanges(login="volunteer"))
    monkeypatch.setattr(access, "os_user", lambda: "volunteer")
    monkeypatch.setenv("HOME", "/home/volunteer")
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", "/home/volunteer/Downloads")  # not there: home it is


async def autofill_proposal(pilot) -> None:
    """Auto-fill's proposal for this week (the form's default range), with its reasons."""
    from warmline.screens.autofill import AutofillDialog

    await opened("autofill")(pilot)
    await press(pilot, "enter")
    dialog = pilot.app.screen
    assert isinstance(dialog, AutofillDialog)
    for _ in range(50):  # bounded: the plan comes from a worker
        if not dialog.busy:
            break
        await settle(pilot)
    assert dialog.plan is not None and dialog.plan.proposal.placements


async def swaps_waiting(pilot) -> None:
    await opened("swaps")(pilot)
    assert pilot.app.screen.query_one("#swaps-table").row_count == 1


# --------------------------------------------------------------- the matrix

SHOTS: list[Shot] = [
    Shot("home_volunteer", VOLUNTEER, home_volunteer),
    Shot("home_coordinator", COORDINATOR, home_coordinator),
    Shot("rota", COORDINATOR, lambda pilot: press(pilot, "r")),
    Shot("people", COORDINATOR, lambda pilot: press(pilot, "p")),
    Shot.go("profile"),
    Shot("match", "rosa-s", match_loneliness),
    Shot.go("coverage"),
    Shot.go("load"),
    Shot("reports", COORDINATOR, reports_last_week),
    Shot("swaps", ASKED, swaps_waiting, prepare=propose_a_swap),
    Shot.go("line_settings"),
    Shot("shift_dialog", COORDINATOR, shift_dialog),
    Shot("add_person", COORDINATOR, add_person),
    # The screens of issue 15 built this session.
    Shot.go("my_settings"),
    Shot("handoff_history", "noor-c", prepare=write_a_note),
    Shot.go("goals"),
    Shot.go("tags"),
    Shot.go("series"),
    Shot("exports", VOLUNTEER, prepare=own_login),
    Shot.go("check"),
    Shot.go("autofill"),
    Shot("autofill_proposal", COORDINATOR, autofill_proposal),
]


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo line (seed 7) built once at NOW; each test gets a copy."""
    from warmline.db import open_db
    from warmline.demo import build

    path = tmp_path_factory.mktemp("matrix") / "demo.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WARMLINE_NOW", NOW)
        with open_db(path, create=True) as db:
            build(db, seed=7)
    return path


def actor_for(path: Path, who: str):
    from warmline import people, rota, swaps
    from warmline.clock import now
    from warmline.db import open_db

    with open_db(path) as db:
        conn = db.conn
        everyone = sorted(people.all_people(conn), key=lambda p: p.id)
        if who == COORDINATOR:
            return next(p for p in everyone if p.is_coordinator)
        if who == ASKED:
            coordinator = next(p for p in everyone if p.is_coordinator)
            waiting = next(s.waiting_for for s in swaps.swaps(conn, coordinator, open_only=True))
            return people.get(conn, waiting)
        if who == VOLUNTEER:
            moment = now()
            horizon = moment + timedelta(weeks=4)
            return next(
                p
                for p in everyone
                if p.active
                and not p.is_coordinator
                and rota.claimable(conn, p, moment, horizon)
                and rota.views(conn, moment, horizon, person_id=p.id)
            )
        return people.get(conn, who)


@pytest.mark.slow
@pytest.mark.parametrize("theme", list(THEMES.values()), ids=list(THEMES))
@pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))
@pytest.mark.parametrize("shot", SHOTS, ids=[s.name for s in SHOTS])
def test_screen(
    snap_compare, demo_template, tmp_path, monkeypatch, access_clock_follows_warmline_now, shot, size, theme
):
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    for name in ("WARMLINE_DB", "WARMLINE_AS", "WARMLINE_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    if shot.prepare is not None:
        shot.prepare(path, monkeypatch)
    from warmline.screens.app import make_app

    app = make_app(path, actor=actor_for(path, shot.who), notifier=NoDesktop())
    app.theme = theme
    app.animation_level = "none"  # a scroll to the focused table lands at once, not when an animation ends
    reach = shot.reach or opened(shot.name)

    async def run_before(pilot) -> None:
        await reach(pilot)
        await no_toasts(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
