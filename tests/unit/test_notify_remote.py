"""Notifications pulled over ssh (issue 14 §2): the lease, confirm, and `notify --remote` across
connection cuts and an unreachable host.

In-process tests cover the lease (`notify/lease.py`) with explicit times. The process tests run
the installed `warmline notify --once --remote DEST` with WARMLINE_SSH_COMMAND set to a stand-in
for ssh (a shell script, FAKE_SSH below): it runs the key's forced command, `warmline ssh ana
--key FP`, with SSH_ORIGINAL_COMMAND set, as sshd would, and cuts chosen calls (exit 255, as
ssh does when a connection drops). Notifications are counted with the WARMLINE_NOTIFY_CHANNEL
file seam. The same flows against a real sshd and a real desktop are in tests/system/test_ssh.py.

The in-process rota (`hosted`; Monday 23 Nov 2026, New York, the clock fixed at 08:00): ben
07:00–08:10, ana 08:10–12:00, so ana has two notifications due: her 15-minute reminder and the
handoff from ben. The forced command drops WARMLINE_NOW (a clock the ssh client could send never
moves a decision on the host), so the process tests' rota (`hosted_now`) is the same shape around
the real present: ben from 1 h ago to 10 min from now, ana from then for 3 h 50 min. Where the
host's time must move on (a lease lapsing), the test moves the lease's timestamp back in the rota
file instead.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import FIXED_NOW, warmline_script
from warmline import keys, people, rota
from warmline.clock import real_now
from warmline.db import iso_utc, open_db
from warmline.notify import lease, outbox

TZ = ZoneInfo("America/New_York")
NOW = datetime.fromisoformat(FIXED_NOW)
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIENpq1qsjI1qX1mCK8vofINXLLfOELCEd9xNc2xc4Fn7 ana@laptop"

FAKE_SSH = r"""#!/bin/sh
# A stand-in for ssh: runs the key's forced command here, as sshd would, and cuts chosen calls.
while [ $# -gt 0 ] && [ "$1" != "--" ]; do shift; done
shift
dest="$1"
shift
echo "$*" >>"$FAKE_SSH_LOG"
case "$*" in
  *"notify confirm"*)
    n=$(grep -c "notify confirm" "$FAKE_SSH_LOG")
    if [ "$n" -le "${CUT_CONFIRMS:-0}" ]; then echo "Connection to $dest closed by remote host." >&2; exit 255; fi ;;
  *"notify pull"*)
    n=$(grep -c "notify pull" "$FAKE_SSH_LOG")
    if [ "$n" -le "${LOSE_PULLS:-0}" ]; then
      SSH_ORIGINAL_COMMAND="$*" "$WL" --db "$ROTA" ssh ana --key "$FP" >/dev/null 2>&1
      echo "Connection to $dest closed by remote host." >&2; exit 255
    fi ;;
esac
if [ -n "${UNREACHABLE:-}" ]; then echo "ssh: connect to host $dest port 22: Connection refused" >&2; exit 255; fi
SSH_ORIGINAL_COMMAND="$*" exec "$WL" --db "$ROTA" ssh ana --key "$FP"
"""


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=TZ)


@pytest.fixture
def hosted(line_db, coordinator, fixed_now, tmp_path):
    people.add(line_db, coordinator, handle="ana", name="Ana")
    people.add(line_db, coordinator, handle="ben", name="Ben")
    a = rota.add_shift(line_db, coordinator, start=at(7), end=at(8, 10), seats=1, backup=0)
    b = rota.add_shift(line_db, coordinator, start=at(8, 10), end=at(12), seats=1, backup=0)
    rota.assign(line_db, coordinator, a.id, "ben")
    rota.assign(line_db, coordinator, b.id, "ana")
    key = keys.add(line_db, coordinator, "ana", KEY, authorized_keys=tmp_path / "authorized_keys")
    return line_db, key.fingerprint


@dataclass(frozen=True)
class Hosted:
    """The process tests' rota, built around the real present, and the titles ana's two due rows carry."""

    db: object
    fingerprint: str
    titles: list[str]


@pytest.fixture
def hosted_now(line_db, coordinator, monkeypatch, tmp_path):
    """ben from real-now − 1 h to real-now + 10 min, ana from then to real-now + 4 h (whole minutes):
    ana's 15-minute reminder and ben's handoff to her are due now, on the host's real clock."""
    monkeypatch.delenv("WARMLINE_NOW", raising=False)
    base = real_now().replace(second=0, microsecond=0)
    handover = base + timedelta(minutes=10)
    people.add(line_db, coordinator, handle="ana", name="Ana")
    people.add(line_db, coordinator, handle="ben", name="Ben")
    a = rota.add_shift(line_db, coordinator, start=base - timedelta(hours=1), end=handover, seats=1, backup=0)
    b = rota.add_shift(line_db, coordinator, start=handover, end=base + timedelta(hours=4), seats=1, backup=0)
    rota.assign(line_db, coordinator, a.id, "ben")
    rota.assign(line_db, coordinator, b.id, "ana")
    key = keys.add(line_db, coordinator, "ana", KEY, authorized_keys=tmp_path / "authorized_keys")
    start, end = handover.astimezone(TZ), (base + timedelta(hours=4)).astimezone(TZ)
    # Worded as the outbox words them (notify/outbox.py: `_short`, the handoff title).
    titles = [f"Handoff in 15 min: {start:%a %H:%M}", f"Shift in 15 min: {start:%a %H:%M}–{end:%H:%M}"]
    return Hosted(line_db, key.fingerprint, titles)


