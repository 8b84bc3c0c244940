"""Pilot tests for People, the person editor, My profile and Audit.

Each test drives the screen with keys on a real SQLite file and then checks the
database through a fresh connection (core calls only), as well as the screen.
The screens run in a tiny host App so these tests do not depend on the app shell.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from textual.app import App
from textual.widgets import Input, Static

import warmline.screens as screens
from warmline.screens.audit import AuditScreen
from warmline.screens.table import KeyTable
from warmline.screens.people import PeopleScreen, PeopleTable
from warmline.screens.person_form import AddPersonDialog, DeactivateDialog, PersonEditorDialog
from warmline.screens.profile import ProfileScreen
from warmline import access, audit, people, rota
from warmline import line as line_svc
from warmline.db import Database, open_db
from warmline.errors import Refused
from warmline.people import PersonChanges

NOW = "2026-11-23T08:00:00-05:00"  # Monday morning, New York
TZ = ZoneInfo("America/New_York")
TAG_WORDS = ("grief", "hearing voices", "debt", "housing insecurity", "loneliness")


@dataclass
class Rota:
    path: Path
    db: Database

    def person(self, handle: str):
        """Read a person through a fresh connection, as another process would."""
        with open_db(self.path) as db:
            return people.get(db.conn, handle)

    def tags(self, handle: str) -> dict[str, str]:
        with open_db(self.path) as db:
            coord = people.get(db.conn, "coord")
            return dict(people.tags_of(db.conn, coord, people.get(db.conn, handle)))

    def log(self, **kwargs):
        with open_db(self.path) as db:
            return audit.entries(db.conn, people.get(db.conn, "coord"), **kwargs)


@pytest.fixture
def line_file(tmp_path, monkeypatch) -> Rota:
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    path = tmp_path / "r.db"
    db = open_db(path, create=True)
    line_svc.create(db, name="Test Line", tz="America/New_York", actor="coord",
                    first_coordinator=("coord", "Coordinator", None))
    coord = people.get(db.conn, "coord")
    people.add(db, coord, handle="sam", name="Sam Rivera", tags=["grief", "hearing voices"], paused_tags=["debt"],
               languages=["Spanish", "English"], tags_set_by_self=True)  # their own tags: offered
    people.add(db, coord, handle="ana", name="Ana Lee", tags=["housing insecurity"], languages=["Mandarin"],
               tags_set_by_self=True)
    people.add(db, coord, handle="bo", name="Bo Chen", languages=["English"])
    # Tuesday 22:00 to Wednesday 06:00 this week: 8 real hours for sam.
    shift = rota.add_shift(db, coord, start=datetime(2026, 11, 24, 22, tzinfo=TZ), end=datetime(2026, 11, 25, 6, tzinfo=TZ))
    rota.assign(db, coord, shift.id, "sam")
    yield Rota(path, db)
    db.close()


class Host(App):
    """The least an app must offer these screens: db_path, actor and line, and the app's stylesheet
    (which lays out the header and footer every screen shares)."""

    CSS_PATH = Path(screens.__file__).with_name("app.tcss")

    def __init__(self, db_path: Path, actor, line, screen: Callable) -> None:
        super().__init__()
        self.db_path = db_path
        self.actor = actor
        self.line = line
        self._screen = screen

    def on_mount(self) -> None:
        self.push_screen(self._screen())


def host(rota_: Rota, handle: str, screen: Callable) -> Host:
    return Host(rota_.path, people.get(rota_.db.conn, handle), line_svc.get(rota_.db.conn), screen)


async def settle(pilot, app) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot, app, condition: Callable[[], bool], what: str, tries: int = 60) -> None:
    """Let workers and messages run until `condition` holds (bounded)."""
    for _ in range(tries):
        await settle(pilot, app)
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def keys(table: KeyTable) -> list[str]:
    return table.keys


def cursor_key(table: KeyTable) -> str | None:
    return table.cursor_key


def text_of(widget: Static) -> str:
    return str(widget.content)


def screen_text(app) -> str:
    """Everything drawn on the terminal, as plain text."""
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


async def type_into(pilot, field: Input, text: str) -> None:
    """Focus a field, empty it and type `text` key by key."""
    field.focus()
    field.value = ""
    await pilot.pause()
    await pilot.press(*text)


async def fill(pilot, field: Input, text: str) -> None:
    """Put `text` in a field at once: each Pilot key press costs ~75 ms, and typing is
    already covered where it matters (filters, autocomplete, limits)."""
    field.focus()
    field.value = text
    await pilot.pause()


async def open_people(pilot, app) -> PeopleTable:
    await until(pilot, app, lambda: isinstance(app.screen, PeopleScreen)
                and app.screen.query_one("#people-table", PeopleTable).row_count > 0, "the people list")
    return app.screen.query_one("#people-table", PeopleTable)


async def open_editor(pilot, app, handle: str) -> PersonEditorDialog:
    table = await open_people(pilot, app)
    table.move_cursor(row=table.get_row_index(handle))
    await pilot.press("e")
    await until(pilot, app, lambda: isinstance(app.screen, PersonEditorDialog) and app.screen._data is not None,
                "the editor")
    return app.screen


# ---------------------------------------------------------------- People


@pytest.mark.slow
async def test_filter_narrows_rows_and_hours_are_real_elapsed(line_file):
    app = host(line_file, "coord", PeopleScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_people(pilot, app)
        assert keys(table) == ["ana", "bo", "coord", "sam"]
        assert table.get_cell("sam", "hours") == "8"  # 22:00-06:00
        assert table.get_cell("ana", "hours") == "0"
        assert table.get_cell("sam", "languages") == "English, Spanish"

        await pilot.press("slash", *"span")  # a language
        await settle(pilot, app)
        assert keys(table) == ["sam"]
        await pilot.press(*["backspace"] * 4, *"CHEN")  # a name, any case
        await settle(pilot, app)
        assert keys(table) == ["bo"]
        await pilot.press(*["backspace"] * 4)
        await settle(pilot, app)
        assert keys(table) == ["ana", "bo", "coord", "sam"]  # rows come back in order
        await pilot.press(*"zzz")
        await settle(pilot, app)
        assert keys(table) == []
        assert "nobody matches" in text_of(app.screen.query_one("#people-note"))
    # Filtering reads only: the rota is as it was.
    assert [e.action for e in line_file.log(limit=1)] == ["assign"]
    assert line_file.person("bo").name == "Bo Chen"


async def test_a_click_moves_the_cursor_and_a_second_click_opens_the_editor(line_file):
    app = host(line_file, "coord", PeopleScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_people(pilot, app)
        await pilot.click(table, offset=(3, 2))  # line 0 is the heading: line 2 is the second row
        assert cursor_key(table) == "bo"
        assert isinstance(app.screen, PeopleScreen)
        await pilot.click(table, offset=(3, 2))
        await until(pilot, app, lambda: isinstance(app.screen, PersonEditorDialog) and app.screen._data is not None,
                    "the editor")
        assert app.screen.query_one("#ed-name", Input).value == "Bo Chen"


@pytest.mark.slow
async def test_editor_saves_changed_limits_and_resets_the_passphrase(line_file):
    before = len(line_file.log(limit=1000))
    app = host(line_file, "coord", PeopleScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_editor(pilot, app, "sam")
        assert dialog.query_one("#ed-max_hours_week", Input).value == "20"  # the line default
        await type_into(pilot, dialog.query_one("#ed-max_hours_week", Input), "12")
        await type_into(pilot, dialog.query_one("#ed-max_overnights_month", Input), "2")
        await fill(pilot, dialog.query_one("#ed-pass1", Input), "river stone 42")
        await fill(pilot, dialog.query_one("#ed-pass2", Input), "river stone 42")
        await pilot.press("ctrl+s")
        await until(pilot, app, lambda: isinstance(app.screen, PeopleScreen), "the dialog to close")
    sam = line_file.person("sam")
    assert (sam.max_hours_week, sam.max_overnights_month) == (12, 2)
    assert (sam.max_shifts_week, sam.min_rest_hours, sam.name) == (None, None, "Sam Rivera")  # untouched stay default
    log = line_file.log(limit=1000)
    assert len(log) == before + 2
    # One transaction (people.save_person): the passphrase first (hashed before it began), then the details.
    assert [(e.actor, e.action, e.subject) for e in log[:2]] == [
        ("coord", "person.edit", "sam"),
        ("coord", "person.passphrase", "sam"),
    ]
    assert log[0].detail == "max_hours_week, max_overnights_month"  # only what changed was sent
    assert "river" not in log[1].detail
    with open_db(line_file.path) as db:
        assert access.sign_in(db, "sam", "river stone 42").handle == "sam"


@pytest.mark.slow
async def test_editor_tags_pause_remove_and_add_with_autocomplete(line_file):
    app = host(line_file, "coord", PeopleScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_editor(pilot, app, "sam")
        tags = dialog.query_one("#ed-tags", KeyTable)
        assert keys(tags) == ["debt", "grief", "hearing-voices"]  # sorted by label
        tags.focus()
        tags.move_cursor(row=tags.get_row_index("grief"))
        await pilot.press("space")  # offered -> paused
        tags.move_cursor(row=tags.get_row_index("debt"))
        await pilot.press("x")
        await settle(pilot, app)
        assert tags.get_cell("grief", "state") == "paused (unsaved)"
        assert tags.get_cell("debt", "state") == "will be removed"
        add = dialog.query_one("#ed-tag-add", Input)
        await type_into(pilot, add, "lonel")
        await settle(pilot, app)
        await pilot.press("right", "enter")  # accept the suggestion, then add it
        await settle(pilot, app)
        # A coordinator's tag for sam is a proposal, used once sam accepts it (issue 15).
        assert tags.get_cell("loneliness", "state") == "proposed, not used until accepted (unsaved)"
        await pilot.press("ctrl+s")
        await until(pilot, app, lambda: isinstance(app.screen, PeopleScreen), "the dialog to close")
    assert line_file.tags("sam") == {"grief": "paused", "hearing-voices": "offered", "loneliness": "proposed"}
    entry = line_file.log(limit=1)[0]
    assert entry.detail.startswith("tags: 0 offered, 1 proposed, 1 paused, 1 removed")
    assert not any(word in entry.detail for word in TAG_WORDS)


@pytest.mark.slow
async def test_editor_keeps_input_and_shows_core_refusal(line_file):
    app = host(line_file, "coord", PeopleScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_editor(pilot, app, "ana")
        await fill(pilot, dialog.query_one("#ed-languages", Input), "Mandarin, Klingon")
        await fill(pilot, dialog.query_one("#ed-name", Input), "Ana Lee-Park")
        await pilot.press("ctrl+s")
        error = dialog.query_one("#ed-error", Static)
        await until(pilot, app, lambda: "Klingon" in text_of(error), "the refusal")
        assert "unknown language tag 'Klingon'" in text_of(error)
        assert app.screen is dialog  # still open, with what was typed
        assert dialog.query_one("#ed-name", Input).value == "Ana Lee-Park"
        assert dialog.query_one("#ed-languages", Input).value == "Mandarin, Klingon"
        # Mismatched passphrases are caught before the core is asked.
        dialog.query_one("#ed-pass1", Input).value = "correct horse"
        dialog.query_one("#ed-pass2", Input).value = "correct h0rse"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "passphrases differ" in text_of(error)
        await pilot.press("escape")  # what was typed: esc asks first, y discards it
        await until(pilot, app, lambda: type(app.screen).__name__ == "DiscardDialog", "Discard your changes?")
        await pilot.press("y")
        await until(pilot, app, lambda: isinstance(app.screen, PeopleScreen), "the dialog to close")
    ana = line_file.person("ana")
    assert (ana.name, ana.languages) == ("Ana Lee", ("lang-zh",))
    assert line_file.log(limit=1)[0].action == "assign"  # nothing was written


@pytest.mark.slow
async def test_deactivate_asks_first(line_file):
    app = host(line_file, "coord", PeopleScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_editor(pilot, app, "sam")
        dialog.query_one("#ed-active").focus()
        await pilot.press("space")  # untick Active
        await pilot.press("ctrl+s")
        await until(pilot, app, lambda: isinstance(app.screen, DeactivateDialog), "the confirmation")
        await pilot.press("n")
        await until(pilot, app, lambda: app.screen is dialog, "back in the editor")
        assert "stays active" in text_of(dialog.query_one("#ed-error", Static))
        assert line_file.person("sam").active
        await pilot.press("ctrl+s")
        await until(pilot, app, lambda: isinstance(app.screen, DeactivateDialog), "the confirmation again")
        await pilot.press("y")
        await until(pilot, app, lambda: isinstance(app.screen, PeopleScreen), "the list")
        table = app.screen.query_one("#people-table", PeopleTable)
        await until(pilot, app, lambda: table.get_cell("sam", "active") == "no", "the row to update")
        assert not line_file.person("sam").active
        with open_db(line_file.path) as db:
            week = rota.views(db.conn, datetime(2026, 11, 23, tzinfo=TZ), datetime(2026, 11, 30, tzinfo=TZ))
            assert week[0].peers == []  # taken off the future shift
        entry = line_file.log(limit=1)[0]
        # The ids let a reactivation offer the seats back (issue 15).
        assert (entry.action, entry.subject, entry.detail) == (
            "person.deactivate", "sam", f"released from 1 future shifts; shift ids {week[0].shift.id}"
        )

        # Reactivating needs no confirmation: it goes through people.edit(active=True).
        dialog = await open_editor(pilot, app, "sam")
        assert dialog.query_one("#ed-active").value is False
        dialog.query_one("#ed-active").focus()
        await pilot.press("space", "ctrl+s")
        await until(pilot, app, lambda: table.get_cell("sam", "active") == "yes", "the reactivation")
    assert line_file.person("sam").active
    assert line_file.log(limit=1)[0].detail == "active"


@pytest.mark.slow
async def test_add_person(line_file):
    app = host(line_file, "coord", PeopleScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_people(pilot, app)
        await pilot.press("n")
        await until(pilot, app, lambda: isinstance(app.screen, AddPersonDialog), "the add dialog")
        dialog = app.screen
        await type_into(pilot, dialog.query_one("#add-handle", Input), "cy")
        await fill(pilot, dialog.query_one("#add-name", Input), "Cy Okafor")
        await fill(pilot, dialog.query_one("#add-languages", Input), "English, es")
        await fill(pilot, dialog.query_one("#add-tags", Input), "grief")
        await pilot.press("ctrl+s")
        await until(pilot, app, lambda: isinstance(app.screen, PeopleScreen) and "cy" in table.keys, "the new row")
        assert cursor_key(table) == "cy"
    cy = line_file.person("cy")
    assert (cy.name, cy.role, cy.languages) == ("Cy Okafor", "volunteer", ("lang-en", "lang-es"))
    assert line_file.tags("cy") == {"grief": "proposed"}  # used once cy accepts it (issue 15, consent)


@pytest.mark.slow
async def test_reload_updates_rows_by_key_and_keeps_cursor_and_dialog_input(line_file):
    app = host(line_file, "coord", PeopleScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_people(pilot, app)
        screen = app.screen
        table.move_cursor(row=table.get_row_index("sam"))
        await settle(pilot, app)
        # Another process changes the rota.
        with open_db(line_file.path) as other:
            coord = people.get(other.conn, "coord")
            people.edit(other, coord, "ana", PersonChanges(name="Ana Lee-Park"))
            people.add(other, coord, handle="aaron", name="Aaron Bell")
            people.deactivate(other, coord, "bo")
        screen.reload()
        await until(pilot, app, lambda: "aaron" in table.keys, "the reload")
        assert keys(table) == ["aaron", "ana", "bo", "coord", "sam"]
        assert table.get_cell("ana", "name") == "Ana Lee-Park"
        assert table.get_cell("bo", "active") == "no"
        assert cursor_key(table) == "sam"  # the same person, though their row moved down

        # An open editor keeps what was typed; untouched fields follow the database.
        await pilot.press("e")
        await until(pilot, app, lambda: isinstance(app.screen, PersonEditorDialog) and app.screen._data is not None,
                    "the editor")
        dialog = app.screen
        await fill(pilot, dialog.query_one("#ed-name", Input), "Samuel Rivera")
        with open_db(line_file.path) as other:
            coord = people.get(other.conn, "coord")
            people.edit(other, coord, "sam", PersonChanges(pronouns="he/him", name="Sam R"))
        screen.reload()
        dialog.reload()
        await until(pilot, app, lambda: dialog.query_one("#ed-pronouns", Input).value == "he/him", "the dialog reload")
        assert dialog.query_one("#ed-name", Input).value == "Samuel Rivera"
        assert table.get_cell("sam", "name") == "Sam R"
        await pilot.press("ctrl+s")
        await until(pilot, app, lambda: isinstance(app.screen, PeopleScreen), "the dialog to close")
    sam = line_file.person("sam")
    assert (sam.name, sam.pronouns) == ("Samuel Rivera", "he/him")
    assert line_file.log(limit=1)[0].detail == "name"  # only what this person changed


@pytest.mark.slow
async def test_ten_thousand_people_are_all_listed_and_filter(line_file):
    with line_file.db.transaction() as conn:
        for n in range(10_000):
            people.insert_person(conn, actor="coord", handle=f"p{n:05d}", name=f"Person {n}")
    # The whole app (its stylesheet lays the screen out), as a coordinator pressing p on Home.
    from warmline.screens.app import make_app
    from warmline.screens.home import HomeScreen

    app = make_app(line_file.path, actor=people.get(line_file.db.conn, "coord"))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, app, lambda: isinstance(app.screen, HomeScreen), "Home")
        await pilot.press("p")
        table = await open_people(pilot, app)
        note = app.screen.query_one("#people-note", Static)
        assert table.row_count == 10_004  # everyone, though only the rows in view are drawn
        assert text_of(note) == "10,004 people \u00b7 enter edits \u00b7 n adds"
        shown = screen_text(app)
        assert "p00000" in shown and "Person 0 " in shown and "p09999" not in shown
        await pilot.press("end")  # the last row is one key away, and scrolled into view
        assert cursor_key(table) == "sam"
        await pilot.press("up", "pageup", "pageup")
        assert cursor_key(table) == keys(table)[10_004 - 2 - 2 * (table.scrollable_content_region.height - 1)]
        await pilot.press("home")
        assert cursor_key(table) == "ana"
        await pilot.press("slash", *"p09999")
        await until(pilot, app, lambda: keys(table) == ["p09999"], "the filter")
        assert text_of(note) == "1 of 10,004 match"
        await pilot.press("enter", "enter")  # back to the list, then open the one row
        await until(pilot, app, lambda: isinstance(app.screen, PersonEditorDialog) and app.screen._data is not None,
                    "the editor")
        assert app.screen.query_one("#ed-name", Input).value == "Person 9999"
        await pilot.press("escape")
        await until(pilot, app, lambda: isinstance(app.screen, PeopleScreen), "the list again")
        await pilot.press("end")
        await settle(pilot, app)
        assert "p09999" in screen_text(app)


# ---------------------------------------------------------------- My profile


@pytest.mark.slow
async def test_volunteer_pauses_a_tag_and_changes_passphrase_in_their_profile(line_file):
    app = host(line_file, "sam", ProfileScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, app, lambda: app.screen.query_one("#pr-tags", KeyTable).row_count == 3, "my tags")
        tags = app.screen.query_one("#pr-tags", KeyTable)
        assert "Experiences you choose to offer for matching; pause any at any time" in screen_text(app)
        assert tags.has_focus
        await pilot.press("down")  # debt, then grief
        assert cursor_key(tags) == "grief"
        await pilot.press("space")
        await until(pilot, app, lambda: tags.get_cell("grief", "state") == "paused", "the pause")
        assert cursor_key(tags) == "grief"
        assert "Paused grief" in text_of(app.screen.query_one("#pr-tags-message", Static))
        assert line_file.tags("sam") == {"debt": "paused", "grief": "paused", "hearing-voices": "offered"}
        entry = line_file.log(limit=1)[0]
        assert (entry.actor, entry.action, entry.subject) == ("sam", "person.edit", "sam")
        assert entry.detail == "tags: 0 offered, 1 paused, 0 removed"
        assert not any(word in f"{entry.subject} {entry.detail}" for word in TAG_WORDS)

        # The same profile changes sam's own passphrase.
        await fill(pilot, app.screen.query_one("#pr-pass1", Input), "quiet harbour 7")
        await fill(pilot, app.screen.query_one("#pr-pass2", Input), "quiet harbour 7")
        app.screen.query_one("#pr-pass-save").press()
        message = app.screen.query_one("#pr-pass-message", Static)
        await until(pilot, app, lambda: "changed" in text_of(message), "the change")
        assert app.screen.query_one("#pr-pass1", Input).value == ""
    with open_db(line_file.path) as db:
        assert access.sign_in(db, "sam", "quiet harbour 7").handle == "sam"


@pytest.mark.slow
async def test_changing_your_own_passphrase_in_the_profile_needs_the_current_one(line_file):
    coord = people.get(line_file.db.conn, "coord")
    people.set_passphrase(line_file.db, coord, "sam", "old harbour 1")
    app = host(line_file, "sam", ProfileScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, app, lambda: app.screen.query_one("#pr-tags", KeyTable).row_count == 3, "my tags")
        message = app.screen.query_one("#pr-pass-message", Static)
        await fill(pilot, app.screen.query_one("#pr-pass1", Input), "quiet harbour 7")
        await fill(pilot, app.screen.query_one("#pr-pass2", Input), "quiet harbour 7")
        app.screen.query_one("#pr-pass-save").press()
        await until(pilot, app, lambda: "current one" in text_of(message), "the refusal")
        await fill(pilot, app.screen.query_one("#pr-pass0", Input), "not my passphrase")
        app.screen.query_one("#pr-pass-save").press()
        await until(pilot, app, lambda: "not accepted" in text_of(message), "the wrong one refused")
        with open_db(line_file.path) as db:
            assert access.sign_in(db, "sam", "old harbour 1").handle == "sam"  # unchanged
        await fill(pilot, app.screen.query_one("#pr-pass0", Input), "old harbour 1")
        app.screen.query_one("#pr-pass-save").press()
        await until(pilot, app, lambda: "changed" in text_of(message), "the change")
        assert app.screen.query_one("#pr-pass0", Input).value == ""
    with open_db(line_file.path) as db:
        assert access.sign_in(db, "sam", "quiet harbour 7").handle == "sam"


@pytest.mark.slow
async def test_volunteer_cannot_raise_a_limit_but_can_lower_one(line_file):
    app = host(line_file, "sam", ProfileScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, app, lambda: app.screen._data is not None, "my profile")
        field = app.screen.query_one("#pr-max_hours_week", Input)
        message = app.screen.query_one("#pr-details-message", Static)
        await type_into(pilot, field, "30")
        await pilot.press("ctrl+s")
        await until(pilot, app, lambda: "raise" in text_of(message), "the refusal")
        assert text_of(message) == (
            "sam may lower their own max hours per week but not raise it (now 20, asked 30): ask a coordinator"
        )
        assert field.value == "30"  # kept, so it can be corrected
        assert line_file.person("sam").max_hours_week is None
        assert line_file.log(limit=1)[0].action == "assign"
        await type_into(pilot, field, "10")
        await pilot.press("ctrl+s")
        await until(pilot, app, lambda: text_of(message) == "Saved.", "the save")
    assert line_file.person("sam").max_hours_week == 10


# ---------------------------------------------------------------- volunteers are refused what is not theirs


async def test_volunteer_sees_no_people_list_and_no_audit(line_file):
    app = host(line_file, "sam", PeopleScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        refused = app.screen.query_one("#people-refused", Static)
        await until(pilot, app, lambda: refused.display, "the refusal")
        assert "Only coordinators can see the people list" in text_of(refused)
        assert "only coordinators may see other people's tags; sam is a volunteer" in text_of(refused)
        assert app.screen.query_one("#people-table", PeopleTable).row_count == 0
        shown = screen_text(app)
        assert not any(word in shown for word in TAG_WORDS)
        assert "Ana Lee" not in shown
        await pilot.press("e", "n")  # nothing to edit or add
        await settle(pilot, app)
        assert isinstance(app.screen, PeopleScreen)

        app.push_screen(AuditScreen())
        await until(pilot, app, lambda: isinstance(app.screen, AuditScreen)
                    and app.screen.query_one("#audit-refused").display, "the audit refusal")
        refusal = text_of(app.screen.query_one("#audit-refused", Static))
        assert "Only coordinators can read the change log" in refusal
        assert "only coordinators may read the audit log; sam is a volunteer" in refusal
        assert app.screen.query_one("#audit-table", KeyTable).row_count == 0
    # The core refuses the same things to sam directly.
    with open_db(line_file.path) as db:
        sam = people.get(db.conn, "sam")
        with pytest.raises(Refused):
            people.tags_of(db.conn, sam, people.get(db.conn, "ana"))
        with pytest.raises(Refused):
            access.require(sam, "audit.read")


# ---------------------------------------------------------------- Audit


@pytest.mark.slow
async def test_audit_newest_first_filter_by_person_and_page(line_file):
    with open_db(line_file.path) as db:
        sam = people.get(db.conn, "sam")
        people.edit(db, sam, "sam", PersonChanges(pronouns="he/him"))
        people.edit(db, sam, "sam", PersonChanges(pause=("grief",)))
    with line_file.db.transaction() as conn:  # enough history for a second page
        for n in range(205):
            people.insert_person(conn, actor="coord", handle=f"p{n:03d}", name=f"Person {n}")
    app = host(line_file, "coord", AuditScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one("#audit-table", KeyTable)
        await until(pilot, app, lambda: table.row_count == 200, "the first page")
        newest = [str(e.id) for e in line_file.log(limit=200)]
        assert keys(table) == newest  # newest first
        assert table.get_cell(newest[0], "at") == "2026-11-23 08:00"  # local time
        await pilot.press("o")  # o: older (m is Match everywhere)
        total = len(line_file.log(limit=10_000))
        await until(pilot, app, lambda: table.row_count == total, "the older page")
        assert keys(table) == [str(e.id) for e in line_file.log(limit=10_000)]
        assert "(all of them)" in text_of(app.screen.query_one("#audit-note", Static))

        table.move_cursor(row=3)
        await pilot.press("slash", *"sam")
        await until(pilot, app, lambda: table.row_count == 2, "the filter")
        assert keys(table) == [str(e.id) for e in line_file.log(actor="sam")]
        assert {table.get_cell(k, "actor") for k in keys(table)} == {"sam"}

        # A change made elsewhere appears on reload, on top, and the cursor stays put.
        table.focus()
        table.move_cursor(row=1)
        kept = cursor_key(table)
        with open_db(line_file.path) as db:
            people.edit(db, people.get(db.conn, "sam"), "sam", PersonChanges(offer=("grief",)))
        app.screen.reload()
        await until(pilot, app, lambda: table.row_count == 3, "the new entry")
        assert keys(table) == [str(e.id) for e in line_file.log(actor="sam")]
        assert cursor_key(table) == kept
