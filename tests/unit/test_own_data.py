"""People's own data (issue 16): `me export` holds the person's data and nobody else's; `people forget`
leaves no trace of a departed person's name, handle, login, keys or push URL in the rota file's raw
bytes (after its VACUUM, the write-ahead log checkpointed) while `warmline check` passes and their
shifts stay countable."""

from __future__ import annotations

import json
import sqlite3
import stat

import pytest

from conftest import CliRunner
from warmline import debrief, handoff, people, rota
from warmline.availability import add_time_off, parse_windows, set_windows
from warmline.db import iso_utc, open_db
from warmline.errors import Refused
from warmline.line import create
from warmline.people import PersonChanges
from warmline.recurrence import zone
from warmline.times import parse_moment

TZ = zone("America/New_York")
NOW = "2026-11-23T10:00:00-05:00"
PASS = "correct horse battery"
SAM_NAME = "Samwise Quillfeather"
SAM_KEY = "AAAAC3NzaC1lZDI1NTE5AAAAIQuillfeatherKeyMaterialOnlyHis0123456789"
SAM_URL = "ntfy://ntfy.example.org/quillfeather-private-topic"
KIM_NAME = "Kimberly Zanzibar"
KIM_KEY = "AAAAC3NzaC1lZDI1NTE5AAAAIZanzibarKeyMaterialOnlyHers9876543210"
ZED_NAME = "Zedediah Unrelatedperson"


def at(text: str):
    return parse_moment(text, TZ)


def plant_key(conn, handle: str, key: str, comment: str) -> None:
    pid = conn.execute("SELECT id FROM person WHERE handle = ?", (handle,)).fetchone()[0]
    conn.execute(
        "INSERT INTO ssh_key (person_id, key_type, key_base64, fingerprint, comment, authorized_keys, added_at, added_by)"
        " VALUES (?, 'ssh-ed25519', ?, ?, ?, ?, '2026-11-20T10:00:00Z', 'coord')",
        (pid, key, f"SHA256:{key[-20:]}", comment, f'command="warmline ssh {handle}" ssh-ed25519 {key} {comment}'),
    )


