"""`warmline export sqlite`: a reporting copy the sqlite-utils CLI opens, small counts as "<5",
and nothing personal beyond first names (the raw bytes of the file are searched)."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.hostile import plant

SURNAMES = {"ottilie-v": ("Ottilie Vandermeersch", "ovandermeersch"), "bartholomew-q": ("Bartholomew Quennell-Aduba", "bqaduba")}
NOTE = "Zanzibar-marmalade handoff: the kettle in room 4 is broken"
SHIFT_NOTE = "Quillfeather rota remark about the back door"
SQLITE_UTILS = Path(sys.executable).parent / "sqlite-utils"

# Each test runs the installed `warmline` and the sqlite-utils CLI (which loads sqlite-utils and click:
# about a second each on a busy machine).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> tuple[Path, Path, CliRunner]:
    run = CliRunner(tmp_path_factory.mktemp("copy"))
    assert run("--db", str(run.db), "demo", "--no-tui").returncode == 0
    for handle, (name, login) in SURNAMES.items():
        added = run("people", "add", handle, "--name", name, "--login", login, "--tag", "grief", "--tag", "debt")
        assert added.returncode == 0, added.stderr
        set_pass = run("people", "passphrase", handle, env={"WARMLINE_NEW_PASSPHRASE": "correct horse battery"})
        assert set_pass.returncode == 0, set_pass.stderr
    conn = sqlite3.connect(run.db)
    sid = conn.execute("SELECT id FROM shift WHERE end_utc < '2026-11-20' ORDER BY id LIMIT 1").fetchone()[0]
    author = conn.execute("SELECT id FROM person ORDER BY id LIMIT 1").fetchone()[0]
    conn.close()
    plant(run.db, "UPDATE shift SET note = ? WHERE id = ?", (SHIFT_NOTE, sid))
    plant(
        run.db,
        "INSERT INTO handoff_note (shift_id, author_id, body, created_at) VALUES (?, ?, ?, '2026-11-20T12:00:00Z')",
        (sid, author, NOTE),
    )
    out = run.workdir / "reporting.db"
    result = run("export", "sqlite", str(out), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["path"] == str(out)
    return run.db, out, run


def _utils(*args: str) -> str:
    result = subprocess.run([str(SQLITE_UTILS), *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_copy_opens_with_the_sqlite_utils_cli(copy):
    _, out, _ = copy
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    counts = {t["table"]: t["count"] for t in json.loads(_utils("tables", str(out), "--counts"))}
    for table in ("line", "shifts", "report_weekly", "report_monthly", "calls_by_hour", "calls_by_family", "volunteer_hours", "figures"):
        assert counts[table] > 0, table
    assert counts["calls_by_hour"] == 7 * 24
    views = {v["view"] for v in json.loads(_utils("views", str(out)))}
    assert views == {"coverage_by_month", "busiest_hours", "hours_by_first_name"}
    months = json.loads(_utils("query", str(out), "select * from coverage_by_month"))
    assert [m["month"] for m in months] == ["2026-10", "2026-11"] and all(0 < m["coverage_share"] <= 1 for m in months)
    found = json.loads(_utils("search", str(out), "figures", "backup", "-c", "figure"))
    assert {"backup_share", "hours_with_backup"} <= {f["figure"] for f in found}


def test_the_copy_agrees_with_the_report_and_protects_small_counts(copy):
    from warmline.report import protect

    db, out, run = copy
    report = json.loads(run("report", "--from", "2026-10-26", "--to", "2026-11-23", "--by", "week", "--json").stdout)
    rows = json.loads(_utils("query", str(out), "select weekday_number, hour, calls from calls_by_hour"))
    exact = report["heatmap"]["calls"]
    assert any(0 < exact[d][h] < 5 for d in range(7) for h in range(24))  # the demo has small cells
    for r in rows:
        assert r["calls"] == protect(exact[r["weekday_number"]][r["hour"]])
    assert any(r["calls"] == "<5" for r in rows)
    weeks = {w["period"]: w for w in json.loads(_utils("query", str(out), "select * from report_weekly"))}
    for p in report["periods"]:
        if p["period"] in weeks:
            assert weeks[p["period"]]["shifts"] == p["shifts"]
            assert weeks[p["period"]]["volunteer_hours"] == p["volunteer_hours"]
            assert weeks[p["period"]]["calls"] == protect(p["calls"])
    hours = json.loads(_utils("query", str(out), "select sum(hours) as h from volunteer_hours"))[0]["h"]
    monthly = json.loads(_utils("query", str(out), "select sum(volunteer_hours) as h from report_monthly"))[0]["h"]
    assert hours == pytest.approx(monthly, abs=0.01)


def test_the_copy_holds_no_tag_login_surname_note_or_secret(copy):
    db, out, _ = copy
    raw = out.read_bytes()
    conn = sqlite3.connect(db)
    try:
        words = {w for row in conn.execute("SELECT id, label FROM tag") for w in row}
        words |= {r[0] for r in conn.execute("SELECT login FROM person WHERE login IS NOT NULL")}
        words |= {r[0] for r in conn.execute("SELECT handle FROM person")}
        hashes = [r[0] for r in conn.execute("SELECT passphrase_hash FROM person WHERE passphrase_hash IS NOT NULL")]
    finally:
        conn.close()
    assert len(words) > 100 and len(hashes) >= 2
    words |= {name.split()[1] for name, _ in SURNAMES.values()} | {NOTE, SHIFT_NOTE, "Zanzibar", "Quillfeather"}
    leaked = sorted(w for w in words if w.encode() in raw)
    assert leaked == []
    assert b"scrypt$" not in raw and not any(h.encode() in raw for h in hashes)
    # First names are all it holds of anyone.
    names = {r["first_name"] for r in json.loads(_utils("query", str(out), "select distinct first_name from volunteer_hours"))}
    assert all(" " not in n for n in names) and "Dana" in names


def test_an_existing_file_is_kept_unless_force(copy, tmp_path):
    _, _, run = copy
    target = tmp_path / "keep.db"
    target.write_bytes(b"precious")
    refused = run("export", "sqlite", str(target))
    assert refused.returncode == 1 and refused.stderr.startswith("error: ") and "--force" in refused.stderr
    assert target.read_bytes() == b"precious"
    assert run("export", "sqlite", str(target), "--force").returncode == 0
    assert target.read_bytes().startswith(b"SQLite format 3\x00")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["keep.db"]  # no partial file left behind


def test_volunteers_may_not_export(copy, tmp_path):
    _, _, run = copy
    result = run("--as", "ottilie-v", "export", "sqlite", str(tmp_path / "x.db"),
                 env={"WARMLINE_PASSPHRASE": "correct horse battery"})
    assert result.returncode == 1 and "only coordinators" in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_an_empty_line_gives_a_copy_too(run_cli, tmp_path):
    assert run_cli("init", "--name", "Empty Line", "--tz", "America/New_York").returncode == 0
    result = run_cli("export", "sqlite", str(tmp_path / "empty.db"))
    assert result.returncode == 0, result.stderr
    counts = {t["table"]: t["count"] for t in json.loads(_utils("tables", str(tmp_path / "empty.db"), "--counts"))}
    assert counts["line"] == 1 and counts["calls_by_hour"] == 168


def test_sqlite_utils_loads_only_for_the_export(tmp_path):
    """`warmline --help`, the report command's module and the app's screens import no sqlite_utils."""
    from tests.unit.test_import_hygiene import loaded_modules, offenders

    for code in (
        "import sys; sys.argv = ['warmline', '--help']; from warmline.cli import main; main()",
        "import warmline.report, warmline.cli.report, warmline.report_html",
        "import warmline.screens.app, warmline.screens.reports",
    ):
        modules, result = loaded_modules(code, tmp_path)
        assert result.returncode == 0, (code, result.stderr)
        assert offenders(modules, ("sqlite_utils",)) == [], code
