"""Claims per second with 8 processes contending on one database (issue "7 of 7").

Each process claims its own run of shifts as its own volunteer, so the only contention
is the write lock itself: every claim is a full BEGIN IMMEDIATE transaction with every
rule checked and a synchronous=FULL commit. Target: >= 200 claims/s with zero errors.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .common import FIXED_NOW, Figure, progress

PROCESSES = 8
SHIFTS = 100  # per process: 800 claims in all


def _setup(path: Path) -> list[int]:
    from warmline import people, rota
    from warmline.db import open_db
    from warmline.line import create

    db = open_db(path, create=True)
    create(db, name="Bench", tz="America/New_York", actor="coord", first_coordinator=("coord", "Coord", None))
    coord = people.get(db.conn, "coord")
    for n in range(PROCESSES):
        people.add(
            db, coord, handle=f"v{n}", name=f"V {n}", max_hours_week=168, max_shifts_week=50,
            min_rest_hours=0, max_overnights_month=31,
        )
    start = datetime(2026, 11, 24, 5, tzinfo=timezone.utc)
    ids = []
    with db.transaction() as conn:  # one bulk insert: the setup is not what is measured
        line = rota.get_line(conn)
        for i in range(SHIFTS):
            s = start + timedelta(hours=4 * i)
            e = s + timedelta(hours=1)
            cur = conn.execute(
                "INSERT INTO shift (start_utc, end_utc, start_local, end_local, tz, seats, backup_seats)"
                " VALUES (?, ?, ?, ?, ?, ?, 0)",
                (s.strftime("%Y-%m-%dT%H:%M:%SZ"), e.strftime("%Y-%m-%dT%H:%M:%SZ"), s.isoformat(), e.isoformat(), line.tz, PROCESSES),
            )
            ids.append(cur.lastrowid)
    db.close()
    return ids


def _worker(path: str, handle: str, ids: list[int], barrier, results) -> None:
    os.environ["WARMLINE_NOW"] = FIXED_NOW
    from warmline import people, rota
    from warmline.db import open_db
    from warmline.errors import WarmlineError

    db = open_db(path, check=False)
    me = people.get(db.conn, handle)
    ok = errors = 0
    barrier.wait()
    for sid in ids:
        try:
            rota.claim(db, me, sid)
            ok += 1
        except WarmlineError:
            errors += 1
    results.put((ok, errors, time.perf_counter()))
    db.close()


def figures() -> list[Figure]:
    """Run the contention once; report claims per second and the error count."""
    os.environ.setdefault("WARMLINE_NOW", FIXED_NOW)
    with tempfile.TemporaryDirectory(prefix="warmline-bench-") as tmp:
        path = Path(tmp) / "writes.db"
        ids = _setup(path)
        ctx = mp.get_context("spawn")
        barrier = ctx.Barrier(PROCESSES + 1)
        results = ctx.Queue()
        procs = [ctx.Process(target=_worker, args=(str(path), f"v{n}", ids, barrier, results)) for n in range(PROCESSES)]
        for p in procs:
            p.start()
        progress(f"{PROCESSES} processes × {SHIFTS} claims")
        barrier.wait(timeout=60)
        started = time.perf_counter()
        outcomes = [results.get(timeout=300) for _ in procs]
        for p in procs:
            p.join(timeout=30)
        elapsed = max(t for _, _, t in outcomes) - started
    ok = sum(o for o, _, _ in outcomes)
    errors = sum(e for _, e, _ in outcomes)
    rate = ok / elapsed if elapsed > 0 else 0.0
    return [
        Figure(f"claims/s, {PROCESSES} processes contending", rate, "/s", target="≥ 200/s", meets=rate >= 200 and errors == 0),
        Figure("claim errors in that run", float(errors), "", target="0", meets=errors == 0),
    ]
