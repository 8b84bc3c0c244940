"""People: adding, editing, deactivating, passphrases, handles, languages, tags and their privacy."""

from __future__ import annotations

import re

import pytest

from warmline import access, people, rota
from warmline import line as line_mod
from warmline.db import open_db
from warmline.errors import Invalid, NotFound, Refused, RuleBroken
from warmline.people import PersonChanges
from warmline.recurrence import zone
from warmline.tags import all_tags
from warmline.times import parse_moment

NOW = "2026-11-23T08:00:00-05:00"
TZ = zone("America/New_York")


def at(text: str):
    return parse_moment(text, TZ)


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    database = open_db(tmp_path / "r.db", create=True)
    line_mod.create(database, name="T", tz="America/New_York", actor="coord", first_coordinator=("coord", "Coord", None))
    yield database
    database.close()


@pytest.fixture
def coord(db):
    return people.get(db.conn, "coord")


@pytest.fixture
def sam(db, coord):
    return people.add(db, coord, handle="sam", name="Sam")


def dump(db) -> list[str]:
    return list(db.conn.iterdump())


def audit_rows(db) -> list[tuple]:
    return [tuple(r) for r in db.conn.execute("SELECT actor, action, subject, detail FROM audit ORDER BY id")]


# ---------------------------------------------------------------- adding


def test_add_stores_every_field(db, coord):
    p = people.add(
        db, coord, handle="ana-r", name="  Ana R  ", role="coordinator", login="ana", pronouns="she/her",
        languages=["es", "English"], tags=["grief"], paused_tags=["loneliness"], max_hours_week=12,
        max_shifts_week=3, min_rest_hours=10, max_overnights_month=0,
    )
    assert (p.handle, p.name, p.role, p.login, p.pronouns, p.active) == ("ana-r", "Ana R", "coordinator", "ana", "she/her", True)
    assert p.languages == ("lang-en", "lang-es")
    assert (p.max_hours_week, p.max_shifts_week, p.min_rest_hours, p.max_overnights_month) == (12, 3, 10, 0)
    assert people.tags_of(db.conn, coord, p) == [("grief", "proposed"), ("loneliness", "paused")]  # consent
    assert audit_rows(db)[-1] == ("coord", "person.add", "ana-r", "role coordinator; 1 tags proposed, 1 paused")


def test_all_people_by_ids_and_the_roster_agree_with_get(db, coord, sam):
    people.add(db, coord, handle="ana", name="Ana", languages=["es", "English"], max_hours_week=9)
    people.add(db, coord, handle="bo", name="Bo", role="coordinator", login="bo")
    people.deactivate(db, coord, "sam")
    handles = ["ana", "bo", "coord", "sam"]
    everyone = people.all_people(db.conn)
    assert everyone == [people.get(db.conn, h) for h in handles]  # every field, languages sorted
    assert [p.handle for p in people.all_people(db.conn, include_inactive=False)] == ["ana", "bo", "coord"]
    some = {people.get(db.conn, h).id for h in ("sam", "ana")}
    assert people.all_people(db.conn, ids=some) == [people.get(db.conn, "ana"), people.get(db.conn, "sam")]
    assert people.all_people(db.conn, ids=some, include_inactive=False) == [people.get(db.conn, "ana")]
    assert people.all_people(db.conn, ids=set()) == []
    assert people.roster(db.conn) == [
        people.Listed(p.id, p.handle, p.name, p.role, p.active, p.languages) for p in everyone
    ]
    assert people.roster(db.conn)[0].languages == ("lang-en", "lang-es")


def test_unset_limits_fall_back_to_the_line_defaults(db, coord, sam):
    limits = sam.limits(line_mod.get(db.conn))
    assert (limits.max_hours_week, limits.max_shifts_week, limits.min_rest_hours, limits.max_overnights_month) == (20, 5, 8, 4)


@pytest.mark.parametrize("handle", ["ab", "ana-r", "a_1", "x" * 32, "0sam"])
def test_valid_handles(db, coord, handle):
    assert people.add(db, coord, handle=handle, name="N").handle == handle


