"""Shifts, series, assignments, claims and drops, and every rota invariant.

Each change runs in one `BEGIN IMMEDIATE` transaction that re-reads what it
depends on, checks every rule, writes, and appends its audit row. Two processes
can therefore never both take the last seat or put one person on two
overlapping shifts: the second waits for the write lock and then sees the first.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import NamedTuple

from . import audit, events, rules
from .access import require
from .clock import now
from .db import Database, iso_utc, parse_utc
from .errors import Invalid, NotFound, Refused, RuleBroken
from .line import clean_text, get as get_line
from .model import SEAT_ROLES, Assignment, CoverRequest, Line, Person, Series, Shift, ShiftView
from .people import fresh_actor, get as get_person, get_by_id
from .recurrence import localize, occurrences, parse_rule, zone

MAX_SEATS = 50
MAX_NOTE = 500

_SHIFT_COLUMNS = (
    "id, series_id, occurrence, start_utc, end_utc, start_local, end_local, tz, seats, backup_seats,"
    " note, status, detached, version"
)


# ---------------------------------------------------------------- reading


def _shift(row: sqlite3.Row) -> Shift:
    # By position, in _SHIFT_COLUMNS' order (every caller selects those): a week of shifts is read
    # on each change of week, and sqlite3.Row's lookups by name cost more than the rest of the row.
    (id_, series_id, occurrence, start_utc, end_utc, start_local, end_local, tz, seats, backup_seats,
     note, status, detached, version) = row
    return Shift(
        id=id_,
        series_id=series_id,
        occurrence=occurrence,
        start_utc=parse_utc(start_utc),
        end_utc=parse_utc(end_utc),
        start_local=datetime.fromisoformat(start_local),
        end_local=datetime.fromisoformat(end_local),
        tz=tz,
        seats=seats,
        backup_seats=backup_seats,
        note=note,
        status=status,
        detached=bool(detached),
        version=version,
    )


def _storable_id(value: object) -> bool:
    # SQLite integers are 64-bit: a larger Python int raises OverflowError instead of finding nothing.
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


def get_shift(conn: sqlite3.Connection, shift_id: int) -> Shift:
    """The shift with this id, or NotFound."""
    if not _storable_id(shift_id):
        raise NotFound(f"there is no shift {str(shift_id)[:40]}: see `warmline shifts` for shift ids")
    row = conn.execute(f"SELECT {_SHIFT_COLUMNS} FROM shift WHERE id = ?", (shift_id,)).fetchone()
    if row is None:
        raise NotFound(f"there is no shift {shift_id}: see `warmline shifts` for shift ids")
    return _shift(row)


def get_series(conn: sqlite3.Connection, series_id: int) -> Series:
    """The series with this id, or NotFound."""
    if not _storable_id(series_id):
        raise NotFound(f"there is no series {str(series_id)[:40]}: see `warmline series list`")
    row = conn.execute("SELECT * FROM series WHERE id = ?", (series_id,)).fetchone()
    if row is None:
        raise NotFound(f"there is no series {series_id}: see `warmline series list`")
    return Series(**dict(row))


def all_series(conn: sqlite3.Connection) -> list[Series]:
    """Every series, oldest first."""
    return [Series(**dict(r)) for r in conn.execute("SELECT * FROM series ORDER BY id")]


def series_ahead(conn: sqlite3.Connection, moment: datetime) -> dict[int, tuple[datetime, int]]:
    """Per series id: its next scheduled shift's start (UTC) after `moment` and how many scheduled shifts lie ahead."""
    return {
        sid: (parse_utc(first), count)
        for sid, first, count in conn.execute(
            "SELECT series_id, min(start_utc), count(*) FROM shift WHERE series_id IS NOT NULL"
            " AND status = 'scheduled' AND start_utc > ? GROUP BY series_id",
            (iso_utc(moment),),
        )
    }


def assignments(conn: sqlite3.Connection, shift_ids: list[int]) -> dict[int, list[Assignment]]:
    """Who is on each of these shifts, by shift id, in the order they were assigned."""
    found: dict[int, list[Assignment]] = {sid: [] for sid in shift_ids}
    for chunk_start in range(0, len(shift_ids), 500):
        chunk = shift_ids[chunk_start : chunk_start + 500]
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(
            "SELECT a.shift_id, a.person_id, p.handle, p.name, a.role FROM assignment a"
            f" JOIN person p ON p.id = a.person_id WHERE a.shift_id IN ({marks}) ORDER BY a.id",
            chunk,
        ):
            found[r[0]].append(Assignment(*r))
    return found


def open_cover(conn: sqlite3.Connection, shift_ids: list[int] | None = None) -> dict[int, list[CoverRequest]]:
    """Open cover requests by shift id (all shifts when shift_ids is None)."""
    sql = (
        "SELECT c.id, c.shift_id, c.person_id, p.handle, c.role, c.status, c.created_at FROM cover_request c"
        " JOIN person p ON p.id = c.person_id WHERE c.status = 'open'"
    )
    found: dict[int, list[CoverRequest]] = {}
    if shift_ids is None:
        chunks: list[list[int]] = [[]]
    else:  # only these shifts' requests (the partial index on open requests finds them)
        chunks = [shift_ids[i : i + 500] for i in range(0, len(shift_ids), 500)]
    for chunk in chunks:
        where = f" AND c.shift_id IN ({','.join('?' * len(chunk))})" if shift_ids is not None else ""
        for r in conn.execute(sql + where + " ORDER BY c.id", chunk):
            found.setdefault(r[1], []).append(CoverRequest(*r))
    return found


def views(
    conn: sqlite3.Connection,
    start: datetime,
    end: datetime,
    *,
    person_id: int | None = None,
    open_only: bool = False,
) -> list[ShiftView]:
    """Shifts starting in [start, end) with who is on them, in time order. Never includes tags."""
    sql = f"SELECT {_SHIFT_COLUMNS} FROM shift WHERE start_utc >= ? AND start_utc < ?"
    params: list[object] = [iso_utc(start), iso_utc(end)]
    if person_id is not None:
        sql += " AND id IN (SELECT shift_id FROM assignment WHERE person_id = ?)"
        params.append(person_id)
    sql += " ORDER BY start_utc, id"
    shifts = [_shift(r) for r in conn.execute(sql, params)]
    ids = [s.id for s in shifts]
    people = assignments(conn, ids)
    cover = open_cover(conn, ids)
    result = []
    for s in shifts:
        on = people[s.id]
        view = ShiftView(
            s,
            [a for a in on if a.role == "peer"],
            [a for a in on if a.role == "backup"],
            cover.get(s.id, []),
        )
        if open_only and not (
            s.status == "scheduled" and (view.open_seats or view.open_backup_seats or view.cover)
        ):
            continue
        result.append(view)
    return result


