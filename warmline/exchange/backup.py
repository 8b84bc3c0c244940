"""Backups and restores with SQLite's online backup API.

The backup API copies a consistent snapshot while other processes keep writing
(a plain `cp` of a WAL database can catch it half-way). Backups are written 0600,
never over an existing file, and checked with `PRAGMA integrity_check` before
they count. A restore refuses anything that is not a sound warmline rota this
version can read, and keeps the current rota aside first.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..db import APPLICATION_ID, SCHEMA_VERSION, Database
from ..errors import Invalid, Refused, StorageError
from ..model import Person

FILE_MODE = 0o600
_COMPANIONS = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class FileInfo:
    """What a file is, found without changing it.

    kind: "missing", "empty", "not-sqlite", "foreign" (SQLite, not a rota), "newer"
    (a rota from a newer warmline), "damaged" (fails integrity_check) or "ok".
    """

    path: Path
    kind: str
    version: int = 0
    detail: str = ""


def _read_only(path: Path) -> sqlite3.Connection:
    # A URI keeps SQLite from creating or changing anything; as_uri() escapes '?' and '#'.
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=5)
    conn.execute("PRAGMA trusted_schema=OFF")  # the file's own SQL may call only harmless functions
    return conn


def inspect(path: Path, *, full: bool = True) -> FileInfo:
    """Look at a file read-only and say what it is (see FileInfo). `full` runs integrity_check, else quick_check.

    kind "schema": a sound SQLite file marked as a rota whose tables, columns, indexes, triggers
    or views are not exactly the ones warmline creates for its schema version (detail says which).
    Nothing in the file's own schema runs while it is looked at.
    """
    from ..schema import describe, differences

    path = Path(path)
    if not path.exists():
        return FileInfo(path, "missing")
    if not path.is_file():
        return FileInfo(path, "not-sqlite", detail="it is not a regular file")
    # Only stat and SQLite touch the file: a plain open()/close() would drop this process's locks on
    # the live rota (see db._is_empty).
    try:
        if path.stat().st_size == 0:
            return FileInfo(path, "empty")
    except OSError as exc:
        raise StorageError(f"cannot read {path} ({exc.strerror})") from None
    try:
        conn = _read_only(path)
    except sqlite3.Error as exc:
        return FileInfo(path, "damaged", detail=str(exc))
    try:
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc).lower():
                return FileInfo(path, "not-sqlite")
            raise
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if app_id != APPLICATION_ID:
            return FileInfo(path, "foreign", version)
        if version > SCHEMA_VERSION:
            return FileInfo(path, "newer", version)
        pragma = "integrity_check" if full else "quick_check"
        problems = [row[0] for row in conn.execute(f"PRAGMA {pragma}(5)")]
        if problems != ["ok"]:
            return FileInfo(path, "damaged", version, "; ".join(problems))
        found = differences(conn, version)
        if found:
            return FileInfo(path, "schema", version, describe(found))
        if not conn.execute("SELECT 1 FROM sqlite_schema WHERE name = 'line'").fetchone():
            return FileInfo(path, "foreign", version, "it has no line table")
        return FileInfo(path, "ok", version)
    except sqlite3.DatabaseError as exc:
        return FileInfo(path, "damaged", detail=str(exc))
    finally:
        conn.close()


def _create_private(path: Path) -> None:
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    except FileExistsError:
        raise Refused(f"{path} already exists: a backup never overwrites a file; choose a new name") from None
    except OSError as exc:
        raise StorageError(f"cannot create {path} ({exc.strerror}): check the directory") from None
    os.close(fd)
    os.chmod(path, FILE_MODE)


def _remove_with_companions(path: Path) -> None:
    for candidate in (path, *(Path(f"{path}{suffix}") for suffix in _COMPANIONS)):
        try:
            candidate.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            pass  # best effort: the error that brought us here is the one to report


def _stamp() -> str:
    from ..clock import now

    return now().astimezone().strftime("%Y%m%dT%H%M%S")


def _copy(source: sqlite3.Connection, target: sqlite3.Connection, what: Path) -> None:
    try:
        # pages=-1: one step under one read transaction, so the copy is a consistent snapshot
        # even while other processes write (a stepped copy restarts whenever they do).
        source.backup(target, pages=-1)
    except sqlite3.Error as exc:
        from ..db import translate

        raise translate(exc, what) from None


@dataclass(frozen=True)
class BackupResult:
    """A finished, verified backup."""

    path: Path
    bytes: int
    schema_version: int
    integrity: str


def backup(db: Database, dest: Path) -> BackupResult:
    """Copy the open rota to `dest` (0600) with the online backup API and verify the copy.

    `dest` may be an existing directory: the copy is then named after the rota and the time.
    An existing file is never overwritten.
    """
    dest = Path(dest).expanduser()
    if dest.is_dir():
        dest = dest / f"{db.path.stem}-{_stamp()}.db"
    if dest.exists() or dest.is_symlink():
        raise Refused(f"{dest} already exists: a backup never overwrites a file; choose a new name")
    if not dest.parent.is_dir():
        raise StorageError(f"the directory {dest.parent} does not exist: create it first (mode 0700 is wise)")
    _create_private(dest)
    try:
        try:
            target = sqlite3.connect(dest, isolation_level=None)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open {dest} for the backup ({exc})") from None
        try:
            _copy(db.conn, target, dest)
            # One self-contained file: no -wal beside it to lose when it is copied elsewhere.
            target.execute("PRAGMA journal_mode=DELETE")
            problems = [row[0] for row in target.execute("PRAGMA integrity_check(5)")]
            app_id = target.execute("PRAGMA application_id").fetchone()[0]
            version = target.execute("PRAGMA user_version").fetchone()[0]
        finally:
            target.close()
        if problems != ["ok"]:
            raise StorageError(
                f"the backup failed its integrity check ({'; '.join(problems)}): it was deleted; "
                "run `warmline check` on the rota"
            )
        if app_id != APPLICATION_ID:
            raise StorageError("the backup is not marked as a warmline rota: it was deleted; run `warmline check`")
    except BaseException:
        _remove_with_companions(dest)
        raise
    os.chmod(dest, FILE_MODE)
    return BackupResult(dest, dest.stat().st_size, version, "ok")


@dataclass(frozen=True)
class RestoreResult:
    """A finished restore: the rota's path, where the old one was kept, and the schema it came back with."""

    path: Path
    kept_as: Path | None
    from_version: int
    schema_version: int


