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
KIM_SECRET = "kims long passphrase"
HUGE = "x" * 100_000
LONG_NAME = "x" * 300  # longer than a file name may be (ENAMETOOLONG)


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
        people.add(db, root, handle="sam", name="Sam", tags=["grief"], languages=["es"], tags_set_by_self=True)
        people.add(db, root, handle="kim", name="Kim")
        people.set_passphrase(db, root, "sam", SAM_SECRET)
        first = rota.add_shift(db, root, start=at("2026-11-24T09:00"), end=at("2026-11-24T13:00"))  # shift 1
        rota.add_series(  # series 1, shifts 2 to 10 (Mondays 17:00-21:00)
            db, root, rule="FREQ=WEEKLY;BYDAY=MO", start=at("2026-11-30T17:00"), end=at("2026-11-30T21:00"),
            until=parse_moment("2027-01-31T00:00", zone("UTC")).date(),
        )
        rota.assign(db, root, first.id, "sam")
        # For the later commands: a swap, goals, time off, a handoff note, and files to point them at.
        from datetime import date, time

        from warmline import availability, coverage, handoff, swaps
        from warmline.db import APPLICATION_ID, SCHEMA_VERSION
        from warmline.exchange.backup import backup

        people.set_passphrase(db, root, "kim", KIM_SECRET)
        rota.assign(db, root, 2, "sam")  # Mon 30 Nov 17:00
        rota.assign(db, root, 4, "kim")  # Mon 14 Dec 17:00
        swaps.propose(db, people.get(db.conn, "sam"), 2, 4, "kim")  # swap 1, proposed to kim
        coverage.add_goal(db, root, "grief", "daily", time(9), time(17))  # goal 1
        coverage.remove_goal(db, root, coverage.add_goal(db, root, "grief", "weekends", time(9), time(17)).id)  # goal 2
        availability.add_time_off(db, root, "sam", date(2026, 12, 24), date(2026, 12, 24))  # time off 1
        availability.add_time_off(db, root, "kim", date(2026, 12, 25), date(2026, 12, 26))  # time off 2
        handoff.write_note(db, root, 1, "Quiet morning; the 988 card is by the phone.")  # note 1, no readers yet
        files = path.parent
        backup(db, files / "existing.db")  # a sound backup (restore's source, backup's refused target)
        (files / "empty.csv").write_text("")
        (files / "no-handle.csv").write_text("foo,bar\n1,2\n")
        (files / "bad-rows.csv").write_text("handle,name,max_hours\nBad Handle,Bad,\ndee,Dee,lots\n")
        (files / "huge.csv").write_text("handle,name\nbob," + HUGE + "\n")
        (files / "good.csv").write_text("handle,name,tags\nzed,Zed,grief\n")
        (files / "sam.pub").write_text(  # a real public key (keys add's input), never added in the template
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIENpq1qsjI1qX1mCK8vofINXLLfOELCEd9xNc2xc4Fn7 sam@laptop\n"
        )
        (files / "bad-theme.toml").write_text('theme = "neon"\n')
        (files / "unknown-setting.toml").write_text('colour = "red"\n')
        foreign = sqlite3.connect(files / "foreign.db")
        foreign.execute("CREATE TABLE notes (body TEXT)")
        foreign.commit()
        foreign.close()
        newer = sqlite3.connect(files / "newer.db")
        newer.execute("CREATE TABLE line (id INTEGER PRIMARY KEY)")
        newer.execute(f"PRAGMA application_id={APPLICATION_ID}")
        newer.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
        newer.commit()
        newer.close()
        db.close()
    return path


@pytest.fixture
def db_path(template, tmp_path) -> Path:
    for side in template.parent.iterdir():
        shutil.copy(side, tmp_path / side.name)
    return tmp_path / "r.db"


