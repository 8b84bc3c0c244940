"""The README's screenshots (docs/screenshots/*.svg): taken on every run, written into the
repository only when asked (`WARMLINE_WRITE_SCREENSHOTS=1 pytest tests/unit/test_screenshots.py`).

Each picture is taken by the app's own screenshot action (App.save_screenshot, the SVG export
behind Textual's "Save screenshot" command) on the demo line (seed 7) at a fixed Monday 10:00 in
New York, in a 100 × 30 terminal, after the workers have settled and with Input cursors not
blinking. Everything in the picture is then fixed, so regenerating rewrites the same bytes and
git sees no change unless a screen really changed (the test takes them twice and compares).

Tests never write into the source tree (a read-only checkout must pass): every run writes the
pictures into a temporary directory and checks them there; with WARMLINE_WRITE_SCREENSHOTS=1 it
also copies them to docs/screenshots, where a changed screen then shows up as a diff.
"""

from __future__ import annotations

import asyncio
import html
import os
import re
import shutil
from pathlib import Path

import pytest
from textual.widgets import Input
from textual.worker import WorkerCancelled

NOW = "2026-11-23T10:00:00-05:00"  # Monday 23 Nov 2026, 10:00 New York: rosa-s is on shift
SIZE = (100, 30)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WRITE_DOCS = os.environ.get("WARMLINE_WRITE_SCREENSHOTS") == "1"
LINE_NAME = "Harbor Peer Warmline"


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, access_clock_follows_warmline_now) -> Path:
    """The demo line (seed 7) in a fresh file, built at NOW (its weeks are relative to NOW)."""
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    for name in ("WARMLINE_DB", "WARMLINE_AS", "WARMLINE_PASSPHRASE", "WARMLINE_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WARMLINE_CONFIG", str(tmp_path / "no-config.toml"))
    (tmp_path / "no-config.toml").write_text("")  # the default theme, whatever the developer chose
    from warmline import demo as demo_line
    from warmline.db import open_db

    path = tmp_path / "demo.db"
    with open_db(path, create=True) as db:
        demo_line.build(db, seed=7)
    return path


def app_as(path: Path, handle: str):
    from warmline.screens.app import make_app
    from warmline import people
    from warmline.db import open_db

    with open_db(path) as db:
        actor = people.get(db.conn, handle)
    return make_app(path, actor=actor, notifier=[])  # the app only: never a real desktop notification


async def settle(pilot, predicate=lambda: True, seconds: float = 5.0) -> None:
    """Let workers finish and their results land until `predicate()` holds (bounded); no blinking."""
    app = pilot.app
    for _ in range(int(seconds / 0.05)):
        for _ in range(10):
            try:
                await app.workers.wait_for_complete()
                break
            except WorkerCancelled:  # an exclusive reload replaced another: not an error
                await pilot.pause()
        await pilot.pause()
        if predicate() and not any(w.is_running for w in app.workers):
            break
        await asyncio.sleep(0.05)
    for field in app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def screen_text(svg: str) -> str:
    """The terminal's text, row by row: Rich's SVG splits a row into one <text> per style run."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for x, y, chunk in re.findall(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        rows.setdefault(float(y), []).append((float(x), html.unescape(chunk).replace("\xa0", " ")))
    return "\n".join("".join(chunk for _, chunk in sorted(rows[y])) for y in sorted(rows))


def save(app, name: str, shots: Path) -> Path:
    """The app's own screenshot action, to SHOTS/NAME.svg."""
    shots.mkdir(parents=True, exist_ok=True)
    written = Path(app.save_screenshot(filename=f"{name}.svg", path=str(shots)))
    assert written == shots / f"{name}.svg"
    return written


async def take_all(demo: Path, shots: Path) -> dict[str, bytes]:
    """Home and Match as rosa-s (a volunteer on shift), Rota and People as dana-w (coordinator)."""
    from warmline.screens.home import HomeScreen
    from warmline.screens.match import MatchScreen
    from warmline.screens.people import PeopleScreen
    from warmline.screens.rota import RotaScreen

    written: dict[str, bytes] = {}
    app = app_as(demo, "rosa-s")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.data is not None)
        written["home"] = save(app, "home", shots).read_bytes()
        await pilot.press("m")
        await settle(pilot, lambda: isinstance(app.screen, MatchScreen) and app.screen.data is not None)
        screen = app.screen
        await pilot.press(*"loneliness", "enter")
        await settle(
            pilot,
            lambda: screen.data is not None
            and screen.data.result is not None
            and [t.id for t in screen.data.result.needs] == ["loneliness"],
        )
        written["match"] = save(app, "match", shots).read_bytes()

    app = app_as(demo, "dana-w")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app.line is not None)
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, RotaScreen) and app.screen.data is not None)
        written["rota"] = save(app, "rota", shots).read_bytes()
        await pilot.press("p")
        await settle(
            pilot,
            lambda: isinstance(app.screen, PeopleScreen) and app.screen.query_one("#people-table").row_count > 0,
        )
        written["people"] = save(app, "people", shots).read_bytes()
    return written



@pytest.mark.slow
async def test_screenshots_are_regenerated_and_reproducible(demo: Path, tmp_path: Path) -> None:
    """Takes {home,match,rota,people}.svg, checks what they show, then takes them again: the second
    run writes the same bytes, so regenerating does not churn the repository. Copied to
    docs/screenshots only with WARMLINE_WRITE_SCREENSHOTS=1."""
    out = tmp_path / "screenshots"
    shots = await take_all(demo, out)
    expected = {
        "home": ["Your next shift", "Mon 23 Nov 10:00", "rosa-s"],
        "match": ["Caller: loneliness", "rosa-s (you)"],
        "rota": ["Mon 23 Nov – Sun 29 Nov 2026"],
        "people": ["26 people", "dana-w", "rosa-s"],
    }
    assert set(shots) == set(expected)
    for name, needles in expected.items():
        path = out / f"{name}.svg"
        text = path.read_text(encoding="utf-8")
        assert text.startswith("<svg") and text.rstrip().endswith("</svg>"), name
        plain = screen_text(text)
        for needle in [LINE_NAME, *needles]:
            assert needle in plain, f"{name}.svg lacks {needle!r}"
        assert shots[name] == path.read_bytes()
    again = await take_all(demo, tmp_path / "again")
    for name in shots:
        assert again[name] == shots[name], f"{name}.svg differs between two runs: something in it is not fixed"
    if WRITE_DOCS:
        for name in shots:
            shutil.copyfile(out / f"{name}.svg", DOCS / f"{name}.svg")
