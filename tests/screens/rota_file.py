"""The rota file each Pilot test builds with the core, and bounded waits for the running app.

Not a conftest.py: tests/conftest.py is imported as `conftest` by other suites, and a second
conftest module here would shadow it. Each test module defines its `line` fixture with make_rota.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

NOW = "2026-11-23T08:00:00-05:00"  # Monday 23 Nov 2026, 08:00 in New York
TZ = ZoneInfo("America/New_York")
PASS = "correct horse battery"


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A wall time in the line's zone in late 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


@dataclass
class Rota:
    """A rota file with a coordinator and two volunteers (ana, ben), all with passphrase PASS."""

    path: Path
    coord: object
    ana: object
    ben: object

    def db(self):
        from warmline.db import open_db

        return open_db(self.path)

    def shift(self, start: datetime, end: datetime, *, seats: int = 2, backup: int = 1, on: tuple = ()) -> int:
        """Add a one-off shift (and put people on it: (person, role) pairs); returns its id."""
        from warmline import rota

        with self.db() as db:
            # Test rotas hold history too (shifts before the fixed clock): recorded as such.
            s = rota.add_shift(db, self.coord, start=start, end=end, seats=seats, backup=backup, allow_past=True)
            for person, role in on:
                rota.assign(db, self.coord, s.id, person.handle, role=role, force=True)
            return s.id

    def view(self, shift_id: int):
        from warmline import rota

        with self.db() as db:
            return rota.view(db.conn, shift_id)

    def audit(self, action: str) -> list:
        from warmline import audit, people

        with self.db() as db:
            return [e for e in audit.entries(db.conn, people.get(db.conn, "coord")) if e.action == action]


def make_rota(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Rota:
    """Test Line (America/New_York) at a fixed Monday 08:00, with coord, ana and ben."""
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    for name in ("WARMLINE_DB", "WARMLINE_AS", "WARMLINE_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    from warmline import people
    from warmline.db import open_db
    from warmline.line import create

    path = tmp_path / "r.db"
    with open_db(path, create=True) as db:
        create(
            db, name="Test Line", tz="America/New_York", actor="coord", first_coordinator=("coord", "Coordinator", None)
        )
        coord = people.get(db.conn, "coord")
        people.set_passphrase(db, coord, "coord", PASS)
        ana = people.add(db, coord, handle="ana", name="Ana R.", passphrase=PASS)
        ben = people.add(db, coord, handle="ben", name="Ben T.", passphrase=PASS, max_hours_week=4)
        coord = people.get(db.conn, "coord")
    return Rota(path, coord, ana, ben)


async def settle(pilot) -> None:
    """Let workers finish and their results land (a worker's callback may start another)."""
    from textual.worker import WorkerCancelled

    app = pilot.app
    for _ in range(10):
        await pilot.pause()
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            pass  # an exclusive reload replaced an older one: wait for the newer one next round
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            return


async def until(pilot, predicate, *, seconds: float = 3.0) -> bool:
    """Poll `predicate` (bounded) while the app runs; True once it holds."""
    steps = int(seconds / 0.1)
    for _ in range(steps):
        if predicate():
            return True
        await pilot.pause(0.1)
    return predicate()


def text_of(widget) -> str:
    """The plain text a Static/Label shows."""
    rendered = widget.render()
    return getattr(rendered, "plain", None) or str(rendered)
