"""Who may do what: the permission matrix, actor resolution, sign-in lockout and passphrase storage.

The matrix calls every mutating service function as a volunteer and as a coordinator.
A refusal must be `Refused` and must leave the file exactly as it was (a dump of every
table, the audit log included, is compared before and after).
"""

from __future__ import annotations

import base64
import hashlib
import inspect
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from warmline import access, people, rota, tags
from warmline import line as line_mod
from warmline.db import open_db
from warmline.errors import Invalid, NotFound, Refused
from warmline.people import PersonChanges
from warmline.recurrence import zone
from warmline.times import parse_moment

NOW = "2026-11-23T08:00:00-05:00"  # a Monday
TZ = zone("America/New_York")


def at(text: str):
    return parse_moment(text, TZ)


def dump(db) -> list[str]:
    return list(db.conn.iterdump())


def audit_count(db) -> int:
    return db.conn.execute("SELECT count(*) FROM audit").fetchone()[0]


# ---------------------------------------------------------------- a small line for core tests


@dataclass
class World:
    db: object
    coord: object
    sam: object
    kim: object
    open_shift: int
    sams_shift: int
    kims_shift: int
    coords_shift: int
    series_id: int

    def person(self, role: str):
        return self.coord if role == "coordinator" else self.sam


@pytest.fixture
def world(tmp_path, monkeypatch, access_clock_follows_warmline_now) -> World:
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    db = open_db(tmp_path / "r.db", create=True)
    line_mod.create(db, name="T", tz="America/New_York", actor="coord", first_coordinator=("coord", "Coord", None))
    coord = people.get(db.conn, "coord")
    sam = people.add(db, coord, handle="sam", name="Sam", tags=["grief"], tags_set_by_self=True)
    kim = people.add(db, coord, handle="kim", name="Kim", tags=["housing-insecurity"], tags_set_by_self=True)

    def shift(start, end):
        return rota.add_shift(db, coord, start=at(start), end=at(end)).id

    open_shift = shift("2026-11-30T09:00", "2026-11-30T13:00")
    sams = shift("2026-12-01T09:00", "2026-12-01T13:00")
    kims = shift("2026-12-02T09:00", "2026-12-02T13:00")
    coords = shift("2026-12-03T09:00", "2026-12-03T13:00")
    rota.assign(db, coord, sams, "sam")
    rota.assign(db, coord, kims, "kim")
    rota.assign(db, coord, coords, "coord")
    series, _ = rota.add_series(
        db, coord, rule="FREQ=WEEKLY;BYDAY=SA", start=at("2026-11-28T10:00"), end=at("2026-11-28T14:00")
    )
    made = World(db, coord, sam, kim, open_shift, sams, kims, coords, series.id)
    yield made
    made.db.close()


# ---------------------------------------------------------------- the matrix

# Operations only a coordinator may do: (name, call(world, actor)).
COORDINATOR_ONLY = {
    "person.add": lambda w, a: people.add(w.db, a, handle="newbie", name="New Person"),
    "person.edit (other)": lambda w, a: people.edit(w.db, a, "kim", PersonChanges(name="Kim K")),
    "person.edit tags (other)": lambda w, a: people.edit(w.db, a, "kim", PersonChanges(pause=("housing-insecurity",))),
    "person.edit limits (other)": lambda w, a: people.edit(w.db, a, "kim", PersonChanges(max_hours_week=5)),
    "person.deactivate (other)": lambda w, a: people.deactivate(w.db, a, "kim"),
    "person.passphrase (other)": lambda w, a: people.set_passphrase(w.db, a, "kim", "kims new passphrase"),
    "tag.add": lambda w, a: tags.add(
        w.db, a, tag_id="gambling-recovery", label="gambling recovery", family="experience"
    ),
    "shift.add": lambda w, a: rota.add_shift(w.db, a, start=at("2026-12-05T09:00"), end=at("2026-12-05T13:00")),
    "series.add": lambda w, a: rota.add_series(
        w.db, a, rule="FREQ=DAILY", start=at("2026-12-05T18:00"), end=at("2026-12-05T22:00")
    ),
    "shift.edit": lambda w, a: rota.edit_shift(w.db, a, w.open_shift, seats=3),
    "shift.edit (forced)": lambda w, a: rota.edit_shift(w.db, a, w.open_shift, note="moved", force=True),
    "shift.cancel": lambda w, a: rota.cancel_shift(w.db, a, w.open_shift),
    "series.edit": lambda w, a: rota.edit_series(w.db, a, w.series_id, rota.SeriesChanges(seats=3)),
    "series.cancel": lambda w, a: rota.cancel_series(w.db, a, w.series_id),
    "assign (other)": lambda w, a: rota.assign(w.db, a, w.open_shift, "kim"),
    "assign (self)": lambda w, a: rota.assign(w.db, a, w.open_shift, a.handle),
    "assign (forced)": lambda w, a: rota.assign(w.db, a, w.open_shift, "kim", force=True),
    "unassign (other)": lambda w, a: rota.unassign(w.db, a, w.kims_shift, "kim"),
    "unassign (self)": lambda w, a: rota.unassign(w.db, a, w.sams_shift, "sam"),
}

# Operations a volunteer may do for themself; `target` names whose data they touch.
SELF_ONLY = {
    "person.edit name": lambda w, a, target: people.edit(w.db, a, target, PersonChanges(name="New Name")),
    "person.edit tags": lambda w, a, target: people.edit(w.db, a, target, PersonChanges(offer=("loneliness",))),
    "person.edit pause tag": lambda w, a, target: people.edit(
        w.db, a, target, PersonChanges(pause=("grief", "housing-insecurity"))
    ),
    "person.edit limits down": lambda w, a, target: people.edit(w.db, a, target, PersonChanges(max_hours_week=10)),
    "person.passphrase": lambda w, a, target: people.set_passphrase(w.db, a, target, "a fresh passphrase"),
}

# Operations on the actor's own seat (claim, drop): no target, allowed for both roles.
OWN_SEAT = {
    "claim": lambda w, a: rota.claim(w.db, a, w.open_shift),
    "drop": lambda w, a: rota.drop(w.db, a, w.sams_shift if a.handle == "sam" else w.coords_shift),
}

# Public functions that take an actor but change nothing by themselves: readers, and helpers
# that run inside a service's transaction (insert_person serves line.create and people.add).
READ_ONLY = {
    ("rota", "candidates"), ("people", "fresh_actor"), ("people", "insert_person"),
    # Coordinators' readers before deactivating / reactivating (test_deactivate_restore.py refuses volunteers).
    ("people", "future_seats"), ("rota", "released_seats"),
}


@pytest.mark.fast_tier_sample(4)
@pytest.mark.parametrize("name", sorted(COORDINATOR_ONLY))
def test_volunteer_is_refused_coordinator_only_operations_and_nothing_changes(world, name):
    before = dump(world.db)
    with pytest.raises(Refused) as refusal:
        COORDINATOR_ONLY[name](world, world.sam)
    assert "sam" in str(refusal.value)
    assert dump(world.db) == before


@pytest.mark.fast_tier_sample(4)
@pytest.mark.parametrize("name", sorted(COORDINATOR_ONLY))
def test_coordinator_may_do_coordinator_only_operations(world, name):
    before = audit_count(world.db)
    COORDINATOR_ONLY[name](world, world.coord)
    assert audit_count(world.db) == before + 1


@pytest.mark.parametrize("name", sorted(SELF_ONLY))
def test_volunteer_may_do_self_operations_for_themself(world, name):
    before = audit_count(world.db)
    SELF_ONLY[name](world, world.sam, "sam")
    assert audit_count(world.db) == before + 1


