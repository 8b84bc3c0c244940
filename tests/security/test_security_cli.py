"""Security of the whole command line, on real `warmline` processes.

One line is built once for the module through the CLI itself: `warmline init` makes the
OS user its coordinator; volunteers come from `warmline import people` and get
passphrases with `WARMLINE_NEW_PASSPHRASE=... warmline people passphrase`; they act with
`--as HANDLE` and `WARMLINE_PASSPHRASE`. Each test works on its own copy of that file.

- The permission matrix: every command a volunteer may not run (or not for someone
  else) is refused with exit 1, one `error:` line saying why, and no change to the file
  (the volunteer's own sign-in row in the audit log aside) and no file written; the
  same command is allowed to whoever may run it (for the rota core's commands the
  coordinator's side is tests/unit/test_permissions.py). A guard walks the click tree
  and names any command that is neither in the matrix nor listed as open to volunteers.
- Sign-in: 5 wrong passphrases lock a handle for 30 s; passphrases are stored as scrypt
  hashes with a salt per person, and no passphrase used here appears in the database,
  its -wal, the audit log, or anything any command in this module printed.
- The audit log is append-only, also for a raw sqlite3 connection on the file.
- Lived-experience tags (every id, label and alias the volunteers hold, offered or
  paused) appear in no notification (all seven kinds are generated), no export, no audit
  row and no error message; matches are the one place they show, and only to people on
  shift and coordinators.
"""

from __future__ import annotations

import base64
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest

NOW = "2026-11-23T08:00:00-05:00"  # Monday; shift 1 (07:00-11:00) is on, with sam and kim
COORD = "coord"  # stands for the OS user, the coordinator `warmline init` made
# For the rota core's commands a coordinator's side is tests/unit/test_permissions.py (in the core).
CORE = None
PASSPHRASES = {"sam": "sam-harbor-7731-lantern", "kim": "kim-quay-4410-compass", "lee": "lee-tide-9902-anchor"}
WRONG = "not-the-right-one-5519"
ANOTHER = "fresh-passphrase-2207-beacon"
SECRETS = (*PASSPHRASES.values(), WRONG, ANOTHER)
WORKERS = max(2, min(8, (os.cpu_count() or 2) * 2))

# kim's SSH public key (keys add): an ed25519 key's line as ssh-keygen writes it.
KIM_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIENpq1qsjI1qX1mCK8vofINXLLfOELCEd9xNc2xc4Fn7 kim@laptop\n"
PEOPLE_CSV = (
    "handle,name,languages,tags,paused_tags\n"
    "sam,Sam Ruiz,es,grief|housing insecurity,hearing voices\n"
    "kim,Kim Park,en,leaving detox|domestic abuse survived,veteran\n"
    "lee,Lee Chan,,self-harm,eating distress\n"
)
MORE_CSV = "handle,name,tags\nzed,Zed Ortiz,\n"
NOTE = "Quiet morning; the 988 card is by the phone."

# Every command this module ran: (argv, stdout, stderr). Searched for passphrases at the end.
OUTPUTS: list[tuple[tuple[str, ...], str, str]] = []


# ---------------------------------------------------------------- running warmline on a copy of the line


class Line:
    """One rota directory; `run(who, *args)` runs warmline as the OS user (COORD) or --as a volunteer."""

    def __init__(self, folder: Path) -> None:
        from conftest import CliRunner

        self.folder = folder
        self.cli = CliRunner(folder)
        self.db = self.cli.db

    def run(self, who: str, *args: str, now: str | None = None, env: dict | None = None):
        extra = dict(env or {})
        if now:
            extra["WARMLINE_NOW"] = now
        argv = [a.replace("{dir}", str(self.folder)) for a in args]
        if who != COORD:
            argv = ["--as", who, *argv]
            extra.setdefault("WARMLINE_PASSPHRASE", PASSPHRASES[who])
        done = self.cli(*argv, env=extra)
        OUTPUTS.append((tuple(argv), done.stdout, done.stderr))
        return done

    def ok(self, who: str, *args: str, **kwargs):
        done = self.run(who, *args, **kwargs)
        assert done.returncode == 0, f"{who}: {args}: {done.stderr}"
        return done

    def copy(self, folder: Path) -> Line:
        for item in self.folder.iterdir():
            if item.is_file():
                shutil.copy2(item, folder / item.name)
        return Line(folder)

    def to_the_real_present(self) -> None:
        """Move shift 1 (sam, kim) around the real present and shift 2 (lee) just after it.

        Whether a volunteer is on shift now is decided by the real clock, never WARMLINE_NOW:
        the commands that depend on it run on a copy moved so, without WARMLINE_NOW.
        """
        from datetime import datetime, timedelta, timezone
        from zoneinfo import ZoneInfo

        zone = ZoneInfo("America/New_York")
        present = datetime.now(timezone.utc).replace(second=0, microsecond=0)
        spans = {1: (present - timedelta(hours=1), present + timedelta(hours=3)),
                 2: (present + timedelta(hours=3), present + timedelta(hours=7))}
        conn = sqlite3.connect(self.db)
        try:
            with conn:
                for sid, (start, end) in spans.items():
                    conn.execute(
                        "UPDATE shift SET start_utc = ?, end_utc = ?, start_local = ?, end_local = ? WHERE id = ?",
                        (f"{start:%Y-%m-%dT%H:%M:%S}Z", f"{end:%Y-%m-%dT%H:%M:%S}Z",
                         start.astimezone(zone).isoformat(), end.astimezone(zone).isoformat(), sid),
                    )
        finally:
            conn.close()

    def dump(self) -> list[str]:
        conn = sqlite3.connect(self.db)
        try:
            return list(conn.iterdump())
        finally:
            conn.close()

    def files(self) -> set[str]:
        return {str(p.relative_to(self.folder)) for p in self.folder.rglob("*")} - {"cli.db-wal", "cli.db-shm"}

    def query(self, sql: str, *params) -> list[tuple]:
        conn = sqlite3.connect(self.db)
        try:
            return [tuple(r) for r in conn.execute(sql, params)]
        finally:
            conn.close()


