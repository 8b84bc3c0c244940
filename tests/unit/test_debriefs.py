"""Debriefs after a hard call (issue 16): who is told and what, first accept wins, escalation, the window.

The access decision (on shift or in the two hours after it) uses the real clock: the subprocess
tests build shifts around the real present; the in-process ones rebind `clock.real_now` to the
fixed test clock (`access_clock_follows_warmline_now`) to test everything else at a fixed time.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import CliRunner, warmline_script
from warmline import calls, debrief, people, rota
from warmline.db import iso_utc, open_db
from warmline.errors import NotFound, Refused
from warmline.line import create
from warmline.notify import channels, outbox
from warmline.recurrence import zone
from warmline.times import parse_moment

TZ = zone("America/New_York")
NOW = "2026-11-23T10:00:00-05:00"  # Monday, inside the 09:00-13:00 shift below
PASS = "correct horse battery"
ASKER_TAGS = ("grief", "hearing-voices", "substance-use-recovery")


def at(text: str):
    return parse_moment(text, TZ)


def later(minutes: int) -> str:
    return (datetime.fromisoformat(NOW) + timedelta(minutes=minutes)).isoformat()


def make_triad(db, handles: list[str]) -> int:
    """A triad of these people (rows as warmline/triads.py writes them)."""
    with db.transaction() as conn:
        tid = conn.execute(
            "INSERT INTO triad (rule, first_day, start_time, end_time, tz, created_at, created_by)"
            " VALUES ('weekly', '2026-11-24', '18:00', '19:00', 'America/New_York', ?, 'coord')",
            (iso_utc(at("2026-11-20T09:00")),),
        ).lastrowid
        for n, handle in enumerate(handles):
            pid = conn.execute("SELECT id FROM person WHERE handle = ?", (handle,)).fetchone()[0]
            conn.execute("INSERT INTO triad_member (triad_id, person_id, position) VALUES (?, ?, ?)", (tid, pid, n))
    return tid


@pytest.fixture
def world(tmp_path, monkeypatch, access_clock_follows_warmline_now):
    """sam (tags, on shift 09-13 with backup bo), a triad sam+tia+uma, coordinators coord and cora, and vic."""
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    db = open_db(tmp_path / "rota.db", create=True)
    create(db, name="T", tz="America/New_York", actor="coord", first_coordinator=("coord", "Coordinator Cat", None))
    coord = people.get(db.conn, "coord")
    people.add(db, coord, handle="cora", name="Cora Second", role="coordinator")
    for handle, name, tags in (("sam", "Sam Asker", ASKER_TAGS), ("bo", "Bo Backup", ()), ("tia", "Tia Triad", ("grief",)),
                               ("uma", "Uma Triad", ()), ("vic", "Vic Other", ())):
        people.add(db, coord, handle=handle, name=name, tags=list(tags), tags_set_by_self=True)  # their own tags: offered
    shift = rota.add_shift(db, coord, start=at("2026-11-23T09:00"), end=at("2026-11-23T13:00"), backup=1)
    rota.assign(db, coord, shift.id, "sam")
    rota.assign(db, coord, shift.id, "vic")
    rota.assign(db, coord, shift.id, "bo", role="backup")
    make_triad(db, ["sam", "tia", "uma"])
    yield db
    db.close()


def person(db, handle):
    return people.get(db.conn, handle)


def rows(db, kind=None):
    sql = "SELECT p.handle, n.kind, n.title, n.body, n.state, n.debrief_id FROM notification n JOIN person p ON p.id = n.person_id"
    if kind:
        return [tuple(r) for r in db.conn.execute(sql + " WHERE n.kind = ? ORDER BY p.handle", (kind,))]
    return [tuple(r) for r in db.conn.execute(sql + " WHERE n.kind LIKE 'debrief%' ORDER BY n.id")]


# ---------------------------------------------------------------- who is told, and what


def test_the_backup_and_the_triad_are_told_who_asks_and_when_on_every_channel_and_nothing_else(world):
    sam = person(world, "sam")
    calls.log_call(world, sam, ["grief", "hearing-voices"])  # the hard call: its needs must go nowhere
    d, told = debrief.request(world, sam)
    assert sorted(p.handle for p in told) == ["bo", "tia", "uma"]  # not vic (a peer on the shift), not coordinators
    title = "Debrief asked: Sam Asker"
    body = f"Sam Asker asks for a debrief (Mon 10:00). If you can talk now: warmline debrief accept {d.id}"
    assert rows(world, "debrief") == [(h, "debrief", title, body, "pending", d.id) for h in ("bo", "tia", "uma")]
    labels = {r[0] for r in world.conn.execute("SELECT label FROM tag WHERE id IN (?, ?, ?)", ASKER_TAGS)}
    forbidden = [*ASKER_TAGS, *labels, "call", "caller", "reason"]
    # Every channel's text: desktop (what the notification server is given), terminal (OSC 9/777),
    # push (Apprise's title and body), and the app's toast (the row itself, as pending_for_app gives it).
    for handle in ("bo", "tia", "uma"):
        shown = outbox.pending_for_app(world.conn, person(world, handle))
        assert [(n.kind, n.title, n.body) for n in shown] == [("debrief", title, body)]
        n = shown[0]
        from warmline.text import safe

        texts = [
            *channels.desktop_text(n.title, n.body),
            channels.terminal_sequence(n.title, n.body),
            safe(n.title), safe(n.body, multiline=True),  # push.PushChannel.send
            n.title, n.body,
        ]
        for text in texts:
            for word in forbidden:
                assert word.lower() not in text.lower(), (handle, word, text)


def test_someone_who_left_a_triad_that_carried_on_is_not_asked(world):
    """vic joins sam's triad, then leaves it (`triad leave`); sam, tia and uma carry on as a triad."""
    from warmline import triads

    tid = world.conn.execute("SELECT triad_id FROM triad_member LIMIT 1").fetchone()[0]
    with world.transaction() as conn:
        conn.execute("INSERT INTO triad_member (triad_id, person_id, position) VALUES (?, ?, 3)", (tid, person(world, "vic").id))
    assert "goes on with 3" in triads.leave(world, person(world, "vic"))
    assert world.conn.execute("SELECT status FROM triad WHERE id = ?", (tid,)).fetchone()[0] == "active"
    assert debrief.triad_mates(world.conn, person(world, "vic").id) == []
    assert person(world, "vic").id not in debrief.triad_mates(world.conn, person(world, "sam").id)
    d, told = debrief.request(world, person(world, "sam"))
    assert sorted(p.handle for p in told) == ["bo", "tia", "uma"]
    assert "vic" not in {r[0] for r in rows(world, "debrief")}


