"""Triads (issue 16): peers supporting peers in groups of three (or four), meeting regularly.

Schema (migration 10): ``triad_optin`` (a person's own choice, timestamped), ``triad`` (its recurring
meeting: weekly or fortnightly, an hour, local wall time in the line's zone), ``triad_member`` (the
fixed narrator order in ``position``; ``left_at`` once someone leaves) and ``triad_meeting`` (each
meeting expanded like a shift over the line's horizon: UTC, local wall time, zone, and its narrator).
Nothing said in a triad is stored: warmline records only that a meeting is scheduled.

Joining and leaving is each person's own choice (coordinators too, for themselves: a coordinator is
placed in a triad only when they opted in). `form` (coordinators) groups the people who opted in and
are not in a triad yet:

- sizes: 3 per triad; when the count does not divide by 3, one or two groups of four. 1 or 2 people
  form nothing (a triad needs three), and neither do exactly 5 (3 + 2 would leave two alone, and five
  is no triad): the preview says so and they wait for a sixth (or a fourth, if one leaves).
- a group must share an hour: a weekly slot (weekday, start on the hour or half hour) inside every
  member's availability windows (no windows = any time, as for shifts) and clear of each member's
  shifts on every week of the horizon; failing a weekly one, a fortnightly one. Among the shared
  slots: the most members' preferred windows, then daytime starts (08:00–21:00), then the soonest
  first meeting from --from (at least a day ahead). People with no such hour with enough others are
  left out, with the reason.
- the search is deterministic (people in handle order, no randomness): an exact search (backtracking
  from the least-matched person, within a budget), and past the budget (many people) a greedy one:
  threes around the least-matched first, then each one left over as a fourth where they fit. The same
  data gives the same proposal, and `apply` recomputes it and writes it only when it equals the preview.

The narrator rotates meeting by meeting in the members' fixed order (meeting k: member k mod n); two
members may swap their next turns. Meetings are not shifts: they are not phone hours and count toward
no limit, but the rota refuses a shift that overlaps one of its member's meetings (`meeting_problems`).
"""

from __future__ import annotations

import itertools
import sqlite3
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from . import audit
from .access import require
from .clock import now
from .db import Database, iso_utc, parse_utc
from .errors import Invalid, Refused, RuleBroken
from .line import get as get_line
from .model import Person
from .people import fresh_actor, get as get_person
from .triad_membership import Member, _current_membership, _members, _renarrate, take_out  # noqa: F401

MEETING_MINUTES = 60
RULES = ("weekly", "fortnightly")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
STEP_MINUTES = 30
DAYTIME = (8 * 60, 21 * 60)  # preferred start times (minutes after midnight), inclusive
SEARCH_BUDGET = 3000  # nodes of the exact grouping search, over all attempts, before the greedy one
COMPANIONS = 10  # the best-matching others tried as a person's companions
NOTICE = timedelta(hours=24)  # the first meeting is at least this far ahead of `triad form`


# ---------------------------------------------------------------- shapes


class Meeting(NamedTuple):
    id: int
    triad_id: int
    number: int
    start_utc: datetime
    end_utc: datetime
    start_local: datetime
    end_local: datetime
    tz: str
    narrator_id: int | None
    narrator: str | None  # handle
    status: str


class Triad(NamedTuple):
    id: int
    rule: str
    weekday: int
    start_time: str
    end_time: str
    tz: str
    status: str
    members: tuple[Member, ...]
    next_meeting: Meeting | None

    def when(self) -> str:
        """'weekly, Tue 18:00–19:00'."""
        return f"{self.rule}, {DAY_NAMES[self.weekday]} {self.start_time}–{self.end_time}"


class ProposedTriad(NamedTuple):
    handles: tuple[str, ...]  # in narrator order
    rule: str
    weekday: int
    start_time: str  # HH:MM local
    end_time: str
    first: str  # local ISO of the first meeting
    meetings: tuple[tuple[str, str], ...]  # (start_utc, end_utc) stored forms

    def as_json(self) -> dict:
        return {
            "members": list(self.handles),
            "rule": self.rule,
            "day": DAY_NAMES[self.weekday],
            "start": self.start_time,
            "end": self.end_time,
            "first_meeting": self.first,
            "meetings": len(self.meetings),
        }


