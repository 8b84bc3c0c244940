"""Pilot tests for the coordinators' Goals and Tags screens, People's tag filter and the Add-person form's
login, limits and passphrase (issue 15): each drives the app with keys on a real SQLite file and checks
the database through the core as well as the screen."""

from __future__ import annotations

from datetime import time

import pytest
from rota_file import PASS, at, make_rota, settle, text_of, until

from warmline.screens.app import WarmlineCommands, make_app
from warmline.screens.confirm import ChoiceDialog, ConfirmDialog, DiscardDialog
from warmline.screens.goals import GoalDialog, GoalsScreen
from warmline.screens.people import PeopleScreen
from warmline.screens.person_form import AddPersonDialog
from warmline.screens.plain import Input
from warmline.screens.tags import TagDialog, TagsScreen
from warmline.views.goals import typed_goal, week_verdict, window_text
from warmline.views.tags import tag_id_for


@pytest.fixture
def line(tmp_path, monkeypatch):
    """The test line; ana offers grief, ben has it proposed (not accepted), cy has it paused; ana speaks Spanish."""
    rota = make_rota(tmp_path, monkeypatch)
    from warmline import people
    from warmline.people import PersonChanges

    with rota.db() as db:
        people.edit(db, rota.coord, "ana", PersonChanges(languages=["Spanish"]))
        people.add(db, rota.coord, handle="cy", name="Cy O.", paused_tags=["grief"])
        with db.transaction() as conn:  # ana's own offer, as if she had accepted it
            conn.execute(
                "INSERT INTO person_tag (person_id, tag_id, state) VALUES ((SELECT id FROM person WHERE handle='ana'),"
                " 'grief', 'offered')"
            )
        people.edit(db, rota.coord, "ben", PersonChanges(offer=("grief",)))  # a coordinator's proposal
    return rota


def stored_goals(line, *, include_removed=False):
    from warmline.coverage import goals

    with line.db() as db:
        return goals(db.conn, include_removed=include_removed)


async def open_screen(app, pilot, name, cls):
    await settle(pilot)
    app.action_go(name)
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, cls)
    assert await until(pilot, lambda: screen.loaded is not None)
    return screen


async def fill(pilot, field: Input, text: str) -> None:
    field.focus()
    field.value = text
    await pilot.pause()


# ---------------------------------------------------------------- words, without the app


def test_the_goal_words():
    assert week_verdict(0, 0, 2) == (False, "no shift in its window")
    assert week_verdict(7, 0, 0) == (True, "met on all 7 shifts")
    assert week_verdict(1, 0, 0) == (True, "met on the only shift")
    assert week_verdict(7, 2, 1) == (False, "2 of 7 shifts short, 1 with no shift")
    draft = typed_goal(" Spanish ", "weekdays", "9:30", "17:00", "2")
    assert (draft.tag, draft.start, draft.end, draft.min_people) == ("Spanish", time(9, 30), time(17), 2)
    with pytest.raises(Exception, match="not a time of day: use HH:MM"):
        typed_goal("Spanish", "daily", "25:00", "17:00", "1")
    with pytest.raises(Exception, match="not a number of people"):
        typed_goal("Spanish", "daily", "17:00", "21:00", "two")
    assert tag_id_for("Gambling recovery", "experience", set()) == "gambling-recovery"
    assert tag_id_for("Kreyòl", "language", set()) == "lang-kreyol"
    assert tag_id_for("grief!", "experience", {"grief"}) == "grief-2"
    assert tag_id_for("中文", "experience", set()) == "tag"


# ---------------------------------------------------------------- Goals