AS_SAM = {"WARMLINE_AS": "sam", "WARMLINE_PASSPHRASE": SAM_SECRET}
AS_KIM = {"WARMLINE_AS": "kim", "WARMLINE_PASSPHRASE": KIM_SECRET}
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
    ("tags-accept-unknown", ["tags", "accept", "no-such-feeling"], AS_SAM),
    ("tags-accept-nothing-proposed", ["tags", "accept", "grief"], AS_SAM),
    ("tags-accept-language", ["tags", "accept", "es"], AS_SAM),
    ("tags-accept-huge", ["tags", "accept", HUGE], AS_SAM),
    ("tags-decline-unknown", ["tags", "decline", "no-such-feeling"], AS_SAM),
    ("tags-decline-nothing-proposed", ["tags", "decline", "grief"], AS_KIM),
    ("tags-history-unknown-person", ["tags", "history", "nobody"], {}),
    ("tags-history-bad-handle", ["tags", "history", "Bad Handle!"], {}),
    ("tags-history-someone-else", ["tags", "history", "kim"], AS_SAM),
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
    ("cover-withdraw-none-open", ["cover", "withdraw", "1"], AS_SAM),
    ("cover-withdraw-unknown-shift", ["cover", "withdraw", "999"], AS_SAM),
    ("cover-withdraw-word-shift", ["cover", "withdraw", "mine"], AS_SAM),
    ("cover-withdraw-unknown-person", ["cover", "withdraw", "1", "--person", "nobody"], {}),
    ("cover-withdraw-someone-elses", ["cover", "withdraw", "4", "--person", "kim"], AS_SAM),
    # check / audit / files
    ("audit-limit-word", ["audit", "--limit", "all"], {}),
    ("audit-limit-zero", ["audit", "--limit", "0"], {}),
    ("audit-as-volunteer", ["audit"], AS_SAM),
    ("check-bad-now", ["check"], BAD_NOW),
    ("db-huge-name", ["--db", "{dir}/" + LONG_NAME + ".db", "shifts"], {}),
    ("db-is-a-directory", ["--db", "{dir}", "shifts"], {}),
    # match, call log, busy, goals, coverage (issue "3 of 7")
    ("match-unknown-tag", ["match", "greif"], {}),
    ("match-huge-tag", ["match", HUGE], {}),
    ("match-control-tag", ["match", "gri\x1bef"], {}),
    ("match-bad-at", ["match", "grief", "--at", "noonish"], {}),
    ("match-unknown-language", ["match", "grief", "--language", "klingon"], {}),
    ("match-tag-as-language", ["match", "grief", "--language", "grief"], {}),
    ("match-unknown-prefer", ["match", "grief", "--prefer", "wizard"], {}),
    ("match-off-shift-volunteer", ["match", "grief"], AS_SAM),
    ("call-log-unknown-tag", ["call", "log", "greif"], {}),
    ("call-log-huge-tag", ["call", "log", HUGE], {}),
    ("call-log-control-tag", ["call", "log", "grief\x00"], {}),
    ("call-log-future", ["call", "log", "grief", "--at", "2026-11-24T10:00"], {}),
    ("call-log-bad-at", ["call", "log", "grief", "--at", "2026-11-23T25:00"], {}),
    ("call-log-taken-by-unknown", ["call", "log", "grief", "--at", "2026-11-23T07:00", "--taken-by", "nobody"], {}),
    ("call-log-taken-by-off-shift", ["call", "log", "grief", "--at", "2026-11-23T07:00", "--taken-by", "sam"], {}),
    ("call-log-off-shift-volunteer", ["call", "log", "grief"], AS_SAM),
    ("busy-bad-state", ["busy", "maybe"], {}),
    ("busy-off-shift", ["busy", "on"], {}),
    ("busy-off-shift-volunteer", ["busy", "off"], AS_SAM),
    ("goal-add-unknown-tag", ["goal", "add", "greif", "--days", "daily", "--from", "09:00", "--to", "17:00"], {}),
    ("goal-add-bad-days", ["goal", "add", "grief", "--days", "someday", "--from", "09:00", "--to", "17:00"], {}),
    ("goal-add-huge-days", ["goal", "add", "grief", "--days", HUGE, "--from", "09:00", "--to", "17:00"], {}),
    ("goal-add-bad-from", ["goal", "add", "grief", "--days", "daily", "--from", "9am", "--to", "17:00"], {}),
    ("goal-add-bad-to", ["goal", "add", "grief", "--days", "daily", "--from", "09:00", "--to", "24:30"], {}),
    ("goal-add-min-zero", ["goal", "add", "grief", "--days", "daily", "--from", "09:00", "--to", "17:00", "--min", "0"], {}),
    ("goal-add-min-word", ["goal", "add", "grief", "--days", "daily", "--from", "09:00", "--to", "17:00", "--min", "some"], {}),
    ("goal-add-min-huge", ["goal", "add", "grief", "--days", "daily", "--from", "09:00", "--to", "17:00", "--min", "9" * 25], {}),
    ("goal-add-as-volunteer", ["goal", "add", "grief", "--days", "daily", "--from", "09:00", "--to", "17:00"], AS_SAM),
    ("goal-list-as-unknown", ["--as", "nobody", "goal", "list"], {}),
    ("goal-remove-unknown", ["goal", "remove", "999"], {}),
    ("goal-remove-word", ["goal", "remove", "first"], {}),
    ("goal-remove-huge", ["goal", "remove", "9" * 25], {}),
    ("goal-remove-removed", ["goal", "remove", "2"], {}),
    ("goal-remove-as-volunteer", ["goal", "remove", "1"], AS_SAM),
    ("goal-edit-unknown", ["goal", "edit", "999", "--min", "2"], {}),
    ("goal-edit-removed", ["goal", "edit", "2", "--min", "2"], {}),
    ("goal-edit-word", ["goal", "edit", "first", "--min", "2"], {}),
    ("goal-edit-huge", ["goal", "edit", "9" * 25, "--min", "2"], {}),
    ("goal-edit-min-zero", ["goal", "edit", "1", "--min", "0"], {}),
    ("goal-edit-min-word", ["goal", "edit", "1", "--min", "some"], {}),
    ("goal-edit-bad-days", ["goal", "edit", "1", "--days", "someday"], {}),
    ("goal-edit-huge-days", ["goal", "edit", "1", "--days", HUGE], {}),
    ("goal-edit-bad-from", ["goal", "edit", "1", "--from", "9am"], {}),
    ("goal-edit-bad-to", ["goal", "edit", "1", "--to", "24:30"], {}),
    ("goal-edit-unknown-tag", ["goal", "edit", "1", "--tag", "greif"], {}),
    ("goal-edit-good-min-bad-days", ["goal", "edit", "1", "--min", "3", "--days", "someday"], {}),
    ("goal-edit-as-volunteer", ["goal", "edit", "1", "--min", "2"], AS_SAM),
    ("coverage-bad-from", ["coverage", "--from", "monday"], {}),
    ("coverage-to-before-from", ["coverage", "--from", "2026-11-30", "--to", "2026-11-01"], {}),
    ("coverage-too-long", ["coverage", "--from", "2026-01-01", "--to", "2036-01-01"], {}),
    ("coverage-as-volunteer", ["coverage"], AS_SAM),
    # availability, time off, swaps, line settings, load, auto-fill (issue "5 of 7")
    ("availability-set-bad-day", ["availability", "set", "XX", "17:00-21:00"], {}),
    ("availability-set-bad-range", ["availability", "set", "MO", "17:00-25:00"], {}),
    ("availability-set-no-range", ["availability", "set", "MO"], {}),
    ("availability-set-range-first", ["availability", "set", "17:00-21:00"], {}),
    ("availability-set-word-range", ["availability", "set", "MO", "evenings"], {}),
    ("availability-set-huge", ["availability", "set", "MO", HUGE], {}),
    ("availability-set-control", ["availability", "set", "MO\x1b[1m", "17:00-21:00"], {}),
    ("availability-set-unknown-person", ["availability", "set", "--person", "nobody", "MO", "17:00-21:00"], {}),
    ("availability-set-other-as-volunteer", ["availability", "set", "--person", "kim", "MO", "17:00-21:00"], AS_SAM),
    ("availability-clear-unknown-person", ["availability", "clear", "--person", "nobody"], {}),
    ("availability-clear-bad-handle", ["availability", "clear", "--person", "No Body"], {}),
    ("availability-clear-other-as-volunteer", ["availability", "clear", "--person", "kim"], AS_SAM),
    ("availability-list-unknown-person", ["availability", "list", "--person", "nobody"], {}),
    ("availability-list-all-as-volunteer", ["availability", "list", "--all"], AS_SAM),
    ("availability-list-other-as-volunteer", ["availability", "list", "--person", "kim"], AS_SAM),
    ("timeoff-add-bad-day", ["timeoff", "add", "christmas"], {}),
    ("timeoff-add-feb-30", ["timeoff", "add", "2027-02-30"], {}),
    ("timeoff-add-last-before-first", ["timeoff", "add", "2026-12-10", "2026-12-01"], {}),
    ("timeoff-add-huge", ["timeoff", "add", HUGE], {}),
    ("timeoff-add-control", ["timeoff", "add", "2026-12-01\x1b"], {}),
    ("timeoff-add-duplicate", ["timeoff", "add", "--person", "sam", "2026-12-24"], {}),
    ("timeoff-add-unknown-person", ["timeoff", "add", "--person", "nobody", "2026-12-01"], {}),
    ("timeoff-add-other-as-volunteer", ["timeoff", "add", "--person", "kim", "2026-12-01"], AS_SAM),
    ("timeoff-list-unknown-person", ["timeoff", "list", "--person", "nobody"], {}),
    ("timeoff-list-other-as-volunteer", ["timeoff", "list", "--person", "kim"], AS_SAM),
    ("timeoff-remove-unknown", ["timeoff", "remove", "999"], {}),
    ("timeoff-remove-word", ["timeoff", "remove", "all"], {}),
    ("timeoff-remove-huge", ["timeoff", "remove", "9" * 25], {}),
    ("timeoff-remove-other-as-volunteer", ["timeoff", "remove", "2"], AS_SAM),
    ("swap-options-unknown-shift", ["swap", "options", "999"], AS_SAM),
    ("swap-options-not-mine", ["swap", "options", "3"], AS_SAM),
    ("swap-options-word", ["swap", "options", "mine"], AS_SAM),
    ("swap-propose-unknown-handle", ["swap", "propose", "2", "4", "nobody"], AS_SAM),
    ("swap-propose-bad-handle", ["swap", "propose", "2", "4", "Kim K"], AS_SAM),
    ("swap-propose-self", ["swap", "propose", "2", "1", "sam"], AS_SAM),
    ("swap-propose-same-shift", ["swap", "propose", "2", "2", "kim"], AS_SAM),
    ("swap-propose-word", ["swap", "propose", "mine", "4", "kim"], AS_SAM),
    ("swap-propose-huge", ["swap", "propose", "2", "9" * 25, "kim"], AS_SAM),
    ("swap-propose-unknown-shift", ["swap", "propose", "2", "999", "kim"], AS_SAM),
    ("swap-propose-not-mine", ["swap", "propose", "3", "4", "kim"], AS_SAM),
    ("swap-propose-again", ["swap", "propose", "2", "4", "kim"], AS_SAM),
    ("swap-accept-unknown", ["swap", "accept", "999"], AS_KIM),
    ("swap-accept-word", ["swap", "accept", "yes"], AS_KIM),
    ("swap-accept-not-offered", ["swap", "accept", "1"], AS_SAM),
    ("swap-decline-huge", ["swap", "decline", "9" * 25], AS_KIM),
    ("swap-decline-not-offered", ["swap", "decline", "1"], AS_SAM),
    ("swap-withdraw-not-proposer", ["swap", "withdraw", "1"], AS_KIM),
    ("swap-withdraw-unknown", ["swap", "withdraw", "999"], AS_SAM),
    ("swap-approve-proposed", ["swap", "approve", "1"], {}),
    ("swap-approve-as-volunteer", ["swap", "approve", "1"], AS_KIM),
    ("swap-refuse-unknown", ["swap", "refuse", "999"], {}),
    ("swap-refuse-as-volunteer", ["swap", "refuse", "1"], AS_KIM),
    ("swap-list-as-unknown", ["--as", "nobody", "swap", "list"], {}),
    ("line-set-bad-choice", ["line", "set", "--swaps-need-approval", "maybe"], {}),
    ("line-set-as-volunteer", ["line", "set", "--swaps-need-approval", "yes"], AS_SAM),
    ("line-set-empty-name", ["line", "set", "--name", ""], {}),
    ("line-set-blank-name", ["line", "set", "--name", "   "], {}),
    ("line-set-control-name", ["line", "set", "--name", "Line\x1b[2J"], {}),
    ("line-set-huge-name", ["line", "set", "--name", HUGE], {}),
    ("line-set-empty-escalation", ["line", "set", "--escalation", ""], {}),
    ("line-set-bidi-escalation", ["line", "set", "--escalation", "Call \u202e886"], {}),
    ("line-set-long-escalation", ["line", "set", "--escalation", "x" * 201], {}),
    ("line-set-negative-cutoff", ["line", "set", "--drop-cutoff", "-1"], {}),
    ("line-set-long-cutoff", ["line", "set", "--drop-cutoff", "673"], {}),
    ("line-set-huge-cutoff", ["line", "set", "--drop-cutoff", "9" * 25], {}),
    ("line-set-word-cutoff", ["line", "set", "--drop-cutoff", "two days"], {}),
    ("line-set-fraction-cutoff", ["line", "set", "--drop-cutoff", "1.5"], {}),
    ("line-set-good-name-bad-cutoff", ["line", "set", "--name", "Fine Line", "--drop-cutoff", "999"], {}),
    ("line-set-name-as-volunteer", ["line", "set", "--name", "Sam's Line"], AS_SAM),
    ("line-set-escalation-as-volunteer", ["line", "set", "--escalation", "Call me"], AS_KIM),
    ("load-bad-from", ["load", "--from", "last week"], {}),
    ("load-to-before-from", ["load", "--from", "2026-11-30", "--to", "2026-11-01"], {}),
    ("load-bad-now", ["load"], BAD_NOW),
    ("autofill-bad-from", ["autofill", "--from", "soon"], {}),
    ("autofill-to-before-from", ["autofill", "--from", "2026-11-30", "--to", "2026-11-01"], {}),
    ("autofill-bad-engine", ["autofill", "--engine", "magic"], {}),
    ("autofill-time-limit-zero", ["autofill", "--time-limit", "0"], {}),
    ("autofill-time-limit-word", ["autofill", "--time-limit", "long"], {}),
    ("autofill-time-limit-nan", ["autofill", "--time-limit", "nan"], {}),
    ("autofill-as-volunteer", ["autofill", "--apply"], AS_SAM),
    # handoffs and notifications (issue "4 of 7")
    ("handoff-write-unknown-shift", ["handoff", "write", "999", "--note", "All fine."], {}),
    ("handoff-write-word-shift", ["handoff", "write", "last", "--note", "All fine."], {}),
    ("handoff-write-huge-shift", ["handoff", "write", "9" * 25, "--note", "All fine."], {}),
    ("handoff-write-phone", ["handoff", "write", "1", "--note", "Ring them back on (555) 123-4567"], {}),
    ("handoff-write-email", ["handoff", "write", "1", "--note", "write to pat at example dot com"], {}),
    ("handoff-write-huge-note", ["handoff", "write", "1", "--note", HUGE], {}),
    ("handoff-write-control-note", ["handoff", "write", "1", "--note", "a\x1b[2Jb"], {}),
    ("handoff-write-empty-note", ["handoff", "write", "1", "--note", "  "], {}),
    ("handoff-write-not-started", ["handoff", "write", "1", "--note", "All fine."], AS_SAM),
    ("handoff-write-not-on-shift", ["handoff", "write", "1", "--note", "All fine."], AS_KIM),
    ("handoff-list-as-unknown", ["--as", "nobody", "handoff", "list"], {}),
    ("handoff-ack-unknown", ["handoff", "ack", "999"], AS_SAM),
    ("handoff-ack-word", ["handoff", "ack", "first"], AS_SAM),
    ("handoff-ack-huge", ["handoff", "ack", "9" * 25], AS_SAM),
    ("handoff-ack-not-reader", ["handoff", "ack", "1"], {}),
    ("handoff-ack-stranger", ["handoff", "ack", "1"], AS_SAM),
    ("notify-interval-zero", ["notify", "--daemon", "--interval", "0"], {}),
    ("notify-interval-word", ["notify", "--daemon", "--interval", "often"], {}),
    ("notify-once-bad-now", ["notify", "--once"], BAD_NOW),
    ("notify-once-as-unknown", ["--as", "nobody", "notify", "--once"], {}),
    ("notify-settings-channel", ["notify", "settings", "--channels", "pigeon"], {}),
    ("notify-settings-huge-channels", ["notify", "settings", "--channels", HUGE], {}),
    ("notify-settings-lead-negative", ["notify", "settings", "--lead", "-5"], {}),
    ("notify-settings-lead-huge", ["notify", "settings", "--lead", "99999"], {}),
    ("notify-settings-lead-word", ["notify", "settings", "--lead", "soon"], {}),
    ("notify-settings-too-many-leads", ["notify", "settings", "--lead", "1,2,3,4,5,6"], {}),
    ("notify-settings-quiet-half", ["notify", "settings", "--quiet", "22:00"], {}),
    ("notify-settings-quiet-bad", ["notify", "settings", "--quiet", "25:00-07:00"], {}),
    ("notify-settings-unknown-person", ["notify", "settings", "--person", "nobody", "--lead", "30"], {}),
    ("notify-settings-other-as-volunteer", ["notify", "settings", "--person", "kim", "--lead", "30"], AS_SAM),
    ("notify-settings-show-other-as-volunteer", ["notify", "settings", "--person", "kim"], AS_SAM),
    ("notify-list-unknown-person", ["notify", "list", "--person", "nobody"], {}),
    ("notify-list-other-as-volunteer", ["notify", "list", "--person", "kim"], AS_SAM),
    # exports, import, backup, restore, serve, config, demo (issue "6 of 7")
    ("export-ics-unknown-person", ["export", "ics", "--person", "nobody"], {}),
    ("export-ics-missing-dir", ["export", "ics", "-o", "{dir}/missing/me.ics"], {}),
    ("export-ics-to-a-directory", ["export", "ics", "-o", "{dir}"], {}),
    ("export-ics-huge-name", ["export", "ics", "-o", "{dir}/" + LONG_NAME + ".ics"], {}),
    ("export-ics-empty-output", ["export", "ics", "-o", ""], {}),
    ("export-ics-dir-is-a-file", ["export", "ics", "--dir", "{dir}/r.db"], {}),
    ("export-ics-dir-huge-name", ["export", "ics", "--dir", "{dir}/" + LONG_NAME], {}),
    ("export-ics-empty-dir", ["export", "ics", "--dir", ""], {}),
    ("export-ics-other-as-volunteer", ["export", "ics", "--person", "kim", "-o", "{dir}/kim.ics"], AS_SAM),
    ("export-ics-dir-as-volunteer", ["export", "ics", "--dir", "{dir}/feeds"], AS_SAM),
    ("export-csv-bad-kind", ["export", "csv", "people"], {}),
    ("export-csv-bad-from", ["export", "csv", "rota", "--from", "2026-13-01", "-o", "{dir}/rota.csv"], {}),
    ("export-csv-to-before-from", ["export", "csv", "hours", "--from", "2026-11-30", "--to", "2026-11-01"], {}),
    ("export-csv-huge-from", ["export", "csv", "hours", "--from", HUGE], {}),
    ("export-csv-missing-dir", ["export", "csv", "hours", "-o", "{dir}/missing/hours.csv"], {}),
    ("export-csv-to-a-directory", ["export", "csv", "rota", "-o", "{dir}"], {}),
    ("export-csv-huge-name", ["export", "csv", "rota", "-o", "{dir}/" + LONG_NAME + ".csv"], {}),
    ("export-csv-empty-output", ["export", "csv", "hours", "-o", ""], {}),
    ("import-missing-file", ["import", "people", "{dir}/missing.csv"], {}),
    ("import-a-directory", ["import", "people", "{dir}"], {}),
    ("import-binary", ["import", "people", "{dir}/r.db"], {}),
    ("import-empty", ["import", "people", "{dir}/empty.csv"], {}),
    ("import-no-handle-column", ["import", "people", "{dir}/no-handle.csv"], {}),
    ("import-bad-rows", ["import", "people", "{dir}/bad-rows.csv"], {}),
    ("import-bad-rows-dry-run", ["import", "people", "{dir}/bad-rows.csv", "--dry-run"], {}),
    ("import-huge-cell", ["import", "people", "{dir}/huge.csv"], {}),
    ("import-huge-name", ["import", "people", "{dir}/" + LONG_NAME + ".csv"], {}),
    ("import-as-volunteer", ["import", "people", "{dir}/good.csv"], AS_SAM),
    ("backup-missing-dir", ["backup", "{dir}/missing/b.db"], {}),
    ("backup-existing-file", ["backup", "{dir}/existing.db"], {}),
    ("backup-huge-name", ["backup", "{dir}/" + LONG_NAME + ".db"], {}),
    ("backup-empty-dest", ["backup", ""], {}),
    ("restore-missing", ["restore", "{dir}/missing.db"], {}),
    ("restore-not-sqlite", ["restore", "{dir}/no-handle.csv"], {}),
    ("restore-empty-file", ["restore", "{dir}/empty.csv"], {}),
    ("restore-foreign", ["restore", "{dir}/foreign.db"], {}),
    ("restore-newer", ["restore", "{dir}/newer.db"], {}),
    ("restore-itself", ["restore", "{dir}/r.db"], {}),
    ("restore-a-directory", ["restore", "{dir}"], {}),
    ("restore-huge-name", ["restore", "{dir}/" + LONG_NAME + ".db"], {}),
    ("restore-as-volunteer", ["restore", "{dir}/existing.db"], AS_SAM),
    # replication and push (issue 14)
    ("restore-from-empty-replica", ["restore", "--from-replica", "{dir}/no-replica-here"], {}),
    ("restore-replica-bad-at", ["restore", "--from-replica", "{dir}/no-replica-here", "--at", "soon"], {}),
    ("replicate-bad-interval", ["replicate", "{dir}/replica", "--sync-interval", "soon"], {}),
    ("replicate-empty-dest", ["replicate", ""], {}),
    ("notify-settings-push-unknown-service", ["notify", "settings", "--push", "zzzz://host/token"], {}),
    ("notify-settings-push-for-someone-else", ["notify", "settings", "--person", "kim", "--push", "json://127.0.0.1:9/t"], {}),
    ("notify-push-all-as-volunteer", ["notify", "--once", "--push-all"], AS_SAM),
    ("serve-public-host", ["serve", "--host", "0.0.0.0", "--port", "8765"], {}),
    ("serve-ipv6-any", ["serve", "--host", "::", "--port", "8765"], {}),
    ("serve-name-host", ["serve", "--host", "rota.example.org", "--port", "8765"], {}),
    ("serve-empty-host", ["serve", "--host", "", "--port", "8765"], {}),
    ("serve-port-zero", ["serve", "--port", "0"], {}),
    ("serve-port-huge", ["serve", "--port", "70000"], {}),
    ("serve-port-word", ["serve", "--port", "http"], {}),
    ("serve-bad-public-url", ["serve", "--host", "0.0.0.0", "--public", "--public-url", "ftp://rota.example.org", "--port", "8765"], {}),
    ("serve-local-bad-public-url", ["serve", "--public-url", "rota.example.org", "--port", "8765"], {}),
    ("config-show-missing", ["config", "show"], {"WARMLINE_CONFIG": "{dir}/missing.toml"}),
    ("config-show-not-toml", ["config", "show"], {"WARMLINE_CONFIG": "{dir}/no-handle.csv"}),
    ("config-show-bad-theme", ["config", "show"], {"WARMLINE_CONFIG": "{dir}/bad-theme.toml"}),
    ("config-show-unknown-setting", ["config", "show"], {"WARMLINE_CONFIG": "{dir}/unknown-setting.toml"}),
    ("config-show-a-directory", ["config", "show"], {"WARMLINE_CONFIG": "{dir}"}),
    ("demo-people-negative", ["demo", "--no-tui", "--people", "-1"], {}),
    ("demo-people-word", ["demo", "--no-tui", "--people", "many"], {}),
    ("demo-weeks-zero", ["demo", "--no-tui", "--weeks", "0"], {}),
    ("demo-weeks-huge", ["demo", "--no-tui", "--weeks", "99999"], {}),
    ("demo-seed-word", ["demo", "--no-tui", "--seed", "x"], {}),
    # debriefs, me export, people forget (issue 16)
    ("debrief-request-off-shift", ["debrief", "request"], {}),
    ("debrief-request-off-shift-as-volunteer", ["debrief", "request", "--share"], AS_SAM),
    ("debrief-accept-unknown", ["debrief", "accept", "99"], {}),
    ("debrief-list-as-unknown", ["--as", "nobody", "debrief", "list"], {}),
    ("debrief-stats-as-volunteer", ["debrief", "stats"], AS_SAM),
    ("debrief-stats-bad-from", ["debrief", "stats", "--from", "soon"], {}),
    ("debrief-stats-backwards", ["debrief", "stats", "--from", "2026-12-01", "--to", "2026-11-01"], {}),
    ("me-export-empty-output", ["me", "export", "-o", ""], {}),
    ("me-export-to-a-directory", ["me", "export", "-o", "{dir}"], {}),
    ("me-export-missing-directory", ["me", "export", "-o", "{dir}/no-such-dir/me.json"], {}),
    ("forget-active", ["people", "forget", "kim", "--yes"], {}),
    ("forget-unconfirmed", ["people", "forget", "kim"], {}),
    ("forget-bad-handle", ["people", "forget", "Kim K", "--yes"], {}),
    ("forget-unknown", ["people", "forget", "nobody", "--yes"], {}),
    ("forget-as-volunteer", ["people", "forget", "kim", "--yes"], AS_SAM),
    # triads (issue 16)
    ("triad-form-bad-from", ["triad", "form", "--from", "2026-02-30"], {}),
    ("triad-form-as-volunteer", ["triad", "form", "--apply"], AS_SAM),
    ("triad-join-as-unknown", ["--as", "nobody", "triad", "join"], {}),
    ("triad-join-wrong-passphrase", ["triad", "join"], {"WARMLINE_AS": "sam", "WARMLINE_PASSPHRASE": "wrong"}),
    ("triad-leave-as-unknown", ["--as", "nobody", "triad", "leave"], {}),
    ("triad-list-as-unknown", ["--as", "nobody", "triad", "list"], {}),
    ("triad-swap-turn-not-in-a-triad", ["triad", "swap-turn", "kim"], AS_SAM),
    ("triad-swap-turn-bad-handle", ["triad", "swap-turn", "Kim K"], AS_SAM),
    # SSH keys, warmline ssh, notify pull/confirm (issue 14)
    ("keys-add-not-a-key", ["keys", "add", "sam", "{dir}/good.csv", "--authorized-keys", "{dir}/authorized_keys"], {}),
    ("keys-add-missing-file", ["keys", "add", "sam", "{dir}/missing.pub", "--authorized-keys", "{dir}/authorized_keys"], {}),
    ("keys-add-unknown-person", ["keys", "add", "nobody", "{dir}/sam.pub", "--authorized-keys", "{dir}/authorized_keys"], {}),
    ("keys-add-someone-elses-as-volunteer", ["keys", "add", "kim", "{dir}/sam.pub", "--authorized-keys", "{dir}/authorized_keys"],
     AS_SAM),
    ("keys-list-as-unknown", ["--as", "nobody", "keys", "list"], {}),
    ("keys-remove-bad-fingerprint", ["keys", "remove", "sam", "not-a-fingerprint"], {}),
    ("keys-remove-unknown-key", ["keys", "remove", "sam", "SHA256:" + "A" * 43], {}),
    # `warmline ssh` ignores WARMLINE_DB and WARMLINE_AS: the forced command names the rota with --db
    ("ssh-unknown-handle", ["--db", "{dir}/r.db", "ssh", "nobody", "--key", "SHA256:" + "A" * 43],
     {"SSH_ORIGINAL_COMMAND": "notify pull --json"}),
    ("ssh-key-not-theirs", ["--db", "{dir}/r.db", "ssh", "sam", "--key", "SHA256:" + "A" * 43],
     {"SSH_ORIGINAL_COMMAND": "notify pull --json"}),
    ("ssh-no-terminal-for-the-app", ["--db", "{dir}/r.db", "ssh", "sam", "--key", "SHA256:" + "A" * 43], {}),
    ("notify-pull-as-unknown", ["--as", "nobody", "notify", "pull", "--json"], {}),
    ("notify-confirm-word", ["notify", "confirm", "twelve"], AS_SAM),
    ("notify-confirm-negative-id", ["notify", "confirm", "--", "-3"], AS_SAM),
    # reports and the reporting copy (issue 17)
    ("report-bad-from", ["report", "--from", "2026-13-01", "--to", "2026-12-31"], {}),
    ("report-backwards", ["report", "--from", "2026-12-01", "--to", "2026-11-01"], {}),
    ("report-html-missing-dir", ["report", "--from", "2026-11-01", "--to", "2026-11-30", "--html", "{dir}/missing/r.html"], {}),
    ("report-as-volunteer", ["report", "--from", "2026-11-01", "--to", "2026-11-30"], AS_SAM),
    ("export-sqlite-existing-file", ["export", "sqlite", "{dir}/existing.db"], {}),
    ("export-sqlite-missing-dir", ["export", "sqlite", "{dir}/missing/copy.db"], {}),
    ("export-sqlite-to-a-directory", ["export", "sqlite", "{dir}"], {}),
    ("export-sqlite-as-volunteer", ["export", "sqlite", "{dir}/copy.db"], AS_KIM),
]


