"""The auto-fill problem: the open seats, who may take each, the limits left, and the objective.

`build()` reads the rota once and turns it into plain numbers both engines share;
after that nothing touches the database. Hard rules become:

- *static eligibility* of a person for a seat: active, not already on the shift,
  available and not on time off (warmline.availability), and no rota rule broken by
  adding that one shift to what they already hold (`rules.problems`, the rota's own
  check); backup seats only for coordinators and people who have held a backup seat
  before (auto-fill never makes someone a backup for the first time);
- *conflicts* between two new shifts of one person: overlapping, or less than their
  minimum rest apart;
- *capacities* per person: seconds and shifts left in each ISO week, overnight shifts
  left in each month (the limits minus what they already hold there).

Because every rule only gets stricter as shifts are added, these are exactly the
rota's rules. The objective is lexicographic (see `Score`).
"""

from __future__ import annotations

import bisect
import math
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from .. import rules
from ..model import Person

QUARTER_HOUR = 900  # seconds: the unit of hours in the fairness term
FAIR_SCALE = 240  # a person's fairness weight is FAIR_SCALE / weekly hour limit (240 = lcm of 8, 10, 12, 16, 20)
# A demanded need counts when the coverage report would call its absence a gap (at least
# coverage.DEMAND_GAP_MIN expected calls during the shift), weighted by its expected calls
# rounded to whole calls. Finer weights would make every hundredth of a call outrank fairness.
RULE_REACH = timedelta(days=40)  # every shift the rules look at for a shift starts within this of it
ROLES = ("peer", "backup")


@dataclass(slots=True)
class Slot:
    """A shift with open seats, as the engines see it."""

    index: int
    id: int
    start: datetime
    end: datetime
    lo: int  # UNIX seconds
    hi: int
    secs: int
    quarters: int  # length in quarter-hours (rounded), for the fairness term
    week: int  # ordinal of the local Monday
    month: int  # ordinal of the local first of the month
    overnight: bool
    open: dict[str, int]  # role -> open seats
    goals: tuple[tuple[int, str, int, str], ...]  # (goal id, tag, people still needed, label)
    demand: tuple[tuple[str, int, str], ...]  # (tag, weight, label): demand gaps, needs nobody on it offers
    on: frozenset[int]  # person ids already on the shift


@dataclass(slots=True)
class Worker:
    """A person who could take at least one seat: what is left of their limits, and what they offer."""

    index: int
    id: int
    handle: str
    name: str
    rest: int  # seconds
    weight: int  # fairness weight
    base_quarters: int  # quarter-hours they already hold in the range
    week_secs: dict[int, int]  # week -> seconds left
    week_shifts: dict[int, int]  # week -> shifts left
    month_nights: dict[int, int]  # month -> overnight shifts left
    holds: frozenset[str]  # offered tags and languages
    backup_ok: bool


@dataclass
class Problem:
    """Everything the engines need, as plain numbers."""

    start: datetime
    end: datetime
    tz: ZoneInfo
    slots: list[Slot]
    workers: list[Worker]
    eligible: dict[tuple[int, str], list[int]]  # (slot, role) -> worker indices, best fairness weight first
    preferred: set[tuple[int, int]]  # (worker, slot) inside the worker's preferred windows
    volunteers: list[int] = field(default_factory=list)  # person ids of active volunteers (for the spread)
    base_hours: dict[int, float] = field(default_factory=dict)  # person id -> hours already held in the range

    @property
    def seats(self) -> int:
        return sum(sum(s.open.values()) for s in self.slots)


@dataclass(frozen=True)
class Score:
    """The objective, compared lexicographically in this order (see `key`).

    seats      seats filled (more is better)
    goals      people added towards unmet coverage goals, each goal on each shift counted up to its minimum
    demand     demand gaps closed: needs callers brought at this hour of the week (the call log) with at
               least 0.5 expected calls during a shift that nobody on it offered, now offered by someone
               added; each weighs its expected calls rounded to whole calls (at least 1)
    hours      seat-hours filled, in quarter-hours (more is better): among plans filling as many seats,
               the one covering more of the line's hours; it also makes the total fixed for fairness
    fairness   Σ weight × quarter-hours² over the people who could take a seat, each person's hours in
               the range (held and added); weight = 240 / their weekly hour limit. For a fixed total this
               differs by a constant from Σ (hours − share)² / limit with each share proportional to
               the person's limit, so it is least when hours are shared out by limit (less is better)
    preferred  seats given to someone whose preferred windows hold the whole shift (more is better)
    """

    seats: int = 0
    goals: int = 0
    demand: int = 0
    hours: int = 0
    fairness: int = 0
    preferred: int = 0

    def key(self) -> tuple[int, int, int, int, int, int]:
        return (self.seats, self.goals, self.demand, self.hours, -self.fairness, self.preferred)

    @property
    def seat_hours(self) -> float:
        return self.hours * QUARTER_HOUR / 3600


