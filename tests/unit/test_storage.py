"""Storage rules (DESIGN.md "Storage rules"): where the file lives, its modes, its PRAGMAs,
the append-only audit, clear errors for files warmline cannot use, and migrations from
every earlier schema.

The error cases run the installed `warmline` as a real process: a person sees exit code 1
and one `error:` line, never a traceback, and the file they pointed at is left as it was.
"""

from __future__ import annotations

import functools
import os
import pwd
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import warmline_script
from warmline import db as dbmod
from warmline.db import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, open_db, resolve_path
from warmline.errors import StorageError
from warmline.line import create

TZ = "America/New_York"


# ---------------------------------------------------------------- helpers


def make_rota(path: Path) -> Path:
    """A real, closed warmline rota at `path` (line + one coordinator), fully checkpointed."""
    db = open_db(path, create=True)
    try:
        create(db, name="Test Line", tz=TZ, actor="coord", first_coordinator=("coord", "Coordinator", None))
    finally:
        db.close()
    assert not Path(f"{path}-wal").exists(), "closing the last connection should checkpoint and remove the WAL"
    return path


def mode_of(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def assert_clean_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 1 and exactly one stderr line starting 'error:' (no traceback); return that line."""
    lines = result.stderr.splitlines()
    assert result.returncode == 1, f"exit {result.returncode}; stderr:\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{result.stderr}"
    assert lines[0].startswith("error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"
    return lines[0]


def assert_untouched(path: Path, before: bytes) -> None:
    assert path.read_bytes() == before, f"{path} was modified"
    for suffix in ("-wal", "-shm", "-journal"):
        assert not Path(f"{path}{suffix}").exists(), f"{path}{suffix} was left behind"


@pytest.fixture
def open_umask() -> Iterator[None]:
    """umask 000, so any 0600/0700 seen comes from warmline and not from the umask."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


# ---------------------------------------------------------------- (a) path resolution


def test_db_option_beats_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WARMLINE_DB", str(tmp_path / "env.db"))
    assert resolve_path(tmp_path / "opt.db") == (tmp_path / "opt.db", True)


def test_environment_beats_default(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("WARMLINE_DB", str(tmp_path / "env.db"))
    assert resolve_path(None) == (tmp_path / "env.db", True)


def test_default_is_the_platform_user_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("WARMLINE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_path(None) == (tmp_path / "xdg" / "warmline" / "warmline.db", False)
    monkeypatch.setenv("WARMLINE_DB", "")  # set but empty counts as unset
    assert resolve_path(None) == (tmp_path / "xdg" / "warmline" / "warmline.db", False)


def test_paths_expand_the_home_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_path("~/rota.db")[0] == tmp_path / "rota.db"
    monkeypatch.setenv("WARMLINE_DB", "~/env.db")
    assert resolve_path(None)[0] == tmp_path / "env.db"


def test_default_directory_is_created_0700_and_file_0600(monkeypatch, tmp_path, open_umask):
    monkeypatch.delenv("WARMLINE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    db = open_db(None, create=True)
    try:
        assert db.path == tmp_path / "xdg" / "warmline" / "warmline.db"
        assert mode_of(db.path.parent) == 0o700
        assert mode_of(db.path) == 0o600
    finally:
        db.close()


def test_a_chosen_path_never_creates_directories(tmp_path):
    with pytest.raises(StorageError, match="does not exist"):
        open_db(tmp_path / "missing" / "rota.db", create=True)
    assert not (tmp_path / "missing").exists()


@pytest.mark.slow
def test_cli_resolution_order(run_cli, tmp_path):
    init = ("init", "--name", "Test Line", "--tz", TZ)
    opt, env = tmp_path / "opt.db", tmp_path / "env.db"
    result = run_cli("--db", str(opt), *init, env={"WARMLINE_DB": str(env)})
    assert result.returncode == 0, result.stderr
    assert opt.exists() and not env.exists()

    result = run_cli(*init, env={"WARMLINE_DB": str(env)})
    assert result.returncode == 0, result.stderr
    assert env.exists()

    xdg = tmp_path / "xdg"
    result = run_cli(*init, env={"WARMLINE_DB": None, "XDG_DATA_HOME": str(xdg)})
    assert result.returncode == 0, result.stderr
    default = xdg / "warmline" / "warmline.db"
    assert default.exists()
    assert mode_of(default.parent) == 0o700
    assert mode_of(default) == 0o600


# ---------------------------------------------------------------- (b) file modes


def test_db_wal_and_shm_are_0600_while_open_and_after_writes(tmp_path, open_umask):
    path = tmp_path / "rota.db"
    db = open_db(path, create=True)
    try:
        create(db, name="Test Line", tz=TZ, actor="coord", first_coordinator=("coord", "Coordinator", None))
        with db.transaction() as conn:
            conn.execute("INSERT INTO audit (at, actor, action) VALUES ('2026-11-23T13:00:00Z', 'coord', 'test')")
        for name in ("rota.db", "rota.db-wal", "rota.db-shm"):
            assert (tmp_path / name).exists(), f"{name} should exist while a connection is open"
            assert mode_of(tmp_path / name) == 0o600, f"{name} is {oct(mode_of(tmp_path / name))}"
    finally:
        db.close()
    assert mode_of(path) == 0o600


def test_an_existing_0644_database_and_its_side_files_are_tightened(tmp_path):
    path = make_rota(tmp_path / "rota.db")
    # Another process holds the file open, so -wal and -shm exist; loosen everything.
    other = sqlite3.connect(path)
    other.execute("INSERT INTO audit (at, actor, action) VALUES ('2026-11-23T13:00:00Z', 'x', 'test')")
    other.commit()
    try:
        for name in ("rota.db", "rota.db-wal", "rota.db-shm"):
            os.chmod(tmp_path / name, 0o644)
        db = open_db(path)
        try:
            for name in ("rota.db", "rota.db-wal", "rota.db-shm"):
                assert mode_of(tmp_path / name) == 0o600, f"{name} is {oct(mode_of(tmp_path / name))}"
        finally:
            db.close()
    finally:
        other.close()


# ---------------------------------------------------------------- (c) PRAGMAs


@pytest.mark.parametrize("fresh", [True, False], ids=["new-file", "existing-file"])
def test_every_connection_has_the_required_pragmas(tmp_path, fresh):
    path = tmp_path / "rota.db"
    if not fresh:
        make_rota(path)
    db = open_db(path, create=fresh)
    try:
        pragma = lambda name: db.conn.execute(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
        assert pragma("foreign_keys") == 1
        assert pragma("journal_mode") == "wal"
        assert pragma("busy_timeout") == 5000
        assert pragma("synchronous") == 2  # FULL
        assert pragma("application_id") == APPLICATION_ID
        assert pragma("user_version") == SCHEMA_VERSION
    finally:
        db.close()


# ---------------------------------------------------------------- (d) the audit is append-only


def test_audit_refuses_update_and_delete(line_db):
    count = line_db.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    assert count > 0
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        line_db.conn.execute("UPDATE audit SET actor = 'someone-else'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        line_db.conn.execute("DELETE FROM audit")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        with line_db.transaction() as conn:
            conn.execute("DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)")
    assert line_db.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == count
    assert line_db.conn.execute("SELECT count(*) FROM audit WHERE actor = 'someone-else'").fetchone()[0] == 0


# ---------------------------------------------------------------- (e) files warmline cannot use


@pytest.mark.slow
def test_missing_directory(run_cli):
    if os.path.exists("/nonexistent"):
        pytest.skip("/nonexistent exists on this machine")
    result = run_cli("--db", "/nonexistent/dir/x.db", "check")
    assert_clean_error(result, "/nonexistent/dir", "does not exist")
    result = run_cli("--db", "/nonexistent/dir/x.db", "init", "--name", "Test Line", "--tz", TZ)
    assert_clean_error(result, "does not exist")
    assert not os.path.exists("/nonexistent")


def test_missing_file_is_not_created_by_a_read(run_cli, tmp_path):
    path = tmp_path / "nothing-here.db"
    result = run_cli("--db", str(path), "shifts")
    assert_clean_error(result, "warmline init")
    assert not path.exists()


def test_file_that_is_not_sqlite(run_cli, tmp_path):
    path = tmp_path / "notes.db"
    garbage = random.Random(1).randbytes(8192)
    path.write_bytes(garbage)
    result = run_cli("--db", str(path), "check")
    assert_clean_error(result, "not a warmline database")
    assert_untouched(path, garbage)


def _foreign_sqlite(path: Path) -> bytes:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT, minutes INTEGER)")
    conn.execute("INSERT INTO recipes VALUES ('soup', 40)")
    conn.commit()
    conn.close()
    return path.read_bytes()


def test_sqlite_file_that_is_not_warmline_is_refused(run_cli, tmp_path):
    path = tmp_path / "recipes.db"
    _foreign_sqlite(path)
    result = run_cli("--db", str(path), "check")
    assert_clean_error(result, "not a warmline rota")
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT * FROM recipes").fetchall() == [("soup", 40)]
    assert conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0] == 1
    conn.close()


@pytest.mark.slow
def test_sqlite_file_that_is_not_warmline_is_left_byte_identical(run_cli, tmp_path):
    path = tmp_path / "recipes.db"
    before = _foreign_sqlite(path)
    result = run_cli("--db", str(path), "check")
    assert_clean_error(result, "not a warmline rota")
    assert_untouched(path, before)


@pytest.mark.slow
def test_newer_schema(run_cli, tmp_path):
    path = make_rota(tmp_path / "rota.db")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = path.read_bytes()
    result = run_cli("--db", str(path), "check")
    assert_clean_error(result, "newer")
    assert_untouched(path, before)
    with pytest.raises(StorageError, match="newer"):
        open_db(path)
    assert path.read_bytes() == before


@pytest.mark.slow
def test_truncated_database(run_cli, tmp_path):
    whole = make_rota(tmp_path / "whole.db").read_bytes()
    assert len(whole) > 4096
    path = tmp_path / "rota.db"
    path.write_bytes(whole[:4096])
    result = run_cli("--db", str(path), "check")
    assert_clean_error(result, str(path))
    assert_untouched(path, whole[:4096])


# -- read-only file and directory: root ignores file modes, so run warmline unprivileged.


def _run_probe(argv: list[str], **kwargs) -> bool:
    try:
        return subprocess.run(argv, capture_output=True, timeout=60, **kwargs).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@functools.lru_cache(maxsize=1)
def _unprivileged() -> tuple[str, str]:
    """How to run warmline so that file modes apply: ('self'|'nobody'|'setpriv', reason if none)."""
    if os.geteuid() != 0:
        return "self", ""
    probe = [sys.executable, "-c", "import warmline.cli, click"]
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        nobody = None
    if nobody is not None and _run_probe(probe, user=nobody.pw_uid, group=nobody.pw_gid, cwd="/"):
        return "nobody", ""
    # The venv's interpreter may live where nobody cannot reach (e.g. under /root). Root without
    # CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH obeys file modes like any other owner.
    setpriv = shutil.which("setpriv")
    if setpriv:
        scratch = tempfile.mkdtemp(dir="/tmp")
        try:
            locked = Path(scratch) / "f"
            locked.write_text("x")
            locked.chmod(0o400)
            check = [*_SETPRIV, sys.executable, "-c",
                     f"import os, sys, warmline.cli; sys.exit(3 if os.access({str(locked)!r}, os.W_OK) else 0)"]
            if _run_probe(check):
                return "setpriv", ""
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    where = Path(sys.executable).resolve()
    return "", (
        f"running as root, and neither the user nobody can run {where} (a parent directory is not "
        "traversable) nor can setpriv drop CAP_DAC_OVERRIDE here"
    )


_SETPRIV = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


@pytest.fixture
def unprivileged(tmp_path):
    """(workdir, run): a 0755 directory under /tmp and a function running warmline there with file modes enforced.

    `run(*args)` runs the installed warmline as the user nobody (or root without the capabilities
    that bypass file modes, or as yourself when not root). `own(path)` gives a path to that user.
    """
    how, reason = _unprivileged()
    if not how:
        pytest.skip(reason)
    workdir = Path(tempfile.mkdtemp(dir="/tmp", prefix="warmline-ro-"))
    workdir.chmod(0o755)
    nobody = pwd.getpwnam("nobody") if how == "nobody" else None
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARMLINE_")}
    env.update(HOME=str(workdir), XDG_DATA_HOME=str(workdir / "xdg"), WARMLINE_NOW="2026-11-23T08:00:00-05:00")

    def own(path: Path) -> None:
        if nobody is not None:
            os.chown(path, nobody.pw_uid, nobody.pw_gid)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        argv = [str(warmline_script()), *args]
        kwargs: dict = {}
        if how == "setpriv":
            argv = [*_SETPRIV, *argv]
        elif nobody is not None:
            kwargs = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
        return subprocess.run(
            argv, env=env, cwd=workdir, capture_output=True, text=True, timeout=60,
            stdin=subprocess.DEVNULL, **kwargs,
        )

    own(workdir)
    try:
        yield workdir, run, own
    finally:
        workdir.chmod(0o755)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.mark.slow
def test_read_only_file(unprivileged):
    workdir, run, own = unprivileged
    path = make_rota(workdir / "rota.db")
    own(path)
    path.chmod(0o400)
    before = path.read_bytes()
    result = run("--db", str(path), "check")
    assert_clean_error(result, "read-only")
    assert_untouched(path, before)
    assert mode_of(path) == 0o400


def test_read_only_directory(unprivileged):
    workdir, run, own = unprivileged
    folder = workdir / "rota"
    folder.mkdir()
    path = make_rota(folder / "rota.db")
    own(folder)
    own(path)
    folder.chmod(0o555)
    before = path.read_bytes()
    result = run("--db", str(path), "check")
    assert_clean_error(result, "read-only", str(folder))
    assert_untouched(path, before)


# ---------------------------------------------------------------- (f) quick_check on open


def _corrupt_cell_pointers(path: Path, table: str) -> None:
    """Overwrite the cell-pointer array of `table`'s root b-tree page: quick_check reports it."""
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_schema WHERE name = ?", (table,)).fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    assert root > 1
    with open(path, "r+b") as fh:
        fh.seek((root - 1) * size)
        kind = fh.read(1)[0]
        header = 8 if kind in (0x0A, 0x0D) else 12  # leaf pages have an 8-byte header, interior 12
        fh.seek((root - 1) * size + header)
        fh.write(b"\xff" * 16)


def test_quick_check_runs_on_open(run_cli, tmp_path):
    path = make_rota(tmp_path / "rota.db")
    _corrupt_cell_pointers(path, "person")
    before = path.read_bytes()

    result = run_cli("--db", str(path), "check")
    assert_clean_error(result, "integrity check", "restore")
    assert_untouched(path, before)

    with pytest.raises(StorageError, match="integrity check"):
        open_db(path)
    assert path.read_bytes() == before

    # Proof that the damage is invisible to merely opening: only quick_check finds it.
    copy = tmp_path / "copy.db"
    shutil.copyfile(path, copy)
    open_db(copy, check=False).close()


# ---------------------------------------------------------------- (g) migrations from every version

CREATED = "2026-11-01T12:00:00Z"
# Rows valid from schema `version` on: (version, table, row). Extend when a migration adds a table.
OLD_ROWS: list[tuple[int, str, dict]] = [
    (1, "line", {"id": 1, "name": "Old Line", "tz": TZ, "escalation": "Call or text 988", "created_at": CREATED}),
    (1, "person", {"id": 1, "handle": "ana", "name": "Ana", "role": "coordinator", "login": "ana-login",
                   "max_hours_week": 12.5, "created_at": CREATED}),
    (1, "person", {"id": 2, "handle": "sam", "name": "Sam R", "role": "volunteer", "created_at": CREATED}),
    (1, "tag", {"id": "grief", "label": "grief", "family": "experience", "aliases": '["loss"]', "related": "[]"}),
    (1, "tag", {"id": "lang-es", "label": "Spanish", "family": "language"}),
    (1, "person_tag", {"person_id": 2, "tag_id": "grief", "state": "paused"}),
    (1, "person_language", {"person_id": 2, "tag_id": "lang-es"}),
    (1, "series", {"id": 1, "rule": "FREQ=WEEKLY;BYDAY=MO", "first_day": "2026-11-23", "start_time": "09:00",
                   "end_time": "13:00", "tz": TZ, "seats": 2, "backup_seats": 1, "until_day": "2027-03-29",
                   "note": "", "expanded_to": "2027-01-01T05:00:00Z"}),
    (1, "shift", {"id": 1, "series_id": 1, "occurrence": "2026-11-23", "start_utc": "2026-11-23T14:00:00Z",
                  "end_utc": "2026-11-23T18:00:00Z", "start_local": "2026-11-23T09:00:00",
                  "end_local": "2026-11-23T13:00:00", "tz": TZ, "seats": 2, "backup_seats": 1}),
    (1, "shift", {"id": 2, "series_id": None, "occurrence": None, "start_utc": "2026-11-25T03:00:00Z",
                  "end_utc": "2026-11-25T11:00:00Z", "start_local": "2026-11-24T22:00:00",
                  "end_local": "2026-11-25T06:00:00", "tz": TZ, "seats": 1, "backup_seats": 0, "note": "overnight"}),
    (1, "assignment", {"id": 1, "shift_id": 1, "person_id": 2, "role": "peer", "created_at": CREATED}),
    (1, "assignment", {"id": 2, "shift_id": 1, "person_id": 1, "role": "backup", "created_at": CREATED}),
    (1, "audit", {"id": 1, "at": CREATED, "actor": "ana", "action": "line.create", "subject": "Old Line"}),
    (2, "cover_request", {"id": 1, "shift_id": 1, "person_id": 2, "role": "peer", "created_at": CREATED}),
    (3, "call", {"id": 1, "at_utc": "2026-11-20T15:00:00Z", "taken_by": 2}),
    (3, "call_need", {"call_id": 1, "tag_id": "grief"}),
]


def _insert(conn: sqlite3.Connection, table: str, row: dict) -> None:
    cols = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(row.values()))


def _present(conn: sqlite3.Connection, table: str, row: dict) -> bool:
    where = " AND ".join(f"{col} IS ?" for col in row)
    return conn.execute(f"SELECT count(*) FROM {table} WHERE {where}", tuple(row.values())).fetchone()[0] == 1


def build_at_schema(path: Path, k: int) -> list[tuple[str, dict]]:
    """A database exactly as schema version k left it, with rows valid at k; returns the rows."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    conn.execute("BEGIN")
    for version in range(1, k + 1):
        for statement in MIGRATIONS[version - 1]:
            conn.execute(statement)
    rows = [(table, row) for version, table, row in OLD_ROWS if version <= k]
    for table, row in rows:
        _insert(conn, table, row)
    conn.execute(f"PRAGMA user_version={k}")
    conn.execute("COMMIT")
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()
    return rows


def _schema(conn: sqlite3.Connection) -> list[tuple]:
    return sorted(tuple(r) for r in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_schema"))


def test_migration_list_is_consistent():
    assert SCHEMA_VERSION == len(MIGRATIONS) >= 1
    assert all(steps and all(isinstance(s, str) for s in steps) for steps in MIGRATIONS)


@pytest.mark.fast_tier_sample(6)
@pytest.mark.parametrize("k", range(SCHEMA_VERSION), ids=[f"from-{k}" for k in range(SCHEMA_VERSION)])
def test_migrates_from_every_earlier_schema(tmp_path, k, fixed_now):
    path = tmp_path / f"schema{k}.db"
    rows = build_at_schema(path, k)
    assert rows or k == 0

    db = open_db(path)
    try:
        conn = db.conn
        assert db.schema_version() == SCHEMA_VERSION
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        for table, row in rows:
            assert _present(conn, table, row), f"{table} row {row} did not survive migrating from {k}"
        migrated = conn.execute(
            "SELECT subject, actor FROM audit WHERE action = 'schema.migrate' ORDER BY id"
        ).fetchall()
        assert [tuple(r) for r in migrated] == [(f"schema {v}", "system") for v in range(k + 1, SCHEMA_VERSION + 1)]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        migrated_schema = _schema(conn)
    finally:
        db.close()

    # The same schema as a database created fresh today.
    fresh = open_db(tmp_path / "fresh.db", create=True)
    try:
        assert migrated_schema == _schema(fresh.conn)
    finally:
        fresh.close()

    # Opening again applies nothing more.
    again = open_db(path)
    try:
        count = again.conn.execute("SELECT count(*) FROM audit WHERE action = 'schema.migrate'").fetchone()[0]
        assert count == SCHEMA_VERSION - k
    finally:
        again.close()


def test_a_failed_migration_changes_nothing(tmp_path, monkeypatch):
    """A migration step that fails rolls back every step of that run, and the audit with it."""
    path = tmp_path / "schema1.db"
    build_at_schema(path, 1)
    before = path.read_bytes()
    broken = [list(step) for step in MIGRATIONS] + [["CREATE TABLE line (x)"]]  # clashes: line exists
    monkeypatch.setattr(dbmod, "MIGRATIONS", broken)
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", len(broken))
    with pytest.raises(StorageError):
        open_db(path)
    monkeypatch.undo()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM audit WHERE action = 'schema.migrate'").fetchone()[0] == 0
    finally:
        conn.close()
    assert path.read_bytes() == before


def test_opening_a_second_connection_keeps_the_first_ones_writes_visible(tmp_path, monkeypatch):
    """A process that opens the rota again (the app does, once per worker thread) must not drop its
    own SQLite locks: if it did, another process closing the file would delete the write-ahead log
    under the first connection, and its later commits would vanish."""
    import subprocess
    import sys

    from warmline.db import open_db
    from warmline.line import create

    monkeypatch.setenv("WARMLINE_NOW", "2026-11-23T08:00:00-05:00")
    path = tmp_path / "rota.db"
    first = open_db(path, create=True)
    create(first, name="T", tz="America/New_York", actor="coord", first_coordinator=("coord", "C", None))
    second = open_db(path)  # as a new worker thread would
    second.close()
    reader = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('SELECT count(*) FROM audit').fetchone(); c.close()"
    subprocess.run([sys.executable, "-c", reader, str(path)], check=True, timeout=30)
    with first.transaction() as conn:
        conn.execute("UPDATE line SET name = 'Renamed'")
    count = "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT name FROM line').fetchone()[0])"
    seen = subprocess.run([sys.executable, "-c", count, str(path)], capture_output=True, text=True, timeout=30)
    first.close()
    assert seen.stdout.strip() == "Renamed", "another process cannot see a commit: the WAL was lost"


def test_the_schema_digest_is_the_one_the_migrations_create():
    """schema.CURRENT lets every open compare a file's schema without running the migrations in
    memory; it must be the digest of exactly what MIGRATIONS create for the current version."""
    from warmline import schema
    from warmline.db import SCHEMA_VERSION

    made = schema.digest(schema.reference(SCHEMA_VERSION)[0])
    assert schema.CURRENT == (SCHEMA_VERSION, made), (
        f"a migration changed the schema: set schema.CURRENT = ({SCHEMA_VERSION}, {made!r})"
    )


def test_the_fast_schema_comparison_still_finds_every_foreign_object(line_db):
    """A file whose schema digest differs is compared object by object, as before."""
    from warmline import schema
    from warmline.db import SCHEMA_VERSION

    assert schema.differences(line_db.conn, SCHEMA_VERSION) == []
    line_db.conn.execute("CREATE TRIGGER planted AFTER INSERT ON audit BEGIN SELECT 1; END")
    found = schema.differences(line_db.conn, SCHEMA_VERSION)
    assert found == ["trigger 'planted' on audit was not created by warmline"]