def age_leases(db_path: Path, by: timedelta = outbox.REMOTE_LEASE + timedelta(seconds=5)) -> int:
    """Let `by` pass for the host's leases: move each remote lease's claimed_at back in the rota file.

    The forced command runs on the real clock (it drops WARMLINE_NOW), so the test cannot move the
    host's clock; moving the lease's timestamp back has the same effect on the next claim."""
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute(
            "SELECT id, claimed_at FROM notification WHERE state = 'sending' AND claim_token LIKE ?", (outbox.REMOTE + "%",)
        ).fetchall()
        for i, claimed in rows:
            moved = datetime.fromisoformat(claimed.replace("Z", "+00:00")) - by
            conn.execute("UPDATE notification SET claimed_at = ? WHERE id = ?", (iso_utc(moved), i))
        conn.commit()
        return len(rows)
    finally:
        conn.close()


def states(db_path: Path, handle: str = "ana") -> dict[int, tuple[str, str | None]]:
    db = open_db(db_path)
    try:
        return {
            r[0]: (r[1], r[2])
            for r in db.conn.execute(
                "SELECT n.id, n.state, n.channel FROM notification n JOIN person p ON p.id = n.person_id"
                " WHERE p.handle = ? AND n.state != 'expired'",
                (handle,),
            )
        }
    finally:
        db.close()


# ---------------------------------------------------------------- the lease, in-process


def test_pull_leases_and_an_unconfirmed_lease_comes_back_after_two_minutes(hosted):
    db, _ = hosted
    ana = people.get(db.conn, "ana")
    first = lease.pull(db, ana, moment=NOW)
    assert sorted(n.title for n in first) == ["Handoff in 15 min: Mon 08:10", "Shift in 15 min: Mon 08:10–12:00"]
    assert lease.pull(db, ana, moment=NOW + timedelta(seconds=30)) == []  # leased: nobody else gets them
    assert lease.pull(db, ana, moment=NOW + outbox.REMOTE_LEASE - timedelta(seconds=1)) == []
    again = lease.pull(db, ana, moment=NOW + outbox.REMOTE_LEASE + timedelta(seconds=1))
    assert sorted(n.id for n in again) == sorted(n.id for n in first)  # the same rows, not copies
    done = lease.confirm(db, ana, [n.id for n in again], moment=NOW + timedelta(minutes=3))
    assert {d.result for d in done} == {"sent"}
    assert lease.pull(db, ana, moment=NOW + timedelta(minutes=6)) == []
    assert {d.result for d in lease.confirm(db, ana, [n.id for n in again])} == {"already"}


def test_a_lapsed_lease_can_still_be_confirmed_and_only_by_its_person(hosted):
    db, _ = hosted
    ana, ben = people.get(db.conn, "ana"), people.get(db.conn, "ben")
    ids = [n.id for n in lease.pull(db, ana, moment=NOW)]
    lease.pull(db, ana, moment=NOW + timedelta(minutes=3))  # lapsed back to pending, then leased again
    assert {d.result for d in lease.confirm(db, ben, ids)} == {"unknown"}
    assert {d.result for d in lease.confirm(db, ana, ids)} == {"sent"}
    assert {outbox_state for outbox_state, _ in states(db.path).values()} == {"sent"}
    assert {channel for _, channel in states(db.path).values()} == {"remote"}


