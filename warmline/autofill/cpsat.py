"""The CP-SAT auto-fill engine (OR-Tools, the optional extra: `pip install 'warmline[solver]'`).

One Boolean per (person, shift, role) the person is eligible for, and:

- seats: at most the open seats of each role on each shift; one seat per person per shift;
- rest and overlap: a person's shifts, each stretched by their minimum rest, form an
  interval graph; every maximal clique (found by a sweep) gets an at-most-one;
- weekly seconds and shifts left, monthly overnights left: linear capacities.

The lexicographic objective is solved in two stages, each a weighted sum whose weights
make it exactly lexicographic: first seats, then goal units, then demand, then seat-hours
(maximised);
then, with that value kept, the fairness term (each person's quarter-hours squared by a
multiplication constraint, times their weight), then preferred shifts. Stage one may
use up to half the budget and stops early when proved optimal; stage two has the
rest. A hint (the heuristic's plan) is given complete, presolve is told to keep it
feasible, so CP-SAT starts from it and can only improve on it. (Also requiring stage one's
objective to be at least the hint's was tried: it kept CP-SAT from loading the hint at all on
the 300-person demo.) Per person and week, besides the hours, at most as many
shifts as the shortest ones that fit in the hours left (a cut: with it the linear
relaxation of the seat count meets the optimum on the benchmark's quality lines).

Deterministic: a fixed seed, WORKERS interleaved subsolvers (`interleave_search`) and a
budget of deterministic time, not of seconds; the wall clock is a safety stop only.

`ortools` is imported inside `solve`, so warmline runs without it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from .problem import QUARTER_HOUR, Plan, Problem


TOO_LARGE = "TOO_LARGE"  # the exact lexicographic weights would not fit CP-SAT's 64-bit objective
SEED = 1
WORKERS = 4  # interleaved subsolvers (deterministic whatever the number of cores)
DETERMINISTIC_PER_SECOND = 0.15  # deterministic time per second of the time limit (one busy core does ~0.15 a second)
_LARGEST = 2**62


class Unavailable(ImportError):
    """OR-Tools is not installed."""


def available() -> bool:
    """True when OR-Tools' CP-SAT can be imported."""
    try:
        from ortools.sat.python import cp_model  # noqa: F401  (imported to prove it works, not used)
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class Result:
    """What CP-SAT found: a plan (None if none in time), whether both stages were proved optimal, and how long it took."""

    plan: Plan | None
    optimal: bool
    seconds: float
    status: str
    clock_stopped: bool = False  # the wall clock (the safety stop) ended a stage before its deterministic budget


