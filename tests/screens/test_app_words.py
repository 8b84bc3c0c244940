"""Issue 15: the app's texts name no CLI command and no internal id (views/app_text.for_app at the
screens' core calls; tags by label, languages by name)."""

from __future__ import annotations

import pytest
from rota_file import make_rota, settle, text_of, until

from warmline.screens.app import make_app
from warmline.screens.person_form import AddPersonDialog, PersonEditorDialog
from warmline.screens.plain import Input


@pytest.fixture
def line(tmp_path, monkeypatch):
    return make_rota(tmp_path, monkeypatch)


def clean(text: str) -> bool:
    return "`" not in text and "warmline " not in text and "(grief)" not in text and "lang-" not in text


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
