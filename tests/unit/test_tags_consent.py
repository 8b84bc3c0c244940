"""Consent to lived-experience tags (issue 15): proposals, accept/decline, the consent history.

A coordinator's tag for someone else is a proposal; the person accepts or declines it; every step is
a timestamped, append-only row of the person's history, which only they and coordinators read.
"""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from hostile import HOSTILE, escaped_controls, plant

from warmline import consent, people
from warmline.errors import Invalid, Refused
from warmline.migrations import MIGRATIONS
from warmline.people import PersonChanges
from warmline.tags import all_tags

NOW = "2026-11-23T08:00:00-05:00"  # 13:00 UTC
LATER = "2026-11-24T09:30:00-05:00"  # 14:30 UTC the next day


@pytest.fixture
def db(line_db, monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    return line_db


@pytest.fixture
def coord(db):
    return people.get(db.conn, "coord")


@pytest.fixture
def sam(db, coord):
    return people.add(db, coord, handle="sam", name="Sam")


@pytest.fixture
def kim(db, coord):
    return people.add(db, coord, handle="kim", name="Kim")


def steps(db, viewer, person) -> list[tuple[str, str, str, str | None]]:
    return [(s.at, s.tag_id, s.what, s.by) for s in consent.history(db.conn, viewer, person)]


def test_every_step_is_in_the_history_with_who_and_when(db, coord, sam, monkeypatch):
    people.edit(db, coord, "sam", PersonChanges(offer=("grief", "loneliness")))
    assert people.tags_of(db.conn, sam, sam) == [("grief", "proposed"), ("loneliness", "proposed")]
    assert [t.id for t in consent.proposals(db.conn, sam, sam)] == ["grief", "loneliness"]
    monkeypatch.setenv("WARMLINE_NOW", LATER)
    consent.accept(db, sam, "grief")
    consent.decline(db, sam, "loneliness")
    people.edit(db, sam, "sam", PersonChanges(pause=("grief",)))
    people.edit(db, sam, "sam", PersonChanges(offer=("grief", "debt")))  # resumed, and a new one offered
    people.edit(db, coord, "sam", PersonChanges(remove_tags=("debt",)))
    first, then = "2026-11-23T13:00:00Z", "2026-11-24T14:30:00Z"
    assert steps(db, sam, sam) == [
        (first, "grief", "proposed", "coord"),
        (first, "loneliness", "proposed", "coord"),
        (then, "grief", "accepted", "sam"),
        (then, "loneliness", "declined", "sam"),
        (then, "grief", "paused", "sam"),
        (then, "grief", "resumed", "sam"),
        (then, "debt", "offered", "sam"),
        (then, "debt", "removed", "coord"),
    ]
    assert people.tags_of(db.conn, sam, sam) == [("grief", "offered")]
    assert consent.proposals(db.conn, sam, sam) == []


def test_the_order_of_one_edits_steps_follows_the_options(db, coord, sam):
    people.edit(db, sam, "sam", PersonChanges(offer=("grief", "debt"), pause=("veteran",)))
    assert [(s.tag_id, s.what) for s in consent.history(db.conn, sam, sam)] == [
        ("grief", "offered"), ("debt", "offered"), ("veteran", "paused"),
    ]


def test_an_offered_tag_offered_again_writes_no_step(db, coord, sam):
    people.edit(db, sam, "sam", PersonChanges(offer=("grief",)))
    people.edit(db, coord, "sam", PersonChanges(offer=("grief",)))  # already offered: stays offered
    assert people.tags_of(db.conn, sam, sam) == [("grief", "offered")]
    assert [s.what for s in consent.history(db.conn, sam, sam)] == ["offered"]


def test_only_the_person_accepts_or_declines_their_own_proposals(db, coord, sam, kim):
    people.edit(db, coord, "sam", PersonChanges(offer=("grief",)))
    with pytest.raises(Invalid, match="nothing of that name is proposed to kim"):
        consent.accept(db, kim, "grief")  # kim has no proposal; sam's is not kim's to accept
    with pytest.raises(Invalid, match="nothing of that name is proposed to coord"):
        consent.decline(db, coord, "grief")
    assert people.tags_of(db.conn, sam, sam) == [("grief", "proposed")]
    with pytest.raises(Invalid, match="unknown tag"):
        consent.accept(db, sam, "no such feeling")
    with pytest.raises(Invalid, match="is a language|a language"):
        consent.accept(db, sam, "es")


def test_only_the_person_and_coordinators_read_the_history_and_a_refusal_tells_nothing(db, coord, sam, kim):
    people.edit(db, coord, "sam", PersonChanges(offer=("grief",)))
    assert steps(db, coord, sam) and steps(db, sam, sam)
    lee = people.add(db, coord, handle="lee", name="Lee")  # no tag, no history
    refusals = []
    for person in (sam, lee):
        with pytest.raises(Refused) as refused:
            consent.history(db.conn, kim, person)
        refusals.append(re.sub(rf"\b{person.handle}\b", "X", str(refused.value)))
    assert refusals[0] == refusals[1], refusals
    with pytest.raises(Refused):
        consent.proposals(db.conn, kim, sam)


def test_the_history_is_append_only(db, coord, sam):
    people.edit(db, coord, "sam", PersonChanges(offer=("grief",)))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.conn.execute("UPDATE tag_consent SET what = 'accepted'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.conn.execute("DELETE FROM tag_consent")


def test_a_refused_change_writes_no_step(db, coord, sam, kim):
    with pytest.raises(Refused):
        people.edit(db, kim, "sam", PersonChanges(offer=("grief",)))
    with pytest.raises(Invalid):
        people.edit(db, sam, "sam", PersonChanges(offer=("grief",), remove_tags=("grief",)))
    assert db.conn.execute("SELECT count(*) FROM tag_consent").fetchone()[0] == 0


def test_tags_given_when_a_coordinator_adds_someone_are_proposed(db, coord):
    """Issue 15: a coordinator adding a person only proposes their tags; the person is told (never
    which) and the tag is used for matching once they accept it."""
    ana = people.add(db, coord, handle="ana", name="Ana", tags=["grief"], paused_tags=["debt"])
    assert {(s.tag_id, s.what, s.by) for s in consent.history(db.conn, ana, ana)} == {
        ("grief", "proposed", "coord"), ("debt", "paused", "coord"),
    }
    assert people.tags_of(db.conn, ana, ana) == [("debt", "paused"), ("grief", "proposed")]
    assert [t.id for t in consent.proposals(db.conn, ana, ana)] == ["grief"]
    told = db.conn.execute("SELECT kind, title, body FROM notification WHERE person_id = ?", (ana.id,)).fetchall()
    assert [r[0] for r in told] == ["proposal"] and "grief" not in " ".join(told[0])
    consent.accept(db, ana, "grief")
    assert people.tags_of(db.conn, ana, ana) == [("debt", "paused"), ("grief", "offered")]
    assert [s.what for s in consent.history(db.conn, ana, ana) if s.tag_id == "grief"] == ["proposed", "accepted"]


def test_the_demos_people_set_their_own_tags(db, coord):
    from warmline.people import insert_person

    with db.transaction() as conn:
        pid = insert_person(conn, actor="coord", handle="bo", name="Bo", tags=["grief"], tags_set_by_self=True)
    bo = people.get(db.conn, "bo")
    assert bo.id == pid and people.tags_of(db.conn, bo, bo) == [("grief", "offered")]
    assert [(s.what, s.by) for s in consent.history(db.conn, bo, bo)] == [("offered", "bo")]
    assert db.conn.execute("SELECT count(*) FROM notification WHERE kind = 'proposal'").fetchone()[0] == 0


def test_no_tag_in_the_audit_log_or_in_an_error(db, coord, sam, kim):
    people.edit(db, coord, "sam", PersonChanges(offer=("grief", "hearing voices")))
    consent.accept(db, sam, "grief")
    consent.decline(db, sam, "hearing voices")
    texts = [" | ".join(map(str, row)) for row in db.conn.execute("SELECT * FROM audit")]
    for call in (
        lambda: consent.accept(db, sam, "grief"),
        lambda: consent.decline(db, kim, "hearing voices"),
        lambda: consent.history(db.conn, kim, sam),
    ):
        with pytest.raises((Invalid, Refused)) as err:
            call()
        texts.append(str(err.value))
    text = "\n".join(texts).casefold()
    leaks = [
        name for tag in all_tags(db.conn) if tag.family != "language"
        for name in (tag.id, tag.label, *tag.aliases)
        if re.search(rf"(?<![\w-]){re.escape(name.casefold())}(?![\w-])", text)
    ]
    assert leaks == [], text


# ---------------------------------------------------------------- the migration from schema 11


def test_the_migration_keeps_offered_tags_in_use_and_says_so(tmp_path):
    from warmline.db import open_db

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    from warmline.db import APPLICATION_ID

    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    conn.execute("BEGIN")
    for step in MIGRATIONS[:11]:
        for statement in step:
            conn.execute(statement)
    conn.execute("INSERT INTO line (id, name, tz, escalation, created_at) VALUES (1, 'L', 'UTC', 'Call', '2026-11-01T12:00:00Z')")
    for pid, handle in ((1, "ana"), (2, "sam")):
        conn.execute("INSERT INTO person (id, handle, name, role, created_at) VALUES (?, ?, ?, 'volunteer', '2026-11-01T12:00:00Z')",
                     (pid, handle, handle))
    conn.execute("INSERT INTO tag (id, label, family) VALUES ('grief', 'grief', 'experience'), ('debt', 'debt', 'experience')")
    conn.execute("INSERT INTO person_tag VALUES (2, 'grief', 'offered'), (2, 'debt', 'paused')")
    conn.execute("PRAGMA user_version=11")
    conn.execute("COMMIT")
    conn.close()

    db = open_db(path)
    try:
        assert db.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) >= 12
        assert [tuple(r) for r in db.conn.execute("SELECT tag_id, state FROM person_tag ORDER BY tag_id")] == [
            ("debt", "paused"), ("grief", "offered"),
        ]
        rows = [tuple(r) for r in db.conn.execute("SELECT person_id, tag_id, what, by_id, at FROM tag_consent ORDER BY tag_id")]
        assert [r[:4] for r in rows] == [(2, "debt", "before-consent", None), (2, "grief", "before-consent", None)]
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r[4]) for r in rows)
        sam = people.get(db.conn, "sam")
        assert [s.what for s in consent.history(db.conn, sam, sam)] == ["before-consent"] * 2
    finally:
        db.close()