class Proposal(NamedTuple):
    first_day: date
    last_day: date  # inclusive
    triads: tuple[ProposedTriad, ...]
    left_out: tuple[tuple[str, str], ...]  # (handle, why)
    note: str = ""  # why nothing (more) was formed, when that is the case
    considered: int = 0

    def as_json(self) -> dict:
        return {
            "from": self.first_day.isoformat(),
            "until": self.last_day.isoformat(),
            "considered": self.considered,
            "triads": [t.as_json() for t in self.triads],
            "left_out": [{"handle": h, "why": w} for h, w in self.left_out],
            "note": self.note,
        }


class _Candidate(NamedTuple):
    person: Person
    weekly: frozenset = frozenset()  # slot ids clear on every week
    fortnightly: frozenset = frozenset()  # (slot id, parity) clear on those weeks
    preferred: frozenset = frozenset()  # slot ids inside a preferred window (first week)


# ---------------------------------------------------------------- opting in


def is_opted_in(conn: sqlite3.Connection, person_id: int) -> bool:
    return conn.execute("SELECT 1 FROM triad_optin WHERE person_id = ?", (person_id,)).fetchone() is not None


def join(db: Database, actor: Person) -> bool:
    """Opt the acting person in (their own choice). False when they already had."""
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        require(who, "triad.join", target=who)
        if is_opted_in(conn, who.id):
            return False
        conn.execute("INSERT INTO triad_optin (person_id, joined_at) VALUES (?, ?)", (who.id, iso_utc(now())))
        audit.record(conn, who.handle, "triad.join", who.handle)
        return True


def leave(db: Database, actor: Person) -> str:
    """Opt the acting person out and take them out of their triad. Returns what happened, in words.

    The triad goes on without them while three remain (later turns follow the fixed order of those
    who remain); with fewer it ends, its later meetings are cancelled and the others, still opted
    in, are placed again at the next `triad form`.
    """
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        require(who, "triad.join", target=who)
        was_in = is_opted_in(conn, who.id)
        conn.execute("DELETE FROM triad_optin WHERE person_id = ?", (who.id,))
        said = "you are no longer opted in to triads" if was_in else "you were not opted in to triads"
        left = take_out(conn, who.id, iso_utc(now()))
        if left is not None:
            triad_id, remaining = left
            if remaining < 3:
                said += f"; triad {triad_id} has ended (fewer than three remain) and its meetings are cancelled"
            else:
                said += f"; triad {triad_id} goes on with {remaining}"
            audit.record(conn, who.handle, "triad.leave", f"triad {triad_id}", who.handle)
        elif was_in:
            audit.record(conn, who.handle, "triad.leave", who.handle)
        return said


# ---------------------------------------------------------------- forming


def group_sizes(n: int) -> list[int]:
    """The sizes `n` people are grouped into: threes, and one or two fours; none for 1, 2 or 5."""
    if n < 3 or n == 5:
        return []
    threes, rest = divmod(n, 3)
    if rest == 0:
        return [3] * threes
    if rest == 1:
        return [3] * (threes - 1) + [4]
    return [3] * (threes - 2) + [4, 4]


def _why_none(n: int) -> str:
    if n == 0:
        return "Nobody who opted in is waiting for a triad: none was formed."
    if n < 3:
        return (
            f"{n} {'person has' if n == 1 else 'people have'} opted in and {'is' if n == 1 else 'are'} not in a triad:"
            " a triad needs three, so none was formed; they wait until more opt in."
        )
    return (
        "5 people have opted in and are not in a triad: three and two would leave two alone and five is"
        " too many for one triad, so none was formed; a sixth makes two triads (or a fourth, a group of four)."
    )


