"""The swap picker's read model (issue 15): only shifts that pass the rules, the rest counted in one line.

views.swap.swap_options runs the core's own check (swaps.preview) on every candidate, as a dry run:
nothing is written, and another person's limits show only as "their limits or availability".
"""

from __future__ import annotations

import pytest

from warmline import people, rota
from warmline.recurrence import zone
from warmline.times import parse_moment
from warmline.views.swap import swap_options


def at(text: str):
    return parse_moment(text, zone("America/New_York"))


def dump(db) -> list:
    return [list(db.conn.execute(f"SELECT * FROM {t} ORDER BY rowid")) for t in ("assignment", "swap", "audit")]


@pytest.fixture
def w(line_db, coordinator, fixed_now):
    """ana is on Tue 09-13; ben (4 h a week, time off on Thursday) and cy each hold shifts that week."""
    from datetime import date

    from warmline import availability

    ana = people.add(line_db, coordinator, handle="ana", name="Ana", tags=["grief"])
    ben = people.add(line_db, coordinator, handle="ben", name="Ben", max_hours_week=4, tags=["veteran"])
    cy = people.add(line_db, coordinator, handle="cy", name="Cy")
    availability.add_time_off(line_db, coordinator, "ben", date(2026, 11, 26), date(2026, 11, 26))

    def shift(start, end, *handles):
        s = rota.add_shift(line_db, coordinator, start=at(start), end=at(end)).id
        for h in handles:
            rota.assign(line_db, coordinator, s, h, force=True)  # the set-up breaks rules on purpose
        return s

    mine = shift("2026-11-24T09:00", "2026-11-24T13:00", "ana")
    ok = shift("2026-11-25T09:00", "2026-11-25T13:00", "cy")  # passes for both
    overlaps_me = shift("2026-11-27T09:00", "2026-11-27T13:00", "cy")
    shift("2026-11-27T10:00", "2026-11-27T12:00", "ana")  # ana would be on two shifts at once
    bens = shift("2026-11-28T09:00", "2026-11-28T11:00", "ben")  # ben: Tue would be 4 h, fine…
    shift("2026-11-28T14:00", "2026-11-28T16:00", "ben")  # …but with his other 2 h, 6 of 4
    return line_db, ana, mine, ok, overlaps_me, bens


def test_only_shifts_that_pass_are_offered_and_the_rest_are_said_in_one_line(w):
    db, ana, mine, ok, overlaps_me, bens = w
    before = dump(db)
    got = swap_options(db, ana, mine)
    assert dump(db) == before  # a dry run
    assert [(o.shift_id, o.handle) for o in got.options] == [(ok, "cy")]
    assert got.left_out == 3
    text = got.left_out_text
    assert "\n" not in text
    assert text.startswith("3 left out: ")
    assert "break one of your rules (overlap" in text
    assert "break one of the other person's (their limits or availability)" in text
    for private in ("4 h", "weekly hours", "time off", "veteran", "grief"):  # ben's limits; nobody's tags
        assert private not in text


def test_a_coordinator_reads_which_of_the_other_persons_limits(w, coordinator):
    db, _, _, _, _, bens = w
    mine = rota.add_shift(db, coordinator, start=at("2026-11-24T18:00"), end=at("2026-11-24T22:00")).id
    rota.assign(db, coordinator, mine, "coord")
    got = swap_options(db, coordinator, mine)
    assert bens not in [o.shift_id for o in got.options]
    assert "break one of the other person's (" in got.left_out_text and "weekly hours" in got.left_out_text
    assert "veteran" not in got.left_out_text


def test_nothing_left_out_says_nothing(line_db, coordinator, fixed_now):
    ana = people.add(line_db, coordinator, handle="ana", name="Ana")
    s = rota.add_shift(line_db, coordinator, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00")).id
    rota.assign(line_db, coordinator, s, "ana")
    got = swap_options(line_db, ana, s)
    assert (got.options, got.left_out, got.left_out_text) == ([], 0, "")


def test_only_ones_own_shift_has_options(w, coordinator):
    from warmline.errors import Refused

    db, ana, _, ok, _, _ = w
    with pytest.raises(Refused, match=f"ana is not on shift {ok}: a swap offers one of your own shifts"):
        swap_options(db, ana, ok)


def test_the_cli_lists_the_options_with_the_command_and_the_line(run_cli, monkeypatch):
    import json

    from warmline import access
    from warmline.db import open_db
    from warmline.line import create

    monkeypatch.setenv("WARMLINE_NOW", run_cli.env["WARMLINE_NOW"])
    db = open_db(run_cli.db, create=True)
    create(db, name="T", tz="America/New_York", actor="root", first_coordinator=("root", "Root", access.os_user()))
    root = people.get(db.conn, "root")
    people.add(db, root, handle="kim", name="Kim", max_hours_week=4)
    people.add(db, root, handle="sam", name="Sam")
    mine = rota.add_shift(db, root, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00")).id
    rota.assign(db, root, mine, "root")
    for start, end, handle in (("25T09:00", "25T11:00", "kim"), ("26T09:00", "26T11:00", "kim"), ("27T09:00", "27T13:00", "sam")):
        s = rota.add_shift(db, root, start=at("2026-11-" + start), end=at("2026-11-" + end)).id
        rota.assign(db, root, s, handle)
    db.close()
    shown = run_cli("swap", "options", str(mine))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == [
        f"Fri 27 Nov 09:00–13:00 #{s}  sam (peer)    warmline swap propose {mine} {s} sam",
        "2 left out: 2 break one of the other person's (weekly hours).",
    ]
    data = json.loads(run_cli("swap", "options", str(mine), "--json").stdout)
    assert data["options"] == [{"shift_id": s, "handle": "sam", "role": "peer"}] and data["left_out"] == 2


def test_someone_already_on_my_shift_is_not_offered_nor_counted(w, coordinator):
    db, ana, mine, ok, _, _ = w
    rota.assign(db, coordinator, mine, "cy", force=True)  # cy works with ana on Tuesday: nothing to swap
    got = swap_options(db, ana, mine)
    assert "cy" not in [o.handle for o in got.options]
    assert got.left_out == 2 and "cannot be swapped" not in got.left_out_text
