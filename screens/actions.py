"""A screen's actions, read from its active key bindings: the one source of the help (`?`) and
the command palette, so the two cannot disagree.

Every binding in screens/ has an id (`screen.action`, `app.x` for the app's); a person
remaps a key with the settings file's `[keys]` table (warmline/config.py keeps the list of
ids, and a test keeps it equal to the bindings'). The group of each id is below; an id
mapped to None (the tables' and the grid's cursor keys, a field's own keys) is never listed.
Imported when the help or the palette opens, never at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .registry import SCREENS

SHIFTS = "Shifts"
CALLS = "Calls and support"
PEOPLE = "People"
MOVING = "Moving around"
DIALOG = "This window"
APP = "App"
GROUP_ORDER = (SHIFTS, CALLS, PEOPLE, MOVING, DIALOG, APP)

GROUPS: dict[str, str | None] = {
    "app.quit": APP,
    "app.quit_in_field": APP,
    "app.help": APP,
    "app.help_in_field": APP,
    **{entry.binding_id: MOVING for entry in SCREENS if entry.key},
    # Home
    "home.claim": SHIFTS,
    "home.drop": SHIFTS,
    "home.write_note": SHIFTS,
    "home.ack_note": SHIFTS,
    "home.triads": CALLS,
    "home.debrief": CALLS,
    "home.approve_swap": SHIFTS,
    "home.refuse_swap": SHIFTS,
    "home.accept_swap": SHIFTS,
    "home.decline_swap": SHIFTS,
    "home.withdraw_swap": SHIFTS,
    # Rota and its week grid
    "rota.prev_week": MOVING,
    "rota.next_week": MOVING,
    "rota.today": MOVING,
    "rota.new_shift": SHIFTS,
    "week.up": None,
    "week.down": None,
    "week.left": None,
    "week.right": None,
    "week.open_shift": SHIFTS,
    # the shift dialog and its forms
    "shift.claim": SHIFTS,
    "shift.drop": SHIFTS,
    "shift.swap": SHIFTS,
    "shift.withdraw_cover": SHIFTS,
    "shift.assign": SHIFTS,
    "shift.unassign": SHIFTS,
    "shift.edit": SHIFTS,
    "shift.cancel_shift": SHIFTS,
    "shift.close": DIALOG,
    "shift_form.save": DIALOG,
    "shift_form.back": DIALOG,
    "assign.peer": SHIFTS,
    "assign.backup": SHIFTS,
    "assign.back": DIALOG,
    "confirm.yes": DIALOG,
    "confirm.no": DIALOG,
    "confirm.back": DIALOG,
    "choice.back": DIALOG,
    # handoff notes
    "handoff.send": DIALOG,
    "handoff.back": DIALOG,
    "note.acknowledge": DIALOG,
    "note.close": DIALOG,
    "handoff_history.ack": SHIFTS,
    # swaps
    "swaps.accept": SHIFTS,
    "swaps.decline": SHIFTS,
    "swaps.withdraw": SHIFTS,
    "swaps.approve": SHIFTS,
    "swaps.refuse": SHIFTS,
    "swap.propose": DIALOG,
    "swap.back": DIALOG,
    # match and coverage
    "match.edit_needs": CALLS,
    "match.busy": CALLS,
    "match.log_call": CALLS,
    "match.to_results": MOVING,
    "coverage.prev_week": MOVING,
    "coverage.next_week": MOVING,
    "coverage.this_week": MOVING,
    "coverage.fill": SHIFTS,
    # load and auto-fill
    "load.prev_week": MOVING,
    "load.next_week": MOVING,
    "autofill.apply": DIALOG,
    "autofill.apply_in_field": DIALOG,
    "autofill.discard": DIALOG,
    "load.autofill": SHIFTS,
    "rota.autofill": SHIFTS,
    "coverage.autofill": SHIFTS,
    "autofill_range.propose": SHIFTS,
    "autofill_range.back": DIALOG,
    # reports and audit
    "reports.prev_period": MOVING,
    "reports.next_period": MOVING,
    "reports.this_period": MOVING,
    "reports.toggle_by": MOVING,
    "audit.older": MOVING,
    "audit.filter": MOVING,
    # people and profile
    "people.edit": PEOPLE,
    "people.add": PEOPLE,
    "people.filter": PEOPLE,
    "people.line_settings": MOVING,
    "people.by_tag": PEOPLE,
    "goals.add": SHIFTS,
    "goals.edit": SHIFTS,
    "goals.remove": SHIFTS,
    "goal_form.save": DIALOG,
    "goal_form.back": DIALOG,
    "tag_list.add": PEOPLE,
    "tag_form.save": DIALOG,
    "tag_form.back": DIALOG,
    "people_filter.leave": None,
    "people_filter.leave_down": None,
    "tags.toggle": PEOPLE,
    "tags.remove": PEOPLE,
    "deactivate.confirm": DIALOG,
    "deactivate.keep": DIALOG,
    "deactivate.back": DIALOG,
    "person.save": DIALOG,
    "person.cancel": DIALOG,
    "add_person.save": DIALOG,
    "add_person.cancel": DIALOG,
    "profile.save": PEOPLE,
    "profile.accept": PEOPLE,
    "profile.decline": PEOPLE,
    # series, exports, check
    "series.edit": SHIFTS,
    "series.cancel": SHIFTS,
    "exports.export": DIALOG,
    "exports.back": DIALOG,
    "check.run": MOVING,
    # line settings
    "line_settings.save": DIALOG,
    "line_settings.back": DIALOG,
    # my settings
    "my_settings.add_window": PEOPLE,
    "my_settings.add_time_off": PEOPLE,
    "my_settings.remove": PEOPLE,
    "my_settings.save": DIALOG,
    "my_settings.back": DIALOG,
    "window.save": DIALOG,
    "window.back": DIALOG,
    "time_off.save": DIALOG,
    "time_off.back": DIALOG,
    "profile.my_settings": MOVING,
    # sign-in, help
    "signin.next_field": None,
    "signin.next_field_tab": None,
    "help.close": DIALOG,
    "help.close_key": DIALOG,
    # the tables' cursor keys
    "table.select": None,
    "table.cursor_up": None,
    "table.cursor_down": None,
    "table.page_up": None,
    "table.page_down": None,
    "table.first": None,
    "table.last": None,
    "table.scroll_left": None,
    "table.scroll_right": None,
}


@dataclass(frozen=True)
class Action:
    """One listed key: its group, the key as shown (after any remapping), what it does, its id."""

    group: str
    key: str
    what: str
    id: str
    action: str
    node: Any  # the DOM node whose action it is (the screen, a widget, the app)
    enabled: bool


def group_of(binding: Any, node: Any, app: Any) -> str | None:
    """The group an active binding is listed under, or None when it is not listed."""
    if binding.id is not None:
        return GROUPS.get(binding.id)
    # Textual's own app keys (the command palette); its system and copy keys are not listed.
    if node is app and not binding.system and binding.description and "copy" not in binding.action:
        return APP
    return None


def screen_actions(screen: Any) -> list[Action]:
    """The actions a person can take on `screen` by key, grouped (GROUP_ORDER), in binding order.

    Read as Textual reads the active bindings (focused widget, its ancestors, the screen, the
    app; up to a modal; the keymap applied; each key's first binding unless a later one has
    priority; actions whose check_action says False left out) but with two differences: only
    listed bindings count, and a key a focused field would take as typing is still listed (the
    palette runs the action whatever has focus; the help says what the screen offers).
    """
    app = screen.app
    focused = screen.focused
    nodes = list(focused.ancestors_with_self) if focused is not None else [screen, app]
    keymap = getattr(app, "_keymap", None)
    by_key: dict[str, tuple[Any, Any, bool, str]] = {}
    for node in nodes:
        bindings = node._bindings.copy()
        if keymap:
            bindings.apply_keymap(keymap)
        for key, binding in bindings:
            group = group_of(binding, node, app)
            if group is None:
                continue
            state = app._check_action_state(binding.action, node)
            if state is False:
                continue
            if key not in by_key or (binding.priority and not by_key[key][0].priority):
                by_key[key] = (binding, node, bool(state), group)
        if node.is_modal:
            break
    found = []
    for binding, node, enabled, group in by_key.values():
        what = binding.tooltip or binding.description or binding.action.replace("_", " ")
        found.append(Action(group, app.get_key_display(binding), what, binding.id or "", binding.action, node, enabled))
    order = {group: i for i, group in enumerate(GROUP_ORDER)}
    found.sort(key=lambda a: order[a.group])  # stable: binding order within a group
    return found


def registered_name(screen: Any) -> str | None:
    """The registry's name of `screen` (screens/registry.py), or None for a dialog."""
    app = screen.app
    for entry in SCREENS:
        if app.is_screen_installed(entry.name) and app.get_screen(entry.name) is screen:
            return entry.name
    return None


def palette_actions(screen: Any) -> list[Action]:
    """The screen's actions for the palette: each action once (q and ctrl+q are one Quit)."""
    seen: set[tuple[int, str]] = set()
    found = []
    for action in screen_actions(screen):
        mark = (id(action.node), action.action)
        if mark in seen or not action.enabled:
            continue
        seen.add(mark)
        found.append(action)
    return found
