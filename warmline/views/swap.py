"""Swaps' read models: the open swaps a person may see, and the shifts they could swap theirs for.

Every decision is the core's (warmline.swaps); this module only reads and words what it says.
"""

from __future__ import annotations

from dataclasses import dataclass

from warmline import rota, swaps
from warmline.clock import now
from warmline.db import Database
from warmline.line import get as get_line
from warmline.model import Person, ShiftView
from warmline.recurrence import zone

from . import words
from .rota import local_weeks


@dataclass(frozen=True)
class SwapList:
    """The open swaps a viewer may see, and the line's zone to show them in."""

    swaps: list[swaps.Swap]
    tz: str


def read_swaps(db: Database, viewer: Person) -> SwapList:
    """Open swaps `viewer` may see (theirs; every one for a coordinator)."""
    return SwapList(swaps.swaps(db.conn, viewer, open_only=True), get_line(db.conn).tz)


@dataclass(frozen=True)
class SwapOption:
    """Someone else's shift I could take in exchange for mine."""

    shift_id: int
    handle: str
    role: str
    label: str


@dataclass(frozen=True)
class SwapOptions:
    """My shift and the others' shifts I could swap it for."""

    mine: ShiftView
    options: list[SwapOption]


def swap_options(db: Database, actor: Person, my_shift: int) -> SwapOptions:
    """Other people's upcoming shifts in the two weeks from my shift's Monday (shifts I am not on)."""
    mine = rota.view(db.conn, my_shift)
    line = get_line(db.conn)
    lo, hi = local_weeks(words.week_start(mine.shift.start_utc, zone(line.tz)), line.tz, weeks=2)
    moment = now()
    found = []
    for v in rota.views(db.conn, max(lo, moment), hi):
        if v.shift.status != "scheduled" or v.shift.id == my_shift:
            continue
        on = v.peers + v.backups
        if any(a.person_id == actor.id for a in on):
            continue
        for a in on:
            label = f"{words.when(v)} #{v.shift.id}  {a.handle} ({a.role})"
            found.append(SwapOption(v.shift.id, a.handle, a.role, label))
    return SwapOptions(mine, found)


def preview_swap(db: Database, actor: Person, mine: int, option: SwapOption) -> list[str]:
    """What the core says proposing this swap would run into ([] when it could go ahead)."""
    return [p.message for p in swaps.preview(db.conn, actor, mine, option.shift_id, option.handle)]