def working(conn: sqlite3.Connection, start: datetime, end: datetime) -> set[int]:
    """The ids of everyone on a scheduled shift (as peer or backup) starting in [start, end)."""
    return {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT a.person_id FROM shift s JOIN assignment a ON a.shift_id = s.id"
            " WHERE s.start_utc >= ? AND s.start_utc < ? AND s.status = 'scheduled'",
            (iso_utc(start), iso_utc(end)),
        )
    }


def view(conn: sqlite3.Connection, shift_id: int) -> ShiftView:
    """One shift with who is on it."""
    s = get_shift(conn, shift_id)
    on = assignments(conn, [s.id])[s.id]
    return ShiftView(
        s,
        [a for a in on if a.role == "peer"],
        [a for a in on if a.role == "backup"],
        open_cover(conn, [s.id]).get(s.id, []),
    )


# ---------------------------------------------------------------- rules


def _spans(conn: sqlite3.Connection, person_id: int, lo: datetime, hi: datetime) -> list[rules.Span]:
    return [
        rules.Span(r[0], parse_utc(r[1]), parse_utc(r[2]))
        for r in conn.execute(
            "SELECT s.id, s.start_utc, s.end_utc FROM assignment a JOIN shift s ON s.id = a.shift_id"
            " WHERE a.person_id = ? AND s.status = 'scheduled' AND s.end_utc > ? AND s.start_utc < ?",
            (person_id, iso_utc(lo), iso_utc(hi)),
        )
    ]


def person_problems(
    conn: sqlite3.Connection,
    line: Line,
    person: Person,
    span: rules.Span,
    moved: dict[int, rules.Span] | None = None,
    gone: set[int] | frozenset[int] = frozenset(),
    actor_id: int | None = None,
) -> list[RuleBroken]:
    """Every rule that putting `person` on `span` would break (their other scheduled shifts considered).

    A triad meeting of theirs that the span overlaps is a rule too, never overridable (warmline.triads);
    `actor_id` says who asks, so only the person themself hears that it is their triad meeting.

    `moved` gives the new times of this person's shifts that change in the same edit (a series edit);
    `gone` names shifts that the same edit cancels, which no longer count.
    Availability and time off (warmline.availability) are rules too, overridable like the limits.
    """
    from .availability import problems as availability_problems
    from .triads import meeting_problems

    if not person.active:
        return [RuleBroken(f"{person.handle} is inactive and cannot be put on shifts", rule="inactive", overridable=False)]
    tz = zone(line.tz)
    limits = person.limits(line)
    lo, hi = rules.window_for(span, tz, limits)
    others = [o for o in _spans(conn, person.id, lo, hi) if o.shift_id not in gone]
    if moved:
        others = [moved.get(o.shift_id, o) for o in others]
        seen = {o.shift_id for o in others}
        others += [m for sid, m in moved.items() if sid not in seen and m.end > lo and m.start < hi]
    found = rules.problems(person.handle, span, others, limits, tz) + availability_problems(conn, person, span, tz)
    return found + meeting_problems(conn, person, span.start, span.end, actor_id=actor_id)


def _enforce(found: list[RuleBroken], actor: Person, force: bool) -> str:
    """Raise for what may not pass; return the audit note for what a coordinator forced through."""
    if not found:
        return ""
    refusal = rules.combine(found)
    if force and refusal.overridable:
        require(actor, "force")
        return f"; forced past: {refusal.rule}"
    if refusal.overridable and actor.is_coordinator:
        refusal = RuleBroken(refusal.message + " (a coordinator may override with --force)", rule=refusal.rule, overridable=True)
    raise refusal


def _seat_check(conn: sqlite3.Connection, shift: Shift, role: str) -> int:
    """How many people already hold `role` seats; raises when the shift has none left."""
    taken = conn.execute(
        "SELECT count(*) FROM assignment WHERE shift_id = ? AND role = ?", (shift.id, role)
    ).fetchone()[0]
    limit = shift.seats if role == "peer" else shift.backup_seats
    if taken >= limit:
        kind = "peer" if role == "peer" else "backup"
        raise RuleBroken(
            f"shift {shift.id} has no free {kind} seat ({taken} of {limit} taken)", rule="seats", overridable=False
        )
    return taken


def _scheduled(shift: Shift) -> None:
    if shift.status != "scheduled":
        raise Refused(f"shift {shift.id} is cancelled: choose another shift")


def _role(role: str) -> str:
    if role not in SEAT_ROLES:
        raise Invalid(f"role {role!r} is not one of: {', '.join(SEAT_ROLES)}")
    return role


def _label(shift: Shift) -> str:
    return f"shift {shift.id} ({shift.start_local:%a %Y-%m-%d %H:%M}–{shift.end_local:%H:%M})"


# ---------------------------------------------------------------- shifts


def _seats(value: int, what: str) -> int:
    if not isinstance(value, int) or value < 0 or value > MAX_SEATS:
        raise Invalid(f"{what} is {value}; it must be a whole number from 0 to {MAX_SEATS}")
    return value


def _seat_total(seats: int, backup: int) -> None:
    """A shift with no seat at all cannot be staffed: refuse 0 peer + 0 backup seats."""
    if seats + backup == 0:
        raise Invalid("a shift needs at least one seat (0 peer + 0 backup given): give --seats or --backup above 0")


def _not_over(end: datetime, allow_past: bool, what: str = "the shift") -> None:
    """Refuse a shift that has already ended (by the line's clock) unless history is being recorded."""
    if not allow_past and end.astimezone(timezone.utc) <= now():
        raise Invalid(
            f"{what} would end at {end.isoformat()}, which has already passed: give a start and end in the future"
        )


def _span_checks(start: datetime, end: datetime) -> None:
    from .times import check_moment

    check_moment(start, "the start")
    check_moment(end, "the end")
    # Compare in UTC: two datetimes sharing one ZoneInfo subtract as wall times, so a shift across
    # the autumn change would otherwise pass as 23.5 h while it really lasts 24.5 h.
    length = end.astimezone(timezone.utc) - start.astimezone(timezone.utc)
    if length <= timedelta(0):
        # One rule for one-off shifts and series alike: the end's date decides, so an overnight
        # shift (or series) ends on the next day's date; an end earlier the same day is refused.
        hint = ""
        if length > timedelta(hours=-24) and end.date() == start.date():
            hint = f" (an overnight shift ends the next day: --end {(end + timedelta(days=1)).strftime('%Y-%m-%dT%H:%M')})"
        raise Invalid(
            f"the end ({end.isoformat()}) is not after the start ({start.isoformat()}): give a later end{hint}"
        )
    if length > timedelta(hours=24):
        hours = length.total_seconds() / 3600
        raise Invalid(f"the shift would last {hours:.1f} h; a shift lasts at most 24 h: split it")


