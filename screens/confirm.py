"""Simple questions: yes or no (ConfirmDialog), or one of a few choices (ChoiceDialog), and "Discard your
changes?" (DiscardDialog), which every dialog with typed input asks through FormDialog (screens/form_dialog.py).

Every question opens on its safe answer: enter never drops, cancels, removes or discards anything.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical

from .modal import Dialog
from .plain import Button, Label, Option, OptionList, Static
from .widgets import KeysFooter


class ConfirmDialog(Dialog[bool]):
    """A yes/no question. Returns True for yes.

    It opens on no, the safe answer (keep the shift, don't override, keep editing): enter never does
    what the question is about; y, or moving to the yes button, does.
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
        Binding("escape", "answer(False)", "Back", id="confirm.back"),
    ]

    def __init__(self, title: str, body: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.body, classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="primary", compact=True)
                yield Button(f"{self.no} (n)", id="no", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class DiscardDialog(ConfirmDialog):
    """Discard your changes? (y discards; it opens on Keep editing, so enter keeps what was typed)."""

    def __init__(self, body: str = "What you typed has not been saved.") -> None:
        super().__init__("Discard your changes?", body, yes="Discard", no="Keep editing")


class ChoiceDialog(Dialog[str | None]):
    """Pick one of a few choices (arrows and enter). Returns the choice's value, or None when backed out.

    `default` is the value highlighted when it opens (the first choice without it): a question with a
    destructive choice opens on its safe one (e.g. "Keep it"), so enter alone never cancels anything.
    """

    BINDINGS = [Binding("escape", "back", "Back", id="choice.back")]

    def __init__(
        self, title: str, choices: list[tuple[str, str]], *, body: str = "", default: str | None = None
    ) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.choices = choices
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="choice-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.body:
                yield Static(self.body, classes="dialog-body")
            yield OptionList(*[Option(label, id=value) for value, label in self.choices], id="choices")
        yield KeysFooter()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        values = [value for value, _label in self.choices]
        if self.default is not None and self.default in values:
            options.highlighted = values.index(self.default)
        options.focus()

    def action_back(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
