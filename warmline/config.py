"""Per-machine settings from a TOML file: the app's theme, a default actor, notification channels,
and the limits of `warmline serve`.

The file is `platformdirs.user_config_path("warmline") / "config.toml"` (on Linux
`~/.config/warmline/config.toml`), or the file `WARMLINE_CONFIG` names. A missing
default file means the defaults; anything wrong in a file is an error that names
the setting and lists what is valid. Nothing here imports Textual: the theme names
are kept in a list below (a test compares it with Textual's).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

from .errors import Invalid

ENV_VAR = "WARMLINE_CONFIG"
# Textual's built-in themes (textual.theme.BUILTIN_THEMES for the pinned Textual).
THEMES = (
    "ansi-dark", "ansi-light", "atom-one-dark", "atom-one-light", "catppuccin-frappe", "catppuccin-latte",
    "catppuccin-macchiato", "catppuccin-mocha", "dracula", "flexoki", "gruvbox", "monokai", "nord",
    "rose-pine", "rose-pine-dawn", "rose-pine-moon", "solarized-dark", "solarized-light", "textual-dark",
    "textual-light", "tokyo-night",
)
# The channels of warmline.notify (a test keeps these equal to notify.outbox's).
CHANNELS = ("desktop", "terminal", "app")
DEFAULT_CHANNELS = ("desktop", "app")
MAX_BYTES = 64 * 1024

EXAMPLE = """\
# warmline settings for this machine (see README.md, "Configuration")
theme = "textual-dark"                       # a Textual theme, e.g. nord, gruvbox, textual-light
default_actor = "ana"                        # act as this handle when --as / WARMLINE_AS are not given
notification_channels = ["desktop", "app"]   # any of: desktop, terminal, app ([] for none)
serve_max_sessions = 20                      # warmline serve: browser sessions open at once
serve_max_signing_in = 4                     # warmline serve: of those, not signed in yet
serve_idle_minutes = 30                      # warmline serve: sign out a session unused this long
"""


@dataclass(frozen=True)
class Config:
    """Settings for this machine; every field has a default, so an empty file is a valid one."""

    theme: str | None = None
    default_actor: str | None = None
    notification_channels: tuple[str, ...] = DEFAULT_CHANNELS
    serve_max_sessions: int = 20
    serve_max_signing_in: int = 4
    serve_idle_minutes: float = 30.0


KEYS = tuple(f.name for f in fields(Config))
_DESCRIBE = {
    "theme": "a string naming a Textual theme",
    "default_actor": "a string: a person's handle",
    "notification_channels": f"a list of strings from {', '.join(CHANNELS)}",
    "serve_max_sessions": "a whole number from 1 to 1000",
    "serve_max_signing_in": "a whole number from 1 to 1000",
    "serve_idle_minutes": "a number of minutes above 0 and at most 1440",
}


def path() -> Path:
    """Where the settings are read from: $WARMLINE_CONFIG, else the per-user config directory."""
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        return Path(explicit).expanduser()
    import platformdirs  # kept off the start-up path of commands that never read settings

    return platformdirs.user_config_path("warmline") / "config.toml"


def _type_name(value: object) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


def parse(text: str, where: str = "the settings") -> Config:
    """Settings from TOML text; Invalid naming the setting and what is valid when anything is wrong."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Invalid(f"{where} is not valid TOML ({exc}): fix it, or see `warmline config show --example`") from None
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise Invalid(
            f"{where} has an unknown setting {unknown[0]!r}: valid settings are {', '.join(KEYS)}"
        )
    values: dict = {}
    for key, value in data.items():
        wrong = Invalid(f"{key} in {where} must be {_DESCRIBE[key]}, not {_type_name(value)}")
        if key == "theme":
            if not isinstance(value, str):
                raise wrong
            if value not in THEMES:
                raise Invalid(f"theme {value[:40]!r} in {where} is not a theme: choose one of {', '.join(THEMES)}")
            values[key] = value
        elif key == "default_actor":
            if not isinstance(value, str):
                raise wrong
            from .people import validate_handle

            try:
                validate_handle(value)
            except Invalid as exc:
                raise Invalid(f"default_actor in {where}: {exc}") from None
            values[key] = value
        elif key == "notification_channels":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise wrong
            bad = [v for v in value if v not in CHANNELS]
            if bad:
                raise Invalid(
                    f"notification_channels in {where} has {bad[0][:40]!r}, which is not a channel: "
                    f"use any of {', '.join(CHANNELS)}"
                )
            values[key] = tuple(dict.fromkeys(value))
        elif key in ("serve_max_sessions", "serve_max_signing_in"):
            if isinstance(value, bool) or not isinstance(value, int):
                raise wrong
            if not 1 <= value <= 1000:
                raise Invalid(f"{key} in {where} is {value}: give {_DESCRIBE[key]}")
            values[key] = value
        elif key == "serve_idle_minutes":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise wrong
            if not 0 < value <= 1440:
                raise Invalid(f"{key} in {where} is {value}: give {_DESCRIBE[key]}")
            values[key] = float(value)
    return Config(**values)


def load(file: Path | None = None) -> Config:
    """The settings of this machine: the file's, or the defaults when the default file does not exist.

    A file named by WARMLINE_CONFIG (or passed in) must exist.
    """
    explicit = file is not None or bool(os.environ.get(ENV_VAR))
    target = Path(file) if file is not None else path()
    if not target.exists():
        if explicit:
            raise Invalid(f"the settings file {target} does not exist: create it, or unset {ENV_VAR}")
        return Config()
    if target.is_dir():
        raise Invalid(f"the settings file {target} is a directory: it should be a TOML file")
    try:
        raw = target.read_bytes()[: MAX_BYTES + 1]
    except OSError as exc:
        raise Invalid(f"cannot read the settings file {target} ({exc.strerror})") from None
    if len(raw) > MAX_BYTES:
        raise Invalid(f"the settings file {target} is larger than {MAX_BYTES // 1024} KiB: is it the right file?")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(f"the settings file {target} is not UTF-8 text") from None
    return parse(text, str(target))


def as_dict(config: Config) -> dict:
    """The settings as plain values (for --json)."""
    return {
        "theme": config.theme,
        "default_actor": config.default_actor,
        "notification_channels": list(config.notification_channels),
        "serve_max_sessions": config.serve_max_sessions,
        "serve_max_signing_in": config.serve_max_signing_in,
        "serve_idle_minutes": config.serve_idle_minutes,
    }
