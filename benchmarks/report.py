"""`warmline report` on the large line: five years of a 24/7 rota, all of it ended, with calls.

    python -m benchmarks --only report

The cached large line (2,000 people, 260 weeks of round-the-clock 4-hour shifts; see
benchmarks/common.py) is copied, and the copy gets five years of anonymous calls (30 a day,
1–3 needs each), added in bulk with sqlite-utils' insert_all (benchmark set-up only: warmline
itself never imports sqlite_utils outside `export sqlite`). The clock is then set past the
rota's end, so every shift has ended and counts, and the whole command is timed as a person
runs it: `warmline report --from … --to … --by month --json` (start-up included).

Target: under 2 s.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .common import Figure, cache_dir, interleaved, progress, scaled_line

RUNS = 5
TARGET_S = 2.0
CALLS_PER_DAY = 30
AFTER_THE_END = "2031-12-01T08:00:00-05:00"  # past the large line's last shift
RANGE = ("2026-10-26", "2031-11-16")  # its five years


def _with_calls(source: Path) -> Path:
    """A copy of the large line with five years of calls (made once, cached beside it)."""
    target = cache_dir() / f"{source.stem}-calls.db"
    if target.exists():
        return target
    import sqlite_utils

    progress(f"adding five years of calls to a copy of the large line ({target.name})")
    partial = target.with_suffix(".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(source, partial)
    db = sqlite_utils.Database(partial)
    rng = random.Random(5)
    tags = [r[0] for r in db.execute("SELECT id FROM tag")]
    popularity = [1.0 / (rank + 1) for rank in range(len(tags))]
    hour_weight = [0.3] * 7 + [0.8] * 10 + [1.6] * 5 + [0.8] * 2
    start = datetime(2026, 10, 26, 5, tzinfo=timezone.utc)
    calls, needs = [], []
    call_id = db.execute("SELECT coalesce(max(id), 0) FROM call").fetchone()[0]  # the demo logged a few weeks
    for day in range(5 * 365 + 20):
        for _ in range(CALLS_PER_DAY):
            call_id += 1
            hour = rng.choices(range(24), hour_weight)[0]
            at = start + timedelta(days=day, hours=hour, minutes=rng.randrange(60))
            calls.append({"id": call_id, "at_utc": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "taken_by": None})
            for tag in set(rng.choices(tags, popularity, k=rng.choice((1, 1, 2, 2, 3)))):
                needs.append({"call_id": call_id, "tag_id": tag})
    with db.conn:
        db["call"].insert_all(calls, batch_size=5000)
        db["call_need"].insert_all(needs, batch_size=5000)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    partial.rename(target)
    return target


def figures() -> list[Figure]:
    """Median wall time of the report over the large line's five years, by month, as JSON."""
    from .screens import child_env

    line = _with_calls(scaled_line("large"))
    warmline = str(Path(sys.executable).parent / "warmline")
    env = child_env(WARMLINE_DB=str(line))
    env["WARMLINE_NOW"] = AFTER_THE_END
    progress(f"timing {RUNS} runs of warmline report over five years")
    command = [warmline, "report", "--from", RANGE[0], "--to", RANGE[1], "--by", "month", "--json"]
    base, report_s = interleaved([[sys.executable, "-c", "import sqlite3"], command], RUNS, env=env)
    cpu_s = statistics.median(_cpu_seconds(command, env) for _ in range(RUNS))
    return [
        Figure(
            "warmline report (5 years 24/7, by month, large line)", report_s, "s", "import sqlite3", base,
            f"< {TARGET_S:g} s", report_s < TARGET_S,
        ),
        # The same command's CPU time (user + system): what the wall time would be on an idle machine.
        Figure("  the same, CPU time", cpu_s, "s", target=f"< {TARGET_S:g} s", meets=cpu_s < TARGET_S),
    ]


def _cpu_seconds(command: list[str], env: dict) -> float:
    """User + system CPU seconds of one run of `command` (a child's rusage)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=120)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


if __name__ == "__main__":
    os.environ.setdefault("WARMLINE_NOW", AFTER_THE_END)
    for f in figures():
        print(f)
