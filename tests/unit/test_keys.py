"""SSH keys (issue 14 §1): parsing and refusing keys, the marked block in authorized_keys, who may
change keys, the audit, the forced command's allow-list, and the key sign-in's refusals.

In-process against a real rota file and real files in tmp_path; the sshd end to end is
tests/system/test_ssh.py. Keys are built here byte by byte (an SSH public key blob is a list of
length-prefixed strings), so these tests need no ssh-keygen, except the one comparing
fingerprints with it.
"""

from __future__ import annotations

import base64
import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import require_tool
from warmline import keys, people
from warmline.errors import Invalid, NotFound, Refused


def ssh_string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def make_key(kind: str = "ssh-ed25519", seed: int = 1, comment: str = "ana@laptop") -> str:
    body = ssh_string(kind.encode()) + ssh_string(bytes([seed]) * 32)
    return f"{kind} {base64.b64encode(body).decode()} {comment}".rstrip() + "\n"


@pytest.fixture
def rota(line_db, coordinator):
    people.add(line_db, coordinator, handle="ana", name="Ana")
    people.add(line_db, coordinator, handle="ben", name="Ben")
    people.add(line_db, coordinator, handle="cleo", name="Cleo", role="coordinator")
    return line_db


def person(db, handle):
    return people.get(db.conn, handle)


def audit_rows(db, action):
    return [tuple(r) for r in db.conn.execute("SELECT actor, subject, detail FROM audit WHERE action = ? ORDER BY id", (action,))]


# ---------------------------------------------------------------- parsing


def test_a_key_parses_with_its_fingerprint_and_a_plain_comment():
    key = keys.parse_public_key(make_key(comment="ana@laptop <b>&x"))
    assert key.key_type == "ssh-ed25519"
    assert key.fingerprint.startswith("SHA256:") and len(key.fingerprint) == 7 + 43
    assert key.comment == "ana@laptop-b-x"  # plain characters only


def test_the_fingerprint_is_the_one_ssh_keygen_prints(tmp_path):
    keygen = require_tool("ssh-keygen")
    subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "k")], check=True, timeout=30)
    shown = subprocess.run([keygen, "-lf", str(tmp_path / "k.pub")], capture_output=True, text=True, check=True, timeout=30)
    assert keys.parse_public_key((tmp_path / "k.pub").read_text()).fingerprint == shown.stdout.split()[1]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "no key found"),
        ('command="/bin/sh" ' + make_key(), "starts with options"),
        ("restrict,pty " + make_key(), "starts with options"),
        ('from="*" ' + make_key(), "starts with options"),
        (make_key() + make_key(seed=2), "holds 2 lines"),
        (make_key().rstrip("\n") + "\rcommand=x ssh-ed25519 AAAA", "holds 2 lines"),
        (make_key().rstrip("\n") + "\u2028ssh-ed25519 AAAA", "holds 2 lines"),
        ("ssh-ed25519 " + make_key().split()[1] + " a\x00b", "control characters"),
        ("ssh-ed25519 " + make_key().split()[1] + " a\x1b[2Jb", "control characters"),
        ("ssh-dss AAAAB3NzaC1kc3M=", "not a key type"),
        ("ssh-ed25519", "no key data"),
        ("ssh-ed25519 not*base64", "not base64"),
        ("ssh-ed25519 " + make_key("ssh-rsa").split()[1], "not a ssh-ed25519 key"),
        ("ssh-ed25519 " + base64.b64encode(ssh_string(b"ssh-ed25519") + ssh_string(b"x" * 31)).decode(), "32 bytes"),
        ("ssh-ed25519 " + base64.b64encode(ssh_string(b"ssh-ed25519") + b"\x00\x00\x01").decode(), "cut short"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n-----END OPENSSH PRIVATE KEY-----\n", "private key"),
        ("x" * 20000, "more than any public key"),
    ],
    ids=lambda v: repr(v)[:30] if isinstance(v, str) else None,
)
def test_anything_but_one_plain_key_is_refused(text, says):
    with pytest.raises(Invalid) as caught:
        keys.parse_public_key(text)
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)


def test_fingerprints_are_read_with_or_without_their_prefix():
    fp = keys.parse_public_key(make_key()).fingerprint
    assert keys.normal_fingerprint(fp) == fp == keys.normal_fingerprint(fp.removeprefix("SHA256:"))
    for bad in ("", "SHA256:short", fp + "x", "MD5:" + fp[7:]):
        with pytest.raises(Invalid):
            keys.normal_fingerprint(bad)