def settled(before: list[str], after: list[str]) -> list[str]:
    """`after` without the audit rows of sign-ins made since `before` (a volunteer's command signs in first)."""
    earlier = set(before)
    return [
        line for line in after
        if line in earlier or not (line.startswith('INSERT INTO "audit"') and ",'signin'," in line)
    ]


def at(text: str):
    from warmline.recurrence import zone
    from warmline.times import parse_moment

    return parse_moment(text, zone("America/New_York"))


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Line:
    """The line every test copies, built once.

    The people and their passphrases come through the CLI (`init`, `import people`,
    `people passphrase`); the rota around them is built in the core, in this process,
    which is quicker than twenty more processes and is not what these tests are about.
    """
    from datetime import date, time

    from warmline import availability, calls, coverage, handoff, people, rota, swaps
    from warmline.access import os_user
    from warmline.db import open_db
    from warmline.exchange.backup import backup

    line = Line(tmp_path_factory.mktemp("security-world"))
    (line.folder / "people.csv").write_text(PEOPLE_CSV)
    (line.folder / "more.csv").write_text(MORE_CSV)
    (line.folder / "kim.pub").write_text(KIM_KEY)
    made = json.loads(line.ok(COORD, "init", "--name", "Harbor Peer Warmline", "--tz", "America/New_York", "--json").stdout)
    assert made["login"] == os_user()
    line.ok(COORD, "import", "people", "{dir}/people.csv")
    for handle, secret in PASSPHRASES.items():
        line.ok(COORD, "people", "passphrase", handle, env={"WARMLINE_NEW_PASSPHRASE": secret})

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WARMLINE_NOW", NOW)
        from warmline import clock

        mp.setattr(clock, "real_now", clock.now)  # in this process only: sam writes and logs "on shift" at NOW
        db = open_db(line.db)
        try:
            coord = people.get(db.conn, made["coordinator"])
            sam, kim = people.get(db.conn, "sam"), people.get(db.conn, "kim")
            for start, end in (
                ("2026-11-23T07:00", "2026-11-23T11:00"),  # 1: on now: sam, kim (backup)
                ("2026-11-23T11:00", "2026-11-23T15:00"),  # 2: next: lee (reads sam's handoff note)
                ("2026-11-30T09:00", "2026-11-30T13:00"),  # 3: sam (offered to kim in swap 1)
                ("2026-12-01T09:00", "2026-12-01T13:00"),  # 4: kim
                ("2026-12-02T09:00", "2026-12-02T13:00"),  # 5: open
                ("2026-11-24T09:00", "2026-11-24T13:00"),  # 6: lee
                ("2026-11-25T09:00", "2026-11-25T13:00"),  # 7: kim
            ):
                rota.add_shift(db, coord, start=at(start), end=at(end))
            rota.add_series(db, coord, rule="FREQ=WEEKLY;BYDAY=MO", start=at("2026-12-07T18:00"),
                            end=at("2026-12-07T22:00"), until=date(2026, 12, 28))  # series 1
            for shift_id, handle, role in ((1, "sam", "peer"), (1, "kim", "backup"), (2, "lee", "peer"), (3, "sam", "peer"),
                                           (4, "kim", "peer"), (6, "lee", "peer"), (7, "kim", "peer")):
                rota.assign(db, coord, shift_id, handle, role=role)
            coverage.add_goal(db, coord, "grief", "daily", time(9), time(17))  # goal 1
            handoff.write_note(db, sam, 1, NOTE)  # note 1, for lee
            swaps.propose(db, sam, 3, 4, "kim")  # swap 1
            availability.add_time_off(db, sam, None, date(2026, 12, 24), date(2026, 12, 24))  # time off 1
            availability.add_time_off(db, kim, None, date(2026, 12, 25), date(2026, 12, 25))  # time off 2
            calls.log_call(db, sam, ["grief"])
            backup(db, line.folder / "backup.db")
        finally:
            db.close()
    assert not Path(f"{line.db}-wal").exists()
    return line


@pytest.fixture
def line(world, tmp_path) -> Line:
    return world.copy(tmp_path)


# ---------------------------------------------------------------- the permission matrix


@dataclass(frozen=True)
class Case:
    name: str
    who: str  # the volunteer who is refused
    args: tuple[str, ...]
    refusal: str  # in the one error line
    allowed: str | None  # who may run the same command (None: nobody in this set-up; see other tests)
    env: dict = field(default_factory=dict)
    present: bool = False  # on shift now or not: run at the real present (`Line.to_the_real_present`)


