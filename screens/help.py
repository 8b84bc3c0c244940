"""Help: the current screen's actions, grouped by what they do, with their keys (after any
remapping) and their ids (for the settings file's [keys]); read from the same bindings as the
command palette (screens/actions.py)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen

from .actions import Action, registered_name, screen_actions
from .modal import Dialog
from .plain import Label, Static
from .registry import BY_NAME
from .table import KeyTable
from .widgets import KeysFooter


def key_rows(screen: Screen) -> list[tuple[str, str, str]]:
    """(group, key, what it does) for every listed action on `screen`, grouped."""
    return [(a.group, a.key, describe(a)) for a in screen_actions(screen)]


def describe(action: Action) -> str:
    return action.what if action.enabled else f"{action.what} (not now)"


def title_of(screen: Screen) -> str:
    entry = BY_NAME.get(registered_name(screen) or "")
    return f"Keys · {entry.title}" if entry is not None else "Keys · this window"


class HelpDialog(Dialog[None]):
    """The keys of the screen it was opened on, and of the whole app."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="help.close"),
        Binding("question_mark", "close", "Close", show=False, id="help.close_key"),
    ]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.target = screen
        self.actions = screen_actions(screen)  # read now, while `screen` is still the active one

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help-dialog"):
            yield Label(title_of(self.target), classes="dialog-title")
            # Id before Does, whose long rows may run past the edge.
            table = KeyTable((("", "group"), ("Key", "key"), ("Id", "id"), ("Does", "does")), id="help-keys")
            rows = []
            group = None
            for i, action in enumerate(self.actions):
                shown_group = action.group if action.group != group else ""  # the group on its first row
                group = action.group
                rows.append((f"{i}", (shown_group, action.key, action.id, describe(action))))
            table.set_rows(rows)
            yield table
            yield Static(
                "Every action is also in the command palette (ctrl+p). Escape closes this. "
                "Change a key by its id in the settings file's [keys] (README, Configuration).",
                classes="message",
            )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#help-keys").focus()

    def action_close(self) -> None:
        self.dismiss(None)