@pytest.mark.parametrize("handle", ["Sam", "s", "x" * 33, "sam!", "sa m", "", "sam\n", "sám", "sa\x1bm", "x" * 100_000])
def test_invalid_handles_are_refused_with_how_to_fix(db, coord, handle):
    before = dump(db)
    with pytest.raises(Invalid, match="is not a valid handle: use 2 to 32 lower-case letters, digits"):
        people.add(db, coord, handle=handle, name="N")
    assert dump(db) == before


def test_a_taken_handle_or_login_is_refused(db, coord, sam):
    with pytest.raises(Refused, match="the handle sam is taken"):
        people.add(db, coord, handle="sam", name="Other Sam")
    people.add(db, coord, handle="kim", name="Kim", login="kimuser")
    with pytest.raises(Refused, match="the login kimuser already belongs"):
        people.add(db, coord, handle="kim2", name="Kim 2", login="kimuser")
    with pytest.raises(Refused, match="the login kimuser already belongs"):
        people.edit(db, coord, "sam", PersonChanges(login="kimuser"))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "the name is empty"),
        ({"name": "x" * 81}, "the name is 81 characters long; the most is 80"),
        ({"name": "Sam\tR"}, "the name contains a tab or line break (U+0009)"),
        ({"role": "boss"}, "role 'boss' is not one of: volunteer, coordinator"),
        ({"login": "bad login"}, "is not a valid OS login name"),
        ({"max_hours_week": -1}, "max hours per week is -1; it must be between 0 and 168"),
        ({"max_hours_week": float("nan")}, "max hours per week is nan"),
        ({"max_shifts_week": 51}, "max shifts per week is 51; it must be between 0 and 50"),
        ({"min_rest_hours": 169}, "min rest hours is 169"),
        ({"max_overnights_month": 32}, "max overnight shifts per month is 32; it must be between 0 and 31"),
        ({"pronouns": "x" * 31}, "the pronouns is 31 characters long"),
    ],
)
def test_add_refuses_bad_fields(db, coord, fields, message):
    before = dump(db)
    with pytest.raises(Invalid, match=re.escape(message)):
        people.add(db, coord, **{"handle": "newbie", "name": "New", **fields})
    assert dump(db) == before


# ---------------------------------------------------------------- languages and tags by name


@pytest.mark.parametrize("typed", ["es", "ES", "Spanish", "spanish", "español", "espanol", "castellano", "lang-es"])
def test_languages_resolve_through_ids_labels_and_aliases(db, coord, typed):
    assert people.add(db, coord, handle="ana", name="Ana", languages=[typed]).languages == ("lang-es",)


def test_languages_given_twice_are_stored_once(db, coord):
    assert people.add(db, coord, handle="ana", name="Ana", languages=["es", "Spanish", "ht", "kreyòl"]).languages == (
        "lang-es",
        "lang-ht",
    )


def test_a_language_is_not_a_tag_and_a_tag_is_not_a_language(db, coord):
    with pytest.raises(Invalid, match="Spanish is a language: give it with --language"):
        people.add(db, coord, handle="ana", name="Ana", tags=["es"])
    with pytest.raises(Invalid, match="'grief' is the experience tag grief \\(grief\\), not a language tag"):
        people.add(db, coord, handle="ana", name="Ana", languages=["grief"])


def test_unknown_tags_get_suggestions(db, coord):
    with pytest.raises(Invalid) as err:
        people.add(db, coord, handle="ana", name="Ana", tags=["greif"])
    assert str(err.value) == "unknown tag 'greif': did you mean grief (grief)? See `warmline tags list`."
    with pytest.raises(Invalid, match="unknown tag 'lonelyness': did you mean loneliness"):
        people.edit(db, coord, "coord", PersonChanges(offer=("lonelyness",)))
    with pytest.raises(Invalid, match="unknown language tag 'spansh': did you mean Spanish"):
        people.add(db, coord, handle="ana", name="Ana", languages=["spansh"])
    with pytest.raises(Invalid, match="unknown tag 'zzqqxx'"):
        people.add(db, coord, handle="ana", name="Ana", tags=["zzqqxx"])


