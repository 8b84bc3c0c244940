"""SSH keys: who you are over SSH. Each person's public keys, and the block they make in an
`authorized_keys` file.

A key is stored in the rota (table ssh_key) and written as one line of a marked block in the
rota account's `authorized_keys` (default ~/.ssh/authorized_keys):

    command="/path/to/warmline [--db ROTA] ssh HANDLE --key SHA256:...",restrict,pty ssh-ed25519 AAAA... warmline:HANDLE

so sshd runs `warmline ssh HANDLE` for whoever signs in with that key, whatever they asked
for (`restrict` turns off forwarding of every kind; `pty` gives the app its terminal). The
block is rebuilt from the rota on every change (keys of inactive people are left out), written
to a temporary file beside it, flushed and renamed over it (mode 0600); every byte outside
the block stays as it was.

A key is accepted only as `TYPE BASE64 [COMMENT]` of a known type whose decoded data names
the same type: options, a second line, or anything else that could add to the line sshd
reads is refused. The comment is kept for `keys list` only, reduced to plain characters.
Permissions: coordinators manage anyone's keys; a volunteer adds, lists and removes their own.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import shlex
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

from . import audit
from .clock import real_now
from .db import Database, iso_utc, parse_utc
from .errors import Invalid, NotFound, Refused
from .model import Person
from .text import find_control, is_control

KEY_TYPES = (
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-rsa",
)
BEGIN = "# >>> warmline keys: managed by `warmline keys`; lines in this block are rewritten >>>"
END = "# <<< warmline keys <<<"
MAX_KEY_TEXT = 16 * 1024
MAX_KEYS_PER_PERSON = 20
MAX_COMMENT = 64
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_COMMENT_KEEP = re.compile(r"[^A-Za-z0-9@._+:-]+")
_FINGERPRINT = re.compile(r"(?:SHA256:)?([A-Za-z0-9+/]{43})")


@dataclass(frozen=True)
class PublicKey:
    """A parsed public key: its type, its base64 data, its SHA256 fingerprint, a plain comment."""

    key_type: str
    data: str
    fingerprint: str
    comment: str = ""


@dataclass(frozen=True)
class Key:
    """A key stored in the rota, and the authorized_keys file its line is written to."""

    id: int
    handle: str
    active: bool
    key_type: str
    fingerprint: str
    comment: str
    authorized_keys: str
    added_at: object
    added_by: str


# ---------------------------------------------------------------- parsing


def fingerprint_of(blob: bytes) -> str:
    """The key's SHA256 fingerprint as `ssh-keygen -lf` prints it: 'SHA256:' and unpadded base64."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def _fields(blob: bytes) -> list[bytes]:
    """The length-prefixed strings an SSH public key blob is made of (RFC 4253 6.6); Invalid if it is not one."""
    found = []
    i = 0
    while i < len(blob):
        if i + 4 > len(blob):
            raise Invalid("the key's data is cut short: copy the whole line of the .pub file")
        size = int.from_bytes(blob[i : i + 4], "big")
        i += 4
        if size > len(blob) - i:
            raise Invalid("the key's data is cut short: copy the whole line of the .pub file")
        found.append(blob[i : i + size])
        i += size
    return found


