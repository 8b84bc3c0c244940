"""Keys: every binding has an id, the settings file's [keys] remaps them, and the help (?) and
the command palette list each screen's actions, grouped, from the same bindings."""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path

import pytest
from rota_file import at, make_rota, settle

from warmline.screens.actions import GROUP_ORDER, GROUPS
from warmline.screens.app import WarmlineCommands, make_app
from warmline.screens.dialogs import ShiftDialog, is_on
from warmline.screens.help import HelpDialog
from warmline.screens.home import HomeScreen
from warmline.screens.registry import SCREENS
from warmline.screens.rota import RotaScreen
from warmline.screens.week import WeekGrid
from warmline import config
from warmline.errors import Invalid

SCREENS_DIR = Path(__file__).resolve().parents[2] / "screens"
COORDINATOR_ONLY = [e.name for e in SCREENS if e.who == "coordinators"]


@pytest.fixture
def line(tmp_path, monkeypatch):
    """Test Line at Monday 2026-11-23 08:00 New York: coord on one shift, an open one, ana and ben."""
    rota = make_rota(tmp_path, monkeypatch)
    rota.shift(at(24, 9), at(24, 13), on=((rota.coord, "peer"), (rota.ana, "peer")))
    rota.open_shift = rota.shift(at(25, 9), at(25, 13))
    return rota


def binding_ids_in_source() -> list[tuple[str, str | None]]:
    """(file:line, id) of every Binding(...) written in screens/ (read from the source)."""
    found = []
    for path in sorted(SCREENS_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Binding":
                ids = [k.value for k in node.keywords if k.arg == "id"]
                value = ids[0].value if ids and isinstance(ids[0], ast.Constant) else None
                found.append((f"{path.name}:{node.lineno}", value if ids else None))
    return found


@pytest.mark.slow
def test_every_binding_has_an_id_the_settings_and_the_help_know():
    written = binding_ids_in_source()
    assert len(written) > 80
    assert [where for where, bid in written if bid is None and not where.startswith("app.py")] == []
    from warmline.screens.app import WarmlineApp

    app_ids = {b.id for b in WarmlineApp.BINDINGS}
    assert None not in app_ids and {"app.quit", "app.home", "app.rota", "app.help"} <= app_ids
    every = {bid for _, bid in written if bid} | app_ids
    assert every == set(config.KEY_IDS) == set(GROUPS)  # one list each for settings and help, kept equal
    assert all(bid.count(".") == 1 for bid in every)


def test_the_screen_keys_come_from_the_registry():
    from warmline.screens.app import WarmlineApp

    go = [b for b in WarmlineApp.BINDINGS if b.action.startswith("go(")]
    assert [(b.key, b.id) for b in go] == [(e.key, f"app.{e.name}") for e in SCREENS if e.key]
    # Keys shown as global mean one thing everywhere: no screen binds a screen key to something else
    # (p is People for coordinators and Profile for volunteers: never both for one person).
    screen_keys = {e.key for e in SCREENS if e.key} | {"q", "question_mark"}
    for entry in SCREENS:
        cls = getattr(importlib.import_module(entry.module), entry.cls)
        clashes = [b.key for b in cls.BINDINGS if b.key in screen_keys]
        assert clashes == [], (entry.name, clashes)


def help_rows(app) -> list[list[str]]:
    table = app.screen.query_one("#help-keys")
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def expected_actions(screen) -> list[tuple[str, str, bool]]:
    """(key, does, usable now) of the screen's own listed bindings, read from BINDINGS (False: hidden)."""
    app = screen.app
    found = []
    for binding in type(screen).BINDINGS:
        state = screen.check_action(*_parse(binding.action))
        if GROUPS[binding.id] is None or state is False:
            continue
        does = binding.tooltip or binding.description
        found.append((binding.key_display or app.get_key_display(binding), does, bool(state)))
    return found


def _parse(action: str) -> tuple[str, tuple]:
    name, _, rest = action.partition("(")
    return name, (ast.literal_eval(f"({rest[:-1]},)") if rest.strip(")") else ())


CASES = [("coord", e.name) for e in SCREENS] + [("ana", e.name) for e in SCREENS if e.who == "everyone"]


@pytest.mark.fast_tier_sample(16)
@pytest.mark.parametrize(("who", "name"), CASES)
async def test_help_and_palette_per_screen(line, who, name):
    person = getattr(line, who)
    entry = next(e for e in SCREENS if e.name == name)
    app = make_app(line.path, actor=person)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.action_go(name)
        await settle(pilot)
        screen = app.screen
        assert app.get_screen(name) is screen
        expected = expected_actions(screen)
        names = [c[0] for c in WarmlineCommands(screen)._commands()]
        await pilot.press("f1")  # works while typing, too (Match and People open on a field)
        await settle(pilot)
        assert isinstance(app.screen, HelpDialog)
        assert str(app.screen.query_one(".dialog-title").render()) == f"Keys · {entry.title}"
        rows = help_rows(app)
        listed = [(key, does.removesuffix(" (not now)")) for _group, key, _id, does in rows]
        assert expected
        for key, does, usable in expected:
            assert (key, does) in listed, (key, does)
            assert does in names or not usable, does  # the palette offers what the help lists (usable now)
        # grouped: each group once, on its first row, in the groups' order
        groups = [group for group, *_ in rows if group]
        assert groups == [g for g in GROUP_ORDER if g in groups] and len(set(groups)) == len(groups)
        assert rows[0][0] == groups[0]
        # no class names, no cursor keys, every row with its id
        cells = " ".join(" ".join(row) for row in rows)
        assert "Screen" not in cells and "Table" not in cells and "Dialog" not in cells
        assert not {key for _, key, _, _ in rows} & {"↑", "↓", "←", "→", "pgup", "pgdn"}
        assert all(row[2] in config.KEY_IDS or row[1] == "^p" for row in rows)
        # app-wide: Quit and Help in both
        assert ("q", "Quit") in listed and "Quit" in names and "Help" in names
        if who == "ana":  # a volunteer is offered no coordinator-only screen or action
            for other in COORDINATOR_ONLY:
                title = next(e.title for e in SCREENS if e.name == other)
                assert title not in names and all(does != title for _, does in listed), other
            assert "New shift" not in names and not any(n.startswith("Auto-fill") for n in names)
            assert "New shift or series" not in [does for _, does in listed]
        else:
            others = [e.title for e in SCREENS if e.name != name]
            assert all(title in names for title in others)  # every other screen, keyed or not


@pytest.mark.slow
async def test_home_offers_claim_and_drop_in_the_palette_and_the_palette_runs_them(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        # c claims from Open seats only; c and d are off while a coordinator's inbox has focus (issue 15).
        app.screen.query_one("#open-seats").focus()
        await pilot.pause()
        commands = {c[0]: c for c in WarmlineCommands(app.screen)._commands()}
        assert {"Claim seat", "Drop shift"} <= set(commands)
        assert commands["Claim seat"][1] == "Shifts · c"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"claim seat")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        # the same as pressing c: the open seat under the cursor is claimed
        assert is_on(line.view(line.open_shift), line.coord.id)


@pytest.mark.slow
async def test_the_shift_dialog_offers_its_actions_in_the_palette(line):
    app = make_app(line.path, actor=line.coord)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, RotaScreen)
        grid = app.screen.query_one(WeekGrid)
        open_shift = next(v.shift.id for day in grid.days for v in day if v.open_seats and not v.peers)
        assert grid.select_shift(open_shift)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ShiftDialog)
        names = [c[0] for c in WarmlineCommands(app.screen)._commands()]
        for action in ("Claim", "Assign", "Cancel shift", "Edit"):
            assert action in names, action