def test_tags_resolve_through_labels_and_aliases(db, coord):
    p = people.add(db, coord, handle="ana", name="Ana", tags=["Hearing Voices", "bereavement", "housing_insecurity"])
    assert [t for t, _ in people.tags_of(db.conn, coord, p)] == ["grief", "hearing-voices", "housing-insecurity"]


# ---------------------------------------------------------------- editing, limits


def test_volunteer_may_lower_but_not_raise_their_limits(db, coord, sam):
    people.edit(db, sam, "sam", PersonChanges(max_hours_week=10, max_shifts_week=3, max_overnights_month=1))
    before = dump(db)
    with pytest.raises(Refused) as err:
        people.edit(db, sam, "sam", PersonChanges(max_hours_week=15))
    assert str(err.value) == (
        "sam may lower their own max hours per week but not raise it (now 10, asked 15): ask a coordinator"
    )
    with pytest.raises(Refused, match=r"max shifts per week but not raise it \(now 3, asked 4\)"):
        people.edit(db, sam, "sam", PersonChanges(max_shifts_week=4))
    with pytest.raises(Refused, match=r"max overnight shifts per month but not raise it \(now 1, asked 2\)"):
        people.edit(db, sam, "sam", PersonChanges(max_overnights_month=2))
    # The line's default (5 shifts) is the current limit for someone who never set one.
    kim = people.add(db, coord, handle="kim", name="Kim")
    before = dump(db)
    with pytest.raises(Refused, match=r"max shifts per week but not raise it \(now 5, asked 6\)"):
        people.edit(db, kim, "kim", PersonChanges(max_hours_week=4, max_shifts_week=6))
    assert dump(db) == before
    people.edit(db, sam, "sam", PersonChanges(max_hours_week=10))  # equal is not raising
    people.edit(db, coord, "sam", PersonChanges(max_hours_week=30))  # a coordinator may raise
    assert people.get(db.conn, "sam").max_hours_week == 30


def test_volunteer_may_lengthen_but_not_shorten_their_rest(db, sam):
    people.edit(db, sam, "sam", PersonChanges(min_rest_hours=10))
    with pytest.raises(Refused) as err:
        people.edit(db, sam, "sam", PersonChanges(min_rest_hours=6))
    assert str(err.value) == (
        "sam may lengthen their own min rest but not shorten it (now 10 h, asked 6 h): ask a coordinator"
    )


@pytest.mark.parametrize(
    ("changes", "label"),
    [(PersonChanges(role="coordinator"), "role"), (PersonChanges(login="samuser"), "login"), (PersonChanges(active=True), "active flag")],
)
def test_volunteer_may_not_change_their_own_role_login_or_active_flag(db, sam, changes, label):
    with pytest.raises(Refused, match=f"only coordinators may change a person's {label}; sam is a volunteer"):
        people.edit(db, sam, "sam", changes)


def test_volunteer_edits_own_profile(db, sam):
    p = people.edit(db, sam, "sam", PersonChanges(name="Sam R", pronouns="they/them", languages=["fr"]))
    assert (p.name, p.pronouns, p.languages) == ("Sam R", "they/them", ("lang-fr",))
    assert audit_rows(db)[-1] == ("sam", "person.edit", "sam", "name, pronouns, languages")


def test_an_edit_with_nothing_to_change_is_refused(db, sam):
    before = dump(db)
    with pytest.raises(Invalid, match="nothing to change"):
        people.edit(db, sam, "sam", PersonChanges())
    assert dump(db) == before


def test_edit_of_an_unknown_handle_suggests_close_ones(db, coord, sam):
    with pytest.raises(NotFound, match="nobody on this line has the handle 'sma': did you mean sam"):
        people.edit(db, coord, "sma", PersonChanges(name="X"))


# ---------------------------------------------------------------- tags: states, who, audit