def parse_public_key(text: str) -> PublicKey:
    """Read one OpenSSH public key line, `TYPE BASE64 [COMMENT]`; Invalid for anything else."""
    if len(text) > MAX_KEY_TEXT:
        raise Invalid(f"that is {len(text)} characters, more than any public key: give the .pub file of one key")
    if "PRIVATE KEY" in text:
        raise Invalid("that is a private key: give the public one (the .pub file), and keep the private key to yourself")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise Invalid("no key found: give a public key file such as ~/.ssh/id_ed25519.pub")
    if len(lines) > 1:
        raise Invalid(f"that holds {len(lines)} lines: give one public key, on one line (one file per key)")
    line = lines[0].strip()
    if any(is_control(ch) for ch in line if ch != "\t"):
        raise Invalid("the key holds control characters: give the .pub file exactly as ssh-keygen wrote it")
    parts = line.split(None, 2)
    kind = parts[0]
    if kind not in KEY_TYPES:
        if any(ch in kind for ch in '=",'):
            raise Invalid(
                "the key starts with options (such as command= or from=): give only 'TYPE KEY [COMMENT]'; "
                "warmline writes the options itself"
            )
        raise Invalid(
            f"{kind[:40]!r} is not a key type warmline accepts: use a key made by ssh-keygen "
            f"({', '.join(KEY_TYPES[:2])}, ... ; ssh-keygen -t ed25519 makes one)"
        )
    if len(parts) < 2:
        raise Invalid(f"the {kind} key has no key data after its type: copy the whole line of the .pub file")
    data = parts[1]
    if not _BASE64.fullmatch(data):
        raise Invalid(f"the {kind} key's data is not base64: copy the whole line of the .pub file")
    try:
        blob = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(f"the {kind} key's data is not base64: copy the whole line of the .pub file") from None
    if base64.b64encode(blob).decode() != data:
        raise Invalid(f"the {kind} key's data is not base64 as ssh-keygen writes it: copy the whole line of the .pub file")
    fields = _fields(blob)
    if len(fields) < 2 or fields[0] != kind.encode():
        raise Invalid(f"the key says it is {kind} but its data is not a {kind} key: copy the line of the .pub file unchanged")
    if kind == "ssh-ed25519" and (len(fields) != 2 or len(fields[1]) != 32):
        raise Invalid("the ssh-ed25519 key's data is not 32 bytes of key: copy the line of the .pub file unchanged")
    if kind == "ssh-rsa" and (len(fields) != 3 or len(fields[2]) * 8 < 2048 - 8):
        raise Invalid("an ssh-rsa key needs at least 2048 bits: make an ed25519 key instead (ssh-keygen -t ed25519)")
    comment = ""
    if len(parts) == 3:
        comment = _COMMENT_KEEP.sub("-", parts[2].strip()).strip("-")[:MAX_COMMENT]
    return PublicKey(kind, data, fingerprint_of(blob), comment)


def normal_fingerprint(text: str) -> str:
    """'SHA256:abc…' or 'abc…' (43 base64 characters) → 'SHA256:abc…'; Invalid otherwise."""
    found = _FINGERPRINT.fullmatch((text or "").strip())
    if not found:
        raise Invalid(
            "that is not a key fingerprint: give it as `warmline keys list` shows it, e.g. SHA256:abc… (43 characters)"
        )
    return "SHA256:" + found.group(1)


# ---------------------------------------------------------------- the forced command


def warmline_executable() -> str:
    """The absolute path of this warmline's console script (what sshd runs for a key)."""
    candidates = []
    if sys.argv and os.path.basename(sys.argv[0]) == "warmline":
        candidates.append(os.path.abspath(sys.argv[0]))
    candidates.append(os.path.join(os.path.dirname(os.path.abspath(sys.executable)), "warmline"))
    import shutil

    found = shutil.which("warmline")
    if found:
        candidates.append(os.path.abspath(found))
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise Invalid("cannot find the warmline program to run for a key: install warmline (pipx install warmline) and try again")


def _check_path_text(value: str, what: str) -> None:
    # The line sshd reads quotes the command in double quotes; nothing may end or escape that quote.
    if any(ch in value for ch in '"\\') or any(not ch.isprintable() for ch in value):
        raise Invalid(
            f"{what} {value[:80]!r} holds a quote, backslash or control character, which cannot go into "
            "authorized_keys: move it to a plain path"
        )


def forced_command(handle: str, fingerprint: str, db_path: Path | None) -> str:
    """The command sshd runs for this key: `warmline [--db ROTA] ssh HANDLE --key FINGERPRINT`."""
    exe = warmline_executable()
    _check_path_text(exe, "the warmline program")
    argv = [exe]
    if db_path is not None:
        _check_path_text(str(db_path), "the rota file")
        argv += ["--db", str(db_path)]
    argv += ["ssh", handle, "--key", fingerprint]
    return " ".join(shlex.quote(a) for a in argv)


def _rota_for_command(db: Database) -> Path | None:
    """The rota's path for the forced command, or None when it is the default one (no --db needed)."""
    from .db import default_path

    path = Path(os.path.abspath(db.path))
    try:
        if path.resolve() == default_path().resolve():
            return None
    except OSError:
        pass
    return path


