"""Load: who works how much over a few weeks, who is near or over a limit, and how evenly hours fall.

Unpaid peers burning out is the failure this screen is for, so the flags read in words
("OVER", "near") and the bars are plain text. The core decides what a viewer may see:
a volunteer gets only their own row and no spread (warmline.fairness.load).

`a` (coordinators) opens Auto-fill (screens/autofill.py) on the four weeks shown.
"""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll

from warmline import fairness
from warmline.views import words
from warmline.views.load import (
    BAR_WIDTH,
    WEEKS,
    LoadData,
    bar,
    flag_words,
    next_weeks,
    read_load,
    spread_line,
)

from .autofill import AUTOFILL_SECONDS, AutofillDialog, diff_lines, open_on  # noqa: F401  (their old home)
from .base import WarmlineScreen
from .plain import Label, Static
from .table import KeyTable
from .widgets import KeysFooter, LineHeader, Ordered


class LoadScreen(WarmlineScreen):
    """Hours per person over four weeks, flags in words, bars and the spread. [ and ] move a week."""

    BINDINGS = [
        Binding("left_square_bracket", "week(-1)", "Prev", key_display="[", tooltip="A week earlier", id="load.prev_week"),
        Binding("right_square_bracket", "week(1)", "Next", key_display="]", tooltip="A week later", id="load.next_week"),
        Binding("a", "autofill", "Auto-fill", tooltip="Auto-fill the weeks shown (coordinators)", show=False, id="load.autofill"),
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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "autofill":
            return self.actor is not None and self.actor.is_coordinator
        return True

    def action_autofill(self) -> None:
        """Coordinators: Auto-fill's range form on the four weeks shown."""
        if self.monday is None or not self.check_action("autofill", ()):
            return
        open_on(self.app, self.monday, self.monday + timedelta(days=7 * WEEKS - 1))

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


__all__ = ["AutofillDialog", "LoadScreen", "diff_lines", "next_weeks"]
