"""My profile (everyone, for themself): the experiences I offer (and those proposed to me, to accept or
decline), my consent history, my details and limits, my passphrase."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.suggester import SuggestFromList

from warmline import consent, people
from warmline.errors import Invalid
from warmline.model import Person
from warmline.people import LIMIT_FIELDS, PersonChanges
from warmline.taxonomy import Resolver
from warmline.views.people import (
    INT_LIMITS,
    LIMIT_LABELS,
    STATE_TEXT,
    PersonLoaded,
    language_text,
    limit_changes,
    load_person,
    same_names,
    split_names,
)
from warmline.views.consent import history_lines

from .base import WarmlineScreen
from .fields import Baseline, ListSuggester, field_row, language_names, offerable_names
from .plain import Button, Input, Static
from .tag_table import TagTable
from .widgets import KeysFooter, LineHeader

TAGS_BLURB = (
    "Experiences you choose to offer for matching; pause any at any time "
    "(\u201cnot those calls this month\u201d). Only you and coordinators can see them."
)
NO_TAGS = "You offer no experiences for matching yet. That is fine; add one below whenever you choose."
PROPOSED_TEXT = "proposed to you: a accepts, d declines"
HISTORY_BLURB = (
    "Every experience proposed to you, accepted, declined, offered, paused or removed, and when. "
    "Only you and coordinators can read it."
)
MY_SETTINGS_HINT = "When you can take shifts, your time off and how you are notified: s opens My settings."
NO_HISTORY = "Nothing yet: no experience was proposed to you, offered or paused."


class ProfileScreen(Baseline, WarmlineScreen):
    """My profile: the experiences I offer (space pauses or offers, x removes, at once; a coordinator's
    proposal waits for me: a accepts it, d declines it), my consent history, my details and limits
    (ctrl+s saves; a volunteer may lower limits, not raise them), and my passphrase."""

    CSS_PATH = "people.tcss"
    TITLE = "My profile"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", tooltip="Save your details", priority=True, id="profile.save"),
        Binding("a", "accept", "Accept proposal", id="profile.accept"),
        Binding("d", "decline", "Decline proposal", id="profile.decline"),
        Binding("s", "my_settings", "My settings", tooltip="Availability, time off, notifications", id="profile.my_settings"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._data: PersonLoaded | None = None
        self._tags: dict[str, str] = {}
        self._init_baseline()

    def compose(self) -> ComposeResult:
        yield LineHeader()
        yield Static("My profile", id="pr-title", classes="screen-title")
        with VerticalScroll(id="profile-body"):
            yield Static(MY_SETTINGS_HINT, classes="field-hint")
            yield Static("Experiences you offer", classes="section-title")
            yield Static(TAGS_BLURB, classes="blurb")
            yield Static("space offers or pauses the one under the cursor \u00b7 x removes it", classes="field-hint")
            yield TagTable(id="pr-tags")
            yield field_row("Add", Input(id="pr-tag-add", placeholder="type an experience; \u2192 accepts, enter adds"))
            yield Static("", id="pr-tags-message", classes="form-message")
            yield Static("", id="pr-proposals", classes="field-hint")
            yield Static("Your consent history", classes="section-title")
            yield Static(HISTORY_BLURB, classes="blurb")
            yield Static("", id="pr-history")
            yield Static("Details", classes="section-title")
            yield field_row("Name", Input(id="pr-name"))
            yield field_row("Pronouns", Input(id="pr-pronouns", placeholder="optional, e.g. they/them"))
            yield field_row("Languages", Input(id="pr-languages", placeholder="comma-separated, e.g. English, Spanish"))
            yield Static("", id="pr-limits-hint", classes="field-hint")
            for name in LIMIT_FIELDS:
                kind = "integer" if name in INT_LIMITS else "number"
                yield field_row(LIMIT_LABELS[name], Input(id=f"pr-{name}", type=kind))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save details (ctrl+s)", id="pr-save", variant="primary", compact=True)
            yield Static("", id="pr-details-message", classes="form-message")
            yield Static("Passphrase", classes="section-title")
            yield field_row("Current", Input(id="pr-pass0", password=True, placeholder="the one you sign in with"))
            yield field_row("New", Input(id="pr-pass1", password=True, placeholder="at least 8 characters"))
            yield field_row("Again", Input(id="pr-pass2", password=True))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Change passphrase", id="pr-pass-save", compact=True)
            yield Static("", id="pr-pass-message", classes="form-message")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#pr-tags").focus()

    # -- loading

    def reload(self) -> None:
        """Re-read my details and tags; fields I have typed in keep what I typed."""
        actor = self.app.actor
        self.call_core(
            load_person, actor, actor.handle, done=self._loaded, failed=self._load_failed,
            group="profile-load", exclusive=True,
        )
        self.call_core(
            history_lines, actor, done=self._history_loaded, failed=self._history_loaded_failed,
            group="profile-history", exclusive=True,
        )

    def _history_loaded(self, lines: list[tuple[str, str, str]]) -> None:
        if self.is_attached:
            text = "\n".join(f"{when}  {label}: {what}" for when, label, what in lines) or NO_HISTORY
            self.query_one("#pr-history", Static).update(text)

    def _history_loaded_failed(self, message: str) -> None:
        if self.is_attached:
            self.query_one("#pr-history", Static).update(f"Could not load your consent history: {message}")

    def _load_failed(self, message: str) -> None:
        if self.is_attached:
            self.query_one("#pr-details-message", Static).update(f"Could not load your profile: {message}")

    def _loaded(self, data: PersonLoaded) -> None:
        if not self.is_attached:
            return
        first = self._data is None
        self._data = data
        p = data.person
        self.query_one("#pr-title", Static).update(f"My profile \u2014 {p.name} ({p.handle}), {p.role}")
        self._refresh_field("#pr-name", p.name)
        self._refresh_field("#pr-pronouns", p.pronouns or "")
        self._refresh_field("#pr-languages", language_text(p, data.catalog))
        limits = p.limits(data.line)
        for name in LIMIT_FIELDS:
            self._refresh_field(f"#pr-{name}", f"{getattr(limits, name):g}")
        hint = (
            "Limits protect you. You can lower them, or lengthen your rest, at any time; "
            "to raise them, ask a coordinator."
            if not data.viewer.is_coordinator
            else "Limits protect you from overload."
        )
        self.query_one("#pr-limits-hint", Static).update(hint)
        self._tags = dict(data.tags)
        self._show_tags()
        if first:
            self.query_one("#pr-tag-add", Input).suggester = SuggestFromList(
                offerable_names(data.catalog), case_sensitive=False
            )
            self.query_one("#pr-languages", Input).suggester = ListSuggester(language_names(data.catalog))

    def _label(self, tag_id: str) -> tuple[str, str]:
        for tag in self._data.catalog if self._data else ():
            if tag.id == tag_id:
                return tag.label, tag.family
        return tag_id, ""

    def _show_tags(self) -> None:
        rows = [(t, (*self._label(t), PROPOSED_TEXT if s == "proposed" else STATE_TEXT[s])) for t, s in self._tags.items()]
        rows.sort(key=lambda r: r[1][0])
        self.query_one("#pr-tags", TagTable).set_rows(rows)
        waiting = sum(1 for s in self._tags.values() if s == "proposed")
        self.query_one("#pr-proposals", Static).update(
            f"{waiting} proposed by a coordinator, waiting for you: on one, a accepts it (it is then used for "
            "matching), d declines it (it leaves your profile)." if waiting else ""
        )
        self.refresh_bindings()
        message = self.query_one("#pr-tags-message", Static)
        if not rows:
            message.update(NO_TAGS)
        elif str(message.content) == NO_TAGS:
            message.update("")

    # -- tags: each change is saved at once

    def _tag_change(self, changes: PersonChanges, message: str) -> None:
        actor = self.app.actor

        def done(_: Person) -> None:
            self.query_one("#pr-tags-message", Static).update(message)
            self.reload()

        self.call_core(
            people.edit, actor, actor.handle, changes, done=done,
            failed=lambda m: self.query_one("#pr-tags-message", Static).update(m), group="profile-tags",
        )

    # -- proposals: a accepts, d declines the one under the cursor

    def _proposal_under_cursor(self) -> str | None:
        table = self.query_one("#pr-tags", TagTable)
        key = table.cursor_key
        if table.has_focus and key is not None and self._tags.get(key) == "proposed":
            return key
        self.query_one("#pr-tags-message", Static).update(
            "Move to an experience proposed to you in the list above, then a accepts it or d declines it."
        )
        return None

    def action_my_settings(self) -> None:
        """Your availability, time off and notification settings (My settings)."""
        self.app.action_go("my_settings")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("accept", "decline"):  # shown while something waits for me
            return "proposed" in self._tags.values()
        return True

    def _consent(self, fn, tag_id: str, message: str) -> None:
        actor = self.app.actor

        def done(_) -> None:
            self.query_one("#pr-tags-message", Static).update(message)
            self.reload()

        self.call_core(
            fn, actor, tag_id, done=done,
            failed=lambda m: self.query_one("#pr-tags-message", Static).update(m), group="profile-tags",
        )

    def action_accept(self) -> None:
        tag_id = self._proposal_under_cursor()
        if tag_id is not None:
            label = self._label(tag_id)[0]
            self._consent(consent.accept, tag_id, f"Accepted {label}: it is used for matching from now on.")

    def action_decline(self) -> None:
        tag_id = self._proposal_under_cursor()
        if tag_id is not None:
            label = self._label(tag_id)[0]
            self._consent(consent.decline, tag_id, f"Declined {label}: it is not on your profile.")

    @on(TagTable.Toggled, "#pr-tags")
    def _toggle(self, event: TagTable.Toggled) -> None:
        label = self._label(event.tag_id)[0]
        if self._tags.get(event.tag_id) == "proposed":
            self._consent(consent.accept, event.tag_id, f"Accepted {label}: it is used for matching from now on.")
        elif self._tags.get(event.tag_id) == "offered":
            self._tag_change(
                PersonChanges(pause=(event.tag_id,)),
                f"Paused {label}: you will not be matched for it until you offer it again (space).",
            )
        else:
            self._tag_change(PersonChanges(offer=(event.tag_id,)), f"Offering {label} for matching again.")

    @on(TagTable.Removed, "#pr-tags")
    def _remove(self, event: TagTable.Removed) -> None:
        label = self._label(event.tag_id)[0]
        self._tag_change(
            PersonChanges(remove_tags=(event.tag_id,)),
            f"Removed {label}. You can add it again below at any time.",
        )

    @on(Input.Submitted, "#pr-tag-add")
    def _add_tag(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text or self._data is None:
            return
        message = self.query_one("#pr-tags-message", Static)
        try:
            tag = Resolver(self._data.catalog).resolve(text)
        except Invalid as exc:
            message.update(str(exc))  # the core would say the same; no need to ask it
            return
        if tag.family == "language":
            message.update(f"{tag.label} is a language: add it under Languages in Details below.")
            return
        event.input.value = ""
        self._tag_change(PersonChanges(offer=(tag.id,)), f"Now offering {tag.label} for matching.")

    # -- details

    @on(Button.Pressed, "#pr-save")
    def action_save(self) -> None:
        if self._data is None:
            return
        message = self.query_one("#pr-details-message", Static)
        changes = PersonChanges()
        any_change = False
        try:
            for name in ("name", "pronouns"):
                if self._touched(f"#pr-{name}"):
                    setattr(changes, name, self.query_one(f"#pr-{name}", Input).value)
                    any_change = True
            languages = self.query_one("#pr-languages", Input).value
            if not same_names(languages, str(self._base.get("#pr-languages", ""))):
                changes.languages = split_names(languages)
                any_change = True
            typed = {name: self.query_one(f"#pr-{name}", Input).value for name in LIMIT_FIELDS}
            base = {name: str(self._base.get(f"#pr-{name}", "")) for name in LIMIT_FIELDS}
            for name, value in limit_changes(typed, base).items():
                setattr(changes, name, value)
                any_change = True
        except Invalid as exc:
            message.update(str(exc))
            return
        if not any_change:
            message.update("Nothing to save: your details are as shown.")
            return
        actor = self.app.actor
        message.update("Saving\u2026")

        def done(_: Person) -> None:
            message.update("Saved.")
            self._adopt_typed()
            self.reload()

        self.call_core(people.edit, actor, actor.handle, changes, done=done, failed=message.update, group="profile-save")

    def _adopt_typed(self) -> None:
        """After a save, what is typed is what is stored: make it the baseline."""
        for selector in ("#pr-name", "#pr-pronouns", "#pr-languages", *(f"#pr-{n}" for n in LIMIT_FIELDS)):
            self._base[selector] = self.query_one(selector, Input).value

    # -- passphrase

    @on(Button.Pressed, "#pr-pass-save")
    def _change_passphrase(self) -> None:
        message = self.query_one("#pr-pass-message", Static)
        current = self.query_one("#pr-pass0", Input)
        first = self.query_one("#pr-pass1", Input)
        second = self.query_one("#pr-pass2", Input)
        if first.value != second.value:
            message.update("The two passphrases differ: type the same one in both boxes.")
            return
        if not first.value:
            message.update("Type a new passphrase twice, then choose Change passphrase.")
            return
        actor = self.app.actor

        def done(_: None) -> None:
            current.value = first.value = second.value = ""
            message.update("Passphrase changed. Use it next time you sign in.")

        message.update("Changing\u2026")
        self.call_core(
            people.set_passphrase, actor, actor.handle, first.value, current=current.value or None,
            done=done, failed=message.update, group="profile-pass",
        )
