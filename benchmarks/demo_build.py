"""Time `warmline demo` on the two scaled lines and check that each keeps every rota rule.

    python -m benchmarks.demo_build

Cases (each must build in under a minute):
  large line    2000 volunteers, 260 weeks, round the clock (~10,920 shifts, ~54,600 seats)
  network pool  10,000 volunteers, the default 12 weeks of weekday and weekend shifts

Each case builds into its own temporary directory, so nothing of yours is touched.
The clock is fixed (WARMLINE_NOW, unless already set) so runs are comparable.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

FIXED_NOW = "2026-11-23T08:00:00-05:00"
LIMIT_SECONDS = 60.0
CASES = [
    ("large line", {"people": 2000, "weeks": 260, "round_the_clock": True}),
    ("network pool", {"people": 10_000}),
]


def run_case(name: str, options: dict) -> dict:
    """Build one case in a fresh directory; return its timings, sizes and check result."""
    from warmline import rota
    from warmline.db import open_db
    from warmline.demo import build

    with tempfile.TemporaryDirectory(prefix="warmline-bench-") as tmp:
        started = time.perf_counter()
        db = open_db(Path(tmp) / "demo.db", create=True)
        try:
            summary = build(db, seed=7, **options)
            built = time.perf_counter() - started
            started = time.perf_counter()
            report = rota.check(db.conn)
            checked = time.perf_counter() - started
            shifts = db.conn.execute("SELECT count(*) FROM shift").fetchone()[0]
            seats = db.conn.execute("SELECT coalesce(sum(seats + backup_seats), 0) FROM shift").fetchone()[0]
            placed = db.conn.execute("SELECT count(*) FROM assignment").fetchone()[0]
        finally:
            db.close()
    return {
        "case": name,
        "build_s": built,
        "check_s": checked,
        "shifts": shifts,
        "seats": seats,
        "assignments": placed,
        "ok": report.ok and not report.warnings,
        "problems": report.errors + report.warnings,
        "summary": summary,
    }


def main() -> int:
    os.environ.setdefault("WARMLINE_NOW", FIXED_NOW)
    results = [run_case(name, options) for name, options in CASES]
    print(f"{'case':<14}{'build s':>9}{'check s':>9}{'shifts':>8}{'seats':>8}{'assignments':>13}  check ok")
    for r in results:
        print(
            f"{r['case']:<14}{r['build_s']:>9.2f}{r['check_s']:>9.2f}{r['shifts']:>8}{r['seats']:>8}"
            f"{r['assignments']:>13}  {'yes' if r['ok'] else 'NO'}"
        )
    for r in results:
        print(f"  {r['case']}: {r['summary']}")
        for problem in r["problems"][:5]:
            print(f"    {problem}")
    slow = [r["case"] for r in results if r["build_s"] >= LIMIT_SECONDS]
    if slow:
        print(f"too slow (>= {LIMIT_SECONDS:.0f} s): {', '.join(slow)}", file=sys.stderr)
    return 0 if all(r["ok"] for r in results) and not slow else 1


def figures():
    """For `python -m benchmarks`: build both scaled lines; each must build in < 60 s and pass check."""
    from .common import Figure, progress

    os.environ.setdefault("WARMLINE_NOW", FIXED_NOW)
    rows = []
    for name, options in CASES:
        progress(f"building the {name}")
        r = run_case(name, options)
        rows.append(
            Figure(f"demo build: {name} ({r['shifts']:,} shifts), check ok: {'yes' if r['ok'] else 'NO'}",
                   r["build_s"], "s", target="< 60 s", meets=r["build_s"] < LIMIT_SECONDS and r["ok"])
        )
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
