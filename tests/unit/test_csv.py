"""CSV: importing people all-or-nothing (every bad row reported, nothing written), re-imports that
change nothing, spreadsheet dialects and encodings; exporting the rota and volunteer hours.
"""

from __future__ import annotations

import csv
import io
import stat

import pytest

from warmline import audit, people, rota
from warmline.errors import Invalid, Refused
from warmline.exchange import csvio
from warmline.recurrence import zone
from warmline.times import parse_moment

TZ = zone("America/New_York")
GOOD = (
    "handle,name,role,login,languages,tags,paused_tags,max_hours,max_shifts,min_rest,max_overnights,pronouns\n"
    "sam,Sam Ruiz,volunteer,,es|en,grief|housing insecurity,hearing voices,12,3,10,2,they/them\n"
    "ria,Ria Das,,,,,,,,,,\n"
    "lee,Lee Park,coordinator,leep,en,,,,,,,he/him\n"
)


def at(text: str):
    return parse_moment(text, TZ)


def write(tmp_path, text: str | bytes, name: str = "people.csv"):
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def snapshot(db) -> tuple:
    """Everything an import may touch: people, their tags and languages, and the audit log."""
    def rows(sql: str) -> list[tuple]:
        return [tuple(r) for r in db.conn.execute(sql)]

    return (
        rows("SELECT * FROM person ORDER BY id"),
        rows("SELECT * FROM person_tag ORDER BY person_id, tag_id"),
        rows("SELECT * FROM person_language ORDER BY person_id, tag_id"),
        rows("SELECT count(*) FROM audit"),
    )


def tags(db, handle):
    return dict(people.tags_of(db.conn, people.get(db.conn, "coord"), people.get(db.conn, handle)))


# ---------------------------------------------------------------- importing


def test_a_good_file_adds_everyone_with_every_field_and_audits_it(line_db, coordinator, tmp_path):
    report = csvio.import_people(line_db, coordinator, write(tmp_path, GOOD))
    assert report.added == ["sam", "ria", "lee"] and not report.updated and not report.unchanged
    sam = people.get(line_db.conn, "sam")
    assert (sam.name, sam.role, sam.pronouns) == ("Sam Ruiz", "volunteer", "they/them")
    assert set(sam.languages) == {"lang-es", "lang-en"}
    assert (sam.max_hours_week, sam.max_shifts_week, sam.min_rest_hours, sam.max_overnights_month) == (12, 3, 10, 2)
    # A coordinator's import proposes a new person's tags (issue 15: consent); they are told once, never which.
    assert tags(line_db, "sam") == {"grief": "proposed", "housing-insecurity": "proposed", "hearing-voices": "paused"}
    told = line_db.conn.execute("SELECT kind FROM notification WHERE person_id = ?", (sam.id,)).fetchall()
    assert [r[0] for r in told] == ["proposal"]
    lee = people.get(line_db.conn, "lee")
    assert (lee.role, lee.login) == ("coordinator", "leep")
    added = [e for e in audit.entries(line_db.conn, people.get(line_db.conn, "coord")) if e.action == "person.add" and e.actor == "coord"]
    assert {e.subject for e in added} >= {"sam", "ria", "lee"}
    assert not any("grief" in e.detail for e in added), "tags never reach the audit log"


def test_reimporting_the_same_file_changes_nothing(line_db, coordinator, tmp_path):
    path = write(tmp_path, GOOD)
    csvio.import_people(line_db, coordinator, path)
    before = snapshot(line_db)
    report = csvio.import_people(line_db, coordinator, path)
    assert report.unchanged == ["sam", "ria", "lee"] and not report.added and not report.updated
    assert snapshot(line_db) == before


