"""Matching callers' needs to the peers on shift; being on a call; the anonymous call log."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from warmline import audit, calls, matching, people, rota
from warmline.errors import Invalid, Refused

NY = ZoneInfo("America/New_York")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A New York time in November 2026 (the 23rd is a Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=NY)


def set_now(monkeypatch, moment: datetime) -> None:
    monkeypatch.setenv("WARMLINE_NOW", moment.isoformat())


@pytest.fixture
def line(line_db, coordinator, monkeypatch, access_clock_follows_warmline_now):
    """A line at Mon 23 Nov 10:00 with a current shift (09:00–13:00, 4 peers + 1 backup) and helpers."""
    set_now(monkeypatch, at(23, 10))

    class Line:
        db = line_db
        coord = coordinator
        shift = rota.add_shift(line_db, coordinator, start=at(23, 9), end=at(23, 13), seats=4, backup=1)

        @staticmethod
        def person(handle, tags=(), paused=(), languages=(), role="volunteer"):
            return people.add(
                line_db, coordinator, handle=handle, name=handle.title(), tags=list(tags),
                paused_tags=list(paused), languages=list(languages), role=role,
                tags_set_by_self=True,  # their own tags: offered (a coordinator's would be proposed)
            )

        @staticmethod
        def on(handle, shift=None, backup=False):
            sid = (shift or Line.shift).id
            rota.assign(line_db, coordinator, sid, handle, role="backup" if backup else "peer", force=True)

        @staticmethod
        def match(needs, **kw):
            return matching.match(line_db.conn, coordinator, needs, **kw)

    return Line


def handles(result) -> list[str]:
    return [c.handle for c in result.candidates]


def test_exact_beats_related_beats_none(line):
    line.person("cal", tags=["anxiety"])  # unrelated to grief
    line.person("bea", tags=["loneliness"])  # grief lists loneliness as related
    line.person("ada", tags=["grief"])
    for h in ("cal", "bea", "ada"):
        line.on(h)
    result = line.match(["grief"])
    assert handles(result) == ["ada", "bea", "cal"]
    ada, bea, cal = result.candidates
    assert ada.shares == ("grief",) and ada.related == () and ada.score == 100
    assert bea.shares == () and bea.related == ("grief → loneliness",) and bea.score == 10
    assert cal.shares == () and cal.related == () and cal.score == 0
    assert result.unmet == ()


def test_an_exact_need_is_not_also_listed_as_related(line):
    line.person("ada", tags=["psychosis", "hearing voices"])  # each lists the other as related
    line.person("bea", tags=["psychiatric hospital stay", "bipolar experiences"])  # both related to psychosis
    line.on("ada")
    line.on("bea")
    result = line.match(["psychosis", "voices"])
    ada, bea = result.candidates
    assert ada.shares == ("psychosis / unusual beliefs", "hearing voices") and ada.related == ()
    assert bea.related == (
        "psychosis / unusual beliefs → mood swings / bipolar experiences",
        "psychosis / unusual beliefs → psychiatric hospital stay",
    )
    assert bea.score == 10  # one need met through related tags, however many of them


def test_two_exact_needs_beat_one_and_preferences_break_ties(line):
    line.person("one", tags=["grief", "woman"])
    line.person("two", tags=["grief", "debt"])
    line.person("pre", tags=["grief", "veteran"])
    for h in ("one", "two", "pre"):
        line.on(h)
    result = line.match(["grief", "debt"], prefer=["veteran"])
    assert handles(result) == ["two", "pre", "one"]
    assert result.candidates[1].preferences == ("veteran",)
    assert result.candidates[1].score == 101


def test_paused_tags_never_count_and_are_never_shown(line):
    line.person("ada", tags=["anxiety"], paused=["grief", "loneliness", "woman"])
    line.person("bea", tags=["anxiety"])
    line.on("ada")
    line.on("bea")
    result = line.match(["grief"], prefer=["woman"])
    assert handles(result) == ["ada", "bea"]  # equal: only the handle orders them
    for c in result.candidates:
        assert c.score == 0 and c.shares == () and c.related == () and c.preferences == ()
    assert [t.id for t in result.unmet] == ["grief"]
    shown = json.dumps([c.__dict__ for c in result.candidates], default=str)
    assert "grief" not in shown and "loneliness" not in shown and "woman" not in shown


def test_language_is_a_hard_requirement(line):
    line.person("ada", tags=["grief"])
    line.person("bea", tags=["anxiety"], languages=["es"])
    line.on("ada")
    line.on("bea")
    result = line.match(["grief"], language="Spanish")
    assert handles(result) == ["bea"]
    assert result.without_language == 1
    assert result.candidates[0].language == "Spanish"
    assert [t.id for t in result.unmet] == ["grief"]
    # A language named among the needs is the same requirement.
    assert handles(line.match(["grief", "español"])) == ["bea"]
    with pytest.raises(Invalid, match="more than one language"):
        line.match(["grief", "French"], language="es")


def test_nobody_speaking_the_language_makes_it_unmet_and_names_who_will(line):
    line.person("ada", tags=["grief"])
    line.on("ada")
    line.person("vic", tags=["grief"], languages=["vi"])
    later = rota.add_shift(line.db, line.coord, start=at(23, 17), end=at(23, 21))
    line.on("vic", shift=later)
    result = line.match(["grief"], language="vi")
    assert result.candidates == ()
    assert [t.id for t in result.unmet] == ["grief", "lang-vi"]
    assert {(n.need, n.shift_id, n.handles) for n in result.next} == {
        ("grief", later.id, ("vic",)),
        ("lang-vi", later.id, ("vic",)),
    }


def test_busy_people_rank_last_and_busy_clears_when_the_shift_ends(line, monkeypatch):
    line.person("ada", tags=["grief"])
    line.person("bea", tags=["anxiety"])
    line.on("ada")
    line.on("bea")
    state = calls.set_busy(line.db, people.get(line.db.conn, "ada"), True)
    assert state.busy and state.changed and state.shift_id == line.shift.id
    result = line.match(["grief"])
    assert handles(result) == ["bea", "ada"]
    assert result.candidates[1].busy and result.candidates[1].busy_since == at(23, 10)
    # Marking busy twice keeps the first time; off frees them.
    set_now(monkeypatch, at(23, 10, 30))
    again = calls.set_busy(line.db, people.get(line.db.conn, "ada"), True)
    assert not again.changed and again.since == at(23, 10)
    calls.set_busy(line.db, people.get(line.db.conn, "ada"), False)
    assert handles(line.match(["grief"])) == ["ada", "bea"]
    # Busy again, then the shift ends: the mark does not follow ada to her next shift.
    calls.set_busy(line.db, people.get(line.db.conn, "ada"), True)
    nxt = rota.add_shift(line.db, line.coord, start=at(23, 13), end=at(23, 17))
    line.on("ada", shift=nxt)
    set_now(monkeypatch, at(23, 14))
    result = line.match(["grief"])
    assert [(c.handle, c.busy) for c in result.candidates] == [("ada", False)]


def test_busy_is_refused_off_shift(line, monkeypatch):
    line.person("ada", tags=["grief"])
    with pytest.raises(Refused, match="not on a shift now"):
        calls.set_busy(line.db, people.get(line.db.conn, "ada"), True)
    with pytest.raises(Refused, match="not on a shift now"):
        calls.set_busy(line.db, line.coord, True)


def test_load_is_spread_among_equals(line, monkeypatch):
    line.person("ada", tags=["grief"])
    line.person("bea", tags=["grief"])
    line.on("ada")
    line.on("bea")
    # Two calls taken by ada this shift; one by bea in an earlier shift does not count.
    earlier = rota.add_shift(line.db, line.coord, start=at(23, 4), end=at(23, 8), allow_past=True)
    line.on("bea", shift=earlier)
    calls.log_call(line.db, line.coord, ["grief"], at=at(23, 6), taken_by="bea")
    calls.log_call(line.db, line.coord, ["grief"], at=at(23, 9, 15), taken_by="ada")
    calls.log_call(line.db, line.coord, ["anxiety"], at=at(23, 9, 45), taken_by="ada")
    result = line.match(["grief"])
    assert handles(result) == ["bea", "ada"]
    assert [c.calls_taken for c in result.candidates] == [0, 2]
    # A better match still beats a lighter load.
    assert handles(line.match(["grief"])) == handles(result)


def test_ties_are_broken_by_handle_every_time(line):
    for h in ("zed", "amy", "kim"):
        line.person(h, tags=["grief"])
        line.on(h)
    first = handles(line.match(["grief"]))
    assert first == ["amy", "kim", "zed"]
    assert all(handles(line.match(["grief"])) == first for _ in range(5))


def test_the_fit_ranks_before_the_role(line):
    """Issue 15: two peers who share nothing ranked above the backup who shares the need. The fit
    orders everyone; the backup who shares "sobriety" comes first."""
    line.person("bak", tags=["sobriety"], role="coordinator")
    line.person("pea", tags=["anxiety"])
    line.person("peb", tags=["grief"])
    line.on("bak", backup=True)
    line.on("pea")
    line.on("peb")
    result = line.match(["sobriety"])
    assert [(c.handle, c.role) for c in result.candidates] == [("bak", "backup"), ("pea", "peer"), ("peb", "peer")]
    assert result.candidates[0].shares == ("alcohol recovery",)  # "sobriety" is an alias of it
    assert result.unmet == ()


def test_at_an_equal_fit_peers_come_before_the_backup(line):
    line.person("bak", tags=["grief", "debt"], role="coordinator")
    line.person("pee", tags=["grief", "debt"])
    line.person("non", tags=["anxiety"])
    line.on("bak", backup=True)
    line.on("pee")
    line.on("non")
    result = line.match(["grief", "debt"])
    assert [(c.handle, c.role) for c in result.candidates] == [("pee", "peer"), ("bak", "backup"), ("non", "peer")]


def test_nobody_on_shift_names_the_next_shifts_within_24_hours(line):
    line.person("ada", tags=["hearing voices"])
    line.person("bea", tags=["anxiety"])
    line.person("cal", tags=["hearing voices"])
    soon = rota.add_shift(line.db, line.coord, start=at(23, 17), end=at(23, 21))
    tomorrow = rota.add_shift(line.db, line.coord, start=at(24, 9), end=at(24, 13))
    too_late = rota.add_shift(line.db, line.coord, start=at(24, 15), end=at(24, 19))
    line.on("ada", shift=soon)
    line.on("bea", shift=soon)
    line.on("cal", shift=tomorrow)
    line.on("bea", shift=too_late)
    result = line.match(["voices"], at=at(23, 14))
    assert result.candidates == () and result.shift_ids == ()
    assert [t.id for t in result.unmet] == ["hearing-voices"]
    assert [(n.shift_id, n.handles, n.need_label) for n in result.next] == [
        (soon.id, ("ada",), "hearing voices"),
        (tomorrow.id, ("cal",), "hearing voices"),
    ]
    assert result.next[0].start == at(23, 17)


def test_a_need_met_on_shift_has_no_next_suggestion(line):
    line.person("ada", tags=["grief"])
    line.on("ada")
    result = line.match(["grief"])
    assert result.unmet == () and result.next == ()


def test_tags_are_read_by_id_label_or_alias_and_unknown_ones_get_suggestions(line):
    line.person("ada", tags=["leaving detox"])
    line.on("ada")
    for typed in ("leaving-detox", "Leaving Detox", "LEAVING_DETOX"):
        assert line.match([typed]).candidates[0].shares == ("leaving detox",)
    with pytest.raises(Invalid, match="did you mean grief"):
        line.match(["grif"])
    with pytest.raises(Invalid, match="is a language"):
        line.match(["grief"], prefer=["es"])


def test_permission_volunteer_off_shift_is_refused_coordinator_and_on_shift_are_not(line):
    line.person("ada", tags=["grief"])
    line.person("off", tags=["grief"])
    line.on("ada")
    ada = people.get(line.db.conn, "ada")
    off = people.get(line.db.conn, "off")
    assert handles(matching.match(line.db.conn, ada, ["grief"])) == ["ada"]
    with pytest.raises(Refused, match="off is not on a shift now") as refused:
        matching.match(line.db.conn, off, ["grief"])
    assert "grief" not in str(refused.value)
    # The coordinator is on no shift and may still match, also at other times.
    assert handles(line.match(["grief"], at=at(23, 12))) == ["ada"]


def test_permission_a_volunteer_matches_only_at_the_present_a_coordinator_at_any_time(line, monkeypatch):
    line.person("ada", tags=["grief"])
    line.person("bea", tags=["grief"])
    line.on("ada")
    later = rota.add_shift(line.db, line.coord, start=at(23, 17), end=at(23, 21))
    line.on("bea", shift=later)
    ada = people.get(line.db.conn, "ada")
    # On shift now, ada may not look at another shift's people (and their tags) by naming its time.
    for moment in (at(23, 18), at(23, 11), at(22, 10)):
        with pytest.raises(Refused, match="ada may match only for the shift they are on, at the present"):
            matching.match(line.db.conn, ada, ["grief"], at=moment)
    assert handles(matching.match(line.db.conn, ada, ["grief"])) == ["ada"]
    assert handles(line.match(["grief"], at=at(23, 18))) == ["bea"]  # a coordinator may


def test_cancelled_shifts_and_inactive_people_are_not_on_shift(line):
    line.person("ada", tags=["grief"])
    line.on("ada")
    other = rota.add_shift(line.db, line.coord, start=at(23, 9), end=at(23, 12))  # not an exact duplicate
    line.person("bea", tags=["grief"])
    line.on("bea", shift=other)
    rota.cancel_shift(line.db, line.coord, other.id)
    assert handles(line.match(["grief"])) == ["ada"]


# ---------------------------------------------------------------- the call log


def test_log_call_records_only_time_needs_and_taker_and_audits_counts(line, monkeypatch):
    line.person("ada", tags=["grief"])
    line.on("ada")
    ada = people.get(line.db.conn, "ada")
    call_id = calls.log_call(line.db, ada, ["grief", "Housing insecurity"])
    row = line.db.conn.execute("SELECT * FROM call WHERE id = ?", (call_id,)).fetchone()
    assert dict(row) == {"id": call_id, "at_utc": "2026-11-23T15:00:00Z", "taken_by": ada.id}
    needs = [r[0] for r in line.db.conn.execute("SELECT tag_id FROM call_need WHERE call_id = ? ORDER BY tag_id", (call_id,))]
    assert needs == ["grief", "housing-insecurity"]
    entry = audit.entries(line.db.conn, line.coord, limit=1)[0]
    assert (entry.action, entry.subject, entry.detail) == ("call.log", f"call {call_id}", "1 call, 2 needs; taken by ada")
    # A coordinator's call with no taker on shift at that time stays untaken.
    other = calls.log_call(line.db, line.coord, ["grief"], at=at(22, 20))
    assert line.db.conn.execute("SELECT taken_by FROM call WHERE id = ?", (other,)).fetchone()[0] is None
    assert audit.entries(line.db.conn, line.coord, limit=1)[0].detail == "1 call, 1 need"


def test_log_call_permissions_and_times(line, monkeypatch):
    line.person("ada", tags=["grief"])
    line.person("off")
    line.on("ada")
    ada = people.get(line.db.conn, "ada")
    with pytest.raises(Refused, match="not on a shift now"):
        calls.log_call(line.db, people.get(line.db.conn, "off"), ["grief"])
    with pytest.raises(Refused, match="only from their current shift"):
        calls.log_call(line.db, ada, ["grief"], at=at(23, 8))
    with pytest.raises(Invalid, match="future"):
        calls.log_call(line.db, line.coord, ["grief"], at=at(23, 11))
    with pytest.raises(Refused, match="off was not on a shift"):
        calls.log_call(line.db, line.coord, ["grief"], taken_by="off")
    with pytest.raises(Invalid, match="did you mean"):
        calls.log_call(line.db, ada, ["grieff"])
    assert line.db.conn.execute("SELECT count(*) FROM call").fetchone()[0] == 0


# ---------------------------------------------------------------- the CLI


@pytest.mark.slow
def test_cli_match_json_and_text(run_cli):
    def ok(*args, **kw):
        result = run_cli(*args, **kw)
        assert result.returncode == 0, result.stderr
        return result.stdout

    ok("init", "--name", "T", "--tz", "America/New_York")
    ok("people", "add", "ada", "--name", "Ada", "--tag", "grief", "--paused-tag", "trauma")
    ok("people", "add", "bea", "--name", "Bea", "--tag", "domestic abuse survived", "--language", "es")
    # A coordinator's tags are proposals (issue 15): each accepts hers, so matching uses it.
    for handle, tag in (("ada", "grief"), ("bea", "domestic abuse survived")):
        ok("people", "passphrase", handle, env={"WARMLINE_NEW_PASSPHRASE": "own-passphrase-8817"})
        ok("--as", handle, "tags", "accept", tag, env={"WARMLINE_PASSPHRASE": "own-passphrase-8817"})
    ok("shift", "add", "--start", "2026-11-23T07:00", "--end", "2026-11-23T11:00")
    ok("assign", "1", "ada")
    ok("assign", "1", "bea")
    data = json.loads(ok("match", "grief", "trauma", "--json"))
    assert data["at"] == "2026-11-23T08:00:00-05:00"
    assert [c["handle"] for c in data["candidates"]] == ["ada", "bea"]
    first = data["candidates"][0]
    assert {k: first[k] for k in ("handle", "name", "role", "score", "shares", "related", "busy")} == {
        "handle": "ada", "name": "Ada", "role": "peer", "score": 100, "shares": ["grief"], "related": [], "busy": False,
    }
    assert data["candidates"][1]["related"] == ["trauma → domestic abuse survived"]
    assert data["unmet"] == [{"id": "trauma", "label": "trauma"}]
    assert data["next"] == []
    text = ok("match", "grief", "--language", "es")
    assert "bea" in text and "ada" not in text.split("Caller")[1]
    bad = run_cli("match", "grif")
    assert bad.returncode == 1 and bad.stderr.startswith("error: unknown tag 'grif': did you mean grief")
    assert run_cli("match").returncode == 2
