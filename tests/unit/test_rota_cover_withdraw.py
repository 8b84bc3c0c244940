"""Withdrawing a cover request (issue 15): the asker (or a coordinator) takes back a late drop.

The asker stays on the shift; only while nobody has taken the seat; audited; one transaction.
"""

from __future__ import annotations

import pytest

from warmline import people, rota
from warmline.errors import NotFound, Refused
from warmline.recurrence import zone
from warmline.times import parse_moment

TZ = "America/New_York"


def at(text: str):
    return parse_moment(text, zone(TZ))


def dump(db) -> list:
    return [
        list(db.conn.execute(f"SELECT * FROM {t} ORDER BY rowid"))
        for t in ("assignment", "cover_request", "audit")
    ]


@pytest.fixture
def w(line_db, coordinator, fixed_now):
    """sam asked for cover on a shift 25 h ahead (inside the 48 h cut-off); kim is another volunteer."""
    sam = people.add(line_db, coordinator, handle="sam", name="Sam")
    kim = people.add(line_db, coordinator, handle="kim", name="Kim")
    shift = rota.add_shift(line_db, coordinator, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00"), seats=1).id
    rota.assign(line_db, coordinator, shift, "sam")
    assert rota.drop(line_db, sam, shift) == "cover-requested"
    return line_db, coordinator, sam, kim, shift


def _cover(db, shift):
    return [(c.handle, c.status) for c in rota.open_cover(db.conn, [shift]).get(shift, [])]


def test_the_asker_withdraws_their_cover_request_and_stays_on(w):
    db, _, sam, kim, shift = w
    got = rota.withdraw_cover(db, sam, shift)
    assert (got.handle, got.role, got.status) == ("sam", "peer", "withdrawn")
    assert _cover(db, shift) == []
    assert [a.handle for a in rota.view(db.conn, shift).peers] == ["sam"]
    action, subject, detail = db.conn.execute("SELECT action, subject, detail FROM audit ORDER BY id DESC").fetchone()
    assert (action, subject) == ("cover.withdraw", f"shift {shift}")
    assert detail.startswith("sam (peer) stays on; ")
    with pytest.raises(Refused, match="no free peer seat"):  # the seat is sam's again
        rota.claim(db, kim, shift)
    with pytest.raises(Refused, match="sam has no open cover request"):
        rota.withdraw_cover(db, sam, shift)


def test_a_coordinator_withdraws_anyones_and_a_volunteer_only_their_own(w):
    db, coord, sam, kim, shift = w
    before = dump(db)
    with pytest.raises(Refused, match="kim may only do that for themself"):
        rota.withdraw_cover(db, kim, shift, "sam")
    assert dump(db) == before
    assert rota.withdraw_cover(db, coord, shift, "sam").status == "withdrawn"
    assert db.conn.execute("SELECT actor FROM audit ORDER BY id DESC").fetchone()[0] == "coord"


def test_once_the_seat_is_taken_it_cannot_be_withdrawn(w):
    db, _, sam, kim, shift = w
    rota.claim(db, kim, shift)
    before = dump(db)
    with pytest.raises(Refused, match="someone already took sam's seat"):
        rota.withdraw_cover(db, sam, shift)
    assert dump(db) == before
    assert [a.handle for a in rota.view(db.conn, shift).peers] == ["kim"]


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((999,), NotFound, "999"),
        ((None, "nobody"), NotFound, "nobody"),
    ],
)
def test_bad_input_changes_nothing(w, args, error, match):
    db, _, sam, _, shift = w
    before = dump(db)
    call = (db, sam, *args) if args[0] is not None else (db, sam, shift, *args[1:])
    with pytest.raises(error, match=match):
        rota.withdraw_cover(*call)
    assert dump(db) == before


def test_no_cover_request_at_all(w):
    db, coord, _, kim, shift = w
    other = rota.add_shift(db, coord, start=at("2026-11-24T14:00"), end=at("2026-11-24T18:00")).id
    rota.assign(db, coord, other, "kim")
    with pytest.raises(Refused, match=f"kim has no open cover request for shift {other}"):
        rota.withdraw_cover(db, kim, other)


