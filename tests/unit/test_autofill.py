"""Auto-fill: every proposal keeps every rule, both engines reach the optimum where it is known,
and applying is one audited, all-or-nothing transaction.

Small instances (3–4 people, 3–4 seats) are solved by brute force: every way of giving each
open seat to one of the people (or to nobody), kept only when each person's shifts pass the
rota's own rule check (`rules.problems` against all their other shifts, availability and time
off) — independent of the engines' model. The engines must reach the best score found.
CP-SAT tests skip only when OR-Tools is missing (CI installs it through the `test` extra).
"""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warmline import autofill, availability, calls, coverage, people, rota, rules
from warmline.autofill import cpsat, greedy
from warmline.autofill.problem import QUARTER_HOUR, build, evaluate, violations
from warmline.db import open_db
from warmline.errors import Invalid, Refused
from warmline.line import create
from warmline.people import PersonChanges

NY = ZoneInfo("America/New_York")
NOW = "2026-11-23T08:00:00-05:00"  # Monday
needs_cpsat = pytest.mark.skipif(not cpsat.available(), reason="OR-Tools is not installed (pip install 'warmline[solver]')")
ENGINES = ["greedy", pytest.param("cpsat", marks=needs_cpsat)]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A New York time in November/December 2026 (day > 30 runs into December)."""
    return datetime(2026, 11, 1, tzinfo=NY).replace(hour=hour, minute=minute) + timedelta(days=day - 1)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", NOW)


def new_line(path):
    db = open_db(path, create=True)
    create(db, name="T", tz="America/New_York", actor="coord", first_coordinator=("coord", "Coord", None))
    return db, people.get(db.conn, "coord")


WEEK = (at(23, 0), at(30, 0))


# ---------------------------------------------------------------- brute force (independent of the engines)


def seat_units(problem):
    return [(slot, role) for slot in problem.slots for role in ("peer", "backup") for _ in range(slot.open[role])]


def brute_force(conn, coord, problem):
    """The best score over every valid way of filling the seats, checked with the rota's own rules."""
    from warmline.line import get as get_line

    line = get_line(conn)
    tz = NY
    everyone = [p for p in people.all_people(conn, include_inactive=False)]
    cals = availability.calendars(conn, [p.id for p in everyone], WEEK[0] - timedelta(days=2), WEEK[1] + timedelta(days=2), tz)
    backup_before = {r[0] for r in conn.execute("SELECT DISTINCT person_id FROM assignment WHERE role = 'backup'")}
    held = {}
    for pid, sid, a, b in conn.execute(
        "SELECT a.person_id, s.id, s.start_utc, s.end_utc FROM assignment a JOIN shift s ON s.id = a.shift_id WHERE s.status = 'scheduled'"
    ):
        held.setdefault(pid, []).append(rules.Span(sid, datetime.fromisoformat(a.replace("Z", "+00:00")), datetime.fromisoformat(b.replace("Z", "+00:00"))))
    index = {w.id: w.index for w in problem.workers}
    units = seat_units(problem)
    best, best_plan = None, None
    for choice in itertools.product([None, *everyone], repeat=len(units)):
        taken = {}
        ok = True
        for (slot, role), person in zip(units, choice):
            if person is None:
                continue
            if (slot.id, person.id) in taken or person.id in slot.on:
                ok = False
                break
            if role == "backup" and not (person.is_coordinator or person.id in backup_before):
                ok = False
                break
            taken[(slot.id, person.id)] = (slot, role, person)
        if not ok:
            continue
        new_by_person = {}
        for slot, role, person in taken.values():
            new_by_person.setdefault(person.id, []).append(slot)
        for pid, slots in new_by_person.items():
            person = next(p for p in everyone if p.id == pid)
            spans = [rules.Span(s.id, s.start, s.end) for s in slots]
            for span in spans:
                others = held.get(pid, []) + [o for o in spans if o.shift_id != span.shift_id]
                if rules.problems(person.handle, span, others, person.limits(line), tz) or cals[pid].problems(span, tz):
                    ok = False
                    break
            if not ok:
                break
        if not ok:
            continue
        plan = [(slot.index, index[person.id], role) for slot, role, person in taken.values()]
        score = evaluate(problem, plan).key()
        if best is None or score > best:
            best, best_plan = score, plan
    return best, best_plan