@pytest.mark.parametrize("name", sorted(SELF_ONLY))
def test_volunteer_is_refused_self_operations_on_someone_else(world, name):
    before = dump(world.db)
    with pytest.raises(Refused):
        SELF_ONLY[name](world, world.sam, "kim")
    assert dump(world.db) == before


@pytest.mark.parametrize("name", sorted(SELF_ONLY))
def test_coordinator_may_do_self_operations_for_others(world, name):
    before = audit_count(world.db)
    SELF_ONLY[name](world, world.coord, "kim")
    assert audit_count(world.db) == before + 1


@pytest.mark.parametrize("role", ["volunteer", "coordinator"])
@pytest.mark.parametrize("name", sorted(OWN_SEAT))
def test_both_roles_may_claim_and_drop_their_own_seats(world, name, role):
    before = audit_count(world.db)
    OWN_SEAT[name](world, world.person(role))
    assert audit_count(world.db) == before + 1


def test_volunteer_cannot_drop_someone_elses_shift(world):
    before = dump(world.db)
    with pytest.raises(Refused, match="sam is not on shift"):
        rota.drop(world.db, world.sam, world.kims_shift)
    assert dump(world.db) == before
    on = rota.view(world.db.conn, world.kims_shift).peers
    assert [a.handle for a in on] == ["kim"]


def test_coordinator_only_refusal_says_who_and_what(world):
    with pytest.raises(Refused) as refusal:
        rota.add_shift(world.db, world.sam, start=at("2026-12-05T09:00"), end=at("2026-12-05T13:00"))
    assert str(refusal.value) == "only coordinators may create shifts; sam is a volunteer"


def test_every_public_service_taking_an_actor_is_in_the_matrix():
    """A new mutating service function must join the matrix above (or READ_ONLY if it only reads)."""
    covered = {
        ("people", "add"), ("people", "edit"), ("people", "deactivate"), ("people", "set_passphrase"),
        ("tags", "add"),
        ("rota", "add_shift"), ("rota", "edit_shift"), ("rota", "cancel_shift"), ("rota", "add_series"),
        ("rota", "edit_series"), ("rota", "cancel_series"), ("rota", "assign"), ("rota", "unassign"),
        ("rota", "claim"), ("rota", "drop"),
        ("rota", "restore_released"),  # each seat through rota.assign; see test_deactivate_restore.py
        ("rota", "withdraw_cover"),  # the asker's own, or a coordinator: see test_rota_cover_withdraw.py
        ("people", "save_person"),  # "person save (other)" in the later coordinator-only rows
    }
    found = set()
    for module in (people, rota, tags):
        for fname, func in inspect.getmembers(module, inspect.isfunction):
            if fname.startswith("_") or func.__module__ != module.__name__:
                continue
            params = list(inspect.signature(func).parameters)
            if params[:2] == ["db", "actor"] or params[:2] == ["conn", "actor"]:
                found.add((module.__name__.rsplit(".", 1)[1], fname))
    assert found - covered - READ_ONLY == set()


def test_the_rota_permissions_are_split_as_the_matrix_expects():
    """The rota core's permission names (later issues add their own, tested with them)."""
    assert {
        "person.add", "person.edit", "person.deactivate", "person.passphrase", "tag.add", "shift.add",
        "shift.edit", "shift.cancel", "series.edit", "series.cancel", "assign", "unassign", "force",
        "tags.read.others", "audit.read", "line.edit",  # line.edit: no service function yet
    } <= access.COORDINATOR_ONLY
    assert access.VOLUNTEER_SELF == {"claim", "drop", "person.edit.self", "person.passphrase.self", "triad.join"}


def test_volunteer_may_not_read_other_peoples_tags_in_the_core(world):
    with pytest.raises(Refused, match="only coordinators may see other people's tags; sam is a volunteer"):
        people.tags_of(world.db.conn, world.sam, world.kim)
    assert people.tags_of(world.db.conn, world.sam, world.sam) == [("grief", "offered")]
    assert people.tags_of(world.db.conn, world.coord, world.kim) == [("housing-insecurity", "offered")]


def test_role_and_active_flag_are_re_read_inside_each_change(world):
    """A Person object read earlier does not keep powers its owner has since lost."""
    coord2 = people.add(world.db, world.coord, handle="coord2", name="C2", role="coordinator")
    people.edit(world.db, world.coord, "coord2", PersonChanges(role="volunteer"))
    before = dump(world.db)
    with pytest.raises(Refused, match="only coordinators may create shifts; coord2 is a volunteer"):
        rota.add_shift(world.db, coord2, start=at("2026-12-05T09:00"), end=at("2026-12-05T13:00"))
    assert dump(world.db) == before
    people.deactivate(world.db, world.coord, "sam")
    before = dump(world.db)
    with pytest.raises(Refused, match="sam is inactive"):
        rota.claim(world.db, world.sam, world.open_shift)
    with pytest.raises(Refused, match="sam is inactive"):
        people.edit(world.db, world.sam, "sam", PersonChanges(name="Still Sam"))
    assert dump(world.db) == before


# ---------------------------------------------------------------- later issues' services, the same way
# (matching, calls, handoffs, notification settings, availability, swaps, exchange, auto-fill)


@dataclass
class Later:
    now_shift: int  # Mon 23 Nov 07:00-11:00, on now: sam
    next_shift: int  # 11:00-15:00, the next one: kim (reads sam's note)
    goal: int
    time_off: int  # kim's
    swap: int  # kim offers her shift for sam's
    note: int  # sam's, for kim
    csv: Path
    feeds: Path
    proposal: object  # an auto-fill proposal the coordinator made


@pytest.fixture
def later(world, tmp_path) -> Later:
    from datetime import date, time

    from warmline import autofill, availability, coverage, handoff, swaps

    w = world
    now_shift = rota.add_shift(w.db, w.coord, start=at("2026-11-23T07:00"), end=at("2026-11-23T11:00")).id
    next_shift = rota.add_shift(w.db, w.coord, start=at("2026-11-23T11:00"), end=at("2026-11-23T15:00")).id
    rota.assign(w.db, w.coord, now_shift, "sam")
    rota.assign(w.db, w.coord, next_shift, "kim")
    goal = coverage.add_goal(w.db, w.coord, "grief", "daily", time(9), time(17)).id
    off = availability.add_time_off(w.db, w.coord, "kim", date(2026, 12, 24), date(2026, 12, 24)).time_off.id
    swap = swaps.propose(w.db, w.kim, w.kims_shift, w.sams_shift, "sam").id
    note = handoff.write_note(w.db, w.sam, now_shift, "Quiet so far.").id
    csv = tmp_path / "people.csv"
    csv.write_text("handle,name,tags\nzed,Zed,grief\n")
    proposal = autofill.propose(w.db.conn, w.coord, at("2026-11-30T00:00"), at("2026-12-07T00:00"), engine="greedy")
    assert proposal.placements
    return Later(now_shift, next_shift, goal, off, swap, note, csv, tmp_path / "feeds", proposal)


