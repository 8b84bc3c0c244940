"""Who the actor is: passphrases (hashlib.scrypt, salted), signing in, acting as someone.

What each role may do is warmline/permissions.py (`require`, also importable from here): checked
in the core, by every service function; the UI and the CLI only explain a refusal, they never are
the only thing standing in the way.
"""

from __future__ import annotations

import base64
import math
import os
import sqlite3
from datetime import timedelta

from .errors import Invalid, Refused
from .model import Person
from .permissions import COORDINATOR_ONLY, VOLUNTEER_SELF, require  # noqa: F401 (access.require: the check)

# scrypt cost: OWASP's n=2**17, r=8, p=1 (~128 MiB and a few hundred ms). Each hash stores its own
# parameters, so a hash made at an older cost still verifies, and is re-made at this one on the next
# successful sign-in. No setting or variable lowers the cost: whoever runs a command could set it.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
# The most a stored hash may ask for (a hostile file must not make a sign-in take minutes or gigabytes):
# n up to 2**20, p up to 16, and at most 256 MiB (128·r·n bytes).
_MAX_N = 2**20
_MAX_P = 16
_MAX_MEMORY = 2**28
SALT_BYTES = 16
MIN_PASSPHRASE = 8
MAX_PASSPHRASE = 1024
LOCK_AFTER_FAILURES = 5
LOCK_SECONDS = 30


def _maxmem(n: int, r: int, p: int) -> int:
    """The memory limit hashlib.scrypt needs for these parameters (128·r·(n + p + 2) bytes), plus slack."""
    return 128 * r * (n + p + 2) + 2**20


def _scrypt(passphrase: str, salt: bytes, n: int, r: int, p: int, dklen: int = 32) -> bytes:
    import hashlib  # (here, not at the top: only a passphrase needs it, and every start imports this module)

    return hashlib.scrypt(passphrase.encode(), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=_maxmem(n, r, p))