def _slot_times(slot: int) -> tuple[int, time, time]:
    weekday, minute = divmod(slot, 24 * 60)
    start = time(minute // 60, minute % 60)
    end_minute = minute + MEETING_MINUTES
    end = time(end_minute // 60, end_minute % 60)
    return weekday, start, end


def _slots() -> list[int]:
    """Every weekly slot (minutes after Monday 00:00) an hour's meeting may start, ending before midnight."""
    return [
        d * 24 * 60 + m for d in range(7) for m in range(0, 24 * 60 - MEETING_MINUTES, STEP_MINUTES)
    ]


def _occurrences(slot: int, first_day: date, last_day: date, tz, after: datetime) -> list[tuple[datetime, datetime]]:
    """The slot's weekly meetings from first_day to last_day (local), starting after `after`."""
    from .recurrence import localize

    weekday, start, end = _slot_times(slot)
    day = first_day + timedelta(days=(weekday - first_day.weekday()) % 7)
    found = []
    while day <= last_day:
        lo = localize(datetime.combine(day, start), tz)
        hi = localize(datetime.combine(day, end), tz)
        if hi > lo and lo > after:
            found.append((lo, hi))
        day += timedelta(days=7)
    return found


def _busy(conn: sqlite3.Connection, person_ids: list[int], lo: datetime, hi: datetime) -> dict[int, list[tuple[int, int]]]:
    """Each person's scheduled shifts and triad meetings touching [lo, hi), as UNIX-second spans."""
    found: dict[int, list[tuple[int, int]]] = {pid: [] for pid in person_ids}
    if not person_ids:
        return found
    marks = ",".join("?" * len(person_ids))
    for pid, a, b in conn.execute(
        "SELECT a.person_id, s.start_utc, s.end_utc FROM assignment a JOIN shift s ON s.id = a.shift_id"
        f" WHERE s.status = 'scheduled' AND a.person_id IN ({marks}) AND s.end_utc > ? AND s.start_utc < ?",
        (*person_ids, iso_utc(lo), iso_utc(hi)),
    ):
        found[pid].append((int(parse_utc(a).timestamp()), int(parse_utc(b).timestamp())))
    for pid, a, b in meeting_rows(conn, person_ids, lo, hi):
        found[pid].append((int(a.timestamp()), int(b.timestamp())))
    return found


def _clear(spans: list[tuple[int, int]], lo: int, hi: int) -> bool:
    return not any(a < hi and b > lo for a, b in spans)


def _candidates(conn, people: list[Person], first_day: date, last_day: date, tz, occurrences: dict) -> list[_Candidate]:
    from .availability import calendars
    from .recurrence import localize

    lo = localize(datetime.combine(first_day, time(0)), tz)
    hi = localize(datetime.combine(last_day + timedelta(days=1), time(0)), tz)
    ids = [p.id for p in people]
    cals = calendars(conn, ids, lo, hi, tz)
    busy = _busy(conn, ids, lo, hi)
    found = []
    for person in people:
        cal, mine = cals[person.id], busy[person.id]
        weekly, fortnightly, preferred = set(), set(), set()
        for slot, occ in occurrences.items():
            if not occ:
                continue
            ok = [
                cal.available(int(a.timestamp()), int(b.timestamp()))
                and _clear(mine, int(a.timestamp()), int(b.timestamp()))
                for a, b in occ
            ]
            if all(ok):
                weekly.add(slot)
            for parity in (0, 1):
                picked = ok[parity::2]
                if picked and all(picked):
                    fortnightly.add((slot, parity))
            a, b = occ[0]
            if cal.preferred(int(a.timestamp()), int(b.timestamp())):
                preferred.add(slot)
        found.append(_Candidate(person, frozenset(weekly), frozenset(fortnightly), frozenset(preferred)))
    return found


def _best_time(group: list[_Candidate], firsts: dict) -> tuple[str, int, int] | None:
    """(rule, slot, parity) of the group's meeting, or None when they share no hour."""
    weekly = frozenset.intersection(*(c.weekly for c in group))
    if weekly:
        return ("weekly", min(weekly, key=lambda s: _rank(s, 0, group, firsts)), 0)
    fortnightly = frozenset.intersection(*(c.fortnightly for c in group))
    if fortnightly:
        slot, parity = min(fortnightly, key=lambda sp: _rank(sp[0], sp[1], group, firsts))
        return ("fortnightly", slot, parity)
    return None


def _rank(slot: int, parity: int, group: list[_Candidate], firsts: dict) -> tuple:
    """Most members' preferred times, then a daytime start, then the soonest first meeting."""
    minute = slot % (24 * 60)
    liked = sum(1 for c in group if slot in c.preferred)
    daytime = DAYTIME[0] <= minute <= DAYTIME[1]
    return (-liked, not daytime, firsts[(slot, parity)], slot)


class _Search:
    """The grouping search: which pairs share hours, which groups share one (cached), and a budget shared
    by every attempt; once it is spent, `greedy` answers instead (still deterministic)."""

    def __init__(self, firsts: dict) -> None:
        self.firsts = firsts
        self.budget = SEARCH_BUDGET
        self._pairs: dict[tuple[int, int], int] = {}
        self._feasible: dict[frozenset, bool] = {}

    @property
    def spent(self) -> bool:
        return self.budget < 0

    def compatible(self, a: _Candidate, b: _Candidate) -> int:
        """How many hours two people share (weekly ones count double); 0 when none."""
        key = (min(a.person.id, b.person.id), max(a.person.id, b.person.id))
        found = self._pairs.get(key)
        if found is None:
            fa = {slot for slot, _ in a.fortnightly}
            found = self._pairs[key] = len(a.weekly & b.weekly) * 2 + len(fa.intersection(s for s, _ in b.fortnightly))
        return found

    def feasible(self, group: list[_Candidate]) -> bool:
        key = frozenset(c.person.id for c in group)
        found = self._feasible.get(key)
        if found is None:
            found = self._feasible[key] = bool(
                frozenset.intersection(*(c.weekly for c in group))
                or frozenset.intersection(*(c.fortnightly for c in group))
            )
        return found

    def partners(self, head: _Candidate, rest: list[_Candidate]) -> list[_Candidate]:
        return sorted(
            (c for c in rest if self.compatible(head, c)), key=lambda c: (-self.compatible(head, c), c.person.handle)
        )[:COMPANIONS]

    def partition(self, cands: list[_Candidate]) -> list[list[_Candidate]] | None:
        """Groups of the planned sizes, each sharing an hour; None when there are none (or the budget ran out)."""
        sizes = group_sizes(len(cands))
        if not sizes:
            return None
        ordered = sorted(cands, key=lambda c: (len(c.weekly) + len(c.fortnightly), c.person.handle))

        def search(left: list[_Candidate], fours: int, threes: int) -> list[list[_Candidate]] | None:
            if not left:
                return []
            self.budget -= 1
            if self.spent:
                return None
            head, rest = left[0], left[1:]
            partners = self.partners(head, rest)
            for size, more in ((3, threes), (4, fours)):
                if not more:
                    continue
                for others in itertools.combinations(partners, size - 1):
                    group = [head, *others]
                    if not self.feasible(group):
                        continue
                    taken = {c.person.id for c in others}
                    found = search(
                        [c for c in rest if c.person.id not in taken], fours - (size == 4), threes - (size == 3)
                    )
                    if found is not None:
                        return [group, *found]
                    if self.spent:
                        return None
            return None

        return search(ordered, sizes.count(4), sizes.count(3))

    def greedy(self, cands: list[_Candidate]) -> tuple[list[list[_Candidate]], list[_Candidate]]:
        """Threes around the least-matched people first; then each one left over joins a three it fits as
        its fourth. Returns (groups, people left over)."""
        degree = {c.person.id: sum(1 for o in cands if o is not c and self.compatible(c, o)) for c in cands}
        left = sorted(cands, key=lambda c: (degree[c.person.id], c.person.handle))
        groups: list[list[_Candidate]] = []
        over: list[_Candidate] = []
        while left:
            head, rest = left[0], left[1:]
            group = next(
                ([head, *pair] for pair in itertools.combinations(self.partners(head, rest), 2) if self.feasible([head, *pair])),
                None,
            )
            if group is None:
                over.append(head)
                left = rest
                continue
            groups.append(group)
            taken = {c.person.id for c in group}
            left = [c for c in rest if c.person.id not in taken]
        still = []
        for person in over:
            home = next((g for g in groups if len(g) == 3 and self.feasible([*g, person])), None)
            if home is None:
                still.append(person)
            else:
                home.append(person)
        return groups, still


def _waiting(conn: sqlite3.Connection) -> list[Person]:
    """Active people who opted in and are in no active triad, by handle."""
    from .people import all_people

    ids = [
        r[0]
        for r in conn.execute(
            "SELECT o.person_id FROM triad_optin o WHERE NOT EXISTS (SELECT 1 FROM triad_member m"
            " JOIN triad t ON t.id = m.triad_id WHERE m.person_id = o.person_id AND m.left_at IS NULL"
            " AND t.status = 'active')"
        )
    ]
    return all_people(conn, include_inactive=False, ids=ids) if ids else []


def propose(conn: sqlite3.Connection, actor: Person, first_day: date | None = None) -> Proposal:
    """The triads `form` would make from `first_day` (default today) over the line's horizon. Writes nothing."""
    from .recurrence import zone

    require(actor, "triad.form")
    line = get_line(conn)
    tz = zone(line.tz)
    moment = now()
    today = moment.astimezone(tz).date()
    first_day = first_day or today
    if first_day < today:
        raise Invalid(f"--from {first_day.isoformat()} is in the past: give today or a later day")
    last_day = first_day + timedelta(weeks=line.horizon_weeks) - timedelta(days=1)
    people = _waiting(conn)
    after = moment + NOTICE  # members hear of their first meeting at least a day ahead
    occurrences = {slot: _occurrences(slot, first_day, last_day, tz, after) for slot in _slots()}
    firsts = {
        (slot, parity): occ[parity] if len(occ) > parity else occ[0]
        for slot, occ in occurrences.items()
        if occ
        for parity in (0, 1)
    }
    cands = _candidates(conn, people, first_day, last_day, tz, occurrences)
    left_out: list[tuple[str, str]] = []
    usable = []
    for c in cands:
        if c.weekly or c.fortnightly:
            usable.append(c)
        else:
            left_out.append((c.person.handle, "no free hour in their availability clear of their shifts"))
    search = _Search(firsts)
    groups = None
    dropped = False
    while len(usable) >= 3:
        if group_sizes(len(usable)):
            groups = search.partition(usable)
            if groups is not None or len(usable) == 3 or search.spent:
                break
        elif not dropped:
            break  # exactly five, all of whom could meet: none formed (see the note)
        # Leave out the person who shares an hour with the fewest others, and try again.
        worst = min(
            usable,
            key=lambda c: (
                sum(1 for o in usable if o is not c and search.compatible(c, o)),
                sum(search.compatible(c, o) for o in usable if o is not c),
                c.person.handle,
            ),
        )
        usable = [c for c in usable if c is not worst]
        left_out.append((worst.person.handle, "no hour in common with enough of the others"))
        dropped = True
    if groups is None and search.spent:  # too many to search through: threes (and fours) greedily
        groups, over = search.greedy(usable)
        left_out += [(c.person.handle, "no hour in common with enough of the others") for c in over]
    note = ""
    if groups is None:
        if len(usable) == 3:
            left_out += [(c.person.handle, "the three share no hour") for c in usable]
        else:
            note = _why_none(len(usable))
            left_out += [(c.person.handle, "waiting: see the note") for c in usable]
        groups = []
    triads = []
    for group in groups:
        group = sorted(group, key=lambda c: c.person.handle)
        rule, slot, parity = _best_time(group, firsts)  # type: ignore[misc]
        occ = occurrences[slot]
        if rule == "fortnightly":
            occ = occ[parity::2]
        weekday, start, end = _slot_times(slot)
        triads.append(
            ProposedTriad(
                tuple(c.person.handle for c in group),
                rule,
                weekday,
                f"{start:%H:%M}",
                f"{end:%H:%M}",
                occ[0][0].astimezone(tz).isoformat(timespec="minutes"),
                tuple((iso_utc(a), iso_utc(b)) for a, b in occ),
            )
        )
    if not triads and not note and not left_out:
        note = _why_none(0)
    return Proposal(first_day, last_day, tuple(triads), tuple(sorted(left_out)), note, len(people))


def apply(db: Database, actor: Person, proposal: Proposal) -> list[int]:
    """Write exactly `proposal` (recomputed under the write lock: a changed rota refuses). Returns the new ids."""
    from .recurrence import zone

    if not proposal.triads:
        raise Refused("the proposal has no triads: there is nothing to apply")
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        again = propose(conn, who, proposal.first_day)
        if again != proposal:
            raise Refused(
                "the rota changed since the preview (opt-ins, availability or shifts): nothing was written;"
                " run `warmline triad form` again"
            )
        tz = zone(get_line(conn).tz)
        stamp = iso_utc(now())
        made = []
        for t in proposal.triads:
            first = parse_utc(t.meetings[0][0]).astimezone(tz).date()
            cur = conn.execute(
                "INSERT INTO triad (rule, first_day, start_time, end_time, tz, created_at, created_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (t.rule, first.isoformat(), t.start_time, t.end_time, tz.key, stamp, who.handle),
            )
            triad_id = cur.lastrowid
            made.append(triad_id)
            ids = []
            for position, handle in enumerate(t.handles):
                person = get_person(conn, handle)
                ids.append(person.id)
                conn.execute(
                    "INSERT INTO triad_member (triad_id, person_id, position) VALUES (?, ?, ?)",
                    (triad_id, person.id, position),
                )
            for number, (a, b) in enumerate(t.meetings):
                start, end = parse_utc(a), parse_utc(b)
                conn.execute(
                    "INSERT INTO triad_meeting (triad_id, number, start_utc, end_utc, start_local, end_local, tz,"
                    " narrator_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        triad_id,
                        number,
                        a,
                        b,
                        start.astimezone(tz).isoformat(),
                        end.astimezone(tz).isoformat(),
                        tz.key,
                        ids[number % len(ids)],
                    ),
                )
            audit.record(
                conn,
                who.handle,
                "triad.form",
                f"triad {triad_id}",
                f"{', '.join(t.handles)}; {t.rule} {DAY_NAMES[t.weekday]} {t.start_time}–{t.end_time};"
                f" {len(t.meetings)} meetings",
            )
        return made


def extend(db: Database, until: datetime) -> int:
    """Add each active triad's meetings up to `until` (the rota's horizon, as series get their shifts).

    The same weekday and local hour, every week or fortnight after the last meeting; a meeting that
    would overlap a current member's shift is not made (the rota keeps shifts off meetings, not the
    other way round); the narrator follows the fixed order by meeting number. Idempotent; returns
    how many meetings were made.
    """
    from .recurrence import localize, zone

    lagging = db.conn.execute(
        "SELECT t.id FROM triad t WHERE t.status = 'active' AND (SELECT max(g.start_utc) FROM triad_meeting g"
        " WHERE g.triad_id = t.id) < ?",
        (iso_utc(until - timedelta(days=7)),),
    ).fetchall()
    if not lagging:
        return 0
    made = 0
    with db.transaction() as conn:
        for row in conn.execute(
            "SELECT id, rule, start_time, end_time, tz FROM triad WHERE status = 'active' ORDER BY id"
        ).fetchall():
            last = conn.execute(
                "SELECT max(number), max(start_utc) FROM triad_meeting WHERE triad_id = ?", (row["id"],)
            ).fetchone()
            if last[1] is None:
                continue
            members = _members(conn, row["id"])
            if not members:
                continue
            tz = zone(row["tz"])
            step = timedelta(days=7 if row["rule"] == "weekly" else 14)
            start_t, end_t = time.fromisoformat(row["start_time"]), time.fromisoformat(row["end_time"])
            number, day = last[0], parse_utc(last[1]).astimezone(tz).date() + step
            ids = [m.person_id for m in members]
            while True:
                lo = localize(datetime.combine(day, start_t), tz)
                hi = localize(datetime.combine(day, end_t), tz)
                if lo >= until:
                    break
                day += step
                if hi <= lo:
                    continue
                busy = _busy(conn, ids, lo, hi)
                if any(busy[pid] for pid in ids):
                    continue
                number += 1
                conn.execute(
                    "INSERT INTO triad_meeting (triad_id, number, start_utc, end_utc, start_local, end_local, tz,"
                    " narrator_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (row["id"], number, iso_utc(lo), iso_utc(hi), lo.isoformat(), hi.isoformat(), tz.key,
                     members[number % len(members)].person_id),
                )
                made += 1
        if made:
            audit.record(conn, "system", "triad.extend", "", f"{made} meetings up to {until.date().isoformat()}")
    return made