MATRIX = [
    Case("tags history, someone else", "sam", ("tags", "history", "kim"),
         "only kim and coordinators may read kim's consent history; sam may read their own", COORD),
    Case("tags add", "sam", ("tags", "add", "gambling-recovery", "--label", "gambling recovery", "--family", "experience"),
         "only coordinators may add tags; sam is a volunteer", COORD),
    Case("goal add", "sam", ("goal", "add", "eating distress", "--days", "daily", "--from", "09:00", "--to", "17:00"),
         "only coordinators may add coverage goals; sam is a volunteer", COORD),
    Case("goal edit", "sam", ("goal", "edit", "1", "--min", "2", "--tag", "eating distress"),
         "only coordinators may edit coverage goals; sam is a volunteer", COORD),
    Case("goal remove", "kim", ("goal", "remove", "1"), "only coordinators may remove coverage goals; kim is a volunteer", COORD),
    Case("coverage", "sam", ("coverage", "--json"), "only coordinators may see the coverage report; sam is a volunteer", COORD),
    Case("match off shift", "lee", ("match", "grief", "hearing voices", "--prefer", "veteran", "--json"),
         "lee is not on a shift now", "sam", present=True),
    Case("match off shift, coordinator", "lee", ("match", "grief"), "lee is not on a shift now", COORD, present=True),
    Case("match at another time, on shift", "sam", ("match", "grief", "--at", "2026-11-24T10:00"),
         "sam may match only for the shift they are on, at the present", COORD, present=True),
    Case("match off shift, clock set to an on-shift time", "sam", ("match", "grief", "--json"),
         "sam is not on a shift now", COORD, env={"WARMLINE_NOW": NOW}),
    Case("call log off shift", "lee", ("call", "log", "grief", "self-harm"), "lee is not on a shift now", "kim",
         present=True),
    Case("busy off shift", "lee", ("busy", "on"), "lee is not on a shift now", "kim", present=True),
    Case("busy off shift, clock set to an on-shift time", "kim", ("busy", "on"), "kim is not on a shift now", None,
         env={"WARMLINE_NOW": NOW}),
    Case("handoff write, not on the shift", "lee", ("handoff", "write", "1", "--note", "All calm."),
         "lee is not on shift 1", "kim", present=True),
    Case("handoff write, before the shift", "lee", ("handoff", "write", "2", "--note", "All calm."),
         "shift 2 has not started yet", COORD, present=True),
    Case("handoff ack, a note not for them", "kim", ("handoff", "ack", "1"), "there is no handoff note 1 for kim", "lee"),
    Case("handoff ack, by its author", "sam", ("handoff", "ack", "1"), "sam is not on the shift note 1 is for", "lee"),
    Case("notify settings --person other", "sam", ("notify", "settings", "--person", "kim", "--lead", "30"),
         "only coordinators may edit other people; sam is a volunteer", COORD),
    Case("notify settings --person other, read", "sam", ("notify", "settings", "--person", "kim"),
         "sam may only see their own notifications", COORD),
    Case("notify list --person other", "sam", ("notify", "list", "--person", "kim"),
         "sam may only see their own notifications", COORD),
    Case("export ics --person other", "sam", ("export", "ics", "--person", "kim", "-o", "{dir}/kim.ics"),
         "only coordinators may export another person's shifts", COORD),
    Case("export ics --dir", "sam", ("export", "ics", "--dir", "{dir}/feeds"),
         "only coordinators may export everyone's feeds; sam is a volunteer", COORD),
    Case("import people", "sam", ("import", "people", "{dir}/people.csv"), "only coordinators may add people; sam is a volunteer", COORD),
    Case("import people --dry-run", "kim", ("import", "people", "{dir}/more.csv", "--dry-run"),
         "only coordinators may add people; kim is a volunteer", COORD),
    Case("restore", "sam", ("restore", "{dir}/backup.db"), "only coordinators may restore the rota; sam is a volunteer", COORD),
    Case("availability set --person other", "sam", ("availability", "set", "--person", "kim", "MO", "17:00-21:00"),
         "only coordinators may edit other people; sam is a volunteer", COORD),
    Case("availability clear --person other", "sam", ("availability", "clear", "--person", "kim"),
         "only coordinators may edit other people; sam is a volunteer", COORD),
    Case("availability list --person other", "sam", ("availability", "list", "--person", "kim"),
         "sam may see only their own availability", COORD),
    Case("availability list --all", "sam", ("availability", "list", "--all"), "sam is a volunteer", COORD),
    Case("timeoff add --person other", "sam", ("timeoff", "add", "--person", "kim", "2026-12-31"),
         "only coordinators may edit other people; sam is a volunteer", COORD),
    Case("timeoff list --person other", "sam", ("timeoff", "list", "--person", "kim"),
         "sam may see only their own availability and time off", COORD),
    Case("timeoff remove, someone else's", "sam", ("timeoff", "remove", "2"), "time off 2 is kim's", "kim"),
    Case("cover withdraw --person other", "sam", ("cover", "withdraw", "4", "--person", "kim"),
         "sam may only do that for themself; a coordinator can do it for kim", CORE),
    Case("swap propose, someone else's shift", "lee", ("swap", "propose", "3", "4", "kim"), "lee is not on shift 3", None),
    Case("swap accept, not offered to them", "lee", ("swap", "accept", "1"), "only they may accept it", "kim"),
    Case("swap decline, not offered to them", "sam", ("swap", "decline", "1"), "only they may decline it", "kim"),
    Case("swap withdraw, not theirs", "kim", ("swap", "withdraw", "1"), "only they may withdraw it", "sam"),
    Case("swap approve", "sam", ("swap", "approve", "1"), "only coordinators may approve swaps; sam is a volunteer", None),
    Case("swap refuse", "kim", ("swap", "refuse", "1"), "only coordinators may refuse swaps; kim is a volunteer", COORD),
    Case("line set", "sam", ("line", "set", "--swaps-need-approval", "yes"),
         "only coordinators may change the line's settings; sam is a volunteer", COORD),
    Case("line set --name --escalation --drop-cutoff", "kim",
         ("line", "set", "--name", "Kim's Line", "--escalation", "Call kim", "--drop-cutoff", "1"),
         "only coordinators may change the line's settings; kim is a volunteer", COORD),
    Case("autofill", "sam", ("autofill", "--from", "2026-11-30", "--to", "2026-12-06", "--engine", "greedy"),
         "only coordinators may assign people to shifts; sam is a volunteer", COORD),
    Case("autofill --apply", "kim", ("autofill", "--from", "2026-11-30", "--to", "2026-12-06", "--engine", "greedy", "--apply"),
         "only coordinators may assign people to shifts; kim is a volunteer", COORD),
    Case("triad form", "sam", ("triad", "form", "--json"), "only coordinators may form triads; sam is a volunteer", COORD),
    Case("triad form --apply", "kim", ("triad", "form", "--from", "2026-11-30", "--apply"),
         "only coordinators may form triads; kim is a volunteer", COORD),
    Case("triad swap-turn, not in a triad", "lee", ("triad", "swap-turn", "sam"),
         "lee is not in a triad: only members swap turns", None),
    Case("debrief request off shift", "lee", ("debrief", "request"), "lee is not on a shift now", "sam", present=True),
    Case("debrief request, clock set to an on-shift time", "sam", ("debrief", "request"), "sam is not on a shift now",
         None, env={"WARMLINE_NOW": NOW}),
    Case("debrief accept, not asked", "lee", ("debrief", "accept", "1"), "there is no debrief request 1 for lee", None),
    Case("debrief stats", "sam", ("debrief", "stats", "--json"),
         "only coordinators may see debrief counts; sam is a volunteer", COORD),
    Case("people forget", "sam", ("people", "forget", "kim", "--yes"),
         "only coordinators may forget people; sam is a volunteer", None),
    Case("keys add, someone else's", "sam", ("keys", "add", "kim", "{dir}/kim.pub", "--authorized-keys", "{dir}/authorized_keys"),
         "sam may only add their own keys; a coordinator can add kim's", COORD),
    Case("keys remove, someone else's", "sam", ("keys", "remove", "kim", "SHA256:" + "A" * 43),
         "sam may only remove their own keys; a coordinator can remove kim's", None),
    Case("audit", "sam", ("audit", "--json"), "only coordinators may read the audit log; sam is a volunteer", COORD),
    Case("report", "sam", ("report", "--from", "2026-11-01", "--to", "2026-11-30", "--json"),
         "only coordinators may see the line's reports; sam is a volunteer", COORD),
    Case("export sqlite", "kim", ("export", "sqlite", "{dir}/reporting.db"),
         "only coordinators may see the line's reports; kim is a volunteer", COORD),
    Case("people add", "kim", ("people", "add", "zed", "--name", "Zed", "--tag", "veteran", "--paused-tag", "grief"),
         "only coordinators may add people; kim is a volunteer", CORE),
    Case("people edit, someone else", "sam", ("people", "edit", "kim", "--pause", "leaving detox"),
         "only coordinators may edit other people; sam is a volunteer", CORE),
    Case("people deactivate", "sam", ("people", "deactivate", "kim"), "only coordinators may deactivate people", CORE),
    Case("people passphrase, someone else", "sam", ("people", "passphrase", "kim"),
         "only coordinators may set another person's passphrase; sam is a volunteer",
         COORD, env={"WARMLINE_NEW_PASSPHRASE": ANOTHER}),
    Case("shift add", "sam", ("shift", "add", "--start", "2026-12-05T09:00", "--end", "2026-12-05T13:00"),
         "only coordinators may create shifts; sam is a volunteer", CORE),
    Case("shift edit", "sam", ("shift", "edit", "5", "--seats", "3"), "only coordinators may edit shifts", CORE),
    Case("shift cancel", "lee", ("shift", "cancel", "5"), "only coordinators may cancel shifts", CORE),
    Case("series edit", "sam", ("series", "edit", "1", "--seats", "3"), "only coordinators may edit series", CORE),
    Case("series cancel", "kim", ("series", "cancel", "1"), "only coordinators may cancel series", CORE),
    Case("assign", "sam", ("assign", "5", "sam"), "only coordinators may assign people to shifts", CORE),
    Case("unassign", "kim", ("unassign", "4", "kim"), "only coordinators may take people off shifts", CORE),
]