# ---------------------------------------------------------------- the block in authorized_keys


def test_add_writes_a_forced_command_line_and_keeps_every_other_byte(rota, coordinator, tmp_path):
    auth = tmp_path / "ssh" / "authorized_keys"
    auth.parent.mkdir()
    before = b"ssh-ed25519 AAAAmine me@desk\r\n# a comment\nno-newline-at-the-end"
    auth.write_bytes(before)
    key = keys.add(rota, coordinator, "ana", make_key(), authorized_keys=auth)
    after = auth.read_bytes()
    assert after.startswith(before + b"\n" + keys.BEGIN.encode() + b"\n")
    lines = after.decode().splitlines()
    line = lines[lines.index(keys.BEGIN) + 1]
    command = f"{keys.warmline_executable()} --db {rota.path} ssh ana --key {key.fingerprint}"
    assert line == f'command="{command}",restrict,pty ssh-ed25519 {make_key().split()[1]} warmline:ana'
    assert lines[-1] == keys.END
    assert stat.S_IMODE(auth.stat().st_mode) == 0o600
    assert [p.name for p in auth.parent.iterdir()] == ["authorized_keys"]  # no temporary file left
    # A second key, then removing the first: the lines outside the block never move.
    key2 = keys.add(rota, coordinator, "ben", make_key(seed=2), authorized_keys=auth)
    keys.remove(rota, coordinator, "ana", key.fingerprint)
    text = auth.read_bytes()
    assert text.startswith(before + b"\n")
    assert key.fingerprint.encode() not in text and key2.fingerprint.encode() in text
    keys.remove(rota, coordinator, "ben", key2.fingerprint)
    assert auth.read_bytes() == before + b"\n" + f"{keys.BEGIN}\n{keys.END}\n".encode()


def test_a_new_ssh_directory_is_0700_and_a_link_is_followed(rota, coordinator, tmp_path):
    auth = tmp_path / "home" / ".ssh" / "authorized_keys"
    keys.add(rota, coordinator, "ana", make_key(), authorized_keys=auth)
    assert stat.S_IMODE(auth.parent.stat().st_mode) == 0o700
    real = tmp_path / "real_keys"
    real.write_text("")
    link = tmp_path / "linked_keys"
    link.symlink_to(real)
    keys.add(rota, coordinator, "ben", make_key(seed=2), authorized_keys=link)
    assert link.is_symlink() and "ssh ben" in real.read_text()


def test_a_damaged_block_is_refused_and_nothing_changes(rota, coordinator, tmp_path):
    auth = tmp_path / "authorized_keys"
    damaged = f"other\n{keys.BEGIN}\nhalf a block\n".encode()
    auth.write_bytes(damaged)
    with pytest.raises(Invalid, match="damaged warmline block"):
        keys.add(rota, coordinator, "ana", make_key(), authorized_keys=auth)
    assert auth.read_bytes() == damaged
    assert rota.conn.execute("SELECT count(*) FROM ssh_key").fetchone()[0] == 0  # the rota change was undone too


def test_a_path_that_could_break_the_quoted_command_is_refused(rota, coordinator, tmp_path):
    with pytest.raises(Invalid, match="quote, backslash or control"):
        keys.add(rota, coordinator, "ana", make_key(), authorized_keys=tmp_path / 'a"b')
    assert rota.conn.execute("SELECT count(*) FROM ssh_key").fetchone()[0] == 0


def test_the_default_rota_needs_no_db_option(monkeypatch, tmp_path):
    from warmline import db as dbmod

    monkeypatch.setattr(dbmod, "default_path", lambda: tmp_path / "rota.db")
    fake = type("D", (), {"path": tmp_path / "rota.db"})()
    assert keys._rota_for_command(fake) is None
    other = type("D", (), {"path": tmp_path / "other.db"})()
    assert keys._rota_for_command(other) == tmp_path / "other.db"
    assert "--db" not in keys.forced_command("ana", "SHA256:" + "A" * 43, None)


# ---------------------------------------------------------------- who may, and the audit


