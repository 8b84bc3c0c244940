"""Swaps' read models: the open swaps a person may see, and the shifts they could swap theirs for.

Every decision is the core's (warmline.swaps); this module only reads and words what it says.
"""

from __future__ import annotations

from dataclasses import dataclass

from warmline import rota, swaps
from warmline.clock import now
from warmline.db import Database
from warmline.errors import Refused
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


def swaps_waiting(db: Database, viewer: Person) -> SwapList:
    """The open swaps waiting for `viewer` to act, oldest first: offered to them (accept or decline),
    and for a coordinator the accepted ones waiting for approval. For Home ("swaps waiting for you")."""
    mine = [
        s
        for s in swaps.swaps(db.conn, viewer, open_only=True)
        if s.waiting_for == viewer.handle or (viewer.is_coordinator and s.waiting_for == "coordinator")
    ]
    return SwapList(list(reversed(mine)), get_line(db.conn).tz)


def waiting_text(waiting: SwapList) -> str:
    """One line for Home: how many swaps wait for you, and where to answer them ("" for none)."""
    n = len(waiting.swaps)
    if not n:
        return ""
    keys = "a accept, x decline; coordinators o approve, n refuse"  # screens/swap.py's SwapsScreen
    return f"{n} swap{'s' if n != 1 else ''} waiting for you: answer in Swaps ({keys})."


@dataclass(frozen=True)
class HomeSwap:
    """One row of Home's "Swaps for you": an open swap the viewer is in, worded from their side."""

    swap_id: int
    other: str  # the other person's handle
    what: str  # "kim asks you", "waiting for kim", "waiting for a coordinator"
    give: str  # the shift the viewer gives: "Thu 26 Nov 17:00–21:00"
    take: str  # the shift the viewer takes
    answer: bool  # offered to the viewer and waiting for them: a accepts, x declines
    withdraw: bool  # proposed by the viewer and still open: w withdraws

    @property
    def key(self) -> str:
        return f"swap-{self.swap_id}"


def swaps_for_home(db: Database, viewer: Person) -> list[HomeSwap]:
    """The open swaps `viewer` is in (never others', even for a coordinator: their inbox has those),
    oldest first: the ones offered to them to answer, then the ones they proposed, to withdraw."""
    tz = zone(get_line(db.conn).tz)
    found = []
    for s in reversed(swaps.swaps(db.conn, viewer, open_only=True)):
        if viewer.id not in (s.from_person_id, s.to_person_id):
            continue
        mine_given = s.from_person_id == viewer.id
        gives = words.between(s.from_start, s.from_end, tz)  # no shift ids: the app names shifts by time
        takes = words.between(s.to_start, s.to_end, tz)
        if not mine_given:
            gives, takes = takes, gives
        answer = not mine_given and s.status == "proposed"
        withdraw = mine_given
        if answer:
            what = f"{s.from_handle} asks you"
        elif s.waiting_for == "coordinator":
            what = "waiting for a coordinator"
        else:
            what = f"waiting for {s.waiting_for}"
        other = s.to_handle if mine_given else s.from_handle
        found.append(HomeSwap(s.id, other, what, gives, takes, answer, withdraw))
    return sorted(found, key=lambda h: not h.answer)  # what waits for the viewer first (stable: oldest first)


def home_caption(rows: list[HomeSwap]) -> str:
    """The title of Swaps for you, with the keys that act there (the table has no room for a key column
    at 80 columns): "Swaps for you · 1 to answer (a accept, x decline) · w withdraws yours"."""
    parts = ["Swaps for you"]
    waiting = sum(1 for h in rows if h.answer)
    if waiting:
        parts.append(f"{waiting} to answer (a accept, x decline)")
    if any(h.withdraw for h in rows):
        parts.append("w withdraws yours")
    return " · ".join(parts)


def accept_question(row: HomeSwap) -> tuple[str, str]:
    """The question Home asks before `a` accepts a swap: (title, body)."""
    body = (
        f"You give {row.give} and take {row.other}'s {row.take}. It is done at once, or when a coordinator "
        f"approves it if the line asks for that; {row.other} is told."
    )
    return "Accept this swap?", body


