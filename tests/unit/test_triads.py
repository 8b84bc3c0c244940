"""Triads (issue 16): opting in and out, forming triads with a meeting everyone can make, the
narrator's turn, and meetings as commitments the rota keeps clear (never phone hours).

Line: America/New_York, horizon 12 weeks; the clock is Monday 2026-11-23 08:00.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warmline import availability, people, rota, triads
from warmline.db import open_db
from warmline.errors import Invalid, Refused, RuleBroken
from warmline.line import create
from warmline.notify import outbox

NY = ZoneInfo("America/New_York")
NOW = "2026-11-23T08:00:00-05:00"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 1, hour, minute, tzinfo=NY) + timedelta(days=day - 1)


class Line:
    def __init__(self, path):
        self.db = open_db(path, create=True)
        create(self.db, name="T", tz="America/New_York", actor="coord", first_coordinator=("coord", "Coord", None))
        self.coord = people.get(self.db.conn, "coord")

    def person(self, handle: str, windows: list[str] | None = None, *, join: bool = True):
        p = people.add(self.db, self.coord, handle=handle, name=handle.title())
        if windows:
            availability.set_windows(self.db, self.coord, handle, availability.parse_windows(" ".join(windows).split()))
        if join:
            triads.join(self.db, p)
        return p

    def shift(self, start: datetime, end: datetime, **kw) -> int:
        return rota.add_shift(self.db, self.coord, start=start, end=end, **kw).id

    def form(self, **kw) -> triads.Proposal:
        return triads.propose(self.db.conn, self.coord, **kw)


@pytest.fixture
def w(tmp_path, monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    made = Line(tmp_path / "r.db")
    yield made
    made.db.close()


def check_proposal(db, proposal: triads.Proposal) -> None:
    """Every triad has 3 or 4 members; every meeting lies in all members' availability and clear of their shifts."""
    conn = db.conn
    for t in proposal.triads:
        assert len(t.handles) in (3, 4), t
        assert t.meetings, t
        for a, b in t.meetings:
            start, end = datetime.fromisoformat(a.replace("Z", "+00:00")), datetime.fromisoformat(b.replace("Z", "+00:00"))
            assert end - start == timedelta(hours=1)
            for handle in t.handles:
                p = people.get(conn, handle)
                cal = availability.calendars(conn, [p.id], start, end, NY)[p.id]
                assert cal.available(int(start.timestamp()), int(end.timestamp())), (handle, a)
                clash = conn.execute(
                    "SELECT count(*) FROM assignment x JOIN shift s ON s.id = x.shift_id WHERE x.person_id = ?"
                    " AND s.status = 'scheduled' AND s.start_utc < ? AND s.end_utc > ?",
                    (p.id, b, a),
                ).fetchone()[0]
                assert clash == 0, (handle, a)


# ---------------------------------------------------------------- the schema


def test_outbox_kinds_are_the_schema_check(w):
    """KINDS (the table in warmline/notify/kinds.py) is the list the current notification table's CHECK accepts: no more, no less."""
    sql = w.db.conn.execute("SELECT sql FROM sqlite_schema WHERE name = 'notification'").fetchone()[0]
    check = re.search(r"kind IN \(([^)]*)\)", sql).group(1)
    assert set(re.findall(r"'([^']+)'", check)) == set(outbox.KINDS)
    assert {"meeting", "debrief", "debrief-taken", "debrief-open"} <= set(outbox.KINDS)


@pytest.mark.slow
def test_migration_keeps_the_outbox_rows(tmp_path):
    """A rota at schema 9 with a notification keeps it through migration 10 (the table is rebuilt)."""
    from warmline import db as dbmod

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for statements in dbmod.MIGRATIONS[:9]:
        for s in statements:
            conn.execute(s)
    conn.execute("INSERT INTO person (handle, name, role, created_at) VALUES ('sam', 'Sam', 'volunteer', 'x')")
    conn.execute(
        "INSERT INTO notification (person_id, kind, event_utc, due_utc, title, dedupe, created_at)"
        " VALUES (1, 'reminder', '2026-11-23T13:00:00Z', '2026-11-23T12:00:00Z', 'Shift soon', 'k1', 'x')"
    )
    conn.execute(f"PRAGMA application_id={dbmod.APPLICATION_ID}")
    conn.execute("PRAGMA user_version=9")
    conn.commit()
    conn.close()
    db = open_db(path)
    try:
        assert db.schema_version() == dbmod.SCHEMA_VERSION
        rows = db.conn.execute("SELECT kind, title, dedupe, meeting_id FROM notification").fetchall()
        assert [tuple(r) for r in rows] == [("reminder", "Shift soon", "k1", None)]
    finally:
        db.close()


