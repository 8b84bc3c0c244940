"""Random sequences of rota changes never break an invariant, and a refused change changes nothing.

The state machine drives the core's service functions directly (coordinators and
volunteers, with and without force) over five volunteers with varied limits. Each
operation may succeed or be refused with a WarmlineError; any other exception
fails the test. After every step `rota.check` must report no errors, and no
warnings unless a rule was actually forced past (the audit row says "forced
past") or someone's limit was made stricter: both may legitimately leave
existing shifts over a limit. Every refused operation must leave every table
exactly as it was, and every successful one must write exactly one audit row.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from warmline import people, rota
from warmline.db import open_db
from warmline.errors import WarmlineError
from warmline.line import create
from warmline.people import PersonChanges

NOW = "2026-11-23T08:00:00-05:00"
TZ = ZoneInfo("America/New_York")
FIRST_DAY = date(2026, 11, 23)  # a Monday; "now" is 08:00 that day
TABLES = ("person", "series", "shift", "assignment", "cover_request", "audit")
MISSING = 10_000  # an id nothing has

# Five volunteers with different limits (None = the line's default: 20 h, 5 shifts, 8 h rest, 4 overnights).
PEOPLE = {
    "ana": {},
    "bo": {"max_hours_week": 8, "max_shifts_week": 2},
    "cy": {"min_rest_hours": 12, "max_overnights_month": 1},
    "di": {"max_hours_week": 40, "max_shifts_week": 7, "min_rest_hours": 2, "max_overnights_month": 8},
    "ed": {"max_hours_week": 12, "max_overnights_month": 0},
}
VOLUNTEERS = sorted(PEOPLE)
HANDLES = VOLUNTEERS + ["coord"]
RULES = ["FREQ=DAILY", "FREQ=DAILY;INTERVAL=2", "FREQ=WEEKLY", "FREQ=WEEKLY;BYDAY=MO,WE,FR", "FREQ=WEEKLY;BYDAY=SA,SU"]
# Which way makes each limit stricter.
STRICTER = {"max_hours_week": -1, "max_shifts_week": -1, "max_overnights_month": -1, "min_rest_hours": +1}
SETTINGS = settings(
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", NOW)


def event(text: str) -> None:
    """Note what happened for `--hypothesis-show-statistics` (a no-op outside a Hypothesis test)."""
    from hypothesis.control import currently_in_test_context

    if currently_in_test_context():
        hypothesis_event(text)


def snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Every row of the tables a rota change may touch."""
    return {t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY rowid")] for t in TABLES}


def moment(day: int, half_hours: int) -> datetime:
    """Local wall time `day` days after Mon 23 Nov 2026 at half-hour `half_hours` (0 = midnight)."""
    return datetime.combine(FIRST_DAY + timedelta(days=day), time(half_hours // 2, 30 * (half_hours % 2)), TZ)


class World:
    """A fresh rota in its own temporary directory, plus what the properties remember.

    Shifts are made with allow_past=True: the properties mix shifts before and after "now" on
    purpose (past ones must stay as they were), which a coordinator cannot create by hand."""

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="warmline-prop-")
        self.db = open_db(Path(self.dir) / "w.db", create=True)
        # These properties are about the rota's logic, not durability (test_crash.py covers that with the
        # product's synchronous=FULL): skipping fsync makes each of the thousands of transactions cheap.
        self.db.conn.execute("PRAGMA synchronous=OFF")
        create(self.db, name="Test Line", tz="America/New_York", actor="coord", first_coordinator=("coord", "Coordinator", None))
        with self.db.transaction() as conn:  # a two-week horizon keeps series small and people's weeks crowded
            conn.execute("UPDATE line SET horizon_weeks = 2")
        self.coord = people.get(self.db.conn, "coord")
        for handle, limits in PEOPLE.items():
            people.add(self.db, self.coord, handle=handle, name=handle.title(), **limits)
        # People who may legitimately be over a limit: a rule was forced past for them, or one of
        # their limits was made stricter. Nobody else may ever show up in a warning.
        self.tainted: set[str] = set()

    def close(self) -> None:
        self.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    def person(self, handle: str):
        return people.get(self.conn, handle)

    def pick(self, sql: str, index: int, params=()):
        rows = self.conn.execute(sql, params).fetchall()
        return rows[index % len(rows)] if rows else None

    def shift_id(self, index: int) -> int:
        row = self.pick("SELECT id FROM shift ORDER BY id", index)
        return row[0] if row else MISSING

    def series_id(self, index: int) -> int:
        row = self.pick("SELECT id FROM series ORDER BY id", index)
        return row[0] if row else MISSING

    def count(self, table: str) -> int:
        return self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def active_series(self) -> bool:
        return self.conn.execute("SELECT 1 FROM series WHERE status = 'active'").fetchone() is not None

    def on_shifts(self, where: str, params=()) -> set[str]:
        """Handles of the people on the shifts matching `where` (SQL over shift s)."""
        return {
            r[0]
            for r in self.conn.execute(
                "SELECT p.handle FROM assignment a JOIN person p ON p.id = a.person_id JOIN shift s ON s.id = a.shift_id"
                f" WHERE {where}",
                params,
            )
        }

    def do(self, name: str, fn, *, affects=(), stricter: bool = False) -> bool:
        """Run one change. A refusal must leave every table exactly as it was; a change writes one audit row.

        `affects` names the people a forced rule or a stricter limit may leave over a limit.
        """
        before = snapshot(self.conn)
        last_audit = self.conn.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]
        try:
            fn()
        except WarmlineError as exc:
            assert not self.conn.in_transaction, f"{name}: a refusal left the transaction open"
            after = snapshot(self.conn)
            for table in TABLES:
                assert after[table] == before[table], f"{name} was refused ({exc}) but {table} changed"
            event(f"{name}: refused")
            return False
        event(f"{name}: done")
        assert not self.conn.in_transaction
        new = self.conn.execute("SELECT action, detail FROM audit WHERE id > ?", (last_audit,)).fetchall()
        assert len(new) == 1, f"{name} wrote {len(new)} audit rows: {[tuple(r) for r in new]}"
        if "forced past" in new[0][1] or stricter:
            event(f"{name}: forced past a rule" if not stricter else f"{name}: stricter")
            self.tainted |= set(affects)
        return True

    def assert_invariants(self) -> None:
        report = rota.check(self.conn)
        assert report.ok, report.errors
        # warnings read "<rule>: <handle> ...": only people a force or a stricter limit touched may appear
        untouched = [w for w in report.warnings if w.split()[1] not in self.tainted]
        assert not untouched, untouched


# ---------------------------------------------------------------- strategies

days = st.integers(0, 13)
half_hours = st.integers(0, 47)
lengths = st.integers(2, 24)  # half-hours: 1 h to 12 h
seat_counts = st.integers(0, 3)
backup_counts = st.integers(0, 2)
indexes = st.integers(0, 10_000)
handles = st.sampled_from(HANDLES)
volunteers = st.sampled_from(VOLUNTEERS)
roles = st.sampled_from(["peer", "peer", "backup"])


class RotaMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.w = World()

    def teardown(self) -> None:
        self.w.close()

    @initialize(
        rule_text=st.sampled_from(["FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,WE,FR", "FREQ=DAILY;INTERVAL=2"]),
        day=st.integers(0, 6),
        start=st.integers(14, 34),  # a daytime series (07:00 to 17:00 starts) that people can take
        length=st.integers(2, 16),
        seats=st.integers(1, 3),
        runs=st.lists(st.tuples(st.integers(0, 2), st.integers(2, 4), volunteers), min_size=1, max_size=3),
    )
    def first_series(self, rule_text, day, start, length, seats, runs):
        """Every example starts with a series some people are already on, several times a week."""
        self.add_series(rule_text, day, start, length, seats, 1, None)
        for first, count, handle in runs:
            self.assign_run(0, first, count, handle, False)

    # -- shifts

    @rule(day=days, start=half_hours, length=lengths, seats=seat_counts, backup=backup_counts)
    def add_shift(self, day, start, length, seats, backup):
        begin = moment(day, start)
        end = begin + timedelta(minutes=30 * length)
        self.w.do("add_shift", lambda: rota.add_shift(self.w.db, self.w.coord, start=begin, end=end, seats=seats, backup=backup, allow_past=True))

    @rule(
        index=indexes,
        move=st.one_of(st.none(), st.tuples(days, half_hours, lengths)),
        seats=st.one_of(st.none(), seat_counts),
        backup=st.one_of(st.none(), backup_counts),
        force=st.booleans(),
    )
    def edit_shift(self, index, move, seats, backup, force):
        sid = self.w.shift_id(index)
        start = end = None
        if move is not None:
            start = moment(move[0], move[1])
            end = start + timedelta(minutes=30 * move[2])
        self.w.do(
            "edit_shift",
            lambda: rota.edit_shift(self.w.db, self.w.coord, sid, start=start, end=end, seats=seats, backup=backup, force=force, allow_past=True),
            affects=self.w.on_shifts("s.id = ?", (sid,)),
        )

    @rule(index=indexes)
    def cancel_shift(self, index):
        sid = self.w.shift_id(index)
        self.w.do("cancel_shift", lambda: rota.cancel_shift(self.w.db, self.w.coord, sid))

    # -- series (a late start with a long length makes an overnight series)

    @precondition(lambda self: self.w.count("series") < 4)
    @rule(
        rule_text=st.sampled_from(RULES),
        day=st.integers(0, 13),
        start=half_hours,
        length=lengths,
        seats=seat_counts,
        backup=backup_counts,
        until=st.one_of(st.none(), st.integers(0, 14)),
    )
    def add_series(self, rule_text, day, start, length, seats, backup, until):
        begin = moment(day, start)
        end = begin + timedelta(minutes=30 * length)
        last = (begin + timedelta(days=until)).date() if until is not None else None
        self.w.do(
            "add_series",
            lambda: rota.add_series(
                self.w.db, self.w.coord, rule=rule_text, start=begin, end=end, seats=seats, backup=backup, until=last,
                allow_past=True,
            ),
        )

    def busiest_series(self, index: int):
        """An active series, the ones with the most people on scheduled shifts first."""
        return self.w.pick(
            "SELECT r.id, r.first_day FROM series r LEFT JOIN shift s ON s.series_id = r.id AND s.status = 'scheduled'"
            " LEFT JOIN assignment a ON a.shift_id = s.id WHERE r.status = 'active'"
            " GROUP BY r.id ORDER BY count(a.id) DESC, r.id",
            index,
        )

    def _edit_series(self, name, row, changes, force):
        self.w.do(
            name,
            lambda: rota.edit_series(self.w.db, self.w.coord, row[0], changes, force=force),
            affects=self.w.on_shifts("s.series_id = ?", (row[0],)),
        )

    @precondition(lambda self: self.w.active_series())
    @rule(
        index=st.integers(0, 3),
        times=st.one_of(st.none(), st.tuples(half_hours, lengths)),
        seats=st.one_of(st.none(), seat_counts),
        backup=st.one_of(st.none(), backup_counts),
        until=st.one_of(st.none(), st.just("clear"), st.integers(0, 14)),
        rule_text=st.one_of(st.none(), st.sampled_from(RULES)),
        force=st.booleans(),
    )
    def edit_series(self, index, times, seats, backup, until, rule_text, force):
        """Any series change: times, seats, until (cutting occurrences off or bringing them back), the rule."""
        row = self.busiest_series(index)
        changes = rota.SeriesChanges(seats=seats, backup=backup, rule=rule_text)
        if times is not None:
            begin = moment(0, times[0])
            changes.start_time = begin.time()
            changes.end_time = (begin + timedelta(minutes=30 * times[1])).time()
        if until == "clear":
            changes.clear_until = True
        elif until is not None:
            changes.until = date.fromisoformat(row[1]) + timedelta(days=until)
        self._edit_series("edit_series", row, changes, force)

    @precondition(lambda self: self.w.active_series())
    @rule(index=st.integers(0, 1), start=half_hours, length=lengths, force=st.booleans())
    def move_series(self, index, start, length, force):
        """The common edit: new times for a series people are already on."""
        row = self.busiest_series(index)
        begin = moment(0, start)
        changes = rota.SeriesChanges(start_time=begin.time(), end_time=(begin + timedelta(minutes=30 * length)).time())
        self._edit_series("move_series", row, changes, force)

    @precondition(lambda self: self.w.active_series())
    @rule(index=indexes)
    def cancel_series(self, index):
        series_id = self.w.series_id(index)
        self.w.do("cancel_series", lambda: rota.cancel_series(self.w.db, self.w.coord, series_id))

    # -- people on shifts

    @rule(index=indexes, handle=handles, role=roles, force=st.booleans())
    def assign(self, index, handle, role, force):
        sid = self.w.shift_id(index)
        self.w.do(
            "assign", lambda: rota.assign(self.w.db, self.w.coord, sid, handle, role=role, force=force), affects={handle}
        )

    @precondition(lambda self: self.w.active_series())
    @rule(index=st.integers(0, 3), first=st.integers(0, 3), count=st.integers(2, 4), handle=volunteers, force=st.booleans())
    def assign_run(self, index, first, count, handle, force):
        """What a coordinator does most: put one person on several occurrences of one series."""
        row = self.w.pick("SELECT id FROM series WHERE status = 'active' ORDER BY id", index)
        ids = [
            r[0]
            for r in self.w.conn.execute(
                "SELECT id FROM shift WHERE series_id = ? AND status = 'scheduled' ORDER BY start_utc", (row[0],)
            )
        ][first : first + count]
        for sid in ids:
            self.w.do("assign_run", lambda: rota.assign(self.w.db, self.w.coord, sid, handle, force=force), affects={handle})

    @rule(index=indexes)
    def unassign(self, index):
        row = self.w.pick(
            "SELECT a.shift_id, p.handle FROM assignment a JOIN person p ON p.id = a.person_id ORDER BY a.id", index
        )
        sid, handle = row if row else (self.w.shift_id(index), "ana")
        self.w.do("unassign", lambda: rota.unassign(self.w.db, self.w.coord, sid, handle))

    @rule(index=indexes, handle=volunteers, role=roles)
    def claim(self, index, handle, role):
        sid = self.w.shift_id(index)
        me = self.w.person(handle)
        self.w.do("claim", lambda: rota.claim(self.w.db, me, sid, role=role))

    @rule(index=indexes, handle=volunteers)
    def drop(self, index, handle):
        me = self.w.person(handle)
        row = self.w.pick("SELECT shift_id FROM assignment WHERE person_id = ? ORDER BY id", index, (me.id,))
        sid = row[0] if row else self.w.shift_id(index)
        self.w.do("drop", lambda: rota.drop(self.w.db, me, sid))

    # -- limits

    @rule(handle=volunteers, field=st.sampled_from(sorted(STRICTER)), value=st.integers(0, 40), by_self=st.booleans())
    def edit_limits(self, handle, field, value, by_self):
        """A coordinator sets a limit, or a volunteer their own (they may only make it stricter)."""
        person = self.w.person(handle)
        current = getattr(person.limits(rota.get_line(self.w.conn)), field)
        stricter = (value - current) * STRICTER[field] > 0
        actor = person if by_self else self.w.coord
        self.w.do(
            "edit_limits",
            lambda: people.edit(self.w.db, actor, handle, PersonChanges(**{field: value})),
            affects={handle},
            stricter=stricter,
        )

    @invariant()
    def rota_holds(self):
        self.w.assert_invariants()


@pytest.mark.slow
def test_random_rota_changes_keep_every_invariant():
    run_state_machine_as_test(RotaMachine, settings=SETTINGS)


# ---------------------------------------------------------------- refusals change nothing


def _fill(w: World, shifts) -> None:
    """A busy rota: some shifts, an overnight series, people on them (refusals while building are fine)."""
    for day, start, length, seats in shifts:
        begin = moment(day, start)
        end = begin + timedelta(minutes=30 * length)
        w.do("fill", lambda: rota.add_shift(w.db, w.coord, start=begin, end=end, seats=seats, backup=1, allow_past=True))
    w.do("fill", lambda: rota.add_series(w.db, w.coord, rule="FREQ=DAILY", start=moment(1, 44), end=moment(2, 12), seats=1, backup=0, allow_past=True))
    ids = [r[0] for r in w.conn.execute("SELECT id FROM shift ORDER BY id")]
    for n, sid in enumerate(ids[:12]):
        w.do("fill", lambda: rota.assign(w.db, w.coord, sid, HANDLES[n % len(HANDLES)]))
        if n % 3 == 0:
            me = w.person(VOLUNTEERS[n % len(VOLUNTEERS)])
            w.do("fill", lambda: rota.claim(w.db, me, sid))


def _attempt(w: World, kind: str, args: tuple) -> bool:
    """One change that is often refused: seats, overlap, rest, limits, permissions, cancelled or unknown shifts."""
    if kind == "assign":
        index, handle, role, force = args
        sid = w.shift_id(index)
        return w.do(kind, lambda: rota.assign(w.db, w.coord, sid, handle, role=role, force=force))
    if kind == "claim":
        index, handle, role = args
        sid, me = w.shift_id(index), w.person(handle)
        return w.do(kind, lambda: rota.claim(w.db, me, sid, role=role))
    if kind == "drop":
        index, handle = args
        sid, me = w.shift_id(index), w.person(handle)
        return w.do(kind, lambda: rota.drop(w.db, me, sid))
    if kind == "unassign":
        index, handle = args
        sid = w.shift_id(index)
        return w.do(kind, lambda: rota.unassign(w.db, w.coord, sid, handle))
    if kind == "edit_shift":
        index, day, start, length, seats, force = args
        sid, begin = w.shift_id(index), moment(day, start)
        end = begin + timedelta(minutes=30 * length)
        return w.do(kind, lambda: rota.edit_shift(w.db, w.coord, sid, start=begin, end=end, seats=seats, force=force))
    if kind == "cancel_shift":
        sid = w.shift_id(args[0])
        return w.do(kind, lambda: rota.cancel_shift(w.db, w.coord, sid))
    if kind == "edit_series":
        start, length, seats, force = args
        begin = moment(0, start)
        changes = rota.SeriesChanges(
            start_time=begin.time(), end_time=(begin + timedelta(minutes=30 * length)).time(), seats=seats
        )
        series_id = w.series_id(0)
        return w.do(kind, lambda: rota.edit_series(w.db, w.coord, series_id, changes, force=force))
    if kind == "volunteer_assigns":  # only coordinators may assign
        index, handle = args
        sid, me = w.shift_id(index), w.person(handle)
        return w.do(kind, lambda: rota.assign(w.db, me, sid, handle))
    if kind == "raise_own_limit":  # volunteers may only make their own limits stricter
        me = w.person(args[0])
        return w.do(kind, lambda: people.edit(w.db, me, me.handle, PersonChanges(max_hours_week=100)))
    raise AssertionError(kind)


attempts = st.one_of(
    st.tuples(st.just("assign"), st.tuples(indexes, handles, roles, st.booleans())),
    st.tuples(st.just("claim"), st.tuples(indexes, volunteers, roles)),
    st.tuples(st.just("drop"), st.tuples(indexes, volunteers)),
    st.tuples(st.just("unassign"), st.tuples(indexes, handles)),
    st.tuples(st.just("edit_shift"), st.tuples(indexes, days, half_hours, lengths, seat_counts, st.booleans())),
    st.tuples(st.just("cancel_shift"), st.tuples(indexes)),
    st.tuples(st.just("edit_series"), st.tuples(half_hours, lengths, seat_counts, st.booleans())),
    st.tuples(st.just("volunteer_assigns"), st.tuples(indexes, volunteers)),
    st.tuples(st.just("raise_own_limit"), st.tuples(volunteers)),
)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    shifts=st.lists(st.tuples(st.integers(0, 6), half_hours, lengths, st.integers(0, 2)), min_size=3, max_size=8),
    tries=st.lists(attempts, min_size=5, max_size=25),
)
def test_a_refused_change_changes_nothing(shifts, tries):
    """Every row of shift, series, assignment, cover_request and person, and the audit log, is unchanged
    by a refused change (World.do compares snapshots); accepted ones keep the rota consistent."""
    w = World()
    try:
        _fill(w, shifts)
        refused = 0
        for kind, args in tries:
            refused += not _attempt(w, kind, args)
            report = rota.check(w.conn)
            assert report.ok, report.errors
        event(f"refused {min(refused, 5)}+ of the attempts" if refused >= 5 else f"refused {refused} of the attempts")
    finally:
        w.close()


