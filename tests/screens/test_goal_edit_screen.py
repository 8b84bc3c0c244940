"""Pilot tests: editing a coverage goal on the Goals screen (issue 15). e (or enter) opens the goal form
filled in with the goal under the cursor; ctrl+s saves it in place; a refusal is said in the form, in the
app's words, and changes nothing. Each drives the app with keys on a real SQLite file and checks the
database through the core as well as the screen."""

from __future__ import annotations

from datetime import time

import pytest
from rota_file import make_rota, settle, text_of, until

from warmline.screens.app import make_app
from warmline.screens.confirm import DiscardDialog
from warmline.screens.goals import GoalDialog, GoalsScreen
from warmline.screens.plain import Input

FIELDS = ("#goal-tag", "#goal-days", "#goal-start", "#goal-end", "#goal-min")


@pytest.fixture
def line(tmp_path, monkeypatch):
    """The test line with two goals: Spanish every evening (at least 1), then grief at weekends (at least 2)."""
    rota = make_rota(tmp_path, monkeypatch)
    from warmline import coverage

    with rota.db() as db:
        coverage.add_goal(db, rota.coord, "Spanish", "daily", time(17), time(21))
        coverage.add_goal(db, rota.coord, "grief", "weekends", time(9), time(13), min_people=2)
    return rota


def stored(line, *, include_removed=False):
    from warmline.coverage import goals

    with line.db() as db:
        return goals(db.conn, include_removed=include_removed)


async def open_goals(app, pilot) -> GoalsScreen:
    await settle(pilot)
    app.action_go("goals")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, GoalsScreen)
    assert await until(pilot, lambda: screen.loaded is not None)
    table = screen.query_one("#goals-table")
    assert await until(pilot, lambda: table.row_count == 2)
    table.focus()
    return screen


async def open_form(app, pilot, key: str = "e") -> GoalDialog:
    await pilot.press(key)
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, GoalDialog)
    return dialog


def boxes(dialog) -> list[str]:
    return [dialog.query_one(sel, Input).value for sel in FIELDS]


async def fill(pilot, field: Input, text: str) -> None:
    field.focus()
    field.value = text
    await pilot.pause()


async def test_e_opens_the_goal_filled_in_and_ctrl_s_changes_it_in_place(line):
    spanish, grief = stored(line)
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_goals(app, pilot)
        assert "enter edits" in text_of(screen.query_one("#goals-note"))
        dialog = await open_form(app, pilot)
        assert text_of(dialog.query_one(".dialog-title")) == "Edit the coverage goal"
        assert boxes(dialog) == ["Spanish", "every day", "17:00", "21:00", "1"]
        assert dialog.query_one("#goal-min", Input).has_focus  # the box most often changed
        await fill(pilot, dialog.query_one("#goal-min", Input), "2")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert [(g.id, g.tag_id, g.days, g.start, g.end, g.min_people) for g in stored(line)] == [
            (spanish.id, "lang-es", "MO,TU,WE,TH,FR,SA,SU", time(17), time(21), 2),
            (grief.id, "grief", "SA,SU", time(9), time(13), 2),
        ]
        assert len(stored(line, include_removed=True)) == 2  # changed in place: nothing added, nothing retired
        said = text_of(screen.query_one("#goals-message"))
        assert said == "✓ Changed the goal: Spanish, every day 17:00–21:00, at least 2.", said
        table = screen.query_one("#goals-table")
        assert await until(pilot, lambda: str(table.get_row(str(spanish.id))[3]) == "2")
        assert [(e.subject, e.detail) for e in line.audit("goal.edit")] == [
            (f"goal {spanish.id}", "every day 17:00–21:00, at least 1 → every day 17:00–21:00, at least 2")
        ]