# Commands a volunteer may run (for themself, or where the rule is not about roles), and why.
OPEN = {
    ("init",): "makes a new rota file, whose maker is its coordinator; refused on an existing line",
    ("demo",): "builds its own demo.db beside the rota, never the rota itself",
    ("config", "path"): "no rota involved: this machine's settings file",
    ("config", "show"): "no rota involved: this machine's settings file",
    ("serve",): "no one acts: each browser tab signs in (test_security_serve.py)",
    ("backup",): "README: anyone who can read the rota file can back it up; no handle is asked for (cron)",
    ("replicate",): "as backup: anyone who can read the rota file can replicate it; no handle is asked for (systemd)",
    ("check",): "reads the file's integrity and the rota rules",
    ("shifts",): "the rota, with handles, is for everyone on the line (no tags: tested below)",
    ("series", "list"): "the rota's series",
    ("tags", "list"): "the taxonomy, not who holds what",
    ("tags", "accept"): "a tag proposed to oneself (tests/unit/test_tag_consent.py)",
    ("tags", "decline"): "a tag proposed to oneself (tests/unit/test_tag_consent.py)",
    ("people", "list"): "names and roles; tags only for coordinators (tested below)",
    ("people", "show"): "tags only to the person and coordinators (tested below)",
    ("people", "edit"): "one's own details, limits only downwards (tests/unit/test_permissions.py)",
    ("people", "passphrase"): "one's own passphrase",
    ("goal", "list"): "the line's coverage goals",
    ("claim",): "an open seat for oneself (tests/unit/test_permissions.py)",
    ("drop",): "one's own seat",
    ("cover", "withdraw"): "one's own cover request (tests/unit/test_rota_cover_withdraw.py)",
    ("match",): "people on shift now",
    ("call", "log"): "people on shift now, calls of their shift",
    ("busy",): "one's own seat on the shift now",
    ("handoff", "write"): "people on the shift, from its start to 2 h after its end",
    ("handoff", "list"): "notes for oneself (tested below)",
    ("handoff", "ack"): "notes for one's own shift",
    ("notify",): "delivers only one's own notifications",
    ("notify", "settings"): "one's own settings",
    ("notify", "list"): "one's own notifications",
    ("export", "ics"): "one's own calendar",
    ("export", "csv"): "the rota, and one's own hours (tested below)",
    ("availability", "set"): "one's own windows",
    ("availability", "clear"): "one's own windows",
    ("availability", "list"): "one's own windows and time off",
    ("timeoff", "add"): "one's own time off",
    ("timeoff", "list"): "one's own time off",
    ("timeoff", "remove"): "one's own time off",
    ("swap", "propose"): "one's own shift, for someone's who then accepts",
    ("swap", "accept"): "a swap offered to oneself",
    ("swap", "decline"): "a swap offered to oneself",
    ("swap", "withdraw"): "a swap one proposed",
    ("swap", "list"): "one's own swaps (tested below)",
    ("swap", "options"): "one's own shift; reads only; others' limits only as 'their limits or availability' (tests/unit/test_swaps_picker.py)",
    ("load",): "one's own load (tested below)",
    ("triad", "join"): "one's own opt-in (no handle to name anyone else)",
    ("triad", "leave"): "one's own opt-in and place in a triad",
    ("triad", "list"): "one's own triad; all only for coordinators (tests/unit/test_triads.py)",
    ("triad", "swap-turn"): "one's own next turn, with a member of one's own triad",
    ("debrief", "list"): "the debriefs one asked for or was asked to take (tests/unit/test_debriefs.py)",
    ("me", "export"): "one's own data, nobody else's (tests/unit/test_own_data.py)",
    ("keys", "list"): "one's own keys; everyone's only for coordinators (tests/unit/test_keys.py)",
    ("notify", "pull"): "one's own due notifications (tests/unit/test_notify_remote.py)",
    ("notify", "confirm"): "one's own notifications; others' ids are 'unknown' (tests/unit/test_notify_remote.py)",
    ("ssh",): "sshd runs it for a key, as the key's person; no --as, and --key must be theirs (tests/system/test_ssh.py)",
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


def command_of(args) -> tuple[str, ...]:
    import click

    from warmline.cli import cli

    group, path = cli, ()
    for word in args:
        command = group.commands.get(word) if isinstance(group, click.Group) else None
        if command is None:
            break
        group, path = command, (*path, word)
    return path


def test_every_command_is_in_the_matrix_or_known_to_be_open_to_volunteers():
    everything = set(invokable_commands())
    refused = {command_of(case.args) for case in MATRIX}
    assert refused <= everything and set(OPEN) <= everything, "the matrix names a command that no longer exists"
    missing = sorted(" ".join(c) for c in everything - refused - set(OPEN))
    assert missing == [], f"commands neither in the permission matrix nor in OPEN: {', '.join(missing)}"
    assert len({case.name for case in MATRIX}) == len(MATRIX)


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    changed: bool  # the file, once the actor's sign-in row is set aside
    files_touched: set[str]  # files that appeared or went away


@pytest.fixture(scope="module")
def matrix(world, tmp_path_factory) -> dict[tuple[str, str], Outcome]:
    """Every case run once as the refused volunteer and once as whoever may, each on its own copy, in parallel."""
    jobs = [(case, "refused") for case in MATRIX] + [(case, "allowed") for case in MATRIX if case.allowed]
    folders = {(case.name, kind): tmp_path_factory.mktemp("matrix") for case, kind in jobs}

    def one(job) -> Outcome:
        case, kind = job
        copy = world.copy(folders[(case.name, kind)])
        env = dict(case.env)
        if case.present:
            copy.to_the_real_present()
            env["WARMLINE_NOW"] = None
        before, files = copy.dump(), copy.files()
        who = case.who if kind == "refused" else case.allowed
        done = copy.run(who, *case.args, env=env)
        return Outcome(done.returncode, done.stdout, done.stderr, settled(before, copy.dump()) != before,
                       copy.files() ^ files)

    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        results = pool.map(one, jobs)
        return {(case.name, kind): outcome for (case, kind), outcome in zip(jobs, results)}


@pytest.mark.slow
@pytest.mark.parametrize("case", MATRIX, ids=[c.name for c in MATRIX])
def test_a_volunteer_is_refused_and_nothing_changes(matrix, case):
    got = matrix[(case.name, "refused")]
    assert got.code == 1, (got.code, got.stdout[-300:], got.stderr[-500:])
    lines = got.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), got.stderr
    assert case.refusal in lines[0], lines[0]
    assert got.stdout == ""
    assert not got.changed, "a refused command changed the rota"
    assert got.files_touched == set(), f"a refused command wrote or removed {sorted(got.files_touched)}"


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in MATRIX if c.allowed], ids=[c.name for c in MATRIX if c.allowed])
def test_whoever_may_runs_the_same_command(matrix, case):
    got = matrix[(case.name, "allowed")]
    assert got.code == 0, (case.allowed, got.stderr[-500:])