# ---------------------------------------------------------------- opting in


def test_join_and_leave_are_each_persons_own_and_audited(w):
    sam = w.person("sam", join=False)
    assert triads.join(w.db, sam) is True
    assert triads.join(w.db, sam) is False
    assert triads.is_opted_in(w.db.conn, sam.id)
    assert "no longer opted in" in triads.leave(w.db, sam)
    assert not triads.is_opted_in(w.db.conn, sam.id)
    actions = [r[0] for r in w.db.conn.execute("SELECT action FROM audit WHERE actor = 'sam' ORDER BY id")]
    assert actions == ["triad.join", "triad.leave"]


def test_coordinators_are_placed_only_when_they_opt_in(w):
    for h in ("ann", "bob", "cat"):
        w.person(h)
    second = people.add(w.db, w.coord, handle="boss", name="Boss", role="coordinator")
    p = w.form()
    assert [t.handles for t in p.triads] == [("ann", "bob", "cat")]
    assert "coord" not in json.dumps(p.as_json()) and "boss" not in json.dumps(p.as_json())
    triads.join(w.db, second)
    w.person("dan")
    w.person("eve")
    p = w.form()
    placed = sorted(h for t in p.triads for h in t.handles)
    assert placed == ["ann", "bob", "boss", "cat", "dan", "eve"]


# ---------------------------------------------------------------- forming


@pytest.mark.parametrize("n, sizes", [(0, []), (1, []), (2, []), (3, [3]), (4, [4]), (5, []), (6, [3, 3]), (7, [3, 4]), (8, [4, 4]), (10, [3, 3, 4]), (11, [3, 4, 4])])
def test_group_sizes_never_leave_one_or_two_alone(n, sizes):
    assert sorted(triads.group_sizes(n)) == sizes
    assert sum(sizes) in (0, n)


@pytest.mark.parametrize("n", [1, 2, 5])
def test_too_few_or_five_form_none_and_say_why(w, n):
    for i in range(n):
        w.person(f"p{i}")
    p = w.form()
    assert p.triads == ()
    assert "none was formed" in p.note
    assert sorted(h for h, _ in p.left_out) == [f"p{i}" for i in range(n)]
    with pytest.raises(Refused, match="nothing to apply"):
        triads.apply(w.db, w.coord, p)


def test_groups_follow_shared_availability_and_meet_at_a_shared_hour(w):
    """Mornings people and evening people: each triad is one kind, meeting at a time all three can."""
    for h in ("am1", "am2", "am3"):
        w.person(h, ["Tue 09:00-12:00", "Thu 09:00-12:00"])
    for h in ("pm1", "pm2", "pm3"):
        w.person(h, ["Wed 18:00-21:00"])
    p = w.form()
    assert sorted(t.handles for t in p.triads) == [("am1", "am2", "am3"), ("pm1", "pm2", "pm3")]
    by = {t.handles[0]: t for t in p.triads}
    assert (by["am1"].weekday, by["am1"].start_time, by["am1"].rule) == (1, "09:00", "weekly")
    assert (by["pm1"].weekday, by["pm1"].start_time) == (2, "18:00")
    check_proposal(w.db, p)


def test_a_meeting_avoids_every_members_shifts_and_goes_fortnightly_if_it_must(w):
    for h in ("ann", "bob", "cat"):
        w.person(h, ["Tue 09:00-10:00"])
    # ann is on the Tuesday 09:00 shift every other week: only the other weeks are free.
    for week in range(0, 12, 2):
        sid = w.shift(at(24 + 7 * week, 9), at(24 + 7 * week, 10))
        rota.assign(w.db, w.coord, sid, "ann")
    p = w.form()
    (t,) = p.triads
    assert t.rule == "fortnightly"
    assert t.first.startswith("2026-12-01T09:00")
    check_proposal(w.db, p)