def test_a_changed_row_updates_only_the_changed_fields_and_is_audited(line_db, coordinator, tmp_path):
    csvio.import_people(line_db, coordinator, write(tmp_path, GOOD))
    changed = GOOD.replace("sam,Sam Ruiz,volunteer,,es|en", "sam,Sam R. Ruiz,volunteer,,es").replace(
        "grief|housing insecurity,hearing voices,12", "housing insecurity,hearing voices|grief,8"
    )
    report = csvio.import_people(line_db, coordinator, write(tmp_path, changed, "v2.csv"))
    assert report.unchanged == ["ria", "lee"]
    ((handle, fields),) = report.updated
    assert handle == "sam" and set(fields) == {"name", "languages", "max_hours_week", "pause"}
    sam = people.get(line_db.conn, "sam")
    assert (sam.name, sam.languages, sam.max_hours_week) == ("Sam R. Ruiz", ("lang-es",), 8)
    # grief was proposed; the new file lists it under paused_tags, so it is paused (never removed):
    assert tags(line_db, "sam")["grief"] == "paused"
    assert audit.entries(line_db.conn, people.get(line_db.conn, "coord"), limit=1)[0].action == "person.edit"


def test_every_bad_row_is_reported_and_nothing_is_written(line_db, coordinator, tmp_path):
    bad = (
        "handle,name,languages,tags,max_hours,max_shifts,role\n"
        "okay,Okay Person,,,,,\n"  # row 2: fine on its own
        "Bad Handle,Someone,,,,,\n"  # row 3
        "amy,,,,,,\n"  # row 4: no name
        "ben,Ben,klingon,,,,\n"  # row 5: unknown language
        "cal,Cal,,no-such-tag,,,\n"  # row 6: unknown tag
        "dee,Dee,,,lots,,\n"  # row 7: not a number
        "eve,Eve,,,,2.5,\n"  # row 8: not a whole number
        "fay,Fay,,,500,,\n"  # row 9: out of range
        "okay,Okay Again,,,,,\n"  # row 10: duplicate handle
        "gus,Gus,,,,,boss\n"  # row 11: unknown role
        "coord,Someone Else,,,,,\n"  # row 12: fine (an update of coord's name)
        "hal,Hal,,grief,,,\n"  # row 13: fine
    )
    before = snapshot(line_db)
    with pytest.raises(csvio.BadRows) as caught:
        csvio.import_people(line_db, coordinator, write(tmp_path, bad))
    rows = {e.row: str(e) for e in caught.value.errors}
    assert sorted(rows) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "not a valid handle" in rows[3]
    assert "name is empty" in rows[4]
    assert "klingon" in rows[5]
    assert "no-such-tag" in rows[6]
    assert "not a number" in rows[7]
    assert "not a whole number" in rows[8]
    assert "between 0 and 168" in rows[9]
    assert "also on row 2" in rows[10]
    assert "boss" in rows[11]
    assert str(caught.value) == "9 bad rows; nothing was imported"
    assert snapshot(line_db) == before


def test_a_dry_run_reports_and_writes_nothing(line_db, coordinator, tmp_path):
    before = snapshot(line_db)
    report = csvio.import_people(line_db, coordinator, write(tmp_path, GOOD), dry_run=True)
    assert report.dry_run and report.added == ["sam", "ria", "lee"]
    assert snapshot(line_db) == before


@pytest.mark.parametrize(
    "variant",
    ["semicolon", "bom", "bom-semicolon", "crlf", "upper-case headers", "reordered", "decimal comma"],
)
def test_spreadsheet_dialects_and_encodings(line_db, coordinator, tmp_path, variant):
    text = "handle,name,languages,max_hours\nsam,Sam Ruiz,es|en,12.5\njo,\"Jo, Jr\",,\n"
    if "semicolon" in variant or variant == "decimal comma":
        text = "handle;name;languages;max_hours\nsam;Sam Ruiz;es|en;12,5\njo;Jo, Jr;;\n"
    if variant == "crlf":
        text = text.replace("\n", "\r\n")
    if variant == "upper-case headers":
        text = text.replace("handle,name,languages,max_hours", "Handle , NAME,Languages,Max Hours")
    if variant == "reordered":
        text = "max_hours,languages,name,handle\n12.5,es|en,Sam Ruiz,sam\n,,\"Jo, Jr\",jo\n"
    data = text.encode("utf-8")
    if "bom" in variant:
        data = b"\xef\xbb\xbf" + data
    report = csvio.import_people(line_db, coordinator, write(tmp_path, data))
    assert report.added == ["sam", "jo"]
    sam = people.get(line_db.conn, "sam")
    assert sam.max_hours_week == 12.5 and set(sam.languages) == {"lang-es", "lang-en"}
    assert people.get(line_db.conn, "jo").name == "Jo, Jr"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "there is no file"),
        (b"PK\x03\x04\x14\x00\x00\x00binary xlsx", "not a CSV file"),
        ("handle,name\nsam,Jos\xe9\n".encode("latin-1"), "not UTF-8"),
        ("", "is empty"),
        ("name,email\nSam,sam@example.org\n", "no 'handle' column"),
        ("handle,name,shoe_size\nsam,Sam,9\n", "unknown columns: shoe_size"),
        ("handle,role\nsam,volunteer\n", "no name column"),
        ("handle,name,name\nsam,Sam,Sam\n", "the column name twice"),
        ('handle,name\nsam,"Sam\n', "not valid CSV"),
    ],
    ids=["missing", "xlsx", "latin-1", "empty", "no handle", "unknown column", "no name", "twice", "bad quotes"],
)
def test_bad_files_are_refused_with_one_clear_reason(line_db, coordinator, tmp_path, content, message):
    path = tmp_path / "people.csv" if content is None else write(tmp_path, content)
    before = snapshot(line_db)
    with pytest.raises(Invalid, match=message):
        csvio.import_people(line_db, coordinator, path)
    assert snapshot(line_db) == before