@pytest.mark.slow
def test_only_a_coordinator_approves_a_swap_when_the_line_asks_for_approval(line):
    line.ok(COORD, "line", "set", "--swaps-need-approval", "yes")
    assert json.loads(line.ok("kim", "swap", "accept", "1", "--json").stdout)["status"] == "accepted"
    before = line.dump()
    refused = line.run("sam", "swap", "approve", "1")
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == ["error: only coordinators may approve swaps; sam is a volunteer"]
    assert settled(before, line.dump()) == before
    assert json.loads(line.ok(COORD, "swap", "approve", "1", "--json").stdout)["status"] == "done"


@pytest.mark.slow
def test_volunteers_see_only_their_own_hours_load_swaps_and_notes(line):
    hours = line.ok("sam", "export", "csv", "hours", "--from", "2026-11-01", "--to", "2026-11-30", now="2026-11-23T12:00:00-05:00")
    assert [row.split(",")[0] for row in hours.stdout.splitlines()[1:]] == ["sam"]
    everyone = line.ok(COORD, "export", "csv", "hours", "--from", "2026-11-01", "--to", "2026-11-30",
                       now="2026-11-23T12:00:00-05:00")
    assert {row.split(",")[0] for row in everyone.stdout.splitlines()[1:]} == {"sam", "kim"}

    load = json.loads(line.ok("lee", "load", "--json").stdout)
    assert [p["handle"] for p in load["people"]] == ["lee"] and load["spread"] is None

    assert json.loads(line.ok("lee", "swap", "list", "--json").stdout) == []
    assert [s["id"] for s in json.loads(line.ok("kim", "swap", "list", "--json").stdout)] == [1]

    assert json.loads(line.ok("kim", "handoff", "list", "--json").stdout) == []
    notes = json.loads(line.ok("lee", "handoff", "list", "--json").stdout)
    assert [(n["id"], n["note"], n["for_me"]) for n in notes] == [(1, NOTE, True)]

    assert [t["handle"] for t in json.loads(line.ok("sam", "timeoff", "list", "--json").stdout)] == ["sam"]


