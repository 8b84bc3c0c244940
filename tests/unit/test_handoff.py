"""Handoff notes: the caller-details screen, who may write, who reads, acknowledgements, overdue notes.

The rota (Monday 23 Nov 2026, New York; the clock is fixed at 08:00):

    A  06:00–08:15   sam (peer), kai (backup)      ← the note is written here
    B  08:15–12:00   ria (peer), tom (backup)      ← the next shifts: both start at 08:15
    C  08:15–10:00   lee (peer)
    E  09:00–13:00   ana (peer)                    ← later: not a reader
    zed is on no shift; coord is the coordinator.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from warmline import handoff, people, rota
from warmline.errors import Invalid, NotFound, Refused

TZ = ZoneInfo("America/New_York")
PASSPHRASE = "correct horse battery"


def at(hour: int, minute: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def set_now(monkeypatch, moment: datetime) -> None:
    monkeypatch.setenv("WARMLINE_NOW", moment.isoformat())


@pytest.fixture
def line(line_db, coordinator, fixed_now, access_clock_follows_warmline_now):
    db = line_db
    for handle in ("sam", "kai", "ria", "tom", "lee", "ana", "zed"):
        people.add(db, coordinator, handle=handle, name=handle.capitalize())
    shifts = {
        "A": rota.add_shift(db, coordinator, start=at(6), end=at(8, 15), seats=1, backup=1),
        "B": rota.add_shift(db, coordinator, start=at(8, 15), end=at(12), seats=1, backup=1),
        "C": rota.add_shift(db, coordinator, start=at(8, 15), end=at(10), seats=1, backup=0),
        "E": rota.add_shift(db, coordinator, start=at(9), end=at(13), seats=1, backup=0),
    }
    for key, handle, role in (("A", "sam", "peer"), ("A", "kai", "backup"), ("B", "ria", "peer"),
                              ("B", "tom", "backup"), ("C", "lee", "peer"), ("E", "ana", "peer")):
        rota.assign(db, coordinator, shifts[key].id, handle, role=role)
    who = {h: people.get(db.conn, h) for h in ("sam", "kai", "ria", "tom", "lee", "ana", "zed", "coord")}
    return db, {k: s.id for k, s in shifts.items()}, who


def dump(db) -> list[str]:
    return list(db.conn.iterdump())


# ---------------------------------------------------------------- the screen

PHONES = [
    "(555) 123-4567",
    "555-123-4567",
    "555.123.4567",
    "555 123 4567",
    "+1 555 123 4567",
    "+1-555-123-4567",
    "+1 (555) 123-4567",
    "1-800-273-8255",
    "+44 20 7946 0958",
    "+44 (0)20 7946 0958",
    "07700 900123",
    "07700900123",
    "5551234567",
    "555-1234",
    "020 7946 0958",
    "+49 30 901820",
    "+33 1 23 45 67 89",
    "01 23 45 67 89",
    "555 / 123 / 4567",
    "５５５-１２３-４５６７",  # full-width digits
    "555\u200b123\u200b4567",  # zero-width spaces between the groups
]
EMAILS = [
    "sam@example.com",
    "first.last+tag@mail.example.org",
    "sam @ example.com",
    "sam at example dot com",
    "sam (at) example (dot) org",
    "sam[at]example[dot]net",
    "sam at example.com",
]
ORDINARY = [
    "17:00-21:00 was busy",
    "shift ran 9:30 to 12:15",
    "covered 1700-2100 with Ria",
    "see you on 2026-11-23",
    "from 2026-11-23 to 2026-11-30",
    "on 23/11/2026 the heating was off",
    "Ria and Tom were great",
    "told a caller to call 988 if it got worse",
    "988",
    "911",
    "112 or 999 in the UK",
    "3 calls, 2 callbacks, 1 hang-up",
    "see shift #12 and #13",
    "about 50% of calls were about housing",
    "12 15 18 20 minutes between calls",
    "9.30-10.15 quiet",
    "2 of 4 seats filled",
    "meet at home dot later",
    "Sam at the desk by the window",
    "First line\nSecond line\n\nThird after a blank line",
    "Nov 23, 2026 at 17:00",
]


@pytest.mark.parametrize("text", PHONES)
def test_phone_numbers_are_refused_without_echoing_them(text):
    with pytest.raises(Refused) as caught:
        handoff.screen(f"Caller asked us to ring {text} tomorrow")
    message = str(caught.value)
    assert message == "callers are anonymous: the note looks like it contains a phone number; remove it"
    assert not any(ch.isdigit() for ch in message)


@pytest.mark.parametrize("text", EMAILS)
def test_email_addresses_are_refused_without_echoing_them(text):
    with pytest.raises(Refused) as caught:
        handoff.screen(f"They wrote from {text} earlier")
    message = str(caught.value)
    assert message == "callers are anonymous: the note looks like it contains an e-mail address; remove it"
    assert "example" not in message and "@" not in message


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_notes_pass(text):
    assert handoff.screen(text) == text.strip()


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("   \n  ", "empty"),
        ("x" * 1001, "1001 characters"),
        ("tab\there", "control character"),
        ("escape \x1b[31m red", "control character"),
        ("bell \x07", "control character"),
        ("right-to-left \u202e override", "control character"),
        ("nul \x00", "control character"),
    ],
)
def test_form_is_checked(text, why):
    with pytest.raises(Invalid, match=why):
        handoff.screen(text)


def test_newlines_are_kept_and_line_ends_normalised():
    assert handoff.screen("one\r\ntwo\rthree\n") == "one\ntwo\nthree"
    assert handoff.screen("x" * 1000) == "x" * 1000


def test_a_refused_note_leaves_the_database_unchanged(line):
    db, shifts, who = line
    before = dump(db)
    for bad in ("ring her on 555-123-4567", "mail sam@example.com", "bad \x1b char", "x" * 1001):
        with pytest.raises((Refused, Invalid)):
            handoff.write_note(db, who["sam"], shifts["A"], bad)
    assert dump(db) == before


# ---------------------------------------------------------------- who may write


def test_people_on_the_shift_and_coordinators_may_write(line):
    db, shifts, who = line
    assert handoff.write_note(db, who["sam"], shifts["A"], "from the peer").author_handle == "sam"
    assert handoff.write_note(db, who["kai"], shifts["A"], "from the backup").author_handle == "kai"
    assert handoff.write_note(db, who["coord"], shifts["A"], "from the coordinator").author_handle == "coord"


@pytest.mark.parametrize("handle", ["zed", "ria", "ana"])
def test_others_may_not_write(line, handle):
    db, shifts, who = line
    before = dump(db)
    with pytest.raises(Refused, match=f"{handle} is not on shift"):
        handoff.write_note(db, who[handle], shifts["A"], "hello")
    assert dump(db) == before


def test_a_volunteer_writes_during_or_just_after_their_shift(line, monkeypatch):
    db, shifts, who = line
    set_now(monkeypatch, at(5, 59))
    with pytest.raises(Refused, match="has not started"):
        handoff.write_note(db, who["sam"], shifts["A"], "too early")
    set_now(monkeypatch, at(10, 16))
    with pytest.raises(Refused, match="ended more than 2 h ago"):
        handoff.write_note(db, who["sam"], shifts["A"], "too late")
    set_now(monkeypatch, at(10, 14))
    assert handoff.write_note(db, who["sam"], shifts["A"], "just in time").id


def test_no_note_on_a_cancelled_shift(line, coordinator):
    db, shifts, who = line
    rota.cancel_shift(db, coordinator, shifts["E"])
    with pytest.raises(Refused, match="cancelled"):
        handoff.write_note(db, coordinator, shifts["E"], "hello")


def test_can_write_now_is_the_last_thirty_minutes_of_ones_shift(line, monkeypatch):
    db, shifts, who = line
    conn = db.conn
    set_now(monkeypatch, at(7, 44))
    assert handoff.can_write_now(conn, who["sam"]) is None
    set_now(monkeypatch, at(7, 45))
    assert handoff.can_write_now(conn, who["sam"]).id == shifts["A"]
    assert handoff.can_write_now(conn, who["kai"]).id == shifts["A"]
    assert handoff.can_write_now(conn, who["ria"]) is None  # not on a shift yet
    assert handoff.can_write_now(conn, who["zed"]) is None
    set_now(monkeypatch, at(8, 15))
    assert handoff.can_write_now(conn, who["sam"]) is None  # the shift is over
    assert handoff.can_write_now(conn, who["lee"]) is None  # C has 1 h 45 min left


# ---------------------------------------------------------------- readers


def test_readers_are_the_people_on_the_shifts_starting_soonest_after_the_end(line):
    db, shifts, who = line
    note = handoff.write_note(db, who["sam"], shifts["A"], "Quiet night.")
    assert note.next_shift_ids == (shifts["B"], shifts["C"])
    assert note.change_at == at(8, 15)
    assert sorted(r.handle for r in note.readers) == ["lee", "ria", "tom"]  # not ana (E starts later), not kai
    assert {r.handle: r.role for r in note.readers}["tom"] == "backup"
    assert [n.id for n in handoff.unread_notes(db.conn, who["ria"])] == [note.id]
    assert handoff.unread_notes(db.conn, who["ana"]) == []
    assert handoff.unread_notes(db.conn, who["kai"]) == []


def test_readers_follow_the_rota(line, coordinator):
    db, shifts, who = line
    note = handoff.write_note(db, who["sam"], shifts["A"], "Quiet night.")
    rota.unassign(db, coordinator, shifts["C"], "lee")
    rota.assign(db, coordinator, shifts["C"], "zed")
    assert sorted(r.handle for r in handoff.get_note(db.conn, note.id).readers) == ["ria", "tom", "zed"]
    # With B and C cancelled, the next shift is E.
    rota.cancel_shift(db, coordinator, shifts["B"])
    rota.cancel_shift(db, coordinator, shifts["C"])
    again = handoff.get_note(db.conn, note.id)
    assert again.next_shift_ids == (shifts["E"],)
    assert [r.handle for r in again.readers] == ["ana"]


def test_nothing_follows_within_a_day(line, coordinator, monkeypatch):
    db, shifts, who = line
    late = rota.add_shift(db, coordinator, start=at(20), end=at(23))
    rota.add_shift(db, coordinator, start=at(23, 1, day=24), end=at(23, 30, day=24))  # 24 h 1 min after: too far
    note = handoff.write_note(db, coordinator, late.id, "For whoever is next.")
    assert note.next_shift_ids == () and note.readers == () and note.change_at is None
    assert not note.overdue(at(23, 59, day=25))


# ---------------------------------------------------------------- acknowledging


def test_ack(line):
    db, shifts, who = line
    note = handoff.write_note(db, who["sam"], shifts["A"], "Quiet night.")
    acked = handoff.ack(db, who["ria"], note.id)
    assert acked.reader(who["ria"].id).acked_at is not None
    assert handoff.unread_notes(db.conn, who["ria"]) == []
    assert [n.id for n in handoff.notes_for(db.conn, who["ria"])] == [note.id]
    assert [n.id for n in handoff.unread_notes(db.conn, who["tom"])] == [note.id]
    # Twice is harmless and audited once.
    handoff.ack(db, who["ria"], note.id)
    count = db.conn.execute("SELECT count(*) FROM audit WHERE action = 'handoff.ack'").fetchone()[0]
    assert count == 1


def test_only_readers_acknowledge(line):
    db, shifts, who = line
    note = handoff.write_note(db, who["sam"], shifts["A"], "Quiet night.")
    with pytest.raises(NotFound):
        handoff.ack(db, who["zed"], note.id)  # a stranger learns nothing, not even that it exists
    with pytest.raises(Refused, match="only the people on it"):
        handoff.ack(db, who["sam"], note.id)
    with pytest.raises(Refused, match="only the people on it"):
        handoff.ack(db, who["coord"], note.id)
    with pytest.raises(NotFound):
        handoff.ack(db, who["ria"], 999)


def test_unacknowledged_fifteen_minutes_after_the_change(line, monkeypatch):
    db, shifts, who = line
    note = handoff.write_note(db, who["sam"], shifts["A"], "Quiet night.")
    handoff.ack(db, who["ria"], note.id)
    conn = db.conn
    assert handoff.unacknowledged(conn, at(8, 29)) == []
    overdue = handoff.unacknowledged(conn, at(8, 30))
    assert [n.id for n in overdue] == [note.id]
    assert sorted(r.handle for r in overdue[0].unacked) == ["lee", "tom"]
    handoff.ack(db, who["tom"], note.id)
    handoff.ack(db, who["lee"], note.id)
    assert handoff.unacknowledged(conn, at(8, 30)) == []


def test_the_audit_log_never_holds_the_text(line):
    db, shifts, who = line
    handoff.write_note(db, who["sam"], shifts["A"], "Zanzibar was mentioned twice.")
    assert "Zanzibar" not in "\n".join(str(tuple(r)) for r in db.conn.execute("SELECT * FROM audit"))


def test_who_sees_which_notes(line):
    db, shifts, who = line
    note = handoff.write_note(db, who["sam"], shifts["A"], "Quiet night.")
    conn = db.conn
    for handle in ("sam", "ria", "tom", "lee", "coord"):
        assert [n.id for n in handoff.list_notes(conn, who[handle])] == [note.id], handle
    for handle in ("zed", "ana", "kai"):
        assert handoff.list_notes(conn, who[handle]) == [], handle


# ---------------------------------------------------------------- the CLI


@pytest.mark.slow
def test_cli_write_list_ack(run_cli):
    def ok(*args, **kw):
        result = run_cli(*args, **kw)
        assert result.returncode == 0, (args, result.stderr)
        return result

    # The rota is built in-process (quicker); only the handoff commands run as real processes.
    from warmline.access import os_user
    from warmline.db import open_db
    from warmline.line import create

    # Whether sam may write is decided by the real clock (never WARMLINE_NOW), so the shifts are
    # built around the real present and the commands run without WARMLINE_NOW.
    present = datetime.now(TZ).replace(second=0, microsecond=0)
    change = present + timedelta(minutes=15)
    db = open_db(run_cli.db, create=True)
    try:
        create(db, name="T", tz="America/New_York", actor="coord", first_coordinator=("coord", "C", os_user()))
        coord = people.get(db.conn, "coord")
        for handle in ("sam", "ria"):
            people.add(db, coord, handle=handle, name=handle.capitalize())
            people.set_passphrase(db, coord, handle, PASSPHRASE)
        first = rota.add_shift(db, coord, start=change - timedelta(hours=3), end=change, seats=1, backup=0)
        second = rota.add_shift(db, coord, start=change, end=change + timedelta(hours=4), seats=1, backup=0)
        rota.assign(db, coord, first.id, "sam")
        rota.assign(db, coord, second.id, "ria")
    finally:
        db.close()
    as_sam = {"WARMLINE_AS": "sam", "WARMLINE_PASSPHRASE": PASSPHRASE, "WARMLINE_NOW": None}
    as_ria = {"WARMLINE_AS": "ria", "WARMLINE_PASSPHRASE": PASSPHRASE, "WARMLINE_NOW": None}
    overdue_now = {"WARMLINE_NOW": (change + timedelta(minutes=15)).isoformat()}

    def notes_and_notifications():
        # Signing in as sam writes its own audit row, so compare what a note would have written.
        conn = sqlite3.connect(run_cli.db)
        try:
            return [
                conn.execute(f"SELECT * FROM {table}").fetchall()
                for table in ("handoff_note", "handoff_ack", "notification")
            ] + [conn.execute("SELECT * FROM audit WHERE action LIKE 'handoff.%'").fetchall()]
        finally:
            conn.close()

    before = notes_and_notifications()
    refused = run_cli("handoff", "write", "1", "--note", "call her back on 07700 900123", env=as_sam)
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: callers are anonymous: the note looks like it contains a phone number")
    assert "07700" not in refused.stderr and "900123" not in refused.stderr
    assert notes_and_notifications() == before

    written = ok("handoff", "write", "1", "--note", "-", "--json", env=as_sam, input="Busy 06:00-08:00.\nCall 988 card is by the phone.\n")
    note = json.loads(written.stdout)
    assert note["note"] == "Busy 06:00-08:00.\nCall 988 card is by the phone."
    assert [r["handle"] for r in note["readers"]] == ["ria"]

    unread = json.loads(ok("handoff", "list", "--unread", "--json", env=as_ria).stdout)
    assert [n["id"] for n in unread] == [note["id"]] and unread[0]["acked"] is False
    assert "Call 988 card" in ok("handoff", "list", env=as_ria).stdout
    assert "Acknowledged note" in ok("handoff", "ack", str(note["id"]), env=as_ria).stdout
    assert json.loads(ok("handoff", "list", "--unread", "--json", env=as_ria).stdout) == []

    # The coordinator sees notes not acknowledged 15 min after the change.
    ok("handoff", "write", "1", "--note", "Second note.", env=as_sam)
    listing = ok("handoff", "list", env=overdue_now).stdout
    assert "NOT ACKNOWLEDGED 15 min after the change by: ria" in listing
    rows = json.loads(ok("handoff", "list", "--json", env=overdue_now).stdout)
    assert {r["id"]: r["overdue"] for r in rows} == {note["id"]: False, note["id"] + 1: True}
