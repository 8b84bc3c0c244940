"""Reports a line can hand its funders: hours given, cover, backup, goals met, demand, needs met.

Every figure is a count (or a sum of real elapsed hours) over one range [from, to) grouped by
week or month in the line's zone, and each one can be recounted from `warmline shifts --json`,
the call log and the people records:

- A shift counts when it is scheduled, starts in the period and has ended by now (`as_of`):
  a report says what happened, not what is planned. Its hours are real elapsed time (a
  22:00–06:00 shift on the autumn change gives 9 h).
- Volunteer hours: the hours of every assignment (peer and backup) on a counted shift.
- Seat-hours: peer seats × hours; covered seat-hours: filled peer seats (at most the seats) × hours.
- Hours with a backup: the hours of counted shifts with at least one backup assigned.
- Goal checks: each active coverage goal on each counted shift whose hours it touches (the rule
  of `warmline coverage`); met when enough people on the shift offer the goal's tag today.
- Calls: the call log, by the local time of the call. A need is met when someone on a shift at
  that moment offers it (or, for a language, speaks it).
- New people: person records created in the period; departed: deactivations (audit log) in it.
- Debriefs: how many were asked for and how many taken, by when they were asked (counts only:
  who asked is never in a report).

Figures that leave the line (the HTML page, the reporting database) go through `protect`:
a count of calls or of people from 1 to 4 is shown as "<5", so nobody can be picked out.
Reading a report is for coordinators only; the check is here, not only in the faces.
"""

from __future__ import annotations

import bisect
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from .db import iso_utc, parse_utc
from .errors import Invalid, Refused
from .model import Person

BY = ("week", "month")
SMALL = 5  # counts 1..SMALL-1 of calls or people are shown as "<5" outside the line
SMALL_TEXT = f"<{SMALL}"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FAMILIES = ("experience", "circumstance", "identity", "language")
_LONGEST_SHIFT = timedelta(hours=24)


@dataclass(frozen=True)
class Figures:
    """The figures of one period (or of the whole range, key 'total')."""

    key: str
    start: datetime  # UTC, clipped to the range
    end: datetime
    shifts: int = 0
    shift_hours: float = 0.0
    seat_hours: float = 0.0
    seat_hours_covered: float = 0.0
    hours_with_backup: float = 0.0
    volunteer_hours: float = 0.0
    peer_hours: float = 0.0
    backup_hours: float = 0.0
    volunteers: int = 0  # distinct people who gave hours
    goal_checks: int = 0
    goals_met: int = 0
    calls: int = 0
    needs_asked: int = 0  # (call, need) pairs
    needs_met: int = 0
    new_people: int = 0
    departed_people: int = 0

    @property
    def coverage_share(self) -> float | None:
        """Covered seat-hours over seat-hours (None without seats)."""
        return self.seat_hours_covered / self.seat_hours if self.seat_hours else None

    @property
    def backup_share(self) -> float | None:
        """Hours with a backup over shift hours (None without shifts)."""
        return self.hours_with_backup / self.shift_hours if self.shift_hours else None

    @property
    def goals_share(self) -> float | None:
        return self.goals_met / self.goal_checks if self.goal_checks else None

    @property
    def needs_share(self) -> float | None:
        return self.needs_met / self.needs_asked if self.needs_asked else None


@dataclass(frozen=True)
class PersonHours:
    """One person's hours in the range, for recognition."""

    handle: str
    name: str
    shifts: int
    hours: float
    peer_hours: float
    backup_hours: float


@dataclass(frozen=True)
class NeedCount:
    """Calls that asked for one need in the range, and how many of them someone on shift met."""

    tag_id: str
    label: str
    family: str
    calls: int
    met: int