# ---------------------------------------------------------------- the CLI


PASS = "a long enough passphrase"


def cli_line(run_cli):
    def ok(*args, env=None):
        done = run_cli(*args, env=env)
        assert done.returncode == 0, (args, done.stderr)
        return done

    ok("init", "--name", "L", "--tz", "America/New_York", "--coordinator", "coord")
    ok("people", "add", "sam", "--name", "Sam")
    ok("people", "passphrase", "sam", env={"WARMLINE_NEW_PASSPHRASE": PASS})
    return ok


def as_sam(run_cli, *args):
    return run_cli("--as", "sam", *args, env={"WARMLINE_PASSPHRASE": PASS})


@pytest.mark.slow  # whole `warmline` processes: the core tests above are the fast tier's
def test_the_cli_proposes_and_sam_accepts_or_declines(run_cli):
    ok = cli_line(run_cli)
    proposed = ok("people", "edit", "sam", "--offer", "grief", "--offer", "debt")
    assert "2 tags proposed to sam; each is used once they accept it" in proposed.stdout
    one = ok("people", "edit", "sam", "--offer", "veteran")
    assert "1 tag proposed to sam; it is used for matching once they accept it" in one.stdout
    assert "proposed: debt, grief, veteran" in as_sam(run_cli, "people", "show", "sam").stdout
    accepted = as_sam(run_cli, "tags", "accept", "grief")
    assert accepted.returncode == 0 and accepted.stdout.startswith("Accepted grief: it is used for matching")
    declined = as_sam(run_cli, "tags", "decline", "debt", "--json")
    assert json.loads(declined.stdout) == {"id": "debt", "label": "debt", "state": "declined"}
    again = as_sam(run_cli, "tags", "accept", "debt")
    assert again.returncode == 1 and again.stderr.startswith("error: nothing of that name is proposed to sam")
    assert again.stderr.count("\n") == 1 and "debt" not in again.stderr
    history = json.loads(as_sam(run_cli, "tags", "history", "--json").stdout)
    assert [(h["tag"], h["what"], h["by"]) for h in history] == [
        ("grief", "proposed", "coord"), ("debt", "proposed", "coord"), ("veteran", "proposed", "coord"),
        ("grief", "accepted", "sam"), ("debt", "declined", "sam"),
    ]
    assert history[0]["at"] == "2026-11-23T08:00:00-05:00"  # in the line's zone
    assert history[0]["text"] == "proposed by coord" and history[3]["text"] == "accepted"
    text = ok("tags", "history", "sam").stdout.splitlines()
    assert text[0] == "2026-11-23 08:00  grief: proposed by coord"
    assert ok("tags", "history").stdout.startswith("No consent history for coord")


