"""The app's Line settings form, without Textual: what it loads and how it reads what was typed.

What the form holds is text; `typed_changes` turns it into the core's arguments (only what differs
from what was loaded), with the core's own one-line errors for a cut-off that is not a number. The
core (line.change_settings) checks everything again: this is only so the form can say it first.
"""

from __future__ import annotations

from warmline.errors import Invalid
from warmline.line import MAX_CUTOFF_HOURS, LineSettings, settings


def load_settings(db) -> LineSettings:
    """The line's settings as the form shows them."""
    return settings(db.conn)


def parse_cutoff(text: str) -> int:
    """The drop cut-off typed in the form: a whole number of hours, else a one-line error."""
    value = text.strip().removesuffix("h").strip()
    if not value.isascii() or not value.isdigit():
        raise Invalid(f"the drop cut-off must be a whole number of hours from 0 to {MAX_CUTOFF_HOURS}, e.g. 48")
    return int(value)


def typed_changes(loaded: LineSettings, *, name: str, escalation: str, cutoff: str, approval: bool) -> dict:
    """The core's keyword arguments for what differs from `loaded` (empty when nothing does)."""
    changes: dict = {}
    if name != loaded.name:
        changes["name"] = name
    if escalation != loaded.escalation:
        changes["escalation"] = escalation
    if cutoff.strip() != str(loaded.drop_cutoff_hours):
        changes["drop_cutoff_hours"] = parse_cutoff(cutoff)
    if approval != loaded.swaps_need_approval:
        changes["swaps_need_approval"] = approval
    return changes
