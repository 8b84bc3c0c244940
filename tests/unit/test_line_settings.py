"""Line settings (issue 15): the core's change_settings (coordinators only, audited, one transaction,
nothing changed on a refusal), the default escalation text by zone, and `warmline line set` / `init`."""

from __future__ import annotations

import json

import pytest

from warmline import line, swaps
from warmline.errors import Invalid, Refused
from warmline.people import add


def _rows(db) -> list[tuple]:
    return [tuple(r) for r in db.conn.execute("SELECT * FROM line")] + [
        tuple(r) for r in db.conn.execute("SELECT action, subject, detail FROM audit WHERE action = 'line.edit'")
    ]


def test_a_coordinator_changes_each_setting_with_one_audit_row_each(line_db, coordinator):
    done = line.change_settings(
        line_db, coordinator, name="  Harbor Night Line ", escalation="Call Samaritans on 116 123",
        drop_cutoff_hours=24, swaps_need_approval=True,
    )
    assert done.changed == ("name", "escalation", "drop_cutoff_hours", "swaps_need_approval")
    assert done.settings == line.LineSettings("Harbor Night Line", "America/New_York", "Call Samaritans on 116 123", 24, True)
    got = line.get(line_db.conn)
    assert (got.name, got.escalation, got.drop_cutoff_hours) == ("Harbor Night Line", "Call Samaritans on 116 123", 24)
    assert swaps.need_approval(line_db.conn) is True  # the column swaps.set_need_approval writes
    edits = [(r[1], r[2]) for r in line_db.conn.execute("SELECT actor, subject, detail FROM audit WHERE action = 'line.edit'")]
    assert edits == [
        ("name", "Harbor Night Line"),
        ("escalation text", "Call Samaritans on 116 123"),
        ("drop cut-off", "48 h → 24 h"),
        ("swaps", "swaps need approval: yes"),
    ]


def test_only_what_differs_is_changed_and_audited(line_db, coordinator):
    done = line.change_settings(line_db, coordinator, name="Test Line", drop_cutoff_hours=12)
    assert done.changed == ("drop_cutoff_hours",)
    assert line.change_settings(line_db, coordinator, drop_cutoff_hours=12).changed == ()
    assert len(list(line_db.conn.execute("SELECT 1 FROM audit WHERE action = 'line.edit'"))) == 1


def test_the_new_cut_off_is_what_the_drop_rule_reads(line_db, coordinator):
    from datetime import datetime, timedelta, timezone

    moment = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)
    start = moment + timedelta(hours=30)
    assert line.get(line_db.conn).drop_asks_cover(start, moment)  # 48 h
    line.change_settings(line_db, coordinator, drop_cutoff_hours=24)
    assert not line.get(line_db.conn).drop_asks_cover(start, moment)


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({}, "nothing to change"),
        ({"name": ""}, "the line's name is empty"),
        ({"name": "   "}, "the line's name is empty"),
        ({"name": "Line\x1b[2J"}, "the line's name contains an escape"),
        ({"name": "x" * 201}, "the line's name is 201 characters long"),
        ({"escalation": ""}, "the escalation text is empty"),
        ({"escalation": "Call \u202e886"}, "the escalation text contains a text-direction control"),
        ({"escalation": "Call\n988"}, "the escalation text contains a tab or line break"),
        ({"escalation": "x" * (line.MAX_ESCALATION + 1)}, "the most is 200"),
        ({"drop_cutoff_hours": -1}, "between 0 and 672 h"),
        ({"drop_cutoff_hours": 673}, "between 0 and 672 h"),
        ({"drop_cutoff_hours": 1.5}, "a whole number of hours"),
        ({"drop_cutoff_hours": True}, "a whole number of hours"),
        ({"drop_cutoff_hours": "24"}, "a whole number of hours"),
        ({"swaps_need_approval": "yes"}, "say yes or no"),
        ({"name": "Fine Line", "drop_cutoff_hours": 999}, "between 0 and 672 h"),  # the good one is not kept either
    ],
)
def test_a_bad_value_is_one_clear_line_and_nothing_changes(line_db, coordinator, fields, says):
    before = _rows(line_db)
    with pytest.raises(Invalid) as refused:
        line.change_settings(line_db, coordinator, **fields)
    assert says in str(refused.value) and "\n" not in str(refused.value)
    assert _rows(line_db) == before


