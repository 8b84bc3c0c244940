"""CLI start-up against `python -c "import sqlite3"` in the same run (issue "7 of 7").

Targets: `warmline --help` <= 3x, `warmline shifts --json` (one week, large line) <= 6x.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .common import Figure, interleaved, progress, scaled_line

RUNS = 15


def figures() -> list[Figure]:
    """Median wall time of the two commands and of the baseline, interleaved."""
    warmline = str(Path(sys.executable).parent / "warmline")
    large = scaled_line("large")
    # The large line maps the OS user who built it to its first coordinator: no --as needed.
    # Bytecode cached as an installed package has it (see benchmarks/screens.py, child_env).
    from .screens import child_env

    env = child_env(WARMLINE_DB=str(large))
    progress(f"timing {RUNS} interleaved runs of each command")
    base, help_s, shifts_s = interleaved(
        [
            [sys.executable, "-c", "import sqlite3"],
            [warmline, "--help"],
            [warmline, "shifts", "--json", "--from", "2026-11-23", "--to", "2026-11-29"],
        ],
        RUNS,
        env=env,
    )
    return [
        Figure("warmline --help", help_s, "s", "import sqlite3", base, "≤ 3×", help_s <= 3 * base),
        Figure("warmline shifts --json (1 week, large line)", shifts_s, "s", "import sqlite3", base, "≤ 6×", shifts_s <= 6 * base),
    ]