def params(cases):
    return [pytest.param(c[1], c[2], id=c[0], marks=c[3:]) for c in cases]


def check_refused(before: list[str], after: list[str], code, out: str, err: str, env: dict, args=()) -> None:
    assert code == 1, (code, out[-500:], err[-2000:])
    lines = err.splitlines()
    if args and args[0] == "import":
        # An import lists each bad row first (README: "Importing people from a spreadsheet").
        rows = [line for line in lines[:-1] if line.startswith("row ")]
        assert rows == lines[:-1], err[-2000:]
        assert all(len(line) < 600 for line in rows)
        lines = lines[-1:]
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
    if "ssh" in args[:3] and env.get("SSH_ORIGINAL_COMMAND"):
        # A key refused at sign-in is audited with its fingerprint (keys.key_signin), once.
        refused = [line for line in after if ",'signin.key.refused'," in line]
        assert len(refused) == 1, after[-5:]
        after = [line for line in after if line not in refused]
    if env.get("WARMLINE_PASSPHRASE") in (SAM_SECRET, KIM_SECRET):
        after = without_signins(after)
    assert after == before


def files_in(folder: Path) -> set[str]:
    """Every file and directory under `folder` (the rota's -wal and -shm come and go with connections)."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*")} - {"r.db-wal", "r.db-shm"}


def placed(values, folder: Path):
    """Put the test's directory where a case says {dir}."""
    if isinstance(values, dict):
        return {k: v.replace("{dir}", str(folder)) for k, v in values.items()}
    return [a.replace("{dir}", str(folder)) for a in values]


