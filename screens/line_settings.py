"""Line settings (coordinators): the line's name, escalation text, drop cut-off and swap approval.

ctrl+s saves what was changed with the core's line.change_settings (coordinators only, checked there;
one transaction); a refusal is said under the form, the fields keep what was typed and nothing is
changed. After a save the header on every screen shows the new name and escalation text (the app
reloads the line). Esc with unsaved changes asks "Discard your changes?" (opening on Keep editing);
enter never saves.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Switch

from warmline import line
from warmline.errors import Invalid, WarmlineError
from warmline.line import MAX_CUTOFF_HOURS, LineSettings, SettingsChange
from warmline.views.line_settings import load_settings, typed_changes

from .base import WarmlineScreen
from .confirm import DiscardDialog
from .fields import Baseline, field_row
from .plain import Button, Input, Static
from .widgets import KeysFooter, LineHeader

BLURB = (
    "The escalation text is shown at the top of every screen: the one thing a peer must never have to look for. "
    "A drop within the cut-off asks for cover (the person stays on until someone takes the seat); "
    "an earlier drop reopens the seat."
)
SAID = {
    "name": "the name",
    "escalation": "the escalation text",
    "drop_cutoff_hours": "the drop cut-off",
    "swaps_need_approval": "swap approval",
}
FIELDS = ("#ls-name", "#ls-escalation", "#ls-cutoff", "#ls-approval")


class LineSettingsScreen(Baseline, WarmlineScreen):
    """The line's settings, for coordinators: ctrl+s saves, esc goes back (asking first when something changed)."""

    CSS_PATH = "line_settings.tcss"
    TITLE = "Line settings"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save settings", priority=True, id="line_settings.save"),
        Binding("escape", "back", "Back", id="line_settings.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loaded: LineSettings | None = None
        self.saving = False
        self._init_baseline()

    def compose(self) -> ComposeResult:
        yield LineHeader()
        yield Static("Line settings", id="ls-title", classes="screen-title")
        with VerticalScroll(id="ls-body"):
            yield Static(BLURB, classes="blurb")
            yield field_row("Name", Input(id="ls-name"))
            yield field_row("Escalation text", Input(id="ls-escalation", placeholder="e.g. In crisis? Call or text 988"))
            yield field_row(
                "Drop cut-off (hours)", Input(id="ls-cutoff", type="integer"), f"0 to {MAX_CUTOFF_HOURS}"
            )
            yield field_row("Swaps need approval", Switch(id="ls-approval"), "a coordinator approves each accepted swap")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="ls-save", variant="primary", compact=True)
                yield Button("Back (esc)", id="ls-back", compact=True)
            yield Static("", id="ls-message", classes="form-message")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#ls-name", Input).focus()

    # -- loading

    def reload(self) -> None:
        """Re-read the settings; a field someone has typed in keeps what they typed."""
        self.call_core(load_settings, done=self._loaded, failed=self._say, group="line-settings-load", exclusive=True)

    def _loaded(self, settings: LineSettings) -> None:
        if not self.is_attached:
            return
        self.loaded = settings
        self._refresh_field("#ls-name", settings.name)
        self._refresh_field("#ls-escalation", settings.escalation)
        self._refresh_field("#ls-cutoff", str(settings.drop_cutoff_hours))
        self._refresh_field("#ls-approval", settings.swaps_need_approval)

    # -- what was typed

    def _typed(self) -> dict:
        """The core's arguments for what differs from the settings loaded (Invalid for a bad cut-off)."""
        assert self.loaded is not None
        return typed_changes(
            self.loaded,
            name=self.query_one("#ls-name", Input).value,
            escalation=self.query_one("#ls-escalation", Input).value,
            cutoff=self.query_one("#ls-cutoff", Input).value,
            approval=self.query_one("#ls-approval", Switch).value,
        )

    @property
    def unsaved(self) -> bool:
        """True when a field differs from what was loaded (or saved)."""
        return any(self._touched(selector) for selector in FIELDS)

    def _say(self, message: str, *, error: bool = False) -> None:
        widget = self.query_one("#ls-message", Static)
        widget.update(message)
        widget.set_classes("form-message -error" if error else "form-message")

    # -- saving

    @on(Button.Pressed, "#ls-save")
    def action_save(self) -> None:
        if self.loaded is None or self.saving:
            return
        try:
            changes = self._typed()
        except Invalid as exc:
            self._say(f"✗ Not saved: {exc}", error=True)
            return
        if not changes:
            self._say("Nothing to save: the settings are as shown.")
            return
        self.saving = True
        self._say("Saving…")
        self.call_core(
            line.change_settings, self.actor, **changes, done=self._saved, error=self._refused, group="line-settings-save"
        )

    def _saved(self, done: SettingsChange) -> None:
        self.saving = False
        for selector in FIELDS:  # what is typed is what is stored now
            self._base.pop(selector, None)
        self._loaded(done.settings)
        said = ", ".join(SAID[field] for field in done.changed)
        self._say(f"✓ Saved {said}." if said else "Nothing changed: the settings were already so.")
        self.app.data_changed()  # the header on every screen shows the new name and escalation text

    def _refused(self, exc: WarmlineError) -> None:
        """The core said no: say why here; the fields keep what was typed, nothing was changed."""
        self.saving = False
        self._say(f"✗ Not saved: {exc}", error=True)

    # -- leaving

    @on(Button.Pressed, "#ls-back")
    def action_back(self) -> None:
        if not self.unsaved:
            self.app.action_go("home")
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self._base.clear()
                if self.loaded is not None:
                    self._loaded(self.loaded)  # the fields show the stored settings again
                self._say("")
                self.app.action_go("home")

        self.app.push_screen(DiscardDialog("The line's settings have not been saved."), answered)


__all__ = ["LineSettingsScreen"]
