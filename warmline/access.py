"""Who the actor is, what each role may do, and passphrases (hashlib.scrypt, salted).

Permissions are checked here, in the core, by every service function: the UI and
the CLI only explain a refusal, they never are the only thing standing in the way.
"""

from __future__ import annotations

import base64
import getpass
import math
import os
import sqlite3
from datetime import timedelta

from .errors import Invalid, Refused
from .model import Person

# scrypt cost: n=2**14, r=8 takes ~50 ms and 16 MiB here, the common interactive setting.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
MIN_PASSPHRASE = 8
MAX_PASSPHRASE = 1024
LOCK_AFTER_FAILURES = 5
LOCK_SECONDS = 30

# Operations a volunteer may do, and then only on themself (see `require`).
VOLUNTEER_SELF = frozenset({"claim", "drop", "person.edit.self", "person.passphrase.self"})
# Everything a coordinator may do that a volunteer may not.
COORDINATOR_ONLY = frozenset(
    {
        "line.edit",
        "person.add",
        "person.edit",
        "person.deactivate",
        "person.passphrase",
        "tag.add",
        "shift.add",
        "shift.edit",
        "shift.cancel",
        "series.edit",
        "series.cancel",
        "assign",
        "unassign",
        "force",
        "audit.read",
        "tags.read.others",
        "coverage.read",
        "goal.add",
        "goal.remove",
    }
)


