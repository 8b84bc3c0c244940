"""Issue 15, a new user's walk through the whole app: what a brand-new coordinator on an empty line,
a demo volunteer and the demo coordinator hit at 80x24 and 100x30, in a dark and a light theme.
Each test here pins a rough edge found on that walk (it failed before its fix): colours that are
hard to read in a light theme, keys that do nothing for this person, text cut off at 80 columns,
and dialogs left open while the terminal shrinks.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rota_file import make_rota, settle, until
from textual.geometry import Region
from test_rota_themes import contrast

from snapshots.snapshot_app import app_for, coordinator, demo  # noqa: F401  (demo is a fixture)
from warmline.screens.app import make_app
from warmline.screens.table import KeyTable
from warmline.screens.widgets import LineHeader

# The app's default dark theme and the light themes a person may pick (the palette's "Change theme").
THEMES = ["textual-light", "textual-dark", "solarized-light", "catppuccin-latte", "rose-pine-dawn", "atom-one-light"]


def worst_contrast(app, region: Region) -> tuple[float, str]:
    """The lowest contrast of any character drawn in `region` of the screen, and that text."""
    worst = (99.0, "")
    update = app.screen._compositor.render_update(full=True)
    for y, line in enumerate(update.strips):
        if not region.y <= y < region.bottom:
            continue
        x = 0
        for segment in (s for strip in line for s in strip):
            start, x = x, x + segment.cell_length
            if x <= region.x or start >= region.right:
                continue
            text, style = segment.text.strip(), segment.style
            if not text or style is None or style.color is None or style.bgcolor is None:
                continue
            ratio = contrast(style.color, style.bgcolor)
            if ratio < worst[0]:
                worst = (ratio, text)
    return worst


@pytest.mark.fast_tier_sample(len(THEMES))
@pytest.mark.parametrize("theme", THEMES)
async def test_the_crisis_banner_and_the_section_titles_are_readable_in_every_theme(theme: str, demo: Path) -> None:
    """The escalation text is the one thing a peer must never have to look for: at least 4.5:1 (WCAG
    AA for text) in every theme. In textual-light it was 2.85:1 (orange on light orange), and Home's
    table titles 2.74:1; titles are bold, so 3:1 is their floor."""
    app = app_for(demo, coordinator(demo))
    app.theme = theme
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        header = app.screen.query_one(LineHeader)
        assert header.escalation_text
        banner = Region(header.region.x, header.region.y + 1, header.region.width, header.region.height - 1)
        ratio, text = worst_contrast(app, banner)
        assert ratio >= 4.5, f"{theme}: the banner's {text!r} at {ratio:.2f}:1"
        titles = [table for table in app.screen.query(KeyTable) if table.caption]
        titles += list(app.screen.query("#next-shift")) + list(app.screen.query(".section-title"))
        assert len(titles) >= 3
        for widget in titles:
            ratio, text = worst_contrast(app, Region(widget.region.x, widget.region.y, widget.region.width, 1))
            assert ratio >= 3.0, f"{theme}: the title {text!r} at {ratio:.2f}:1"


@pytest.fixture
def line(tmp_path, monkeypatch):
    return make_rota(tmp_path, monkeypatch)


@pytest.mark.slow
async def test_my_profile_offers_space_and_x_only_once_there_is_a_tag(line):
    """A brand-new coordinator's profile has no tag: the footer offered 'space Offer/pause' and
    'x Remove tag', which did nothing. They show once a tag is there (the editor's table too)."""
    from warmline.screens.person_form import PersonEditorDialog
    from warmline.screens.tag_table import TagTable

    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_go("profile")
        await settle(pilot)
        table = app.screen.query_one("#pr-tags", TagTable)
        table.focus()
        await pilot.pause()
        assert table.row_count == 0
        shown = app.screen.active_bindings
        assert not shown["space"].enabled and not shown["x"].enabled  # greyed: no tag to act on
        with line.db() as db:
            from warmline import people
            from warmline.people import PersonChanges

            people.edit(db, line.coord, "ana", PersonChanges(offer=("grief",)))
        editor = PersonEditorDialog("ana")
        app.push_screen(editor)
        await settle(pilot)
        tags = editor.query_one("#ed-tags", TagTable)
        assert await until(pilot, lambda: tags.row_count == 1)
        tags.focus()
        await pilot.pause()
        assert editor.active_bindings["space"].enabled and editor.active_bindings["x"].enabled


@pytest.mark.slow
async def test_reports_on_a_new_line_say_no_needs_whole_at_80_columns(line):
    """A line with no call logged: Reports' needs pane (19 columns at 80) cut 'No needs logged in
    this period.' to 'No needs logged in t…'."""
    from warmline.screens.reports import ReportsScreen

    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_go("reports")
        await settle(pilot)
        assert isinstance(app.screen, ReportsScreen)
        pane = app.screen.query_one("#reports-needs")
        assert await until(pilot, lambda: "No needs logged" in str(pane.render()))
        shown = str(pane.render())
        assert "in this period." in shown
        assert max(len(line) for line in shown.splitlines()) <= pane.content_region.width, shown


# The new screens' dialogs, each as a person opens it: (screen, keys).
NEW_DIALOGS = [
    ("my_settings", ("a",)),
    ("my_settings", ("t",)),
    ("goals", ("n",)),
    ("goals", ("e",)),
    ("tags", ("n",)),
    ("series", ("e",)),
    ("series", ("x",)),
    ("people", ("t",)),
    ("autofill", ("enter",)),
]


@pytest.mark.slow
async def test_the_new_dialogs_survive_the_terminal_shrinking_to_80x24_under_the_banner(demo: Path) -> None:
    """Opened at 100x30, then the terminal shrinks to 80x24 with the dialog open: the app keeps
    running, the banner stays on top, and the dialog sits between the banner and the footer."""
    from textual.screen import ModalScreen

    from warmline.screens.widgets import KeysFooter

    app = app_for(demo, coordinator(demo))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for name, keys in NEW_DIALOGS:
            app.action_go(name)
            await settle(pilot)
            screen = app.screen
            await pilot.press(*keys)
            await settle(pilot)
            dialog = app.screen
            assert dialog is not screen and isinstance(dialog, ModalScreen), (name, keys)
            await pilot.resize_terminal(80, 24)
            await settle(pilot)
            assert app.is_running and app._exception is None, (name, keys)
            header = dialog.query_one(LineHeader)
            assert header.region.y == 0 and header.region.height >= 2, (name, keys)
            footer = dialog.query_one(KeysFooter)
            boxes = [box for box in dialog.query(".dialog, .dialog-box") if box.display]
            assert boxes, (name, keys)
            for box in boxes:
                assert header.region.bottom <= box.region.y and box.region.bottom <= footer.region.y, (name, keys)
            await pilot.resize_terminal(100, 30)
            await settle(pilot)
            while app.screen is not screen and isinstance(app.screen, ModalScreen):
                app.pop_screen()
                await settle(pilot)
            app.action_go("home")
            await settle(pilot)


@pytest.mark.slow
@pytest.mark.parametrize("coordinator_", [True, False], ids=["coordinator", "volunteer"])
async def test_every_fields_hint_is_whole_at_80_columns(demo: Path, coordinator_: bool) -> None:
    """A field's placeholder is its instructions: Match's needs box cut 'Enter matches)' at 80 columns."""
    from textual.widgets import Input

    from warmline import people
    from warmline.db import open_db
    from warmline.screens.registry import SCREENS

    with open_db(demo) as db:
        person = next(p for p in people.all_people(db.conn) if p.is_coordinator == coordinator_ and p.active)
    app = app_for(demo, person)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        cut = []
        for entry in SCREENS:
            if not entry.may_open(coordinator_):
                continue
            app.action_go(entry.name)
            await settle(pilot)
            for field in app.screen.query(Input):
                width = field.content_region.width
                if field.placeholder and width and len(field.placeholder) > width:
                    cut.append((entry.name, field.id, field.placeholder, width))
            app.action_go("home")
            await settle(pilot)
        assert cut == []


@pytest.mark.slow
@pytest.mark.parametrize("theme", THEMES)
async def test_the_add_person_forms_hints_are_readable_in_every_theme(theme: str, demo: Path) -> None:
    """The form's hints are its instructions ('default 20', 'used once they accept them'): Textual draws
    them in $text-disabled, 2.6:1 in textual-light. At least 3:1 in every theme."""
    from textual.widgets import Input

    from warmline.screens.person_form import AddPersonDialog

    app = app_for(demo, coordinator(demo))
    app.theme = theme
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        dialog = AddPersonDialog()
        app.push_screen(dialog)
        await settle(pilot)
        hints = [field for field in dialog.query(Input) if field.placeholder and not field.value and field.region.height]
        assert len(hints) >= 5
        for field in hints:
            box = field.content_region
            where = Region(box.x, box.y, min(len(field.placeholder), box.width), 1)
            ratio, text = worst_contrast(app, where)
            assert ratio >= 3.0, f"{theme}: the hint {text!r} at {ratio:.2f}:1"


@pytest.mark.slow
async def test_a_new_coordinators_home_says_where_the_first_shift_is_made(line):
    """An empty line: Home said 'Open seats you can take are listed below.' above an empty list."""
    from rota_file import text_of

    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        said = text_of(app.screen.query_one("#next-shift"))
        assert "make shifts on the Rota (r, then n)" in said and "listed below" not in said, said
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        said = text_of(app.screen.query_one("#next-shift"))
        assert "no open seats to take just now" in said and "Rota" not in said, said
