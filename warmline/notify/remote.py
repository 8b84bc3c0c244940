"""`warmline notify --once|--daemon --remote DEST`: a volunteer's own machine shows the notifications
of a rota hosted elsewhere, fetched over ssh through their key's forced command.

One round: confirm what an earlier round showed but could not confirm; `ssh DEST notify pull
--json` (the host leases what it returns, notify/lease.py); show each on this desktop (the
desktop channel, with its failure detection); remember each shown id in a small file in the
data dir; `ssh DEST notify confirm --json IDS`; forget the ids the host answered for.

So a connection cut between pull and confirm loses nothing (the host's lease lapses and the
row is pulled again) and shows nothing twice (a row pulled again whose id is remembered is
confirmed without being shown). Only a crash between showing a notification and writing its
id down (a few milliseconds) could show it again.

ssh is run as `ssh -o BatchMode=yes -o ConnectTimeout=10 -- DEST ...`, so the person's own
~/.ssh/config (host aliases, keys, ports) applies; WARMLINE_SSH_COMMAND replaces `ssh` (like
GIT_SSH_COMMAND: e.g. "ssh -F ~/other_config").
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import Invalid, WarmlineError
from . import channels as chan

CONNECT_TIMEOUT = 10
CALL_TIMEOUT = 60  # one whole ssh call
MAX_BACKOFF = 300
MAX_ANSWER = 1_000_000
STEP_SECONDS = 0.2


class RemoteError(WarmlineError):
    """The host could not be reached (`reached` False) or answered with an error (`reached` True)."""

    def __init__(self, message: str, *, reached: bool) -> None:
        super().__init__(message)
        self.reached = reached


@dataclass(frozen=True)
class Pulled:
    """One notification as the host sent it (its id is the host's outbox row)."""

    id: int
    kind: str
    title: str
    body: str


@dataclass(frozen=True)
class Outcome:
    """What happened to one pulled notification here: shown, confirmed (shown before), or not shown and why."""

    notification: Pulled
    result: str  # shown | confirmed | not shown
    channel: str | None = None
    error: str | None = None

    def describe(self) -> str:
        n = self.notification
        if self.result == "shown":
            return f"shown #{n.id} {n.title} ({self.channel})"
        if self.result == "confirmed":
            return f"confirmed #{n.id} {n.title} (shown here before the connection dropped)"
        return f"not shown #{n.id} {n.title}: {self.error}; the host offers it again in 2 min"

    def as_json(self) -> dict:
        n = self.notification
        return {"id": n.id, "kind": n.kind, "title": n.title, "result": self.result, "channel": self.channel, "error": self.error}


# ---------------------------------------------------------------- ssh


def check_dest(dest: str) -> str:
    """An ssh destination as given (user@host, host, an alias from ~/.ssh/config); Invalid if it cannot be one."""
    text = (dest or "").strip()
    if not text or text.startswith("-") or any(ch.isspace() or not ch.isprintable() for ch in text) or len(text) > 255:
        raise Invalid(f"--remote {str(dest)[:60]!r} is not an ssh destination: give e.g. ana@rota.example.org or a Host from ~/.ssh/config")
    return text


def ssh_base() -> list[str]:
    """The ssh program and its own options: WARMLINE_SSH_COMMAND (split like a shell) or `ssh`."""
    value = os.environ.get("WARMLINE_SSH_COMMAND", "").strip()
    try:
        argv = shlex.split(value) if value else ["ssh"]
    except ValueError:
        raise Invalid("WARMLINE_SSH_COMMAND cannot be split into words: check its quotes, or unset it") from None
    return argv or ["ssh"]


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("Warning: Permanently added")]
    errors = [line for line in lines if line.startswith("error:")]
    return ((errors or lines or [""])[-1 if errors else 0])[:200]


