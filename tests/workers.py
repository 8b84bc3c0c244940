"""Subprocess entry points for the concurrency and crash tests.

Run as a script: ``python tests/workers.py COMMAND JSON_ARGS``. Each worker opens
its own connection (``open_db`` in the child), prints one JSON document on
stdout and exits 0; anything unexpected is reported in that document rather
than as a traceback, so the parent can assert on it.

Commands:
  claim_race   one volunteer claims each of a few shifts, after a start barrier
  assign_race  a coordinator assigns one person to one shift, after a start barrier
  mixed        one volunteer does random claims and drops on a shared pool
  crash        one multi-row write transaction, frozen at the Kth SQLite progress
               callback inside the transaction (a marker file says so), to be SIGKILLed
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path

from warmline import audit, people, rota
from warmline.db import open_db
from warmline.errors import RuleBroken, WarmlineError

BARRIER_SECONDS = 30.0


def outcome(fn) -> dict:
    """Run fn; report success, a WarmlineError (a refusal) or any other exception (a bug)."""
    try:
        value = fn()
    except WarmlineError as exc:
        return {
            "ok": False,
            "kind": "refused",
            "type": type(exc).__name__,
            "rule": exc.rule if isinstance(exc, RuleBroken) else None,
            "message": str(exc),
        }
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the test
        return {"ok": False, "kind": "unexpected", "type": type(exc).__name__, "message": repr(exc)}
    return {"ok": True, "value": value if isinstance(value, (str, int, type(None))) else None}


def barrier(args: dict) -> None:
    """Say we are ready, then wait (bounded) for the parent's go file."""
    Path(args["ready"]).write_text(str(os.getpid()))
    go = Path(args["go"])
    deadline = time.monotonic() + BARRIER_SECONDS
    while not go.exists():
        if time.monotonic() > deadline:
            raise SystemExit("the start file never appeared")
        time.sleep(0.0005)


def claim_race(args: dict) -> dict:
    db = open_db(args["db"])
    me = people.get(db.conn, args["handle"])
    barrier(args)
    results = []
    for sid in args["shifts"]:
        results.append({"shift": sid, **outcome(lambda sid=sid: rota.claim(db, me, sid) and None)})
    db.close()
    return {"handle": args["handle"], "results": results}


def assign_race(args: dict) -> dict:
    db = open_db(args["db"])
    coord = people.get(db.conn, args["actor"])
    barrier(args)
    result = outcome(lambda: rota.assign(db, coord, args["shift"], args["target"]) and None)
    db.close()
    return {"shift": args["shift"], **result}


def mixed(args: dict) -> dict:
    rng = random.Random(args["seed"])
    db = open_db(args["db"])
    me = people.get(db.conn, args["handle"])
    barrier(args)
    counts = {"claim": 0, "drop": 0}
    problems = []
    for _ in range(args["ops"]):
        sid = rng.choice(args["shifts"])
        action = "claim" if rng.random() < 0.6 else "drop"
        fn = (lambda: rota.claim(db, me, sid) and None) if action == "claim" else (lambda: rota.drop(db, me, sid))
        result = outcome(fn)
        if result["ok"]:
            counts[action] += 1
        elif result["kind"] != "refused" or "locked" in result["message"] or "busy" in result["message"]:
            problems.append({"action": action, "shift": sid, **result})
    db.close()
    return {"handle": args["handle"], "counts": counts, "problems": problems}


# ---------------------------------------------------------------- crash


def _op_add_series(db, coord, args):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("America/New_York")
    rota.add_series(
        db,
        coord,
        rule="FREQ=DAILY",
        start=datetime(2026, 11, 24, 22, 0, tzinfo=tz),
        end=datetime(2026, 11, 25, 6, 0, tzinfo=tz),
        seats=3,
        backup=1,
    )


def _op_edit_series(db, coord, args):
    from datetime import time as clock

    rota.edit_series(
        db,
        coord,
        args["series"],
        rota.SeriesChanges(start_time=clock(8, 0), end_time=clock(12, 30), seats=4, note="moved"),
        force=True,
    )


def _op_cancel_series(db, coord, args):
    rota.cancel_series(db, coord, args["series"])


def _op_assign_many(db, coord, args):
    """Many assignments and their audit rows in one write transaction, as a bulk import would."""
    with db.transaction() as conn:
        handles = args["handles"]
        persons = [people.get(conn, h) for h in handles]
        for n, sid in enumerate(args["shifts"]):
            shift = rota.get_shift(conn, sid)
            person = persons[n % len(persons)]
            rota._put_on(conn, shift, person, "peer")
            audit.record(conn, coord.handle, "assign", f"shift {sid}", f"{person.handle} as peer; bulk")


CRASH_OPS = {
    "add_series": _op_add_series,
    "edit_series": _op_edit_series,
    "cancel_series": _op_cancel_series,
    "assign_many": _op_assign_many,
}


def crash(args: dict) -> dict:
    """Run one write; at the Kth progress callback inside its transaction, write the marker and hang.

    With trigger 0 the write runs to its commit and the number of callbacks is reported
    (the parent uses that to pick trigger points inside the transaction).
    """
    db = open_db(args["db"])
    if args.get("cache_pages"):
        # A tiny page cache makes SQLite spill uncommitted pages into the WAL before COMMIT,
        # so a kill leaves uncommitted frames on disk for recovery to ignore.
        db.conn.execute(f"PRAGMA cache_size={int(args['cache_pages'])}")
    coord = people.get(db.conn, args["actor"])
    trigger = int(args.get("trigger", 0))
    calls = 0

    def progress() -> int:
        nonlocal calls
        if db.conn.in_transaction:
            calls += 1
            if trigger and calls == trigger:
                Path(args["marker"]).write_text(str(calls))
                time.sleep(60)  # the parent kills us here, inside the open transaction
        return 0

    db.conn.set_progress_handler(progress, int(args.get("every", 50)))
    result = outcome(lambda: CRASH_OPS[args["op"]](db, coord, args))
    db.conn.set_progress_handler(None, 0)
    db.close()
    return {"calls": calls, **result}


COMMANDS = {"claim_race": claim_race, "assign_race": assign_race, "mixed": mixed, "crash": crash}


def main() -> None:
    command, raw = sys.argv[1], sys.argv[2]
    print(json.dumps(COMMANDS[command](json.loads(raw))))


if __name__ == "__main__":
    main()
