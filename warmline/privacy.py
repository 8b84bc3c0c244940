"""A person's own data: everything warmline holds about them (`export_me`), and forgetting a departed
person (`forget`).

`export_me` gives the acting person their own records and nobody else's: other people appear only
by name where they already see them (the people on their own shifts, the person who took their
debrief or whose debrief they took), never with tags, logins or anything else.

`forget` (coordinators; only an inactive person) erases a departed person's name, handle, login,
passphrase, pronouns, tags, languages, availability, time off, notification settings and
notifications, SSH keys, push destinations and their triad opt-in (they leave a current triad as with
`triad leave`; past membership stays, ids and dates only), and replaces the name and handle
with a pseudonym (`former-ID`). What the rota counts stays: their assignments (shifts worked,
hours), calls taken, handoff notes (the author shows as the pseudonym), swaps and debriefs keep
pointing at the same person row. Every other text in the file that names them (their handle,
name or login as a whole word: audit rows, other people's notifications, handoff notes, shift
notes) is rewritten to the pseudonym. Audit rows are append-only; the one exception is this
redaction, allowed by the `audit_no_update` trigger only while an `audit_redaction` row is open
inside forget's own transaction, and only for the actor, subject and detail columns; the
redaction is itself recorded (`audit_redaction` and a 'person.forget' audit row). Afterwards the
file is checkpointed and VACUUMed, so the erased text is gone from the file's free pages and
write-ahead log too. Backups taken before keep what they held.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import audit
from .clock import now
from .db import Database, iso_utc, parse_utc
from .errors import Invalid, Refused, StorageError
from .model import Person

PSEUDONYM = "former-{id}"
# Tables whose text is never rewritten by forget: the person table itself (another person may share
# a first name), the taxonomy and the line's settings.
_KEEP_TEXT = frozenset({"person", "tag", "line"})


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def _rows(conn: sqlite3.Connection, sql: str, params=()) -> list[dict]:
    return [dict(r) for r in conn.execute(sql, params)]


# ---------------------------------------------------------------- me export


def export_me(conn: sqlite3.Connection, actor: Person) -> dict:
    """Everything warmline holds about `actor`, as JSON-ready data (nobody else's tags or details)."""
    from . import debrief
    from .line import get as get_line
    from .recurrence import zone
    from .times import local_iso

    line = get_line(conn)
    tz = zone(line.tz)
    pid = actor.id

    def t(value):
        return local_iso(parse_utc(value), tz) if value else None

    person = conn.execute(
        "SELECT handle, name, role, login, pronouns, max_hours_week, max_shifts_week, min_rest_hours,"
        " max_overnights_month, active, created_at, passphrase_hash IS NOT NULL AS has_passphrase,"
        " failed_signins, locked_until FROM person WHERE id = ?",
        (pid,),
    ).fetchone()
    profile = dict(person)
    profile["active"] = bool(profile["active"])
    profile["has_passphrase"] = bool(profile["has_passphrase"])
    profile["created_at"] = t(profile["created_at"])
    profile["locked_until"] = t(profile["locked_until"])
    profile["languages"] = [r[0] for r in conn.execute("SELECT tag_id FROM person_language WHERE person_id = ? ORDER BY tag_id", (pid,))]
    handle = profile["handle"]
    tags = _rows(
        conn,
        "SELECT pt.tag_id AS tag, t.label, t.family, pt.state FROM person_tag pt JOIN tag t ON t.id = pt.tag_id"
        " WHERE pt.person_id = ? ORDER BY pt.tag_id",
        (pid,),
    )
    audit_rows = _rows(
        conn,
        "SELECT id, at, actor, action, subject, detail FROM audit WHERE actor = ? OR subject = ? ORDER BY id",
        (handle, handle),
    )
    for r in audit_rows:
        r["at"] = t(r["at"])
    tag_history = [
        r for r in audit_rows if r["subject"] == handle and r["action"] in ("person.add", "person.edit", "tags.accept", "tags.decline")
        and ("tag" in r["detail"] or r["action"] != "person.edit")
    ]
    shifts = []
    for r in conn.execute(
        "SELECT s.id, s.start_utc, s.end_utc, s.status, a.role, a.created_at,"
        " (julianday(s.end_utc) - julianday(s.start_utc)) * 24 AS hours"
        " FROM assignment a JOIN shift s ON s.id = a.shift_id WHERE a.person_id = ? ORDER BY s.start_utc, s.id",
        (pid,),
    ).fetchall():
        with_names = [
            x[0]
            for x in conn.execute(
                "SELECT p.name FROM assignment a JOIN person p ON p.id = a.person_id"
                " WHERE a.shift_id = ? AND a.person_id != ? ORDER BY p.name",
                (r["id"], pid),
            )
        ]
        shifts.append(
            {
                "id": r["id"], "start": t(r["start_utc"]), "end": t(r["end_utc"]), "hours": round(r["hours"], 2),
                "status": r["status"], "role": r["role"], "assigned_at": t(r["created_at"]), "with": with_names,
            }
        )
    notifications = _rows(
        conn,
        "SELECT id, kind, shift_id, event_utc, due_utc, title, body, state, channel, sent_at, created_at"
        " FROM notification WHERE person_id = ? ORDER BY id",
        (pid,),
    )
    for n in notifications:
        for k in ("event_utc", "due_utc", "sent_at", "created_at"):
            n[k] = t(n[k])
    prefs = conn.execute(
        "SELECT channels, lead_minutes, quiet_start, quiet_end FROM notify_pref WHERE person_id = ?", (pid,)
    ).fetchone()
    out = {
        "exported_at": local_iso(now(), tz),
        "line": line.name,
        "about": (
            "Everything this rota holds about you. Tags: 'consent_history' is every step of your tags "
            "(proposed, accepted, declined, offered, paused, resumed, removed; who and when); "
            "'tag_history' lists the audit rows that changed your tags (they record counts, never tag names)."
        ),
        "profile": profile,
        "tags": tags,
        "consent_history": [
            {"at": t(r[0]), "tag": r[1], "label": r[2], "what": r[3], "by": r[4]}
            for r in conn.execute(
                "SELECT c.at, c.tag_id, coalesce(g.label, c.tag_id), c.what, p.handle FROM tag_consent c"
                " LEFT JOIN tag g ON g.id = c.tag_id LEFT JOIN person p ON p.id = c.by_id"
                " WHERE c.person_id = ? ORDER BY c.id",
                (pid,),
            )
        ],
        "tag_history": tag_history,
        "availability": _rows(
            conn,
            "SELECT id, kind, weekday, start_time, end_time FROM availability WHERE person_id = ? ORDER BY weekday, start_time",
            (pid,),
        ),
        "time_off": _rows(
            conn, "SELECT id, first_day, last_day, created_at FROM time_off WHERE person_id = ? ORDER BY first_day", (pid,)
        ),
        "shifts": shifts,
        "cover_requests": _rows(
            conn,
            "SELECT id, shift_id, role, status, created_at, closed_at, taken_by = ? AS taken_by_you FROM cover_request"
            " WHERE person_id = ? ORDER BY id",
            (pid, pid),
        ),
        "swaps": _rows(
            conn,
            "SELECT id, from_shift, to_shift, status, created_at, decided_at, from_person = ? AS proposed_by_you"
            " FROM swap WHERE from_person = ? OR to_person = ? ORDER BY id",
            (pid, pid, pid),
        ),
        "calls_taken": [t(r[0]) for r in conn.execute("SELECT at_utc FROM call WHERE taken_by = ? ORDER BY at_utc", (pid,))],
        "handoff_notes_written": _rows(
            conn, "SELECT id, shift_id, body, created_at FROM handoff_note WHERE author_id = ? ORDER BY id", (pid,)
        ),
        "handoff_notes_acknowledged": _rows(
            conn, "SELECT note_id, at FROM handoff_ack WHERE person_id = ? ORDER BY note_id", (pid,)
        ),
        "notification_settings": dict(prefs) if prefs else None,
        "notifications": notifications,
        "debriefs": [
            {
                "id": d.id, "asked_at": local_iso(d.asked_at, tz), "you": "asked" if d.role == "asker" else "were asked",
                "asker": d.asker_name if d.role != "asker" else None, "status": d.status,
                "taken_by": d.taken_by_name, "taken_at": local_iso(d.taken_at, tz) if d.taken_at else None,
                "taken_by_you": d.taken_by_you, "shared": d.shared if d.role == "asker" else None,
            }
            for d in debrief.visible(conn, actor)
        ],
        "audit": audit_rows,
    }
    for note in out["handoff_notes_written"]:
        note["created_at"] = t(note["created_at"])
    for ack in out["handoff_notes_acknowledged"]:
        ack["at"] = t(ack["at"])
    for row in out["cover_requests"]:
        row["taken_by_you"] = bool(row["taken_by_you"])
    for row in out["swaps"]:
        row["proposed_by_you"] = bool(row["proposed_by_you"])
    if _has_table(conn, "ssh_key"):
        out["ssh_keys"] = _rows(
            conn, "SELECT key_type, fingerprint, comment, added_at FROM ssh_key WHERE person_id = ? ORDER BY id", (pid,)
        )
    if _has_table(conn, "push_destination"):
        from .notify import push

        # Masked as everywhere else: a hash of a URL whose secret is guessable would let a reader test guesses.
        out["push_destinations"] = push.masked(conn, pid)
    if _has_table(conn, "triad_member"):
        joined = conn.execute("SELECT joined_at FROM triad_optin WHERE person_id = ?", (pid,)).fetchone()
        out["triad_opt_in"] = t(joined[0]) if joined else None
        out["triads"] = _triads(conn, pid, t)
    return out


def _triads(conn: sqlite3.Connection, pid: int, t) -> list[dict]:
    """The person's triads: the members' names (they meet them) and the meetings; nothing else about them."""
    found = []
    for (triad_id,) in conn.execute("SELECT DISTINCT triad_id FROM triad_member WHERE person_id = ? ORDER BY triad_id", (pid,)):
        members = [
            r[0]
            for r in conn.execute(
                "SELECT p.name FROM triad_member m JOIN person p ON p.id = m.person_id WHERE m.triad_id = ? ORDER BY p.name",
                (triad_id,),
            )
        ]
        entry: dict = {"id": triad_id, "members": members}
        if _has_table(conn, "triad_meeting"):
            cols = {r[1] for r in conn.execute("PRAGMA table_info(triad_meeting)")}
            if {"start_utc", "end_utc"} <= cols:
                entry["meetings"] = [
                    {"start": t(r[0]), "end": t(r[1])}
                    for r in conn.execute(
                        "SELECT start_utc, end_utc FROM triad_meeting WHERE triad_id = ? ORDER BY start_utc", (triad_id,)
                    )
                ]
        found.append(entry)
    return found


def write_private(path: str | os.PathLike[str], content: str) -> Path:
    """Write `content` to `path` atomically with mode 0600 (a temporary file beside it, then a rename)."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise Invalid(f"{target} is a directory: give a file name, e.g. -o me.json")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise Invalid(f"the directory {folder} does not exist: create it or choose another -o")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)  # mode 0600
    except OSError as exc:
        raise StorageError(f"cannot write in {folder} ({exc.strerror}): choose another -o") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


# ---------------------------------------------------------------- forget


@dataclass(frozen=True)
class Forgotten:
    """What `forget` did: the pseudonym, and how many rows of each kind were erased or rewritten."""

    pseudonym: str
    erased: dict[str, int]
    rewritten: int  # rows of text elsewhere that named them
    audit_rows: int  # audit rows among them
    vacuumed: bool


def _word(value: str, *, ignore_case: bool) -> re.Pattern:
    return re.compile(r"(?<![\w-])" + re.escape(value) + r"(?![\w-])", re.IGNORECASE if ignore_case else 0)


def forget(db: Database, actor: Person, handle: str, *, vacuum: bool = True) -> Forgotten:
    """Erase a departed (inactive) person and replace them with a pseudonym (coordinators). See the module."""
    from .people import fresh_actor, get, validate_handle

    validate_handle(handle)
    db.conn.execute("PRAGMA secure_delete = ON")  # freed and rewritten cells are zeroed, not left behind
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        if not who.is_coordinator:
            raise Refused(f"only coordinators may forget people; {who.handle} is a volunteer")
        person = get(conn, handle)
        if person.active:
            raise Refused(
                f"{handle} is still active: forget is for someone who has left; "
                f"deactivate them first (`warmline people deactivate {handle}`)"
            )
        pseudonym = PSEUDONYM.format(id=person.id)
        n = 1
        while conn.execute("SELECT 1 FROM person WHERE handle = ? AND id != ?", (pseudonym, person.id)).fetchone():
            n += 1
            pseudonym = f"{PSEUDONYM.format(id=person.id)}-{n}"
        moment = iso_utc(now())
        erased: dict[str, int] = {}

        def wipe(table: str, sql: str | None = None) -> None:
            if _has_table(conn, table):
                erased[table] = conn.execute(sql or f"DELETE FROM {table} WHERE person_id = ?", (person.id,)).rowcount

        # The authorized_keys files that hold (or held) their keys: each is rewritten once the keys are gone,
        # so no line there names them (a deactivation outside the CLI leaves the lines in place).
        key_files = [r[0] for r in conn.execute(
            "SELECT DISTINCT authorized_keys FROM ssh_key WHERE person_id = ? ORDER BY authorized_keys", (person.id,)
        )] if _has_table(conn, "ssh_key") else []
        for table in ("person_tag", "person_language", "availability", "time_off", "notify_pref", "notification",
                      "ssh_key", "push_destination", "triad_optin"):
            wipe(table)
        erased["triad_member"] = _leave_triad(conn, person.id, moment)
        # Patterns: the handle, login (exact case) and name (any case), as whole words.
        patterns = [_word(person.handle, ignore_case=False)]
        if person.login:
            patterns.append(_word(person.login, ignore_case=False))
        patterns.append(_word(person.name, ignore_case=True))

        def scrub(value):
            if not isinstance(value, str):
                return value
            for pattern in patterns:
                value = pattern.sub(pseudonym, value)
            return value

        redaction = conn.execute(
            "INSERT INTO audit_redaction (at, actor, pseudonym) VALUES (?, ?, ?)", (moment, who.handle, pseudonym)
        ).lastrowid
        wipe("tag_consent")  # their consent history (append-only: deletable only while the redaction is open)
        rewritten = audit_rows = 0
        needles = [person.handle, person.name] + ([person.login] if person.login else [])
        for (table,) in conn.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall():
            if table in _KEEP_TEXT:
                continue
            info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
            text_cols = [r[1] for r in info if (r[2] or "").upper() == "TEXT"]
            keys = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]]
            if not text_cols:
                continue
            without_rowid = conn.execute(
                "SELECT sql LIKE '%WITHOUT ROWID%' FROM sqlite_schema WHERE name = ?", (table,)
            ).fetchone()[0]
            key_cols = keys if without_rowid else ["rowid"]
            hit = " OR ".join(f'instr(lower("{c}"), lower(?))' for c in text_cols for _ in needles)
            args = [x for _ in text_cols for x in needles]
            cols = ", ".join([*(f'"{k}"' for k in key_cols), *(f'"{c}"' for c in text_cols)])
            for row in conn.execute(f'SELECT {cols} FROM "{table}" WHERE {hit}', args).fetchall():
                key = tuple(row[: len(key_cols)])
                old = tuple(row[len(key_cols):])
                new = tuple(scrub(v) for v in old)
                if table == "handoff_note":
                    new = tuple(v[:1000] if isinstance(v, str) else v for v in new)
                changed = [(c, v) for c, v, o in zip(text_cols, new, old) if v != o]
                if not changed:
                    continue
                sets = ", ".join(f'"{c}" = ?' for c, _ in changed)
                where = " AND ".join(f'"{k}" = ?' for k in key_cols)
                conn.execute(f'UPDATE "{table}" SET {sets} WHERE {where}', (*(v for _, v in changed), *key))
                rewritten += 1
                audit_rows += table == "audit"
        conn.execute("UPDATE audit_redaction SET open = 0, rows = ? WHERE id = ?", (audit_rows, redaction))
        conn.execute(
            "UPDATE person SET handle = ?, name = ?, login = NULL, passphrase_hash = NULL, pronouns = NULL,"
            " failed_signins = 0, locked_until = NULL WHERE id = ?",
            (pseudonym, pseudonym, person.id),
        )
        if key_files:
            from .keys import rebuild

            for key_file in key_files:
                rebuild(conn, db, Path(key_file))  # inside the transaction: a failed write undoes the forget
        audit.record(
            conn, who.handle, "person.forget", pseudonym,
            f"name, handle, login, passphrase, tags, availability, time off, notifications, keys erased;"
            f" {rewritten} rows of text rewritten ({audit_rows} audit rows)",
        )
    vacuumed = False
    if vacuum:
        vacuumed = compact(db)
    return Forgotten(pseudonym, erased, rewritten, audit_rows, vacuumed)


def _leave_triad(conn: sqlite3.Connection, person_id: int, stamp: str) -> int:
    """Take the person out of their current triad as `triad leave` does (the triad goes on with three,
    else ends and its later meetings are cancelled). Past membership stays (ids and dates only)."""
    if not _has_table(conn, "triad_member"):
        return 0
    from .triads import take_out

    return 0 if take_out(conn, person_id, stamp) is None else 1


def compact(db: Database) -> bool:
    """Checkpoint the write-ahead log and VACUUM, so erased text leaves the file. False if another
    process kept it from finishing (then run `warmline people forget` again later, or VACUUM)."""
    try:
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.conn.execute("VACUUM")
        busy, _, _ = db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.Error:
        return False
    return busy == 0
