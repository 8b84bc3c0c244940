"""Load's read model and words: who works how much over a few weeks, the flags in words, plain-text
bars and the spread (auto-fill's proposal and its words: views/autofill.py).

Unpaid peers burning out is the failure the Load screen is for, so the flags read in words
("OVER", "near") and the bars are plain text. The core decides what a viewer may see:
a volunteer gets only their own row and no spread (warmline.fairness.load).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from warmline import fairness
from warmline.clock import now
from warmline.db import Database
from warmline.line import get as get_line
from warmline.model import Person
from warmline.recurrence import zone

from . import words
from .autofill import AutofillPlan, propose_fill  # noqa: F401  (auto-fill's words live in views/autofill)
from .rota import local_weeks

WEEKS = 4
BAR_WIDTH = 32
EIGHTHS = " ▏▎▍▌▋▊▉"
RULE_WORDS = {"max-hours": "hours", "max-shifts": "shifts", "max-overnights": "overnights", "rest": "rest"}


@dataclass(frozen=True)
class LoadData:
    """One range's load report, read in one worker call."""

    monday: date
    report: fairness.LoadReport


def read_load(db: Database, viewer: Person, monday: date | None) -> LoadData:
    """The load for WEEKS weeks from `monday` (this week's Monday when None), as `viewer` may see it."""
    line = get_line(db.conn)
    if monday is None:
        monday = words.week_start(now(), zone(line.tz))
    start, end = local_weeks(monday, line.tz, WEEKS)
    return LoadData(monday, fairness.load(db.conn, start, end, viewer=viewer))


def bar(value: float, widest: float, width: int = BAR_WIDTH) -> str:
    """A plain-text bar, value/widest of `width` cells, in eighths: "████▌"."""
    if widest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / widest * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[part] if part else "")


def flag_words(person: fairness.PersonLoad) -> str:
    """OVER / near, and on what: readable without colour."""
    if not person.level:
        return ""
    rules = sorted({RULE_WORDS.get(f.rule, f.rule) for f in person.flags if f.level == person.level})
    return fairness.level_word(person.level) + ": " + ", ".join(rules)


def spread_line(spread: fairness.Spread | None) -> str:
    """'max 24.0 h (ana-r) · min 0.0 h · Gini 0.41', or why there is none."""
    if spread is None:
        return "Only your own load is shown; the team's spread is for coordinators."
    if not spread.people:
        return "No active volunteers."
    top = ", ".join(spread.max_handles)
    return (
        f"max {words.hours_column(spread.max_hours)} ({top}) · min {words.hours_column(spread.min_hours)} · "
        f"mean {words.hours_column(spread.mean_hours)} · Gini {spread.gini:.2f}"
    )


def next_weeks(weeks: int = WEEKS) -> tuple[datetime, datetime]:
    """From now to `weeks` weeks ahead (auto-fill fills only future shifts anyway)."""
    start = now()
    return start, start + timedelta(days=7 * weeks)