@pytest.mark.slow
def test_a_request_takes_no_text_at_all(tmp_path):
    run = CliRunner(tmp_path)
    done = run("debrief", "request", "the caller talked about her brother")
    assert done.returncode == 2 and "unexpected extra argument" in done.stderr.lower()
    assert not run.db.exists()  # refused as usage, before anything was opened
    options = run("debrief", "request", "--help").stdout
    assert "--share" in options and "--reason" not in options and "--note" not in options


def test_the_first_to_accept_is_named_to_the_asker_and_the_others_are_told_it_is_taken(world):
    d, _ = debrief.request(world, person(world, "sam"))
    taken = debrief.accept(world, person(world, "tia"), d.id)
    assert taken.status == "taken" and taken.taken_by_you and taken.taken_by_name == "Tia Triad"
    assert [r[4] for r in rows(world, "debrief")] == ["expired"] * 3  # nobody else is asked any more
    told = {r[0]: (r[2], r[3]) for r in rows(world, "debrief-taken")}
    assert told["sam"] == ("Debrief taken: Tia Triad", "Tia Triad will debrief with you (you asked Mon 10:00).")
    for other in ("bo", "uma"):
        assert told[other] == ("Debrief taken", "The debrief Sam Asker asked for (Mon 10:00) is taken: thank you.")
    assert "tia" not in told
    with pytest.raises(Refused, match="already taken by someone else"):
        debrief.accept(world, person(world, "bo"), d.id)
    with pytest.raises(Refused, match="you have already taken"):
        debrief.accept(world, person(world, "tia"), d.id)
    # Someone it was not sent to (vic, a coordinator before it escalates, the asker) cannot take it,
    # and is not told whether it exists.
    for handle in ("vic", "coord", "sam"):
        with pytest.raises(NotFound, match=f"there is no debrief request {d.id} for {handle}"):
            debrief.accept(world, person(world, handle), d.id)