@pytest.mark.slow
def test_backup_asks_for_no_handle_as_the_readme_says(line):
    """README "Backups": anyone who can read the rota file can back it up; no handle is asked for (cron).

    So a backup is no sign-in: a wrong passphrase is not even looked at (and not counted), and the copy
    holds everything the file holds. The rota file's own 0600 mode is what guards it.
    """
    (last,) = line.query("SELECT max(id) FROM audit")[0]
    done = line.run("kim", "backup", "{dir}/kims-copy.db", env={"WARMLINE_PASSPHRASE": WRONG})
    assert done.returncode == 0, done.stderr
    assert (line.folder / "kims-copy.db").exists()
    assert line.query("SELECT action FROM audit WHERE id > ?", last) == []


# ---------------------------------------------------------------- signing in


@pytest.mark.slow
def test_five_wrong_passphrases_lock_a_handle_for_30_seconds_and_only_that_handle(line):
    (last,) = line.query("SELECT max(id) FROM audit")[0]
    refused = (
        "error: cannot sign in as kim: unknown handle, no passphrase set, wrong passphrase, or locked for 30 s "
        "after 5 wrong ones: check them and try again, or ask a coordinator\n"
    )
    messages = [line.run("kim", "shifts", env={"WARMLINE_PASSPHRASE": WRONG}).stderr for _ in range(5)]
    assert messages == [refused] * 5  # the fifth locks the handle, and says no more than the others
    # Locked: the right passphrase is refused too, in the same words. The lock is real time:
    # a clock set past its end (WARMLINE_NOW, which whoever runs the command sets) does not lift it.
    right = line.run("kim", "shifts", now="2026-11-23T08:00:10-05:00")
    wrong = line.run("kim", "shifts", now="2026-11-23T08:00:10-05:00", env={"WARMLINE_PASSPHRASE": WRONG})
    later = line.run("kim", "shifts", now="2027-01-01T08:00:00-05:00")
    assert right.returncode == wrong.returncode == later.returncode == 1
    assert right.stderr == wrong.stderr == later.stderr == refused
    assert line.run("sam", "shifts").returncode == 0, "the lock is per handle"
    # The attempts while locked are counted on the person, not audited one by one.
    assert line.query("SELECT failed_signins FROM person WHERE handle = 'kim'") == [(3,)]
    # 30 s of real time pass (the lock's end moved into the past rather than waited for).
    conn = sqlite3.connect(line.db)
    with conn:
        conn.execute("UPDATE person SET locked_until = '2000-01-01T00:00:00Z' WHERE handle = 'kim'")
    conn.close()
    assert line.run("kim", "shifts").returncode == 0, "the lock lasts 30 s"
    rows = line.query("SELECT action, detail FROM audit WHERE actor = 'kim' AND id > ? ORDER BY id", last)
    assert [a for a, _ in rows] == ["signin.failed"] * 5 + ["signin.locked", "signin"]  # one row for the window
    assert rows[4][1] == "locked for 30 s"
    assert rows[5][1] == "3 attempts while locked (until 2000-01-01T00:00:00Z)"


@pytest.mark.slow
def test_passphrases_are_scrypt_hashes_with_a_salt_of_their_own(line):
    line.ok(COORD, "people", "passphrase", "lee", env={"WARMLINE_NEW_PASSPHRASE": PASSPHRASES["sam"]})
    stored = dict(line.query("SELECT handle, passphrase_hash FROM person WHERE passphrase_hash IS NOT NULL"))
    assert set(stored) == {"sam", "kim", "lee"}
    salts = set()
    for handle, value in stored.items():
        scheme, n, r, p, salt, digest = value.split("$")
        assert scheme == "scrypt" and int(n) >= 2**14 and int(r) >= 8 and int(p) >= 1, value
        raw_salt, raw_digest = base64.b64decode(salt), base64.b64decode(digest)
        assert len(raw_salt) >= 16 and len(raw_digest) >= 32
        secret = PASSPHRASES["sam" if handle == "lee" else handle]
        again = hashlib.scrypt(secret.encode(), salt=raw_salt, n=int(n), r=int(r), p=int(p), dklen=len(raw_digest),
                               maxmem=2**28)
        assert again == raw_digest, f"{handle}'s hash does not verify"
        salts.add(raw_salt)
    assert len(salts) == 3
    assert stored["sam"] != stored["lee"], "the same passphrase must not give the same hash"
    assert line.run("lee", "shifts", env={"WARMLINE_PASSPHRASE": PASSPHRASES["sam"]}).returncode == 0


def _leaks(data: bytes) -> list[str]:
    return [s for s in SECRETS if s.encode() in data or s.encode("utf-16-le") in data]


@pytest.mark.slow
def test_no_passphrase_reaches_the_database_its_wal_or_the_audit_log(line):
    # Hold a connection so the -wal stays while warmline sets passphrases and people sign in.
    holder = sqlite3.connect(line.db)
    try:
        holder.execute("SELECT count(*) FROM person").fetchone()
        line.ok(COORD, "people", "passphrase", "kim", env={"WARMLINE_NEW_PASSPHRASE": ANOTHER})
        line.ok("kim", "shifts", env={"WARMLINE_PASSPHRASE": ANOTHER})
        line.ok("sam", "people", "passphrase", "sam", env={"WARMLINE_NEW_PASSPHRASE": PASSPHRASES["sam"]})
        line.run("lee", "shifts", env={"WARMLINE_PASSPHRASE": WRONG})
        wal = Path(f"{line.db}-wal")
        assert wal.exists() and wal.stat().st_size > 0
        for path in (line.db, wal, Path(f"{line.db}-shm")):
            assert _leaks(path.read_bytes()) == [], path.name
    finally:
        holder.close()
    assert _leaks(line.db.read_bytes()) == []
    audit = "\n".join(" ".join(map(str, row)) for row in line.query("SELECT * FROM audit"))
    assert _leaks(audit.encode()) == []
    assert "passphrase" in audit  # the changes were audited, as changes


@pytest.mark.slow
def test_the_backup_holds_no_passphrase(world):
    assert _leaks((world.folder / "backup.db").read_bytes()) == []


# ---------------------------------------------------------------- the audit log


