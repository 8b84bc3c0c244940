"""Calendar export: every feed is read back by icalendar and by a plain RFC 5545 reader written
here (unfolding, properties, VTIMEZONE observances), and both must give the instants stored in
the database, across the 2026-11-01 change in New York (an overnight shift across it lasts 9 h).
"""

from __future__ import annotations

import os
import re
import stat
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings

from warmline import people, rota
from warmline.errors import Refused
from warmline.exchange import ics
from warmline.recurrence import zone
from warmline.times import parse_moment

from hostile import HOSTILE, ORDINARY, describe, escaped_controls, name_like_text, plant

TZ = zone("America/New_York")
SETUP_NOW = "2026-10-20T08:00:00-04:00"  # before every shift below, so they can be built as future ones


def at(text: str) -> datetime:
    return parse_moment(text, TZ)


# ---------------------------------------------------------------- a plain RFC 5545 reader


def unfold(text: str) -> list[str]:
    """Content lines (RFC 5545 3.1): CRLF followed by a space or tab continues the line."""
    assert "\r\n" in text, "iCalendar lines end in CRLF"
    lines: list[str] = []
    for raw in text.split("\r\n"):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        elif raw:
            lines.append(raw)
    return lines


def split_line(line: str) -> tuple[str, dict[str, str], str]:
    """NAME;PARAM=V;...:VALUE (parameter values here are never quoted)."""
    head, value = line.split(":", 1)
    name, *params = head.split(";")
    return name.upper(), dict(p.split("=", 1) for p in params), value


def parse_components(text: str) -> list[dict]:
    """Nested components as {"name", "props": [(name, params, value)], "children": [...]}."""
    root: dict = {"name": "ROOT", "props": [], "children": []}
    stack = [root]
    for line in unfold(text):
        name, params, value = split_line(line)
        if name == "BEGIN":
            comp = {"name": value.upper(), "props": [], "children": []}
            stack[-1]["children"].append(comp)
            stack.append(comp)
        elif name == "END":
            assert stack[-1]["name"] == value.upper(), f"END:{value} closes {stack[-1]['name']}"
            stack.pop()
        else:
            stack[-1]["props"].append((name, params, value))
    assert len(stack) == 1, "unclosed component"
    return root["children"]


def prop(comp: dict, name: str) -> tuple[dict, str]:
    found = [(p, v) for n, p, v in comp["props"] if n == name]
    assert len(found) == 1, f"{comp['name']} has {len(found)} {name}"
    return found[0]


def props(comp: dict, name: str) -> list[tuple[dict, str]]:
    return [(p, v) for n, p, v in comp["props"] if n == name]


def offset(text: str) -> timedelta:
    sign = -1 if text[0] == "-" else 1
    return sign * timedelta(hours=int(text[1:3]), minutes=int(text[3:5]))


