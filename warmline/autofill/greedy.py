"""The built-in auto-fill engine: greedy construction, augmenting-path repair, then local search.

1. *Greedy*: seats are taken scarcest first (fewest eligible people, then earliest);
   each goes to the feasible person with the best marginal objective (goal progress,
   then demand covered, then the smallest rise in the fairness term, then a
   preferred shift).
2. *Repair*: for each seat still empty, an augmenting path (up to CHAIN_DEPTH moves):
   someone eligible who is blocked by one of their new shifts (rest, weekly or monthly
   limit) moves here, and that shift is refilled by someone else (who may in turn move).
   As in Kuhn's matching algorithm a seat that could not be refilled is not tried again
   until some path succeeds, so a pass over every empty seat costs about one search.
3. *Improve*, in rounds: replace a person on a seat by another when that improves the
   objective lexicographically (goals, demand, fairness, preference) without losing the
   seat; exchange two people's seats (shifts starting within two days) when that helps;
   move someone to an empty seat and repair (an ejection chain: give up a long shift to
   fill two short ones; when the mover is at a weekly-hours limit, the hours freed let
   a chain through them fill another empty seat of that week), kept only when the whole
   chain improves the objective. When a round of these improves nothing,
   rounds add longer chains: someone on the same shift switches role, or someone blocked
   by one of their own seats moves here, and the seat left behind is refilled. Stops when
   such a round improves nothing, or when the work budget (WORK_LIMIT feasibility checks
   and moves) is spent. After the first round only what changed since is looked at again.

Only moves that keep every hard rule are made, so every intermediate plan is valid.
Deterministic: no randomness, ties go to the first in the problem's order, and the search
stops on counted work, never on the clock (the time limit is only a safety stop, reported).
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable

from .problem import Plan, Problem

_NOTHING = (0, 0, 0, 0, 0)
WORK_LIMIT = 700_000  # units of work (feasibility checks and moves): 1-3 s on a busy 2-core machine


class _State:
    """A valid partial plan with the running totals that make moves cheap to evaluate."""

    def __init__(self, problem: Problem) -> None:
        self.p = problem
        self.slots = problem.slots
        self.workers = problem.workers
        self.preferred = problem.preferred
        n = len(problem.workers)
        self.on: list[dict[int, str]] = [{} for _ in problem.slots]  # slot -> {worker: role}, new only
        self.los: list[list[int]] = [[] for _ in range(n)]
        self.his: list[list[int]] = [[] for _ in range(n)]
        self.mine: list[list[int]] = [[] for _ in range(n)]  # slot indices, in start order
        self.week_secs = [dict(w.week_secs) for w in problem.workers]
        self.week_shifts = [dict(w.week_shifts) for w in problem.workers]
        self.month_nights = [dict(w.month_nights) for w in problem.workers]
        self.quarters = [w.base_quarters for w in problem.workers]
        self.goal_have = [[0] * len(s.goals) for s in problem.slots]
        self.demand_have = [[0] * len(s.demand) for s in problem.slots]
        self.eligible_sets = {k: set(v) for k, v in problem.eligible.items()}
        self._rel: dict[tuple[int, int], tuple[tuple[int, ...], tuple[int, ...]]] = {}
        self.filled: dict[tuple[int, str], int] = {}
        # The running objective (as in problem.Score) and a journal of moves for rolling back.
        self.seats = self.goals = self.demand = self.hours = self.pref = 0
        self.fairness = sum(w.weight * w.base_quarters * w.base_quarters for w in problem.workers)
        self.journal: list[tuple[str, int, int, str]] | None = None
        # When each slot and worker last changed (a move counter), so later rounds re-examine only
        # what changed since they last looked; `begin` keeps a copy that `rollback` restores.
        self.clock = 0
        self.slot_epoch = [0] * len(problem.slots)
        self.worker_epoch = [0] * n
        self._saved_epochs: tuple[list[int], list[int], int] | None = None
        self.last_seen: dict[str, int] = {}
        # The budget: units of work (a feasibility check or a move each), counted, so where the
        # search stops does not depend on the machine's speed; the wall clock is only a safety stop.
        self.work = 0
        self.work_limit = WORK_LIMIT
        self.wall = float("inf")
        self.stopped = ""  # why the search stopped early: '', 'work' or 'time'
        eligible_of: list[list[tuple[int, str]]] = [[] for _ in range(n)]
        for (s, role), found in problem.eligible.items():
            for w in found:
                eligible_of[w].append((s, role))
        self.eligible_of = [sorted(seats) for seats in eligible_of]

    def spent(self) -> bool:
        """Whether the budget is used up (the work, or as a safety stop the wall clock)."""
        if self.work >= self.work_limit:
            self.stopped = self.stopped or "work"
            return True
        if time.monotonic() >= self.wall:
            self.stopped = self.stopped or "time"
            return True
        return False

    def key(self) -> tuple[int, int, int, int, int, int]:
        return (self.seats, self.goals, self.demand, self.hours, -self.fairness, self.pref)

    def begin(self) -> None:
        """Start recording moves, so `rollback` can undo them."""
        self.journal = []
        self._saved_epochs = (list(self.slot_epoch), list(self.worker_epoch), self.clock)

    def commit(self) -> None:
        self.journal = None
        self._saved_epochs = None

    def touch(self, w: int, s: int) -> None:
        self.clock += 1
        self.work += 1
        self.slot_epoch[s] = self.worker_epoch[w] = self.clock

    def dirty_since(self, name: str) -> tuple[int, set[int], set[int]]:
        """(last clock, slots, workers) changed since the round `name` last started; records this start."""
        last = self.last_seen.get(name, -1)
        self.last_seen[name] = self.clock
        return (
            last,
            {i for i, e in enumerate(self.slot_epoch) if e > last},
            {i for i, e in enumerate(self.worker_epoch) if e > last},
        )

    def rollback(self, mark: int = 0) -> None:
        """Undo every move since `begin` (or since the journal had `mark` entries, and keep recording)."""
        journal = self.journal or []
        undo = journal[mark:]
        del journal[mark:]
        self.journal = None
        for op, w, s, role in reversed(undo):
            if op == "add":
                self.remove(w, s)
            else:
                self.add(w, s, role)
        if mark:
            self.journal = journal
        elif self._saved_epochs is not None:
            self.slot_epoch, self.worker_epoch, self.clock = self._saved_epochs
            self._saved_epochs = None

    def unfilled(self) -> list[tuple[int, str]]:
        """Empty seats someone is eligible for, one entry per seat, scarcest first."""
        found = []
        for slot in self.slots:
            for role in ("backup", "peer"):
                missing = slot.open[role] - self.filled.get((slot.index, role), 0)
                if missing > 0 and self.p.eligible[(slot.index, role)]:
                    found += [(len(self.p.eligible[(slot.index, role)]), slot.lo, slot.index, role)] * missing
        return [(s, role) for _, _, s, role in sorted(found)]

    def rel(self, w: int, s: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The goals and demanded needs of slot s that worker w offers (indices), cached."""
        key = (w, s)
        found = self._rel.get(key)
        if found is None:
            holds = self.workers[w].holds
            slot = self.slots[s]
            if holds and (slot.goals or slot.demand):
                found = (
                    tuple(j for j, g in enumerate(slot.goals) if g[1] in holds),
                    tuple(j for j, d in enumerate(slot.demand) if d[0] in holds),
                )
            else:
                found = ((), ())
            self._rel[key] = found
        return found

    # ---- feasibility

    def fits(self, w: int, s: int, leaving: int = -1) -> bool:
        """Whether worker w can take slot s on top of their plan (without slot `leaving`, if given)."""
        self.work += 1
        slot = self.slots[s]
        if w in self.on[s]:
            return False
        secs = self.week_secs[w][slot.week]
        shifts = self.week_shifts[w][slot.week]
        nights = self.month_nights[w][slot.month]
        if leaving >= 0:
            gone = self.slots[leaving]
            if gone.week == slot.week:
                secs += gone.secs
                shifts += 1
            if gone.overnight and gone.month == slot.month:
                nights += 1
        if secs < slot.secs or shifts < 1 or (slot.overnight and nights < 1):
            return False
        los = self.los[w]
        if los:
            rest = self.workers[w].rest
            his, mine = self.his[w], self.mine[w]
            i = bisect.bisect_left(los, slot.lo)
            j = i - 1
            if j >= 0 and mine[j] == leaving:
                j -= 1
            if j >= 0 and slot.lo < his[j] + rest:
                return False
            if i < len(los) and mine[i] == leaving:
                i += 1
            if i < len(los) and los[i] < slot.hi + rest:
                return False
        return True

    def blockers(self, w: int, s: int) -> list[int]:
        """The worker's current slots whose removal could let them take slot s."""
        self.work += 2
        slot = self.slots[s]
        rest = self.workers[w].rest
        found = []
        for t in self.mine[w]:
            other = self.slots[t]
            if other.lo < slot.hi + rest and slot.lo < other.hi + rest:
                found.append(t)
        if len(found) > 1:
            return []  # two clashes: moving one away is not enough
        if self.week_secs[w][slot.week] < slot.secs or self.week_shifts[w][slot.week] < 1:
            same_week = [t for t in self.mine[w] if self.slots[t].week == slot.week]
            found = [t for t in same_week if t in found] if found else same_week
        if slot.overnight and self.month_nights[w][slot.month] < 1:
            nights = [t for t in self.mine[w] if self.slots[t].overnight and self.slots[t].month == slot.month]
            found = [t for t in nights if t in found] if found else nights
        return found

    # ---- moves

    def add(self, w: int, s: int, role: str) -> None:
        slot = self.slots[s]
        self.on[s][w] = role
        self.filled[(s, role)] = self.filled.get((s, role), 0) + 1
        self.touch(w, s)
        if self.journal is not None:
            self.journal.append(("add", w, s, role))
        q, d = self.quarters[w], slot.quarters
        self.seats += 1
        self.hours += d
        self.fairness += self.workers[w].weight * (2 * q * d + d * d)
        self.pref += (w, s) in self.preferred
        i = bisect.bisect_left(self.los[w], slot.lo)
        self.los[w].insert(i, slot.lo)
        self.his[w].insert(i, slot.hi)
        self.mine[w].insert(i, s)
        self.week_secs[w][slot.week] -= slot.secs
        self.week_shifts[w][slot.week] -= 1
        if slot.overnight:
            self.month_nights[w][slot.month] -= 1
        self.quarters[w] += slot.quarters
        goals, needs = self.rel(w, s)
        for j in goals:
            if self.goal_have[s][j] < slot.goals[j][2]:
                self.goals += 1
            self.goal_have[s][j] += 1
        for j in needs:
            if self.demand_have[s][j] == 0:
                self.demand += slot.demand[j][1]
            self.demand_have[s][j] += 1

    def remove(self, w: int, s: int) -> str:
        slot = self.slots[s]
        role = self.on[s].pop(w)
        self.filled[(s, role)] -= 1
        self.touch(w, s)
        if self.journal is not None:
            self.journal.append(("remove", w, s, role))
        q, d = self.quarters[w], slot.quarters
        self.seats -= 1
        self.hours -= d
        self.fairness -= self.workers[w].weight * (2 * q * d - d * d)
        self.pref -= (w, s) in self.preferred
        i = self.mine[w].index(s)
        del self.los[w][i], self.his[w][i], self.mine[w][i]
        self.week_secs[w][slot.week] += slot.secs
        self.week_shifts[w][slot.week] += 1
        if slot.overnight:
            self.month_nights[w][slot.month] += 1
        self.quarters[w] -= slot.quarters
        goals, needs = self.rel(w, s)
        for j in goals:
            if self.goal_have[s][j] <= slot.goals[j][2]:
                self.goals -= 1
            self.goal_have[s][j] -= 1
        for j in needs:
            if self.demand_have[s][j] == 1:
                self.demand -= slot.demand[j][1]
            self.demand_have[s][j] -= 1
        return role

    # ---- objective pieces

    def gain(self, w: int, s: int) -> tuple[int, int, int, int, int]:
        """What adding w to s adds: (goal units, demand units, quarter-hours, −fairness rise, preferred)."""
        slot = self.slots[s]
        goals = demand = 0
        rel_goals, rel_needs = self.rel(w, s)
        for j in rel_goals:
            if self.goal_have[s][j] < slot.goals[j][2]:
                goals += 1
        for j in rel_needs:
            if self.demand_have[s][j] == 0:
                demand += slot.demand[j][1]
        q, d = self.quarters[w], slot.quarters
        return goals, demand, d, -self.workers[w].weight * (2 * q * d + d * d), (w, s) in self.preferred

    def loss(self, w: int, s: int) -> tuple[int, int, int, int, int]:
        """What removing w (on s) takes away, in gain's terms (fairness: −the fall)."""
        slot = self.slots[s]
        goals = demand = 0
        rel_goals, rel_needs = self.rel(w, s)
        for j in rel_goals:
            if self.goal_have[s][j] <= slot.goals[j][2]:
                goals += 1
        for j in rel_needs:
            if self.demand_have[s][j] == 1:
                demand += slot.demand[j][1]
        q, d = self.quarters[w], slot.quarters
        return goals, demand, d, -self.workers[w].weight * (2 * q * d - d * d), (w, s) in self.preferred

    def exchange_delta(self, w: int, s: int, v: int, t: int) -> tuple[int, int, int, int, int]:
        """The objective's change if w (on s) and v (on t) exchanged seats."""
        goals = demand = 0
        for slot_i, out, into in ((s, w, v), (t, v, w)):
            slot = self.slots[slot_i]
            if not (slot.goals or slot.demand):
                continue
            out_goals, out_needs = self.rel(out, slot_i)
            in_goals, in_needs = self.rel(into, slot_i)
            if out_goals != in_goals:
                for j in set(out_goals) ^ set(in_goals):
                    have, need = self.goal_have[slot_i][j], slot.goals[j][2]
                    after = have - (j in out_goals) + (j in in_goals)
                    goals += min(after, need) - min(have, need)
            if out_needs != in_needs:
                for j in set(out_needs) ^ set(in_needs):
                    have = self.demand_have[slot_i][j]
                    after = have - (j in out_needs) + (j in in_needs)
                    demand += slot.demand[j][1] * ((after > 0) - (have > 0))
        d = self.slots[t].quarters - self.slots[s].quarters
        fairness = 0
        if d:
            qw, qv = self.quarters[w], self.quarters[v]
            fairness = self.workers[w].weight * (2 * qw * d + d * d) + self.workers[v].weight * (-2 * qv * d + d * d)
        pref = self.preferred
        preferred = ((w, t) in pref) + ((v, s) in pref) - ((w, s) in pref) - ((v, t) in pref)
        return goals, demand, 0, -fairness, preferred

    def plan(self) -> Plan:
        return sorted((s, w, role) for s, people in enumerate(self.on) for w, role in people.items())


