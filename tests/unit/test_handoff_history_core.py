"""A person's handoff history (issue 15: acknowledged notes no longer vanish): the notes the core lets
them read from the last 90 days, acknowledged ones included, newest first, bounded; and its words.

The rota (New York): each day D of late November, A(D) 09:00–13:00 sam (peer) is followed by
B(D) 13:00–17:00 ria (peer), kai (backup); zed is on no shift; coord is the coordinator.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from warmline import handoff, people, rota
from warmline.views.handoff import history_entry, load_history

TZ = ZoneInfo("America/New_York")


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def line(line_db, coordinator, monkeypatch, access_clock_follows_warmline_now):
    db = line_db
    for handle in ("sam", "ria", "kai", "zed"):
        people.add(db, coordinator, handle=handle, name=handle.capitalize())
    who = {h: people.get(db.conn, h) for h in ("sam", "ria", "kai", "zed", "coord")}

    def day(d: int, month: int = 11) -> tuple[int, int]:
        monkeypatch.setenv("WARMLINE_NOW", at(d, 8, month=month).isoformat())
        a = rota.add_shift(db, coordinator, start=at(d, 9, month=month), end=at(d, 13, month=month), seats=1, backup=0)
        b = rota.add_shift(db, coordinator, start=at(d, 13, month=month), end=at(d, 17, month=month), seats=1, backup=1)
        rota.assign(db, coordinator, a.id, "sam")
        rota.assign(db, coordinator, b.id, "ria")
        rota.assign(db, coordinator, b.id, "kai", role="backup")
        return a.id, b.id

    def note(d: int, text: str, month: int = 11) -> int:
        a, _b = day(d, month)
        monkeypatch.setenv("WARMLINE_NOW", at(d, 12, 45, month=month).isoformat())
        return handoff.write_note(db, who["sam"], a, text).id

    return db, who, note, monkeypatch


def test_acknowledged_notes_stay_newest_first_and_strangers_see_none(line):
    db, who, note, monkeypatch = line
    first = note(16, "Monday: quiet.")
    second = note(23, "Monday again: busy.")
    monkeypatch.setenv("WARMLINE_NOW", at(23, 13, 5).isoformat())
    handoff.ack(db, who["ria"], first)
    handoff.ack(db, who["ria"], second)
    for handle in ("sam", "ria", "kai", "coord"):
        notes, complete = handoff.history(db.conn, who[handle])
        assert [n.id for n in notes] == [second, first] and complete, handle
    assert handoff.unread_notes(db.conn, who["ria"]) == []  # Home lists only what waits; the history keeps them
    assert handoff.history(db.conn, who["zed"]) == ([], True)


def test_the_history_is_bounded_by_90_days_and_a_limit(line):
    db, who, note, monkeypatch = line
    old = note(20, "August.", month=8)  # 95 days before 23 Nov
    kept = [note(d, f"Day {d}.") for d in (20, 21, 22)]
    monkeypatch.setenv("WARMLINE_NOW", at(23, 9).isoformat())
    notes, complete = handoff.history(db.conn, who["ria"])
    assert [n.id for n in notes] == kept[::-1] and complete and old not in [n.id for n in notes]
    notes, complete = handoff.history(db.conn, who["ria"], limit=2)
    assert [n.id for n in notes] == kept[:0:-1] and not complete
    shown = load_history(db, who["ria"])
    assert [e.id for e in shown.entries] == kept[::-1]
    assert shown.summary.startswith("3 notes from the last 90 days, newest first")


def test_the_words_say_who_acknowledged_and_when(line):
    db, who, note, monkeypatch = line
    nid = note(23, "[red]Quiet[/red] evening.")
    monkeypatch.setenv("WARMLINE_NOW", at(23, 13, 10).isoformat())
    handoff.ack(db, who["ria"], nid)
    n = handoff.get_note(db.conn, nid)
    ria = history_entry(n, who["ria"].id, TZ)
    assert ria.status == "you acknowledged it Mon 23 Nov 13:10" and not ria.to_ack
    assert ria.acks == "acknowledged by you Mon 23 Nov 13:10; not yet by kai"
    assert ria.body == "[red]Quiet[/red] evening."  # as written: the screen shows it as data
    kai = history_entry(n, who["kai"].id, TZ)
    assert kai.status == "not acknowledged yet" and kai.to_ack
    assert history_entry(n, who["sam"].id, TZ).status == "you wrote it"
    assert history_entry(n, who["coord"].id, TZ).status == "waiting for kai"
    handoff.ack(db, who["kai"], nid)
    assert history_entry(handoff.get_note(db.conn, nid), who["coord"].id, TZ).status == "acknowledged"
    monkeypatch.setenv("WARMLINE_NOW", (at(23, 13, 10) + timedelta(days=1)).isoformat())
    assert load_history(db, who["coord"]).everyone
