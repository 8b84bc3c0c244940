"""Hostile text through every output surface of the command line (issue 12, class A).

One line is built once for the module through the CLI itself, then every text field a
person or another program could fill is overwritten with the hostile corpus
(tests/hostile.py) straight in the file, as a rota written before the input checks, or by
another program, would hold it: names, handles, pronouns, logins, the line's name and
escalation text, tag labels and aliases (which goals and matches show), shift and series
notes, a handoff note, audit rows and a notification. Then the real `warmline` runs every
command that prints them (text, --json, CSV, ICS, import error lines, notifications,
errors) and each output must hold no raw control character, no traceback, and a sane exit
code. Output is read as bytes, so a carriage return is seen as it is (text mode would turn
it into a newline).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import CLI_TIMEOUT, CliRunner
from hostile import CONTROLS, FORMULAS, HOSTILE, MARKUP, ORDINARY, escaped_controls, plant

from warmline.text import find_control

NOW = "2026-11-23T08:00:00-05:00"
LATER = "2026-11-30T08:00:00-05:00"  # a week on: the shifts of the 23rd have ended (hours export)
VOLUNTEERS = [f"p{i:02d}" for i in range(len(HOSTILE))]
EVIL_HANDLE = "evil\x1b]0;pwned\x07\u202e"
EVIL_LINE = "Line \x1b]0;pwned\x07 \u202egnp.exe \x9b31m"
HREF = "<a href='http://evil.example'>x</a>"
FORGED = "Rosa\nerror: forged line"  # a newline in a name must not start a line of its own
TAGGED = "grief"


class Rota:
    """The module's rota; `run(*args)` runs warmline as the coordinator (the OS user), bytes decoded."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.cli = CliRunner(folder)
        self.db = self.cli.db

    def run(self, *args: str, env: dict | None = None, input: bytes | None = None) -> tuple[int, str, str]:
        full = dict(self.cli.env)
        for key, value in (env or {}).items():
            if value is None:
                full.pop(key, None)
            else:
                full[key] = value
        done = subprocess.run(
            [str(self.cli.script), *args],
            env=full,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            cwd=self.folder,
            timeout=CLI_TIMEOUT,
        )
        return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")

    def ok(self, *args: str, **kw) -> str:
        code, out, err = self.run(*args, **kw)
        assert code == 0, (args, out, err)
        return out


