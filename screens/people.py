"""People (coordinators): everyone on the line with their hours this week, filtered as you type.

Screens hold no SQL: the list is read by warmline/views/people.py's `load_people` on a worker
thread. The list is a PeopleTable (a KeyTable), which draws only the rows in view: a line of
10,000 people opens and filters as fast as a line of 30. The person editor and the add dialog
are in person_form.py, My profile in profile.py.
"""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.worker import Worker

from warmline.db import Database
from warmline.model import Person
from warmline.views.people import PeopleLoaded, PeopleOffers, PersonRow, load_offers, load_people

from .base import WarmlineScreen
from .confirm import ChoiceDialog
from .fields import FilterInput
from .person_form import AddPersonDialog, PersonEditorDialog, PersonSaved
from .plain import Input, Static
from .table import KeyTable, column_widths
from .widgets import KeysFooter, LineHeader


def load_people_measured(db: Database, actor: Person) -> PeopleLoaded:
    """The people list with the widest cell of each column, measured here on the worker thread."""
    loaded = load_people(db, actor)
    return replace(loaded, widths=column_widths([row.cells for row in loaded.rows])) if loaded.rows else loaded


class PeopleTable(KeyTable):
    """The People list: a KeyTable (screens/table.py) that draws only the rows in view.

    DataTable kept a Row object per row and measured every new cell: 10,000 rows took seconds
    to settle, and each filter keystroke rebuilt them. Here the screen `load`s every row once
    (columns measured on the worker) and a filter keystroke only `show`s the matching keys.
    """

    COLUMNS = (
        ("Name", "name"),
        ("Handle", "handle"),
        ("Role", "role"),
        ("Languages", "languages"),
        ("Hours this week", "hours"),
        ("Active", "active"),
    )

    def __init__(self, *, id: str | None = None) -> None:
        # Languages, then names, give up width at 80 columns so hours and active stay in view.
        super().__init__(self.COLUMNS, shrink=("languages", "name"), id=id)