def _duplicate(conn: sqlite3.Connection, start: datetime, end: datetime, *, other_than: int | None = None) -> None:
    """Refuse a shift with exactly the start and end of a scheduled one (seats and note aside)."""
    row = conn.execute(
        "SELECT id FROM shift WHERE start_utc = ? AND end_utc = ? AND status = 'scheduled' AND id IS NOT ?"
        " ORDER BY id LIMIT 1",
        (iso_utc(start), iso_utc(end), other_than),
    ).fetchone()
    if row:
        raise Refused(
            f"shift {row[0]} already runs from {start.isoformat()} to {end.isoformat()}: "
            f"change its seats with `warmline shift edit {row[0]} --seats N --backup N` instead"
        )


def add_shift(
    db: Database,
    actor: Person,
    *,
    start: datetime,
    end: datetime,
    seats: int = 2,
    backup: int = 1,
    note: str = "",
    allow_past: bool = False,
) -> Shift:
    """Create one shift (coordinators only).

    Refused: no seat at all, a shift that has already ended (unless `allow_past`, for recording
    history: the demo, imports, tests), and an exact duplicate (the same start and end as a
    scheduled shift).
    """
    _span_checks(start, end)
    _seats(seats, "seats")
    _seats(backup, "backup seats")
    _seat_total(seats, backup)
    _not_over(end, allow_past)
    note = clean_text(note, "the note", limit=MAX_NOTE, allow_empty=True)
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        require(who, "shift.add")
        _duplicate(conn, start, end)
        line = get_line(conn)
        tz = zone(line.tz)
        cur = conn.execute(
            "INSERT INTO shift (start_utc, end_utc, start_local, end_local, tz, seats, backup_seats, note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                iso_utc(start),
                iso_utc(end),
                start.astimezone(tz).isoformat(),
                end.astimezone(tz).isoformat(),
                line.tz,
                seats,
                backup,
                note,
            ),
        )
        shift = get_shift(conn, cur.lastrowid)
        audit.record(conn, who.handle, "shift.add", f"shift {shift.id}", f"{_label(shift)}; {seats}+{backup} seats")
        return shift


def edit_shift(
    db: Database,
    actor: Person,
    shift_id: int,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    seats: int | None = None,
    backup: int | None = None,
    note: str | None = None,
    force: bool = False,
    allow_past: bool = False,
) -> Shift:
    """Edit one shift; a series occurrence is detached so re-expansion keeps the edit.

    Moving a shift so that it has already ended is refused unless `allow_past`; a past shift's
    seats and note may still be corrected.
    """
    if seats is not None:
        _seats(seats, "seats")
    if backup is not None:
        _seats(backup, "backup seats")
    if start is None and end is None and seats is None and backup is None and note is None:
        # An empty edit would still detach a series occurrence and write an audit row.
        raise Invalid("nothing to change: give at least one option (see `warmline shift edit --help`)")
    if note is not None:
        note = clean_text(note, "the note", limit=MAX_NOTE, allow_empty=True)
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        require(who, "shift.edit")
        line = get_line(conn)
        tz = zone(line.tz)
        shift = get_shift(conn, shift_id)
        _scheduled(shift)
        new_start = (start or shift.start_utc).astimezone(timezone.utc)
        new_end = (end or shift.end_utc).astimezone(timezone.utc)
        _span_checks(new_start, new_end)
        new_seats = shift.seats if seats is None else seats
        new_backup = shift.backup_seats if backup is None else backup
        _seat_total(new_seats, new_backup)
        if (new_start, new_end) != (shift.start_utc, shift.end_utc):
            _not_over(new_end, allow_past)
            _duplicate(conn, new_start, new_end, other_than=shift.id)
        on = assignments(conn, [shift.id])[shift.id]
        peers = sum(1 for a in on if a.role == "peer")
        backups = len(on) - peers
        if peers > new_seats or backups > new_backup:
            raise RuleBroken(
                f"shift {shift.id} has {peers} peers and {backups} backup; it cannot have fewer seats "
                f"({new_seats} + {new_backup}): unassign someone first",
                rule="seats",
                overridable=False,
            )
        forced = ""
        if (new_start, new_end) != (shift.start_utc, shift.end_utc):
            span = rules.Span(shift.id, new_start, new_end)
            found = []
            for a in on:
                found += person_problems(conn, line, get_by_id(conn, a.person_id), span)
            forced = _enforce(found, who, force)
        conn.execute(
            "UPDATE shift SET start_utc = ?, end_utc = ?, start_local = ?, end_local = ?, seats = ?,"
            " backup_seats = ?, note = ?, detached = CASE WHEN series_id IS NULL THEN 0 ELSE 1 END,"
            " version = version + 1 WHERE id = ?",
            (
                iso_utc(new_start),
                iso_utc(new_end),
                new_start.astimezone(tz).isoformat(),
                new_end.astimezone(tz).isoformat(),
                new_seats,
                new_backup,
                shift.note if note is None else note,
                shift.id,
            ),
        )
        updated = get_shift(conn, shift.id)
        events.report(conn, "shifts.changed", before=[shift])
        audit.record(
            conn,
            who.handle,
            "shift.edit",
            f"shift {shift.id}",
            f"{_label(updated)}; {new_seats}+{new_backup} seats{forced}",
        )
        return updated


def cancel_shift(db: Database, actor: Person, shift_id: int) -> Shift:
    """Cancel one shift (or one occurrence of a series; the rest of the series stays)."""
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        require(who, "shift.cancel")
        shift = get_shift(conn, shift_id)
        _scheduled(shift)
        _cancel_rows(conn, [shift.id], detach=True)
        audit.record(conn, who.handle, "shift.cancel", f"shift {shift.id}", _label(shift))
        return get_shift(conn, shift.id)


def _cancel_rows(conn: sqlite3.Connection, shift_ids: list[int], *, detach: bool) -> None:
    moment = iso_utc(now())
    conn.executemany(
        "UPDATE shift SET status = 'cancelled', version = version + 1,"
        " detached = CASE WHEN series_id IS NULL THEN 0 WHEN ? THEN 1 ELSE detached END WHERE id = ?",
        [(1 if detach else 0, sid) for sid in shift_ids],
    )
    conn.executemany(
        "UPDATE cover_request SET status = 'withdrawn', closed_at = ? WHERE shift_id = ? AND status = 'open'",
        [(moment, sid) for sid in shift_ids],
    )
    events.report(conn, "shifts.cancelled", shift_ids=shift_ids)


# ---------------------------------------------------------------- series


def horizon_end(line: Line, moment: datetime | None = None) -> datetime:
    """How far ahead series are materialised: now plus the line's horizon (default 12 weeks)."""
    return (moment or now()) + timedelta(weeks=line.horizon_weeks)


