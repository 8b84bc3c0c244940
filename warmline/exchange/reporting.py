"""The reporting copy: a privacy-safe SQLite file for sqlite-utils and Datasette (`warmline export sqlite`).

Built with sqlite-utils (its Database, insert_all, create_view and enable_fts), which is imported
here only, inside `write_copy`: never on the start-up path. What the copy holds:

- `line`: the line's name and zone, when the copy was made, the small-count rule.
- `shifts`: every shift's times, hours, seats filled, seat-hours, backup, goal checks (no names,
  no notes).
- `report_weekly`, `report_monthly`: the report's figures (warmline.report) for every week and
  month from the first shift to today.
- `calls_by_hour`: calls per local weekday and hour; `calls_by_family`: calls per need family and
  how many of their needs someone on shift met. Need tags themselves are not in the copy (it holds
  no tag text at all), only their four families.
- `volunteer_hours`: hours per first name per month, for recognition (first names only).
- `figures`: what each column means, searchable (full-text index).
- Views: `coverage_by_month`, `busiest_hours`, `hours_by_first_name`.

Counts of calls or of people from 1 to 4 are stored as the text "<5" (warmline.report.protect).
Nothing else about people is copied: no handles, tags, logins, passphrases, keys, notes or push
destinations. The file is written 0600 beside its destination and moved into place in one step.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

from ..errors import Invalid, Refused, StorageError
from ..model import Person

FIGURE_HELP = {
    "period": "The ISO week (2026-W47) or the month (2026-11), in the line's time zone.",
    "shifts": "Scheduled shifts that started in the period and had ended when the copy was made.",
    "shift_hours": "Their real elapsed hours (a night shift on the autumn clock change lasts an hour longer).",
    "seat_hours": "Peer seats times hours: the peer time the rota asked for.",
    "seat_hours_covered": "Filled peer seats (at most the seats) times hours: the peer time volunteers gave.",
    "coverage_share": "Covered seat-hours divided by seat-hours.",
    "hours_with_backup": "Hours of shifts with at least one backup (a coordinator or senior peer on call).",
    "backup_share": "Hours with a backup divided by shift hours: nobody alone on the line.",
    "volunteer_hours": "Hours every person on those shifts gave, peers and backups together.",
    "peer_hours": "Hours given on peer seats.",
    "backup_hours": "Hours given as backup.",
    "volunteers": "People who gave hours in the period (<5 when 1 to 4).",
    "goal_checks": "Coverage goals that applied to those shifts, one per goal per shift.",
    "goals_met": "Goal checks met: enough people on the shift offered the goal's need.",
    "calls": "Calls logged in the period (anonymous: a time and the needs asked for; <5 when 1 to 4).",
    "needs_asked": "Needs asked for by those calls, one per need per call (<5 when 1 to 4).",
    "needs_met": "Needs someone on shift at the time offered (<5 when 1 to 4).",
    "needs_share": "Needs met divided by needs asked.",
    "new_people": "People added to the line in the period (<5 when 1 to 4).",
    "departed_people": "People deactivated in the period (<5 when 1 to 4).",
    "family": "A need family: experience, circumstance, identity or language.",
    "first_name": "The first word of a volunteer's display name: all the copy holds of anyone.",
}


@dataclass(frozen=True)
class Written:
    """What `write_copy` wrote: the file, each table's row count, and the views."""

    path: Path
    tables: dict[str, int]
    views: list[str]


def _history(conn: sqlite3.Connection, tz, moment: datetime) -> tuple[datetime, datetime] | None:
    """[first shift's local day, tomorrow) in UTC, or None for a line without shifts."""
    from ..recurrence import localize

    first = conn.execute("SELECT min(start_utc) FROM shift").fetchone()[0]
    first_call = conn.execute("SELECT min(at_utc) FROM call").fetchone()[0]
    candidates = [t for t in (first, first_call) if t]
    if not candidates:
        return None
    from ..db import parse_utc

    lo_day = parse_utc(min(candidates)).astimezone(tz).date()
    hi_day = max(moment.astimezone(tz).date(), lo_day) + timedelta(days=1)
    lo = localize(datetime.combine(lo_day, time(0)), tz).astimezone(timezone.utc)
    hi = localize(datetime.combine(hi_day, time(0)), tz).astimezone(timezone.utc)
    return lo, hi


def _figure_rows(report, tz) -> list[dict]:
    from ..report import figures_json

    return [figures_json(f, tz, public=True) for f in report.periods]