def test_a_lapsed_remote_lease_is_taken_by_the_hosts_own_loop(hosted):
    db, _ = hosted
    ana = people.get(db.conn, "ana")
    lease.pull(db, ana, moment=NOW)
    # Past the 2-minute lease but inside the local loop's 5-minute requeue: the lease lapses to pending
    # and this claim takes it (the host's own loop delivers what a remote machine did not confirm).
    claimed = outbox.claim(db, ana.id, moment=NOW + timedelta(minutes=3))
    assert len(claimed.rows) == 2
    assert {d.result for d in lease.confirm(db, ana, [n.id for n in claimed.rows])} == {"unknown"}


def test_confirm_ids_are_checked():
    for bad in ([], ["x"], ["-1"], ["0"], ["١"], ["1" * 30]):
        with pytest.raises(Exception) as caught:
            lease.parse_ids(bad)
        assert "id" in str(caught.value)
    assert lease.parse_ids(["3", "3", "4"]) == [3, 4]


# ---------------------------------------------------------------- notify --remote, as processes


@pytest.fixture
def client(hosted_now, tmp_path):
    db, fp = hosted_now.db, hosted_now.fingerprint
    fake = tmp_path / "fake-ssh"
    fake.write_text(FAKE_SSH)
    fake.chmod(0o755)
    shown = tmp_path / "shown.txt"
    log = tmp_path / "ssh.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARMLINE_")}
    env.update(
        WARMLINE_SSH_COMMAND=str(fake),
        WARMLINE_NOTIFY_CHANNEL=f"file:{shown}",
        XDG_DATA_HOME=str(tmp_path / "volunteer-data"),
        PYTHONDONTWRITEBYTECODE="1",
        FAKE_SSH_LOG=str(log),
        WL=str(warmline_script()),
        ROTA=str(db.path),
        FP=fp,
    )

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(warmline_script()), "notify", *args, "--remote", "ana@rota.example"],
            env=env | extra, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        )

    run.shown = shown
    run.log = log
    run.db = db.path
    run.env = env
    run.titles = hosted_now.titles
    return run


def shown_ids(path: Path) -> list[int]:
    return [int(x) for x in path.read_text().split()] if path.exists() else []


@pytest.mark.slow
def test_once_shows_each_due_notification_and_confirms_it(client):
    done = client("--once")
    assert done.returncode == 0, done.stderr
    assert "shown #" in done.stdout
    for title in client.titles:
        assert f"{title} (file)" in done.stdout, done.stdout
    found = states(client.db)
    assert sorted(shown_ids(client.shown)) == sorted(found)
    assert set(found.values()) == {("sent", "remote")}
    again = client("--once")
    assert again.returncode == 0 and again.stdout.strip() == "Nothing due from ana@rota.example."
    assert len(shown_ids(client.shown)) == 2
    assert client.log.read_text().splitlines() == [
        "notify pull --json", f"notify confirm --json {' '.join(map(str, shown_ids(client.shown)))}", "notify pull --json",
    ]


@pytest.mark.slow
def test_a_cut_between_pull_and_confirm_loses_and_duplicates_nothing(client):
    """The first two confirms are cut: the ids stay in the client's record and are confirmed later, not shown again."""
    outputs = []
    for _ in range(4):  # bounded: the cut round, the round whose leftover confirm is cut, the one that confirms
        outputs.append(client("--once", CUT_CONFIRMS="2"))
        if set(states(client.db).values()) == {("sent", "remote")}:
            break
    assert len(outputs) == 3, [o.stdout + o.stderr for o in outputs]
    first = outputs[0]
    assert first.returncode == 1 and first.stderr.startswith("error: cannot reach ana@rota.example: Connection to")
    assert first.stderr.count("\n") == 1
    assert sorted(shown_ids(client.shown)) == sorted(states(client.db))  # each shown exactly once
    assert len(shown_ids(client.shown)) == 2
    assert set(states(client.db).values()) == {("sent", "remote")}


