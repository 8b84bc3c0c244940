"""Rough edges a new coordinator hits (issue 15): an existing tag, lead times, tag options, zones.

- `tags add Gambling` when it exists says so, naming the tag and what to do (not "used twice").
- `--lead`: 0 alone (or none/off) means no reminders; 0 inside a list is refused, clearly.
- `people edit` takes --offer/--pause/--remove-tag (the DESIGN table); --tag/--paused-tag are
  hidden, deprecated older names that still work (with a note on stderr).
- A line's zone is a region's IANA name or UTC; EST, MST, HST, EST5EDT, Etc/GMT+5, US/Eastern are
  refused with a suggestion.
"""

from __future__ import annotations

import pytest

from warmline import line as line_mod
from warmline import people, tags
from warmline.db import open_db
from warmline.errors import Invalid, Refused
from warmline.notify.outbox import parse_leads
from warmline.recurrence import line_zone


def test_adding_a_tag_that_exists_says_so_and_what_to_do(line_db, coordinator):
    existing = tags.add(line_db, coordinator, tag_id="gambling", label="gambling recovery", family="experience")
    before = len(tags.all_tags(line_db.conn))
    with pytest.raises(Refused) as caught:
        tags.add(line_db, coordinator, tag_id="Gambling", label="Gambling", family="experience")
    message = caught.value.message
    assert message.startswith(f"tag 'gambling' exists already ({existing.family}: {existing.label})")
    assert "use it as it is" in message and "warmline tags list" in message
    assert "used twice" not in message
    assert len(tags.all_tags(line_db.conn)) == before


@pytest.mark.parametrize("text, leads", [("0", ()), ("none", ()), ("off", ()), ("60,15", (60, 15)), ("15", (15,))])
def test_lead_times_zero_alone_is_none(text, leads):
    assert parse_leads(text) == leads


@pytest.mark.parametrize("text", ["0,15", "60,0", "15, 0"])
def test_a_zero_inside_a_list_of_lead_times_is_refused_clearly(text):
    with pytest.raises(Invalid, match=r"^lead time 0 in a list: 0 alone \(or 'none'\) means no reminders"):
        parse_leads(text)


@pytest.mark.parametrize("name", ["America/New_York", "Europe/London", "Australia/Sydney", "UTC", "Etc/UTC"])
def test_region_zones_and_utc_are_a_lines_zone(name):
    assert line_zone(name).key == name


@pytest.mark.parametrize(
    "name, suggestion",
    [
        ("EST", "America/New_York"),
        ("EST5EDT", "America/New_York"),
        ("US/Eastern", "America/New_York"),
        ("MST", "America/Denver"),
        ("HST", "Pacific/Honolulu"),
        ("Etc/GMT+5", "your region's name"),
        ("Zulu", "UTC"),
    ],
)
def test_fixed_offset_and_alias_zones_are_refused_with_a_suggestion(tmp_path, name, suggestion):
    db = open_db(tmp_path / "z.db", create=True)
    try:
        with pytest.raises(Invalid) as caught:
            line_mod.create(db, name="Z", tz=name, actor="coord", first_coordinator=("coord", "C", None))
        assert caught.value.message.startswith(f"time zone '{name}' is a fixed offset or an old alias")
        assert f"use {suggestion}" in caught.value.message
        assert db.conn.execute("SELECT count(*) FROM line").fetchone()[0] == 0
    finally:
        db.close()


@pytest.mark.slow
def test_the_cli_refuses_est_and_people_edit_names_offer_and_pause(run_cli):
    done = run_cli("init", "--name", "L", "--tz", "EST", "--coordinator", "coord")
    assert done.returncode == 1 and done.stderr.startswith("error: time zone 'EST'"), done.stderr
    assert "America/New_York" in done.stderr
    assert run_cli("init", "--name", "L", "--tz", "America/New_York", "--coordinator", "coord").returncode == 0
    assert run_cli("people", "add", "sam", "--name", "Sam", "--tag", "grief").returncode == 0
    shown = run_cli("people", "edit", "--help").stdout
    assert "--offer" in shown and "--pause" in shown and "--remove-tag" in shown
    options = [line.split()[0] for line in shown.splitlines() if line.startswith("  -")]
    assert "--tag" not in options and "--paused-tag" not in options
    # The older names still work, with a note saying what to use.
    old = run_cli("people", "edit", "sam", "--paused-tag", "grief")
    assert old.returncode == 0 and "use --offer and --pause" in old.stderr, old.stderr
    new = run_cli("people", "edit", "sam", "--offer", "grief")
    assert new.returncode == 0 and new.stderr == "", new.stderr
    import sqlite3

    conn = sqlite3.connect(run_cli.db)
    try:
        state = conn.execute(
            "SELECT pt.state FROM person_tag pt JOIN person p ON p.id = pt.person_id WHERE p.handle = 'sam'"
        ).fetchall()
    finally:
        conn.close()
    assert state == [("proposed",)]  # a coordinator's offer for sam is a proposal until sam accepts it (issue 15)
