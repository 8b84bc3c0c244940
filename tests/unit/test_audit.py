"""The audit log: the core refuses it to anyone who may not read it, whoever asks (CLI, app, or any caller)."""

from __future__ import annotations

import pytest

from warmline import audit, people
from warmline.errors import Refused


def test_a_coordinator_reads_the_log_newest_first(line_db, coordinator) -> None:
    people.add(line_db, coordinator, handle="sam", name="Sam")
    found = audit.entries(line_db.conn, coordinator)
    assert [e.action for e in found][:1] == ["person.add"]
    assert {e.actor for e in audit.entries(line_db.conn, coordinator, actor="coord")} == {"coord"}


@pytest.mark.parametrize("whose", ["coord", None])
def test_a_volunteer_asking_for_the_log_is_refused_by_the_core(line_db, coordinator, whose) -> None:
    sam = people.add(line_db, coordinator, handle="sam", name="Sam")
    with pytest.raises(Refused, match="only coordinators may read the audit log; sam is a volunteer"):
        audit.entries(line_db.conn, sam, actor=whose)


def test_a_volunteer_is_refused_even_their_own_entries(line_db, coordinator) -> None:
    sam = people.add(line_db, coordinator, handle="sam", name="Sam")
    people.edit(line_db, sam, "sam", people.PersonChanges(pronouns="they/them"))
    with pytest.raises(Refused):
        audit.entries(line_db.conn, sam, actor="sam")
