"""Coverage goals, the demand seen in the call log, and the coverage report.

Coverage looks at a range of shifts: which coordinator goals ("Spanish, daily
17:00–21:00, at least 1") each shift meets, how much of the demand seen in the
anonymous call log (calls per need per local hour of the week) the people on shift
cover, and who could fill each gap. Everything is read in a handful of queries and
computed in memory, so a year of shifts takes well under a second.

All functions return plain dataclasses and print nothing: the CLI and the screens
format them. The tag index and the time helpers are matching's (warmline.matching).
"""

from __future__ import annotations

import bisect
import sqlite3
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone

from . import audit, rules
from .access import require
from .clock import now
from .db import Database, iso_utc
from .errors import Invalid, NotFound
from .matching import _aware, _taxonomy, _utc, _zone
from .model import Person
from .taxonomy import Resolver, Tag

MAX_FILLERS = 5
DEMAND_GAP_MIN = 0.5  # expected calls for a need during a shift before its absence is called a gap
HOURS_PER_WEEK = 168
_HOUR = timedelta(hours=1)


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Goal:
    """A coordinator's coverage rule: at least `min_people` offering `tag_id` in a daily local window."""

    id: int
    tag_id: str
    label: str
    family: str
    days: str  # canonical 'MO,TU,...' in week order
    start: time
    end: time  # earlier than (or equal to) start: the window ends the next day
    min_people: int
    active: bool
    created_at: str

    @property
    def days_text(self) -> str:
        return days_text(self.days)

    def describe(self) -> str:
        """'Spanish, every day 17:00–21:00, at least 1'."""
        return f"{self.label}, {self.days_text} {self.start:%H:%M}–{self.end:%H:%M}, at least {self.min_people}"


@dataclass(frozen=True)
class GoalCheck:
    """One goal applied to one shift: how many on the shift offer its tag, and whether that is enough."""

    goal_id: int
    tag_id: str
    label: str
    min_people: int
    have: int
    met: bool
    handles: tuple[str, ...]


@dataclass(frozen=True)
class DemandCheck:
    """A need callers asked for during a shift's hours: expected calls, and whether someone on it offers it."""

    tag_id: str
    label: str
    expected: float
    covered: bool


@dataclass(frozen=True)
class Filler:
    """Someone who could take a free seat on a gap's shift: eligible under the rota rules, tag offered."""

    handle: str
    name: str
    shifts_in_range: int


@dataclass(frozen=True)
class ShiftCoverage:
    """One shift in the report: who is on it, its goals and its demand."""

    shift_id: int
    start: datetime
    end: datetime
    peers: tuple[str, ...]
    backup: tuple[str, ...]
    open_seats: int
    open_backup_seats: int
    goals: tuple[GoalCheck, ...]
    demand: tuple[DemandCheck, ...]  # most expected first

    @property
    def expected_calls(self) -> float:
        return sum(d.expected for d in self.demand)

    @property
    def covered_calls(self) -> float:
        return sum(d.expected for d in self.demand if d.covered)

    @property
    def goals_met(self) -> bool:
        return all(g.met for g in self.goals)


@dataclass(frozen=True)
class Gap:
    """An unmet goal ('goal') or an uncovered need with real demand ('demand') on one shift.

    A stretch of a goal's window that no scheduled shift covers at all is a 'goal' gap too,
    with shift_id None (have 0, nothing to fill: a shift is needed first).
    """

    kind: str
    shift_id: int | None
    start: datetime
    end: datetime
    tag_id: str
    label: str
    goal_id: int | None
    need: int  # people needed (goal) or 1 (demand)
    have: int
    expected: float  # expected calls for the tag during the shift (0 when no demand is known)
    fillable: bool  # the shift is in the future and has a free seat
    fillers: tuple[Filler, ...]  # at most MAX_FILLERS, least loaded first

    @property
    def no_shift(self) -> bool:
        """No scheduled shift at all in this stretch of a goal's window."""
        return self.shift_id is None