@pytest.fixture
def rota_file(tmp_path, monkeypatch, access_clock_follows_warmline_now):
    """samq (the person), kim (shares a shift with samq), zed (never with samq); each with tags, keys, times off."""
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    path = tmp_path / "cli" / "cli.db"
    path.parent.mkdir()
    db = open_db(path, create=True)
    create(db, name="T", tz="America/New_York", actor="coord", first_coordinator=("coord", "Coordinator Cat", None))
    coord = people.get(db.conn, "coord")
    sam = people.add(db, coord, handle="samq", name=SAM_NAME, login="samlogin", pronouns="xe/xem", tags=["grief"],
                     paused_tags=["veteran"], languages=["lang-es"], passphrase=PASS, tags_set_by_self=True)
    kim = people.add(db, coord, handle="kim", name=KIM_NAME, login="kimlogin", tags=["hearing-voices"], passphrase=PASS,
                     tags_set_by_self=True)
    people.add(db, coord, handle="zed", name=ZED_NAME, tags=["eating-distress"], passphrase=PASS, tags_set_by_self=True)
    people.set_passphrase(db, coord, "coord", PASS)
    people.edit(db, sam, "samq", PersonChanges(offer=("anxiety",)))
    set_windows(db, sam, None, parse_windows(["MO", "09:00-17:00"]))
    set_windows(db, kim, None, parse_windows(["MO", "08:00-13:30"]))
    add_time_off(db, sam, None, at("2026-12-24T00:00").date(), at("2026-12-26T00:00").date())
    add_time_off(db, kim, None, at("2026-12-01T00:00").date(), at("2026-12-02T00:00").date())
    shared = rota.add_shift(db, coord, start=at("2026-11-23T09:00"), end=at("2026-11-23T13:00"), backup=1)
    rota.assign(db, coord, shared.id, "samq")
    rota.assign(db, coord, shared.id, "kim", role="backup")
    zeds = rota.add_shift(db, coord, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00"))
    rota.assign(db, coord, zeds.id, "zed")
    past = rota.add_shift(db, coord, start=at("2026-11-16T09:00"), end=at("2026-11-16T13:00"), allow_past=True)
    with db.transaction() as conn:  # history, as the rota recorded it then
        conn.execute("INSERT INTO assignment (shift_id, person_id, role, created_at) VALUES (?, ?, 'peer', ?)",
                     (past.id, sam.id, iso_utc(at("2026-11-10T09:00"))))
    handoff.write_note(db, sam, shared.id, "Quiet morning, two calls, all calm.")
    d, _ = debrief.request(db, sam)
    debrief.accept(db, kim, d.id)
    with db.transaction() as conn:
        plant_key(conn, "samq", SAM_KEY, "samq@laptop")
        plant_key(conn, "kim", KIM_KEY, "kim@desk")
        for handle, url in (("samq", SAM_URL), ("kim", "ntfy://ntfy.example.org/zanzibar-topic")):
            conn.execute(
                "INSERT INTO push_destination (person_id, url, added_at) SELECT id, ?, '2026-11-20T10:00:00Z'"
                " FROM person WHERE handle = ?",
                (url, handle),
            )
        # Someone else's notification and a coordinator's shift note that name samq.
        conn.execute("UPDATE shift SET note = ? WHERE id = ?", (f"Ask {SAM_NAME} (samq) about the keys", zeds.id))
    yield db
    db.close()


def cli_for(rota_file) -> CliRunner:
    return CliRunner(rota_file.path.parent)


# ---------------------------------------------------------------- me export


@pytest.mark.slow
def test_me_export_holds_the_persons_data_and_nobody_elses(rota_file):
    run = cli_for(rota_file)
    out = rota_file.path.parent / "me.json"
    done = run("--as", "samq", "me", "export", "-o", str(out), env={"WARMLINE_PASSPHRASE": PASS})
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".me.json.")]  # no temporary left behind
    text = out.read_text()
    data = json.loads(text)
    assert data["profile"]["handle"] == "samq" and data["profile"]["name"] == SAM_NAME
    assert data["profile"]["login"] == "samlogin" and data["profile"]["pronouns"] == "xe/xem"
    assert data["profile"]["languages"] == ["lang-es"]
    assert {(t["tag"], t["state"]) for t in data["tags"]} == {("grief", "offered"), ("anxiety", "offered"), ("veteran", "paused")}
    assert [r["action"] for r in data["tag_history"]] == ["person.add", "person.edit"]
    assert [(a["weekday"], a["start_time"]) for a in data["availability"]] == [(0, "09:00")]
    assert [t["first_day"] for t in data["time_off"]] == ["2026-12-24"]
    assert [(s["role"], s["with"], s["hours"]) for s in data["shifts"]] == [("peer", [], 4.0), ("peer", [KIM_NAME], 4.0)]
    assert [n["body"] for n in data["handoff_notes_written"]] == ["Quiet morning, two calls, all calm."]
    assert [(d["you"], d["status"], d["taken_by"]) for d in data["debriefs"]] == [("asked", "taken", KIM_NAME)]
    assert {n["kind"] for n in data["notifications"]} == {"debrief-taken"}
    assert [k["comment"] for k in data["ssh_keys"]] == ["samq@laptop"]
    assert len(data["push_destinations"]) == 1 and "quillfeather" not in data["push_destinations"][0]
    assert data["push_destinations"][0].endswith("(push 1)"), "masked as everywhere else, no hash of the URL"
    assert data["audit"] and all("samq" in (r["actor"], r["subject"]) for r in data["audit"])
    assert data["profile"]["has_passphrase"] is True and "passphrase_hash" not in text and "scrypt$" not in text
    # Nobody else's data: kim appears only by name (on samq's shift, and taking the debrief); zed not at all.
    lowered = text.lower()
    for foreign in ("hearing-voices", "hearing voices", "eating-distress", "eating distress", "kimlogin", KIM_KEY,
                    "zanzibar-topic", "kim@desk", "13:30", "2026-12-01", ZED_NAME, "zed"):
        assert foreign.lower() not in lowered, foreign


@pytest.mark.slow
def test_me_export_to_stdout_is_the_same_json(rota_file):
    run = cli_for(rota_file)
    done = run("--as", "kim", "me", "export", env={"WARMLINE_PASSPHRASE": PASS})
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["profile"]["handle"] == "kim"
    assert [(d["you"], d["asker"], d["taken_by_you"]) for d in data["debriefs"]] == [("were asked", SAM_NAME, True)]
    assert "grief" not in done.stdout and "xe/xem" not in done.stdout and "samlogin" not in done.stdout


# ---------------------------------------------------------------- forget


def raw_bytes(path) -> bytes:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


