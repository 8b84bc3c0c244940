"""Availability, preferred times and time off: when a person can (and would rather) take shifts.

A person's *available* windows are weekly local wall-clock windows ("Mon 17:00–21:00").
A shift fits them when the whole shift lies inside the union of their windows (two
windows that meet, such as Mon 17:00–00:00 and Tue 00:00–02:00, join up). A person
with **no** available windows is available at any time: setting none is the default,
not a refusal of every shift. A window whose end is earlier than its start runs past
midnight; one whose end equals its start lasts the whole 24 hours.

*Preferred* windows have the same shape and never refuse anything: auto-fill uses them
as its last objective (a shift lying wholly inside them is "preferred").

*Time off* is a range of local days, both inclusive: a shift touching any part of those
days (from 00:00 of the first to 24:00 of the last, in the line's zone) clashes, so an
overnight shift starting the evening before a day off clashes too.

Both are rota rules (`availability` and `time-off`) checked by `rota.person_problems`,
so claims, cover requests, the assignment picker and auto-fill follow them. A
coordinator may override them with --force (audited); a claim never overrides.

Volunteers change their own; coordinators anyone's. Nothing here stores a reason for
time off: a day off needs no explanation.
"""

from __future__ import annotations

import bisect
import re
import sqlite3
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from . import audit, rules
from .access import require
from .clock import now
from .db import Database, iso_utc, parse_utc
from .errors import Invalid, NotFound, Refused, RuleBroken
from .model import Person

KINDS = ("available", "preferred")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MAX_WINDOWS = 50  # per person and kind: a week has room for far fewer distinct windows
MAX_TIME_OFF_DAYS = 366
_RANGE_RE = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})$")


# ---------------------------------------------------------------- values


class Window(NamedTuple):
    """One weekly window in local wall time: weekday 0 = Monday; an end at or before the start runs past midnight."""

    weekday: int
    start: time
    end: time
    kind: str = "available"
    id: int | None = None

    @property
    def overnight(self) -> bool:
        return self.end <= self.start

    def describe(self) -> str:
        """'Mon 17:00–21:00'."""
        return f"{DAY_NAMES[self.weekday]} {self.start:%H:%M}–{self.end:%H:%M}"


class TimeOff(NamedTuple):
    """Days off, local and inclusive at both ends."""

    id: int
    person_id: int
    handle: str
    first_day: date
    last_day: date
    created_at: str

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def describe(self) -> str:
        """'2026-12-01 to 2026-12-05' (or one day)."""
        if self.first_day == self.last_day:
            return self.first_day.isoformat()
        return f"{self.first_day.isoformat()} to {self.last_day.isoformat()}"


class Availability(NamedTuple):
    """One person's windows and upcoming time off."""

    person_id: int
    handle: str
    available: tuple[Window, ...]
    preferred: tuple[Window, ...]
    time_off: tuple[TimeOff, ...]

    @property
    def any_time(self) -> bool:
        """True when the person has no available windows, which means: available at any time."""
        return not self.available


class Clash(NamedTuple):
    """A shift someone is on that their availability or time off now rules out."""

    shift_id: int
    start: datetime
    end: datetime
    person_id: int
    handle: str
    rule: str  # 'availability' or 'time-off'
    message: str


class Change(NamedTuple):
    """What a change to availability or time off left: the person's picture, and shifts they are still on that clash."""

    availability: Availability
    clashes: tuple[Clash, ...]
    time_off: TimeOff | None = None


# ---------------------------------------------------------------- parsing