# ---------------------------------------------------------------- reading


def _meeting(r) -> Meeting:
    return Meeting(
        id=r["id"],
        triad_id=r["triad_id"],
        number=r["number"],
        start_utc=parse_utc(r["start_utc"]),
        end_utc=parse_utc(r["end_utc"]),
        start_local=datetime.fromisoformat(r["start_local"]),
        end_local=datetime.fromisoformat(r["end_local"]),
        tz=r["tz"],
        narrator_id=r["narrator_id"],
        narrator=r["narrator"],
        status=r["status"],
    )


_MEETING_SQL = (
    "SELECT g.id, g.triad_id, g.number, g.start_utc, g.end_utc, g.start_local, g.end_local, g.tz, g.narrator_id,"
    " p.handle AS narrator, g.status FROM triad_meeting g LEFT JOIN person p ON p.id = g.narrator_id"
)


def meetings_of(
    conn: sqlite3.Connection, person_id: int, lo: datetime, hi: datetime, *, include_cancelled: bool = False
) -> list[Meeting]:
    """The meetings of the person's triads (while they are a member) touching [lo, hi), in time order."""
    sql = (
        _MEETING_SQL + " JOIN triad_member m ON m.triad_id = g.triad_id AND m.person_id = ?"
        " WHERE g.end_utc > ? AND g.start_utc < ? AND (m.left_at IS NULL OR g.start_utc < m.left_at)"
    )
    if not include_cancelled:
        sql += " AND g.status = 'scheduled'"
    return [_meeting(r) for r in conn.execute(sql + " ORDER BY g.start_utc, g.id", (person_id, iso_utc(lo), iso_utc(hi)))]


