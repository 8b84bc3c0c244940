"""`warmline report`: every figure equals an independent recount from `shifts --json`, the call
log, `load --json` and `coverage --json`, on the demo rota and on a generated year of data
(across both DST changes); small counts become "<5" wherever the report leaves the line.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

TZ = ZoneInfo("America/New_York")
DEMO_NOW = "2026-11-23T08:00:00-05:00"
YEAR_LATER = "2027-11-29T08:00:00-05:00"
HOSTILE = "\x1b]0;pwned\x07\x1b[2J[bold red]shout[/bold red]\u202eevil\u202c<script>x</script>\x9b31m"  # 53 weeks on: every shift of a 56-week demo but the last weeks has ended


def _json(result) -> object:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=TZ)


def _period_key(moment: datetime, by: str) -> str:
    local = moment.astimezone(TZ).date()
    if by == "week":
        y, w, _ = local.isocalendar()
        return f"{y}-W{w:02d}"
    return f"{local:%Y-%m}"


def recount(db: Path, shifts: list[dict], first: date, last: date, now: datetime, by: str) -> dict:
    """The report's figures counted again from `shifts --json` rows and the raw call log."""
    lo, hi = _local_midnight(first), _local_midnight(last + timedelta(days=1))
    periods: dict[str, Counter] = defaultdict(Counter)
    people: dict[str, set] = defaultdict(set)
    per_person: Counter = Counter()
    for s in shifts:
        start, end = _utc(s["start_utc"]), _utc(s["end_utc"])
        if s["status"] != "scheduled" or not lo <= start < hi or end > now:
            continue
        hours = (end - start).total_seconds() / 3600
        assert abs(hours - s["hours"]) < 1e-6
        for key in (_period_key(start, by), "total"):
            p = periods[key]
            p["shifts"] += 1
            p["shift_hours"] += hours
            p["seat_hours"] += s["seats"] * hours
            p["seat_hours_covered"] += min(len(s["peers"]), s["seats"]) * hours
            p["hours_with_backup"] += hours if s["backup"] else 0
            p["volunteer_hours"] += hours * (len(s["peers"]) + len(s["backup"]))
            p["peer_hours"] += hours * len(s["peers"])
            p["backup_hours"] += hours * len(s["backup"])
            people[key].update(s["peers"] + s["backup"])
        for h in s["peers"] + s["backup"]:
            per_person[h] += hours
    for key, who in people.items():
        periods[key]["volunteers"] = len(who)

    conn = sqlite3.connect(db)
    try:
        offers: dict[str, set] = defaultdict(set)
        for handle, tag in conn.execute(
            "SELECT p.handle, t.tag_id FROM person p JOIN person_tag t ON t.person_id = p.id WHERE t.state = 'offered'"
            " UNION SELECT p.handle, l.tag_id FROM person p JOIN person_language l ON l.person_id = p.id"
        ):
            offers[handle].add(tag)
        needs_of: dict[int, list] = defaultdict(list)
        for cid, tag in conn.execute("SELECT call_id, tag_id FROM call_need"):
            needs_of[cid].append(tag)
        heat = [[0] * 24 for _ in range(7)]
        by_need: Counter = Counter()
        met_need: Counter = Counter()
        for cid, at_text in conn.execute("SELECT id, at_utc FROM call"):
            at = _utc(at_text)
            if not lo <= at < hi:
                continue
            on_shift = set()
            for s in shifts:
                if s["status"] == "scheduled" and _utc(s["start_utc"]) <= at < _utc(s["end_utc"]):
                    for h in s["peers"] + s["backup"]:
                        on_shift |= offers[h]
            local = at.astimezone(TZ)
            heat[local.weekday()][local.hour] += 1
            for key in (_period_key(at, by), "total"):
                periods[key]["calls"] += 1
                periods[key]["needs_asked"] += len(needs_of[cid])
                periods[key]["needs_met"] += sum(1 for t in needs_of[cid] if t in on_shift)
            for t in needs_of[cid]:
                by_need[t] += 1
                met_need[t] += t in on_shift
        for (created,) in conn.execute("SELECT created_at FROM person"):
            at = _utc(created)
            if lo <= at < hi:
                for key in (_period_key(at, by), "total"):
                    periods[key]["new_people"] += 1
        for (at_text,) in conn.execute("SELECT at FROM audit WHERE action = 'person.deactivate'"):
            at = _utc(at_text)
            if lo <= at < hi:
                for key in (_period_key(at, by), "total"):
                    periods[key]["departed_people"] += 1
    finally:
        conn.close()
    return {"periods": periods, "per_person": per_person, "heat": heat, "by_need": by_need, "met_need": met_need}