@pytest.mark.slow
def test_the_audit_log_is_append_only_for_a_raw_sqlite_connection(line):
    line.ok(COORD, "people", "edit", "kim", "--max-hours", "12")
    before = line.query("SELECT * FROM audit ORDER BY id")
    assert len(before) > 20
    triggers = {name for (name,) in line.query("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'audit'")}
    assert {"audit_no_update", "audit_no_delete"} <= triggers
    first, last = before[0][0], before[-1][0]
    conn = sqlite3.connect(line.db, isolation_level=None)
    try:
        for sql in (
            f"UPDATE audit SET detail = 'nothing happened' WHERE id = {last}",
            "UPDATE audit SET actor = 'someone else'",
            f"DELETE FROM audit WHERE id = {last}",
            "DELETE FROM audit",
            f"INSERT OR REPLACE INTO audit (id, at, actor, action) VALUES ({first}, '2026-01-01T00:00:00Z', 'x', 'x')",
            f"REPLACE INTO audit (id, at, actor, action) VALUES ({last}, '2026-01-01T00:00:00Z', 'x', 'x')",
            f"UPDATE OR REPLACE audit SET id = {first} WHERE id = {last}",
            f"INSERT INTO audit (id, at, actor, action) VALUES ({first}, 't', 'x', 'x')"
            " ON CONFLICT (id) DO UPDATE SET detail = 'rewritten'",
        ):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                conn.execute(sql)
    finally:
        conn.close()
    assert line.query("SELECT * FROM audit ORDER BY id") == before
    # Appending still works, and `warmline check` finds the guards in place.
    line.ok(COORD, "people", "edit", "kim", "--max-hours", "10")
    checked = line.run(COORD, "check")
    assert checked.returncode == 0 and "trigger" not in checked.stdout, checked.stdout


# ---------------------------------------------------------------- lived-experience tags


def held_tag_words(line: Line) -> list[str]:
    """Every id, label and alias of the tags the volunteers hold, offered or paused."""
    rows = line.query(
        "SELECT DISTINCT t.id, t.label, t.aliases FROM tag t JOIN person_tag pt ON pt.tag_id = t.id"
        " JOIN person p ON p.id = pt.person_id WHERE p.role = 'volunteer'"
    )
    words = set()
    for tag_id, label, aliases in rows:
        words.update({tag_id, label, *json.loads(aliases)})
    return sorted(words, key=len, reverse=True)


@dataclass
class Privacy:
    line: Line
    pattern: re.Pattern

    def leaks(self, text: str) -> list[str]:
        return sorted({m.group(0).lower() for m in self.pattern.finditer(text)})


@pytest.fixture(scope="module")
def privacy(world, tmp_path_factory) -> Privacy:
    """The line after a morning that makes every kind of notification (built once; tests only read it)."""
    line = world.copy(tmp_path_factory.mktemp("privacy"))
    sent = {"WARMLINE_NOTIFY_CHANNEL": f"file:{line.folder / 'delivered'}"}
    line.ok(COORD, "shift", "edit", "6", "--start", "2026-11-24T10:00", "--end", "2026-11-24T14:00")  # changed: lee
    line.ok(COORD, "shift", "cancel", "7")  # cancelled: kim
    line.ok(COORD, "line", "set", "--swaps-need-approval", "yes")
    line.ok("kim", "swap", "accept", "1")  # swap 1 (kim was told: 'swap'): sam hears, the coordinators approve
    line.ok("sam", "drop", "3")  # a seat reopens: cover, to the people who could take it
    line.ok(COORD, "goal", "edit", "1", "--tag", "self-harm", "--min", "2")  # audited: the need changed, not which
    line.ok(COORD, "notify", "--once", now="2026-11-23T10:50:00-05:00", env=sent)  # reminders, handoffs, the note
    line.ok(COORD, "notify", "--once", now="2026-11-23T11:20:00-05:00", env=sent)  # the note not acknowledged
    words = held_tag_words(line)
    assert {"grief", "hearing voices", "veteran", "eating distress", "self-harm", "detox"} <= set(words)
    pattern = re.compile("|".join(rf"(?<![\w-]){re.escape(w)}(?![\w-])" for w in words), re.IGNORECASE)
    return Privacy(line, pattern)


@pytest.mark.slow
def test_every_kind_of_notification_names_no_tag(privacy):
    line = privacy.line
    rows = line.query("SELECT kind, title, body FROM notification")
    assert {kind for kind, _, _ in rows} == {"reminder", "handoff", "note", "changed", "cancelled", "cover", "unacked",
                                             "proposal", "swap", "swap-approval", "swap-decided"}
    for kind, title, body in rows:
        assert privacy.leaks(f"{title}\n{body}") == [], (kind, title, body)
    seen = []
    for who in ("sam", "kim", "lee"):
        delivered = line.ok(who, "notify", "--once", now="2026-11-23T11:20:00-05:00",
                            env={"WARMLINE_NOTIFY_CHANNEL": f"file:{line.folder / who}"})
        listed = line.ok(who, "notify", "list", "--all", "--json", now="2026-11-23T11:20:00-05:00")
        seen += json.loads(listed.stdout)
        assert privacy.leaks(delivered.stdout + delivered.stderr + listed.stdout) == [], who
    assert {n["kind"] for n in seen} >= {"reminder", "handoff", "note", "changed", "cancelled", "cover"}


def _run_all(line: Line, commands) -> list:
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(lambda c: (c, line.run(c[0], *c[1:], now="2026-11-23T11:20:00-05:00")), commands))