def test_volunteers_manage_only_their_own_keys(rota, tmp_path):
    auth = tmp_path / "authorized_keys"
    ana, ben = person(rota, "ana"), person(rota, "ben")
    key = keys.add(rota, ana, "ana", make_key(), authorized_keys=auth)
    with pytest.raises(Refused, match="only add their own keys"):
        keys.add(rota, ana, "ben", make_key(seed=2), authorized_keys=auth)
    with pytest.raises(Refused, match="only remove their own keys"):
        keys.remove(rota, ben, "ana", key.fingerprint)
    assert [k.handle for k in keys.listed(rota.conn, ben)] == []
    assert [k.handle for k in keys.listed(rota.conn, ana)] == ["ana"]
    assert [k.handle for k in keys.listed(rota.conn, person(rota, "cleo"))] == ["ana"]
    keys.remove(rota, ana, "ana", key.fingerprint)
    assert "ssh ana" not in auth.read_text()


def test_one_key_is_one_persons(rota, coordinator, tmp_path):
    auth = tmp_path / "authorized_keys"
    keys.add(rota, coordinator, "ana", make_key(), authorized_keys=auth)
    with pytest.raises(Refused, match="already has the key"):
        keys.add(rota, coordinator, "ana", make_key(comment="other"), authorized_keys=auth)
    with pytest.raises(Refused) as caught:
        keys.add(rota, person(rota, "ben"), "ben", make_key(), authorized_keys=auth)
    assert "another person" in str(caught.value) and "ana" not in str(caught.value)
    with pytest.raises(NotFound):
        keys.remove(rota, coordinator, "ben", keys.parse_public_key(make_key()).fingerprint)


def test_every_key_change_is_audited_with_its_fingerprint_never_the_key(rota, coordinator, tmp_path):
    auth = tmp_path / "authorized_keys"
    key = keys.add(rota, coordinator, "ana", make_key(), authorized_keys=auth)
    keys.remove(rota, coordinator, "ana", key.fingerprint)
    added, removed = audit_rows(rota, "key.add"), audit_rows(rota, "key.remove")
    assert added[0][:2] == ("coord", "ana") and key.fingerprint in added[0][2]
    assert removed[0][:2] == ("coord", "ana") and key.fingerprint in removed[0][2]
    data = make_key().split()[1]
    everything = " ".join(str(v) for r in rota.conn.execute("SELECT * FROM audit") for v in tuple(r))
    assert data not in everything and data[:20] not in everything


def test_deactivating_a_person_takes_their_keys_out_and_refuses_their_key(rota, coordinator, tmp_path):
    auth = tmp_path / "authorized_keys"
    key = keys.add(rota, coordinator, "ana", make_key(), authorized_keys=auth)
    assert keys.key_signin(rota, "ana", key.fingerprint, interactive=False).handle == "ana"
    people.deactivate(rota, coordinator, "ana")
    keys.sync_person(rota, coordinator, "ana")
    assert "ssh ana" not in auth.read_text()
    with pytest.raises(Refused, match="cannot sign in as ana"):
        keys.key_signin(rota, "ana", key.fingerprint, interactive=True)
    assert audit_rows(rota, "signin.key.refused")[-1] == ("ana", "ana", key.fingerprint)


def test_a_removed_key_cannot_sign_in_even_if_its_line_were_left(rota, coordinator, tmp_path):
    key = keys.add(rota, coordinator, "ana", make_key(), authorized_keys=tmp_path / "authorized_keys")
    keys.key_signin(rota, "ana", key.fingerprint, interactive=True)
    assert audit_rows(rota, "signin.key")[-1] == ("ana", "ana", key.fingerprint)
    keys.remove(rota, coordinator, "ana", key.fingerprint)
    with pytest.raises(Refused):
        keys.key_signin(rota, "ana", key.fingerprint, interactive=False)
    with pytest.raises(Refused):
        keys.key_signin(rota, "nobody", key.fingerprint, interactive=False)
    with pytest.raises(Refused, match="run by sshd for a key"):
        keys.key_signin(rota, "coord", None, interactive=True)  # someone at a shell of the account


# ---------------------------------------------------------------- what a key may run


@pytest.mark.parametrize(
    ("original", "argv"),
    [
        ("notify pull", ["notify", "pull"]),
        ("notify pull --json", ["notify", "pull", "--json"]),
        ("warmline notify --json pull", ["notify", "pull", "--json"]),
        ("notify confirm 12 13", ["notify", "confirm", "12", "13"]),
        ("notify confirm --json 12", ["notify", "confirm", "--json", "12"]),
        ("shifts --mine", ["shifts", "--mine"]),
        ("shifts --mine --json", ["shifts", "--mine", "--json"]),
        ("export ics", ["export", "ics"]),
    ],
)
def test_the_allowed_shapes(original, argv):
    assert keys.allowed_command(original) == argv