def solve(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    hint: Plan | None = None,
    progress: Callable[[str], None] | None = None,
    workers: int = 0,
    deterministic: float | None = None,
) -> Result:
    """Solve the problem with CP-SAT, deterministically (`workers` 0: WORKERS, interleaved).

    The budget is `deterministic` units of CP-SAT's deterministic time (default: `time_limit`
    × DETERMINISTIC_PER_SECOND), half for each stage; `time_limit` seconds of wall clock is a
    safety stop only, and `Result.clock_stopped` says when it cut a stage short (then another
    run may give another plan).
    """
    try:
        from ortools.sat.python import cp_model
    except ImportError as exc:
        raise Unavailable("OR-Tools is not installed: pip install 'warmline[solver]'") from exc

    started = time.monotonic()
    p = problem
    model = cp_model.CpModel()
    x: dict[tuple[int, int, str], object] = {}
    for (s, role), people in p.eligible.items():
        for w in people:
            x[(w, s, role)] = model.new_bool_var(f"x_{w}_{s}_{role[0]}")
    if not x:
        return Result([], True, 0.0, "OPTIMAL")

    roles_of: dict[tuple[int, int], list] = {}
    for (w, s, _role), var in x.items():
        roles_of.setdefault((s, w), []).append(var)
    on: dict[tuple[int, int], object] = {}
    for (s, w), found in roles_of.items():
        if len(found) == 1:
            on[(s, w)] = found[0]
        else:
            model.add_at_most_one(found)
            y = model.new_bool_var(f"y_{w}_{s}")
            model.add(y == sum(found))
            on[(s, w)] = y

    for (s, role), people in p.eligible.items():
        if len(people) > p.slots[s].open[role]:
            model.add(sum(x[(w, s, role)] for w in people) <= p.slots[s].open[role])

    mine: dict[int, list[int]] = {}
    crew: dict[int, list[int]] = {}
    for s, w in on:
        mine.setdefault(w, []).append(s)
        crew.setdefault(s, []).append(w)
    for w, slots in mine.items():
        worker = p.workers[w]
        slots.sort(key=lambda s: p.slots[s].lo)
        # At each shift's start, the shifts still within rest of it form a clique of the interval graph.
        active: list[int] = []
        last: set[int] = set()
        for s in slots:
            lo = p.slots[s].lo
            active = [t for t in active if p.slots[t].hi + worker.rest > lo]
            active.append(s)
            if len(active) > 1 and not set(active) <= last:
                model.add_at_most_one([on[(t, w)] for t in active])
                last = set(active)
        for week, left in worker.week_secs.items():
            group = [s for s in slots if p.slots[s].week == week]
            if sum(p.slots[s].secs for s in group) > left:
                model.add(sum(p.slots[s].secs * on[(s, w)] for s in group) <= left)
            # At most as many shifts as the shortest ones that fit in the hours left (a cut that
            # makes the relaxation much tighter: 10 hours hold two 4-hour shifts, not 2.5).
            most = min(worker.week_shifts[week], _most_shifts(sorted(p.slots[s].secs for s in group), left))
            if len(group) > most:
                model.add(sum(on[(s, w)] for s in group) <= most)
        for month, left in worker.month_nights.items():
            group = [s for s in slots if p.slots[s].month == month and p.slots[s].overnight]
            if len(group) > left:
                model.add(sum(on[(s, w)] for s in group) <= left)

    # Stage one: seats, then goal units, then demand, then seat-hours, as one exactly lexicographic weighted sum.
    goal_terms, demand_terms = [], []
    aux: list[tuple[object, int, list]] = []  # (variable, cap, holders' variables), to complete hints
    goal_max = demand_max = 0
    for slot in p.slots:
        for j, (_, tag, need, _) in enumerate(slot.goals):
            holders = [on[(slot.index, w)] for w in crew.get(slot.index, ()) if tag in p.workers[w].holds]
            if holders:
                cap = min(need, len(holders))
                g = model.new_int_var(0, cap, f"g_{slot.index}_{j}")
                model.add(g <= sum(holders))
                goal_terms.append(g)
                aux.append((g, cap, holders))
                goal_max += cap
        for j, (tag, units, _) in enumerate(slot.demand):
            holders = [on[(slot.index, w)] for w in crew.get(slot.index, ()) if tag in p.workers[w].holds]
            if holders:
                d = model.new_bool_var(f"d_{slot.index}_{j}")
                model.add(d <= sum(holders))
                demand_terms.append(units * d)
                aux.append((d, 1, holders))
                demand_max += units
    hours_max = sum(slot.quarters * n for slot in p.slots for n in slot.open.values())
    hours = sum(p.slots[s].quarters * var for (_w, s, _role), var in x.items())
    w_demand = hours_max + 1
    w_goal = (demand_max + 1) * w_demand
    w_seat = (goal_max + 1) * w_goal
    stage_one = w_seat * sum(x.values()) + w_goal * sum(goal_terms) + w_demand * sum(demand_terms) + hours
    if w_seat * (len(x) + 1) > _LARGEST:
        return Result(None, False, time.monotonic() - started, TOO_LARGE)
    model.maximize(stage_one)

    solver = cp_model.CpSolver()
    params = solver.parameters
    # Deterministic: a fixed seed, workers interleaved in a fixed order, and a budget of
    # deterministic time (CP-SAT's count of work, not the clock), so the same problem gives
    # the same plan on any machine at any load; the wall clock is only a safety stop.
    params.random_seed = SEED
    params.num_workers = workers or WORKERS
    params.interleave_search = True
    # Presolve must not remove the hinted plan (symmetry breaking would), and on large lines its
    # inclusion and probing passes cost more than they save within a 30-second budget.
    params.keep_all_feasible_solutions_in_presolve = True
    params.presolve_inclusion_work_limit = 10**6
    params.max_presolve_iterations = 1
    params.cp_model_probing_level = 0
    if hint:
        _hint(model, x, on, aux, {(w, s, role) for s, w, role in hint})
    budget = max(0.1, time_limit)
    work = budget * DETERMINISTIC_PER_SECOND if deterministic is None else max(0.01, deterministic)
    params.max_deterministic_time = work / 2
    params.max_time_in_seconds = max(0.05, budget - (time.monotonic() - started))
    status = solver.solve(model, _callback(cp_model, "stage 1 (seats, goals, demand, hours)", progress))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Result(None, False, time.monotonic() - started, solver.status_name(status))
    # Only a stage the wall clock cut short *after* it found a plan can give another plan next time.
    clock_stopped = solver.deterministic_time < params.max_deterministic_time and status == cp_model.FEASIBLE
    optimal_one = status == cp_model.OPTIMAL
    chosen = {key for key, var in x.items() if solver.value(var)}
    first = sorted((s, w, role) for (w, s, role) in chosen)

    # Stage two: keep stage one's value; minimise fairness, then maximise preferred shifts.
    model.add(stage_one >= round(solver.objective_value))
    held: dict[int, int] = {}
    for w, s, _role in chosen:
        held[w] = held.get(w, 0) + p.slots[s].quarters
    fair_terms, squares = [], []
    fair_max = 0
    for w, slots in mine.items():
        worker = p.workers[w]
        low = worker.base_quarters
        top = low + _most_quarters(p, w, slots)
        h = model.new_int_var(low, top, f"h_{w}")
        model.add(h == low + sum(p.slots[s].quarters * on[(s, w)] for s in slots))
        sq = model.new_int_var(low * low, top * top, f"sq_{w}")
        model.add_multiplication_equality(sq, [h, h])
        fair_terms.append(worker.weight * sq)
        fair_max += worker.weight * top * top
        value = low + held.get(w, 0)
        squares += [(h, value), (sq, value * value)]
    pref_terms = [on[(s, w)] for (w, s) in p.preferred if (s, w) in on]
    # Each seat is preferred at most once, so (seats + 1) per unit of fairness keeps the order exact.
    w_fair = min(len(pref_terms), p.seats) + 1
    if w_fair * (fair_max + 1) > _LARGEST:
        return Result(first, False, time.monotonic() - started, TOO_LARGE)
    model.minimize(w_fair * sum(fair_terms) - sum(pref_terms))
    model.clear_hints()
    _hint(model, x, on, aux, chosen)
    for var, value in squares:
        model.add_hint(var, value)
    params.max_deterministic_time = max(0.01, work - solver.deterministic_time)
    params.max_time_in_seconds = max(0.05, budget - (time.monotonic() - started))
    status = solver.solve(model, _callback(cp_model, "stage 2 (fairness, preferences)", progress))
    seconds = time.monotonic() - started
    clock_stopped = clock_stopped or (
        solver.deterministic_time < params.max_deterministic_time and status == cp_model.FEASIBLE
    )
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Result(first, False, seconds, solver.status_name(status), clock_stopped)
    plan = sorted((s, w, role) for (w, s, role), var in x.items() if solver.value(var))
    return Result(plan, optimal_one and status == cp_model.OPTIMAL, seconds, solver.status_name(status), clock_stopped)


