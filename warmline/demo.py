"""The demo line: a believable rota that keeps every rule, built the same way every time for a seed.

`build()` creates "Harbor Peer Warmline" (data/demo.toml) in one write
transaction: the line, the shipped tags, two coordinators and the volunteers,
the repeating series and their shifts, who is on each shift, and a couple of
late drops waiting for cover. Everything random comes from `random.Random(seed)`
and every time is relative to the Monday (local) of the week `clock.now()` falls
in, so with `WARMLINE_NOW` fixed the same seed gives the same file, row for row.

Seats are planned in memory: shifts are walked in time order and each seat goes
to a person's regular slot, else to the next person in a rotating list for whom
every rule still holds. Because assignments are made in time order, each
person's rules need only their previous shift (overlap and rest), their running
week (hours and shifts) and month (overnights), so a check costs O(1); the
chosen person is then confirmed with `rules.problems` against just those
neighbouring shifts, the same function the rota uses for a live assignment.
"""

from __future__ import annotations

import random
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache

from . import access, audit, rules
from .clock import now
from .db import Database, iso_utc, parse_utc
from .errors import Invalid
from .line import clean_text, get as get_line
from .model import Limits
from .people import LOGIN_RE, insert_person, validate_handle, validate_limit
from .recurrence import localize, parse_rule, zone

DEFAULT_VOLUNTEERS = 24
DEFAULT_VOLUNTEERS_ROUND_THE_CLOCK = 120
DEFAULT_WEEKS_BACK = 4
DEFAULT_WEEKS_AHEAD = 8
MAX_PEOPLE = 100_000
MAX_WEEKS = 520
COVER_REQUESTS = 2
SEED_ACTION = "demo.seed"

# Chance that a seat is deliberately left open, by how far the week is from now:
# past weeks were mostly covered, the next fortnight has a few holes, further
# out more seats are still waiting for someone to claim them.
_GAP_PAST = 0.06
_GAP_SOON = 0.10
_GAP_LATER = 0.18
_GAP_BACKUP_FACTOR = 0.4  # a missing backup is rarer: coordinators chase it first
_REGULAR_SKIP = 0.1  # a regular is away (ill, on holiday) this week
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_EXCLUSIVE_TAGS = (("woman", "man"), ("young-adult", "older-adult"))
_LIMIT_CHOICES = {
    "max_hours_week": (8, 10, 12, 16),
    "max_shifts_week": (1, 2, 3, 4),
    "min_rest_hours": (10, 12, 16),
    "max_overnights_month": (0, 1, 2),
}


@lru_cache(maxsize=1)
def definition() -> dict:
    """The demo line's definition, read from the shipped data/demo.toml."""
    import tomllib
    from importlib.resources import files

    return tomllib.loads((files("warmline.data") / "demo.toml").read_text(encoding="utf-8"))


def span_weeks(weeks: int | None) -> tuple[int, int]:
    """(weeks back, weeks ahead) for a total span: 4 back and 8 ahead by default.

    With `weeks` given, 4 of them are in the past when weeks >= 12 and a third
    (rounded down) when fewer; the rest, counting the current week, are ahead.
    """
    if weeks is None:
        return DEFAULT_WEEKS_BACK, DEFAULT_WEEKS_AHEAD
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= MAX_WEEKS:
        raise Invalid(f"--weeks is {weeks}; it must be a whole number from 1 to {MAX_WEEKS}")
    back = DEFAULT_WEEKS_BACK if weeks >= DEFAULT_WEEKS_BACK * 3 else weeks // 3
    return back, weeks - back


def check_options(*, seed: int = 7, people: int | None = None, weeks: int | None = None) -> None:
    """Refuse demo options that are out of range (before any file is created for the demo)."""
    span_weeks(weeks)
    if people is not None and (isinstance(people, bool) or not isinstance(people, int) or not 0 <= people <= MAX_PEOPLE):
        raise Invalid(f"--people is {people}; it must be a whole number from 0 to {MAX_PEOPLE}")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise Invalid(f"--seed is {seed!r}; it must be a whole number")