def dump(db: Path) -> list[str]:
    """The whole file as SQL, less the audit rows a passphrase sign-in writes."""
    conn = sqlite3.connect(db)
    try:
        signins = {f"INSERT INTO \"audit\" VALUES({row[0]}," for row in conn.execute(
            "SELECT id FROM audit WHERE action LIKE 'signin%'")}
        return [line for line in conn.iterdump() if not line.startswith(tuple(signins) or ("\0",))]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def rota(tmp_path_factory) -> Rota:
    folder = tmp_path_factory.mktemp("hostile")
    r = Rota(folder)
    r.ok("init", "--name", "Test Line", "--tz", "America/New_York", "--coordinator", "coord")
    people = folder / "people.csv"
    people.write_text(
        "handle,name,languages,tags\n" + "".join(f"{h},Person {h},es,{TAGGED}\n" for h in VOLUNTEERS), encoding="utf-8"
    )
    r.ok("import", "people", str(people))
    # Shift 1 is on now (07:00-11:00), shift 2 follows it (11:00-15:00); a daily series for the week.
    r.ok("shift", "add", "--start", "2026-11-23T07:00", "--end", "2026-11-23T11:00", "--seats", "40", "--note", "n")
    r.ok("shift", "add", "--start", "2026-11-23T11:00", "--end", "2026-11-23T15:00", "--seats", "3")
    r.ok("shift", "add", "--start", "2026-11-24T17:00", "--end", "2026-11-24T21:00", "--rrule", "FREQ=DAILY",
         "--until", "2026-11-29", "--note", "series")
    # Everyone on shift 1 (one statement rather than 34 processes: assignment has no text).
    plant(r.db, "INSERT INTO assignment (shift_id, person_id, role, created_at)"
          " SELECT 1, id, 'peer', '2026-11-20T12:00:00Z' FROM person WHERE role = 'volunteer'")
    r.ok("assign", "2", "coord", "--force")
    r.ok("assign", "2", VOLUNTEERS[MARKUP_INDEX], "--force")
    r.ok("goal", "add", TAGGED, "--days", "daily", "--from", "07:00", "--to", "21:00")
    conn = sqlite3.connect(r.db)
    ids = dict(conn.execute("SELECT handle, id FROM person"))
    conn.close()
    # The hostile corpus, written as another program would.
    for handle, text in zip(VOLUNTEERS, HOSTILE):
        plant(r.db, "UPDATE person SET name = ?, pronouns = ? WHERE handle = ?", (text, text, handle))
    plant(r.db, "UPDATE person SET name = ? WHERE handle = ?", (HREF, VOLUNTEERS[MARKUP_INDEX]))
    plant(r.db, "UPDATE person SET handle = ?, login = ?, name = ? WHERE handle = ?",
          (EVIL_HANDLE, "x\x1b[2Jy", FORGED, VOLUNTEERS[0]))
    plant(r.db, "UPDATE line SET name = ?, escalation = ?", (EVIL_LINE, "Call \x1b]0;988\x07 \u202e988"))
    plant(r.db, "UPDATE tag SET label = ?, aliases = ? WHERE id = ?",
          ("grief \x1b]0;t\x07\u202e", json.dumps(["loss\x9b31m", "=cmd|' /C calc'!A0"]), TAGGED))
    plant(r.db, "UPDATE tag SET label = ? WHERE id = 'lang-es'", ("Spanish\x1b[31m\u2066",))
    plant(r.db, "UPDATE shift SET note = ? WHERE id = 1", ("note \x1b]0;x\x07 \u202e",))
    plant(r.db, "UPDATE series SET note = ?", ("series \x9d0;x\x9c \u2067",))
    plant(r.db, "INSERT INTO handoff_note (shift_id, author_id, body, created_at) VALUES (1, ?, ?, ?)",
          (ids["coord"], "Handoff \x1b]0;pwned\x07 \u202e [/] <b>x</b>", "2026-11-23T12:30:00Z"))
    plant(r.db, "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
          ("2026-11-23T12:31:00Z", EVIL_HANDLE, "person.edit", "x\x1b[2J", "detail \u202e\x85"))
    plant(r.db, "INSERT INTO notification (person_id, kind, shift_id, event_utc, due_utc, title, body, dedupe, created_at)"
          " VALUES (?, 'changed', 1, ?, ?, ?, ?, 'hostile-1', ?)",
          (ids["coord"], "2026-11-23T12:00:00Z", "2026-11-23T12:59:00Z", "Title \x1b]0;x\x07", f"Body {HREF} \u202e",
           "2026-11-23T12:00:00Z"))
    return r


MARKUP_INDEX = len(CONTROLS)  # the first MARKUP string's volunteer


def assert_clean(args, code: int, out: str, err: str, *, allow: str = "\n", codes=(0,)) -> None:
    assert code in codes, (args, code, out[-500:], err[-500:])
    assert "Traceback" not in out + err, (args, err[-2000:])
    assert escaped_controls(out, allow=allow) == [], (args, out[:2000])
    assert escaped_controls(err) == [], (args, err[:2000])


TEXT_COMMANDS = [
    ("people", "list"),
    ("people", "list", "--json"),
    ("people", "show", EVIL_HANDLE),
    ("people", "show", EVIL_HANDLE, "--json"),
    ("people", "show", VOLUNTEERS[3]),
    ("shifts", "--from", "2026-11-23", "--to", "2026-11-30"),
    ("shifts", "--from", "2026-11-23", "--to", "2026-11-30", "--json"),
    ("series", "list"),
    ("series", "list", "--json"),
    ("tags", "list"),
    ("tags", "list", "--json"),
    ("goal", "list"),
    ("goal", "list", "--json"),
    ("coverage", "--from", "2026-11-23", "--to", "2026-11-30"),
    ("coverage", "--from", "2026-11-23", "--to", "2026-11-30", "--json"),
    ("match", TAGGED),
    ("match", TAGGED, "--json"),
    ("handoff", "list"),
    ("handoff", "list", "--json"),
    ("audit",),
    ("audit", "--json"),
    ("notify", "list"),
    ("notify", "list", "--json"),
    ("load", "--from", "2026-11-23", "--to", "2026-11-30"),
    ("load", "--from", "2026-11-23", "--to", "2026-11-30", "--json"),
    ("autofill", "--from", "2026-11-24", "--to", "2026-11-30"),
    ("autofill", "--from", "2026-11-24", "--to", "2026-11-30", "--json"),
    ("availability", "list", "--person", EVIL_HANDLE),
    ("check",),
    ("config", "show"),
]