def test_people_with_no_common_hour_are_left_out_with_the_reason(w):
    for h in ("ann", "bob", "cat"):
        w.person(h, ["Mon 09:00-12:00"])
    w.person("dan", ["Sat 20:00-21:00"])
    p = w.form()
    assert [t.handles for t in p.triads] == [("ann", "bob", "cat")]
    assert p.left_out == (("dan", "no hour in common with enough of the others"),)


@pytest.mark.slow
def test_apply_writes_exactly_the_preview_and_is_deterministic(w):
    for i in range(7):
        w.person(f"v{i}", ["Mon 17:00-21:00", "Wed 17:00-21:00"] if i % 2 else ["Wed 18:00-22:00"])
    first, again = w.form(), w.form()
    assert first == again
    made = triads.apply(w.db, w.coord, first)
    assert len(made) == len(first.triads) == 2
    written = []
    for tid in made:
        handles = tuple(
            r[0]
            for r in w.db.conn.execute(
                "SELECT p.handle FROM triad_member m JOIN person p ON p.id = m.person_id WHERE triad_id = ? ORDER BY position",
                (tid,),
            )
        )
        meetings = tuple(
            tuple(r)
            for r in w.db.conn.execute("SELECT start_utc, end_utc FROM triad_meeting WHERE triad_id = ? ORDER BY number", (tid,))
        )
        written.append((handles, meetings))
    assert written == [(t.handles, t.meetings) for t in first.triads]
    assert w.form().triads == ()  # everyone is placed now


def test_apply_refuses_a_stale_preview(w):
    for h in ("ann", "bob", "cat"):
        w.person(h)
    p = w.form()
    w.person("dan")
    with pytest.raises(Refused, match="changed since the preview"):
        triads.apply(w.db, w.coord, p)
    assert w.db.conn.execute("SELECT count(*) FROM triad").fetchone()[0] == 0


def test_form_is_for_coordinators(w):
    sam = w.person("sam")
    with pytest.raises(Refused, match="only coordinators may form triads"):
        triads.propose(w.db.conn, sam)


def test_from_in_the_past_is_refused(w):
    with pytest.raises(Invalid, match="in the past"):
        w.form(first_day=at(20, 0).date())


DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, 6), st.integers(6, 20), st.integers(1, 4)), min_size=0, max_size=2),
        min_size=0,
        max_size=8,
    ),
    # Distinct shifts: the rota refuses a second shift with exactly the same start and end.
    st.lists(st.tuples(st.integers(0, 7), st.integers(24, 40), st.integers(7, 20)), max_size=4,
             unique_by=lambda s: (s[1], s[2])),
)
def test_formation_properties(tmp_path_factory, monkeypatch, people_windows, shifts):
    """On small random instances: groups of 3 or 4 only, meetings inside everyone's availability and
    clear of their shifts, nobody in two triads, never one or two placed apart from the rest."""
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    w = Line(tmp_path_factory.mktemp("prop") / "r.db")
    try:
        handles = []
        for i, spans in enumerate(people_windows):
            windows = [f"{DAYS[d]} {h:02d}:00-{min(h + n, 23):02d}:00" for d, h, n in spans]
            handles.append(w.person(f"p{i}", windows).handle)
        for who, day, hour in shifts:
            if who < len(handles):
                sid = w.shift(at(day, hour), at(day, hour) + timedelta(hours=3))
                try:
                    rota.assign(w.db, w.coord, sid, handles[who], force=True)
                except RuleBroken:
                    pass  # overlaps their own other shift
        p = w.form()
        check_proposal(w.db, p)
        placed = [h for t in p.triads for h in t.handles]
        assert len(placed) == len(set(placed))
        assert sorted(placed + [h for h, _ in p.left_out]) == sorted(handles)
        if len(handles) in (1, 2, 5) and not p.triads:
            assert p.note
        if p.triads:
            assert triads.apply(w.db, w.coord, p)
    finally:
        w.db.close()


# ---------------------------------------------------------------- meetings and the rota


@pytest.fixture
def formed(w):
    """ann, bob, cat in one triad meeting weekly on Tuesdays 10:00–11:00 (their only shared hour)."""
    for h in ("ann", "bob", "cat"):
        w.person(h, ["Tue 10:00-13:00", "Wed 09:00-17:00"] if h != "cat" else ["Tue 10:00-11:00"])
    (t,) = triads.apply(w.db, w.coord, w.form())
    return t


