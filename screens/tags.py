"""Tags (coordinators): the line's tags by label, their kind, other names and how many people offer each;
n adds one.

The tags are read by warmline/views/tags.py (counts only for coordinators, offered tags only: proposed
and paused ones are not used, so not counted). A tag's id is internal and never shown: the add form
(TagDialog) asks for the label, the kind and other names, and the id is made from the label.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Select

from warmline.taxonomy import FAMILIES, Tag
from warmline.views.tags import TagsLoaded, add_tag, load_tags

from .base import CoreCalls, WarmlineScreen
from .fields import field_row
from .form_dialog import FormDialog
from .plain import Button, Input, Static
from .table import KeyTable
from .widgets import KeysFooter, LineHeader

KIND_HINT = {
    "experience": "lived experience a peer may offer, e.g. grief",
    "circumstance": "a circumstance lived through, e.g. housing loss",
    "identity": "an identity a caller may ask to share",
    "language": "a language spoken on the line",
}


class TagDialog(CoreCalls, FormDialog[Tag | None]):
    """Add a tag to the line: its label, kind and other names. Returns the new Tag."""

    CSS_PATH = "goals_tags.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Add tag", priority=True, id="tag_form.save"),
        Binding("escape", "back", "Cancel", id="tag_form.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="tag-box", classes="dialog-box"):
            yield Static("Add a tag", classes="dialog-title")
            yield Static(
                "People offer tags from their own lives; callers ask for them. Words a person chose, never a diagnosis.",
                classes="blurb",
            )
            yield field_row("Label", Input(id="tag-label", placeholder="e.g. gambling recovery"))
            yield field_row(
                "Kind", Select([(f, f) for f in FAMILIES], allow_blank=False, value="experience", id="tag-family")
            )
            yield field_row("Also called", Input(id="tag-aliases", placeholder="optional, comma-separated"))
            yield Static(KIND_HINT["experience"], id="tag-kind-hint", classes="blurb")
            yield Static("", id="tag-error", classes="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add (ctrl+s)", id="tag-save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="tag-cancel", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#tag-label").focus()

    def reload(self) -> None:
        """Nothing here depends on the database while it is open; present so the app can reload any screen."""

    @on(Select.Changed, "#tag-family")
    def _kind(self, event: Select.Changed) -> None:
        self.query_one("#tag-kind-hint", Static).update(KIND_HINT.get(str(event.value), ""))

    def _say(self, message: str) -> None:
        if self.is_attached:
            self.query_one("#tag-error", Static).update(message)

    @on(Button.Pressed, "#tag-save")
    def action_save(self) -> None:
        if self._saving:
            return
        label = self.query_one("#tag-label", Input).value
        if not label.strip():
            self._say("✗ Not added: the label is empty: give the words people should see, e.g. gambling recovery")
            return
        self._saving = True
        self._say("Adding…")
        self.call_core(
            add_tag, self.app.actor, label, str(self.query_one("#tag-family", Select).value),
            self.query_one("#tag-aliases", Input).value, done=self.dismiss, failed=self._failed, group="tag-add",
        )

    def _failed(self, message: str) -> None:
        self._saving = False
        self._say(f"✗ Not added: {message}")

    @on(Button.Pressed, "#tag-cancel")
    def _cancel(self) -> None:
        self.action_back()  # FormDialog: asks before discarding what was typed


class TagsTable(KeyTable):
    """The line's tags, keyed by id (never shown)."""

    COLUMNS = (("Tag", "label"), ("Kind", "family"), ("Also called", "aliases"), ("People", "people"))

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(self.COLUMNS, shrink=("aliases", "label"), id=id)


class TagsScreen(WarmlineScreen):
    """The line's tags with how many people offer each (coordinators): n adds a tag."""

    CSS_PATH = "goals_tags.tcss"
    TITLE = "Tags"
    BINDINGS = [Binding("n", "add", "Add tag", id="tag_list.add")]

    def __init__(self) -> None:
        super().__init__()
        self.loaded: TagsLoaded | None = None
        self._select_after_load: str | None = None

    def compose(self) -> ComposeResult:
        yield LineHeader()
        yield Static("Tags", classes="screen-title")
        with Vertical(id="tags-body"):
            yield Static("Loading…", id="tags-note", classes="list-note")
            yield TagsTable(id="tags-table")
            yield Static("", id="tags-message", classes="message")
        yield Static("", id="tags-refused", classes="calm-refusal")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#tags-refused").display = False
        self.query_one("#tags-table").focus()

    def reload(self) -> None:
        self.call_core(load_tags, self.actor, done=self._loaded, failed=self._load_failed, group="tags-load",
                       exclusive=True)

    def _loaded(self, loaded: TagsLoaded) -> None:
        if not self.is_attached:
            return
        self.loaded = loaded
        refused = self.query_one("#tags-refused", Static)
        refused.display = loaded.refusal is not None
        self.query_one("#tags-body").display = loaded.refusal is None
        if loaded.refusal is not None:
            refused.update(
                "Only coordinators can see who offers which tags.\n\n"
                f"The experiences you offer are in My profile.\n\n({loaded.refusal})"
            )
            self.refresh_bindings()
            return
        table = self.query_one("#tags-table", TagsTable)
        table.set_rows([(row.key, row.cells) for row in loaded.rows])
        if self._select_after_load is not None and table.has_key(self._select_after_load):
            table.move_cursor(row=table.get_row_index(self._select_after_load))
        self._select_after_load = None
        n = len(loaded.rows)
        self.query_one("#tags-note", Static).update(
            f"{n} tags · People: active people offering it now · enter lists them · n adds"
        )
        self.refresh_bindings()

    def _load_failed(self, message: str) -> None:
        if self.is_attached:
            self.say(f"✗ Could not load the tags: {message}", error=True)

    def say(self, message: str, *, error: bool = False) -> None:
        widget = self.query_one("#tags-message", Static)
        widget.update(message)
        widget.set_classes("message -error" if error else "message -ok")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add" and (self.loaded is None or self.loaded.refusal is not None):
            return False
        return True

    @on(TagsTable.RowSelected, "#tags-table")
    def _tag_chosen(self, event: TagsTable.RowSelected) -> None:
        """Enter on a tag: People, showing only those offering it (a language: those speaking it)."""
        row = next((r for r in self.loaded.rows if r.key == event.key), None) if self.loaded else None
        if row is None:
            return
        self.app.action_go("people")
        if not self.app.is_screen_installed("people"):
            return
        people = self.app.get_screen("people")
        if row.tag.family == "language":  # languages are not offered: the filter box finds who speaks it
            people.show_tag(None, text=row.tag.label)
        else:
            people.show_tag(row.tag.id, row.tag.label)

    def action_add(self) -> None:
        if self.loaded is None or self.loaded.refusal is not None:
            return

        def added(tag: Tag | None) -> None:
            if tag is not None:
                self.say(f"✓ Added the {tag.family} tag {tag.label}.")
                self._select_after_load = tag.id
                self.reload()

        self.app.push_screen(TagDialog(), added)


__all__ = ["TagDialog", "TagsScreen"]
