"""Bad input to every command: exit 1, exactly one stderr line starting "error:", and nothing changed.

One line is prepared per module with the real `warmline` command and copied into each
test's directory. "Nothing changed" compares a dump of every table (`iterdump`) before
and after, which is immune to WAL checkpoints rewriting pages. A volunteer's successful
sign-in is itself audited, so for commands run as a volunteer that one audit row is set
aside before comparing.

The ~150 cases run `warmline.cli.main` in-process (the console script's entry point, with
its exit codes and error lines) to keep the suite quick; a sample of them also runs as a
real `warmline` process to prove the two agree.
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

NOW = "2026-11-23T08:00:00-05:00"
SAM_SECRET = "sams long passphrase"
HUGE = "x" * 100_000


def warmline_cmd() -> list[str]:
    script = Path(sys.executable).with_name("warmline")
    if script.exists():
        return [str(script)]
    found = shutil.which("warmline")
    if found:
        return [found]
    return [sys.executable, "-c", "from warmline.cli import main; main()"]


def run(db_path: Path, args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("WARMLINE_")}
    full.update({"WARMLINE_DB": str(db_path), "WARMLINE_NOW": NOW})
    full.update(env or {})
    return subprocess.run(
        [*warmline_cmd(), *args], env=full, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )


def invoke(monkeypatch, capsys, db_path: Path, args: list[str], env: dict | None = None) -> tuple[int, str, str]:
    """Run `warmline ARGS` in this process through the console script's entry point."""
    from warmline.cli import main

    for key in [k for k in os.environ if k.startswith("WARMLINE_")]:
        monkeypatch.delenv(key)
    for key, value in {"WARMLINE_DB": str(db_path), "WARMLINE_NOW": NOW, **(env or {})}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal: nothing is prompted for
    capsys.readouterr()
    with pytest.raises(SystemExit) as ended:
        main(list(args))
    out, err = capsys.readouterr()
    return ended.value.code, out, err


