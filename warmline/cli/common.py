"""Small parsers and labels more than one command group uses."""

from __future__ import annotations


def _clock_time(text: str | None, what: str):
    from datetime import time

    from ..errors import Invalid

    if text is None:
        return None
    try:
        value = time.fromisoformat(text.strip())
        if len(text.strip()) not in (5, 8):
            raise ValueError
    except ValueError:
        raise Invalid(f"{what} {text[:20]!r} is not a time of day: use HH:MM, e.g. 17:30") from None
    return value


def _day_label(moment, tz) -> str:
    """'Mon 23 Nov 17:00–21:00' style start of a line (the caller adds the end)."""
    return f"{moment.astimezone(tz):%a %d %b %H:%M}"