@pytest.mark.slow
def test_a_pull_whose_answer_is_lost_comes_back_after_the_lease(client):
    """The host leased the rows but the answer never arrived: nothing was shown; 2 minutes on they come again."""
    lost = client("--once", LOSE_PULLS="1")
    assert lost.returncode == 1 and "cannot reach" in lost.stderr
    assert shown_ids(client.shown) == [] and {s for s, _ in states(client.db).values()} == {"sending"}
    soon = client("--once", LOSE_PULLS="1")  # still leased: nothing yet, nothing lost
    assert soon.returncode == 0 and "Nothing due" in soon.stdout
    # 2 min 5 s pass on the host: the lease's timestamp moves back (the forced command ignores WARMLINE_NOW).
    assert age_leases(client.db) == 2
    done = client("--once", LOSE_PULLS="1")
    assert done.returncode == 0, done.stderr
    assert sorted(shown_ids(client.shown)) == sorted(states(client.db)) and len(shown_ids(client.shown)) == 2
    assert set(states(client.db).values()) == {("sent", "remote")}


def test_an_id_already_shown_is_confirmed_without_being_shown_again(client, tmp_path):
    """A pull returns an id this machine has shown (its record kept it): confirmed, not shown."""
    from warmline.notify.remote import ShownIds

    db = open_db(client.db)
    try:
        ana = people.get(db.conn, "ana")
        ids = [n.id for n in lease.pull(db, ana)]  # on the real clock, as the host would
    finally:
        db.close()
    assert len(ids) == 2 and age_leases(client.db) == 2  # 2 min 5 s later: a lapsed lease
    record = ShownIds("ana@rota.example", tmp_path / "volunteer-data" / "warmline" / "remote")
    for i in ids:
        record.add(i)
    # The first confirm (of the record's leftovers) is cut, so this round pulls the lapsed rows again.
    done = client("--once", CUT_CONFIRMS="1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("(shown here before the connection dropped)") == 2, done.stdout
    assert shown_ids(client.shown) == []  # never shown twice in a row
    assert set(states(client.db).values()) == {("sent", "remote")}
    assert record.ids() == []


def test_the_forced_command_ignores_a_clock_the_client_sends(client, tmp_path):
    """A WARMLINE_NOW on the client side (sent along, as an sshd with AcceptEnv would pass it) does not
    move the host's clock: ana gets exactly the two notifications due now."""
    future = "2030-01-07T08:00:00-05:00"
    # Had the host followed that clock, nothing would be due (both rows long expired): check on a copy.
    copy = tmp_path / "copy.db"
    src, dst = sqlite3.connect(client.db), sqlite3.connect(copy)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    db = open_db(copy)
    try:
        assert lease.pull(db, people.get(db.conn, "ana"), moment=datetime.fromisoformat(future)) == []
    finally:
        db.close()
    done = client("--once", WARMLINE_NOW=future)  # the fake ssh passes its environment on to the forced command
    assert done.returncode == 0, done.stderr
    for title in client.titles:
        assert f"{title} (file)" in done.stdout, done.stdout
    assert len(shown_ids(client.shown)) == 2 and sorted(shown_ids(client.shown)) == sorted(states(client.db))
    assert set(states(client.db).values()) == {("sent", "remote")}


def test_a_refusal_from_the_host_is_one_line(client):
    db = open_db(client.db)
    try:
        coord = people.get(db.conn, "coord")
        keys.remove(db, coord, "ana", client.env["FP"])
    finally:
        db.close()
    done = client("--once")
    assert done.returncode == 1
    assert done.stderr.startswith("error: ana@rota.example refused: this key cannot sign in as ana")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


@pytest.mark.slow
def test_an_unreachable_host_is_said_once_and_retried_with_backoff(client):
    proc = subprocess.Popen(
        [str(warmline_script()), "notify", "--daemon", "--interval", "1", "--remote", "ana@rota.example"],
        env=client.env | {"UNREACHABLE": "1"}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL,
    )
    try:
        time.sleep(6.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, err
    assert "cannot reach ana@rota.example: ssh: connect to host ana@rota.example port 22: Connection refused" in warnings[0]
    assert "backoff" in warnings[0] and "Traceback" not in err and "stopped (SIGTERM)" in err
    calls = client.log.read_text().splitlines()
    assert 2 <= len(calls) <= 3, calls  # at 0, 2 and 6 s: backing off, not every second
    assert shown_ids(client.shown) == []
