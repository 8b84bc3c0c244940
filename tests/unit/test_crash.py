"""SIGKILL in the middle of a write: the file comes back whole, without a trace of the half-done change.

A child process (tests/workers.py `crash`) starts one multi-row write transaction
(a series of hundreds of shifts, an edit or cancellation of one, or a bulk of
assignments with their audit rows) and freezes at a chosen point *inside* the
transaction: SQLite's progress handler fires every few VM steps, and at the Kth
one the child writes a marker file and sleeps. The parent then SIGKILLs it. With
a tiny page cache the child has already spilled uncommitted pages into the WAL,
so recovery really has something to throw away.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from warmline import people, rota
from warmline.db import open_db
from warmline.line import create

NOW = "2026-11-23T08:00:00-05:00"
TZ = ZoneInfo("America/New_York")
ROOT = Path(__file__).resolve().parents[2]
WORKER = ROOT / "tests" / "workers.py"
WARMLINE = Path(sys.executable).parent / "warmline"
TABLES = ("line", "person", "series", "shift", "assignment", "cover_request", "audit")
OPS = ("add_series", "edit_series", "cancel_series", "assign_many")
KILLS = 12


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", NOW)


def env() -> dict[str, str]:
    """The child's environment: the fixed clock, and nothing from the developer's shell choosing a rota or actor."""
    keep = {k: v for k, v in os.environ.items() if k not in ("WARMLINE_DB", "WARMLINE_AS", "WARMLINE_PASSPHRASE")}
    return {**keep, "WARMLINE_NOW": NOW}


def snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Every row of the rota's tables, in id order."""
    return {t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY rowid")] for t in TABLES}


def copy_db(src: Path, dst: Path) -> None:
    """A consistent copy (the SQLite backup API), including whatever sits in the WAL."""
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()
    os.chmod(dst, 0o600)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A line with a year-long daily series (364 shifts), four volunteers, a few assignments."""
    mp = pytest.MonkeyPatch()
    mp.setenv("WARMLINE_NOW", NOW)
    try:
        path = tmp_path_factory.mktemp("crash") / "template.db"
        db = open_db(path, create=True)
        create(db, name="Test Line", tz="America/New_York", actor="coord", first_coordinator=("coord", "Coordinator", None))
        with db.transaction() as conn:  # materialise a year ahead so one write touches hundreds of rows
            conn.execute("UPDATE line SET horizon_weeks = 52")
        coord = people.get(db.conn, "coord")
        handles = [f"v{n:02d}" for n in range(1, 5)]
        for h in handles:
            people.add(db, coord, handle=h, name=f"V {h}", max_shifts_week=7, max_hours_week=60, min_rest_hours=4)
        series, made = rota.add_series(
            db, coord, rule="FREQ=DAILY", start=datetime(2026, 11, 24, 9, 0, tzinfo=TZ),
            end=datetime(2026, 11, 24, 13, 0, tzinfo=TZ), seats=3, backup=1,
        )
        assert made >= 300
        ids = [r[0] for r in db.conn.execute("SELECT id FROM shift WHERE series_id = ? ORDER BY start_utc", (series.id,))]
        for sid in ids[:6]:
            rota.assign(db, coord, sid, "v01")
        db.close()
        info = {"path": path, "series": series.id, "shifts": ids, "handles": handles}
        info["calls"] = {op: calibrate(path, op, info) for op in OPS}
        yield info
    finally:
        mp.undo()


def op_args(op: str, db_path: Path, info: dict) -> dict:
    args = {"db": str(db_path), "op": op, "actor": "coord", "every": 20, "cache_pages": 8}
    if op in ("edit_series", "cancel_series"):
        args["series"] = info["series"]
    if op == "assign_many":
        args["shifts"] = info["shifts"][10:250]
        args["handles"] = info["handles"][1:]
    return args


def run_worker(args: dict, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WORKER), "crash", json.dumps(args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(), **kw,
    )


def calibrate(template_path: Path, op: str, info: dict) -> int:
    """Run the write to completion on a copy; return how many progress callbacks its transaction made."""
    path = template_path.with_name(f"calibrate-{op}.db")
    copy_db(template_path, path)
    proc = run_worker(op_args(op, path, info))
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    report = json.loads(out)
    assert report["ok"], report
    with open_db(path) as db:
        assert rota.check(db.conn).ok
        assert snapshot(db.conn) != snapshot_of(template_path), f"{op} changed nothing"
    assert report["calls"] > 20, report
    return report["calls"]


def snapshot_of(path: Path) -> dict:
    with open_db(path) as db:
        return snapshot(db.conn)


@pytest.mark.slow
def test_sigkill_inside_a_write_transaction_leaves_no_trace(template, tmp_path):
    rng = random.Random(20261123)
    spilled = 0
    for n in range(KILLS):
        op = OPS[n % len(OPS)]
        path = tmp_path / f"kill-{n}.db"
        copy_db(template["path"], path)
        before = snapshot_of(path)
        marker = tmp_path / f"marker-{n}"
        trigger = rng.randint(1, max(1, int(template["calls"][op] * 0.95)))
        proc = run_worker({**op_args(op, path, template), "trigger": trigger, "marker": str(marker)})
        try:
            deadline = time.monotonic() + 20
            while not marker.exists():
                assert proc.poll() is None, f"{op} finished before its kill point {trigger}: {proc.communicate()}"
                assert time.monotonic() < deadline, "the child never reached its kill point"
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.02))
            os.kill(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=10)
            assert proc.returncode == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

        wal = Path(f"{path}-wal")
        spilled += wal.exists() and wal.stat().st_size > 0  # uncommitted frames left for recovery to discard
        with open_db(path) as db:
            report = rota.check(db.conn)
            assert report.ok, (op, trigger, report.errors)
            after = snapshot(db.conn)
            for table in TABLES:
                assert after[table] == before[table], f"{op} killed at {trigger}: {table} kept part of the change"
            # and the file is still a working rota: the next writer is not blocked by the dead one
            coord = people.get(db.conn, "coord")
            s = rota.add_shift(db, coord, start=datetime(2026, 11, 24, 20, tzinfo=TZ), end=datetime(2026, 11, 24, 23, tzinfo=TZ))
            rota.claim(db, people.get(db.conn, "v02"), s.id)
            assert rota.check(db.conn).ok
    assert spilled >= KILLS // 2, "the kills should mostly leave uncommitted pages in the WAL"


def cli(*args: str, db: Path, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(WARMLINE), *args], capture_output=True, text=True, timeout=timeout,
        env={**env(), "WARMLINE_DB": str(db)},
    )


@pytest.mark.slow
def test_sigkill_during_cli_series_add_is_all_or_nothing(tmp_path):
    """`warmline shift add --rrule FREQ=DAILY` killed at a random moment: `warmline check` passes and
    the series exists whole (every occurrence to the horizon) or not at all."""
    base = tmp_path / "base.db"
    done = cli("init", "--name", "Test Line", "--tz", "America/New_York", db=base)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(base) as conn:  # a year of daily shifts: a big transaction
        conn.execute("UPDATE line SET horizon_weeks = 52")
    conn.close()
    command = ("shift", "add", "--start", "2026-11-24T22:00", "--end", "2026-11-25T06:00", "--rrule", "FREQ=DAILY")

    # A reference run to completion: how many shifts a whole series has, and how long the
    # process lives after it opens the file (its -wal appears), which is where the write happens.
    ref = tmp_path / "ref.db"
    copy_db(base, ref)
    proc = start_cli(command, ref)
    opened = wait_for_wal(ref, proc)
    out, err = proc.communicate(timeout=30)
    window = time.monotonic() - opened
    assert proc.returncode == 0, err
    with sqlite3.connect(ref) as conn:
        whole = conn.execute("SELECT count(*) FROM shift").fetchone()[0]
    conn.close()
    assert whole >= 300

    rng = random.Random(7)
    for n in range(5):
        path = tmp_path / f"cli-{n}.db"
        copy_db(base, path)
        proc = start_cli(command, path)
        try:
            wait_for_wal(path, proc)
            time.sleep(rng.uniform(0, 1.2) * window)
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

        checked = cli("check", db=path)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        with sqlite3.connect(path) as conn:
            series = conn.execute("SELECT count(*) FROM series").fetchone()[0]
            shifts = conn.execute("SELECT count(*) FROM shift").fetchone()[0]
            audited = conn.execute("SELECT count(*) FROM audit WHERE action = 'series.add'").fetchone()[0]
        conn.close()
        assert (series, shifts, audited) in {(0, 0, 0), (1, whole, 1)}, (series, shifts, audited)


def start_cli(command: tuple[str, ...], db: Path) -> subprocess.Popen:
    assert not Path(f"{db}-wal").exists()
    return subprocess.Popen(
        [str(WARMLINE), *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**env(), "WARMLINE_DB": str(db)},
    )


def wait_for_wal(db: Path, proc: subprocess.Popen) -> float:
    """Wait (bounded) until the CLI has opened the rota; return when that was seen."""
    wal = Path(f"{db}-wal")
    deadline = time.monotonic() + 20
    while not wal.exists():
        assert proc.poll() is None or wal.exists(), f"the CLI exited without opening {db}: {proc.communicate()}"
        assert time.monotonic() < deadline, "the CLI never opened the rota"
        time.sleep(0.0005)
    return time.monotonic()
