"""The TUI's responsiveness (issue "2 of 7"): start-up, week navigation and the People screen.

  startup       process start to the Home screen drawn with its data (demo line), against a
                bare Textual app drawing one Label, by the same harness: a child process that
                prints a line once the screen is drawn; the parent times spawn to that line.
                The warmline child runs the real entry point (`warmline --db PATH`: click, the
                actor's sign-in, the app), hooked only as its screens are imported.
                Interleaved runs, medians. Target: <= 1.3x.
  week          on the large line (2,000 people, 24/7, 5 years): `]` pressed to the grid drawn
                with the next week (the week's shifts read, the grid redrawn, the screen
                refreshed; the limit flags, which the same worker reads after that, are not
                counted). Target: <= 50 ms.
  people open   on the 10,000-person pool: `p` pressed on Home to the People table drawn
                with its rows (a fresh app each run). Target: <= 500 ms.
  people filter one keystroke in the filter box to the table drawn with the matching rows.
                Target: <= 100 ms.

In-process figures run the app headless under Textual's Pilot at 100 x 30 with the clock
fixed; "drawn" means the callback the screen's data handler schedules with
`call_after_refresh` has run, i.e. the screen was refreshed after the data landed.
Run `python -m benchmarks --only screens`.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from .common import FIXED_NOW, Figure, cache_dir, progress, scaled_line

STARTUP_RUNS = 7
WEEK_STEPS = 20
PEOPLE_OPENS = 5
FILTER_KEYS = "zqxkyvwjmg"
SIZE = (100, 30)

# The child of the start-up (and memory) figures. It must import nothing it does not need
# before the clock starts: the parent times from spawning it to the "ready" line.
#   argv: MODE [DB]   MODE: bare | home | rota
#   prints: "ready <peak resident set size in KiB>" once the screen is drawn, then exits.
CHILD = r"""
import sys
mode = sys.argv[1]

def peak_kib():
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over an exec, so a child
    # of a big parent would report the parent's peak.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

def ready(app):
    print("ready", peak_kib(), flush=True)
    app.exit()

if mode == "bare":
    from textual.app import App
    from textual.widgets import Label

    class Bare(App):
        def compose(self):
            yield Label("warmline")

        def on_mount(self):
            self.call_after_refresh(ready, self)

    Bare().run(headless=True, size=(100, 30))
else:
    # The real entry point, `warmline --db PATH`, as the OS user (the demo's coordinator has
    # this machine's login), headless at 100 x 30. The hooks go in as warmline.screens.home and
    # warmline.screens.app are first imported (by the CLI itself), so nothing loads earlier than it would.
    # (A plain finder class and PathFinder: importlib.abc/util would load importlib.resources,
    # typing, tempfile... and charge the benchmark's own imports to warmline.)
    from importlib.machinery import PathFinder

    def patch_app(module):
        run = module.WarmlineApp.run
        module.WarmlineApp.run = lambda self, **kw: run(self, headless=True, size=(100, 30))

    def patch_home(module):
        shown = module.HomeScreen._show

        def home_shown(self, data):
            shown(self, data)
            if getattr(self.app, "_bench_done", False):
                return
            self.app._bench_done = True
            if mode == "home":
                self.app.call_after_refresh(ready, self.app)
            else:
                from warmline.screens.rota import RotaScreen

                # The Rota in full: the week drawn, then its limit flags (read once the grid is drawn).
                flags_shown = RotaScreen._strain_landed

                def rota_shown(screen, result):
                    flags_shown(screen, result)
                    screen.app.call_after_refresh(ready, screen.app)

                RotaScreen._strain_landed = rota_shown
                self.app.action_go("rota")

        module.HomeScreen._show = home_shown

    PATCHES = {"warmline.screens.app": patch_app, "warmline.screens.home": patch_home}

    class AfterImport:
        def find_spec(self, name, path, target=None):
            if name not in PATCHES or path is None:
                return None
            spec = PathFinder.find_spec(name, path)  # warmline.screens.app / warmline.screens.home: in the package's path
            load = spec.loader.exec_module

            def exec_module(module):
                load(module)
                PATCHES[name](module)

            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, AfterImport())
    from warmline.launch import main  # what the installed `warmline` script runs

    main(["--db", sys.argv[2]])
