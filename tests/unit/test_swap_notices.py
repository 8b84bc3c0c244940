"""Swaps with notice (issue 15): the person asked is told of a proposal, the coordinators when a swap
waits for approval, and the people in a swap how it ended: exactly one notification each, never the
actor, never a tag, and an offer not yet sent is retired when the swap closes.

Line: America/New_York; the clock is Monday 2026-11-23 08:00.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from warmline import events, people, rota, swaps
from warmline.db import open_db
from warmline.line import create
from warmline.notify import kinds, reactions
from warmline.people import PersonChanges

NY = ZoneInfo("America/New_York")
TAG_WORDS = ("grief", "veteran", "lived", "experience", "tag")


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, 1, hour, tzinfo=NY) + timedelta(days=day - 1)


@pytest.fixture
def w(tmp_path, monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", "2026-11-23T08:00:00-05:00")
    db = open_db(tmp_path / "r.db", create=True)
    create(db, name="T", tz="America/New_York", actor="coord", first_coordinator=("coord", "Coord", None))

    class W:
        pass

    w = W()
    w.db = db
    w.coord = people.get(db.conn, "coord")
    w.boss = people.add(db, w.coord, handle="boss", name="Bo Boss", role="coordinator")
    w.sam = people.add(db, w.coord, handle="sam", name="Sam")
    w.kim = people.add(db, w.coord, handle="kim", name="Kim")
    w.lee = people.add(db, w.coord, handle="lee", name="Lee")
    for p in ("sam", "kim", "lee"):  # lived experience on the line: it must never reach a notification
        people.edit(db, people.get(db.conn, p), p, PersonChanges(offer=("grief", "veteran")))
    w.tue = rota.add_shift(db, w.coord, start=at(24, 9), end=at(24, 13)).id
    w.thu = rota.add_shift(db, w.coord, start=at(26, 17), end=at(26, 21)).id
    w.fri = rota.add_shift(db, w.coord, start=at(27, 17), end=at(27, 21)).id
    rota.assign(db, w.coord, w.tue, "sam")
    rota.assign(db, w.coord, w.thu, "kim")
    rota.assign(db, w.coord, w.fri, "lee")
    yield w
    db.close()


def notes(w, kind: str | None = None) -> list[tuple[str, str, str, str]]:
    """(handle, kind, title, body) of the swap notifications, oldest first."""
    rows = w.db.conn.execute(
        "SELECT p.handle, n.kind, n.title, n.body, n.state FROM notification n JOIN person p ON p.id = n.person_id"
        " WHERE n.kind LIKE 'swap%' ORDER BY n.id"
    ).fetchall()
    return [tuple(r[:4]) for r in rows if kind is None or r[1] == kind]


def no_tags(found) -> None:
    text = "\n".join(f"{t}\n{b}" for _h, _k, t, b in found).lower()
    for word in TAG_WORDS:
        assert word not in text, word


def test_the_swap_kinds_are_in_the_one_table_and_the_outbox_hears_swaps():
    assert {"swap", "swap-approval", "swap-decided"} <= set(kinds.KINDS)
    assert events.listening("swap.changed") == (reactions.swap_changed,)


def test_the_person_asked_is_told_once_and_the_proposer_hears_the_decline(w):
    s = swaps.propose(w.db, w.sam, w.tue, w.thu, "kim")
    found = notes(w)
    assert [(h, k) for h, k, _t, _b in found] == [("kim", "swap")]
    _h, _k, title, body = found[0]
    assert title == "Swap proposed: your Thu 17:00–21:00"
    assert body.startswith(f"Sam offers shift #{w.tue} (Tue 24 Nov 09:00–13:00) for your shift #{w.thu} (Thu 26 Nov 17:00–21:00).")
    swaps.decline(w.db, w.kim, s.id)
    found = notes(w)
    assert [(h, k) for h, k, _t, _b in found] == [("kim", "swap"), ("sam", "swap-decided")]
    assert "Kim declined your shift" in found[1][3] and f"You stay on shift #{w.tue}." in found[1][3]
    no_tags(found)


def test_accepted_on_a_line_without_approval_tells_the_proposer_it_is_done(w):
    s = swaps.propose(w.db, w.sam, w.tue, w.thu, "kim")
    swaps.accept(w.db, w.kim, s.id)
    found = notes(w, "swap-decided")
    assert [(h, t) for h, _k, t, _b in found] == [("sam", "Swap done: you take Thu 17:00–21:00")]
    assert found[0][3] == f"Kim accepted: you are now on shift #{w.thu} (Thu 26 Nov 17:00–21:00), no longer on shift #{w.tue}."
    assert notes(w, "swap-approval") == []
    no_tags(notes(w))


def test_a_swap_waiting_for_approval_tells_every_coordinator_once_then_both_people_when_approved(w):
    swaps.set_need_approval(w.db, w.coord, True)
    s = swaps.propose(w.db, w.sam, w.tue, w.thu, "kim")
    swaps.accept(w.db, w.kim, s.id)
    approval = notes(w, "swap-approval")
    assert sorted(h for h, *_ in approval) == ["boss", "coord"]
    assert approval[0][2] == "Swap to approve: Tue 09:00–13:00 and Thu 17:00–21:00"
    assert [(h, t) for h, _k, t, _b in notes(w, "swap-decided")] == [("sam", "Swap accepted: Tue 09:00–13:00")]
    offer = w.db.conn.execute("SELECT state, last_error FROM notification WHERE kind = 'swap'").fetchone()
    assert tuple(offer) == ("expired", "no longer applies: the swap was accepted")  # kim answered before it went out
    swaps.approve(w.db, w.boss, s.id)
    decided = notes(w, "swap-decided")[1:]
    assert sorted((h, t) for h, _k, t, _b in decided) == [
        ("kim", "Swap done: you take Tue 09:00–13:00"),
        ("sam", "Swap done: you take Thu 17:00–21:00"),
    ]
    assert all(b.startswith("A coordinator approved it: you are now on shift #") for *_x, b in decided)
    assert len(notes(w, "swap-approval")) == 2  # told once, not again
    no_tags(notes(w))


def test_withdrawn_tells_the_person_asked_and_retires_what_was_not_yet_sent(w):
    swaps.set_need_approval(w.db, w.coord, True)
    s = swaps.propose(w.db, w.sam, w.tue, w.thu, "kim")
    swaps.accept(w.db, w.kim, s.id)
    swaps.withdraw(w.db, w.sam, s.id)
    assert [(h, t) for h, _k, t, _b in notes(w, "swap-decided")][-1] == ("kim", "Swap withdrawn: your Thu 17:00–21:00")
    states = dict(
        w.db.conn.execute("SELECT p.handle || ':' || n.kind, n.state FROM notification n JOIN person p ON p.id = n.person_id"
                          " WHERE n.kind IN ('swap', 'swap-approval')").fetchall()
    )
    assert states == {"kim:swap": "expired", "coord:swap-approval": "expired", "boss:swap-approval": "expired"}
    reason = w.db.conn.execute("SELECT DISTINCT last_error FROM notification WHERE kind = 'swap-approval'").fetchall()
    assert [r[0] for r in reason] == ["no longer applies: the swap was withdrawn"]


def test_refused_tells_both_people_and_not_the_coordinator_who_refused(w):
    s = swaps.propose(w.db, w.sam, w.tue, w.thu, "kim")
    swaps.refuse(w.db, w.coord, s.id)
    found = notes(w, "swap-decided")
    assert sorted(h for h, *_ in found) == ["kim", "sam"]
    assert all(t.startswith("Swap refused: ") and "A coordinator refused" in b for _h, _k, t, b in found)


def test_a_swap_made_stale_by_another_tells_only_the_one_left_out(w):
    one = swaps.propose(w.db, w.sam, w.tue, w.thu, "kim")
    other = swaps.propose(w.db, w.sam, w.tue, w.fri, "lee")
    swaps.accept(w.db, w.kim, one.id)
    assert swaps.get(w.db.conn, w.coord, other.id).status == "withdrawn"
    found = notes(w, "swap-decided")
    assert [(h, t) for h, _k, t, _b in found] == [
        ("sam", "Swap done: you take Thu 17:00–21:00"),
        ("lee", "Swap withdrawn: Fri 17:00–21:00"),
    ]
    assert "can no longer happen" in found[1][3]
    states = dict(w.db.conn.execute("SELECT dedupe, state FROM notification WHERE kind = 'swap'").fetchall())
    assert states[f"swap:{other.id}:{w.lee.id}"] == "expired"
    no_tags(notes(w))


def test_an_inactive_person_is_not_told(w):
    s = swaps.propose(w.db, w.sam, w.tue, w.thu, "kim")
    w.db.conn.execute("UPDATE person SET active = 0 WHERE handle = 'sam'")  # as `people deactivate` leaves them
    swaps.decline(w.db, w.kim, s.id)
    assert notes(w, "swap-decided") == []


class Recorder:
    """A fake channel (in-process: no desktop here): records what it was asked to show."""

    name = "fake"

    def __init__(self) -> None:
        self.sent: list = []

    def send(self, n) -> None:
        self.sent.append(n)


def test_a_swap_notice_goes_through_the_ordinary_delivery_once_and_shows_in_the_app(w):
    from warmline.notify import delivery, outbox

    swaps.propose(w.db, w.sam, w.tue, w.thu, "kim")
    assert [n.kind for n in outbox.pending_for_app(w.db.conn, w.kim)] == ["swap"]  # the app's toast
    fake = Recorder()
    out = delivery.deliver_due(w.db, w.kim, targets=[fake])
    assert [o.result for o in out] == ["sent"]
    assert [n.title for n in fake.sent] == ["Swap proposed: your Thu 17:00–21:00"]
    assert delivery.deliver_due(w.db, w.kim, targets=[fake]) == [] and len(fake.sent) == 1
    assert delivery.deliver_due(w.db, w.sam, targets=[fake]) == []  # the proposer is told nothing of their own act
