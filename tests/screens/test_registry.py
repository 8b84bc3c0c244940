"""Adding a screen is one entry in screens/registry.py: its key, the footer, the help, the palette,
who may open it and its style sheet all follow, and screens/app.py names no screen of its own.

The app builds its key bindings from the registry when screens/app.py is imported, so the added
entry is tried in a fresh interpreter that registers it before importing the app.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from rota_file import make_rota

from warmline.screens.registry import COORDINATORS, SCREENS

APP_PY = Path(__file__).resolve().parents[2] / "screens" / "app.py"

EXTRA_SCREEN = '''
from warmline.screens.base import WarmlineScreen
from warmline.screens.plain import Static
from warmline.screens.widgets import KeysFooter, LineHeader


class NotesScreen(WarmlineScreen):
    TITLE = "Notes"

    def compose(self):
        yield LineHeader()
        yield Static("the notes screen", id="notes-body")
        yield KeysFooter()
'''

PROBE = '''
import asyncio, json, sys

from warmline.screens import registry

entry = registry.Entry("notes", "z", "Notes", "A screen added with one registry entry", "extra_screen", "NotesScreen",
                       who=registry.COORDINATORS, stylesheet="match.tcss")
registry.SCREENS = (*registry.SCREENS, entry)
registry.BY_NAME[entry.name] = entry

from warmline import people
from warmline.db import open_db
from warmline.screens.app import WarmlineApp, WarmlineCommands, make_app
from warmline.screens.help import HelpDialog


async def visit(path, handle):
    with open_db(path) as db:
        person = people.get(db.conn, handle)
    app = make_app(path, actor=person)
    seen = {}
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(20):
            await pilot.pause()
        seen["palette"] = [c[0] for c in WarmlineCommands(app.screen)._commands()]
        await pilot.press("f1")
        await pilot.pause()
        seen["help"] = [list(map(str, app.screen.query_one("#help-keys").get_row_at(i)))
                        for i in range(app.screen.query_one("#help-keys").row_count)]
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("z")
        for _ in range(50):  # (a busy machine: until the screen shows, or long enough to be sure it will not)
            await pilot.pause()
            if type(app.screen).__name__ == "NotesScreen":
                break
        seen["screen"] = type(app.screen).__name__
        seen["sheet"] = any(path.endswith("match.tcss") for path, _ in app.stylesheet.source)
    return seen


path, coord, volunteer = sys.argv[1:]
print(json.dumps({
    "binding": [(b.key, b.id) for b in WarmlineApp.BINDINGS if b.id == "app.notes"],
    "coord": asyncio.run(visit(path, coord)),
    "volunteer": asyncio.run(visit(path, volunteer)),
}))
'''


def test_a_new_registry_entry_is_all_a_screen_needs(tmp_path, monkeypatch):
    line = make_rota(tmp_path, monkeypatch)
    (tmp_path / "extra_screen.py").write_text(textwrap.dedent(EXTRA_SCREEN))
    (tmp_path / "probe.py").write_text(PROBE)
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, str(tmp_path / "probe.py"), str(line.path), "coord", "ana"],
        env=env, capture_output=True, text=True, timeout=240, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["binding"] == [["z", "app.notes"]]  # its key, with the id [keys] remaps
    coord, volunteer = seen["coord"], seen["volunteer"]
    assert coord["screen"] == "NotesScreen" and coord["sheet"]  # z opens it, with its style sheet
    assert "Notes" in coord["palette"]
    assert ["z", "Notes"] in [row[1:4:2] for row in coord["help"]]
    # who may open it: a coordinators' screen is neither offered to nor opened by a volunteer
    assert volunteer["screen"] != "NotesScreen"
    assert "Notes" not in volunteer["palette"]
    assert not any(row[3] == "Notes" for row in volunteer["help"])


def test_the_app_names_no_screen_but_the_first():
    """screens/app.py imports no screen class and lists no screen by name: it reads the registry.
    Home is the exception: the app builds it as its first screen, on the start-up path."""
    tree = ast.parse(APP_PY.read_text(encoding="utf-8"))
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}
    strings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    classes = {entry.cls for entry in SCREENS} - {"HomeScreen"}
    assert not classes & (names | imported)
    assert not {entry.name for entry in SCREENS if entry.who == COORDINATORS} & strings  # no second coordinators' list
    assert not ({entry.name for entry in SCREENS} - {"home", "rota"}) & strings  # (rota: the palette's week commands)
