"""File modes of everything warmline writes, checked on real `warmline` processes.

The rota names people and holds passphrase hashes and tags: the database and its -wal
and -shm (while a warmline process has it open), backups, the copy kept aside by a
restore and CSV reports are 0600 (README "Where the rota lives", "Backups", "Importing
people": "-o FILE to a file written 0600 (it names people)"). Calendars are meant to be
published: `export ics --dir` makes DIR 0755 and its feeds 0644 and keeps the secret
behind the feed names 0600 (README "Calendars"); `export ics -o` writes 0644 (its
--help says so; the README does not say).

Every process runs with umask 000, so a 0600 seen here is warmline's doing, not the umask's.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest

PRIVATE = 0o600
SECRET = "sams long passphrase"


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A line made by `warmline init` (the OS user is its coordinator), one volunteer on a past and a future shift."""
    from conftest import CliRunner

    run_cli = CliRunner(tmp_path_factory.mktemp("files-template"))
    old = os.umask(0)
    try:
        for args, env in (
            (("init", "--name", "Harbor Peer Warmline", "--tz", "America/New_York"), None),
            (("people", "add", "sam", "--name", "Sam Ruiz", "--tag", "grief"), None),
            (("people", "passphrase", "sam"), {"WARMLINE_NEW_PASSPHRASE": SECRET}),
            # Made the day before it ran (a shift that has ended cannot be created: issue 15).
            (("shift", "add", "--start", "2026-11-20T09:00", "--end", "2026-11-20T13:00"),
             {"WARMLINE_NOW": "2026-11-19T08:00:00-05:00"}),
            (("shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T13:00"), None),
            (("assign", "1", "sam"), None),
            (("assign", "2", "sam"), None),
        ):
            done = run_cli(*args, env=env)
            assert done.returncode == 0, f"{args}: {done.stderr}"
    finally:
        os.umask(old)
    assert not Path(f"{run_cli.db}-wal").exists()
    return run_cli.db


@pytest.fixture
def line(template, run_cli, open_umask):
    """The template line in this test's directory (copied 0600, as warmline made it), and `ok` to run commands."""

    def ok(*args, env=None):
        done = run_cli(*args, env=env)
        assert done.returncode == 0, f"{args}: {done.stderr}"
        assert SECRET not in done.stdout + done.stderr, "a passphrase was printed"
        return done

    run_cli.db.write_bytes(template.read_bytes())
    run_cli.db.chmod(PRIVATE)
    run_cli.ok = ok
    return run_cli


@pytest.mark.slow
def test_the_rota_and_its_wal_and_shm_are_0600_while_a_warmline_process_has_it_open(line, tmp_path):
    assert mode_of(line.db) == PRIVATE
    sent = tmp_path / "sent"
    # `notify --daemon` keeps its connection open: the -wal and -shm exist while it runs.
    daemon = subprocess.Popen(
        [str(line.script), "notify", "--daemon", "--interval", "1"],
        env={**line.env, "WARMLINE_NOTIFY_CHANNEL": f"file:{sent}"},
        cwd=line.workdir, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wal, shm = Path(f"{line.db}-wal"), Path(f"{line.db}-shm")
        deadline = time.monotonic() + 20
        while not (wal.exists() and shm.exists()) and time.monotonic() < deadline:
            assert daemon.poll() is None, daemon.stderr.read().decode()
            time.sleep(0.05)
        line.ok("people", "edit", "sam", "--max-hours", "10")  # another process writes meanwhile
        assert daemon.poll() is None
        assert {p.name: mode_of(p) for p in (line.db, wal, shm)} == {
            "cli.db": PRIVATE, "cli.db-wal": PRIVATE, "cli.db-shm": PRIVATE,
        }
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait(timeout=10)
        daemon.stderr.close()


@pytest.mark.slow
def test_backups_and_the_copy_kept_aside_by_a_restore_are_0600(line):
    folder = line.workdir / "backups"
    folder.mkdir(mode=0o777)
    line.ok("backup", str(folder / "named.db"))
    line.ok("backup", str(folder))  # a directory: the file is named after the rota and the time
    made = sorted(folder.iterdir())
    assert len(made) == 2, made
    assert {p.name: mode_of(p) for p in made} == {p.name: PRIVATE for p in made}
    assert not [p for p in made if p.name.endswith(("-wal", "-shm", "-journal"))]

    line.ok("restore", str(folder / "named.db"))
    kept = [p for p in line.workdir.iterdir() if ".before-restore-" in p.name]
    assert len(kept) == 1, sorted(p.name for p in line.workdir.iterdir())
    assert mode_of(kept[0]) == PRIVATE
    assert mode_of(line.db) == PRIVATE


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["rota", "hours"])
def test_csv_reports_written_with_o_are_0600_even_over_a_readable_file(line, kind):
    fresh = line.workdir / f"{kind}.csv"
    line.ok("export", "csv", kind, "--from", "2026-11-01", "--to", "2026-11-30", "-o", str(fresh))
    assert mode_of(fresh) == PRIVATE
    assert "sam" in fresh.read_text()

    # Replacing an older copy that someone left world-readable does not keep its mode.
    older = line.workdir / f"old-{kind}.csv"
    older.write_text("stale\n")
    older.chmod(0o644)
    line.ok("export", "csv", kind, "--from", "2026-11-01", "--to", "2026-11-30", "-o", str(older))
    assert mode_of(older) == PRIVATE
    # A volunteer's own report is just as private.
    mine = line.workdir / f"sam-{kind}.csv"
    line.ok("--as", "sam", "export", "csv", kind, "-o", str(mine), env={"WARMLINE_PASSPHRASE": SECRET})
    assert mode_of(mine) == PRIVATE
    assert not [p for p in line.workdir.iterdir() if p.name.endswith(".tmp")], "a temporary file was left"