def _refuse_source(info: FileInfo) -> None:
    src = info.path
    untouched = "the rota was left untouched"
    reasons = {
        "missing": f"there is no file {src}: give the path of a backup made by `warmline backup`",
        "empty": f"{src} is empty, not a warmline backup: {untouched}",
        "not-sqlite": f"{src} is not a warmline backup (it is not a SQLite file at all"
        + (f"; {info.detail}" if info.detail else "")
        + f"): {untouched}",
        "foreign": f"{src} is a SQLite database but not a warmline rota: {untouched}",
        "newer": f"{src} was written by a newer warmline (schema {info.version}; this one knows up to "
        f"{SCHEMA_VERSION}): upgrade warmline before restoring it; {untouched}",
        "damaged": f"{src} is damaged ({info.detail[:200]}): choose another backup; {untouched}",
        "schema": f"{src} is not a backup warmline made: its schema differs from warmline's "
        f"({info.detail[:300]}); choose another backup; {untouched}",
    }
    if info.kind in reasons:
        raise Refused(reasons[info.kind])


def _aside_path(live: Path) -> Path:
    base = live.with_name(f"{live.name}.before-restore-{_stamp()}")
    candidate, n = base, 1
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def _refuse_candidate(src: Path, why: str) -> Refused:
    return Refused(f"{src} {why}: choose another backup; the rota was left untouched")