@pytest.mark.slow
def test_exports_name_no_tag(privacy, tmp_path):
    line = privacy.line
    feeds = tmp_path / "feeds"
    commands = [
        (COORD, "export", "ics", "--dir", str(feeds)),
        (COORD, "export", "csv", "rota", "--from", "2026-11-01", "--to", "2026-12-31"),
        (COORD, "export", "csv", "hours", "--from", "2026-11-01", "--to", "2026-11-30"),
        *[(COORD, "export", "ics", "--person", who) for who in ("sam", "kim", "lee")],
        *[(who, "export", "ics") for who in ("sam", "kim", "lee")],
        *[(who, "export", "csv", "hours") for who in ("sam", "kim")],
    ]
    results = _run_all(line, commands)
    for command, done in results:
        assert done.returncode == 0, (command, done.stderr)
        assert privacy.leaks(done.stdout + done.stderr) == [], command
    published = list(feeds.rglob("*.ics"))
    assert len(published) == 5  # the whole rota and one feed per active person
    for path in published:
        assert privacy.leaks(path.read_text()) == [], path.name
    hours = dict(results)[commands[2]].stdout
    assert "sam,Sam Ruiz,2026-11" in hours, "the hours export had rows to search"


@pytest.mark.slow
def test_the_audit_log_names_no_tag(privacy):
    line = privacy.line
    shown = line.ok(COORD, "audit", "--json", "--limit", "100000")
    entries = json.loads(shown.stdout)
    actions = {e["action"] for e in entries}
    assert {"person.add", "goal.add", "goal.edit", "call.log", "handoff.write", "swap.propose", "shift.cancel"} <= actions
    assert privacy.leaks(shown.stdout) == []
    raw = "\n".join(" ".join(map(str, row)) for row in line.query("SELECT * FROM audit"))
    assert privacy.leaks(raw) == []


@pytest.mark.slow
def test_refused_commands_do_not_echo_tags(matrix, privacy):
    """Every refusal in the permission matrix (many name tags in their arguments) says why without them."""
    assert sum(privacy.leaks(" ".join(case.args)) != [] for case in MATRIX) >= 6, "the matrix should type tags"
    for case in MATRIX:
        got = matrix[(case.name, "refused")]
        assert privacy.leaks(got.stdout + got.stderr) == [], (case.name, got.stderr)
    # And after the shifts of the morning have ended: nobody is on shift to match or log a call.
    later = [("kim", "match", "grief", "hearing voices", "--prefer", "veteran"), ("sam", "call", "log", "leaving detox")]
    for command, done in _run_all(privacy.line, later):
        assert done.returncode == 1 and done.stderr.count("\n") == 1, (command, done.stderr)
        assert privacy.leaks(done.stdout + done.stderr) == [], (command, done.stderr)


@pytest.mark.slow
def test_volunteers_never_see_other_peoples_tags(privacy):
    commands = [
        ("lee", "people", "show", "sam"), ("lee", "people", "show", "kim", "--json"), ("lee", "people", "list"),
        ("sam", "people", "list", "--json"), ("sam", "shifts", "--from", "2026-11-23", "--to", "2026-12-31", "--json"),
        ("lee", "handoff", "list", "--json"), ("kim", "load", "--json"), ("kim", "swap", "list", "--json"),
        ("sam", "availability", "list", "--json"), ("kim", "timeoff", "list", "--json"),
    ]
    for command, done in _run_all(privacy.line, commands):
        assert done.returncode == 0, (command, done.stderr)
        assert privacy.leaks(done.stdout + done.stderr) == [], command
    # The search finds tags where they belong: a person's own page and a coordinator's list.
    assert {"grief", "hearing-voices"} <= set(privacy.leaks(privacy.line.ok("sam", "people", "show", "sam").stdout))
    assert {"leaving-detox", "veteran", "self-harm"} <= set(privacy.leaks(privacy.line.ok(COORD, "people", "list", "--json").stdout))


@pytest.mark.slow
def test_matches_show_offered_tags_only_to_people_on_shift_and_coordinators(world, tmp_path):
    line = world.copy(tmp_path)
    # The import proposed their tags (a coordinator only proposes: issue 15); each accepts the one they offer.
    line.ok("sam", "tags", "accept", "grief")
    line.ok("kim", "tags", "accept", "leaving detox")
    asked = ("match", "grief", "hearing voices", "leaving detox", "veteran", "--json")
    # On the rota as built (shift 1 on at NOW, long past in real time), a clock set to NOW gives sam nothing.
    refused = line.run("sam", *asked, now=NOW)
    assert refused.returncode == 1 and "sam is not on a shift now" in refused.stderr and refused.stdout == ""
    line.to_the_real_present()
    on_shift = json.loads(line.ok("sam", *asked, env={"WARMLINE_NOW": None}).stdout)  # sam and kim are on shift 1
    by = {c["handle"]: c for c in on_shift["candidates"]}
    assert by["sam"]["shares"] == ["grief"], "hearing voices is paused"
    assert by["kim"]["shares"] == ["leaving detox"], "veteran is paused"
    paused = re.compile(r"hearing.voices|veteran|eating.distress", re.IGNORECASE)
    for candidate in on_shift["candidates"]:
        assert not paused.search(json.dumps(candidate)), candidate
    coordinator = json.loads(line.ok(COORD, *asked, env={"WARMLINE_NOW": None}).stdout)
    assert {c["handle"]: c["shares"] for c in coordinator["candidates"]} == {h: c["shares"] for h, c in by.items()}
    # lee (on shift 2, next) is not on shift now; sam is, but only for the present, whatever --at says.
    for who, extra in (("lee", ()), ("sam", ("--at", "2026-11-23T08:00"))):
        refused = line.run(who, *asked, *extra, env={"WARMLINE_NOW": None})
        assert refused.returncode == 1 and ("not on a shift now" in refused.stderr or "at the present" in refused.stderr)
        assert refused.stdout == ""
    # To sam, the next shifts for unmet needs give names and times, no reasons: shift 2 with lee, not "lee offers X".
    assert [(n["shift_id"], n["handles"], n["need"]) for n in on_shift["next"]] == [(2, ["lee"], None)]


# ---------------------------------------------------------------- last: nothing anyone ran printed a passphrase


@pytest.mark.slow
def test_no_command_in_this_module_printed_a_passphrase():
    assert len(OUTPUTS) > 100, "run the whole module: this searches what the other tests printed"
    for argv, out, err in OUTPUTS:
        assert _leaks((out + err).encode()) == [], argv