@pytest.mark.fast_tier_sample(25)
@pytest.mark.parametrize(("args", "env"), params(CASES))
def test_bad_input_exits_1_with_one_error_line_and_changes_nothing(db_path, monkeypatch, capsys, args, env):
    folder = db_path.parent
    monkeypatch.chdir(folder)  # a relative output (or "" taken as ".") would land here, and be seen
    args, env = placed(args, folder), placed(env, folder)
    before, files = dump(db_path), files_in(folder)
    code, out, err = invoke(monkeypatch, capsys, db_path, args, env)
    check_refused(before, dump(db_path), code, out, err, env, args)
    assert files_in(folder) == files, "a refused command left a file behind (or took one away)"


SAMPLE = {
    "init-unknown-zone", "add-unknown-tag", "add-max-hours-word", "add-control-handle", "edit-raise-own-limit",
    "add-end-before-start", "assign-huge-shift", "claim-wrong-passphrase",
    "export-ics-huge-name", "import-bad-rows", "backup-existing-file", "demo-weeks-zero",
}


@pytest.mark.fast_tier_sample(12)
@pytest.mark.parametrize(("args", "env"), params([c for c in CASES if c[0] in SAMPLE]))
def test_bad_input_as_a_real_process(db_path, args, env):
    folder = db_path.parent
    args, env = placed(args, folder), placed(env, folder)
    before, files = dump(db_path), files_in(folder)
    done = run(db_path, args, env)
    check_refused(before, dump(db_path), done.returncode, done.stdout, done.stderr, env, args)
    assert files_in(folder) == files


