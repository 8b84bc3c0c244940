"""Issue 16's acceptance: a volunteer on shift asks for a debrief and their backup sees it as a real desktop
notification (dunst on Xvfb over a private D-Bus session, as tests/system/test_desktop_notify.py), naming
who asks and when, and nothing else."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import require_tool, warmline_script
from desktop import DUNST_PRELUDE
from warmline import debrief, people, rota
from warmline.db import iso_utc, open_db
from warmline.line import create
from warmline.recurrence import zone

PASSPHRASE = "correct horse battery"
TIMEOUT = 60
TZ = zone("America/New_York")

SCRIPT = DUNST_PRELUDE + r"""
if [ "$up" = yes ]; then
    "$WARMLINE" notify --once >"$out/notify.out" 2>"$out/notify.err"
    echo $? >"$out/notify.rc"
    for _ in $(seq 1 20); do
        dunstctl close-all
        sleep 0.1
        [ "$(dunstctl count displayed)" = 0 ] && [ "$(dunstctl count waiting)" = 0 ] && break
    done
    dunstctl history >"$out/history.json"
fi
kill "$dunst_pid" 2>/dev/null
wait "$dunst_pid" 2>/dev/null
exit 0
"""


@pytest.mark.slow
def test_the_backup_sees_a_debrief_request_as_a_desktop_notification(tmp_path):
    for tool in ("xvfb-run", "dbus-run-session", "dunst", "dunstctl", "notify-send", "dbus-send"):
        require_tool(tool)
    path = tmp_path / "desk.db"
    present = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    start, end = present - timedelta(hours=1), present + timedelta(hours=2)
    db = open_db(path, create=True)
    try:
        create(db, name="T", tz="America/New_York", actor="coord", first_coordinator=("coord", "C", None))
        coord = people.get(db.conn, "coord")
        sam = people.add(db, coord, handle="sam", name="Sam R", tags=["grief", "hearing-voices"], tags_set_by_self=True)
        people.add(db, coord, handle="ria", name="Ria", passphrase=PASSPHRASE)
        # Made ahead, then moved around the real present (a shift that has started is not assignable).
        shift = rota.add_shift(db, coord, start=start + timedelta(days=30), end=end + timedelta(days=30), backup=1)
        rota.assign(db, coord, shift.id, "sam", force=True)
        rota.assign(db, coord, shift.id, "ria", role="backup", force=True)
        with db.transaction() as conn:
            conn.execute(
                "UPDATE shift SET start_utc = ?, end_utc = ?, start_local = ?, end_local = ? WHERE id = ?",
                (iso_utc(start), iso_utc(end), start.astimezone(TZ).isoformat(), end.astimezone(TZ).isoformat(), shift.id),
            )
        asked, told = debrief.request(db, sam)  # the real clock: sam is on shift now
        assert [p.handle for p in told] == ["ria"]
    finally:
        db.close()
    title = "Debrief asked: Sam R"
    out = tmp_path / "out"
    out.mkdir()
    script = tmp_path / "scenario.sh"
    script.write_text(SCRIPT)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WARMLINE_", "DBUS_", "XDG_"))}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    home = tmp_path / "home"
    home.mkdir()
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local" / "share"),
               WARMLINE=str(warmline_script()), WARMLINE_DB=str(path), WARMLINE_AS="ria", WARMLINE_PASSPHRASE=PASSPHRASE)
    done = subprocess.run(
        ["xvfb-run", "-a", "dbus-run-session", "--", "bash", str(script), str(out)],
        env=env, capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL,
    )
    log = (out / "dunst.log").read_text() if (out / "dunst.log").exists() else ""
    assert (out / "up").read_text().strip() == "yes", f"dunst never owned the bus:\n{log}\n{done.stderr}"
    assert (out / "notify.rc").read_text().strip() == "0", (out / "notify.err").read_text()
    assert f"{title} (desktop)" in (out / "notify.out").read_text()
    data = json.loads((out / "history.json").read_text())
    shown = [(e["summary"]["data"], e["body"]["data"]) for group in data["data"] for e in group]
    assert len(shown) == 1 and shown[0][0] == title, shown
    body = shown[0][1]
    assert body.startswith("Sam R asks for a debrief (") and body.endswith(f"warmline debrief accept {asked.id}")
    assert not any(word in body.lower() for word in ("grief", "hearing", "voices", "call"))
