"""The assign picker: everyone who could take a seat on a shift, eligible first, with their hours."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical

from warmline import rota
from warmline.model import Line
from warmline.recurrence import zone
from warmline.views import words as labels
from warmline.views.shift import load_candidates

from .base import CoreCalls
from .modal import Dialog
from .plain import Label, Static
from .table import KeyTable
from .widgets import KeysFooter


@dataclass(frozen=True)
class AssignChoice:
    """Who to put on a shift, and in which seat."""

    handle: str
    role: str = "peer"


class AssignDialog(CoreCalls, Dialog[AssignChoice | None]):
    """Everyone who could take a seat: eligible first, with hours this week against their limit."""

    BINDINGS = [
        Binding("enter", "pick('peer')", "Assign as peer", priority=True, id="assign.peer"),
        Binding("b", "pick('backup')", "Assign as backup", id="assign.backup"),
        Binding("escape", "back", "Back", id="assign.back"),
    ]

    def __init__(self, shift_id: int, title: str) -> None:
        super().__init__()
        self.shift_id = shift_id
        self.title_text = title
        self.found: dict[str, rota.Candidate] = {}
        self.tz = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="assign-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield KeyTable(
                (("Person", "person"), ("This week", "week"), ("Last shift", "last"), ("Fit", "fit")), id="candidates"
            )
            yield Static("Loading who could take it…", id="candidate-detail", classes="message")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#candidates").focus()
        self.reload()

    def reload(self) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        self.call_core(load_candidates, actor, self.shift_id, done=self._show, group="candidates", exclusive=True)

    def _show(self, result: tuple[list[rota.Candidate], Line]) -> None:
        found, line = result
        tz = zone(line.tz)
        self.found = {c.person.handle: c for c in found}
        rows = []
        for c in found:
            last = labels.day(c.last_shift_end.astimezone(tz)) if c.last_shift_end else "—"
            if c.eligible:
                fit = Text("ok")
            else:
                rules = ", ".join(dict.fromkeys(p.rule for p in c.problems))
                fit = Text(f"{rules} ({'override' if c.forceable else 'no'})", style="dim")
            rows.append(
                (
                    c.person.handle,
                    [
                        f"{c.person.handle} · {c.person.name}",
                        f"{labels.hours(c.week_hours)} / {labels.hours(c.max_hours_week)}",
                        last,
                        fit,
                    ],
                )
            )
        self.query_one("#candidates", KeyTable).set_rows(rows)
        if not found:
            self.query_one("#candidate-detail", Static).update("Nobody else is active on this line.")
        else:
            self._detail()

    def _current(self) -> rota.Candidate | None:
        return self.found.get(self.query_one("#candidates", KeyTable).cursor_key or "")

    @on(KeyTable.RowHighlighted)
    def _detail(self) -> None:
        c = self._current()
        detail = self.query_one("#candidate-detail", Static)
        if c is None:
            return
        if c.eligible:
            detail.update(f"{c.person.handle} can take this shift.")
        else:
            why = "; ".join(p.message for p in c.problems)
            tail = " A coordinator may override this." if c.forceable else " This cannot be overridden."
            detail.update(why + tail)

    def action_pick(self, role: str) -> None:
        c = self._current()
        if c is not None:
            self.dismiss(AssignChoice(c.person.handle, role))

    def action_back(self) -> None:
        self.dismiss(None)
