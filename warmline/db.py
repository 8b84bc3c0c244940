"""Opening a warmline database: path, file modes, PRAGMAs, the write transaction, migrations.

Every write in warmline goes through `Database.transaction()`, which starts with
`BEGIN IMMEDIATE`: a deferred `BEGIN` takes the write lock only at the first
write and then fails with "database is locked" when another process got there
first, instead of waiting its turn under `busy_timeout`.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from .errors import StorageError
from .migrations import MIGRATIONS  # the numbered steps (db.MIGRATIONS): warmline/migrations.py

APPLICATION_ID = 0x57524D4C  # "WRML": marks a SQLite file as a warmline rota
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000

SCHEMA_VERSION = len(MIGRATIONS)


def default_path() -> Path:
    """The database path when neither --db nor WARMLINE_DB names one."""
    import platformdirs  # kept off the import path of commands that name their database

    return platformdirs.user_data_path("warmline") / "warmline.db"


def resolve_path(explicit: str | os.PathLike[str] | None = None) -> tuple[Path, bool]:
    """Return (path, chosen_by_user): --db, then WARMLINE_DB, then the per-user default."""
    if explicit:
        return Path(explicit).expanduser(), True
    env = os.environ.get("WARMLINE_DB")
    if env:
        return Path(env).expanduser(), True
    return default_path(), False


def _prepare_file(path: Path, *, create: bool, make_parent: bool) -> None:
    """Make sure the file exists with mode 0600 (inside a 0700 directory we create) before SQLite opens it."""
    parent = path.parent
    if not parent.is_dir():
        if not create and make_parent:  # the default place, before the first `warmline init`
            raise StorageError(
                "there is no rota yet: create one with `warmline init --name NAME --tz ZONE`"
                " (or try `warmline demo`), or point --db at an existing one"
            )
        if not create:
            raise StorageError(
                f"there is no rota at {path} (the directory {parent} does not exist): point --db at an existing"
                " rota, or create one with `warmline init --name NAME --tz ZONE` (or `warmline demo`)"
            )
        if not make_parent:
            raise StorageError(
                f"the directory {parent} does not exist: create it, or choose another place with --db"
            )
        try:
            parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"cannot create the directory {parent} ({exc.strerror}): choose another place with --db"
            ) from None
    if path.is_dir():
        raise StorageError(f"{path} is a directory, not a database file: give a file path with --db")
    refuse_shared_dir(path)
    if not path.exists():
        if not create:
            raise StorageError(
                f"there is no rota at {path}: create one with `warmline init --name NAME --tz ZONE`"
                " (or try `warmline demo`), or point --db at an existing one"
            )
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            pass  # another process created it first; its mode is checked below
        except OSError as exc:
            raise StorageError(
                f"cannot create {path} ({exc.strerror}): check the directory's permissions or use --db"
            ) from None
        else:
            os.close(fd)
    if not os.access(path, os.R_OK | os.W_OK):
        raise StorageError(
            f"{path} is read-only for you: warmline needs to write to it; "
            "check its owner and permissions (it should be yours, mode 0600)"
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise StorageError(
            f"the directory {parent} is read-only for you: SQLite keeps its write-ahead log there; "
            "make it writable or move the database"
        )


def refuse_shared_dir(path: Path) -> None:
    """Refuse a rota whose (real) directory another user (not root) owns, or that every user may write.

    Whoever can write the directory can replace the rota or plant a -wal beside it that SQLite
    would apply. A sticky directory (like /tmp) is allowed: there nobody else may replace our files,
    and a -wal or -shm planted in advance is refused by refuse_foreign_file. A group-writable
    directory is allowed: its owner chose to trust that group (with umask 002 and a group of one's
    own, every new directory is group-writable).
    """
    parent = path.resolve().parent
    try:
        st = os.stat(parent)
    except OSError:
        return  # a missing directory is reported by the caller
    me = os.geteuid()
    if st.st_uid not in (me, 0):
        raise StorageError(
            f"the directory {parent} belongs to another user (uid {st.st_uid}): warmline keeps a rota only in a"
            " directory of its own user or root; move the rota into one of yours, or run warmline as that user"
        )
    if st.st_mode & 0o002 and not st.st_mode & stat.S_ISVTX:
        raise StorageError(
            f"the directory {parent} can be written by every user (mode {stat.S_IMODE(st.st_mode):04o}), who could"
            f" replace the rota or plant files beside it: make it private (`chmod go-w {parent}`) or move the rota"
        )


def refuse_foreign_file(path: Path) -> None:
    """Refuse a rota file (or a -wal, -shm or -journal beside it) that another user owns.

    Its owner could change it under you at any time (and a looser mode on a file of our own is
    tightened to 0600 by _tighten_modes instead).
    """
    real = path.resolve()
    me = os.geteuid()
    for candidate in (real, *(Path(f"{real}{suffix}") for suffix in ("-wal", "-shm", "-journal"))):
        try:
            st = os.lstat(candidate)
        except OSError:
            continue
        if st.st_uid != me:
            raise StorageError(
                f"{candidate} belongs to another user (uid {st.st_uid}), who could change the rota under you:"
                " warmline opens only a rota its own OS user owns; run warmline as that user, or have them"
                " make a backup (`warmline backup`) and restore it as yours"
            )


def _is_empty(path: Path) -> bool:
    """True for a zero-length (new) file. Only stat: never open() a database file with a plain handle,
    because closing any handle on it drops every POSIX lock this process's SQLite connections hold,
    and another process may then delete the write-ahead log under them."""
    try:
        return path.stat().st_size == 0
    except OSError as exc:
        raise StorageError(f"cannot read {path} ({exc.strerror})") from None


def not_sqlite_error(path: Path) -> StorageError:
    """The error for a file that is not SQLite at all."""
    return StorageError(
        f"{path} is not a warmline database (it is not a SQLite file at all): "
        "it was left untouched; point --db at your rota, or restore one with `warmline restore`"
    )


class Database:
    """One connection to one warmline file. Not shared between threads: open one per thread."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run the block as one write transaction: BEGIN IMMEDIATE, COMMIT, or ROLLBACK on any error."""
        if self.conn.in_transaction:
            raise RuntimeError("nested write transaction: warmline uses one transaction per change")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from None
        try:
            yield self.conn
        except BaseException as exc:
            if self.conn.in_transaction:
                self.conn.rollback()
            if is_storage_error(exc):
                # e.g. SQLITE_FULL from the INSERT that needed one page more: the same plain
                # StorageError as at BEGIN or COMMIT, not a bare sqlite3 error (a traceback in a worker).
                raise translate(exc, self.path) from None
            raise
        try:
            self.conn.commit()
        except sqlite3.Error as exc:
            if self.conn.in_transaction:
                self.conn.rollback()
            raise translate(exc, self.path) from None

    def data_version(self) -> int:
        """PRAGMA data_version: changes when another connection commits."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def schema_version(self) -> int:
        """The schema version stored in the file (PRAGMA user_version)."""
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# SQLite's primary result codes that say something about the file or the disk rather than about
# the statement (a constraint or a bug): BUSY, LOCKED, READONLY, IOERR, CORRUPT, FULL, CANTOPEN, NOTADB.
_STORAGE_CODES = frozenset({5, 6, 8, 10, 11, 13, 14, 26})


def is_storage_error(exc: BaseException) -> bool:
    """True for a sqlite3 error about the file or the disk (full, read-only, damaged, busy), not the statement."""
    code = getattr(exc, "sqlite_errorcode", None) if isinstance(exc, sqlite3.Error) else None
    return code is not None and (code & 0xFF) in _STORAGE_CODES


def translate(exc: sqlite3.Error, path: Path) -> StorageError:
    """Turn a SQLite error into one a person can act on."""
    text = str(exc)
    lowered = text.lower()
    if "readonly" in lowered or "read-only" in lowered:
        return StorageError(
            f"{path} cannot be written ({text}): check the file's and its directory's permissions"
        )
    if "disk is full" in lowered or "database or disk is full" in lowered:
        return StorageError(
            f"the disk holding {path} is full: nothing was changed; free some space and try again"
        )
    if "locked" in lowered or "busy" in lowered:
        return StorageError(
            f"{path} stayed busy for {BUSY_TIMEOUT_MS // 1000} s (another warmline is writing): "
            "nothing was changed; try again"
        )
    if "file is not a database" in lowered:
        return not_sqlite_error(path)
    if "malformed" in lowered or "corrupt" in lowered:
        return StorageError(
            f"{path} is damaged ({text}): it was left untouched; restore a backup with `warmline restore`"
        )
    return StorageError(f"database error on {path}: {text}")


def _connect(path: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=FULL")
        # Functions and virtual tables in the file's own schema (triggers, views, defaults) are limited to
        # harmless ones: the file is data, and whoever wrote it is not trusted to run code.
        conn.execute("PRAGMA trusted_schema=OFF")
    except sqlite3.Error as exc:
        raise translate(exc, path) from None
    return conn


def _use_wal(conn: sqlite3.Connection, path: Path) -> None:
    """Switch to WAL, only once the file is known to be ours: the switch rewrites the header."""
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if mode.lower() != "wal":
        raise StorageError(f"{path} cannot use write-ahead logging (journal mode {mode}): is it on a network drive?")


def _tighten_modes(path: Path) -> None:
    """Make the database and its -wal/-shm files 0600 if they are looser (only for a file known to be ours)."""
    try:
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if candidate.exists() and stat.S_IMODE(candidate.stat().st_mode) & 0o077:
                os.chmod(candidate, 0o600)
    except OSError:
        pass  # not ours to change; SQLite still refuses what it cannot use


def open_db(
    path: str | os.PathLike[str] | None = None,
    *,
    create: bool = False,
    make_parent: bool | None = None,
    migrate: bool = True,
    check: bool = True,
    schema: bool = True,
) -> Database:
    """Open (or with create=True, create) a warmline database, upgraded to the current schema.

    Raises StorageError, never a bare sqlite3 error, for anything about the file itself: among
    them a file or directory that other users own or may write, and (with `check`, unless
    `schema` is False, as for `warmline check` which lists them) a schema that is not exactly
    the one warmline creates.
    """
    resolved, chosen = resolve_path(path)
    if make_parent is None:
        make_parent = not chosen
    _prepare_file(resolved, create=create, make_parent=make_parent)
    refuse_foreign_file(resolved)
    empty = _is_empty(resolved)
    conn = _connect(resolved)
    db = Database(conn, resolved)
    try:
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc).lower():
                raise not_sqlite_error(resolved) from None
            raise
        version = db.schema_version()
        if not empty and app_id != APPLICATION_ID:
            has_tables = conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]
            if has_tables or app_id:
                raise StorageError(
                    f"{resolved} is a SQLite database but not a warmline rota: it was left untouched; "
                    "point --db at your rota"
                )
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"{resolved} was written by a newer warmline (schema {version}; this one knows up to "
                f"{SCHEMA_VERSION}): upgrade warmline, e.g. `pip install -U warmline`"
            )
        _tighten_modes(resolved)
        _use_wal(conn, resolved)
        if check:
            problem = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
            if problem != "ok":
                raise StorageError(
                    f"{resolved} failed its integrity check ({problem}): it was left untouched; "
                    "restore a backup with `warmline restore`"
                )
        if check and schema:
            refuse_foreign_schema(conn, resolved, version)
        if migrate and version < SCHEMA_VERSION:
            migrate_to(db, SCHEMA_VERSION)
    except sqlite3.Error as exc:
        conn.close()
        raise translate(exc, resolved) from None
    except BaseException:
        conn.close()
        raise
    return db


def refuse_foreign_schema(conn: sqlite3.Connection, path: Path, version: int) -> None:
    """Refuse a file whose tables, columns, indexes, triggers or views are not exactly warmline's."""
    from .schema import describe, differences

    found = differences(conn, version)
    if found:
        raise StorageError(
            f"{path} holds schema objects warmline did not create ({describe(found, 2)}): it was not used;"
            " `warmline check` lists them; restore a backup with `warmline restore`"
        )


def migrate_to(db: Database, target: int) -> None:
    """Apply the numbered migrations up to `target`, each with its audit row, in one transaction."""
    from .clock import now

    with db.transaction() as conn:
        current = db.schema_version()  # re-read under the write lock: another process may have done it
        if current >= target:
            return
        conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
        for version in range(current + 1, target + 1):
            for statement in MIGRATIONS[version - 1]:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, 'system', 'schema.migrate', ?, ?)",
                (iso_utc(now()), f"schema {version}", f"from {version - 1}"),
            )
        conn.execute(f"PRAGMA user_version={target}")


def iso_utc(moment) -> str:
    """Format an aware datetime as the stored UTC form, e.g. 2026-11-23T14:00:00Z (sorts as text)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str):
    """Parse the stored UTC form (iso_utc's, ending in Z) back into an aware UTC datetime.

    fromisoformat is several times faster than strptime (this runs for every shift read);
    the length and the Z keep it as strict as the stored form.
    """
    if len(text) != 20 or text[-1] != "Z":
        raise ValueError(f"not a stored UTC time: {text!r}")
    return datetime.fromisoformat(text)
