"""Dialog: the base of every dialog (a ModalScreen) in the app.

It carries the line's header, so the escalation text (the crisis banner) stays visible over
any dialog: the dialog is laid out, and scrolls, in the space between the header and the
footer, at 80x24 as at any size.
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

from .widgets import LineHeader

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT]):
    """A modal screen with the line's header docked on top (see the module's docstring)."""

    def on_mount(self) -> None:
        # Textual calls every class's on_mount, the subclass's first: this runs after the dialog's own.
        if not self.query(LineHeader):
            self.mount(LineHeader())


__all__ = ["Dialog"]