def build(
    db: Database,
    *,
    seed: int = 7,
    people: int | None = None,
    weeks: int | None = None,
    round_the_clock: bool = False,
) -> str:
    """Create the demo line if the file has no line yet, and return a one-line summary.

    seed             the random seed: the same seed (and WARMLINE_NOW) gives the same rota
    people           volunteers besides the two coordinators (default 24, or 120 round the clock)
    weeks            total weeks of shifts (default 12: 4 back and 8 ahead, the current week
                     counting as ahead); with N >= 12 weeks, 4 are back and N - 4 ahead, with
                     fewer a third (rounded down) are back
    round_the_clock  six daily 4-hour shifts (00-04 ... 20-24) with 4 peer seats and 1 backup,
                     instead of weekday 09-13, 13-17, 17-21 and weekend 10-16, 16-22 with 2 + 1

    The line's horizon is set to the weeks ahead less one, so the shifts made here
    already reach it for the whole current week and opening the app adds none.
    When the file already has a line nothing is built; if that line is a demo, the
    current OS user is mapped to its first coordinator (unless the login is taken).
    """
    back, ahead = span_weeks(weeks)
    if people is None:
        people = DEFAULT_VOLUNTEERS_ROUND_THE_CLOCK if round_the_clock else DEFAULT_VOLUNTEERS
    if isinstance(people, bool) or not isinstance(people, int) or not 0 <= people <= MAX_PEOPLE:
        raise Invalid(f"--people is {people}; it must be a whole number from 0 to {MAX_PEOPLE}")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise Invalid(f"--seed is {seed!r}; it must be a whole number")
    login = _login()
    if db.conn.execute("SELECT 1 FROM line").fetchone() is None:
        summary = None
        with db.transaction() as conn:
            # Re-read under the write lock: another `warmline demo` may have built it meanwhile.
            if conn.execute("SELECT 1 FROM line").fetchone() is None:
                summary = _build(conn, seed=seed, volunteers=people, back=back, ahead=ahead,
                                 round_the_clock=round_the_clock, login=login)
        if summary is not None:
            extra = _peer_support(db, seed)
            return summary.replace("% of seats filled; ", f"% of seats filled; {extra}; ", 1)
    return _existing(db, login)


def _login() -> str | None:
    user = access.os_user()
    return user if user and LOGIN_RE.fullmatch(user) else None


# ---------------------------------------------------------------- an existing line


def _existing(db: Database, login: str | None) -> str:
    """Leave the line as it is; map the OS user to a demo's first coordinator if nobody has that login."""
    conn = db.conn
    line = get_line(conn)
    is_demo = conn.execute("SELECT 1 FROM audit WHERE action = ? LIMIT 1", (SEED_ACTION,)).fetchone() is not None
    if is_demo and login and _me(conn, login) is None:
        with db.transaction() as tx:
            first = tx.execute(
                "SELECT id, handle FROM person WHERE role = 'coordinator' AND active = 1 ORDER BY id LIMIT 1"
            ).fetchone()
            if first is not None and _me(tx, login) is None:
                tx.execute("UPDATE person SET login = ? WHERE id = ?", (login, first[0]))
                audit.record(tx, "system", "person.edit", first[1], "login (the demo maps the OS user to its first coordinator)")
    people = conn.execute("SELECT count(*) FROM person").fetchone()[0]
    shifts = conn.execute("SELECT count(*) FROM shift").fetchone()[0]
    text = f"{line.name} is already set up in {db.path.name}: {people} people, {shifts} shifts"
    if not is_demo:
        return text + "; it is not a demo line, so it was left as it is."
    me = _me(conn, login) if login else None
    if me is None:
        return text + "; sign in as one of its coordinators."
    return text + f"; you are {me[1]} {me[0]}."


def _me(conn: sqlite3.Connection, login: str) -> tuple[str, str] | None:
    row = conn.execute("SELECT handle, role FROM person WHERE login = ?", (login,)).fetchone()
    return (row[0], row[1]) if row else None


# ---------------------------------------------------------------- planning structures


@dataclass(slots=True)
class _Person:
    """One person as the planner sees them: limits, willingness, and a running tally."""

    pid: int
    handle: str
    limits: Limits
    commit: int  # shifts a week they usually do; the limits are the hard stop
    avail: int  # bit i set: happy to work series i
    peer: bool
    backup: bool
    max_hours: float = 0.0
    rest: int = 0
    last_end: int = -(10**12)
    last_span: rules.Span | None = None
    week: int = -1
    week_hours: float = 0.0
    week_spans: list = field(default_factory=list)
    month: int = -1
    month_spans: list = field(default_factory=list)  # this month's overnight shifts


@dataclass(slots=True)
class _Slot:
    """One shift as the planner sees it."""

    id: int
    series: int
    span: rules.Span
    start: int
    end: int
    hours: float
    week: int  # ordinal of the local Monday
    month: int  # ordinal of the local first of the month
    overnight: bool
    weekday: int
    seats: int
    backup: int


