"""Run every benchmark and print one table: figure, median, baseline, ratio, target, met.

    python -m benchmarks [--only NAME ...]

Each module listed in MODULES exposes `figures() -> list[Figure]`. Scaled lines are
built once and cached (see benchmarks/common.py). Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
from datetime import date

from .common import FIXED_NOW, Figure

MODULES = ["cli", "writes", "demo_build", "matching", "screens", "terminal", "memory", "autofill", "report", "ssh"]


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s" and value < 1:
        return f"{value * 1000:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:,.1f} {unit}".strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=MODULES, help="run only these")
    args = parser.parse_args(argv)
    os.environ.setdefault("WARMLINE_NOW", FIXED_NOW)
    rows: list[Figure] = []
    started = time.perf_counter()
    for name in args.only or MODULES:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ImportError as exc:
            print(f"{name}: skipped ({exc})", file=sys.stderr)
            continue
        if not hasattr(module, "figures"):
            continue
        print(f"{name}:", file=sys.stderr, flush=True)
        rows.extend(module.figures())
    header = ("figure", "median", "baseline", "ratio", "target", "meets")
    table = [
        (
            r.name,
            _fmt(r.median, r.unit),
            f"{r.baseline_name} {_fmt(r.baseline, r.unit)}" if r.baseline is not None else "-",
            f"{r.ratio:.2f}×" if r.ratio is not None else "-",
            r.target or "-",
            {True: "yes", False: "NO", None: "-"}[r.meets],
        )
        for r in rows
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *table)]
    print(f"warmline benchmarks, {date.today().isoformat()}, {platform.machine()} {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {time.perf_counter() - started:.0f} s")
    for line in (header, *table):
        print("  ".join(str(x).ljust(w) for x, w in zip(line, widths)).rstrip())
    return 0 if all(r.meets is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
