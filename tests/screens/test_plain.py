"""screens/plain.py: user text is data on screen. Fast checks of each widget and helper, and a
guard that every screen builds its text widgets from there (so a new screen cannot forget)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hostile import HOSTILE, MARKUP, ORDINARY, escaped_controls
from rich.text import Text
from textual.app import App
from textual.content import Content

from warmline.screens import plain
from warmline.screens.table import KeyTable

SCREENS = Path(__file__).resolve().parents[2] / "screens"
# Textual widgets that read a str as markup, or draw a control character as it is.
RAW_WIDGETS = {"Static", "Label", "Button", "OptionList", "DataTable", "Input", "Option"}  # (a table: KeyTable)


@pytest.mark.parametrize("text", HOSTILE + ORDINARY)
def test_shown_and_plain_make_any_text_printable_and_never_markup(text):
    assert escaped_controls(plain.shown(text), allow="") == []
    content = plain.plain(text)
    assert isinstance(content, Content) and escaped_controls(content.plain) == []
    if not escaped_controls(text):  # markup and formulas are kept exactly, as text
        assert content.plain == text
    assert len(plain.visible(text)) == len(text) and escaped_controls(plain.visible(text), allow="") == []


def test_ordinary_text_is_left_as_it_is_cheaply():
    for text in ORDINARY:
        assert plain.shown(text) is text
    styled = Text("NO BACKUP", style="bold")
    assert plain.plain(styled) is styled


def test_styled_text_keeps_its_style_once_made_printable():
    fixed = plain.plain(Text("a\x1b]0;t\x9cb", style="bold"))
    assert fixed.plain == "a\\x1b]0;t\\x9cb" and str(fixed.style) == "bold"


class Shown(App[None]):
    def compose(self):
        table = KeyTable((("[b]who[/b]", "who"),), id="table")  # every table (screens/table.py)
        table.set_rows([(str(i), (text,)) for i, text in enumerate(HOSTILE)])
        yield table
        yield plain.Static("Rosa [/]", id="static")
        yield plain.Label("[@click=app.quit]Click[/]", id="label")
        yield plain.Button("Rosa [/]\x1b]0;t\x07", id="button")
        yield plain.OptionList(*MARKUP, plain.Option("[@click=app.quit]x[/]\x9b", id="o"), id="options")
        yield plain.Input(value="a\x1b[31mb", id="input")


@pytest.mark.slow
async def test_each_widget_shows_markup_as_text_and_no_control():
    app = Shown()
    async with app.run_test(size=(100, 60)) as pilot:
        static = app.query_one("#static", plain.Static)
        static.update("[@click=app.quit]again[/] \x1b]0;x\x07")
        await pilot.pause()
        drawn = app.export_screenshot()
        assert escaped_controls(drawn) == []
        assert str(static.render()) == "[@click=app.quit]again[/] \\x1b]0;x\\x07"
        assert str(app.query_one("#button", plain.Button).label) == "Rosa [/]\\x1b]0;t\\x07"
        for x in range(12):  # a click on the label's text does nothing
            await pilot.click("#label", offset=(x, 0))
        assert app.is_running and app.return_code is None
        app.query_one("#input", plain.Input).focus()
        await pilot.press("end", "x")
        assert app.query_one("#input", plain.Input).value == "a\x1b[31mbx"  # the value is what was typed
        assert escaped_controls(app.export_screenshot()) == []


@pytest.mark.slow
def test_every_screen_builds_its_text_widgets_from_plain():
    """No module in screens/ takes Static, Label, Button, OptionList, DataTable, Input or Option
    from Textual directly: those read str as markup or draw controls. screens/plain.py does."""
    offenders = []
    for path in sorted(SCREENS.glob("*.py")):
        if path.name == "plain.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
            for inner in ast.walk(node)
        }
        for node in ast.walk(tree):
            if id(node) in typing_only:  # for type hints only
                continue
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("textual.widgets"):
                names = {alias.name for alias in node.names} & RAW_WIDGETS
                if names:
                    offenders.append(f"{path.name}:{node.lineno} {sorted(names)}")
    assert offenders == [], "import these from warmline.screens.plain instead: " + "; ".join(offenders)