def hash_passphrase(passphrase: str) -> str:
    """Return a self-describing scrypt hash ('scrypt$n$r$p$salt$digest') with a fresh random salt."""
    validate_passphrase(passphrase)
    salt = os.urandom(SALT_BYTES)
    digest = _scrypt(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "scrypt${}${}${}${}${}".format(
        SCRYPT_N, SCRYPT_R, SCRYPT_P, base64.b64encode(salt).decode(), base64.b64encode(digest).decode()
    )


def _parse(stored: str | None) -> tuple[int, int, int, bytes, bytes] | None:
    """(n, r, p, salt, digest) of a stored hash, or None when there is none or it is not one we can use."""
    if not stored:
        return None
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        n, r, p = int(n), int(r), int(p)
        salt, digest = base64.b64decode(salt, validate=True), base64.b64decode(digest, validate=True)
    except (ValueError, TypeError):
        return None
    if scheme != "scrypt" or not (2 <= n <= _MAX_N and n & (n - 1) == 0 and r >= 1 and 1 <= p <= _MAX_P):
        return None
    if 128 * r * n > _MAX_MEMORY:
        return None
    if not (8 <= len(salt) <= 64 and 16 <= len(digest) <= 64):
        return None
    return n, r, p, salt, digest


def _dummy_work(passphrase: str) -> None:
    """One scrypt at today's cost whose result is thrown away: a failure costs what a real check costs."""
    _scrypt(passphrase[:MAX_PASSPHRASE], b"warmline-no-such-hash", SCRYPT_N, SCRYPT_R, SCRYPT_P)


def verify_passphrase(passphrase: str, stored: str | None) -> bool:
    """True when the passphrase matches the stored hash (constant-time comparison).

    Exactly one scrypt runs whatever `stored` is: with no hash (an unknown handle, a person with no
    passphrase yet) or an unusable one, a dummy of today's cost, so the time taken does not tell.
    """
    import hmac

    parsed = _parse(stored)
    if parsed is None or len(passphrase) > MAX_PASSPHRASE:
        _dummy_work(passphrase)
        return False
    n, r, p, salt, expected = parsed
    try:
        actual = _scrypt(passphrase, salt, n, r, p, dklen=len(expected))
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(actual, expected)


def needs_rehash(stored: str | None) -> bool:
    """True when a stored hash is weaker than today's parameters in any of them (never re-made weaker)."""
    parsed = _parse(stored)
    return parsed is None or parsed[0] < SCRYPT_N or parsed[1] < SCRYPT_R or parsed[2] < SCRYPT_P


def validate_passphrase(passphrase: str) -> None:
    """Refuse passphrases that are too short, too long or contain control characters."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise Invalid(f"a passphrase needs at least {MIN_PASSPHRASE} characters: choose a longer one")
    if len(passphrase) > MAX_PASSPHRASE:
        raise Invalid(f"a passphrase may have at most {MAX_PASSPHRASE} characters: choose a shorter one")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in passphrase):
        raise Invalid("a passphrase may not contain control characters: choose another")


def os_user() -> str | None:
    """The login name of the real uid running this process, if it has one.

    Not getpass.getuser(): that reads LOGNAME and USER first, which whoever runs the command sets.
    """
    import pwd

    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except (KeyError, OSError):
        return None


def signin_refused(handle: str) -> Refused:
    """The one refusal for every failed sign-in: it does not tell whether the handle exists."""
    return Refused(
        f"cannot sign in as {handle}: unknown handle, no passphrase set, wrong passphrase, or locked for "
        f"{LOCK_SECONDS} s after {LOCK_AFTER_FAILURES} wrong ones: check them and try again, or ask a coordinator"
    )


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


def close_lock_window(conn: sqlite3.Connection, person_id: int) -> None:
    """End a person's lock window: one 'signin.locked' audit row with the attempts made during it (if any).

    While a handle is locked, `failed_signins` counts the attempts made on it (the wrong passphrases
    before the lock are audited one by one, at most LOCK_AFTER_FAILURES per window), so the audit
    log gains one row per window however many attempts come, not one per attempt. The row is written
    when the window is over: at the next attempt after it, or when a coordinator sets a passphrase.
    """
    from . import audit

    handle, count, until = conn.execute(
        "SELECT handle, failed_signins, locked_until FROM person WHERE id = ?", (person_id,)
    ).fetchone()
    if until is None:
        return
    if count:
        audit.record(
            conn, handle, "signin.locked", handle,
            f"{count} attempt{'' if count == 1 else 's'} while locked (until {until})",
        )
    conn.execute("UPDATE person SET failed_signins = 0, locked_until = NULL WHERE id = ?", (person_id,))


def sign_in(db, handle: str, passphrase: str) -> Person:
    """Check a handle's passphrase; 5 wrong ones lock the handle for 30 s. Attempts are audited.

    Every failure (unknown or inactive handle, no passphrase yet, wrong passphrase, locked) does the
    same work, one scrypt of today's cost, and says the same words (`signin_refused`), so neither
    the time nor the answer tells whether a handle exists. The lock window is real time
    (`clock.real_now`), never WARMLINE_NOW. A right passphrase stored at an older cost is re-hashed.
    """
    from . import audit, clock
    from .db import iso_utc, parse_utc
    from .identity import get_by_id, validate_handle

    validate_handle(handle)
    moment = clock.real_now()
    # Read the hash outside the write lock: scrypt is slow and must not block other writers.
    row = db.conn.execute(
        "SELECT id, passphrase_hash FROM person WHERE handle = ? AND active = 1", (handle,)
    ).fetchone()
    stored = row["passphrase_hash"] if row is not None else None
    matched = verify_passphrase(passphrase, stored)
    rehashed = hash_passphrase(passphrase) if matched and needs_rehash(stored) else None
    # A refusal that records something (a failure count, a lock, an audit row) must be raised
    # only after the transaction commits: raising inside it would roll the record back.
    refusal: Refused | None = None
    with db.transaction() as conn:
        person = get_by_id(conn, row["id"]) if row is not None else None
        if person is None or not person.active or not person.has_passphrase:
            raise signin_refused(handle)
        count, locked = conn.execute("SELECT failed_signins, locked_until FROM person WHERE id = ?", (person.id,)).fetchone()
        if locked and parse_utc(locked) > moment:
            # Counted, not audited one by one: the window's one row is written when it is over.
            conn.execute("UPDATE person SET failed_signins = ? WHERE id = ?", (count + 1, person.id))
            refusal = signin_refused(handle)
        else:
            close_lock_window(conn, person.id)
            if not matched:
                now_locked = register_failure(conn, person.id, moment)
                audit.record(conn, handle, "signin.failed", handle, "locked for 30 s" if now_locked else "wrong passphrase")
                refusal = signin_refused(handle)
            else:
                conn.execute("UPDATE person SET failed_signins = 0, locked_until = NULL WHERE id = ?", (person.id,))
                detail = iso_utc(moment)
                if rehashed is not None:
                    # Only if the hash is still the one checked (a passphrase set meanwhile wins).
                    done = conn.execute(
                        "UPDATE person SET passphrase_hash = ? WHERE id = ? AND passphrase_hash = ?",
                        (rehashed, person.id, stored),
                    ).rowcount
                    if done:
                        detail += "; passphrase re-hashed at the current cost"
                audit.record(conn, handle, "signin", handle, detail)
    if refusal is not None:
        raise refusal
    return person


def resolve_actor(db, handle: str | None, passphrase: "callable | None" = None) -> Person:
    """The acting person: --as HANDLE (with a passphrase unless the OS user is their login), else the OS user's person.

    `passphrase` is called only when one is needed; it returns the passphrase or None.
    """
    from .identity import by_login, get_by_id, validate_handle

    user = os_user()
    if handle:
        validate_handle(handle)
        # Whether the handle exists is told to nobody who has not signed in: an unknown one is asked
        # for a passphrase like any other and refused in the same words (see `sign_in`).
        row = db.conn.execute("SELECT id FROM person WHERE handle = ?", (handle,)).fetchone()
        person = get_by_id(db.conn, row[0]) if row is not None else None
        if person is not None and user and person.login == user:
            if not person.active:
                raise Refused(f"{handle} is inactive: ask a coordinator to reactivate them")
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