def _later_coordinator_only():
    from datetime import date, time

    from warmline import autofill, availability, coverage, swaps
    from warmline.exchange import csvio, ics
    from warmline.notify import outbox

    week = (at("2026-11-30T00:00"), at("2026-12-07T00:00"))
    return {
        "goal.add": lambda w, l, a: coverage.add_goal(w.db, a, "grief", "weekends", time(9), time(17)),
        "goal.edit": lambda w, l, a: coverage.edit_goal(w.db, a, l.goal, min_people=3),
        "goal.remove": lambda w, l, a: coverage.remove_goal(w.db, a, l.goal),
        "coverage": lambda w, l, a: coverage.coverage(w.db.conn, a, *week),
        "import people": lambda w, l, a: csvio.import_people(w.db, a, l.csv),
        "import people (dry run)": lambda w, l, a: csvio.import_people(w.db, a, l.csv, dry_run=True),
        "ics feeds for everyone": lambda w, l, a: ics.write_feeds(w.db.conn, a, l.feeds),
        "ics calendar (other)": lambda w, l, a: ics.person_calendar(w.db.conn, a, "kim"),
        "notify settings (other)": lambda w, l, a: outbox.set_prefs(w.db, a, "kim", leads=(30,)),
        "availability set (other)": lambda w, l, a: availability.set_windows(
            w.db, a, "kim", availability.parse_windows(["MO", "17:00-21:00"])
        ),
        "availability clear (other)": lambda w, l, a: availability.clear(w.db, a, "kim"),
        "availability of (other)": lambda w, l, a: availability.of(w.db.conn, a, "kim"),
        "availability of everyone": lambda w, l, a: availability.everyone(w.db.conn, a),
        "time off add (other)": lambda w, l, a: availability.add_time_off(w.db, a, "kim", date(2026, 12, 31), date(2026, 12, 31)),
        "time off remove (other)": lambda w, l, a: availability.remove_time_off(w.db, a, l.time_off),
        "time off list (other)": lambda w, l, a: availability.time_off(w.db.conn, a, "kim"),
        "swap approval setting": lambda w, l, a: swaps.set_need_approval(w.db, a, True),
        "line settings": lambda w, l, a: _line().change_settings(w.db, a, name="Renamed", drop_cutoff_hours=1),
        # The person editor's save (one transaction of edit, passphrase, deactivate) for someone else.
        "person save (other)": lambda w, l, a: people.save_person(
            w.db, a, "kim", people.PersonChanges(pronouns="they/them"), None, False
        ),
        "swap refuse": lambda w, l, a: swaps.refuse(w.db, a, l.swap),
        "autofill propose": lambda w, l, a: autofill.propose(w.db.conn, a, *week, engine="greedy"),
        "autofill apply": lambda w, l, a: autofill.apply(w.db, a, l.proposal),
        "debrief stats": lambda w, l, a: _debrief().stats(w.db.conn, a, *week),
        "push delivery for everyone": lambda w, l, a: _delivery().deliver_push_all(w.db, a),
    }


def _delivery():
    from warmline.notify import delivery

    return delivery


def _debrief():
    from warmline import debrief

    return debrief


def _line():
    from warmline import line

    return line


LATER_COORDINATOR_ONLY = _later_coordinator_only()


def _later_on_shift():
    from warmline import calls, handoff, matching

    # name: (call, may a coordinator who is not on shift do it too)
    return {
        "match": (lambda w, l, a: matching.match(w.db.conn, a, ["grief"]), True),
        "log a call": (lambda w, l, a: calls.log_call(w.db, a, ["grief"]), True),
        "handoff note": (lambda w, l, a: handoff.write_note(w.db, a, l.now_shift, "All calm."), True),
        "busy": (lambda w, l, a: calls.set_busy(w.db, a, True), False),  # one's own seat on the shift now
        "debrief request": (lambda w, l, a: _debrief().request(w.db, a), False),  # on shift or 2 h after, everyone
    }


LATER_ON_SHIFT = _later_on_shift()


def _later_only_theirs():
    from warmline import handoff, swaps

    # name: (call, the one person who may, everyone else in this world is refused)
    return {
        "swap accept": (lambda w, l, a: swaps.accept(w.db, a, l.swap), "sam"),
        "swap decline": (lambda w, l, a: swaps.decline(w.db, a, l.swap), "sam"),
        "swap withdraw": (lambda w, l, a: swaps.withdraw(w.db, a, l.swap), "kim"),
        "handoff ack": (lambda w, l, a: handoff.ack(w.db, a, l.note), "kim"),
    }


LATER_ONLY_THEIRS = _later_only_theirs()


@pytest.mark.fast_tier_sample(7)
@pytest.mark.parametrize("name", sorted(LATER_COORDINATOR_ONLY))
def test_volunteer_is_refused_later_coordinator_only_services(world, later, name):
    before = dump(world.db)
    with pytest.raises(Refused):
        LATER_COORDINATOR_ONLY[name](world, later, world.sam)
    assert dump(world.db) == before
    assert not later.feeds.exists()


@pytest.mark.fast_tier_sample(7)
@pytest.mark.parametrize("name", sorted(LATER_COORDINATOR_ONLY))
def test_coordinator_may_use_later_coordinator_only_services(world, later, name):
    audited = world.db.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    result = LATER_COORDINATOR_ONLY[name](world, later, world.coord)
    changed = world.db.conn.execute("SELECT count(*) FROM audit").fetchone()[0] > audited or later.feeds.exists()
    assert result is not None or changed, f"{name}: a coordinator got neither an answer nor a change"


@pytest.mark.parametrize("name", sorted(LATER_ON_SHIFT))
def test_only_people_on_shift_now_and_coordinators_match_log_calls_and_write_notes(world, later, name):
    call, coordinator_may = LATER_ON_SHIFT[name]
    before = dump(world.db)
    with pytest.raises(Refused, match="kim is not on"):
        call(world, later, world.kim)  # kim's shift starts at 11:00
    assert dump(world.db) == before
    call(world, later, world.sam)  # on shift now
    if coordinator_may:
        call(world, later, world.coord)
    else:
        with pytest.raises(Refused):
            call(world, later, world.coord)


@pytest.mark.parametrize("name", sorted(LATER_ONLY_THEIRS))
def test_only_the_person_concerned_may_answer_a_swap_or_acknowledge_a_note(world, later, name):
    call, allowed = LATER_ONLY_THEIRS[name]
    everyone = {"sam": world.sam, "kim": world.kim, "coord": world.coord}
    for handle, actor in everyone.items():
        if handle == allowed:
            continue
        before = dump(world.db)
        with pytest.raises((Refused, NotFound)):
            call(world, later, actor)
        assert dump(world.db) == before, handle
    call(world, later, everyone[allowed])


def test_a_volunteer_may_not_approve_a_swap(world, later):
    from warmline import swaps

    swaps.set_need_approval(world.db, world.coord, True)
    swaps.accept(world.db, world.sam, later.swap)
    before = dump(world.db)
    for volunteer in (world.sam, world.kim):
        with pytest.raises(Refused, match="only coordinators may approve swaps"):
            swaps.approve(world.db, volunteer, later.swap)
    assert dump(world.db) == before
    assert swaps.approve(world.db, world.coord, later.swap).status == "done"


# ---------------------------------------------------------------- triads (issue 16)
# join, leave and swap-turn act only on the actor themself (no handle to name anyone else); forming is
# for coordinators; list shows a volunteer only their own triad.


@pytest.fixture
def triad_world(world):
    from warmline import triads

    lee = people.add(world.db, world.coord, handle="lee", name="Lee")
    for p in (world.sam, world.kim, lee):
        triads.join(world.db, p)
    return world


TRIAD_COORDINATOR_ONLY = {
    "triad form (preview)": lambda w, a: __import__("warmline.triads").triads.propose(w.db.conn, a),
    "triad form --apply": lambda w, a: __import__("warmline.triads").triads.apply(
        w.db, a, __import__("warmline.triads").triads.propose(w.db.conn, w.coord)
    ),
}


@pytest.mark.parametrize("name", sorted(TRIAD_COORDINATOR_ONLY))
def test_only_coordinators_form_triads(triad_world, name):
    w = triad_world
    before = dump(w.db)
    with pytest.raises(Refused, match="only coordinators may form triads; sam is a volunteer"):
        TRIAD_COORDINATOR_ONLY[name](w, w.sam)
    assert dump(w.db) == before
    assert TRIAD_COORDINATOR_ONLY[name](w, w.coord)


