"""What the app's start can do before Textual is imported: the per-thread connections, Home's
data, and a start that reads the file while the interpreter is still importing the UI.

Nothing here imports Textual. `warmline` (the CLI) calls `begin()` as soon as it knows who is
signing in, then imports the app: the watch thread opens its connection, takes the file's first
data_version and loads Home meanwhile, so Home usually has its data before its first paint.
The app adopts that thread as its file watch (screens/app.py).
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from warmline import handoff, rota, triads
from warmline.clock import now
from warmline.db import Database, open_db
from warmline.line import get as get_line
from warmline.model import Line, Person, Shift, ShiftView

WEEKS_AHEAD = 4

_local = threading.local()


def thread_db(path: Path) -> Database:
    """This thread's connection to `path` (SQLite connections are per thread)."""
    cache: dict[Path, Database] = getattr(_local, "dbs", None) or {}
    _local.dbs = cache
    db = cache.get(path)
    if db is None:
        # One app (one file) at a time per process in practice: close connections to other files.
        for other in list(cache):
            cache.pop(other).close()
        db = cache[path] = open_db(path, check=False)
    return db


def close_thread_db() -> None:
    """Close this thread's connections (call on the thread that opened them)."""
    cache: dict[Path, Database] = getattr(_local, "dbs", None) or {}
    for path in list(cache):
        cache.pop(path).close()


def read_data_version(path: Path) -> int:
    """PRAGMA data_version on this thread's connection (the watch thread's own, the same every time)."""
    return thread_db(path).data_version()


class HomeData(NamedTuple):
    """Everything Home shows, read in one worker call."""

    line: Line
    mine: list[ShiftView]
    open: list[ShiftView]
    moment: datetime
    notes: list[handoff.HandoffNote]  # for me, not acknowledged yet
    overdue: list[handoff.HandoffNote]  # coordinators: unacknowledged 15 min on
    write_shift: Shift | None = None  # the shift I am on when it ends within 30 min (offer the note)
    meeting: triads.Meeting | None = None  # my next triad meeting (issue 16)
    in_triads: bool = False  # I opted in to triads


def load_home(db: Database, actor: Person) -> HomeData:
    """My shifts that have not ended (next four weeks) and the open seats I could claim now."""
    conn = db.conn
    line = get_line(conn)
    moment = now()
    horizon = moment + timedelta(weeks=WEEKS_AHEAD)
    # From a day back, so a shift in progress (at most 24 h long) is still "mine now".
    mine = [
        v
        for v in rota.views(conn, moment - timedelta(hours=24), horizon, person_id=actor.id)
        if v.shift.end_utc > moment
    ]
    notes = handoff.unread_notes(conn, actor, moment)
    overdue: list[handoff.HandoffNote] = []
    if actor.is_coordinator:
        mine_ids = {n.id for n in notes}
        overdue = [n for n in handoff.unacknowledged(conn, moment) if n.id not in mine_ids]
    return HomeData(
        line,
        mine,
        rota.claimable(conn, actor, moment, horizon),
        moment,
        notes=notes,
        overdue=overdue,
        write_shift=handoff.can_write_now(conn, actor, moment),
        meeting=triads.next_meeting(conn, actor, moment),
        in_triads=triads.is_opted_in(conn, actor.id),
    )



class Started(NamedTuple):
    """Start-up work begun before the app exists: its watch thread, the file's first data_version
    (read before anything else), and Home's data for the person signing in."""

    pool: ThreadPoolExecutor
    baseline: Future[int]
    home: Future[HomeData] | None = None


def _load_home_here(path: Path, actor: Person) -> HomeData:
    return load_home(thread_db(path), actor)


def begin(path: Path, actor: Person | None) -> Started:
    """Start the watch thread: first the baseline, then (for a signed-in person) Home's data."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warmline-poll")
    baseline = pool.submit(read_data_version, path)
    home = pool.submit(_load_home_here, path, actor) if actor is not None else None
    return Started(pool, baseline, home)


__all__ = ["HomeData", "Started", "begin", "close_thread_db", "load_home", "read_data_version", "thread_db"]