def test_tag_states_offer_pause_remove(db, coord, sam):
    people.edit(db, sam, "sam", PersonChanges(offer=("grief", "loneliness")))
    assert people.tags_of(db.conn, sam, sam) == [("grief", "offered"), ("loneliness", "offered")]
    people.edit(db, sam, "sam", PersonChanges(pause=("grief",)))
    assert people.tags_of(db.conn, sam, sam) == [("grief", "paused"), ("loneliness", "offered")]
    # A coordinator's offer for someone else is a proposal (issue 15): used once sam accepts it.
    people.edit(db, coord, "sam", PersonChanges(offer=("grief",), remove_tags=("loneliness",)))
    assert people.tags_of(db.conn, sam, sam) == [("grief", "proposed")]
    assert audit_rows(db)[-1][3] == (
        "tags: 0 offered, 1 proposed, 0 paused, 1 removed (by coordinator coord at sam's request)"
    )


def test_a_tag_given_twice_in_one_edit_is_refused(db, sam):
    with pytest.raises(Invalid, match="the same tag was given twice"):
        people.edit(db, sam, "sam", PersonChanges(offer=("grief",), pause=("bereavement",)))
    with pytest.raises(Invalid, match="the same tag was given twice"):
        people.edit(db, sam, "sam", PersonChanges(offer=("grief",), remove_tags=("grief",)))
    with pytest.raises(Invalid, match="a tag cannot be both offered and paused"):
        people.add(db, people.get(db.conn, "coord"), handle="ana", name="Ana", tags=["grief"], paused_tags=["loss"])


def test_only_the_person_or_a_coordinator_changes_their_tags(db, coord, sam):
    kim = people.add(db, coord, handle="kim", name="Kim", tags=["debt"])
    before = dump(db)
    for changes in (PersonChanges(offer=("grief",)), PersonChanges(pause=("debt",)), PersonChanges(remove_tags=("debt",))):
        with pytest.raises(Refused):
            people.edit(db, sam, "kim", changes)
    assert dump(db) == before
    people.edit(db, coord, "kim", PersonChanges(pause=("debt",)))
    assert people.tags_of(db.conn, kim, kim) == [("debt", "paused")]


def test_audit_rows_never_name_a_tag(db, coord, sam):
    people.add(db, coord, handle="kim", name="Kim", tags=["hearing voices", "prison"], paused_tags=["debt"], languages=["es"])
    people.edit(db, sam, "sam", PersonChanges(offer=("grief", "trans"), pause=("veteran",)))
    people.edit(db, sam, "sam", PersonChanges(pause=("grief",), remove_tags=("veteran",), languages=["ko"]))
    people.edit(db, coord, "kim", PersonChanges(offer=("debt",), remove_tags=("prison-reentry",), pause=("lgbtq",)))
    people.edit(db, coord, "kim", PersonChanges(offer=("Parent", "faith", "woman")))
    assert db.conn.execute("SELECT count(*) FROM person_tag").fetchone()[0] == 8

    text = "\n".join(" | ".join(map(str, row)) for row in db.conn.execute("SELECT * FROM audit")).casefold()
    leaks = []
    for tag in all_tags(db.conn):
        if tag.family == "language":
            continue
        for name in (tag.id, tag.label, *tag.aliases):
            if re.search(rf"(?<![\w-]){re.escape(name.casefold())}(?![\w-])", text):
                leaks.append(name)
    assert leaks == [], text


def test_volunteers_cannot_read_other_peoples_tags(db, coord, sam):
    kim = people.add(db, coord, handle="kim", name="Kim", tags=["debt"])
    with pytest.raises(Refused, match="only coordinators may see other people's tags"):
        people.tags_of(db.conn, sam, kim)


# ---------------------------------------------------------------- deactivation