def _materialise(
    conn: sqlite3.Connection, series: Series, lo: datetime, hi: datetime, *, skip_impossible: bool = False
) -> int:
    """Insert the series' occurrences starting in [lo, hi) that do not exist yet; returns how many.

    skip_impossible: leave out a date on which the shift cannot exist (a clock change) instead of
    refusing (when extending the horizon: a series created months ago must not block the others).
    """
    found = occurrences(
        series.rule,
        date.fromisoformat(series.first_day),
        time.fromisoformat(series.start_time),
        time.fromisoformat(series.end_time),
        series.tz,
        date.fromisoformat(series.until_day) if series.until_day else None,
        lo,
        hi,
        skip_impossible=skip_impossible,
    )
    before = conn.total_changes
    conn.executemany(
        "INSERT OR IGNORE INTO shift (series_id, occurrence, start_utc, end_utc, start_local, end_local, tz,"
        " seats, backup_seats, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                series.id,
                o.key,
                iso_utc(o.start_utc),
                iso_utc(o.end_utc),
                o.start_local.isoformat(),
                o.end_local.isoformat(),
                series.tz,
                series.seats,
                series.backup_seats,
                series.note,
            )
            for o in found
        ],
    )
    return conn.total_changes - before


def insert_series(
    conn: sqlite3.Connection,
    line: Line,
    *,
    rule: str,
    first_day: date,
    start_time: time,
    end_time: time,
    seats: int,
    backup: int,
    until: date | None,
    note: str,
    expand_to: datetime,
) -> tuple[Series, int]:
    """Insert a series and its occurrences up to `expand_to`, inside the caller's transaction."""
    cur = conn.execute(
        "INSERT INTO series (rule, first_day, start_time, end_time, tz, seats, backup_seats, until_day, note,"
        " expanded_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            rule,
            first_day.isoformat(),
            start_time.strftime("%H:%M"),
            end_time.strftime("%H:%M"),
            line.tz,
            seats,
            backup,
            until.isoformat() if until else None,
            note,
            iso_utc(expand_to),
        ),
    )
    series = get_series(conn, cur.lastrowid)
    start = localize(datetime.combine(first_day, time(0)), zone(line.tz))
    made = _materialise(conn, series, start, expand_to) if expand_to > start else 0
    return series, made


def add_series(
    db: Database,
    actor: Person,
    *,
    rule: str,
    start: datetime,
    end: datetime,
    seats: int = 2,
    backup: int = 1,
    until: date | None = None,
    note: str = "",
    allow_past: bool = False,
) -> tuple[Series, int]:
    """Create a recurring series from its first occurrence's start and end; returns (series, shifts made).

    As for one shift: the end's date decides (an overnight series ends on the next day's date),
    no seat at all and a first occurrence that has already ended (unless `allow_past`) are
    refused, and so is a series identical to an active one (same rule, first day, times, until).
    """
    rule = parse_rule(rule)
    _span_checks(start, end)
    if until is not None:
        from .times import check_day

        check_day(until, "--until")
    _seats(seats, "seats")
    _seats(backup, "backup seats")
    _seat_total(seats, backup)
    _not_over(end, allow_past, "its first shift")
    note = clean_text(note, "the note", limit=MAX_NOTE, allow_empty=True)
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        require(who, "shift.add")
        line = get_line(conn)
        tz = zone(line.tz)
        local_start = start.astimezone(tz)
        local_end = end.astimezone(tz)
        if until is not None and until < local_start.date():
            raise Invalid(f"--until {until.isoformat()} is before the first shift ({local_start.date().isoformat()})")
        same = conn.execute(
            "SELECT id FROM series WHERE status = 'active' AND rule = ? AND first_day = ? AND start_time = ?"
            " AND end_time = ? AND until_day IS ? ORDER BY id LIMIT 1",
            (
                rule,
                local_start.date().isoformat(),
                local_start.strftime("%H:%M"),
                local_end.strftime("%H:%M"),
                until.isoformat() if until else None,
            ),
        ).fetchone()
        if same:
            raise Refused(
                f"series {same[0]} already repeats {rule} {local_start:%H:%M}–{local_end:%H:%M} from "
                f"{local_start.date().isoformat()}: change it with `warmline series edit {same[0]}` instead"
            )
        series, made = insert_series(
            conn,
            line,
            rule=rule,
            first_day=local_start.date(),
            start_time=local_start.time().replace(second=0, microsecond=0),
            end_time=local_end.time().replace(second=0, microsecond=0),
            seats=seats,
            backup=backup,
            until=until,
            note=note,
            expand_to=horizon_end(line),
        )
        audit.record(
            conn,
            who.handle,
            "series.add",
            f"series {series.id}",
            f"{rule} {series.start_time}–{series.end_time} from {series.first_day}"
            f"{' until ' + series.until_day if series.until_day else ''}; {made} shifts",
        )
        return series, made


def extend_horizon(db: Database, *, until: datetime | None = None) -> int:
    """Materialise every active series (and triads' meetings) up to the horizon; idempotent. Returns shifts created."""
    line = get_line(db.conn)
    target = until or horizon_end(line)
    # Only take the write lock when a series actually lags (re-checked inside the transaction).
    if not db.conn.execute(
        "SELECT 1 FROM series WHERE status = 'active' AND expanded_to < ? LIMIT 1", (iso_utc(target),)
    ).fetchone():
        return _extend_triads(db, target)
    made = 0
    with db.transaction() as conn:
        for series in all_series(conn):
            if series.status != "active" or parse_utc(series.expanded_to) >= target:
                continue
            count = _materialise(conn, series, parse_utc(series.expanded_to), target, skip_impossible=True)
            conn.execute("UPDATE series SET expanded_to = ? WHERE id = ?", (iso_utc(target), series.id))
            made += count
        if made:
            audit.record(conn, "system", "series.extend", "", f"{made} shifts up to {target.date().isoformat()}")
    _extend_triads(db, target)
    return made


def _extend_triads(db: Database, target: datetime) -> int:
    """Triad meetings follow the same horizon (warmline.triads.extend; 0 when none lags)."""
    from .triads import extend

    return extend(db, target)


@dataclass
class SeriesChanges:
    """What a series edit changes; None leaves a field as it is."""

    start_time: time | None = None
    end_time: time | None = None
    seats: int | None = None
    backup: int | None = None
    note: str | None = None
    until: date | None = None
    clear_until: bool = False
    rule: str | None = None
    fields: list[str] = field(default_factory=list)