def test_triad_join_leave_and_swap_turn_are_the_actors_own(triad_world):
    from warmline import triads

    w = triad_world
    for fn in (triads.join, triads.leave, triads.swap_turn):
        params = list(inspect.signature(fn).parameters)
        assert "handle" not in params and params[:2] == ["db", "actor"], fn  # nobody else's opt-in to change
    coord_joined = triads.join(w.db, w.coord)  # a coordinator, for themself only
    assert coord_joined and triads.is_opted_in(w.db.conn, w.coord.id)
    triads.apply(w.db, w.coord, triads.propose(w.db.conn, w.coord))
    (mine,) = triads.listing(w.db.conn, w.sam)
    assert "sam" in [m.handle for m in mine.members]
    outsider = people.add(w.db, w.coord, handle="zoe", name="Zoe")
    assert triads.listing(w.db.conn, outsider) == []
    before = dump(w.db)
    with pytest.raises(Refused, match="zoe is not in a triad"):
        triads.swap_turn(w.db, outsider, "sam")
    assert dump(w.db) == before
    people.deactivate(w.db, w.coord, "zoe")
    with pytest.raises(Refused, match="inactive"):
        triads.join(w.db, people.get(w.db.conn, "zoe"))


# Public functions of the later modules that take an actor or viewer but decide nothing on their own,
# or only ever show the viewer their own (tested through the CLI in tests/security/test_security_cli.py).
LATER_READ_ONLY = {
    ("handoff", "list_notes"): "notes the viewer may read (may_read)",
    ("handoff", "history"): "notes the viewer may read (may_read), the last 90 days (tests/unit/test_handoff_history_core.py)",
    ("handoff", "notes_for"): "the person's own notes",
    ("handoff", "unread_notes"): "the person's own notes",
    ("handoff", "can_write_now"): "the person's own shift",
    ("rows", "pending_for_app"): "the person's own notifications",
    ("rows", "mark_shown_in_app"): "the person's own notifications (WHERE person_id = ?)",
    ("delivery", "deliver_due"): "delivers the person's own notifications",
    ("delivery", "run_daemon"): "delivers the person's own notifications",
    ("availability", "problems"): "a rule check inside the rota's own transactions",
    ("swaps", "get"): "a swap of the viewer's (NotFound otherwise), or any for coordinators",
    ("swaps", "swaps"): "the viewer's swaps, or all for coordinators",
    ("swaps", "preview"): "what proposing would run into; writes nothing",
    ("problem", "build"): "auto-fill's model, built inside propose (which is in the matrix)",
    ("csvio", "rota_rows"): "the rota without tags, for everyone on the line",
    ("csvio", "hours_rows"): "the viewer's own hours, or everyone's for coordinators",
    ("ics", "rota_calendar"): "the whole rota's feed, written by write_feeds (in the matrix)",
    ("triads", "listing"): "the viewer's own triad, or all for coordinators",
    ("triads", "next_meeting"): "the person's own next meeting (Home)",
    ("triads", "meeting_problems"): "a rule check inside the rota's own transactions",
    ("debrief", "visible"): "the debriefs the viewer asked for or was asked to take",
    ("debrief", "open_for"): "the open debriefs the viewer was asked to take",
    ("debrief", "current_shift"): "the person's own shift now: the access check inside request",
    ("privacy", "export_me"): "the actor's own data, nobody else's (tests/unit/test_own_data.py)",
}


def test_every_later_service_taking_an_actor_is_in_the_matrix():
    """A new service in the later modules must join the matrix above (or LATER_READ_ONLY, with the reason)."""
    from warmline import autofill, availability, calls, coverage, handoff, matching, swaps, triads
    from warmline.autofill import problem
    from warmline.exchange import csvio, ics
    from warmline.notify import claims, delivery, prefs, queue, rows  # the outbox, by concern

    covered = {
        ("coverage", "add_goal"), ("coverage", "edit_goal"), ("coverage", "remove_goal"), ("coverage", "coverage"), ("matching", "match"),
        ("calls", "log_call"), ("calls", "set_busy"), ("handoff", "write_note"), ("handoff", "ack"),
        ("prefs", "set_prefs"), ("availability", "set_windows"), ("availability", "clear"), ("availability", "of"),
        ("availability", "everyone"), ("availability", "add_time_off"), ("availability", "remove_time_off"),
        ("availability", "time_off"), ("swaps", "propose"), ("swaps", "accept"), ("swaps", "decline"),
        ("swaps", "withdraw"), ("swaps", "approve"), ("swaps", "refuse"), ("swaps", "set_need_approval"),
        ("autofill", "propose"), ("autofill", "apply"), ("csvio", "import_people"), ("ics", "write_feeds"),
        ("ics", "person_calendar"), ("triads", "join"), ("triads", "leave"), ("triads", "propose"),
        ("triads", "apply"), ("triads", "swap_turn"),
        ("debrief", "request"), ("debrief", "accept"), ("debrief", "stats"), ("privacy", "forget"),
        ("delivery", "deliver_push_all"), ("line", "change_settings"),
    }
    found = set()
    from warmline import debrief, line, privacy

    for module in (matching, coverage, calls, handoff, prefs, rows, queue, claims, delivery, availability, swaps, autofill, problem, csvio, ics, triads,
                   debrief, privacy, line):
        for fname, func in inspect.getmembers(module, inspect.isfunction):
            if fname.startswith("_") or func.__module__ != module.__name__:
                continue
            params = list(inspect.signature(func).parameters)
            if params[:1] in (["db"], ["conn"]) and params[1:2] in (["actor"], ["viewer"], ["person"]):
                found.add((module.__name__.rsplit(".", 1)[1], fname))
    assert found - covered - set(LATER_READ_ONLY) == set()
    assert covered | set(LATER_READ_ONLY) >= found and not (set(LATER_READ_ONLY) - found), "stale entries"


# ---------------------------------------------------------------- who the actor is


@pytest.fixture
def as_os_user(monkeypatch):
    def set_user(name):
        monkeypatch.setattr(access, "os_user", lambda: name)

    return set_user


def never_asked():
    raise AssertionError("the passphrase must not be asked for")


def test_os_user_mapped_to_a_person_acts_as_them(world, as_os_user):
    people.edit(world.db, world.coord, "sam", PersonChanges(login="samuser"))
    as_os_user("samuser")
    assert access.resolve_actor(world.db, None, never_asked).handle == "sam"


def test_unmapped_os_user_without_as_is_refused_clearly(world, as_os_user):
    as_os_user("stranger")
    with pytest.raises(Refused) as refusal:
        access.resolve_actor(world.db, None, never_asked)
    message = str(refusal.value)
    assert "the OS user stranger is not a person on this line" in message
    assert "--as HANDLE" in message


def test_as_handle_needs_the_passphrase(world, as_os_user):
    as_os_user("stranger")
    people.set_passphrase(world.db, world.coord, "sam", "sams passphrase")
    assert access.resolve_actor(world.db, "sam", lambda: "sams passphrase").handle == "sam"
    with pytest.raises(Refused, match="wrong passphrase"):
        access.resolve_actor(world.db, "sam", lambda: "not sams passphrase")
    with pytest.raises(Refused, match="needs their passphrase"):
        access.resolve_actor(world.db, "sam", lambda: None)
    with pytest.raises(Refused, match="needs their passphrase"):
        access.resolve_actor(world.db, "sam", None)


def test_as_handle_of_ones_own_login_needs_no_passphrase(world, as_os_user):
    people.edit(world.db, world.coord, "sam", PersonChanges(login="samuser"))
    as_os_user("samuser")
    assert access.resolve_actor(world.db, "sam", never_asked).handle == "sam"


def test_as_handle_wins_over_the_os_user(world, as_os_user):
    people.edit(world.db, world.coord, "coord", PersonChanges(login="boss"))
    people.set_passphrase(world.db, world.coord, "sam", "sams passphrase")
    as_os_user("boss")
    assert access.resolve_actor(world.db, None, never_asked).handle == "coord"
    assert access.resolve_actor(world.db, "sam", lambda: "sams passphrase").handle == "sam"