async def test_a_coordinator_adds_a_goal_sees_this_week_and_removes_it(line):
    # Monday 17:00-21:00 ana (Spanish) is on; the other evenings have no shift.
    line.shift(at(23, 17), at(23, 21), on=((line.ana, "peer"),))
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_screen(app, pilot, "goals", GoalsScreen)
        assert "No coverage goals yet" in text_of(screen.query_one("#goals-note"))
        await pilot.press("n")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, GoalDialog)
        await fill(pilot, dialog.query_one("#goal-tag", Input), "Spanish")
        await fill(pilot, dialog.query_one("#goal-start", Input), "17:00")
        await fill(pilot, dialog.query_one("#goal-end", Input), "21:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        (goal,) = stored_goals(line)
        assert (goal.tag_id, goal.days, goal.start, goal.end, goal.min_people) == (
            "lang-es", "MO,TU,WE,TH,FR,SA,SU", time(17), time(21), 1)
        table = screen.query_one("#goals-table")
        assert await until(pilot, lambda: table.row_count == 1)
        cells = [str(c) for c in table.get_row(str(goal.id))]
        assert cells[:4] == ["Spanish", "every day", "17:00–21:00", "1"]
        assert cells[4] == "✗ 6 with no shift"  # Monday's shift has Spanish; six evenings have none
        assert "lang-es" not in " ".join(cells)
        assert "Added the goal: Spanish, every day 17:00–21:00, at least 1" in text_of(screen.query_one("#goals-message"))
        # x asks first, opening on Keep it: enter keeps the goal
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and len(stored_goals(line)) == 1
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert stored_goals(line) == []
        (kept,) = stored_goals(line, include_removed=True)
        assert not kept.active
        assert await until(pilot, lambda: table.row_count == 0)
        assert "Removed the goal" in text_of(screen.query_one("#goals-message"))


@pytest.mark.slow
async def test_a_new_line_without_goals_says_so_in_80_columns_and_offers_only_add(line):
    """Issue 15 (a new user's walk): on a line with no goal yet the note ran past 80 columns (the week
    cut off) and the footer offered Edit and Remove, which had nothing to act on."""
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot, "goals", GoalsScreen)
        note = screen.query_one("#goals-note")
        said = text_of(note)
        assert said.startswith("No coverage goals yet · n adds one") and len(said) <= note.content_region.width
        shown = screen.active_bindings
        assert shown["n"].enabled and not shown["e"].enabled and not shown["x"].enabled  # greyed: nothing to act on
        from warmline import coverage

        with line.db() as db:
            coverage.add_goal(db, line.coord, "lang-es", "daily", time(17), time(21))
        screen.reload()
        assert await until(pilot, lambda: screen.query_one("#goals-table").row_count == 1)
        assert all(screen.active_bindings[key].enabled for key in ("n", "e", "x"))


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("#goal-start", "25:00", "the start '25:00' is not a time of day"),
        ("#goal-tag", "Klingon", "unknown tag 'Klingon'"),
        ("#goal-days", "someday", "is not a day"),
        ("#goal-min", "0", "from 1 to 50"),
    ],
)
@pytest.mark.slow
async def test_a_bad_goal_is_refused_in_the_form_and_nothing_is_added(line, field, value, says):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_screen(app, pilot, "goals", GoalsScreen)
        await pilot.press("n")
        await settle(pilot)
        dialog = app.screen
        await fill(pilot, dialog.query_one("#goal-tag", Input), "Spanish")
        await fill(pilot, dialog.query_one("#goal-start", Input), "17:00")
        await fill(pilot, dialog.query_one("#goal-end", Input), "21:00")
        await fill(pilot, dialog.query_one(field, Input), value)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        said = text_of(dialog.query_one("#goal-error"))
        assert said.startswith("✗ Not added:") and says in said, said
        assert "warmline " not in said and "`" not in said  # the app's words, no CLI commands
        await pilot.press("escape")  # typed: asks before discarding
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
    assert stored_goals(line) == []


@pytest.mark.slow
async def test_volunteers_cannot_open_goals_or_tags(line):
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        names = [c[0] for c in WarmlineCommands(app.screen)._commands()]
        assert "Goals" not in names and "Tags" not in names
        for name, cls in (("goals", GoalsScreen), ("tags", TagsScreen)):
            app.action_go(name)
            await settle(pilot)
            assert not isinstance(app.screen, cls)
    coord = make_app(line.path, actor=line.coord)
    async with coord.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        names = [c[0] for c in WarmlineCommands(coord.screen)._commands()]
        assert "Goals" in names and "Tags" in names


