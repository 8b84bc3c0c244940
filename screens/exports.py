"""Exports (everyone): my shifts as a calendar file; for coordinators also someone's shifts, the calendar
feeds for everyone (a folder), and the rota or the hours as a spreadsheet (CSV, optionally for Excel).

The file goes where the person types (a bare name goes in their Downloads folder, else their home);
a file already there is replaced only after a question that opens on "Keep it". The export itself is
warmline/views/exports.py's, through the same core calls as `warmline export ics|csv` (the same checks,
contents, modes and atomic writes). The app writes files only for a person whose login is the OS user
running it (on a shared host account it says why not). Calendar files hold no tags.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.suggester import SuggestFromList

from warmline.errors import Invalid, WarmlineError
from warmline.views.exports import (
    BY_KEY, Exported, ExportsSetup, Kind, default_dir, default_path, export, kinds_for, load_setup, replaces, target,
)

from .base import WarmlineScreen
from .confirm import ConfirmDialog, DiscardDialog
from .fields import field_row
from .plain import Button, Input, Label, Option, OptionList, Static, shown
from .shift_form import DayBox
from .widgets import KeysFooter, LineHeader

INPUTS = ("#ex-person", "#ex-from", "#ex-to", "#ex-path")


class ExportsScreen(WarmlineScreen):
    """Choose an export and where it goes: ctrl+s exports, esc goes back."""

    TITLE = "Exports"
    BINDINGS = [
        Binding("ctrl+s", "export", "Export", priority=True, id="exports.export"),
        Binding("escape", "back", "Back", id="exports.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.kind: Kind = BY_KEY["mine"]
        self.offered: dict[str, str] = {}  # each field's value as offered, to tell what was typed
        self.busy = False
        self.refusal: str | None = None  # why the app writes no files for this person ("" when it does)

    def compose(self) -> ComposeResult:
        kinds = kinds_for(self.actor)
        yield LineHeader()
        yield Label("Exports", classes="section-title")
        with VerticalScroll(id="ex-body"):
            yield OptionList(*[Option(k.title, id=k.key) for k in kinds], id="ex-kinds")
            yield field_row("Whose (handle)", Input(id="ex-person", placeholder="e.g. sam"))
            with Horizontal(classes="field-row", id="ex-dates"):
                yield Label("From", classes="field-label")
                yield Input(id="ex-from", placeholder="YYYY-MM-DD", compact=True)
                yield Label("To", classes="field-label ex-to-label")
                yield Input(id="ex-to", placeholder="YYYY-MM-DD", compact=True)
            yield field_row("For Excel", DayBox("byte-order mark, CRLF line ends", id="ex-excel", compact=True))
            yield field_row("Save to", Input(id="ex-path"))
            yield Static(f"A name alone is saved in {default_dir()}; ~ is your home folder.", id="ex-where",
                         classes="field-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export (ctrl+s)", id="ex-export", variant="primary", compact=True)
                yield Button("Back (esc)", id="ex-back", compact=True)
            yield Static("", id="ex-message", classes="message")
        yield KeysFooter()

    def on_mount(self) -> None:
        kinds = self.query_one("#ex-kinds", OptionList)
        kinds.highlighted = 0
        kinds.focus()
        self._choose(kinds_for(self.actor)[0])
        for selector in INPUTS:
            self.offered.setdefault(selector, self.query_one(selector, Input).value)

    def reload(self) -> None:
        self.call_core(load_setup, self.actor, done=self._setup_read, group="exports-load", exclusive=True)

    def _setup_read(self, setup: ExportsSetup) -> None:
        if not self.is_attached:
            return
        refusal = setup.refusal
        if setup.handles:
            self.query_one("#ex-person", Input).suggester = SuggestFromList([shown(h) for h in setup.handles])
        if refusal:
            self.say(refusal, error=True)
        elif self.refusal:
            self.say("")
        self.refusal = refusal
        self.query_one("#ex-export", Button).disabled = bool(refusal)
        self.refresh_bindings()  # ctrl+s greyed with the button

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "export" and self.refusal:
            return None  # the app writes no file for this person: shown greyed, as the button is
        return True

    # -- the form

    def _choose(self, kind: Kind) -> None:
        path = self.query_one("#ex-path", Input)
        if not self._touched("#ex-path"):  # the offered path follows the kind; a typed one stays
            path.value = default_path(kind, self.query_one("#ex-person", Input).value.strip())
            self.offered["#ex-path"] = path.value
        self.kind = kind
        self.query_one("#ex-person").parent.display = kind.person  # type: ignore[union-attr]
        self.query_one("#ex-dates").display = kind.dates
        self.query_one("#ex-excel").parent.display = kind.excel  # type: ignore[union-attr]

    def _touched(self, selector: str) -> bool:
        return selector in self.offered and self.query_one(selector, Input).value != self.offered[selector]

    @property
    def unsaved(self) -> bool:
        return any(self._touched(s) for s in INPUTS)

    @on(OptionList.OptionHighlighted, "#ex-kinds")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id in BY_KEY:
            self._choose(BY_KEY[event.option.id])

    @on(OptionList.OptionSelected, "#ex-kinds")
    def _selected(self, _event: OptionList.OptionSelected) -> None:
        self.focus_next()

    @on(Input.Changed, "#ex-person")
    def _person_typed(self, event: Input.Changed) -> None:
        if self.kind.person and not self._touched("#ex-path"):
            path = self.query_one("#ex-path", Input)
            path.value = default_path(self.kind, event.value.strip())
            self.offered["#ex-path"] = path.value

    def say(self, message: str, *, error: bool = False) -> None:
        widget = self.query_one("#ex-message", Static)
        widget.update(message)
        widget.set_classes("message -error" if error else "message")

    # -- exporting

    @on(Button.Pressed, "#ex-export")
    def action_export(self) -> None:
        if self.busy:
            return
        if self.refusal:
            self.say(self.refusal, error=True)
            return
        kind = self.kind
        try:
            path = target(self.query_one("#ex-path", Input).value, kind)
            if kind.person and not self.query_one("#ex-person", Input).value.strip():
                raise Invalid("whose shifts? Type their handle")
        except Invalid as exc:
            self.say(f"✗ Not exported: {exc}", error=True)
            return
        if replaces(path, kind):
            self.app.push_screen(
                ConfirmDialog(
                    "Replace the file?", f"{path} is already there. Replace it with this export?",
                    yes="Replace", no="Keep it",
                ),
                lambda yes: self._write(kind, path) if yes else self.say("Kept the file that was there: nothing written."),
            )
            return
        self._write(kind, path)

    def _write(self, kind: Kind, path: Path) -> None:
        self.busy = True
        self.say("Exporting…")
        self.call_core(
            export, self.actor, kind.key, path,
            person=self.query_one("#ex-person", Input).value,
            start=self.query_one("#ex-from", Input).value,
            finish=self.query_one("#ex-to", Input).value,
            excel=self.query_one("#ex-excel", DayBox).value,
            done=self._exported, error=self._refused, group="export",
        )

    def _exported(self, done: Exported) -> None:
        self.busy = False
        for selector in INPUTS:  # what was exported is not "unsaved"
            self.offered[selector] = self.query_one(selector, Input).value
        self.say(f"✓ {done.said}")
        self.app.notify(done.said, timeout=6)

    def _refused(self, exc: WarmlineError) -> None:
        self.busy = False
        self.say(f"✗ Not exported: {exc}", error=True)

    # -- leaving

    @on(Button.Pressed, "#ex-back")
    def action_back(self) -> None:
        if not self.unsaved:
            self.app.action_go("home")
            return

        def answered(discard: bool | None) -> None:
            if discard:
                for selector in INPUTS:
                    self.query_one(selector, Input).value = self.offered.get(selector, "")
                self.app.action_go("home")

        self.app.push_screen(DiscardDialog("What you typed for this export has not been used."), answered)


__all__ = ["ExportsScreen"]