def feed_meetings(conn: sqlite3.Connection, person_id: int, lo: datetime, hi: datetime) -> list[tuple[Meeting, bool]]:
    """(meeting, cancelled for this person) for every meeting of any triad they were in, touching [lo, hi).

    A meeting after they left (or a cancelled one) is cancelled for them, so a calendar drops it.
    """
    found = []
    for r in conn.execute(
        _MEETING_SQL + " JOIN triad_member m ON m.triad_id = g.triad_id AND m.person_id = ?"
        " WHERE g.end_utc > ? AND g.start_utc < ? ORDER BY g.start_utc, g.id",
        (person_id, iso_utc(lo), iso_utc(hi)),
    ).fetchall():
        left = conn.execute(
            "SELECT left_at FROM triad_member WHERE triad_id = ? AND person_id = ?", (r["triad_id"], person_id)
        ).fetchone()[0]
        meeting = _meeting(r)
        found.append((meeting, meeting.status == "cancelled" or (left is not None and r["start_utc"] >= left)))
    return found


class Upcoming(NamedTuple):
    """A meeting to remind a member of: its times and whose turn it is (a display name for the body)."""

    id: int
    start_utc: datetime
    end_utc: datetime
    start_local: datetime
    end_local: datetime
    narrator_id: int | None
    narrator_name: str


