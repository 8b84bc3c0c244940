"""Home: my next shift with a live countdown, my shifts for four weeks, and open seats I can take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Label, Static

from warmline import rota
from warmline.clock import now
from warmline.db import Database
from warmline.line import get as get_line
from warmline.model import Line, Person, ShiftView

from . import labels
from .base import WarmlineScreen
from .dialogs import ConfirmDialog, ShiftDialog, drop_explained
from .widgets import KeysFooter, LineHeader, Ordered, sync_table

WEEKS_AHEAD = 4


@dataclass(frozen=True)
class HomeData:
    """Everything Home shows, read in one worker call."""

    line: Line
    mine: list[ShiftView]
    open: list[ShiftView]
    moment: datetime


def load_home(db: Database, actor: Person) -> HomeData:
    """My shifts that have not ended (next four weeks) and the open seats I could claim now."""
    conn = db.conn
    line = get_line(conn)
    moment = now()
    horizon = moment + timedelta(weeks=WEEKS_AHEAD)
    # From a day back, so a shift in progress (at most 24 h long) is still "mine now".
    mine = [
        v
        for v in rota.views(conn, moment - timedelta(hours=24), horizon, person_id=actor.id)
        if v.shift.end_utc > moment
    ]
    return HomeData(line, mine, rota.claimable(conn, actor, moment, horizon), moment)


class HomeScreen(WarmlineScreen):
    """Where everyone starts: what is next for me and what I could pick up."""

    BINDINGS = [
        Binding("c", "claim", "Claim seat"),
        Binding("d", "drop", "Drop shift"),
    ]

    def __init__(self) -> None:
        super().__init__(name="home")
        self.data: HomeData | None = None

    @property
    def actor(self) -> Person:
        return self.app.actor  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield LineHeader()
        with Vertical(id="home"):
            with Vertical(id="next-shift"):
                yield Label("Your next shift", classes="section-title")
                yield Static("Loading…", id="next-when")
                yield Static("", id="next-who")
            yield Label(f"Your shifts · next {WEEKS_AHEAD} weeks", classes="section-title")
            upcoming: DataTable = DataTable(id="upcoming", cursor_type="row")
            for key, title in (
                ("when", "When"),
                ("hours", "Hours"),
                ("with", "With"),
                ("backup", "Backup"),
                ("status", "Status"),
            ):
                upcoming.add_column(title, key=key)
            yield upcoming
            yield Label("Open seats you can take", classes="section-title")
            open_table: DataTable = DataTable(id="open-seats", cursor_type="row")
            for key, title in (
                ("when", "When"),
                ("hours", "Hours"),
                ("open", "Open"),
                ("on", "On it"),
                ("backup", "Backup"),
            ):
                open_table.add_column(title, key=key)
            yield open_table
            yield Static("", id="home-message", classes="message")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)
        self.query_one("#upcoming", DataTable).focus()

    def reload(self) -> None:
        self.call_core(load_home, self.actor, done=self._show, group="home", exclusive=True)

    # -- showing

    def _show(self, data: HomeData) -> None:
        self.data = data
        me = self.actor.id
        rows = []
        for v in data.mine:
            rows.append(
                (
                    str(v.shift.id),
                    [
                        Ordered(labels.when(v), (v.shift.start_utc, v.shift.id)),
                        labels.hours(v.shift.hours),
                        labels.handles(v.peers, except_id=me) or "—",
                        labels.handles(v.backups, except_id=me)
                        or ("you" if any(a.person_id == me for a in v.backups) else "NO BACKUP"),
                        self._status(v),
                    ],
                )
            )
        sync_table(self.query_one("#upcoming", DataTable), rows)
        rows = []
        for v in data.open:
            opening = labels.open_text(v) or "COVER"  # the shift dialog says for whom
            rows.append(
                (
                    str(v.shift.id),
                    [
                        Ordered(labels.when(v), (v.shift.start_utc, v.shift.id)),
                        labels.hours(v.shift.hours),
                        opening,
                        labels.handles(v.peers) or "—",
                        labels.handles(v.backups) or "NO BACKUP",
                    ],
                )
            )
        sync_table(self.query_one("#open-seats", DataTable), rows)
        self._tick()
        self.refresh_bindings()

    def _status(self, v: ShiftView) -> Text:
        word = labels.status(v, self.actor.id)
        style = "" if word == "covered" else "bold"
        return Text(word, style=style)

    def _next(self) -> ShiftView | None:
        if self.data is None:
            return None
        return next((v for v in self.data.mine if v.shift.status == "scheduled"), None)

    def _tick(self) -> None:
        """Redraw the next shift and its countdown from the clock (static when WARMLINE_NOW fixes it)."""
        if self.data is None:
            return
        when = self.query_one("#next-when", Static)
        who = self.query_one("#next-who", Static)
        v = self._next()
        if v is None:
            when.update("No shifts in the next four weeks. Open seats you can take are listed below.")
            who.update("")
            return
        moment = self.app.clock()  # type: ignore[attr-defined]
        if v.shift.start_utc <= moment:
            timing = f"on now · ends in {labels.countdown(v.shift.end_utc - moment)}"
        else:
            timing = f"starts in {labels.countdown(v.shift.start_utc - moment)}"
        text = Text()
        text.append(labels.when(v), style="bold")
        text.append(f" · {labels.hours(v.shift.hours)} · ")
        text.append(timing, style="bold")
        when.update(text)
        me = self.actor.id
        peers = labels.handles(v.peers, except_id=me) or "nobody else yet"
        backup = labels.handles(v.backups, except_id=me) or ("you" if v.backups else "NO BACKUP yet")
        line = f"With {peers} · backup {backup}"
        if v.open_seats:
            line += f" · {labels.open_text(v)}"
        who.update(line)

    def _say(self, message: str, *, error: bool = False) -> None:
        widget = self.query_one("#home-message", Static)
        widget.update(message)
        widget.set_classes("message -error" if error else "message -ok")

    # -- actions

    def _selected(self, table_id: str, views: list[ShiftView]) -> ShiftView | None:
        table = self.query_one(table_id, DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((v for v in views if str(v.shift.id) == key), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "claim":
            return bool(self.data and self.data.open)
        if action == "drop":
            return bool(self.data and any(v.shift.status == "scheduled" for v in self.data.mine))
        return True

    def action_claim(self) -> None:
        if self.data is None:
            return
        v = self._selected("#open-seats", self.data.open)
        if v is None:
            return
        self.call_core(
            rota.claim,
            self.actor,
            v.shift.id,
            done=lambda _a: self._changed(f"You are on {labels.when(v)}. Thank you."),
            failed=lambda m: self._say(m, error=True),
        )

    def action_drop(self) -> None:
        if self.data is None:
            return
        v = self._selected("#upcoming", self.data.mine)
        if v is None:
            return
        if v.shift.status != "scheduled":
            self._say(f"{labels.when(v)} is cancelled: there is nothing to drop.", error=True)
            return
        title, body = drop_explained(v, self.data.line, now())
        self.app.push_screen(ConfirmDialog(title, body, yes="Drop it", no="Keep it"), lambda yes: self._drop(v, yes))

    def _drop(self, v: ShiftView, yes: bool | None) -> None:
        if not yes:
            return

        def dropped(outcome: str) -> None:
            if outcome == "reopened":
                self._changed(f"Dropped {labels.when(v)}: the seat is open again.")
            else:
                self._changed(f"Cover requested for {labels.when(v)}: you stay on until someone takes it.")

        self.call_core(rota.drop, self.actor, v.shift.id, done=dropped, failed=lambda m: self._say(m, error=True))

    def _changed(self, message: str) -> None:
        self._say(message)
        self.app.notify(message)
        self.reload()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        key: Any = event.row_key.value
        if key:
            self.app.push_screen(ShiftDialog(int(key)))
