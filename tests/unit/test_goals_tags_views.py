"""The read models behind the app's Goals and Tags screens, People's tag filter and the Add-person form
(issue 15), at core speed: only coordinators see who offers what; proposed and paused tags are not
offered; this week's verdict per goal; the add forms' text read into the core's arguments."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from warmline import people, rota
from warmline import line as line_svc
from warmline.coverage import add_goal
from warmline.db import open_db
from warmline.errors import Invalid, Refused
from warmline.people import PersonChanges
from warmline.views.goals import load_goals
from warmline.views.people import load_offers, new_person_fields
from warmline.views.tags import add_tag, load_tags

NOW = "2026-11-23T08:00:00-05:00"  # Monday 23 Nov 2026, New York
TZ = ZoneInfo("America/New_York")


@pytest.fixture
def db(tmp_path, monkeypatch):
    """coord; ana offers grief and speaks Spanish; ben has grief proposed; cy has it paused; dee offers it, inactive."""
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    db = open_db(tmp_path / "r.db", create=True)
    line_svc.create(db, name="Test Line", tz="America/New_York", actor="coord",
                    first_coordinator=("coord", "Coordinator", None))
    coord = people.get(db.conn, "coord")
    people.add(db, coord, handle="ana", name="Ana", languages=["Spanish"])
    people.add(db, coord, handle="ben", name="Ben")
    people.add(db, coord, handle="cy", name="Cy", paused_tags=["grief"])
    people.add(db, coord, handle="dee", name="Dee")
    with db.transaction() as conn:  # their own offers, as if accepted
        conn.execute("INSERT INTO person_tag (person_id, tag_id, state)"
                     " SELECT id, 'grief', 'offered' FROM person WHERE handle IN ('ana', 'dee')")
    people.edit(db, coord, "ben", PersonChanges(offer=("grief",)))  # a coordinator's proposal
    people.deactivate(db, coord, "dee")
    yield db
    db.close()


def who(db, handle):
    return people.get(db.conn, handle)


def test_only_coordinators_read_who_offers_what_and_only_offered_counts(db):
    with pytest.raises(Refused):
        people.offered_tags(db.conn, who(db, "ana"))
    assert load_tags(db, who(db, "ana")).refusal
    with pytest.raises(Refused):
        load_offers(db, who(db, "ana"))
    assert people.offered_tags(db.conn, who(db, "coord")) == {"ana": ("grief",), "dee": ("grief",)}
    offers = load_offers(db, who(db, "coord"))
    assert offers.offered == [("grief", "grief", 2)]  # ben's proposal and cy's pause are not offers
    assert offers.words["ana"] == "\ngrief"
    rows = {row.tag.id: row for row in load_tags(db, who(db, "coord")).rows}
    assert rows["grief"].people == 1  # ana; dee is inactive
    assert rows["grief"].cells[3] == "1 offers" and rows["lang-es"].cells[3] == "1 speaks"
    assert rows["debt"].cells[3] == "nobody"


def test_a_tag_from_the_app_gets_an_id_from_its_label_and_a_name_in_use_is_refused(db):
    coord = who(db, "coord")
    tag = add_tag(db, coord, "Gambling recovery", "experience", "betting")
    assert (tag.id, tag.label, tag.aliases) == ("gambling-recovery", "Gambling recovery", ("betting",))
    with pytest.raises(Refused, match=r"^grief is already a tag \(experience\): use it as it is$"):
        add_tag(db, coord, "Grief", "experience", "")
    with pytest.raises(Refused, match="'betting' already names the experience tag Gambling recovery"):
        add_tag(db, coord, "Wagers", "experience", "betting")
    with pytest.raises(Refused):
        add_tag(db, who(db, "ana"), "Sailing", "experience", "")
    with pytest.raises(Invalid, match="the label is empty"):
        add_tag(db, coord, "  ", "experience", "")


def test_goals_say_whether_this_week_meets_them(db):
    coord = who(db, "coord")
    assert load_goals(db, who(db, "ana")).refusal
    add_goal(db, coord, "Spanish", "MO", time(17), time(21), 1)  # Monday: ana (Spanish) is on
    add_goal(db, coord, "grief", "MO", time(17), time(21), 2)  # nobody else on
    add_goal(db, coord, "Spanish", "TU", time(17), time(21), 1)  # no shift on Tuesday evening
    shift = rota.add_shift(db, coord, start=datetime(2026, 11, 23, 17, tzinfo=TZ),
                           end=datetime(2026, 11, 23, 21, tzinfo=TZ))
    rota.assign(db, coord, shift.id, "ana")
    loaded = load_goals(db, coord)
    assert loaded.week == "this week, Mon 23 Nov – Sun 29 Nov"
    assert [(r.goal.label, r.met, r.week) for r in loaded.rows] == [
        ("Spanish", True, "met on the only shift"),
        ("grief", False, "1 of 1 shift short"),
        ("Spanish", False, "no shift in its window"),
    ]
    assert "Spanish" in loaded.names and "grief" in loaded.names


def test_the_add_person_forms_login_limits_and_passphrase(db):
    assert new_person_fields({}, login=" ", passphrase="", again="") == {}
    typed = {"max_hours_week": "6", "max_shifts_week": "", "min_rest_hours": "", "max_overnights_month": "2"}
    assert new_person_fields(typed, login="deek", passphrase="long enough", again="long enough") == {
        "login": "deek", "max_hours_week": 6.0, "max_overnights_month": 2, "passphrase": "long enough"}
    with pytest.raises(Invalid, match="the two passphrases differ"):
        new_person_fields({}, login="", passphrase="long enough", again="long enougH")
    with pytest.raises(Invalid, match="max shifts per week is '2.5'"):
        new_person_fields({"max_shifts_week": "2.5"}, login="", passphrase="", again="")