def collect(conn: sqlite3.Connection, actor: Person) -> dict[str, list[dict]]:
    """The rows of every table of the copy (coordinators), already protected."""
    from .. import report as rep
    from .. import text
    from ..clock import now
    from ..db import parse_utc
    from ..line import get as get_line
    from ..recurrence import zone
    from ..times import local_iso
    from .ics import first_name

    rep.may_read(actor)
    line = get_line(conn)
    tz = zone(line.tz)
    moment = now()
    span = _history(conn, tz, moment)
    tables: dict[str, list[dict]] = {
        "line": [
            {
                "name": text.safe(line.name),
                "tz": line.tz,
                "made_at": local_iso(moment, tz),
                "small_counts": f"counts of calls or people from 1 to {rep.SMALL - 1} are shown as {rep.SMALL_TEXT}",
            }
        ]
    }
    if span is None:
        weekly = monthly = None
    else:
        weekly = rep.build(conn, actor, span[0], span[1], "week")
        monthly = rep.build(conn, actor, span[0], span[1], "month")
    tables["report_weekly"] = _figure_rows(weekly, tz) if weekly else []
    tables["report_monthly"] = _figure_rows(monthly, tz) if monthly else []

    # Shifts: times and counts only.
    from .. import coverage

    holds: dict[int, set[str]] = {}
    for pid, tag_id in conn.execute("SELECT person_id, tag_id FROM person_tag WHERE state = 'offered'"):
        holds.setdefault(pid, set()).add(tag_id)
    for pid, tag_id in conn.execute("SELECT person_id, tag_id FROM person_language"):
        holds.setdefault(pid, set()).add(tag_id)
    on: dict[int, list[tuple[int, str]]] = {}
    for sid, pid, role in conn.execute("SELECT shift_id, person_id, role FROM assignment ORDER BY id"):
        on.setdefault(sid, []).append((pid, role))
    active_goals = coverage.goals(conn)
    rows = conn.execute(
        "SELECT id, series_id, start_utc, end_utc, seats, backup_seats, status FROM shift ORDER BY start_utc, id"
    ).fetchall()
    windows = {}
    if rows and active_goals:
        first_day = parse_utc(rows[0][2]).astimezone(tz).date() - timedelta(days=1)
        last_day = max(parse_utc(r[3]) for r in rows).astimezone(tz).date()
        windows = {g.id: coverage.goal_windows(g, first_day, last_day, tz) for g in active_goals}
    shifts = []
    for sid, series_id, s_utc, e_utc, seats, backup_seats, status in rows:
        start, end = parse_utc(s_utc), parse_utc(e_utc)
        hours = (end - start).total_seconds() / 3600
        people = on.get(sid, [])
        peers = sum(1 for _, r in people if r == "peer")
        backups = len(people) - peers
        checks = met = 0
        for goal in active_goals:
            if coverage.touches(windows[goal.id], start, end):
                checks += 1
                met += sum(1 for pid, _ in people if goal.tag_id in holds.get(pid, ())) >= goal.min_people
        local = start.astimezone(tz)
        shifts.append(
            {
                "id": sid,
                "series_id": series_id,
                "start": local_iso(start, tz),
                "end": local_iso(end, tz),
                "start_utc": s_utc,
                "end_utc": e_utc,
                "day": local.date().isoformat(),
                "week": f"{local.isocalendar()[0]}-W{local.isocalendar()[1]:02d}",
                "month": f"{local:%Y-%m}",
                "weekday": rep.WEEKDAYS[local.weekday()],
                "hours": round(hours, 4),
                "seats": seats,
                "backup_seats": backup_seats,
                "seats_filled": min(peers, seats),
                "backup_filled": min(backups, backup_seats),
                "seat_hours": round(seats * hours, 4),
                "seat_hours_covered": round(min(peers, seats) * hours, 4),
                "has_backup": int(backups > 0),
                "status": status,
                "ended": int(end <= moment),
                "goal_checks": checks,
                "goals_met": met,
            }
        )
    tables["shifts"] = shifts

    heat = weekly.heat if weekly else tuple((0,) * 24 for _ in range(7))
    tables["calls_by_hour"] = [
        {"weekday": rep.WEEKDAYS[d], "weekday_number": d, "hour": h, "calls": rep.protect(heat[d][h])}
        for d in range(7)
        for h in range(24)
    ]
    families: dict[str, list[int]] = {f: [0, 0, 0] for f in rep.FAMILIES}  # calls, needs asked, needs met
    if weekly:
        for n in weekly.needs:
            families[n.family or "experience"][1] += n.calls
            families[n.family or "experience"][2] += n.met
        for f, calls in weekly.families.items():
            families[f][0] += calls
    tables["calls_by_family"] = [
        {"family": f, "calls": rep.protect(v[0]), "needs_asked": rep.protect(v[1]), "needs_met": rep.protect(v[2])}
        for f, v in families.items()
    ]

    # Hours per first name per month: recognition, first names only (no handle, no id).
    hours: dict[tuple[int, str], list] = {}
    names = {pid: first_name(text.safe(name)) for pid, name in conn.execute("SELECT id, name FROM person")}
    for s in shifts:
        if s["status"] != "scheduled" or not s["ended"]:
            continue
        for pid, _role in on.get(s["id"], []):
            row = hours.setdefault((pid, s["month"]), [0, 0.0])
            row[0] += 1
            row[1] += s["hours"]
    tables["volunteer_hours"] = [
        {"first_name": names[pid], "month": month, "shifts": v[0], "hours": round(v[1], 2)}
        for (pid, month), v in sorted(hours.items(), key=lambda kv: (kv[0][1], names[kv[0][0]].casefold(), kv[0][0]))
    ]
    tables["figures"] = [{"figure": k, "meaning": v} for k, v in FIGURE_HELP.items()]
    return tables


