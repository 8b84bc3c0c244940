"""Auto-fill in the app, without Textual: the range a coordinator chooses, the proposal, and its words.

The range is read as `warmline autofill --from D --to D` reads it (times.day_range: a date is a
whole day, the end inclusive; the same refusals, naming the form's From and To instead of the
options), and a range that is over is refused too: auto-fill fills only future shifts. Quick
choices (this week, the next 4 weeks, this month, ...) are whole days in the line's zone.

A placement's reasons are the CLI's words (`reasons`: the goals it counts towards, the demanded
needs the person offers, a preferred time), said with the person's hours in the range before and
after the plan (how the fairness rule shared them); a seat left open says why.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from warmline import autofill, rota
from warmline.clock import now
from warmline.db import Database
from warmline.errors import Invalid
from warmline.line import get as get_line
from warmline.model import Person
from warmline.recurrence import zone
from warmline.times import day_range

from . import words

DEFAULT_SECONDS = 3.0  # the heuristic's safety stop in the app (its own counted budget usually ends it first)


@dataclass(frozen=True)
class AutofillPlan:
    """A proposal and the line's zone to show it in."""

    proposal: autofill.Proposal
    tz: str


@dataclass(frozen=True)
class RangeForm:
    """What the range form opens with: the line's zone, today there, and the first and last day shown."""

    tz: str
    today: date
    first: date
    last: date


def week_of(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


QUICK_LABELS = ("This week", "Next week", "Next 4 weeks", "This month", "Next month")


def quick_ranges(today: date) -> tuple[tuple[str, date, date], ...]:
    """(label, first day, last day) of each of QUICK_LABELS, from `today` in the line's zone."""
    monday = week_of(today)
    month_end = date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
    next_first = month_end + timedelta(days=1)
    next_end = date(next_first.year, next_first.month, calendar.monthrange(next_first.year, next_first.month)[1])
    return (
        (QUICK_LABELS[0], monday, monday + timedelta(days=6)),
        (QUICK_LABELS[1], monday + timedelta(days=7), monday + timedelta(days=13)),
        (QUICK_LABELS[2], today, today + timedelta(days=27)),
        (QUICK_LABELS[3], date(today.year, today.month, 1), month_end),
        (QUICK_LABELS[4], next_first, next_end),
    )


def range_form(db: Database, monday: date | None = None, weeks: int = 1) -> RangeForm:
    """The form's start: `weeks` weeks from `monday` (the week a screen shows), else this week."""
    tz = get_line(db.conn).tz
    today = now().astimezone(zone(tz)).date()
    first = monday if monday is not None else week_of(today)
    return RangeForm(tz, today, first, first + timedelta(days=7 * weeks - 1))


def _form_words(message: str) -> str:
    """The CLI's refusal naming the form's fields: '--to is not after --from' -> 'To is not after From'."""
    return message.replace("--from", "From").replace("--to", "To")


def read_range(tz: str, from_text: str, to_text: str) -> tuple[datetime, datetime]:
    """UTC [start, end) for what was typed, as `warmline autofill --from --to` reads it; Invalid if bad or over."""
    line_tz = zone(tz)
    moment = now()
    if not from_text.strip() or not to_text.strip():
        missing = "From" if not from_text.strip() else "To"
        raise Invalid(f"{missing} is empty: give a date, e.g. {moment.astimezone(line_tz).date().isoformat()}")
    try:
        lo, hi = day_range(line_tz, moment, from_text, to_text)
    except Invalid as exc:
        raise Invalid(_form_words(exc.message)) from None
    if hi <= moment:
        last = (hi - timedelta(seconds=1)).astimezone(line_tz).date()
        raise Invalid(
            f"the range ends {last.isoformat()}, in the past: auto-fill fills only future shifts; give a later To"
        )
    return lo, hi


def propose_fill(db: Database, actor: Person, start: datetime, end: datetime, seconds: float) -> AutofillPlan:
    """Auto-fill's proposal for [start, end) with the built-in heuristic, after the series are drawn that far."""
    rota.extend_horizon(db)  # as `warmline autofill` does: shifts of a series up to the horizon exist
    proposal = autofill.propose(db.conn, actor, start, end, engine="greedy", time_limit=seconds)
    return AutofillPlan(proposal, get_line(db.conn).tz)


def propose_range(db: Database, actor: Person, from_text: str, to_text: str, seconds: float) -> AutofillPlan:
    """Read the typed range (Invalid as the CLI says it) and propose for it (reads only, but the horizon)."""
    lo, hi = read_range(get_line(db.conn).tz, from_text, to_text)
    return propose_fill(db, actor, lo, hi, seconds)


def reasons(placement: autofill.Placement) -> list[str]:
    """Why this person on this seat, in the CLI's words: 'goal: Spanish', 'offers: grief', 'preferred time'."""
    notes = [f"goal: {', '.join(placement.goals)}"] if placement.goals else []
    if placement.needs:
        notes.append(f"offers: {', '.join(placement.needs)}")
    if placement.preferred:
        notes.append("preferred time")
    return notes


def range_words(plan: AutofillPlan) -> str:
    """'Mon 23 Nov – Sun 20 Dec 2026': the plan's days, the last inclusive."""
    tz = zone(plan.tz)
    first = plan.proposal.start.astimezone(tz).date()
    last = (plan.proposal.end - timedelta(seconds=1)).astimezone(tz).date()
    return f"{words.day(first)} – {words.day(last)} {last.year}"


@dataclass(frozen=True)
class PlanRow:
    """One row of the plan as shown: 'add' (a placement), 'why' (its reasons), 'open' (a seat left empty)."""

    kind: str
    text: str


def plan_rows(plan: AutofillPlan) -> list[PlanRow]:
    """The proposal as the app shows it: each placement, then its reasons; then the seats left open and why."""
    tz = zone(plan.tz)
    p = plan.proposal
    hours = {handle: (before, after) for handle, before, after in p.hours}
    rows: list[PlanRow] = []
    for pl in sorted(p.placements, key=lambda x: (x.start, x.shift_id, x.role, x.handle)):
        # A shift by its time, not its id (a person reads times; one person has one shift at a time).
        rows.append(PlanRow("add", f"+ {words.between(pl.start, pl.end, tz)}  {pl.handle} ({pl.role})"))
        why = reasons(pl) or ["fills an open seat"]
        if pl.handle in hours:
            before, after = hours[pl.handle]
            why.append(f"{words.hours_number(before)} → {words.hours(after)} in range")
        rows.append(PlanRow("why", "    " + " · ".join(why)))
    for o in p.left_open:
        count = f" ×{o.count}" if o.count > 1 else ""
        rows.append(PlanRow("open", f"  {words.between(o.start, o.end, tz)}  {o.role}{count} OPEN: {o.reason}"))
    return rows


def summary(plan: AutofillPlan) -> str:
    """'12 of 14 open seats filled · hours spread (Gini) 0.31 → 0.24', and nothing to apply when so."""
    p = plan.proposal
    if not p.seats_open:
        return "No open seats on future shifts in these days: nothing to apply."
    said = (
        f"{len(p.placements)} of {p.seats_open} open seats filled · "
        f"hours spread (Gini) {p.gini_before:.2f} → {p.gini_after:.2f}"
    )
    return said if p.placements else said + " · nothing to apply"


__all__ = [
    "DEFAULT_SECONDS", "QUICK_LABELS", "AutofillPlan", "PlanRow", "RangeForm", "plan_rows", "propose_fill", "propose_range",
    "quick_ranges", "range_form", "range_words", "read_range", "reasons", "summary", "week_of",
]