def _fits(p: _Person, s: _Slot, strict: bool) -> bool:
    """Every rule (and, when strict, the person's usual load) allows `p` on `s`, given shifts so far."""
    if not (p.avail >> s.series) & 1 or s.start < p.last_end + p.rest:
        return False  # not a time they offered, or overlapping / too little rest
    same_week = p.week == s.week
    shifts = (len(p.week_spans) if same_week else 0) + 1
    if shifts > p.limits.max_shifts_week or (strict and shifts > p.commit):
        return False
    if (p.week_hours if same_week else 0.0) + s.hours > p.max_hours:
        return False
    if s.overnight and (len(p.month_spans) if p.month == s.month else 0) + 1 > p.limits.max_overnights_month:
        return False
    return True


def _confirm(p: _Person, s: _Slot, tz) -> bool:
    """The rota's own rule check, against only the shifts that can matter: last, same week, same month."""
    others = {}
    if p.last_span is not None:
        others[p.last_span.shift_id] = p.last_span
    if p.week == s.week:
        others.update((o.shift_id, o) for o in p.week_spans)
    if p.month == s.month:
        others.update((o.shift_id, o) for o in p.month_spans)
    return not rules.problems(p.handle, s.span, list(others.values()), p.limits, tz)


def _take(p: _Person, s: _Slot) -> None:
    p.last_end = s.end
    p.last_span = s.span
    if p.week != s.week:
        p.week, p.week_hours, p.week_spans = s.week, 0.0, []
    p.week_hours += s.hours
    p.week_spans.append(s.span)
    if s.overnight:
        if p.month != s.month:
            p.month, p.month_spans = s.month, []
        p.month_spans.append(s.span)


class _Rotation:
    """A rotating list of people: each seat goes to the next one who fits, so work spreads evenly."""

    def __init__(self, people: list[_Person]) -> None:
        self.people = people
        self.next = 0

    def pick(self, s: _Slot, taken: set[int], tz) -> _Person | None:
        n = len(self.people)
        for strict in (True, False):
            for k in range(n):
                j = (self.next + k) % n
                p = self.people[j]
                if p.pid not in taken and _fits(p, s, strict) and _confirm(p, s, tz):
                    self.next = j + 1
                    return p
        return None


# ---------------------------------------------------------------- building