def plan_of(problem, proposal):
    index = {w.id: w.index for w in problem.workers}
    slot_of = {s.id: s.index for s in problem.slots}
    return [(slot_of[p.shift_id], index[p.person_id], p.role) for p in proposal.placements]


# ---------------------------------------------------------------- random small lines


def random_line(path, seed: int):
    """A line with 3–4 people and 3–4 open seats on Tue–Wed, with limits, availability, time off, goals and demand."""
    rng = random.Random(seed)
    db, coord = new_line(path)
    # The coordinator takes part too (always eligible for backup seats), with random limits.
    people.edit(db, coord, "coord", PersonChanges(max_hours_week=rng.choice([8, 20]), min_rest_hours=rng.choice([0, 8])))
    handles = ["ana", "ben", "cy"][: rng.choice([2, 3])]
    for h in handles:
        tags = rng.sample(["grief", "anxiety", "loneliness"], rng.choice([0, 1, 2]))
        langs = ["es"] if rng.random() < 0.4 else []
        people.add(
            db, coord, handle=h, name=h.title(), tags=tags, languages=langs,
            max_hours_week=rng.choice([4, 6, 8, 20]), max_shifts_week=rng.choice([1, 2, 3]),
            min_rest_hours=rng.choice([0, 4, 12]), max_overnights_month=rng.choice([0, 1, 4]),
        )
    # Some have been backup before: a shift long past.
    old = rota.add_shift(db, coord, start=at(1, 9), end=at(1, 13), seats=0, backup=1, allow_past=True)
    veteran = rng.choice(handles)
    rota.assign(db, coord, old.id, veteran, role="backup")
    # 3-4 open seats over 2-3 shifts on Tue 24 – Wed 25.
    seats_left = rng.choice([3, 4])
    shifts = []
    while seats_left > 0:
        day = rng.choice([24, 25])
        hour = rng.choice([0, 6, 9, 13, 17, 20, 22])
        length = rng.choice([3, 4, 6, 8])
        seats = min(seats_left, rng.choice([1, 2]))
        backup = 1 if seats_left - seats > 0 and rng.random() < 0.5 else 0
        shift = rota.add_shift(db, coord, start=at(day, hour), end=at(day, hour) + timedelta(hours=length), seats=seats, backup=backup)
        shifts.append(shift)
        seats_left -= seats + backup
    # Sometimes someone is already on one of them (existing assignments stay).
    if rng.random() < 0.4:
        try:
            rota.assign(db, coord, shifts[0].id, rng.choice(handles))
        except Refused:
            pass
    for h in handles:
        roll = rng.random()
        if roll < 0.3:
            windows = availability.parse_windows(["TU", f"{rng.choice([0, 8, 12])}:00-{rng.choice([14, 20, 23])}:00", "WE", "00:00-00:00"])
            availability.set_windows(db, coord, h, windows)
        elif roll < 0.45:
            availability.add_time_off(db, coord, h, date(2026, 11, rng.choice([24, 25])), date(2026, 11, 25))
        if rng.random() < 0.4:
            pref = availability.parse_windows([rng.choice(["TU", "WE"]), f"{rng.choice([0, 9, 13])}:00-23:00"], kind="preferred")
            availability.set_windows(db, coord, h, pref, kind="preferred")
    if rng.random() < 0.6:
        coverage.add_goal(db, coord, rng.choice(["grief", "es"]), "daily", time(0), time(0), rng.choice([1, 2]))
    for _ in range(rng.choice([0, 2, 4])):
        # Last week's calls at the hours of this week's shifts make demand.
        shift = rng.choice(shifts)
        when = shift.start_utc - timedelta(days=7) + timedelta(minutes=30)
        calls.log_call(db, coord, [rng.choice(["grief", "anxiety", "loneliness", "es"])], at=when)
    return db, coord


SEEDS = list(range(12))