def key_line(handle: str, key_type: str, data: str, fingerprint: str, db_path: Path | None) -> str:
    """One authorized_keys line for a stored key."""
    command = forced_command(handle, fingerprint, db_path)
    return f'command="{command}",restrict,pty {key_type} {data} warmline:{handle}'


# ---------------------------------------------------------------- the authorized_keys file


def default_authorized_keys() -> Path:
    """~/.ssh/authorized_keys of the account running warmline."""
    return Path.home() / ".ssh" / "authorized_keys"


def authorized_keys_path(value: str | os.PathLike[str] | None) -> Path:
    """The file to write (absolute, links followed to the file they name), from --authorized-keys or the default."""
    if value is not None and not str(value).strip():
        raise Invalid("--authorized-keys is empty: give a file name, or leave it out for ~/.ssh/authorized_keys")
    path = Path(value).expanduser() if value is not None else default_authorized_keys()
    path = Path(os.path.realpath(path))
    _check_path_text(str(path), "the authorized_keys file")
    return path


def splice(old: bytes, block: bytes, path: Path) -> bytes:
    """`old` with its warmline block replaced by `block` (appended when there is none); other bytes unchanged."""
    lines = old.splitlines(keepends=True)
    begins = [i for i, line in enumerate(lines) if line.rstrip(b"\r\n") == BEGIN.encode()]
    ends = [i for i, line in enumerate(lines) if line.rstrip(b"\r\n") == END.encode()]
    if not begins and not ends:
        if not block:
            return old
        gap = b"" if not old or old.endswith(b"\n") else b"\n"
        return old + gap + block
    if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
        raise Invalid(
            f"{path} has a damaged warmline block ({len(begins)} start and {len(ends)} end markers): "
            "remove the marker lines and the lines between them by hand, then run the command again"
        )
    return b"".join(lines[: begins[0]]) + block + b"".join(lines[ends[0] + 1 :])