FIGURES = (
    "shifts", "shift_hours", "seat_hours", "seat_hours_covered", "hours_with_backup", "volunteer_hours",
    "peer_hours", "backup_hours", "volunteers", "calls", "needs_asked", "needs_met", "new_people", "departed_people",
)


def assert_matches(report: dict, counted: dict) -> None:
    rows = {p["period"]: p for p in report["periods"]} | {"total": report["total"]}
    assert set(counted["periods"]) <= set(rows)
    for key, row in rows.items():
        expected = counted["periods"].get(key, Counter())
        for name in FIGURES:
            assert row[name] == pytest.approx(expected[name], abs=0.006), (key, name)
    assert {p["handle"]: p["hours"] for p in report["people"]} == pytest.approx(dict(counted["per_person"]), abs=0.006)
    assert report["heatmap"]["calls"] == counted["heat"]
    assert {n["tag"]: n["calls"] for n in report["needs"]} == dict(counted["by_need"])
    assert {n["tag"]: n["met"] for n in report["needs"]} == {t: counted["met_need"][t] for t in counted["by_need"]}
    debriefs = report["debriefs"]  # counts only: asked and taken per period, then the total
    assert [d["period"] for d in debriefs] == [p["period"] for p in report["periods"]] + ["total"]
    assert sum(d["asked"] for d in debriefs[:-1]) == debriefs[-1]["asked"] >= debriefs[-1]["taken"]
    assert all(set(d) == {"period", "asked", "taken"} for d in debriefs)
    assert report["protected"] is False


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    from tests.conftest import CliRunner

    run = CliRunner(tmp_path_factory.mktemp("demo"))
    result = run("--db", str(run.db), "demo", "--no-tui")
    assert result.returncode == 0, result.stderr
    return run.db


def _runner(tmp_path: Path, db: Path, now: str):
    from tests.conftest import CliRunner

    run = CliRunner(tmp_path)
    run.env["WARMLINE_DB"] = str(db)
    run.env["WARMLINE_NOW"] = now
    return run


@pytest.mark.fast_tier_sample(2)
@pytest.mark.parametrize("by", ["week", "month"])
def test_demo_report_equals_a_recount_from_shifts_json_and_the_call_log(demo_db, tmp_path, by):
    run = _runner(tmp_path, demo_db, DEMO_NOW)
    first, last = date(2026, 10, 1), date(2026, 11, 30)
    report = _json(run("report", "--from", str(first), "--to", str(last), "--by", by, "--json"))
    shifts = _json(run("shifts", "--from", "2026-09-29", "--to", str(last), "--json"))
    counted = recount(demo_db, shifts, first, last, datetime.fromisoformat(DEMO_NOW), by)
    assert counted["periods"]["total"]["shifts"] > 50 and counted["periods"]["total"]["calls"] > 100  # not vacuous
    assert_matches(report, counted)
    assert [p["period"] for p in report["periods"]] == (
        ["2026-10", "2026-11"] if by == "month" else [f"2026-W{w}" for w in range(40, 50)]
    )