def hash_passphrase(passphrase: str) -> str:
    """Return a self-describing scrypt hash with a fresh random salt."""
    import hashlib  # (here, not at the top: only a passphrase needs it, and every start imports this module)

    validate_passphrase(passphrase)
    salt = os.urandom(SALT_BYTES)
    digest = hashlib.scrypt(passphrase.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return "scrypt${}${}${}${}${}".format(
        SCRYPT_N, SCRYPT_R, SCRYPT_P, base64.b64encode(salt).decode(), base64.b64encode(digest).decode()
    )


def verify_passphrase(passphrase: str, stored: str | None) -> bool:
    """True when the passphrase matches the stored hash (constant-time comparison)."""
    import hashlib
    import hmac

    if not stored or len(passphrase) > MAX_PASSPHRASE:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            passphrase.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def validate_passphrase(passphrase: str) -> None:
    """Refuse passphrases that are too short, too long or contain control characters."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise Invalid(f"a passphrase needs at least {MIN_PASSPHRASE} characters: choose a longer one")
    if len(passphrase) > MAX_PASSPHRASE:
        raise Invalid(f"a passphrase may have at most {MAX_PASSPHRASE} characters: choose a shorter one")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in passphrase):
        raise Invalid("a passphrase may not contain control characters: choose another")


def os_user() -> str | None:
    """The login name of the OS user running this process, if it can be found."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def require(actor: Person, operation: str, *, target: Person | None = None) -> None:
    """Raise Refused unless `actor` may do `operation` (to `target`, for operations on a person)."""
    if not actor.active:
        raise Refused(f"{actor.handle} is inactive and cannot make changes: ask a coordinator")
    if actor.is_coordinator:
        return
    if operation in VOLUNTEER_SELF:
        if target is None or target.id == actor.id:
            return
        raise Refused(f"{actor.handle} may only do that for themself; a coordinator can do it for {target.handle}")
    if operation in COORDINATOR_ONLY:
        raise Refused(_coordinator_only_message(actor, operation))
    raise Refused(f"{actor.handle} may not {operation}: unknown operation")


_PLAIN = {
    "line.edit": "change the line's settings",
    "person.add": "add people",
    "person.edit": "edit other people",
    "person.deactivate": "deactivate people",
    "person.passphrase": "set another person's passphrase",
    "tag.add": "add tags",
    "shift.add": "create shifts",
    "shift.edit": "edit shifts",
    "shift.cancel": "cancel shifts",
    "series.edit": "edit series",
    "series.cancel": "cancel series",
    "assign": "assign people to shifts",
    "unassign": "take people off shifts",
    "force": "override a rota rule",
    "audit.read": "read the audit log",
    "tags.read.others": "see other people's tags",
    "coverage.read": "see the coverage report",
    "goal.add": "add coverage goals",
    "goal.remove": "remove coverage goals",
}


def _coordinator_only_message(actor: Person, operation: str) -> str:
    return f"only coordinators may {_PLAIN.get(operation, operation)}; {actor.handle} is a volunteer"


def register_failure(conn: sqlite3.Connection, person_id: int, moment) -> bool:
    """Count a wrong passphrase; return True when this failure locks the handle."""
    from .db import iso_utc

    row = conn.execute("SELECT failed_signins FROM person WHERE id = ?", (person_id,)).fetchone()
    failures = row[0] + 1
    if failures >= LOCK_AFTER_FAILURES:
        conn.execute(
            "UPDATE person SET failed_signins = 0, locked_until = ? WHERE id = ?",
            (iso_utc(moment + timedelta(seconds=LOCK_SECONDS)), person_id),
        )
        return True
    conn.execute("UPDATE person SET failed_signins = ? WHERE id = ?", (failures, person_id))
    return False


def sign_in(db, handle: str, passphrase: str) -> Person:
    """Check a handle's passphrase; 5 wrong ones lock the handle for 30 s. Attempts are audited."""
    from . import audit
    from .clock import now
    from .db import iso_utc, parse_utc
    from .people import get, validate_handle

    validate_handle(handle)
    moment = now()
    # Read the hash outside the write lock: scrypt is slow and must not block other writers.
    row = db.conn.execute(
        "SELECT passphrase_hash, locked_until FROM person WHERE handle = ? AND active = 1", (handle,)
    ).fetchone()
    matched = row is not None and verify_passphrase(passphrase, row["passphrase_hash"])
    # A refusal that records something (a failure count, a lock, an audit row) must be raised
    # only after the transaction commits: raising inside it would roll the record back.
    refusal: Refused | None = None
    with db.transaction() as conn:
        person = None
        try:
            person = get(conn, handle)
        except Invalid:
            pass
        if person is None or not person.active:
            raise Refused(f"cannot sign in as {handle}: unknown or inactive handle, or wrong passphrase")
        locked = conn.execute("SELECT locked_until FROM person WHERE id = ?", (person.id,)).fetchone()[0]
        if locked and parse_utc(locked) > moment:
            wait = math.ceil((parse_utc(locked) - moment).total_seconds())
            audit.record(conn, handle, "signin.locked", handle, "attempt while locked")
            refusal = Refused(f"{handle} is locked after {LOCK_AFTER_FAILURES} wrong passphrases: try again in {wait} s")
        elif not person.has_passphrase:
            raise Refused(f"{handle} has no passphrase yet: ask a coordinator to set one (`warmline people passphrase`)")
        elif not matched:
            now_locked = register_failure(conn, person.id, moment)
            audit.record(conn, handle, "signin.failed", handle, "locked for 30 s" if now_locked else "wrong passphrase")
            if now_locked:
                refusal = Refused(f"wrong passphrase for {handle}; it is now locked for {LOCK_SECONDS} s")
            else:
                refusal = Refused(f"cannot sign in as {handle}: unknown or inactive handle, or wrong passphrase")
        else:
            conn.execute("UPDATE person SET failed_signins = 0, locked_until = NULL WHERE id = ?", (person.id,))
            audit.record(conn, handle, "signin", handle, iso_utc(moment))
    if refusal is not None:
        raise refusal
    return person


def resolve_actor(db, handle: str | None, passphrase: "callable | None" = None) -> Person:
    """The acting person: --as HANDLE (with a passphrase unless the OS user is their login), else the OS user's person.

    `passphrase` is called only when one is needed; it returns the passphrase or None.
    """
    from .people import by_login, get, validate_handle

    user = os_user()
    if handle:
        validate_handle(handle)
        person = get(db.conn, handle)
        if not person.active:
            raise Refused(f"{handle} is inactive: ask a coordinator to reactivate them")
        if user and person.login == user:
            return person
        secret = passphrase() if passphrase else None
        if secret is None:
            raise Refused(
                f"acting as {handle} needs their passphrase: set WARMLINE_PASSPHRASE or run in a terminal to be asked"
            )
        return sign_in(db, handle, secret)
    person = by_login(db.conn, user) if user else None
    if person is None:
        raise Refused(
            f"the OS user {user or '(unknown)'} is not a person on this line: use --as HANDLE "
            "(or WARMLINE_AS), or ask a coordinator to add your login with `warmline people edit HANDLE --login USER`"
        )
    if not person.active:
        raise Refused(f"{person.handle} is inactive: ask a coordinator to reactivate them")
    return person
