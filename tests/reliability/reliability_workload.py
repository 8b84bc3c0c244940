"""Shared pieces of the reliability suite, and the child processes it kills or runs alongside.

Imported by the tests (pytest puts this directory on sys.path; the name is unique in the
tree so it cannot shadow another suite's helper), and run as a script for the children:

  python reliability_workload.py kill-loop JSON   mixed core writes as fast as possible, forever
                                                  (until SIGKILLed), with a journal of every op
  python reliability_workload.py fork-server      the same, one forked process per stdin request
                                                  (the imports are paid once, not once per kill)
  python reliability_workload.py app JSON         the real Textual app, headless (App.run_test),
                                                  driven by key events for a while; prints a report

The op vocabulary (`choose` picks one with its arguments from the current rota, `apply`
runs it through the core) is shared by the killed worker and by the parent, which replays
the worker's journal on a mirror copy to prove the killed file holds exactly the changes
that have an audit row (see test_sigkill_loop.py).
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import sys
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

NOW = "2026-11-23T08:00:00-05:00"  # Monday morning in New York (WARMLINE_NOW for every process)
TZ = ZoneInfo("America/New_York")
NOW_UTC = datetime.fromisoformat(NOW).astimezone(timezone.utc)
VOLUNTEERS = ("v01", "v02", "v03", "v04", "v05", "v06")
GENEROUS = {"max_hours_week": 60, "max_shifts_week": 14, "min_rest_hours": 2, "max_overnights_month": 20}
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WARMLINE = Path(sys.executable).parent / "warmline"


def env(**extra: str) -> dict[str, str]:
    """The environment for a child: the fixed clock, no inherited actor or database, no colour."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("WARMLINE_")}
    base.update(WARMLINE_NOW=NOW, NO_COLOR="1")
    base.update(extra)
    return base


# ---------------------------------------------------------------- the rota every test starts from


def make_line(path: Path, *, volunteers: tuple[str, ...] = VOLUNTEERS, horizon_weeks: int = 3):
    """A line (America/New_York) with coordinator 'coord' (whose login is the OS user, so the CLI
    acts as coord without a passphrase), volunteers with generous limits, a daily series over the
    horizon and a week of one-off shifts. Returns the open Database."""
    from warmline import people, rota
    from warmline.access import os_user
    from warmline.db import open_db
    from warmline.line import create

    db = open_db(path, create=True)
    create(
        db, name="Reliability Line", tz="America/New_York", actor="coord",
        first_coordinator=("coord", "Coordinator", os_user()),
    )
    with db.transaction() as conn:
        conn.execute("UPDATE line SET horizon_weeks = ?", (horizon_weeks,))
    coord = people.get(db.conn, "coord")
    for handle in volunteers:
        people.add(db, coord, handle=handle, name=f"Volunteer {handle}", **GENEROUS)
    start = datetime(2026, 11, 23, 18, 0, tzinfo=TZ)
    rota.add_series(db, coord, rule="FREQ=DAILY", start=start, end=start + timedelta(hours=4), seats=2, backup=1)
    for day in range(1, 8):
        s = datetime(2026, 11, 23, 9, 0, tzinfo=TZ) + timedelta(days=day)
        rota.add_shift(db, coord, start=s, end=s + timedelta(hours=4), seats=3, backup=1)
    return db