def test_deactivation_releases_future_shifts_only(db, coord, sam):
    past = rota.add_shift(db, coord, start=at("2026-11-20T09:00"), end=at("2026-11-20T13:00"), allow_past=True).id
    late = rota.add_shift(db, coord, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00")).id
    later = rota.add_shift(db, coord, start=at("2026-11-30T09:00"), end=at("2026-11-30T13:00")).id
    for s in (past, late, later):
        rota.assign(db, coord, s, "sam")
    assert rota.drop(db, sam, late) == "cover-requested"

    person, released = people.deactivate(db, coord, "sam")
    assert (person.active, released) == (False, 2)
    held = [r[0] for r in db.conn.execute("SELECT shift_id FROM assignment WHERE person_id = ?", (sam.id,))]
    assert held == [past]
    assert db.conn.execute("SELECT status FROM cover_request").fetchone()[0] == "withdrawn"
    assert audit_rows(db)[-1] == ("coord", "person.deactivate", "sam", f"released from 2 future shifts; shift ids {late},{later}")
    assert rota.check(db.conn).ok

    with pytest.raises(RuleBroken, match="sam is inactive and cannot be put on shifts"):
        rota.assign(db, coord, later, "sam", force=True)
    with pytest.raises(Refused, match="sam is inactive"):
        rota.claim(db, sam, later)
    with pytest.raises(Refused, match="sam is already inactive"):
        people.deactivate(db, coord, "sam")

    assert people.edit(db, coord, "sam", PersonChanges(active=True)).active
    rota.assign(db, coord, later, "sam")


def test_deactivation_is_not_done_by_edit(db, coord, sam):
    with pytest.raises(Invalid, match="use `warmline people deactivate`"):
        people.edit(db, coord, "sam", PersonChanges(active=False))


def test_the_last_coordinator_cannot_be_demoted_or_deactivated(db, coord, sam):
    before = dump(db)
    with pytest.raises(Refused, match="coord is the line's last active coordinator"):
        people.deactivate(db, coord, "coord")
    with pytest.raises(Refused, match="coord is the line's last active coordinator"):
        people.edit(db, coord, "coord", PersonChanges(role="volunteer"))
    assert dump(db) == before

    people.add(db, coord, handle="lee", name="Lee", role="coordinator")
    people.deactivate(db, coord, "lee")
    with pytest.raises(Refused, match="last active coordinator"):  # an inactive coordinator does not count
        people.edit(db, coord, "coord", PersonChanges(role="volunteer"))

    people.edit(db, coord, "sam", PersonChanges(role="coordinator"))
    people.edit(db, coord, "coord", PersonChanges(role="volunteer"))
    sam_now = people.get(db.conn, "sam")
    with pytest.raises(Refused, match="sam is the line's last active coordinator"):
        people.deactivate(db, sam_now, "sam")


# ---------------------------------------------------------------- passphrases


def test_volunteer_sets_own_passphrase_and_signs_in(db, sam):
    people.set_passphrase(db, sam, "sam", "my own passphrase")
    assert people.get(db.conn, "sam").has_passphrase
    assert access.sign_in(db, "sam", "my own passphrase").handle == "sam"
    assert audit_rows(db)[-2] == ("sam", "person.passphrase", "sam", "passphrase set")


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("short", "a passphrase needs at least 8 characters"),
        ("x" * 1025, "a passphrase may have at most 1024 characters"),
        ("tab\there ok", "a passphrase may not contain control characters"),
        ("esc\x1bhere ok", "a passphrase may not contain control characters"),
    ],
)
def test_bad_passphrases_are_refused(db, sam, secret, message):
    before = dump(db)
    with pytest.raises(Invalid, match=message):
        people.set_passphrase(db, sam, "sam", secret)
    assert dump(db) == before


# ---------------------------------------------------------------- changing one's own passphrase


def test_changing_your_own_passphrase_needs_the_current_one(db, coord, sam):
    people.set_passphrase(db, coord, "sam", "first harbour 1")  # a coordinator's reset: no current needed
    sam = people.get(db.conn, "sam")
    before = dump(db)
    with pytest.raises(Refused, match="needs your current one"):
        people.set_passphrase(db, sam, "sam", "second harbour 2")
    with pytest.raises(Refused, match="not accepted"):
        people.set_passphrase(db, sam, "sam", "second harbour 2", current="a wrong guess")
    assert access.verify_passphrase("first harbour 1", db.conn.execute(
        "SELECT passphrase_hash FROM person WHERE handle = 'sam'").fetchone()[0])
    # The wrong guess counts toward the lock, as a wrong sign-in does.
    assert db.conn.execute("SELECT failed_signins FROM person WHERE handle = 'sam'").fetchone()[0] == 1
    people.set_passphrase(db, sam, "sam", "second harbour 2", current="first harbour 1")
    assert access.sign_in(db, "sam", "second harbour 2").handle == "sam"
    assert dump(db) != before