class PeopleScreen(WarmlineScreen):
    """Everyone on the line with hours this week; coordinators only. Enter or e edits, n adds."""

    # Default CSS (scoped to this screen) rather than CSS_PATH: the first time a screen with a
    # CSS file opens, Textual 8.2 re-parses the whole app stylesheet from scratch (~35 ms, more
    # under load: a tenth of the People screen's opening), while default CSS is parsed alone.
    # Nothing in app.tcss styles these ids or classes, so the lower precedence changes nothing.
    DEFAULT_CSS = """
    PeopleScreen {
        layout: vertical;
    }
    .screen-title {
        height: 1;
        padding: 0 1;
        text-style: bold;
        background: $panel;
    }
    #people-body {
        height: 1fr;
    }
    #people-filter {
        margin: 0 1;
    }
    #people-note {
        height: 1;
        padding: 0 2;
        color: $text-muted;
    }
    #people-table {
        height: 1fr;
    }
    .calm-refusal {
        height: 1fr;
        padding: 2 4;
        content-align: center middle;
        text-align: center;
    }
    """
    TITLE = "People"
    BINDINGS = [
        Binding("e", "edit", "Edit", id="people.edit"),
        Binding("n", "add", "Add person", id="people.add"),
        Binding("slash", "focus_filter", "Filter", id="people.filter"),
        Binding("t", "by_tag", "By tag", show=False, id="people.by_tag"),  # the filter's placeholder says it
        Binding("s", "line_settings", "Line settings", show=False, id="people.line_settings"),
    ]
    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, PersonRow] = {}
        self._order: list[str] = []
        self._searches: list[str] = []  # what the filter box looks in: the row's words, then its tags' labels
        self._row_searches: list[str] = []  # the row's words alone (handle, name, languages)
        self._offers: PeopleOffers | None = None  # who offers which tag: read after the list is drawn
        self._tag: tuple[str, str] | None = None  # (id, label) of the tag chosen with t: only people offering it
        self._refused: str | None = None
        self._loaded = False
        self._loading = False
        self._reload_pending = False
        self._select_after_load: str | None = None
        self._wanted_text: str | None = None  # the filter box's text asked for before the screen was drawn

    def compose(self) -> ComposeResult:
        yield LineHeader()
        yield Static("People", classes="screen-title")
        with Vertical(id="people-body"):
            yield FilterInput(
                placeholder="Filter by handle, name, language or tag (/ comes here; t: one tag)",
                on_change=lambda _: self._filter_changed(),
                id="people-filter",
            )
            yield Static("Loading\u2026", id="people-note")
            yield PeopleTable(id="people-table")
        yield Static("", id="people-refused", classes="calm-refusal")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#people-refused").display = False
        self.query_one("#people-table").focus()
        self._show_wanted()

    # -- loading

    def reload(self) -> None:
        """Re-read everyone and show them again (cursor, filter and any open dialog stay).

        A reload asked for while one is running waits for it rather than replacing it: a
        thread cannot be stopped, so a replaced load would still run, slowing the next one,
        and the list would wait for the second load (the app's first file poll often asks
        for one just after the screen opens).
        """
        if self._loading:
            self._reload_pending = True
            return
        self._loading = True
        self.call_core(load_people_measured, self.app.actor, done=self._people_loaded, failed=self._load_failed,
                       group="people-load")

    @on(Worker.StateChanged)
    def _load_finished(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "people-load" or not event.worker.is_finished:
            return
        self._loading = False
        if self._reload_pending:
            self._reload_pending = False
            self.call_after_refresh(self.reload)  # once this load's rows are drawn

    def _people_loaded(self, loaded: PeopleLoaded) -> None:
        if not self.is_attached:
            return
        self._loaded = True
        self._refused = loaded.refusal
        self.query_one("#people-body").display = loaded.refusal is None
        refused = self.query_one("#people-refused", Static)
        refused.display = loaded.refusal is not None
        table = self.query_one("#people-table", PeopleTable)
        if loaded.refusal is not None:
            self._rows, self._order, self._searches, self._row_searches = {}, [], [], []
            self._offers, self._tag = None, None
            table.load({})
            self._apply_filter()
            refused.update(
                "Only coordinators can see the people list.\n\n"
                "Your own details, limits and the experiences you offer are in My profile.\n\n"
                f"({loaded.refusal})"
            )
            self.refresh_bindings()
            return
        self._rows = {row.handle: row for row in loaded.rows}
        self._order = [row.handle for row in loaded.rows]
        self._row_searches = [row.search for row in loaded.rows]
        self._searches = self._with_tag_words()
        table.load({row.handle: row.cells for row in loaded.rows}, loaded.widths)
        self._apply_filter()
        if self._select_after_load is not None and table.has_key(self._select_after_load):
            table.move_cursor(row=table.get_row_index(self._select_after_load))
        self._select_after_load = None  # a new person hidden by the filter is not chased later
        self.refresh_bindings()
        self.call_core(load_offers, self.app.actor, done=self._offers_loaded, group="people-offers", exclusive=True)

    def _offers_loaded(self, offers: PeopleOffers) -> None:
        """Who offers which tag arrived (after the list was drawn): the filter box and t use it from now."""
        if not self.is_attached or self._refused is not None:
            return
        self._offers = offers
        if self._tag is not None:  # the chosen tag takes its new label, if someone renamed it
            self._tag = next(((t, label) for t, label, _ in offers.offered if t == self._tag[0]), self._tag)
        self._searches = self._with_tag_words()
        self._apply_filter()

    def _with_tag_words(self) -> list[str]:
        if self._offers is None:
            return self._row_searches
        words = self._offers.words
        return [search + words.get(handle, "") for handle, search in zip(self._order, self._row_searches)]

    def _load_failed(self, message: str) -> None:
        if self.is_attached:
            self.query_one("#people-note", Static).update(f"Could not load people: {message}")

    # -- filtering (in memory, on every keystroke: a pass over pre-folded strings takes ~1 ms)

    def _matches(self) -> list[str]:
        text = self.query_one("#people-filter", Input).value.strip().casefold()
        order = self._order
        if self._tag is not None and self._offers is not None:
            tag_id, by_handle = self._tag[0], self._offers.by_handle
            order = [h for h in self._order if tag_id in by_handle.get(h, ())]
            if not text:
                return order
            searches = dict(zip(self._order, self._searches))
            return [h for h in order if text in searches[h]]
        if not text:
            return order
        return [h for h, search in zip(order, self._searches) if text in search]

    def _apply_filter(self) -> None:
        matches = self._matches()
        self.query_one("#people-table", PeopleTable).show(matches)
        note = self.query_one("#people-note", Static)
        text = self._note(len(matches))
        if str(note.content) != text:
            note.update(text, layout=False)  # one line, sized by its container: no layout pass needed

    def _note(self, matches: int) -> str:
        total = len(self._order)
        typed = self.query_one("#people-filter", Input).value.strip()
        if self._tag is not None:
            who = f"offering {self._tag[1]}" + (f" and matching {typed!r}" if typed else "")
            return f"{matches:,} of {total:,} {who} \u00b7 t changes the tag" if matches else f"nobody {who}"
        if not typed:
            return f"{total:,} {'person' if total == 1 else 'people'} \u00b7 enter edits \u00b7 n adds"
        if not matches:
            return f"nobody matches {typed!r}"
        return f"{matches:,} of {total:,} match"

    def _filter_changed(self) -> None:
        if self._loaded:
            self._apply_filter()

    @on(Input.Submitted, "#people-filter")
    def _filter_done(self) -> None:
        self.query_one("#people-table").focus()

    # -- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "add", "focus_filter", "by_tag") and self._refused is not None:
            return False
        return True

    def action_focus_filter(self) -> None:
        self.query_one("#people-filter").focus()

    def show_tag(self, tag_id: str | None, label: str = "", *, text: str = "") -> None:
        """List only the people offering this tag (None: everyone), with `text` in the filter box; the
        Tags screen's enter comes here, possibly before this screen is first drawn."""
        self._tag = (tag_id, label) if tag_id is not None else None
        self._wanted_text = text
        if self.is_mounted:
            self._show_wanted()

    def _show_wanted(self) -> None:
        if self._wanted_text is None:
            return
        box = self.query_one("#people-filter", Input)
        text, self._wanted_text = self._wanted_text, None
        if box.value != text:
            box.value = text  # the box's on_change filters
        elif self._loaded:
            self._apply_filter()

    def action_by_tag(self) -> None:
        """Choose a tag: the list shows only the people offering it (offered: not proposed, not paused)."""
        if self._refused is not None or not self._loaded:
            return
        if self._offers is None:
            self.app.notify("Still reading who offers which tag: try again in a moment.", timeout=4)
            return
        offered = self._offers.offered
        everyone = "(everyone)"  # not a tag id: ids are lower-case letters, digits and hyphens
        choices = [(everyone, "Everyone: no tag filter")]
        choices += [(tag_id, f"{label} \u00b7 {n} offer{'s' if n == 1 else ''}") for tag_id, label, n in offered]
        labels = {tag_id: label for tag_id, label, _ in offered}

        def chosen(value: str | None) -> None:
            if value is None:
                return
            self._tag = (value, labels[value]) if value in labels else None
            self._apply_filter()
            self.query_one("#people-table").focus()

        body = "Only the people offering the tag (proposed and paused tags are not offered)."
        if not offered:
            body = "Nobody offers a tag yet (proposed and paused tags are not offered)."
        self.app.push_screen(
            ChoiceDialog("Show the people offering…", choices, body=body,
                         default=self._tag[0] if self._tag else everyone),
            chosen,
        )

    def action_line_settings(self) -> None:
        """The line's settings (screens/line_settings.py): a coordinator's, like this screen."""
        self.app.action_go("line_settings")

    @on(PeopleTable.RowSelected, "#people-table")
    def _row_chosen(self, event: PeopleTable.RowSelected) -> None:
        self._edit(event.key)

    def action_edit(self) -> None:
        self._edit(self.query_one("#people-table", PeopleTable).cursor_key)

    def _edit(self, handle: str | None) -> None:
        if handle is None or self._refused is not None:
            return

        def saved(result: PersonSaved | None) -> None:
            if result is not None:
                self.app.notify(result.summary, timeout=6)

        self.app.push_screen(PersonEditorDialog(handle), saved)

    def action_add(self) -> None:
        if self._refused is not None:
            return

        def added(person: Person | None) -> None:
            if person is not None:
                self._select_after_load = person.handle
                self.app.notify(f"Added {person.name} ({person.handle}).", timeout=6)

        self.app.push_screen(AddPersonDialog(), added)