"""


def child_env(**extra: str) -> dict[str, str]:
    """The children's environment: clock fixed, and bytecode cached as an installed package has it.

    Without cached bytecode (PYTHONDONTWRITEBYTECODE, or an editable install whose sources
    keep changing) every start would compile warmline's modules: ~0.25 s that an installed
    warmline never pays. The cache lives beside the scaled lines, not in the source tree.
    """
    drop = ("WARMLINE_AS", "WARMLINE_PASSPHRASE", "WARMLINE_DB", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(WARMLINE_NOW=FIXED_NOW, PYTHONPYCACHEPREFIX=str(cache_dir() / "pycache"), **extra)
    return env


def run_child(mode: str, db: Path | None = None, *, timeout: float = 120) -> tuple[float, int]:
    """(wall seconds from spawn to the child's "ready" line, its peak RSS in KiB)."""
    args = [sys.executable, "-c", CHILD, mode] + ([str(db)] if db else [])
    started = time.perf_counter()
    child = subprocess.Popen(
        args, env=child_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        elapsed = time.perf_counter() - started
        _, err = child.communicate(timeout=timeout)
    except BaseException:
        child.kill()
        child.wait()
        raise
    if not line.startswith("ready ") or child.returncode != 0:
        raise RuntimeError(f"the {mode} child failed (exit {child.returncode}):\n{line}{err[-3000:]}")
    return elapsed, int(line.split()[1])


def demo_line(directory: Path) -> Path:
    """The demo line (seed 7) in `directory`, built in a child so this process stays clean."""
    path = directory / "demo.db"
    subprocess.run(
        [sys.executable, "-c", "import sys; from warmline.db import open_db; from warmline.demo import build; "
         "db = open_db(sys.argv[1], create=True); build(db, seed=7); db.close()", str(path)],
        env=child_env(),
        check=True,
        timeout=120,
    )
    return path


def startup() -> Figure:
    progress(f"start-up: {STARTUP_RUNS} interleaved runs of a bare Textual app and of warmline to Home")
    with tempfile.TemporaryDirectory(prefix="warmline-bench-") as tmp:
        db = demo_line(Path(tmp))
        run_child("bare"), run_child("home", db)  # warm the OS file cache; not counted
        bare, home = [], []
        for _ in range(STARTUP_RUNS):
            bare.append(run_child("bare")[0])
            home.append(run_child("home", db)[0])
    b, h = statistics.median(bare), statistics.median(home)
    progress(f"start-up medians: bare {b * 1000:.0f} ms, warmline {h * 1000:.0f} ms, ratio {h / b:.2f}")
    return Figure("TUI start-up to Home with data (demo line)", h, "s", "bare Textual app", b, "≤ 1.3×", h <= 1.3 * b)


# ---------------------------------------------------------------- in-process (Pilot)


def first_coordinator(path: Path):
    from warmline import people
    from warmline.db import open_db

    db = open_db(path)
    try:
        return next(p for p in people.all_people(db.conn) if p.is_coordinator)
    finally:
        db.close()


async def settle(pilot) -> None:
    app = pilot.app
    for _ in range(20):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            return


async def wait_mark(marks: list[float], count: int, seconds: float = 30.0) -> float:
    """Wait (bounded) until `marks` has more than `count` entries; return the newest."""
    deadline = time.perf_counter() + seconds
    while len(marks) <= count:
        if time.perf_counter() > deadline:
            raise TimeoutError("the screen never showed the data")
        await asyncio.sleep(0.0005)
    return marks[-1]


def marking(app, marks: list[float], fn: Callable) -> Callable:
    """`fn` followed by a mark once the screen has been refreshed after it."""

    def wrapped(*args, **kwargs):
        result = fn(*args, **kwargs)
        app.call_after_refresh(lambda: marks.append(time.perf_counter()))
        return result

    return wrapped


async def week_navigation(path: Path) -> list[float]:
    from warmline.screens.app import make_app
    from warmline.screens.rota import RotaScreen
    from warmline.screens.week import WeekGrid

    app = make_app(path, actor=first_coordinator(path))
    times: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RotaScreen) and screen.data is not None
        await pilot.pause(1.5)  # let the first file poll's reload pass
        await settle(pilot)
        marks: list[float] = []
        screen._show = marking(app, marks, screen._show)  # reload() looks up self._show each time
        for _ in range(WEEK_STEPS):
            before = screen.monday
            count = len(marks)
            started = time.perf_counter()
            await pilot.press("right_square_bracket")
            times.append(await wait_mark(marks, count) - started)
            assert screen.data.monday > before and screen.data.views, "the next week did not show"
            assert screen.query_one(WeekGrid).monday == screen.data.monday, "the grid did not show it"
            await settle(pilot)
    return times


async def people_open(path: Path) -> float:
    from warmline.screens.app import make_app
    from warmline.screens.people import PeopleScreen

    app = make_app(path, actor=first_coordinator(path))
    marks: list[float] = []
    loaded = PeopleScreen._people_loaded
    PeopleScreen._people_loaded = lambda self, data: marking(app, marks, loaded)(self, data)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            started = time.perf_counter()
            await pilot.press("p")
            await wait_mark(marks, 0)
            # The first drawing with rows: a reload the app asks for meanwhile (its first file
            # poll) draws again later, and press() may only return after that one.
            elapsed = marks[0] - started
            assert isinstance(app.screen, PeopleScreen) and app.screen.query_one("#people-table").row_count
            return elapsed
    finally:
        PeopleScreen._people_loaded = loaded


async def people_filter(path: Path) -> list[float]:
    from textual.widgets import Input

    from warmline.screens.app import make_app
    from warmline.screens.people import PeopleScreen, PeopleTable

    app = make_app(path, actor=first_coordinator(path))
    times: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PeopleScreen)
        await pilot.pause(1.5)  # let the first file poll's reload pass
        await settle(pilot)
        await pilot.press("slash")
        box = screen.query_one("#people-filter", Input)
        table = screen.query_one("#people-table", PeopleTable)
        marks: list[float] = []
        screen._apply_filter = marking(app, marks, screen._apply_filter)  # the handlers look it up each time
        for key in FILTER_KEYS:
            if box.value:
                count = len(marks)
                box.value = ""
                await wait_mark(marks, count)  # the unfiltered list is back
            await settle(pilot)
            count = len(marks)
            started = time.perf_counter()
            await pilot.press(key)
            await wait_mark(marks, count)
            times.append(marks[count] - started)  # the first drawing after the key, as in people_open
            shown = set(table.keys)
            assert box.value == key and shown, f"nothing shown for {key!r}"
            assert all(key in screen._rows[h].search for h in shown), f"rows not filtered by {key!r}"
    return times


def in_process(coro) -> object:
    os.environ["WARMLINE_NOW"] = FIXED_NOW
    return asyncio.run(coro)


def figures() -> list[Figure]:
    rows = [startup()]

    large = scaled_line("large")
    progress(f"week navigation: {WEEK_STEPS} presses of ] on the large line")
    week = statistics.median(in_process(week_navigation(large)))
    rows.append(Figure("Rota: ] to next week drawn (large line)", week, "s", target="≤ 50 ms", meets=week <= 0.050))

    pool = scaled_line("pool")
    progress(f"people: opening the People screen {PEOPLE_OPENS} times on the 10,000-person pool")
    opened = statistics.median(in_process(people_open(pool)) for _ in range(PEOPLE_OPENS))
    rows.append(Figure("People: p to table drawn (10,000 people)", opened, "s", target="≤ 500 ms", meets=opened <= 0.5))
    progress(f"people: {len(FILTER_KEYS)} filter keystrokes")
    typed = statistics.median(in_process(people_filter(pool)))
    rows.append(Figure("People: filter keystroke to rows drawn (10,000)", typed, "s", target="≤ 100 ms", meets=typed <= 0.1))
    return rows


if __name__ == "__main__":
    for figure in figures():
        print(figure)