@pytest.mark.fast_tier_sample(6)
@pytest.mark.parametrize("seed", SEEDS)
def test_both_engines_reach_the_brute_force_optimum(tmp_path, seed):
    db, coord = random_line(tmp_path / "r.db", seed)
    try:
        problem = build(db.conn, coord, *WEEK)
        best, _ = brute_force(db.conn, coord, problem)
        found = autofill.propose(db.conn, coord, *WEEK, engine="greedy")
        assert evaluate(problem, plan_of(problem, found)).key() == best, f"seed {seed}: heuristic"
        if cpsat.available():
            found = autofill.propose(db.conn, coord, *WEEK, engine="cpsat", time_limit=20)
            assert found.optimal
            assert evaluate(problem, plan_of(problem, found)).key() == best, f"seed {seed}: CP-SAT"
    finally:
        db.close()


# ---------------------------------------------------------------- each level of the objective, by hand


class Small:
    """A line with shifts on Tuesday 24 November and a few volunteers; `fill` proposes for that week."""

    def __init__(self, path):
        self.db, self.coord = new_line(path)
        # The coordinator is away this week, so only the volunteers below are in play.
        availability.add_time_off(self.db, self.coord, None, date(2026, 11, 23), date(2026, 11, 29))

    def person(self, handle, **kw):
        return people.add(self.db, self.coord, handle=handle, name=handle.title(), **kw)

    def shift(self, day, hour, hours, seats=1, backup=0):
        return rota.add_shift(self.db, self.coord, start=at(day, hour), end=at(day, hour) + timedelta(hours=hours),
                              seats=seats, backup=backup).id

    def fill(self, engine="greedy"):
        return autofill.propose(self.db.conn, self.coord, *WEEK, engine=engine, time_limit=10)

    def placed(self, proposal):
        return sorted((p.shift_id, p.handle, p.role) for p in proposal.placements)


@pytest.fixture
def small(tmp_path):
    made = Small(tmp_path / "s.db")
    yield made
    made.db.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_hours_are_shared_in_proportion_to_each_persons_limit(small, engine):
    small.person("ana", max_hours_week=20, min_rest_hours=0)
    small.person("ben", max_hours_week=10, min_rest_hours=0)
    ids = [small.shift(24, h, 4) for h in (0, 6, 12)]
    found = small.fill(engine)
    assert [p.handle for p in found.placements].count("ana") == 2  # shares 8 h : 4 h, as 20 : 10
    assert {p.shift_id for p in found.placements} == set(ids)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_coverage_goal_comes_before_fairness(small, engine):
    small.person("ana", languages=["es"], min_rest_hours=0)
    small.person("ben", min_rest_hours=0)
    busy = small.shift(24, 6, 4)
    goal_shift = small.shift(24, 17, 4)
    rota.assign(small.db, small.coord, busy, "ana")
    coverage.add_goal(small.db, small.coord, "es", "daily", time(17), time(21), 1)
    found = small.fill(engine)
    assert small.placed(found) == [(goal_shift, "ana", "peer")]  # ana already works today, but speaks Spanish
    assert found.placements[0].goals == ("Spanish",)
    assert found.score.goals == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_preferred_times_break_the_last_tie(small, engine):
    small.person("ana")
    small.person("ben")
    availability.set_windows(small.db, small.coord, "ben", availability.parse_windows(["TU", "09:00-13:00"], kind="preferred"))
    sid = small.shift(24, 9, 4)
    found = small.fill(engine)
    assert small.placed(found) == [(sid, "ben", "peer")] and found.placements[0].preferred


@pytest.mark.parametrize("engine", ENGINES)
def test_backup_seats_go_only_to_coordinators_and_people_who_have_been_backup(small, engine):
    small.person("new")
    small.person("old")
    past = rota.add_shift(small.db, small.coord, start=at(2, 9), end=at(2, 13), seats=0, backup=1, allow_past=True).id
    rota.assign(small.db, small.coord, past, "old", role="backup")
    sid = small.shift(24, 9, 4, seats=0, backup=2)
    found = small.fill(engine)
    assert small.placed(found) == [(sid, "old", "backup")]
    assert [(o.role, o.count, o.eligible) for o in found.left_open] == [("backup", 1, 1)]