def upcoming_meetings(conn: sqlite3.Connection, lo: datetime, hi: datetime) -> list[tuple[int, Upcoming]]:
    """(member id, meeting) for every scheduled meeting of an active triad starting in (lo, hi]."""
    found = []
    for r in conn.execute(
        "SELECT m.person_id, g.id, g.start_utc, g.end_utc, g.start_local, g.end_local, g.narrator_id,"
        " coalesce(p.name, '') FROM triad_meeting g JOIN triad t ON t.id = g.triad_id AND t.status = 'active'"
        " JOIN triad_member m ON m.triad_id = g.triad_id AND m.left_at IS NULL"
        " LEFT JOIN person p ON p.id = g.narrator_id"
        " WHERE g.status = 'scheduled' AND g.start_utc > ? AND g.start_utc <= ? ORDER BY g.start_utc, g.id, m.person_id",
        (iso_utc(lo), iso_utc(hi)),
    ):
        found.append(
            (
                r[0],
                Upcoming(
                    r[1], parse_utc(r[2]), parse_utc(r[3]), datetime.fromisoformat(r[4]), datetime.fromisoformat(r[5]), r[6], r[7]
                ),
            )
        )
    return found


def meeting_rows(conn: sqlite3.Connection, person_ids: list[int], lo: datetime, hi: datetime) -> list[tuple[int, datetime, datetime]]:
    """(person id, start, end) of the scheduled meetings of these people's current triads touching [lo, hi)."""
    if not person_ids:
        return []
    marks = ",".join("?" * len(person_ids))
    return [
        (r[0], parse_utc(r[1]), parse_utc(r[2]))
        for r in conn.execute(
            "SELECT m.person_id, g.start_utc, g.end_utc FROM triad_meeting g JOIN triad_member m ON m.triad_id = g.triad_id"
            f" WHERE m.person_id IN ({marks}) AND m.left_at IS NULL AND g.status = 'scheduled'"
            " AND g.end_utc > ? AND g.start_utc < ?",
            (*person_ids, iso_utc(lo), iso_utc(hi)),
        )
    ]