def test_what_each_person_sees_in_the_list(world):
    d, _ = debrief.request(world, person(world, "sam"))
    debrief.accept(world, person(world, "bo"), d.id)
    mine = debrief.visible(world.conn, person(world, "sam"))
    assert [(x.role, x.status, x.taken_by_name) for x in mine] == [("asker", "taken", "Bo Backup")]
    theirs = debrief.visible(world.conn, person(world, "uma"))
    assert [(x.role, x.status, x.taken_by_name, x.taken_by_you) for x in theirs] == [("triad", "taken", None, False)]
    assert debrief.visible(world.conn, person(world, "vic")) == []
    assert debrief.visible(world.conn, person(world, "coord")) == []  # not escalated: not theirs to see


def test_one_open_request_at_a_time(world):
    debrief.request(world, person(world, "sam"))
    with pytest.raises(Refused, match="still open"):
        debrief.request(world, person(world, "sam"))


# ---------------------------------------------------------------- escalation (fixed clock)


def test_a_request_nobody_takes_in_15_minutes_goes_to_the_coordinators(world, monkeypatch):
    d, _ = debrief.request(world, person(world, "sam"))
    coord = person(world, "coord")
    monkeypatch.setenv("WARMLINE_NOW", later(14))
    outbox.claim(world, coord.id)  # a notify round
    assert rows(world, "debrief-open") == []
    monkeypatch.setenv("WARMLINE_NOW", later(15))
    claimed = outbox.claim(world, coord.id)
    body = (f"Sam Asker asked for a debrief (Mon 10:00) and nobody has taken it for 15 minutes. "
            f"If you can talk now: warmline debrief accept {d.id}")
    assert [(n.kind, n.body) for n in claimed.rows] == [("debrief-open", body)]
    assert [r[0] for r in rows(world, "debrief-open")] == ["coord", "cora"]
    monkeypatch.setenv("WARMLINE_NOW", later(20))
    outbox.claim(world, coord.id)  # idempotent: told once
    assert len(rows(world, "debrief-open")) == 2
    assert world.conn.execute("SELECT count(*) FROM audit WHERE action = 'debrief.escalate'").fetchone()[0] == 1
    # A coordinator may now take it, and the asker is told who.
    taken = debrief.accept(world, person(world, "cora"), d.id)
    assert taken.taken_by_name == "Cora Second" and taken.escalated
    assert ("sam", "debrief-taken", "Debrief taken: Cora Second") in [r[:3] for r in rows(world, "debrief-taken")]


def test_a_taken_request_is_not_escalated(world, monkeypatch):
    d, _ = debrief.request(world, person(world, "sam"))
    debrief.accept(world, person(world, "bo"), d.id)
    monkeypatch.setenv("WARMLINE_NOW", later(30))
    outbox.claim(world, person(world, "coord").id)
    assert rows(world, "debrief-open") == []


