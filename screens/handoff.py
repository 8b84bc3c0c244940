"""Handoff notes in the app: writing one at the end of a shift, and reading one on the next.

HandoffDialog: a text area checked as you type with the core's own screen (`handoff.screen`:
callers are anonymous, so phone numbers and e-mail addresses are refused); ctrl+s sends it
with `handoff.write_note`. A refusal is shown in place and the note stays as typed, to be fixed.

NoteDialog: one note in full, for someone on the next shift (`a` acknowledges it) or a coordinator.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import TextArea

from warmline import handoff
from warmline.errors import WarmlineError
from warmline.views.handoff import HandoffTarget, check_text, load_target

from .base import CoreCalls
from .form_dialog import FormDialog
from .modal import Dialog
from .plain import Button, Label, Static
from .widgets import KeysFooter


class HandoffDialog(CoreCalls, FormDialog[handoff.HandoffNote | None]):
    """Write the handoff note for `shift_id` (the shift the actor is on). Returns the note sent, or None."""

    BINDINGS = [
        Binding("ctrl+s", "send", "Send", priority=True, id="handoff.send"),
        Binding("escape", "back", "Back", id="handoff.back"),
    ]

    def __init__(self, shift_id: int) -> None:
        super().__init__()
        self.shift_id = shift_id
        self.target: HandoffTarget | None = None
        self.sending = False


    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="handoff-dialog"):
            yield Label(f"Handoff note · shift {self.shift_id}", id="handoff-title", classes="dialog-title")
            yield Static("Loading…", id="handoff-for", classes="dialog-body")
            yield TextArea(id="handoff-text", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
            yield Static("", id="handoff-message", classes="message")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Send (ctrl+s)", id="send", variant="primary", compact=True)
                yield Button("Back (esc)", id="back", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()
        self._check()
        self.call_core(load_target, self.shift_id, done=self._show_target, group="handoff-target")

    def _show_target(self, target: HandoffTarget) -> None:
        self.target = target
        self.query_one("#handoff-title", Label).update(f"Handoff note · {target.label}")
        text = Text()
        if target.next_label:
            text.append("For the next shift, ")
            text.append(target.next_label, style="bold")
            text.append(": ")
            text.append(", ".join(target.readers) or "nobody on it yet (whoever takes a seat will see it)")
        else:
            text.append("No shift follows within 24 hours: the note is kept, but nobody is told.")
        text.append("\nCallers are anonymous: no phone numbers or e-mail addresses. ", style="dim")
        self.query_one("#handoff-for", Static).update(text)

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def _say(self, message: str, *, error: bool = False, ok: bool = False) -> None:
        widget = self.query_one("#handoff-message", Static)
        widget.update(Text(message))
        widget.set_classes("message -error" if error else "message -ok" if ok else "message")

    def _check(self) -> bool:
        sendable, message = check_text(self.text)
        self._say(message, error=not sendable and bool(self.text.strip()), ok=sendable)
        return sendable

    @on(TextArea.Changed)
    def _typed(self, _event: TextArea.Changed) -> None:
        self._check()

    def action_send(self) -> None:
        if self.sending:
            return
        # The core screens again on write: this is only so the refusal shows before the round trip.
        if not self._check():
            self.query_one(TextArea).focus()
            return
        self.sending = True
        self._say("Sending…")
        self.call_core(
            handoff.write_note, self.actor, self.shift_id, self.text, done=self._sent, error=self._refused
        )

    def _sent(self, note: handoff.HandoffNote) -> None:
        self.sending = False
        self.dismiss(note)

    def _refused(self, exc: WarmlineError) -> None:
        """The core said no: say why here, keep the note as typed."""
        self.sending = False
        self._say(f"✗ Not sent: {exc}", error=True)
        self.query_one(TextArea).focus()

    def has_changes(self) -> bool:
        return bool(self.text.strip())  # esc on a written note asks first (FormDialog.action_back)

    @on(Button.Pressed, "#send")
    def _send_pressed(self) -> None:
        self.action_send()

    @on(Button.Pressed, "#back")
    def _back_pressed(self) -> None:
        self.action_back()


class NoteDialog(Dialog[bool]):
    """One handoff note in full. Returns True when its reader chose to acknowledge it (`a`)."""

    BINDINGS = [
        Binding("a", "answer(True)", "Acknowledge", id="note.acknowledge"),
        Binding("escape", "answer(False)", "Close", id="note.close"),
    ]

    def __init__(self, note: handoff.HandoffNote, *, reader: bool, tz) -> None:
        super().__init__()
        self.note = note
        self.reader = reader
        self.tz = tz

    def compose(self) -> ComposeResult:
        n = self.note
        with Vertical(classes="dialog", id="note-dialog"):
            yield Label(f"Handoff note from {n.author_name}", classes="dialog-title")
            about = f"Written {n.created_at.astimezone(self.tz):%a %H:%M} on {n.shift_label}"
            if n.next_label:
                about += f", for {n.next_label}"
            yield Static(about, classes="message")
            with VerticalScroll(id="note-scroll"):
                yield Static(Text(n.body), id="note-body")
            me = getattr(self.app, "actor", None)
            waiting = ", ".join("you" if me and r.person_id == me.id else r.handle for r in n.unacked)
            yield Static(
                f"Not acknowledged yet by: {waiting}" if waiting else "Everyone on the next shift has acknowledged it.",
                id="note-readers",
                classes="message",
            )
            with Horizontal(classes="dialog-buttons"):
                if self.reader:
                    yield Button("Acknowledge (a)", id="ack", variant="primary", compact=True)
                yield Button("Close (esc)", id="close", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#note-scroll").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "answer" and parameters == (True,):
            return self.reader
        return True

    def action_answer(self, value: bool) -> None:
        self.dismiss(value and self.reader)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "ack")


__all__ = ["HandoffDialog", "NoteDialog"]
