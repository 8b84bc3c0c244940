"""Help: every key that works on the current screen and everywhere, generated from the bindings."""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen

from .plain import DataTable, Label, Static
from .widgets import KeysFooter

WHERE_ORDER = {"this screen": 0, "everywhere": 2}


def key_rows(screen: Screen) -> list[tuple[str, str, str]]:
    """(where, key, what it does) for every binding active on `screen`, screen keys first."""
    app = screen.app
    rows = []
    for active in screen.active_bindings.values():
        if "copy" in active.binding.action:
            continue  # Textual's copy-selection keys: nothing to copy on these screens
        binding = active.binding
        node = active.node
        if node is app:
            where = "everywhere"
        elif node is screen:
            where = "this screen"
        else:
            where = "in the " + re.sub(r"(?<!^)(?=[A-Z])", " ", type(node).__name__).lower()
        what = binding.tooltip or binding.description or binding.action.replace("_", " ")
        if not active.enabled:
            what += " (not now)"
        generic = binding.system or binding.action.startswith("app.focus")
        rows.append((generic, where, app.get_key_display(binding), what))
    # warmline's own keys first (screen, widget, app), Textual's focus keys last
    rows.sort(key=lambda r: (r[0], WHERE_ORDER.get(r[1], 1), r[1]))
    return [(where, key, what) for _system, where, key, what in rows]


class HelpDialog(ModalScreen[None]):
    """The keys of the screen it was opened on, and of the whole app."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", "Close", show=False),
    ]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.target = screen
        self.rows = key_rows(screen)  # read now, while `screen` is still the active one

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help-dialog"):
            yield Label(f"Keys · {self.target.name or type(self.target).__name__}", classes="dialog-title")
            table: DataTable = DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            table.add_column("Key", key="key")
            table.add_column("Does", key="does")
            table.add_column("Where", key="where")
            for i, (where, key, what) in enumerate(self.rows):
                table.add_row(key, what, where, key=f"{i}")
            yield table
            yield Static(
                "Every action is also in the command palette (ctrl+p). Escape closes this.",
                classes="message",
            )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def action_close(self) -> None:
        self.dismiss(None)