def test_the_rota_refuses_a_shift_overlapping_a_members_meeting(w, formed):
    ann = people.get(w.db.conn, "ann")
    sid = w.shift(at(24, 10, 30), at(24, 12))  # Tuesday 24 Nov, over the meeting
    with pytest.raises(RuleBroken, match="overlaps one of their commitments") as refused:
        rota.assign(w.db, w.coord, sid, "ann", force=True)
    assert "triad" not in str(refused.value)  # never the details to anyone else
    with pytest.raises(RuleBroken, match="overlaps your triad meeting"):
        rota.claim(w.db, ann, sid)
    assert rota.claimable(w.db.conn, ann, at(23, 0), at(30, 0)) == []
    other = w.shift(at(24, 11), at(24, 13))  # right after the meeting: fine
    rota.claim(w.db, ann, other)


def test_meetings_are_not_hours_and_count_toward_no_limit(w, formed):
    ann = people.get(w.db.conn, "ann")
    people.edit(w.db, w.coord, "ann", people.PersonChanges(max_shifts_week=1, max_hours_week=2))
    sid = w.shift(at(25, 9), at(25, 11))  # Wednesday: two hours, the week's one shift
    rota.claim(w.db, ann, sid)
    assert w.db.conn.execute("SELECT count(*) FROM assignment").fetchone()[0] == 1
    from warmline import report  # noqa: F401  (hours come from assignments only)

    hours = sum(s.hours for s in rota._spans(w.db.conn, ann.id, at(23, 0), at(30, 0)))
    assert hours == 2


def test_list_shows_members_next_meeting_and_whose_turn(w, formed):
    ann, bob = people.get(w.db.conn, "ann"), people.get(w.db.conn, "bob")
    (t,) = triads.listing(w.db.conn, ann)
    assert [m.handle for m in t.members] == ["ann", "bob", "cat"]
    assert t.next_meeting.narrator == "ann" and t.next_meeting.start_local.hour == 10
    assert triads.listing(w.db.conn, w.coord)[0].id == t.id
    dan = w.person("dan", join=False)
    assert triads.listing(w.db.conn, dan) == []
    narrators = [
        r[0] for r in w.db.conn.execute("SELECT p.handle FROM triad_meeting g JOIN person p ON p.id = g.narrator_id ORDER BY number LIMIT 6")
    ]
    assert narrators == ["ann", "bob", "cat", "ann", "bob", "cat"]
    mine, theirs = triads.swap_turn(w.db, bob, "ann")
    assert (mine.number, theirs.number) == (0, 1)
    (t,) = triads.listing(w.db.conn, ann)
    assert t.next_meeting.narrator == "bob"
    with pytest.raises(Refused, match="not in your triad"):
        triads.swap_turn(w.db, bob, "dan")


def test_leaving_ends_a_triad_below_three(w, formed):
    ann = people.get(w.db.conn, "ann")
    said = triads.leave(w.db, ann)
    assert "has ended" in said
    assert triads.listing(w.db.conn, w.coord) == []
    assert triads.next_meeting(w.db.conn, people.get(w.db.conn, "bob")) is None
    sid = w.shift(at(24, 10, 30), at(24, 12))
    rota.assign(w.db, w.coord, sid, "bob")  # no meeting in the way any more


# ---------------------------------------------------------------- calendars and reminders


