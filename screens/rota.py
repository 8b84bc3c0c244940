"""Rota: a week grid, Monday to Sunday in the line's zone. Everyone reads it; coordinators edit it."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, time, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.worker import get_current_worker

from warmline.clock import now
from warmline.db import Database
from warmline.model import Person, ShiftView
from warmline.views import words
from warmline.views.rota import WeekData, load_strain, load_week

from .base import WarmlineScreen
from .plain import Label, Static
from .week import WeekGrid, week_days
from .widgets import KeysFooter, LineHeader

if TYPE_CHECKING:
    from warmline.views.shift_form import ShiftDraft

# The dialogs (and the form widgets they use) load when a shift is first opened or created:
# looking at the week needs none of them.


class RotaScreen(WarmlineScreen):
    """The week grid: arrows move, [ and ] change week, t is today, enter opens a shift."""

    BINDINGS = [
        Binding("left_square_bracket", "week(-1)", "Prev", key_display="[", tooltip="Previous week", id="rota.prev_week"),
        Binding("right_square_bracket", "week(1)", "Next", key_display="]", tooltip="Next week", id="rota.next_week"),
        Binding("t", "today", "Today", tooltip="Go to today", id="rota.today"),
        Binding("n", "new_shift", "New", tooltip="New shift or series", id="rota.new_shift"),
        Binding("a", "autofill", "Auto-fill", tooltip="Auto-fill this week", show=False, id="rota.autofill"),
    ]

    def __init__(self) -> None:
        super().__init__(name="rota")
        self.monday: date | None = None
        self.today: date | None = None
        self.data: WeekData | None = None
        self._select_after: int | None = None
        self._select_day_after: date | None = None
        self._weeks_ahead = 0  # [ / ] pressed (e.g. from the palette) before the first week landed
        self._summary_width = 0


    def compose(self) -> ComposeResult:
        yield LineHeader()
        with Horizontal(id="rota-bar"):
            yield Label("Loading the week…", id="week-title")
            yield Label("", id="week-summary")
        yield WeekGrid(id="week")
        yield Static("", id="shift-status")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(WeekGrid).focus()

    def reload(self) -> None:
        app = self.app

        def read(db: Database, monday: date | None, viewer: Person) -> tuple[date, dict] | None:
            # On the worker's thread: the week first, shown at once; then, once the grid is
            # drawn and unless another week was asked for meanwhile, the limit flags, on the
            # same connection (a second worker would open a second one, with its own cache).
            data = load_week(db, monday)
            drawn = threading.Event()
            app.call_from_thread(self._landed, data, drawn)
            if not drawn.wait(2.0) or get_current_worker().is_cancelled or self.monday != data.monday:
                return None
            return data.monday, load_strain(db, data.monday, viewer)

        self.call_core(read, self.monday, self.actor, done=self._strain_landed, group="week", exclusive=True)

    def _landed(self, data: WeekData, drawn: threading.Event) -> None:
        self._show(data)
        self.call_after_refresh(drawn.set)

    def _show(self, data: WeekData) -> None:
        if self.monday is not None and data.monday != self.monday:
            return  # an older week's answer arriving late
        if self.data is not None and self.data.monday == data.monday:
            data = replace(data, strain=self.data.strain)  # a live reload: keep the flags until they are re-read
        self.data = data
        self.monday = data.monday
        self.today = data.today
        grid = self.query_one(WeekGrid)
        grid.show_week(data.monday, week_days(data.views, data.monday), data.today, self.actor.id)
        if self._select_after is not None:
            grid.select_shift(self._select_after)
        elif self._select_day_after is not None:
            grid.select_day(self._select_day_after)
        self._select_after = self._select_day_after = None
        self._title(data)
        if self._weeks_ahead:
            self.action_week(0)

    def _strain_landed(self, result: tuple[date, dict[str, tuple[str, str]]] | None) -> None:
        """The limit flags of the week shown: into the summary and the status line."""
        if result is None or self.data is None or self.data.monday != result[0]:
            return
        strain = result[1]
        if strain != self.data.strain:
            self.data = replace(self.data, strain=strain)
            self._title(self.data)
            grid = self.query_one(WeekGrid)
            self._describe(grid.selected_view, grid.selected_day)

    def _title(self, data: WeekData) -> None:
        sunday = data.monday + timedelta(days=6)
        relative = words.week_relative(data.monday, data.today)
        relative = f" · {relative}" if relative else ""
        title = f"{words.day(data.monday)} – {words.day(sunday)} {sunday.year}{relative}"
        # The title and the status line keep their size whatever they say: no layout pass for them.
        self.query_one("#week-title", Label).update(Text(title, style="bold"), layout=False)
        live = [v for v in data.views if v.shift.status == "scheduled"]
        open_seats = sum(v.open_seats for v in live)
        no_backup = sum(1 for v in live if words.no_backup(v))
        summary = Text(f"{len(live)} shifts")
        if open_seats:
            summary.append(" · ")
            summary.append(f"{open_seats} OPEN", style="bold")
        if no_backup:
            summary.append(" · ")
            summary.append(f"{no_backup} {words.NO_BACKUP}", style="bold")
        if not open_seats and not no_backup and live:
            summary.append(" · all covered")
        over = sum(1 for word, _ in data.strain.values() if word == "OVER")
        near = len(data.strain) - over
        if over:
            summary.append(" · ")
            summary.append(f"{over} OVER A LIMIT", style="bold")
        if near:
            summary.append(f" · {near} at or near a limit")
        # The summary is as wide as its text: lay out again only when that width changes.
        self.query_one("#week-summary", Label).update(summary, layout=summary.cell_len != self._summary_width)
        self._summary_width = summary.cell_len

    @on(WeekGrid.CursorMoved)
    def _status(self, event: WeekGrid.CursorMoved) -> None:
        self._describe(event.view, event.day)

    def _describe(self, v: ShiftView | None, day: date | None) -> None:
        """The status line: the shift under the cursor in words, with any limit flags of the people on it."""
        status = self.query_one("#shift-status", Static)
        if v is None:
            if day is None:
                status.update("", layout=False)
                return
            hint = " · n: new shift" if self.actor.is_coordinator else ""
            status.update(f"{words.day(day)}: no shifts{hint}", layout=False)
            return
        me = self.actor.id
        text = Text()
        text.append(words.when(v), style="bold")
        people = ", ".join("you" if a.person_id == me else a.handle for a in v.peers) or "nobody"
        text.append(f" · {people}")
        backup = ", ".join("you" if a.person_id == me else a.handle for a in v.backups)
        text.append(f" · backup {backup}" if backup else f" · {words.NO_BACKUP}")
        if v.shift.status != "scheduled":
            text.append(f" · {words.CANCELLED}")
        elif v.open_seats:
            text.append(f" · {words.open_text(v)}")
        if v.cover:
            text.append(f" · cover asked by {words.handles(v.cover)}")
        strain = self.data.strain if self.data is not None else {}
        for a in (*v.peers, *v.backups):
            if a.handle in strain:
                word, _ = strain[a.handle]
                text.append(f" · {a.handle} {word} a limit", style="bold" if word == "OVER" else "")
        text.append(" · enter: details", style="dim")
        status.update(text, layout=False)

    @on(WeekGrid.ShiftSelected)
    def _open(self, event: WeekGrid.ShiftSelected) -> None:
        from .dialogs import ShiftDialog

        self.app.push_screen(ShiftDialog(event.shift_id))

    # -- week navigation

    def action_week(self, step: int) -> None:
        self._weeks_ahead += step
        if self.monday is None:
            return  # the first week is still loading: it moves on once it lands
        self.monday += timedelta(days=7 * self._weeks_ahead)
        self._weeks_ahead = 0
        self.reload()

    def action_today(self) -> None:
        if self.today is None:
            return
        this_monday = self.today - timedelta(days=self.today.weekday())
        if self.monday == this_monday:
            self.query_one(WeekGrid).select_day(self.today)
            return
        self.monday = this_monday
        self._select_day_after = self.today
        self.reload()

    def show_week_of(self, day: date) -> None:
        """Show the week containing `day` (used by the command palette and after creating shifts)."""
        self.monday = day - timedelta(days=day.weekday())
        self._select_day_after = day
        self.reload()

    # -- creating

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new_shift", "autofill"):
            return self.actor is not None and self.actor.is_coordinator
        return True

    def action_autofill(self) -> None:
        """Coordinators: Auto-fill's form on the week shown (screens/autofill.py)."""
        from .autofill import open_on

        if self.monday is not None and self.check_action("autofill", ()):
            open_on(self.app, self.monday, self.monday + timedelta(days=6))

    def action_new_shift(self, draft: ShiftDraft | None = None, error: str = "") -> None:
        from warmline.views.shift_form import ShiftDraft

        from .shift_form import ShiftFormDialog

        if draft is None:
            day = self.query_one(WeekGrid).selected_day or self.today or now().date()
            draft = ShiftDraft(day=day, start=time(9), end=time(13), seats=2, backup=1)
        self.app.push_screen(ShiftFormDialog("new", draft, error=error), self._create)

    def _create(self, draft: ShiftDraft | None) -> None:
        if draft is None:
            return
        from warmline.views.shift_form import create_from_draft

        def created(result: tuple[str, int | None, date]) -> None:
            what, shift_id, first = result
            self.app.notify(f"Created {what}.")
            self.monday = first - timedelta(days=first.weekday())
            if shift_id is not None:
                self._select_after = shift_id
            else:
                self._select_day_after = first
            self.reload()

        self.call_core(
            create_from_draft,
            self.actor,
            draft,
            done=created,
            failed=lambda message: self.action_new_shift(draft, message),  # the form reopens with what was typed
        )