def call(dest: str, *args: str, timeout: float = CALL_TIMEOUT) -> str:
    """Run `warmline ARGS` on DEST through ssh (the key's forced command) and return what it printed."""
    argv = [
        *ssh_base(), "-o", "BatchMode=yes", "-o", f"ConnectTimeout={CONNECT_TIMEOUT}",
        "-o", "ServerAliveInterval=10", "-o", "ServerAliveCountMax=3", "--", dest, *args,
    ]
    try:
        done = subprocess.run(argv, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise RemoteError(f"cannot reach {dest}: no answer within {timeout:g} s", reached=False) from None
    except OSError as exc:
        raise RemoteError(f"cannot run {argv[0]} ({exc.strerror}): install OpenSSH's client", reached=False) from None
    err = done.stderr.decode("utf-8", "replace")
    if done.returncode == 255:
        raise RemoteError(f"cannot reach {dest}: {_first_line(err) or 'ssh failed'}", reached=False)
    if done.returncode != 0:
        why = _first_line(err).removeprefix("error:").strip() or f"exit {done.returncode}"
        raise RemoteError(f"{dest} refused: {why}", reached=True)
    if len(done.stdout) > MAX_ANSWER:
        raise RemoteError(f"{dest} answered with more than {MAX_ANSWER} bytes: is it warmline?", reached=True)
    return done.stdout.decode("utf-8", "replace")


def _json(dest: str, text: str):
    try:
        return json.loads(text)
    except ValueError:
        raise RemoteError(
            f"{dest} did not answer as warmline does (is its key's forced command `warmline ssh`?)", reached=True
        ) from None


def pull(dest: str) -> list[Pulled]:
    """`notify pull --json` on DEST: the person's due notifications, leased to this machine for 2 minutes."""
    data = _json(dest, call(dest, "notify", "pull", "--json"))
    if not isinstance(data, list):
        raise RemoteError(f"{dest} did not answer as warmline does (a list of notifications)", reached=True)
    found = []
    for row in data:
        if not (isinstance(row, dict) and type(row.get("id")) is int and row["id"] > 0
                and isinstance(row.get("title"), str) and isinstance(row.get("body"), str)):
            raise RemoteError(f"{dest} did not answer as warmline does (a notification without id, title, body)", reached=True)
        found.append(Pulled(row["id"], str(row.get("kind") or ""), row["title"][:300], row["body"][:2000]))
    return found


def confirm(dest: str, ids: list[int]) -> list[int]:
    """`notify confirm --json IDS` on DEST; returns the ids the host answered for (sent, already, unknown)."""
    data = _json(dest, call(dest, "notify", "confirm", "--json", *map(str, ids)))
    if not isinstance(data, list):
        raise RemoteError(f"{dest} did not answer as warmline does (a list of confirmations)", reached=True)
    return [row["id"] for row in data if isinstance(row, dict) and type(row.get("id")) is int]


# ---------------------------------------------------------------- what this machine has shown


class ShownIds:
    """The ids shown here but not yet confirmed by DEST: a small JSON file in the data dir, one per destination."""

    def __init__(self, dest: str, directory: Path | None = None) -> None:
        if directory is None:
            import platformdirs

            directory = platformdirs.user_data_path("warmline") / "remote"
        slug = re.sub(r"[^A-Za-z0-9.@_-]+", "_", dest)[:60]
        digest = hashlib.sha256(dest.encode()).hexdigest()[:12]
        self.dest = dest
        self.path = directory / f"shown-{slug}-{digest}.json"

    def ids(self) -> list[int]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return []
        except (OSError, ValueError):
            return []  # unreadable: at worst one notification is shown again
        found = data.get("shown") if isinstance(data, dict) else None
        return [i for i in found if type(i) is int] if isinstance(found, list) else []

    def _write(self, ids: list[int]) -> None:
        parent = self.path.parent
        parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, json.dumps({"dest": self.dest, "shown": ids}).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)

    def add(self, i: int) -> None:
        ids = self.ids()
        if i not in ids:
            self._write([*ids, i][-1000:])

    def forget(self, done: list[int]) -> None:
        ids = self.ids()
        kept = [i for i in ids if i not in set(done)]
        if kept != ids:
            self._write(kept)