def edit_series(
    db: Database, actor: Person, series_id: int, changes: SeriesChanges, *, force: bool = False
) -> tuple[Series, int]:
    """Change a series; only its future occurrences that were not edited on their own change with it.

    Returns (series, occurrences changed, added or cancelled).
    """
    if changes.seats is not None:
        _seats(changes.seats, "seats")
    if changes.backup is not None:
        _seats(changes.backup, "backup seats")
    rule = parse_rule(changes.rule) if changes.rule is not None else None
    note = clean_text(changes.note, "the note", limit=MAX_NOTE, allow_empty=True) if changes.note is not None else None
    if changes.until is not None:
        from .times import check_day

        check_day(changes.until, "--until")
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        require(who, "series.edit")
        line = get_line(conn)
        series = get_series(conn, series_id)
        if series.status != "active":
            raise Refused(f"series {series_id} is cancelled")
        new = Series(
            **{
                **series._asdict(),
                "rule": rule or series.rule,
                "start_time": (changes.start_time.strftime("%H:%M") if changes.start_time else series.start_time),
                "end_time": (changes.end_time.strftime("%H:%M") if changes.end_time else series.end_time),
                "seats": series.seats if changes.seats is None else changes.seats,
                "backup_seats": series.backup_seats if changes.backup is None else changes.backup,
                "note": series.note if note is None else note,
                "until_day": (
                    None
                    if changes.clear_until
                    else (changes.until.isoformat() if changes.until else series.until_day)
                ),
                "version": series.version + 1,
            }
        )
        if new == Series(**{**series._asdict(), "version": series.version + 1}):
            raise Invalid("nothing to change: give at least one option (see `warmline series edit --help`)")
        _seat_total(new.seats, new.backup_seats)
        moment = now()
        target = max(parse_utc(series.expanded_to), horizon_end(line))
        wanted = {
            o.key: o
            for o in occurrences(
                new.rule,
                date.fromisoformat(new.first_day),
                time.fromisoformat(new.start_time),
                time.fromisoformat(new.end_time),
                new.tz,
                date.fromisoformat(new.until_day) if new.until_day else None,
                moment,
                target,
            )
        }
        future = [
            _shift(r)
            for r in conn.execute(
                f"SELECT {_SHIFT_COLUMNS} FROM shift WHERE series_id = ? AND detached = 0 AND start_utc > ?",
                (series.id, iso_utc(moment)),
            )
        ]
        on = assignments(conn, [s.id for s in future])
        found: list[RuleBroken] = []
        updates, cancels = [], []
        moves: dict[int, rules.Span] = {}
        for s in future:
            occ = wanted.pop(s.occurrence, None)
            if occ is None or occ.start_utc <= moment:
                if s.status == "scheduled":
                    cancels.append(s.id)
                continue
            peers = sum(1 for a in on[s.id] if a.role == "peer")
            backups = len(on[s.id]) - peers
            if peers > new.seats or backups > new.backup_seats:
                raise RuleBroken(
                    f"{_label(s)} has {peers} peers and {backups} backup; the series cannot have fewer seats "
                    f"({new.seats} + {new.backup_seats}): unassign someone first",
                    rule="seats",
                    overridable=False,
                )
            # A revived occurrence (cancelled by an earlier series edit) brings its people back: check them too.
            if s.status != "scheduled" or (occ.start_utc, occ.end_utc) != (s.start_utc, s.end_utc):
                moves[s.id] = rules.Span(s.id, occ.start_utc, occ.end_utc)
            updates.append((occ, s))
        # Check each moved shift against the person's other shifts at their *new* times: checking
        # against the old ones undercounts when several occurrences grow at once.
        for sid, span in moves.items():
            for a in on[sid]:
                theirs = {x: m for x, m in moves.items() if any(b.person_id == a.person_id for b in on[x])}
                found += person_problems(
                    conn, line, get_by_id(conn, a.person_id), span, moved=theirs, gone=set(cancels)
                )
        forced = _enforce(found, who, force)
        conn.executemany(
            "UPDATE shift SET start_utc = ?, end_utc = ?, start_local = ?, end_local = ?, seats = ?,"
            " backup_seats = ?, note = ?, status = 'scheduled', version = version + 1 WHERE id = ?",
            [
                (
                    iso_utc(o.start_utc),
                    iso_utc(o.end_utc),
                    o.start_local.isoformat(),
                    o.end_local.isoformat(),
                    new.seats,
                    new.backup_seats,
                    new.note,
                    s.id,
                )
                for o, s in updates
            ],
        )
        events.report(conn, "shifts.changed", before=[s for _, s in updates])
        _cancel_rows(conn, cancels, detach=False)
        conn.execute(
            "UPDATE series SET rule = ?, start_time = ?, end_time = ?, seats = ?, backup_seats = ?, note = ?,"
            " until_day = ?, expanded_to = ?, version = version + 1 WHERE id = ?",
            (
                new.rule,
                new.start_time,
                new.end_time,
                new.seats,
                new.backup_seats,
                new.note,
                new.until_day,
                iso_utc(target),
                series.id,
            ),
        )
        current = get_series(conn, series.id)
        added = _materialise(conn, current, moment, target)
        audit.record(
            conn,
            who.handle,
            "series.edit",
            f"series {series.id}",
            f"{current.rule} {current.start_time}–{current.end_time}; {len(updates)} updated, "
            f"{added} added, {len(cancels)} cancelled{forced}",
        )
        return current, len(updates) + added + len(cancels)


def cancel_series(db: Database, actor: Person, series_id: int) -> tuple[Series, int]:
    """Cancel a series: it stops repeating and its future shifts are cancelled; past ones stay."""
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        require(who, "series.cancel")
        series = get_series(conn, series_id)
        if series.status != "active":
            raise Refused(f"series {series_id} is already cancelled")
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM shift WHERE series_id = ? AND status = 'scheduled' AND start_utc > ?",
                (series.id, iso_utc(now())),
            )
        ]
        _cancel_rows(conn, ids, detach=False)
        conn.execute("UPDATE series SET status = 'cancelled', version = version + 1 WHERE id = ?", (series.id,))
        audit.record(conn, who.handle, "series.cancel", f"series {series.id}", f"{len(ids)} future shifts cancelled")
        return get_series(conn, series.id), len(ids)


# ---------------------------------------------------------------- people on shifts


def _put_on(conn: sqlite3.Connection, shift: Shift, person: Person, role: str) -> None:
    conn.execute(
        "INSERT INTO assignment (shift_id, person_id, role, created_at) VALUES (?, ?, ?, ?)",
        (shift.id, person.id, role, iso_utc(now())),
    )


def _already_on(conn: sqlite3.Connection, shift: Shift, person: Person) -> str | None:
    row = conn.execute(
        "SELECT role FROM assignment WHERE shift_id = ? AND person_id = ?", (shift.id, person.id)
    ).fetchone()
    return row[0] if row else None


def assign(
    db: Database, actor: Person, shift_id: int, handle: str, *, role: str = "peer", force: bool = False
) -> Assignment:
    """Put a person on a shift (coordinators only); rest and limits may be forced, seats and overlap never."""
    _role(role)
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        require(who, "assign")
        line = get_line(conn)
        shift = get_shift(conn, shift_id)
        person = get_person(conn, handle)
        _scheduled(shift)
        held = _already_on(conn, shift, person)
        if held:
            raise Refused(f"{handle} is already on {_label(shift)} as {held}")
        _seat_check(conn, shift, role)
        forced = _enforce(person_problems(conn, line, person, rules.Span(shift.id, shift.start_utc, shift.end_utc)), who, force)
        _put_on(conn, shift, person, role)
        audit.record(conn, who.handle, "assign", f"shift {shift.id}", f"{handle} as {role}; {_label(shift)}{forced}")
        return Assignment(shift.id, person.id, person.handle, person.name, role)


