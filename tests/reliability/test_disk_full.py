"""A full disk in the middle of a write: a plain StorageError ("… is full: nothing was changed"),
nothing partial left behind, the rota still passes its check, and the next write works.

Two ways to run out of space:

* Core level, everywhere: `PRAGMA max_page_count` on the connection the core writes through,
  set a few pages above the file's size, so a multi-row write (a year-long series, a series edit
  or cancellation, a bulk of claims) runs out of pages part-way through its transaction. SQLite
  then fails the statement with SQLITE_FULL ("database or disk is full"), exactly as on a full disk.
  (The CLI has no way to set that pragma, and warmline gets no test seam for it.)
* The CLI's error handling: `warmline.cli.main` run in a child whose connections the test's own
  wrapper caps the same way (one `error:` line: the disk is full, nothing was changed).
* The real CLI on a really full filesystem: a 2 MiB tmpfs filled up to a few pages. Mounting
  needs root (CAP_SYS_ADMIN); without it that test is skipped with the reason. It is not one of
  the external tools CI must provide, so CI=true does not turn that skip into a failure.

Unreadable, read-only, truncated and garbage files are covered in tests/unit/test_storage.py.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from reliability_workload import NOW, TZ, VOLUNTEERS, WARMLINE, differences, dump, env, make_line

from warmline import people, rota
from warmline.db import open_db
from warmline.errors import StorageError

UNLIMITED = 1073741823  # SQLite's default max_page_count


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", NOW)


@pytest.fixture(scope="module")
def year_template(tmp_path_factory):
    """A rota with a 52-week horizon, one daily series on it (~364 shifts) and volunteers on its
    first 150 shifts, so editing or cancelling the series also queues 150 notifications."""
    mp = pytest.MonkeyPatch()
    mp.setenv("WARMLINE_NOW", NOW)
    try:
        path = tmp_path_factory.mktemp("full") / "template.db"
        db = make_line(path)
        with db.transaction() as conn:
            conn.execute("UPDATE line SET horizon_weeks = 52")
        coord = people.get(db.conn, "coord")
        start = datetime(2026, 11, 24, 9, 0, tzinfo=TZ)
        series, made = rota.add_series(db, coord, rule="FREQ=DAILY", start=start, end=start + timedelta(hours=4))
        assert made > 300
        ids = [r[0] for r in db.conn.execute("SELECT id FROM shift WHERE series_id = ? ORDER BY start_utc", (series.id,))]
        for n, sid in enumerate(ids[:150]):
            rota.assign(db, coord, sid, VOLUNTEERS[n % len(VOLUNTEERS)], force=True)
        db.close()
        yield path, series.id
    finally:
        mp.undo()


@pytest.fixture
def year_line(year_template, tmp_path):
    """A fresh copy of the template: (open Database, coord, the series id)."""
    template, series_id = year_template
    path = tmp_path / "rota.db"
    with open_db(template) as src, open_db(path, create=True) as dst:
        src.conn.backup(dst.conn)
    db = open_db(path)
    yield db, people.get(db.conn, "coord"), series_id
    db.close()


def _add_year_series(db, coord, series_id):
    start = datetime(2026, 11, 24, 22, 0, tzinfo=TZ)
    rota.add_series(db, coord, rule="FREQ=DAILY", start=start, end=start + timedelta(hours=8), seats=3, note="nights")


def _edit_series(db, coord, series_id):
    rota.edit_series(db, coord, series_id, rota.SeriesChanges(start_time=time(8, 0), end_time=time(12, 30), seats=4, note="moved"))


def _cancel_series(db, coord, series_id):
    rota.cancel_series(db, coord, series_id)


WRITES = {"add year series": _add_year_series, "edit series": _edit_series, "cancel series": _cancel_series}


@pytest.mark.fast_tier_sample(6)
@pytest.mark.parametrize("spare_pages", [0, 1, 2, 4])
@pytest.mark.parametrize("write", list(WRITES))
def test_full_disk_mid_transaction_changes_nothing(year_line, write, spare_pages):
    db, coord, series_id = year_line
    before = dump(db.conn)
    pages = db.conn.execute("PRAGMA page_count").fetchone()[0]
    db.conn.execute(f"PRAGMA max_page_count = {pages + spare_pages}")

    with pytest.raises(StorageError) as caught:
        WRITES[write](db, coord, series_id)

    message = str(caught.value)
    assert "is full" in message and "nothing was changed" in message and str(db.path) in message, message
    assert not db.conn.in_transaction
    assert dump(db.conn) == before, differences(dump(db.conn), before)
    with open_db(db.path) as other:  # what every other process sees: nothing, and no lock left behind
        assert dump(other.conn) == before
        assert rota.check(other.conn).ok
        with other.transaction():
            pass
    # Space again: the same write now goes through whole, on the same connection: its one audit
    # row, and its notifications queued (no "notify.failed" row: the full disk was not mistaken
    # for a notification bug and swallowed).
    db.conn.execute(f"PRAGMA max_page_count = {UNLIMITED}")
    WRITES[write](db, coord, series_id)
    after = dump(db.conn)
    assert len(after["audit"]) == len(before["audit"]) + 1
    assert not [r for r in after["audit"] if r[3] == "notify.failed"]
    if write != "add year series":
        assert len(after["notification"]) > len(before["notification"])
    report = rota.check(db.conn)
    assert report.ok, report.errors


def test_full_disk_during_a_run_of_claims_keeps_the_committed_ones(year_line):
    """Volunteers claim open shifts one after another (each claim its own transaction) until the
    disk is full: the claims before stay whole, the one that hit the full disk leaves nothing."""
    db, coord, series_id = year_line
    free = [
        r[0]
        for r in db.conn.execute(
            "SELECT id FROM shift WHERE series_id = ? AND id NOT IN (SELECT shift_id FROM assignment) ORDER BY start_utc",
            (series_id,),
        )
    ]
    pages = db.conn.execute("PRAGMA page_count").fetchone()[0]
    db.conn.execute(f"PRAGMA max_page_count = {pages}")
    made = 0
    with pytest.raises(StorageError, match="is full.*nothing was changed"):
        for n, sid in enumerate(free):
            before = dump(db.conn)
            rota.claim(db, people.get(db.conn, VOLUNTEERS[n % len(VOLUNTEERS)]), sid)
            made += 1
    assert 0 < made < len(free), made  # some fitted into the free space, then the disk was full
    assert dump(db.conn) == before, differences(dump(db.conn), before)  # the failed claim: no trace
    audited = {int(r[0].split()[1]) for r in db.conn.execute("SELECT subject FROM audit WHERE action = 'claim'")}
    assert audited == set(free[:made])  # every committed claim has its audit row, and only those
    assert rota.check(db.conn).ok


# ---------------------------------------------------------------- the CLI's message


# Runs the real CLI entry point (warmline.cli.main) with every connection it opens capped at the
# file's current size: the cap is applied here, in the test's wrapper, not through the product.
CAPPED_CLI = """
import sys
import warmline.db as storage

