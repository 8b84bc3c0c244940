"""A person's tags as a table (the person editor and My profile)."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message

from .table import KeyTable


class TagTable(KeyTable):
    """A person's tags, (tag id, (label, family, state)) rows by `set_rows`: space offers or pauses
    the one under the cursor, x removes it."""

    BINDINGS = [
        Binding("space", "toggle", "Offer/pause", id="tags.toggle"),
        Binding("x", "remove", "Remove", tooltip="Remove the experience under the cursor", id="tags.remove"),
    ]

    class TagEvent(Message):
        """Something was asked of the tag under the cursor."""

        def __init__(self, table: TagTable, tag_id: str) -> None:
            super().__init__()
            self.table = table
            self.tag_id = tag_id

        @property
        def control(self) -> TagTable:
            return self.table

    class Toggled(TagEvent):
        """Space was pressed on a tag: offer it if paused, pause it if offered."""

    class Removed(TagEvent):
        """x was pressed on a tag."""

    COLUMNS = (("Experience", "label"), ("Kind", "family"), ("State", "state"))

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(self.COLUMNS, zebra=False, id=id)

    def set_rows(self, rows) -> None:  # type: ignore[override]
        super().set_rows(rows)
        self.refresh_bindings()  # space and x only while there is a tag to act on

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("toggle", "remove"):
            return True if self.cursor_key is not None else None  # no tag yet: greyed, they would do nothing
        return True

    def action_toggle(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.Toggled(self, key))

    def action_remove(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.Removed(self, key))