def parse_windows(tokens: Iterable[str], *, kind: str = "available") -> list[Window]:
    """Read 'MO 17:00-21:00 TU,TH 09:00-13:00 18:00-22:00' (days, then one or more ranges) into windows.

    Days are two-letter codes, names, comma lists, 'weekdays', 'weekends' or 'daily'.
    """
    from .coverage import DAY_CODES, parse_days

    _kind(kind)
    tokens = list(tokens)
    days: list[int] = []
    fresh_days = False  # days given since the last range
    found: list[Window] = []
    for raw in tokens:
        token = raw.strip()
        if not token:
            continue
        m = _RANGE_RE.match(token)
        if m is None:
            if any(ch.isdigit() for ch in token):
                raise Invalid(f"{token[:20]!r} is not a time range: use HH:MM-HH:MM, e.g. 17:00-21:00")
            codes = parse_days(token)
            days = (days if fresh_days else []) + [DAY_CODES.index(c) for c in codes.split(",")]
            fresh_days = True
            continue
        if not days:
            raise Invalid(f"the range {token} has no day before it: write e.g. `MO {token}`")
        h1, m1, h2, m2 = (int(x) for x in m.groups())
        if h2 == 24 and m2 == 0:
            h2 = 0  # 24:00 is midnight at the end of the day
        for h, mi in ((h1, m1), (h2, m2)):
            if not (0 <= h <= 23 and 0 <= mi <= 59):
                raise Invalid(f"{token} is not a time range: use HH:MM-HH:MM, e.g. 17:00-21:00")
        for day in sorted(set(days)):
            found.append(Window(day, time(h1, m1), time(h2, m2), kind))
        fresh_days = False
    if fresh_days and days:
        raise Invalid(f"{' '.join(tokens)[:60]!r} ends with days but no time range: add one, e.g. 17:00-21:00")
    unique = sorted(set(found), key=lambda w: (w.weekday, w.start, w.end))
    if len(unique) > MAX_WINDOWS:
        raise Invalid(f"{len(unique)} windows given; at most {MAX_WINDOWS}: join some of them")
    return unique


def windows_text(windows: Iterable[Window]) -> str:
    """'Mon 17:00–21:00, Wed 17:00–21:00', or 'any time' when there are none."""
    listed = [w.describe() for w in windows]
    return ", ".join(listed) if listed else "any time"


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise Invalid(f"kind {kind!r} is not one of: {', '.join(KINDS)}")
    return kind


# ---------------------------------------------------------------- the calendar (pure)