def _build(
    conn: sqlite3.Connection,
    *,
    seed: int,
    volunteers: int,
    back: int,
    ahead: int,
    round_the_clock: bool,
    login: str | None,
) -> str:
    spec = definition()
    rng = random.Random(seed)
    moment = now()
    name = clean_text(spec["line"]["name"], "the line's name")
    escalation = clean_text(spec["line"]["escalation"], "the escalation text")
    tz_name = spec["line"]["tz"]
    tz = zone(tz_name)
    today = moment.astimezone(tz).date()
    anchor = today - timedelta(days=today.weekday())
    first_day = anchor - timedelta(weeks=back)
    end = localize(datetime.combine(anchor + timedelta(weeks=ahead), time(0)), tz)

    # The line, as line.create makes it, with a horizon the shifts below already cover.
    conn.execute(
        "INSERT INTO line (id, name, tz, escalation, horizon_weeks, created_at) VALUES (1, ?, ?, ?, ?, ?)",
        (name, tz_name, escalation, max(1, ahead - 1), iso_utc(moment)),
    )
    from .tags import seed_defaults
    from .taxonomy import load_default

    seed_defaults(conn)
    audit.record(conn, "system", "line.create", name, f"zone {tz_name}")
    line = get_line(conn)

    # People: the coordinators through the ordinary path, the volunteers in bulk.
    crew: list[_Person] = []
    for n, c in enumerate(spec["coordinator"]):
        limits = {k: c[k] for k in _LIMIT_CHOICES if k in c}
        pid = insert_person(
            conn,
            actor="system",
            handle=c["handle"],
            name=c["name"],
            role="coordinator",
            login=login if n == 0 else None,
            pronouns=c.get("pronouns"),
            languages=c.get("languages", ()),
            tags=c.get("tags", ()),
            paused_tags=c.get("paused_tags", ()),
            tags_set_by_self=True,  # the demo's people chose their own tags (issue 15: consent)
            **limits,
        )
        crew.append(_planner_person(line, pid, c["handle"], limits, commit=5, avail=-1, peer=False, backup=True))
    me = spec["coordinator"][0]["handle"]
    series_spec = spec["series"]["round_the_clock" if round_the_clock else "standard"]
    crew += _add_volunteers(conn, rng, line, spec, load_default(), volunteers, series_spec, {p.handle for p in crew}, moment)

    # Series and their shifts, first to last.
    from .rota import insert_series

    weights = []
    days_of = []
    for item in series_spec:
        rule, days = _rule(item["days"])
        first = first_day
        while _WEEKDAYS[first.weekday()] not in days:
            first += timedelta(days=1)
        insert_series(
            conn,
            line,
            rule=rule,
            first_day=first,
            start_time=time.fromisoformat(item["start"]),
            end_time=time.fromisoformat(item["end"]),
            seats=item["seats"],
            backup=item["backup"],
            until=None,
            note=item.get("note", ""),
            expand_to=end,
        )
        weights.append(float(item.get("gap_weight", 1.0)))
        days_of.append(days)
    mean = sum(weights) / len(weights) if weights else 1.0
    weights = [w / mean for w in weights]  # the weights only move gaps between series, never add any
    slots = _slots(conn, tz)

    # Who works when.
    regulars = _regulars(rng, crew, series_spec, days_of)
    by_pid = {p.pid: p for p in crew}
    rotations = {
        "backup": _Rotation(_shuffled(rng, [p for p in crew if p.backup])),
        "peer": _Rotation(_shuffled(rng, [p for p in crew if p.peer])),
    }
    anchor_ord = anchor.toordinal()
    placed: list[tuple[int, int, str]] = []
    for s in slots:
        offset = (s.week - anchor_ord) // 7
        base = _GAP_PAST if offset < 0 else _GAP_SOON if offset <= 1 else _GAP_LATER
        taken: set[int] = set()
        for role, count in (("backup", s.backup), ("peer", s.seats)):
            chance = base * weights[s.series] * (_GAP_BACKUP_FACTOR if role == "backup" else 1.0)
            usual = regulars.get((s.series, s.weekday, role), ())
            for _ in range(count):
                if rng.random() < chance:
                    continue  # left open on purpose
                chosen = None
                for pid in usual:
                    p = by_pid[pid]
                    if pid not in taken and rng.random() >= _REGULAR_SKIP and _fits(p, s, False) and _confirm(p, s, tz):
                        chosen = p
                        break
                if chosen is None:
                    chosen = rotations[role].pick(s, taken, tz)
                if chosen is None:
                    continue
                _take(chosen, s)
                taken.add(chosen.pid)
                placed.append((s.id, chosen.pid, role))
    stamp = iso_utc(moment)
    conn.executemany(
        "INSERT INTO assignment (shift_id, person_id, role, created_at) VALUES (?, ?, ?, ?)",
        [(sid, pid, role, stamp) for sid, pid, role in placed],
    )

    # A couple of late drops: still on the shift, asking for cover, inside the cut-off.
    now_ts = int(moment.timestamp())
    at = datetime.fromtimestamp(now_ts, timezone.utc)
    slot_of = {s.id: s for s in slots}
    late = {}
    for sid, pid, role in placed:
        start = slot_of[sid].start
        if role == "peer" and now_ts < start and line.drop_asks_cover(datetime.fromtimestamp(start, timezone.utc), at):
            late.setdefault(sid, pid)  # one per shift, so the requests are on different shifts
    covers = rng.sample(sorted(late.items()), min(COVER_REQUESTS, len(late)))
    for sid, pid in sorted(covers):
        conn.execute(
            "INSERT INTO cover_request (shift_id, person_id, role, created_at) VALUES (?, ?, 'peer', ?)",
            (sid, pid, stamp),
        )
        audit.record(
            conn,
            by_pid[pid].handle,
            "drop",
            f"shift {sid}",
            f"within {line.drop_cutoff_hours} h: cover requested, {by_pid[pid].handle} stays on until covered; "
            f"{rules.describe(slot_of[sid].span, tz)}",
        )

    calls = _demand(conn, rng, slots, placed, now_ts, tz)
    goals = _goals(conn, stamp)

    seats = sum(s.seats + s.backup for s in slots)
    percent = round(100 * len(placed) / seats) if seats else 0
    audit.record(
        conn,
        "system",
        SEED_ACTION,
        name,
        f"seed {seed}; {len(crew)} people, {len(series_spec)} series, {len(slots)} shifts "
        f"({_weeks(back)} back, {ahead} ahead); {len(placed)} of {seats} seats filled; {len(covers)} cover requests; "
        f"{calls} logged calls, {goals} coverage goals",
    )
    you = f"you are coordinator {me}" if login else f"sign in as coordinator {me}"
    return (
        f"{name}: {len(crew)} people, {len(slots)} shifts ({_weeks(back)} back, {ahead} ahead), "
        f"{percent}% of seats filled; {you}."
    )