@pytest.mark.slow  # whole `warmline` processes: the core tests above are the fast tier's
def test_hostile_labels_are_escaped_in_the_history_and_accept(run_cli):
    ok = cli_line(run_cli)
    ids = [f"planted-{n}" for n in range(len(HOSTILE))]
    for tag_id, hostile in zip(ids, HOSTILE):
        plant(run_cli.db, "INSERT INTO tag (id, label, family) VALUES (?, ?, 'experience')", (tag_id, hostile))
    ok("people", "edit", "sam", *[arg for tag_id in ids for arg in ("--offer", tag_id)])
    outputs = [as_sam(run_cli, "tags", "accept", tag_id) for tag_id in ids[:3]]
    outputs += [as_sam(run_cli, "tags", "history"), as_sam(run_cli, "tags", "history", "--json"),
                ok("tags", "history", "sam"), as_sam(run_cli, "people", "show", "sam")]
    for done in outputs:
        assert done.returncode == 0, done.stderr
        assert escaped_controls(done.stdout + done.stderr) == [], done.stdout
    history = json.loads(outputs[4].stdout)
    assert [h["label"] for h in history if h["what"] == "proposed"] == HOSTILE  # kept as data, escaped on output


# ---------------------------------------------------------------- the demo


def test_the_demos_tags_are_the_peoples_own_choice_in_their_history(tmp_path, fixed_now, monkeypatch):
    from warmline import access
    from warmline.db import open_db
    from warmline.demo import build

    monkeypatch.setattr(access, "os_user", lambda: "tester")
    db = open_db(tmp_path / "demo.db", create=True)
    try:
        build(db)
        conn = db.conn
        assert conn.execute("SELECT count(*) FROM person_tag WHERE state = 'proposed'").fetchone()[0] == 0
        held = {tuple(r) for r in conn.execute("SELECT person_id, tag_id, state FROM person_tag")}
        told = {tuple(r) for r in conn.execute("SELECT person_id, tag_id, what FROM tag_consent WHERE by_id = person_id")}
        assert held and held == told  # each offered or paused tag: one step, by the person themself
        assert conn.execute("SELECT count(*) FROM tag_consent").fetchone()[0] == len(held)
    finally:
        db.close()


