"""Goals (coordinators): the line's coverage goals and whether this week meets them; n adds, e edits, x removes.

A goal says "at least N people offering a tag (or speaking a language) in a daily window"; this week's
verdict is coverage's own (warmline/views/goals.py reads it). Adding is a form (GoalDialog: ctrl+s
saves, esc on a changed form asks first); e (or enter) opens the same form filled in with the goal
under the cursor and saves it in place; removing asks first, opening on Keep it. The core checks
who may do any of it (coordinators) and every value; a refusal is said under the list or the form.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.suggester import SuggestFromList

from warmline.coverage import Goal, remove_goal
from warmline.errors import Invalid
from warmline.views.goals import GoalRow, GoalsLoaded, add_goal, edit_goal, form_values, load_goals, typed_goal

from .base import CoreCalls, WarmlineScreen
from .confirm import ConfirmDialog
from .fields import field_row
from .form_dialog import FormDialog
from .plain import Button, Input, Static
from .table import KeyTable
from .widgets import KeysFooter, LineHeader

DAYS_HINT = "daily, weekdays, weekends or MO,WE,FR"


class GoalDialog(CoreCalls, FormDialog[Goal | None]):
    """Add a coverage goal (or edit `goal`): tag or language, days, window, at least how many. Returns the Goal saved."""

    CSS_PATH = "goals_tags.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save goal", priority=True, id="goal_form.save"),
        Binding("escape", "back", "Cancel", id="goal_form.back"),
    ]

    def __init__(self, names: list[str], goal: Goal | None = None) -> None:
        super().__init__()
        self._names = names
        self._goal = goal
        self._saving = False
        self._not = "✗ Not added" if goal is None else "✗ Not saved"

    def compose(self) -> ComposeResult:
        tag, days, start, end, at_least = ("", "daily", "", "", "1") if self._goal is None else form_values(self._goal)
        with Vertical(id="goal-box", classes="dialog-box"):
            yield Static("Add a coverage goal" if self._goal is None else "Edit the coverage goal",
                         classes="dialog-title")
            yield Static(
                "At least this many people on shift offering the tag (or speaking the language) in the window.",
                classes="blurb",
            )
            yield field_row(
                "Tag or language",
                Input(tag, id="goal-tag", placeholder="e.g. Spanish or grief",
                      suggester=SuggestFromList(self._names, case_sensitive=False)),
            )
            yield field_row("Days", Input(days, id="goal-days", placeholder=DAYS_HINT))
            yield field_row("From", Input(start, id="goal-start", placeholder="17:00"), "HH:MM, the line's time")
            yield field_row("To", Input(end, id="goal-end", placeholder="21:00"), "earlier than From: the next day")
            yield field_row("At least", Input(at_least, id="goal-min", type="integer"), "people, 1 to 50")
            yield Static("", id="goal-error", classes="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add (ctrl+s)" if self._goal is None else "Save (ctrl+s)", id="goal-save",
                             variant="primary", compact=True)
                yield Button("Cancel (esc)", id="goal-cancel", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        # Editing: the cursor starts on the box most often changed (11 pm, "min 1" to "min 2").
        self.query_one("#goal-tag" if self._goal is None else "#goal-min").focus()

    def reload(self) -> None:
        """Nothing here depends on the database while it is open; present so the app can reload any screen."""

    def _say(self, message: str) -> None:
        if self.is_attached:
            self.query_one("#goal-error", Static).update(message)

    @on(Button.Pressed, "#goal-save")
    def action_save(self) -> None:
        if self._saving:
            return
        value = lambda sel: self.query_one(sel, Input).value  # noqa: E731
        try:
            draft = typed_goal(value("#goal-tag"), value("#goal-days"), value("#goal-start"), value("#goal-end"),
                               value("#goal-min"))
        except Invalid as exc:
            self._say(f"{self._not}: {exc}")
            return
        self._saving = True
        if self._goal is None:
            self._say("Adding…")
            self.call_core(add_goal, self.app.actor, draft, done=self.dismiss, failed=self._failed, group="goal-add")
        else:
            self._say("Saving…")
            self.call_core(edit_goal, self.app.actor, self._goal, draft, done=self.dismiss, failed=self._failed,
                           group="goal-edit")

    def _failed(self, message: str) -> None:
        self._saving = False
        self._say(f"{self._not}: {message}")

    @on(Button.Pressed, "#goal-cancel")
    def _cancel(self) -> None:
        self.action_back()  # FormDialog: asks before discarding what was typed


class GoalsTable(KeyTable):
    """The goals, one row each, keyed by the goal's id (never shown: the goal is its words)."""

    COLUMNS = (("Need", "need"), ("Days", "days"), ("Window", "window"), ("Min", "min"), ("This week", "week"))

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(self.COLUMNS, shrink=("need", "week"), id=id)


