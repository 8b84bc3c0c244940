"""Check (coordinators): the same whole-file check as `warmline check`, run in a worker each time the
screen opens (c runs it again); each finding on its own line as plain text, or "All good"."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll

from warmline.views.check import CheckResult, run_check

from .base import WarmlineScreen
from .plain import Label, Static
from .widgets import KeysFooter, LineHeader


class CheckScreen(WarmlineScreen):
    """The file's integrity and every rota rule, checked: c checks again."""

    TITLE = "Check"
    BINDINGS = [Binding("c", "run_check", "Check again", id="check.run")]

    def __init__(self) -> None:
        super().__init__()
        self.result: CheckResult | None = None
        self.running = False

    def compose(self) -> ComposeResult:
        yield LineHeader()
        yield Label("Check: the file's integrity and every rota rule", classes="section-title")
        yield Static("Checking…", id="check-summary", classes="message")
        with VerticalScroll(id="check-findings"):
            yield Static("", id="check-list")
        yield KeysFooter()

    def reload(self) -> None:
        self.action_run_check()

    def action_run_check(self) -> None:
        if self.running:
            return
        self.running = True
        self.query_one("#check-summary", Static).update("Checking…")
        self.call_core(run_check, self.actor, done=self._show, failed=self._failed, group="check", exclusive=True)

    def _failed(self, message: str) -> None:
        self.running = False
        if self.is_attached:
            self.query_one("#check-summary", Static).update(Text(f"Could not check: {message}"))

    def _show(self, result: CheckResult) -> None:
        self.running = False
        if not self.is_attached:
            return
        self.result = result
        summary = self.query_one("#check-summary", Static)
        summary.update(Text(result.summary(), style="" if result.ok else "bold"))
        summary.set_classes("message" if result.ok else "message -error")
        listing = Text()
        for finding in result.findings:
            if listing:
                listing.append("\n")
            listing.append(f"{finding.label}: ", style="bold" if finding.problem else "")
            listing.append(finding.text)  # data, never markup
        self.query_one("#check-list", Static).update(listing)


__all__ = ["CheckScreen"]
