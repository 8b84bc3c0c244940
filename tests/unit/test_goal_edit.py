"""Editing a coverage goal in place (issue 15): the core's edit_goal and `warmline goal edit`.

What is given changes and the rest stays; the values are checked as add checks them; a refusal
leaves the goal and the audit log as they were; only coordinators may edit; the audit row says
the days, window and minimum before and after, never the tag.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import sys
from datetime import time

import pytest

from warmline import audit, coverage, people
from warmline.errors import Invalid, NotFound, Refused


@pytest.fixture
def goal(line_db, coordinator, fixed_now):
    return coverage.add_goal(line_db, coordinator, "Spanish", "daily", time(17), time(21))


def stored(db, goal_id):
    (found,) = [g for g in coverage.goals(db.conn, include_removed=True) if g.id == goal_id]
    return found


def goal_audit(db, actor):
    return [(e.action, e.subject, e.detail) for e in audit.entries(db.conn, actor) if e.action.startswith("goal.")]


def test_only_what_is_given_changes(line_db, coordinator, goal):
    changed, did = coverage.edit_goal(line_db, coordinator, goal.id, min_people=2)
    assert did
    assert changed.describe() == "Spanish, every day 17:00–21:00, at least 2"
    assert stored(line_db, goal.id) == changed
    assert (changed.id, changed.created_at, changed.active) == (goal.id, goal.created_at, True)
    changed, did = coverage.edit_goal(line_db, coordinator, goal.id, days="weekends", start=time(22), end=time(2))
    assert did and changed.describe() == "Spanish, weekends 22:00–02:00, at least 2"
    changed, did = coverage.edit_goal(line_db, coordinator, goal.id, tag="grief")
    assert did and (changed.tag_id, changed.label, changed.days, changed.min_people) == ("grief", "grief", "SA,SU", 2)
    assert [g.id for g in coverage.goals(line_db.conn)] == [goal.id]  # edited in place, not added


def test_the_audit_says_before_and_after_and_never_the_tag(line_db, coordinator, goal):
    coverage.edit_goal(line_db, coordinator, goal.id, min_people=2)
    coverage.edit_goal(line_db, coordinator, goal.id, tag="hearing voices", days="weekdays")
    rows = goal_audit(line_db, coordinator)
    assert rows[:2] == [
        ("goal.edit", f"goal {goal.id}",
         "every day 17:00–21:00, at least 2 → weekdays 17:00–21:00, at least 2; need changed"),
        ("goal.edit", f"goal {goal.id}", "every day 17:00–21:00, at least 1 → every day 17:00–21:00, at least 2"),
    ]
    raw = " ".join(" ".join(map(str, r)) for r in line_db.conn.execute("SELECT * FROM audit"))
    for word in ("spanish", "lang-es", "voices", "hearing"):
        assert word not in raw.lower()


def test_a_change_to_the_same_values_writes_nothing(line_db, coordinator, goal):
    before = goal_audit(line_db, coordinator)
    same, did = coverage.edit_goal(line_db, coordinator, goal.id, tag="es", days="every day", start=time(17))
    assert not did and same == goal
    assert goal_audit(line_db, coordinator) == before


@pytest.mark.parametrize(
    ("changes", "error", "words"),
    [
        ({"min_people": 0}, Invalid, "the minimum is 0; it must be a whole number from 1 to 50"),
        ({"min_people": 51}, Invalid, "from 1 to 50"),
        ({"min_people": True}, Invalid, "from 1 to 50"),
        ({"days": "someday"}, Invalid, "'someday' is not a day"),
        ({"days": ""}, Invalid, "no days given"),
        ({"start": time(9, 30, 5)}, Invalid, "the start must be a time of day in whole minutes"),
        ({"end": "21:00"}, Invalid, "the end must be a time of day"),
        ({"tag": "spanishh"}, Invalid, "did you mean"),
        ({"min_people": 3, "days": "funday"}, Invalid, "is not a day"),  # one bad value: nothing changes
        ({}, Invalid, "nothing to change"),
    ],
)
def test_bad_values_are_refused_as_add_refuses_them_and_nothing_changes(line_db, coordinator, goal, changes, error,
                                                                          words):
    before = goal_audit(line_db, coordinator)
    with pytest.raises(error, match=words):
        coverage.edit_goal(line_db, coordinator, goal.id, **changes)
    assert stored(line_db, goal.id) == goal
    assert goal_audit(line_db, coordinator) == before


def test_a_goal_that_is_not_there_or_removed_is_a_clear_error(line_db, coordinator, goal):
    for missing in (999, 0, -1, 2**70, "1", True):
        with pytest.raises(NotFound, match="there is no active goal"):
            coverage.edit_goal(line_db, coordinator, missing, min_people=2)
    coverage.remove_goal(line_db, coordinator, goal.id)
    with pytest.raises(NotFound, match=f"there is no active goal {goal.id}"):
        coverage.edit_goal(line_db, coordinator, goal.id, min_people=2)
    assert stored(line_db, goal.id).min_people == 1


def test_only_coordinators_may_edit_a_goal(line_db, coordinator, goal):
    people.add(line_db, coordinator, handle="sam", name="Sam")
    sam = people.get(line_db.conn, "sam")
    with pytest.raises(Refused, match="only coordinators may edit coverage goals; sam is a volunteer"):
        coverage.edit_goal(line_db, sam, goal.id, min_people=2)
    assert stored(line_db, goal.id) == goal
    # A coordinator made a volunteer since they signed in is refused too: the role is read in the transaction.
    people.add(line_db, coordinator, handle="ivy", name="Ivy", role="coordinator")
    ivy = people.get(line_db.conn, "ivy")
    from warmline.people import PersonChanges

    people.edit(line_db, coordinator, "ivy", PersonChanges(role="volunteer"))
    with pytest.raises(Refused):
        coverage.edit_goal(line_db, ivy, goal.id, min_people=2)
    assert stored(line_db, goal.id) == goal


# ---------------------------------------------------------------- the CLI, in-process


def cli(monkeypatch, capsys, db_path, *args):
    from warmline.cli import main

    for key in [k for k in os.environ if k.startswith("WARMLINE_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("WARMLINE_DB", str(db_path))
    monkeypatch.setenv("WARMLINE_NOW", "2026-11-23T08:00:00-05:00")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    capsys.readouterr()
    with pytest.raises(SystemExit) as ended:
        main(list(args))
    out, err = capsys.readouterr()
    return ended.value.code, out, err


def dump(path):
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def cli_line(line_db, coordinator, goal, monkeypatch, tmp_path):
    """The rota file, with this process's OS user mapped to the coordinator (no passphrase asked)."""
    from warmline import access

    monkeypatch.setattr(access, "os_user", lambda: "coord-login")
    people.edit(line_db, coordinator, "coord", people.PersonChanges(login="coord-login"))
    return tmp_path / "rota.db"


