"""User text on screen: always data, never markup, never a terminal control.

Names, handles, the line's name and escalation text, tag labels, goal names, notes, handoff
notes, audit details and error messages (which quote them) come from the file or the keyboard.
Textual reads a plain `str` as content markup in most widgets (`Rosa [/]` raised MarkupError,
`[@click=app.quit]` became a clickable action) and passes control characters through to the
terminal (ESC ]0; retitled it). So screens build their text widgets from here:

- `Static`, `Label`, `Button`, `OptionList`/`Option`: the Textual widgets with markup off and
  every string, Text or Content given to them made printable (`text.safe`: controls become
  visible escapes such as \\x1b). No screen uses markup on purpose.
- `shown(value)`: a string made printable, for widgets that draw their own lines (the week grid,
  the header, KeyTable: every table, screens/table.py) and for Input values filled in from the file.
- `plain(value)`: any content for a widget (str, rich Text, Content) made printable.

The app's `notify` (screens/app.py) shows its message without markup and made printable too.
"""

from __future__ import annotations

from typing import Any

from rich.highlighter import Highlighter
from rich.text import Text
from textual import widgets as _widgets
from textual.content import Content
from textual.widgets import option_list as _option_list

from warmline.text import is_control, safe


def shown(value: object, *, multiline: bool = False) -> str:
    """`value` as printable text: every control character a visible escape (newlines kept if multiline)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.isprintable():  # no control, format or separator character at all (the usual case, fast)
        return text
    return safe(text, multiline=multiline)


def _clean(text: str, multiline: bool) -> bool:
    return text.isprintable() or (multiline and text.replace("\n", "").isprintable())


def plain(value: Any, *, multiline: bool = True) -> Any:
    """Content for a widget, never read as markup: a str becomes Content; Text and Content keep their
    styles, with their text made printable; anything else (a Rich renderable of our own) as it is."""
    if value is None:
        return Content("")
    if isinstance(value, str):
        return Content(shown(value, multiline=multiline))
    if isinstance(value, Text):  # (an Ordered cell, screens/widgets.py, makes its own text printable)
        if _clean(value.plain, multiline):
            return value
        fixed = value.copy()
        fixed.plain = safe(value.plain, multiline=multiline)
        return fixed
    if isinstance(value, Content):
        if _clean(value.plain, multiline):
            return value
        return Content(safe(value.plain, multiline=multiline))
    return value


class _PlainContent:
    """Static and Label with markup off, whatever they are given made printable."""

    def __init__(self, content: Any = "", *args: Any, markup: bool = False, **kwargs: Any) -> None:
        super().__init__(plain(content), *args, markup=False, **kwargs)  # type: ignore[call-arg]

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        super().update(plain(content), layout=layout)  # type: ignore[misc]


class Static(_PlainContent, _widgets.Static):
    """Textual's Static, for user text: no markup, no raw controls."""


class Label(_PlainContent, _widgets.Label):
    """Textual's Label, for user text: no markup, no raw controls."""


class Button(_widgets.Button):
    """Textual's Button with a label that is never read as markup."""

    def __init__(self, label: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(None if label is None else plain(label, multiline=False), *args, **kwargs)

    def validate_label(self, label: Any) -> Content:
        return Content.from_text(plain(label, multiline=False), markup=False)


def Option(prompt: Any, id: str | None = None, disabled: bool = False) -> _option_list.Option:  # noqa: N802
    """An OptionList option whose prompt is never read as markup."""
    return _option_list.Option(plain(prompt, multiline=False), id=id, disabled=disabled)


def _option(value: Any) -> Any:
    if isinstance(value, _option_list.Option):
        fixed = plain(value.prompt, multiline=False)
        if fixed is not value.prompt:
            value._set_prompt(fixed)
        return value
    if isinstance(value, (str, Text, Content)):
        return plain(value, multiline=False)
    return value  # None (a separator) or a Visual of our own


class OptionList(_widgets.OptionList):
    """Textual's OptionList with markup off (prompts given as str are shown as they are, made printable)."""

    def __init__(self, *content: Any, markup: bool = False, **kwargs: Any) -> None:
        super().__init__(*(_option(c) for c in content), markup=False, **kwargs)

    def add_options(self, new_options: Any) -> Any:
        return super().add_options([_option(c) for c in new_options])

    def add_option(self, option: Any = None) -> Any:
        return super().add_option(_option(option) if option is not None else option)


def visible(text: str) -> str:
    """`text` with each control character replaced by U+FFFD, one for one: for a box being edited,
    where the cursor counts characters (so `shown`'s longer escapes would put it in the wrong place)."""
    if text.isprintable():
        return text
    return "".join("\ufffd" if is_control(ch) else ch for ch in text)


class _ControlsShown(Highlighter):
    def highlight(self, text: Text) -> None:
        if not text.plain.isprintable():
            text.plain = visible(text.plain)


class Input(_widgets.Input):
    """Textual's Input that never draws a control character (from the file, a suggestion or a paste):
    each shows as U+FFFD. The value itself is what was typed; the core refuses controls in names."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("highlighter", _ControlsShown())
        super().__init__(*args, **kwargs)

    def validate__suggestion(self, suggestion: str) -> str:
        return visible(suggestion)


__all__ = ["Button", "Input", "Label", "Option", "OptionList", "Static", "plain", "shown", "visible"]