@pytest.mark.slow
def test_every_listing_prints_hostile_text_escaped(rota):
    for args in TEXT_COMMANDS:
        code, out, err = rota.run(*args)
        assert_clean(args, code, out, err)
        if "--json" in args:
            json.loads(out)  # still JSON
        else:
            assert out.strip() or err.strip(), args


@pytest.mark.slow
def test_people_list_shows_every_name_escaped_and_json_gives_them_back_exactly(rota):
    code, out, err = rota.run("people", "list")
    assert_clean("people list", code, out, err)
    assert "\\x1b]0;pwned\\x07" in out and "\\u202e" in out  # visible, not acted on
    lines = out.splitlines()
    assert len(lines) == len(VOLUNTEERS) + 1 and not any(line.startswith("error:") for line in lines)
    assert "Rosa\\x0aerror: forged line" in out
    code, out, err = rota.run("people", "list", "--json")
    assert_clean("people list --json", code, out, err)
    names = {p["handle"]: p["name"] for p in json.loads(out)}
    # JSON escapes controls as \\uXXXX, so parsing gives back exactly what is stored.
    assert names[EVIL_HANDLE] == FORGED
    for handle, text in zip(VOLUNTEERS[1:], HOSTILE[1:]):
        expected = HREF if handle == VOLUNTEERS[MARKUP_INDEX] else text
        assert names[handle] == expected


def test_the_line_name_and_escalation_are_escaped(rota):
    code, out, err = rota.run("shifts", "--from", "2026-11-23", "--to", "2026-11-24")
    assert_clean("shifts", code, out, err)
    assert "Line \\x1b]0;pwned\\x07 \\u202egnp.exe \\x9b31m" in out


@pytest.mark.slow
def test_ics_on_stdout_holds_no_control(rota):
    code, out, err = rota.run("export", "ics")
    assert_clean("export ics", code, out, err, allow="\r\n")
    assert "BEGIN:VCALENDAR" in out


@pytest.mark.slow
def test_csv_exports_neutralise_formulas_and_controls(rota):
    for kind in ("rota", "hours"):
        for extra in ((), ("--excel",)):
            args = ("export", "csv", kind, "--from", "2026-11-23", "--to", "2026-11-29", *extra)
            code, out, err = rota.run(*args, env={"WARMLINE_NOW": LATER})
            assert out.startswith("\ufeff") == bool(extra)
            out = out.removeprefix("\ufeff")
            assert_clean(args, code, out, err, allow="\r\n")
            rows = list(csv.reader(io.StringIO(out)))
            assert len(rows) > 1, args
            for row in rows:
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (args, cell)
    code, out, err = rota.run("export", "csv", "hours", "--from", "2026-11-23", "--to", "2026-11-29",
                              env={"WARMLINE_NOW": LATER})
    names = {row["handle"]: row["name"] for row in csv.DictReader(io.StringIO(out))}
    assert names[VOLUNTEERS[len(CONTROLS) + len(MARKUP)]] == "'" + FORMULAS[0]  # the HYPERLINK, neutralised


@pytest.mark.slow
def test_excel_csv_has_a_byte_order_mark_and_crlf(rota, tmp_path):
    target = tmp_path / "hours.csv"
    rota.ok("export", "csv", "hours", "--from", "2026-11-23", "--to", "2026-11-29", "--excel", "-o", str(target),
            env={"WARMLINE_NOW": LATER})
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfhandle,name,month,")
    assert raw.count(b"\r\n") == len(raw.splitlines()) and b"\n" not in raw.replace(b"\r\n", b"")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    code, out, _ = rota.run("export", "csv", "hours", "--from", "2026-11-23", "--to", "2026-11-29", "--excel",
                            env={"WARMLINE_NOW": LATER})
    assert code == 0 and out.startswith("\ufeffhandle,") and "\r\n" in out


@pytest.mark.slow
def test_import_error_lines_name_row_and_column_and_never_echo_controls(rota, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "handle,name\n"
        f"{EVIL_HANDLE},Rosa\n"
        "rosa,Rosa \x1b]0;pwned\x07\n"
        "zoe,Zoe \u202eevil\n",
        encoding="utf-8",
    )
    before = dump(rota.db)
    code, out, err = rota.run("import", "people", str(bad))
    assert_clean("import", code, out, err, codes=(1,))
    lines = err.splitlines()
    assert lines[0].startswith("row 2 (evil\\x1b]0;pwned\\x07\\u202e): ")
    assert lines[1] == ("row 3 (rosa): the name column contains an escape (U+001B): control and text-direction "
                        "characters are not allowed; retype it without them")
    assert lines[2].startswith("row 4 (zoe): the name column contains a text-direction control (U+202E)")
    assert "pwned" not in lines[1] and lines[-1].startswith("error: 3 bad rows")
    header = tmp_path / "header.csv"
    header.write_text("handle,name,\x1b]0;pwned\x07col\u202e\nsam,Sam,x\n", encoding="utf-8")
    code, out, err = rota.run("import", "people", str(header))
    assert_clean("import header", code, out, err, codes=(1,))
    assert "unknown columns: \\x1b]0;pwned\\x07col\\u202e" in err
    assert dump(rota.db) == before


