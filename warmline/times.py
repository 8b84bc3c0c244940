"""Reading the times people type: ISO 8601 in the line's zone unless they carry an offset."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .errors import Invalid

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _shown(text: str) -> str:
    return repr(text[:40] + ("…" if len(text) > 40 else ""))


def parse_moment(text: str, tz: ZoneInfo, *, what: str = "the time") -> datetime:
    """An aware datetime from ISO 8601 text; a time without offset is wall time in `tz` (gap rule applied)."""
    from .recurrence import localize

    raw = (text or "").strip()
    try:
        if not raw or len(raw) > 40 or not _DATE_RE.match(raw):
            raise ValueError
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise Invalid(
            f"{what} {_shown(raw)} is not an ISO 8601 date-time: use e.g. 2026-11-23T09:00 "
            "(the line's zone) or 2026-11-23T09:00-05:00"
        ) from None
    if value.tzinfo is None:
        return localize(value, tz)
    return value


def parse_day(text: str, *, what: str = "the date") -> date:
    """A calendar date from YYYY-MM-DD text."""
    raw = (text or "").strip()
    try:
        if len(raw) != 10 or not _DATE_RE.fullmatch(raw):
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid(f"{what} {_shown(raw)} is not a date: use YYYY-MM-DD, e.g. 2026-11-23") from None


def parse_bound(text: str, tz: ZoneInfo, *, end: bool, what: str) -> datetime:
    """A range bound: a date means the start of that day, or for an end the end of that day (inclusive)."""
    raw = (text or "").strip()
    if len(raw) == 10:
        day = parse_day(raw, what=what)
        if end:
            day += timedelta(days=1)
        from .recurrence import localize

        return localize(datetime.combine(day, time(0)), tz)
    return parse_moment(raw, tz, what=what)


def day_range(
    tz: ZoneInfo, now: datetime, start: str | None, finish: str | None, *, default_days: int = 7
) -> tuple[datetime, datetime]:
    """UTC [from, to) for --from/--to options; defaults to today and the `default_days` after it."""
    from .recurrence import localize

    if start:
        lo = parse_bound(start, tz, end=False, what="--from")
    else:
        lo = localize(datetime.combine(now.astimezone(tz).date(), time(0)), tz)
    if finish:
        hi = parse_bound(finish, tz, end=True, what="--to")
    else:
        hi = localize(datetime.combine(lo.astimezone(tz).date() + timedelta(days=default_days), time(0)), tz)
    if hi <= lo:
        raise Invalid("--to is not after --from: give a later --to")
    if hi - lo > timedelta(days=366 * 6):
        raise Invalid("the range is longer than six years: give a shorter one")
    return lo.astimezone(timezone.utc), hi.astimezone(timezone.utc)


def local_iso(moment: datetime, tz: ZoneInfo) -> str:
    """ISO 8601 in the line's zone with its offset, to the second."""
    return moment.astimezone(tz).isoformat(timespec="seconds")