# What callers brought to past shifts: need tags with relative weights. Evenings bring more
# Spanish-speaking callers; weekends more hearing-voices calls (the two goals below answer them).
DEMAND = (
    ("loneliness", 6),
    ("depression", 5),
    ("anxiety", 5),
    ("grief", 3),
    ("housing-insecurity", 3),
    ("substance-use-recovery", 2),
    ("trauma", 2),
    ("hearing-voices", 1),
    ("lang-es", 1),
)
GOALS = (
    ("lang-es", "MO,TU,WE,TH,FR,SA,SU", "17:00", "21:00", 1),
    ("hearing-voices", "SA,SU", "10:00", "22:00", 1),
)


def _demand(conn: sqlite3.Connection, rng: random.Random, slots: list, placed: list, now_ts: int, tz) -> int:
    """Log anonymous calls (a time, need tags, who took it) on the past weeks' shifts; returns how many."""
    known = {r[0] for r in conn.execute("SELECT id FROM tag")}
    weights = [(t, w) for t, w in DEMAND if t in known]
    if not weights:
        return 0
    peers: dict[int, list[int]] = {}
    for sid, pid, role in placed:
        if role == "peer":
            peers.setdefault(sid, []).append(pid)
    tags, w = zip(*weights)
    count = 0
    past = [sl for sl in slots if sl.end <= now_ts and peers.get(sl.id)][-600:]  # a few weeks is enough
    for sl in past:
        for _ in range(rng.randint(0, max(1, int(sl.hours)))):
            at = sl.start + rng.randrange(0, max(1, sl.end - sl.start - 60))
            needs = set(rng.choices(tags, weights=w, k=rng.choice((1, 1, 2))))
            hour = datetime.fromtimestamp(at, tz).hour
            if "lang-es" in known and hour >= 17 and rng.random() < 0.25:
                needs.add("lang-es")
            if "hearing-voices" in known and sl.weekday >= 5 and rng.random() < 0.3:
                needs.add("hearing-voices")
            cur = conn.execute(
                "INSERT INTO call (at_utc, taken_by) VALUES (?, ?)",
                (datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), rng.choice(peers[sl.id])),
            )
            conn.executemany(
                "INSERT INTO call_need (call_id, tag_id) VALUES (?, ?)", [(cur.lastrowid, t) for t in sorted(needs)]
            )
            count += 1
    return count


def _goals(conn: sqlite3.Connection, stamp: str) -> int:
    """The demo's two coverage goals: Spanish every evening, hearing voices at weekends."""
    made = 0
    for tag, days, start, end, least in GOALS:
        if conn.execute("SELECT 1 FROM tag WHERE id = ?", (tag,)).fetchone():
            conn.execute(
                "INSERT INTO coverage_goal (tag_id, days, start_time, end_time, min_people, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (tag, days, start, end, least, stamp),
            )
            made += 1
    return made


def _weeks(n: int) -> str:
    return f"{n} week" if n == 1 else f"{n} weeks"


def _rule(days: str) -> tuple[str, tuple[str, ...]]:
    if days.upper() == "DAILY":
        return parse_rule("FREQ=DAILY"), _WEEKDAYS
    listed = tuple(d.strip().upper() for d in days.split(","))
    return parse_rule(f"FREQ=WEEKLY;BYDAY={','.join(listed)}"), listed


def _shuffled(rng: random.Random, items: list) -> list:
    items = list(items)
    rng.shuffle(items)
    return items


def _planner_person(line, pid, handle, limits: dict, *, commit, avail, peer, backup) -> _Person:
    effective = Limits(
        max_hours_week=limits.get("max_hours_week", line.default_max_hours_week),
        max_shifts_week=limits.get("max_shifts_week", line.default_max_shifts_week),
        min_rest_hours=limits.get("min_rest_hours", line.default_min_rest_hours),
        max_overnights_month=limits.get("max_overnights_month", line.default_max_overnights_month),
    )
    return _Person(
        pid=pid,
        handle=handle,
        limits=effective,
        commit=min(commit, effective.max_shifts_week),
        avail=avail,
        peer=peer,
        backup=backup,
        max_hours=effective.max_hours_week + 1e-9,  # the same tolerance as rules.problems
        rest=round(effective.min_rest_hours * 3600),
    )


