"""What every benchmark shares: one row type for the table, timing helpers, and cached scaled lines.

Benchmarks print ratios against a baseline measured in the same run; nothing here is a test.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
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


def has_tmux(figure: str) -> bool:
    """Whether tmux is installed; when not, say on stderr that `figure` is skipped."""
    if shutil.which("tmux"):
        return True
    print(f"  {figure}: skipped (tmux not installed)", file=sys.stderr)
    return False


def time_in_tmux(
    command: Sequence[str],
    env: Mapping[str, str],
    shown: Callable[[str], bool],
    *,
    quit_keys: Sequence[str] = ("q",),
    size: tuple[int, int] = (100, 30),
    wait: float = 60.0,
) -> float:
    """Seconds from `tmux new-session` running `command` to `shown(pane text)` being true.

    A real terminal: a tmux server of its own (its own socket, no configuration file), one
    window of `size`, the command run under `env -i` with exactly `env`. The pane is captured
    every ~10 ms. Then `quit_keys` are sent and the command is given up to 3 s to leave (so it
    does not load the machine during the next run) before the server is killed.
    """
    sock = f"wl-bench-{uuid.uuid4().hex[:8]}"
    tmux = ["tmux", "-L", sock, "-f", "/dev/null"]
    line = "exec env -i " + " ".join(shlex.quote(f"{k}={v}") for k, v in env.items()) + " " + shlex.join(command)
    pane = ""
    try:
        started = time.perf_counter()
        subprocess.run([*tmux, "new-session", "-d", "-s", "m", "-x", str(size[0]), "-y", str(size[1]), line],
                       check=True, timeout=15)
        deadline = started + wait
        while time.perf_counter() < deadline:
            pane = subprocess.run([*tmux, "capture-pane", "-p", "-t", "m"], capture_output=True, text=True, timeout=15).stdout
            if shown(pane):
                elapsed = time.perf_counter() - started
                subprocess.run([*tmux, "send-keys", "-t", "m", *quit_keys], capture_output=True, timeout=15)
                gone = time.perf_counter() + 3
                while time.perf_counter() < gone:
                    if subprocess.run([*tmux, "has-session", "-t", "m"], capture_output=True, timeout=15).returncode:
                        break
                    time.sleep(0.02)
                return elapsed
            time.sleep(0.01)
        raise RuntimeError(f"not shown within {wait:.0f} s: {shlex.join(command)}\n{pane}")
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True, timeout=15)
        # tmux leaves its socket file behind: remove it (one per run would pile up in /tmp).
        socket_dir = Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}"
        (socket_dir / sock).unlink(missing_ok=True)


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
