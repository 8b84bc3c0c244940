"""FormDialog: the base of every dialog where something is typed (the shift form, the person editor,
the add-person form, the handoff note).

Esc, or its Back/Cancel button, on an untouched form closes it at once; with changes it asks
"Discard your changes?" first, opening on Keep editing (DiscardDialog, screens/confirm.py), so
neither esc nor enter alone throws away what someone typed.

What counts as a change: any box, checkbox or choice whose value differs from when the dialog
opened (or since `mark_clean`). A dialog whose fields are filled later (from the database) says
what changed itself by overriding `has_changes`.
"""

from __future__ import annotations

from typing import Any, TypeVar

from textual.widget import Widget
from textual.widgets import Checkbox, Select, TextArea

from .confirm import DiscardDialog
from .modal import Dialog
from .plain import Input

ResultT = TypeVar("ResultT")

FIELD_TYPES = (Input, TextArea, Checkbox, Select)


def field_value(widget: Widget) -> Any:
    return widget.text if isinstance(widget, TextArea) else getattr(widget, "value", None)


class FormDialog(Dialog[ResultT]):
    """A dialog with typed input: esc asks before it discards changes (see the module's docstring).

    Each dialog binds escape itself (its own binding id, for the settings file's [keys]) to
    `back`, or to an action that calls `action_back`.
    """

    def on_mount(self) -> None:
        # The subclass's on_mount has run (Textual calls each class's handler, the subclass's first).
        self.mark_clean()

    def form_values(self) -> list[Any]:
        return [field_value(w) for w in self.query("*") if isinstance(w, FIELD_TYPES)]

    def mark_clean(self) -> None:
        """What the fields show now is what they started with (nothing to discard)."""
        self._clean = self.form_values()

    def has_changes(self) -> bool:
        return self.form_values() != getattr(self, "_clean", None)

    def action_back(self) -> None:
        """Close without saving: at once when nothing was typed, else after "Discard your changes?"."""
        if not self.has_changes():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(DiscardDialog(), answered)


__all__ = ["DiscardDialog", "FormDialog"]