def dump(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Every row of every table (the schema too), in a stable order: two equal dumps are equal files."""
    found: dict[str, list[tuple]] = {
        "sqlite_schema": [tuple(r) for r in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name")],
        "pragmas": [tuple(conn.execute(f"PRAGMA {p}").fetchone()) for p in ("user_version", "application_id")],
    }
    for (table,) in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"):
        width = len(conn.execute(f'SELECT * FROM "{table}" LIMIT 0').description)
        order = ", ".join(str(n) for n in range(1, width + 1))
        found[table] = [tuple(r) for r in conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}')]
    return found


def differences(a: dict[str, list[tuple]], b: dict[str, list[tuple]], limit: int = 3) -> list[str]:
    """Which tables differ between two dumps, with a few rows only in one or the other."""
    found = []
    for table in sorted(set(a) | set(b)):
        left, right = a.get(table, []), b.get(table, [])
        if left != right:
            only_a = [r for r in left if r not in right][:limit]
            only_b = [r for r in right if r not in left][:limit]
            found.append(f"{table}: {len(left)} vs {len(right)} rows; only first: {only_a}; only second: {only_b}")
    return found


def audit_max(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]


# ---------------------------------------------------------------- the op vocabulary

# The audit action each op writes when it commits.
ACTION = {
    "claim": "claim",
    "drop": "drop",
    "assign": "assign",
    "unassign": "unassign",
    "add_shift": "shift.add",
    "add_series": "series.add",
    "edit_shift": "shift.edit",
    "cancel_shift": "shift.cancel",
    "person_limits": "person.edit",
}
WEIGHTS = {
    "claim": 24,
    "drop": 14,
    "assign": 14,
    "unassign": 10,
    "add_shift": 8,
    "add_series": 4,
    "edit_shift": 12,
    "cancel_shift": 4,
    "person_limits": 10,
}
ACTOR = {"claim": "handle", "drop": "handle"}  # ops a volunteer does as themself; the rest are coord's


def _future_shifts(conn: sqlite3.Connection) -> list[int]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT id FROM shift WHERE status = 'scheduled' AND start_utc > ? ORDER BY id",
            (NOW_UTC.strftime("%Y-%m-%dT%H:%M:%SZ"),),
        )
    ]


def _future_assignments(conn: sqlite3.Connection) -> list[tuple[int, str, str]]:
    return [
        tuple(r)
        for r in conn.execute(
            "SELECT a.shift_id, p.handle, a.role FROM assignment a JOIN person p ON p.id = a.person_id"
            " JOIN shift s ON s.id = a.shift_id WHERE s.status = 'scheduled' AND s.start_utc > ? ORDER BY a.id",
            (NOW_UTC.strftime("%Y-%m-%dT%H:%M:%SZ"),),
        )
    ]


def _local(day: int, hour: int, minute: int = 0) -> datetime:
    base = datetime.combine(NOW_UTC.astimezone(TZ).date() + timedelta(days=day), time(hour, minute))
    return base.replace(tzinfo=TZ)


def choose(conn: sqlite3.Connection, rng: random.Random, volunteers: tuple[str, ...] = VOLUNTEERS) -> tuple[str, dict]:
    """One op and its arguments, picked against the rota as it is now (JSON-able, for the journal).
    Claims, drops and limit edits concern only `volunteers`; coord may assign anyone."""
    op = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    shifts = _future_shifts(conn)
    if not shifts and op in ("claim", "assign", "edit_shift", "cancel_shift"):
        op = "add_shift"
    held = _future_assignments(conn) if op in ("drop", "unassign") else []
    if op in ("drop", "unassign") and not held:
        op = "claim" if shifts else "add_shift"
    role = "backup" if rng.random() < 0.2 else "peer"
    if op == "claim":
        return op, {"handle": rng.choice(volunteers), "shift": rng.choice(shifts), "role": role}
    if op == "drop":
        mine = [h for h in held if h[1] in volunteers] or held
        sid, handle, _ = rng.choice(mine)
        if handle not in volunteers:
            return "unassign", {"shift": sid, "handle": handle}
        return op, {"handle": handle, "shift": sid}
    if op == "assign":
        return op, {
            "handle": rng.choice((*VOLUNTEERS, "coord")),
            "shift": rng.choice(shifts),
            "role": role,
            "force": rng.random() < 0.3,
        }
    if op == "unassign":
        sid, handle, _ = rng.choice(held)
        return op, {"shift": sid, "handle": handle}
    if op == "add_shift":
        start = _local(rng.randint(0, 20), rng.randint(0, 23), rng.choice((0, 30)))
        end = start + timedelta(hours=rng.choice((2, 3, 4, 6, 8)))
        return op, {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "seats": rng.randint(1, 3),
            "backup": rng.randint(0, 1),
            "note": rng.choice(("", "", "reliability")),
        }
    if op == "add_series":
        first = rng.randint(0, 14)
        start = _local(first, rng.randint(0, 23))
        end = start + timedelta(hours=rng.choice((3, 4, 6)))
        until = None if rng.random() < 0.15 else (start.date() + timedelta(days=rng.randint(3, 21))).isoformat()
        rule = rng.choice(("FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,WE,FR", "FREQ=DAILY;INTERVAL=2"))
        return op, {"rule": rule, "start": start.isoformat(), "end": end.isoformat(), "until": until,
                    "seats": rng.randint(1, 3), "backup": rng.randint(0, 1)}
    if op == "edit_shift":
        sid = rng.choice(shifts)
        kind = rng.choice(("seats", "backup", "note", "move"))
        args: dict = {"shift": sid, "force": rng.random() < 0.3}
        if kind == "seats":
            args["seats"] = rng.randint(0, 4)
        elif kind == "backup":
            args["backup"] = rng.randint(0, 2)
        elif kind == "note":
            args["note"] = f"edited {rng.randint(1, 999)}"
        else:
            args["move_minutes"] = rng.choice((-120, -60, -30, 30, 60, 120))
        return op, args
    if op == "cancel_shift":
        return op, {"shift": rng.choice(shifts)}
    limits = {
        "max_hours_week": rng.choice((None, 12, 20, 40, 60)),
        "max_shifts_week": rng.choice((None, 3, 5, 10, 14)),
        "min_rest_hours": rng.choice((None, 0, 2, 8, 12)),
        "max_overnights_month": rng.choice((None, 2, 8, 20)),
    }
    if all(v is None for v in limits.values()):
        limits["max_hours_week"] = 40
    return "person_limits", {"handle": rng.choice(volunteers), **limits}


def actor_of(op: str, args: dict) -> str:
    """Who the audit row of this op names as its actor."""
    return args["handle"] if op in ("claim", "drop") else "coord"


def apply(db, op: str, args: dict) -> str:
    """Run one op through the core; return the subject its audit row names (e.g. "shift 12").
    Raises WarmlineError when the core refuses it."""
    from datetime import date

    from warmline import people, rota

    conn = db.conn
    coord = people.get(conn, "coord")
    if op == "claim":
        rota.claim(db, people.get(conn, args["handle"]), args["shift"], role=args["role"])
    elif op == "drop":
        rota.drop(db, people.get(conn, args["handle"]), args["shift"])
    elif op == "assign":
        rota.assign(db, coord, args["shift"], args["handle"], role=args["role"], force=args["force"])
    elif op == "unassign":
        rota.unassign(db, coord, args["shift"], args["handle"])
    elif op == "add_shift":
        shift = rota.add_shift(
            db, coord, start=datetime.fromisoformat(args["start"]), end=datetime.fromisoformat(args["end"]),
            seats=args["seats"], backup=args["backup"], note=args["note"],
        )
        return f"shift {shift.id}"
    elif op == "add_series":
        series, _ = rota.add_series(
            db, coord, rule=args["rule"], start=datetime.fromisoformat(args["start"]),
            end=datetime.fromisoformat(args["end"]), seats=args["seats"], backup=args["backup"],
            until=date.fromisoformat(args["until"]) if args["until"] else None,
        )
        return f"series {series.id}"
    elif op == "edit_shift":
        changes = {k: args[k] for k in ("seats", "backup", "note") if k in args}
        if "move_minutes" in args:
            shift = rota.get_shift(conn, args["shift"])
            delta = timedelta(minutes=args["move_minutes"])
            changes.update(start=shift.start_utc + delta, end=shift.end_utc + delta)
        rota.edit_shift(db, coord, args["shift"], force=args["force"], **changes)
    elif op == "cancel_shift":
        rota.cancel_shift(db, coord, args["shift"])
    elif op == "person_limits":
        fields = {k: v for k, v in args.items() if k != "handle" and v is not None}
        people.edit(db, coord, args["handle"], people.PersonChanges(**fields))
        return args["handle"]
    else:  # pragma: no cover - a typo in this file
        raise ValueError(f"unknown op {op}")
    return f"shift {args['shift']}"


# ---------------------------------------------------------------- child: the loop that gets SIGKILLed


def _warm_imports() -> None:
    """Import up front what the core imports lazily, so a kill window is spent writing, not importing."""
    import warmline.availability
    import warmline.db
    import warmline.errors
    import warmline.notify.outbox
    import warmline.people
    import warmline.rota
    import warmline.tags  # noqa: F401


def fork_server() -> int:
    """Start kill-loop workers quickly: import once, then fork one fresh process per request.

    Reads one JSON request per stdin line; for each, forks a child that opens its own connection
    (nothing here ever opens the database, so no SQLite state crosses the fork) and runs
    `kill_loop`. Writes "pid N" when a child starts and "exit N STATUS" (the raw wait status)
    when it is gone; the child itself writes its "ready ..." line. Exits at end of input."""
    import traceback

    _warm_imports()
    for raw in sys.stdin:
        args = json.loads(raw)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                code = kill_loop(args)
            except BaseException:  # noqa: BLE001 - reported through stderr and the exit status
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        print(f"pid {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"exit {pid} {status}", flush=True)
    return 0


WRITE_WORDS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER"})


def kill_loop(args: dict) -> int:
    """Mixed writes as fast as possible, until killed (or `ops` of them, for a trial run).

    Journal, one O_APPEND write per line (so a kill never leaves half a line):
      {"i", "op", "args"}            before the op;
      {"done", "audit", "subject"}   once the commit has returned: the audit id is the newest row
                                     (this is the only writer) and the subject it must name;
      {"refused", "why"}             when the core said no.
    Both endings carry "stray": statements the op ran that write outside a transaction (a bug).
    A StorageError or any other exception is a bug too: it ends the loop, so the parent sees it."""
    _warm_imports()
    from warmline.db import open_db
    from warmline.errors import StorageError, WarmlineError

    rng = random.Random(args["seed"])
    db = open_db(args["db"])
    fd = os.open(args["journal"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def note(entry: dict) -> None:
        os.write(fd, (json.dumps(entry) + "\n").encode())

    # Every write must run inside the one write-transaction helper (BEGIN IMMEDIATE … COMMIT):
    # a statement that writes while the connection is in autocommit mode commits on its own,
    # without its audit row. The trace callback sees each statement as it starts.
    stray: list[str] = []

    def trace(sql: str) -> None:
        words = sql.split(None, 1)
        if words and words[0].upper() in WRITE_WORDS and not db.conn.in_transaction:
            stray.append(sql[:120])

    db.conn.set_trace_callback(trace)
    sync = db.conn.execute("PRAGMA synchronous").fetchone()[0]
    mode = db.conn.execute("PRAGMA journal_mode").fetchone()[0]
    print(f"ready synchronous={sync} journal_mode={mode}", flush=True)
    n = 0
    limit = args.get("ops")
    while limit is None or n < limit:
        op, params = choose(db.conn, rng)
        note({"i": n, "op": op, "args": params})
        try:
            subject = apply(db, op, params)
        except StorageError:
            raise
        except WarmlineError as exc:
            note({"refused": n, "why": str(exc)[:160], "stray": stray})
        else:
            note({"done": n, "audit": audit_max(db.conn), "subject": subject, "stray": stray})
        stray.clear()
        n += 1
    db.close()
    return 0


# ---------------------------------------------------------------- child: one app instance, driven by keys


def run_app(args: dict) -> int:
    """Run the real app headless as one volunteer for `seconds` (longer, up to `max_seconds`, until
    `min_claims` claims went through), sending it keys: claim the selected open seat on Home (c),
    drop the next shift (d, then y), and tour the rota (r, two of ] [ t down right, then h).

    The core functions the app's workers call are wrapped (recording only) so the report can say
    exactly which changes the app got back as done; the app's notifications and Home's error
    messages are recorded too. Prints one JSON report on stdout."""
    import asyncio
    import time as clock

    from warmline import people, rota
    from warmline.db import open_db

    records: dict = {
        "claimed": [], "dropped": [], "refused": [], "notices": [], "errors": [], "failed_workers": [],
        "keys": 0, "timing": [], "startup": None,
    }
    real_claim, real_drop = rota.claim, rota.drop

    def claim(db, actor, shift_id, **kw):
        try:
            result = real_claim(db, actor, shift_id, **kw)
        except Exception as exc:
            records["refused"].append(["claim", shift_id, type(exc).__name__, str(exc)])
            raise
        records["claimed"].append(shift_id)
        return result

    def drop(db, actor, shift_id):
        try:
            outcome = real_drop(db, actor, shift_id)
        except Exception as exc:
            records["refused"].append(["drop", shift_id, type(exc).__name__, str(exc)])
            raise
        records["dropped"].append([shift_id, outcome])
        return outcome

    rota.claim, rota.drop = claim, drop  # warmline.screens.home calls rota.claim / rota.drop through the module

    from warmline.screens.app import make_app
    from warmline.screens.confirm import ConfirmDialog
    from warmline.screens.home import HomeScreen

    with open_db(args["db"]) as db:
        actor = people.get(db.conn, args["handle"])
    app = make_app(args["db"], actor=actor)
    real_notify = app.notify

    def notify(message, *a, severity="information", **kw):
        records["notices"].append([str(severity), str(message)])
        return real_notify(message, *a, severity=severity, **kw)

    app.notify = notify  # type: ignore[method-assign]
    rng = random.Random(args["seed"])

    from textual.worker import WorkerCancelled, WorkerFailed

    async def settle(pilot) -> None:
        """Let the workers finish and their results land (bounded). A reload cancelled by a newer
        one (exclusive groups) is normal here; a worker that failed is a bug, and is reported."""
        for _ in range(10):
            await pilot.pause()
            try:
                await app.workers.wait_for_complete()
            except WorkerCancelled:
                pass
            except WorkerFailed as exc:
                records["failed_workers"].append(repr(exc.error))
            await pilot.pause()
            if not any(w.is_running for w in app.workers):
                return

    from textual import events

    chars = {"right_square_bracket": "]", "left_square_bracket": "[", "down": None, "right": None}

    async def press(pilot, key: str) -> None:
        """Post the key event as the terminal driver does, then let the app settle. (Pilot.press
        also waits for the process to look idle, up to 1 s twice per key, and with the app's
        worker threads and the other processes busy that would be most of the run.)"""
        t0 = clock.monotonic()
        app.post_message(events.Key(key, chars.get(key, key)))
        records["keys"] += 1
        await settle(pilot)
        records["timing"].append((key, round(clock.monotonic() - t0, 2)))

    def home_message() -> None:
        found = app.screen.query("#home-message")  # mounted with Home's first message
        widget = found.first() if found else None
        if widget is not None and widget.has_class("-error"):
            rendered = widget.render()
            records["errors"].append(getattr(rendered, "plain", None) or str(rendered))

    async def drive() -> None:
        t0 = clock.monotonic()
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            records["startup"] = round(clock.monotonic() - t0, 2)
            deadline = clock.monotonic() + args["seconds"]
            cap = clock.monotonic() + args.get("max_seconds", args["seconds"])
            # Run `seconds`, and on a slow (shared) machine on until `min_claims` claims went through.
            while clock.monotonic() < cap and (
                clock.monotonic() < deadline or len(records["claimed"]) < args.get("min_claims", 0)
            ):
                screen = app.screen
                if isinstance(screen, HomeScreen) and screen.data is not None:
                    roll = rng.random()
                    if screen.data.open and roll < 0.6:
                        # c claims from Open seats only, as a person does after tab; within the
                        # drop cut-off it asks first ("Claim it?"): yes.
                        screen.query_one("#open-seats").focus()
                        await settle(pilot)
                        await press(pilot, "c")
                        if isinstance(app.screen, ConfirmDialog):
                            await press(pilot, "y")
                        if isinstance(app.screen, HomeScreen):
                            home_message()
                        continue
                    if screen.data.mine and roll < 0.85:
                        await press(pilot, "d")
                        if isinstance(app.screen, ConfirmDialog):
                            await press(pilot, "y")
                        if isinstance(app.screen, HomeScreen):
                            home_message()
                        continue
                if isinstance(app.screen, ConfirmDialog):  # a stray dialog: say no
                    await press(pilot, "n")
                    continue
                # A short tour of the rota (which reloads its week as others write), then home.
                for key in ["r", *rng.sample(("right_square_bracket", "left_square_bracket", "t", "down", "right"), 2), "h"]:
                    await press(pilot, key)
            await press(pilot, "h")

    asyncio.run(drive())
    print(json.dumps(records))
    return 0


def main() -> None:
    command, raw = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "{}")
    sys.path.insert(0, str(ROOT))  # `screens` is importable from an editable install; be sure anyway
    if command == "fork-server":
        raise SystemExit(fork_server())
    runner = {"kill-loop": kill_loop, "app": run_app}[command]
    raise SystemExit(runner(json.loads(raw)))


if __name__ == "__main__":
    main()