@dataclass(frozen=True)
class Report:
    """The report for [start, end) grouped `by` week or month, as of `as_of`."""

    line: str
    tz: str
    start: datetime
    end: datetime
    by: str
    as_of: datetime
    periods: tuple[Figures, ...]
    total: Figures
    people: tuple[PersonHours, ...]  # most hours first
    needs: tuple[NeedCount, ...]  # most calls first
    families: dict[str, int] = field(default_factory=dict)  # family → calls with at least one need in it
    heat: tuple[tuple[int, ...], ...] = ()  # 7 rows (Monday first) × 24 local hours: calls
    debriefs: tuple[tuple[str, int, int], ...] = ()  # (period key, then 'total'; asked, taken)


def may_read(actor: Person) -> None:
    """Raise Refused unless the actor may read the line's reports (active coordinators)."""
    if not actor.active:
        raise Refused(f"{actor.handle} is inactive: ask a coordinator")
    if not actor.is_coordinator:
        raise Refused(f"only coordinators may see the line's reports; {actor.handle} is a volunteer")


def protect(count: int) -> int | str:
    """A count of calls or people as it may leave the line: 1–4 become "<5"; 0 and 5+ stay as they are."""
    return SMALL_TEXT if 0 < count < SMALL else count


def period_bounds(start: datetime, end: datetime, by: str, tz) -> list[tuple[str, datetime, datetime]]:
    """The periods (key, UTC start, UTC end) that cover [start, end), each clipped to it.

    Weeks are ISO weeks (Monday to Sunday, key '2026-W47'); months are calendar months ('2026-11').
    """
    from .recurrence import localize

    if by not in BY:
        raise Invalid(f"--by {by!r} is not week or month: give --by week or --by month")
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    if by == "week":
        day = first - timedelta(days=first.weekday())
    else:
        day = first.replace(day=1)
    out = []
    while day <= last:
        if by == "week":
            nxt = day + timedelta(days=7)
            iso = day.isocalendar()
            key = f"{iso[0]}-W{iso[1]:02d}"
        else:
            nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
            key = f"{day:%Y-%m}"
        lo = localize(datetime.combine(day, time(0)), tz).astimezone(timezone.utc)
        hi = localize(datetime.combine(nxt, time(0)), tz).astimezone(timezone.utc)
        out.append((key, max(lo, start), min(hi, end)))
        day = nxt
    return out


