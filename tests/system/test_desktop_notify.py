"""Real desktop notifications: `warmline notify --once` shows them through a real notification
daemon (dunst) on a real X server (Xvfb) over a real D-Bus session, and says why when there is none.

The whole desktop scenario runs as one script under `xvfb-run -a dbus-run-session`, so dunst,
dunstctl and warmline share one private session bus and display; nothing touches the
developer's own desktop. The script waits (bounded) for dunst to own
org.freedesktop.Notifications before anything asks dunstctl (asking earlier would make
D-Bus start a second dunst).
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import require_tool, warmline_script
from desktop import DUNST_PRELUDE
from warmline import people, rota
from warmline.db import open_db
from warmline.line import create
from warmline.notify import outbox

TZ = ZoneInfo("America/New_York")
PASSPHRASE = "correct horse battery"
NOW = "2026-11-23T16:45:00-05:00"  # 15 min before ria's 17:00 shift, and before sam hands over to her
REMINDER = "Shift in 15 min: Mon 17:00–21:00"
HANDOFF = "Handoff in 15 min: Mon 17:00"
TIMEOUT = 60

SCRIPT = DUNST_PRELUDE + r"""
if [ "$up" = yes ]; then
    close_all
    "$WARMLINE" notify --once >"$out/first.out" 2>"$out/first.err"
    echo $? >"$out/first.rc"
    close_all
    dunstctl history >"$out/history1.json"
    "$WARMLINE" notify --once >"$out/second.out" 2>"$out/second.err"
    echo $? >"$out/second.rc"
    close_all
    dunstctl history >"$out/history2.json"
fi
kill "$dunst_pid" 2>/dev/null
wait "$dunst_pid" 2>/dev/null
exit 0
"""


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=TZ)


@pytest.fixture
def rota_file(tmp_path):
    """The rota file `_fill` makes."""
    path = tmp_path / "desk.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WARMLINE_NOW", NOW)  # the rota is made at the test's moment: sam's shift has not ended yet
        db = open_db(path, create=True)
        try:
            _fill(db)
        finally:
            db.close()
    return path


def _fill(db) -> None:
    """sam is on 13:00–17:00, ria on 17:00–21:00 (she acts with --as and a passphrase)."""
    create(db, name="T", tz="America/New_York", actor="coord", first_coordinator=("coord", "C", None))
    coord = people.get(db.conn, "coord")
    people.add(db, coord, handle="sam", name="Sam R", tags=["grief"], tags_set_by_self=True)
    people.add(db, coord, handle="ria", name="Ria", paused_tags=["veteran"])
    people.set_passphrase(db, coord, "ria", PASSPHRASE)
    a = rota.add_shift(db, coord, start=at(13), end=at(17), seats=1, backup=0)
    b = rota.add_shift(db, coord, start=at(17), end=at(21), seats=1, backup=0)
    rota.assign(db, coord, a.id, "sam")
    rota.assign(db, coord, b.id, "ria")


def base_env(tmp_path: Path, db_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WARMLINE_", "DBUS_", "XDG_"))}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env.update(
        HOME=str(home),  # dunst reads no personal dunstrc
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        WARMLINE=str(warmline_script()),
        WARMLINE_DB=str(db_path),
        WARMLINE_NOW=NOW,
        WARMLINE_AS="ria",
        WARMLINE_PASSPHRASE=PASSPHRASE,
    )
    return env


def summaries(history_file: Path) -> list[str]:
    data = json.loads(history_file.read_text())
    return [entry["summary"]["data"] for group in data["data"] for entry in group]


def states(db_path: Path) -> dict[str, tuple[str, str | None, str | None]]:
    db = open_db(db_path)
    try:
        return {
            r[0]: (r[1], r[2], r[3])
            for r in db.conn.execute(
                "SELECT n.title, n.state, n.channel, n.last_error FROM notification n"
                " JOIN person p ON p.id = n.person_id WHERE p.handle = 'ria'"
            )
        }
    finally:
        db.close()


@pytest.mark.slow
def test_notifications_reach_a_real_desktop_once(rota_file, tmp_path):
    for tool in ("xvfb-run", "dbus-run-session", "dunst", "dunstctl", "notify-send", "dbus-send"):
        require_tool(tool)
    out = tmp_path / "out"
    out.mkdir()
    script = tmp_path / "scenario.sh"
    script.write_text(SCRIPT)
    done = subprocess.run(
        ["xvfb-run", "-a", "dbus-run-session", "--", "bash", str(script), str(out)],
        env=base_env(tmp_path, rota_file),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    log = (out / "dunst.log").read_text() if (out / "dunst.log").exists() else ""
    assert (out / "up").read_text().strip() == "yes", f"dunst never owned the bus:\n{log}\n{done.stderr}"

    first = (out / "first.out").read_text()
    assert (out / "first.rc").read_text().strip() == "0", (out / "first.err").read_text()
    assert f"{REMINDER} (desktop)" in first and f"{HANDOFF} (desktop)" in first, first
    shown = summaries(out / "history1.json")
    assert REMINDER in shown and HANDOFF in shown, shown
    assert not any("Shift in 1 h" in s for s in shown)  # superseded by the nearer reminder, not sent late

    # The second run sends nothing new.
    assert (out / "second.rc").read_text().strip() == "0", (out / "second.err").read_text()
    assert (out / "second.out").read_text().strip() == "Nothing due for ria."
    assert len(summaries(out / "history2.json")) == len(shown)

    found = states(rota_file)
    assert found[REMINDER][:2] == ("sent", "desktop") and found[HANDOFF][:2] == ("sent", "desktop")
    # Lock-screen safe: no tags in anything that reached the desktop.
    assert not any(word in " ".join(shown).lower() for word in ("grief", "veteran"))


@pytest.mark.slow
def test_without_a_notification_service_nothing_is_lost(rota_file, tmp_path):
    env = base_env(tmp_path, rota_file)  # no DBUS_SESSION_BUS_ADDRESS, no DISPLAY
    done = subprocess.run(
        [str(warmline_script()), "notify", "--once"],
        env=env, capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    why = "desktop unavailable: no D-Bus session (DBUS_SESSION_BUS_ADDRESS unset); shown in the app instead"
    assert "failed #" in done.stdout and why in done.stdout, done.stdout
    assert REMINDER in done.stdout and HANDOFF in done.stdout
    found = states(rota_file)
    assert found[REMINDER][0] == "failed" and found[REMINDER][2].startswith("desktop unavailable: ")
    assert found[HANDOFF][0] == "failed"
    db = open_db(rota_file)
    try:
        ria = people.get(db.conn, "ria")
        toasts = [n.title for n in outbox.pending_for_app(db.conn, ria, datetime.fromisoformat(NOW))]
    finally:
        db.close()
    assert REMINDER in toasts and HANDOFF in toasts


@pytest.mark.slow
def test_a_session_bus_without_a_notification_daemon(rota_file, tmp_path):
    """A D-Bus session but no notification daemon able to run (no display): 'desktop unavailable', exit 0."""
    require_tool("dbus-run-session")
    require_tool("notify-send")
    done = subprocess.run(
        ["dbus-run-session", "--", str(warmline_script()), "notify", "--once"],
        env=base_env(tmp_path, rota_file), capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    failed = [line for line in done.stdout.splitlines() if line.startswith("failed #")]
    assert len(failed) == 2 and all("desktop unavailable: " in line for line in failed), done.stdout
    assert all(state[0] == "failed" for state in states(rota_file).values() if state[0] != "expired")
