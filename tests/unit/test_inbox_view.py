"""A coordinator's inbox (warmline.views.inbox, Home's first table for coordinators): what it lists on
the demo line, in words that name handles and times, never anyone's lived-experience tags; a
volunteer gets none."""

from __future__ import annotations

import pytest

from warmline import people, tags
from warmline.db import open_db
from warmline.demo import build
from warmline.views.inbox import KIND_WORDS, read_inbox


@pytest.mark.slow
def test_the_demo_coordinators_inbox_names_no_tag_and_a_volunteer_has_none(tmp_path, fixed_now):
    with open_db(tmp_path / "demo.db", create=True) as db:
        build(db, seed=7)
        everyone = people.all_people(db.conn)
        coordinator = next(p for p in everyone if p.is_coordinator)
        volunteer = next(p for p in everyone if not p.is_coordinator)
        inbox = read_inbox(db, coordinator)
        assert inbox.items and {i.kind for i in inbox.items} <= set(KIND_WORDS)
        assert len({i.key for i in inbox.items}) == len(inbox.items)
        labels = {t.label.lower() for t in tags.all_tags(db.conn)} | {t.id.lower() for t in tags.all_tags(db.conn)}
        assert labels
        for item in inbox.items:
            words = f"{item.what} {item.when} {item.detail} {item.act}".lower()
            assert not [label for label in labels if label in words], item
        assert read_inbox(db, volunteer).items == ()
