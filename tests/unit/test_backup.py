"""Backups with the online backup API while another process writes; restores that refuse what is
not a sound warmline rota (leaving the live one byte-for-byte untouched) and keep the old one aside.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from warmline import people
from warmline.db import APPLICATION_ID, SCHEMA_VERSION, migrate_to, open_db
from warmline.errors import Refused, StorageError
from warmline.exchange import backup as bk

WRITER_SECONDS = 4
# Adds half-hour shifts as fast as it can for a bounded time; touches argv[2] once it is going.
WRITER = """
import sys, time
from datetime import timedelta
from warmline import rota
from warmline.access import resolve_actor
from warmline.clock import now
from warmline.db import open_db

db = open_db()
actor = resolve_actor(db, None)
first = now() + timedelta(days=1)
deadline = time.monotonic() + float(sys.argv[1])
n = 0
while time.monotonic() < deadline and n < 20000:
    start = first + timedelta(hours=n)
    rota.add_shift(db, actor, start=start, end=start + timedelta(minutes=30))
    n += 1
    if n == 25:
        open(sys.argv[2], "w").close()
print(n)
"""


def digest(path: Path) -> tuple:
    """The bytes of a database and its companions, to prove a refused restore touched nothing."""
    return tuple(
        hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
    )


def count(path: Path, table: str) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def dump_without_signins(path: Path) -> list[str]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [line for line in conn.iterdump() if not ("INSERT INTO \"audit\"" in line and "'signin'" in line)]
    finally:
        conn.close()


@pytest.fixture
def cli_line(run_cli):
    """A rota made by `warmline init`: the OS user is its coordinator."""
    result = run_cli("init", "--name", "Backup Line", "--tz", "America/New_York", "--coordinator", "boss")
    assert result.returncode == 0, result.stderr
    return run_cli


# ---------------------------------------------------------------- backup


@pytest.mark.slow
def test_backup_while_another_process_writes_is_sound(cli_line, tmp_path):
    run_cli = cli_line
    ready = tmp_path / "writer-ready"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(WRITER_SECONDS), str(ready)],
        env=run_cli.env, cwd=run_cli.workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert writer.poll() is None, writer.communicate()
            assert time.monotonic() < deadline, "the writer never got going"
            time.sleep(0.05)
        dest = tmp_path / "copy.db"
        result = run_cli("backup", str(dest), "--json")
        assert result.returncode == 0, result.stderr
    finally:
        out, err = writer.communicate(timeout=WRITER_SECONDS + 30)
    assert writer.returncode == 0, err
    written = int(out)
    in_copy = count(dest, "shift")
    # Writes landed both before and after the snapshot: the backup ran while the writer wrote.
    assert 25 <= in_copy < written, (in_copy, written)
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert not Path(f"{dest}-wal").exists(), "a backup is one self-contained file"
    conn = sqlite3.connect(dest)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()
    checked = run_cli("--db", str(dest), "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_backup_refuses_an_existing_file_and_names_a_file_in_a_directory(line_db, tmp_path):
    existing = tmp_path / "there.db"
    existing.write_text("keep me")
    with pytest.raises(Refused, match="never overwrites"):
        bk.backup(line_db, existing)
    assert existing.read_text() == "keep me"
    folder = tmp_path / "backups"
    folder.mkdir()
    old = os.umask(0)  # even a permissive umask gives 0600
    try:
        result = bk.backup(line_db, folder)
    finally:
        os.umask(old)
    assert result.path.parent == folder and result.path.name.startswith("rota-") and result.path.suffix == ".db"
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    assert bk.inspect(result.path).kind == "ok"
    with pytest.raises(StorageError, match="does not exist"):
        bk.backup(line_db, tmp_path / "no-such-dir" / "x.db")


# ---------------------------------------------------------------- refusing sources


def _foreign(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()


def _newer(path: Path, good: Path) -> None:
    path.write_bytes(good.read_bytes())
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()


def _damaged(path: Path, good: Path) -> None:
    data = bytearray(good.read_bytes())
    page = 4096
    for n in range(1, len(data) // page):  # every page but the header's
        data[n * page + 8 : n * page + 200] = b"\xa5" * 192
    path.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def shared_line(tmp_path_factory):
    """One rota and a good backup of it, shared by the refusal cases (a refused restore changes nothing)."""
    from conftest import CliRunner

    workdir = tmp_path_factory.mktemp("refusals")
    run_cli = CliRunner(workdir)
    assert run_cli("init", "--name", "Backup Line", "--tz", "America/New_York").returncode == 0
    good = workdir / "good.db"
    assert run_cli("backup", str(good)).returncode == 0
    return run_cli, good


@pytest.mark.fast_tier_sample(6)
@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("garbage", "not a SQLite file at all"),
        ("empty", "is empty"),
        ("missing", "there is no file"),
        ("foreign", "not a warmline rota"),
        ("newer", "newer warmline"),
        ("damaged", "damaged"),
    ],
)
def test_restore_refuses_what_is_not_a_sound_rota_and_leaves_the_live_one_untouched(shared_line, tmp_path, kind, message):
    run_cli, good = shared_line
    src = tmp_path / f"{kind}.db"
    if kind == "garbage":
        src.write_bytes(b"this is a shopping list, not a database\n" * 20)
    elif kind == "empty":
        src.write_bytes(b"")
    elif kind == "foreign":
        _foreign(src)
    elif kind == "newer":
        _newer(src, good)
    elif kind == "damaged":
        _damaged(src, good)
    before = digest(run_cli.db)
    listing = sorted(p.name for p in run_cli.db.parent.iterdir())
    result = run_cli("restore", str(src))
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr
    if kind != "missing":
        assert "left untouched" in result.stderr
    assert digest(run_cli.db) == before
    assert sorted(p.name for p in run_cli.db.parent.iterdir()) == listing, "nothing was set aside or created"


# ---------------------------------------------------------------- restoring


@pytest.mark.slow
def test_restore_brings_the_backup_back_and_keeps_the_old_rota_aside(cli_line, tmp_path):
    run_cli = cli_line
    saved = tmp_path / "saved.db"
    assert run_cli("backup", str(saved)).returncode == 0
    assert run_cli("people", "add", "late", "--name", "Added After").returncode == 0
    result = run_cli("restore", str(saved), "--json")
    assert result.returncode == 0, result.stderr
    listed = run_cli("people", "list", "--json")
    assert '"late"' not in listed.stdout
    asides = list(run_cli.db.parent.glob("cli.db.before-restore-*"))
    assert len(asides) == 1 and stat.S_IMODE(asides[0].stat().st_mode) == 0o600
    assert count(asides[0], "person") == count(run_cli.db, "person") + 1, "the old rota, with 'late', is kept"
    assert stat.S_IMODE(run_cli.db.stat().st_mode) == 0o600
    log = run_cli("audit", "--json")
    assert '"action": "db.restore"' in log.stdout
    assert run_cli("check").returncode == 0
    # A second restore in the same second keeps both earlier rotas.
    assert run_cli("restore", str(saved)).returncode == 0
    assert len(list(run_cli.db.parent.glob("cli.db.before-restore-*"))) == 2


@pytest.mark.slow
def test_volunteers_may_not_restore(cli_line, tmp_path):
    run_cli = cli_line
    saved = tmp_path / "saved.db"
    assert run_cli("backup", str(saved)).returncode == 0
    assert run_cli("people", "add", "vol", "--name", "Vol").returncode == 0
    assert run_cli("people", "passphrase", "vol", env={"WARMLINE_NEW_PASSPHRASE": "long enough pass"}).returncode == 0
    as_vol = {"WARMLINE_AS": "vol", "WARMLINE_PASSPHRASE": "long enough pass"}
    assert run_cli("people", "list", env=as_vol).returncode == 0  # a first sign-in may upgrade the hash
    before = dump_without_signins(run_cli.db)
    result = run_cli("restore", str(saved), env=as_vol)
    assert result.returncode == 1 and "only coordinators may restore" in result.stderr
    # Only vol's sign-in is recorded (the audit log keeps every sign-in): the rota is otherwise as it was.
    assert dump_without_signins(run_cli.db) == before
    assert not [p for p in run_cli.db.parent.iterdir() if ".restore-" in p.name], "the verified copy is removed"
    assert count(run_cli.db, "person") == 2, "the rota still has vol: nothing was restored"
    assert not list(run_cli.db.parent.glob("cli.db.before-restore-*"))


@pytest.mark.slow
def test_a_rota_too_damaged_to_open_is_moved_aside_and_replaced(cli_line, tmp_path):
    run_cli = cli_line
    saved = tmp_path / "saved.db"
    assert run_cli("backup", str(saved)).returncode == 0
    for companion in (Path(f"{run_cli.db}-wal"), Path(f"{run_cli.db}-shm")):
        companion.unlink(missing_ok=True)
    run_cli.db.write_bytes(b"\x00garbage where the rota was" * 100)
    result = run_cli("restore", str(saved))
    assert result.returncode == 0, result.stderr
    (aside,) = run_cli.db.parent.glob("cli.db.before-restore-*")
    assert aside.read_bytes().startswith(b"\x00garbage")
    assert stat.S_IMODE(aside.stat().st_mode) == 0o600
    assert run_cli("check").returncode == 0


@pytest.mark.slow
def test_an_older_backup_is_upgraded_when_restored(cli_line, tmp_path):
    run_cli = cli_line
    old = tmp_path / "schema1.db"
    db = open_db(old, create=True, migrate=False)
    migrate_to(db, 1)
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO line (id, name, tz, escalation, created_at) VALUES (1, 'Old Line', 'America/New_York',"
            " 'Call 988', '2025-01-01T00:00:00Z')"
        )
        conn.execute(
            "INSERT INTO person (handle, name, role, login, created_at) VALUES ('boss', 'Boss', 'coordinator', ?,"
            " '2025-01-01T00:00:00Z')",
            (getpass.getuser(),),
        )
    db.close()
    assert bk.inspect(old).version == 1
    result = run_cli("restore", str(old))
    assert result.returncode == 0, result.stderr
    assert f"upgraded from schema 1 to {SCHEMA_VERSION}" in result.stdout
    restored = open_db(run_cli.db)
    try:
        assert restored.schema_version() == SCHEMA_VERSION
        assert people.get(restored.conn, "boss").name == "Boss"
    finally:
        restored.close()


# ---------------------------------------------------------------- hostile backups (issue 12, class C)

PROMOTE = (
    "CREATE TRIGGER promote AFTER INSERT ON audit"
    " BEGIN UPDATE person SET role = 'coordinator' WHERE handle = 'vol'; END"
)


def _edited(good: Path, path: Path, *statements: str) -> None:
    """A copy of a good backup changed with plain SQL, as another program could."""
    path.write_bytes(good.read_bytes())
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


def _hostile(kind: str, good: Path, path: Path) -> None:
    if kind == "foreign-trigger":
        _edited(good, path, PROMOTE)
    elif kind == "foreign-view":
        _edited(good, path, "CREATE VIEW everyone AS SELECT handle, passphrase_hash FROM person")
    elif kind == "foreign-index":
        _edited(good, path, "CREATE INDEX person_name ON person (name)")
    elif kind == "extra-column":
        _edited(good, path, "ALTER TABLE person ADD COLUMN notes TEXT")
    elif kind == "missing-table":
        _edited(good, path, "DROP TABLE call_need")
    elif kind == "disguised-trigger":
        # The expected name, other SQL: it promotes instead of refusing.
        _edited(
            good, path, "DROP TRIGGER audit_no_replace",
            "CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit"
            " BEGIN UPDATE person SET role = 'coordinator'; END",
        )
    elif kind == "minimal-fake":
        conn = sqlite3.connect(path)
        conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        conn.execute("CREATE TABLE line (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO line VALUES (1, 'Fake')")
        conn.commit()
        conn.close()
    elif kind == "damaged":
        _damaged(path, good)
    elif kind == "broken-reference":
        _edited(
            good, path, "PRAGMA foreign_keys=OFF",
            "INSERT INTO assignment (shift_id, person_id, role, created_at) VALUES (999, 999, 'peer', 'x')",
        )
    elif kind == "old-with-trigger":
        db = open_db(path, create=True, migrate=False)
        migrate_to(db, 1)
        db.close()
        _edited(path, path.with_suffix(".tmp"), PROMOTE)
        path.with_suffix(".tmp").replace(path)
    else:
        raise AssertionError(kind)


HOSTILE_KINDS = {
    "foreign-trigger": "trigger 'promote' on audit was not created by warmline",
    "foreign-view": "view 'everyone' was not created by warmline",
    "foreign-index": "index 'person_name' on person was not created by warmline",
    "extra-column": "table 'person' is not the one warmline creates",
    "missing-table": "table 'call_need' is missing",
    "disguised-trigger": "trigger 'audit_no_replace' is not the one warmline creates",
    "minimal-fake": "is missing",
    "damaged": "damaged",
    "broken-reference": "point to missing",
    "old-with-trigger": "trigger 'promote' on audit was not created by warmline",
}


@pytest.fixture(scope="module")
def hostile_line(tmp_path_factory):
    """A rota with a volunteer, a good backup of it, and the digest of the live files."""
    from conftest import CliRunner

    workdir = tmp_path_factory.mktemp("hostile")
    run_cli = CliRunner(workdir)
    assert run_cli("init", "--name", "Backup Line", "--tz", "America/New_York").returncode == 0
    assert run_cli("people", "add", "vol", "--name", "Vol").returncode == 0
    good = workdir / "good.db"
    assert run_cli("backup", str(good)).returncode == 0
    return run_cli, good


@pytest.mark.fast_tier_sample(10)
@pytest.mark.parametrize("kind", sorted(HOSTILE_KINDS))
def test_restore_refuses_a_backup_with_any_foreign_schema_object_and_changes_nothing(hostile_line, tmp_path, kind):
    run_cli, good = hostile_line
    src = tmp_path / f"{kind}.db"
    _hostile(kind, good, src)
    before = digest(run_cli.db)
    assert before[0] is not None
    listing = sorted(p.name for p in run_cli.db.parent.iterdir())
    result = run_cli("restore", str(src))
    assert result.returncode == 1, result.stdout
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert HOSTILE_KINDS[kind] in result.stderr
    assert "left untouched" in result.stderr
    assert digest(run_cli.db) == before, "a refused restore changed the live rota or its -wal"
    assert sorted(p.name for p in run_cli.db.parent.iterdir()) == listing, "nothing was set aside or left behind"
    assert count(run_cli.db, "person WHERE role = 'coordinator'") == 1


def test_inspect_names_a_foreign_schema_without_running_it(hostile_line, tmp_path):
    _run_cli, good = hostile_line
    src = tmp_path / "t.db"
    _hostile("foreign-trigger", good, src)
    info = bk.inspect(src)
    assert info.kind == "schema" and "promote" in info.detail
    assert bk.inspect(good).kind == "ok"


@pytest.mark.slow
def test_a_restore_after_refused_ones_works(cli_line, tmp_path):
    run_cli = cli_line
    good = tmp_path / "good.db"
    assert run_cli("backup", str(good)).returncode == 0
    assert run_cli("people", "add", "late", "--name", "Added After").returncode == 0
    for kind in ("minimal-fake", "foreign-trigger", "damaged"):
        bad = tmp_path / f"{kind}.db"
        _hostile(kind, good, bad)
        assert run_cli("restore", str(bad)).returncode == 1
    assert not list(run_cli.db.parent.glob("cli.db.before-restore-*"))
    result = run_cli("restore", str(good))
    assert result.returncode == 0, result.stderr
    assert '"late"' not in run_cli("people", "list", "--json").stdout
    assert run_cli("check").returncode == 0
    assert not [p for p in run_cli.db.parent.iterdir() if ".restore-" in p.name], "no temporary copy is left"


@pytest.mark.slow
def test_a_live_rota_with_a_foreign_trigger_is_refused_flagged_by_check_and_replaced_by_restore(cli_line, tmp_path):
    run_cli = cli_line
    good = tmp_path / "good.db"
    assert run_cli("people", "add", "vol", "--name", "Vol").returncode == 0
    assert run_cli("backup", str(good)).returncode == 0
    conn = sqlite3.connect(run_cli.db, isolation_level=None)
    conn.execute(PROMOTE)
    conn.close()
    used = run_cli("people", "list")
    assert used.returncode == 1 and used.stderr.count("\n") == 1
    assert "schema objects warmline did not create" in used.stderr and "promote" in used.stderr
    checked = run_cli("check")
    assert checked.returncode == 1
    assert "problem: schema: trigger 'promote' on audit was not created by warmline" in checked.stdout
    assert count(run_cli.db, "person WHERE role = 'coordinator'") == 1, "the planted trigger never ran"
    restored = run_cli("restore", str(good))
    assert restored.returncode == 0, restored.stderr
    (aside,) = [p for p in run_cli.db.parent.glob("cli.db.before-restore-*") if not p.name.endswith(("-wal", "-shm"))]
    assert stat.S_IMODE(aside.stat().st_mode) == 0o600
    assert "promote" in bk.inspect(aside).detail, "the tampered rota is kept aside as it was"
    assert run_cli("check").returncode == 0
    assert count(run_cli.db, "person WHERE role = 'coordinator'") == 1


def test_check_flags_every_kind_of_planted_object(line_db):
    from warmline import rota

    assert rota.check(line_db.conn).ok
    line_db.conn.execute("CREATE VIEW v AS SELECT 1")
    line_db.conn.execute("CREATE INDEX person_name ON person (name)")
    line_db.conn.execute(PROMOTE)
    errors = rota.check(line_db.conn).errors
    assert "schema: view 'v' was not created by warmline" in errors
    assert "schema: index 'person_name' on person was not created by warmline" in errors
    assert "schema: trigger 'promote' on audit was not created by warmline" in errors