def _verified_copy(src: Path, folder: Path) -> tuple[Path, sqlite3.Connection, int]:
    """Copy `src` into a private file in `folder` and prove the copy a sound rota of this version.

    The copy, not the source, is what is checked (the source may change after it was inspected)
    and what is later swapped in. Before anything in it runs: application id, version, schema
    object by object, integrity_check, foreign_key_check; an older copy is migrated only after its
    schema matches its own version; then every invariant of `warmline check`. Returns the copy's
    path, an open connection on it and the version it came with. Refused (and the copy deleted)
    otherwise.
    """
    from .. import rota
    from ..db import migrate_to
    from ..schema import describe, differences

    tmp = folder / f".{src.name[:40]}.restore-{secrets.token_hex(6)}.tmp"
    _create_private(tmp)
    conn: sqlite3.Connection | None = None
    try:
        source = _read_only(src)
        try:
            try:
                target = sqlite3.connect(tmp, isolation_level=None)
            except sqlite3.Error as exc:
                raise StorageError(f"cannot make a copy of {src} in {folder} ({exc})") from None
            try:
                _copy(source, target, tmp)
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
        finally:
            source.close()
        conn = sqlite3.connect(tmp, isolation_level=None, timeout=5)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA trusted_schema=OFF")
        conn.execute("PRAGMA foreign_keys=ON")
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if app_id != APPLICATION_ID:
                raise _refuse_candidate(src, "is not a warmline rota")
            if version > SCHEMA_VERSION:
                raise _refuse_candidate(src, f"was written by a newer warmline (schema {version})")
            found = differences(conn, version)
            if found:
                raise _refuse_candidate(src, f"is not a backup warmline made: its schema differs from warmline's ({describe(found)})")
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
            if problems != ["ok"]:
                raise _refuse_candidate(src, f"is damaged ({'; '.join(problems)[:200]})")
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                row = broken[0]
                raise _refuse_candidate(
                    src, f"has rows that point to missing ones ({len(broken)}; e.g. {row[0]} row {row[1]} -> {row[2]})"
                )
            if version < SCHEMA_VERSION:
                migrate_to(Database(conn, tmp), SCHEMA_VERSION)
                found = differences(conn, SCHEMA_VERSION)
                if found:  # cannot happen with warmline's own migrations; checked all the same
                    raise _refuse_candidate(src, f"did not upgrade to warmline's schema ({describe(found)})")
            report = rota.check(conn)
            if report.errors:
                more = f"; and {len(report.errors) - 2} more" if len(report.errors) > 2 else ""
                raise _refuse_candidate(src, f"breaks the rota's rules ({'; '.join(report.errors[:2])}{more})")
        except sqlite3.Error as exc:
            raise _refuse_candidate(src, f"could not be checked ({exc})") from None
        except Refused:
            raise
        except Exception as exc:  # a row no reader of this version can read: not a sound rota
            raise _refuse_candidate(src, f"could not be checked ({type(exc).__name__}: {exc})") from None
    except BaseException:
        if conn is not None:
            conn.close()
        _remove_with_companions(tmp)
        raise
    return tmp, conn, version


def _aside_needed(live: Path) -> bool:
    """True when an unopenable rota (or a -wal, -shm, -journal of one) must be kept aside before the swap."""
    if any(Path(f"{live}{suffix}").exists() for suffix in _COMPANIONS):
        return True
    return live.exists() and live.stat().st_size > 0  # an empty file holds nothing to keep


def _move_aside(live: Path, kept: Path) -> None:
    """Rename an unopenable rota and any -wal, -shm, -journal beside it to `kept` (0600)."""
    try:
        if live.exists():
            os.replace(live, kept)
            os.chmod(kept, FILE_MODE)
        for suffix in _COMPANIONS:
            companion = Path(f"{live}{suffix}")
            if companion.exists():
                os.replace(companion, Path(f"{kept}{suffix}"))
    except OSError as exc:
        raise StorageError(f"cannot move {live} aside ({exc.strerror})") from None


