"""Turn a repeating series into concrete shifts: pure functions, no database, no UI.

A series is an RFC 5545 RRULE run in *local wall time* from a first date, plus a
local start and end wall time, an IANA zone and an optional inclusive UNTIL date.
Running the rule on naive local datetimes keeps a 09:00 shift at 09:00 on both
sides of a daylight-saving change; only its UTC instant moves.

Wall times that do not exist (the spring gap) move forward by the length of the
gap, and ambiguous wall times (the autumn overlap) mean the first of the two,
as RFC 5545 §3.3.5 prescribes. Every instant handed back is aware; UTC is the
source of truth and local values are derived from it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from itertools import islice
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


from .errors import Invalid

UTC = timezone.utc

_EXAMPLE = "for example FREQ=WEEKLY;BYDAY=MO,WE"
_MAX_SHIFT = timedelta(hours=24)

# Names that resolve on some machines but mean "whatever this computer says",
# which would make a stored series change meaning when the database moves.
_MACHINE_ZONES = {"localtime", "posixrules"}


class Occurrence(NamedTuple):
    """One shift produced by a series, identified within it by its local date.

    Compare and sort by the *_utc fields: under PEP 495 an aware local time in
    the repeated autumn hour never == an instant in another zone, even itself.
    """

    key: str
    start_utc: datetime
    end_utc: datetime
    start_local: datetime
    end_local: datetime

    @property
    def hours(self) -> float:
        """Real elapsed hours, so a night across a clock change counts 7 or 9, not 8."""
        return (self.end_utc - self.start_utc).total_seconds() / 3600


def zone(name: str) -> ZoneInfo:
    """Return the IANA zone called `name`, or raise Invalid with an example of a good name."""
    key = name.strip() if isinstance(name, str) else ""
    if key and key not in _MACHINE_ZONES:
        try:
            return ZoneInfo(key)
        # ValueError: empty, absolute or '..' paths; OSError: a directory such as "America".
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    message = f"unknown time zone {name!r}: use an IANA name such as America/New_York"
    suggestion = _case_insensitive_zone(key)
    if suggestion and suggestion not in _MACHINE_ZONES:
        message += f" (did you mean {suggestion}?)"
    raise Invalid(message)


# A line's zone is a region's IANA name (Area/Location), whose rules follow that place's
# daylight saving, or UTC. Fixed offsets and the old US-style abbreviations are refused: EST
# never moves to summer time, which is not what a line in New York expects.
_REGIONS = {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"}
_UTC_NAMES = {"UTC", "Etc/UTC"}
_LIKELY = {
    "EST": "America/New_York", "EST5EDT": "America/New_York", "EDT": "America/New_York",
    "US/Eastern": "America/New_York", "CST6CDT": "America/Chicago", "US/Central": "America/Chicago",
    "MST": "America/Denver (or America/Phoenix, which keeps standard time)", "MST7MDT": "America/Denver",
    "US/Mountain": "America/Denver", "US/Arizona": "America/Phoenix", "PST8PDT": "America/Los_Angeles",
    "US/Pacific": "America/Los_Angeles", "HST": "Pacific/Honolulu", "US/Hawaii": "Pacific/Honolulu",
    "US/Alaska": "America/Anchorage", "GMT": "Europe/London (or UTC)", "WET": "Europe/Lisbon",
    "CET": "Europe/Paris", "MET": "Europe/Paris", "EET": "Europe/Athens",
}


def line_zone(name: str) -> ZoneInfo:
    """The zone for a new line: a region's IANA name (e.g. America/New_York) or UTC; raise Invalid otherwise."""
    found = zone(name)
    key = name.strip()
    if key in _UTC_NAMES or (key.split("/", 1)[0] in _REGIONS and "/" in key):
        return found
    if key in {"UCT", "Etc/UCT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu", "Etc/GMT", "GMT0", "Etc/GMT0"}:
        suggestion = "UTC"
    else:
        suggestion = _LIKELY.get(key, "your region's name, e.g. America/New_York or Europe/London")
    raise Invalid(
        f"time zone {key!r} is a fixed offset or an old alias, without the daylight saving your region keeps: "
        f"use {suggestion}"
    )


@lru_cache(maxsize=1)
def _zones_by_folded_name() -> dict[str, str]:
    # Only reached on the error path; listing every zone walks the zone files.
    return {name.casefold(): name for name in available_timezones()}


def _case_insensitive_zone(key: str) -> str | None:
    if not key:
        return None
    return _zones_by_folded_name().get(key.casefold())


def localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """Give a wall time in `tz`; a time in the spring gap moves forward by the gap, an ambiguous one is the first."""
    if naive.tzinfo is not None:
        raise ValueError("localize() takes a naive wall time")
    # With fold=0 zoneinfo reads a gap time with the offset in force before the
    # change, so the round trip through UTC lands exactly one gap-length later,
    # which is RFC 5545's rule; for an ambiguous time fold=0 is the earlier one.
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC).astimezone(tz)


def shift_span(day: date, start: time, end: time, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Return (start_utc, end_utc) of a shift from `start` on `day` to `end` that day, or the next if end < start."""
    if start.tzinfo is not None or end.tzinfo is not None:
        raise ValueError("shift_span() takes naive wall times")
    start_utc, end_utc, _, _ = _span(day, start, end, tz)
    return start_utc, end_utc


def _span(day: date, start: time, end: time, tz: ZoneInfo) -> tuple[datetime, datetime, datetime, datetime]:
    # Shared by shift_span() and occurrences(), which also wants the local
    # values; this is the hot path of a long expansion, so nothing is repeated.
    if end == start:
        raise Invalid(
            f"a shift's end time must differ from its start time (both are {_hm(start)}): "
            "give an end such as 17:00 for a 09:00 start; an end earlier than the start "
            "means the next day"
        )
    end_day = day if end > start else day + timedelta(days=1)
    # The same fold=0 round trip as localize(): gap times move forward, an
    # ambiguous time is the first; a fold=1 on the caller's time is ignored.
    start_utc = datetime.combine(day, start.replace(fold=0), tz).astimezone(UTC)
    end_utc = datetime.combine(end_day, end.replace(fold=0), tz).astimezone(UTC)
    length = end_utc - start_utc
    if length <= timedelta(0) or length > _MAX_SHIFT:
        raise _bad_length(day, start, end, tz, length)
    return start_utc, end_utc, start_utc.astimezone(tz), end_utc.astimezone(tz)


def _bad_length(day: date, start: time, end: time, tz: ZoneInfo, length: timedelta) -> Invalid:
    where = f"{_hm(start)} to {_hm(end)} starting {day.isoformat()} in {tz.key}"
    if length <= timedelta(0):
        # Only possible when the start falls in the spring gap and is pushed
        # past an end just after the gap.
        return Invalid(
            f"the shift {where} would end before it starts, because {_hm(start)} does not "
            "exist that day (the clocks go forward): choose times outside the skipped hour"
        )
    hours = length.total_seconds() / 3600
    return Invalid(
        f"a shift may last at most 24 hours, but {where} lasts {hours:g} hours because "
        "the clocks go back that night: end it earlier"
    )


def _hm(t: time) -> str:
    return t.strftime("%H:%M:%S" if t.second or t.microsecond else "%H:%M")


# RFC 5545 §3.3.10 ranges; dateutil accepts some out-of-range values and then
# either never matches (iterating to year 9999) or crashes mid-iteration.
_INT_LIST_RANGES = {
    "BYMONTH": (1, 12, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYSETPOS": (1, 366, True),
}
# Which BYxxx parts RFC 5545's table allows with each FREQ.
_NOT_WITH_FREQ = {
    "BYMONTHDAY": {"WEEKLY"},
    "BYYEARDAY": {"DAILY", "WEEKLY", "MONTHLY"},
    "BYWEEKNO": {"DAILY", "WEEKLY", "MONTHLY"},
}
_FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_BYDAY_ITEM = re.compile(r"([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)", re.ASCII)
_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def parse_rule(text: str) -> str:
    """Return the RRULE normalised (upper case, no "RRULE:", FREQ first), or raise Invalid saying what is wrong."""
    return _parse(text)[0]


def _parse(text: str) -> tuple[str, dict[str, str]]:
    raw = text.strip().upper() if isinstance(text, str) else ""
    if raw.startswith("RRULE:"):
        raw = raw[len("RRULE:"):].strip()
    if not raw:
        raise Invalid(f"the repeat rule is empty: give one, {_EXAMPLE}")
    # dateutil treats whitespace and ':' as the start of extra iCalendar lines
    # (DTSTART, EXDATE, a second RRULE) and would quietly return a rule set.
    if ":" in raw or any(c.isspace() for c in raw):
        raise Invalid(
            f"cannot read the repeat rule {text[:40]!r}: it is one line of NAME=VALUE parts "
            f"separated by ';', {_EXAMPLE}"
        )
    parts: dict[str, str] = {}
    for piece in filter(None, raw.split(";")):
        name, sep, value = piece.partition("=")
        if not sep or not name or not value or "=" in value:
            raise Invalid(
                f"cannot read {piece[:40]!r} in the repeat rule: each part is NAME=VALUE, {_EXAMPLE}"
            )
        if name in parts:
            raise Invalid(f"the repeat rule gives {name} twice: give it once, {_EXAMPLE}")
        parts[name] = value
    _check_parts(parts)
    ordered = {"FREQ": parts["FREQ"], **parts}
    normalised = ";".join(f"{k}={v}" for k, v in ordered.items())
    from dateutil.rrule import rrulestr  # (loaded when a rule is read, not by every start)

    try:
        # A throwaway start date: this only proves dateutil can build the rule.
        rrulestr(normalised, dtstart=datetime(2000, 1, 1))
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise Invalid(f"cannot read the repeat rule {text[:40]!r} ({exc}): {_EXAMPLE}") from None
    _check_can_occur(parts)
    return normalised, parts


def _check_parts(parts: dict[str, str]) -> None:
    if "DTSTART" in parts:
        raise Invalid(
            "the repeat rule may not contain DTSTART: the series' first date is given "
            f"separately; remove it, {_EXAMPLE}"
        )
    if "UNTIL" in parts:
        raise Invalid(
            "the repeat rule may not contain UNTIL: use the separate --until DATE option "
            f"(the last date a shift may start), and give the rule alone, {_EXAMPLE}"
        )
    freq = parts.get("FREQ")
    if freq is None:
        raise Invalid(
            "the repeat rule must say how often it repeats with FREQ=DAILY, WEEKLY, MONTHLY "
            f"or YEARLY, {_EXAMPLE}"
        )
    if freq in ("HOURLY", "MINUTELY", "SECONDLY"):
        raise Invalid(
            f"FREQ={freq} is not allowed: a series repeats at most daily: make one series "
            f"per shift time, {_EXAMPLE}"
        )
    if freq not in _FREQS:
        raise Invalid(
            f"FREQ={freq} is not a frequency: use DAILY, WEEKLY, MONTHLY or YEARLY, {_EXAMPLE}"
        )
    for name in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        if name in parts:
            # Each generated date is one shift whose times come from the series;
            # several times a day would give several shifts with the same key.
            raise Invalid(
                f"the repeat rule may not contain {name}: a shift's times are its start "
                f"and end times; make one series per shift time, {_EXAMPLE}"
            )
    allowed = {"FREQ", "INTERVAL", "COUNT", "WKST", "BYDAY", *_INT_LIST_RANGES}
    for name in parts:
        if name not in allowed:
            raise Invalid(f"the repeat rule has an unknown part {name!r}: {_EXAMPLE}")
        if freq in _NOT_WITH_FREQ.get(name, ()):
            raise Invalid(f"{name} cannot be used with FREQ={freq} (RFC 5545): {_EXAMPLE}")
    for name in ("INTERVAL", "COUNT"):
        if name in parts:
            value = parts[name]
            if not _INTEGER.fullmatch(value) or int(value) < 1:
                raise Invalid(f"{name}={value} must be a whole number of 1 or more, {_EXAMPLE}")
            parts[name] = str(int(value))
    for name, (low, high, signed) in _INT_LIST_RANGES.items():
        if name in parts:
            parts[name] = _int_list(name, parts[name], low, high, signed)
    if "BYDAY" in parts:
        _check_byday(parts["BYDAY"], freq, "BYWEEKNO" in parts)


def _int_list(name: str, value: str, low: int, high: int, signed: bool) -> str:
    numbers = []
    for item in value.split(","):
        n = int(item) if _INTEGER.fullmatch(item) else 0
        if not (low <= n <= high or (signed and -high <= n <= -low)):
            span = f"{low} to {high}" + (f" or -{high} to -{low}" if signed else "")
            raise Invalid(f"{name}={value} is out of range: each value must be {span}")
        numbers.append(str(n))
    return ",".join(numbers)


def _check_byday(value: str, freq: str, has_weekno: bool) -> None:
    limit = 5 if freq == "MONTHLY" else 53
    for item in value.split(","):
        match = _BYDAY_ITEM.fullmatch(item)
        if not match:
            raise Invalid(f"BYDAY={value} is not a list of days such as MO,WE or 1MO,-1FR")
        if match.group(1) is None:
            continue
        n = int(match.group(1))
        if freq not in ("MONTHLY", "YEARLY") or (freq == "YEARLY" and has_weekno):
            raise Invalid(
                f"BYDAY={value}: a numbered day such as {item} needs FREQ=MONTHLY or YEARLY "
                "(without BYWEEKNO)"
            )
        if not (1 <= abs(n) <= limit):
            raise Invalid(f"BYDAY={value}: {item} is out of range (1 to {limit} or -{limit} to -1)")


def _check_can_occur(parts: dict[str, str]) -> None:
    # dateutil never gives up on a rule that cannot match: it walks every period
    # to year 9999 (nine seconds for a daily rule), UNTIL or not. Catch the
    # common causes: a day of the month the chosen months never have, and a
    # BYSETPOS beyond the most days a daily or weekly period can hold.
    if "BYMONTH" in parts and "BYMONTHDAY" in parts:
        longest = max(_DAYS_IN_MONTH[int(m) - 1] for m in parts["BYMONTH"].split(","))
        if all(abs(int(d)) > longest for d in parts["BYMONTHDAY"].split(",")):
            raise Invalid(
                f"the repeat rule can never happen: BYMONTH={parts['BYMONTH']} has no day "
                f"{parts['BYMONTHDAY']}"
            )
    if "BYSETPOS" in parts and parts["FREQ"] in ("DAILY", "WEEKLY"):
        per_period = 1
        if parts["FREQ"] == "WEEKLY" and "BYDAY" in parts:
            per_period = len(set(parts["BYDAY"].split(",")))
        if all(abs(int(n)) > per_period for n in parts["BYSETPOS"].split(",")):
            raise Invalid(
                f"the repeat rule can never happen: BYSETPOS={parts['BYSETPOS']} picks beyond "
                f"the {per_period} day(s) each {parts['FREQ'].lower()} period holds"
            )


def occurrences(
    rule: str,
    first_day: date,
    start: time,
    end: time,
    tz_name: str,
    until: date | None,
    window_start: datetime,
    window_end: datetime,
    *,
    skip_impossible: bool = False,
) -> list[Occurrence]:
    """Return, in time order, the series' shifts whose start_utc is in [window_start, window_end).

    A date on which the shift cannot exist (it would fall in the hour the clocks skip, or grow
    past the longest shift across a change) raises Invalid, unless `skip_impossible`: then that
    date has no occurrence (extending an old series must not fail for one date, nor stop others).
    """
    if window_start.tzinfo is None or window_end.tzinfo is None:
        raise ValueError("occurrences() needs aware window bounds")
    if start.tzinfo is not None or end.tzinfo is not None:
        raise ValueError("occurrences() takes naive wall times")
    tz = zone(tz_name)
    _, parts = _parse(rule)
    if start == end:
        shift_span(first_day, start, end, tz)  # raises the standard message
    if window_end <= window_start or _never_matches(parts, first_day):
        return []

    # The rule runs in naive wall time; a day of margin each side covers any UTC
    # offset difference and gap shift, and the exact cut is made on start_utc.
    low = _naive_local(window_start, tz, -1)
    high = _naive_local(window_end, tz, +1)
    cap = high if until is None else min(high, datetime.combine(until, time(23, 59, 59)))
    count = int(parts["COUNT"]) if "COUNT" in parts else None

    # COUNT is applied by slicing, not in the rule, because dateutil deprecates
    # COUNT with UNTIL, and the UNTIL cap is what stops an unbounded rule.
    body = ";".join(f"{k}={v}" for k, v in parts.items() if k != "COUNT")
    body += f";UNTIL={cap.year:04d}{cap.month:02d}{cap.day:02d}T{cap:%H%M%S}"
    from dateutil.rrule import rrulestr

    try:
        generated = rrulestr(body, dtstart=datetime.combine(first_day, start))
        found = []
        for naive in islice(generated, count):
            if naive < low:
                continue
            day = naive.date()
            try:
                start_utc, end_utc, start_local, end_local = _span(day, start, end, tz)
            except Invalid:
                if skip_impossible:
                    continue
                raise
            if window_start <= start_utc < window_end:
                found.append(Occurrence(day.isoformat(), start_utc, end_utc, start_local, end_local))
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise Invalid(f"cannot expand the repeat rule {rule!r} ({exc}): {_EXAMPLE}") from None
    return found


def _never_matches(parts: dict[str, str], first_day: date) -> bool:
    # A daily rule stepping whole weeks stays on first_day's weekday; if BYDAY
    # excludes it, dateutil would walk every day to year 9999 finding nothing.
    if parts["FREQ"] != "DAILY" or "BYDAY" not in parts:
        return False
    if int(parts.get("INTERVAL", "1")) % 7:
        return False
    weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[first_day.weekday()]
    return weekday not in parts["BYDAY"].split(",")


def _naive_local(moment: datetime, tz: ZoneInfo, days: int) -> datetime:
    # Windows may be open-ended (datetime.min/max); clamp rather than overflow.
    try:
        return moment.astimezone(tz).replace(tzinfo=None) + timedelta(days=days)
    except OverflowError:
        return datetime.min if days < 0 else datetime.max.replace(microsecond=0)