def meeting_problems(conn: sqlite3.Connection, person: Person, start: datetime, end: datetime, *, actor_id: int | None = None) -> list[RuleBroken]:
    """The rule a shift [start, end) breaks for `person` by overlapping one of their triad meetings.

    Said to the person themself as "overlaps your triad meeting"; to anyone else (a coordinator
    assigning them, a swap partner) only "overlaps one of their commitments": no details.
    """
    if not meeting_rows(conn, [person.id], start, end):
        return []
    if actor_id == person.id:
        message = f"{person.handle} cannot take it: it overlaps your triad meeting (meetings are never moved for a shift)"
    else:
        message = f"{person.handle} cannot take it: it overlaps one of their commitments"
    return [RuleBroken(message, rule="triad-meeting", overridable=False)]


def next_meeting(conn: sqlite3.Connection, person: Person, moment: datetime | None = None) -> Meeting | None:
    """The person's next meeting not yet ended."""
    moment = moment or now()
    found = meetings_of(conn, person.id, moment, moment + timedelta(days=366 * 2))
    return found[0] if found else None


def _triad(conn: sqlite3.Connection, row, moment: datetime) -> Triad:
    nxt = conn.execute(
        _MEETING_SQL + " WHERE g.triad_id = ? AND g.end_utc > ? AND g.status = 'scheduled' ORDER BY g.start_utc LIMIT 1",
        (row["id"], iso_utc(moment)),
    ).fetchone()
    return Triad(
        id=row["id"],
        rule=row["rule"],
        weekday=date.fromisoformat(row["first_day"]).weekday(),
        start_time=row["start_time"],
        end_time=row["end_time"],
        tz=row["tz"],
        status=row["status"],
        members=tuple(_members(conn, row["id"])),
        next_meeting=_meeting(nxt) if nxt else None,
    )