def test_volunteers_may_not_import(line_db, coordinator, tmp_path):
    volunteer = people.add(line_db, coordinator, handle="vol", name="Vol")
    with pytest.raises(Refused, match="only coordinators may add people"):
        csvio.import_people(line_db, volunteer, write(tmp_path, GOOD))


@pytest.mark.slow
def test_cli_lists_each_bad_row_then_one_error_line_and_changes_nothing(run_cli):
    assert run_cli("init", "--name", "T", "--tz", "America/New_York").returncode == 0
    bad = run_cli.workdir / "bad.csv"
    bad.write_text("handle,name,max_hours\nokay,Okay,\nBAD,,\nzed,Zed,many\n", encoding="utf-8")
    before = run_cli("people", "list", "--json").stdout
    result = run_cli("import", "people", str(bad))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[:-1] == [
        lines[0],
        "row 4 (zed): max_hours 'many' is not a number",
    ] and lines[0].startswith("row 3 (BAD): the name is empty; ")
    assert lines[-1] == "error: 2 bad rows; nothing was imported"
    assert run_cli("people", "list", "--json").stdout == before
    missing = run_cli("import", "people", "nope.csv")
    assert missing.returncode == 1 and missing.stderr.startswith("error: there is no file nope.csv")


@pytest.mark.slow
def test_cli_imports_and_a_second_run_is_a_no_op(run_cli):
    assert run_cli("init", "--name", "T", "--tz", "America/New_York").returncode == 0
    good = run_cli.workdir / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    dry = run_cli("import", "people", str(good), "--dry-run")
    assert dry.returncode == 0 and "Dry run: would add 3" in dry.stdout
    first = run_cli("import", "people", str(good), "--json")
    assert first.returncode == 0, first.stderr
    assert '"added": [\n    "sam",' in first.stdout
    second = run_cli("import", "people", str(good))
    assert second.returncode == 0 and "added 0, updated 0, 3 unchanged" in second.stdout


# ---------------------------------------------------------------- exporting


@pytest.fixture
def worked(line_db, coordinator, monkeypatch):
    """sam and ria work an overnight across the autumn change (9 h) and a day shift; one shift is cancelled."""
    monkeypatch.setenv("WARMLINE_NOW", "2026-10-20T08:00:00-04:00")
    db = line_db
    people.add(db, coordinator, handle="sam", name="Sam Ruiz", tags=["grief"])
    people.add(db, coordinator, handle="ria", name="Ria Das")
    night = rota.add_shift(db, coordinator, start=at("2026-10-31T22:00"), end=at("2026-11-01T06:00"))
    day = rota.add_shift(db, coordinator, start=at("2026-11-03T09:00"), end=at("2026-11-03T13:00"))
    gone = rota.add_shift(db, coordinator, start=at("2026-11-05T09:00"), end=at("2026-11-05T13:00"))
    rota.assign(db, coordinator, night.id, "sam")
    rota.assign(db, coordinator, night.id, "ria", role="backup")
    rota.assign(db, coordinator, day.id, "sam")
    rota.assign(db, coordinator, gone.id, "sam")
    rota.cancel_shift(db, coordinator, gone.id)
    monkeypatch.setenv("WARMLINE_NOW", "2026-11-23T08:00:00-05:00")
    return db, coordinator