def released_seats(conn: sqlite3.Connection, actor: Person, handle: str) -> list[tuple[Shift, str]]:
    """The seats `handle` lost at their last deactivation that could be theirs again: (shift, role).

    Those shifts (named in the deactivation's audit row) that are still scheduled and ahead, that
    they are not back on (assignment_removed still holds the seat, with its role), and whose seat
    of that role is still open. The rules (rest, limits, overlap) are checked on restoring.
    """
    from .people import RELEASED_IDS

    who = fresh_actor(conn, actor)
    person = get_person(conn, handle)
    require(who, "assign")
    row = conn.execute(
        "SELECT detail FROM audit WHERE action = 'person.deactivate' AND subject = ? ORDER BY id DESC LIMIT 1",
        (person.handle,),
    ).fetchone()
    if row is None or RELEASED_IDS not in row[0]:
        return []
    ids = [int(x) for x in row[0].split(RELEASED_IDS, 1)[1].split(",") if x.strip().isdigit()]
    found = []
    moment = now()
    for sid in ids:
        removed = conn.execute(
            "SELECT role FROM assignment_removed WHERE shift_id = ? AND person_id = ?", (sid, person.id)
        ).fetchone()
        shift = conn.execute(f"SELECT {_SHIFT_COLUMNS} FROM shift WHERE id = ?", (sid,)).fetchone()
        if removed is None or shift is None:
            continue
        shift = _shift(shift)
        if shift.status != "scheduled" or shift.start_utc <= moment or _already_on(conn, shift, person):
            continue
        taken = conn.execute(
            "SELECT count(*) FROM assignment WHERE shift_id = ? AND role = ?", (sid, removed[0])
        ).fetchone()[0]
        if taken < (shift.seats if removed[0] == "peer" else shift.backup_seats):
            found.append((shift, removed[0]))
    return found


def restore_released(db: Database, actor: Person, handle: str) -> tuple[list[Shift], list[tuple[Shift, str]]]:
    """Put a reactivated person back on the released seats still open; returns (restored, [(shift, why not)]).

    Each seat is an ordinary assignment (audited, every rule checked, nothing forced); a seat
    the rules refuse is left open, with the reason.
    """
    person = get_person(db.conn, handle)
    if not person.active:
        raise Refused(f"{handle} is inactive: reactivate them first (`warmline people edit {handle} --activate`)")
    restored, skipped = [], []
    for shift, role in released_seats(db.conn, actor, handle):
        try:
            assign(db, actor, shift.id, handle, role=role)
            restored.append(shift)
        except (Refused, Invalid) as exc:
            skipped.append((shift, str(exc)))
    return restored, skipped


def unassign(db: Database, actor: Person, shift_id: int, handle: str) -> None:
    """Take a person off a shift (coordinators only); any cover request of theirs for it is withdrawn."""
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        require(who, "unassign")
        shift = get_shift(conn, shift_id)
        person = get_person(conn, handle)
        role = _already_on(conn, shift, person)
        if role is None:
            raise Refused(f"{handle} is not on {_label(shift)}")
        conn.execute("DELETE FROM assignment WHERE shift_id = ? AND person_id = ?", (shift.id, person.id))
        conn.execute(
            "UPDATE cover_request SET status = 'withdrawn', closed_at = ?"
            " WHERE shift_id = ? AND person_id = ? AND status = 'open'",
            (iso_utc(now()), shift.id, person.id),
        )
        audit.record(conn, who.handle, "unassign", f"shift {shift.id}", f"{handle} ({role}); {_label(shift)}")
        events.report(conn, "seat.opened", shift_id=shift.id, role=role, left_person_id=person.id)


def claim(db: Database, actor: Person, shift_id: int, *, role: str = "peer") -> Assignment:
    """Take an open seat, or someone's cover request, on a future shift for oneself. No overrides."""
    _role(role)
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        require(who, "claim", target=who)
        line = get_line(conn)
        shift = get_shift(conn, shift_id)
        _scheduled(shift)
        if shift.start_utc <= now():
            raise Refused(f"{_label(shift)} has already started: it can no longer be claimed")
        held = _already_on(conn, shift, who)
        if held:
            raise Refused(f"{who.handle} is already on {_label(shift)} as {held}")
        cover = conn.execute(
            "SELECT c.id, p.handle, c.person_id FROM cover_request c JOIN person p ON p.id = c.person_id"
            " WHERE c.shift_id = ? AND c.role = ? AND c.status = 'open' ORDER BY c.id LIMIT 1",
            (shift.id, role),
        ).fetchone()
        taken = conn.execute(
            "SELECT count(*) FROM assignment WHERE shift_id = ? AND role = ?", (shift.id, role)
        ).fetchone()[0]
        limit = shift.seats if role == "peer" else shift.backup_seats
        if taken >= limit and cover is None:
            raise RuleBroken(
                f"{_label(shift)} has no free {role} seat ({taken} of {limit} taken)", rule="seats", overridable=False
            )
        _enforce(
            person_problems(conn, line, who, rules.Span(shift.id, shift.start_utc, shift.end_utc), actor_id=who.id),
            who,
            False,
        )
        detail = f"{who.handle} as {role}; {_label(shift)}"
        if cover is not None:
            # Someone asked for cover: take their seat first, so they are released (only now).
            conn.execute("DELETE FROM assignment WHERE shift_id = ? AND person_id = ?", (shift.id, cover[2]))
            conn.execute(
                "UPDATE cover_request SET status = 'taken', taken_by = ?, closed_at = ? WHERE id = ?",
                (who.id, iso_utc(now()), cover[0]),
            )
            detail += f"; covers for {cover[1]}"
        _put_on(conn, shift, who, role)
        audit.record(conn, who.handle, "claim", f"shift {shift.id}", detail)
        return Assignment(shift.id, who.id, who.handle, who.name, role)


