"""Real processes racing on one rota file.

Every worker is a separate Python process (tests/workers.py) that opens its own
connection, waits on a start barrier, and then races the others. The core's
promise (DESIGN.md, "Storage rules"): each change is one BEGIN IMMEDIATE
transaction that re-reads what it depends on, so racing writers queue under
busy_timeout and the loser sees the winner; nobody gets "database is locked",
nobody over-fills a shift, and every change has exactly one audit row.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from warmline import people, rota
from warmline.db import open_db
from warmline.line import create

NOW = "2026-11-23T08:00:00-05:00"
TZ = ZoneInfo("America/New_York")
WORKER = Path(__file__).resolve().parents[1] / "workers.py"
WORKERS = 8
TIMEOUT = 40  # seconds for any one worker; the whole file stays well under a minute


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", NOW)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A local time on 2026-11-<day> in the line's zone (23 Nov 2026 is a Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def make_line(path: Path, volunteers: int = WORKERS):
    db = open_db(path, create=True)
    create(db, name="Test Line", tz="America/New_York", actor="coord", first_coordinator=("coord", "Coordinator", None))
    coord = people.get(db.conn, "coord")
    handles = [f"v{n:02d}" for n in range(1, volunteers + 1)]
    for h in handles:
        people.add(db, coord, handle=h, name=f"V {h[1:]}")
    return db, coord, handles


def run_workers(tmp_path: Path, command: str, arg_list: list[dict]) -> list[dict]:
    """Start one process per args, release them together, and return their JSON reports."""
    go = tmp_path / "go"
    env = {k: v for k, v in os.environ.items() if k not in ("WARMLINE_DB", "WARMLINE_AS", "WARMLINE_PASSPHRASE")}
    env["WARMLINE_NOW"] = NOW
    procs = []
    for n, args in enumerate(arg_list):
        args = {**args, "ready": str(tmp_path / f"ready-{n}"), "go": str(go)}
        procs.append(
            subprocess.Popen(
                [sys.executable, str(WORKER), command, json.dumps(args)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
        )
    try:
        deadline = time.monotonic() + TIMEOUT
        while not all((tmp_path / f"ready-{n}").exists() for n in range(len(procs))):
            dead = [p for p in procs if p.poll() is not None]
            assert not dead, f"a worker died before the start: {dead[0].communicate()}"
            assert time.monotonic() < deadline, "workers never became ready"
            time.sleep(0.01)
        go.touch()  # everyone starts at once
        reports = []
        for p in procs:
            out, err = p.communicate(timeout=TIMEOUT)
            assert p.returncode == 0, f"worker failed ({p.returncode}):\n{err}"
            reports.append(json.loads(out))
        return reports
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()


def audit_count(conn, action: str, actor: str | None = None) -> int:
    sql = "SELECT count(*) FROM audit WHERE action = ?"
    params: list[object] = [action]
    if actor is not None:
        sql += " AND actor = ?"
        params.append(actor)
    return conn.execute(sql, params).fetchone()[0]


def assert_clear_refusal(result: dict) -> None:
    """A failure must be a WarmlineError refusal that explains itself, never a lock or busy timeout."""
    assert result["kind"] == "refused", f"unexpected exception: {result}"
    text = result["message"].lower()
    assert "locked" not in text and "busy" not in text, f"lock error leaked: {result}"
    assert result["message"].strip(), "a refusal without a message"


@pytest.mark.slow
def test_last_seats_race_never_overfills(tmp_path):
    """8 volunteers race for 3 shifts × 2 seats: exactly 6 claims succeed, the rest are seat refusals."""
    db, coord, handles = make_line(tmp_path / "w.db")
    # Three 4 h shifts on different days: one person may take all three without breaking a limit.
    shifts = [rota.add_shift(db, coord, start=at(d, 10), end=at(d, 14), seats=2, backup=1).id for d in (25, 26, 27)]
    claims_before = audit_count(db.conn, "claim")

    reports = run_workers(
        tmp_path,
        "claim_race",
        [{"db": str(db.path), "handle": h, "shifts": shifts[::-1] if n % 2 else shifts} for n, h in enumerate(handles)],
    )

    successes = 0
    for report in reports:
        for r in report["results"]:
            if r["ok"]:
                successes += 1
            else:
                assert_clear_refusal(r)
                assert r["type"] == "RuleBroken" and r["rule"] == "seats", r
    assert successes == 6  # every seat went to somebody, and no more
    on = rota.assignments(db.conn, shifts)
    for sid in shifts:
        assert len(on[sid]) == 2, f"shift {sid}: {on[sid]}"
    report = rota.check(db.conn)
    assert report.ok, report.errors
    assert not report.warnings
    assert audit_count(db.conn, "claim") - claims_before == successes
    # the winners recorded in the audit log are exactly the people on the shifts
    winners = {(a.shift_id, a.handle) for sid in shifts for a in on[sid]}
    audited = {
        (int(subject.split()[1]), actor)
        for actor, subject in db.conn.execute("SELECT actor, subject FROM audit WHERE action = 'claim'")
    }
    assert audited == winners
    db.close()


@pytest.mark.slow
def test_one_person_on_overlapping_shifts_race(tmp_path):
    """8 coordinators' processes each put v01 on a different one of 8 mutually overlapping shifts: one wins."""
    db, coord, _ = make_line(tmp_path / "w.db", volunteers=1)
    # Starts 10:00, 10:15, ... 11:45, each 4 h long: every pair overlaps.
    shifts = [
        rota.add_shift(db, coord, start=at(25, 10) + timedelta(minutes=15 * n), end=at(25, 14) + timedelta(minutes=15 * n)).id
        for n in range(WORKERS)
    ]
    before = audit_count(db.conn, "assign")

    reports = run_workers(
        tmp_path, "assign_race", [{"db": str(db.path), "actor": "coord", "shift": sid, "target": "v01"} for sid in shifts]
    )

    winners = [r for r in reports if r["ok"]]
    assert len(winners) == 1, reports
    for r in reports:
        if not r["ok"]:
            assert_clear_refusal(r)
            assert r["type"] == "RuleBroken" and r["rule"] == "overlap", r
    on = rota.assignments(db.conn, shifts)
    assert [sid for sid in shifts if on[sid]] == [winners[0]["shift"]]
    report = rota.check(db.conn)
    assert report.ok, report.errors
    assert audit_count(db.conn, "assign") - before == 1
    db.close()


