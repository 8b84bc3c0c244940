"""Hostile text on every screen of the app: data, never markup, never a terminal control.

The rota is built with the core, then the hostile corpus (tests/hostile.py) is planted straight
into the file, as another program (or a rota from before the input checks) would have written
it: people's names and handles, the line's name and escalation text, tag labels (and so goal
names and the heat map's rows), shift notes, a handoff note, audit rows, a swap, notifications.
Then a coordinator and a volunteer visit every screen and dialog. On each one: the app is still
running (no MarkupError, no traceback), and the screen as drawn (`export_screenshot`, which
carries every character the terminal would get) holds no raw control character.

The rota (Monday 23 Nov 2026, New York; the clock at 10:40):

    P  03:00–07:00   hostile people      ← wrote a handoff note for A
    A  07:00–11:00   ana + hostile peers ← ana's shift: 20 minutes left, so she may write a note
    B  11:00–15:00   ben + hostile peers ← the next shift, with hostile names to address
    and two shifts a day for the rest of the week, each with hostile peers and an open seat.
"""

from __future__ import annotations

import copy
from datetime import time

import pytest
from hostile import CONTROLS, HOSTILE, MARKUP, ORDINARY, escaped_controls, plant
from rota_file import at, make_rota, settle, until
from textual.widgets._toast import Toast

from warmline.screens.app import make_app
from warmline.screens.confirm import ChoiceDialog, ConfirmDialog
from warmline.screens.dialogs import ShiftDialog
from warmline.screens.shift_form import ShiftFormDialog
from warmline.screens.handoff import HandoffDialog, NoteDialog
from warmline.screens.home import HomeScreen
from warmline.screens.person_form import DeactivateDialog, PersonEditorDialog
from warmline.screens.registry import SCREENS
from warmline.screens.signin import SignInScreen
from warmline import calls, coverage, rota, tags
from warmline.notify import outbox

pytestmark = pytest.mark.slow  # every screen, several times over

CLICK = "[@click=app.quit]Click[/]"
TITLE = "\x1b]0;pwned\x07"
# What goes into the one-of-a-kind places (the line's name, its escalation text, the actors'
# names) in each run; every hostile string is also some person's name in every run.
VARIANTS = {
    "title-escape": (TITLE + "Line", "Call 988\x1b[2J\x1b[H" + TITLE, "Rosa [/]", CLICK),
    "markup": ("Line [/]", "[@click=app.quit]988[/] [b]unclosed", CLICK, "Rosa [/]"),
    "c1-bidi": ("Line\x9d0;title\x9c", "\u202e889 llaC\u202c\x85", "\x9b31mAna", "Co\u2066ord\u2069"),
    # Markup alone (no control anywhere): what used to crash, or act, shows up on its own.
    "markup-only": ("Line [/]", "[@click=app.quit]988[/]", "Rosa [/]", CLICK),
}
CORPUS = {"markup-only": MARKUP + ORDINARY * 4}  # the others plant all of HOSTILE


def ids(conn, sql: str, *args) -> list:
    return [row[0] for row in conn.execute(sql, args)]