# ---------------------------------------------------------------- Tags


@pytest.mark.slow
async def test_tags_show_labels_and_count_only_offered_then_add_one(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_screen(app, pilot, "tags", TagsScreen)
        table = screen.query_one("#tags-table")
        grief = [str(c) for c in table.get_row("grief")]
        assert grief == ["grief", "experience", grief[2], "1 offers"]  # ana; ben's proposal and cy's pause do not count
        assert [str(c) for c in table.get_row("lang-es")][3] == "1 speaks"
        shown = " ".join(str(c) for key in table.keys for c in table.get_row(key))
        assert "lang-" not in shown and "(grief)" not in shown  # ids are internal
        await pilot.press("n")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, TagDialog)
        await fill(pilot, dialog.query_one("#tag-label", Input), "Grief")
        await pilot.press("ctrl+s")
        await settle(pilot)
        said = text_of(dialog.query_one("#tag-error"))
        assert said.startswith("✗ Not added: grief is already a tag (experience): use it as it is"), said
        await fill(pilot, dialog.query_one("#tag-label", Input), "Gambling recovery")
        await fill(pilot, dialog.query_one("#tag-aliases", Input), "betting, gambling")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert await until(pilot, lambda: table.has_key("gambling-recovery"))
        assert [str(c) for c in table.get_row("gambling-recovery")] == [
            "Gambling recovery", "experience", "betting, gambling", "nobody"]
        assert table.cursor_key == "gambling-recovery"
    from warmline.tags import all_tags

    with line.db() as db:
        added = next(t for t in all_tags(db.conn) if t.id == "gambling-recovery")
    assert (added.label, added.family, added.aliases) == ("Gambling recovery", "experience", ("betting", "gambling"))


# ---------------------------------------------------------------- People by tag; the Add-person form


@pytest.mark.slow
async def test_people_filtered_by_a_tag_list_only_those_offering_it(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.action_go("people")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PeopleScreen)
        table = screen.query_one("#people-table")
        assert await until(pilot, lambda: table.row_count == 4)
        table.focus()
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("down", "enter")  # Everyone, then grief (the only tag anyone offers)
        await settle(pilot)
        assert app.screen is screen
        assert table.keys == ["ana"]  # ben's grief is only proposed, cy's paused
        assert "1 of 4 offering grief" in text_of(screen.query_one("#people-note"))
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("up", "enter")  # Everyone
        await settle(pilot)
        assert table.keys == ["ana", "ben", "coord", "cy"]
        screen.query_one("#people-filter", Input).value = "grief"  # typing a tag's label matches too
        await settle(pilot)
        assert table.keys == ["ana"]


@pytest.mark.slow
async def test_add_person_with_login_limits_and_passphrase(line):
    from warmline import access, people

    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.action_go("people")
        await settle(pilot)
        screen = app.screen
        screen.query_one("#people-table").focus()
        await pilot.press("n")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AddPersonDialog)
        assert dialog.query_one("#add-max_hours_week", Input).placeholder.startswith("default ")
        await fill(pilot, dialog.query_one("#add-handle", Input), "dee")
        await fill(pilot, dialog.query_one("#add-name", Input), "Dee K.")
        await fill(pilot, dialog.query_one("#add-login", Input), "deek")
        await fill(pilot, dialog.query_one("#add-max_hours_week", Input), "6")
        await fill(pilot, dialog.query_one("#add-max_overnights_month", Input), "2")
        await fill(pilot, dialog.query_one("#add-pass1", Input), PASS)
        await fill(pilot, dialog.query_one("#add-pass2", Input), PASS + "x")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        assert "the two passphrases differ" in text_of(dialog.query_one("#add-error"))
        await fill(pilot, dialog.query_one("#add-pass1", Input), "short")
        await fill(pilot, dialog.query_one("#add-pass2", Input), "short")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "at least 8 characters" in text_of(dialog.query_one("#add-error"))
        with line.db() as db:
            assert "dee" not in [p.handle for p in people.all_people(db.conn)]
        await fill(pilot, dialog.query_one("#add-pass1", Input), PASS)
        await fill(pilot, dialog.query_one("#add-pass2", Input), PASS)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
    with line.db() as db:
        dee = people.get(db.conn, "dee")
        assert (dee.name, dee.login, dee.max_hours_week, dee.max_overnights_month, dee.max_shifts_week) == (
            "Dee K.", "deek", 6, 2, None)
        assert access.sign_in(db, "dee", PASS).handle == "dee"


