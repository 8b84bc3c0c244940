"""A person's tag consent history in words, for the CLI's `tags history` and the app's profile.

The core (warmline/consent.py) decides who may read it; this only says each step in words and
puts its time in the line's zone.
"""

from __future__ import annotations

from ..db import parse_utc

_WORDS = {
    "proposed": "proposed by {by}",
    "accepted": "accepted",
    "declined": "declined",
    "offered": "offered",
    "paused": "paused",
    "resumed": "offered again",
    "removed": "removed",
    "added": "added by {by} when the person was added (not accepted by them)",
    "before-consent": "in use before consent was recorded",
}


def what_text(step, person_handle: str) -> str:
    """What happened, in words; says who did it when it was not the person themself."""
    text = _WORDS.get(step.what, step.what).format(by=step.by or "a coordinator")
    if step.by and step.by != person_handle and "{by}" not in _WORDS.get(step.what, ""):
        text += f" by {step.by}"
    return text


def when_text(step, tz) -> str:
    """The step's moment in the line's zone, to the minute: 2026-11-23 09:00."""
    return parse_utc(step.at).astimezone(tz).strftime("%Y-%m-%d %H:%M")



def history_lines(db, actor) -> list[tuple[str, str, str]]:
    """The acting person's own consent history for My profile: (when in the line's zone, tag label, what), oldest first."""
    from ..consent import history_of
    from ..line_settings import get as get_line
    from ..recurrence import zone

    person, steps = history_of(db, actor)
    tz = zone(get_line(db.conn).tz)
    return [(when_text(s, tz), s.label, what_text(s, person.handle)) for s in steps]
