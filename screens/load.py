"""Load: who works how much over a few weeks, who is near or over a limit, and how evenly hours fall.

Unpaid peers burning out is the failure this screen is for, so the flags read in words
("OVER", "near") and the bars are plain text. The core decides what a viewer may see:
a volunteer gets only their own row and no spread (warmline.fairness.load).

Also here: the coordinators' auto-fill dialog (a proposal as a diff, applied all or nothing).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll

from warmline import autofill, fairness
from warmline.db import Database
from warmline.errors import WarmlineError
from warmline.model import Person
from warmline.recurrence import zone
from warmline.views import words
from warmline.views.load import (
    BAR_WIDTH,
    WEEKS,
    AutofillPlan,
    LoadData,
    bar,
    flag_words,
    next_weeks,
    propose_fill,
    read_load,
    spread_line,
)

from .base import CoreCalls, WarmlineScreen
from .modal import Dialog
from .plain import Label, Static
from .table import KeyTable
from .widgets import KeysFooter, LineHeader, Ordered

AUTOFILL_SECONDS = 3.0  # the heuristic's search time (tests lower it)


class LoadScreen(WarmlineScreen):
    """Hours per person over four weeks, flags in words, bars and the spread. [ and ] move a week."""

    BINDINGS = [
        Binding("left_square_bracket", "week(-1)", "Prev", key_display="[", tooltip="A week earlier", id="load.prev_week"),
        Binding("right_square_bracket", "week(1)", "Next", key_display="]", tooltip="A week later", id="load.next_week"),
    ]

    def __init__(self) -> None:
        super().__init__(name="load")
        self.monday: date | None = None
        self.data: LoadData | None = None
        self._wanted: str | None = None  # a person's row to put the cursor on (select_person)


    def compose(self) -> ComposeResult:
        yield LineHeader()
        yield Label("Loading the load…", id="load-title", classes="section-title")
        yield KeyTable(
            (("Person", "person"), ("Hours", "hours"), ("This week", "week"), ("Overnights", "overnights"),
             ("Streak", "streak"), ("Flag", "flag")),
            id="load-table",
        )
        with VerticalScroll(id="load-chart"):
            yield Static("", id="load-bars")
        yield Static("", id="load-spread", classes="message")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#load-table").focus()

    def reload(self) -> None:
        self.call_core(read_load, self.actor, self.monday, done=self._show, group="load", exclusive=True)

    def select_person(self, person_id: int) -> None:
        """Put the cursor on this person's row, now or when the rows arrive (Home's inbox opens Load so)."""
        self._wanted = str(person_id)
        self._select_wanted()

    def _select_wanted(self) -> None:
        table = self.query("#load-table")
        if self._wanted is None or not table:
            return
        rows = table.first(KeyTable)
        if rows.has_key(self._wanted):
            rows.move_cursor(row=rows.get_row_index(self._wanted))
            self._wanted = None

    def action_week(self, step: int) -> None:
        if self.monday is None:
            return
        self.monday += timedelta(days=7 * step)
        self.reload()

    def _show(self, data: LoadData) -> None:
        if self.monday is not None and data.monday != self.monday:
            return  # an older range's answer arriving late
        self.data, self.monday = data, data.monday
        report = data.report
        last = data.monday + timedelta(days=7 * WEEKS - 1)
        self.query_one("#load-title", Label).update(
            f"Load {words.day(data.monday)} – {words.day(last)} {last.year} · {WEEKS} weeks"
        )
        people = sorted(report.people, key=lambda p: (-p.hours, p.handle))
        rows = []
        for rank, p in enumerate(people):
            lim = p.limits
            flag = flag_words(p)
            rows.append(
                (
                    str(p.person_id),
                    [
                        Ordered(p.handle, rank),
                        Text(words.hours(p.hours)),
                        Text(f"{p.hours_week:g} / {lim.max_hours_week:g} h"),
                        Text(f"{p.overnights_month} / {lim.max_overnights_month}"),
                        Text(f"{p.streak} d"),
                        Text(flag, style="bold" if p.level == "over" else ""),
                    ],
                )
            )
        self.query_one("#load-table", KeyTable).set_rows(rows)
        self._select_wanted()
        widest = max((p.hours for p in people), default=0.0)
        name_width = max((len(p.handle) for p in people), default=4)
        chart = Text(no_wrap=True)
        for p in people:
            marker = " " + fairness.level_word(p.level) if p.level else ""
            chart.append(f"{p.handle:<{name_width}} ")
            chart.append(f"{bar(p.hours, widest):<{BAR_WIDTH}}", style="bold" if p.level == "over" else "")
            chart.append(f" {words.hours_column(p.hours)}{marker}\n")
        self.query_one("#load-bars", Static).update(chart if people else Text("Nobody to show."))
        self.query_one("#load-spread", Static).update(spread_line(report.spread))


# ---------------------------------------------------------------- auto-fill


def apply_fill(db: Database, actor: Person, proposal: autofill.Proposal) -> int:
    """Write the proposal (all or nothing); the number of seats filled."""
    return len(autofill.apply(db, actor, proposal).placements)


def diff_lines(plan: AutofillPlan) -> Text:
    """'+ Mon 23 Nov 17:00–21:00 #141  ana (peer)' per placement, then what stays open."""
    tz = zone(plan.tz)
    p = plan.proposal
    text = Text()
    for pl in sorted(p.placements, key=lambda x: (x.start, x.shift_id, x.role, x.handle)):
        text.append(f"+ {words.between(pl.start, pl.end, tz)} #{pl.shift_id}  {pl.handle} ({pl.role})\n")
    for o in p.left_open:
        text.append(
            f"  {words.between(o.start, o.end, tz)} #{o.shift_id}  {o.count} {o.role} OPEN: {o.reason}\n",
            style="dim",
        )
    text.append(
        f"\n{len(p.placements)} of {p.seats_open} open seats filled · Gini {p.gini_before:.2f} → {p.gini_after:.2f}"
    )
    return text


class AutofillDialog(CoreCalls, Dialog[int | None]):
    """Auto-fill's proposal for a range as a diff; enter or ctrl+s applies it, escape discards it."""

    BINDINGS = [
        Binding("enter", "apply", "Apply", priority=True, id="autofill.apply"),
        Binding("ctrl+s", "apply", "Apply", show=False, priority=True, id="autofill.apply_in_field"),
        Binding("escape", "discard", "Discard", id="autofill.discard"),
    ]

    def __init__(self, start: datetime, end: datetime) -> None:
        super().__init__()
        self.start, self.end = start, end
        self.plan: AutofillPlan | None = None
        self.busy = True

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="autofill-dialog"):
            yield Label("Auto-fill the next 4 weeks", classes="dialog-title")
            with VerticalScroll(id="autofill-diff"):
                yield Static("Looking for people for the open seats…", id="autofill-body")
            yield Static("", id="autofill-message", classes="message")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.call_core(
            propose_fill,
            self.app.actor,  # type: ignore[attr-defined]
            self.start,
            self.end,
            AUTOFILL_SECONDS,
            done=self._proposed,
            error=self._refused,
            group="autofill",
            exclusive=True,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "apply":
            return not self.busy and self.plan is not None and bool(self.plan.proposal.placements)
        return True

    def _proposed(self, plan: AutofillPlan) -> None:
        self.plan, self.busy = plan, False
        body = diff_lines(plan)
        if not plan.proposal.placements:
            body.append("\nNothing to apply.")
        self.query_one("#autofill-body", Static).update(body)
        self.refresh_bindings()

    def _refused(self, exc: WarmlineError) -> None:
        self.busy = False
        self.say(str(exc), error=True)
        self.refresh_bindings()

    def say(self, message: str, *, error: bool = False) -> None:
        widget = self.query_one("#autofill-message", Static)
        widget.update(message)
        widget.set_classes("message -error" if error else "message -ok")

    def action_apply(self) -> None:
        if self.plan is None or self.busy:
            return
        self.busy = True
        self.refresh_bindings()
        self.call_core(
            apply_fill,
            self.app.actor,  # type: ignore[attr-defined]
            self.plan.proposal,
            done=self._applied,
            error=self._refused,
            group="autofill",
        )

    def _applied(self, count: int) -> None:
        self.app.notify(f"Auto-fill: {count} seats filled.")
        self.dismiss(count)

    def action_discard(self) -> None:
        self.dismiss(None)


__all__ = ["AutofillDialog", "LoadScreen", "diff_lines", "next_weeks"]