def solve(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    progress: Callable[[str], None] | None = None,
    work: int = 0,
    stats: dict | None = None,
) -> Plan:
    """A valid plan for the problem, good under the lexicographic objective (see the module's notes).

    The search stops when no move improves the plan, or after `work` units of work (default
    WORK_LIMIT), so the same problem always gives the same plan; `time_limit` seconds is only
    a safety stop (on a very slow machine), and `stats` (if given) gets 'stopped' ('' when the
    search finished, 'work' or 'time') and 'work'.
    """
    st = _State(problem)
    st.work_limit = work or WORK_LIMIT
    st.wall = time.monotonic() + max(0.05, time_limit)
    seats = []
    for s in problem.slots:
        for role in ("backup", "peer"):
            if s.open[role]:
                seats += [(len(problem.eligible[(s.index, role)]), s.lo, s.index, role)] * s.open[role]
    seats.sort()

    unfilled: list[tuple[int, str]] = []
    for _, _, s, role in seats:
        best, best_key = None, None
        for w in problem.eligible[(s, role)]:
            if not st.fits(w, s):
                continue
            key = st.gain(w, s)
            if best_key is None or key > best_key:
                best, best_key = w, key
        if best is None:
            unfilled.append((s, role))
        else:
            st.add(best, s, role)
    if progress:
        progress(f"heuristic: greedy filled {len(seats) - len(unfilled)} of {len(seats)} seats")

    _repair(st, st.unfilled())
    rounds = 0
    deep = False
    while not st.spent():
        rounds += 1
        before = st.key()
        _eject_round(st)  # seats first: they outrank everything the other moves improve
        _replace_round(st)
        _exchange_round(st)
        if deep:
            _chain_round(st)
        if st.key() <= before:
            if deep:
                break
            deep = True  # the cheap moves are spent: add the longer chains
    if progress:
        progress(f"heuristic: {st.seats} of {len(seats)} seats after {rounds} rounds of improvement")
    if stats is not None:
        stats.update(stopped=st.stopped, work=st.work)
    return st.plan()


