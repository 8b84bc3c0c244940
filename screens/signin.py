"""Sign-in: a handle and a passphrase, checked by the core in a worker (scrypt is slow on purpose).

Keys typed ahead (a paste, a password manager, a laggy link) must never put the passphrase in
the visible handle box. Textual hands each key to the widget focused when the app reads it, and
an Input acts on Enter only when its own turn comes, by which time the keys after Enter were
already handed to the handle box. So Enter in the handle is a priority binding of this screen:
it runs in the app's loop, in the order the keys arrived, and moves the focus at once; every key
after it goes to the passphrase box whatever the timing. Tab does the same (a password manager
types handle, Tab, passphrase, Enter). The sign-in waits for the handle box to take the keys typed
before that Enter. A paste into the handle box keeps what comes before a tab or a line break;
what follows goes to the passphrase box.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle, Vertical
from textual.screen import Screen

from warmline import access
from warmline.model import Person

from .base import CoreCalls
from .plain import Button, Input, Label, Static
from .widgets import KeysFooter, LineHeader


class HandleInput(Input):
    """The handle box: a paste of "handle<tab>passphrase" (or a line break between them) leaves
    only the handle here and hands the rest to the passphrase box."""

    def _on_paste(self, event: events.Paste) -> None:
        head, sep, rest = event.text.replace("\r\n", "\n").replace("\r", "\n").partition("\t")
        if not sep:
            head, sep, rest = head.partition("\n")
        if not sep:
            return  # Input's own paste handler takes it
        event.prevent_default()  # (Textual calls each class's handler; Input's would take the whole first line)
        event.stop()
        if head:
            self.insert_text_at_cursor(head)
        secret = rest.split("\n", 1)[0].split("\t", 1)[0]  # (a passphrase holds no control character)
        screen = self.screen
        passphrase = screen.query_one("#passphrase", Input)
        screen.set_focus(passphrase)
        if secret:
            passphrase.insert_text_at_cursor(secret)


class SignInScreen(CoreCalls, Screen[Person]):
    """Returns the signed-in Person. A wrong passphrase, or a locked handle, is said in place."""

    AUTO_FOCUS = "#handle"
    # Not in the footer: Enter in the handle box moves on to the passphrase (see the module's note).
    BINDINGS = [
        Binding("enter", "to_passphrase", "Next field", show=False, priority=True, id="signin.next_field"),
        Binding("tab", "to_passphrase", "Next field", show=False, priority=True, id="signin.next_field_tab"),
    ]

    def __init__(self, handle: str = "", message: str = "") -> None:
        """handle and message: a sign-in refused before the app opened (`warmline --as sam` and a
        wrong passphrase at its prompt), shown here with the handle filled in, not a blank screen."""
        super().__init__()
        self._handle_taken = True  # False from an Enter in the handle box until that box took the keys before it
        self._submit_waiting = False
        self._refused_handle = handle
        self._refused_message = message

    def compose(self) -> ComposeResult:
        yield LineHeader()
        with Middle(), Center(), Vertical(id="signin"):
            yield Label("Sign in", classes="dialog-title", id="signin-title")
            yield Label("Handle", classes="form-label")
            yield HandleInput(placeholder="e.g. sam", id="handle", compact=True)
            yield Label("Passphrase", classes="form-label")
            yield Input(password=True, id="passphrase", compact=True)
            yield Static("", id="signin-message", classes="message")
            yield Button("Sign in", id="signin-button", variant="primary", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        if self._refused_handle:
            self.query_one("#handle", Input).value = self._refused_handle
            self._say(self._refused_message)
            self.set_focus(self.query_one("#passphrase", Input))
        elif self.focused is None:  # at once, not later: a key typed meanwhile must find the right box
            self.set_focus(self.query_one("#handle", Input))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "to_passphrase":
            # Enter or Tab in the handle box (or before any box has the focus); elsewhere they do their usual.
            focused = self.focused
            return focused is None or focused.id == "handle"
        return True

    def action_to_passphrase(self) -> None:
        """Move to the passphrase box now, in the order the keys came (not when the handle box gets to its Enter)."""
        self.set_focus(self.query_one("#passphrase", Input))
        handle = self.query_one("#handle", Input)
        self._handle_taken = False
        handle.call_later(self._handle_done)  # queued behind the keys the handle box has still to take

    def _handle_done(self) -> None:
        self._handle_taken = True
        if self._submit_waiting:
            self._submit_waiting = False
            self.submit()

    @on(Input.Submitted, "#passphrase")
    @on(Button.Pressed, "#signin-button")
    def submit(self) -> None:
        """Check the handle and passphrase in a worker."""
        if not self._handle_taken:  # typed ahead: the handle box has keys still to take
            self._submit_waiting = True
            return
        handle = self.query_one("#handle", Input).value.strip()
        secret = self.query_one("#passphrase", Input).value
        if not handle:
            self._say("Type your handle first.")
            self.query_one("#handle", Input).focus()
            return
        button = self.query_one("#signin-button", Button)
        button.disabled = True
        self._say("Checking…", error=False)
        self.call_core(
            access.sign_in, handle, secret, done=self._signed_in, failed=self._refused, group="signin", exclusive=True
        )

    def _signed_in(self, person: Person) -> None:
        self.dismiss(person)

    def _refused(self, message: str) -> None:
        self._say(message)
        self.query_one("#signin-button", Button).disabled = False
        passphrase = self.query_one("#passphrase", Input)
        passphrase.value = ""
        passphrase.focus()

    def _say(self, message: str, *, error: bool = True) -> None:
        widget = self.query_one("#signin-message", Static)
        widget.update(message)
        widget.set_classes("message -error" if error else "message")