def build(tmp_path, monkeypatch, variant: str):
    """The rota above with the corpus planted; the clock at Monday 10:40."""
    from warmline import clock

    line = make_rota(tmp_path, monkeypatch)
    # Access decisions (on shift now?) follow the test's clock in this process, as the app's do.
    monkeypatch.setattr(clock, "real_now", clock.now, raising=False)
    monkeypatch.setenv("WARMLINE_NOW", at(23, 2).isoformat())  # before P: every shift is made in the future
    line_name, escalation, ana_name, coord_name = VARIANTS[variant]
    corpus = CORPUS.get(variant, HOSTILE)
    from warmline import people

    with line.db() as db:
        hostile_people = [
            people.add(db, line.coord, handle=f"p{i}", name=f"P{i}") for i in range(len(corpus))
        ]
        catalog = [t for t in tags.all_tags(db.conn) if t.family != "language"]
        languages = [t for t in tags.all_tags(db.conn) if t.family == "language"]
    n = len(hostile_people)
    handles = [p.handle for p in hostile_people]
    line.p = line.shift(at(23, 3), at(23, 7), seats=2, backup=0, on=((hostile_people[0], "peer"), (hostile_people[1], "peer")))
    line.a = line.shift(
        at(23, 7), at(23, 11), seats=4, backup=1,
        on=((line.ana, "peer"), (hostile_people[2], "peer"), (hostile_people[3], "peer"), (hostile_people[4], "backup")),
    )
    line.b = line.shift(
        at(23, 11), at(23, 15), seats=4, backup=1,
        on=((line.ben, "peer"), (hostile_people[5], "peer"), (hostile_people[6], "peer"), (hostile_people[7], "backup")),
    )
    week = []
    k = 8
    for day in range(24, 30):
        for start in (9, 13):
            on = tuple((hostile_people[(k + j) % n], "peer") for j in range(2)) + ((hostile_people[(k + 2) % n], "backup"),)
            k += 3
            week.append(line.shift(at(day, start), at(day, start + 4), seats=3, backup=1, on=on))
    ana_later = line.shift(at(25, 17), at(25, 21), seats=2, backup=0, on=((line.ana, "peer"),))
    with line.db() as db:
        for i, tag in enumerate(catalog[:6]):
            coverage.add_goal(db, line.coord, tag.id, "daily", time(9), time(17))
        monkeypatch.setenv("WARMLINE_NOW", at(23, 10).isoformat())
        calls.log_call(db, line.ana, [catalog[0].id, catalog[1].id])
        for day in (16, 17, 18):
            calls.log_call(db, line.coord, [catalog[2].id], at=at(day, 9, 30), taken_by=None)
        outbox.set_prefs(db, line.ana, channels=("app",))
        outbox.set_prefs(db, line.coord, channels=("app",))
        from datetime import date

        from warmline.recurrence import shift_span, zone

        start, end = shift_span(date(2026, 11, 25), time(17), time(21), zone("America/New_York"))
        series, _made = rota.add_series(
            db, line.coord, rule="FREQ=WEEKLY;BYDAY=WE", start=start, end=end, seats=2, backup=0, until=date(2026, 12, 9)
        )
        line.series_shift = db.conn.execute(
            "SELECT id FROM shift WHERE series_id = ? ORDER BY start_utc LIMIT 1", (series.id,)
        ).fetchone()[0]
        line.series_id = series.id
        rota.edit_shift(db, line.coord, line.a, end=at(23, 11, 0))  # a 'changed' notification for each on A
        rota.edit_shift(db, line.coord, week[0], end=at(24, 13, 0))
    monkeypatch.setenv("WARMLINE_NOW", at(23, 10, 40).isoformat())

    path = line.path
    for i, (person, text) in enumerate(zip(hostile_people, corpus)):
        plant(path, "UPDATE person SET name = ?, pronouns = ? WHERE id = ?", (text, corpus[-1 - i], person.id))
        if i % 2:  # every other one's handle too
            plant(path, "UPDATE person SET handle = ? WHERE id = ?", (f"{handles[i]}{text}", person.id))
        for tag in catalog[i % 4 : i % 4 + 2]:
            plant(path, "INSERT OR IGNORE INTO person_tag (person_id, tag_id, state) VALUES (?, ?, 'offered')",
                  (person.id, tag.id))
    plant(path, "UPDATE person SET name = ? WHERE id = ?", (ana_name, line.ana.id))
    plant(path, "UPDATE person SET name = ? WHERE id = ?", (coord_name, line.coord.id))
    plant(path, "UPDATE line SET name = ?, escalation = ?", (line_name, escalation))
    for tag, text in zip(catalog + languages[:3], corpus * 3):
        plant(path, "UPDATE tag SET label = ?, aliases = ? WHERE id = ?", (text, '["' + tag.id + ('-alias\\u001b[31m"]' if corpus is HOSTILE else '-alias [/]"]'), tag.id))
    for tag in catalog[:3]:
        plant(path, "INSERT OR IGNORE INTO person_tag (person_id, tag_id, state) VALUES (?, ?, 'offered')",
              (line.ana.id, tag.id))
    if languages:
        plant(path, "INSERT OR IGNORE INTO person_language (person_id, tag_id) VALUES (?, ?)", (line.ana.id, languages[0].id))
    for shift_id, text in zip([line.p, line.a, line.b, *week], corpus):
        plant(path, "UPDATE shift SET note = ? WHERE id = ?", (text, shift_id))
    plant(path, "UPDATE series SET note = ? WHERE id = ?", (corpus[0] + corpus[-1], line.series_id))
    plant(path, "UPDATE shift SET note = ? WHERE series_id = ?", (corpus[0] + corpus[-1], line.series_id))
    body = "\n".join(corpus)[:990]
    plant(path, "INSERT INTO handoff_note (shift_id, author_id, body, created_at) VALUES (?, ?, ?, ?)",
          (line.p, hostile_people[1].id, body, "2026-11-23T11:50:00Z"))
    for text in corpus:
        plant(path, "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
              ("2026-11-23T13:00:00Z", text, "person.edit", text, text))
    plant(path, "INSERT INTO swap (from_person, from_shift, to_person, to_shift, status, created_at)"
          " VALUES (?, ?, ?, ?, 'proposed', ?)", (line.ana.id, ana_later, hostile_people[9].id, week[4], "2026-11-23T13:00:00Z"))
    plant(path, "UPDATE notification SET title = ?, body = ?", (CLICK + (TITLE if corpus is HOSTILE else ""), "\n".join(corpus)))
    line.week = week
    line.hostile = hostile_people
    line.corpus = corpus
    line.tag_ids = [t.id for t in catalog]
    return line