@pytest.mark.slow
def test_demo_hours_per_person_equal_load_and_goals_equal_coverage(demo_db, tmp_path):
    """On a range wholly in the past, per-person hours agree with `load` and goal checks with `coverage`."""
    run = _runner(tmp_path, demo_db, DEMO_NOW)
    args = ("--from", "2026-10-26", "--to", "2026-11-22")
    report = _json(run("report", *args, "--json"))
    load = _json(run("load", *args, "--json"))
    loaded = {p["handle"]: p["hours"] for p in load["people"] if p["hours"]}
    assert {p["handle"]: p["hours"] for p in report["people"]} == pytest.approx(loaded, abs=0.006)
    coverage = _json(run("coverage", *args, "--json"))
    checks = [g for s in coverage["shifts"] for g in s["goals"]]
    assert report["total"]["goal_checks"] == len(checks) > 0
    assert report["total"]["goals_met"] == sum(g["met"] for g in checks)


@pytest.mark.slow
def test_volunteers_may_not_read_reports(demo_db, tmp_path):
    run = _runner(tmp_path, demo_db, DEMO_NOW)
    conn = sqlite3.connect(demo_db)
    handle = conn.execute("SELECT handle FROM person WHERE role = 'volunteer' ORDER BY id LIMIT 1").fetchone()[0]
    conn.close()
    result = run("--as", handle, "report", "--from", "2026-11-01", "--to", "2026-11-30", env={"WARMLINE_PASSPHRASE": "x" * 12})
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_core_refuses_a_volunteer(line_db, coordinator, fixed_now):
    from warmline import people, report
    from warmline.errors import Refused

    vol = people.add(line_db, coordinator, handle="vol", name="Vol Unteer")
    lo, hi = datetime(2026, 11, 1, tzinfo=TZ), datetime(2026, 12, 1, tzinfo=TZ)
    with pytest.raises(Refused, match="only coordinators"):
        report.build(line_db.conn, vol, lo, hi)
    assert report.build(line_db.conn, coordinator, lo, hi).total.shifts == 0


@pytest.mark.parametrize("count, shown", [(0, 0), (1, "<5"), (4, "<5"), (5, 5), (120, 120)])
def test_protect_shows_one_to_four_as_less_than_five(count, shown):
    from warmline.report import protect

    assert protect(count) == shown


@pytest.mark.slow
def test_bad_input_is_one_line(demo_db, tmp_path):
    run = _runner(tmp_path, demo_db, DEMO_NOW)
    for args in (("--from", "2026-13-01", "--to", "2026-12-01"), ("--from", "2026-11-30", "--to", "2026-11-01")):
        result = run("report", *args)
        assert result.returncode == 1 and result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    bad_by = run("report", "--from", "2026-11-01", "--to", "2026-11-30", "--by", "year")
    assert bad_by.returncode == 1 and bad_by.stderr.count("\n") == 1 and "week" in bad_by.stderr
    to_dir = run("report", "--from", "2026-11-01", "--to", "2026-11-30", "--html", str(tmp_path))
    assert to_dir.returncode == 1 and to_dir.stderr.startswith("error: --html ") and to_dir.stderr.count("\n") == 1
    assert run("report", "--from", "2026-11-01", "--to", "2026-11-30", "--html", "x.html", "--json").returncode == 2