def restore(
    src: Path,
    *,
    db_path: str | os.PathLike[str] | None = None,
    actor_for: Callable[[Database], Person],
) -> RestoreResult:
    """Replace the rota with a backup (coordinators), keeping the current one aside (0600).

    The backup is copied next to the rota and the copy is proven sound first (see
    _verified_copy); every refusal leaves the rota byte-for-byte as it was. A healthy rota is
    copied aside and then overwritten with the verified copy in one transaction of the backup
    API (other processes that have it open see the restored rota); a rota too damaged to open,
    or holding schema objects warmline did not create, is renamed aside instead and the copy
    renamed into its place, with no one to ask. An older backup is upgraded on the copy.
    """
    from ..db import open_db, refuse_shared_dir, resolve_path

    src = Path(src).expanduser()
    source_info = inspect(src)
    _refuse_source(source_info)
    live, chosen = resolve_path(db_path)
    if live.exists() and live.resolve() == src.resolve():
        raise Invalid(f"{src} is the rota itself: give a backup file")
    folder = live.resolve().parent if live.exists() else live.parent
    if not folder.is_dir():
        if chosen:
            raise StorageError(f"the directory {folder} does not exist: create it, or choose another place with --db")
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the directory {folder} ({exc.strerror})") from None
    refuse_shared_dir(live)
    # The copy is proven first: even a read-only look at a rota in WAL mode leaves a -wal and -shm.
    copy, conn, from_version = _verified_copy(src, folder)
    kept: Path | None = None
    try:
        live_info = inspect(live, full=False)
        if live_info.kind == "foreign":
            raise Refused(f"{live} is not a warmline rota: restore will not replace it; point --db at your rota")
        if live_info.kind == "newer":
            raise Refused(
                f"{live} was written by a newer warmline (schema {live_info.version}): restore with that warmline"
            )
        if live_info.kind == "ok":
            db = open_db(live)
            try:
                actor = actor_for(db)
                if not actor.is_coordinator:
                    raise Refused(f"only coordinators may restore the rota; {actor.handle} is a volunteer")
                kept = _aside_path(live)
                _create_private(kept)
                try:
                    aside = sqlite3.connect(kept, isolation_level=None)
                    try:
                        _copy(db.conn, aside, kept)
                        aside.execute("PRAGMA journal_mode=DELETE")
                    finally:
                        aside.close()
                    _audit_restore(conn, actor.handle, src, from_version, kept)
                    # One write transaction on the rota: all of the verified copy, or (on any error) nothing.
                    _copy(conn, db.conn, live)
                except BaseException:
                    _remove_with_companions(kept)
                    raise
            finally:
                db.close()
            conn.close()
        else:
            # Nothing to open and nobody to ask: whoever can write the file may replace it.
            target = live.resolve() if live.is_symlink() else live  # the file a link names, not the link
            kept = _aside_path(target) if _aside_needed(target) else None
            _audit_restore(conn, "system", src, from_version, kept)
            conn.close()
            if kept is not None:
                _move_aside(target, kept)
            try:
                os.replace(copy, target)
            except OSError as exc:
                raise StorageError(f"cannot put the backup in place of {live} ({exc.strerror})") from None
    finally:
        conn.close()
        _remove_with_companions(copy)
    # Reopen as any command would: checks the file (and turns write-ahead logging back on).
    db = open_db(live)
    try:
        version = db.schema_version()
    finally:
        db.close()
    mode = stat.S_IMODE(live.stat().st_mode)
    if mode & 0o077:
        os.chmod(live, FILE_MODE)
    return RestoreResult(live, kept, from_version, version)


def _audit_restore(conn: sqlite3.Connection, actor: str, src: Path, from_version: int, kept: Path | None) -> None:
    """The restore's own audit row, written into the verified copy before it becomes the rota."""
    from .. import audit

    detail = f"from schema {from_version}" + (f"; previous rota kept as {kept.name}" if kept else "")
    conn.execute("BEGIN IMMEDIATE")
    try:
        audit.record(conn, actor, "db.restore", src.name, detail)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