def local_value(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%dT%H%M%S")


class PlainZone:
    """A VTIMEZONE read as a list of (UTC onset, offset after it). RFC 5545 3.6.5: an observance's
    DTSTART (and RDATE) is the onset in the local time before it, i.e. in its TZOFFSETFROM."""

    def __init__(self, comp: dict) -> None:
        self.onsets: list[tuple[datetime, timedelta]] = []
        self.first_from: timedelta | None = None
        first_local: datetime | None = None
        for obs in comp["children"]:
            assert obs["name"] in ("STANDARD", "DAYLIGHT")
            assert not props(obs, "RRULE"), "this reader handles DTSTART and RDATE observances only"
            to = offset(prop(obs, "TZOFFSETTO")[1])
            frm = offset(prop(obs, "TZOFFSETFROM")[1])
            starts = [local_value(prop(obs, "DTSTART")[1])]
            for _params, value in props(obs, "RDATE"):
                starts += [local_value(v) for v in value.split(",")]
            self.onsets += [((s - frm).replace(tzinfo=timezone.utc), to) for s in starts]
            if first_local is None or min(starts) < first_local:
                first_local, self.first_from = min(starts), frm
        self.onsets.sort()

    def to_utc(self, local: datetime) -> datetime:
        """A wall time in this zone: the offset in force at the instant it names (the first of two)."""
        current = self.first_from
        for onset, to in self.onsets:
            if (local - current).replace(tzinfo=timezone.utc) >= onset:
                current = to
        return (local - current).replace(tzinfo=timezone.utc)


def plain_events(text: str) -> dict[str, dict]:
    """UID -> {start, end (UTC), sequence, status, alarms (minutes before), summary, description}."""
    (cal,) = parse_components(text)
    assert cal["name"] == "VCALENDAR"
    assert prop(cal, "VERSION")[1] == "2.0"
    zones = {prop(c, "TZID")[1]: PlainZone(c) for c in cal["children"] if c["name"] == "VTIMEZONE"}

    def instant(params: dict, value: str) -> datetime:
        if value.endswith("Z"):
            return local_value(value[:-1]).replace(tzinfo=timezone.utc)
        assert "TZID" in params, f"a floating time {value} in a feed"
        return zones[params["TZID"]].to_utc(local_value(value))

    events = {}
    for comp in cal["children"]:
        if comp["name"] != "VEVENT":
            continue
        alarms = []
        for alarm in comp["children"]:
            assert alarm["name"] == "VALARM"
            trigger = prop(alarm, "TRIGGER")[1]
            match = re.fullmatch(r"-P(?:T(?:(\d+)H)?(?:(\d+)M)?|(\d+)D)", trigger)
            assert match, trigger
            hours, minutes, days = (int(g) if g else 0 for g in match.groups())
            alarms.append(days * 1440 + hours * 60 + minutes)
        events[prop(comp, "UID")[1]] = {
            "start": instant(*prop(comp, "DTSTART")),
            "end": instant(*prop(comp, "DTEND")),
            "sequence": int(prop(comp, "SEQUENCE")[1]),
            "status": prop(comp, "STATUS")[1],
            "summary": prop(comp, "SUMMARY")[1],
            "description": prop(comp, "DESCRIPTION")[1].replace("\\n", "\n").replace("\\,", ","),
            "alarms": sorted(alarms, reverse=True),
        }
    return events


def icalendar_events(data: bytes) -> dict[str, dict]:
    """The same, read by the icalendar library."""
    from icalendar import Calendar

    cal = Calendar.from_ical(data)
    found = {}
    for ev in cal.walk("VEVENT"):
        found[str(ev["UID"])] = {
            "start": ev.decoded("DTSTART").astimezone(timezone.utc),
            "end": ev.decoded("DTEND").astimezone(timezone.utc),
            "sequence": int(ev["SEQUENCE"]),
            "status": str(ev["STATUS"]),
            "alarms": sorted((-int(a.decoded("TRIGGER").total_seconds() // 60) for a in ev.walk("VALARM")), reverse=True),
        }
    return found


# ---------------------------------------------------------------- the rota


@pytest.fixture
def line(line_db, coordinator, monkeypatch):
    """ana (on every shift), luis and kim; shifts before, across and after the autumn change, and across the spring one."""
    monkeypatch.setenv("WARMLINE_NOW", SETUP_NOW)
    db = line_db
    for handle, name, tags in (("ana", "Ana María Ruiz", ["grief"]), ("luis", "Luis Ortega", ["hearing voices"]),
                               ("kim", "Kim Lee", [])):
        people.add(db, coordinator, handle=handle, name=name, tags=tags)
    shifts = {
        "before": rota.add_shift(db, coordinator, start=at("2026-10-28T09:00"), end=at("2026-10-28T13:00")),
        "overnight": rota.add_shift(db, coordinator, start=at("2026-10-31T22:00"), end=at("2026-11-01T06:00")),
        "after": rota.add_shift(db, coordinator, start=at("2026-11-04T09:00"), end=at("2026-11-04T13:00")),
        "cancelled": rota.add_shift(db, coordinator, start=at("2026-11-06T09:00"), end=at("2026-11-06T13:00")),
        "spring": rota.add_shift(db, coordinator, start=at("2027-03-13T22:00"), end=at("2027-03-14T06:00")),
    }
    for s in shifts.values():
        rota.assign(db, coordinator, s.id, "ana")
    rota.assign(db, coordinator, shifts["overnight"].id, "luis")
    rota.assign(db, coordinator, shifts["overnight"].id, "kim", role="backup")
    rota.cancel_shift(db, coordinator, shifts["cancelled"].id)
    return db, coordinator, {k: rota.get_shift(db.conn, s.id) for k, s in shifts.items()}


def person(db, handle):
    return people.get(db.conn, handle)


# ---------------------------------------------------------------- tests


def test_both_readers_give_the_stored_instants_across_the_autumn_change(line):
    db, coord, shifts = line
    data = ics.person_calendar(db.conn, person(db, "ana"))
    plain = plain_events(data.decode("utf-8"))
    library = icalendar_events(data)
    slug = ics.line_slug("Test Line")
    assert set(plain) == set(library) == {ics.event_uid(s.id, slug) for s in shifts.values()}
    for s in shifts.values():
        uid = ics.event_uid(s.id, slug)
        for reader in (plain, library):
            assert reader[uid]["start"] == s.start_utc, (uid, reader[uid]["start"], s.start_utc)
            assert reader[uid]["end"] == s.end_utc
    overnight = plain[ics.event_uid(shifts["overnight"].id, slug)]
    assert overnight["end"] - overnight["start"] == timedelta(hours=9)
    spring = plain[ics.event_uid(shifts["spring"].id, slug)]
    assert spring["end"] - spring["start"] == timedelta(hours=7)
    # Wall times stay at 09:00 on both sides of the change: the offset moves from -4 to -5.
    assert plain[ics.event_uid(shifts["before"].id, slug)]["start"].hour == 13
    assert plain[ics.event_uid(shifts["after"].id, slug)]["start"].hour == 14


def test_times_are_written_with_the_line_tzid_and_its_vtimezone(line):
    db, _coord, _shifts = line
    text = ics.person_calendar(db.conn, person(db, "ana")).decode()
    assert "BEGIN:VTIMEZONE\r\nTZID:America/New_York" in text
    assert "DTSTART;TZID=America/New_York:20261031T220000" in text
    assert "DTEND;TZID=America/New_York:20261101T060000" in text
    assert "X-WR-TIMEZONE:America/New_York" in text


def test_the_second_of_two_equal_wall_times_is_written_in_utc(line):
    """01:00 EDT to 01:45 EST on 2026-11-01: a TZID 01:45 would mean the first 01:45 (30 min, not 1 h 45)."""
    db, coord, _shifts = line
    s = rota.add_shift(db, coord, start=at("2026-11-01T01:00-04:00"), end=at("2026-11-01T01:45-05:00"))
    people.add(db, coord, handle="jo", name="Jo")
    rota.assign(db, coord, s.id, "jo")
    data = ics.person_calendar(db.conn, person(db, "jo"))
    text = data.decode()
    assert "DTSTART;TZID=America/New_York:20261101T010000" in text
    assert "DTEND:20261101T064500Z" in text
    for reader in (plain_events(text), icalendar_events(data)):
        ev = reader[ics.event_uid(s.id, ics.line_slug("Test Line"))]
        assert (ev["start"], ev["end"]) == (s.start_utc, s.end_utc)
        assert ev["end"] - ev["start"] == timedelta(hours=1, minutes=45)


def test_uids_are_stable_and_sequence_follows_the_shift_version(line):
    db, coord, shifts = line
    first = plain_events(ics.person_calendar(db.conn, person(db, "ana")).decode())
    rota.edit_shift(db, coord, shifts["after"].id, end=at("2026-11-04T14:00"))
    second = plain_events(ics.person_calendar(db.conn, person(db, "ana")).decode())
    assert set(first) == set(second)
    uid = ics.event_uid(shifts["after"].id, ics.line_slug("Test Line"))
    assert second[uid]["sequence"] == first[uid]["sequence"] + 1 == rota.get_shift(db.conn, shifts["after"].id).version
    assert second[uid]["end"] == at("2026-11-04T14:00").astimezone(timezone.utc)


def test_cancelled_shifts_are_marked_cancelled_without_reminders(line):
    db, _coord, shifts = line
    events = plain_events(ics.person_calendar(db.conn, person(db, "ana")).decode())
    slug = ics.line_slug("Test Line")
    cancelled = events[ics.event_uid(shifts["cancelled"].id, slug)]
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["alarms"] == []
    assert cancelled["sequence"] == shifts["cancelled"].version == 2
    assert events[ics.event_uid(shifts["after"].id, slug)]["status"] == "CONFIRMED"


def test_reminders_follow_the_persons_notification_lead_times(line):
    """60 and 15 minutes unless the person set their own (`warmline.notify`), and none when they chose none."""
    from warmline.notify import outbox

    db, coord, shifts = line
    uid = ics.event_uid(shifts["after"].id, ics.line_slug("Test Line"))
    events = plain_events(ics.person_calendar(db.conn, person(db, "ana")).decode())
    assert events[uid]["alarms"] == [60, 15]
    assert icalendar_events(ics.person_calendar(db.conn, person(db, "ana")))[uid]["alarms"] == [60, 15]
    outbox.set_prefs(db, coord, "ana", leads=(120, 30, 5))
    data = ics.person_calendar(db.conn, person(db, "ana"))
    assert plain_events(data.decode())[uid]["alarms"] == [120, 30, 5]
    assert icalendar_events(data)[uid]["alarms"] == [120, 30, 5]
    outbox.set_prefs(db, coord, "ana", leads=())
    assert plain_events(ics.person_calendar(db.conn, person(db, "ana")).decode())[uid]["alarms"] == []


def test_a_rota_without_notification_settings_gets_the_default_reminders(line):
    db, _coord, _shifts = line
    db.conn.execute("DROP TABLE notify_pref")  # as in a schema from before notifications
    assert ics.lead_minutes(db.conn, person(db, "ana").id) == ics.DEFAULT_LEAD_MINUTES == (60, 15)


def test_feeds_hold_no_tags_and_only_first_names_of_others(line):
    db, coord, shifts = line
    text = ics.person_calendar(db.conn, person(db, "ana")).decode()
    events = plain_events(text)
    overnight = events[ics.event_uid(shifts["overnight"].id, ics.line_slug("Test Line"))]
    assert overnight["description"].startswith("With: Luis, Kim (backup)")
    everything = ics.rota_calendar(db.conn, coord).decode() + text
    for secret in ("grief", "hearing", "voices", "Ortega", "Lee", "Ruiz", "luis", "kim"):
        assert secret not in everything.replace("With: Luis, Kim", ""), secret


def test_volunteers_export_only_themselves(line):
    db, _coord, _shifts = line
    luis = person(db, "luis")
    assert b"BEGIN:VCALENDAR" in ics.person_calendar(db.conn, luis)
    with pytest.raises(Refused, match="only coordinators may export another person"):
        ics.person_calendar(db.conn, luis, "ana")
    with pytest.raises(Refused, match="only coordinators"):
        ics.write_feeds(db.conn, luis, db.path.parent / "feeds")


def test_the_rota_feed_has_every_shift_without_reminders(line):
    db, coord, shifts = line
    events = plain_events(ics.rota_calendar(db.conn, coord).decode())
    slug = ics.line_slug("Test Line")
    assert set(events) == {ics.event_uid(s.id, slug, rota=True) for s in shifts.values()}
    assert all(ev["alarms"] == [] for ev in events.values())
    overnight = events[ics.event_uid(shifts["overnight"].id, slug, rota=True)]
    assert "Peers: Ana, Luis" in overnight["description"]
    assert overnight["end"] - overnight["start"] == timedelta(hours=9)


def test_feed_directory_files_modes_stable_names_and_stale_feeds(line, tmp_path):
    db, coord, _shifts = line
    old_umask = os.umask(0o077)  # even a strict umask must not hide published feeds from the web server
    try:
        feeds = ics.write_feeds(db.conn, coord, tmp_path / "feeds")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "feeds").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "feeds" / ics.KEY_FILE).stat().st_mode) == 0o600
    by_handle = {f.handle: f.path for f in feeds}
    assert set(by_handle) == {None, "coord", "ana", "luis", "kim"}
    for path in by_handle.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        assert re.fullmatch(r"[a-z0-9_-]+-[0-9a-f]{20}\.ics", path.name)
        plain_events(path.read_bytes().decode())
        icalendar_events(path.read_bytes())
    again = {f.handle: f.path for f in ics.write_feeds(db.conn, coord, tmp_path / "feeds")}
    assert again == by_handle, "feed names must not change between exports (subscriptions would break)"
    people.deactivate(db, coord, "kim")
    third = {f.handle: f.path for f in ics.write_feeds(db.conn, coord, tmp_path / "feeds")}
    assert "kim" not in third and not by_handle["kim"].exists()


@pytest.mark.slow
def test_cli_exports_to_a_file_and_stdout_and_refuses_others_for_volunteers(run_cli):
    assert run_cli("init", "--name", "Harbor Line", "--tz", "America/New_York", "--coordinator", "boss").returncode == 0
    assert run_cli("people", "add", "sam", "--name", "Sam Ruiz").returncode == 0
    assert run_cli("shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T13:00").returncode == 0
    assert run_cli("assign", "1", "sam").returncode == 0
    out = run_cli.workdir / "sam.ics"
    result = run_cli("export", "ics", "--person", "sam", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    events = plain_events(out.read_bytes().decode())
    assert list(events) == ["shift-1@warmline.harbor-line"]
    stdout = run_cli("export", "ics", "--person", "sam")
    assert stdout.returncode == 0 and stdout.stdout.startswith("BEGIN:VCALENDAR")
    assert run_cli("people", "passphrase", "sam", env={"WARMLINE_NEW_PASSPHRASE": "long enough pass"}).returncode == 0
    as_sam = {"WARMLINE_AS": "sam", "WARMLINE_PASSPHRASE": "long enough pass"}
    own = run_cli("export", "ics", env=as_sam)
    assert own.returncode == 0 and "shift-1@warmline.harbor-line" in own.stdout
    refused = run_cli("export", "ics", "--person", "boss", env=as_sam)
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: only coordinators may export") and refused.stderr.count("\n") == 1


# ---------------------------------------------------------------- calendars real clients keep right (issue 12, D)

SLUG = ics.line_slug("Test Line")
HOSTILE_TEXTS = HOSTILE + ORDINARY[:3]


def unescape_text(value: str) -> str:
    """RFC 5545 3.3.11 TEXT: backslash escapes a backslash, a semicolon, a comma; \\n is a newline."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def raw_events(text: str) -> dict[str, dict]:
    """UID -> the VEVENT's raw properties {NAME: value} (LAST-MODIFIED, SUMMARY as written)."""
    (cal,) = parse_components(text)
    return {prop(c, "UID")[1]: {n: v for n, _p, v in c["props"]} for c in cal["children"] if c["name"] == "VEVENT"}


def ana_feed(db) -> tuple[dict, dict, dict]:
    data = ics.person_calendar(db.conn, person(db, "ana"))
    return plain_events(data.decode()), icalendar_events(data), raw_events(data.decode())


def test_a_shift_someone_was_taken_off_is_exported_to_them_as_cancelled_until_they_are_back(line):
    db, coord, shifts = line
    uid = ics.event_uid(shifts["after"].id, SLUG)
    before, _lib, _raw = ana_feed(db)
    assert before[uid]["status"] == "CONFIRMED"
    rota.unassign(db, coord, shifts["after"].id, "ana")
    plain, library, raw = ana_feed(db)
    for reader in (plain, library):
        assert reader[uid]["status"] == "CANCELLED", "an import must remove it from ana's calendar"
        assert reader[uid]["sequence"] > before[uid]["sequence"], "a client keeps an event whose SEQUENCE did not grow"
        assert reader[uid]["alarms"] == []
        assert (reader[uid]["start"], reader[uid]["end"]) == (shifts["after"].start_utc, shifts["after"].end_utc)
    assert "no longer on this shift" in plain[uid]["description"]
    assert raw[uid]["TRANSP"] == "TRANSPARENT"
    # Not in the feeds of people who were never on it.
    assert uid not in plain_events(ics.person_calendar(db.conn, person(db, "kim")).decode())
    rota.assign(db, coord, shifts["after"].id, "ana")
    back, _lib, _raw = ana_feed(db)
    assert back[uid]["status"] == "CONFIRMED" and back[uid]["sequence"] > plain[uid]["sequence"]
    assert back[uid]["alarms"] == [60, 15]


def test_sequence_and_last_modified_move_whenever_the_event_changes_and_only_then(line):
    db, coord, shifts = line
    uid = ics.event_uid(shifts["after"].id, SLUG)
    first, _lib, raw1 = ana_feed(db)
    again, _lib, raw2 = ana_feed(db)
    assert again[uid]["sequence"] == first[uid]["sequence"], "an unchanged event keeps its SEQUENCE"
    assert raw2[uid]["LAST-MODIFIED"] == raw1[uid]["LAST-MODIFIED"]
    assert re.fullmatch(r"\d{8}T\d{6}Z", raw1[uid]["LAST-MODIFIED"])
    seen = [first[uid]["sequence"]]
    changes = [
        lambda: rota.assign(db, coord, shifts["after"].id, "luis"),  # text: "With: Luis"
        lambda: db.conn.execute("UPDATE line SET escalation = 'Call the on-call lead'"),  # text
        lambda: rota.edit_shift(db, coord, shifts["after"].id, end=at("2026-11-04T14:00")),  # time
        lambda: rota.cancel_shift(db, coord, shifts["after"].id),  # status
    ]
    for n, change in enumerate(changes):
        change()
        now_plain, now_lib, _raw = ana_feed(db)
        assert now_plain[uid]["sequence"] == now_lib[uid]["sequence"] > seen[-1], n
        seen.append(now_plain[uid]["sequence"])
    assert now_plain[uid]["status"] == "CANCELLED"
    # The whole-rota feed follows its own text too (who is on it).
    ruid = ics.event_uid(shifts["before"].id, SLUG, rota=True)
    r1 = plain_events(ics.rota_calendar(db.conn, coord).decode())[ruid]["sequence"]
    rota.assign(db, coord, shifts["before"].id, "kim")
    r2 = plain_events(ics.rota_calendar(db.conn, coord).decode())[ruid]["sequence"]
    assert r2 > r1


def test_the_calendar_name_is_escaped_as_text(line):
    db, _coord, _shifts = line
    db.conn.execute("UPDATE line SET name = 'Harbor, North; Line\\'")
    data = ics.person_calendar(db.conn, person(db, "ana"))
    text = data.decode()
    assert "\r\nNAME:Harbor\\, North\\; Line\\\\: Ana's shifts\r\n" in text
    assert "\r\nX-WR-CALNAME:Harbor\\, North\\; Line\\\\: Ana's shifts\r\n" in text
    (cal,) = parse_components(text)
    for name in ("NAME", "X-WR-CALNAME"):
        assert unescape_text(prop(cal, name)[1]) == "Harbor, North; Line\\: Ana's shifts"
    summary = next(iter(raw_events(text).values()))["SUMMARY"]
    assert summary.startswith("Harbor\\, North\\; Line\\\\: ")


def test_vtimezone_onsets_are_in_the_local_time_before_each_change(line):
    """RFC 5545 3.6.5: DTSTART of an observance is the onset in TZOFFSETFROM (02:00 both ways in New York)."""
    db, _coord, _shifts = line
    (cal,) = parse_components(ics.person_calendar(db.conn, person(db, "ana")).decode())
    (vtz,) = [c for c in cal["children"] if c["name"] == "VTIMEZONE"]
    observances = {
        (o["name"], prop(o, "DTSTART")[1]): (prop(o, "TZOFFSETFROM")[1], prop(o, "TZOFFSETTO")[1])
        for o in vtz["children"]
    }
    assert observances[("DAYLIGHT", "20270314T020000")] == ("-0500", "-0400")
    assert observances[("STANDARD", "20261101T020000")] == ("-0400", "-0500")
    assert ("DAYLIGHT", "20270314T030000") not in observances


def test_a_person_with_no_shifts_gets_a_valid_calendar_with_a_component(line):
    db, coord, _shifts = line
    people.add(db, coord, handle="new", name="New Person")
    data = ics.person_calendar(db.conn, person(db, "new"))
    (cal,) = parse_components(data.decode())
    assert [c["name"] for c in cal["children"]] == ["VTIMEZONE"]
    assert plain_events(data.decode()) == {} and icalendar_events(data) == {}
    from icalendar import Calendar

    assert Calendar.from_ical(data).walk("VTIMEZONE")


def test_a_line_in_a_zone_without_changes_still_has_an_observance(line):
    db, _coord, _shifts = line
    db.conn.execute("UPDATE line SET tz = 'Asia/Kolkata'")
    (cal,) = parse_components(ics.person_calendar(db.conn, person(db, "kim")).decode())
    (vtz,) = [c for c in cal["children"] if c["name"] == "VTIMEZONE"]
    assert [o["name"] for o in vtz["children"]] == ["STANDARD"]
    assert prop(vtz["children"][0], "TZOFFSETTO")[1] == "+0530"


def test_feed_directory_follows_no_link_and_removes_only_what_it_wrote(line, tmp_path):
    db, coord, _shifts = line
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "unrelated.ics").write_text("not warmline's")
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "people").symlink_to(elsewhere)  # planted
    with pytest.raises(Refused, match="symbolic link"):
        ics.write_feeds(db.conn, coord, feeds)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["unrelated.ics"]
    (feeds / "people").unlink()
    written = {f.handle: f.path for f in ics.write_feeds(db.conn, coord, feeds)}
    assert stat.S_IMODE((feeds / ics.MANIFEST_FILE).stat().st_mode) == 0o600
    # A feed replaced by a link to someone else's file: the link is replaced, its target untouched.
    target = elsewhere / "precious.txt"
    target.write_text("keep me")
    written["ana"].unlink()
    written["ana"].symlink_to(target)
    mine = feeds / "people" / "notes-0123456789abcdef0123.ics"  # someone's own file in DIR/people
    mine.write_text("not a feed warmline wrote")
    people.deactivate(db, coord, "kim")
    again = {f.handle: f.path for f in ics.write_feeds(db.conn, coord, feeds)}
    assert target.read_text() == "keep me"
    assert not written["ana"].is_symlink() and written["ana"].read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert not written["kim"].exists(), "kim's feed (written by warmline) is removed"
    assert mine.read_text() == "not a feed warmline wrote", "a file warmline did not write is never removed"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["precious.txt", "unrelated.ics"]
    assert not [p for p in (feeds / "people").iterdir() if p.name.endswith(".tmp")]
    assert "kim" not in again
    # A key file that is a link is refused, not read through.
    (feeds / ics.KEY_FILE).unlink()
    (feeds / ics.KEY_FILE).symlink_to(target)
    with pytest.raises(Exception, match="symbolic link|not a regular file"):
        ics.write_feeds(db.conn, coord, feeds)
    assert target.read_text() == "keep me"


