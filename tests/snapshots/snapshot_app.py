"""What the snapshot tests share (imported by each module; no conftest.py
here, which would shadow tests/conftest.py for `from conftest import`): the demo fixture, the fixed
clock, and a desktop channel that is never there (what the app sees without a D-Bus session), so reminders
show as toasts whatever notification daemon the test machine has.
"""

from __future__ import annotations

from pathlib import Path

import pytest

NOW = "2026-11-23T08:00:00-05:00"  # Monday 23 Nov 2026, 08:00 in New York


class NoDesktop:
    """A fake desktop channel that is never available (the snapshots are about the app)."""

    name = "desktop"

    def send(self, notification) -> None:
        from warmline.notify.channels import DesktopUnavailable

        raise DesktopUnavailable("none in the snapshot tests")


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh demo line (seed 7) at a fixed Monday morning."""
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    for name in ("WARMLINE_DB", "WARMLINE_AS", "WARMLINE_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    from warmline.db import open_db
    from warmline.demo import build

    path = tmp_path / "demo.db"
    with open_db(path, create=True) as db:
        build(db, seed=7)
    return path


def app_for(path: Path, actor):
    """The app as `actor`, with the fake desktop."""
    from warmline.screens.app import make_app

    return make_app(path, actor=actor, notifier=NoDesktop())


def coordinator(path: Path):
    """The demo's first coordinator."""
    from warmline import people
    from warmline.db import open_db

    with open_db(path) as db:
        return next(p for p in people.all_people(db.conn) if p.is_coordinator)