CHAIN_WIDTH = 6  # blocked candidates tried per seat in a chain round, best marginal gain first
EXCHANGE_REACH = 2 * 24 * 3600  # seconds: exchanges are tried between shifts starting this close
CHAIN_DEPTH = 12  # moves in an augmenting path at most


def _fill_best(st: _State, s: int, role: str) -> None:
    """Put the best directly fitting person on one seat of (s, role), if anyone fits."""
    best, best_key = None, None
    for q in st.p.eligible[(s, role)]:
        if st.fits(q, s):
            key = st.gain(q, s)
            if best_key is None or key > best_key:
                best, best_key = q, key
    if best is not None:
        st.add(best, s, role)


def _chain_round(st: _State) -> None:
    """Replace someone through a short chain, kept only when the whole chain improves the objective.

    For a person w on seat (s, role): someone on the same shift in the other role switches
    to w's role and their seat is refilled; or someone blocked by one of their own seats
    moves here and that seat is refilled.
    """
    last, slots, workers = st.dirty_since("chain")
    for s, w, role in st.plan():
        if st.spent():
            return
        if st.on[s].get(w) != role:
            continue
        if last >= 0 and s not in slots and w not in workers:
            continue  # unchanged since the last chain round looked at it
        before = st.key()
        st.begin()
        st.remove(w, s)
        options: list[tuple[int, int, str]] = []  # (q, t, r): q leaves (t, r) for (s, role)
        for q, r in list(st.on[s].items()):
            if r != role and q in st.eligible_sets[(s, role)]:
                options.append((q, s, r))
        blocked = []
        for q in st.p.eligible[(s, role)]:
            if q == w or q in st.on[s]:
                continue
            for t in st.blockers(q, s):
                if st.fits(q, s, leaving=t):
                    blocked.append((st.gain(q, s), q, t))
        blocked.sort(key=lambda item: item[0], reverse=True)
        options += [(q, t, st.on[t][q]) for _, q, t in blocked[:CHAIN_WIDTH]]
        best, best_key = None, before
        mark = len(st.journal)
        for q, t, r in options:
            st.remove(q, t)
            st.add(q, s, role)
            _fill_best(st, t, r)
            if st.key() > best_key:
                best, best_key = (q, t, r), st.key()
            st.rollback(mark)
        st.rollback()
        if best is not None:
            q, t, r = best
            st.remove(w, s)
            st.remove(q, t)
            st.add(q, s, role)
            _fill_best(st, t, r)


