"""Cover requests and swaps: the open-seat board, a late drop taken over in one claim, and swaps
checked for both people as if done — accepted, declined, approved, refused, and refused by a rule.

Line: America/New_York, drop cut-off 48 h; the clock is Monday 2026-11-23 08:00.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from warmline import access, availability, people, rota, swaps
from warmline.db import open_db
from warmline.errors import Invalid, NotFound, Refused, RuleBroken
from warmline.line import create
from warmline.people import PersonChanges

NY = ZoneInfo("America/New_York")
NOW = "2026-11-23T08:00:00-05:00"
SECRET = "correct horse battery"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 1, hour, minute, tzinfo=NY) + timedelta(days=day - 1)


class Line:
    def __init__(self, path):
        self.db = open_db(path, create=True)
        create(self.db, name="T", tz="America/New_York", actor="coord", first_coordinator=("coord", "Coord", None))
        self.coord = people.get(self.db.conn, "coord")
        self.sam = people.add(self.db, self.coord, handle="sam", name="Sam")
        self.kim = people.add(self.db, self.coord, handle="kim", name="Kim")
        self.lee = people.add(self.db, self.coord, handle="lee", name="Lee")

    def shift(self, start: datetime, end: datetime, **kw) -> int:
        return rota.add_shift(self.db, self.coord, start=start, end=end, **kw).id

    def on(self, sid: int) -> dict[str, str]:
        v = rota.view(self.db.conn, sid)
        return {a.handle: a.role for a in v.peers + v.backups}

    def tables(self) -> list[str]:
        return list(self.db.conn.iterdump())

    def audit(self, n: int = 1) -> list[tuple]:
        rows = self.db.conn.execute("SELECT actor, action, subject, detail FROM audit ORDER BY id DESC LIMIT ?", (n,))
        return [tuple(r) for r in rows]


@pytest.fixture
def w(tmp_path, monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    made = Line(tmp_path / "r.db")
    yield made
    made.db.close()


@pytest.fixture
def pair(w):
    """sam on Tuesday's morning shift (peer), kim on Thursday's evening shift (backup)."""
    tue = w.shift(at(24, 9), at(24, 13))
    thu = w.shift(at(26, 17), at(26, 21))
    rota.assign(w.db, w.coord, tue, "sam")
    rota.assign(w.db, w.coord, thu, "kim", role="backup")
    return tue, thu


# ---------------------------------------------------------------- cover requests and the open-seat board


def test_a_late_drop_is_taken_over_in_one_claim_and_only_then_releases_the_dropper(w):
    soon = w.shift(at(24, 9), at(24, 13), seats=1, backup=0)  # 25 h away: inside the 48 h cut-off
    rota.claim(w.db, w.sam, soon)
    assert rota.drop(w.db, w.sam, soon) == "cover-requested"
    assert w.on(soon) == {"sam": "peer"}
    board = {v.shift.id: v for v in rota.claimable(w.db.conn, w.kim, at(23, 0), at(30, 0))}
    assert [c.handle for c in board[soon].cover] == ["sam"]
    assert soon in [v.shift.id for v in rota.views(w.db.conn, at(23, 0), at(30, 0), open_only=True)]

    # Someone whose availability rules the shift out cannot take it, and sam stays on.
    availability.set_windows(w.db, w.lee, None, availability.parse_windows(["weekends", "10:00-16:00"]))
    assert soon not in [v.shift.id for v in rota.claimable(w.db.conn, w.lee, at(23, 0), at(30, 0))]
    with pytest.raises(RuleBroken, match="lee is not available"):
        rota.claim(w.db, w.lee, soon)
    assert w.on(soon) == {"sam": "peer"}

    rota.claim(w.db, w.kim, soon)
    assert w.on(soon) == {"kim": "peer"}
    status, taken_by = w.db.conn.execute(
        "SELECT c.status, p.handle FROM cover_request c JOIN person p ON p.id = c.taken_by WHERE c.shift_id = ?", (soon,)
    ).fetchone()
    assert (status, taken_by) == ("taken", "kim")
    assert w.audit()[0] == ("kim", "claim", f"shift {soon}", f"kim as peer; shift {soon} (Tue 2026-11-24 09:00–13:00); covers for sam")
    assert rota.check(w.db.conn).ok


def test_a_drop_before_the_cut_off_reopens_the_seat_for_the_board(w):
    later = w.shift(at(30, 9), at(30, 13), seats=1, backup=0)
    rota.claim(w.db, w.sam, later)
    assert later not in [v.shift.id for v in rota.claimable(w.db.conn, w.kim, at(23, 0), at(31, 0))]
    assert rota.drop(w.db, w.sam, later) == "reopened"
    assert later in [v.shift.id for v in rota.claimable(w.db.conn, w.kim, at(23, 0), at(31, 0))]


# ---------------------------------------------------------------- swaps


def test_propose_then_accept_swaps_both_seats_in_one_step(w, pair):
    tue, thu = pair
    s = swaps.propose(w.db, w.sam, tue, thu, "kim")
    assert (s.status, s.waiting_for, s.from_handle, s.to_handle) == ("proposed", "kim", "sam", "kim")
    assert w.audit()[0] == ("sam", "swap.propose", f"swap {s.id}", f"shift {tue} for kim's shift {thu}")
    done = swaps.accept(w.db, w.kim, s.id)
    assert (done.status, done.waiting_for, done.approved_by) == ("done", "", None)
    assert w.on(tue) == {"kim": "peer"} and w.on(thu) == {"sam": "backup"}  # each takes the other's seat as it was
    assert w.audit()[0] == (
        "kim", "swap.done", f"swap {s.id}", f"sam takes shift {thu} (backup), kim takes shift {tue} (peer)"
    )
    report = rota.check(w.db.conn)
    assert report.ok and not report.warnings


def test_decline_and_withdraw_leave_the_rota_as_it_was(w, pair):
    tue, thu = pair
    before = (w.on(tue), w.on(thu))
    s = swaps.propose(w.db, w.sam, tue, thu, "kim")
    with pytest.raises(Refused, match="only they may accept"):
        swaps.accept(w.db, w.lee, s.id)
    with pytest.raises(Refused, match="only they may withdraw"):
        swaps.withdraw(w.db, w.kim, s.id)
    assert swaps.decline(w.db, w.kim, s.id).status == "declined"
    with pytest.raises(Refused, match="is declined"):
        swaps.accept(w.db, w.kim, s.id)
    again = swaps.propose(w.db, w.sam, tue, thu, "kim")
    with pytest.raises(Refused, match="already proposed"):
        swaps.propose(w.db, w.sam, tue, thu, "kim")
    assert swaps.withdraw(w.db, w.sam, again.id).status == "withdrawn"
    assert (w.on(tue), w.on(thu)) == before


def test_when_the_line_needs_approval_a_coordinator_approves_and_the_swap_is_done(w, pair):
    tue, thu = pair
    with pytest.raises(Refused, match="only coordinators may change the line's settings"):
        swaps.set_need_approval(w.db, w.sam, True)
    assert swaps.set_need_approval(w.db, w.coord, True) is True
    s = swaps.propose(w.db, w.sam, tue, thu, "kim")
    with pytest.raises(Refused, match="waits for kim to accept"):
        swaps.approve(w.db, w.coord, s.id)
    waiting = swaps.accept(w.db, w.kim, s.id)
    assert (waiting.status, waiting.waiting_for) == ("accepted", "coordinator")
    assert w.on(tue) == {"sam": "peer"}  # nothing moves until approved
    with pytest.raises(Refused, match="only coordinators may approve swaps; kim is a volunteer"):
        swaps.approve(w.db, w.kim, s.id)
    done = swaps.approve(w.db, w.coord, s.id)
    assert (done.status, done.approved_by) == ("done", "coord")
    assert w.on(tue) == {"kim": "peer"}
    assert w.audit()[0][3].endswith("approved by coord")


def test_a_coordinator_may_refuse_a_swap(w, pair):
    tue, thu = pair
    swaps.set_need_approval(w.db, w.coord, True)
    s = swaps.propose(w.db, w.sam, tue, thu, "kim")
    swaps.accept(w.db, w.kim, s.id)
    with pytest.raises(Refused, match="only coordinators may refuse"):
        swaps.refuse(w.db, w.sam, s.id)
    assert swaps.refuse(w.db, w.coord, s.id).status == "refused"
    assert w.on(tue) == {"sam": "peer"}


def test_a_swap_that_would_break_one_sides_rule_is_refused_naming_whose_and_changes_nothing(w):
    # kim may work 14 h a week and holds Thursday (4 h) and Wednesday night (8 h): 12 h. Taking sam's
    # 7-hour Tuesday instead of Thursday would make 15 h. (Rest is fine: 8 h from Tuesday 16:00 to
    # Wednesday 00:00.) sam's side breaks nothing.
    people.edit(w.db, w.coord, "kim", PersonChanges(max_hours_week=14))
    tue = w.shift(at(24, 9), at(24, 16))
    thu = w.shift(at(26, 17), at(26, 21))
    wed = w.shift(at(25, 0), at(25, 8))
    rota.assign(w.db, w.coord, tue, "sam")
    rota.assign(w.db, w.coord, thu, "kim")
    rota.assign(w.db, w.coord, wed, "kim")
    before = w.tables()
    with pytest.raises(RuleBroken) as refused:
        swaps.propose(w.db, w.sam, tue, thu, "kim")
    # sam learns whose rule and which shift, not kim's limit or her hours (kim's private settings).
    assert str(refused.value) == (
        f"swapping shift {tue} for shift {thu} would break a rule for kim: kim cannot take shift {tue}: "
        "it breaks one of their limits or their availability (they or a coordinator can see which)"
    )
    assert not refused.value.overridable
    assert w.tables() == before  # nothing stored: no swap row, no audit row
    # kim herself, proposing the same swap the other way, sees the details.
    with pytest.raises(RuleBroken, match="kim would work 15.0 h in the week of 2026-11-23; the limit is 14 h"):
        swaps.propose(w.db, w.kim, thu, tue, "sam")
    assert w.tables() == before


def test_a_rule_that_breaks_after_proposing_is_caught_when_accepting(w, pair):
    tue, thu = pair
    s = swaps.propose(w.db, w.sam, tue, thu, "kim")
    availability.add_time_off(w.db, w.sam, None, date(2026, 11, 26), date(2026, 11, 26))
    before = w.tables()
    with pytest.raises(RuleBroken, match=f"would break a rule for sam: sam cannot take shift {thu}: it breaks one of") as refused:
        swaps.accept(w.db, w.kim, s.id)
    assert "time off" not in str(refused.value) and "2026-11-26" not in str(refused.value)  # sam's, not kim's
    assert w.tables() == before
    assert swaps.get(w.db.conn, w.kim, s.id).status == "proposed"


def test_each_side_is_checked_without_the_shift_they_give_away(w):
    # The two shifts overlap: neither could hold both, but after the swap each holds one.
    a = w.shift(at(24, 9), at(24, 13))
    b = w.shift(at(24, 11), at(24, 15))
    rota.assign(w.db, w.coord, a, "sam")
    rota.assign(w.db, w.coord, b, "kim")
    s = swaps.propose(w.db, w.sam, a, b, "kim")
    assert swaps.accept(w.db, w.kim, s.id).status == "done"
    assert w.on(a) == {"kim": "peer"} and w.on(b) == {"sam": "peer"}


def test_a_swap_closes_the_givers_cover_request_and_other_swaps_for_the_same_seats(w):
    soon = w.shift(at(24, 9), at(24, 13))
    later = w.shift(at(26, 9), at(26, 13))
    other = w.shift(at(27, 9), at(27, 13))
    rota.assign(w.db, w.coord, soon, "sam")
    rota.assign(w.db, w.coord, later, "kim")
    rota.assign(w.db, w.coord, other, "lee")
    rota.drop(w.db, w.sam, soon)  # inside the cut-off: a cover request
    first = swaps.propose(w.db, w.sam, soon, later, "kim")
    second = swaps.propose(w.db, w.sam, soon, other, "lee")
    swaps.accept(w.db, w.kim, first.id)
    assert swaps.get(w.db.conn, w.sam, second.id).status == "withdrawn"
    assert not rota.open_cover(w.db.conn, [soon])
    assert rota.check(w.db.conn).ok


@pytest.mark.parametrize(
    ("args", "error", "says"),
    [
        (("tue", "thu", "sam"), Invalid, "with someone else"),
        (("tue", "tue", "kim"), Invalid, "two different shifts"),
        (("thu", "tue", "kim"), Refused, "sam is not on shift"),
        (("tue", "thu", "lee"), Refused, "lee is not on shift"),
        (("tue", "thu", "nobody"), NotFound, "nobody on this line has the handle"),
    ],
)
def test_proposals_that_make_no_sense_are_refused(w, pair, args, error, says):
    tue, thu = pair
    ids = {"tue": tue, "thu": thu}
    with pytest.raises(error, match=says):
        swaps.propose(w.db, w.sam, ids[args[0]], ids[args[1]], args[2])


def test_shifts_that_have_started_cannot_be_swapped(w, pair, monkeypatch):
    tue, thu = pair
    s = swaps.propose(w.db, w.sam, tue, thu, "kim")
    monkeypatch.setenv("WARMLINE_NOW", "2026-11-24T10:00:00-05:00")
    with pytest.raises(Refused, match="has already started"):
        swaps.accept(w.db, w.kim, s.id)


def test_volunteers_see_their_own_swaps_and_coordinators_all(w, pair):
    tue, thu = pair
    s = swaps.propose(w.db, w.sam, tue, thu, "kim")
    assert [x.id for x in swaps.swaps(w.db.conn, w.kim)] == [s.id]
    assert swaps.swaps(w.db.conn, w.lee) == []
    assert [x.id for x in swaps.swaps(w.db.conn, w.coord, open_only=True)] == [s.id]
    with pytest.raises(NotFound):
        swaps.get(w.db.conn, w.lee, s.id)


@pytest.mark.slow
def test_cli_swap_flow_and_the_line_setting(run_cli):
    db = open_db(run_cli.db, create=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WARMLINE_NOW", NOW)
        create(db, name="T", tz="America/New_York", actor="root", first_coordinator=("root", "Root", access.os_user()))
        root = people.get(db.conn, "root")
        for handle in ("sam", "kim"):
            people.add(db, root, handle=handle, name=handle.title())
            people.set_passphrase(db, root, handle, SECRET)
        tue = rota.add_shift(db, root, start=at(24, 9), end=at(24, 13)).id
        thu = rota.add_shift(db, root, start=at(26, 17), end=at(26, 21)).id
        rota.assign(db, root, tue, "sam")
        rota.assign(db, root, thu, "kim")
    db.close()
    as_sam = {"WARMLINE_AS": "sam", "WARMLINE_PASSPHRASE": SECRET}
    as_kim = {"WARMLINE_AS": "kim", "WARMLINE_PASSPHRASE": SECRET}

    setting = json.loads(run_cli("line", "set", "--swaps-need-approval", "yes", "--json").stdout)
    assert setting["swaps_need_approval"] is True and setting["changed"] == ["swaps_need_approval"]
    refused = run_cli("line", "set", "--swaps-need-approval", "no", env=as_sam)
    assert refused.returncode == 1 and "only coordinators" in refused.stderr
    proposed = json.loads(run_cli("swap", "propose", str(tue), str(thu), "kim", "--json", env=as_sam).stdout)
    assert (proposed["status"], proposed["waiting_for"], proposed["from"], proposed["to"]) == ("proposed", "kim", "sam", "kim")
    accepted = run_cli("swap", "accept", str(proposed["id"]), env=as_kim)
    assert accepted.returncode == 0 and "waits for a coordinator's approval" in accepted.stdout
    listed = run_cli("swap", "list", "--open")
    assert f"sam gives #{tue}" in listed.stdout and "(waiting for coordinator)" in listed.stdout
    approved = json.loads(run_cli("swap", "approve", str(proposed["id"]), "--json").stdout)
    assert (approved["status"], approved["approved_by"]) == ("done", "root")
    mine = json.loads(run_cli("shifts", "--from", "2026-11-24", "--to", "2026-11-26", "--json", env=as_sam).stdout)
    assert {s["id"]: s["peers"] for s in mine} == {tue: ["kim"], thu: ["sam"]}


def test_a_screen_can_preview_a_swap_without_writing(w, pair):
    tue, thu = pair
    assert swaps.preview(w.db.conn, w.sam, tue, thu, "kim") == []
    availability.add_time_off(w.db, w.sam, None, date(2026, 11, 26), date(2026, 11, 26))
    before = w.tables()
    assert [p.rule for p in swaps.preview(w.db.conn, w.sam, tue, thu, "kim")] == ["time-off"]
    assert [p.rule for p in swaps.preview(w.db.conn, w.sam, thu, tue, "kim")] == ["swap"]  # sam is not on thu
    assert w.tables() == before