@dataclass(frozen=True)
class CoverageReport:
    """Goals, demand coverage and gaps for the shifts starting in [start, end)."""

    start: datetime
    end: datetime
    score: float | None  # covered demand / demand in staffed hours; None when there is no demand
    demand_total: float  # expected calls (per need) in the hours the shifts cover
    demand_covered: float
    demand_weeks: int  # weeks of call log the demand is averaged over (0: no log)
    shifts: tuple[ShiftCoverage, ...]
    gaps: tuple[Gap, ...]
    goals: tuple[Goal, ...]
    demand_by_hour: dict[str, tuple[float, ...]] = field(default_factory=dict)  # tag → 168 values, Monday 00:00 first
    labels: dict[str, str] = field(default_factory=dict)  # tag id → label, for every tag named above
    past_gaps: tuple[Gap, ...] = ()  # gaps that had started by now: for the record, not to fill


# ---------------------------------------------------------------- coverage goals

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_WORDS = {
    "daily": DAY_CODES,
    "every day": DAY_CODES,
    "everyday": DAY_CODES,
    "weekdays": DAY_CODES[:5],
    "weekends": DAY_CODES[5:],
}


def parse_days(text: str) -> str:
    """'weekdays' / 'weekends' / 'daily' / 'MO,WE,FR' (or day names) → canonical 'MO,WE,FR'."""
    raw = (text or "").strip().lower()
    if raw in _DAY_WORDS:
        return ",".join(_DAY_WORDS[raw])
    chosen: set[str] = set()
    for token in (p.strip() for p in raw.replace(" ", ",").split(",")):
        if not token:
            continue
        code = next(
            (c for c, name in zip(DAY_CODES, _DAY_NAMES) if token == c.lower() or (len(token) >= 3 and name.startswith(token))),
            None,
        )
        if code is None:
            raise Invalid(
                f"{token[:20]!r} is not a day: use daily, weekdays, weekends, or two-letter days like MO,WE,FR"
            )
        chosen.add(code)
    if not chosen:
        raise Invalid("no days given: use daily, weekdays, weekends, or two-letter days like MO,WE,FR")
    return ",".join(c for c in DAY_CODES if c in chosen)


def days_text(days: str) -> str:
    """'MO,TU,WE,TH,FR' → 'weekdays'; 'SA,SU' → 'weekends'; all seven → 'every day'."""
    codes = tuple(days.split(","))
    if codes == DAY_CODES:
        return "every day"
    if codes == DAY_CODES[:5]:
        return "weekdays"
    if codes == DAY_CODES[5:]:
        return "weekends"
    return days


def _goal(row: sqlite3.Row, tags: dict[str, Tag]) -> Goal:
    tag = tags.get(row["tag_id"])
    return Goal(
        id=row["id"],
        tag_id=row["tag_id"],
        label=tag.label if tag else row["tag_id"],
        family=tag.family if tag else "",
        days=row["days"],
        start=time.fromisoformat(row["start_time"]),
        end=time.fromisoformat(row["end_time"]),
        min_people=row["min_people"],
        active=bool(row["active"]),
        created_at=row["created_at"],
    )


def goals(conn: sqlite3.Connection, *, include_removed: bool = False) -> list[Goal]:
    """The line's coverage goals (active ones unless include_removed), oldest first."""
    from .tags import all_tags

    tags = {t.id: t for t in all_tags(conn)}
    sql = "SELECT * FROM coverage_goal" + ("" if include_removed else " WHERE active = 1") + " ORDER BY id"
    return [_goal(r, tags) for r in conn.execute(sql)]


def add_goal(
    db: Database, actor: Person, tag: str, days: str, start: time, end: time, min_people: int = 1
) -> Goal:
    """Declare a coverage goal (coordinators): e.g. Spanish, daily 17:00–21:00, at least 1.

    An end earlier than the start runs into the next day; an end equal to the start means 24 h.
    """
    from .people import fresh_actor
    from .tags import all_tags

    canonical = parse_days(days)
    _check_min(min_people)
    _check_clock(start, "the start")
    _check_clock(end, "the end")
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        require(who, "goal.add")
        everything = all_tags(conn)
        found = Resolver(everything).resolve(tag)
        cur = conn.execute(
            "INSERT INTO coverage_goal (tag_id, days, start_time, end_time, min_people, active, created_at)"
            " VALUES (?, ?, ?, ?, ?, 1, ?)",
            (found.id, canonical, f"{start:%H:%M}", f"{end:%H:%M}", min_people, iso_utc(now())),
        )
        row = conn.execute("SELECT * FROM coverage_goal WHERE id = ?", (cur.lastrowid,)).fetchone()
        goal = _goal(row, {t.id: t for t in everything})
        # The tag stays out of the log, like every tag: the goal's id leads to it for those who may look.
        audit.record(conn, who.handle, "goal.add", f"goal {goal.id}", _audit_words(goal))
        return goal