def test_with_nobody_else_to_ask_the_coordinators_are_told_at_once(world):
    vic = person(world, "vic")  # on the shift too, but the backup is bo and vic has no triad
    with world.transaction() as conn:
        conn.execute("DELETE FROM assignment WHERE person_id = (SELECT id FROM person WHERE handle = 'bo')")
    d, told = debrief.request(world, vic)
    assert sorted(p.handle for p in told) == ["coord", "cora"] and d.escalated
    assert [r[0] for r in rows(world, "debrief-open")] == ["coord", "cora"]


# ---------------------------------------------------------------- privacy toward coordinators


def test_coordinators_get_counts_and_only_shared_names(world, monkeypatch):
    d1, _ = debrief.request(world, person(world, "sam"))
    debrief.accept(world, person(world, "bo"), d1.id)
    d2, _ = debrief.request(world, person(world, "vic"), share=True)
    coord = person(world, "coord")
    got = debrief.stats(world.conn, coord, at("2026-11-01T00:00"), at("2026-12-01T00:00"))
    assert [(m.month, m.asked, m.taken) for m in got] == [("2026-11", 2, 1)]
    assert [(name, taken) for _, name, taken in got[0].shared] == [("Vic Other", False)]
    # The audit log, which coordinators read, names nobody for an unshared request or any accept.
    log = [tuple(r) for r in world.conn.execute("SELECT actor, action, subject, detail FROM audit WHERE action LIKE 'debrief.%'")]
    assert log == [
        ("peer", "debrief.request", f"debrief {d1.id}", "3 asked"),
        ("peer", "debrief.accept", f"debrief {d1.id}", "taken"),
        ("vic", "debrief.request", f"debrief {d2.id}", "1 asked; shared"),
    ]
    with pytest.raises(Refused, match="only coordinators may see debrief counts"):
        debrief.stats(world.conn, person(world, "bo"), at("2026-11-01T00:00"), at("2026-12-01T00:00"))
    # A coordinator reading bo's notifications sees that there was a debrief, not whose.
    seen = [debrief.private_view(n) for n in outbox.for_person(world.conn, person(world, "bo").id)]
    assert [(n.title, n.body) for n in seen if n.kind.startswith("debrief")] == [("Debrief (private)", "")] * 2  # sam's, vic's


# ---------------------------------------------------------------- the window, by the real clock (subprocesses)


def _real_line(tmp_path: Path, spans: dict[str, tuple[datetime, datetime]]) -> CliRunner:
    """A line whose shifts sit around the real present: for each handle, a shift [start, end) with bo as backup."""
    run = CliRunner(tmp_path)
    run.env.pop("WARMLINE_NOW")
    db = open_db(run.db, create=True)
    try:
        create(db, name="T", tz="America/New_York", actor="coord", first_coordinator=("coord", "Coord", None))
        coord = people.get(db.conn, "coord")
        for handle in (*spans, "bo"):
            people.add(db, coord, handle=handle, name=handle.title(), passphrase=PASS)
        for n, (handle, (start, end)) in enumerate(spans.items()):
            # Made in the future and then moved (as another program would): a past shift is not assignable.
            ahead = timedelta(days=30 + n)
            s = rota.add_shift(db, coord, start=start + ahead, end=end + ahead, backup=1)
            rota.assign(db, coord, s.id, handle, force=True)
            rota.assign(db, coord, s.id, "bo", role="backup", force=True)
            with db.transaction() as conn:
                conn.execute(
                    "UPDATE shift SET start_utc = ?, end_utc = ?, start_local = ?, end_local = ? WHERE id = ?",
                    (iso_utc(start), iso_utc(end), start.astimezone(TZ).isoformat(), end.astimezone(TZ).isoformat(), s.id),
                )
    finally:
        db.close()
    return run