@pytest.mark.parametrize(
    "original",
    [
        "ls", "sh -c id", "notify", "notify pull; sh", "notify pull && id", "notify pull $(id)",
        "shifts", "shifts --mine --person ben", "shifts --person ben", "shifts --mine --json --json",
        "--as coord shifts --mine", "shifts --mine --as coord", "--db /tmp/x.db shifts --mine", "--db=/x shifts --mine",
        "WARMLINE_AS=coord shifts --mine", "notify confirm", "notify confirm 1 x", "notify confirm -1",
        "notify confirm ١", "export ics --person ben", "export ics -o /tmp/x", "export ics --dir /srv",
        "people list", "keys add ana k.pub", "ssh ana", "notify --daemon", "notify settings --channels app",
        "notify pull\nid", "notify pull '", "shifts --mine --help", "--version",
    ],
)
def test_everything_else_is_refused_in_one_line(original):
    with pytest.raises(Refused) as caught:
        keys.allowed_command(original)
    assert str(caught.value).startswith("not allowed over ssh") and "\n" not in str(caught.value)


def test_refused_commands_are_audited_by_their_first_word_only(rota, coordinator, tmp_path):
    key = keys.add(rota, coordinator, "ana", make_key(), authorized_keys=tmp_path / "authorized_keys")
    keys.audit_refused_command(rota, person(rota, "ana"), key.fingerprint, "rm\x1b[2J")
    (actor, subject, detail), = audit_rows(rota, "ssh.refused")
    assert (actor, subject) == ("ana", "ana") and detail == f"rm??2j; key {key.fingerprint}"


def test_writing_is_atomic_when_the_write_fails(rota, coordinator, tmp_path, monkeypatch):
    auth = tmp_path / "authorized_keys"
    auth.write_bytes(b"mine\n")

    def broken(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError):
        keys.add(rota, coordinator, "ana", make_key(), authorized_keys=auth)
    assert auth.read_bytes() == b"mine\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".authorized_keys")) == []
    assert rota.conn.execute("SELECT count(*) FROM ssh_key").fetchone()[0] == 0


@pytest.mark.slow
def test_cli_keys_add_list_remove(run_cli, tmp_path):
    assert run_cli("init", "--name", "T", "--tz", "Europe/London", "--coordinator", "coord").returncode == 0
    assert run_cli("people", "add", "ana", "--name", "Ana").returncode == 0
    pub = tmp_path / "ana.pub"
    pub.write_text(make_key())
    auth = tmp_path / "auth"
    done = run_cli("keys", "add", "ana", str(pub), "--authorized-keys", str(auth), "--json")
    assert done.returncode == 0, done.stderr
    fp = keys.parse_public_key(make_key()).fingerprint
    assert f'"fingerprint": "{fp}"' in done.stdout
    listed = run_cli("keys", "list")
    assert "ana" in listed.stdout and fp in listed.stdout
    smuggled = tmp_path / "bad.pub"
    smuggled.write_text('command="sh" ' + make_key(seed=3))
    bad = run_cli("keys", "add", "ana", str(smuggled), "--authorized-keys", str(auth))
    assert bad.returncode == 1 and bad.stderr.startswith("error: ") and bad.stderr.count("\n") == 1
    gone = run_cli("keys", "remove", "ana", fp)
    assert gone.returncode == 0, gone.stderr
    assert "ssh ana" not in auth.read_text()
    # people deactivate takes the keys out of the block
    run_cli("keys", "add", "ana", str(pub), "--authorized-keys", str(auth))
    assert "ssh ana" in auth.read_text()
    assert run_cli("people", "deactivate", "ana", "--yes").returncode == 0
    assert "ssh ana" not in auth.read_text()
    assert run_cli("people", "edit", "ana", "--activate").returncode == 0
    assert "ssh ana" in auth.read_text()  # reactivated: her key is back