def _slots(conn: sqlite3.Connection, tz) -> list[_Slot]:
    index = {sid: n for n, (sid,) in enumerate(conn.execute("SELECT id FROM series ORDER BY id"))}
    found = []
    for sid, series_id, start_text, end_text, seats, backup in conn.execute(
        "SELECT id, series_id, start_utc, end_utc, seats, backup_seats FROM shift"
        " WHERE status = 'scheduled' ORDER BY start_utc, id"
    ):
        start, end = parse_utc(start_text), parse_utc(end_text)
        span = rules.Span(sid, start, end)
        found.append(
            _Slot(
                id=sid,
                series=index[series_id],
                span=span,
                start=int(start.timestamp()),
                end=int(end.timestamp()),
                hours=span.hours,
                week=rules.week_of(start, tz).toordinal(),
                month=rules.month_of(start, tz).toordinal(),
                overnight=rules.is_overnight(start, end, tz),
                weekday=start.astimezone(tz).weekday(),
                seats=seats,
                backup=backup,
            )
        )
    return found


def _regulars(rng: random.Random, crew: list[_Person], series_spec: list[dict], days_of) -> dict:
    """Regular weekly slots, (series, weekday, role) -> person ids, never more than the seats."""
    free = {}
    for n, item in enumerate(series_spec):
        for day in days_of[n]:
            wd = _WEEKDAYS.index(day)
            free[(n, wd, "peer")] = item["seats"]
            free[(n, wd, "backup")] = item["backup"]
    keys = sorted(free)
    found: dict[tuple, list[int]] = {}
    coordinators = [p for p in crew if not p.peer]
    others = _shuffled(rng, [p for p in crew if p.peer])
    for p in coordinators + others:
        wanted = 4 if not p.peer else min(p.commit, rng.choice((0, 1, 1, 2)))
        days_used: set[int] = set()
        for _ in range(wanted):
            role = "backup" if p.backup and (not p.peer or rng.random() < 0.4) else "peer"
            options = [
                k for k in keys
                if k[2] == role and free[k] > 0 and (p.avail >> k[0]) & 1 and k[1] not in days_used
            ]
            if not options:
                break
            key = rng.choice(options)
            free[key] -= 1
            days_used.add(key[1])
            found.setdefault(key, []).append(p.pid)
    return found


# ---------------------------------------------------------------- volunteers


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _add_volunteers(
    conn: sqlite3.Connection,
    rng: random.Random,
    line,
    spec: dict,
    taxonomy,
    count: int,
    series_spec: list[dict],
    used: set[str],
    moment: datetime,
) -> list[_Person]:
    """Invent `count` volunteers, insert them (rows as people.insert_person writes them) and return them."""
    names = spec["names"]
    groups = [("feminine", 0.45), ("masculine", 0.4), ("neutral", 0.15)]
    initials = names["initials"]
    tags = [t for t in taxonomy if t.family != "language"]
    tag_by_id = {t.id: t for t in tags}
    families = {f: [t.id for t in tags if t.family == f] for f in ("experience", "circumstance", "identity")}
    langs = _languages(rng, count)
    seniors = set(rng.sample(range(count), min(count, max(3, round(count * 0.25)))))
    nights = [n for n, item in enumerate(series_spec) if item.get("night")]
    days = [n for n in range(len(series_spec)) if n not in nights]
    next_id = (conn.execute("SELECT coalesce(max(id), 0) FROM person").fetchone()[0]) + 1
    stamp = iso_utc(moment)

    person_rows, tag_rows, lang_rows, planned = [], [], [], []
    for n in range(count):
        group = rng.choices([g for g, _ in groups], weights=[w for _, w in groups])[0]
        first = rng.choice(names[group])
        initial = rng.choice(initials)
        base = f"{_fold(first)}-{initial.lower()}"
        handle, k = base, 2
        while handle in used:
            handle, k = f"{base}{k}", k + 1
        used.add(validate_handle(handle))
        display = clean_text(f"{first} {initial}.", "the name", limit=80)

        pronouns = None
        if rng.random() < 0.3:
            pronouns = {
                "feminine": rng.choice(("she/her",) * 5 + ("she/they", "they/them")),
                "masculine": rng.choice(("he/him",) * 5 + ("he/they", "they/them")),
                "neutral": rng.choice(("they/them", "they/them", "she/her", "he/him")),
            }[group]
            pronouns = clean_text(pronouns, "the pronouns", limit=30)

        limits: dict[str, float | int] = {}
        if rng.random() < 0.35:
            for fieldname in rng.sample(sorted(_LIMIT_CHOICES), rng.choice((1, 1, 2))):
                limits[fieldname] = validate_limit(fieldname, rng.choice(_LIMIT_CHOICES[fieldname]))

        offered, paused = _tags_for(rng, families, tag_by_id, group, pronouns)
        pid = next_id + n
        person_rows.append(
            (
                pid, handle, display, "volunteer", None, pronouns, None,
                limits.get("max_hours_week"), limits.get("max_shifts_week"),
                limits.get("min_rest_hours"), limits.get("max_overnights_month"), 1, stamp,
            )
        )
        tag_rows += [(pid, t, "offered") for t in offered] + [(pid, t, "paused") for t in paused]
        lang_rows += [(pid, t) for t in langs[n]]

        avail = 0
        owl = bool(nights) and rng.random() < 0.5
        pick = min(len(days), rng.choice((1, 2, 2, 3) if owl else (2, 3, 3, 4, 5)))
        for i in rng.sample(days, pick):
            avail |= 1 << i
        if owl:
            for i in rng.sample(nights, rng.choice((1, len(nights)))):
                avail |= 1 << i
        planned.append(
            _planner_person(
                line, pid, handle, limits,
                commit=rng.choice((1, 2, 2, 2, 3, 3)), avail=avail, peer=True, backup=n in seniors,
            )
        )
    # A handful of paused tags and offered ones, whatever the seed: the demo must show both.
    if count and not any(state == "paused" for _, _, state in tag_rows):
        pid, tag, _ = tag_rows[0]
        tag_rows[0] = (pid, tag, "paused")
    conn.executemany(
        "INSERT INTO person (id, handle, name, role, login, pronouns, passphrase_hash, max_hours_week,"
        " max_shifts_week, min_rest_hours, max_overnights_month, active, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        person_rows,
    )
    conn.executemany("INSERT INTO person_tag (person_id, tag_id, state) VALUES (?, ?, ?)", tag_rows)
    # Each chose their own tags (issue 15): their consent history says so, so the demo's Match uses them.
    conn.executemany(
        "INSERT INTO tag_consent (person_id, tag_id, what, by_id, at) VALUES (?, ?, ?, ?, ?)",
        [(pid, tag, state, pid, stamp) for pid, tag, state in tag_rows],
    )
    conn.executemany("INSERT INTO person_language (person_id, tag_id) VALUES (?, ?)", lang_rows)
    return planned