def _check_min(min_people: int) -> None:
    if not isinstance(min_people, int) or isinstance(min_people, bool) or not 1 <= min_people <= 50:
        raise Invalid(f"the minimum is {min_people}; it must be a whole number from 1 to 50")


def _check_clock(value: time, what: str) -> None:
    if not isinstance(value, time) or value.second or value.microsecond:
        raise Invalid(f"{what} must be a time of day in whole minutes, like 17:00")


def _audit_words(goal: Goal) -> str:
    """A goal in the audit log: its days, window and minimum, never its tag (the goal's id leads there)."""
    return f"{goal.days_text} {goal.start:%H:%M}–{goal.end:%H:%M}, at least {goal.min_people}"


def _active_goal_row(conn: sqlite3.Connection, goal_id: int) -> sqlite3.Row:
    ok = isinstance(goal_id, int) and not isinstance(goal_id, bool) and 0 < goal_id < 2**63
    row = conn.execute("SELECT * FROM coverage_goal WHERE id = ?", (goal_id,)).fetchone() if ok else None
    if row is None or not row["active"]:
        raise NotFound(f"there is no active goal {str(goal_id)[:20]}: see `warmline goal list`")
    return row


def edit_goal(
    db: Database,
    actor: Person,
    goal_id: int,
    *,
    tag: str | None = None,
    days: str | None = None,
    start: time | None = None,
    end: time | None = None,
    min_people: int | None = None,
) -> tuple[Goal, bool]:
    """Change an active goal in place (coordinators): what is given changes, the rest stays. (goal, changed).

    The values are checked as `add_goal` checks them; a change that changes nothing writes nothing.
    """
    from .people import fresh_actor
    from .tags import all_tags

    if tag is None and days is None and start is None and end is None and min_people is None:
        raise Invalid("nothing to change: give the days, the window's start or end, the minimum or the tag")
    canonical = parse_days(days) if days is not None else None
    if min_people is not None:
        _check_min(min_people)
    if start is not None:
        _check_clock(start, "the start")
    if end is not None:
        _check_clock(end, "the end")
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        require(who, "goal.edit")
        row = _active_goal_row(conn, goal_id)
        everything = {t.id: t for t in all_tags(conn)}
        before = _goal(row, everything)
        tag_id = Resolver(list(everything.values())).resolve(tag).id if tag is not None else before.tag_id
        after = replace(
            before,
            tag_id=tag_id,
            days=before.days if canonical is None else canonical,
            start=before.start if start is None else start,
            end=before.end if end is None else end,
            min_people=before.min_people if min_people is None else min_people,
        )
        if after == before:
            return before, False
        conn.execute(
            "UPDATE coverage_goal SET tag_id = ?, days = ?, start_time = ?, end_time = ?, min_people = ? WHERE id = ?",
            (after.tag_id, after.days, f"{after.start:%H:%M}", f"{after.end:%H:%M}", after.min_people, before.id),
        )
        updated = _goal(conn.execute("SELECT * FROM coverage_goal WHERE id = ?", (before.id,)).fetchone(), everything)
        # Like add: the log says the days, window and minimum before and after, and only that the need changed.
        said = f"{_audit_words(before)} → {_audit_words(updated)}"
        if updated.tag_id != before.tag_id:
            said += "; need changed"
        audit.record(conn, who.handle, "goal.edit", f"goal {before.id}", said)
        return updated, True


