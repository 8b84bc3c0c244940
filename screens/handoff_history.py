"""Handoff history (everyone): the handoff notes a person may read from the last 90 days, acknowledged
ones included, newest first, with who acknowledged each and when.

Home lists only the notes waiting for you; once acknowledged they leave it, and this is where they stay.
What a person sees is the core's rule (`handoff.history`, `handoff.may_read`): notes they wrote and notes
for the shifts they were on next; a coordinator sees every note. Enter reads a note in full; `a`, here or
there, acknowledges one still waiting for you. A note is user text: shown as data, never markup.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll

from warmline import handoff
from warmline.recurrence import zone
from warmline.views.handoff import HandoffHistory, HistoryEntry, load_history

from .base import WarmlineScreen
from .plain import Static
from .table import KeyTable
from .widgets import KeysFooter, LineHeader


class HandoffHistoryScreen(WarmlineScreen):
    """Your handoff notes, read and unread, newest first; the one under the cursor in full below."""

    TITLE = "Handoff history"
    BINDINGS = [
        Binding("a", "ack", "Acknowledge", tooltip="Acknowledge the selected note (it waits for you)",
                id="handoff_history.ack"),
    ]
    COLUMNS = (("Written", "written"), ("From", "from"), ("For the shift", "for"), ("Status", "status"))

    def __init__(self) -> None:
        super().__init__(name="handoff_history")
        self.history: HandoffHistory | None = None

    def compose(self) -> ComposeResult:
        yield LineHeader()
        yield Static("Handoff history", id="hh-title", classes="screen-title")
        with Vertical(id="hh-body"):
            yield Static("Loading\u2026", id="hh-summary")
            yield KeyTable(self.COLUMNS, shrink=("for", "status", "from"), id="hh-table")
            with VerticalScroll(id="hh-detail"):
                yield Static("", id="hh-note")
        yield Static("", id="hh-message", classes="message")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#hh-table").focus()

    # -- loading

    def reload(self) -> None:
        self.call_core(load_history, self.actor, done=self._show, failed=self._failed, group="hh-load", exclusive=True)

    def _failed(self, message: str) -> None:
        if self.is_attached:
            self._say(f"Could not read the handoff notes: {message}", error=True)

    def _show(self, history: HandoffHistory) -> None:
        if not self.is_attached:
            return
        self.history = history
        rows = [
            (
                str(e.id),
                [e.written, Text(e.author), e.for_shift, Text(e.status, style="bold" if e.to_ack else "")],
            )
            for e in history.entries
        ]
        self.query_one("#hh-table", KeyTable).set_rows(rows)
        self.query_one("#hh-summary", Static).update(history.summary)
        self._detail()
        self.refresh_bindings()

    # -- the note under the cursor

    def current(self) -> HistoryEntry | None:
        """The note under the cursor."""
        if self.history is None:
            return None
        return self.history.find(self.query_one("#hh-table", KeyTable).cursor_key)

    def _detail(self) -> None:
        entry = self.current()
        shown = self.query_one("#hh-note", Static)
        if entry is None:
            shown.update("")
            return
        text = Text()
        text.append(f"Written {entry.written} by ")
        text.append(entry.author, style="bold")
        text.append(f" on {entry.shift}, for {entry.for_shift}.\n")
        if entry.acks:
            text.append(entry.acks[0].upper() + entry.acks[1:] + ".\n", style="dim")
        text.append("\n")
        text.append(entry.body)  # user text: appended as data, never parsed as markup
        shown.update(text)

    @on(KeyTable.RowHighlighted, "#hh-table")
    def _highlighted(self, _event: KeyTable.RowHighlighted) -> None:
        self._detail()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "ack":
            entry = self.current()
            return True if entry is not None and entry.to_ack else None  # shown, greyed, when none waits
        return True

    def action_ack(self) -> None:
        entry = self.current()
        if entry is None or not entry.to_ack:
            self._say("Only the people on the next shift acknowledge a note: select one that waits for you.", error=True)
            return
        self._ack(entry)

    def _ack(self, entry: HistoryEntry) -> None:
        self.call_core(handoff.ack, self.actor, entry.id, done=lambda _n: self._acked(entry), failed=self._refused)

    @on(KeyTable.RowSelected, "#hh-table")
    def _selected(self, _event: KeyTable.RowSelected) -> None:
        entry = self.current()
        if entry is None or self.history is None:
            return
        from .handoff import NoteDialog

        def answered(ack: bool | None) -> None:
            if ack:
                self._ack(entry)

        self.app.push_screen(NoteDialog(entry.note, reader=entry.to_ack, tz=zone(self.history.tz)), answered)

    def _acked(self, entry: HistoryEntry) -> None:
        self._say(f"Acknowledged {entry.author}'s handoff note.")
        self.app.data_changed()  # reloads this screen, and Home's notes waiting for you

    def _refused(self, message: str) -> None:
        self._say(message, error=True)

    def _say(self, message: str, *, error: bool = False) -> None:
        widget = self.query_one("#hh-message", Static)
        widget.update(Text(message))
        widget.set_classes("message -error" if error else "message -ok")


__all__ = ["HandoffHistoryScreen"]
