"""A line on many machines (issue 14 §1–2), end to end: a real OpenSSH server started by the test on
127.0.0.1 with its own host key and config, an ssh client with a test key, and the installed
`warmline` as the key's forced command (written by `warmline keys add`).

- the key opens the app in tmux as its person (Home shows her shifts); the sign-in is audited
  with the key's fingerprint;
- allowed commands run as that person; anything else, and any try to change the person or
  the rota, is refused in one line;
- a removed key no longer gets in;
- `notify --once --remote` shows a due notification on a real desktop (dunst under Xvfb and a
  private D-Bus session, as tests/system/test_desktop_notify.py) exactly once, also when the
  connection is cut between pull and confirm (a wrapper around ssh exits instead of confirming
  the first N times: bounded).

sshd runs as the current user's login (root in CI: `PermitRootLogin prohibit-password`), with
`UsePAM no` and `StrictModes no` (the test's files live in a temporary directory). The clock is the
real one: sshd gives its sessions a fresh environment, so shifts are placed relative to now.
"""

from __future__ import annotations

import json
import os
import pwd
import shlex
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import in_ci, require_tool, warmline_script
from desktop import DUNST_PRELUDE
from warmline import people, rota
from warmline.db import open_db
from warmline.line import create

pytestmark = pytest.mark.slow
WAIT = 20.0
SSHD = "/usr/sbin/sshd"


def sshd_path() -> str:
    if os.path.exists(SSHD):
        return SSHD
    return require_tool("sshd")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(db: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("WARMLINE_")}
    base["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        [str(warmline_script()), "--db", str(db), *args],
        env=base | (env or {}), capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )


class Host:
    """A rota, an sshd serving it through warmline's authorized_keys block, and ana's key."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.db = tmp / "rota.db"
        self.auth = tmp / "authorized_keys"
        self.key = tmp / "ana_ed25519"
        self.known = tmp / "known_hosts"
        self.port = free_port()
        self.user = pwd.getpwuid(os.getuid()).pw_name
        self.dest = f"{self.user}@127.0.0.1"
        self.proc: subprocess.Popen | None = None
        self.fingerprint = ""
        self.start_utc: datetime | None = None

    def ssh_argv(self) -> list[str]:
        """ssh with the test's key and known_hosts, and no ssh_config of this machine (-F /dev/null)."""
        return [
            require_tool("ssh"), "-F", "/dev/null", "-i", str(self.key), "-o", "IdentitiesOnly=yes",
            "-o", f"UserKnownHostsFile={self.known}", "-o", "StrictHostKeyChecking=accept-new", "-p", str(self.port),
        ]

    def ssh(self, *command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.ssh_argv(), "-o", "BatchMode=yes", "--", self.dest, *command],
            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        )

    def build_rota(self) -> None:
        """ana on a shift starting in 11 minutes (her reminder and ben's handoff to her are due) and one tomorrow."""
        db = open_db(self.db, create=True)
        try:
            # The OS user running the test is the coordinator (the keys commands run as them).
            create(db, name="Harbor", tz="UTC", actor="coord", first_coordinator=("coord", "Coordinator", self.user))
            coord = people.get(db.conn, "coord")
            people.add(db, coord, handle="ana", name="Ana")
            people.add(db, coord, handle="ben", name="Ben")
            now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
            self.start_utc = now + timedelta(minutes=11)
            soon = rota.add_shift(db, coord, start=self.start_utc, end=self.start_utc + timedelta(hours=2), seats=1, backup=0)
            tomorrow = rota.add_shift(db, coord, start=now + timedelta(days=1), end=now + timedelta(days=1, hours=3), seats=1, backup=0)
            other = rota.add_shift(db, coord, start=now + timedelta(days=2), end=now + timedelta(days=2, hours=3), seats=1, backup=0)
            # ben hands over to ana when her shift begins: her "Handoff in 15 min" is due too.
            before = rota.add_shift(db, coord, start=now + timedelta(minutes=2), end=self.start_utc, seats=1, backup=0)
            rota.assign(db, coord, soon.id, "ana")
            rota.assign(db, coord, tomorrow.id, "ana")
            rota.assign(db, coord, other.id, "ben")
            rota.assign(db, coord, before.id, "ben")
        finally:
            db.close()

    def add_key(self) -> None:
        keygen = require_tool("ssh-keygen")
        subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-C", "ana@laptop", "-f", str(self.key)], check=True, timeout=30)
        self.auth.write_text("# the account's own keys stay as they are\n")
        done = cli(self.db, "keys", "add", "ana", f"{self.key}.pub", "--authorized-keys", str(self.auth), "--json")
        assert done.returncode == 0, done.stderr
        self.fingerprint = json.loads(done.stdout)["fingerprint"]

    def start(self) -> None:
        sshd = sshd_path()
        if not os.path.isdir("/run/sshd"):
            if os.geteuid() != 0:
                reason = "sshd needs its privilege separation directory /run/sshd (create it as root)"
                pytest.fail(reason) if in_ci() else pytest.skip(reason)
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        hostkey = self.tmp / "host_ed25519"
        subprocess.run([require_tool("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-f", str(hostkey)], check=True, timeout=30)
        config = self.tmp / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    "ListenAddress 127.0.0.1",
                    f"Port {self.port}",
                    f"HostKey {hostkey}",
                    "PidFile none",
                    "UsePAM no",
                    "StrictModes no",
                    f"AuthorizedKeysFile {self.auth}",
                    "PermitRootLogin prohibit-password",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PubkeyAuthentication yes",
                    f"AllowUsers {self.user}",
                    "SetEnv PYTHONDONTWRITEBYTECODE=1",
                    "LogLevel VERBOSE",
                ]
            )
            + "\n"
        )
        self.log = self.tmp / "sshd.log"
        self.proc = subprocess.Popen(
            [sshd, "-D", "-e", "-f", str(config), "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=self.log.open("w"), stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"sshd exited at once:\n{self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        pytest.fail(f"sshd did not listen within {WAIT:.0f} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def audit(self, action: str) -> list[tuple[str, str, str]]:
        db = open_db(self.db)
        try:
            return [tuple(r) for r in db.conn.execute("SELECT actor, subject, detail FROM audit WHERE action = ?", (action,))]
        finally:
            db.close()

    def notifications(self) -> dict[str, tuple[str, str | None]]:
        db = open_db(self.db)
        try:
            return {
                r[0]: (r[1], r[2])
                for r in db.conn.execute(
                    "SELECT n.title, n.state, n.channel FROM notification n JOIN person p ON p.id = n.person_id"
                    " WHERE p.handle = 'ana' AND n.state != 'expired'"
                )
            }
        finally:
            db.close()


@pytest.fixture
def host(tmp_path: Path) -> Iterator[Host]:
    require_tool("ssh")
    require_tool("ssh-keygen")
    h = Host(tmp_path)
    h.build_rota()
    h.add_key()
    h.start()
    try:
        yield h
    finally:
        h.stop()


# ---------------------------------------------------------------- the app in a terminal


class Tmux:
    def __init__(self) -> None:
        self.tmux = require_tool("tmux")
        self.socket = f"warmline-ssh-{uuid.uuid4().hex[:10]}"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([self.tmux, "-L", self.socket, "-f", "/dev/null", *args], capture_output=True, text=True, timeout=15)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "main").stdout

    def wait_for(self, *texts: str) -> str:
        deadline = time.monotonic() + WAIT
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if all(t in shown for t in texts):
                return shown
            time.sleep(0.1)
        pytest.fail(f"not on screen after {WAIT:.0f} s: {texts!r}\n--- screen ---\n{shown}", pytrace=False)

    def dead(self) -> bool:
        done = self.run("display-message", "-p", "-t", "main", "#{pane_dead}")
        return done.returncode != 0 or done.stdout.strip() == "1"


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    t = Tmux()
    try:
        yield t
    finally:
        t.run("kill-server")


def test_a_key_opens_the_app_as_its_person(host, tmux):
    command = " ".join(shlex.quote(a) for a in [*host.ssh_argv(), "-t", host.dest])
    env = f"env -i PATH={shlex.quote(os.environ.get('PATH', '/usr/bin:/bin'))} TERM=xterm-256color LANG=C.UTF-8"
    tmux.run("new-session", "-d", "-s", "main", "-x", "100", "-y", "30", f"exec {env} {command}")
    tmux.run("set-option", "-t", "main", "remain-on-exit", "on")
    soon = host.start_utc
    shown = tmux.wait_for("ana · volunteer", "Your shifts", f"{soon:%H:%M}")
    assert "Sign in" not in shown and "Passphrase" not in shown  # the key signed her in
    tmux.run("send-keys", "-t", "main", "q")
    deadline = time.monotonic() + WAIT
    while not tmux.dead() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert tmux.dead(), tmux.screen()
    assert ("ana", "ana", host.fingerprint) in host.audit("signin.key")


# ---------------------------------------------------------------- commands over the key


def test_allowed_commands_run_as_the_key_and_nothing_else_does(host):
    mine = host.ssh("shifts", "--mine", "--json")
    assert mine.returncode == 0, mine.stderr
    rows = json.loads(mine.stdout)
    assert len(rows) == 2 and all(r["peers"] == ["ana"] for r in rows)
    ics = host.ssh("export", "ics")
    assert ics.returncode == 0 and ics.stdout.startswith("BEGIN:VCALENDAR")
    for command in (["ls"], ["sh", "-c", "id"], ["shifts", "--person", "ben"], ["people", "list"],
                    ["notify", "settings", "--channels", "app"], ["keys", "add", "ana", "/tmp/x.pub"]):
        done = host.ssh(*command)
        assert done.returncode == 1, (command, done.stdout)
        assert done.stderr.startswith("error: not allowed over ssh: a key may run notify pull"), done.stderr
        assert done.stderr.count("\n") == 1 and done.stdout == ""
    for command in (["shifts", "--mine", "--as", "coord"], ["--db", "/tmp/other.db", "shifts", "--mine"]):
        done = host.ssh(*command)
        assert done.returncode == 1 and "fixed by your key" in done.stderr, done.stderr
    assert len(host.audit("ssh.refused")) == 8


def test_a_removed_key_no_longer_gets_in(host):
    assert host.ssh("shifts", "--mine").returncode == 0
    done = cli(host.db, "keys", "remove", "ana", host.fingerprint)
    assert done.returncode == 0, done.stderr
    refused = host.ssh("shifts", "--mine")
    assert refused.returncode == 255 and "Permission denied (publickey)" in refused.stderr
    assert host.auth.read_text().startswith("# the account's own keys stay as they are\n")


def test_an_inactive_person_is_refused_even_with_their_line_left(host):
    # Deactivated by another program (the line stays in authorized_keys): warmline ssh refuses anyway.
    db = open_db(host.db)
    try:
        with db.transaction() as conn:
            conn.execute("UPDATE person SET active = 0 WHERE handle = 'ana'")
    finally:
        db.close()
    done = host.ssh("shifts", "--mine")
    assert done.returncode == 1 and "cannot sign in as ana" in done.stderr, done.stderr


# ---------------------------------------------------------------- notifications on the volunteer's desktop


DESKTOP = DUNST_PRELUDE + r"""
if [ "$up" = yes ]; then
    close_all
    for run in 1 2 3; do
        "$WARMLINE" notify --once --remote "$DEST" >"$out/run$run.out" 2>"$out/run$run.err"
        echo $? >"$out/run$run.rc"
        close_all
        dunstctl history >"$out/history$run.json"
    done
fi
kill "$dunst_pid" 2>/dev/null
wait "$dunst_pid" 2>/dev/null
exit 0
"""

CUTTING_SSH = r"""#!/bin/sh
# Real ssh, except that the first $CUTS confirms are cut (the connection "drops" before the host hears).
case "$*" in
  *"notify confirm"*)
    echo confirm >>"$CUT_LOG"
    if [ "$(grep -c confirm "$CUT_LOG")" -le "$CUTS" ]; then echo "Connection to host closed." >&2; exit 255; fi ;;
esac
exec "$@"
"""


def cutting_ssh(host: Host, cuts: int) -> dict[str, str]:
    wrapper = host.tmp / "cutting-ssh"
    wrapper.write_text(CUTTING_SSH)
    wrapper.chmod(0o755)
    return {
        "WARMLINE_SSH_COMMAND": " ".join(shlex.quote(a) for a in [str(wrapper), *host.ssh_argv()]),
        "CUT_LOG": str(host.tmp / "cuts.log"),
        "CUTS": str(cuts),
    }


def summaries(path: Path) -> list[str]:
    data = json.loads(path.read_text())
    return [entry["summary"]["data"] for group in data["data"] for entry in group]


def test_notify_remote_reaches_a_real_desktop_exactly_once_across_a_cut(host, tmp_path):
    for tool in ("xvfb-run", "dbus-run-session", "dunst", "dunstctl", "notify-send", "dbus-send"):
        require_tool(tool)
    out = tmp_path / "out"
    out.mkdir()
    script = tmp_path / "desktop.sh"
    script.write_text(DESKTOP)
    home = tmp_path / "volunteer"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WARMLINE_", "DBUS_", "XDG_"))}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        WARMLINE=str(warmline_script()),
        DEST=host.dest,
        PYTHONDONTWRITEBYTECODE="1",
        **cutting_ssh(host, cuts=1),
    )
    subprocess.run(
        ["xvfb-run", "-a", "dbus-run-session", "--", "bash", str(script), str(out)],
        env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert (out / "up").read_text().strip() == "yes", (out / "dunst.log").read_text()
    reminder = f"Shift in 15 min: {host.start_utc:%a %H:%M}–{host.start_utc + timedelta(hours=2):%H:%M}"
    handoff = f"Handoff in 15 min: {host.start_utc:%a %H:%M}"
    # Run 1: shown on the desktop, then the confirm is cut.
    assert (out / "run1.rc").read_text().strip() == "1"
    first = (out / "run1.out").read_text()
    assert f"{reminder} (desktop)" in first and f"{handoff} (desktop)" in first, first
    assert (out / "run1.err").read_text().startswith("error: cannot reach")
    for title in (reminder, handoff):
        assert summaries(out / "history1.json").count(title) == 1
    # Run 2: the leftovers are confirmed first; nothing is shown again.
    assert (out / "run2.rc").read_text().strip() == "0", (out / "run2.err").read_text()
    assert host.notifications()[reminder] == host.notifications()[handoff] == ("sent", "remote")
    assert (host.tmp / "cuts.log").read_text().split() == ["confirm", "confirm"]  # run 2's went through
    # Run 3: nothing due; each was shown exactly once.
    assert (out / "run3.out").read_text().strip() == f"Nothing due from {host.dest}."
    for history in ("history2.json", "history3.json"):
        shown = summaries(out / history)
        assert shown.count(reminder) == shown.count(handoff) == 1, shown
    assert not any("Shift in 1 h" in s for s in summaries(out / "history3.json"))  # the nearer reminder only


def test_cuts_between_pull_and_confirm_lose_and_duplicate_nothing(host, tmp_path):
    seen = tmp_path / "seen.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARMLINE_")}
    env.update(
        XDG_DATA_HOME=str(tmp_path / "volunteer-data"),
        WARMLINE_NOTIFY_CHANNEL=f"file:{seen}",  # the test seam: each shown id appended to a file
        PYTHONDONTWRITEBYTECODE="1",
        **cutting_ssh(host, cuts=3),
    )
    runs = []
    for _ in range(6):  # bounded: three cut confirms, then one that goes through
        runs.append(subprocess.run(
            [str(warmline_script()), "notify", "--once", "--remote", host.dest],
            env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        ))
        if all(state == ("sent", "remote") for state in host.notifications().values()):
            break
    assert [r.returncode for r in runs] == [1, 0, 0, 0], [r.stdout + r.stderr for r in runs]
    ids = seen.read_text().split()
    assert len(ids) == len(set(ids)) == len(host.notifications()) == 2  # ana's reminder and handoff