def test_cli_goal_edit_changes_only_what_is_given(cli_line, goal, monkeypatch, capsys):
    code, out, err = cli(monkeypatch, capsys, cli_line, "goal", "edit", str(goal.id), "--min", "2")
    assert (code, err) == (0, "")
    assert out == f"Changed goal {goal.id}: Spanish, every day 17:00–21:00, at least 2.\n"
    code, out, err = cli(monkeypatch, capsys, cli_line, "goal", "edit", str(goal.id), "--from", "18:00", "--json")
    assert code == 0
    shown = json.loads(out)
    assert (shown["id"], shown["from"], shown["to"], shown["min_people"], shown["days_text"]) == (
        goal.id, "18:00", "21:00", 2, "every day")
    code, out, err = cli(monkeypatch, capsys, cli_line, "goal", "edit", str(goal.id), "--min", "2")
    assert code == 0 and "nothing changed" in out


def test_cli_goal_edit_with_nothing_to_change_is_a_usage_error(cli_line, goal, monkeypatch, capsys):
    before = dump(cli_line)
    code, out, err = cli(monkeypatch, capsys, cli_line, "goal", "edit", str(goal.id))
    assert code == 2
    assert "give at least one of --days, --from, --to, --min, --tag" in err
    assert dump(cli_line) == before


@pytest.mark.parametrize(
    "args",
    [["999", "--min", "2"], ["1", "--min", "0"], ["1", "--days", "someday"], ["1", "--to", "25:00"],
     ["1", "--tag", "greif"], ["1", "--min", "3", "--days", "funday"]],
)
def test_cli_goal_edit_bad_input_is_one_line_and_changes_nothing(cli_line, goal, monkeypatch, capsys, args):
    before = dump(cli_line)
    code, out, err = cli(monkeypatch, capsys, cli_line, "goal", "edit", *args)
    assert code == 1 and out == ""
    (line,) = err.splitlines()
    assert line.startswith("error: ")
    assert dump(cli_line) == before