def test_as_unknown_or_malformed_or_inactive_handle_is_refused(world, as_os_user):
    as_os_user("stranger")
    # Unknown and inactive handles are asked for a passphrase like any other and refused in the
    # same words as a wrong passphrase: nothing tells a stranger which handles exist.
    people.set_passphrase(world.db, world.coord, "kim", "kims passphrase")
    people.deactivate(world.db, world.coord, "kim")
    answers = []
    for handle in ("samm", "kim"):
        with pytest.raises(Refused) as refused:
            access.resolve_actor(world.db, handle, lambda: "kims passphrase")
        answers.append(str(refused.value).replace(handle, "HANDLE"))
        assert "did you mean" not in str(refused.value) and "inactive" not in str(refused.value)
    assert answers[0] == answers[1] == str(access.signin_refused("HANDLE"))
    with pytest.raises(Invalid, match="is not a valid handle"):
        access.resolve_actor(world.db, "Sam!", never_asked)


def test_os_user_of_an_inactive_person_is_refused(world, as_os_user):
    people.edit(world.db, world.coord, "kim", PersonChanges(login="kimuser"))
    people.deactivate(world.db, world.coord, "kim")
    as_os_user("kimuser")
    with pytest.raises(Refused, match="kim is inactive"):
        access.resolve_actor(world.db, None, never_asked)


def test_a_person_without_a_passphrase_cannot_sign_in(world, as_os_user):
    as_os_user("stranger")
    with pytest.raises(Refused) as refused:
        access.resolve_actor(world.db, "kim", lambda: "anything at all")
    assert str(refused.value) == str(access.signin_refused("kim"))  # not "has no passphrase yet"


# ---------------------------------------------------------------- lockout


@pytest.mark.slow
def test_five_wrong_passphrases_lock_the_handle_for_30_seconds(world, monkeypatch):
    people.set_passphrase(world.db, world.coord, "sam", "sams passphrase")
    same = str(access.signin_refused("sam"))
    for attempt in range(5):
        with pytest.raises(Refused) as refused:
            access.sign_in(world.db, "sam", f"wrong guess {attempt}")
        assert str(refused.value) == same  # the fifth, which locks, says nothing more
    # Locked: even the right passphrase is refused, in the same words; attempts are counted, not audited each.
    with pytest.raises(Refused) as refused:
        access.sign_in(world.db, "sam", "sams passphrase")
    assert str(refused.value) == same
    monkeypatch.setenv("WARMLINE_NOW", "2026-11-23T08:00:29-05:00")  # (this process's access clock follows it)
    with pytest.raises(Refused):
        access.sign_in(world.db, "sam", "sams passphrase")
    monkeypatch.setenv("WARMLINE_NOW", "2026-11-23T08:00:31-05:00")
    assert access.sign_in(world.db, "sam", "sams passphrase").handle == "sam"

    actions = [
        r[0] for r in world.db.conn.execute("SELECT action FROM audit WHERE action LIKE 'signin%' ORDER BY id")
    ]
    assert actions == ["signin.failed"] * 5 + ["signin.locked", "signin"]  # one row for the lock window
    details = [r[0] for r in world.db.conn.execute("SELECT detail FROM audit WHERE action = 'signin.failed'")]
    assert details[-1] == "locked for 30 s"
    (locked,) = world.db.conn.execute("SELECT detail FROM audit WHERE action = 'signin.locked'").fetchone()
    assert locked.startswith("2 attempts while locked (until 2026-11-23T13:00:30")
    row = world.db.conn.execute("SELECT failed_signins, locked_until FROM person WHERE handle = 'sam'").fetchone()
    assert tuple(row) == (0, None)


@pytest.mark.slow
def test_a_right_passphrase_resets_the_failure_count(world):
    people.set_passphrase(world.db, world.coord, "sam", "sams passphrase")
    for _ in range(4):
        with pytest.raises(Refused):
            access.sign_in(world.db, "sam", "wrong wrong")
    access.sign_in(world.db, "sam", "sams passphrase")
    for _ in range(4):
        with pytest.raises(Refused, match="cannot sign in"):
            access.sign_in(world.db, "sam", "wrong wrong")
    assert access.sign_in(world.db, "sam", "sams passphrase").handle == "sam"


@pytest.mark.slow
def test_lockout_is_per_handle(world):
    people.set_passphrase(world.db, world.coord, "sam", "sams passphrase")
    people.set_passphrase(world.db, world.coord, "kim", "kims passphrase")
    for _ in range(5):
        with pytest.raises(Refused):
            access.sign_in(world.db, "sam", "wrong wrong")
    assert access.sign_in(world.db, "kim", "kims passphrase").handle == "kim"


@pytest.mark.slow
def test_setting_a_new_passphrase_unlocks(world):
    people.set_passphrase(world.db, world.coord, "sam", "sams passphrase")
    for _ in range(5):
        with pytest.raises(Refused):
            access.sign_in(world.db, "sam", "wrong wrong")
    people.set_passphrase(world.db, world.coord, "sam", "another passphrase")
    assert access.sign_in(world.db, "sam", "another passphrase").handle == "sam"


# ---------------------------------------------------------------- passphrase storage


@pytest.mark.slow
def test_passphrases_are_scrypt_hashed_with_a_salt_per_person(world, tmp_path):
    secret = "correct horse battery staple"
    people.set_passphrase(world.db, world.coord, "sam", secret)
    people.set_passphrase(world.db, world.coord, "kim", secret)
    people.add(world.db, world.coord, handle="ana", name="Ana", passphrase=secret)
    hashes = [
        r[0] for r in world.db.conn.execute("SELECT passphrase_hash FROM person WHERE handle IN ('sam', 'kim', 'ana')")
    ]
    assert len(set(hashes)) == 3
    salts = set()
    for stored in hashes:
        scheme, n, r, p, salt, digest = stored.split("$")
        assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
        raw_salt = base64.b64decode(salt)
        assert len(raw_salt) >= 16
        salts.add(raw_salt)
        again = hashlib.scrypt(secret.encode(), salt=raw_salt, n=int(n), r=int(r), p=int(p), dklen=32)
        assert again == base64.b64decode(digest)
    assert len(salts) == 3

    world.db.close()  # checkpoint the WAL so every byte is in one place
    for path in tmp_path.iterdir():
        data = path.read_bytes()
        assert secret.encode() not in data, path.name
        assert secret.encode("utf-16-le") not in data, path.name
    conn = sqlite3.connect(tmp_path / "r.db")
    audit_text = "\n".join(" ".join(map(str, r)) for r in conn.execute("SELECT * FROM audit"))
    conn.close()
    assert secret not in audit_text
    assert "passphrase set" in audit_text
    world.db = open_db(tmp_path / "r.db")  # for the fixture's close


# ---------------------------------------------------------------- the CLI (one prepared line per module)


def warmline_cmd() -> list[str]:
    script = Path(sys.executable).with_name("warmline")
    if script.exists():
        return [str(script)]
    found = shutil.which("warmline")
    if found:
        return [found]
    return [sys.executable, "-c", "from warmline.cli import main; main()"]


