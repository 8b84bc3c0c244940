"""What the app's start can do before Textual is imported: the per-thread connections, Home's
data, and a start that reads the file while the interpreter is still importing the UI.

Nothing here imports Textual (nor does Home's loader, warmline.views.home.load_home, re-exported
here). `warmline` (the CLI) calls `begin()` as soon as it knows who is signing in, then imports the app: the watch thread opens its connection, takes the file's first
data_version and loads Home meanwhile, so Home usually has its data before its first paint.
The app adopts that thread as its file watch (screens/app.py).
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

from warmline.db import Database, open_db
from warmline.model import Person
from warmline.views.home import WEEKS_AHEAD, HomeData, load_home

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


__all__ = ["WEEKS_AHEAD", "HomeData", "Started", "begin", "close_thread_db", "load_home", "read_data_version", "thread_db"]