def test_a_first_passphrase_and_a_coordinators_reset_need_no_current_one(db, coord, sam):
    people.set_passphrase(db, sam, "sam", "my first one 1")  # sam had none: nothing to confirm
    people.set_passphrase(db, coord, "sam", "reset by coord 2")  # someone else's: a reset
    assert access.sign_in(db, "sam", "reset by coord 2").handle == "sam"


@pytest.mark.slow
def test_the_cli_asks_for_the_current_passphrase_when_you_change_your_own(run_cli):
    assert run_cli("init", "--name", "L", "--tz", "America/New_York", "--coordinator", "boss").returncode == 0
    assert run_cli("people", "add", "sam", "--name", "Sam").returncode == 0
    assert run_cli("people", "passphrase", "sam", env={"WARMLINE_NEW_PASSPHRASE": "sams first one"}).returncode == 0
    as_sam = {"WARMLINE_AS": "sam", "WARMLINE_PASSPHRASE": "sams first one", "WARMLINE_NEW_PASSPHRASE": "sams next one"}
    done = run_cli("people", "passphrase", "sam", env=as_sam)  # the sign-in's passphrase is the current one
    assert done.returncode == 0, done.stderr
    # boss is the OS user (no passphrase asked to act): a first passphrase needs nothing to confirm,
    # a second one needs the current one, and without a terminal or WARMLINE_PASSPHRASE it is refused.
    assert run_cli("people", "passphrase", "boss", env={"WARMLINE_NEW_PASSPHRASE": "boss first one"}).returncode == 0
    refused = run_cli("people", "passphrase", "boss", env={"WARMLINE_NEW_PASSPHRASE": "boss next one"})
    assert refused.returncode == 1 and refused.stderr.startswith("error: changing your own passphrase needs")
    assert refused.stderr.count("\n") == 1
    changed = run_cli(
        "people", "passphrase", "boss",
        env={"WARMLINE_NEW_PASSPHRASE": "boss next one", "WARMLINE_PASSPHRASE": "boss first one"},
    )
    assert changed.returncode == 0, changed.stderr


# ---------------------------------------------------------------- the editor's save: one transaction


def test_save_person_writes_passphrase_details_and_deactivation_together(db, coord, sam):
    rota.add_shift(db, coord, start=at("2026-11-24 09:00"), end=at("2026-11-24 13:00"), seats=2)
    rota.assign(db, coord, 1, "sam")
    saved = people.save_person(db, coord, "sam", PersonChanges(name="Sam Ruiz"), "a long new secret", True)
    assert saved.steps == ("passphrase", "details", "deactivated")
    assert (saved.person.name, saved.person.active, saved.released) == ("Sam Ruiz", False, 1)
    assert [row[1] for row in audit_rows(db)[-3:]] == ["person.passphrase", "person.edit", "person.deactivate"]
    assert not db.conn.in_transaction


@pytest.mark.parametrize(
    "changes, passphrase, deactivate_too, refused",
    [
        # The last step refuses (the line's last coordinator): the details written before it are not kept.
        (PersonChanges(name="Coordinator Two"), None, True, Refused),
        # The middle step refuses (no such role): the passphrase written before it is not kept.
        (PersonChanges(role="admin"), "a long new secret", False, Invalid),
    ],
)
def test_a_refused_step_of_save_person_leaves_nothing_half_written(db, coord, sam, changes, passphrase,
                                                                   deactivate_too, refused):
    handle = "coord" if deactivate_too else "sam"
    before = dump(db)
    with pytest.raises(refused):
        people.save_person(db, coord, handle, changes, passphrase, deactivate_too)
    assert dump(db) == before
    assert not db.conn.in_transaction


def test_save_person_refuses_a_short_passphrase_before_anything(db, coord, sam):
    before = dump(db)
    with pytest.raises(Invalid):
        people.save_person(db, coord, "sam", PersonChanges(name="Sam Ruiz"), "short", False)
    assert dump(db) == before
