"""Reading the times people type: ISO 8601 in the line's zone unless they carry an offset.

Every date and time warmline accepts lies between FIRST_DAY and LAST_DAY (1970-01-01 to
2999-12-31, line time): far enough from year 1 and year 9999 that no arithmetic on them
(a day, a week, the six-year range limit, the horizon, a time zone's offset) can leave the
calendar Python knows, and wide enough for any rota. Dates outside are refused with a clear
Invalid, at the edge (parse_*) and again by the core functions that store them (check_day,
check_moment), so every face gets the same refusal.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .errors import Invalid

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2999, 12, 31)


def _out_of_range(what: str, shown: str) -> Invalid:
    return Invalid(
        f"{what} {shown} is outside the dates warmline handles "
        f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}): give a date in that range"
    )


def check_day(day: date, what: str = "the date") -> date:
    """Return the date if it lies in FIRST_DAY..LAST_DAY; else Invalid saying the range."""
    plain = day.date() if isinstance(day, datetime) else day
    if not FIRST_DAY <= plain <= LAST_DAY:
        raise _out_of_range(what, plain.isoformat())
    return day


def check_moment(moment: datetime, what: str = "the time") -> datetime:
    """Return the datetime if its own (wall) date lies in FIRST_DAY..LAST_DAY; else Invalid.

    Its UTC date may then be a day either side (an offset), still far from year 1 and 9999."""
    check_day(moment.date(), what)
    if moment.tzinfo is not None:
        try:
            utc_day = moment.astimezone(timezone.utc).date()
        except OverflowError:
            utc_day = None
        if utc_day is None or not FIRST_DAY - timedelta(days=1) <= utc_day <= LAST_DAY + timedelta(days=1):
            raise _out_of_range(what, moment.date().isoformat())
    return moment


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
    check_moment(value, what)
    if value.tzinfo is None:
        return localize(value, tz)
    return value


def parse_day(text: str, *, what: str = "the date") -> date:
    """A calendar date from YYYY-MM-DD text."""
    raw = (text or "").strip()
    try:
        if len(raw) != 10 or not _DATE_RE.fullmatch(raw):
            raise ValueError
        day = date.fromisoformat(raw)
    except ValueError:
        raise Invalid(f"{what} {_shown(raw)} is not a date: use YYYY-MM-DD, e.g. 2026-11-23") from None
    return check_day(day, what)


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