def dump(db_path: Path) -> list[str]:
    conn = sqlite3.connect(db_path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def without_signins(lines: list[str]) -> list[str]:
    return [line for line in lines if not (line.startswith('INSERT INTO "audit"') and ",'signin'," in line)]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A line as `warmline init` run by this OS user (coordinator "root" here) and a few commands make it."""
    from warmline import access, people, rota
    from warmline import line as line_mod
    from warmline.db import open_db
    from warmline.recurrence import zone
    from warmline.times import parse_moment

    def at(text):
        return parse_moment(text, zone("America/New_York"))

    path = tmp_path_factory.mktemp("template") / "r.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WARMLINE_NOW", NOW)
        db = open_db(path, create=True)
        line_mod.create(db, name="T", tz="America/New_York", actor="root", first_coordinator=("root", "root", access.os_user()))
        root = people.get(db.conn, "root")
        people.add(db, root, handle="sam", name="Sam", tags=["grief"], languages=["es"])
        people.add(db, root, handle="kim", name="Kim")
        people.set_passphrase(db, root, "sam", SAM_SECRET)
        first = rota.add_shift(db, root, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00"))  # shift 1
        rota.add_series(  # series 1, shifts 2 to 10 (Mondays 17:00-21:00)
            db, root, rule="FREQ=WEEKLY;BYDAY=MO", start=at("2026-11-30T17:00"), end=at("2026-11-30T21:00"),
            until=parse_moment("2027-01-31T00:00", zone("UTC")).date(),
        )
        rota.assign(db, root, first.id, "sam")
        db.close()
    return path


@pytest.fixture
def db_path(template, tmp_path) -> Path:
    for side in template.parent.iterdir():
        shutil.copy(side, tmp_path / side.name)
    return tmp_path / "r.db"


AS_SAM = {"WARMLINE_AS": "sam", "WARMLINE_PASSPHRASE": SAM_SECRET}
BAD_NOW = {"WARMLINE_NOW": "next tuesday"}

# (id, args, extra env)
CASES = [
    # init
    ("init-unknown-zone", ["init", "--name", "X", "--tz", "Mars/Olympus"], {}),
    ("init-zone-case", ["init", "--name", "X", "--tz", "america/new_york"], {}),
    ("init-zone-dir", ["init", "--name", "X", "--tz", "America"], {}),
    ("init-zone-path", ["init", "--name", "X", "--tz", "../../etc/passwd"], {}),
    ("init-again", ["init", "--name", "X", "--tz", "America/New_York"], {}),
    ("init-huge-name", ["init", "--name", HUGE, "--tz", "UTC"], {}),
    ("init-control-name", ["init", "--name", "a\x1b[31mb", "--tz", "UTC"], {}),
    ("init-cutoff-nan", ["init", "--name", "X", "--tz", "UTC", "--drop-cutoff", "soon"], {}),
    ("init-cutoff-negative", ["init", "--name", "X", "--tz", "UTC", "--drop-cutoff", "-1"], {}),
    ("init-bad-handle", ["init", "--name", "X", "--tz", "UTC", "--coordinator", "Big Boss"], {}),
    # people add
    ("add-bad-handle", ["people", "add", "Sam R", "--name", "S"], {}),
    ("add-huge-handle", ["people", "add", HUGE, "--name", "S"], {}),
    ("add-control-handle", ["people", "add", "sa\tm", "--name", "S"], {}),
    ("add-taken-handle", ["people", "add", "sam", "--name", "S"], {}),
    ("add-huge-name", ["people", "add", "bob", "--name", HUGE], {}),
    ("add-newline-name", ["people", "add", "bob", "--name", "Bob\nSmith"], {}),
    ("add-empty-name", ["people", "add", "bob", "--name", "   "], {}),
    ("add-unknown-tag", ["people", "add", "bob", "--name", "B", "--tag", "greif"], {}),
    ("add-unknown-paused-tag", ["people", "add", "bob", "--name", "B", "--paused-tag", "nothing-like-it"], {}),
    ("add-control-tag", ["people", "add", "bob", "--name", "B", "--tag", "gr\x1bief"], {}),
    ("add-huge-tag", ["people", "add", "bob", "--name", "B", "--tag", HUGE], {}),
    ("add-unknown-language", ["people", "add", "bob", "--name", "B", "--language", "klingon"], {}),
    ("add-language-as-tag", ["people", "add", "bob", "--name", "B", "--tag", "es"], {}),
    ("add-tag-as-language", ["people", "add", "bob", "--name", "B", "--language", "grief"], {}),
    ("add-role", ["people", "add", "bob", "--name", "B", "--role", "boss"], {}),
    ("add-login", ["people", "add", "bob", "--name", "B", "--login", "bad login"], {}),
    ("add-max-hours-word", ["people", "add", "bob", "--name", "B", "--max-hours", "lots"], {}),
    ("add-max-hours-negative", ["people", "add", "bob", "--name", "B", "--max-hours", "-1"], {}),
    ("add-max-hours-nan", ["people", "add", "bob", "--name", "B", "--max-hours", "nan"], {}),
    ("add-max-hours-inf", ["people", "add", "bob", "--name", "B", "--max-hours", "inf"], {}),
    ("add-max-shifts-fraction", ["people", "add", "bob", "--name", "B", "--max-shifts", "1.5"], {}),
    ("add-max-shifts-huge", ["people", "add", "bob", "--name", "B", "--max-shifts", "9" * 30], {}),
    ("add-min-rest-word", ["people", "add", "bob", "--name", "B", "--min-rest", "eight"], {}),
    ("add-overnights-huge", ["people", "add", "bob", "--name", "B", "--max-overnights", "99"], {}),
    ("people-add-as-volunteer", ["people", "add", "bob", "--name", "B"], AS_SAM),
    # people edit
    ("edit-unknown-handle", ["people", "edit", "nobody", "--name", "X"], {}),
    ("edit-nothing", ["people", "edit", "sam"], {}),
    ("edit-unknown-offer", ["people", "edit", "sam", "--offer", "greif"], {}),
    ("edit-unknown-pause", ["people", "edit", "sam", "--pause", "nope-nope"], {}),
    ("edit-unknown-remove", ["people", "edit", "sam", "--remove-tag", "nope-nope"], {}),
    ("edit-offer-and-pause", ["people", "edit", "sam", "--offer", "grief", "--pause", "grief"], {}),
    ("edit-control-name", ["people", "edit", "sam", "--name", "S\x7f"], {}),
    ("edit-huge-pronouns", ["people", "edit", "sam", "--pronouns", HUGE], {}),
    ("edit-max-hours-word", ["people", "edit", "sam", "--max-hours", "ten"], {}),
    ("edit-unknown-language", ["people", "edit", "sam", "--language", "elvish"], {}),
    ("edit-raise-own-limit", ["people", "edit", "sam", "--max-hours", "40"], AS_SAM),
    ("edit-someone-else", ["people", "edit", "kim", "--name", "K"], AS_SAM),
    ("edit-demote-last-coordinator", ["people", "edit", "root", "--role", "volunteer"], {}),
    # people list / show / deactivate / passphrase
    ("list-as-unknown", ["people", "list"], {"WARMLINE_AS": "nobody"}),
    ("list-as-bad-handle", ["--as", "No Body", "people", "list"], {}),
    ("show-unknown", ["people", "show", "samm"], {}),
    ("show-bad-handle", ["people", "show", "Sam!"], {}),
    ("show-huge-handle", ["people", "show", HUGE], {}),
    ("deactivate-unknown", ["people", "deactivate", "nobody"], {}),
    ("deactivate-last-coordinator", ["people", "deactivate", "root"], {}),
    ("deactivate-as-volunteer", ["people", "deactivate", "kim"], AS_SAM),
    ("passphrase-unknown", ["people", "passphrase", "nobody"], {"WARMLINE_NEW_PASSPHRASE": "long enough pass"}),
    ("passphrase-short", ["people", "passphrase", "kim"], {"WARMLINE_NEW_PASSPHRASE": "short"}),
    ("passphrase-control", ["people", "passphrase", "kim"], {"WARMLINE_NEW_PASSPHRASE": "long\x1benough pass"}),
    ("passphrase-missing", ["people", "passphrase", "kim"], {}),
    ("passphrase-other-as-volunteer", ["people", "passphrase", "kim"], {**AS_SAM, "WARMLINE_NEW_PASSPHRASE": "long enough pass"}),
    # tags
    ("tags-family", ["tags", "list", "--family", "feelings"], {}),
    ("tags-add-bad-id", ["tags", "add", "Bad Id", "--label", "b", "--family", "experience"], {}),
    ("tags-add-existing", ["tags", "add", "grief", "--label", "grief again", "--family", "experience"], {}),
    ("tags-add-alias-clash", ["tags", "add", "mourning", "--label", "mourning", "--family", "experience", "--alias", "bereavement"], {}),
    ("tags-add-huge-label", ["tags", "add", "new-tag", "--label", HUGE, "--family", "experience"], {}),
    ("tags-add-control-label", ["tags", "add", "new-tag", "--label", "new\ttag", "--family", "experience"], {}),
    ("tags-add-family", ["tags", "add", "new-tag", "--label", "new", "--family", "feelings"], {}),
    ("tags-add-as-volunteer", ["tags", "add", "new-tag", "--label", "new", "--family", "experience"], AS_SAM),
    # shifts
    ("shifts-bad-from", ["shifts", "--from", "yesterday"], {}),
    ("shifts-bad-to", ["shifts", "--to", "2026-13-01"], {}),
    ("shifts-feb-30", ["shifts", "--from", "2026-02-30"], {}),
    ("shifts-to-before-from", ["shifts", "--from", "2026-11-30", "--to", "2026-11-01"], {}),
    ("shifts-too-long", ["shifts", "--from", "2026-01-01", "--to", "2036-01-01"], {}),
    ("shifts-huge-from", ["shifts", "--from", HUGE], {}),
    ("shifts-control-from", ["shifts", "--from", "2026-11-23\x1b"], {}),
    ("shifts-unknown-person", ["shifts", "--person", "nobody"], {}),
    ("shifts-bad-now", ["shifts"], BAD_NOW),
    ("shifts-now-without-offset", ["shifts"], {"WARMLINE_NOW": "2026-11-23T08:00:00"}),
    # shift add
    ("add-bad-start", ["shift", "add", "--start", "tomorrow 9am", "--end", "2026-11-24T13:00"], {}),
    ("add-bad-end", ["shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T25:00"], {}),
    ("add-end-before-start", ["shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T08:00"], {}),
    ("add-end-equals-start", ["shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T09:00"], {}),
    ("add-too-long", ["shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-25T10:00"], {}),
    ("add-too-long-dst", ["shift", "add", "--start", "2026-11-01T00:00", "--end", "2026-11-01T23:30"], {}),
    ("add-seats-word", ["shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T13:00", "--seats", "two"], {}),
    ("add-seats-negative", ["shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T13:00", "--seats", "-1"], {}),
    ("add-seats-huge", ["shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T13:00", "--seats", "9" * 25], {}),
    ("add-backup-word", ["shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T13:00", "--backup", "x"], {}),
    ("add-huge-note", ["shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T13:00", "--note", HUGE], {}),
    ("add-control-note", ["shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T13:00", "--note", "a\nb"], {}),
    ("add-bad-rrule", ["shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T13:00", "--rrule", "FREQ=SOMETIMES"], {}),
    ("add-bad-byday", ["shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T13:00", "--rrule", "FREQ=WEEKLY;BYDAY=XX"], {}),
    ("add-rrule-lines", ["shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T13:00", "--rrule", "FREQ=DAILY\nEXDATE:20261125"], {}),
    ("add-empty-rrule", ["shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T13:00", "--rrule", ""], {}),
    ("add-huge-rrule", ["shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T13:00", "--rrule", HUGE], {}),
    ("add-bad-until", ["shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T13:00", "--rrule", "FREQ=DAILY", "--until", "someday"], {}),
    ("add-empty-until", ["shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T13:00", "--rrule", "FREQ=DAILY", "--until", ""], {}),
    ("add-until-before-start", ["shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T13:00", "--rrule", "FREQ=DAILY", "--until", "2026-11-01"], {}),
    ("shift-add-as-volunteer", ["shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T13:00"], AS_SAM),
    # shift edit / cancel
    ("edit-unknown-shift", ["shift", "edit", "999", "--seats", "3"], {}),
    ("edit-huge-shift-id", ["shift", "edit", "9" * 25, "--seats", "3"], {}),
    ("edit-word-shift-id", ["shift", "edit", "first", "--seats", "3"], {}),
    ("edit-nothing-shift", ["shift", "edit", "2"], {}),
    ("edit-empty-start", ["shift", "edit", "2", "--start", ""], {}),
    ("edit-bad-start", ["shift", "edit", "1", "--start", "2026-11-24 nine"], {}),
    ("edit-end-before-start", ["shift", "edit", "1", "--end", "2026-11-24T08:00"], {}),
    ("edit-fewer-seats-than-people", ["shift", "edit", "1", "--seats", "0"], {}),
    ("edit-seats-word", ["shift", "edit", "1", "--seats", "many"], {}),
    ("edit-control-note", ["shift", "edit", "1", "--note", "x\x1by"], {}),
    ("edit-as-volunteer", ["shift", "edit", "1", "--seats", "3"], AS_SAM),
    ("cancel-unknown", ["shift", "cancel", "999"], {}),
    ("cancel-word", ["shift", "cancel", "one"], {}),
    ("cancel-as-volunteer", ["shift", "cancel", "1"], AS_SAM),
    # series
    ("series-list-as-unknown", ["--as", "nobody", "series", "list"], {}),
    ("series-edit-unknown", ["series", "edit", "999", "--seats", "3"], {}),
    ("series-edit-huge-id", ["series", "edit", "9" * 25, "--seats", "3"], {}),
    ("series-edit-nothing", ["series", "edit", "1"], {}),
    ("series-edit-bad-rrule", ["series", "edit", "1", "--rrule", "FREQ=WEEKLY;BYDAY=MO;BYDAY=TU"], {}),
    ("series-edit-empty-rrule", ["series", "edit", "1", "--rrule", ""], {}),
    ("series-edit-bad-until", ["series", "edit", "1", "--until", "2027-02-31"], {}),
    ("series-edit-bad-time", ["series", "edit", "1", "--start-time", "25:00"], {}),
    ("series-edit-word-time", ["series", "edit", "1", "--end-time", "evening"], {}),
    ("series-edit-seats-word", ["series", "edit", "1", "--seats", "lots"], {}),
    ("series-edit-huge-note", ["series", "edit", "1", "--note", HUGE], {}),
    ("series-edit-as-volunteer", ["series", "edit", "1", "--seats", "3"], AS_SAM),
    ("series-cancel-unknown", ["series", "cancel", "999"], {}),
    ("series-cancel-word", ["series", "cancel", "all"], {}),
    # assign / unassign / claim / drop
    ("assign-unknown-handle", ["assign", "1", "nobody"], {}),
    ("assign-bad-handle", ["assign", "1", "No Body"], {}),
    ("assign-unknown-shift", ["assign", "999", "kim"], {}),
    ("assign-huge-shift", ["assign", "9" * 25, "kim"], {}),
    ("assign-word-shift", ["assign", "first", "kim"], {}),
    ("assign-already-on", ["assign", "1", "sam"], {}),
    ("assign-as-volunteer", ["assign", "3", "sam"], AS_SAM),
    ("unassign-unknown-handle", ["unassign", "1", "nobody"], {}),
    ("unassign-not-on", ["unassign", "1", "kim"], {}),
    ("unassign-unknown-shift", ["unassign", "999", "sam"], {}),
    ("claim-unknown-shift", ["claim", "999"], AS_SAM),
    ("claim-word-shift", ["claim", "soon"], AS_SAM),
    ("claim-huge-shift", ["claim", "9" * 25], AS_SAM),
    ("claim-already-on", ["claim", "1"], AS_SAM),
    ("claim-wrong-passphrase", ["claim", "3"], {"WARMLINE_AS": "sam", "WARMLINE_PASSPHRASE": "wrong"}),
    ("drop-unknown-shift", ["drop", "999"], AS_SAM),
    ("drop-not-on", ["drop", "3"], AS_SAM),
    ("drop-word-shift", ["drop", "my-shift"], AS_SAM),
    # check / audit / files
    ("audit-limit-word", ["audit", "--limit", "all"], {}),
    ("audit-limit-zero", ["audit", "--limit", "0"], {}),
    ("audit-as-volunteer", ["audit"], AS_SAM),
    ("check-bad-now", ["check"], BAD_NOW),
]


def params(cases):
    return [pytest.param(c[1], c[2], id=c[0], marks=c[3:]) for c in cases]


def check_refused(before: list[str], after: list[str], code, out: str, err: str, env: dict) -> None:
    assert code == 1, (code, out[-500:], err[-2000:])
    lines = err.splitlines()
    assert len(lines) == 1, err[-2000:]
    assert lines[0].startswith("error: ")
    assert len(lines[0]) < 600, f"the error line should quote at most a little of the input ({len(lines[0])} chars)"
    assert out == ""
    if env.get("WARMLINE_PASSPHRASE") == "wrong":
        # A wrong passphrase is counted (on the person row) and audited: that is the lockout.
        def settled(lines):
            return [line for line in lines if not line.startswith('INSERT INTO "person"') and ",'signin.failed'," not in line]

        assert settled(after) == settled(before)
        assert sum(",'signin.failed'," in line for line in after) == 1
        return
    if env.get("WARMLINE_PASSPHRASE") == SAM_SECRET:
        after = without_signins(after)
    assert after == before


@pytest.mark.parametrize(("args", "env"), params(CASES))
def test_bad_input_exits_1_with_one_error_line_and_changes_nothing(db_path, monkeypatch, capsys, args, env):
    before = dump(db_path)
    code, out, err = invoke(monkeypatch, capsys, db_path, args, env)
    check_refused(before, dump(db_path), code, out, err, env)


SAMPLE = {
    "init-unknown-zone", "add-unknown-tag", "add-max-hours-word", "add-control-handle", "edit-raise-own-limit",
    "add-end-before-start", "assign-huge-shift", "claim-wrong-passphrase",
}


@pytest.mark.parametrize(("args", "env"), params([c for c in CASES if c[0] in SAMPLE]))
def test_bad_input_as_a_real_process(db_path, args, env):
    before = dump(db_path)
    done = run(db_path, args, env)
    check_refused(before, dump(db_path), done.returncode, done.stdout, done.stderr, env)


def test_case_ids_are_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))
    assert SAMPLE <= set(ids)


# The commands of the rota core (issue "1 of 7"); later issues' commands bring their own cases.
ROTA_COMMANDS = {
    ("init",), ("people", "add"), ("people", "edit"), ("people", "list"), ("people", "show"),
    ("people", "deactivate"), ("people", "passphrase"), ("tags", "list"), ("tags", "add"), ("shifts",),
    ("shift", "add"), ("shift", "edit"), ("shift", "cancel"), ("series", "list"), ("series", "edit"),
    ("series", "cancel"), ("assign",), ("unassign",), ("claim",), ("drop",), ("check",), ("audit",),
}


def test_every_rota_command_has_bad_input_cases():
    from warmline.cli import cli

    def leaves(group, prefix=()):
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                yield from leaves(command, (*prefix, name))
            else:
                yield (*prefix, name)

    assert ROTA_COMMANDS <= set(leaves(cli))
    tested = set()
    for _, args, *_ in CASES:
        words = [a for a in args if not a.startswith("-")]
        words = words[1:] if args[0] == "--as" else words
        tested.update({tuple(words[:1]), tuple(words[:2])})
    assert ROTA_COMMANDS - tested == set()


def test_init_with_a_bad_zone_creates_no_file(tmp_path):
    target = tmp_path / "new" / "r.db"
    done = run(target, ["init", "--name", "X", "--tz", "Mars/Olympus"])
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "error: unknown time zone 'Mars/Olympus': use an IANA name such as America/New_York"
    ]
    assert not target.exists() and not target.parent.exists()


def test_a_file_that_is_not_a_rota_is_left_untouched(tmp_path):
    target = tmp_path / "notes.db"
    target.write_bytes(b"my shopping list\n" * 10)
    done = run(target, ["shifts"])
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) == 1 and "is not a warmline database" in done.stderr
    assert target.read_bytes() == b"my shopping list\n" * 10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_a_missing_rota_is_not_created_by_a_read(tmp_path):
    target = tmp_path / "missing.db"
    done = run(target, ["shifts"])
    assert done.returncode == 1
    assert done.stderr.startswith("error: there is no rota at") and len(done.stderr.splitlines()) == 1
    assert not target.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["shift", "add", "--start", "2026-11-24T09:00"],
        ["init", "--name", "X"],
        ["assign", "1"],
        ["shifts", "--person", "sam", "--mine"],
        ["shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T13:00", "--until", "2027-01-01"],
        ["no-such-command"],
        ["shifts", "--no-such-option"],
    ],
    ids=["missing-option", "missing-tz", "missing-argument", "exclusive-options", "until-without-rrule",
         "unknown-command", "unknown-option"],
)
def test_usage_errors_exit_2_and_change_nothing(db_path, monkeypatch, capsys, args):
    before = dump(db_path)
    code, out, err = invoke(monkeypatch, capsys, db_path, args)
    assert code == 2, (code, err)
    assert "Usage: warmline" in err
    assert dump(db_path) == before