def test_case_ids_are_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))
    assert SAMPLE <= set(ids)


# Commands that take no input a person could get wrong, with the reason (everything else needs cases).
NO_INPUT = {
    ("config", "path"): "reads nothing: prints where the settings file is ($WARMLINE_CONFIG or the default)",
}


def invokable_commands(group=None, prefix=()):
    """Every command a person can run: each leaf, and each group that acts on its own (`notify --once`)."""
    import click

    from warmline.cli import cli

    group = cli if group is None else group
    for name, command in group.commands.items():
        path = (*prefix, name)
        if isinstance(command, click.Group):
            if command.invoke_without_command:
                yield path
            yield from invokable_commands(command, path)
        else:
            yield path


def command_of(args: list[str]) -> tuple[str, ...]:
    """The command path a case runs, found the way click finds it (global options first)."""
    import click

    from warmline.cli import cli

    words = list(args)
    while words and words[0] in ("--as", "--db"):
        words = words[2:]
    group, path = cli, ()
    for word in words:
        command = group.commands.get(word) if isinstance(group, click.Group) else None
        if command is None:
            if word.startswith("-"):
                continue  # an option of a group that acts on its own (`notify --once`)
            break
        group, path = command, (*path, word)
    return path


def test_every_command_has_bad_input_cases():
    """Walks the whole click tree: a command added without bad-input cases fails here, by name."""
    everything = set(invokable_commands())
    assert ("init",) in everything and ("notify",) in everything
    assert set(NO_INPUT) <= everything, "NO_INPUT names a command that no longer exists"
    tested = {command_of(args) for _, args, *_ in CASES}
    missing = sorted(" ".join(c) for c in everything - tested - set(NO_INPUT))
    assert missing == [], f"commands with no bad-input case: {', '.join(missing)}"


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
        ["line", "set"],
        ["goal", "edit", "1"],
    ],
    ids=["missing-option", "missing-tz", "missing-argument", "exclusive-options", "until-without-rrule",
         "unknown-command", "unknown-option", "line-set-nothing", "goal-edit-nothing"],
)
def test_usage_errors_exit_2_and_change_nothing(db_path, monkeypatch, capsys, args):
    before = dump(db_path)
    code, out, err = invoke(monkeypatch, capsys, db_path, args)
    assert code == 2, (code, err)
    assert "Usage: warmline" in err
    assert dump(db_path) == before