def fairness_weight(max_hours_week: float) -> int:
    """240 / the weekly hour limit, at least 1 (a limit of 0 never gets a seat anyway)."""
    if max_hours_week <= 0:
        return FAIR_SCALE
    return max(1, round(FAIR_SCALE / max_hours_week))


def _ts(moment: datetime) -> int:
    return int(moment.timestamp())


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def build(conn: sqlite3.Connection, actor: Person, start: datetime, end: datetime) -> Problem:
    """Read the rota's open seats in [start, end) (future shifts only) into a Problem (coordinators)."""
    from ..access import require
    from ..availability import calendars
    from ..clock import now
    from ..db import iso_utc
    from ..line import get as get_line
    from ..coverage import DEMAND_GAP_MIN, coverage
    from ..people import all_people
    from ..recurrence import zone
    from ..triads import meeting_rows

    require(actor, "assign")
    line = get_line(conn)
    tz = zone(line.tz)
    moment = now()
    start = start.astimezone(timezone.utc)
    end = end.astimezone(timezone.utc)

    shifts = conn.execute(
        "SELECT id, start_utc, end_utc, seats, backup_seats FROM shift"
        " WHERE status = 'scheduled' AND start_utc >= ? AND start_utc < ? ORDER BY start_utc, id",
        (iso_utc(start), iso_utc(end)),
    ).fetchall()
    on: dict[int, list[tuple[int, str]]] = {}
    for sid, pid, role in conn.execute(
        "SELECT a.shift_id, a.person_id, a.role FROM assignment a JOIN shift s ON s.id = a.shift_id"
        " WHERE s.status = 'scheduled' AND s.start_utc >= ? AND s.start_utc < ?",
        (iso_utc(start), iso_utc(end)),
    ):
        on.setdefault(sid, []).append((pid, role))

    report = coverage(conn, actor, start, end) if shifts else None
    by_shift = {c.shift_id: c for c in report.shifts} if report else {}

    slots: list[Slot] = []
    for sid, s_start, s_end, seats, backup in shifts:
        a, b = _utc(s_start), _utc(s_end)
        if a <= moment:
            continue
        people_on = on.get(sid, [])
        open_seats = {
            "peer": max(0, seats - sum(1 for _, r in people_on if r == "peer")),
            "backup": max(0, backup - sum(1 for _, r in people_on if r == "backup")),
        }
        if not any(open_seats.values()):
            continue
        cov = by_shift.get(sid)
        goals = tuple(
            (g.goal_id, g.tag_id, g.min_people - g.have, g.label) for g in (cov.goals if cov else ()) if g.have < g.min_people
        )
        demand = tuple(
            (d.tag_id, max(1, round(d.expected)), d.label)
            for d in (cov.demand if cov else ())
            if not d.covered and d.expected >= DEMAND_GAP_MIN
        )
        secs = _ts(b) - _ts(a)
        slots.append(
            Slot(
                index=len(slots),
                id=sid,
                start=a,
                end=b,
                lo=_ts(a),
                hi=_ts(b),
                secs=secs,
                quarters=round(secs / QUARTER_HOUR),
                week=rules.week_of(a, tz).toordinal(),
                month=rules.month_of(a, tz).toordinal(),
                overnight=rules.is_overnight(a, b, tz),
                open=open_seats,
                goals=goals,
                demand=demand,
                on=frozenset(pid for pid, _ in people_on),
            )
        )

    everyone = all_people(conn, include_inactive=False)
    volunteers = [p.id for p in everyone if p.role == "volunteer"]
    # Hours already held in the range (the fairness term starts from them).
    base_secs: dict[int, int] = {}
    for sid, s_start, s_end, *_ in shifts:
        for pid, _ in on.get(sid, []):
            base_secs[pid] = base_secs.get(pid, 0) + _ts(_utc(s_end)) - _ts(_utc(s_start))
    base_hours = {pid: secs / 3600 for pid, secs in base_secs.items()}
    if not slots:
        return Problem(start, end, tz, [], [], {}, set(), volunteers, base_hours)

    holds: dict[int, set[str]] = {}
    for pid, tag_id in conn.execute("SELECT person_id, tag_id FROM person_tag WHERE state = 'offered'"):
        holds.setdefault(pid, set()).add(tag_id)
    for pid, tag_id in conn.execute("SELECT person_id, tag_id FROM person_language"):
        holds.setdefault(pid, set()).add(tag_id)
    backup_before = {r[0] for r in conn.execute("SELECT DISTINCT person_id FROM assignment WHERE role = 'backup'")}

    # Everyone's held shifts near the range, for the single-shift rule check and the capacities.
    lo = slots[0].start - RULE_REACH
    hi = max(s.end for s in slots) + RULE_REACH
    held: dict[int, list[rules.Span]] = {}
    for pid, sid, s_start, s_end in conn.execute(
        "SELECT a.person_id, s.id, s.start_utc, s.end_utc FROM assignment a JOIN shift s ON s.id = a.shift_id"
        " WHERE s.status = 'scheduled' AND s.start_utc >= ? AND s.start_utc < ? ORDER BY s.start_utc, s.id",
        (iso_utc(lo), iso_utc(hi)),
    ):
        held.setdefault(pid, []).append(rules.Span(sid, _utc(s_start), _utc(s_end)))
    held_starts = {pid: [sp.start for sp in spans] for pid, spans in held.items()}

    cals = calendars(conn, [p.id for p in everyone], slots[0].start, max(s.end for s in slots), tz)
    meets: dict[int, list[tuple[int, int]]] = {}  # triad meetings: a shift never overlaps one (warmline.triads)
    for pid, m_start, m_end in meeting_rows(conn, [p.id for p in everyone], slots[0].start, max(s.end for s in slots)):
        meets.setdefault(pid, []).append((int(m_start.timestamp()), int(m_end.timestamp())))
    weeks = sorted({s.week for s in slots})
    months = sorted({s.month for s in slots})
    verdicts: dict[tuple, bool] = {}
    workers: list[Worker] = []
    eligible: dict[tuple[int, str], list[int]] = {(s.index, r): [] for s in slots for r in ROLES}
    preferred: set[tuple[int, int]] = set()
    for person in everyone:
        limits = person.limits(line)
        cal = cals[person.id]
        mine = held.get(person.id, [])
        starts = held_starts.get(person.id, [])
        backup_ok = person.is_coordinator or person.id in backup_before
        fits: list[Slot] = []
        for s in slots:
            if person.id in s.on or not cal.available(s.lo, s.hi) or cal.off(s.lo, s.hi) is not None:
                continue
            if any(a < s.hi and b > s.lo for a, b in meets.get(person.id, ())):
                continue
            others: list[rules.Span] = []
            if mine:
                i = bisect.bisect_left(starts, s.start - RULE_REACH)
                j = bisect.bisect_left(starts, s.end + RULE_REACH)
                others = mine[i:j]
            key = (s.id, limits, tuple(sp.shift_id for sp in others))
            ok = verdicts.get(key)
            if ok is None:
                span = rules.Span(s.id, s.start, s.end)
                ok = verdicts[key] = not rules.problems(person.handle, span, others, limits, tz)
            if ok:
                fits.append(s)
        if not any(s.open["peer"] or (backup_ok and s.open["backup"]) for s in fits):
            continue
        index = len(workers)
        cap_secs = math.floor(limits.max_hours_week * 3600 + 1e-6)
        week_used: dict[int, list[int]] = {}
        month_nights: dict[int, int] = {}
        for sp in mine:
            w = rules.week_of(sp.start, tz).toordinal()
            used = week_used.setdefault(w, [0, 0])
            used[0] += _ts(sp.end) - _ts(sp.start)
            used[1] += 1
            if rules.is_overnight(sp.start, sp.end, tz):
                m = rules.month_of(sp.start, tz).toordinal()
                month_nights[m] = month_nights.get(m, 0) + 1
        workers.append(
            Worker(
                index=index,
                id=person.id,
                handle=person.handle,
                name=person.name,
                rest=round(limits.min_rest_hours * 3600),
                weight=fairness_weight(limits.max_hours_week),
                base_quarters=round(base_secs.get(person.id, 0) / QUARTER_HOUR),
                week_secs={w: cap_secs - week_used.get(w, [0, 0])[0] for w in weeks},
                week_shifts={w: limits.max_shifts_week - week_used.get(w, [0, 0])[1] for w in weeks},
                month_nights={m: limits.max_overnights_month - month_nights.get(m, 0) for m in months},
                holds=frozenset(holds.get(person.id, ())),
                backup_ok=backup_ok,
            )
        )
        for s in fits:
            if s.open["peer"]:
                eligible[(s.index, "peer")].append(index)
            if backup_ok and s.open["backup"]:
                eligible[(s.index, "backup")].append(index)
            if cal.preferred(s.lo, s.hi):
                preferred.add((index, s.index))
    for key, found in eligible.items():
        found.sort(key=lambda i: (workers[i].weight, workers[i].base_quarters, i))
    return Problem(start, end, tz, slots, workers, eligible, preferred, volunteers, base_hours)


