"""SIGKILL at random moments of a loop of mixed writes: the rota is never corrupted, never loses a
committed change, and never holds a change without its audit row.

A worker process (`reliability_workload.py kill-loop`) does claims, drops, assigns, unassigns,
add_shift, add_series, edit_shift, cancel_shift and limit edits through the core as fast as it
can, journalling each op before it runs and its audit id once the commit has returned. The test
SIGKILLs it after a random 20-300 ms, starts a new one, and after every kill checks:

* the file opens (WAL recovery) and `rota.check` finds no error;
* durability: every op journalled as done has its audit row, with the op's action;
* atomicity with the audit log: a mirror copy of the file, on which the parent replays exactly the
  ops the worker finished (plus the one in flight only if the file holds its audit row), is equal,
  table by table and row by row, to the killed file. So nothing committed without its audit row,
  no audited change is missing or partial, and no refused op left a trace.

At the end `warmline check` (the real CLI) exits 0.

A SIGKILL leaves what the process had written in the OS page cache, so this proves atomicity and
recovery, not power-loss durability; that rests on synchronous=FULL, which each worker reports.
tests/unit/test_crash.py freezes single big transactions at chosen points and kills them there.

Workers are forked by a small server that imported warmline once, so a kill cycle costs the kill
delay plus the checks, not an interpreter start; each worker is a fresh process that opens its own
connection after the fork. Every worker also traces its statements: a write run while the
connection is not inside a transaction (it would commit on its own, without its audit row) fails
the test even when no kill happens to land next to it.

Sizes: 50 kills (about 20-25 s). WARMLINE_LONG=1 runs 200. The seed is random and printed; set
WARMLINE_SEED=N to run the same op and kill-delay sequence again.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_workload import ACTION, NOW, WARMLINE, actor_of, apply, audit_max, differences, dump, env, make_line

from warmline import rota
from warmline.db import open_db

LONG = os.environ.get("WARMLINE_LONG", "") == "1"
KILLS = 200 if LONG else 50
DELAY_MS = (20, 300)
WORKER = Path(__file__).with_name("reliability_workload.py")
READY_TIMEOUT = 30


def seed_for_run() -> int:
    chosen = os.environ.get("WARMLINE_SEED")
    return int(chosen) if chosen else random.SystemRandom().randrange(1, 2**31)


def read_journal(path: Path) -> tuple[list[dict], dict[int, dict]]:
    """The ops begun (in order) and how each ended: {"done", "audit"} or {"refused"}."""
    begun: list[dict] = []
    ended: dict[int, dict] = {}
    if not path.exists():
        return begun, ended
    for line in path.read_text().splitlines():
        entry = json.loads(line)  # one write per line: a kill never leaves half of one
        if "i" in entry:
            begun.append(entry)
        else:
            ended[entry.get("done", entry.get("refused"))] = entry
    return begun, ended


class Workers:
    """The fork server (`reliability_workload.py fork-server`): each `start` forks a fresh worker
    process that opens its own connection; `kill` SIGKILLs it and returns how it ended."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER), "fork-server"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env(),
        )
        self.pending = b""  # read from the pipe's fd directly: a buffered reader would hide lines from select

    def _has_line(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.pending:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0.0, left))
            if not ready:
                return False
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                return False
            self.pending += chunk
        return True

    def _line(self, tag: str, timeout: float = READY_TIMEOUT) -> str:
        if not self._has_line(timeout):
            pytest.fail(f"{tag}: the fork server said nothing (timeout or exit):\n{self.close()}")
        line, self.pending = self.pending.split(b"\n", 1)
        return line.decode().strip()

    def start(self, args: dict, tag: str) -> tuple[int, str]:
        """Fork a worker; return (pid, its ready line) once it has opened the rota."""
        self.proc.stdin.write((json.dumps(args) + "\n").encode())
        self.proc.stdin.flush()
        pid, said = None, None
        while pid is None or said is None:
            line = self._line(tag)
            if line.startswith("pid "):
                pid = int(line.split()[1])
            elif line.startswith("ready "):
                said = line
            elif line.startswith("exit "):
                pytest.fail(f"{tag}: the worker exited ({line}) before it was ready:\n{self.close()}")
        return pid, said

    def ended_by_itself(self) -> bool:
        return self._has_line(0)

    def kill(self, pid: int, tag: str) -> None:
        """SIGKILL the worker, unless it already stopped by itself (a bug: it only stops when killed)."""
        if self.ended_by_itself():
            pytest.fail(f"{tag}: the worker stopped by itself ({self._line(tag)}):\n{self.close()}")
        os.kill(pid, signal.SIGKILL)
        line = self._line(tag, timeout=10)
        _, who, status = line.split()
        assert int(who) == pid, line
        status = int(status)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, f"{tag}: {line}"

    def close(self) -> str:
        """Stop the server; return what it (or a worker) wrote on stderr."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        return self.proc.stderr.read().decode(errors="replace")


@pytest.mark.slow
def test_sigkill_at_random_points_of_mixed_writes(tmp_path, monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    seed = seed_for_run()
    print(f"seed {seed} (WARMLINE_SEED={seed} repeats it); {KILLS} kills")
    rng = random.Random(seed)
    started = time.monotonic()

    path = tmp_path / "rota.db"
    make_line(path).close()
    mirror_path = tmp_path / "mirror.db"
    with open_db(path) as real, open_db(mirror_path, create=True) as fresh:
        real.conn.backup(fresh.conn)
    mirror = open_db(mirror_path)
    workers = Workers()

    stats = {"done": 0, "refused": 0, "killed_mid_op": 0, "in_flight_committed": 0}
    try:
        for n in range(KILLS):
            tag = f"seed {seed}, kill {n}"
            journal = tmp_path / f"journal-{n}.jsonl"
            pid, said = workers.start(
                {"db": str(path), "journal": str(journal), "seed": rng.randrange(2**31)}, tag
            )
            assert said == "ready synchronous=2 journal_mode=wal", f"{tag}: {said}"
            time.sleep(rng.uniform(*DELAY_MS) / 1000)
            workers.kill(pid, tag)

            begun, ended = read_journal(journal)
            unfinished = [b for b in begun if b["i"] not in ended]
            assert [b["i"] for b in unfinished] in ([], [begun[-1]["i"]] if begun else []), (
                f"{tag}: only the last op may be unfinished: {unfinished}"
            )
            in_flight = unfinished[0] if unfinished else None
            strays = [(b["op"], ended[b["i"]]["stray"]) for b in begun if ended.get(b["i"], {}).get("stray")]
            assert not strays, f"{tag}: writes outside the write transaction (no audit row with them): {strays[:3]}"
            done = [b for b in begun if "done" in ended.get(b["i"], {})]
            stats["done"] += len(done)
            stats["refused"] += len(begun) - len(done) - len(unfinished)
            stats["killed_mid_op"] += bool(in_flight)

            with open_db(path) as db:
                report = rota.check(db.conn)
                assert report.ok, f"{tag}: {report.errors}"
                # Durability: each change the worker saw commit has its audit row, in order.
                last = audit_max(mirror.conn)
                for b in done:
                    audit_id = ended[b["i"]]["audit"]
                    row = db.conn.execute("SELECT actor, action, subject FROM audit WHERE id = ?", (audit_id,)).fetchone()
                    assert row is not None, f"{tag}: {b['op']} #{b['i']} committed (audit {audit_id}) but is gone"
                    expected = (actor_of(b["op"], b["args"]), ACTION[b["op"]], ended[b["i"]]["subject"])
                    assert tuple(row) == expected, f"{tag}: audit {audit_id} is {tuple(row)}, not {expected}"
                    assert audit_id > last, f"{tag}: audit ids out of order at #{b['i']}"
                    last = audit_id
                # Replay exactly what finished on the mirror ...
                for b in done:
                    subject = apply(mirror, b["op"], b["args"])
                    assert (audit_max(mirror.conn), subject) == (ended[b["i"]]["audit"], ended[b["i"]]["subject"]), (
                        f"{tag}: the replay of #{b['i']} differs"
                    )
                # ... and the op in flight only if the killed file kept its audit row.
                if in_flight is not None and audit_max(db.conn) > audit_max(mirror.conn):
                    apply(mirror, in_flight["op"], in_flight["args"])
                    stats["in_flight_committed"] += 1
                killed, replayed = dump(db.conn), dump(mirror.conn)
                assert killed == replayed, (
                    f"{tag}: the killed file is not the sum of its audited changes "
                    f"(in flight: {in_flight}):\n" + "\n".join(differences(killed, replayed))
                )
    finally:
        mirror.close()
        leftover = workers.close()
    assert "Traceback" not in leftover, leftover

    checked = subprocess.run(
        [str(WARMLINE), "check"], capture_output=True, text=True, timeout=60, env=env(WARMLINE_DB=str(path)),
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    elapsed = time.monotonic() - started
    print(f"{KILLS} kills in {elapsed:.1f} s: {stats}")
    assert stats["done"] >= KILLS, f"too few writes committed between kills to mean anything: {stats}"
    assert stats["killed_mid_op"] >= KILLS // 2, f"most kills should land inside an op: {stats}"
