"""The line: creating it (`warmline init`) with its default tags and first coordinator.

Its one settings row is read with `get` (line_settings.py, the low room every other reads it through).
"""

from __future__ import annotations

from . import audit
from .clock import now
from .db import Database, iso_utc
from .errors import Invalid, Refused
from .line_settings import get  # noqa: F401 (line.get: where most rooms read it)
from .model import Line
from .people import insert_person
from .tags import seed_defaults
from .text import clean_text

DEFAULT_ESCALATION = "In crisis? Call or text 988 (Suicide & Crisis Lifeline)."


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
            handle, display_name, login = first_coordinator
            insert_person(conn, actor=actor, handle=handle, name=display_name, role="coordinator", login=login)
    return get(db.conn)
