"""The demo line (warmline/demo.py): same seed and clock give the same file, its shape is believable,
and it keeps every rota rule (`rota.check` finds no error and no warning)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from conftest import FIXED_NOW
from warmline import access, rota
from warmline.db import open_db, parse_utc
from warmline.demo import build, span_weeks
from warmline.errors import Invalid
from warmline.line import create
from warmline.recurrence import zone

NY = zone("America/New_York")
MONDAY = date(2026, 11, 23)  # the local week of FIXED_NOW
TABLES = (
    "line", "person", "person_tag", "person_language", "series", "shift", "assignment", "cover_request", "audit",
)


@pytest.fixture
def me(monkeypatch: pytest.MonkeyPatch) -> str:
    """The OS user, fixed so the tests do not depend on who runs them."""
    monkeypatch.setattr(access, "os_user", lambda: "tester")
    return "tester"


def make(path: Path, **kwargs):
    db = open_db(path, create=True)
    return db, build(db, **kwargs)


def dump(db) -> dict[str, list[tuple]]:
    return {t: [tuple(r) for r in db.conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2")] for t in TABLES}


def scalar(db, sql: str, *params):
    return db.conn.execute(sql, params).fetchone()[0]


@pytest.fixture
def demo(tmp_path, fixed_now, me):
    db, summary = make(tmp_path / "demo.db")
    yield db, summary
    db.close()


# ---------------------------------------------------------------- determinism


@pytest.mark.slow
def test_same_seed_and_clock_give_the_same_rows(tmp_path, fixed_now, me):
    a, _ = make(tmp_path / "a.db", seed=3)
    b, _ = make(tmp_path / "b.db", seed=3)
    c, _ = make(tmp_path / "c.db", seed=4)
    first, second, other = dump(a), dump(b), dump(c)
    assert first == second
    assert first["assignment"] != other["assignment"]
    assert first["person"] != other["person"]
    # The time frame depends only on the clock, not the seed.
    assert first["shift"] == other["shift"]


# ---------------------------------------------------------------- the default line


@pytest.mark.slow
def test_summary_names_the_line_span_fill_and_coordinator(demo):
    db, summary = demo
    shifts = scalar(db, "SELECT count(*) FROM shift")
    assert summary.startswith(f"Harbor Peer Warmline: 26 people, {shifts} shifts (4 weeks back, 8 ahead), ")
    assert summary.endswith("% of seats filled; 2 triads, 6 past debriefs; you are coordinator dana-w.")


@pytest.mark.slow
def test_two_triads_with_meetings_and_debriefs_in_past_months(demo):
    """Issue 16: two triads of three, each with weekly or fortnightly meetings ahead, clear of their shifts;
    a few debriefs asked in past months, all taken, one of them by a coordinator after 15 minutes."""
    from warmline import triads
    from warmline.people import get as get_person

    db, _ = demo
    members = db.conn.execute("SELECT triad_id, count(*) FROM triad_member GROUP BY triad_id").fetchall()
    assert [tuple(r) for r in members] == [(1, 3), (2, 3)]
    now = parse_utc("2026-11-23T13:00:00Z")
    for triad_id, start, end in db.conn.execute("SELECT triad_id, start_utc, end_utc FROM triad_meeting"):
        assert parse_utc(start) > now
        for (pid,) in db.conn.execute("SELECT person_id FROM triad_member WHERE triad_id = ?", (triad_id,)).fetchall():
            clash = db.conn.execute(
                "SELECT count(*) FROM assignment a JOIN shift s ON s.id = a.shift_id WHERE a.person_id = ?"
                " AND s.status = 'scheduled' AND s.start_utc < ? AND s.end_utc > ?",
                (pid, end, start),
            ).fetchone()[0]
            assert clash == 0
    assert all(not db.conn.execute("SELECT role = 'coordinator' FROM person WHERE id = ?", (pid,)).fetchone()[0]
               for (pid,) in db.conn.execute("SELECT person_id FROM triad_member"))
    coordinator = get_person(db.conn, "dana-w")
    assert len(triads.listing(db.conn, coordinator)) == 2  # as `triad list` and the app show them
    rows = db.conn.execute("SELECT asked_at, status, escalated_at IS NOT NULL, shared FROM debrief ORDER BY id").fetchall()
    assert len(rows) == 6 and {r[1] for r in rows} == {"taken"}
    assert sum(r[2] for r in rows) == 1 and sum(r[3] for r in rows) == 1
    assert all(parse_utc(r[0]) < now for r in rows)
    assert len({r[0][:7] for r in rows}) >= 2  # more than one month
    assert scalar(db, "SELECT count(*) FROM audit WHERE action LIKE 'debrief.%' AND actor != 'peer'") == 0


@pytest.mark.slow
def test_line_settings(demo):
    db, _ = demo
    row = db.conn.execute("SELECT name, tz, escalation, horizon_weeks FROM line").fetchone()
    assert tuple(row) == (
        "Harbor Peer Warmline",
        "America/New_York",
        "In crisis? Call or text 988 (Suicide & Crisis Lifeline), or 911 in an emergency.",
        7,
    )
    assert scalar(db, "SELECT count(*) FROM tag") >= 50  # the shipped taxonomy was seeded


@pytest.mark.slow
def test_people_shape(demo):
    db, _ = demo
    conn = db.conn
    assert scalar(db, "SELECT count(*) FROM person WHERE role = 'coordinator'") == 2
    assert scalar(db, "SELECT count(*) FROM person WHERE role = 'volunteer'") == 24
    assert scalar(db, "SELECT count(*) FROM person WHERE passphrase_hash IS NOT NULL") == 0
    handles = [r[0] for r in conn.execute("SELECT handle FROM person WHERE role = 'volunteer'")]
    assert all(h.count("-") >= 1 and h == h.lower() for h in handles)
    names = [r[0] for r in conn.execute("SELECT name FROM person")]
    assert all(n.endswith(".") and len(n.split()) == 2 for n in names)  # "Maria G."
    # Tags: 1-5 each from the three lived-experience families; some offered, some paused.
    per_person = [r[0] for r in conn.execute("SELECT count(*) FROM person_tag GROUP BY person_id")]
    assert scalar(db, "SELECT count(DISTINCT person_id) FROM person_tag") == 26
    assert min(per_person) >= 1 and max(per_person) <= 5
    states = dict(conn.execute("SELECT state, count(*) FROM person_tag GROUP BY state").fetchall())
    assert states["offered"] > states["paused"] > 0
    families = {r[0] for r in conn.execute("SELECT DISTINCT t.family FROM person_tag p JOIN tag t ON t.id = p.tag_id")}
    assert families == {"experience", "circumstance", "identity"}
    # Languages: most English, several Spanish, a few others; everyone speaks at least one.
    langs = dict(conn.execute("SELECT tag_id, count(*) FROM person_language GROUP BY tag_id").fetchall())
    assert langs["lang-en"] >= 20
    assert langs["lang-es"] >= 3
    assert {"lang-zh", "lang-vi", "lang-ht", "lang-ase"} <= set(langs)
    assert scalar(db, "SELECT count(*) FROM person WHERE id NOT IN (SELECT person_id FROM person_language)") == 0
    assert 1 <= scalar(db, "SELECT count(*) FROM person WHERE pronouns IS NOT NULL") < 26
    lower = scalar(
        db,
        "SELECT count(*) FROM person WHERE max_hours_week < 20 OR max_shifts_week < 5"
        " OR min_rest_hours > 8 OR max_overnights_month < 4",
    )
    assert lower >= 2


@pytest.mark.slow
def test_os_user_is_the_first_coordinator(demo, me):
    db, _ = demo
    row = db.conn.execute("SELECT handle, role FROM person WHERE login = ?", (me,)).fetchone()
    assert tuple(row) == ("dana-w", "coordinator")
    assert scalar(db, "SELECT count(*) FROM person WHERE login IS NOT NULL") == 1


@pytest.mark.slow
def test_five_series_of_two_peers_and_a_backup(demo):
    db, _ = demo
    rows = [tuple(r) for r in db.conn.execute(
        "SELECT rule, start_time, end_time, seats, backup_seats, until_day, status FROM series ORDER BY id"
    )]
    weekdays, weekend = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "FREQ=WEEKLY;BYDAY=SA,SU"
    assert rows == [
        (weekdays, "09:00", "13:00", 2, 1, None, "active"),
        (weekdays, "13:00", "17:00", 2, 1, None, "active"),
        (weekdays, "17:00", "21:00", 2, 1, None, "active"),
        (weekend, "10:00", "16:00", 2, 1, None, "active"),
        (weekend, "16:00", "22:00", 2, 1, None, "active"),
    ]


@pytest.mark.slow
def test_span_is_four_weeks_back_and_eight_ahead(demo):
    db, _ = demo
    starts = [datetime.fromisoformat(r[0]).date() for r in db.conn.execute("SELECT start_local FROM shift")]
    assert min(starts) == MONDAY - timedelta(weeks=4)
    assert max(starts) == MONDAY + timedelta(weeks=8) - timedelta(days=1)
    assert len(starts) == 12 * (5 * 3 + 2 * 2)
    # The horizon is already covered: opening the app materialises nothing more.
    assert rota.extend_horizon(db) == 0
    assert {r[0] for r in db.conn.execute("SELECT expanded_to FROM series")} == {"2027-01-18T05:00:00Z"}


@pytest.mark.slow
def test_mostly_filled_with_realistic_gaps(demo):
    db, _ = demo
    seats = scalar(db, "SELECT sum(seats + backup_seats) FROM shift")
    filled = scalar(db, "SELECT count(*) FROM assignment")
    assert 0.80 <= filled / seats <= 0.97
    no_backup = scalar(
        db, "SELECT count(*) FROM shift s WHERE NOT EXISTS"
        " (SELECT 1 FROM assignment a WHERE a.shift_id = s.id AND a.role = 'backup')"
    )
    assert 1 <= no_backup <= 0.1 * scalar(db, "SELECT count(*) FROM shift")
    # Backups are coordinators or senior peers; coordinators never sit in a peer seat.
    assert scalar(
        db, "SELECT count(*) FROM assignment a JOIN person p ON p.id = a.person_id"
        " WHERE a.role = 'peer' AND p.role = 'coordinator'"
    ) == 0


def test_late_drops_wait_for_cover_within_48_hours(demo):
    db, _ = demo
    now = datetime.fromisoformat(FIXED_NOW)
    rows = db.conn.execute(
        "SELECT c.shift_id, c.person_id, c.status, s.start_utc FROM cover_request c JOIN shift s ON s.id = c.shift_id"
    ).fetchall()
    assert len(rows) == 2
    assert len({r[0] for r in rows}) == 2
    for shift_id, person_id, status, start in rows:
        assert status == "open"
        assert now < parse_utc(start) < now + timedelta(hours=48)
        assert scalar(db, "SELECT count(*) FROM assignment WHERE shift_id = ? AND person_id = ?", shift_id, person_id)
    views = rota.views(db.conn, now, now + timedelta(hours=48), open_only=True)
    assert sum(len(v.cover) for v in views) == 2


def test_check_finds_no_error_and_no_warning(demo):
    db, _ = demo
    report = rota.check(db.conn)
    assert report.errors == []
    assert report.warnings == []


@pytest.mark.slow
def test_audit_records_the_seed(demo):
    db, _ = demo
    actions = [r[0] for r in db.conn.execute("SELECT action FROM audit ORDER BY id")]
    assert actions.count("demo.seed") == 1
    assert "line.create" in actions
    detail = scalar(db, "SELECT detail FROM audit WHERE action = 'demo.seed'")
    assert "seed 7" in detail and "26 people" in detail


@pytest.mark.parametrize("seed", [1, 2, 42])
def test_other_seeds_keep_the_rules_too(tmp_path, fixed_now, me, seed):
    db, _ = make(tmp_path / "demo.db", seed=seed)
    report = rota.check(db.conn)
    assert (report.errors, report.warnings) == ([], [])
    filled = scalar(db, "SELECT count(*) FROM assignment") / scalar(db, "SELECT sum(seats + backup_seats) FROM shift")
    assert 0.80 <= filled <= 0.97


# ---------------------------------------------------------------- built only once


def test_building_twice_changes_nothing(demo):
    db, _ = demo
    before = dump(db)
    again = build(db, seed=99, people=5)
    assert dump(db) == before
    assert again == "Harbor Peer Warmline is already set up in demo.db: 26 people, 228 shifts; you are coordinator dana-w."


def test_a_later_os_user_is_mapped_to_the_first_coordinator(tmp_path, fixed_now, monkeypatch):
    monkeypatch.setattr(access, "os_user", lambda: None)
    db, summary = make(tmp_path / "demo.db")
    assert summary.endswith("sign in as coordinator dana-w.")
    assert scalar(db, "SELECT count(*) FROM person WHERE login IS NOT NULL") == 0
    monkeypatch.setattr(access, "os_user", lambda: "sam")
    assert build(db).endswith("you are coordinator dana-w.")
    assert scalar(db, "SELECT login FROM person WHERE handle = 'dana-w'") == "sam"
    assert scalar(db, "SELECT count(*) FROM audit WHERE action = 'person.edit' AND subject = 'dana-w'") == 1
    # Once mapped, building again writes nothing.
    audit_rows = scalar(db, "SELECT count(*) FROM audit")
    build(db)
    assert scalar(db, "SELECT count(*) FROM audit") == audit_rows


def test_a_login_someone_else_has_is_left_alone(demo, monkeypatch):
    db, _ = demo
    with db.transaction() as conn:
        conn.execute("UPDATE person SET login = 'pat' WHERE handle = 'luis-m'")
    monkeypatch.setattr(access, "os_user", lambda: "pat")
    assert build(db).endswith("you are coordinator luis-m.")
    assert scalar(db, "SELECT login FROM person WHERE handle = 'dana-w'") == "tester"


def test_a_real_line_is_never_touched(tmp_path, fixed_now, me):
    db = open_db(tmp_path / "rota.db", create=True)
    create(db, name="Real Line", tz="America/New_York", first_coordinator=("boss", "Boss", None))
    before = dump(db)
    summary = build(db)
    assert dump(db) == before
    assert "not a demo line" in summary
    assert scalar(db, "SELECT count(*) FROM person WHERE login = ?", me) == 0


# ---------------------------------------------------------------- options


def test_span_weeks():
    assert span_weeks(None) == (4, 8)
    assert span_weeks(12) == (4, 8)
    assert span_weeks(260) == (4, 256)
    assert span_weeks(6) == (2, 4)
    assert span_weeks(4) == (1, 3)
    assert span_weeks(1) == (0, 1)
    for bad in (0, 521, -3):
        with pytest.raises(Invalid):
            span_weeks(bad)


@pytest.mark.parametrize("kwargs", [{"people": -1}, {"weeks": 0}, {"weeks": 600}])
def test_bad_options_are_refused_before_anything_is_written(tmp_path, fixed_now, me, kwargs):
    db = open_db(tmp_path / "demo.db", create=True)
    with pytest.raises(Invalid):
        build(db, **kwargs)
    assert scalar(db, "SELECT count(*) FROM line") == 0


def test_round_the_clock_small(tmp_path, fixed_now, me):
    db, summary = make(tmp_path / "demo.db", people=60, weeks=4, round_the_clock=True)
    assert summary.startswith("Harbor Peer Warmline: 62 people, 168 shifts (1 week back, 3 ahead), ")
    rows = [tuple(r) for r in db.conn.execute("SELECT rule, start_time, end_time, seats, backup_seats FROM series")]
    assert rows == [
        ("FREQ=DAILY", f"{h:02d}:00", f"{(h + 4) % 24:02d}:00", 4, 1) for h in range(0, 24, 4)
    ]
    hours = {round((parse_utc(r[1]) - parse_utc(r[0])).total_seconds() / 3600, 2)
             for r in db.conn.execute("SELECT start_utc, end_utc FROM shift")}
    assert hours == {4.0}
    report = rota.check(db.conn)
    assert (report.errors, report.warnings) == ([], [])
    assert scalar(db, "SELECT count(*) FROM assignment") > 0.8 * scalar(db, "SELECT sum(seats + backup_seats) FROM shift")
    assert rota.extend_horizon(db) == 0


def test_round_the_clock_across_the_autumn_clock_change(tmp_path, monkeypatch, me):
    # The week of 2026-11-01 (clocks go back): the 00-04 shift lasts 5 h and is still within the rules.
    monkeypatch.setenv("WARMLINE_NOW", "2026-11-04T12:00:00-05:00")
    db, _ = make(tmp_path / "demo.db", people=80, weeks=3, round_the_clock=True)
    hours = sorted({round((parse_utc(r[1]) - parse_utc(r[0])).total_seconds() / 3600, 2)
                    for r in db.conn.execute("SELECT start_utc, end_utc FROM shift")})
    assert hours == [4.0, 5.0]
    report = rota.check(db.conn)
    assert (report.errors, report.warnings) == ([], [])


@pytest.mark.slow
def test_cli_demo_no_tui(run_cli):
    result = run_cli("--db", str(run_cli.db), "demo", "--no-tui", "--seed", "5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Harbor Peer Warmline: 26 people, 228 shifts (4 weeks back, 8 ahead), ")
    result = run_cli("--db", str(run_cli.db), "check")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_demo_has_call_log_demand_and_two_coverage_goals(tmp_path, monkeypatch):
    """Issue "3 of 7": the demo carries a few weeks of anonymous demand and two goals."""
    monkeypatch.setenv("WARMLINE_NOW", "2026-11-23T08:00:00-05:00")
    from warmline.db import open_db
    from warmline.demo import build

    db = open_db(tmp_path / "demo.db", create=True)
    try:
        build(db, seed=7)
        calls = db.conn.execute("SELECT count(*) FROM call").fetchone()[0]
        needs = db.conn.execute("SELECT count(DISTINCT tag_id) FROM call_need").fetchone()[0]
        goals = db.conn.execute("SELECT tag_id FROM coverage_goal ORDER BY id").fetchall()
        latest = db.conn.execute("SELECT max(at_utc) FROM call").fetchone()[0]
        columns = {r[1] for r in db.conn.execute("PRAGMA table_info(call)")}
    finally:
        db.close()
    assert calls > 50 and needs >= 5
    assert [g[0] for g in goals] == ["lang-es", "hearing-voices"]
    assert latest < "2026-11-23T13:00:00Z"  # only past calls
    assert columns == {"id", "at_utc", "taken_by"}  # no caller field of any kind
