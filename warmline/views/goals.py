"""The app's Goals screen, without Textual: the line's coverage goals and whether this week meets them.

"This week" is the local week (Monday to Sunday) of now, whole: the shifts already worked count as
well as those ahead. A goal is met when every shift touching its windows has enough people offering
its tag (or speaking its language) and no stretch of a window is without a shift (coverage's own
checks: warmline.coverage.coverage). The add and edit form's text is read here; the core checks it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from warmline import people
from warmline.clock import now
from warmline.coverage import Goal, coverage, goals
from warmline.db import Database
from warmline.errors import Invalid, Refused
from warmline.line import get as get_line
from warmline.model import Person
from warmline.recurrence import zone
from warmline.tags import all_tags

from . import words
from .rota import local_weeks


@dataclass(frozen=True)
class GoalRow:
    """One goal as the list shows it, with this week's verdict."""

    goal: Goal
    window: str  # "17:00–21:00"; "22:00–06:00" ends the next day; "09:00–09:00 (24 h)"
    met: bool
    week: str  # "met on all 7 shifts", "2 of 7 shifts short", "1 with no shift", "no shift in its window"

    @property
    def key(self) -> str:
        return str(self.goal.id)

    @property
    def cells(self) -> tuple[str, str, str, str, str]:
        mark = "✓ " if self.met else "✗ "
        return (self.goal.label, self.goal.days_text, self.window, str(self.goal.min_people), mark + self.week)


@dataclass(frozen=True)
class GoalsLoaded:
    """The goals (oldest first) with this week's verdicts, the week's words, and the tag names to suggest."""

    rows: list[GoalRow] = field(default_factory=list)
    week: str = ""
    names: list[str] = field(default_factory=list)  # tag labels, then aliases (languages included)
    refusal: str | None = None


def window_text(goal: Goal) -> str:
    """'17:00–21:00'; '22:00–06:00' (it ends the next day: plain to read, and narrow at 80 columns); '09:00–09:00 (24 h)'."""
    text = f"{goal.start:%H:%M}–{goal.end:%H:%M}"
    return text + " (24 h)" if goal.end == goal.start else text


def week_verdict(checks: int, short: int, bare: int) -> tuple[bool, str]:
    """(met, words) from the shifts the goal applied to, how many fell short, and stretches with no shift."""
    if checks == 0 and bare:
        return False, "no shift in its window"
    said = []
    if short:
        said.append(f"{short} of {checks} shift{'' if checks == 1 else 's'} short")
    if bare:
        said.append(f"{bare} with no shift")  # stretches of its window no shift covers
    if said:
        return False, ", ".join(said)
    return True, "met on the only shift" if checks == 1 else f"met on all {checks} shifts"


def load_goals(db: Database, actor: Person, monday: date | None = None) -> GoalsLoaded:
    """The line's goals and whether this local week (or the week of `monday`) meets each; a volunteer gets the refusal."""
    conn = db.conn
    me = people.fresh_actor(conn, actor, reading=True)
    line = get_line(conn)
    tz = zone(line.tz)
    if monday is None:
        monday = words.week_start(now(), tz)
    lo, hi = local_weeks(monday, line.tz)
    try:
        report = coverage(conn, me, lo, hi)
    except Refused as exc:
        return GoalsLoaded(refusal=str(exc))
    checks: dict[int, int] = {}
    short: dict[int, int] = {}
    for shift in report.shifts:
        for check in shift.goals:
            checks[check.goal_id] = checks.get(check.goal_id, 0) + 1
            short[check.goal_id] = short.get(check.goal_id, 0) + (not check.met)
    bare: dict[int, int] = {}
    for gap in (*report.past_gaps, *report.gaps):
        if gap.no_shift and gap.goal_id is not None:
            bare[gap.goal_id] = bare.get(gap.goal_id, 0) + 1
    rows = []
    for goal in goals(conn):
        met, said = week_verdict(checks.get(goal.id, 0), short.get(goal.id, 0), bare.get(goal.id, 0))
        rows.append(GoalRow(goal, window_text(goal), met, said))
    last = monday + timedelta(days=6)
    week = f"this week, {monday:%a %d %b} – {last:%a %d %b}"
    tags = all_tags(conn)
    names = [t.label for t in tags] + [a for t in tags for a in t.aliases]
    return GoalsLoaded(rows, week, names)


def parse_clock(text: str, what: str) -> time:
    """A time of day typed in the form ('17:00', '9:30'), else a one-line error."""
    value = text.strip()
    if len(value) == 4 and value[1] == ":":
        value = "0" + value
    try:
        if len(value) != 5:
            raise ValueError
        return time.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{what} {text.strip()[:20]!r} is not a time of day: use HH:MM, e.g. 17:30") from None


def parse_min(text: str) -> int:
    """The 'at least' box: a whole number of people, else a one-line error (the core checks 1 to 50)."""
    value = text.strip()
    if not value.isascii() or not value.isdigit():
        raise Invalid(f"at least {value[:20]!r} is not a number of people: give a whole number from 1 to 50, e.g. 1")
    return int(value)


@dataclass(frozen=True)
class GoalDraft:
    """What the add form holds, as the core's arguments (see `typed_goal`)."""

    tag: str
    days: str
    start: time
    end: time
    min_people: int


def typed_goal(tag: str, days: str, start: str, end: str, at_least: str) -> GoalDraft:
    """The add form's boxes as the core's arguments, with a one-line error for what cannot be read."""
    if not tag.strip():
        raise Invalid("no tag or language given: type one, e.g. Spanish or grief")
    if not days.strip():
        raise Invalid("no days given: use daily, weekdays, weekends, or days like MO,WE,FR")
    return GoalDraft(tag.strip(), days, parse_clock(start, "the start"), parse_clock(end, "the end"), parse_min(at_least))


def add_goal(db: Database, actor: Person, draft: GoalDraft) -> Goal:
    """Add the goal the form describes (the core checks the actor, the tag and every value)."""
    from warmline.coverage import add_goal as core_add

    return core_add(db, actor, draft.tag, draft.days, draft.start, draft.end, draft.min_people)


def form_values(goal: Goal) -> tuple[str, str, str, str, str]:
    """The form's boxes for an existing goal (tag or language, days, from, to, at least), as the add form reads them."""
    return (goal.label, goal.days_text, f"{goal.start:%H:%M}", f"{goal.end:%H:%M}", str(goal.min_people))


def edit_goal(db: Database, actor: Person, goal: Goal, draft: GoalDraft) -> Goal:
    """Save the form over `goal` (the core checks the actor, the tag and every value); unchanged: the goal as it was.

    The need is looked up again only when its box was changed: its label stands for the goal's own tag.
    """
    from warmline.coverage import edit_goal as core_edit

    tag = None if draft.tag == goal.label.strip() else draft.tag
    changed, _ = core_edit(db, actor, goal.id, tag=tag, days=draft.days, start=draft.start, end=draft.end,
                           min_people=draft.min_people)
    return changed


__all__ = [
    "GoalDraft", "GoalRow", "GoalsLoaded", "add_goal", "edit_goal", "form_values", "load_goals", "typed_goal",
    "week_verdict", "window_text",
]