def _eject_round(st: _State) -> None:
    """Move someone from their seat to an empty one, then repair; keep the chain only if it improves the objective.

    This finds what an augmenting path cannot: giving up a long shift to fill two short
    ones (someone at their weekly hours with a 6-hour shift takes two 4-hour seats), or
    filling a longer seat instead of a shorter one. The repair is targeted: the seat left
    behind by an augmenting path, and the empty seats the mover now has room for.
    """
    if st.last_seen.get("eject") == st.clock:
        return  # nothing changed since the last eject round found nothing
    seen: set[tuple[int, str]] = set()  # seats that could not be refilled, until a chain is kept
    for u, role in st.unfilled():
        if st.spent():
            return
        if st.filled.get((u, role), 0) >= st.slots[u].open[role]:
            continue  # filled by an earlier chain in this round
        done = False
        seen.add((u, role))
        for w in st.p.eligible[(u, role)]:
            if done or w in st.on[u]:
                continue
            for t in st.blockers(w, u):
                if not st.fits(w, u, leaving=t):
                    continue
                before = st.key()
                # A try costs its bookkeeping (begin copies the change marks) and the scan of w's seats.
                st.work += (len(st.slots) + len(st.workers)) // 8 + len(st.eligible_of[w]) // 4
                st.begin()
                r = st.remove(w, t)
                st.add(w, u, role)
                for v, role_v in st.eligible_of[w]:
                    if st.filled.get((v, role_v), 0) < st.slots[v].open[role_v] and st.fits(w, v):
                        st.add(w, v, role_v)
                _augment(st, t, r, CHAIN_DEPTH, seen)
                seen.add((t, r))
                gone, came = st.slots[t], st.slots[u]
                if st.key() <= before and gone.secs > came.secs:
                    # w gave up a longer shift for a shorter one: the hours freed may let a
                    # chain through w fill another empty seat of that week (someone moves to it, w takes
                    # their seat).
                    _repair(st, [(v, role_v) for v, role_v in st.unfilled() if st.slots[v].week == gone.week])
                if st.key() > before:
                    st.commit()
                    seen = set()
                    done = True
                    break
                st.rollback()
    st.last_seen["eject"] = st.clock