def test_a_volunteer_may_not_change_the_settings(line_db, coordinator):
    sam = add(line_db, coordinator, handle="sam", name="Sam")
    before = _rows(line_db)
    with pytest.raises(Refused, match="only coordinators may change the line's settings; sam is a volunteer"):
        line.change_settings(line_db, sam, name="Sam's Line")
    with pytest.raises(Refused, match="only coordinators"):  # told that first, not what is wrong with the value
        line.change_settings(line_db, sam, drop_cutoff_hours=-5)
    assert _rows(line_db) == before
    assert line.settings(line_db.conn).name == "Test Line"  # everyone may read them


def test_set_need_approval_still_works_and_shows_in_the_settings(line_db, coordinator):
    assert swaps.set_need_approval(line_db, coordinator, True) is True
    assert line.settings(line_db.conn).swaps_need_approval is True


# ---------------------------------------------------------------- the default escalation text by zone


@pytest.mark.parametrize(
    ("tz", "has", "not_"),
    [
        ("America/New_York", "988 (Suicide & Crisis Lifeline), or 911", None),
        ("Pacific/Honolulu", "988", None),
        ("US/Eastern", "988", None),
        ("America/Toronto", "988 (Suicide Crisis Helpline), or 911", None),
        ("America/Vancouver", "988", None),
        ("Europe/London", "Samaritans free on 116 123, or 999", "988"),
        ("Europe/Dublin", "116 123, or 112 or 999", "988"),
        ("Australia/Sydney", "Lifeline on 13 11 14, or 000", "988"),
        ("Australia/Perth", "13 11 14", "988"),
        ("Pacific/Auckland", "1737 (Need to talk?), or 111", "988"),
        ("Asia/Tokyo", "your local emergency number", "988"),
        ("America/Mexico_City", "your local emergency number", "988"),  # America/ is not all US and Canada
        ("America/Sao_Paulo", "your local emergency number", "988"),
        ("UTC", "your local emergency number", "988"),
    ],
)
def test_the_default_escalation_is_the_zone_s_national_line_else_neutral(tz, has, not_):
    text = line.default_escalation(tz)
    assert has in text
    assert not_ is None or not_ not in text
    assert text == line.clean_text(text, "the escalation text")  # every default passes the core's own check


def test_every_zone_in_the_table_is_a_zone_and_every_text_is_short():
    from zoneinfo import ZoneInfo

    for tz, text in line.ESCALATION_BY_ZONE.items():
        ZoneInfo(tz)  # raises on a misspelt zone
        assert len(text) <= line.MAX_ESCALATION


# ---------------------------------------------------------------- the CLI


@pytest.mark.parametrize(
    ("tz", "has", "not_"),
    [
        ("Europe/London", "Samaritans free on 116 123", "988"),
        ("America/Toronto", "988", None),
        ("Asia/Tokyo", "your local emergency number", "988"),
    ],
)
def test_init_shows_the_zone_s_escalation_text(run_cli, tz, has, not_):
    done = run_cli("init", "--name", "Test Line", "--tz", tz, "--coordinator", "coord")
    assert done.returncode == 0, done.stderr
    assert has in done.stdout and (not_ is None or not_ not in done.stdout)
    shown = json.loads(run_cli("line", "set", "--drop-cutoff", "48", "--json").stdout)
    assert has in shown["escalation"] and shown["tz"] == tz and shown["changed"] == []


def test_an_explicit_escalation_wins(run_cli):
    done = run_cli("init", "--name", "Test Line", "--tz", "Europe/London", "--escalation", "Ring the duty phone", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["escalation"] == "Ring the duty phone"


def test_line_set_changes_and_says_what_changed(run_cli):
    assert run_cli("init", "--name", "Test Line", "--tz", "America/New_York").returncode == 0
    done = run_cli("line", "set", "--name", "Harbor", "--escalation", "Call 988", "--drop-cutoff", "24",
                   "--swaps-need-approval", "yes")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "The line is now called Harbor.",
        "The escalation text is now: Call 988",
        "A drop within 24 h of its shift now asks for cover.",
        "Swaps now need a coordinator's approval.",
    ]
    again = run_cli("line", "set", "--name", "Harbor", "--json")
    assert json.loads(again.stdout) == {
        "name": "Harbor", "tz": "America/New_York", "escalation": "Call 988", "drop_cutoff_hours": 24,
        "swaps_need_approval": True, "changed": [],
    }
    assert run_cli("line", "set", "--name", "Harbor").stdout.startswith("Nothing changed")


def test_line_set_with_nothing_to_set_is_a_usage_error(run_cli):
    assert run_cli("init", "--name", "Test Line", "--tz", "America/New_York").returncode == 0
    done = run_cli("line", "set")
    assert done.returncode == 2
    assert "give at least one of --name, --escalation, --drop-cutoff, --swaps-need-approval" in done.stderr

