"""A line on many machines (issue 14): the app over ssh, and a notification reaching a remote desktop.

  ssh start-up   `ssh -t` over loopback to Home drawn (a real sshd started here, the key's forced
                 command `warmline ssh ana --key FP`), against `warmline --db ROTA` started
                 locally, both in tmux (100 x 30), timed from `tmux new-session` to Home's text
                 on the captured pane (polled every 10 ms). Interleaved runs, medians.
                 Target: <= 1.5x.
  remote notify  `warmline notify --daemon --remote DEST --interval 5` on "the volunteer's machine"
                 (dunst under Xvfb and a private D-Bus session): a shift of ana's is moved (a
                 'changed' notification, due at once) and the time from that commit to dunst
                 showing it is taken; 20 samples, median and worst. Target: worst <= interval + 2 s.

Needs sshd (/usr/sbin/sshd, with /run/sshd), ssh, ssh-keygen, tmux; the second figure also
xvfb-run, dbus-run-session, dunst, dunstctl, notify-send. A missing tool skips the figure (said
on stderr). Run `python -m benchmarks --only ssh`.
"""

from __future__ import annotations

import json
import os
import pwd
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .common import Figure, cache_dir, progress, time_in_tmux

RUNS = 7
SAMPLES = 20
INTERVAL = 5
HOME_TEXT = "Your shifts"
WAIT = 60.0


def _tools(*names: str) -> bool:
    missing = [n for n in names if not (shutil.which(n) or (n == "sshd" and os.path.exists("/usr/sbin/sshd")))]
    if missing:
        print(f"  ssh: skipped ({', '.join(missing)} not installed)", file=sys.stderr)
    return not missing


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Host:
    """A rota with ana (the OS user's person, so a local start opens her Home too), served by sshd."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.db = tmp / "rota.db"
        self.user = pwd.getpwuid(os.getuid()).pw_name
        self.port = _free_port()
        self.key = tmp / "ana_ed25519"
        self.auth = tmp / "authorized_keys"
        self.warmline = str(Path(sys.executable).parent / "warmline")
        self.pycache = str(cache_dir() / "pycache")
        self.proc: subprocess.Popen | None = None

    def env(self, **extra: str) -> dict[str, str]:
        drop = ("WARMLINE_AS", "WARMLINE_PASSPHRASE", "WARMLINE_DB", "WARMLINE_NOW", "PYTHONDONTWRITEBYTECODE")
        env = {k: v for k, v in os.environ.items() if k not in drop}
        env.update(PYTHONPYCACHEPREFIX=self.pycache, **extra)
        return env

    def build(self) -> None:
        from warmline import people, rota
        from warmline.db import open_db
        from warmline.line import create

        db = open_db(self.db, create=True)
        try:
            create(db, name="Harbor", tz="UTC", actor="ana", first_coordinator=("ana", "Ana", self.user))
            ana = people.get(db.conn, "ana")
            now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
            self.shift_ids = []
            for day in range(1, 15):
                s = rota.add_shift(db, ana, start=now + timedelta(days=day), end=now + timedelta(days=day, hours=4), seats=2, backup=0)
                rota.assign(db, ana, s.id, "ana", force=True)  # limits (overnights, hours) are not what is measured
                self.shift_ids.append(s.id)
        finally:
            db.close()
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(self.key)], check=True, timeout=30)
        # A second key whose forced command is `true`, outside warmline's block: the connection's own cost.
        self.bare_key = self.tmp / "bare_ed25519"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(self.bare_key)], check=True, timeout=30)
        self.auth.write_text(f'command="true",restrict {Path(f"{self.bare_key}.pub").read_text().strip()}\n')
        subprocess.run(
            [self.warmline, "--db", str(self.db), "keys", "add", "ana", f"{self.key}.pub", "--authorized-keys", str(self.auth)],
            env=self.env(), check=True, capture_output=True, timeout=60,
        )

    def start(self) -> None:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        hostkey = self.tmp / "host_ed25519"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(hostkey)], check=True, timeout=30)
        config = self.tmp / "sshd_config"
        config.write_text("\n".join([
            "ListenAddress 127.0.0.1", f"Port {self.port}", f"HostKey {hostkey}", "PidFile none", "UsePAM no",
            "StrictModes no", f"AuthorizedKeysFile {self.auth}", "PermitRootLogin prohibit-password",
            "PasswordAuthentication no", "KbdInteractiveAuthentication no", f"AllowUsers {self.user}",
            # sshd runs a key's forced command through the account's shell, and Debian's bash then
            # reads the account's ~/.bashrc. The README's host is a dedicated account, whose default
            # .bashrc returns at once for a command; this benchmark runs as whoever starts it (root
            # here, whose .bashrc runs `pyenv init`: 150-250 ms of every connection). SHLVL=1 makes
            # that bash a nested one, which skips ~/.bashrc: OpenSSH and warmline are measured, not
            # this machine's shell start-up files. (One SetEnv line: sshd keeps only the first.)
            f"SetEnv PYTHONPYCACHEPREFIX={self.pycache} SHLVL=1",
        ]) + "\n")
        sshd = shutil.which("sshd") or "/usr/sbin/sshd"
        self.proc = subprocess.Popen([sshd, "-D", "-e", "-f", str(config)], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("sshd did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def ssh_argv(self) -> list[str]:
        return ["ssh", "-F", "/dev/null", "-i", str(self.key), "-o", "IdentitiesOnly=yes",
                "-o", f"UserKnownHostsFile={self.tmp / 'known_hosts'}", "-o", "StrictHostKeyChecking=accept-new",
                "-p", str(self.port)]

    @property
    def dest(self) -> str:
        return f"{self.user}@127.0.0.1"


def _time_to_home(command: list[str], env: dict[str, str]) -> float:
    """Seconds from starting `command` in a fresh tmux (100 x 30) to Home's text on the pane; then quit."""
    return time_in_tmux(command, env, lambda pane: HOME_TEXT in pane and "ana" in pane, wait=WAIT)