def settings_file(tmp_path, monkeypatch, text: str):
    target = tmp_path / "settings.toml"
    target.write_text(text)
    monkeypatch.setenv(config.ENV_VAR, str(target))
    return target


@pytest.mark.slow
async def test_a_key_remapped_in_the_settings_file_works_and_the_old_one_does_not(line, tmp_path, monkeypatch):
    settings_file(tmp_path, monkeypatch, '[keys]\n"app.rota" = "g"\n')
    settings = config.load()
    assert settings.keys == (("app.rota", "g"),)
    app = make_app(line.path, actor=line.coord, keys=dict(settings.keys))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")  # the old key: nothing
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        names = {c[0]: c[1] for c in WarmlineCommands(app.screen)._commands()}
        assert names["Rota"] == "Moving around · g"  # the palette shows the new key
        await pilot.press("f1")
        await settle(pilot)
        listed = [(key, does) for _g, key, _id, does in help_rows(app)]
        assert ("g", "Rota") in listed and ("r", "Rota") not in listed  # so does the help
        await pilot.press("escape")
        await pilot.press("g")  # the new key
        await settle(pilot)
        assert isinstance(app.screen, RotaScreen)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[keys]\n"home.nope" = "g"\n', "unknown action id 'home.nope'"),
        ('[keys]\n"home.claim" = 3\n', "home.claim in [keys]"),
        ('[keys]\n"home.claim" = "ctrl+"\n', "must be a key such as"),
        ('[keys]\n"home.claim" = ""\n', "must be a key such as"),
        ("keys = 3\n", "keys in"),
    ],
)
def test_bad_keys_in_the_settings_file_are_one_line_errors(tmp_path, monkeypatch, text, says):
    settings_file(tmp_path, monkeypatch, text)
    with pytest.raises(Invalid) as caught:
        config.load()
    message = str(caught.value)
    assert says in message and "\n" not in message


def test_the_example_settings_file_parses_and_keys_show_in_json():
    assert config.parse(config.EXAMPLE).keys == ()
    parsed = config.parse('[keys]\n"rota.today" = "?"\n"app.help" = "f2, ctrl+h"\n')
    assert config.as_dict(parsed)["keys"] == {"rota.today": "?", "app.help": "f2, ctrl+h"}


def test_the_cli_refuses_a_bad_key_in_one_line_and_shows_good_ones(run_cli):
    target = run_cli.workdir / "settings.toml"
    env = {config.ENV_VAR: str(target)}
    target.write_text('[keys]\n"home.claim" = "g"\n')
    good = run_cli("config", "show", "--json", env=env)
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["keys"] == {"home.claim": "g"}
    target.write_text('[keys]\n"Home.Claim" = "g"\n')
    bad = run_cli("config", "show", env=env)
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and bad.stderr.startswith("error: ") and "'Home.Claim'" in bad.stderr
    assert "Traceback" not in bad.stderr