def _languages(rng: random.Random, count: int) -> list[list[str]]:
    """Most speak English, about a fifth Spanish, a few Mandarin, Vietnamese, Haitian Creole or ASL."""
    spoken = [["lang-en"] for _ in range(count)]
    quotas = [("lang-es", 0.22, 4)] + [(t, 0.05, 8) for t in ("lang-zh", "lang-vi", "lang-ht", "lang-ase")]
    for tag, share, smallest in quotas:
        if count < smallest:
            continue
        for n in rng.sample(range(count), max(1, round(count * share))):
            spoken[n].append(tag)
    # A few speak only their other language: callers who need it get a fluent peer.
    multi = [n for n in range(count) if len(spoken[n]) > 1 and "lang-ase" not in spoken[n]]
    for n in rng.sample(multi, min(len(multi), round(count * 0.04))):
        spoken[n].remove("lang-en")
    return spoken


def _tags_for(rng: random.Random, families: dict, tag_by_id: dict, group: str, pronouns: str | None):
    """1 to 5 tags from the experience, circumstance and identity families; about one in eight paused."""
    wanted = rng.choices((1, 2, 3, 4, 5), weights=(2, 3, 3, 2, 1))[0]
    banned = set()
    if not (pronouns or "").startswith("she") and not (pronouns is None and group == "feminine"):
        banned.add("woman")
    if not (pronouns or "").startswith("he") and not (pronouns is None and group == "masculine"):
        banned.add("man")
    chosen: list[str] = []
    guard = 0
    while len(chosen) < wanted and guard < 50:
        guard += 1
        related = [r for c in chosen for r in tag_by_id[c].related if r in tag_by_id]
        if related and rng.random() < 0.5:
            tag = rng.choice(related)
        else:
            family = rng.choices(("experience", "circumstance", "identity"), weights=(5, 3, 3))[0]
            tag = rng.choice(families[family])
        if tag in chosen or tag in banned:
            continue
        chosen.append(tag)
        for a, b in _EXCLUSIVE_TAGS:
            if tag in (a, b):
                banned.update((a, b))
    paused = [t for t in chosen if rng.random() < 0.12]
    offered = [t for t in chosen if t not in paused]
    return offered, paused


# ---------------------------------------------------------------- peers supporting peers (issue 16)

TRIAD_VOLUNTEERS = 6  # two triads of three
TRIAD_WAITING = 2  # opted in after the triads were formed: the next to join completes a third triad
PAST_DEBRIEFS = 6


