"""Per-machine settings: where the file is, what a good one gives, and clear errors for bad ones."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from warmline import config
from warmline.errors import Invalid


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Settings come from tmp_path's XDG config directory unless a test says otherwise."""
    monkeypatch.delenv(config.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return tmp_path


def test_the_default_path_is_in_the_config_directory_and_the_env_overrides_it(tmp_path, monkeypatch):
    assert config.path() == tmp_path / "xdg" / "warmline" / "config.toml"
    monkeypatch.setenv(config.ENV_VAR, str(tmp_path / "elsewhere.toml"))
    assert config.path() == tmp_path / "elsewhere.toml"


def test_no_file_means_the_defaults(tmp_path):
    assert config.load() == config.Config()
    assert config.Config().notification_channels == ("desktop", "app")


def test_a_good_file(tmp_path):
    target = tmp_path / "xdg" / "warmline" / "config.toml"
    target.parent.mkdir(parents=True)
    target.write_text('theme = "nord"\ndefault_actor = "ana"\nnotification_channels = ["terminal", "terminal"]\n')
    assert config.load() == config.Config(theme="nord", default_actor="ana", notification_channels=("terminal",))


def test_the_example_is_a_valid_file():
    assert config.parse(config.EXAMPLE).default_actor == "ana"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('colour = "blue"\n', "unknown setting 'colour'.*valid settings are theme, default_actor, notification_channels"),
        ("theme = 3\n", "theme in .* must be a string naming a Textual theme, not a number"),
        ('theme = "hotdog"\n', "theme 'hotdog' .* is not a theme: choose one of ansi-dark, .*textual-dark"),
        ('default_actor = "Not A Handle"\n', "default_actor in .*not a valid handle"),
        ("default_actor = true\n", "default_actor in .* must be a string: a person's handle, not true/false"),
        ('notification_channels = "desktop"\n', "must be a list of strings from desktop, terminal, app, not a string"),
        ('notification_channels = ["pager"]\n', "'pager', which is not a channel: use any of desktop, terminal, app"),
        ('theme = "nord\n', "is not valid TOML"),
        ("[theme]\nname = 'nord'\n", "must be a string naming a Textual theme, not a table"),
    ],
)
def test_bad_settings_name_the_problem_and_what_is_valid(tmp_path, text, expected):
    target = tmp_path / "c.toml"
    target.write_text(text)
    with pytest.raises(Invalid, match=expected):
        config.load(target)


def test_a_named_file_must_exist(tmp_path, monkeypatch):
    monkeypatch.setenv(config.ENV_VAR, str(tmp_path / "missing.toml"))
    with pytest.raises(Invalid, match="does not exist"):
        config.load()


def test_the_theme_list_matches_textual():
    from textual.theme import BUILTIN_THEMES

    assert sorted(config.THEMES) == sorted(BUILTIN_THEMES), "update config.THEMES for this Textual"


def test_the_channels_are_the_notifiers_channels():
    from warmline.notify import outbox

    assert config.CHANNELS == outbox.CHANNELS
    assert config.DEFAULT_CHANNELS == outbox.DEFAULT_CHANNELS


def test_loading_settings_imports_no_textual(tmp_path):
    target = tmp_path / "c.toml"
    target.write_text('theme = "nord"\n')
    code = (
        "import sys, warmline.config as c; c.load(__import__('pathlib').Path(sys.argv[1]));"
        "print(any(m.split('.')[0] in ('textual', 'rich') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


@pytest.mark.slow
def test_cli_path_show_and_a_bad_file(run_cli, tmp_path):
    target = run_cli.workdir / "settings.toml"
    env = {config.ENV_VAR: str(target)}
    shown = run_cli("config", "path", env=env)
    assert shown.returncode == 0 and shown.stdout.strip() == str(target)
    target.write_text('theme = "gruvbox"\n')
    good = run_cli("config", "show", "--json", env=env)
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout) | {"path": None} == {
        "theme": "gruvbox", "default_actor": None, "notification_channels": ["desktop", "app"], "path": None,
        "serve_max_sessions": 20, "serve_max_signing_in": 4, "serve_idle_minutes": 30.0, "keys": {},
    }
    target.write_text('them = "gruvbox"\n')
    bad = run_cli("config", "show", env=env)
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: ") and bad.stderr.count("\n") == 1
    assert "unknown setting 'them'" in bad.stderr and "theme, default_actor, notification_channels" in bad.stderr
    default = run_cli("config", "path", env={config.ENV_VAR: None, "XDG_CONFIG_HOME": str(tmp_path / "x")})
    assert default.stdout.strip() == str(tmp_path / "x" / "warmline" / "config.toml")