@pytest.mark.parametrize("engine", ENGINES)
def test_existing_assignments_stay_and_inactive_or_unavailable_people_are_never_proposed(small, engine):
    small.person("ana")
    small.person("ben")
    small.person("cy")
    small.person("dee")
    sid = small.shift(24, 9, 4, seats=3)
    rota.assign(small.db, small.coord, sid, "ana")
    people.deactivate(small.db, small.coord, "ben")
    availability.set_windows(small.db, small.coord, "cy", availability.parse_windows(["weekends", "09:00-17:00"]))
    found = small.fill(engine)
    assert small.placed(found) == [(sid, "dee", "peer")]
    assert found.seats_open == 2 and found.left_open[0].reason.startswith("the 1 eligible person")


# ---------------------------------------------------------------- larger random lines: every proposal keeps every rule


def random_demo(path, seed: int):
    """The demo line (24 volunteers) with this fortnight's assignments removed and random availability and time off."""
    from warmline.demo import build as build_demo

    rng = random.Random(seed)
    db = open_db(path, create=True)
    build_demo(db, seed=seed, people=24)
    coord = people.get(db.conn, "dana-w")
    with db.transaction() as conn:
        conn.execute("DELETE FROM cover_request")
        conn.execute("DELETE FROM assignment WHERE shift_id IN (SELECT id FROM shift WHERE start_utc >= '2026-11-24')")
    for person in people.all_people(db.conn):
        roll = rng.random()
        if roll < 0.4:
            days = rng.choice(["weekdays", "weekends", "MO,WE,FR", "daily"])
            windows = availability.parse_windows([days, rng.choice(["09:00-17:00", "13:00-22:00", "08:00-23:00"])])
            availability.set_windows(db, coord, person.handle, windows)
        elif roll < 0.55:
            first = date(2026, 11, 24) + timedelta(days=rng.randrange(10))
            availability.add_time_off(db, coord, person.handle, first, first + timedelta(days=rng.randrange(4)))
        if rng.random() < 0.3:
            pref = availability.parse_windows([rng.choice(["weekdays", "weekends"]), "09:00-17:00"], kind="preferred")
            availability.set_windows(db, coord, person.handle, pref, kind="preferred")
    return db, coord


@pytest.mark.fast_tier_sample(4)
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("seed", [3, 8])
def test_every_proposal_on_a_random_line_passes_every_rule(tmp_path, engine, seed):
    db, coord = random_demo(tmp_path / "d.db", seed)
    try:
        lo, hi = datetime(2026, 11, 24, tzinfo=NY), datetime(2026, 12, 8, tzinfo=NY)
        proposal = autofill.propose(db.conn, coord, lo, hi, engine=engine, time_limit=5)
        # CP-SAT's plan is used when it is at least as good as the heuristic's (its hint); on a
        # loaded machine it may not get there in time, and the heuristic's plan stands.
        assert proposal.placements and proposal.requested == engine and proposal.engine in (engine, "greedy")
        experienced = {r[0] for r in db.conn.execute("SELECT person_id FROM assignment WHERE role = 'backup'")}
        for p in proposal.placements:
            if p.role == "backup":
                assert p.person_id in experienced or people.get_by_id(db.conn, p.person_id).is_coordinator
        autofill.apply(db, coord, proposal)
        report = rota.check(db.conn)
        assert report.errors == [] and report.warnings == []
        assert availability.conflicts(db.conn, lo, hi) == []
    finally:
        db.close()


# ---------------------------------------------------------------- the heuristic, as a property


