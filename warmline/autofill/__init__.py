"""Auto-fill: propose people for the empty seats in a range, keeping every rota rule; apply all or nothing.

    proposal = autofill.propose(conn, coordinator, start, end)          # reads only
    autofill.apply(db, coordinator, proposal)                           # one audited transaction

Hard rules (never broken): availability and time off, overlap, rest, weekly hours and
shifts, monthly overnights, seats, active people only; existing assignments stay; backup
seats go only to coordinators and people who have held a backup seat before. Only future
shifts starting in the range are filled.

Objective, lexicographic (see `problem.Score`): seats filled; then coverage — people towards
unmet coverage goals, then demand gaps closed (needs with at least 0.5 expected calls in the
call log during the shift that nobody on it offers, as warmline.matching's coverage report
counts them, weighted by expected calls); then seat-hours filled; then fairness — minimise
Σ (240 / weekly hour limit) × hours², each person's hours in the range, which for a given
total is least when hours are shared in proportion to each person's weekly limit; then
shifts inside people's preferred windows.

Engines: "cpsat" (OR-Tools CP-SAT, the optional extra `warmline[solver]`, imported only
here, with a time limit), "greedy" (built in: greedy, repair, local search), or "auto":
CP-SAT when installed (warm-started from the heuristic's plan, so it is never worse),
else the heuristic, saying so. Whatever the engine, the plan is checked against the
problem's rules before it is proposed, and `apply` re-checks every placement with the
rota's own rule check under the write lock.

Deterministic: the same rota (and the same time limit) gives the same proposal, so what
`warmline autofill` previews is what `--apply`, solving again, writes. The heuristic stops
when no move improves its plan or after a counted amount of work; CP-SAT runs with a fixed
seed, interleaved workers and a budget of its deterministic time (the time limit ×
cpsat.DETERMINISTIC_PER_SECOND). The time limit itself is only a safety stop: when it ends
a search before its budget (a very slow or busy machine) the proposal's notice says that
another run may differ (CLOCK_STOPPED). The app applies the very proposal it shows.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..db import Database
from ..errors import Invalid, Refused, RuleBroken
from ..model import Person
from .problem import Plan, Problem, Score, build, evaluate, violations

ENGINES = ("auto", "greedy", "cpsat")
DEFAULT_TIME_LIMIT = 30.0
MAX_TIME_LIMIT = 3600.0
NOT_INSTALLED = "CP-SAT not installed; using the built-in heuristic"
CLOCK_STOPPED = (
    "the time limit ran out before the solver's own budget (a slow or busy machine), so another run may"
    " propose a different plan: give a longer --time-limit"
)

__all__ = [
    "ENGINES", "Applied", "OpenSeat", "Placement", "Problem", "Proposal", "Score", "apply", "build", "propose",
]


@dataclass(frozen=True)
class Placement:
    """One proposed seat: who, where, and what it does for goals, demand and preferences."""

    shift_id: int
    start: datetime
    end: datetime
    person_id: int
    handle: str
    name: str
    role: str
    preferred: bool
    goals: tuple[str, ...]  # labels of unmet goals this person counts towards on this shift
    needs: tuple[str, ...]  # labels of uncovered demanded needs this person offers on this shift


@dataclass(frozen=True)
class OpenSeat:
    """Seats auto-fill leaves empty, and why."""

    shift_id: int
    start: datetime
    end: datetime
    role: str
    count: int
    eligible: int  # people eligible for this seat at all
    reason: str


@dataclass(frozen=True)
class Proposal:
    """What auto-fill proposes for [start, end); nothing is written until `apply`."""

    start: datetime
    end: datetime
    engine: str  # the engine whose plan this is: 'greedy' or 'cpsat'
    requested: str  # 'auto', 'greedy' or 'cpsat'
    notice: str  # e.g. NOT_INSTALLED; '' when there is nothing to say
    optimal: bool  # CP-SAT proved both stages optimal
    seconds: float
    seats_open: int  # empty future seats in the range before the proposal
    placements: tuple[Placement, ...]
    left_open: tuple[OpenSeat, ...]
    score: Score
    heuristic_score: Score  # the built-in heuristic's score (the same as `score` when it was used)
    gini_before: float  # spread of hours in the range over active volunteers (fairness.gini)
    gini_after: float
    hours: tuple[tuple[str, float, float], ...]  # (handle, hours in range before, after) for each person placed


@dataclass(frozen=True)
class Applied:
    """What `apply` wrote."""

    placements: tuple[Placement, ...]


def _engine(name: str) -> str:
    if name not in ENGINES:
        raise Invalid(f"engine {name!r} is not one of: {', '.join(ENGINES)}")
    return name


def propose(
    conn: sqlite3.Connection,
    actor: Person,
    start: datetime,
    end: datetime,
    *,
    engine: str = "auto",
    time_limit: float = DEFAULT_TIME_LIMIT,
    progress: Callable[[str], None] | None = None,
) -> Proposal:
    """Propose people for the empty seats of future shifts starting in [start, end) (coordinators).

    `progress` receives one-line updates (the CP-SAT stages' best objectives as they improve).
    """
    from . import cpsat, greedy

    _engine(engine)
    if not isinstance(time_limit, (int, float)) or not 0 < time_limit <= MAX_TIME_LIMIT:
        raise Invalid(f"the time limit is {time_limit}; give seconds from more than 0 to {MAX_TIME_LIMIT:g}")
    if start.tzinfo is None or end.tzinfo is None:
        raise Invalid("the range needs times with a zone or offset")
    if end <= start:
        raise Invalid("--to is not after --from: give a later --to")
    use_cpsat = engine in ("auto", "cpsat") and cpsat.available()
    if engine == "cpsat" and not use_cpsat:
        raise Refused("CP-SAT is not installed: pip install 'warmline[solver]', or use --engine greedy")
    started = time.monotonic()
    problem = build(conn, actor, start, end)
    stats: dict = {}
    plan = greedy.solve(problem, time_limit=time_limit, progress=progress, stats=stats)
    _must_hold(problem, plan, "the heuristic")
    heuristic = evaluate(problem, plan)
    chosen, used, optimal, notice = plan, "greedy", False, ""
    if engine == "auto" and not use_cpsat:
        notice = NOT_INSTALLED
    clock_stopped = stats.get("stopped") == "time"
    if use_cpsat and problem.seats:
        # CP-SAT's budget is deterministic (from the time limit, not from what is left of it):
        # the same rota gives the same plan; the wall clock left is only a safety stop.
        left = max(0.1, time_limit - (time.monotonic() - started))
        result = cpsat.solve(
            problem, time_limit=left, hint=plan, progress=progress,
            deterministic=time_limit * cpsat.DETERMINISTIC_PER_SECOND,
        )
        clock_stopped = clock_stopped or result.clock_stopped
        if result.plan is not None and not violations(problem, result.plan):
            if evaluate(problem, result.plan).key() >= heuristic.key():
                chosen, used, optimal = result.plan, "cpsat", result.optimal
            if result.status == cpsat.TOO_LARGE:
                notice = "the range is too large for CP-SAT to weigh fairness exactly: it optimised seats and coverage"
        elif result.status == cpsat.TOO_LARGE:
            notice = "the range is too large for CP-SAT's exact objective; using the built-in heuristic's plan"
        elif result.plan is not None:
            notice = "CP-SAT's plan broke a rule (please report this); using the built-in heuristic's"
        else:
            notice = f"CP-SAT found no plan in time ({result.status}); using the built-in heuristic's"
    elif use_cpsat:
        used, optimal = "cpsat", True
    if clock_stopped:
        notice = "; ".join(filter(None, [notice, CLOCK_STOPPED]))
    return _proposal(problem, chosen, used, engine, notice, optimal, time.monotonic() - started, heuristic)


def _must_hold(problem: Problem, plan: Plan, who: str) -> None:
    broken = violations(problem, plan)
    if broken:
        raise RuntimeError(f"{who} produced a plan that breaks a rule (a bug): {broken[0]}")


def _proposal(problem, plan, used, requested, notice, optimal, seconds, heuristic) -> Proposal:
    from ..fairness import gini

    placements = []
    placed: dict[tuple[int, str], int] = {}
    added: dict[int, float] = {}
    for s, w, role in sorted(plan, key=lambda x: (problem.slots[x[0]].lo, problem.slots[x[0]].id, x[2] != "peer", problem.workers[x[1]].handle)):
        slot = problem.slots[s]
        worker = problem.workers[w]
        placed[(s, role)] = placed.get((s, role), 0) + 1
        added[worker.id] = added.get(worker.id, 0.0) + slot.secs / 3600
        placements.append(
            Placement(
                shift_id=slot.id,
                start=slot.start,
                end=slot.end,
                person_id=worker.id,
                handle=worker.handle,
                name=worker.name,
                role=role,
                preferred=(w, s) in problem.preferred,
                goals=tuple(label for _, tag, _, label in slot.goals if tag in worker.holds),
                needs=tuple(label for tag, _, label in slot.demand if tag in worker.holds),
            )
        )
    left = []
    for slot in problem.slots:
        for role in ("peer", "backup"):
            missing = slot.open[role] - placed.get((slot.index, role), 0)
            if missing <= 0:
                continue
            eligible = len(problem.eligible[(slot.index, role)])
            if eligible == 0:
                why = "nobody is eligible (availability, time off, limits or rest"
                why += "; backup seats need a coordinator or someone who has been backup before)" if role == "backup" else ")"
            else:
                why = f"the {eligible} eligible {'person is' if eligible == 1 else 'people are'} needed on other seats or at a limit"
            left.append(OpenSeat(slot.id, slot.start, slot.end, role, missing, eligible, why))
    before = problem.base_hours
    volunteers = problem.volunteers
    handles = {w.id: w.handle for w in problem.workers}
    return Proposal(
        start=problem.start,
        end=problem.end,
        engine=used,
        requested=requested,
        notice=notice,
        optimal=optimal,
        seconds=seconds,
        seats_open=problem.seats,
        placements=tuple(placements),
        left_open=tuple(left),
        score=evaluate(problem, plan),
        heuristic_score=heuristic,
        gini_before=gini([before.get(pid, 0.0) for pid in volunteers]),
        gini_after=gini([before.get(pid, 0.0) + added.get(pid, 0.0) for pid in volunteers]),
        hours=tuple(
            sorted((handles[pid], before.get(pid, 0.0), before.get(pid, 0.0) + extra) for pid, extra in added.items())
        ),
    )


def apply(db: Database, actor: Person, proposal: Proposal) -> Applied:
    """Write every placement in one transaction, re-checking each with the rota's rules under the write lock.

    All or nothing: if anything changed since the proposal (a seat taken, a rule that now breaks),
    nothing is written and the refusal says what, so auto-fill can be run again.
    """
    from .. import audit, rules
    from ..access import require
    from ..clock import now
    from ..db import iso_utc
    from ..line import get as get_line
    from ..people import fresh_actor, get_by_id
    from ..recurrence import zone
    from ..rota import get_shift, person_problems

    if not proposal.placements:
        raise Refused("the proposal has no placements: there is nothing to apply")
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        require(who, "assign")
        line = get_line(conn)
        moment = now()
        stamp = iso_utc(moment)
        for p in sorted(proposal.placements, key=lambda p: (p.start, p.shift_id, p.handle)):
            shift = get_shift(conn, p.shift_id)
            person = get_by_id(conn, p.person_id)
            label = f"shift {shift.id} ({shift.start_local:%a %Y-%m-%d %H:%M}–{shift.end_local:%H:%M})"
            again = "; nothing was changed: run `warmline autofill` again"
            if shift.status != "scheduled" or shift.start_utc <= moment:
                raise Refused(f"{label} is cancelled or has started since the proposal{again}")
            if person is None or not person.active:
                raise Refused(f"{p.handle} is no longer active{again}")
            if conn.execute(
                "SELECT 1 FROM assignment WHERE shift_id = ? AND person_id = ?", (shift.id, person.id)
            ).fetchone():
                raise Refused(f"{p.handle} is already on {label}{again}")
            taken = conn.execute(
                "SELECT count(*) FROM assignment WHERE shift_id = ? AND role = ?", (shift.id, p.role)
            ).fetchone()[0]
            if taken >= (shift.seats if p.role == "peer" else shift.backup_seats):
                raise Refused(f"{label} has no free {p.role} seat any more{again}")
            found = person_problems(conn, line, person, rules.Span(shift.id, shift.start_utc, shift.end_utc))
            if found:
                raise RuleBroken(rules.combine(found).message + again, rule=rules.combine(found).rule, overridable=False)
            conn.execute(
                "INSERT INTO assignment (shift_id, person_id, role, created_at) VALUES (?, ?, ?, ?)",
                (shift.id, person.id, p.role, stamp),
            )
            audit.record(conn, who.handle, "assign", f"shift {shift.id}", f"{p.handle} as {p.role}; {label}; by auto-fill")
        tz = zone(line.tz)
        first = proposal.start.astimezone(tz).date()
        last = (proposal.end - timedelta(seconds=1)).astimezone(tz).date()
        audit.record(
            conn,
            who.handle,
            "autofill.apply",
            f"{first.isoformat()} to {last.isoformat()}",
            f"{len(proposal.placements)} of {proposal.seats_open} open seats filled; engine {proposal.engine}",
        )
    return Applied(proposal.placements)
