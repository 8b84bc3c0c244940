"""Two app instances, a `warmline notify --daemon` and a coordinator's script on one rota file at
once, for a while: no process fails, nobody sees "database is locked", and no change is lost.

* Two app processes (`reliability_workload.py app`) run the real Textual app headless, one as
  volunteer v01 and one as v02, and drive it with Pilot key presses: claim the selected open seat
  on Home (c), drop their next shift (d, then y in the confirmation), move around the rota
  (r, ], [, t, h). Both race for the same open seats. Each reports the claims and drops the core
  returned as done to its worker, and every notification and error message the app showed.
* `warmline notify --daemon --interval 1` (the real CLI, acting as coord through the OS login)
  takes a write transaction every second; WARMLINE_NOTIFY_CHANNEL=file:… (the product's test
  channel) records what it delivered.
* This test process meanwhile writes through the core as fast as it reasonably can: coord's
  assigns, unassigns, new shifts and series, edits, cancellations and limit changes, and claims
  and drops by v03-v06.

Afterwards: every process exited 0 with no traceback; no message anywhere says locked or busy;
the audit log holds exactly the changes each party reported as done (per actor, as a multiset of
(actor, action, subject)), so nothing was lost and nothing extra appeared; every notification the
daemon delivered is marked sent, exactly once; rota.check and `warmline check` pass.

About 30 s: the apps run 15 s after ~5 s of start-up on 2 CPUs (on a loaded machine they go on,
up to 45 s, until each has made 2 claims). WARMLINE_LONG=1 runs the apps for 60 s.
WARMLINE_SEED=N repeats the seed (printed) for the key presses and the coordinator's writes;
the interleaving is the OS's.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from reliability_workload import ACTION, NOW, TZ, WARMLINE, actor_of, apply, choose, env, make_line

from warmline import people, rota
from warmline.db import open_db
from warmline.errors import StorageError, WarmlineError

LONG = os.environ.get("WARMLINE_LONG", "") == "1"
APP_SECONDS = 60 if LONG else 15
MAX_SECONDS = APP_SECONDS + 30  # a loaded machine may need longer for each app's first claims
MIN_CLAIMS = 2
HELPER = Path(__file__).with_name("reliability_workload.py")
APP_USERS = ("v01", "v02")
SCRIPT_USERS = ("v03", "v04", "v05", "v06")
BAD_WORDS = ("locked", "busy", "database error", "unexpected", "traceback")


def seed_for_run() -> int:
    chosen = os.environ.get("WARMLINE_SEED")
    return int(chosen) if chosen else random.SystemRandom().randrange(1, 2**31)


def audit_counter(conn, actors, after: int) -> Counter:
    marks = ",".join("?" * len(actors))
    return Counter(
        tuple(r)
        for r in conn.execute(
            f"SELECT actor, action, subject FROM audit WHERE id > ? AND actor IN ({marks})", (after, *actors)
        )
    )


@pytest.mark.slow
def test_two_apps_a_daemon_and_a_script_share_one_rota(tmp_path, monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    seed = seed_for_run()
    print(f"seed {seed} (WARMLINE_SEED={seed} repeats it); apps run {APP_SECONDS} s")
    rng = random.Random(seed)
    started = time.monotonic()

    path = tmp_path / "rota.db"
    db = make_line(path)
    coord = people.get(db.conn, "coord")
    # Plenty of open seats over Home's four weeks, and a shift of coord's starting at 08:30 today,
    # so the daemon has a reminder due at once (and cover requests keep coming from the writes below).
    for day in range(1, 21):
        s = datetime(2026, 11, 23, 13, 0, tzinfo=TZ) + timedelta(days=day)
        rota.add_shift(db, coord, start=s, end=s + timedelta(hours=4), seats=3, backup=1)
    soon = rota.add_shift(db, coord, start=datetime(2026, 11, 23, 8, 30, tzinfo=TZ), end=datetime(2026, 11, 23, 12, 30, tzinfo=TZ))
    rota.assign(db, coord, soon.id, "coord")
    baseline = db.conn.execute("SELECT max(id) FROM audit").fetchone()[0]

    delivered = tmp_path / "delivered.txt"
    child_env = env(WARMLINE_DB=str(path), XDG_DATA_HOME=str(tmp_path / "xdg-data"), XDG_CONFIG_HOME=str(tmp_path / "xdg-config"))
    daemon = subprocess.Popen(
        [str(WARMLINE), "notify", "--daemon", "--interval", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
        env={**child_env, "WARMLINE_NOTIFY_CHANNEL": f"file:{delivered}"},
    )
    apps = {
        handle: subprocess.Popen(
            [sys.executable, str(HELPER), "app",
             json.dumps({"db": str(path), "handle": handle, "seconds": APP_SECONDS, "max_seconds": MAX_SECONDS,
                         "min_claims": MIN_CLAIMS, "seed": rng.randrange(2**31)})],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL, env=child_env,
        )
        for handle in APP_USERS
    }
    outputs: dict[str, tuple[str, str]] = {}
    mine: Counter = Counter()  # what this process's writes reported as done
    refused = 0
    try:
        # Write alongside them until both apps are done (bounded).
        deadline = time.monotonic() + MAX_SECONDS + 60
        while any(p.poll() is None for p in apps.values()):
            assert time.monotonic() < deadline, "the apps did not finish in time"
            op, args = choose(db.conn, rng, volunteers=SCRIPT_USERS)
            try:
                subject = apply(db, op, args)
            except StorageError as exc:
                raise AssertionError(f"seed {seed}: a storage error while others write: {exc}") from None
            except WarmlineError:
                refused += 1
            else:
                mine[(actor_of(op, args), ACTION[op], subject)] += 1
            time.sleep(rng.uniform(0.05, 0.3))
        for handle, proc in apps.items():
            outputs[handle] = proc.communicate(timeout=30)
        time.sleep(1.5)  # one more delivery round after the last change
        daemon.send_signal(signal.SIGTERM)
        outputs["daemon"] = daemon.communicate(timeout=30)
    finally:
        for proc in (*apps.values(), daemon):
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    # Every process ended well and said nothing alarming.
    for handle, proc in apps.items():
        out, err = outputs[handle]
        assert proc.returncode == 0, f"seed {seed}: app {handle} exited {proc.returncode}:\n{err}"
        assert "Traceback" not in err and not err.strip(), f"seed {seed}: app {handle} stderr:\n{err}"
    out, err = outputs["daemon"]
    assert daemon.returncode == 0, f"seed {seed}: the daemon exited {daemon.returncode}:\n{err}"
    assert "Traceback" not in err and "warning:" not in err, f"seed {seed}: the daemon's stderr:\n{err}"
    assert err.strip().splitlines()[-1] == "warmline notify: stopped (SIGTERM)", err

    reports = {handle: json.loads(outputs[handle][0]) for handle in APP_USERS}
    for handle, report in reports.items():
        assert not report["failed_workers"], f"seed {seed}: app {handle}: {report['failed_workers']}"
        for severity, message in report["notices"]:
            assert severity != "error", f"seed {seed}: app {handle} showed an error: {message}"
        shown = [m for _, m in report["notices"]] + report["errors"] + [r[3] for r in report["refused"]]
        for message in shown:
            assert not any(w in message.lower() for w in BAD_WORDS), f"seed {seed}: app {handle}: {message}"
        assert all(r[2] in ("RuleBroken", "Refused", "Invalid", "NotFound") for r in report["refused"]), report["refused"]
        # What the app told its person matches what its core calls returned.
        thanks = [m for _, m in report["notices"] if m.startswith("You are on ")]
        dropped = [m for _, m in report["notices"] if m.startswith(("Dropped ", "Cover requested for "))]
        assert (len(thanks), len(dropped)) == (len(report["claimed"]), len(report["dropped"])), report

    with open_db(path) as check_db:
        conn = check_db.conn
        # No lost change, nothing extra: per actor, the audit log is exactly what each party reported.
        for handle, report in reports.items():
            reported = Counter(
                [(handle, "claim", f"shift {sid}") for sid in report["claimed"]]
                + [(handle, "drop", f"shift {sid}") for sid, _ in report["dropped"]]
            )
            assert audit_counter(conn, (handle,), baseline) == reported, f"seed {seed}: {handle}"
        assert audit_counter(conn, ("coord", *SCRIPT_USERS), baseline) == mine, f"seed {seed}: the script's writes"
        # The daemon: everything it delivered is marked sent, each exactly once, and vice versa.
        lines = delivered.read_text().split() if delivered.exists() else []
        sent = [r[0] for r in conn.execute(
            "SELECT id FROM notification WHERE person_id = ? AND state = 'sent' AND channel = 'file'", (coord.id,)
        )]
        assert lines, f"seed {seed}: the daemon delivered nothing (it had at least a reminder due)"
        assert len(lines) == len(set(lines)), f"seed {seed}: delivered twice: {Counter(lines).most_common(3)}"
        assert sorted(map(int, lines)) == sorted(sent)
        report = rota.check(conn)
        assert report.ok, f"seed {seed}: {report.errors}"

    checked = subprocess.run([str(WARMLINE), "check"], capture_output=True, text=True, timeout=60, env=child_env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    done = {
        h: (len(r["claimed"]), len(r["dropped"]), len(r["refused"]), r["keys"],
            round(sum(t for _, t in r["timing"]) / max(1, len(r["timing"])), 2))
        for h, r in reports.items()
    }
    elapsed = time.monotonic() - started
    print(
        f"in {elapsed:.1f} s: apps (claims, drops, refusals, keys, s per key) {done}; script {sum(mine.values())} changes, "
        f"{refused} refusals; daemon delivered {len(lines)}"
    )
    assert all(d[0] > 0 for d in done.values()), f"an app claimed nothing in {MAX_SECONDS} s: {done}"
    assert sum(mine.values()) > 20, "the script hardly wrote"
    db.close()
