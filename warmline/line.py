"""The line: creating it (`warmline init`) with its default tags and first coordinator, its default
escalation text for its zone, and changing its settings (`warmline line set`, the app's Line settings).

Its one settings row is read with `get` (line_settings.py, the low room every other reads it through).
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from . import audit
from .clock import now
from .db import Database, iso_utc
from .errors import Invalid, Refused
from .identity import fresh_actor
from .line_settings import get  # noqa: F401 (line.get: where most rooms read it)
from .line_settings import swaps_need_approval as _swaps_need_approval
from .model import Line, Person
from .people import insert_person
from .permissions import require
from .text import MAX_TEXT, clean_text

MAX_CUTOFF_HOURS = 24 * 28  # four weeks: a drop cut-off longer than the rota usually reaches ahead
MAX_ESCALATION = MAX_TEXT  # shown on every screen: a few lines of the header at 80 columns

# ---------------------------------------------------------------- the default escalation text by zone
# Only where a national line is well known and its number sure; every other zone gets NEUTRAL_ESCALATION.
# Each text names the service, as the service names itself, and the emergency number.
NEUTRAL_ESCALATION = "In crisis? Call your local emergency number."
# US: the 988 Suicide & Crisis Lifeline (988lifeline.org, since July 2022); emergencies 911.
_US = "In crisis? Call or text 988 (Suicide & Crisis Lifeline), or 911 in an emergency."
# Canada: 9-8-8: Suicide Crisis Helpline (988.ca, since November 2023); emergencies 911.
_CANADA = "In crisis? Call or text 988 (Suicide Crisis Helpline), or 911 in an emergency."
# UK: Samaritans, free on 116 123 day or night (samaritans.org); emergencies 999.
_UK = "In crisis? Call Samaritans free on 116 123, or 999 in an emergency."
# Ireland: Samaritans Ireland, free on 116 123 (samaritans.org); emergencies 112 or 999.
_IRELAND = "In crisis? Call Samaritans free on 116 123, or 112 or 999 in an emergency."
# Australia: Lifeline Australia, 13 11 14 (lifeline.org.au); emergencies 000 (Triple Zero).
_AUSTRALIA = "In crisis? Call Lifeline on 13 11 14, or 000 in an emergency."
# New Zealand: 1737, Need to talk? (free call or text; 1737.org.nz); emergencies 111.
_NEW_ZEALAND = "In crisis? Call or text 1737 (Need to talk?), or 111 in an emergency."

# The zones of each country (tzdata's zone.tab, with the old names tzdata keeps as links).
_US_ZONES = (
    "America/New_York America/Detroit America/Kentucky/Louisville America/Kentucky/Monticello"
    " America/Indiana/Indianapolis America/Indiana/Vincennes America/Indiana/Winamac America/Indiana/Marengo"
    " America/Indiana/Petersburg America/Indiana/Vevay America/Chicago America/Indiana/Tell_City"
    " America/Indiana/Knox America/Menominee America/North_Dakota/Center America/North_Dakota/New_Salem"
    " America/North_Dakota/Beulah America/Denver America/Boise America/Phoenix America/Los_Angeles"
    " America/Anchorage America/Juneau America/Sitka America/Metlakatla America/Yakutat America/Nome"
    " America/Adak Pacific/Honolulu"
    " America/Indianapolis America/Fort_Wayne America/Knox_IN America/Louisville America/Atka America/Shiprock"
    " Navajo US/Alaska US/Aleutian US/Arizona US/Central US/East-Indiana US/Eastern US/Hawaii US/Indiana-Starke"
    " US/Michigan US/Mountain US/Pacific"
).split()
_CANADA_ZONES = (
    "America/St_Johns America/Halifax America/Glace_Bay America/Moncton America/Goose_Bay America/Toronto"
    " America/Iqaluit America/Winnipeg America/Resolute America/Rankin_Inlet America/Regina"
    " America/Swift_Current America/Edmonton America/Cambridge_Bay America/Inuvik America/Dawson_Creek"
    " America/Fort_Nelson America/Whitehorse America/Dawson America/Vancouver America/Atikokan"
    " America/Blanc-Sablon America/Creston"
    " America/Montreal America/Nipigon America/Thunder_Bay America/Pangnirtung America/Rainy_River"
    " America/Yellowknife Canada/Atlantic Canada/Central Canada/Eastern Canada/Mountain Canada/Newfoundland"
    " Canada/Pacific Canada/Saskatchewan Canada/Yukon"
).split()
ESCALATION_BY_ZONE: dict[str, str] = {
    **dict.fromkeys(_US_ZONES, _US),
    **dict.fromkeys(_CANADA_ZONES, _CANADA),
    **dict.fromkeys(("Europe/London", "Europe/Belfast", "GB", "GB-Eire"), _UK),
    **dict.fromkeys(("Europe/Dublin", "Eire"), _IRELAND),
    **dict.fromkeys(("Pacific/Auckland", "Pacific/Chatham", "NZ", "NZ-CHAT"), _NEW_ZEALAND),
}


def default_escalation(tz: str) -> str:
    """The escalation text a new line in zone `tz` starts with: its country's well-known crisis line
    and emergency number (ESCALATION_BY_ZONE; every Australia/ zone), else NEUTRAL_ESCALATION."""
    if tz.startswith("Australia/"):
        return _AUSTRALIA
    return ESCALATION_BY_ZONE.get(tz, NEUTRAL_ESCALATION)


def _check_cutoff(hours: object) -> int:
    if isinstance(hours, bool) or not isinstance(hours, int):
        raise Invalid("the drop cut-off must be a whole number of hours, e.g. 48")
    if hours < 0 or hours > MAX_CUTOFF_HOURS:
        raise Invalid(f"the drop cut-off is {hours} h; it must be between 0 and {MAX_CUTOFF_HOURS} h")
    return hours


def create(
    db: Database,
    *,
    name: str,
    tz: str,
    escalation: str | None = None,
    drop_cutoff_hours: int = 48,
    actor: str = "system",
    first_coordinator: tuple[str, str, str | None] | None = None,
) -> Line:
    """Create the line, seed the default tags and add the first coordinator, in one transaction.
    With no escalation text, the zone's (`default_escalation`)."""
    from .recurrence import line_zone

    name = clean_text(name, "the line's name")
    line_zone(tz)  # a region's IANA name (with its daylight saving) or UTC, not EST or Etc/GMT+5
    escalation = clean_text(default_escalation(tz) if escalation is None else escalation, "the escalation text",
                            limit=MAX_ESCALATION)
    _check_cutoff(drop_cutoff_hours)
    with db.transaction() as conn:
        if conn.execute("SELECT 1 FROM line").fetchone():
            raise Refused(f"{db.path} already has a line: use it, or choose another file with --db")
        conn.execute(
            "INSERT INTO line (id, name, tz, escalation, drop_cutoff_hours, created_at) VALUES (1, ?, ?, ?, ?, ?)",
            (name, tz, escalation, drop_cutoff_hours, iso_utc(now())),
        )
        from .tags import seed_defaults  # here: only a new line seeds the tags (not every start)

        seed_defaults(conn)
        audit.record(conn, actor, "line.create", name, f"zone {tz}")
        if first_coordinator is not None:
            handle, display_name, login = first_coordinator
            insert_person(conn, actor=actor, handle=handle, name=display_name, role="coordinator", login=login)
    return get(db.conn)