def drop(db: Database, actor: Person, shift_id: int) -> str:
    """Drop one's own shift: before the cut-off the seat reopens ('reopened'); after it a cover
    request opens and the person stays on until someone takes it ('cover-requested')."""
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        require(who, "drop", target=who)
        line = get_line(conn)
        shift = get_shift(conn, shift_id)
        _scheduled(shift)
        role = _already_on(conn, shift, who)
        if role is None:
            raise Refused(f"{who.handle} is not on {_label(shift)}")
        moment = now()
        if shift.start_utc <= moment:
            raise Refused(f"{_label(shift)} has already started: ask the backup or a coordinator to cover")
        if not line.drop_asks_cover(shift.start_utc, moment):
            conn.execute("DELETE FROM assignment WHERE shift_id = ? AND person_id = ?", (shift.id, who.id))
            audit.record(conn, who.handle, "drop", f"shift {shift.id}", f"{role} seat reopened; {_label(shift)}")
            events.report(conn, "seat.opened", shift_id=shift.id, role=role, left_person_id=who.id)
            return "reopened"
        if conn.execute(
            "SELECT 1 FROM cover_request WHERE shift_id = ? AND person_id = ? AND status = 'open'", (shift.id, who.id)
        ).fetchone():
            raise Refused(f"{who.handle} already asked for cover for {_label(shift)}")
        request = conn.execute(
            "INSERT INTO cover_request (shift_id, person_id, role, created_at) VALUES (?, ?, ?, ?)",
            (shift.id, who.id, role, iso_utc(moment)),
        ).lastrowid
        audit.record(
            conn,
            who.handle,
            "drop",
            f"shift {shift.id}",
            f"within {line.drop_cutoff_hours} h: cover requested, {who.handle} stays on until covered; {_label(shift)}",
        )
        events.report(conn, "seat.opened", shift_id=shift.id, role=role, left_person_id=who.id, request_id=request)
        return "cover-requested"


# ---------------------------------------------------------------- whole-file check


@dataclass
class CheckReport:
    """What `warmline check` found: errors break an invariant; warnings are limits exceeded by override."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def check(conn: sqlite3.Connection) -> CheckReport:
    """Integrity check plus a scan of every rota invariant over the whole file."""
    report = CheckReport()
    for (message,) in conn.execute("PRAGMA integrity_check"):
        if message != "ok":
            report.errors.append(f"integrity: {message}")
    for row in conn.execute("PRAGMA foreign_key_check"):
        report.errors.append(f"foreign key: {row[0]} row {row[1]} points to a missing {row[2]}")
    from .db import SCHEMA_VERSION
    from .schema import differences

    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version <= SCHEMA_VERSION:
        # Anything warmline did not create (a trigger or a view runs on warmline's own statements).
        report.errors.extend(f"schema: {d}" for d in differences(conn, version))
    triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'trigger'")}
    for name in ("audit_no_update", "audit_no_delete", "audit_no_replace"):
        if name not in triggers:
            report.errors.append(f"audit: the trigger {name} is missing, so the log is not append-only")
    if "audit_redaction" in {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}:
        # `people forget` opens a redaction and closes it in the same transaction; one left open lets
        # anyone rewrite who did what in the audit log (the audit_no_update trigger stands aside).
        for (rid,) in conn.execute("SELECT id FROM audit_redaction WHERE open = 1 ORDER BY id"):
            report.errors.append(
                f"audit: redaction {rid} is left open, so the log's actors and details can be rewritten: "
                f"restore a backup from before it, or close it (UPDATE audit_redaction SET open = 0 WHERE id = {rid})"
            )
    try:
        line = get_line(conn)
    except Refused as exc:
        report.errors.append(str(exc))
        return report
    tz = zone(line.tz)
    for sid, role, taken, limit in conn.execute(
        "SELECT s.id, a.role, count(*), CASE a.role WHEN 'peer' THEN s.seats ELSE s.backup_seats END"
        " FROM assignment a JOIN shift s ON s.id = a.shift_id GROUP BY s.id, a.role"
        " HAVING count(*) > CASE a.role WHEN 'peer' THEN s.seats ELSE s.backup_seats END"
    ):
        report.errors.append(f"seats: shift {sid} has {taken} {role} people for {limit} seats")
    for sid, start, end in conn.execute("SELECT id, start_utc, end_utc FROM shift"):
        length = parse_utc(end) - parse_utc(start)
        if length <= timedelta(0) or length > timedelta(hours=24):
            report.errors.append(f"length: shift {sid} lasts {length.total_seconds() / 3600:.1f} h")
    moment = iso_utc(now())
    for handle, sid in conn.execute(
        "SELECT p.handle, s.id FROM assignment a JOIN person p ON p.id = a.person_id JOIN shift s ON s.id = a.shift_id"
        " WHERE p.active = 0 AND s.status = 'scheduled' AND s.start_utc > ?",
        (moment,),
    ):
        report.errors.append(f"inactive: {handle} is on future shift {sid}")
    for cid, sid, handle in conn.execute(
        "SELECT c.id, c.shift_id, p.handle FROM cover_request c JOIN person p ON p.id = c.person_id"
        " WHERE c.status = 'open' AND NOT EXISTS"
        " (SELECT 1 FROM assignment a WHERE a.shift_id = c.shift_id AND a.person_id = c.person_id)"
    ):
        report.errors.append(f"cover: open request {cid} on shift {sid} but {handle} is not on it")
    people = {p.id: p for p in _people_for_check(conn)}
    rows = conn.execute(
        "SELECT a.person_id, s.id, s.start_utc, s.end_utc FROM assignment a JOIN shift s ON s.id = a.shift_id"
        " WHERE s.status = 'scheduled' ORDER BY a.person_id, s.start_utc"
    ).fetchall()
    by_person: dict[int, list[rules.Span]] = {}
    for pid, sid, start, end in rows:
        by_person.setdefault(pid, []).append(rules.Span(sid, parse_utc(start), parse_utc(end)))
    for pid, spans in by_person.items():
        person = people[pid]
        limits = person.limits(line)
        report.errors.extend(_overlaps(person.handle, spans, tz))
        report.warnings.extend(_limit_breaches(person.handle, spans, limits, tz))
    # A shift over a member's triad meeting (warmline.triads), worded as refusals to others are: no details.
    has_triads = conn.execute("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'triad_meeting'").fetchone()
    for handle, sid in () if not has_triads else conn.execute(
        "SELECT DISTINCT p.handle, s.id FROM assignment a JOIN shift s ON s.id = a.shift_id AND s.status = 'scheduled'"
        " JOIN person p ON p.id = a.person_id JOIN triad_member m ON m.person_id = a.person_id AND m.left_at IS NULL"
        " JOIN triad t ON t.id = m.triad_id AND t.status = 'active'"
        " JOIN triad_meeting g ON g.triad_id = m.triad_id AND g.status = 'scheduled'"
        " WHERE g.start_utc < s.end_utc AND g.end_utc > s.start_utc ORDER BY p.handle, s.id"
    ):
        report.errors.append(f"triad meeting: {handle} is on shift {sid}, which overlaps one of their commitments")
    return report


def _people_for_check(conn: sqlite3.Connection) -> list[Person]:
    from .people import all_people

    return all_people(conn)


def _overlaps(handle: str, spans: list[rules.Span], tz) -> list[str]:
    found = []
    latest: rules.Span | None = None
    for span in spans:  # sorted by start
        if latest is not None and span.start < latest.end:
            found.append(f"overlap: {handle} is on {rules.describe(latest, tz)} and {rules.describe(span, tz)}")
        if latest is None or span.end > latest.end:
            latest = span
    return found


def _limit_breaches(handle: str, spans: list[rules.Span], limits, tz) -> list[str]:
    found: list[str] = []
    rest = timedelta(hours=limits.min_rest_hours)
    weeks: dict[date, list[rules.Span]] = {}
    months: dict[date, int] = {}
    for previous, span in zip(spans, spans[1:]):
        gap = span.start - previous.end
        if timedelta(0) <= gap < rest:
            found.append(
                f"rest: {handle} has {gap.total_seconds() / 3600:.1f} h between {rules.describe(previous, tz)} "
                f"and {rules.describe(span, tz)}; the minimum is {limits.min_rest_hours:g} h"
            )
    for span in spans:
        weeks.setdefault(rules.week_of(span.start, tz), []).append(span)
        if rules.is_overnight(span.start, span.end, tz):
            month = rules.month_of(span.start, tz)
            months[month] = months.get(month, 0) + 1
    for week, group in sorted(weeks.items()):
        hours = sum(s.hours for s in group)
        if hours > limits.max_hours_week + 1e-9:
            found.append(f"max-hours: {handle} works {hours:.1f} h in the week of {week}; the limit is {limits.max_hours_week:g} h")
        if len(group) > limits.max_shifts_week:
            found.append(f"max-shifts: {handle} has {len(group)} shifts in the week of {week}; the limit is {limits.max_shifts_week}")
    for month, count in sorted(months.items()):
        if count > limits.max_overnights_month:
            found.append(
                f"max-overnights: {handle} has {count} overnight shifts in {month:%B %Y}; "
                f"the limit is {limits.max_overnights_month}"
            )
    return found


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC."""
    return moment.astimezone(timezone.utc)