def test_each_members_calendar_has_the_meetings_and_nothing_said(w, formed):
    import icalendar

    from warmline.exchange import ics

    ann = people.get(w.db.conn, "ann")
    cal = icalendar.Calendar.from_ical(ics.person_calendar(w.db.conn, ann))
    events = [e for e in cal.walk("VEVENT") if str(e["uid"]).startswith("triad-meeting-")]
    assert len(events) == 12  # weekly over the 12-week horizon
    first = min(events, key=lambda e: e.decoded("dtstart"))
    assert str(first["summary"]) == "Triad meeting"
    assert str(first.get("description", "")) == ""
    assert first.decoded("dtstart") == at(24, 10)
    assert first.decoded("dtend") - first.decoded("dtstart") == timedelta(hours=1)
    assert str(first["status"]) == "CONFIRMED" and first.walk("VALARM")
    again = icalendar.Calendar.from_ical(ics.person_calendar(w.db.conn, ann))
    seq = {str(e["uid"]): int(e["sequence"]) for e in again.walk("VEVENT")}
    assert seq[str(first["uid"])] == int(first["sequence"])  # unchanged: same SEQUENCE
    # Once ann leaves (the triad ends), her next export cancels the meetings.
    triads.leave(w.db, ann)
    after = icalendar.Calendar.from_ical(ics.person_calendar(w.db.conn, ann))
    cancelled = [e for e in after.walk("VEVENT") if str(e["uid"]) == str(first["uid"])]
    assert str(cancelled[0]["status"]) == "CANCELLED"
    assert int(cancelled[0]["sequence"]) > int(first["sequence"])
    dan = w.person("dan", join=False)
    assert b"Triad meeting" not in ics.person_calendar(w.db.conn, dan)
    assert b"Triad meeting" not in ics.rota_calendar(w.db.conn, w.coord)


def test_a_meeting_reminder_is_queued_at_each_lead_time(w, formed):
    bob = people.get(w.db.conn, "bob")
    outbox.set_prefs(w.db, bob, leads=(30,))  # the person's own lead times
    with w.db.transaction() as conn:
        outbox.refresh(conn, at(24, 10))
    rows = w.db.conn.execute(
        "SELECT p.handle, n.title, n.body, n.due_utc, n.meeting_id, n.shift_id FROM notification n"
        " JOIN person p ON p.id = n.person_id WHERE n.kind = 'meeting' ORDER BY p.handle, n.due_utc"
    ).fetchall()
    by = {}
    for r in rows:
        by.setdefault(r["handle"], []).append(r)
    assert set(by) == {"ann", "bob", "cat"}
    assert len(by["ann"]) == 2  # the default lead times, 60 and 15 minutes
    first = by["ann"][0]
    assert first["title"] == "Triad meeting in 1 h: Tue 10:00"
    assert [r["due_utc"] for r in by["bob"]] == ["2026-11-24T14:30:00Z"]  # 09:30 New York: bob's 30 minutes
    assert "your turn to narrate" in first["body"]
    assert "Ann narrates" in by["cat"][0]["body"]
    assert first["meeting_id"] is not None and first["shift_id"] is None
    # Cancelled meetings lose their pending reminders at the next scan.
    triads.leave(w.db, people.get(w.db.conn, "cat"))
    with w.db.transaction() as conn:
        outbox.refresh(conn, at(24, 10))
    assert w.db.conn.execute("SELECT count(*) FROM notification WHERE kind = 'meeting' AND state = 'pending'").fetchone()[0] == 0


# ---------------------------------------------------------------- the CLI (the installed `warmline`)

SECRET = "correct horse battery"