@pytest.mark.slow
def test_forget_leaves_no_trace_of_the_person_and_check_passes(rota_file):
    db = rota_file
    sam_id = db.conn.execute("SELECT id FROM person WHERE handle = 'samq'").fetchone()[0]
    with db.transaction() as conn:  # samq, kim and zed meet as a triad (rows as warmline/triads.py writes them)
        conn.execute(
            "INSERT INTO triad (id, rule, first_day, start_time, end_time, tz, created_at, created_by)"
            " VALUES (1, 'weekly', '2026-11-26', '18:00', '19:00', 'America/New_York', '2026-11-20T10:00:00Z', 'coord')"
        )
        conn.execute(
            "INSERT INTO triad_member (triad_id, person_id, position) SELECT 1, id, id FROM person"
            " WHERE handle IN ('samq', 'kim', 'zed')"
        )
        conn.execute(
            "INSERT INTO triad_meeting (triad_id, number, start_utc, end_utc, start_local, end_local, tz, narrator_id)"
            " VALUES (1, 0, '2026-11-26T23:00:00Z', '2026-11-27T00:00:00Z', '2026-11-26T18:00:00-05:00',"
            " '2026-11-26T19:00:00-05:00', 'America/New_York', ?)",
            (sam_id,),
        )
        conn.execute("INSERT INTO triad_optin (person_id, joined_at) VALUES (?, '2026-11-20T10:00:00Z')", (sam_id,))
    audit_before = db.conn.execute("SELECT max(id) FROM audit").fetchone()[0]
    path = db.path
    db.close()  # no connection of this process stays open while others write (a closed handle drops its locks)
    before = raw_bytes(path)
    assert SAM_NAME.encode() in before and SAM_KEY.encode() in before  # the test can see them while they are there
    run = cli_for(rota_file)
    coord_env = {"WARMLINE_PASSPHRASE": PASS, "WARMLINE_NOW": NOW}
    still_active = run("--as", "coord", "people", "forget", "samq", "--yes", env=coord_env)
    assert still_active.returncode == 1 and "deactivate them first" in still_active.stderr
    assert run("--as", "coord", "people", "deactivate", "samq", "--yes", env=coord_env).returncode == 0
    with sqlite3.connect(path) as conn:
        worked = conn.execute("SELECT count(*) FROM assignment WHERE person_id = ?", (sam_id,)).fetchone()[0]
    assert worked == 2  # last week's shift and this morning's (started: not released)
    unconfirmed = run("--as", "coord", "people", "forget", "samq", env=coord_env)
    assert unconfirmed.returncode == 1 and "--yes" in unconfirmed.stderr
    by_volunteer = run("--as", "kim", "people", "forget", "samq", "--yes", env=coord_env)
    assert by_volunteer.stderr.strip() == "error: only coordinators may forget people; kim is a volunteer"
    done = run("--as", "coord", "people", "forget", "samq", "--yes", "--json", env=coord_env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    pseudonym = f"former-{sam_id}"
    assert result["handle"] == pseudonym and result["vacuumed"] is True and result["audit_rows_redacted"] > 0
    raw = raw_bytes(path).lower()
    for trace in (SAM_NAME, "Quillfeather", "samq", "samlogin", "xe/xem", SAM_KEY, "quillfeather-private-topic"):
        assert trace.lower().encode() not in raw, trace
    # Others' data stays.
    for kept in (KIM_NAME, KIM_KEY, "Quiet morning, two calls, all calm."):
        assert kept.lower().encode() in raw, kept
    check = run("--as", "coord", "check", env=coord_env)
    assert check.returncode == 0, check.stdout + check.stderr
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        assert conn.execute("SELECT handle, name, login, passphrase_hash, pronouns FROM person WHERE id = ?",
                            (sam_id,)).fetchone() == (pseudonym, pseudonym, None, None, None)
        for table in ("person_tag", "person_language", "availability", "time_off", "ssh_key", "push_destination",
                      "notification", "notify_pref"):
            assert conn.execute(f"SELECT count(*) FROM {table} WHERE person_id = ?", (sam_id,)).fetchone()[0] == 0, table
        # They left their triad as `triad leave` does: with two left it ended and its meeting is cancelled.
        assert conn.execute("SELECT left_at IS NOT NULL FROM triad_member WHERE person_id = ?", (sam_id,)).fetchone() == (1,)
        assert conn.execute("SELECT status FROM triad").fetchone() == ("ended",)
        assert conn.execute("SELECT status FROM triad_meeting").fetchone() == ("cancelled",)
        assert conn.execute("SELECT count(*) FROM triad_optin").fetchone() == (0,)
        # The rota's history stays countable: the same shifts worked, the note kept (its author the pseudonym).
        assert conn.execute("SELECT count(*) FROM assignment WHERE person_id = ?", (sam_id,)).fetchone()[0] == worked
        assert conn.execute("SELECT author_id FROM handoff_note").fetchone()[0] == sam_id
        assert conn.execute("SELECT count(*) FROM debrief WHERE asker_id = ?", (sam_id,)).fetchone()[0] == 1
        # The audit log lost no row, gained the sign-ins, the deactivation (its keys suspended) and the forget, and
        # refuses any other change as before.
        assert conn.execute("SELECT count(*) FROM audit WHERE id <= ?", (audit_before,)).fetchone()[0] == audit_before
        added = {r[0] for r in conn.execute("SELECT action FROM audit WHERE id > ?", (audit_before,))}
        assert added == {"signin", "person.deactivate", "triad.leave", "key.suspend", "person.forget"}  # deactivation left the triad
        assert conn.execute("SELECT actor, subject FROM audit WHERE action = 'person.forget'").fetchall() == [("coord", pseudonym)]
        assert conn.execute("SELECT open, rows FROM audit_redaction").fetchall() == [(0, result["audit_rows_redacted"])]
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE audit SET detail = 'x' WHERE id = 1")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM audit_redaction")
        shifts = json.loads(run("--as", "coord", "shifts", "--from", "2026-11-23", "--to", "2026-11-23", "--json",
                                env=coord_env).stdout)
        assert [s["peers"] for s in shifts] == [[pseudonym]]
        hours = run("--as", "coord", "export", "csv", "hours", "--from", "2026-11-01", "--to", "2026-11-30", env=coord_env)
        assert f"{pseudonym}," in hours.stdout and "samq" not in hours.stdout
    finally:
        conn.close()


