"""Privacy on screen: nobody's lived-experience tags appear on the Rota, in the shift dialog or on Home.

Tags (offered or paused) may show only as reasons inside a match. This test gives ana and ben
tags of every family but language, puts them on shifts, and reads every visible character of
the volunteer's Rota, a shift dialog and Home for each tag's id, label and aliases.
"""

from __future__ import annotations

import re

from rota_file import at, make_rota, settle

from warmline.screens.app import make_app
from warmline.screens.dialogs import ShiftDialog
from warmline.screens.rota import RotaScreen
from warmline import people
from warmline.db import open_db
from warmline.people import PersonChanges
from warmline.tags import all_tags

OFFERED = ["hearing voices", "substance-use recovery", "housing insecurity"]
PAUSED = ["grief", "trans or non-binary"]


def _words(tag) -> set[str]:
    return {w for w in (tag.id, tag.label, *tag.aliases) if len(w) >= 4}


def _visible_text(app) -> str:
    # The SVG export holds every character on screen; tags would show up there in any widget.
    svg = app.export_screenshot()
    text = re.sub(r"<[^>]+>", "", svg)
    return re.sub(r"&#160;|\s+", " ", text).lower()


async def test_no_tag_of_anyone_on_rota_dialog_or_home(tmp_path, monkeypatch):
    line = make_rota(tmp_path, monkeypatch)
    with open_db(line.path) as db:
        for handle in ("ana", "ben"):
            people.edit(db, line.coord, handle, PersonChanges(offer=tuple(OFFERED), pause=tuple(PAUSED)))
        held = [t for t in all_tags(db.conn) if t.family != "language"]
    mine = {t.id for t in held if t.label in OFFERED + PAUSED}
    words = set().union(*(_words(t) for t in held if t.id in mine))
    line.shift(at(24, 9), at(24, 13), on=((line.ana, "peer"), (line.ben, "backup")))
    line.shift(at(25, 9), at(25, 13), on=((line.ben, "peer"),))

    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        seen = {"home": _visible_text(app)}
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, RotaScreen)
        seen["rota"] = _visible_text(app)
        await pilot.press("right")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ShiftDialog), app.screen
        seen["shift dialog"] = _visible_text(app)
    assert "ana" in seen["rota"] and "ben" in seen["rota"]  # the screens did show the people
    for where, text in seen.items():
        leaked = sorted(w for w in words if w.lower() in text)
        assert not leaked, f"tag text on the {where} screen: {leaked}"