def _window_intervals(windows: Iterable[Window], first: date, last: date, tz: ZoneInfo) -> list[tuple[int, int]]:
    """The windows as merged [start, end) UNIX-second intervals on local days first-1 … last."""
    from .recurrence import localize

    by_day: dict[int, list[Window]] = {}
    for w in windows:
        by_day.setdefault(w.weekday, []).append(w)
    spans: list[tuple[int, int]] = []
    day = first - timedelta(days=1)  # a window starting the day before may run into `first`
    while day <= last:
        for w in by_day.get(day.weekday(), ()):
            lo = localize(datetime.combine(day, w.start), tz)
            end_day = day + timedelta(days=1) if w.overnight else day
            hi = localize(datetime.combine(end_day, w.end), tz)
            spans.append((int(lo.timestamp()), int(hi.timestamp())))
        day += timedelta(days=1)
    return _merge(spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans.sort()
    merged: list[tuple[int, int]] = []
    for lo, hi in spans:
        if hi <= lo:
            continue
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def _covers(intervals: list[tuple[int, int]], starts: list[int], lo: int, hi: int) -> bool:
    i = bisect.bisect_right(starts, lo) - 1
    return i >= 0 and intervals[i][1] >= hi


class Calendar:
    """One person's availability, preferences and time off over a range, for fast repeated checks.

    Built by `calendars()`; `available`, `preferred` and `off` take UNIX seconds.
    """

    __slots__ = ("handle", "windows", "_avail", "_avail_starts", "_pref", "_pref_starts", "_off")

    def __init__(
        self,
        handle: str,
        windows: tuple[Window, ...],
        avail: list[tuple[int, int]] | None,
        pref: list[tuple[int, int]],
        off: list[tuple[int, int, TimeOff]],
    ) -> None:
        self.handle = handle
        self.windows = windows
        self._avail = avail
        self._avail_starts = [a for a, _ in avail] if avail is not None else []
        self._pref = pref
        self._pref_starts = [a for a, _ in pref]
        self._off = off

    @property
    def any_time(self) -> bool:
        return self._avail is None

    def available(self, lo: int, hi: int) -> bool:
        """True when [lo, hi) lies inside the available windows (always, when there are none)."""
        return self._avail is None or _covers(self._avail, self._avail_starts, lo, hi)

    def preferred(self, lo: int, hi: int) -> bool:
        """True when [lo, hi) lies inside the preferred windows (never, when there are none)."""
        return bool(self._pref) and _covers(self._pref, self._pref_starts, lo, hi)

    def off(self, lo: int, hi: int) -> TimeOff | None:
        """The time off that [lo, hi) touches, if any."""
        for a, b, entry in self._off:
            if a < hi and b > lo:
                return entry
        return None

    def problems(self, span: rules.Span, tz: ZoneInfo) -> list[RuleBroken]:
        """The availability and time-off rules `span` breaks for this person."""
        lo, hi = int(span.start.timestamp()), int(span.end.timestamp())
        found = []
        if not self.available(lo, hi):
            found.append(
                RuleBroken(
                    f"{self.handle} is not available for {rules.describe(span, tz)}: "
                    f"their availability is {windows_text(self.windows)}",
                    rule="availability",
                    overridable=True,
                )
            )
        entry = self.off(lo, hi)
        if entry is not None:
            found.append(
                RuleBroken(
                    f"{self.handle} has time off {entry.describe()} (time off {entry.id}), "
                    f"and {rules.describe(span, tz)} falls in it",
                    rule="time-off",
                    overridable=True,
                )
            )
        return found


def calendars(
    conn: sqlite3.Connection, person_ids: Iterable[int], lo: datetime, hi: datetime, tz: ZoneInfo
) -> dict[int, Calendar]:
    """Calendars for these people covering shifts that touch [lo, hi), read in three queries."""
    ids = sorted(set(person_ids))
    first = lo.astimezone(tz).date() - timedelta(days=1)
    last = hi.astimezone(tz).date() + timedelta(days=1)
    handles: dict[int, str] = {}
    windows: dict[int, dict[str, list[Window]]] = {pid: {"available": [], "preferred": []} for pid in ids}
    offs: dict[int, list[tuple[int, int, TimeOff]]] = {pid: [] for pid in ids}
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        for pid, handle in conn.execute(f"SELECT id, handle FROM person WHERE id IN ({marks})", chunk):
            handles[pid] = handle
        for row in conn.execute(
            f"SELECT id, person_id, kind, weekday, start_time, end_time FROM availability WHERE person_id IN ({marks})"
            " ORDER BY weekday, start_time, id",
            chunk,
        ):
            windows[row[1]][row[2]].append(_window(row))
        for row in conn.execute(
            "SELECT t.id, t.person_id, p.handle, t.first_day, t.last_day, t.created_at FROM time_off t"
            f" JOIN person p ON p.id = t.person_id WHERE t.person_id IN ({marks}) AND t.last_day >= ? AND t.first_day <= ?"
            " ORDER BY t.first_day, t.id",
            (*chunk, first.isoformat(), last.isoformat()),
        ):
            entry = _time_off(row)
            a, b = _day_bounds(entry.first_day, entry.last_day, tz)
            offs[entry.person_id].append((a, b, entry))
    found = {}
    for pid in ids:
        mine = windows[pid]
        avail = _window_intervals(mine["available"], first, last, tz) if mine["available"] else None
        pref = _window_intervals(mine["preferred"], first, last, tz) if mine["preferred"] else []
        found[pid] = Calendar(handles.get(pid, str(pid)), tuple(mine["available"]), avail, pref, offs[pid])
    return found


def _chunks(ids: list[int], size: int = 400):
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _day_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[int, int]:
    """UNIX seconds of 00:00 local on `first` and 00:00 local after `last`."""
    from .recurrence import localize

    a = localize(datetime.combine(first, time(0)), tz)
    b = localize(datetime.combine(last + timedelta(days=1), time(0)), tz)
    return int(a.timestamp()), int(b.timestamp())


def problems(conn: sqlite3.Connection, person: Person, span: rules.Span, tz: ZoneInfo) -> list[RuleBroken]:
    """The availability and time-off rules putting `person` on `span` would break (both overridable)."""
    return calendars(conn, [person.id], span.start, span.end, tz)[person.id].problems(span, tz)


# ---------------------------------------------------------------- reading


def _window(row) -> Window:
    return Window(row[3], time.fromisoformat(row[4]), time.fromisoformat(row[5]), row[2], row[0])


def _time_off(row) -> TimeOff:
    return TimeOff(row[0], row[1], row[2], date.fromisoformat(row[3]), date.fromisoformat(row[4]), row[5])


def _may_see(viewer: Person, person: Person) -> None:
    if viewer.id != person.id and not viewer.is_coordinator:
        raise Refused(
            f"{viewer.handle} may see only their own availability and time off; a coordinator can see {person.handle}'s"
        )


def _may_change(who: Person, person: Person) -> None:
    if who.id == person.id:
        require(who, "person.edit.self", target=person)
    else:
        require(who, "person.edit", target=person)


def _today(tz: ZoneInfo) -> date:
    return now().astimezone(tz).date()


def _tz(conn: sqlite3.Connection) -> ZoneInfo:
    from .line import get as get_line
    from .recurrence import zone

    return zone(get_line(conn).tz)


def of(conn: sqlite3.Connection, viewer: Person, handle: str | None = None) -> Availability:
    """A person's windows and upcoming time off (their own, or anyone's for a coordinator)."""
    from .people import get

    person = get(conn, handle) if handle else viewer
    _may_see(viewer, person)
    return _read(conn, person, _tz(conn))


def _read(conn: sqlite3.Connection, person: Person, tz: ZoneInfo) -> Availability:
    rows = conn.execute(
        "SELECT id, person_id, kind, weekday, start_time, end_time FROM availability WHERE person_id = ?"
        " ORDER BY weekday, start_time, end_time, id",
        (person.id,),
    ).fetchall()
    windows = [_window(r) for r in rows]
    offs = conn.execute(
        "SELECT t.id, t.person_id, p.handle, t.first_day, t.last_day, t.created_at FROM time_off t"
        " JOIN person p ON p.id = t.person_id WHERE t.person_id = ? AND t.last_day >= ? ORDER BY t.first_day, t.id",
        (person.id, _today(tz).isoformat()),
    ).fetchall()
    return Availability(
        person.id,
        person.handle,
        tuple(w for w in windows if w.kind == "available"),
        tuple(w for w in windows if w.kind == "preferred"),
        tuple(_time_off(r) for r in offs),
    )


def everyone(conn: sqlite3.Connection, viewer: Person) -> list[Availability]:
    """Every active person's windows and upcoming time off (coordinators), ordered by handle."""
    from .people import all_people

    if not viewer.is_coordinator:
        raise Refused(f"only coordinators may see everyone's availability; {viewer.handle} is a volunteer")
    tz = _tz(conn)
    return [_read(conn, p, tz) for p in all_people(conn, include_inactive=False)]


def time_off(
    conn: sqlite3.Connection, viewer: Person, handle: str | None = None, *, include_past: bool = False
) -> list[TimeOff]:
    """Time off, soonest first: the viewer's own, one person's, or (coordinators, handle None) everyone's."""
    from .people import get

    tz = _tz(conn)
    sql = (
        "SELECT t.id, t.person_id, p.handle, t.first_day, t.last_day, t.created_at FROM time_off t"
        " JOIN person p ON p.id = t.person_id"
    )
    where, params = [], []
    if handle is not None or not viewer.is_coordinator:
        person = get(conn, handle) if handle else viewer
        _may_see(viewer, person)
        where.append("t.person_id = ?")
        params.append(person.id)
    if not include_past:
        where.append("t.last_day >= ?")
        params.append(_today(tz).isoformat())
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY t.first_day, p.handle, t.id"
    return [_time_off(r) for r in conn.execute(sql, params)]


def conflicts(
    conn: sqlite3.Connection, start: datetime, end: datetime, *, person_id: int | None = None
) -> list[Clash]:
    """Scheduled assignments on shifts starting in [start, end) that break someone's availability or time off.

    These exist only by a coordinator's override, or because availability or time off changed after
    the assignment; the rota and people screens flag them.
    """
    tz = _tz(conn)
    sql = (
        "SELECT s.id, s.start_utc, s.end_utc, a.person_id FROM assignment a JOIN shift s ON s.id = a.shift_id"
        " WHERE s.status = 'scheduled' AND s.start_utc >= ? AND s.start_utc < ?"
    )
    params: list[object] = [iso_utc(start), iso_utc(end)]
    if person_id is not None:
        sql += " AND a.person_id = ?"
        params.append(person_id)
    rows = conn.execute(sql + " ORDER BY s.start_utc, s.id, a.person_id", params).fetchall()
    if not rows:
        return []
    spans = [(sid, parse_utc(a), parse_utc(b), pid) for sid, a, b, pid in rows]
    cals = calendars(conn, {pid for *_, pid in spans}, min(s[1] for s in spans), max(s[2] for s in spans), tz)
    found = []
    for sid, a, b, pid in spans:
        cal = cals[pid]
        for problem in cal.problems(rules.Span(sid, a, b), tz):
            found.append(Clash(sid, a, b, pid, cal.handle, problem.rule, problem.message))
    return found


def _future_clashes(conn: sqlite3.Connection, person: Person, tz: ZoneInfo, rule: str) -> tuple[Clash, ...]:
    """The person's future shifts that break `rule` ('availability' or 'time-off')."""
    moment = now()
    last = conn.execute(
        "SELECT max(s.start_utc) FROM assignment a JOIN shift s ON s.id = a.shift_id"
        " WHERE a.person_id = ? AND s.status = 'scheduled' AND s.start_utc > ?",
        (person.id, iso_utc(moment)),
    ).fetchone()[0]
    if last is None:
        return ()
    found = conflicts(conn, moment + timedelta(seconds=1), parse_utc(last) + timedelta(seconds=1), person_id=person.id)
    return tuple(k for k in found if k.rule == rule)


# ---------------------------------------------------------------- changing


def set_windows(
    db: Database, actor: Person, handle: str | None, windows: list[Window], *, kind: str | None = None
) -> Change:
    """Replace a person's windows of one kind (volunteers: their own; coordinators: anyone's).

    The kind defaults to the windows' own (as `parse_windows` made them), else 'available'.
    An empty list clears them: with no available windows a person is available at any time.
    Returns the new picture and any future shifts the person is on that no longer fit.
    """
    from .people import fresh_actor, get

    if kind is None:
        kind = windows[0].kind if windows else "available"
    _kind(kind)
    if any(w.kind != kind for w in windows):
        raise Invalid(f"these windows are not all {kind} windows: set each kind on its own")
    if len(windows) > MAX_WINDOWS:
        raise Invalid(f"{len(windows)} windows given; at most {MAX_WINDOWS}: join some of them")
    for w in windows:
        if not (isinstance(w.weekday, int) and 0 <= w.weekday <= 6):
            raise Invalid(f"weekday {w.weekday!r} is not 0 (Monday) to 6 (Sunday)")
        for t in (w.start, w.end):
            if not isinstance(t, time) or t.second or t.microsecond or t.tzinfo is not None:
                raise Invalid("a window's times must be local times of day in whole minutes, like 17:00")
    unique = sorted({(w.weekday, w.start, w.end) for w in windows})
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        person = get(conn, handle) if handle else who
        _may_change(who, person)
        tz = _tz(conn)
        conn.execute("DELETE FROM availability WHERE person_id = ? AND kind = ?", (person.id, kind))
        conn.executemany(
            "INSERT INTO availability (person_id, kind, weekday, start_time, end_time) VALUES (?, ?, ?, ?, ?)",
            [(person.id, kind, d, f"{a:%H:%M}", f"{b:%H:%M}") for d, a, b in unique],
        )
        text = windows_text(Window(d, a, b, kind) for d, a, b in unique)
        if kind == "available" and not unique:
            text = "none (available any time)"
        elif not unique:
            text = "none"
        audit.record(conn, who.handle, f"availability.{'set' if unique else 'clear'}", person.handle, f"{kind}: {text}")
        clashes = _future_clashes(conn, person, tz, "availability") if kind == "available" else ()
        return Change(_read(conn, person, tz), clashes)


def clear(db: Database, actor: Person, handle: str | None = None, *, kind: str | None = "available") -> Change:
    """Clear a person's available windows (then: available any time), preferred ones, or both (kind None)."""
    if kind is None:
        set_windows(db, actor, handle, [], kind="preferred")
        return set_windows(db, actor, handle, [], kind="available")
    return set_windows(db, actor, handle, [], kind=kind)


def add_time_off(db: Database, actor: Person, handle: str | None, first: date, last: date) -> Change:
    """Record days off, `first` to `last` local and inclusive (volunteers: their own; coordinators: anyone's).

    Shifts the person is already on in that time stay: the result lists them so they can drop them
    or a coordinator can find cover; from now on nobody can put them on a shift in that time without --force.
    """
    from .people import fresh_actor, get
    from .times import check_day

    for value, what in ((first, "the first day"), (last, "the last day")):
        if not isinstance(value, date) or isinstance(value, datetime):
            raise Invalid(f"{what} must be a date (YYYY-MM-DD)")
        check_day(value, what)
    if last < first:
        raise Invalid(f"the last day ({last.isoformat()}) is before the first ({first.isoformat()}): swap them")
    if (last - first).days + 1 > MAX_TIME_OFF_DAYS:
        raise Invalid(f"time off of {(last - first).days + 1} days is longer than a year: add it in parts")
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        person = get(conn, handle) if handle else who
        _may_change(who, person)
        tz = _tz(conn)
        if last < _today(tz):
            raise Invalid(f"{last.isoformat()} is in the past: time off must end today or later")
        if conn.execute(
            "SELECT 1 FROM time_off WHERE person_id = ? AND first_day = ? AND last_day = ?",
            (person.id, first.isoformat(), last.isoformat()),
        ).fetchone():
            raise Refused(f"{person.handle} already has time off {first.isoformat()} to {last.isoformat()}")
        cur = conn.execute(
            "INSERT INTO time_off (person_id, first_day, last_day, created_at) VALUES (?, ?, ?, ?)",
            (person.id, first.isoformat(), last.isoformat(), iso_utc(now())),
        )
        row = conn.execute(
            "SELECT t.id, t.person_id, p.handle, t.first_day, t.last_day, t.created_at FROM time_off t"
            " JOIN person p ON p.id = t.person_id WHERE t.id = ?",
            (cur.lastrowid,),
        ).fetchone()
        entry = _time_off(row)
        audit.record(conn, who.handle, "timeoff.add", person.handle, f"time off {entry.id}: {entry.describe()}")
        lo, hi = _day_bounds(entry.first_day, entry.last_day, tz)
        clashes = tuple(
            k for k in _future_clashes(conn, person, tz, "time-off") if int(k.start.timestamp()) < hi and int(k.end.timestamp()) > lo
        )
        return Change(_read(conn, person, tz), clashes, entry)


def remove_time_off(db: Database, actor: Person, time_off_id: int) -> TimeOff:
    """Remove one entry of time off (volunteers: their own; coordinators: anyone's)."""
    from .people import fresh_actor, get_by_id

    ok = isinstance(time_off_id, int) and not isinstance(time_off_id, bool) and 0 < time_off_id < 2**63
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        row = (
            conn.execute(
                "SELECT t.id, t.person_id, p.handle, t.first_day, t.last_day, t.created_at FROM time_off t"
                " JOIN person p ON p.id = t.person_id WHERE t.id = ?",
                (time_off_id,),
            ).fetchone()
            if ok
            else None
        )
        if row is None:
            raise NotFound(f"there is no time off {str(time_off_id)[:20]}: see `warmline timeoff list`")
        entry = _time_off(row)
        person = get_by_id(conn, entry.person_id)
        if who.id != person.id and not who.is_coordinator:
            raise Refused(f"time off {entry.id} is {person.handle}'s: only they or a coordinator may remove it")
        _may_change(who, person)
        conn.execute("DELETE FROM time_off WHERE id = ?", (entry.id,))
        audit.record(conn, who.handle, "timeoff.remove", person.handle, f"time off {entry.id}: {entry.describe()}")
        return entry