# ---------------------------------------------------------------- one round, and the daemon


def _targets() -> list:
    seam = chan.from_env()
    return seam if seam is not None else [chan.DesktopChannel()]


def deliver_remote(
    dest: str, shown: ShownIds, *, targets: list | None = None, report: Callable[[Outcome], None] | None = None
) -> list[Outcome]:
    """One round for DEST: confirm leftovers, pull, show what is new, confirm. Raises RemoteError.

    `report` is told each outcome as it happens (so what was shown is said even when the confirm fails)."""
    targets = _targets() if targets is None else targets
    report = report or (lambda o: None)
    leftovers = shown.ids()
    if leftovers:
        try:
            shown.forget(confirm(dest, leftovers))
        except RemoteError:
            pass  # still recorded: if the pull below returns them again, they are confirmed, not shown
    outcomes: list[Outcome] = []
    done: list[int] = []
    for n in pull(dest):
        if n.id in shown.ids():
            outcomes.append(Outcome(n, "confirmed"))
            report(outcomes[-1])
            done.append(n.id)
            continue
        reached, errors = [], []
        for target in targets:
            try:
                target.send(n)
                reached.append(target.name)
            except chan.ChannelError as exc:
                errors.append(str(exc))
            except Exception as exc:  # noqa: BLE001 - a channel bug is a notification not shown, never a crash
                errors.append(f"{target.name}: unexpected {type(exc).__name__}")
        if reached:
            shown.add(n.id)  # before confirming: a cut from here on never shows it again
            done.append(n.id)
            outcomes.append(Outcome(n, "shown", ",".join(reached), "; ".join(errors) or None))
        else:
            outcomes.append(Outcome(n, "not shown", error="; ".join(errors) or "no channel"))
        report(outcomes[-1])
    if done:
        shown.forget(confirm(dest, done))
    return outcomes


def run_remote_daemon(
    dest: str,
    *,
    interval: float,
    report: Callable[[Outcome], None],
    warn: Callable[[str], None],
    max_rounds: int | None = None,
    shown: ShownIds | None = None,
) -> str:
    """Rounds every `interval` seconds until SIGTERM or SIGINT. An unreachable host is said once and retried
    with backoff (doubling, up to 5 min); so is a refusal. Returns the name of what stopped it."""
    from .delivery import _Stop

    shown = shown or ShownIds(dest)
    stop = _Stop()
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    failures = 0
    said: str | None = None
    rounds = 0
    try:
        while stop.signal is None:
            began = time.monotonic()
            try:
                deliver_remote(dest, shown, report=report)
                if failures:
                    warn(f"reached {dest} again")
                failures, wait = 0, float(interval)
                said = None
            except Exception as exc:  # noqa: BLE001 - the daemon says what went wrong and carries on
                failures += 1
                wait = min(float(interval) * 2 ** min(failures, 12), max(float(MAX_BACKOFF), float(interval)))
                message = str(exc) if isinstance(exc, WarmlineError) else f"this round failed ({type(exc).__name__}: {exc})"
                if message != said:
                    warn(f"{message}; trying again with backoff (at most every {max(MAX_BACKOFF, interval) / 60:g} min)")
                    said = message
            rounds += 1
            if max_rounds is not None and rounds >= max_rounds:
                return "done"
            # Rounds start every `interval` seconds (not `interval` after the last one ended), so a
            # notification due just after a pull is shown within the interval plus one pull.
            deadline = began + wait
            while stop.signal is None and time.monotonic() < deadline:
                time.sleep(min(STEP_SECONDS, max(0.0, deadline - time.monotonic())))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return signal.Signals(stop.signal).name