def test_rota_rows_have_local_times_real_hours_and_no_tags(worked):
    db, coord = worked
    rows = csvio.rota_rows(db.conn, coord, at("2026-10-25T00:00"), at("2026-11-08T00:00"))
    assert [r["id"] for r in rows] == [1, 2, 3]
    night = rows[0]
    assert (night["start"], night["end"], night["hours"]) == ("2026-10-31T22:00:00-04:00", "2026-11-01T06:00:00-05:00", "9.00")
    assert (night["peers"], night["backup"], night["open_seats"], night["status"]) == ("sam", "ria", 1, "scheduled")
    assert rows[2]["status"] == "cancelled" and rows[2]["open_seats"] == 0
    text = csvio.to_csv(csvio.ROTA_HEADER, rows)
    assert "grief" not in text
    assert next(csv.reader(io.StringIO(text))) == list(csvio.ROTA_HEADER)


def test_hours_per_person_per_month_count_real_time_and_volunteers_see_their_own(worked):
    db, coord = worked
    rows = csvio.hours_rows(db.conn, coord, at("2026-10-01T00:00"), at("2026-12-01T00:00"))
    got = {(r["handle"], r["month"]): (r["shifts"], r["hours"], r["peer_hours"], r["backup_hours"]) for r in rows}
    assert got == {
        ("ria", "2026-10"): (1, "9.00", "0.00", "9.00"),
        ("sam", "2026-10"): (1, "9.00", "9.00", "0.00"),  # counted in the month it starts
        ("sam", "2026-11"): (1, "4.00", "4.00", "0.00"),  # the cancelled shift is not
    }
    ria = people.get(db.conn, "ria")
    own = csvio.hours_rows(db.conn, ria, at("2026-10-01T00:00"), at("2026-12-01T00:00"))
    assert [r["handle"] for r in own] == ["ria"]


@pytest.mark.slow
def test_cli_csv_exports_write_private_files(run_cli):
    assert run_cli("init", "--name", "T", "--tz", "America/New_York", "--coordinator", "boss").returncode == 0
    # A shift worked earlier today: the CLI refuses to create a shift that has ended, so it is
    # recorded in-process as history (allow_past), at the CLI's fixed clock.
    from warmline.db import open_db

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WARMLINE_NOW", run_cli.env["WARMLINE_NOW"])
        db = open_db(run_cli.db)
        try:
            boss = people.get(db.conn, "boss")
            rota.add_shift(db, boss, start=at("2026-11-23T01:00"), end=at("2026-11-23T05:00"), allow_past=True)
        finally:
            db.close()
    assert run_cli("assign", "1", "boss").returncode == 0
    out = run_cli.workdir / "hours.csv"
    result = run_cli("export", "csv", "hours", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text().splitlines() == [",".join(csvio.HOURS_HEADER), "boss,boss,2026-11,1,4.00,4.00,0.00"]
    shown = run_cli("export", "csv", "rota", "--from", "2026-11-23")
    assert shown.returncode == 0 and shown.stdout.splitlines()[1].startswith("1,2026-11-23T01:00:00-05:00,")
    bad = run_cli("export", "csv", "rota", "--from", "soon")
    assert bad.returncode == 1 and bad.stderr.startswith("error: --from")


def test_a_tag_both_offered_and_paused_is_a_bad_row_for_new_and_known_people(line_db, coordinator, tmp_path):
    csvio.import_people(line_db, coordinator, write(tmp_path, "handle,name\nsam,Sam\n"))
    both = "handle,name,tags,paused_tags\nsam,Sam,grief,Grief\nnew,New,grief,grief\n"
    with pytest.raises(csvio.BadRows) as caught:
        csvio.import_people(line_db, coordinator, write(tmp_path, both, "both.csv"))
    assert [(e.row, "both offered and paused" in e.message) for e in caught.value.errors] == [(2, True), (3, True)]
