"""The rota as lines of text: what `warmline shifts` prints, and what `warmline` shows when the app
cannot open (warmline/session.py), without either face importing the other.

`listed` reads the shifts of a range (as the listing's options select them); `rota_lines` turns
them into the lines printed, user text already made safe (text.safe); the caller prints each one.
"""

from __future__ import annotations

from ..text import safe
from .words import CANCELLED, backup_text, hours_column, open_text


def listed(db, actor, tz, start, finish, person=None, mine: bool = False, open_only: bool = False) -> list:
    """The shifts from `start` to `finish` (days or times; default this week), each as rota.views
    gives it: only `person`'s or the actor's own (`mine`), only those with open seats (`open_only`)."""
    from .. import rota
    from ..clock import now
    from ..people import get
    from ..times import day_range

    lo, hi = day_range(tz, now(), start, finish)
    rota.extend_horizon(db)
    person_id = None
    if mine:
        person_id = actor.id
    elif person:
        person_id = get(db.conn, person).id
    return rota.views(db.conn, lo, hi, person_id=person_id, open_only=open_only)


def rota_lines(line, found, tz) -> list[str]:
    """The line's name and escalation text, then each day's heading and its shifts."""
    lines = [f"{safe(line.name)} — {safe(line.escalation)}"]
    if not found:
        lines.append("No shifts in this range.")
    day = None
    for v in found:
        local = v.shift.start_utc.astimezone(tz)
        if local.date() != day:
            day = local.date()
            lines.append(f"{local:%a %d %b %Y}")
        lines.append(shift_line(v, tz))
    return lines


def shift_line(v, tz) -> str:
    s = v.shift
    start = s.start_utc.astimezone(tz)
    end = s.end_utc.astimezone(tz)
    peers = ", ".join(a.handle for a in v.peers) or "-"
    backup = backup_text(v) if s.backup_seats else "-"
    flags = []
    if s.status == "cancelled":
        flags.append(CANCELLED)
    else:
        if v.open_seats:
            flags.append(open_text(v))
        if v.open_backup_seats:
            flags.append("backup open")
        if v.cover:
            flags.append("cover wanted: " + ", ".join(r.handle for r in v.cover))
    flag_text = f"  [{'; '.join(flags)}]" if flags else ""
    return (
        f"  #{s.id:<6} {start:%H:%M}–{end:%H:%M}  {hours_column(s.hours):>6}  "
        f"peers: {safe(peers)}  backup: {safe(backup)}{safe(flag_text)}"
    )