_BUILT: dict[str, tuple] = {}  # variant -> (a built rota file, its Rota): built once, copied per test


@pytest.fixture(params=sorted(VARIANTS))
def line(request, tmp_path_factory, tmp_path, monkeypatch):
    variant = request.param
    if variant not in _BUILT:
        built = build(tmp_path_factory.mktemp(f"hostile-{variant}"), monkeypatch, variant)
        _BUILT[variant] = (built.path, built)
    source, built = _BUILT[variant]
    from warmline import clock

    monkeypatch.setenv("WARMLINE_NOW", at(23, 10, 40).isoformat())
    monkeypatch.setattr(clock, "real_now", clock.now, raising=False)
    for name in ("WARMLINE_DB", "WARMLINE_AS", "WARMLINE_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    made = copy.copy(built)
    made.path = copy_rota(source, tmp_path / "r.db")
    return made


def copy_rota(source, target):
    """A copy of a rota file (SQLite's backup, so a WAL is taken along)."""
    import sqlite3

    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return target


async def check(pilot, where: str) -> str:
    """Let the screen settle; the app is still running and what it draws holds no raw control."""
    await settle(pilot)
    app = pilot.app
    assert app.is_running and app.return_code is None, f"{where}: the app stopped"
    assert app._exception is None, f"{where}: {app._exception!r}"
    drawn = app.export_screenshot()
    assert escaped_controls(drawn) == [], f"{where}: raw control characters on screen"
    return drawn


async def visit(pilot, name: str) -> str:
    pilot.app.action_go(name)
    await settle(pilot)
    assert pilot.app.screen.name == name or pilot.app.is_screen_installed(name), name
    return await check(pilot, name)


async def modal(pilot, screen, where: str) -> str:
    pilot.app.push_screen(screen)
    await settle(pilot)
    assert pilot.app.screen is screen, where
    drawn = await check(pilot, where)
    return drawn


async def close(pilot, where: str) -> None:
    await pilot.press("escape")
    await check(pilot, f"{where}, closed")


async def test_a_coordinator_sees_hostile_text_as_text_on_every_screen(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await check(pilot, "home")
        assert await until(pilot, lambda: bool(app.screen.query(Toast)), seconds=4.0)  # the planted notification
        await check(pilot, "home with toasts")
        for name in [entry.name for entry in SCREENS if entry.name != "home"]:  # every screen, new ones too
            await visit(pilot, name)
        app.action_go("match")
        await settle(pilot)
        needs = app.screen.query_one("#match-needs")
        needs.focus()
        await pilot.press(*line.tag_ids[0][:3])  # a suggestion: an alias with an escape in it
        await settle(pilot)
        assert "-alias" in needs._suggestion  # (with an escape in it, or '[/]' for markup-only)
        await check(pilot, "match, a suggestion shown")
        await pilot.press("right", "enter")  # accepted: the box holds it, drawn without the control
        await check(pilot, "match, the suggestion taken")
        app.action_go("rota")
        await settle(pilot)
        await pilot.press("right", "down", "up")  # the grid's cursor over hostile handles
        await check(pilot, "rota cursor")
        # The shift dialog of A, its unassign picker, the assign list, the edit form.
        dialog = ShiftDialog(line.a)
        await modal(pilot, dialog, "shift dialog")
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog), "the unassign picker"
        await check(pilot, "unassign picker")
        await pilot.press("down", "down")
        await check(pilot, "unassign picker, moved")
        await close(pilot, "unassign picker")
        await pilot.press("a")
        await check(pilot, "assign list")
        await pilot.press("down", "down", "down")
        await check(pilot, "assign list, moved")
        await close(pilot, "assign list")
        await pilot.press("e")
        await settle(pilot)
        await check(pilot, "edit form")
        if isinstance(app.screen, ShiftFormDialog):
            await close(pilot, "edit form")
        await close(pilot, "shift dialog")
        # A series occurrence with a hostile note: the dialog, "edit which?", the series form.
        await modal(pilot, ShiftDialog(line.series_shift), "series occurrence")
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog), "edit which?"
        await check(pilot, "edit which?")
        await pilot.press("down", "enter")  # the whole series
        await settle(pilot)
        assert isinstance(app.screen, ShiftFormDialog), "the series form"
        await check(pilot, "series form")
        await close(pilot, "series form")
        if isinstance(app.screen, ShiftDialog):
            await close(pilot, "series occurrence")
        # Every hostile person's editor; one deactivation prompt.
        app.action_go("people")
        await settle(pilot)
        for person in [line.hostile[i] for i in EDITED]:
            from warmline import people

            with line.db() as db:
                handle = people.get_by_id(db.conn, person.id).handle
            editor = PersonEditorDialog(handle)
            await modal(pilot, editor, f"editor of p{person.id}")
            await close(pilot, "editor")
        with line.db() as db:
            from warmline import people

            who = people.get_by_id(db.conn, line.hostile[1].id)
        await modal(pilot, DeactivateDialog(who.name, who.handle), "deactivate")
        await close(pilot, "deactivate")
        app.action_help()
        await check(pilot, "help")
        await close(pilot, "help")
        await pilot.press("ctrl+p")
        await check(pilot, "palette")
        await pilot.press(*"go")
        await check(pilot, "palette search")
        await close(pilot, "palette")
        assert app.is_running