async def test_enter_edits_the_goal_under_the_cursor_its_need_days_and_window(line):
    spanish, grief = stored(line)
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_goals(app, pilot)
        table = screen.query_one("#goals-table")
        table.move_cursor(row=table.get_row_index(str(grief.id)))
        await pilot.pause()
        dialog = await open_form(app, pilot, "enter")
        assert boxes(dialog) == ["grief", "weekends", "09:00", "13:00", "2"]
        await fill(pilot, dialog.query_one("#goal-tag", Input), "Spanish")
        await fill(pilot, dialog.query_one("#goal-days", Input), "MO,WE")
        await fill(pilot, dialog.query_one("#goal-start", Input), "22:00")
        await fill(pilot, dialog.query_one("#goal-end", Input), "2:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        changed = stored(line)[1]
        assert (changed.id, changed.tag_id, changed.days, changed.start, changed.end, changed.min_people) == (
            grief.id, "lang-es", "MO,WE", time(22), time(2), 2)
        assert stored(line)[0] == spanish
        assert "Changed the goal: Spanish, MO,WE 22:00–02:00, at least 2" in text_of(screen.query_one("#goals-message"))
        (entry,) = line.audit("goal.edit")
        assert entry.detail.endswith("; need changed") and "grief" not in entry.detail and "Spanish" not in entry.detail


async def test_saving_what_was_there_changes_nothing_and_esc_asks_only_after_a_change(line):
    before = stored(line)
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_goals(app, pilot)
        dialog = await open_form(app, pilot)
        await pilot.press("escape")  # untouched: closes at once
        await settle(pilot)
        assert app.screen is screen
        dialog = await open_form(app, pilot)
        await fill(pilot, dialog.query_one("#goal-min", Input), "3")
        await pilot.press("escape")  # changed: asks, opening on Keep editing
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog and boxes(dialog)[4] == "3"
        await fill(pilot, dialog.query_one("#goal-min", Input), "1")
        await pilot.press("ctrl+s")  # as it was: saved, nothing written
        await settle(pilot)
        assert app.screen is screen
        assert "Nothing changed in the goal" in text_of(screen.query_one("#goals-message"))
        assert stored(line) == before and line.audit("goal.edit") == []


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("#goal-min", "0", "the minimum is 0; it must be a whole number from 1 to 50"),
        ("#goal-min", "two", "not a number of people"),
        ("#goal-days", "someday", "'someday' is not a day"),
        ("#goal-end", "25:00", "the end '25:00' is not a time of day"),
        ("#goal-tag", "Klingon", "unknown tag 'Klingon'"),
        ("#goal-tag", "", "no tag or language given"),
    ],
)
async def test_a_bad_value_is_refused_in_the_form_and_the_goal_stays(line, field, value, says):
    before = stored(line)
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_goals(app, pilot)
        dialog = await open_form(app, pilot)
        await fill(pilot, dialog.query_one(field, Input), value)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        said = text_of(dialog.query_one("#goal-error"))
        assert said.startswith("✗ Not saved:") and says in said, said
        assert "warmline " not in said and "`" not in said  # the app's words, no CLI commands
        assert stored(line) == before and line.audit("goal.edit") == []


async def test_the_core_refuses_a_goal_removed_meanwhile_and_a_coordinator_no_longer_one(line):
    from warmline import coverage, people
    from warmline.people import PersonChanges

    spanish, grief = stored(line)
    with line.db() as db:
        people.add(db, line.coord, handle="kai", name="Kai", role="coordinator")
        kai = people.get(db.conn, "kai")
    app = make_app(line.path, actor=kai)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_goals(app, pilot)
        dialog = await open_form(app, pilot)
        with line.db() as db:
            coverage.remove_goal(db, line.coord, spanish.id)  # elsewhere, while the form is open
        await fill(pilot, dialog.query_one("#goal-min", Input), "2")
        await pilot.press("ctrl+s")
        await settle(pilot)
        said = text_of(dialog.query_one("#goal-error"))
        assert said.startswith(f"✗ Not saved: there is no active goal {spanish.id}"), said
        assert "warmline " not in said
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
        await pilot.press("y")  # discard
        await settle(pilot)
        assert app.screen is screen
        with line.db() as db:
            people.edit(db, line.coord, "kai", PersonChanges(role="volunteer"))  # the screen still shows the list
        table = screen.query_one("#goals-table")
        table.move_cursor(row=table.get_row_index(str(grief.id)))
        await pilot.pause()
        dialog = await open_form(app, pilot)
        await fill(pilot, dialog.query_one("#goal-min", Input), "5")
        await pilot.press("ctrl+s")
        await settle(pilot)
        said = text_of(dialog.query_one("#goal-error"))
        assert said.startswith("✗ Not saved: only coordinators may edit coverage goals"), said
    assert [g.min_people for g in stored(line, include_removed=True)] == [1, 2]


async def test_the_edit_form_fits_80x24_under_the_banner_with_save_in_view(line):
    from warmline.screens.widgets import KeysFooter, LineHeader

    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_goals(app, pilot)
        dialog = await open_form(app, pilot)
        header, footer = dialog.query_one(LineHeader), dialog.query_one(KeysFooter)
        assert "988" in header.escalation_text
        box = dialog.query_one(".dialog-box")
        assert header.region.bottom <= box.region.y and box.region.bottom <= footer.region.y
        save = dialog.query_one("#goal-save")
        assert box.region.contains_region(save.region) and "Save" in str(save.label)
        assert boxes(dialog) == ["Spanish", "every day", "17:00", "21:00", "1"]