def remove_goal(db: Database, actor: Person, goal_id: int) -> Goal:
    """Retire a coverage goal (coordinators); it stays in the file, inactive, for the record."""
    from .people import fresh_actor
    from .tags import all_tags

    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        require(who, "goal.remove")
        _active_goal_row(conn, goal_id)
        conn.execute("UPDATE coverage_goal SET active = 0 WHERE id = ?", (goal_id,))
        audit.record(conn, who.handle, "goal.remove", f"goal {goal_id}", "")
        updated = conn.execute("SELECT * FROM coverage_goal WHERE id = ?", (goal_id,)).fetchone()
        return _goal(updated, {t.id: t for t in all_tags(conn)})


def goal_windows(goal: Goal, first: date, last: date, tz) -> tuple[list[datetime], list[datetime]]:
    """The goal's windows (UTC) starting on goal days from `first` to `last` (local dates): (starts, ends)."""
    from .recurrence import localize

    wanted = {DAY_CODES.index(c) for c in goal.days.split(",")}
    starts, ends = [], []
    day = first
    while day <= last:
        if day.weekday() in wanted:
            lo = localize(datetime.combine(day, goal.start), tz)
            end_day = day if goal.end > goal.start else day + timedelta(days=1)
            hi = localize(datetime.combine(end_day, goal.end), tz)
            starts.append(lo.astimezone(timezone.utc))
            ends.append(hi.astimezone(timezone.utc))
        day += timedelta(days=1)
    return starts, ends


def touches(windows: tuple[list[datetime], list[datetime]], start: datetime, end: datetime) -> bool:
    """True when one of the windows (in time order, none inside another) overlaps [start, end)."""
    starts, ends = windows
    i = bisect.bisect_right(ends, start)  # the first window ending after the shift starts
    return i < len(starts) and starts[i] < end


# ---------------------------------------------------------------- demand


@dataclass(frozen=True)
class Demand:
    """Calls per need per local hour of the week, averaged over the weeks the call log spans."""

    weeks: int
    by_tag: dict[str, tuple[float, ...]]


def hour_of_week(moment: datetime, tz) -> int:
    """0 = Monday 00:00–01:00 local, … 167 = Sunday 23:00–24:00."""
    local = moment.astimezone(tz)
    return local.weekday() * 24 + local.hour


def demand(conn: sqlite3.Connection, tz) -> Demand:
    """Read the call log into calls per need per local hour of the week (the average week)."""
    first, last = conn.execute("SELECT min(at_utc), max(at_utc) FROM call").fetchone()
    if first is None:
        return Demand(0, {})
    monday_first = rules.week_of(_utc(first), tz)
    monday_last = rules.week_of(_utc(last), tz)
    weeks = (monday_last - monday_first).days // 7 + 1
    counts: dict[str, list[int]] = {}
    slots: dict[str, int] = {}
    for at_utc, tag_id in conn.execute("SELECT c.at_utc, n.tag_id FROM call c JOIN call_need n ON n.call_id = c.id"):
        slot = slots.get(at_utc)
        if slot is None:
            slot = slots[at_utc] = hour_of_week(_utc(at_utc), tz)
        row = counts.get(tag_id)
        if row is None:
            row = counts[tag_id] = [0] * HOURS_PER_WEEK
        row[slot] += 1
    return Demand(weeks, {tag: tuple(n / weeks for n in row) for tag, row in counts.items()})


# ---------------------------------------------------------------- the coverage report


@dataclass
class _Seat:
    shift_id: int
    start: datetime
    end: datetime
    seats: int
    backup_seats: int
    peers: list[tuple[int, str]] = field(default_factory=list)
    backup: list[tuple[int, str]] = field(default_factory=list)

    def free(self, moment: datetime) -> bool:
        """In the future, with a peer or backup seat open."""
        return self.start > moment and (self.seats > len(self.peers) or self.backup_seats > len(self.backup))