def run(db_path: Path, *args: str, as_: str | None = None, passphrase: str | None = None, env: dict | None = None):
    full = {k: v for k, v in os.environ.items() if not k.startswith("WARMLINE_")}
    full.update({"WARMLINE_DB": str(db_path), "WARMLINE_NOW": NOW})
    if passphrase is not None:
        full["WARMLINE_PASSPHRASE"] = passphrase
    full.update(env or {})
    argv = [*warmline_cmd(), *(["--as", as_] if as_ else []), *args]
    return subprocess.run(argv, env=full, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


SAM_SECRET = "sams long passphrase"
KIM_SECRET = "kims long passphrase"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """What `warmline init` (as this OS user) and a few coordinator commands would make, built in the core."""
    path = tmp_path_factory.mktemp("template") / "r.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WARMLINE_NOW", NOW)
        db = open_db(path, create=True)
        user = access.os_user()
        line_mod.create(db, name="T", tz="America/New_York", actor="root", first_coordinator=("root", "root", user))
        root = people.get(db.conn, "root")
        people.add(db, root, handle="sam", name="Sam", tags=["grief"], paused_tags=["loneliness"], languages=["es"], tags_set_by_self=True)
        people.add(db, root, handle="kim", name="Kim", tags=["housing insecurity", "hearing-voices"], tags_set_by_self=True)
        people.set_passphrase(db, root, "sam", SAM_SECRET)
        people.set_passphrase(db, root, "kim", KIM_SECRET)
        shift = rota.add_shift(db, root, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00"))
        rota.assign(db, root, shift.id, "sam")
        rota.assign(db, root, shift.id, "kim", role="backup")
        db.close()
    return path


@pytest.fixture
def cli_db(template, tmp_path) -> Path:
    target = tmp_path / "r.db"
    for side in template.parent.iterdir():
        shutil.copy(side, tmp_path / side.name)
    return target


def person_tags(db_path: Path) -> set[str]:
    conn = sqlite3.connect(db_path)
    rows = conn.execute(
        "SELECT t.id, t.label FROM person_tag pt JOIN tag t ON t.id = pt.tag_id"
    ).fetchall()
    conn.close()
    return {text for row in rows for text in row}


@pytest.mark.slow
def test_init_makes_the_os_user_the_first_coordinator(tmp_path):
    target = tmp_path / "new.db"
    made = run(target, "init", "--name", "T", "--tz", "America/New_York", "--json")
    assert made.returncode == 0, made.stderr
    user = access.os_user()
    assert json.loads(made.stdout)["login"] == user
    done = run(target, "people", "show", json.loads(made.stdout)["coordinator"], "--json")
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert (shown["role"], shown["login"], shown["active"]) == ("coordinator", user, True)
    # The OS user now acts as that coordinator with no --as and no passphrase.
    assert run(target, "audit").returncode == 0


@pytest.mark.slow
def test_volunteer_list_has_no_tags_key_but_coordinator_list_has(cli_db):
    done = run(cli_db, "people", "list", "--json", as_="sam", passphrase=SAM_SECRET)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert {r["handle"] for r in rows} == {"root", "sam", "kim"}
    assert all("tags" not in r for r in rows)
    for text in person_tags(cli_db):
        assert text not in done.stdout

    done = run(cli_db, "people", "list", "--json")
    rows = {r["handle"]: r for r in json.loads(done.stdout)}
    assert {t["id"]: t["state"] for t in rows["sam"]["tags"]} == {"grief": "offered", "loneliness": "paused"}


@pytest.mark.slow
def test_volunteer_sees_own_tags_but_never_anothers(cli_db):
    other = run(cli_db, "people", "show", "kim", "--json", as_="sam", passphrase=SAM_SECRET)
    assert other.returncode == 0, other.stderr
    assert "tags" not in json.loads(other.stdout)
    for text in ("housing-insecurity", "hearing-voices", "housing insecurity"):
        assert text not in other.stdout
    text_view = run(cli_db, "people", "show", "kim", as_="sam", passphrase=SAM_SECRET)
    assert "housing" not in text_view.stdout and "offered" not in text_view.stdout

    own = run(cli_db, "people", "show", "sam", "--json", as_="sam", passphrase=SAM_SECRET)
    assert {t["id"] for t in json.loads(own.stdout)["tags"]} == {"grief", "loneliness"}


@pytest.mark.slow
@pytest.mark.parametrize("who", ["volunteer", "coordinator"])
def test_shifts_json_carries_no_tag_anywhere(cli_db, who):
    kwargs = {"as_": "sam", "passphrase": SAM_SECRET} if who == "volunteer" else {}
    done = run(cli_db, "shifts", "--from", "2026-11-23", "--to", "2026-11-30", "--json", **kwargs)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert rows and rows[0]["peers"] == ["sam"] and rows[0]["backup"] == ["kim"]

    def keys(value):
        if isinstance(value, dict):
            for k, v in value.items():
                yield k
                yield from keys(v)
        elif isinstance(value, list):
            for v in value:
                yield from keys(v)

    assert not any("tag" in k for k in keys(rows))
    for text in person_tags(cli_db):
        assert text not in done.stdout


@pytest.mark.slow
def test_volunteer_cannot_read_the_audit_log_from_the_cli(cli_db):
    done = run(cli_db, "audit", as_="sam", passphrase=SAM_SECRET)
    assert done.returncode == 1
    assert done.stderr.splitlines() == ["error: only coordinators may read the audit log; sam is a volunteer"]
    assert run(cli_db, "audit").returncode == 0


@pytest.mark.slow
def test_as_comes_from_warmline_as_and_needs_a_passphrase(cli_db):
    done = run(cli_db, "shifts", "--mine", "--json", env={"WARMLINE_AS": "sam", "WARMLINE_PASSPHRASE": SAM_SECRET})
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in json.loads(done.stdout)] == [1]

    missing = run(cli_db, "shifts", as_="sam")
    assert missing.returncode == 1
    lines = missing.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: acting as sam needs their passphrase")


@pytest.mark.slow
def test_cli_volunteer_edits_own_limits_down_not_up(cli_db):
    down = run(cli_db, "people", "edit", "sam", "--max-hours", "10", as_="sam", passphrase=SAM_SECRET)
    assert down.returncode == 0, down.stderr
    up = run(cli_db, "people", "edit", "sam", "--max-hours", "30", as_="sam", passphrase=SAM_SECRET)
    assert up.returncode == 1
    assert up.stderr.strip() == (
        "error: sam may lower their own max hours per week but not raise it (now 10, asked 30): ask a coordinator"
    )


@pytest.mark.slow
def test_cli_wrong_passphrases_lock_and_are_audited(cli_db):
    for _ in range(5):
        assert run(cli_db, "shifts", as_="kim", passphrase="not kims passphrase").returncode == 1
    locked = run(cli_db, "shifts", as_="kim", passphrase=KIM_SECRET)
    assert locked.returncode == 1
    assert locked.stderr.startswith("error: cannot sign in as kim: unknown handle, no passphrase set, wrong passphrase, or locked")
    conn = sqlite3.connect(cli_db)
    actions = [r[0] for r in conn.execute("SELECT action FROM audit WHERE actor = 'kim' ORDER BY id")]
    text = "\n".join(" ".join(map(str, r)) for r in conn.execute("SELECT * FROM audit"))
    count = conn.execute("SELECT failed_signins FROM person WHERE handle = 'kim'").fetchone()[0]
    conn.close()
    assert actions == ["signin.failed"] * 5  # the attempt while locked is counted; its window's row comes when it ends
    assert count == 1
    assert "not kims passphrase" not in text and KIM_SECRET not in text


# ---------------------------------------------------------------- issue 12 (B): tags, clocks, refusals, logins
# Each test here fails on the code before issue 12.


@pytest.fixture
def on_now(line_db, coordinator, monkeypatch):
    """A line whose shift 'then' (Mon 23 Nov 07:00-11:00, long past in real time) has sam, with the
    clock fixed inside it (WARMLINE_NOW); and shift 'real' around the real present, with kim.
    The real clock is NOT rebound here: access decisions follow the real present."""
    from datetime import datetime, timedelta, timezone

    monkeypatch.setenv("WARMLINE_NOW", NOW)
    for handle, tag in (("sam", "grief"), ("kim", "grief"), ("lee", "debt")):
        people.add(line_db, coordinator, handle=handle, name=handle.title(), tags=[tag], tags_set_by_self=True)
    then = rota.add_shift(line_db, coordinator, start=at("2026-11-23T07:00"), end=at("2026-11-23T11:00")).id
    present = datetime.now(timezone.utc).replace(microsecond=0)
    real = rota.add_shift(line_db, coordinator, start=present - timedelta(hours=1), end=present + timedelta(hours=3)).id
    rota.assign(line_db, coordinator, then, "sam")
    rota.assign(line_db, coordinator, real, "kim")
    get = lambda handle: people.get(line_db.conn, handle)  # noqa: E731
    return line_db, coordinator, get, then, real