VIEWS = {
    "coverage_by_month": """
        SELECT month, count(*) AS shifts, round(sum(hours), 2) AS shift_hours,
               round(sum(seat_hours), 2) AS seat_hours, round(sum(seat_hours_covered), 2) AS seat_hours_covered,
               round(sum(seat_hours_covered) / nullif(sum(seat_hours), 0), 4) AS coverage_share,
               round(sum(has_backup * hours) / nullif(sum(hours), 0), 4) AS backup_share,
               sum(goal_checks) AS goal_checks, sum(goals_met) AS goals_met
        FROM shifts WHERE status = 'scheduled' AND ended = 1 GROUP BY month ORDER BY month""",
    "busiest_hours": """
        SELECT weekday, hour, calls FROM calls_by_hour
        WHERE typeof(calls) = 'integer' AND calls > 0 ORDER BY calls DESC, weekday_number, hour""",
    "hours_by_first_name": """
        SELECT first_name, sum(shifts) AS shifts, round(sum(hours), 2) AS hours
        FROM volunteer_hours GROUP BY first_name ORDER BY hours DESC, first_name""",
}

def _has_sources(sql: str, counts: dict[str, int]) -> bool:
    """A view is made only when the table it reads was (an empty line has no shifts table)."""
    source = sql.split(" FROM ", 1)[1].split()[0]
    return source in counts


PRIMARY_KEYS = {"shifts": "id", "figures": "figure", "calls_by_family": "family"}
PROTECTED_COLUMNS = ("volunteers", "calls", "needs_asked", "needs_met", "new_people", "departed_people")


def write_copy(conn: sqlite3.Connection, actor: Person, dest: Path, *, force: bool = False) -> Written:
    """Build the reporting copy at `dest` (0600) with sqlite-utils; an existing file is kept unless `force`."""
    tables = collect(conn, actor)
    dest = Path(dest)
    if dest.is_dir():
        raise Invalid(f"{dest} is a directory: give a file name for the copy")
    if not dest.parent.is_dir():
        raise StorageError(f"the directory {dest.parent} does not exist: create it, or write the copy somewhere else")
    if (dest.exists() or dest.is_symlink()) and not force:
        raise Refused(f"{dest} already exists: give another name, or --force to replace it")
    import sqlite_utils

    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent)
    os.close(fd)  # mkstemp creates the file 0600; SQLite opens it (and its journal) itself
    tmp = Path(tmp_name)
    counts: dict[str, int] = {}
    try:
        db = sqlite_utils.Database(tmp)
        try:
            for name, rows in tables.items():
                columns = {c: int for c in PROTECTED_COLUMNS if rows and c in rows[0]}
                if rows:
                    db[name].insert_all(rows, pk=PRIMARY_KEYS.get(name), columns=columns or None)
                    counts[name] = len(rows)
            db["figures"].enable_fts(["figure", "meaning"], create_triggers=False)
            views = [name for name, sql in VIEWS.items() if _has_sources(sql, counts)]
            for name in views:
                db.create_view(name, " ".join(VIEWS[name].split()))
            db.conn.execute("VACUUM")  # leave no freed page holding anything written and dropped
        finally:
            db.close()
        if force:
            os.replace(tmp, dest)
        else:
            os.link(tmp, dest)  # fails if another process made `dest` meanwhile: never clobber
            tmp.unlink()
    except FileExistsError:
        raise Refused(f"{dest} already exists: give another name, or --force to replace it") from None
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)
    return Written(dest, counts, views)