def test_a_feed_directory_that_is_a_link_is_refused(line, tmp_path):
    db, coord, _shifts = line
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(Refused, match="symbolic link"):
        ics.write_feeds(db.conn, coord, tmp_path / "link")
    assert list(real.iterdir()) == []


@pytest.mark.fast_tier_sample(19)
@pytest.mark.parametrize("hostile", HOSTILE_TEXTS, ids=[describe(t) for t in HOSTILE_TEXTS])
def test_hostile_names_and_line_names_leave_no_raw_control_and_are_escaped(line, hostile):
    db, coord, shifts = line
    plant(db.path, "UPDATE line SET name = ?, escalation = ?", (f"Line, A; {hostile}", f"Call; {hostile}"))
    plant(db.path, "UPDATE person SET name = ? WHERE handle = 'luis'", (hostile,))
    plant(db.path, "UPDATE person SET name = ? WHERE handle = 'ana'", (f"{hostile} Ana",))
    for data in (ics.person_calendar(db.conn, person(db, "ana")), ics.rota_calendar(db.conn, coord)):
        text = data.decode("utf-8")
        assert escaped_controls(text, allow="\r\n") == [], describe(hostile)
        assert "\r" not in text.replace("\r\n", "")
        assert "\n" not in text.replace("\r\n", "")
        for raw in unfold(text):
            name = raw.split(":", 1)[0].split(";", 1)[0]
            if name in ("NAME", "X-WR-CALNAME", "SUMMARY", "DESCRIPTION"):
                value = raw.split(":", 1)[1]
                assert re.search(r"(?<!\\),", value) is None, raw
                assert re.search(r"(?<!\\);", value) is None, raw
        plain_events(text)
        icalendar_events(data)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=name_like_text())
def test_any_line_or_person_name_gives_a_calendar_without_raw_controls_that_both_readers_parse(line, text):
    db, _coord, shifts = line
    plant(db.path, "UPDATE line SET name = ?", (text,))
    plant(db.path, "UPDATE person SET name = ? WHERE handle = 'luis'", (text,))
    data = ics.person_calendar(db.conn, person(db, "ana"))
    decoded = data.decode("utf-8")
    assert escaped_controls(decoded, allow="\r\n") == []
    (cal,) = parse_components(decoded)
    assert unescape_text(prop(cal, "X-WR-CALNAME")[1]).endswith(": Ana's shifts")
    uid = ics.event_uid(shifts["overnight"].id, ics.line_slug(text))
    assert plain_events(decoded)[uid]["start"] == icalendar_events(data)[uid]["start"] == shifts["overnight"].start_utc