def this_period(moment: datetime, by: str, tz) -> tuple[date, date]:
    """The local first and last day of the week or month holding `moment`."""
    day = moment.astimezone(tz).date()
    if by == "week":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    first = day.replace(day=1)
    return first, (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def step_period(first: date, by: str, steps: int) -> tuple[date, date]:
    """The week or month `steps` away from the one starting on `first` (local first and last day)."""
    if by == "week":
        lo = first - timedelta(days=first.weekday()) + timedelta(days=7 * steps)
        return lo, lo + timedelta(days=6)
    months = first.year * 12 + first.month - 1 + steps
    lo = date(months // 12, months % 12 + 1, 1)
    return lo, (lo.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


class _Acc:
    """A period's running figures (mutable while counting)."""

    __slots__ = tuple(f for f in Figures.__dataclass_fields__ if f not in ("key", "start", "end")) + ("people",)

    def __init__(self) -> None:
        for name in self.__slots__:
            setattr(self, name, 0)
        self.people = set()


def build(conn: sqlite3.Connection, actor: Person, start: datetime, end: datetime, by: str = "month") -> Report:
    """The report for the range [start, end) grouped by week or month (coordinators)."""
    from . import coverage
    from .clock import now
    from .line import get as get_line
    from .recurrence import zone

    may_read(actor)
    if start.tzinfo is None or end.tzinfo is None:
        raise Invalid("the range needs times with a zone or offset")
    if end <= start:
        raise Invalid("--to is not after --from: give a later --to")
    line = get_line(conn)
    tz = zone(line.tz)
    moment = now()
    bounds = period_bounds(start, end, by, tz)
    starts = [b[1] for b in bounds]
    accs = [_Acc() for _ in bounds]
    total = _Acc()

    def slot(at: datetime) -> int:
        return bisect.bisect_right(starts, at) - 1

    # Shifts: scheduled, starting in the range. Those that ended by now are counted; all of them
    # (and those starting up to a day before) are kept to find who was on shift at a call.
    lo_s, hi_s = iso_utc(start), iso_utc(end)
    shifts: dict[int, list] = {}
    for sid, s_utc, e_utc, seats, backup_seats in conn.execute(
        "SELECT id, start_utc, end_utc, seats, backup_seats FROM shift"
        " WHERE status = 'scheduled' AND start_utc >= ? AND start_utc < ? ORDER BY start_utc, id",
        (iso_utc(start - _LONGEST_SHIFT), hi_s),
    ):
        shifts[sid] = [parse_utc(s_utc), parse_utc(e_utc), seats, backup_seats, [], []]
    for sid, pid, role in conn.execute(
        "SELECT a.shift_id, a.person_id, a.role FROM assignment a JOIN shift s ON s.id = a.shift_id"
        " WHERE s.status = 'scheduled' AND s.start_utc >= ? AND s.start_utc < ?",
        (iso_utc(start - _LONGEST_SHIFT), hi_s),
    ):
        shifts[sid][4 if role == "peer" else 5].append(pid)

    holds: dict[int, set[str]] = {}
    for pid, tag_id in conn.execute("SELECT person_id, tag_id FROM person_tag WHERE state = 'offered'"):
        holds.setdefault(pid, set()).add(tag_id)
    for pid, tag_id in conn.execute("SELECT person_id, tag_id FROM person_language"):
        holds.setdefault(pid, set()).add(tag_id)

    active_goals = coverage.goals(conn)
    windows = {}
    if active_goals and shifts:
        first_day = start.astimezone(tz).date() - timedelta(days=1)
        last_day = max(s[1] for s in shifts.values()).astimezone(tz).date()
        windows = {g.id: coverage.goal_windows(g, first_day, last_day, tz) for g in active_goals}

    per_person: dict[int, list] = {}
    for sid, (s_start, s_end, seats, backup_seats, peers, backup) in shifts.items():
        if s_start < start or s_end > moment:
            continue
        hours = (s_end - s_start).total_seconds() / 3600
        people = peers + backup
        checks = met = 0
        for goal in active_goals:
            if not coverage.touches(windows[goal.id], s_start, s_end):
                continue
            checks += 1
            if sum(1 for pid in people if goal.tag_id in holds.get(pid, ())) >= goal.min_people:
                met += 1
        acc = accs[slot(s_start)]  # one period each; the total is their sum, below
        acc.shifts += 1
        acc.shift_hours += hours
        acc.seat_hours += seats * hours
        acc.seat_hours_covered += min(len(peers), seats) * hours
        if backup:
            acc.hours_with_backup += hours
        acc.volunteer_hours += hours * len(people)
        acc.peer_hours += hours * len(peers)
        acc.backup_hours += hours * len(backup)
        acc.people.update(people)
        acc.goal_checks += checks
        acc.goals_met += met
        for pid in peers:
            row = per_person.setdefault(pid, [0, 0.0, 0.0, 0.0])
            row[0] += 1
            row[1] += hours
            row[2] += hours
        for pid in backup:
            row = per_person.setdefault(pid, [0, 0.0, 0.0, 0.0])
            row[0] += 1
            row[1] += hours
            row[3] += hours

    # Calls: who was on shift at each call (shifts sorted by start; none is longer than 24 h).
    on = sorted((s[0], s[1], sid) for sid, s in shifts.items())
    on_starts = [o[0] for o in on]
    longest = max((s[1] - s[0] for s in shifts.values()), default=timedelta(0))
    shift_offers: dict[int, frozenset[str]] = {}
    nothing: frozenset[str] = frozenset()
    tags = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT id, label, family FROM tag")}
    calls: dict[int, list] = {}
    for cid, at_utc in conn.execute("SELECT id, at_utc FROM call WHERE at_utc >= ? AND at_utc < ?", (lo_s, hi_s)):
        calls[cid] = [parse_utc(at_utc), []]
    for cid, tag_id in conn.execute(
        "SELECT n.call_id, n.tag_id FROM call_need n JOIN call c ON c.id = n.call_id WHERE c.at_utc >= ? AND c.at_utc < ?",
        (lo_s, hi_s),
    ):
        calls[cid][1].append(tag_id)
    heat = [[0] * 24 for _ in range(7)]
    need_calls: Counter = Counter()
    need_met: Counter = Counter()
    families: Counter = Counter()
    for at, needs in calls.values():
        local = at.astimezone(tz)
        heat[local.weekday()][local.hour] += 1
        # What the people on every shift running at `at` offer (a shift's offers are worked out once).
        offered: frozenset[str] | set[str] = nothing
        i = bisect.bisect_right(on_starts, at)
        earliest = at - longest
        while i > 0 and on[i - 1][0] >= earliest:
            i -= 1
            s_start, s_end, sid = on[i]
            if s_end > at:
                here = shift_offers.get(sid)
                if here is None:
                    held = [holds[pid] for pid in shifts[sid][4] + shifts[sid][5] if pid in holds]
                    here = shift_offers[sid] = frozenset().union(*held)
                offered = here if offered is nothing else offered | here
        met = sum(1 for t in needs if t in offered)
        acc = accs[slot(at)]
        acc.calls += 1
        acc.needs_asked += len(needs)
        acc.needs_met += met
        for t in needs:
            need_calls[t] += 1
            if t in offered:
                need_met[t] += 1
        for fam in {tags.get(t, ("", ""))[1] for t in needs}:
            if fam:
                families[fam] += 1

    for (created,) in conn.execute("SELECT created_at FROM person WHERE created_at >= ? AND created_at < ?", (lo_s, hi_s)):
        at = parse_utc(created)
        accs[slot(at)].new_people += 1
    for at_text, _subject in conn.execute(
        "SELECT at, subject FROM audit WHERE action = 'person.deactivate' AND at >= ? AND at < ?", (lo_s, hi_s)
    ):
        at = parse_utc(at_text)
        accs[slot(at)].departed_people += 1

    for acc in accs:
        for name in _Acc.__slots__:
            if name == "people":
                total.people |= acc.people
            else:
                setattr(total, name, getattr(total, name) + getattr(acc, name))
    names = {}
    if per_person:
        for pid, handle, name in conn.execute("SELECT id, handle, name FROM person"):
            names[pid] = (handle, name)
    people = sorted(
        (PersonHours(names[pid][0], names[pid][1], r[0], r[1], r[2], r[3]) for pid, r in per_person.items()),
        key=lambda p: (-p.hours, p.handle),
    )
    needs = sorted(
        (NeedCount(t, tags.get(t, (t, ""))[0], tags.get(t, (t, ""))[1], n, need_met[t]) for t, n in need_calls.items()),
        key=lambda n: (-n.calls, n.label.casefold(), n.tag_id),
    )
    asked = [[0, 0] for _ in bounds]
    for asked_at, status in conn.execute(
        "SELECT asked_at, status FROM debrief WHERE asked_at >= ? AND asked_at < ?", (lo_s, hi_s)
    ):
        i = slot(parse_utc(asked_at))
        if 0 <= i < len(asked):
            asked[i][0] += 1
            asked[i][1] += status == "taken"
    debriefs = tuple((key, a, t) for (key, _, _), (a, t) in zip(bounds, asked))
    debriefs += (("total", sum(a for _, a, _ in debriefs), sum(t for _, _, t in debriefs)),)
    return Report(
        line=line.name,
        tz=line.tz,
        start=start,
        end=end,
        by=by,
        as_of=moment,
        periods=tuple(_figures(acc, key, lo, hi) for acc, (key, lo, hi) in zip(accs, bounds)),
        total=_figures(total, "total", start, end),
        people=tuple(people),
        needs=tuple(needs),
        families={f: families[f] for f in FAMILIES if families[f]},
        heat=tuple(tuple(row) for row in heat),
        debriefs=debriefs,
    )


def _figures(acc: _Acc, key: str, start: datetime, end: datetime) -> Figures:
    values = {name: getattr(acc, name) for name in acc.__slots__ if name != "people"}
    values["volunteers"] = len(acc.people)
    return Figures(key=key, start=start, end=end, **values)


# ---------------------------------------------------------------- the shapes that leave the core

# Figures that count calls or people (protected outside the line); the rest are hours or shift counts.
PROTECTED_FIGURES = ("volunteers", "calls", "needs_asked", "needs_met", "new_people", "departed_people")


def _r(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)


def figures_json(f: Figures, tz, *, public: bool = False) -> dict:
    """One period's figures as JSON (public=True: small counts of calls and people become "<5")."""
    from .times import local_iso

    out = {
        "period": f.key,
        "from": local_iso(f.start, tz),
        "to": local_iso(f.end, tz),
        "shifts": f.shifts,
        "shift_hours": _r(f.shift_hours),
        "seat_hours": _r(f.seat_hours),
        "seat_hours_covered": _r(f.seat_hours_covered),
        "coverage_share": _r(f.coverage_share, 4),
        "hours_with_backup": _r(f.hours_with_backup),
        "backup_share": _r(f.backup_share, 4),
        "volunteer_hours": _r(f.volunteer_hours),
        "peer_hours": _r(f.peer_hours),
        "backup_hours": _r(f.backup_hours),
        "volunteers": f.volunteers,
        "goal_checks": f.goal_checks,
        "goals_met": f.goals_met,
        "calls": f.calls,
        "needs_asked": f.needs_asked,
        "needs_met": f.needs_met,
        "needs_share": _r(f.needs_share, 4),
        "new_people": f.new_people,
        "departed_people": f.departed_people,
    }
    if public:
        for name in PROTECTED_FIGURES:
            out[name] = protect(out[name])
    return out


def to_json(report: Report, *, public: bool = False) -> dict:
    """The public JSON shape of a report (README "Reporting to funders").

    public=False is the coordinator's own view: exact counts and everyone's hours by handle.
    public=True is what may leave the line: small counts as "<5" and no per-person hours.
    """
    from . import text
    from .recurrence import zone
    from .times import local_iso

    tz = zone(report.tz)
    c = protect if public else (lambda n: n)
    out = {
        "line": text.safe(report.line),
        "tz": report.tz,
        "from": local_iso(report.start, tz),
        "to": local_iso(report.end, tz),
        "by": report.by,
        "as_of": local_iso(report.as_of, tz),
        "protected": public,
        "periods": [figures_json(f, tz, public=public) for f in report.periods],
        "total": figures_json(report.total, tz, public=public),
        "needs": [
            {"tag": n.tag_id, "label": text.safe(n.label), "family": n.family, "calls": c(n.calls), "met": c(n.met)}
            for n in report.needs
        ],
        "families": {k: c(v) for k, v in report.families.items()},
        "heatmap": {"weekdays": list(WEEKDAYS), "hours": list(range(24)), "calls": [[c(v) for v in row] for row in report.heat]},
        "debriefs": [{"period": k, "asked": c(a), "taken": c(t)} for k, a, t in report.debriefs],
    }
    if not public:
        out["people"] = [
            {
                "handle": p.handle,
                "name": text.safe(p.name),
                "shifts": p.shifts,
                "hours": _r(p.hours),
                "peer_hours": _r(p.peer_hours),
                "backup_hours": _r(p.backup_hours),
            }
            for p in report.people
        ]
    return out


def share_text(value: float | None) -> str:
    """'87%' or '–' when there is nothing to divide by."""
    return "–" if value is None else f"{value:.0%}"