class GoalsScreen(WarmlineScreen):
    """The coverage goals with this week's verdict (coordinators): n adds a goal, e (or enter) edits and x removes
    the one under the cursor."""

    CSS_PATH = "goals_tags.tcss"
    TITLE = "Goals"
    BINDINGS = [
        Binding("n", "add", "Add goal", id="goals.add"),
        Binding("e", "edit", "Edit goal", id="goals.edit"),
        Binding("x", "remove", "Remove goal", id="goals.remove"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loaded: GoalsLoaded | None = None
        self._rows: dict[str, GoalRow] = {}

    def compose(self) -> ComposeResult:
        yield LineHeader()
        yield Static("Coverage goals", classes="screen-title")
        with Vertical(id="goals-body"):
            yield Static("Loading…", id="goals-note", classes="list-note")
            yield GoalsTable(id="goals-table")
            yield Static("", id="goals-message", classes="message")
        yield Static("", id="goals-refused", classes="calm-refusal")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#goals-refused").display = False
        self.query_one("#goals-table").focus()

    def reload(self) -> None:
        self.call_core(load_goals, self.actor, done=self._loaded, failed=self.say_error, group="goals-load",
                       exclusive=True)

    def _loaded(self, loaded: GoalsLoaded) -> None:
        if not self.is_attached:
            return
        self.loaded = loaded
        refused = self.query_one("#goals-refused", Static)
        refused.display = loaded.refusal is not None
        self.query_one("#goals-body").display = loaded.refusal is None
        if loaded.refusal is not None:
            refused.update(f"Only coordinators can see and change the coverage goals.\n\n({loaded.refusal})")
            self.refresh_bindings()
            return
        self._rows = {row.key: row for row in loaded.rows}
        self.query_one("#goals-table", GoalsTable).set_rows([(row.key, row.cells) for row in loaded.rows])
        n = len(loaded.rows)
        if n:
            short = sum(not row.met for row in loaded.rows)
            verdict = "all met" if not short else f"{short} not met"
            # The footer has n, e and x; the note names the one a table's reader reaches for, as People's does.
            note = f"{n} goal{'' if n == 1 else 's'} · {verdict} {loaded.week} · enter edits"
        else:
            # No week: there is nothing to check in it yet (and the line then fits 80 columns).
            note = "No coverage goals yet · n adds one (e.g. Spanish, every evening, at least 1)"
        self.query_one("#goals-note", Static).update(note)
        self.refresh_bindings()

    def say(self, message: str, *, error: bool = False) -> None:
        widget = self.query_one("#goals-message", Static)
        widget.update(message)
        widget.set_classes("message -error" if error else "message -ok")

    def say_error(self, message: str) -> None:
        if self.is_attached:
            self.say(f"✗ {message}", error=True)

    def current(self) -> GoalRow | None:
        return self._rows.get(self.query_one("#goals-table", GoalsTable).cursor_key or "")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add", "edit", "remove") and (self.loaded is None or self.loaded.refusal is not None):
            return False
        if action in ("edit", "remove") and not self._rows:
            return None  # no goal yet: greyed ("not now" in the help); n (add) is what there is to do
        return True

    def action_add(self) -> None:
        if self.loaded is None or self.loaded.refusal is not None:
            return

        def added(goal: Goal | None) -> None:
            if goal is not None:
                self.say(f"✓ Added the goal: {goal.describe()}.")
                self.reload()

        self.app.push_screen(GoalDialog(self.loaded.names), added)

    @on(KeyTable.RowSelected, "#goals-table")
    def _selected(self, _event: KeyTable.RowSelected) -> None:
        self.action_edit()

    def action_edit(self) -> None:
        if self.loaded is None or self.loaded.refusal is not None:
            return
        row = self.current()
        if row is None:
            self.say("No goal selected: there is nothing to edit (n adds one).", error=True)
            return
        before = row.goal

        def saved(goal: Goal | None) -> None:
            if goal is None:
                return
            if goal == before:
                self.say(f"Nothing changed in the goal: {goal.describe()}.")
            else:
                self.say(f"✓ Changed the goal: {goal.describe()}.")
                self.reload()

        self.app.push_screen(GoalDialog(self.loaded.names, before), saved)

    def action_remove(self) -> None:
        row = self.current()
        if row is None:
            self.say("No goal selected: there is nothing to remove.", error=True)
            return
        goal = row.goal

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_core(remove_goal, self.actor, goal.id, done=self._removed, failed=self.say_error,
                               group="goals-remove")

        self.app.push_screen(
            ConfirmDialog(
                "Remove this goal?",
                f"{goal.describe()}.\nCoverage and Reports stop checking it; it is kept, inactive, for the record.",
                yes="Remove",
                no="Keep it",
            ),
            answered,
        )

    def _removed(self, goal: Goal) -> None:
        self.say(f"✓ Removed the goal: {goal.describe()}.")
        self.reload()


__all__ = ["GoalDialog", "GoalsScreen"]