@st.composite
def problems(draw):
    """A random Problem built directly (no database): slots over two weeks, workers with random capacities."""
    from warmline.autofill.problem import Problem, Slot, Worker

    n_slots = draw(st.integers(1, 8))
    n_workers = draw(st.integers(1, 6))
    hour = 3600
    slots = []
    for i in range(n_slots):
        lo = draw(st.integers(0, 14 * 24)) * hour
        length = draw(st.integers(1, 12)) * hour
        week, month = lo // (7 * 24 * hour), 0
        tags = draw(st.lists(st.sampled_from(["a", "b", "c"]), max_size=2, unique=True))
        slots.append(Slot(
            index=i, id=100 + i, start=None, end=None, lo=lo, hi=lo + length, secs=length, quarters=length // QUARTER_HOUR,
            week=week, month=month, overnight=draw(st.booleans()),
            open={"peer": draw(st.integers(0, 2)), "backup": draw(st.integers(0, 1))},
            goals=tuple((g, t, draw(st.integers(1, 2)), t) for g, t in enumerate(tags[:1])),
            demand=tuple((t, draw(st.integers(1, 300)), t) for t in tags),
            on=frozenset(),
        ))
    workers = []
    for i in range(n_workers):
        workers.append(Worker(
            index=i, id=i + 1, handle=f"p{i}", name=f"P{i}", rest=draw(st.sampled_from([0, 4, 8, 12])) * hour,
            weight=draw(st.sampled_from([12, 20, 30])), base_quarters=draw(st.integers(0, 16)),
            week_secs={0: draw(st.integers(0, 30)) * hour, 1: draw(st.integers(0, 30)) * hour, 2: 30 * hour},
            week_shifts={0: draw(st.integers(0, 4)), 1: draw(st.integers(0, 4)), 2: 4},
            month_nights={0: draw(st.integers(0, 3))},
            holds=frozenset(draw(st.lists(st.sampled_from(["a", "b", "c"]), max_size=3, unique=True))),
            backup_ok=draw(st.booleans()),
        ))
    eligible = {}
    for s in slots:
        for role in ("peer", "backup"):
            eligible[(s.index, role)] = [
                w.index for w in workers
                if s.open[role] and (role == "peer" or w.backup_ok) and draw(st.booleans())
            ]
    preferred = {(w.index, s.index) for w in workers for s in slots if draw(st.integers(0, 3)) == 0}
    return Problem(None, None, NY, slots, workers, eligible, preferred)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_the_heuristic_always_keeps_every_rule_and_leaves_no_seat_someone_could_simply_take(problem):
    plan = greedy.solve(problem, time_limit=5)
    assert violations(problem, plan) == []
    # No empty seat has an eligible person who could be added as things stand.
    for slot in problem.slots:
        for role in ("peer", "backup"):
            if sum(1 for s, _, r in plan if s == slot.index and r == role) < slot.open[role]:
                for w in problem.eligible[(slot.index, role)]:
                    assert violations(problem, plan + [(slot.index, w, role)]), (slot.index, role, w)


# ---------------------------------------------------------------- applying: one audited transaction, all or nothing


def test_proposing_writes_nothing_and_applying_writes_all_with_audit_rows(small):
    small.person("ana")
    small.person("ben")
    a = small.shift(24, 9, 4)
    b = small.shift(25, 9, 4)
    before = list(small.db.conn.iterdump())
    proposal = small.fill()
    assert list(small.db.conn.iterdump()) == before
    applied = autofill.apply(small.db, small.coord, proposal)
    assert len(applied.placements) == 2
    rows = small.db.conn.execute("SELECT action, subject, detail FROM audit ORDER BY id DESC LIMIT 3").fetchall()
    assert rows[0][0] == "autofill.apply" and rows[0][2] == "2 of 2 open seats filled; engine greedy"
    assert rows[0][1] == "2026-11-23 to 2026-11-29"
    assert {r[1] for r in rows[1:]} == {f"shift {a}", f"shift {b}"} and all(r[2].endswith("by auto-fill") for r in rows[1:])


def test_applying_after_the_rota_changed_changes_nothing(small):
    ana = small.person("ana")
    small.person("ben")
    small.shift(24, 9, 4)
    small.shift(25, 9, 4)
    proposal = small.fill()
    taken = next(p for p in proposal.placements if p.handle == "ana")
    other = people.get(small.db.conn, "ben")
    rota.claim(small.db, other if taken.handle != "ben" else ana, taken.shift_id)
    before = list(small.db.conn.iterdump())
    with pytest.raises(Refused, match="run `warmline autofill` again"):
        autofill.apply(small.db, small.coord, proposal)
    assert list(small.db.conn.iterdump()) == before


def test_only_coordinators_auto_fill(small):
    ana = small.person("ana")
    with pytest.raises(Refused, match="only coordinators may assign people to shifts"):
        autofill.propose(small.db.conn, ana, *WEEK)


def test_without_or_tools_auto_uses_the_heuristic_and_says_so(small, monkeypatch):
    small.person("ana")
    small.shift(24, 9, 4)
    monkeypatch.setattr(cpsat, "available", lambda: False)
    found = small.fill("auto")
    assert (found.engine, found.notice) == ("greedy", "CP-SAT not installed; using the built-in heuristic")
    with pytest.raises(Refused, match=r"pip install 'warmline\[solver\]'"):
        small.fill("cpsat")
    with pytest.raises(Invalid, match="engine"):
        small.fill("magic")


