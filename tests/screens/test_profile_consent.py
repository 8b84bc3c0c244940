"""Pilot tests for consent to tags in the app (issue 15): My profile shows what a coordinator proposed,
a accepts and d declines it, and the consent history is listed with times in the line's zone; the
person editor proposes a coordinator's tag for someone else and shows it as proposed, not offered."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App

import warmline.screens as screens
from warmline import line as line_svc
from warmline import people
from warmline.db import open_db
from warmline.people import PersonChanges
from warmline.screens.people import PeopleScreen, PeopleTable
from warmline.screens.person_form import PersonEditorDialog
from warmline.screens.profile import ProfileScreen
from warmline.screens.table import KeyTable

NOW = "2026-11-23T08:00:00-05:00"  # 13:00 UTC


class Host(App):
    CSS_PATH = Path(screens.__file__).with_name("app.tcss")

    def __init__(self, db_path, actor, line, screen) -> None:
        super().__init__()
        self.db_path, self.actor, self.line, self._screen = db_path, actor, line, screen

    def on_mount(self) -> None:
        self.push_screen(self._screen())


@pytest.fixture
def rota(tmp_path, monkeypatch):
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    path = tmp_path / "r.db"
    db = open_db(path, create=True)
    line_svc.create(db, name="Test Line", tz="America/New_York", actor="coord", first_coordinator=("coord", "C", None))
    coord = people.get(db.conn, "coord")
    people.add(db, coord, handle="sam", name="Sam Rivera")
    people.edit(db, coord, "sam", PersonChanges(offer=("grief", "debt")))  # two proposals
    yield path, db
    db.close()


def host(rota, handle, screen) -> Host:
    path, db = rota
    return Host(path, people.get(db.conn, handle), line_svc.get(db.conn), screen)


def tags_now(path, handle) -> dict[str, str]:
    with open_db(path) as db:
        coord = people.get(db.conn, "coord")
        return dict(people.tags_of(db.conn, coord, people.get(db.conn, handle)))


async def until(pilot, app, condition, what: str, tries: int = 60) -> None:
    for _ in range(tries):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).content)


@pytest.mark.slow
async def test_the_person_accepts_and_declines_proposals_in_their_profile(rota):
    path, _ = rota
    app = host(rota, "sam", ProfileScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        tags = app.screen.query_one("#pr-tags", KeyTable)
        await until(pilot, app, lambda: tags.row_count == 2, "my proposals")
        assert tags.get_cell("grief", "state") == "proposed to you: a accepts, d declines"
        assert text(app, "#pr-proposals").startswith("2 proposed by a coordinator, waiting for you")
        await until(pilot, app, lambda: "proposed by coord" in text(app, "#pr-history"), "my history")
        assert text(app, "#pr-history").splitlines() == [
            "2026-11-23 08:00  grief: proposed by coord",  # the line's zone (13:00 UTC), in the order given
            "2026-11-23 08:00  debt: proposed by coord",
        ]
        assert tags.has_focus and tags.cursor_key == "debt"
        await pilot.press("d")
        await until(pilot, app, lambda: tags.row_count == 1, "the decline")
        assert "Declined debt" in text(app, "#pr-tags-message")
        assert tags.cursor_key == "grief"
        await pilot.press("a")
        await until(pilot, app, lambda: tags.get_cell("grief", "state") == "offered", "the acceptance")
        assert text(app, "#pr-proposals") == ""
        await until(pilot, app, lambda: "accepted" in text(app, "#pr-history"), "the history")
        assert text(app, "#pr-history").splitlines()[-2:] == [
            "2026-11-23 08:00  debt: declined", "2026-11-23 08:00  grief: accepted",
        ]
        await pilot.press("a")  # nothing proposed now: the key is not offered, nothing happens
        await until(pilot, app, lambda: True, "a pause")
    assert tags_now(path, "sam") == {"grief": "offered"}


@pytest.mark.slow
async def test_the_editor_proposes_a_coordinators_tag_and_shows_proposed_apart_from_offered(rota):
    path, db = rota
    sam = people.get(db.conn, "sam")
    from warmline import consent

    consent.accept(db, sam, "grief")
    app = host(rota, "coord", PeopleScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one("#people-table", PeopleTable)
        await until(pilot, app, lambda: table.row_count > 0, "the people list")
        table.move_cursor(row=table.get_row_index("sam"))
        await pilot.press("e")
        await until(pilot, app, lambda: isinstance(app.screen, PersonEditorDialog) and app.screen._data is not None,
                    "the editor")
        tags = app.screen.query_one("#ed-tags", KeyTable)
        assert tags.get_cell("grief", "state") == "offered"
        assert tags.get_cell("debt", "state") == "proposed, not used until accepted"
        tags.focus()
        tags.move_cursor(row=tags.get_row_index("debt"))
        await pilot.press("space")  # a proposal cannot be turned into an offer here
        await until(pilot, app, lambda: "x withdraws it" in text(app, "#ed-error"), "the hint")
        app.screen.query_one("#ed-tag-add").value = "loneliness"
        app.screen.query_one("#ed-tag-add").focus()
        await pilot.press("enter")
        await until(pilot, app, lambda: "loneliness" in tags.keys, "the new row")
        assert tags.get_cell("loneliness", "state") == "proposed, not used until accepted (unsaved)"
        await pilot.press("ctrl+s")
        await until(pilot, app, lambda: isinstance(app.screen, PeopleScreen), "the dialog to close")
    assert tags_now(path, "sam") == {"grief": "offered", "debt": "proposed", "loneliness": "proposed"}