# ---------------------------------------------------------------- changing the settings


class LineSettings(NamedTuple):
    """What `warmline line set` and the app's Line settings change (and the zone, which they do not)."""

    name: str
    tz: str
    escalation: str
    drop_cutoff_hours: int
    swaps_need_approval: bool


class SettingsChange(NamedTuple):
    """The settings after a change, and which of them changed (LineSettings field names, in order)."""

    settings: LineSettings
    changed: tuple[str, ...]


def settings(conn: sqlite3.Connection) -> LineSettings:
    """The line's changeable settings (everyone may read them: the header shows name and escalation)."""
    line = get(conn)
    return LineSettings(line.name, line.tz, line.escalation, line.drop_cutoff_hours, _swaps_need_approval(conn))


def change_settings(
    db: Database,
    actor: Person,
    *,
    name: str | None = None,
    escalation: str | None = None,
    drop_cutoff_hours: int | None = None,
    swaps_need_approval: bool | None = None,
) -> SettingsChange:
    """Change any of the line's name, escalation text, drop cut-off and swap approval (coordinators), in
    one transaction with one audit row per setting changed. None leaves a setting as it is; a refusal
    (a bad value, a volunteer) changes nothing. Swap approval is the column swaps.set_need_approval writes."""
    if name is None and escalation is None and drop_cutoff_hours is None and swaps_need_approval is None:
        raise Invalid("nothing to change: give a name, an escalation text, a drop cut-off or swap approval")
    with db.transaction() as conn:  # a refusal below rolls back: nothing is written before the checks pass
        who = fresh_actor(conn, actor)
        require(who, "line.edit")  # first: a volunteer hears that, not what was wrong with a value
        new: dict[str, object] = {}
        if name is not None:
            new["name"] = clean_text(name, "the line's name")
        if escalation is not None:
            new["escalation"] = clean_text(escalation, "the escalation text", limit=MAX_ESCALATION)
        if drop_cutoff_hours is not None:
            new["drop_cutoff_hours"] = _check_cutoff(drop_cutoff_hours)
        if swaps_need_approval is not None:
            if not isinstance(swaps_need_approval, bool):
                raise Invalid("say yes or no: whether swaps need a coordinator's approval")
            new["swaps_need_approval"] = swaps_need_approval
        before = settings(conn)
        changed = tuple(field for field in LineSettings._fields if field in new and getattr(before, field) != new[field])
        for field in changed:
            value = new[field]
            conn.execute(_UPDATE[field], (int(value) if isinstance(value, bool) else value,))
            subject, detail = _AUDITED[field](before, value)
            audit.record(conn, who.handle, "line.edit", subject, detail)
        return SettingsChange(settings(conn), changed)


_UPDATE = {
    "name": "UPDATE line SET name = ? WHERE id = 1",
    "escalation": "UPDATE line SET escalation = ? WHERE id = 1",
    "drop_cutoff_hours": "UPDATE line SET drop_cutoff_hours = ? WHERE id = 1",
    "swaps_need_approval": "UPDATE line SET swaps_need_approval = ? WHERE id = 1",  # swaps.set_need_approval's column
}
# (subject, detail) of each setting's audit row; swap approval's as swaps.set_need_approval writes it.
_AUDITED = {
    "name": lambda before, value: ("name", str(value)),
    "escalation": lambda before, value: ("escalation text", str(value)),
    "drop_cutoff_hours": lambda before, value: ("drop cut-off", f"{before.drop_cutoff_hours} h → {value} h"),
    "swaps_need_approval": lambda before, value: ("swaps", f"swaps need approval: {'yes' if value else 'no'}"),
}