def _startup(host: _Host) -> list[Figure]:
    term = {"TERM": "xterm-256color", "LANG": "C.UTF-8", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    local_env = {**term, "PYTHONPYCACHEPREFIX": host.pycache, "HOME": os.environ.get("HOME", "/root")}
    local = [host.warmline, "--db", str(host.db)]
    remote = [*host.ssh_argv(), "-t", host.dest]
    _time_to_home(remote, term)  # the host key accepted, the caches warm
    _time_to_home(local, local_env)
    # Connection sharing, as the README suggests to volunteers (ControlMaster/ControlPersist in their
    # ~/.ssh/config): a master connection made once, each `ssh -t` a new session over it (the key's
    # forced command still runs: sshd applies it to every session).
    path = f"ControlPath={host.tmp / 'cm-%C'}"
    master = subprocess.Popen([*host.ssh_argv(), "-o", "ControlMaster=yes", "-o", path, "-N", host.dest],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shared = [*host.ssh_argv(), "-o", path, "-t", host.dest]
    try:
        ready = False
        for _ in range(200):  # up to 20 s for the master to be up
            check = subprocess.run([*host.ssh_argv(), "-o", path, "-O", "check", host.dest],
                                   capture_output=True, timeout=15)
            if check.returncode == 0:
                ready = True
                break
            time.sleep(0.1)
        if not ready:
            raise RuntimeError("the ssh master connection did not come up")
        _time_to_home(shared, term)
        progress(f"timing {RUNS} interleaved starts in tmux: local, ssh -t over loopback, and over a shared connection")
        times: tuple[list[float], list[float], list[float]] = ([], [], [])
        for _ in range(RUNS):
            times[0].append(_time_to_home(local, local_env))
            times[1].append(_time_to_home(remote, term))
            times[2].append(_time_to_home(shared, term))
    finally:
        master.terminate()
        master.wait(timeout=15)
    base, over, reused = (statistics.median(t) for t in times)
    bare = [str(host.bare_key) if a == str(host.key) else a for a in host.ssh_argv()] + ["-o", "BatchMode=yes", host.dest]
    connect: list[float] = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(bare, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        connect.append(time.perf_counter() - started)
    return [
        Figure("ssh -t to Home drawn (loopback, tmux)", over, "s", "local start", base, "<= 1.5x", over <= 1.5 * base),
        # OpenSSH's own share: connect, key exchange, sign in, run `true`, close (no warmline at all).
        Figure("  ssh connection alone (forced `true`)", statistics.median(connect), "s", "local start", base),
        Figure("  ssh -t over a shared connection (ControlMaster)", reused, "s", "local start", base, "<= 1.5x",
               reused <= 1.5 * base),
    ]


_DESKTOP = r"""
echo "$DBUS_SESSION_BUS_ADDRESS" >"$1.tmp" && mv "$1.tmp" "$1"
exec dunst
"""


def _latency(host: _Host) -> list[Figure]:
    from warmline import people, rota
    from warmline.db import open_db

    script = host.tmp / "desktop.sh"
    script.write_text(_DESKTOP)
    bus_file = host.tmp / "bus"
    home = host.tmp / "volunteer"
    home.mkdir()
    desk_env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "XDG_"))}
    desk_env.pop("DISPLAY", None)
    desk_env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local/share"))
    desktop = subprocess.Popen(["xvfb-run", "-a", "dbus-run-session", "--", "sh", str(script), str(bus_file)],
                               env=desk_env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    daemon = None
    try:
        deadline = time.monotonic() + 20
        while not bus_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        env = host.env(DBUS_SESSION_BUS_ADDRESS=bus_file.read_text().strip(), HOME=str(home),
                       XDG_DATA_HOME=str(home / ".local/share"),
                       WARMLINE_SSH_COMMAND=" ".join(map(shlex.quote, host.ssh_argv())))

        def shown() -> int:
            out = subprocess.run(["dunstctl", "history"], env=env, capture_output=True, text=True, timeout=10).stdout
            displayed = subprocess.run(["dunstctl", "count", "displayed"], env=env, capture_output=True, text=True, timeout=10)
            try:
                history = sum(len(g) for g in json.loads(out)["data"])
            except (ValueError, KeyError):
                history = 0
            return history + int(displayed.stdout.strip() or 0)

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                shown()
                break
            except (ValueError, subprocess.SubprocessError):
                time.sleep(0.1)
        daemon = subprocess.Popen([host.warmline, "notify", "--daemon", "--remote", host.dest, "--interval", str(INTERVAL)],
                                  env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        db = open_db(host.db)
        ana = people.get(db.conn, "ana")
        progress(f"timing {SAMPLES} notifications from a rota change to dunst (daemon interval {INTERVAL} s)")
        samples = []
        time.sleep(INTERVAL + 1)  # the daemon's first round is done
        for i in range(SAMPLES):
            before = shown()
            shift = rota.get_shift(db.conn, host.shift_ids[i % len(host.shift_ids)])
            rota.edit_shift(db, ana, shift.id, start=shift.start_utc + timedelta(minutes=1), end=shift.end_utc, force=True)
            committed = time.perf_counter()
            deadline = committed + INTERVAL + 30
            while shown() <= before and time.perf_counter() < deadline:
                time.sleep(0.02)
            samples.append(time.perf_counter() - committed)
            time.sleep((i % 5) * INTERVAL / 5)  # changes at different moments of the daemon's cycle
        db.close()
    finally:
        if daemon is not None:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=20)
        os.killpg(desktop.pid, signal.SIGTERM)
        desktop.wait(timeout=20)
    limit = INTERVAL + 2
    return [
        Figure(f"remote notify: change to dunst, median of {SAMPLES}", statistics.median(samples), "s",
               target=f"<= {limit} s", meets=statistics.median(samples) <= limit),
        Figure(f"  the same, worst of {SAMPLES}", max(samples), "s", target=f"<= {limit} s", meets=max(samples) <= limit),
    ]


def figures() -> list[Figure]:
    """ssh -t start-up against a local start, and a notification's way to a remote desktop."""
    if not _tools("sshd", "ssh", "ssh-keygen", "tmux"):
        return []
    rows: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="warmline-bench-ssh-") as tmp:
        host = _Host(Path(tmp))
        host.build()
        host.start()
        try:
            rows += _startup(host)
            if _tools("xvfb-run", "dbus-run-session", "dunst", "dunstctl", "notify-send"):
                rows += _latency(host)
        finally:
            host.stop()
    return rows


if __name__ == "__main__":
    for f in figures():
        print(f)