def test_the_cli_withdraws_as_the_os_user_and_a_coordinator_with_person(run_cli, monkeypatch):
    import json

    from warmline import access
    from warmline.db import open_db
    from warmline.line import create

    monkeypatch.setenv("WARMLINE_NOW", run_cli.env["WARMLINE_NOW"])
    db = open_db(run_cli.db, create=True)
    create(db, name="T", tz=TZ, actor="root", first_coordinator=("root", "Root", access.os_user()))
    root = people.get(db.conn, "root")
    sam = people.add(db, root, handle="sam", name="Sam")
    first = rota.add_shift(db, root, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00")).id
    second = rota.add_shift(db, root, start=at("2026-11-24T14:00"), end=at("2026-11-24T18:00")).id
    for shift, person in ((first, root), (second, sam)):
        rota.assign(db, root, shift, person.handle)
        assert rota.drop(db, person, shift) == "cover-requested"
    db.close()
    mine = run_cli("cover", "withdraw", str(first))
    assert mine.returncode == 0, mine.stderr
    assert mine.stdout == f"Withdrew the cover request on shift {first}. You stay on it as peer.\n"
    theirs = run_cli("cover", "withdraw", str(second), "--person", "sam", "--json")
    assert json.loads(theirs.stdout) == {"shift_id": second, "handle": "sam", "role": "peer", "status": "withdrawn"}
    again = run_cli("cover", "withdraw", str(second), "--person", "sam")
    assert again.returncode == 1
    assert again.stderr.startswith(f"error: sam has no open cover request for shift {second} ")


def _cover_rows(db, shift) -> dict[str, tuple]:
    return {
        r[0]: (r[1], r[2])
        for r in db.conn.execute(
            "SELECT p.handle, n.state, n.last_error FROM notification n JOIN person p ON p.id = n.person_id"
            " WHERE n.kind = 'cover' AND n.shift_id = ?",
            (shift,),
        )
    }


def test_withdrawing_drops_the_cover_notifications_not_yet_sent(w):
    """Nobody is told to cover a seat that is no longer asked for: the request's queued 'cover'
    notifications are retired in the withdrawal's transaction; the app shows none of them."""
    from warmline.notify import outbox

    db, _, sam, kim, shift = w
    queued = _cover_rows(db, shift)
    assert queued["kim"] == ("pending", None) and "sam" not in queued
    rota.withdraw_cover(db, sam, shift)
    after = _cover_rows(db, shift)
    assert set(after) == set(queued)
    assert {state for state, _ in after.values()} == {"expired"}
    assert all(why == "no longer applies: the cover request was withdrawn" for _, why in after.values())
    assert [n for n in outbox.pending_for_app(db.conn, kim) if n.kind == "cover"] == []


def test_withdrawing_one_request_keeps_the_notifications_of_another_open_seat(w):
    db, coord, sam, kim, shift = w
    other = rota.add_shift(db, coord, start=at("2026-11-24T22:00"), end=at("2026-11-25T02:00"), seats=2).id
    rota.assign(db, coord, other, "sam")
    rota.assign(db, coord, other, "kim")
    lee = people.add(db, coord, handle="lee", name="Lee")
    assert rota.drop(db, kim, other) == "cover-requested"
    rota.unassign(db, coord, other, "sam")  # a second seat opens on the same shift
    before = db.conn.execute(
        "SELECT count(*) FROM notification WHERE kind = 'cover' AND shift_id = ? AND person_id = ?", (other, lee.id)
    ).fetchone()[0]
    assert before == 2  # one for kim's request, one for sam's open seat
    rota.withdraw_cover(db, kim, other)
    states = [
        r[0]
        for r in db.conn.execute(
            "SELECT state FROM notification WHERE kind = 'cover' AND shift_id = ? AND person_id = ? ORDER BY id",
            (other, lee.id),
        )
    ]
    assert states == ["expired", "pending"]  # the open seat is still asked for
