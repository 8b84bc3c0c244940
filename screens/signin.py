"""Sign-in: a handle and a passphrase, checked by the core in a worker (scrypt is slow on purpose)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Middle, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from warmline import access
from warmline.model import Person

from .base import CoreCalls
from .widgets import KeysFooter, LineHeader


class SignInScreen(CoreCalls, Screen[Person]):
    """Returns the signed-in Person. A wrong passphrase, or a locked handle, is said in place."""

    def compose(self) -> ComposeResult:
        yield LineHeader()
        with Middle(), Center(), Vertical(id="signin"):
            yield Label("Sign in", classes="dialog-title", id="signin-title")
            yield Label("Handle", classes="form-label")
            yield Input(placeholder="e.g. sam", id="handle", compact=True)
            yield Label("Passphrase", classes="form-label")
            yield Input(password=True, id="passphrase", compact=True)
            yield Static("", id="signin-message", classes="message")
            yield Button("Sign in", id="signin-button", variant="primary", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#handle", Input).focus()

    @on(Input.Submitted, "#handle")
    def _next_field(self) -> None:
        self.query_one("#passphrase", Input).focus()

    @on(Input.Submitted, "#passphrase")
    @on(Button.Pressed, "#signin-button")
    def submit(self) -> None:
        """Check the handle and passphrase in a worker."""
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