@pytest.mark.slow
def test_the_window_is_on_shift_or_two_hours_after_by_the_real_clock(tmp_path):
    real = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    spans = {
        "onnow": (real - timedelta(hours=1), real + timedelta(hours=2)),
        "justoff": (real - timedelta(hours=4), real - timedelta(hours=1)),
        "longoff": (real - timedelta(hours=7), real - timedelta(hours=3)),
        "later": (real + timedelta(hours=3), real + timedelta(hours=6)),
    }
    run = _real_line(tmp_path, spans)

    def ask(handle, **env):
        return run("--as", handle, "debrief", "request", "--json", env={"WARMLINE_PASSPHRASE": PASS, **env})

    assert json.loads(ask("onnow").stdout)["told"] == ["bo"]
    assert ask("justoff").returncode == 0
    for handle in ("longoff", "later"):
        done = ask(handle)
        assert done.returncode == 1
        assert done.stderr.strip() == (
            f"error: {handle} is not on a shift now and did not end one in the last 2 hours: a debrief is asked"
            " for on shift or soon after; a coordinator is there to talk to at any time"
        )
    # WARMLINE_NOW set inside their shift does not open the window: it drives displays, not access.
    inside = (spans["later"][0] + timedelta(hours=1)).isoformat()
    assert ask("later", WARMLINE_NOW=inside).returncode == 1
    conn = open_db(run.db).conn
    assert conn.execute("SELECT count(*) FROM debrief").fetchone()[0] == 2


# ---------------------------------------------------------------- first accept wins, two real processes


@pytest.mark.slow
def test_first_accept_wins_under_two_racing_processes(tmp_path):
    real = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    run = _real_line(tmp_path, {"sam": (real - timedelta(hours=1), real + timedelta(hours=2))})
    db = open_db(run.db)
    try:
        coord = people.get(db.conn, "coord")
        people.add(db, coord, handle="tia", name="Tia", passphrase=PASS)
        people.add(db, coord, handle="uma", name="Uma", passphrase=PASS)
    finally:
        db.close()
    script = str(warmline_script())
    for round_no in range(3):  # three requests, each raced once
        db = open_db(run.db)
        try:
            with db.transaction() as conn:
                conn.execute("UPDATE debrief SET status = 'taken', taken_by = asker_id, taken_at = asked_at WHERE status = 'open'")
        finally:
            db.close()
        asked = run("--as", "sam", "debrief", "request", "--json", env={"WARMLINE_PASSPHRASE": PASS})
        assert asked.returncode == 0, asked.stderr
        did = json.loads(asked.stdout)["id"]
        # Both racers are recipients: make bo's triad (tia, uma) hold sam too, via rows.
        db = open_db(run.db)
        try:
            with db.transaction() as conn:
                for h in ("tia", "uma"):
                    conn.execute(
                        "INSERT OR IGNORE INTO debrief_recipient (debrief_id, person_id, why)"
                        " SELECT ?, id, 'triad' FROM person WHERE handle = ?",
                        (did, h),
                    )
        finally:
            db.close()
        env = {**run.env, "WARMLINE_PASSPHRASE": PASS}
        procs = [
            subprocess.Popen([script, "--as", h, "debrief", "accept", str(did), "--json"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
            for h in ("tia", "uma")
        ]
        results = [p.communicate(timeout=60) + (p.returncode,) for p in procs]
        codes = sorted(r[2] for r in results)
        assert codes == [0, 1], results
        loser = next(r for r in results if r[2] == 1)
        assert loser[1].strip() == f"error: debrief {did} is already taken by someone else: nothing to do"
        winner = json.loads(next(r for r in results if r[2] == 0)[0])
        conn = open_db(run.db).conn
        (taker,) = conn.execute(
            "SELECT p.handle FROM debrief d JOIN person p ON p.id = d.taken_by WHERE d.id = ?", (did,)
        ).fetchone()
        assert winner["taken_by"] == taker and taker in ("tia", "uma")
        told = conn.execute(
            "SELECT count(*) FROM notification WHERE kind = 'debrief-taken' AND debrief_id = ?", (did,)
        ).fetchone()[0]
        assert told == 3  # the asker, and the two others asked (bo and the loser)
        conn.close()