def _peer_support(db: Database, seed: int) -> str:
    """Two triads with their meetings (six volunteers opt in; the first coordinator forms them, through
    warmline/triads.py as `triad join` and `triad form --apply` do), two more volunteers opted in and
    waiting for a third (so whoever joins next makes a triad at the next `triad form --apply`), and a
    few debriefs in past weeks."""
    from . import triads
    from .people import all_people

    rng = random.Random(seed * 7919 + 16)
    conn = db.conn
    crew = all_people(conn, include_inactive=False)
    coordinator = next(p for p in crew if p.is_coordinator and p.handle == definition()["coordinator"][0]["handle"])
    volunteers = [p for p in crew if not p.is_coordinator]
    made = 0
    if len(volunteers) >= 3:
        picked = sorted(rng.sample(volunteers, min(TRIAD_VOLUNTEERS, len(volunteers))), key=lambda p: p.handle)
        for p in picked:
            triads.join(db, p)
        proposal = triads.propose(conn, coordinator)
        if proposal.triads:
            made = len(triads.apply(db, coordinator, proposal))
        chosen = {p.id for p in picked}
        for p in _freest(conn, [p for p in volunteers if p.id not in chosen])[:TRIAD_WAITING]:
            triads.join(db, p)
    with db.transaction() as conn:
        asked = _past_debriefs(conn, rng, coordinator.id)
    return f"{made} triads, {asked} past debriefs"


def _freest(conn: sqlite3.Connection, people: list) -> list:
    """`people` with the fewest scheduled shifts from now on first (then by handle): with no availability
    windows in the demo, they are the likeliest to share a free weekly hour with whoever joins next."""
    ahead = dict(
        conn.execute(
            "SELECT a.person_id, count(*) FROM assignment a JOIN shift s ON s.id = a.shift_id"
            " WHERE s.status = 'scheduled' AND s.end_utc > ? GROUP BY a.person_id",
            (iso_utc(now()),),
        ).fetchall()
    )
    return sorted(people, key=lambda p: (ahead.get(p.id, 0), p.handle))


def _past_debriefs(conn: sqlite3.Connection, rng: random.Random, coordinator_id: int) -> int:
    """Debriefs asked near the end of past shifts: most taken by the shift's backup within minutes, one
    taken by a coordinator after it went to them, one shared with the coordinators' counts."""
    moment = now()
    rows = conn.execute(
        "SELECT s.id, s.end_utc,"
        " (SELECT person_id FROM assignment WHERE shift_id = s.id AND role = 'peer' ORDER BY id LIMIT 1),"
        " (SELECT person_id FROM assignment WHERE shift_id = s.id AND role = 'backup' ORDER BY id LIMIT 1)"
        " FROM shift s WHERE s.status = 'scheduled' AND s.end_utc <= ? AND s.end_utc > ? ORDER BY s.start_utc, s.id",
        (iso_utc(moment - timedelta(hours=3)), iso_utc(moment - timedelta(weeks=5))),
    ).fetchall()
    usable = [r for r in rows if r[2] is not None and r[3] is not None and r[2] != r[3]]
    if not usable:
        return 0
    chosen = sorted(rng.sample(usable, min(PAST_DEBRIEFS, len(usable))), key=lambda r: r[1])
    for n, (shift_id, end_utc, asker, backup) in enumerate(chosen):
        asked = parse_utc(end_utc) - timedelta(minutes=rng.choice((20, 35, 50)))
        escalated = n == 1
        taker = coordinator_id if escalated else backup
        taken = asked + timedelta(minutes=22 if escalated else rng.choice((3, 6, 9)))
        did = conn.execute(
            "INSERT INTO debrief (asker_id, shift_id, asked_at, status, taken_by, taken_at, escalated_at, shared)"
            " VALUES (?, ?, ?, 'taken', ?, ?, ?, ?)",
            (asker, shift_id, iso_utc(asked), taker, iso_utc(taken),
             iso_utc(asked + timedelta(minutes=15)) if escalated else None, int(n == 3)),
        ).lastrowid
        conn.execute("INSERT INTO debrief_recipient (debrief_id, person_id, why) VALUES (?, ?, 'backup')", (did, backup))
        if escalated:
            conn.execute(
                "INSERT OR IGNORE INTO debrief_recipient (debrief_id, person_id, why) VALUES (?, ?, 'coordinator')",
                (did, coordinator_id),
            )
        audit.record(conn, "peer", "debrief.request", f"debrief {did}", "demo: asked after a past shift")
    return len(chosen)