def test_b_a_clock_the_actor_sets_never_puts_a_volunteer_on_shift(on_now):
    from warmline import calls, handoff, matching

    db, coord, get, then, real = on_now
    sam = get("sam")  # on shift at WARMLINE_NOW, not at the real present
    before = dump(db)
    for name, call in {
        "match": lambda: matching.match(db.conn, sam, ["grief"]),
        "busy": lambda: calls.set_busy(db, sam, True),
        "log a call": lambda: calls.log_call(db, sam, ["grief"], at=at("2026-11-23T07:30")),
        "handoff note": lambda: handoff.write_note(db, sam, then, "Quiet shift."),
    }.items():
        with pytest.raises(Refused, match="not on a shift now|ended more than 2 h ago"):
            call()
    assert dump(db) == before
    # kim is on shift at the real present, whatever WARMLINE_NOW says; a coordinator matches at any time.
    assert [c.handle for c in matching.match(db.conn, get("kim"), ["grief"]).candidates] == ["kim"]
    assert calls.set_busy(db, get("kim"), True).busy
    assert [c.handle for c in matching.match(db.conn, coord, ["grief"]).candidates] == ["sam"]  # at WARMLINE_NOW


def test_b_a_volunteer_matches_only_at_the_present_and_sees_no_reasons_for_the_next_shifts(on_now):
    from datetime import timedelta

    from warmline import matching

    db, coord, get, then, real = on_now
    shift = rota.get_shift(db.conn, real)
    nxt = rota.add_shift(db, coord, start=shift.end_utc, end=shift.end_utc + timedelta(hours=4)).id
    rota.assign(db, coord, nxt, "lee")
    rota.assign(db, coord, nxt, "sam")
    kim = get("kim")
    with pytest.raises(Refused, match="kim may match only for the shift they are on, at the present"):
        matching.match(db.conn, kim, ["grief"], at=shift.end_utc + timedelta(hours=1))
    result = matching.match(db.conn, kim, ["debt"])
    assert [t.id for t in result.unmet] == ["debt"]
    # Names and times only: everyone on the next shift (not only who offers debt), and no need named.
    assert [(n.shift_id, n.need, n.need_label, n.handles) for n in result.next] == [(nxt, None, None, ("lee", "sam"))]
    # A coordinator gets the reasons: who on the next shift offers the need.
    coordinator_view = matching.match(db.conn, coord, ["debt"], at=shift.start_utc + timedelta(minutes=30))
    assert [(n.shift_id, n.need, n.handles) for n in coordinator_view.next] == [(nxt, "debt", ("lee",))]


def test_b_a_swap_preview_and_refusal_keep_the_other_persons_limits_and_time_off(world):
    from datetime import date

    from warmline import availability, swaps

    availability.add_time_off(world.db, world.coord, "kim", date(2026, 12, 1), date(2026, 12, 1))
    people.edit(world.db, world.coord, "kim", PersonChanges(min_rest_hours=20))
    found = swaps.preview(world.db.conn, world.sam, world.sams_shift, world.kims_shift, "kim")
    text = " ".join(p.message for p in found)
    assert f"kim cannot take shift {world.sams_shift}: it breaks one of their limits or their availability" in text
    assert "time off" not in text and "2026-12-01" not in text and "rest" not in text
    with pytest.raises(Refused) as refused:
        swaps.propose(world.db, world.sam, world.sams_shift, world.kims_shift, "kim")
    assert "time off" not in str(refused.value) and "2026-12-01" not in str(refused.value)
    # kim and a coordinator may see kim's own details.
    mine = " ".join(p.message for p in swaps.preview(world.db.conn, world.kim, world.kims_shift, world.sams_shift, "sam"))
    assert "kim has time off 2026-12-01" in mine


@pytest.mark.slow
def test_b_logins_are_shown_to_coordinators_and_to_the_person_only(cli_db):
    conn = sqlite3.connect(cli_db)
    with conn:
        conn.execute("UPDATE person SET login = 'kimlogin' WHERE handle = 'kim'")
        conn.execute("UPDATE person SET login = 'samlogin' WHERE handle = 'sam'")
    conn.close()
    listed = json.loads(run(cli_db, "people", "list", "--json", as_="sam", passphrase=SAM_SECRET).stdout)
    assert {p["handle"]: p.get("login") for p in listed} == {"root": None, "sam": "samlogin", "kim": None}
    assert not any("login" in p for p in listed if p["handle"] != "sam")
    other = run(cli_db, "people", "show", "kim", "--json", as_="sam", passphrase=SAM_SECRET)
    assert other.returncode == 0 and "login" not in json.loads(other.stdout) and "kimlogin" not in other.stdout
    # kim's limits and rest setting are hers and the coordinators' too (a swap refusal keeps them as well).
    assert "limits" not in json.loads(other.stdout)
    text = run(cli_db, "people", "show", "kim", as_="sam", passphrase=SAM_SECRET).stdout
    assert "kim" in text and "limits" not in text and "rest" not in text
    own = json.loads(run(cli_db, "people", "show", "sam", "--json", as_="sam", passphrase=SAM_SECRET).stdout)
    assert own["login"] == "samlogin" and own["limits"]["min_rest_hours"] > 0
    assert "limits" in json.loads(run(cli_db, "people", "show", "kim", "--json").stdout)  # a coordinator
    everyone = json.loads(run(cli_db, "people", "list", "--json").stdout)  # the OS user: the coordinator
    assert {p["handle"]: p["login"] for p in everyone} == {"root": access.os_user(), "sam": "samlogin", "kim": "kimlogin"}


# ---------------------------------------------------------------- issue 12 (G): passphrases and sign-in


@pytest.fixture
def scrypt_calls(monkeypatch):
    """Every hashlib.scrypt call's n, in order (the calls still run)."""
    calls: list[int] = []
    real = hashlib.scrypt

    def counted(*args, **kwargs):
        calls.append(kwargs["n"])
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    return calls


@pytest.mark.slow
def test_g_every_failed_sign_in_says_the_same_and_does_one_scrypt_of_todays_cost(world, scrypt_calls):
    people.set_passphrase(world.db, world.coord, "sam", "sams passphrase")
    people.set_passphrase(world.db, world.coord, "kim", "kims passphrase")
    people.add(world.db, world.coord, handle="ina", name="Ina")
    people.set_passphrase(world.db, world.coord, "ina", "inas passphrase")
    people.deactivate(world.db, world.coord, "ina")
    for _ in range(5):
        with pytest.raises(Refused):
            access.sign_in(world.db, "kim", "wrong wrong")  # kim is locked now
    answers = {}
    for why, handle, secret in (
        ("unknown handle", "zed", "anything at all"),
        ("no passphrase yet", "coord", "anything at all"),
        ("wrong passphrase", "sam", "not sams passphrase"),
        ("inactive", "ina", "inas passphrase"),
        ("locked, right passphrase", "kim", "kims passphrase"),
    ):
        scrypt_calls.clear()
        with pytest.raises(Refused) as refused:
            access.sign_in(world.db, handle, secret)
        answers[why] = str(refused.value).replace(f"as {handle}:", "as HANDLE:")
        assert scrypt_calls == [access.SCRYPT_N], why  # the same work: one scrypt at today's cost
    assert len(set(answers.values())) == 1, answers
    assert "exist" not in answers["unknown handle"] and "no passphrase yet" not in answers["no passphrase yet"]