def test_even_an_open_redaction_lets_no_one_change_an_audit_rows_time_or_action(rota_file):
    with rota_file.transaction() as conn:
        conn.execute("INSERT INTO audit_redaction (at, actor, pseudonym) VALUES ('2026-11-23T15:00:00Z', 'coord', 'x')")
        conn.execute("UPDATE audit SET detail = 'rewritten' WHERE id = 1")  # the forget path's exception
        for change in ("action = 'x'", "at = '2000-01-01T00:00:00Z'", "id = 99999"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(f"UPDATE audit SET {change} WHERE id = 1")
        conn.execute("UPDATE audit_redaction SET open = 0")


@pytest.mark.slow
def test_check_reports_a_redaction_left_open_as_an_error(rota_file):
    from warmline import rota

    assert not [e for e in rota.check(rota_file.conn).errors if "redaction" in e]
    with rota_file.transaction() as conn:  # as a forget cut short by another program would leave it
        conn.execute("INSERT INTO audit_redaction (at, actor, pseudonym) VALUES ('2026-11-23T15:00:00Z', 'coord', 'x')")
        conn.execute("INSERT INTO audit_redaction (at, actor, pseudonym, open) VALUES ('2026-11-23T15:00:00Z', 'coord', 'y', 0)")
    errors = [e for e in rota.check(rota_file.conn).errors if "redaction" in e]
    assert errors == [
        "audit: redaction 1 is left open, so the log's actors and details can be rewritten: "
        "restore a backup from before it, or close it (UPDATE audit_redaction SET open = 0 WHERE id = 1)"
    ]
    done = cli_for(rota_file)("--as", "coord", "check", env={"WARMLINE_PASSPHRASE": PASS, "WARMLINE_NOW": NOW})
    assert done.returncode == 1 and "redaction 1 is left open" in done.stdout + done.stderr
    with rota_file.transaction() as conn:
        conn.execute("UPDATE audit_redaction SET open = 0 WHERE id = 1")
    assert not [e for e in rota.check(rota_file.conn).errors if "redaction" in e]


def test_forget_refuses_a_volunteer_in_the_core(rota_file):
    kim = people.get(rota_file.conn, "kim")
    with pytest.raises(Refused, match="only coordinators may forget people"):
        from warmline.privacy import forget

        forget(rota_file, kim, "zed")
    assert rota_file.conn.execute("SELECT count(*) FROM audit_redaction").fetchone()[0] == 0
