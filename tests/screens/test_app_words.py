"""Issue 15: the app's texts name no CLI command and no internal id (views/app_text.for_app at the
screens' core calls; tags by label, languages by name). Generic over screens/registry.py: every
screen's title, help and keys, and every screen as drawn for a coordinator and a volunteer."""

from __future__ import annotations

import html
import importlib
import re
from pathlib import Path

import pytest
from rota_file import NOW, make_rota, settle, text_of, until

from warmline.screens.app import make_app
from warmline.screens.person_form import AddPersonDialog, PersonEditorDialog
from warmline.screens.plain import Input
from warmline.screens.registry import BY_NAME, SCREENS


@pytest.fixture
def line(tmp_path, monkeypatch):
    return make_rota(tmp_path, monkeypatch)


FLAG = re.compile(r"(^|[\s(])--[a-z]")  # a CLI option: "--force", "(--backup)"


def clean(text: str) -> bool:
    return (
        "`" not in text
        and "warmline " not in text
        and "(grief)" not in text
        and "lang-" not in text
        and not FLAG.search(text)
    )


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo line (seed 7) at Monday 23 Nov 2026, 08:00 New York."""
    monkeypatch.setenv("WARMLINE_NOW", NOW)
    for name in ("WARMLINE_DB", "WARMLINE_AS", "WARMLINE_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    from warmline.db import open_db
    from warmline.demo import build

    path = tmp_path / "demo.db"
    with open_db(path, create=True) as db:
        build(db, seed=7)
    return path


def demo_person(path: Path, coordinator: bool):
    from warmline import people
    from warmline.db import open_db

    with open_db(path) as db:
        return next(p for p in people.all_people(db.conn) if p.is_coordinator == coordinator and p.active)


def drawn(app) -> str:
    """Everything on the terminal, as plain text (the SVG's text, its style sheet left out)."""
    svg = app.export_screenshot()
    body = svg[svg.index("</style>") :] if "</style>" in svg else svg
    return html.unescape(re.sub(r"<[^>]+>", "", body)).replace("\xa0", " ")


def test_every_screens_title_help_and_keys_name_no_command_and_no_id():
    """The palette's names and help (the registry) and every key's label and tooltip (help, footer,
    palette) are in the app's words: no `warmline ...`, no --flag, no tag or language id."""
    from textual.binding import Binding

    from warmline.views.my_settings import CHANNEL_HELP

    said: list[tuple[str, str]] = []
    for entry in SCREENS:
        said += [(entry.name, entry.title), (entry.name, entry.help)]
        cls = getattr(importlib.import_module(entry.module), entry.cls)
        for binding in cls.BINDINGS:
            if isinstance(binding, Binding):
                said += [(binding.id or entry.name, binding.description), (binding.id or entry.name, binding.tooltip)]
    said += [(f"channel {name}", words) for name, words in CHANNEL_HELP.items()]
    assert [(where, text) for where, text in said if not clean(text)] == []


async def test_a_volunteer_kept_out_of_a_coordinators_screen_is_told_its_name_not_its_id(line):
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_go("line_settings")  # the palette does not offer it; a remapped key or a link might
        await pilot.pause()
        said = [str(n.message) for n in app._notifications]
        assert said == ["Only coordinators can open Line settings."], said
        assert not app.is_screen_installed("line_settings")


@pytest.mark.slow
@pytest.mark.parametrize("coordinator", [True, False], ids=["coordinator", "volunteer"])
async def test_every_screen_a_person_may_open_speaks_in_the_apps_words(demo, coordinator):
    """Each screen of the registry this person may open, drawn at 80x24: no CLI command, no flag,
    no tag or language id. The ones they may not open stay shut, named by title."""
    app = make_app(demo, actor=demo_person(demo, coordinator))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for entry in SCREENS:
            app.action_go(entry.name)
            await settle(pilot)
            if not entry.may_open(coordinator):
                assert not app.is_screen_installed(entry.name), entry.name
                assert f"Only coordinators can open {entry.title}." in [str(n.message) for n in app._notifications]
                continue
            assert app.screen is app.get_screen(entry.name), entry.name
            shown = drawn(app)
            assert clean(shown), (entry.name, [line for line in shown.splitlines() if not clean(line)])
            if entry.name != "audit":  # the change log names records as the CLI does; elsewhere, times and names
                assert not re.search(r"#\d", shown), (entry.name, re.findall(r".{20}#\d+.{10}", shown))
            app.action_go("home")
            await settle(pilot)
        assert BY_NAME["home"].may_open(False)


async def test_a_core_refusal_is_shown_in_the_apps_words(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        dialog = AddPersonDialog()
        app.push_screen(dialog)
        await settle(pilot)
        dialog.query_one("#add-handle", Input).value = "sam"
        dialog.query_one("#add-name", Input).value = "Sam"
        dialog.query_one("#add-tags", Input).value = "grif"
        await pilot.press("ctrl+s")
        error = dialog.query_one("#add-error")
        assert await until(pilot, lambda: "grief" in text_of(error))
        shown = text_of(error)
        assert "did you mean grief" in shown and clean(shown), shown


@pytest.mark.slow
async def test_the_editor_names_tags_by_label_when_it_cannot_find_one(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        editor = PersonEditorDialog("ana")
        app.push_screen(editor)
        await settle(pilot)
        box = editor.query_one("#ed-tag-add", Input)
        box.value = "grif"
        box.focus()
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        shown = text_of(editor.query_one("#ed-error"))
        assert "grief" in shown and clean(shown), shown
        box.value = "lang-en"  # a language's id, typed: said by its name
        await pilot.press("enter")
        await settle(pilot)
        shown = text_of(editor.query_one("#ed-error"))
        assert "English is a language" in shown and clean(shown), shown