@pytest.mark.slow
def test_an_export_re_imports_exactly(rota, tmp_path):
    """Formula-like names come out with a leading apostrophe and go back in without it."""
    plain = [f for f in FORMULAS if find_control(f) is None] + ORDINARY
    handles = VOLUNTEERS[: len(plain)]
    folder = tmp_path / "trip"
    folder.mkdir()
    r = Rota(folder)
    r.ok("init", "--name", "Trip", "--tz", "America/New_York", "--coordinator", "coord")
    source = folder / "people.csv"
    source.write_text("handle,name\n" + "".join(f"{h},Person {h}\n" for h in handles), encoding="utf-8")
    r.ok("import", "people", str(source))
    r.ok("shift", "add", "--start", "2026-11-23T07:00", "--end", "2026-11-23T11:00", "--seats", "40")
    for handle, name in zip(handles, plain):
        r.ok("people", "edit", handle, "--name", name)  # a coordinator (or the person) sets it: allowed
        r.ok("assign", "1", handle, "--force")
    for extra in ((), ("--excel",)):
        exported = folder / "hours.csv"
        r.ok("export", "csv", "hours", "--from", "2026-11-23", "--to", "2026-11-23", "-o", str(exported), *extra,
             env={"WARMLINE_NOW": LATER})
        rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8-sig"))))
        assert {row["name"] for row in rows if row["name"].startswith("'")} >= {"'" + FORMULAS[0], "'+1+1"}
        # What a coordinator does: keep the handle and name columns, import the file again.
        back = folder / "back.csv"
        with back.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n" if extra else "\n")
            writer.writerow(["handle", "name"])
            writer.writerows([row["handle"], row["name"]] for row in rows)
        before = dump(r.db)
        out = r.ok("import", "people", str(back), "--json")
        report = json.loads(out)
        assert report["updated"] == [] and sorted(report["unchanged"]) == sorted(handles)
        assert dump(r.db) == before
    conn = sqlite3.connect(r.db)
    stored = dict(conn.execute("SELECT handle, name FROM person"))
    conn.close()
    assert [stored[h] for h in handles] == plain


@pytest.mark.slow
def test_errors_are_one_line_and_escaped(rota):
    for args in (
        ("people", "show", "nobody\x1b]0;pwned\x07\u202e"),
        ("assign", "1", "x\x1b[2J"),
        ("match", "grief\x1b]0;x\x07"),
        ("tags", "add", "bad\x1b", "--label", "x\x1b", "--family", "experience"),
        ("shifts", "--from", "2026-11-23\x1b]0;x\x07"),
        ("shifts", "--fro\x1b]0;x\x07m\u202e"),  # click's usage errors quote what was typed
        ("sh\x1b]0;x\x07ifts\u202e",),
        ("export", "csv", "r\u202eota\x9b"),
    ):
        code, out, err = rota.run(*args)
        assert_clean(args, code, out, err, codes=(1, 2))
        if code == 1:
            assert len(err.strip().splitlines()) == 1 and err.startswith("error: "), (args, err)
    code, out, err = rota.run("--as", "ghost\x1b]0;x\x07", "shifts")
    assert_clean("--as", code, out, err, codes=(1,))


@pytest.mark.slow
def test_a_volunteer_cannot_put_controls_in_their_own_name(rota):
    handle = VOLUNTEERS[5]
    rota.ok("people", "passphrase", handle, env={"WARMLINE_NEW_PASSPHRASE": "tide-anchor-5531-lantern"})
    me = {"WARMLINE_AS": handle, "WARMLINE_PASSPHRASE": "tide-anchor-5531-lantern"}
    rota.ok("people", "edit", handle, "--name", "Rosa Díaz", env=me)  # an ordinary name is fine
    before = dump(rota.db)
    for field, value in (
        ("--name", "Rosa\x1b]0;pwned\x07"),
        ("--name", "Rosa \u202eevil"),
        ("--name", "Rosa\x9b31m"),
        ("--name", "Rosa\u2066x"),
        ("--name", "Rosa\x7f"),
        ("--pronouns", "she\x1b[31m/her"),
        ("--pronouns", "\u202eher"),
    ):
        code, out, err = rota.run("people", "edit", handle, field, value, env=me)
        assert_clean((field, value), code, out, err, codes=(1,))
        assert err.startswith("error: the ") and "not allowed" in err, err
        assert len(err.splitlines()) == 1
    assert dump(rota.db) == before