# ---------------------------------------------------------------- checking and scoring a plan (pure)


Plan = list[tuple[int, int, str]]  # (slot index, worker index, role)


def violations(problem: Problem, plan: Plan) -> list[str]:
    """Every hard rule `plan` breaks in the problem's own terms (empty for a valid plan)."""
    found = []
    per_seat: dict[tuple[int, str], int] = {}
    per_slot: dict[int, set[int]] = {}
    mine: dict[int, list[Slot]] = {}
    for s, w, role in plan:
        slot = problem.slots[s]
        if w not in problem.eligible.get((s, role), ()):
            found.append(f"{problem.workers[w].handle} is not eligible for {role} on shift {slot.id}")
        per_seat[(s, role)] = per_seat.get((s, role), 0) + 1
        if w in per_slot.setdefault(s, set()):
            found.append(f"{problem.workers[w].handle} holds two seats on shift {slot.id}")
        per_slot[s].add(w)
        mine.setdefault(w, []).append(slot)
    for (s, role), n in per_seat.items():
        if n > problem.slots[s].open[role]:
            found.append(f"shift {problem.slots[s].id} gets {n} {role} people for {problem.slots[s].open[role]} seats")
    for w, slots in mine.items():
        worker = problem.workers[w]
        slots.sort(key=lambda x: x.lo)
        for a, b in zip(slots, slots[1:]):
            if b.lo < a.hi + worker.rest:
                found.append(f"{worker.handle}: shifts {a.id} and {b.id} overlap or leave too little rest")
        for week, left in worker.week_secs.items():
            group = [x for x in slots if x.week == week]
            if sum(x.secs for x in group) > left or len(group) > worker.week_shifts[week]:
                found.append(f"{worker.handle}: over a weekly limit")
        for month, left in worker.month_nights.items():
            if sum(1 for x in slots if x.month == month and x.overnight) > left:
                found.append(f"{worker.handle}: over the monthly overnight limit")
    return found


def evaluate(problem: Problem, plan: Plan) -> Score:
    """The plan's Score (the plan is assumed valid)."""
    goals_have: dict[tuple[int, int], int] = {}
    demand_have: set[tuple[int, int]] = set()
    quarters = {w.index: w.base_quarters for w in problem.workers}
    preferred = hours = 0
    for s, w, _ in plan:
        slot = problem.slots[s]
        holds = problem.workers[w].holds
        for j, (_, tag, _need, _) in enumerate(slot.goals):
            if tag in holds:
                goals_have[(s, j)] = goals_have.get((s, j), 0) + 1
        for j, (tag, _, _) in enumerate(slot.demand):
            if tag in holds:
                demand_have.add((s, j))
        quarters[w] += slot.quarters
        hours += slot.quarters
        preferred += (w, s) in problem.preferred
    goals = sum(min(n, problem.slots[s].goals[j][2]) for (s, j), n in goals_have.items())
    demand = sum(problem.slots[s].demand[j][1] for s, j in demand_have)
    fairness = sum(problem.workers[w].weight * q * q for w, q in quarters.items())
    return Score(len(plan), goals, demand, hours, fairness, preferred)