@pytest.mark.slow
def test_a_generated_year_across_dst_equals_a_recount(tmp_path):
    """56 weeks of 24/7 rota (both DST changes) with a year of random calls, joins and departures."""
    from tests.conftest import CliRunner

    (tmp_path / "b").mkdir()
    build = CliRunner(tmp_path / "b")
    db = build.db
    result = build("--db", str(db), "demo", "--no-tui", "--weeks", "56", "--people", "60", "--round-the-clock", "--seed", "11")
    assert result.returncode == 0, result.stderr
    rng = random.Random(17)
    conn = sqlite3.connect(db)
    tags = [r[0] for r in conn.execute("SELECT id FROM tag")]
    start = datetime(2026, 10, 26, 4, 0, tzinfo=TZ).timestamp()
    span = int(datetime(2027, 11, 20, tzinfo=TZ).timestamp() - start)
    with conn:
        for _ in range(3000):  # a year of calls, bounded; stored as another program would
            at = datetime.fromtimestamp(start + rng.randrange(span), tz=ZoneInfo("UTC"))
            cid = conn.execute("INSERT INTO call (at_utc) VALUES (?)", (at.strftime("%Y-%m-%dT%H:%M:%SZ"),)).lastrowid
            for tag in rng.sample(tags, rng.randint(1, 3)):
                conn.execute("INSERT INTO call_need (call_id, tag_id) VALUES (?, ?)", (cid, tag))
    conn.close()
    run = _runner(tmp_path, db, YEAR_LATER)
    joined = run("people", "add", "newcomer", "--name", "New Comer")
    assert joined.returncode == 0, joined.stderr
    conn = sqlite3.connect(db)
    leaver = conn.execute("SELECT handle FROM person WHERE role = 'volunteer' ORDER BY id LIMIT 1").fetchone()[0]
    conn.close()
    assert run("people", "deactivate", leaver, "--yes").returncode == 0
    first, last = date(2026, 11, 1), date(2027, 11, 30)
    for by in ("month", "week"):
        # `shifts` first: it extends the series' horizon (a read of the rota does), `report` only reads.
        shifts = _json(run("shifts", "--from", "2026-10-30", "--to", str(last), "--json"))
        report = _json(run("report", "--from", str(first), "--to", str(last), "--by", by, "--json"))
        counted = recount(db, shifts, first, last, datetime.fromisoformat(YEAR_LATER), by)
        assert counted["periods"]["total"]["shifts"] > 2000 and counted["periods"]["total"]["calls"] > 2500
        # Everyone was created in the range (the demo's people on its build day, then the newcomer).
        assert report["total"]["new_people"] == 60 + 3 and report["total"]["departed_people"] == 1
        assert_matches(report, counted)
    # The autumn change: a 4-hour 00:00–04:00 shift on 7 Nov 2027 (fall back) lasts 5 real hours.
    dst = [s for s in shifts if s["start"].startswith("2027-11-07T00:00")]
    assert dst and all(s["hours"] == 5.0 for s in dst)


@pytest.mark.slow
def test_hostile_labels_and_names_never_reach_the_terminal_raw(tmp_path):
    """A need label, the line's name and a person's name planted with controls or markup: the text,
    --json, --html and the reporting copy show them escaped, and nothing crashes."""
    from tests.conftest import CliRunner
    from tests.hostile import escaped_controls, plant

    hostile = HOSTILE
    run = CliRunner(tmp_path)
    assert run("--db", str(run.db), "demo", "--no-tui").returncode == 0
    plant(run.db, "UPDATE tag SET label = ? WHERE id = 'loneliness'", (hostile,))
    plant(run.db, "UPDATE line SET name = ?", (hostile,))
    plant(run.db, "UPDATE person SET name = ? WHERE id = (SELECT min(id) FROM person)", (hostile + " Surname",))
    args = ("report", "--from", "2026-10-26", "--to", "2026-11-22")
    text_out = run(*args)
    json_out = run(*args, "--json")
    html_file = tmp_path / "r.html"
    html_out = run(*args, "--html", str(html_file))
    for result in (text_out, json_out, html_out):
        assert result.returncode == 0, result.stderr
        assert escaped_controls(result.stdout) == [] and escaped_controls(result.stderr) == []
    assert escaped_controls(html_file.read_text()) == []
    labels = {n["tag"]: n["label"] for n in json.loads(json_out.stdout)["needs"]}
    assert "loneliness" in labels
    copy = tmp_path / "copy.db"
    assert run("export", "sqlite", str(copy)).returncode == 0
    conn = sqlite3.connect(copy)
    try:
        stored = [v for row in conn.execute("SELECT name FROM line UNION ALL SELECT first_name FROM volunteer_hours") for v in row]
    finally:
        conn.close()
    assert all(escaped_controls(v) == [] for v in stored)