def test_proposing_again_writes_no_second_step(db, coord, sam):
    people.edit(db, coord, "sam", PersonChanges(offer=("grief",)))
    people.edit(db, coord, "sam", PersonChanges(offer=("grief",)))  # e.g. the same spreadsheet imported twice
    assert [s.what for s in consent.history(db.conn, sam, sam)] == ["proposed"]


def test_the_person_is_told_of_a_proposal_without_its_name(db, coord, sam):
    people.edit(db, coord, "sam", PersonChanges(offer=("grief", "hearing voices")))
    people.edit(db, coord, "sam", PersonChanges(offer=("grief",)))  # nothing new: nobody is told again
    people.edit(db, sam, "sam", PersonChanges(offer=("debt",)))  # their own offer: nothing to tell
    rows = [tuple(r) for r in db.conn.execute("SELECT person_id, kind, shift_id, title, body FROM notification")]
    assert rows == [(
        sam.id, "proposal", None, "Proposed for your profile",
        "A coordinator proposed an experience for your profile: open your profile to accept or decline it.",
    )]
    text = " ".join(rows[0][3:]).casefold()
    for tag in all_tags(db.conn):
        if tag.family != "language":
            assert not any(re.search(rf"(?<![\w-]){re.escape(n.casefold())}(?![\w-])", text) for n in (tag.id, tag.label, *tag.aliases)), tag


def test_my_export_holds_my_consent_history_and_forget_erases_it(db, coord, sam, kim):
    from warmline import privacy

    people.edit(db, coord, "sam", PersonChanges(offer=("grief",)))
    consent.accept(db, sam, "grief")
    people.edit(db, coord, "kim", PersonChanges(offer=("debt",)))
    mine = privacy.export_me(db.conn, people.get(db.conn, "sam"))["consent_history"]
    assert [(h["tag"], h["what"], h["by"], h["at"]) for h in mine] == [
        ("grief", "proposed", "coord", "2026-11-23T08:00:00-05:00"), ("grief", "accepted", "sam", "2026-11-23T08:00:00-05:00"),
    ]
    people.deactivate(db, coord, "sam")
    privacy.forget(db, coord, "sam", vacuum=False)
    assert db.conn.execute("SELECT count(*) FROM tag_consent WHERE person_id = ?", (sam.id,)).fetchone()[0] == 0
    assert db.conn.execute("SELECT count(*) FROM tag_consent").fetchone()[0] == 1  # kim's stays
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):  # and only forget could delete
        db.conn.execute("DELETE FROM tag_consent")
