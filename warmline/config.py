"""Per-machine settings from a TOML file: the app's theme, a default actor, notification channels,
the limits of `warmline serve`, and the app's keys (`[keys]`: binding id = key).

The file is `platformdirs.user_config_path("warmline") / "config.toml"` (on Linux
`~/.config/warmline/config.toml`), or the file `WARMLINE_CONFIG` names. A missing
default file means the defaults; anything wrong in a file is an error that names
the setting and lists what is valid. Nothing here imports Textual: the theme names
are kept in a list below (a test compares it with Textual's).
"""

from __future__ import annotations

import os
import re
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
# The ids of the app's key bindings, which [keys] may remap (screens/actions.py groups them for
# the help; a test keeps this list equal to the bindings' ids).
KEY_IDS = frozenset("""
add_person.cancel add_person.save app.audit app.coverage app.help app.help_in_field app.home app.load
app.match app.people app.profile app.quit app.quit_in_field app.reports app.rota assign.back
assign.backup assign.peer audit.filter audit.older autofill.apply autofill.apply_in_field autofill.discard
choice.back confirm.back confirm.no confirm.yes coverage.fill coverage.next_week coverage.prev_week
coverage.this_week deactivate.back deactivate.confirm deactivate.keep handoff.back handoff.send help.close
help.close_key home.ack_note home.claim home.debrief home.drop home.triads home.write_note load.next_week
load.prev_week match.busy match.edit_needs match.log_call match.to_results note.acknowledge note.close
people.add people.edit people.filter people_filter.leave people_filter.leave_down person.cancel person.save
profile.save reports.next_period reports.prev_period reports.this_period reports.toggle_by rota.new_shift
rota.next_week rota.prev_week rota.today shift.assign shift.cancel_shift shift.claim shift.close shift.drop
shift.edit shift.swap shift.unassign shift_form.back shift_form.save signin.next_field signin.next_field_tab
swap.back swap.propose swaps.accept swaps.approve swaps.decline swaps.withdraw table.cursor_down
table.cursor_up table.first table.last table.page_down table.page_up table.scroll_left table.scroll_right
table.select tags.remove tags.toggle week.down week.left week.open_shift week.right week.up
line_settings.back line_settings.save people.line_settings
profile.accept profile.decline
home.approve_swap home.refuse_swap
home.accept_swap home.decline_swap home.withdraw_swap
shift.withdraw_cover swaps.refuse
series.edit series.cancel exports.export exports.back check.run
my_settings.add_window my_settings.add_time_off my_settings.remove my_settings.save my_settings.back
window.save window.back time_off.save time_off.back profile.my_settings
handoff_history.ack
load.autofill autofill_range.propose autofill_range.back rota.autofill coverage.autofill
goals.add goals.edit goals.remove goal_form.save goal_form.back tag_list.add tag_form.save tag_form.back people.by_tag
""".split())
# One key as Textual names it: modifiers, then a name (f2, question_mark) or one printable character.
_KEY = r"(?:(?:ctrl|shift|alt|meta|super|hyper)\+)*(?:[a-z][a-z0-9_]+|[!-~])"
KEY_LIST = re.compile(rf"{_KEY}(?:\s*,\s*{_KEY})*")

EXAMPLE = """\
# warmline settings for this machine (see README.md, "Configuration")
theme = "textual-dark"                       # a Textual theme, e.g. nord, gruvbox, textual-light
default_actor = "ana"                        # act as this handle when --as / WARMLINE_AS are not given
notification_channels = ["desktop", "app"]   # any of: desktop, terminal, app ([] for none)
serve_max_sessions = 20                      # warmline serve: browser sessions open at once
serve_max_signing_in = 4                     # warmline serve: of those, not signed in yet
serve_idle_minutes = 30                      # warmline serve: sign out a session unused this long

[keys]                                       # the app's keys, by action id (help, ?, lists the ids)
# "audit.older" = "pagedown"                 # one key, or several: "o,pagedown"
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
    keys: tuple[tuple[str, str], ...] = ()  # (binding id, key(s)) from [keys], for App.set_keymap


KEYS = tuple(f.name for f in fields(Config))
_DESCRIBE = {
    "theme": "a string naming a Textual theme",
    "default_actor": "a string: a person's handle",
    "notification_channels": f"a list of strings from {', '.join(CHANNELS)}",
    "serve_max_sessions": "a whole number from 1 to 1000",
    "serve_max_signing_in": "a whole number from 1 to 1000",
    "serve_idle_minutes": "a number of minutes above 0 and at most 1440",
    "keys": 'a table of action id = key, e.g. [keys] "home.claim" = "g"',
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
        elif key == "keys":
            if not isinstance(value, dict):
                raise wrong
            values[key] = tuple(_key_entry(binding_id, keys, where) for binding_id, keys in value.items())
    return Config(**values)


def _key_entry(binding_id: str, keys: object, where: str) -> tuple[str, str]:
    """One [keys] entry, checked: a known action id and a key list Textual understands."""
    if binding_id not in KEY_IDS:
        raise Invalid(
            f"[keys] in {where} has an unknown action id {binding_id[:40]!r}: "
            "the help (? in the app) lists each action's id, e.g. home.claim"
        )
    if not isinstance(keys, str) or len(keys) > 100 or not KEY_LIST.fullmatch(keys.strip()):
        shown = repr(keys[:40]) if isinstance(keys, str) else _type_name(keys)
        raise Invalid(
            f"{binding_id} in [keys] of {where} must be a key such as \"g\", \"ctrl+g\" or \"f2\" "
            f"(several: \"g,f2\"), not {shown}"
        )
    return binding_id, keys.strip()


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
        "keys": dict(config.keys),
    }
