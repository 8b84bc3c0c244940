"""The line: its one settings row, created by `warmline init`."""

from __future__ import annotations

import sqlite3

from . import audit
from .clock import now
from .db import Database, iso_utc
from .errors import Invalid, Refused
from .model import Line

DEFAULT_ESCALATION = "In crisis? Call or text 988 (Suicide & Crisis Lifeline)."
MAX_TEXT = 200


def get(conn: sqlite3.Connection) -> Line:
    """The line's settings; Refused with what to do when the rota has not been set up."""
    row = conn.execute(
        "SELECT name, tz, escalation, drop_cutoff_hours, horizon_weeks, default_max_hours_week,"
        " default_max_shifts_week, default_min_rest_hours, default_max_overnights_month FROM line WHERE id = 1"
    ).fetchone()
    if row is None:
        raise Refused("this rota has no line yet: run `warmline init --name NAME --tz ZONE` first")
    return Line(**dict(row))


def clean_text(value: str, what: str, *, limit: int = MAX_TEXT, allow_empty: bool = False) -> str:
    """Strip a one-line text field and refuse control characters (C0, DEL, C1, bidi and other
    format controls: `text.check`), over-long or (unless allowed) empty values."""
    from .text import check

    if not isinstance(value, str):
        raise Invalid(f"{what} must be text")
    text = check(value, what).strip()
    if not text and not allow_empty:
        raise Invalid(f"{what} is empty: give a value")
    if len(text) > limit:
        raise Invalid(f"{what} is {len(text)} characters long; the most is {limit}: shorten it")
    return text


def create(
    db: Database,
    *,
    name: str,
    tz: str,
    escalation: str = DEFAULT_ESCALATION,
    drop_cutoff_hours: int = 48,
    actor: str = "system",
    first_coordinator: tuple[str, str, str | None] | None = None,
) -> Line:
    """Create the line, seed the default tags and add the first coordinator, in one transaction."""
    from .recurrence import line_zone
    from .tags import seed_defaults

    name = clean_text(name, "the line's name")
    escalation = clean_text(escalation, "the escalation text")
    line_zone(tz)  # a region's IANA name (with its daylight saving) or UTC, not EST or Etc/GMT+5
    if drop_cutoff_hours < 0 or drop_cutoff_hours > 24 * 28:
        raise Invalid(f"the drop cut-off is {drop_cutoff_hours} h; it must be between 0 and 672 h")
    with db.transaction() as conn:
        if conn.execute("SELECT 1 FROM line").fetchone():
            raise Refused(f"{db.path} already has a line: use it, or choose another file with --db")
        conn.execute(
            "INSERT INTO line (id, name, tz, escalation, drop_cutoff_hours, created_at) VALUES (1, ?, ?, ?, ?, ?)",
            (name, tz, escalation, drop_cutoff_hours, iso_utc(now())),
        )
        seed_defaults(conn)
        audit.record(conn, actor, "line.create", name, f"zone {tz}")
        if first_coordinator is not None:
            from .people import insert_person

            handle, display_name, login = first_coordinator
            insert_person(conn, actor=actor, handle=handle, name=display_name, role="coordinator", login=login)
    return get(db.conn)