def write_file(path: Path, content: bytes) -> None:
    """Replace `path` with `content` atomically: a temporary file beside it (0600), fsync, rename, fsync the directory."""
    import tempfile

    parent = path.parent
    if not parent.exists():
        parent.mkdir(mode=0o700, parents=True)
        os.chmod(parent, 0o700)
    elif parent == default_authorized_keys().parent and parent.stat().st_mode & 0o077:
        os.chmod(parent, 0o700)  # sshd (StrictModes) ignores keys in a ~/.ssh that others may read or write
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=".authorized_keys.", suffix=".warmline")
    try:
        os.fchmod(fd, 0o600)
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(tmp, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    dir_fd = os.open(parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def block_for(conn: sqlite3.Connection, path: Path, db_path: Path | None) -> bytes:
    """The block for one authorized_keys file: a line for each key of an active person written to it."""
    rows = conn.execute(
        "SELECT p.handle, k.key_type, k.key_base64, k.fingerprint FROM ssh_key k JOIN person p ON p.id = k.person_id"
        " WHERE k.authorized_keys = ? AND p.active = 1 ORDER BY p.handle, k.id",
        (str(path),),
    ).fetchall()
    lines = [BEGIN] + [key_line(r[0], r[1], r[2], r[3], db_path) for r in rows] + [END]
    return ("\n".join(lines) + "\n").encode()


def rebuild(conn: sqlite3.Connection, db: Database, path: Path) -> None:
    """Write `path`'s block from the rota (inside the change's transaction: a failed write undoes the change)."""
    old = path.read_bytes() if path.exists() else b""
    new = splice(old, block_for(conn, path, _rota_for_command(db)), path)
    if new == old and path.exists() and path.stat().st_mode & 0o777 == 0o600:
        return
    write_file(path, new)


# ---------------------------------------------------------------- the rota's keys


def _key(row: sqlite3.Row) -> Key:
    return Key(
        id=row["id"],
        handle=row["handle"],
        active=bool(row["active"]),
        key_type=row["key_type"],
        fingerprint=row["fingerprint"],
        comment=row["comment"],
        authorized_keys=row["authorized_keys"],
        added_at=parse_utc(row["added_at"]),
        added_by=row["added_by"],
    )


_SELECT = (
    "SELECT k.id, p.handle, p.active, k.key_type, k.fingerprint, k.comment, k.authorized_keys, k.added_at, k.added_by"
    " FROM ssh_key k JOIN person p ON p.id = k.person_id"
)


def _may_manage(who: Person, person: Person, verb: str) -> None:
    if not who.active:
        raise Refused(f"{who.handle} is inactive and cannot change keys: ask a coordinator")
    if who.id != person.id and not who.is_coordinator:
        raise Refused(f"{who.handle} may only {verb} their own keys; a coordinator can {verb} {person.handle}'s")


def add(db: Database, actor: Person, handle: str, key_text: str, *, authorized_keys: str | os.PathLike[str] | None = None) -> Key:
    """Register a person's public key and write its line into the authorized_keys block. Audited."""
    from .people import fresh_actor, get as get_person

    key = parse_public_key(key_text)
    path = authorized_keys_path(authorized_keys)
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        person = get_person(conn, handle)
        _may_manage(who, person, "add")
        if not person.active:
            raise Refused(f"{person.handle} is inactive: reactivate them before adding a key")
        taken = conn.execute("SELECT person_id FROM ssh_key WHERE fingerprint = ?", (key.fingerprint,)).fetchone()
        if taken is not None:
            if taken[0] == person.id:
                raise Refused(f"{person.handle} already has the key {key.fingerprint}: nothing was changed")
            raise Refused(f"the key {key.fingerprint} belongs to another person: each key is one person's; make a new one")
        count = conn.execute("SELECT count(*) FROM ssh_key WHERE person_id = ?", (person.id,)).fetchone()[0]
        if count >= MAX_KEYS_PER_PERSON:
            raise Refused(f"{person.handle} has {count} keys already: remove one first (warmline keys remove)")
        forced_command(person.handle, key.fingerprint, _rota_for_command(db))  # refuse an unwritable path first
        cur = conn.execute(
            "INSERT INTO ssh_key (person_id, key_type, key_base64, fingerprint, comment, authorized_keys, added_at, added_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (person.id, key.key_type, key.data, key.fingerprint, key.comment, str(path), iso_utc(real_now()), who.handle),
        )
        audit.record(conn, who.handle, "key.add", person.handle, f"{key.key_type} {key.fingerprint} in {path}")
        rebuild(conn, db, path)
        return _key(conn.execute(f"{_SELECT} WHERE k.id = ?", (cur.lastrowid,)).fetchone())


def remove(db: Database, actor: Person, handle: str, fingerprint: str) -> Key:
    """Remove a person's key from the rota and its line from the authorized_keys block. Audited."""
    from .people import fresh_actor, get as get_person

    fp = normal_fingerprint(fingerprint)
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        person = get_person(conn, handle)
        _may_manage(who, person, "remove")
        row = conn.execute(f"{_SELECT} WHERE k.person_id = ? AND k.fingerprint = ?", (person.id, fp)).fetchone()
        if row is None:
            raise NotFound(f"{person.handle} has no key {fp}: see `warmline keys list`")
        key = _key(row)
        conn.execute("DELETE FROM ssh_key WHERE id = ?", (key.id,))
        audit.record(conn, who.handle, "key.remove", person.handle, f"{key.key_type} {key.fingerprint} from {key.authorized_keys}")
        rebuild(conn, db, Path(key.authorized_keys))
        return key


def listed(conn: sqlite3.Connection, actor: Person) -> list[Key]:
    """The keys the actor may see: everyone's for a coordinator, their own for a volunteer."""
    sql = _SELECT
    params: tuple = ()
    if not actor.is_coordinator:
        sql += " WHERE k.person_id = ?"
        params = (actor.id,)
    return [_key(r) for r in conn.execute(sql + " ORDER BY p.handle, k.id", params)]


def sync_person(db: Database, actor: Person, handle: str) -> int:
    """Rewrite the blocks that hold a person's keys (after a deactivation: their lines go). Returns files written."""
    from .people import fresh_actor, get as get_person

    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        person = get_person(conn, handle)
        if who.id != person.id and not who.is_coordinator:
            raise Refused(f"{who.handle} may only change their own keys")
        paths = [r[0] for r in conn.execute("SELECT DISTINCT authorized_keys FROM ssh_key WHERE person_id = ?", (person.id,))]
        for path in paths:
            rebuild(conn, db, Path(path))
        if paths and not person.active:
            audit.record(conn, who.handle, "key.suspend", person.handle, f"inactive: keys left out of {len(paths)} file(s)")
        return len(paths)


# ---------------------------------------------------------------- signing in with a key


def key_signin(db: Database, handle: str, fingerprint: str | None, *, interactive: bool) -> Person:
    """The person a key's forced command acts as; Refused without a key, when they are inactive, or when the
    key is no longer theirs.

    An interactive sign-in is audited with the key's fingerprint; commands run over ssh are not (a
    notification daemon asks every 30 seconds), except when refused.
    """
    from .people import validate_handle

    validate_handle(handle)
    if not fingerprint:
        # The forced command always names its key; without one, this is someone at a shell of the account.
        raise Refused(f"`warmline ssh {handle}` is run by sshd for a key, and names it with --key: add keys with `warmline keys add`")
    fp = normal_fingerprint(fingerprint)
    refusal = Refused(
        f"this key cannot sign in as {handle}: the person is inactive or the key was removed: ask a coordinator"
    )
    row = db.conn.execute("SELECT id, active FROM person WHERE handle = ?", (handle,)).fetchone()
    ok = row is not None and bool(row["active"])
    if ok:
        ok = db.conn.execute("SELECT 1 FROM ssh_key WHERE person_id = ? AND fingerprint = ?", (row["id"], fp)).fetchone() is not None
    if not ok or interactive:
        with db.transaction() as conn:
            audit.record(conn, handle, "signin.key" if ok else "signin.key.refused", handle, fp)
    if not ok:
        raise refusal
    from .people import get_by_id

    return get_by_id(db.conn, row["id"])


def audit_refused_command(db: Database, person: Person, fingerprint: str | None, first_word: str) -> None:
    """Record a command refused over ssh (only its first word: the rest is whatever was typed)."""
    word = re.sub(r"[^a-z0-9-]", "?", first_word.lower())[:20] or "(empty)"
    with db.transaction() as conn:
        audit.record(conn, person.handle, "ssh.refused", person.handle, f"{word}; key {fingerprint or 'unnamed'}")


# ---------------------------------------------------------------- what a key may run


ALLOWED_TEXT = "notify pull [--json], notify confirm ID..., shifts --mine [--json], export ics; or nothing, to open the app"


def allowed_command(original: str) -> list[str]:
    """The argv to run for an ssh client's command (SSH_ORIGINAL_COMMAND), if it is one a key may run.

    Split like a shell would (shlex), never given to one; an optional leading `warmline` is dropped.
    Only these exact shapes pass: `notify pull [--json]`, `notify confirm [--json] ID...`,
    `shifts --mine [--json]`, `export ics`. The person and the rota are the key's: any --as,
    --db or WARMLINE_ variable is refused, like everything else.
    """
    refused = Refused(f"not allowed over ssh: a key may run {ALLOWED_TEXT}")
    if len(original) > 4096 or find_control(original):
        raise refused
    try:
        argv = shlex.split(original)
    except ValueError:
        raise refused from None
    if argv and argv[0] == "warmline":
        argv = argv[1:]
    if any(a.startswith(("--as", "--db", "-h", "--help", "--version")) or "WARMLINE_" in a for a in argv):
        raise Refused("not allowed over ssh: the person and the rota are fixed by your key (no --as, --db or WARMLINE_)")
    flags = [a for a in argv if a == "--json"]
    rest = [a for a in argv if a != "--json"]
    if len(flags) > 1:
        raise refused
    # What runs is rebuilt from these shapes, never the words as typed.
    if rest == ["notify", "pull"] or rest == ["shifts", "--mine"]:
        return rest + flags
    if rest[:2] == ["notify", "confirm"] and 1 <= len(rest) - 2 <= 200 and all(a.isascii() and a.isdigit() for a in rest[2:]):
        return rest[:2] + flags + rest[2:]
    if rest == ["export", "ics"] and not flags:
        return rest
    raise refused