@pytest.mark.slow
@pytest.mark.parametrize("umask", [0o000, 0o077], ids=["umask-000", "umask-077"])
def test_calendars_are_written_for_publishing_whatever_the_umask(line, umask):
    os.umask(umask)
    single = line.workdir / "mine.ics"
    line.ok("export", "ics", "--person", "sam", "-o", str(single))
    assert mode_of(single) == 0o644  # `export ics --help`: "Write to FILE (mode 0644)"

    feeds = line.workdir / "www" / "warmline"
    line.ok("export", "ics", "--dir", str(feeds))
    assert mode_of(feeds) == 0o755 and mode_of(feeds / "people") == 0o755
    key = feeds / ".warmline-feed-key"
    assert mode_of(key) == PRIVATE, "the secret behind the feed names is not for the web server"
    published = sorted(feeds.rglob("*.ics"))
    assert len(published) == 3, published  # the whole rota, the coordinator's feed and sam's
    assert {p.name: mode_of(p) for p in published} == {p.name: 0o644 for p in published}
    # Names carry a token that cannot be guessed from the handle, and stay the same next time.
    sams = [p for p in published if p.parent.name == "people" and p.name.startswith("sam-")]
    assert len(sams) == 1 and len(sams[0].stem.removeprefix("sam-")) >= 16
    before = sorted(p.name for p in published)
    line.ok("export", "ics", "--dir", str(feeds))
    assert sorted(p.name for p in feeds.rglob("*.ics")) == before
    assert not [p for p in feeds.rglob("*") if p.name.endswith(".tmp")]


def test_the_readme_documents_the_modes_these_tests_hold_warmline_to():
    """If the README changes what it promises about file modes, these tests must change with it."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for promise in (
        "The file is created with mode 0600",
        "-wal` and `-shm` companions are 0600 too",
        "The copy is created with mode 0600",
        "(mode 0600) beside it",
        "`-o FILE` to a file written 0600 (it names people)",
        "DIR is created with mode 0755",
        "the feeds are written 0644",
        "`DIR/.warmline-feed-key` (0600)",
    ):
        assert promise in " ".join(readme.split()), promise


# ---------------------------------------------------------------- rotas others can write (issue 12, class C)


def _another_users(path: Path, monkeypatch) -> None:
    """Make `path` another user's: really (chown) when we are root, else by changing who we are to warmline."""
    if os.geteuid() == 0:
        os.chown(path, 65534, 65534)
    else:
        mine = os.geteuid()
        monkeypatch.setattr(os, "geteuid", lambda: mine + 1)


@pytest.mark.parametrize("what", ["rota", "wal"])
def test_a_rota_or_a_wal_owned_by_another_user_is_refused(template, tmp_path, monkeypatch, what):
    from warmline.db import open_db
    from warmline.errors import StorageError

    rota = tmp_path / "rota.db"
    rota.write_bytes(template.read_bytes())
    rota.chmod(0o666)  # as another user's loose file would be
    target = rota if what == "rota" else Path(f"{rota}-wal")
    if what == "wal":
        target.write_bytes(b"")  # planted before warmline first opened the rota
    before = rota.read_bytes()
    _another_users(target, monkeypatch)
    with pytest.raises(StorageError, match="belongs to another user") as refused:
        open_db(rota)
    assert "run warmline as that user" in str(refused.value)
    assert rota.read_bytes() == before
    if what == "rota" and os.geteuid() == 0:
        assert mode_of(rota) == 0o666, "someone else's file is refused, not changed"


@pytest.mark.parametrize("mode", [0o777, 0o757, 0o703])
def test_a_rota_in_a_directory_every_user_can_write_is_refused_with_what_to_do(template, run_cli, mode):
    run_cli.db.write_bytes(template.read_bytes())
    run_cli.db.chmod(PRIVATE)
    before = run_cli.db.read_bytes()
    run_cli.workdir.chmod(mode)
    try:
        done = run_cli("people", "list")
        assert done.returncode == 1
        assert done.stderr.startswith("error: the directory ") and done.stderr.count("\n") == 1, done.stderr
        assert "can be written by every user" in done.stderr and "chmod go-w" in done.stderr
        assert run_cli.db.read_bytes() == before
        assert not Path(f"{run_cli.db}-wal").exists()
        run_cli.workdir.chmod(0o1777)  # sticky, like /tmp: nobody else may replace the rota
        assert run_cli("people", "list").returncode == 0
        run_cli.workdir.chmod(0o775)  # group-writable (umask 002): the owner trusts that group
        assert run_cli("people", "list").returncode == 0
    finally:
        run_cli.workdir.chmod(0o700)


def test_the_owner_s_own_loose_rota_is_tightened_not_refused(template, run_cli, open_umask):
    run_cli.db.write_bytes(template.read_bytes())
    run_cli.db.chmod(0o666)
    assert run_cli("people", "list").returncode == 0
    assert mode_of(run_cli.db) == PRIVATE