async def test_a_volunteer_sees_hostile_text_as_text_on_every_screen(line):
    app = make_app(line.path, actor=line.ana)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await check(pilot, "home")
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert await until(pilot, lambda: bool(app.screen.query(Toast)), seconds=4.0)
        await check(pilot, "home with toasts")
        # The handoff note for A (from P): read it, then acknowledge it.
        assert home.query_one("#handoff-notes").has_focus  # the note for my shift comes first
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, NoteDialog), "the note dialog"
        await check(pilot, "note dialog")
        await close(pilot, "note dialog")
        await pilot.press("a")
        await check(pilot, "acknowledged")
        with line.db() as db:
            acked = db.conn.execute("SELECT person_id FROM handoff_ack").fetchall()
        assert [tuple(r) for r in acked] == [(line.ana.id,)]
        # Write a note for B (hostile names to address).
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, HandoffDialog), "the handoff dialog"
        await check(pilot, "handoff dialog")
        await pilot.press(*"Quiet morning")
        await check(pilot, "handoff dialog, typed")
        await pilot.press("escape")
        await settle(pilot)
        if isinstance(app.screen, ConfirmDialog):  # "discard what you typed?"
            await check(pilot, "discard the note?")
            await pilot.press("y")
        await check(pilot, "handoff dialog, closed")
        assert isinstance(app.screen, HomeScreen)
        for name in [entry.name for entry in SCREENS if entry.may_open(False) and entry.name != "home"]:
            await visit(pilot, name)
        app.action_go("match")
        await settle(pilot)
        await pilot.press("slash", *"abc", "enter")
        await check(pilot, "match with needs")
        app.action_go("rota")
        await settle(pilot)
        await modal(pilot, ShiftDialog(line.b), "shift dialog B")
        await close(pilot, "shift dialog B")
        app.action_help()
        await check(pilot, "help")
        await close(pilot, "help")
        assert app.is_running


async def test_sign_in_shows_the_line_and_refusals_as_text(line):
    app = make_app(line.path, actor=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await check(pilot, "sign-in")
        assert isinstance(app.screen, SignInScreen)
        await pilot.press(*"p1[/]", "enter", *"wrong passphrase", "enter")
        await check(pilot, "sign-in refused")
        assert isinstance(app.screen, SignInScreen)


async def test_a_click_on_markup_in_a_name_does_nothing(tmp_path, monkeypatch):
    line = build(tmp_path, monkeypatch, "markup-only")
    from warmline import people

    with line.db() as db:
        who = people.get_by_id(db.conn, line.hostile[line.corpus.index(CLICK)].id)
    assert who.name == CLICK
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.action_go("people")
        await settle(pilot)
        editor = PersonEditorDialog(who.handle)
        app.push_screen(editor)
        await settle(pilot)
        title = editor.query_one("#ed-title")
        for x in range(min(40, title.size.width)):  # every cell of the title: "Edit [@click=…"
            await pilot.click(title, offset=(x, 0))
            await pilot.pause()
            assert app.is_running and app.return_code is None and app.screen is editor, f"a click at {x} acted"
        drawn = await check(pilot, "editor after clicks")
        assert "[@click=app.quit]Click[/]" in drawn.replace("&#160;", " ")  # shown as the text it is


# Whose editor the coordinator opens: a title escape, a C1 CSI, a bidi override, markup that
# breaks, markup that acts, a formula (names), and hostile handles (odd indices).
EDITED = sorted({0, 1, 4, 7, HOSTILE.index("Rosa [/]"), HOSTILE.index(CLICK), len(CONTROLS) + len(MARKUP)})