# ---------------------------------------------------------------- cases the state machine found


def test_found_series_edit_judged_against_old_times():
    """Found by the machine: a series edit was checked against the person's *old* times of the other
    occurrences it moved in the same edit, so lengthening 1 h shifts to 4.5 h left bo (8 h a week)
    on 9 h without any force. It must be refused."""
    m = RotaMachine()
    try:
        m.first_series(rule_text="FREQ=DAILY", day=1, start=14, length=2, seats=1, runs=[(0, 2, "bo")])
        assert len(m.w.on_shifts("s.series_id = 1")) == 1
        m.rota_holds()
        m.move_series(index=0, start=14, length=9, force=False)
        m.rota_holds()
        assert m.w.conn.execute("SELECT max(end_utc) FROM shift WHERE series_id = 1").fetchone()[0].endswith("13:00:00Z")
    finally:
        m.teardown()


def test_found_revived_occurrence_skips_the_rules():
    """Found by the machine: an occurrence cut off by --until keeps its people; bringing it back with
    --no-until revived them without any rule check, leaving one person on two overlapping shifts."""
    m = RotaMachine()
    try:
        m.first_series(rule_text="FREQ=DAILY", day=1, start=18, length=8, seats=2, runs=[(3, 1, "ana")])
        sid = m.w.conn.execute("SELECT shift_id FROM assignment").fetchone()[0]
        assert m.w.do("edit_series", lambda: rota.edit_series(m.w.db, m.w.coord, 1, rota.SeriesChanges(until=date(2026, 11, 25))))
        assert m.w.conn.execute("SELECT status FROM shift WHERE id = ?", (sid,)).fetchone()[0] == "cancelled"
        # ana takes another shift at the same time as the cancelled occurrence (Fri 27 Nov 10:00)
        m.add_shift(day=4, start=20, length=4, seats=1, backup=0)
        other = m.w.conn.execute("SELECT max(id) FROM shift").fetchone()[0]
        assert m.w.do("assign", lambda: rota.assign(m.w.db, m.w.coord, other, "ana"))
        for force in (False, True):  # an overlap may never be forced
            changes = rota.SeriesChanges(clear_until=True)
            revived = m.w.do("edit_series", lambda: rota.edit_series(m.w.db, m.w.coord, 1, changes, force=force))
            assert not revived, f"bringing the occurrence back (force={force}) put ana on two overlapping shifts"
        m.rota_holds()
    finally:
        m.teardown()