@pytest.mark.slow
def test_g_attempts_on_a_locked_handle_make_one_audit_row_per_lock_window(world, monkeypatch):
    people.set_passphrase(world.db, world.coord, "sam", "sams passphrase")
    for _ in range(5):
        with pytest.raises(Refused):
            access.sign_in(world.db, "sam", "wrong wrong")
    rows = audit_count(world.db)
    for attempt in range(20):
        with pytest.raises(Refused):
            access.sign_in(world.db, "sam", "sams passphrase" if attempt % 2 else f"guess {attempt}")
    assert audit_count(world.db) == rows  # counted on the person row, not one audit row each
    monkeypatch.setenv("WARMLINE_NOW", "2026-11-23T08:00:31-05:00")  # (this process's access clock follows it)
    assert access.sign_in(world.db, "sam", "sams passphrase").handle == "sam"
    got = world.db.conn.execute("SELECT action, detail FROM audit WHERE id > (SELECT max(id) - 2 FROM audit) ORDER BY id")
    (locked, locked_detail), (signin, _) = [tuple(r) for r in got]
    assert (locked, signin) == ("signin.locked", "signin")
    assert locked_detail.startswith("20 attempts while locked (until ")


@pytest.mark.slow
def test_g_a_lock_lasts_in_real_time_whatever_warmline_now_says(line_db, coordinator, monkeypatch):
    people.add(line_db, coordinator, handle="sam", name="Sam")
    people.set_passphrase(line_db, coordinator, "sam", "sams passphrase")
    for _ in range(5):
        with pytest.raises(Refused):
            access.sign_in(line_db, "sam", "wrong wrong")
    monkeypatch.setenv("WARMLINE_NOW", "2099-01-01T00:00:00+00:00")
    with pytest.raises(Refused):
        access.sign_in(line_db, "sam", "sams passphrase")


@pytest.mark.slow
def test_g_a_weaker_hash_is_made_again_at_todays_cost_on_the_next_sign_in(world, monkeypatch):
    people.set_passphrase(world.db, world.coord, "sam", "sams passphrase")  # at n=2**14 (this process's cost)
    old = world.db.conn.execute("SELECT passphrase_hash FROM person WHERE handle = 'sam'").fetchone()[0]
    assert old.startswith("scrypt$16384$8$1$")
    monkeypatch.setattr(access, "SCRYPT_N", 2**15)  # today's cost goes up
    with pytest.raises(Refused):
        access.sign_in(world.db, "sam", "a wrong passphrase")
    assert world.db.conn.execute("SELECT passphrase_hash FROM person WHERE handle = 'sam'").fetchone()[0] == old
    access.sign_in(world.db, "sam", "sams passphrase")
    new = world.db.conn.execute("SELECT passphrase_hash FROM person WHERE handle = 'sam'").fetchone()[0]
    assert new.startswith("scrypt$32768$8$1$") and access.verify_passphrase("sams passphrase", new)
    detail = world.db.conn.execute("SELECT detail FROM audit WHERE action = 'signin' ORDER BY id DESC").fetchone()[0]
    assert detail.endswith("; passphrase re-hashed at the current cost") and "scrypt" not in detail
    access.sign_in(world.db, "sam", "sams passphrase")  # once is enough
    assert world.db.conn.execute("SELECT passphrase_hash FROM person WHERE handle = 'sam'").fetchone()[0] == new
    monkeypatch.setattr(access, "SCRYPT_N", 2**14)  # never made weaker
    access.sign_in(world.db, "sam", "sams passphrase")
    assert world.db.conn.execute("SELECT passphrase_hash FROM person WHERE handle = 'sam'").fetchone()[0] == new


@pytest.mark.slow
@pytest.mark.real_scrypt_cost
def test_g_passphrases_are_hashed_at_owasps_scrypt_cost():
    assert (access.SCRYPT_N, access.SCRYPT_R, access.SCRYPT_P) == (2**17, 8, 1)
    stored = access.hash_passphrase("correct horse battery")
    assert stored.startswith("scrypt$131072$8$1$")
    assert access.verify_passphrase("correct horse battery", stored)
    assert not access.verify_passphrase("correct horse batterY", stored)


@pytest.mark.slow
def test_g_the_os_identity_is_the_real_uids_name_not_user_or_logname(monkeypatch, tmp_path):
    import pwd

    real = pwd.getpwuid(os.getuid()).pw_name
    monkeypatch.setenv("USER", "impostor")
    monkeypatch.setenv("LOGNAME", "impostor")
    assert access.os_user() == real
    # As a real process: a person whose login is what USER/LOGNAME say is not who you are.
    target = tmp_path / "r.db"
    made = run(target, "init", "--name", "T", "--tz", "America/New_York", "--coordinator", "boss")
    assert made.returncode == 0, made.stderr
    assert run(target, "people", "add", "kim", "--name", "Kim", "--role", "coordinator", "--login", "impostor").returncode == 0
    assert run(target, "people", "edit", "boss", "--login", "").returncode == 0  # the real uid is nobody now
    posing = run(target, "audit", env={"USER": "impostor", "LOGNAME": "impostor"})
    assert posing.returncode == 1
    assert posing.stderr.startswith(f"error: the OS user {real} is not a person on this line")


@pytest.mark.slow
def test_g_a_planted_hash_asking_for_a_huge_cost_is_refused_like_any_failure(world, scrypt_calls):
    people.set_passphrase(world.db, world.coord, "sam", "sams passphrase")
    salt, digest = base64.b64encode(b"s" * 16).decode(), base64.b64encode(b"d" * 32).decode()
    for stored in (f"scrypt$1048576$64$1${salt}${digest}", f"scrypt$16384$8$1000${salt}${digest}", "md5$abc", "scrypt$x"):
        world.db.conn.execute("UPDATE person SET passphrase_hash = ?, locked_until = NULL WHERE handle = 'sam'", (stored,))
        scrypt_calls.clear()
        with pytest.raises(Refused) as refused:
            access.sign_in(world.db, "sam", "sams passphrase")
        assert str(refused.value) == str(access.signin_refused("sam"))
        assert scrypt_calls == [access.SCRYPT_N], stored  # today's cost, never the planted one


# ---------------------------------------------------------------- issue 16, part 2: debriefs and forgetting


def test_only_the_people_asked_may_take_a_debrief(world, later):
    from warmline import debrief

    asked, _ = debrief.request(world.db, world.sam)  # no backup or triad here: the coordinators are asked
    before = dump(world.db)
    with pytest.raises(NotFound, match=f"there is no debrief request {asked.id} for kim"):
        debrief.accept(world.db, world.kim, asked.id)
    with pytest.raises(NotFound, match=f"there is no debrief request {asked.id} for sam"):
        debrief.accept(world.db, world.sam, asked.id)  # not one's own
    assert dump(world.db) == before
    assert debrief.accept(world.db, world.coord, asked.id).taken_by_you


def test_only_a_coordinator_forgets_and_only_an_inactive_person(world):
    from warmline import privacy

    before = dump(world.db)
    with pytest.raises(Refused, match="only coordinators may forget people; sam is a volunteer"):
        privacy.forget(world.db, world.sam, "kim", vacuum=False)
    with pytest.raises(Refused, match="kim is still active"):
        privacy.forget(world.db, world.coord, "kim", vacuum=False)
    assert dump(world.db) == before
    people.deactivate(world.db, world.coord, "kim")
    done = privacy.forget(world.db, world.coord, "kim", vacuum=False)
    assert people.get_by_id(world.db.conn, world.kim.id).handle == done.pseudonym == f"former-{world.kim.id}"