def test_importing_auto_fill_does_not_load_or_tools():
    code = "import sys, warmline.autofill, warmline.cli; print(any(m.split('.')[0] == 'ortools' for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


@pytest.mark.slow
def test_cli_autofill_shows_a_diff_then_applies(run_cli):
    from warmline import access

    db = open_db(run_cli.db, create=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WARMLINE_NOW", NOW)
        create(db, name="T", tz="America/New_York", actor="root", first_coordinator=("root", "Root", access.os_user()))
        root = people.get(db.conn, "root")
        availability.add_time_off(db, root, None, date(2026, 11, 23), date(2026, 11, 29))
        people.add(db, root, handle="ana-r", name="Ana")
        sid = rota.add_shift(db, root, start=at(23, 17), end=at(23, 21)).id
    db.close()
    shown = run_cli("autofill", "--engine", "greedy", "--to", "2026-11-29")
    assert shown.returncode == 0, shown.stderr
    assert f"+ Mon 23 Nov 17:00–21:00 #{sid}  ana-r (peer)" in shown.stdout
    assert "Nothing written" in shown.stdout and "heuristic:" in shown.stderr
    quiet = run_cli("autofill", "--engine", "greedy", "--to", "2026-11-29", "--apply", "--json")
    assert quiet.returncode == 0 and quiet.stderr == ""
    data = json.loads(quiet.stdout)
    assert data["applied"] and [(p["shift_id"], p["handle"], p["role"]) for p in data["placements"]] == [(sid, "ana-r", "peer")]
    assert run_cli("check").returncode == 0


# ---------------------------------------------------------------- the same rota gives the same plan (issue 15)


def many_optima(path):
    """Six volunteers alike in every way and six one-seat shifts on six days: every way of giving each one
    shift is optimal (720 of them), so only a deterministic solve proposes the same plan twice."""
    made = Small(path)
    for h in ("ana", "ben", "cy", "dee", "eve", "fay"):
        made.person(h, max_hours_week=8, min_rest_hours=0)
    for day in range(24, 30):
        made.shift(day, 9, 4)
    return made


def assigned(db, shift_ids):
    marks = ",".join("?" * len(shift_ids))
    return sorted(tuple(row) for row in db.conn.execute(
        f"SELECT a.shift_id, p.handle, a.role FROM assignment a JOIN person p ON p.id = a.person_id WHERE a.shift_id IN ({marks})",
        shift_ids,
    ))


@pytest.mark.parametrize("engine", ENGINES)
def test_preview_then_apply_writes_exactly_the_plan_previewed_every_time(tmp_path, engine):
    import shutil

    template = many_optima(tmp_path / "template.db")
    template.db.close()
    written = []
    for run in range(4):
        copy = tmp_path / f"run{run}.db"
        shutil.copy(tmp_path / "template.db", copy)
        db = open_db(copy)
        try:
            coord = people.get(db.conn, "coord")
            shown = autofill.propose(db.conn, coord, *WEEK, engine=engine, time_limit=20)
            again = autofill.propose(db.conn, coord, *WEEK, engine=engine, time_limit=20)  # what --apply solves
            assert again.placements == shown.placements and again.notice == shown.notice == ""
            autofill.apply(db, coord, again)
            previewed = sorted((p.shift_id, p.handle, p.role) for p in shown.placements)
            assert assigned(db, sorted({p.shift_id for p in shown.placements})) == previewed
            assert len(previewed) == 6 and rota.check(db.conn).errors == []
            written.append(previewed)
        finally:
            db.close()
    assert all(plan == written[0] for plan in written)


@needs_cpsat
def test_cli_autofill_applies_the_plan_it_previewed(run_cli):
    from warmline import access

    db = open_db(run_cli.db, create=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WARMLINE_NOW", NOW)
        create(db, name="T", tz="America/New_York", actor="root", first_coordinator=("root", "Root", access.os_user()))
        root = people.get(db.conn, "root")
        availability.add_time_off(db, root, None, date(2026, 11, 23), date(2026, 11, 29))
        for h in ("ana-r", "ben-r", "cy-r", "dee-r"):
            people.add(db, root, handle=h, name=h, max_hours_week=8, min_rest_hours=0)
        for day in (24, 25, 26, 27):
            rota.add_shift(db, root, start=at(day, 9), end=at(day, 13))
    db.close()
    shown = run_cli("autofill", "--engine", "cpsat", "--to", "2026-11-29", "--json")
    assert shown.returncode == 0, shown.stderr
    applied = run_cli("autofill", "--engine", "cpsat", "--to", "2026-11-29", "--apply", "--json")
    assert applied.returncode == 0, applied.stderr
    before, after = json.loads(shown.stdout), json.loads(applied.stdout)
    assert after["applied"] and len(after["placements"]) == 8  # two seats a shift
    assert after["placements"] == before["placements"]
    assert run_cli("check").returncode == 0


# ---------------------------------------------------------------- the quality lines of benchmarks/autofill.py


def every_rule_holds(db, problem, proposal, lo, hi):
    """The plan in the problem's terms, then written and checked with the rota's own rules."""
    coord = next(p for p in people.all_people(db.conn) if p.is_coordinator)
    assert violations(problem, plan_of(problem, proposal)) == []
    before = rota.check(db.conn)  # the tight line's lowered limits make some of the demo's history break them
    autofill.apply(db, coord, proposal)
    after = rota.check(db.conn)
    assert set(after.errors + after.warnings) - set(before.errors + before.warnings) == set()
    assert availability.conflicts(db.conn, lo, hi) == []


def quality_line(monkeypatch, tmp_path, make, seed):
    from benchmarks.autofill import CLOCK_CHANGE_NOW

    monkeypatch.setenv("WARMLINE_NOW", CLOCK_CHANGE_NOW)
    path, lo, hi = make(tmp_path, seed)
    db = open_db(path)
    coord = next(p for p in people.all_people(db.conn) if p.is_coordinator)
    return db, coord, lo, hi


@needs_cpsat
def test_the_heuristic_fills_the_optimum_on_a_week_with_overnights_and_the_clock_change(tmp_path, monkeypatch):
    from benchmarks.autofill import overnight_line, seats_bound

    db, coord, lo, hi = quality_line(monkeypatch, tmp_path, overnight_line, 1)
    try:
        problem = build(db.conn, coord, lo, hi)
        assert any(s.secs == 5 * 3600 for s in problem.slots)  # the night the clocks go back
        found = autofill.propose(db.conn, coord, lo, hi, engine="greedy")
        assert found.score.seats == seats_bound(problem) == 181  # the bound is met: the plan is optimal
        every_rule_holds(db, problem, found, lo, hi)
    finally:
        db.close()


@pytest.mark.slow
@needs_cpsat
@pytest.mark.parametrize("seed", [2, 3, 4, 5, 6, 7])
def test_the_heuristic_is_within_one_percent_of_the_optimum_with_overnights(tmp_path, monkeypatch, seed):
    from benchmarks.autofill import overnight_line, seats_bound

    db, coord, lo, hi = quality_line(monkeypatch, tmp_path, overnight_line, seed)
    try:
        problem = build(db.conn, coord, lo, hi)
        found = autofill.propose(db.conn, coord, lo, hi, engine="greedy")
        assert found.score.seats >= 0.99 * seats_bound(problem)
        if seed == 4:
            solved = autofill.propose(db.conn, coord, lo, hi, engine="cpsat", time_limit=60)
            assert solved.score.seats >= found.score.seats
        every_rule_holds(db, problem, found, lo, hi)
    finally:
        db.close()


@pytest.mark.slow
@needs_cpsat
def test_the_heuristic_fills_the_optimum_on_a_tight_300_person_line(tmp_path, monkeypatch):
    from benchmarks.autofill import seats_bound, tight_line

    db, coord, lo, hi = quality_line(monkeypatch, tmp_path, tight_line, 1)
    try:
        problem = build(db.conn, coord, lo, hi)
        found = autofill.propose(db.conn, coord, lo, hi, engine="greedy")
        assert found.score.seats >= 0.99 * seats_bound(problem)
        every_rule_holds(db, problem, found, lo, hi)
    finally:
        db.close()