# ---------------------------------------------------------------- what a person can take; who could fill


def claimable(conn: sqlite3.Connection, person: Person, start: datetime, end: datetime) -> list[ShiftView]:
    """Future shifts in [start, end) with a seat (or cover request) this person could claim right now."""
    from .availability import calendars
    from .triads import meeting_rows

    line = get_line(conn)
    moment = now()
    if not person.active:
        return []
    offered = [
        v
        for v in views(conn, max(start, moment), end, open_only=True)
        if v.shift.status == "scheduled"
        and v.shift.start_utc > moment
        and not any(a.person_id == person.id for a in v.peers + v.backups)
        and (v.open_seats or v.cover)
    ]
    if not offered:
        return []
    # person_problems for each, with the person's shifts and calendar read once for them all.
    tz = zone(line.tz)
    limits = person.limits(line)
    spans = [rules.Span(v.shift.id, v.shift.start_utc, v.shift.end_utc) for v in offered]
    windows = [rules.window_for(span, tz, limits) for span in spans]
    lo, hi = min(w[0] for w in windows), max(w[1] for w in windows)
    theirs = _spans(conn, person.id, lo, hi)
    calendar = calendars(conn, [person.id], lo, hi, tz)[person.id]
    meetings = meeting_rows(conn, [person.id], lo, hi)
    found = []
    for v, span, (w_lo, w_hi) in zip(offered, spans, windows):
        others = [o for o in theirs if o.end > w_lo and o.start < w_hi]
        if rules.problems(person.handle, span, others, limits, tz) or calendar.problems(span, tz):
            continue
        if any(a < span.end and b > span.start for _, a, b in meetings):  # a triad meeting of theirs
            continue
        found.append(v)
    return found


class Candidate(NamedTuple):
    """A person considered for a seat: what they would break, and their load that week."""

    person: Person
    problems: list[RuleBroken]
    week_hours: float
    max_hours_week: float
    last_shift_end: datetime | None

    @property
    def eligible(self) -> bool:
        return not self.problems

    @property
    def forceable(self) -> bool:
        return bool(self.problems) and all(p.overridable for p in self.problems)


def candidates(conn: sqlite3.Connection, actor: Person, shift_id: int) -> list[Candidate]:
    """Active people not on the shift, eligible ones first, then by hours that week (coordinators only)."""
    from .people import all_people

    require(actor, "assign")
    line = get_line(conn)
    tz = zone(line.tz)
    shift = get_shift(conn, shift_id)
    span = rules.Span(shift.id, shift.start_utc, shift.end_utc)
    on = {a.person_id for a in assignments(conn, [shift.id])[shift.id]}
    week = rules.week_of(shift.start_utc, tz)
    week_lo = localize(datetime.combine(week, time(0)), tz)
    week_hi = localize(datetime.combine(week + timedelta(days=7), time(0)), tz)
    found = []
    for person in all_people(conn, include_inactive=False):
        if person.id in on:
            continue
        hours = sum(
            sp.hours for sp in _spans(conn, person.id, week_lo, week_hi) if week_lo <= sp.start < week_hi
        )
        last = conn.execute(
            "SELECT max(s.end_utc) FROM assignment a JOIN shift s ON s.id = a.shift_id"
            " WHERE a.person_id = ? AND s.status = 'scheduled' AND s.end_utc <= ?",
            (person.id, iso_utc(shift.start_utc)),
        ).fetchone()[0]
        found.append(
            Candidate(
                person,
                person_problems(conn, line, person, span),
                hours,
                person.limits(line).max_hours_week,
                parse_utc(last) if last else None,
            )
        )
    found.sort(key=lambda c: (not c.eligible, not c.forceable, c.week_hours, c.person.handle))
    return found


# ---------------------------------------------------------------- withdrawing a cover request


def withdraw_cover(db: Database, actor: Person, shift_id: int, handle: str | None = None) -> CoverRequest:
    """Withdraw an open cover request on a shift: the asker stays on it (theirs, or anyone's for a coordinator).

    Only while nobody has taken the seat: once someone claimed it the request is closed and
    the asker is off the shift. Returns the request, now withdrawn.
    """
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        person = who if handle is None else get_person(conn, handle)
        require(who, "drop", target=person)  # the asker's own seat (a coordinator may for anyone)
        shift = get_shift(conn, shift_id)
        row = conn.execute(
            "SELECT id, role, status, created_at FROM cover_request WHERE shift_id = ? AND person_id = ?"
            " ORDER BY status = 'open' DESC, id DESC LIMIT 1",
            (shift.id, person.id),
        ).fetchone()
        if row is None or row[2] == "withdrawn":
            raise Refused(f"{person.handle} has no open cover request for {_label(shift)}: see `warmline shifts`")
        if row[2] == "taken":
            raise Refused(
                f"someone already took {person.handle}'s seat on {_label(shift)}: the cover request is closed"
            )
        conn.execute(
            "UPDATE cover_request SET status = 'withdrawn', closed_at = ? WHERE id = ?", (iso_utc(now()), row[0])
        )
        audit.record(
            conn, who.handle, "cover.withdraw", f"shift {shift.id}",
            f"{person.handle} ({row[1]}) stays on; {_label(shift)}",
        )
        events.report(conn, "cover.withdrawn", shift_id=shift.id, request_id=row[0])  # its 'cover' notices go
        return CoverRequest(row[0], shift.id, person.id, person.handle, row[1], "withdrawn", row[3])
