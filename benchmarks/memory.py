"""Peak memory of the TUI showing the Rota on the large line, against a bare Textual app.

Each runs in its own process, headless at 100 x 30, with the same harness as the start-up
figure (benchmarks/screens.py, CHILD): `warmline --db LARGE` opens on Home, goes to the Rota,
and once the week grid is drawn and its limit flags have landed (the Rota in full) the child
reads its peak resident set size (VmHWM in /proc/self/status) and exits; the bare app reads it once its one Label is drawn. Medians of a few runs.
Target: <= 1.5x the bare app. Run `python -m benchmarks --only memory`.
"""

from __future__ import annotations

import statistics

from .common import Figure, progress, scaled_line
from .screens import run_child

RUNS = 3


def figures() -> list[Figure]:
    large = scaled_line("large")
    progress(f"peak RSS: {RUNS} interleaved runs of a bare Textual app and of warmline on the Rota (large line)")
    run_child("bare"), run_child("rota", large)  # warm the file cache and the bytecode cache; not counted
    bare, rota = [], []
    for _ in range(RUNS):
        bare.append(run_child("bare")[1])
        rota.append(run_child("rota", large)[1])
    b, r = statistics.median(bare) / 1024, statistics.median(rota) / 1024  # MiB
    progress(f"peak RSS medians: bare {b:.1f} MiB, warmline Rota {r:.1f} MiB, ratio {r / b:.2f}")
    return [Figure("Peak RSS, Rota on the large line", r, "MiB", "bare Textual app", b, "≤ 1.5×", r <= 1.5 * b)]


if __name__ == "__main__":
    for figure in figures():
        print(figure)