def listing(conn: sqlite3.Connection, viewer: Person) -> list[Triad]:
    """Active triads: a coordinator sees all; anyone else only their own."""
    moment = now()
    sql = "SELECT id, rule, first_day, start_time, end_time, tz, status FROM triad WHERE status = 'active'"
    params: tuple = ()
    if not viewer.is_coordinator:
        sql += " AND id IN (SELECT triad_id FROM triad_member WHERE person_id = ? AND left_at IS NULL)"
        params = (viewer.id,)
    return [_triad(conn, r, moment) for r in conn.execute(sql + " ORDER BY id", params)]


def triad_json(t: Triad, viewer: Person) -> dict:
    nxt = t.next_meeting
    return {
        "id": t.id,
        "rule": t.rule,
        "day": DAY_NAMES[t.weekday],
        "start": t.start_time,
        "end": t.end_time,
        "tz": t.tz,
        "members": [{"handle": m.handle, "name": m.name, "order": m.position + 1} for m in t.members],
        "next_meeting": None
        if nxt is None
        else {"id": nxt.id, "number": nxt.number, "start": nxt.start_local.isoformat(), "end": nxt.end_local.isoformat(), "narrator": nxt.narrator},
        "mine": any(m.person_id == viewer.id for m in t.members),
    }


# ---------------------------------------------------------------- turns


def swap_turn(db: Database, actor: Person, other_handle: str) -> tuple[Meeting, Meeting]:
    """Swap the acting member's next narrator turn with another member's next turn (members only).

    Returns (the meeting the actor now narrates, the one the other now narrates).
    """
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        require(who, "triad.join", target=who)
        other = get_person(conn, other_handle)
        if other.id == who.id:
            raise Invalid("name another member of your triad: you cannot swap a turn with yourself")
        row = _current_membership(conn, who.id)
        if row is None:
            raise Refused(f"{who.handle} is not in a triad: only members swap turns")
        triad_id = row[0]
        if not any(m.person_id == other.id for m in _members(conn, triad_id)):
            raise Refused(f"{other.handle} is not in your triad: swap turns with a member of your triad")
        stamp = iso_utc(now())

        def next_turn(pid: int):
            r = conn.execute(
                _MEETING_SQL + " WHERE g.triad_id = ? AND g.narrator_id = ? AND g.start_utc > ? AND g.status = 'scheduled'"
                " ORDER BY g.start_utc LIMIT 1",
                (triad_id, pid, stamp),
            ).fetchone()
            return _meeting(r) if r else None

        mine, theirs = next_turn(who.id), next_turn(other.id)
        if mine is None or theirs is None:
            whose = who.handle if mine is None else other.handle
            raise Refused(f"{whose} has no turn left among the scheduled meetings: there is nothing to swap")
        conn.execute("UPDATE triad_meeting SET narrator_id = ? WHERE id = ?", (other.id, mine.id))
        conn.execute("UPDATE triad_meeting SET narrator_id = ? WHERE id = ?", (who.id, theirs.id))
        audit.record(
            conn,
            who.handle,
            "triad.swap-turn",
            f"triad {triad_id}",
            f"{who.handle} narrates meeting {theirs.number + 1}, {other.handle} meeting {mine.number + 1}",
        )
        return (
            theirs._replace(narrator_id=who.id, narrator=who.handle),
            mine._replace(narrator_id=other.id, narrator=other.handle),
        )


def parse_from(text: str | None) -> date | None:
    """--from DATE (YYYY-MM-DD)."""
    if not text:
        return None
    from .times import parse_day

    return parse_day(text, what="--from")
