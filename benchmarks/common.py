"""What every benchmark shares: one row type for the table, timing helpers, and cached scaled lines.

Benchmarks print ratios against a baseline measured in the same run; nothing here is a test.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

FIXED_NOW = "2026-11-23T08:00:00-05:00"


@dataclass(frozen=True)
class Figure:
    """One line of the table: a measured median against its baseline and target."""

    name: str
    median: float
    unit: str
    baseline_name: str = ""
    baseline: float | None = None
    target: str = ""
    meets: bool | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.median / self.baseline


def progress(message: str) -> None:
    """One progress line on stderr (the table goes to stdout)."""
    print(f"  … {message}", file=sys.stderr, flush=True)


def interleaved(commands: Sequence[Sequence[str]], runs: int, env: dict | None = None) -> list[float]:
    """Median wall seconds of each command, run alternately `runs` times (so load hits all alike)."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for i, cmd in enumerate(commands):
            started = time.perf_counter()
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=120)
            times[i].append(time.perf_counter() - started)
    return [statistics.median(t) for t in times]


def median_of(fn: Callable[[], float], runs: int) -> float:
    """Median of `runs` results of fn()."""
    return statistics.median(fn() for _ in range(runs))


def cache_dir() -> Path:
    """Where scaled lines are kept between runs (WARMLINE_BENCH_CACHE, else ~/.cache/warmline-bench)."""
    path = Path(os.environ.get("WARMLINE_BENCH_CACHE", Path.home() / ".cache" / "warmline-bench"))
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _fingerprint() -> str:
    """Changes when the schema or the demo builder changes, so stale caches are rebuilt."""
    import warmline.demo
    from warmline.db import SCHEMA_VERSION

    source = Path(warmline.demo.__file__).read_bytes()
    return f"s{SCHEMA_VERSION}-" + hashlib.sha256(source).hexdigest()[:10]


def scaled_line(kind: str) -> Path:
    """A cached demo line: 'large' (2,000 people, 260 weeks, 24/7) or 'pool' (10,000 people)."""
    options = {
        "large": {"people": 2000, "weeks": 260, "round_the_clock": True},
        "pool": {"people": 10_000},
    }[kind]
    path = cache_dir() / f"{kind}-{_fingerprint()}.db"
    if path.exists():
        return path
    os.environ.setdefault("WARMLINE_NOW", FIXED_NOW)
    from warmline.db import open_db
    from warmline.demo import build

    progress(f"building the {kind} line once (cached in {path.parent})")
    partial = path.with_suffix(".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    db = open_db(partial, create=True)
    try:
        build(db, seed=1, **options)
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    partial.rename(path)
    return path