@dataclass(frozen=True)
class SwapOption:
    """Someone else's shift I could take in exchange for mine."""

    shift_id: int
    handle: str
    role: str
    label: str  # the CLI's line: when, the shift's id (its command needs it), who
    when: str = ""  # the shift's time in words

    @property
    def said(self) -> str:
        """The app's words for it: when and who, no shift id."""
        return f"{self.when}  {self.handle} ({self.role})" if self.when else self.label


@dataclass(frozen=True)
class SwapOptions:
    """My shift and the others' shifts I could swap it for."""

    mine: ShiftView
    options: list[SwapOption]
    left_out: int = 0  # shifts that would break a rule for one of us, or could not be swapped
    left_out_text: str = ""  # one line: how many and why ("" when none)


# What each rule is called in the picker's one line (the core's rule names, warmline/rules.py and friends).
RULE_WORDS = {
    "overlap": "overlap",
    "rest": "rest",
    "max-hours": "weekly hours",
    "max-shifts": "shifts a week",
    "max-overnights": "overnights",
    "availability": "availability",
    "time-off": "time off",
    "triad-meeting": "a triad meeting",
    "inactive": "inactive",
    "their-limits": "their limits or availability",
}


def _left_out_text(actor: Person, refused: list[list]) -> str:
    """'N left out: k break your rules (rest, weekly hours), m break theirs (…), j cannot be swapped'."""
    yours, theirs, other = 0, 0, 0
    your_words: dict[str, None] = {}
    their_words: dict[str, None] = {}
    for problems in refused:
        rules_ = [p.rule for p in problems]
        if "swap" in rules_:
            other += 1
            continue
        mine = [p for p in problems if p.message.startswith(actor.handle + " ")]
        others = [p for p in problems if p not in mine]
        if mine:
            yours += 1
            your_words.update(dict.fromkeys(RULE_WORDS.get(p.rule, p.rule) for p in mine))
        if others:
            theirs += 1
            their_words.update(dict.fromkeys(RULE_WORDS.get(p.rule, p.rule) for p in others))
    parts = []
    if yours:
        parts.append(f"{yours} break one of your rules ({', '.join(your_words)})")
    if theirs:
        parts.append(f"{theirs} break one of the other person's ({', '.join(their_words)})")
    if other:
        parts.append(f"{other} cannot be swapped now")
    return f"{len(refused)} left out: " + "; ".join(parts) + "." if refused else ""


def swap_options(db: Database, actor: Person, my_shift: int) -> SwapOptions:
    """Other people's upcoming shifts in the two weeks from my shift's Monday (shifts I am not on)
    that pass every rule for both of us: each one goes through the core's own check, as a dry run
    (swaps.preview, which writes nothing); the rest are counted, and why, in one line.

    What the other side runs into is as the actor may see it: another person's limits,
    availability and time off come back only as "their limits or availability"."""
    mine = rota.view(db.conn, my_shift)
    if not any(a.person_id == actor.id for a in mine.peers + mine.backups):
        raise Refused(f"{actor.handle} is not on shift {mine.shift.id}: a swap offers one of your own shifts")
    line = get_line(db.conn)
    lo, hi = local_weeks(words.week_start(mine.shift.start_utc, zone(line.tz)), line.tz, weeks=2)
    moment = now()
    found = []
    refused: list[list] = []
    with_me = {a.person_id for a in mine.peers + mine.backups}  # on my shift already: nothing to swap, not offered
    for v in rota.views(db.conn, max(lo, moment), hi):
        if v.shift.status != "scheduled" or v.shift.id == my_shift:
            continue
        on = v.peers + v.backups
        if any(a.person_id == actor.id for a in on):
            continue
        for a in on:
            if a.person_id in with_me:
                continue
            problems = swaps.preview(db.conn, actor, my_shift, v.shift.id, a.handle)
            if problems:
                refused.append(problems)
                continue
            label = f"{words.when(v)} #{v.shift.id}  {a.handle} ({a.role})"
            found.append(SwapOption(v.shift.id, a.handle, a.role, label, when=words.when(v)))
    return SwapOptions(mine, found, len(refused), _left_out_text(actor, refused))


def preview_swap(db: Database, actor: Person, mine: int, option: SwapOption) -> list[str]:
    """What the core says proposing this swap would run into ([] when it could go ahead)."""
    return [p.message for p in swaps.preview(db.conn, actor, mine, option.shift_id, option.handle)]