def coverage(
    conn: sqlite3.Connection, actor: Person, start: datetime, end: datetime, *, min_expected: float = DEMAND_GAP_MIN
) -> CoverageReport:
    """Goals, demand coverage and gaps for the scheduled shifts starting in [start, end) (coordinators).

    A goal applies to a shift when one of its windows (local time, on a goal day) overlaps the
    shift; it is met when at least min_people on the shift (peers and backup) offer its tag, or
    for a language goal speak it. Demand comes from the call log (see `demand`). A shift covers a
    clock hour whose middle falls inside it; the score is the demand in the hours the shifts cover
    that someone on shift offers, divided by all the demand in those hours (each hour once, however
    many shifts overlap). A gap is an unmet goal, or a need with at least `min_expected` expected
    calls during a shift that nobody on it offers; future gaps on shifts with a free seat list up to
    5 people who could take it (rota rules met, tag offered), least loaded first. A stretch of a
    goal window (starting in the range) with no scheduled shift at all is a gap too (shift_id None).
    `gaps` holds the gaps still ahead (to fill); those that had started by now are in `past_gaps`.

    Everything is read in a few queries and worked out in memory: no query runs per shift.
    """
    require(actor, "coverage.read")
    start = _aware(start, "the start")
    end = _aware(end, "the end")
    if end <= start:
        raise Invalid("the end is not after the start: give a later end")
    line, tz = _zone(conn)
    labels = _taxonomy(conn).labels
    active_goals = goals(conn)
    profile = demand(conn, tz)

    shifts: dict[int, _Seat] = {}
    for sid, s_start, s_end, seats, backup_seats in conn.execute(
        "SELECT id, start_utc, end_utc, seats, backup_seats FROM shift"
        " WHERE start_utc >= ? AND start_utc < ? AND status = 'scheduled' ORDER BY start_utc, id",
        (iso_utc(start), iso_utc(end)),
    ):
        shifts[sid] = _Seat(sid, _utc(s_start), _utc(s_end), seats, backup_seats)
    load: dict[int, int] = {}
    for sid, pid, role, handle in conn.execute(
        "SELECT a.shift_id, a.person_id, a.role, p.handle FROM shift s JOIN assignment a ON a.shift_id = s.id"
        " JOIN person p ON p.id = a.person_id"
        " WHERE s.start_utc >= ? AND s.start_utc < ? AND s.status = 'scheduled' ORDER BY a.id",
        (iso_utc(start), iso_utc(end)),
    ):
        (shifts[sid].peers if role == "peer" else shifts[sid].backup).append((pid, handle))
        load[pid] = load.get(pid, 0) + 1
    # Per person: what they offer and speak (one scan each), so no query runs per shift.
    holds: dict[int, set[str]] = {}
    for pid, tag_id in conn.execute("SELECT person_id, tag_id FROM person_tag WHERE state = 'offered'"):
        holds.setdefault(pid, set()).add(tag_id)
    for pid, tag_id in conn.execute("SELECT person_id, tag_id FROM person_language"):
        holds.setdefault(pid, set()).add(tag_id)

    windows = {}
    if shifts:
        first_day = start.astimezone(tz).date() - timedelta(days=1)
        last_day = max(s.end for s in shifts.values()).astimezone(tz).date()
        windows = {g.id: goal_windows(g, first_day, last_day, tz) for g in active_goals}

    # Hour slots: slot k is [base + k h, base + (k+1) h); a shift covers the slots whose middle it contains.
    # Shifts repeat weekly, so the demand of a shift's hours is worked out once per pattern of hours.
    by_tag = profile.by_tag
    hour_total = [sum(row[h] for row in by_tag.values()) for h in range(HOURS_PER_WEEK)]
    base = start.replace(minute=0, second=0, microsecond=0)
    slot_hour: dict[int, int] = {}
    slot_cover: dict[int, set[str]] = {}
    patterns: dict[tuple[int, ...], list[tuple[str, float]]] = {}
    checks_cache: dict[tuple, DemandCheck] = {}

    results: list[ShiftCoverage] = []
    gap_specs: list[tuple] = []
    for seat in shifts.values():
        people = seat.peers + seat.backup
        offered_here: set[str] = set()
        for pid, _ in people:
            offered_here |= holds.get(pid, set())
        checks = []
        for goal in active_goals:
            if not touches(windows[goal.id], seat.start, seat.end):
                continue
            with_tag = tuple(h for pid, h in people if goal.tag_id in holds.get(pid, ()))
            checks.append(
                GoalCheck(goal.id, goal.tag_id, goal.label, goal.min_people, len(with_tag), len(with_tag) >= goal.min_people, with_tag)
            )
        hours = []
        k = -((base + _HOUR / 2 - seat.start) // _HOUR)  # ceil: the first slot whose middle is >= start
        while base + k * _HOUR + _HOUR / 2 < seat.end:
            hour = slot_hour.get(k)
            if hour is None:
                hour = slot_hour[k] = hour_of_week(base + k * _HOUR + _HOUR / 2, tz)
            hours.append(hour)
            cover = slot_cover.get(k)
            if cover is None:
                slot_cover[k] = set(offered_here)
            else:
                cover |= offered_here
            k += 1
        key = tuple(hours)
        pattern = patterns.get(key)
        if pattern is None:
            sums = {t: sum(row[h] for h in key) for t, row in by_tag.items()}
            pattern = patterns[key] = sorted(
                ((t, v) for t, v in sums.items() if v > 0), key=lambda tv: (-tv[1], labels.get(tv[0], tv[0]).casefold())
            )
        demand_checks = []
        for tag_id, value in pattern:
            covered = tag_id in offered_here
            check = checks_cache.get((key, tag_id, covered))
            if check is None:
                check = checks_cache[(key, tag_id, covered)] = DemandCheck(tag_id, labels.get(tag_id, tag_id), value, covered)
            demand_checks.append(check)
        results.append(
            ShiftCoverage(
                seat.shift_id,
                seat.start,
                seat.end,
                tuple(h for _, h in seat.peers),
                tuple(h for _, h in seat.backup),
                max(0, seat.seats - len(seat.peers)),
                max(0, seat.backup_seats - len(seat.backup)),
                tuple(checks),
                tuple(demand_checks),
            )
        )
        expected = dict(pattern)
        for g in checks:
            if not g.met:
                gap_specs.append(("goal", seat, g.tag_id, g.label, g.goal_id, g.min_people, g.have, expected.get(g.tag_id, 0.0)))
        for tag_id, value in pattern:
            if value < min_expected:
                break  # the pattern is sorted, most expected first
            if tag_id not in offered_here:
                gap_specs.append(("demand", seat, tag_id, labels.get(tag_id, tag_id), None, 1, 0, value))

    total = covered_total = 0.0
    for k, cover in slot_cover.items():
        hour = slot_hour[k]
        total += hour_total[hour]
        for tag_id in cover:
            row = by_tag.get(tag_id)
            if row is not None:
                covered_total += row[hour]

    gaps = sorted(_fill(conn, line, tz, gap_specs, holds, load) + _no_shift(conn, active_goals, start, end, tz),
                  key=lambda g: g.start)  # stable: a shift's goals before its demand, as before
    moment = now()
    shown = {t for row in results for t in [g.tag_id for g in row.goals] + [d.tag_id for d in row.demand]}
    shown |= set(by_tag) | {g.tag_id for g in active_goals}
    return CoverageReport(
        start=start,
        end=end,
        score=(covered_total / total) if total > 0 else None,
        demand_total=total,
        demand_covered=covered_total,
        demand_weeks=profile.weeks,
        shifts=tuple(results),
        gaps=tuple(g for g in gaps if g.start > moment),
        goals=tuple(active_goals),
        demand_by_hour=dict(sorted(by_tag.items())),
        labels={t: labels[t] for t in sorted(shown) if t in labels},
        past_gaps=tuple(g for g in gaps if g.start <= moment),
    )


def _no_shift(conn: sqlite3.Connection, active_goals: list[Goal], start: datetime, end: datetime, tz) -> list[Gap]:
    """The stretches of goal windows starting in [start, end) that no scheduled shift covers at all."""
    if not active_goals:
        return []
    spans = [
        (_utc(a), _utc(b))
        for a, b in conn.execute(
            "SELECT start_utc, end_utc FROM shift WHERE status = 'scheduled' AND end_utc > ? AND start_utc < ?"
            " ORDER BY start_utc",
            (iso_utc(start - timedelta(days=2)), iso_utc(end + timedelta(days=2))),
        )
    ]
    first_day, last_day = start.astimezone(tz).date() - timedelta(days=1), end.astimezone(tz).date()
    found = []
    for goal in active_goals:
        for lo, hi in zip(*goal_windows(goal, first_day, last_day, tz)):
            if not start <= lo < end:
                continue
            bare, cursor = [], lo
            for a, b in spans:  # in start order: each span covering the cursor moves it on
                if a >= hi:
                    break
                if b <= cursor:
                    continue
                if a > cursor:
                    bare.append((cursor, a))
                cursor = max(cursor, b)
                if cursor >= hi:
                    break
            if cursor < hi:
                bare.append((cursor, hi))
            found += [
                Gap("goal", None, a, b, goal.tag_id, goal.label, goal.id, goal.min_people, 0, 0.0, False, ())
                for a, b in bare
            ]
    return found


# Every span the rota rules look at for a shift starts within this reach of it: the rule
# window is at most the shift's month (plus a day either side), its ISO week (plus days),
# and the longest rest (168 h). Giving `rules.problems` more spans than it needs changes
# nothing: spans outside the window never share its week or month or break its rest.
_RULE_REACH = timedelta(days=40)


def _fill(conn, line, tz, specs, holds, load) -> list[Gap]:
    """Turn gap specs into Gaps, finding up to MAX_FILLERS eligible people for each fillable one."""
    from .people import all_people

    moment = now()
    people: dict[int, Person] = {}
    spans: dict[int, list[rules.Span]] = {}
    starts: dict[int, list[datetime]] = {}
    by_tag: dict[str, list[int]] = {}
    fillable = [s for s in specs if s[1].free(moment)]
    if fillable:
        people = {p.id: p for p in all_people(conn, include_inactive=False)}
        lo = min(s[1].start for s in fillable) - _RULE_REACH
        hi = max(s[1].end for s in fillable) + _RULE_REACH
        for pid, sid, s_start, s_end in conn.execute(
            "SELECT a.person_id, s.id, s.start_utc, s.end_utc FROM shift s JOIN assignment a ON a.shift_id = s.id"
            " WHERE s.start_utc >= ? AND s.start_utc < ? AND s.status = 'scheduled' ORDER BY s.start_utc, s.id",
            (iso_utc(lo), iso_utc(hi)),
        ):
            spans.setdefault(pid, []).append(rules.Span(sid, _utc(s_start), _utc(s_end)))
        for pid, group in spans.items():
            starts[pid] = [sp.start for sp in group]
        for pid, tags in holds.items():
            if pid in people:
                for tag_id in tags:
                    by_tag.setdefault(tag_id, []).append(pid)
        for pids in by_tag.values():
            pids.sort(key=lambda pid: (load.get(pid, 0), people[pid].handle))
    limits: dict[int, object] = {}
    # The rules see only the shift, the person's limits and their other spans, so people alike in
    # those (most often: nobody else nearby, the same limits) share one verdict.
    verdicts: dict[tuple, bool] = {}
    gaps = []
    for kind, seat, tag_id, label, goal_id, need, have, expected in specs:
        is_fillable = seat.free(moment)
        fillers: list[Filler] = []
        if is_fillable:
            on = {pid for pid, _ in seat.peers + seat.backup}
            span = rules.Span(seat.shift_id, seat.start, seat.end)
            for pid in by_tag.get(tag_id, ()):
                if pid in on:
                    continue
                person = people[pid]
                lim = limits.get(pid)
                if lim is None:
                    lim = limits[pid] = person.limits(line)
                others: list[rules.Span] = []
                mine = spans.get(pid)
                if mine:
                    i = bisect.bisect_left(starts[pid], seat.start - _RULE_REACH)
                    j = bisect.bisect_left(starts[pid], seat.end + _RULE_REACH)
                    others = mine[i:j]
                key = (seat.shift_id, lim, tuple(sp.shift_id for sp in others))
                ok = verdicts.get(key)
                if ok is None:
                    ok = verdicts[key] = not rules.problems(person.handle, span, others, lim, tz)
                if ok:
                    fillers.append(Filler(people[pid].handle, people[pid].name, load.get(pid, 0)))
                    if len(fillers) >= MAX_FILLERS:
                        break
        gaps.append(
            Gap(kind, seat.shift_id, seat.start, seat.end, tag_id, label, goal_id, need, have, expected, is_fillable, tuple(fillers))
        )
    return gaps
