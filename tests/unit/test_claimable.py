"""rota.claimable reads each person's shifts and calendar once for every open seat it checks (Home
shows it at start-up); what it offers must be exactly what person_problems allows, seat by seat."""

from __future__ import annotations

from datetime import timedelta

import pytest

from warmline import people, rota, rules
from warmline.clock import now
from warmline.db import open_db
from warmline.demo import build
from warmline.line import get as get_line


@pytest.mark.slow
def test_claimable_offers_exactly_the_seats_person_problems_allows(tmp_path, fixed_now):
    db = open_db(tmp_path / "demo.db", create=True)
    build(db, seed=7)
    conn = db.conn
    line = get_line(conn)
    moment = now()
    end = moment + timedelta(weeks=8)
    offered_somewhere = refused_somewhere = 0
    for person in people.all_people(conn):
        expected = []
        for v in rota.views(conn, moment, end, open_only=True):
            s = v.shift
            if s.status != "scheduled" or s.start_utc <= moment or not (v.open_seats or v.cover):
                continue
            if any(a.person_id == person.id for a in v.peers + v.backups):
                continue
            if rota.person_problems(conn, line, person, rules.Span(s.id, s.start_utc, s.end_utc)):
                refused_somewhere += 1
                continue
            expected.append(s.id)
        assert [v.shift.id for v in rota.claimable(conn, person, moment, end)] == expected, person.handle
        offered_somewhere += len(expected)
    db.close()
    # The demo exercises both sides: seats offered, and seats refused by a limit, rest or availability.
    assert offered_somewhere and refused_somewhere