@pytest.mark.slow
def test_desktop_notifications_escape_markup(rota, tmp_path):
    """The real `notify --once` hands notify-send an escaped body: a fake notify-send (and
    dbus-send saying a notification service is there) on PATH records its arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "argv"
    sh = shutil.which("sh")
    assert sh
    (bin_dir / "notify-send").write_text(f"#!{sh}\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done >> \"{record}\"\n")
    (bin_dir / "dbus-send").write_text(f"#!{sh}\necho '   boolean true'\n")
    for exe in ("notify-send", "dbus-send"):
        os.chmod(bin_dir / exe, 0o755)
    env = {"PATH": f"{bin_dir}:{os.environ.get('PATH', '')}", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}
    folder = tmp_path / "notify"
    folder.mkdir()
    r = Rota(folder)
    r.ok("init", "--name", "Notify Line", "--tz", "America/New_York", "--coordinator", "coord")
    source = folder / "people.csv"
    source.write_text("handle,name\nrosa,Rosa\nimg,Img\n", encoding="utf-8")
    r.ok("import", "people", str(source))
    plant(r.db, "UPDATE person SET name = ? WHERE handle = 'rosa'", (HREF,))
    plant(r.db, "UPDATE person SET name = ? WHERE handle = 'img'", ("<img src='http://evil.example/x.png'/> \x1b]0;t\x07",))
    r.ok("shift", "add", "--start", "2026-11-23T09:00", "--end", "2026-11-23T13:00", "--seats", "3")
    for handle in ("coord", "rosa", "img"):
        r.ok("assign", "1", handle, "--force")
    code, out, err = r.run("notify", "--once", env=env)
    assert_clean("notify --once", code, out, err)
    args = record.read_bytes().decode("utf-8").split("\0")[:-1]
    assert args[:2] == ["--app-name=warmline", "--"], args
    title, body = args[2], args[3]
    assert "<" not in title + body and ">" not in title + body, args
    assert "&lt;a href='http://evil.example'&gt;x&lt;/a&gt;" in body
    assert "&lt;img src='http://evil.example/x.png'/&gt; \\x1b]0;t\\x07" in body
    assert escaped_controls(title + body) == []


def test_terminal_channel_shows_controls_as_escapes():
    from warmline.notify.channels import desktop_text, terminal_sequence

    title, body = desktop_text("Shift \x1b]0;x\x07", f"With {HREF} & \u202eZ")
    assert title == "Shift \\x1b]0;x\\x07"
    assert body == "With &lt;a href='http://evil.example'&gt;x&lt;/a&gt; &amp; \\u202eZ"
    sequence = terminal_sequence("Shift \u202e", "Body \x1b[2J\u2066")
    # The sequence's own ESC and BEL are the only controls: two OSCs, three BELs.
    assert escaped_controls(sequence.replace("\x1b]", "").replace("\x07", "")) == []
    assert "\\u202e" in sequence and "\\x1b[2J\\u2066" in sequence


def test_the_cli_prints_only_through_its_safe_helpers():
    """A guard for commands added later: in every CLI module only echo() and emit() (cli/output.py)
    and the two error printers call click.echo, and print() is never used, so every line a
    command prints goes through text.safe or text.json_dumps."""
    import ast

    import warmline

    package = Path(warmline.__file__).parent / "cli"
    modules = sorted(package.glob("*.py"))
    assert {m.name for m in modules} >= {"__init__.py", "root.py", "output.py", "people.py", "peer.py", "remote.py", "report.py"}
    allowed = {("output.py", "echo"), ("output.py", "emit"), ("root.py", "_show_usage"), ("root.py", "_fail")}
    offenders = []
    for module in modules:
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) or (module.name, func.name) in allowed:
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.Call):
                    callee = ast.unparse(node.func)
                    if callee in ("click.echo", "click.secho", "print", "sys.stdout.write", "sys.stderr.write"):
                        offenders.append(f"{module.name}:{func.name}:{node.lineno} {callee}")
    assert offenders == [], offenders