def _repair(st: _State, unfilled: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Try to fill each of these empty seats by an augmenting path; returns those still empty."""
    left = []
    # A search that fails changes nothing, so the seats it could not refill stay out of later
    # searches until one succeeds (as in Kuhn's algorithm): a pass costs about one search.
    dead: set[tuple[int, str]] = set()
    for s, role in unfilled:
        dead.add((s, role))
        if st.spent() or not _augment(st, s, role, CHAIN_DEPTH, dead):
            left.append((s, role))
        else:
            dead = set()
    return left


def _augment(st: _State, s: int, role: str, depth: int, seen: set[tuple[int, str]]) -> bool:
    """Fill one seat of (s, role), moving up to `depth` people along a chain from their other new seats.

    As in Kuhn's matching algorithm, `seen` is shared by the whole search: a seat that could
    not be refilled once is not tried again, so the search stays small however long the chain.
    """
    candidates = [w for w in st.p.eligible[(s, role)] if w not in st.on[s]]
    best, best_key = None, None
    for w in candidates:
        if st.fits(w, s):
            key = st.gain(w, s)
            if best_key is None or key > best_key:
                best, best_key = w, key
    if best is not None:
        st.add(best, s, role)
        return True
    if depth == 0:
        return False
    for w in candidates:
        if st.spent():
            return False
        for t in st.blockers(w, s):
            r = st.on[t][w]
            if (t, r) in seen or not st.fits(w, s, leaving=t):
                continue
            seen.add((t, r))
            st.remove(w, t)
            st.add(w, s, role)
            if _augment(st, t, r, depth - 1, seen):
                return True
            st.remove(w, s)
            st.add(w, t, r)
    return False


def _replace_round(st: _State) -> None:
    """Replace people on seats by better ones.

    A placement whose shift and person are unchanged since the last round is compared only
    with the people who changed since then: nothing else can have become better.
    """
    last, slots, workers = st.dirty_since("replace")
    for s, w, role in st.plan():
        if st.spent():
            break
        if st.on[s].get(w) != role:
            continue
        if s in slots or w in workers:
            candidates = st.p.eligible[(s, role)]
        else:
            eligible = st.eligible_sets[(s, role)]
            candidates = [q for q in workers if q in eligible]
            if not candidates:
                continue
        saved = (st.slot_epoch[s], st.worker_epoch[w], st.clock)
        lost = st.loss(w, s)
        st.remove(w, s)
        best, best_delta = w, _NOTHING
        for q in candidates:
            if q == w:
                continue
            g = st.gain(q, s)
            delta = (g[0] - lost[0], g[1] - lost[1], g[2] - lost[2], g[3] - lost[3], g[4] - lost[4])
            if delta > best_delta and st.fits(q, s):
                best, best_delta = q, delta
        st.add(best, s, role)
        if best == w:
            st.slot_epoch[s], st.worker_epoch[w], st.clock = saved


def _exchange_round(st: _State) -> None:
    """Exchange two people's seats when that improves the objective.

    After the first round only pairs with a shift or person changed since the last round are tried.
    """
    last, slots, workers = st.dirty_since("exchange")
    plan = st.plan()
    fresh = [(s in slots or w in workers) for s, w, _ in plan]
    starts = [st.slots[s].lo for s, _, _ in plan]  # the plan is in slot order, and slots in start order
    for i, (s, w, role) in enumerate(plan):
        if st.spent():
            break
        # Only shifts starting within EXCHANGE_REACH of each other: the search stays linear in the range.
        far = bisect.bisect_left(starts, starts[i] + EXCHANGE_REACH, i + 1)
        st.work += far - i  # a pair looked at costs about as much as a feasibility check
        for j in range(i + 1, far):
            if not (fresh[i] or fresh[j]):
                continue
            t, v, role_t = plan[j]
            if s == t or w == v or st.on[s].get(w) != role or st.on[t].get(v) != role_t:
                continue
            if st.exchange_delta(w, s, v, t) <= _NOTHING:
                continue
            if w not in st.eligible_sets[(t, role_t)] or v not in st.eligible_sets[(s, role)]:
                continue
            if v in st.on[s] or w in st.on[t]:
                continue
            if not (st.fits(w, t, leaving=s) and st.fits(v, s, leaving=t)):
                continue
            st.remove(w, s)
            st.remove(v, t)
            st.add(w, t, role_t)
            st.add(v, s, role)
            break