connect = storage._connect

def capped(path):
    conn = connect(path)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    return conn

storage._connect = capped
from warmline.cli import main
main(sys.argv[1:])
"""


@pytest.mark.slow
def test_cli_reports_a_full_disk_in_one_line(tmp_path):
    """The CLI's own error handling on SQLITE_FULL: exit 1, one `error:` line saying the disk is
    full and nothing was changed (no traceback, no bare "database error"), and nothing changed."""
    path = tmp_path / "rota.db"
    db = make_line(path)
    with db.transaction() as conn:
        conn.execute("UPDATE line SET horizon_weeks = 52")
    before = dump(db.conn)
    db.close()
    done = subprocess.run(
        [sys.executable, "-c", CAPPED_CLI, "shift", "add", "--start", "2026-11-24T22:00", "--end", "2026-11-25T06:00",
         "--rrule", "FREQ=DAILY"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        env=env(WARMLINE_DB=str(path), XDG_DATA_HOME=str(tmp_path / "xdg-data"), XDG_CONFIG_HOME=str(tmp_path / "xdg-config")),
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: "), done.stderr
    assert f"the disk holding {path} is full: nothing was changed" in done.stderr, done.stderr
    with open_db(path) as db:
        assert dump(db.conn) == before
        assert rota.check(db.conn).ok


# ---------------------------------------------------------------- the real CLI on a really full filesystem


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MiB tmpfs mounted on tmp_path/small (root only); unmounted afterwards."""
    where = tmp_path / "small"
    where.mkdir(mode=0o700)
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CAP_SYS_ADMIN); the core-level disk-full tests still ran")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(where)], capture_output=True, text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode}); the core-level tests still ran")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], capture_output=True)
        if os.path.ismount(where):
            subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(where: Path, leave: int) -> Path:
    """Fill the filesystem with one file, then give back `leave` bytes; returns the filler."""
    filler = where / "filler"
    chunk = b"\0" * 65536
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(chunk)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    for step in (65536, 4096):  # a chunk may have been half-written: end on a block boundary
        size = filler.stat().st_size
        os.truncate(filler, size - size % step)
    os.truncate(filler, filler.stat().st_size - leave)
    return filler


def cli(*args: str, db: Path, tmp: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(WARMLINE), *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        env=env(WARMLINE_DB=str(db), XDG_DATA_HOME=str(tmp / "xdg-data"), XDG_CONFIG_HOME=str(tmp / "xdg-config")),
    )


@pytest.mark.slow
def test_cli_on_a_full_filesystem_says_so_and_changes_nothing(small_disk, tmp_path):
    path = small_disk / "rota.db"
    db = make_line(path)
    with db.transaction() as conn:
        conn.execute("UPDATE line SET horizon_weeks = 52")  # the series below is ~364 shifts: many pages
    db.close()
    add = ("shift", "add", "--start", "2026-11-24T22:00", "--end", "2026-11-25T06:00", "--rrule", "FREQ=DAILY")

    # Keep one connection open so the -shm and -wal files exist (and are not re-created on a full
    # disk); empty the WAL so the CLI's frames need fresh space.
    keeper = sqlite3.connect(path)
    try:
        keeper.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        before = dump(keeper)
        filler = fill(small_disk, leave=16384)

        failed = cli(*add, db=path, tmp=tmp_path)
        lines = failed.stderr.strip().splitlines()
        assert failed.returncode == 1, failed.stdout + failed.stderr
        assert len(lines) == 1 and lines[0].startswith("error: "), failed.stderr
        assert "is full" in lines[0] and "nothing was changed" in lines[0], lines[0]
        assert "Traceback" not in failed.stderr
        assert dump(keeper) == before, differences(dump(keeper), before)
        checked = cli("check", db=path, tmp=tmp_path)  # reading still works on the full disk
        assert checked.returncode == 0, checked.stdout + checked.stderr

        filler.unlink()
        done = cli(*add, db=path, tmp=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        assert keeper.execute("SELECT count(*) FROM series").fetchone()[0] == 2
        checked = cli("check", db=path, tmp=tmp_path)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    finally:
        keeper.close()