@pytest.mark.slow
async def test_the_new_dialogs_fit_80x24_under_the_banner_with_their_buttons_in_view(line):
    from warmline.screens.widgets import KeysFooter, LineHeader

    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for dialog, buttons in ((GoalDialog(["Spanish"]), "#goal-save"), (TagDialog(), "#tag-save"),
                                (AddPersonDialog(), "#add-save")):
            app.push_screen(dialog)
            await settle(pilot)
            header, footer = dialog.query_one(LineHeader), dialog.query_one(KeysFooter)
            assert "988" in header.escalation_text
            box = dialog.query_one(".dialog-box")
            assert header.region.bottom <= box.region.y and box.region.bottom <= footer.region.y, type(dialog).__name__
            save = dialog.query_one(buttons)
            assert box.region.contains_region(save.region), type(dialog).__name__  # Add is on screen, not scrolled away
            app.pop_screen()
            await settle(pilot)


@pytest.mark.slow
async def test_hostile_tag_labels_are_drawn_as_text_on_tags_goals_and_the_tag_chooser(line):
    import html

    from hostile import CONTROLS, MARKUP, escaped_controls, plant

    labels = [*MARKUP[:4], *CONTROLS[:4]]
    for n, label in enumerate(labels):
        plant(line.path, "INSERT INTO tag (id, label, family, aliases, related) VALUES (?, ?, 'experience', '[]', '[]')",
              (f"hostile-{n}", label))
        plant(line.path, "INSERT INTO person_tag (person_id, tag_id, state) VALUES (?, ?, 'offered')",
              (line.ana.id, f"hostile-{n}"))
        plant(line.path, "INSERT INTO coverage_goal (tag_id, days, start_time, end_time, min_people, active, created_at)"
              " VALUES (?, 'MO', '17:00', '21:00', 1, 1, '2026-11-01T00:00:00Z')", (f"hostile-{n}",))
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(140, 60)) as pilot:
        for name, cls in (("tags", TagsScreen), ("goals", GoalsScreen)):
            await open_screen(app, pilot, name, cls)
            drawn = app.export_screenshot()
            assert app.is_running and escaped_controls(drawn) == [], name
            assert "[bold red]shout[/bold red]" in html.unescape(drawn).replace("\xa0", " "), name
        app.action_go("people")
        await settle(pilot)
        app.screen.query_one("#people-table").focus()
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        drawn = app.export_screenshot()
        assert app.is_running and escaped_controls(drawn) == []
        assert "[bold red]shout[/bold red]" in html.unescape(drawn).replace("\xa0", " ")


@pytest.mark.slow
async def test_enter_on_a_tag_lists_the_people_offering_it(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_screen(app, pilot, "tags", TagsScreen)
        table = screen.query_one("#tags-table")
        for key, shown, note in (("grief", ["ana"], "1 of 4 offering grief"), ("debt", [], "nobody offering debt"),
                                 ("lang-es", ["ana"], "1 of 4 match")):
            app.action_go("tags")
            await settle(pilot)
            table.move_cursor(row=table.get_row_index(key))
            table.focus()
            await pilot.press("enter")
            await settle(pilot)
            people = app.screen
            assert isinstance(people, PeopleScreen)
            assert people.query_one("#people-table").keys == shown, key
            assert note in text_of(people.query_one("#people-note")), key