@pytest.mark.slow
def test_cli_join_form_apply_list_and_swap_turn(run_cli):
    from warmline import access

    db = open_db(run_cli.db, create=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WARMLINE_NOW", NOW)
        create(db, name="T", tz="America/New_York", actor="root", first_coordinator=("root", "Root", access.os_user()))
        root = people.get(db.conn, "root")
        for h in ("ann", "bob", "cat", "dan"):
            people.add(db, root, handle=h, name=h.title())
            people.set_passphrase(db, root, h, SECRET)
            availability.set_windows(db, root, h, availability.parse_windows(["WE", "18:00-21:00"]))
    db.close()

    def as_(handle):
        return {"WARMLINE_AS": handle, "WARMLINE_PASSPHRASE": SECRET}

    for h in ("ann", "bob", "cat"):
        done = run_cli("triad", "join", env=as_(h))
        assert done.returncode == 0 and "opted in" in done.stdout, done.stderr
    again = run_cli("triad", "join", env=as_("ann"))
    assert "already opted in" in again.stdout
    few = run_cli("triad", "form")  # the OS user, the coordinator
    assert few.returncode == 0 and "Nothing written" in few.stdout and "ann, bob, cat: weekly, Wed 18:00–19:00" in few.stdout
    preview = json.loads(run_cli("triad", "form", "--from", "2026-11-24", "--json").stdout)
    applied = json.loads(run_cli("triad", "form", "--from", "2026-11-24", "--apply", "--json").stdout)
    assert applied.pop("applied") is True and applied.pop("triad_ids") == [1]
    preview.pop("applied"), preview.pop("triad_ids")
    assert applied == preview  # --apply writes exactly the preview
    listed = json.loads(run_cli("triad", "list", "--json", env=as_("bob")).stdout)
    assert [m["handle"] for m in listed[0]["members"]] == ["ann", "bob", "cat"]
    assert listed[0]["next_meeting"]["narrator"] == "ann"
    assert listed[0]["next_meeting"]["start"].startswith("2026-11-25T18:00")
    assert json.loads(run_cli("triad", "list", "--json", env=as_("dan")).stdout) == []
    assert run_cli("triad", "list", env=as_("dan")).stdout.strip() == "You are not in a triad."
    swapped = run_cli("triad", "swap-turn", "ann", env=as_("cat"))
    assert swapped.returncode == 0 and "you narrate Wed 25 Nov 18:00–19:00" in swapped.stdout, swapped.stderr
    refused = run_cli("triad", "swap-turn", "dan", env=as_("cat"))
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == ["error: dan is not in your triad: swap turns with a member of your triad"]
    ics = run_cli("export", "ics", env=as_("cat"))
    assert ics.returncode == 0 and "SUMMARY:Triad meeting" in ics.stdout, ics.stderr
    left = run_cli("triad", "leave", env=as_("cat"))
    assert "Triad 1 has ended" in left.stdout or "triad 1 has ended" in left.stdout


def test_meetings_follow_the_horizon_as_time_goes_on(w, formed, monkeypatch):
    """Four weeks on, the rota's horizon has moved: the triad gets its next meetings, clear of shifts."""
    last = w.db.conn.execute("SELECT max(start_utc), max(number) FROM triad_meeting").fetchone()
    assert (last[0], last[1]) == ("2027-02-09T15:00:00Z", 11)  # Tue 9 Feb 10:00 New York: 12 weekly meetings
    monkeypatch.setenv("WARMLINE_NOW", "2026-12-21T08:00:00-05:00")
    blocked = w.shift(at(24 + 7 * 12, 10), at(24 + 7 * 12, 12))  # Tue 16 Feb 10:00: bob's shift
    rota.assign(w.db, w.coord, blocked, "bob")
    rota.extend_horizon(w.db)
    rows = w.db.conn.execute("SELECT number, start_local FROM triad_meeting WHERE number > 11 ORDER BY number").fetchall()
    starts = [r[1][:16] for r in rows]
    assert "2027-02-16T10:00" not in starts  # never over a member's shift
    assert starts[:2] == ["2027-02-23T10:00", "2027-03-02T10:00"]
    assert [r[0] for r in rows] == list(range(12, 12 + len(rows)))
    assert rota.extend_horizon(w.db) == 0 and w.db.conn.execute("SELECT count(*) FROM triad_meeting").fetchone()[0] == 12 + len(rows)


def test_check_reports_a_shift_over_a_meeting_written_behind_the_rotas_back(w, formed):
    sid = w.shift(at(24, 10, 30), at(24, 12))
    assert rota.check(w.db.conn).ok
    bob = people.get(w.db.conn, "bob")
    with w.db.transaction() as conn:  # as another program would: no rule checked
        conn.execute("INSERT INTO assignment (shift_id, person_id, role, created_at) VALUES (?, ?, 'peer', 'x')", (sid, bob.id))
    report = rota.check(w.db.conn)
    assert report.errors == [f"triad meeting: bob is on shift {sid}, which overlaps one of their commitments"]


def test_a_group_of_four_goes_on_with_three_when_one_leaves(w):
    for h in ("ann", "bob", "cat", "dan"):
        w.person(h, ["Thu 12:00-14:00"])
    (tid,) = triads.apply(w.db, w.coord, w.form())
    assert [m.handle for m in triads.listing(w.db.conn, w.coord)[0].members] == ["ann", "bob", "cat", "dan"]
    said = triads.leave(w.db, people.get(w.db.conn, "bob"))
    assert said.endswith(f"triad {tid} goes on with 3")
    (t,) = triads.listing(w.db.conn, w.coord)
    assert [m.handle for m in t.members] == ["ann", "cat", "dan"]
    narrators = [
        r[0]
        for r in w.db.conn.execute(
            "SELECT p.handle FROM triad_meeting g JOIN person p ON p.id = g.narrator_id WHERE g.triad_id = ? ORDER BY number",
            (tid,),
        )
    ]
    assert "bob" not in narrators and narrators[:3] == ["ann", "cat", "dan"]
    assert triads.next_meeting(w.db.conn, people.get(w.db.conn, "bob")) is None
    sid = w.shift(at(26, 12), at(26, 14))  # Thursday 26 Nov, over the meeting
    rota.assign(w.db, w.coord, sid, "bob")  # bob left: his time is his own again
    with pytest.raises(RuleBroken, match="one of their commitments"):
        rota.assign(w.db, w.coord, sid, "cat")


def test_deactivating_someone_takes_them_out_of_their_triad_as_leave_does(w):
    """A group of four goes on with three; a group of three ends and its later meetings are cancelled;
    either way the deactivated person is opted out, so the next `triad form` does not place them."""
    for h in ("ann", "bob", "cat", "dan"):
        w.person(h, ["Thu 12:00-14:00"])
    (tid,) = triads.apply(w.db, w.coord, w.form())
    people.deactivate(w.db, w.coord, "bob")
    (t,) = triads.listing(w.db.conn, w.coord)
    assert t.id == tid and [m.handle for m in t.members] == ["ann", "cat", "dan"]
    bob = people.get(w.db.conn, "bob")
    assert not triads.is_opted_in(w.db.conn, bob.id)
    assert triads.next_meeting(w.db.conn, bob) is None
    narrators = {r[0] for r in w.db.conn.execute(
        "SELECT narrator_id FROM triad_meeting WHERE triad_id = ? AND status = 'scheduled'", (tid,))}
    assert bob.id not in narrators
    assert tuple(w.db.conn.execute(
        "SELECT subject, detail FROM audit WHERE action = 'triad.leave' ORDER BY id DESC LIMIT 1"
    ).fetchone()) == (f"triad {tid}", "bob (deactivated)")
    people.deactivate(w.db, w.coord, "cat")  # two remain: the triad ends
    assert triads.listing(w.db.conn, w.coord) == []
    assert w.db.conn.execute(
        "SELECT count(*) FROM triad_meeting WHERE triad_id = ? AND status = 'scheduled'", (tid,)
    ).fetchone()[0] == 0
    people.edit(w.db, w.coord, "bob", people.PersonChanges(active=True))
    assert not triads.is_opted_in(w.db.conn, people.get(w.db.conn, "bob").id)  # rejoining is theirs to choose


@pytest.mark.fast_tier_sample(5)
@pytest.mark.parametrize("n", [6, 7, 8, 10, 11])
def test_past_the_search_budget_the_greedy_grouping_keeps_every_rule(w, monkeypatch, n):
    """Many people (here: a budget of nothing) are grouped greedily: still threes and fours, never one or two."""
    monkeypatch.setattr(triads, "SEARCH_BUDGET", 0)
    for i in range(n):
        w.person(f"p{i:02d}", ["Mon 17:00-21:00", "Thu 17:00-19:00"] if i % 3 else ["Mon 18:00-20:00"])
    p = w.form()
    assert sorted(len(t.handles) for t in p.triads) == sorted(triads.group_sizes(n))
    assert p.left_out == ()
    check_proposal(w.db, p)
    assert w.form() == p
    assert triads.apply(w.db, w.coord, p)


@pytest.mark.slow
def test_eighty_people_are_grouped_in_seconds(w):
    import random
    import time as clock

    rnd = random.Random(7)
    for i in range(80):
        h = rnd.randint(7, 18)
        w.person(f"p{i:02d}", [f"{DAYS[rnd.randint(0, 6)]} {h:02d}:00-{h + rnd.randint(2, 5):02d}:00", "Sun 10:00-12:00"])
    began = clock.perf_counter()
    p = w.form()
    assert clock.perf_counter() - began < 10
    assert sum(len(t.handles) for t in p.triads) + len(p.left_out) == 80
    assert sum(len(t.handles) for t in p.triads) >= 75
    check_proposal(w.db, p)
