"""Auto-fill four weeks of the demo line scaled to 300 people, every seat of those weeks empty.

    python -m benchmarks.autofill [--time-limit 30] [--no-availability]

The line is `warmline.demo.build(seed=1, people=300)` (weekday and weekend series, 4 weeks back
and 8 ahead). Every assignment on the 4 weeks from this Monday is deleted, with the cover
requests, so earlier weeks keep their history (who has been a backup before). Unless
--no-availability, a seeded random 40 % of the volunteers get weekly available windows, 10 %
some days off in those weeks and 30 % preferred windows, as a real line would have. The
demo's coverage goals and call-log demand stay.

Then, side by side:
  heuristic    `autofill.propose(engine="greedy")`, reading the rota included
  CP-SAT       `autofill.propose(engine="cpsat")` with the time limit (what `--engine auto`
               does when OR-Tools is installed: warm-started from the heuristic's plan)
  CP-SAT cold  CP-SAT alone on the same problem, no hint, the same time limit

For each the objective levels (seats, goal places, demand covered, seat-hours, fairness cost,
preferred) and the ratio heuristic/CP-SAT per level against the better of CP-SAT's two plans,
as quality: for the fairness cost, which is minimised, CP-SAT's cost over the heuristic's.
Targets: the heuristic in <= 5 s and >= 95 % of CP-SAT on every level.

Then the seats against the true optimum (issue 15), on two lines round the clock from Monday
26 October 2026, so the night the clocks go back (a 5-hour shift) is inside: 40 people, one
week, 4 + 1 seats a shift, seeds 1-7; 300 people, four weeks, 10 + 2 seats and limits of
8-12 hours and 1-3 shifts a week (tight), seeds 1-3. The optimum is bounded by the linear
relaxation of the seat count (`seats_bound`); a plan meeting the bound is optimal. Targets:
the heuristic >= 99 % of it on every seed within 5 s, and `--engine cpsat` at it (first seed). Every plan is applied to a copy of the line and checked with
`rota.check` (no errors and no warnings). Printed, not asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from .common import FIXED_NOW, Figure, progress

PEOPLE = 300
WEEKS = 4
HEURISTIC_S = 5.0
RATIO = 0.95
LEVELS = (  # (label, Score attribute, maximised)
    ("seats", "seats", True),
    ("goal places", "goals", True),
    ("demand", "demand", True),
    ("seat-hours", "seat_hours", True),
    ("fairness cost", "fairness", False),
    ("preferred", "preferred", True),
)


def make_line(folder: Path, *, with_availability: bool = True) -> tuple[Path, datetime, datetime]:
    """Build the scaled demo in `folder`, empty the next four weeks; returns (path, start, end)."""
    from warmline import availability, people
    from warmline.clock import now
    from warmline.db import iso_utc, open_db
    from warmline.demo import build
    from warmline.line import get as get_line
    from warmline.recurrence import localize, zone
    from warmline.rules import week_of

    path = folder / "autofill.db"
    db = open_db(path, create=True)
    try:
        build(db, seed=1, people=PEOPLE)
        tz = zone(get_line(db.conn).tz)
        monday = week_of(now(), tz)
        start = localize(datetime.combine(monday, datetime.min.time()), tz)
        end = localize(datetime.combine(monday + timedelta(weeks=WEEKS), datetime.min.time()), tz)
        with db.transaction() as conn:
            conn.execute("DELETE FROM cover_request")
            conn.execute(
                "DELETE FROM assignment WHERE shift_id IN (SELECT id FROM shift WHERE start_utc >= ? AND start_utc < ?)",
                (iso_utc(start), iso_utc(end)),
            )
        if with_availability:
            rng = random.Random(1)
            coord = next(p for p in people.all_people(db.conn) if p.is_coordinator)
            first_day = max(monday, now().astimezone(tz).date())
            for person in people.all_people(db.conn):
                if person.is_coordinator:
                    continue
                if rng.random() < 0.4:
                    days = rng.choice(["weekdays", "weekends", "MO,WE,FR", "TU,TH,SA", "daily"])
                    hours = rng.choice(["09:00-17:00", "13:00-22:00", "08:00-23:00", "17:00-22:00"])
                    availability.set_windows(db, coord, person.handle, availability.parse_windows([days, hours]))
                if rng.random() < 0.1:
                    first = first_day + timedelta(days=rng.randrange(WEEKS * 7 - 3))
                    availability.add_time_off(db, coord, person.handle, first, first + timedelta(days=rng.randrange(1, 7)))
                if rng.random() < 0.3:
                    days = rng.choice(["weekdays", "weekends", "MO,TU", "TH,FR"])
                    windows = availability.parse_windows([days, rng.choice(["09:00-13:00", "13:00-17:00", "17:00-22:00"])],
                                                         kind="preferred")
                    availability.set_windows(db, coord, person.handle, windows)
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return path, start, end


# ---------------------------------------------------------------- the quality lines (issue 15)

CLOCK_CHANGE_NOW = "2026-10-26T08:00:00-04:00"  # a Monday: New York falls back on Sunday 1 November
OVERNIGHT_SEEDS = (1, 2, 3, 4, 5, 6, 7)
TIGHT_SEEDS = (1, 2, 3)
QUALITY = 0.99  # the heuristic's worst seats / the optimum
QUALITY_S = 5.0


def round_the_clock_line(
    folder: Path, seed: int, *, people_count: int, weeks: int, seats: int, backup: int,
    hours: tuple[int, ...] = (), shifts: tuple[int, ...] = (),
) -> tuple[Path, datetime, datetime]:
    """The round-the-clock demo (six 4-hour shifts a day, two of them overnight), every seat of
    `weeks` weeks from Monday 26 October 2026 empty (the 00:00 shift of Sunday 1 November, when
    the clocks go back, lasts 5 hours), `seats` + `backup` seats a shift, the volunteers' weekly
    hour and shift limits drawn from `hours` and `shifts` when given, and seeded availability
    windows (40 %) and time off (10 %). Build it with WARMLINE_NOW = CLOCK_CHANGE_NOW."""
    from warmline import availability, people
    from warmline.clock import now
    from warmline.db import iso_utc, open_db
    from warmline.demo import build
    from warmline.line import get as get_line
    from warmline.recurrence import localize, zone
    from warmline.rules import week_of

    path = folder / f"line-{people_count}-{seed}.db"
    db = open_db(path, create=True)
    try:
        build(db, seed=seed, people=people_count, round_the_clock=True)
        tz = zone(get_line(db.conn).tz)
        monday = week_of(now(), tz)
        start = localize(datetime.combine(monday, datetime.min.time()), tz)
        end = localize(datetime.combine(monday + timedelta(weeks=weeks), datetime.min.time()), tz)
        rng = random.Random(seed)
        span = (iso_utc(start), iso_utc(end))
        with db.transaction() as conn:
            conn.execute("DELETE FROM cover_request")
            conn.execute("DELETE FROM assignment WHERE shift_id IN (SELECT id FROM shift WHERE start_utc >= ? AND start_utc < ?)", span)
            conn.execute("UPDATE shift SET seats = ?, backup_seats = ? WHERE start_utc >= ? AND start_utc < ?", (seats, backup, *span))
            if hours:
                for (pid,) in conn.execute("SELECT id FROM person WHERE role = 'volunteer' ORDER BY id").fetchall():
                    conn.execute("UPDATE person SET max_hours_week = ?, max_shifts_week = ? WHERE id = ?",
                                 (rng.choice(hours), rng.choice(shifts), pid))
        coord = _coordinator(db)
        first_day = max(monday, now().astimezone(tz).date())
        for person in people.all_people(db.conn):
            if person.is_coordinator:
                continue
            if rng.random() < 0.4:
                days = rng.choice(["weekdays", "weekends", "MO,WE,FR", "TU,TH,SA", "daily"])
                window = rng.choice(["09:00-17:00", "13:00-22:00", "08:00-23:00", "17:00-22:00", "20:00-08:00"])
                availability.set_windows(db, coord, person.handle, availability.parse_windows([days, window]))
            if rng.random() < 0.1:
                first = first_day + timedelta(days=rng.randrange(weeks * 7 - 3))
                availability.add_time_off(db, coord, person.handle, first, first + timedelta(days=rng.randrange(1, 7)))
    finally:
        db.close()
    return path, start, end


def overnight_line(folder: Path, seed: int) -> tuple[Path, datetime, datetime]:
    """40 volunteers, one round-the-clock week with overnights and the clock change, 4 + 1 seats a shift."""
    return round_the_clock_line(folder, seed, people_count=40, weeks=1, seats=4, backup=1)


def tight_line(folder: Path, seed: int) -> tuple[Path, datetime, datetime]:
    """300 volunteers, four round-the-clock weeks, 10 + 2 seats a shift, limits of 8–12 hours and 1–3
    shifts a week: nearly every seat can be filled, and the last few only by chains of moves."""
    return round_the_clock_line(folder, seed, people_count=300, weeks=4, seats=10, backup=2,
                                hours=(8, 10, 12), shifts=(1, 2, 3))


def seats_bound(problem) -> int:
    """An upper bound on the seats any plan fills: the linear relaxation (OR-Tools' GLOP) of the
    seat count under every rule, with each person's rest and overlap conflicts as cliques and, per
    week, at most as many shifts as the shortest ones that fit in their hours; rounded down. A plan
    that fills this many seats is optimal."""
    from ortools.linear_solver import pywraplp

    p = problem
    lp = pywraplp.Solver.CreateSolver("GLOP")
    x = {(w, s, role): lp.NumVar(0, 1, "") for (s, role), found in p.eligible.items() for w in found}
    on: dict[tuple[int, int], list] = {}
    for (w, s, _role), var in x.items():
        on.setdefault((s, w), []).append(var)
    for found in on.values():
        if len(found) > 1:
            lp.Add(sum(found) <= 1)
    for (s, role), found in p.eligible.items():
        if found:
            lp.Add(sum(x[(w, s, role)] for w in found) <= p.slots[s].open[role])
    mine: dict[int, list[int]] = {}
    for s, w in on:
        mine.setdefault(w, []).append(s)
    for w, slots in mine.items():
        worker = p.workers[w]
        slots.sort(key=lambda s: p.slots[s].lo)
        active: list[int] = []
        for s in slots:
            active = [t for t in active if p.slots[t].hi + worker.rest > p.slots[s].lo] + [s]
            if len(active) > 1:
                lp.Add(sum(v for t in active for v in on[(t, w)]) <= 1)
        for week, left in worker.week_secs.items():
            group = [s for s in slots if p.slots[s].week == week]
            if group:
                lp.Add(sum(p.slots[s].secs * v for s in group for v in on[(s, w)]) <= left)
                lengths, fit, total = sorted(p.slots[s].secs for s in group), 0, 0
                for secs in lengths:
                    if total + secs > left:
                        break
                    total, fit = total + secs, fit + 1
                lp.Add(sum(v for s in group for v in on[(s, w)]) <= min(fit, worker.week_shifts[week]))
        for month, left in worker.month_nights.items():
            group = [s for s in slots if p.slots[s].month == month and p.slots[s].overnight]
            if group:
                lp.Add(sum(v for s in group for v in on[(s, w)]) <= left)
    lp.Maximize(sum(x.values()))
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return p.seats
    return min(p.seats, int(lp.Objective().Value() + 1e-6))


def every_rule_holds(path: Path, folder: Path, proposal) -> bool:
    """Apply the proposal to a copy of the line: rota.check finds no error or warning that was not there
    before (the tight line's lowered limits make some of the demo's history break them), availability no clash."""
    from warmline import autofill, availability, rota
    from warmline.db import open_db

    copy = folder / f"check-{id(proposal)}.db"
    shutil.copy(path, copy)
    db = open_db(copy)
    try:
        before = rota.check(db.conn)
        autofill.apply(db, _coordinator(db), proposal)
        after = rota.check(db.conn)
        clashes = availability.conflicts(db.conn, proposal.start, proposal.end)
    finally:
        db.close()
        copy.unlink()
    new = set(after.errors + after.warnings) - set(before.errors + before.warnings)
    for problem in sorted(new)[:3] + clashes[:3]:
        progress(f"rule broken: {problem}")
    return not new and not clashes


def quality(cpsat_limit: float = 60.0) -> dict:
    """Each seed of both lines: the heuristic's seats and seconds (autofill.propose, reading the rota
    included), the bound, whether every rule holds; CP-SAT (auto-fill's own, warm-started) on the
    first seed of each line: at the bound or not. Returns {line: [rows]}."""
    from warmline import autofill
    from warmline.autofill import cpsat
    from warmline.autofill.problem import build as build_problem
    from warmline.db import open_db

    saved = os.environ.get("WARMLINE_NOW")
    os.environ["WARMLINE_NOW"] = CLOCK_CHANGE_NOW
    found: dict[str, list[dict]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="warmline-bench-") as tmp:
            folder = Path(tmp)
            for name, make, seeds in (("40 people, overnights", overnight_line, OVERNIGHT_SEEDS),
                                      ("300 people, 24/7, tight", tight_line, TIGHT_SEEDS)):
                rows = found.setdefault(name, [])
                for seed in seeds:
                    path, start, end = make(folder, seed)
                    db = open_db(path)
                    try:
                        coord = _coordinator(db)
                        began = time.perf_counter()
                        heuristic = autofill.propose(db.conn, coord, start, end, engine="greedy")
                        seconds = time.perf_counter() - began
                        row = {"seed": seed, "seats": heuristic.score.seats, "open": heuristic.seats_open,
                               "seconds": seconds, "bound": seats_bound(build_problem(db.conn, coord, start, end))}
                        row["rules"] = every_rule_holds(path, folder, heuristic)
                        if seed == seeds[0] and cpsat.available():
                            solved = autofill.propose(db.conn, coord, start, end, engine="cpsat", time_limit=cpsat_limit)
                            row["cpsat"] = solved.score.seats
                            row["cpsat_engine"] = solved.engine  # 'greedy' when CP-SAT found nothing better in its budget
                            row["cpsat_rules"] = every_rule_holds(path, folder, solved)
                    finally:
                        db.close()
                    progress(f"{name}, seed {seed}: heuristic {row['seats']} of {row['open']} seats in {seconds:.1f} s;"
                             f" bound {row['bound']}" + (f"; CP-SAT's proposal {row['cpsat']} ({row['cpsat_engine']}'s plan)"
                                                         if "cpsat" in row else ""))
                    rows.append(row)
    finally:
        if saved is None:
            os.environ.pop("WARMLINE_NOW", None)
        else:
            os.environ["WARMLINE_NOW"] = saved
    return found


def quality_figures(cpsat_limit: float = 60.0) -> list[Figure]:
    """Per line: the heuristic's worst seats / optimum over the seeds, its slowest time, and CP-SAT at the optimum."""
    try:
        import ortools  # noqa: F401  (the bound needs OR-Tools' LP solver)
    except ImportError:
        progress("OR-Tools not installed: the heuristic's quality against the optimum is not measured")
        return []
    figures_found = []
    for name, rows in quality(cpsat_limit).items():
        worst = min(r["seats"] / r["bound"] if r["bound"] else 1.0 for r in rows)
        slowest = max(r["seconds"] for r in rows)
        rules_ok = all(r["rules"] and r.get("cpsat_rules", True) for r in rows)
        at_bound = sum(r["seats"] == r["bound"] for r in rows)
        progress(f"{name}: the heuristic at the optimum on {at_bound} of {len(rows)} seeds; every rule holds: {rules_ok}")
        figures_found.append(Figure(f"autofill heuristic seats / optimum, {name} (worst of {len(rows)} seeds)",
                                    worst * 100, "%", target=f"≥ {QUALITY * 100:g} %", meets=worst >= QUALITY and rules_ok))
        figures_found.append(Figure(f"autofill heuristic, {name} (slowest seed)", slowest, "s",
                                    target=f"≤ {QUALITY_S:g} s", meets=slowest <= QUALITY_S))
        solved = [r for r in rows if "cpsat" in r]
        if solved:
            at = all(r["cpsat"] >= r["bound"] for r in solved)
            whose = "CP-SAT's own plan" if solved[0]["cpsat_engine"] == "cpsat" else "the heuristic's plan, CP-SAT found none better"
            figures_found.append(Figure(
                f"autofill --engine cpsat at the optimum, {name} (seed {solved[0]['seed']}, {cpsat_limit:g} s; {whose})",
                1.0 if at else 0.0, "yes" if at else "no", target="yes", meets=at))
    return figures_found


def _coordinator(db):
    from warmline import people

    return next(p for p in people.all_people(db.conn) if p.is_coordinator)


def _check_plan(path: Path, folder: Path, proposal, name: str) -> str:
    """Apply the proposal to a fresh copy and run rota.check; returns 'ok' or what went wrong."""
    from warmline import autofill, availability, rota
    from warmline.db import open_db

    copy = folder / f"check-{name}.db"
    shutil.copy(path, copy)
    db = open_db(copy)
    try:
        autofill.apply(db, _coordinator(db), proposal)
        report = rota.check(db.conn)
        clashes = availability.conflicts(db.conn, proposal.start, proposal.end)
    finally:
        db.close()
    if report.errors or report.warnings or clashes:
        return f"{len(report.errors)} errors, {len(report.warnings)} warnings, {len(clashes)} availability clashes"
    return "ok"


def run(time_limit: float = 30.0, *, with_availability: bool = True, cold: bool = True) -> dict:
    """Run the comparison; returns the rows and timings (and prints progress to stderr)."""
    from warmline import autofill
    from warmline.autofill import cpsat
    from warmline.autofill.problem import build, evaluate
    from warmline.db import open_db

    os.environ.setdefault("WARMLINE_NOW", FIXED_NOW)
    results: dict = {"rows": {}, "seconds": {}, "checks": {}}
    with tempfile.TemporaryDirectory(prefix="warmline-bench-") as tmp:
        folder = Path(tmp)
        progress(f"building the demo line with {PEOPLE} people and emptying {WEEKS} weeks")
        path, start, end = make_line(folder, with_availability=with_availability)
        db = open_db(path)
        try:
            coord = _coordinator(db)
            runs = []
            for _ in range(3):
                began = time.perf_counter()
                heuristic = autofill.propose(db.conn, coord, start, end, engine="greedy", time_limit=time_limit)
                runs.append(time.perf_counter() - began)
            runs.sort()
            results["seconds"]["heuristic"] = runs[1]
            results["rows"]["heuristic"] = heuristic.score
            results["open"] = heuristic.seats_open
            results["gini"] = {"heuristic": heuristic.gini_after}
            results["checks"]["heuristic"] = _check_plan(path, folder, heuristic, "heuristic")
            progress(f"heuristic: {runs[1]:.2f} s (median of 3), {heuristic.score}")
            if not cpsat.available():
                progress("CP-SAT not installed (pip install 'warmline[solver]'): only the heuristic was run")
                return results
            began = time.perf_counter()
            warm = autofill.propose(db.conn, coord, start, end, engine="cpsat", time_limit=time_limit)
            results["seconds"]["CP-SAT"] = time.perf_counter() - began
            results["rows"]["CP-SAT"] = warm.score
            results["gini"]["CP-SAT"] = warm.gini_after
            results["optimal"] = warm.optimal
            results["checks"]["CP-SAT"] = _check_plan(path, folder, warm, "cpsat")
            progress(f"CP-SAT (warm): {results['seconds']['CP-SAT']:.1f} s, {warm.score}, optimal={warm.optimal}")
            if cold:
                problem = build(db.conn, coord, start, end)
                began = time.perf_counter()
                result = cpsat.solve(problem, time_limit=time_limit)
                results["seconds"]["CP-SAT cold"] = time.perf_counter() - began
                if result.plan is not None:
                    results["rows"]["CP-SAT cold"] = evaluate(problem, result.plan)
                progress(f"CP-SAT (cold): {results['seconds']['CP-SAT cold']:.1f} s, {results['rows'].get('CP-SAT cold')}")
        finally:
            db.close()
    return results


def best_cpsat(results: dict):
    """The lexicographically best of CP-SAT's plans (warm-started and cold): the reference for the heuristic."""
    found = [results["rows"][n] for n in ("CP-SAT", "CP-SAT cold") if n in results["rows"]]
    return max(found, key=lambda score: score.key())


def ratios(heuristic, reference) -> dict[str, float]:
    """Heuristic quality relative to the reference, per level (1.0 = as good)."""
    found = {}
    for label, attr, maximised in LEVELS:
        h, r = getattr(heuristic, attr), getattr(reference, attr)
        if maximised:
            found[label] = 1.0 if h == r else (h / r if r else float("inf"))
        else:
            found[label] = 1.0 if h == r else (r / h if h else float("inf"))
    return found


def table(results: dict) -> str:
    """The side-by-side table as text."""
    names = list(results["rows"])
    lines = [f"{'':<16}" + "".join(f"{n:>16}" for n in names) + (f"{'heuristic/CP-SAT':>19}" if "CP-SAT" in names else "")]
    lines.append(f"{'seconds':<16}" + "".join(f"{results['seconds'][n]:>16.2f}" for n in names))
    quality = ratios(results["rows"]["heuristic"], best_cpsat(results)) if "CP-SAT" in names else {}
    for label, attr, _ in LEVELS:
        cells = "".join(f"{getattr(results['rows'][n], attr):>16,.2f}".replace(".00", "   ") for n in names)
        ratio = f"{quality[label] * 100:>18.1f}%" if quality else ""
        lines.append(f"{label:<16}{cells}{ratio}")
    lines.append(f"{'Gini after':<16}" + "".join(f"{results['gini'].get(n, float('nan')):>16.3f}" for n in names if n in results["gini"]))
    lines.append("checks: " + ", ".join(f"{n} {v}" for n, v in results["checks"].items()))
    lines.append(f"open seats: {results['open']}; CP-SAT proved optimal: {results.get('optimal', '-')}")
    return "\n".join(lines)


def figures(time_limit: float = 30.0) -> list[Figure]:
    """The heuristic's time against CP-SAT's, and its worst per-level quality against CP-SAT's."""
    results = run(time_limit)
    for line in table(results).splitlines():
        progress(line)
    h_time = results["seconds"]["heuristic"]
    found = [
        Figure(
            f"autofill heuristic, {PEOPLE} people × {WEEKS} weeks",
            h_time, "s",
            baseline_name="CP-SAT" if "CP-SAT" in results["seconds"] else "",
            baseline=results["seconds"].get("CP-SAT"),
            target=f"≤ {HEURISTIC_S:g} s",
            meets=h_time <= HEURISTIC_S and results["checks"]["heuristic"] == "ok",
        )
    ]
    if "CP-SAT" in results["rows"]:
        # The target's reference is CP-SAT as auto-fill runs it (`--engine cpsat`: warm-started from
        # the heuristic's plan, the same time limit), as when the figure was set.
        worst = min(ratios(results["rows"]["heuristic"], results["rows"]["CP-SAT"]).values())
        found.append(
            Figure("autofill heuristic objective / CP-SAT (worst level)", worst * 100, "%",
                   target=f"≥ {RATIO * 100:g} %", meets=worst >= RATIO and results["checks"]["CP-SAT"] == "ok")
        )
        if "CP-SAT cold" in results["rows"]:
            # No target: CP-SAT alone, not hinted, sometimes finds a plan auto-fill's engines do not
            # (more demand covered at a higher fairness cost); shown so the gap stays in view.
            cold = min(ratios(results["rows"]["heuristic"], best_cpsat(results)).values())
            found.append(Figure("  the same against CP-SAT's best plan, warm or cold (worst level)", cold * 100, "%"))
    return found + quality_figures()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.autofill", description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=30.0, help="CP-SAT's time limit in seconds (default 30)")
    parser.add_argument("--no-availability", action="store_true", help="no random availability, preferences or time off")
    parser.add_argument("--no-cold", action="store_true", help="skip the CP-SAT run without a hint")
    args = parser.parse_args(argv)
    results = run(args.time_limit, with_availability=not args.no_availability, cold=not args.no_cold)
    print(table(results))
    h_time = results["seconds"]["heuristic"]
    print(f"heuristic ≤ {HEURISTIC_S:g} s: {'yes' if h_time <= HEURISTIC_S else 'NO'} ({h_time:.2f} s)")
    if "CP-SAT" in results["rows"]:
        worst = min(ratios(results["rows"]["heuristic"], best_cpsat(results)).values())
        print(f"heuristic ≥ {RATIO * 100:g} % of CP-SAT on every level: {'yes' if worst >= RATIO else 'NO'} (worst {worst * 100:.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
