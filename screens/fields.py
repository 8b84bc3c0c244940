"""Form pieces shared by the People, Audit and profile screens and the person dialogs: a filter box,
list suggestions, a labelled form row, and the baseline that keeps what someone typed across reloads."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.binding import Binding
from textual.containers import Horizontal
from textual.suggester import Suggester

from warmline.taxonomy import Tag

from .plain import Input, Label, Static, shown


class FilterInput(Input):
    """A filter box: enter, escape or down returns to the list below it.

    With `on_change`, every change of the text is handed to it at once, so the list and the
    box are redrawn together; Input.Changed reaches the screen only after the box alone has
    been redrawn, which made each keystroke cost two screen updates.
    """

    BINDINGS = [
        Binding("escape", "leave", "Back to list", show=False, id="people_filter.leave"),
        Binding("down", "leave", "Back to list", show=False, id="people_filter.leave_down"),
    ]

    def __init__(self, *, on_change: Callable[[str], None] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._on_change = on_change

    def watch_value(self, value: str) -> None:
        if self._on_change is not None:
            self._on_change(value)

    def action_leave(self) -> None:
        self.screen.focus_next()


class ListSuggester(Suggester):
    """Completes the last item of a comma-separated list ("English, Spa" -> "English, Spanish")."""

    def __init__(self, names: Iterable[str]) -> None:
        super().__init__(use_cache=True, case_sensitive=True)  # folds itself, keeping what was typed
        self._names = [(name, name.casefold()) for name in names]

    async def get_suggestion(self, value: str) -> str | None:
        stem = value.rpartition(",")[2].lstrip()
        if not stem:
            return None
        folded = stem.casefold()
        for name, key in self._names:
            if key.startswith(folded) and len(name) > len(stem):
                return value[: len(value) - len(stem)] + name
        return None


def offerable_names(catalog: Iterable[Tag]) -> list[str]:
    """Labels then aliases of every tag a person may offer (languages are given separately)."""
    tags = [t for t in catalog if t.family != "language"]
    return [shown(t.label) for t in tags] + [shown(a) for t in tags for a in t.aliases]  # suggestions are drawn


def language_names(catalog: Iterable[Tag]) -> list[str]:
    tags = [t for t in catalog if t.family == "language"]
    return [shown(t.label) for t in tags] + [shown(a) for t in tags for a in t.aliases]


def field_row(label: str, widget, hint: str = "") -> Horizontal:
    """A labelled one-line form row (compact widgets, so a form fits 80x24)."""
    if hasattr(widget, "compact"):
        widget.compact = True
    parts = [Label(label, classes="field-label"), widget]
    if hint:
        parts.append(Static(hint, classes="field-hint"))
    return Horizontal(*parts, classes="field-row")


class Baseline:
    """Remembers what each field showed when loaded, so a reload only refreshes fields nobody touched."""

    def _init_baseline(self) -> None:
        self._base: dict[str, object] = {}

    def _refresh_field(self, selector: str, value) -> None:
        widget = self.query_one(selector)  # type: ignore[attr-defined]
        if isinstance(value, str):
            value = shown(value)  # from the file: printable in the box (a control typed back is refused)
        if selector not in self._base or widget.value == self._base[selector]:
            widget.value = value
        self._base[selector] = value

    def _touched(self, selector: str) -> bool:
        return self.query_one(selector).value != self._base.get(selector)  # type: ignore[attr-defined]