def _most_shifts(lengths: list[int], left: int) -> int:
    """How many of these shift lengths (sorted, shortest first) fit in `left` seconds at most."""
    total = count = 0
    for secs in lengths:
        if total + secs > left:
            break
        total += secs
        count += 1
    return count


def _most_quarters(p: Problem, w: int, slots: list[int]) -> int:
    """An upper bound on the quarter-hours a worker can add: per week, what fits in the hours and shifts left.

    A shift's quarter-hours are its seconds / 900 rounded, so each shift may add half a quarter: hence the slack.
    """
    worker = p.workers[w]
    total = 0
    for week, secs_left in worker.week_secs.items():
        lengths = sorted((p.slots[s].quarters for s in slots if p.slots[s].week == week), reverse=True)
        most = sum(lengths[: max(0, worker.week_shifts[week])])
        total += min(most, max(0, secs_left) // QUARTER_HOUR + max(0, worker.week_shifts[week]))
    return total


def _hint(model, x: dict, on: dict, aux: list, chosen: set) -> None:
    """Hint every variable, so CP-SAT starts from exactly this plan."""
    values: dict[int, int] = {}
    for key, var in x.items():
        values[var.index] = 1 if key in chosen else 0
        model.add_hint(var, values[var.index])
    for (s, w), var in on.items():
        if var.index not in values:
            values[var.index] = 1 if (w, s, "peer") in chosen or (w, s, "backup") in chosen else 0
            model.add_hint(var, values[var.index])
    for var, cap, holders in aux:
        model.add_hint(var, min(cap, sum(values[h.index] for h in holders)))


def _callback(cp_model, stage: str, report: Callable[[str], None] | None):
    """A solution callback reporting each improvement as one line, or None without `report`."""
    if report is None:
        return None

    class Progress(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            report(
                f"cp-sat {stage}: objective {self.objective_value:.0f} "
                f"(bound {self.best_objective_bound:.0f}) at {self.wall_time:.1f} s"
            )

    return Progress()