def test_the_launcher_opens_a_keys_app_without_the_cli_only_when_no_command_came(monkeypatch):
    import io
    import sys

    from warmline import launch

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Tty())
    monkeypatch.delenv("SSH_ORIGINAL_COMMAND", raising=False)
    fp = "SHA256:" + "A" * 43
    assert launch.key_session(["--db", "/srv/rota.db", "ssh", "ana", "--key", fp]) == ("/srv/rota.db", "ana", fp)
    assert launch.key_session(["ssh", "ana"]) == (None, "ana", None)
    for args in (["ssh"], ["ssh", "ana", "--json"], ["--db", "", "ssh", "ana"], ["--as", "coord", "ssh", "ana"], ["shifts"]):
        assert launch.key_session(args) is None
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", "shifts --mine")
    assert launch.key_session(["ssh", "ana", "--key", fp]) is None  # a command: the CLI's allow-list decides
    monkeypatch.delenv("SSH_ORIGINAL_COMMAND")
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    assert launch.key_session(["ssh", "ana", "--key", fp]) is None  # no terminal: the CLI explains


@pytest.mark.slow
def test_hostile_text_planted_in_the_keys_table_reaches_no_output_raw(run_cli, tmp_path):
    from hostile import CONTROLS, escaped_controls, plant

    assert run_cli("init", "--name", "T", "--tz", "Europe/London", "--coordinator", "coord").returncode == 0
    pub = tmp_path / "coord.pub"
    pub.write_text(make_key())
    assert run_cli("keys", "add", "coord", str(pub), "--authorized-keys", str(tmp_path / "auth")).returncode == 0
    hostile = "".join(CONTROLS)
    plant(run_cli.db, "UPDATE ssh_key SET comment = ?, added_by = ?", (hostile, hostile))
    for args in (("keys", "list"), ("keys", "list", "--json")):
        done = run_cli(*args)
        assert done.returncode == 0, done.stderr
        assert escaped_controls(done.stdout) == [] and "coord" in done.stdout


def test_forget_takes_the_persons_line_out_of_authorized_keys_and_leaves_every_other_line(rota, coordinator, tmp_path):
    """ana is deactivated in the core (as the app does: no key sync), then forgotten: her line, which names
    her handle, leaves the file; ben's line and the lines outside warmline's block stay byte for byte."""
    from warmline.privacy import forget

    auth = tmp_path / "authorized_keys"
    auth.write_bytes(b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOwn someone@else\n")
    keys.add(rota, coordinator, "ana", make_key(), authorized_keys=auth)
    keys.add(rota, coordinator, "ben", make_key(seed=2, comment="ben@laptop"), authorized_keys=auth)
    auth.write_bytes(auth.read_bytes() + b"# a line after the block\n")
    before = auth.read_bytes().splitlines(keepends=True)
    names_ana = re.compile(rb"\bana\b", re.IGNORECASE)
    anas = [line for line in before if names_ana.search(line)]
    assert len(anas) == 1 and b" ssh ana " in anas[0] and anas[0].endswith(b" warmline:ana\n")
    people.deactivate(rota, coordinator, "ana")
    forget(rota, coordinator, "ana", vacuum=False)
    after = auth.read_bytes().splitlines(keepends=True)
    assert not [line for line in after if names_ana.search(line)]
    assert after == [line for line in before if line not in anas]
    assert stat.S_IMODE(auth.stat().st_mode) == 0o600


@pytest.mark.slow
def test_a_clock_the_ssh_client_could_set_moves_nothing(run_cli, tmp_path):
    """WARMLINE_NOW reaching the forced command (an sshd with AcceptEnv) is dropped: `shifts --mine`
    over a key lists from the real present, while the same command run by the account follows it."""
    import json

    assert run_cli("init", "--name", "T", "--tz", "America/New_York", "--coordinator", "coord").returncode == 0
    assert run_cli("shift", "add", "--start", "2026-11-24T09:00", "--end", "2026-11-24T13:00").returncode == 0
    assert run_cli("assign", "1", "coord").returncode == 0
    pub = tmp_path / "coord.pub"
    pub.write_text(make_key(comment="coord@laptop"))
    added = run_cli("keys", "add", "coord", str(pub), "--authorized-keys", str(tmp_path / "auth"), "--json")
    fingerprint = json.loads(added.stdout)["fingerprint"]
    local = run_cli("shifts", "--mine", "--json")  # the fixed clock (23 Nov 2026) is before the shift
    assert [s["id"] for s in json.loads(local.stdout)] == [1]
    over_ssh = run_cli(
        "--db", str(run_cli.db), "ssh", "coord", "--key", fingerprint,
        env={"SSH_ORIGINAL_COMMAND": "shifts --mine --json"},  # WARMLINE_NOW is still set, as a client might send it
    )
    assert over_ssh.returncode == 0, over_ssh.stderr
    assert json.loads(over_ssh.stdout) == [], "the shift of 24 Nov 2026 is in the real past: the client's clock was ignored"