@pytest.mark.slow
def test_mixed_claims_and_drops(tmp_path):
    """8 volunteers × 40 random claims and drops on a shared pool: invariants hold, the audit log adds up."""
    db, coord, handles = make_line(tmp_path / "w.db")
    pool = []
    # Tomorrow's shifts are inside the 48 h drop cut-off (drops become cover requests that
    # later claims take over); the rest are further out (drops reopen the seat).
    for day in (24, 25, 26, 27, 28):
        pool.append(rota.add_shift(db, coord, start=at(day, 9), end=at(day, 13), seats=2, backup=1).id)
        pool.append(rota.add_shift(db, coord, start=at(day, 13), end=at(day, 17), seats=3, backup=1).id)
    before = {h: (audit_count(db.conn, "claim", h), audit_count(db.conn, "drop", h)) for h in handles}

    reports = run_workers(
        tmp_path,
        "mixed",
        [{"db": str(db.path), "handle": h, "shifts": pool, "seed": 1000 + n, "ops": 40} for n, h in enumerate(handles)],
    )

    total = 0
    for report in reports:
        assert not report["problems"], report["problems"]
        h = report["handle"]
        claims = audit_count(db.conn, "claim", h) - before[h][0]
        drops = audit_count(db.conn, "drop", h) - before[h][1]
        assert (claims, drops) == (report["counts"]["claim"], report["counts"]["drop"]), h
        total += claims + drops
    assert total > 0
    check = rota.check(db.conn)
    assert check.ok, check.errors
    assert not check.warnings, check.warnings  # nobody forced anything, so no limit is exceeded
    for v in rota.views(db.conn, at(23, 0), at(30, 0)):
        assert len(v.peers) <= v.shift.seats and len(v.backups) <= v.shift.backup_seats
        for c in v.cover:  # an open cover request belongs to someone still on the shift
            assert c.person_id in {a.person_id for a in v.peers + v.backups}
    db.close()
