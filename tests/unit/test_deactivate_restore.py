"""Deactivating someone asks first; reactivating offers their released seats back (issue 15).

`people deactivate` released every future shift without a word, and `people edit --activate`
restored nothing. Now the CLI confirms with the count (a prompt at a terminal, else --yes, and
without a terminal it refuses and changes nothing), and `--restore-shifts` puts the person back
on the seats their deactivation released that are still open, every rule checked.
"""

from __future__ import annotations

import sqlite3

import pytest

from warmline import people, rota
from warmline.errors import Refused
from warmline.recurrence import zone
from warmline.times import parse_moment

TZ = zone("America/New_York")


def at(text: str):
    return parse_moment(text, TZ)


@pytest.fixture
def db(line_db, fixed_now):
    return line_db


def test_the_released_seats_still_open_are_offered_back_and_restored(db, coordinator):
    people.add(db, coordinator, handle="sam", name="Sam")
    people.add(db, coordinator, handle="kim", name="Kim")
    past = rota.add_shift(db, coordinator, start=at("2026-11-20T09:00"), end=at("2026-11-20T13:00"), allow_past=True)
    a = rota.add_shift(db, coordinator, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00"), seats=1, backup=1)
    b = rota.add_shift(db, coordinator, start=at("2026-11-25T09:00"), end=at("2026-11-25T13:00"), seats=1, backup=1)
    c = rota.add_shift(db, coordinator, start=at("2026-11-26T09:00"), end=at("2026-11-26T13:00"))
    d = rota.add_shift(db, coordinator, start=at("2026-11-27T09:00"), end=at("2026-11-27T13:00"))
    rota.assign(db, coordinator, past.id, "sam")
    rota.assign(db, coordinator, a.id, "sam")
    rota.assign(db, coordinator, b.id, "sam", role="backup")
    rota.assign(db, coordinator, c.id, "sam")
    rota.assign(db, coordinator, d.id, "sam")
    rota.unassign(db, coordinator, d.id, "sam")  # taken off before: not the deactivation's to give back
    assert people.future_seats(db.conn, coordinator, "sam") == 3
    _, released = people.deactivate(db, coordinator, "sam")
    assert released == 3
    rota.assign(db, coordinator, a.id, "kim")  # a's one peer seat is taken meanwhile
    rota.cancel_shift(db, coordinator, c.id)  # c is cancelled
    with pytest.raises(Exception, match="inactive: reactivate them first"):
        rota.restore_released(db, coordinator, "sam")
    people.edit(db, coordinator, "sam", people.PersonChanges(active=True))
    seats = rota.released_seats(db.conn, coordinator, "sam")
    assert [(s.id, role) for s, role in seats] == [(b.id, "backup")]
    restored, skipped = rota.restore_released(db, coordinator, "sam")
    assert [s.id for s in restored] == [b.id] and skipped == []
    assert [x.handle for x in rota.view(db.conn, b.id).backups] == ["sam"]
    assert rota.released_seats(db.conn, coordinator, "sam") == []  # nothing twice


def test_a_restored_seat_still_checks_the_rules(db, coordinator):
    people.add(db, coordinator, handle="sam", name="Sam")
    s1 = rota.add_shift(db, coordinator, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00"))
    rota.assign(db, coordinator, s1.id, "sam")
    people.deactivate(db, coordinator, "sam")
    people.edit(db, coordinator, "sam", people.PersonChanges(active=True, max_hours_week=2))
    restored, skipped = rota.restore_released(db, coordinator, "sam")
    assert restored == [] and [s.id for s, _ in skipped] == [s1.id] and "limit" in skipped[0][1]
    assert rota.view(db.conn, s1.id).peers == []


def test_volunteers_may_neither_count_nor_restore_released_seats(db, coordinator):
    sam = people.add(db, coordinator, handle="sam", name="Sam")
    people.add(db, coordinator, handle="kim", name="Kim")
    shift = rota.add_shift(db, coordinator, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00"))
    rota.assign(db, coordinator, shift.id, "kim")
    people.deactivate(db, coordinator, "kim")
    people.edit(db, coordinator, "kim", people.PersonChanges(active=True))
    before = list(db.conn.iterdump())
    for call in (
        lambda: people.future_seats(db.conn, sam, "kim"),
        lambda: rota.released_seats(db.conn, sam, "kim"),
        lambda: rota.restore_released(db, sam, "kim"),
    ):
        with pytest.raises(Refused, match="sam is a volunteer"):
            call()
    assert list(db.conn.iterdump()) == before


@pytest.mark.slow
def test_the_cli_confirms_deactivation_with_the_count_and_restores_on_request(run_cli):
    assert run_cli("init", "--name", "L", "--tz", "America/New_York", "--coordinator", "coord").returncode == 0
    assert run_cli("people", "add", "sam", "--name", "Sam").returncode == 0
    for start, end in (("2026-11-24T09:00", "2026-11-24T13:00"), ("2026-11-25T09:00", "2026-11-25T13:00")):
        assert run_cli("shift", "add", "--start", start, "--end", end).returncode == 0
    assert run_cli("assign", "1", "sam").returncode == 0 and run_cli("assign", "2", "sam").returncode == 0
    # No terminal and no --yes: refused, with the count, and nothing changed.
    done = run_cli("people", "deactivate", "sam")
    assert done.returncode == 1
    assert done.stderr == (
        "error: deactivating sam releases them from 2 future shifts: add --yes to confirm "
        "(no terminal to ask at); nothing was changed\n"
    )
    conn = sqlite3.connect(run_cli.db)
    try:
        assert conn.execute("SELECT active FROM person WHERE handle = 'sam'").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM assignment").fetchone() == (2,)
    finally:
        conn.close()
    done = run_cli("people", "deactivate", "sam", "--yes")
    assert done.returncode == 0 and "released from 2 future shifts" in done.stdout
    # Reactivating without --restore-shifts says what is open and how to take it back.
    done = run_cli("people", "edit", "sam", "--activate")
    assert done.returncode == 0, done.stderr
    assert "2 released seat(s) still open: `warmline people edit sam --restore-shifts`" in done.stdout
    done = run_cli("people", "edit", "sam", "--restore-shifts")
    assert done.returncode == 0 and "Back on 2 shifts: 1, 2." in done.stdout, (done.stdout, done.stderr)
    assert "--yes" in run_cli("people", "deactivate", "--help").stdout


def _at_a_terminal(run_cli, args: list[str], answer: str) -> str:
    """Run warmline with a pseudo-terminal as its stdin/stdout/stderr, answer its prompt, return what it wrote."""
    import os
    import pty
    import select
    import subprocess
    import time

    master, slave = pty.openpty()
    env = dict(run_cli.env)
    proc = subprocess.Popen([str(run_cli.script), *args], stdin=slave, stdout=slave, stderr=slave, env=env,
                            cwd=run_cli.workdir)
    os.close(slave)
    seen = b""
    answered = False
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
            if not answered and b"[y/N]" in seen:
                os.write(master, answer.encode() + b"\n")
                answered = True
            if proc.poll() is not None and not ready:
                break
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert answered, seen
    return seen.decode(errors="replace")


@pytest.mark.slow
def test_at_a_terminal_deactivation_asks_with_the_count_and_reactivation_offers_the_seats(run_cli):
    assert run_cli("init", "--name", "L", "--tz", "America/New_York", "--coordinator", "coord").returncode == 0
    assert run_cli("people", "add", "sam", "--name", "Sam").returncode == 0
    assert run_cli("shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T13:00").returncode == 0
    assert run_cli("assign", "1", "sam").returncode == 0
    said = _at_a_terminal(run_cli, ["people", "deactivate", "sam"], "n")
    assert "Deactivating sam releases them from 1 future shift. Deactivate? [y/N]" in said
    assert "not confirmed: nothing was changed" in said
    said = _at_a_terminal(run_cli, ["people", "deactivate", "sam"], "y")
    assert "Deactivated sam; released from 1 future shifts." in said
    said = _at_a_terminal(run_cli, ["people", "edit", "sam", "--activate"], "y")
    assert "sam's deactivation released 1 seat still open:" in said and "shift 1 Tue 2026-11-24 09:00" in said
    assert "Back on 1 shift: 1." in said
    conn = sqlite3.connect(run_cli.db)
    try:
        assert conn.execute("SELECT count(*) FROM assignment a JOIN person p ON p.id = a.person_id"
                            " WHERE p.handle = 'sam' AND p.active = 1").fetchone() == (1,)
    finally:
        conn.close()
