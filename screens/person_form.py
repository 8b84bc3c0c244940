"""The person editor (coordinators: details, role, limits, tags, passphrase, deactivation), the add
dialog and the deactivation question. A save is one core call (people.save_person), one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Checkbox, Select

from warmline import people
from warmline.errors import Invalid
from warmline.model import Person
from warmline.people import LIMIT_FIELDS, PersonChanges, Saved
from warmline.taxonomy import Resolver
from warmline.views.app_text import for_app
from warmline.views.people import (
    INT_LIMITS,
    LIMIT_LABELS,
    STATE_TEXT,
    PersonLoaded,
    language_text,
    NewPersonForm,
    limit_changes,
    load_new_person_form,
    load_person,
    new_person_fields,
    same_names,
    split_names,
)

from .base import CoreCalls
from .fields import Baseline, ListSuggester, field_row, language_names, offerable_names
from .form_dialog import FormDialog
from .modal import Dialog
from .plain import Button, Input, Static
from .tag_table import TagTable
from .widgets import KeysFooter


@dataclass(frozen=True)
class PersonSaved:
    """What the editor saved, for the screen that opened it."""

    handle: str
    steps: tuple[str, ...]
    summary: str


class DeactivateDialog(Dialog[bool]):
    """Confirm deactivating someone: they leave their future shifts and can no longer sign in."""

    CSS_PATH = "people.tcss"
    BINDINGS = [
        Binding("y", "confirm", "Deactivate", id="deactivate.confirm"),
        Binding("n", "cancel", "Keep active", id="deactivate.keep"),
        Binding("escape", "cancel", "Keep active", id="deactivate.back"),
    ]

    def __init__(self, name: str, handle: str) -> None:
        super().__init__()
        self._who = f"{name} ({handle})"

    def compose(self) -> ComposeResult:
        with Vertical(id="deactivate-box", classes="dialog-box"):
            yield Static(f"Deactivate {self._who}?", classes="dialog-title")
            yield Static(
                "They will be taken off their future shifts and will not be able to sign in. "
                "Nothing else about them changes, and a coordinator can reactivate them at any time.",
                classes="dialog-text",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Deactivate (y)", id="deactivate-yes", variant="error")
                yield Button("Keep active (n)", id="deactivate-no")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#deactivate-no").focus()

    def reload(self) -> None:
        """Nothing here depends on the database; present so the app can reload any screen."""

    @on(Button.Pressed, "#deactivate-yes")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#deactivate-no")
    def action_cancel(self) -> None:
        self.dismiss(False)


class PersonEditorDialog(Baseline, CoreCalls, FormDialog[PersonSaved | None]):
    """Edit one person (coordinators): profile, role, active, limits, tags and passphrase.

    ctrl+s saves only what changed; a refusal from the core is shown here and the
    dialog keeps what was typed. escape closes without saving, asking first when something
    was changed (FormDialog).
    """

    CSS_PATH = "people.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True, id="person.save"),
        Binding("escape", "cancel", "Cancel", id="person.cancel"),
    ]

    def __init__(self, handle: str) -> None:
        super().__init__()
        self._handle = handle
        self._data: PersonLoaded | None = None
        self._tags_before: dict[str, str] = {}
        self._tags_now: dict[str, str] = {}
        self._saving = False
        self._init_baseline()

    def compose(self) -> ComposeResult:
        with Vertical(id="editor-box", classes="dialog-box"):
            yield Static(f"Edit {self._handle}", id="ed-title", classes="dialog-title")
            with VerticalScroll(id="editor-body"):
                yield Static("Profile", classes="section-title")
                yield field_row("Name", Input(id="ed-name"))
                yield field_row("Pronouns", Input(id="ed-pronouns", placeholder="optional, e.g. she/her"))
                yield field_row("Languages", Input(id="ed-languages", placeholder="comma-separated, e.g. English, Spanish"))
                yield field_row(
                    "Role",
                    Select([("volunteer", "volunteer"), ("coordinator", "coordinator")], allow_blank=False, id="ed-role"),
                )
                yield field_row("", Checkbox("Active", value=True, id="ed-active"), "unticking asks before deactivating")
                yield Static("Limits", classes="section-title")
                for name in LIMIT_FIELDS:
                    kind = "integer" if name in INT_LIMITS else "number"
                    yield field_row(LIMIT_LABELS[name], Input(id=f"ed-{name}", type=kind), "")
                yield Static("Experiences offered for matching", classes="section-title")
                yield Static("space offers or pauses \u00b7 x removes \u00b7 saved with ctrl+s", classes="field-hint")
                yield TagTable(id="ed-tags")
                yield field_row("Add", Input(id="ed-tag-add", placeholder="type a tag; \u2192 accepts, enter adds"))
                yield Static("Reset passphrase", classes="section-title")
                yield field_row("New", Input(id="ed-pass1", password=True, placeholder="at least 8 characters"))
                yield field_row("Again", Input(id="ed-pass2", password=True))
            yield Static("Loading\u2026", id="ed-error", classes="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="ed-save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="ed-cancel", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#ed-name").focus()
        self.reload()

    # -- loading

    def reload(self) -> None:
        """Re-read the person; fields nobody has touched take the new values, typed ones stay."""
        self.call_core(
            load_person, self.app.actor, self._handle, done=self._loaded, failed=self._show_error,
            group="editor-load", exclusive=True,
        )

    def _loaded(self, data: PersonLoaded) -> None:
        if not self.is_attached:
            return
        first = self._data is None
        self._data = data
        p = data.person
        self.query_one("#ed-title", Static).update(f"Edit {p.name} ({p.handle})")
        self._refresh_field("#ed-name", p.name)
        self._refresh_field("#ed-pronouns", p.pronouns or "")
        self._refresh_field("#ed-languages", language_text(p, data.catalog))
        self._refresh_field("#ed-role", p.role)
        self._refresh_field("#ed-active", p.active)
        limits = p.limits(data.line)
        for name in LIMIT_FIELDS:
            self._refresh_field(f"#ed-{name}", f"{getattr(limits, name):g}")
        fresh_tags = dict(data.tags)
        for tag_id in set(self._tags_before) | set(fresh_tags):
            before = self._tags_before.get(tag_id)
            untouched = self._tags_now.get(tag_id) == before
            if untouched:
                if tag_id in fresh_tags:
                    self._tags_now[tag_id] = fresh_tags[tag_id]
                else:
                    self._tags_now.pop(tag_id, None)
        self._tags_before = fresh_tags
        self._show_tags()
        if first:
            self.query_one("#ed-tag-add", Input).suggester = SuggestFromList(
                offerable_names(data.catalog), case_sensitive=False
            )
            self.query_one("#ed-languages", Input).suggester = ListSuggester(language_names(data.catalog))
            self._show_error("")

    # -- tags (pending until save)

    def _tag_label(self, tag_id: str) -> tuple[str, str]:
        for tag in self._data.catalog if self._data else ():
            if tag.id == tag_id:
                return tag.label, tag.family
        return tag_id, ""

    def _show_tags(self) -> None:
        rows = []
        for tag_id, state in self._tags_now.items():
            label, family = self._tag_label(tag_id)
            text = STATE_TEXT[state]
            if self._tags_before.get(tag_id) != state:
                text += " (unsaved)" if state != "removed" else ""
            rows.append((tag_id, (label, family, text)))
        rows.sort(key=lambda r: r[1][0])
        self.query_one("#ed-tags", TagTable).set_rows(rows)

    def _new_state(self) -> str:
        """A tag offered here: offered when I edit myself, proposed to anyone else (used once they accept it)."""
        data = self._data
        return "offered" if data is not None and data.viewer.id == data.person.id else "proposed"

    @on(TagTable.Toggled, "#ed-tags")
    def _toggle(self, event: TagTable.Toggled) -> None:
        state = self._tags_now.get(event.tag_id)
        if state == "removed":
            self._tags_now[event.tag_id] = self._tags_before.get(event.tag_id, self._new_state())
        elif state == "proposed":
            self._show_error("proposed: it is used once they accept it in their profile; x withdraws it")
            return
        else:
            self._tags_now[event.tag_id] = "paused" if state == "offered" else self._new_state()
        self._show_tags()

    @on(TagTable.Removed, "#ed-tags")
    def _remove(self, event: TagTable.Removed) -> None:
        if event.tag_id in self._tags_before:
            self._tags_now[event.tag_id] = "removed"
        else:
            self._tags_now.pop(event.tag_id, None)
        self._show_tags()

    @on(Input.Submitted, "#ed-tag-add")
    def _add_tag(self, event: Input.Submitted) -> None:
        event.stop()
        if self._data is None or not event.value.strip():
            return
        try:
            tag = Resolver(self._data.catalog).resolve(event.value)
        except Invalid as exc:
            self._show_error(for_app(str(exc)))  # "did you mean grief?", not "grief (grief)? See `warmline …`"
            return
        if tag.family == "language":
            self._show_error(f"{tag.label} is a language: add it under Languages")
            return
        state = self._tags_now.get(tag.id)
        if state in ("offered", "paused", "proposed"):
            self._show_error(f"{tag.label} is already listed ({state})")
        else:
            fresh = self._new_state()
            self._tags_now[tag.id] = self._tags_before.get(tag.id, fresh) if state == "removed" else fresh
            self._show_error("")
        event.input.value = ""
        self._show_tags()

    # -- saving

    def _gather(self) -> tuple[PersonChanges | None, str | None, bool]:
        """(changes or None, new passphrase or None, deactivate?) from the form; Invalid for what cannot be sent."""
        changes = PersonChanges()
        any_change = False
        for name in ("name", "pronouns"):
            if self._touched(f"#ed-{name}"):
                setattr(changes, name, self.query_one(f"#ed-{name}", Input).value)
                any_change = True
        languages = self.query_one("#ed-languages", Input).value
        if not same_names(languages, str(self._base.get("#ed-languages", ""))):
            changes.languages = split_names(languages)
            any_change = True
        if self._touched("#ed-role"):
            changes.role = self.query_one("#ed-role", Select).value
            any_change = True
        deactivate = False
        if self._touched("#ed-active"):
            if self.query_one("#ed-active", Checkbox).value:
                changes.active = True
                any_change = True
            else:
                deactivate = True
        typed = {name: self.query_one(f"#ed-{name}", Input).value for name in LIMIT_FIELDS}
        base = {name: str(self._base.get(f"#ed-{name}", "")) for name in LIMIT_FIELDS}
        for name, value in limit_changes(typed, base).items():
            setattr(changes, name, value)
            any_change = True
        before, after = self._tags_before, self._tags_now
        changes.offer = tuple(t for t, s in after.items() if s in ("offered", "proposed") and before.get(t) != s)
        changes.pause = tuple(t for t, s in after.items() if s == "paused" and before.get(t) != "paused")
        changes.remove_tags = tuple(t for t, s in after.items() if s == "removed" and t in before)
        any_change = any_change or bool(changes.offer or changes.pause or changes.remove_tags)
        first = self.query_one("#ed-pass1", Input).value
        second = self.query_one("#ed-pass2", Input).value
        passphrase = None
        if first or second:
            if first != second:
                raise Invalid("the two passphrases differ: type the same one in both boxes")
            passphrase = first
        return (changes if any_change else None), passphrase, deactivate

    @on(Button.Pressed, "#ed-save")
    def action_save(self) -> None:
        if self._data is None or self._saving:
            return
        try:
            changes, passphrase, deactivate = self._gather()
        except Invalid as exc:
            self._show_error(str(exc))
            return
        if changes is None and passphrase is None and not deactivate:
            self.dismiss(None)
            self.app.notify("Nothing changed.", timeout=4)
            return
        if not deactivate:
            self._save(changes, passphrase, False)
            return
        person = self._data.person

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._save(changes, passphrase, True)
            else:
                self._show_error(f"{person.handle} stays active; nothing was saved.")

        self.app.push_screen(DeactivateDialog(person.name, person.handle), confirmed)

    def _save(self, changes: PersonChanges | None, passphrase: str | None, deactivate: bool) -> None:
        self._saving = True
        self._show_error("Saving\u2026")
        self.call_core(
            people.save_person, self.app.actor, self._handle, changes, passphrase, deactivate,
            done=self._saved, failed=self._save_failed, group="editor-save",
        )

    def _saved(self, outcome: Saved) -> None:
        """Everything was saved (one transaction: a refusal saves nothing and comes to _save_failed)."""
        self._saving = False
        p = outcome.person
        parts = [f"Saved {p.name} ({p.handle})."]
        if "passphrase" in outcome.steps:
            parts.append("New passphrase set.")
        if "deactivated" in outcome.steps:
            parts.append(f"Deactivated; released from {outcome.released} future shifts.")
        self.dismiss(PersonSaved(p.handle, outcome.steps, " ".join(parts)))

    def _save_failed(self, message: str) -> None:
        self._saving = False
        self._show_error(message)

    def _show_error(self, message: str) -> None:
        if self.is_attached:
            self.query_one("#ed-error", Static).update(message)

    def has_changes(self) -> bool:
        """Something typed or ticked since the person was loaded (their fields fill in after the dialog opens)."""
        fields = ["#ed-name", "#ed-pronouns", "#ed-languages", "#ed-role", "#ed-active"]
        fields += [f"#ed-{name}" for name in LIMIT_FIELDS]
        if self._data is not None and any(self._touched(sel) for sel in fields):
            return True
        typed = any(self.query_one(sel, Input).value for sel in ("#ed-tag-add", "#ed-pass1", "#ed-pass2"))
        return typed or self._tags_now != self._tags_before

    @on(Button.Pressed, "#ed-cancel")
    def action_cancel(self) -> None:
        self.action_back()  # FormDialog: asks before discarding changes


class AddPersonDialog(CoreCalls, FormDialog[Person | None]):
    """Add a person (coordinators): handle, name, role, login, languages, offered tags, limits and a
    passphrase. Returns the new Person.

    escape closes it, asking first when something was typed (FormDialog)."""

    CSS_PATH = "people.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Add", priority=True, id="add_person.save"),
        Binding("escape", "cancel", "Cancel", id="add_person.cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="add-box", classes="dialog-box"):
            yield Static("Add a person", classes="dialog-title")
            with VerticalScroll(id="add-body"):
                yield field_row("Handle", Input(id="add-handle", placeholder="e.g. sam or ana-r"))
                yield field_row("Name", Input(id="add-name"))
                yield field_row(
                    "Role",
                    Select([("volunteer", "volunteer"), ("coordinator", "coordinator")], allow_blank=False,
                           value="volunteer", id="add-role"),
                )
                yield field_row("Pronouns", Input(id="add-pronouns", placeholder="optional"))
                yield field_row("Login", Input(id="add-login", placeholder="their user name on this computer, optional"))
                yield field_row("Languages", Input(id="add-languages", placeholder="comma-separated, e.g. English, Spanish"))
                yield field_row(  # a coordinator only proposes: used once the person accepts (consent)
                    "Propose tags", Input(id="add-tags", placeholder="used once they accept them, comma-separated")
                )
                yield Static("Limits (blank: the line's default)", classes="section-title")
                for name in LIMIT_FIELDS:
                    kind = "integer" if name in INT_LIMITS else "number"
                    yield field_row(LIMIT_LABELS[name], Input(id=f"add-{name}", type=kind, placeholder="default"))
                yield Static("Passphrase (optional: they can sign in with it)", classes="section-title")
                yield field_row("Passphrase", Input(id="add-pass1", password=True, placeholder="at least 8 characters"))
                yield field_row("Again", Input(id="add-pass2", password=True))
            yield Static("", id="add-error", classes="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add (ctrl+s)", id="add-save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="add-cancel", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#add-handle").focus()
        self.reload()

    def reload(self) -> None:
        """Refresh the tag suggestions and the default limits shown; what was typed stays."""
        self.call_core(load_new_person_form, done=self._form_loaded, group="add-load", exclusive=True)

    def _form_loaded(self, form: NewPersonForm) -> None:
        if self.is_attached:
            self.query_one("#add-languages", Input).suggester = ListSuggester(language_names(form.catalog))
            self.query_one("#add-tags", Input).suggester = ListSuggester(offerable_names(form.catalog))
            for name, value in form.defaults.items():
                self.query_one(f"#add-{name}", Input).placeholder = f"default {value}"

    @on(Button.Pressed, "#add-save")
    def action_save(self) -> None:
        value = lambda sel: self.query_one(sel, Input).value  # noqa: E731
        try:
            extra = new_person_fields(
                {name: value(f"#add-{name}") for name in LIMIT_FIELDS},
                login=value("#add-login"), passphrase=value("#add-pass1"), again=value("#add-pass2"),
            )
        except Invalid as exc:
            self.query_one("#add-error", Static).update(str(exc))
            return
        self.query_one("#add-error", Static).update("Adding\u2026")
        self.call_core(
            people.add,
            self.app.actor,
            handle=value("#add-handle").strip(),
            name=value("#add-name"),
            role=self.query_one("#add-role", Select).value,
            pronouns=value("#add-pronouns").strip() or None,
            languages=split_names(value("#add-languages")),
            tags=split_names(value("#add-tags")),
            **extra,
            done=self._added,
            failed=lambda message: self.query_one("#add-error", Static).update(message),
            group="add-save",
        )

    def _added(self, person: Person) -> None:
        self.dismiss(person)

    @on(Button.Pressed, "#add-cancel")
    def action_cancel(self) -> None:
        self.action_back()  # FormDialog: asks before discarding what was typed
