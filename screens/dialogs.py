"""Dialogs: confirm and choice questions, the shift form, the assign picker and the shift dialog.

Each dialog is a ModalScreen that returns a typed value with `dismiss(value)`. The shift
dialog also carries out what is chosen in it (claim, drop, assign, edit, cancel) through
the core, so a refusal can be shown in place, next to the shift it is about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox

from warmline import rota
from warmline.clock import now
from warmline.db import Database
from warmline.errors import Invalid, RuleBroken, WarmlineError
from warmline.line import get as get_line
from warmline.model import Line, Person, Series, ShiftView
from warmline.recurrence import shift_span, zone
from warmline.times import parse_day
from warmline.views import words as labels  # the shared words (screens/labels.py until issue 13)

from .base import CoreCalls
from .plain import Button, Input, Label, Option, OptionList, Static, shown
from .table import KeyTable
from .widgets import KeysFooter


class DayBox(Checkbox):
    """A checkbox whose state reads without colour: [X] ticked, [ ] not."""

    @property
    def _button(self):  # type: ignore[override]
        self.BUTTON_INNER = "X" if self.value else " "
        return super()._button


# ---------------------------------------------------------------- simple questions


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question. Returns True for yes."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
        Binding("escape", "answer(False)", "Back", id="confirm.back"),
    ]

    def __init__(self, title: str, body: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.body, classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="primary", compact=True)
                yield Button(f"{self.no} (n)", id="no", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class ChoiceDialog(ModalScreen[str | None]):
    """Pick one of a few choices (arrows and enter). Returns the choice's value, or None when backed out."""

    BINDINGS = [Binding("escape", "back", "Back", id="choice.back")]

    def __init__(self, title: str, choices: list[tuple[str, str]], *, body: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="choice-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.body:
                yield Static(self.body, classes="dialog-body")
            yield OptionList(*[Option(label, id=value) for value, label in self.choices], id="choices")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def action_back(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


# ---------------------------------------------------------------- the shift form


@dataclass(frozen=True)
class ShiftDraft:
    """What the shift form returns: a one-off shift (no days) or a weekly series (days chosen)."""

    day: date
    start: time
    end: time
    seats: int = 2
    backup: int = 1
    note: str = ""
    days: tuple[str, ...] = ()
    until: date | None = None


_TIME = re.compile(r"(\d{1,2})(?::?(\d{2}))?")
TIME_PRESETS = {
    "morning": ("Morning", time(9), time(13)),
    "afternoon": ("Afternoon", time(13), time(17)),
    "evening": ("Evening", time(17), time(21)),
    "night": ("Night", time(21), time(1)),
}
DAY_PRESETS = {
    "weekdays": ("Weekdays", labels.WEEKDAYS[:5]),
    "weekend": ("Weekend", labels.WEEKDAYS[5:]),
    "everyday": ("Every day", labels.WEEKDAYS),
    "once": ("Once", ()),
}


def parse_time(text: str, what: str) -> time:
    """A wall time from 9, 0900, 09:00 or 9:30."""
    match = _TIME.fullmatch(text.strip())
    if match:
        h, m = int(match.group(1)), int(match.group(2) or 0)
        if h < 24 and m < 60:
            return time(h, m)
    raise Invalid(f"{what} {text.strip()!r} is not a time: use HH:MM, e.g. 09:00 or 21:30")


def parse_count(text: str, what: str) -> int:
    """A whole number of seats."""
    raw = text.strip()
    if not raw.isdigit():
        raise Invalid(f"{what} {raw!r} is not a whole number: use e.g. 2")
    return int(raw)


class ShiftFormDialog(ModalScreen[ShiftDraft | None]):
    """Create a shift or series, or edit one shift or a whole series. Returns a ShiftDraft, or None.

    mode: "new" (everything), "shift" (one occurrence: no repeat days), "series" (no first date).
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True, id="shift_form.save"),
        Binding("escape", "back", "Back", id="shift_form.back"),
    ]

    def __init__(self, mode: str, draft: ShiftDraft, *, error: str = "", title: str = "", fixed_rule: str = "") -> None:
        super().__init__()
        self.mode = mode
        self.draft = draft
        self.error = error
        # A series whose rule is more than days of the week (e.g. every other Monday) keeps its rule.
        self.fixed_rule = fixed_rule
        self.title_text = (
            title or {"new": "New shift", "shift": "Edit this shift", "series": "Edit the whole series"}[mode]
        )

    def compose(self) -> ComposeResult:
        d = self.draft
        repeat = self.mode in ("new", "series")
        with VerticalScroll(classes="dialog", id="shift-form"):
            yield Label(self.title_text, classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label("Date", classes="form-label")
                yield Input(
                    d.day.isoformat(), id="day", compact=True, classes="form-date", disabled=self.mode == "series"
                )
                if repeat:
                    yield Label("Until", classes="form-label")
                    yield Input(
                        d.until.isoformat() if d.until else "",
                        placeholder="no end",
                        id="until",
                        compact=True,
                        classes="form-date",
                    )
            with Horizontal(classes="form-row"):
                yield Label("Start", classes="form-label")
                yield Input(labels.hm(d.start), id="start", compact=True, classes="form-time")
                yield Label("End", classes="form-label")
                yield Input(labels.hm(d.end), id="end", compact=True, classes="form-time")
                yield Label("Seats", classes="form-label")
                yield Input(str(d.seats), id="seats", compact=True, classes="form-count")
                yield Label("Backup", classes="form-label")
                yield Input(str(d.backup), id="backup", compact=True, classes="form-count")
            with Horizontal(classes="form-row"):
                yield Label("Times", classes="form-label")
                for key, (name, _s, _e) in TIME_PRESETS.items():
                    yield Button(name, id=f"time-{key}", compact=True, classes="preset")
            if repeat and self.fixed_rule:
                with Horizontal(classes="form-row"):
                    yield Label("Repeat", classes="form-label")
                    yield Label(f"{self.fixed_rule} (kept; change it with `warmline series edit`)", id="fixed-rule")
            elif repeat:
                with Horizontal(classes="form-row", id="repeat-days"):
                    yield Label("Repeat", classes="form-label")
                    for code, name in zip(labels.WEEKDAYS, labels.WEEKDAY_NAMES, strict=True):
                        yield DayBox(name, code in d.days, id=f"day-{code}", compact=True, classes="weekday")
                with Horizontal(classes="form-row"):
                    yield Label("Days", classes="form-label")
                    for key, (name, _days) in DAY_PRESETS.items():
                        if self.mode == "series" and key == "once":
                            continue
                        yield Button(name, id=f"days-{key}", compact=True, classes="preset")
            with Horizontal(classes="form-row"):
                yield Label("Note", classes="form-label")
                yield Input(shown(d.note), id="note", compact=True, classes="form-note", placeholder="optional")
            yield Static(self.error, id="form-message", classes="message -error" if self.error else "message")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary", compact=True)
                yield Button("Back (esc)", id="back", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        first = "#start" if self.mode == "series" else "#day"
        self.query_one(first, Input).focus()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        try:
            draft = self.read()
        except Invalid as exc:
            message = self.query_one("#form-message", Static)
            message.update(str(exc))
            message.set_classes("message -error")
            return
        self.dismiss(draft)

    def read(self) -> ShiftDraft:
        """The form's values, checked; Invalid says which field is wrong and how to fix it."""
        value = lambda wid: self.query_one(f"#{wid}", Input).value  # noqa: E731
        days: tuple[str, ...] = ()
        until = None
        if self.mode in ("new", "series"):
            if not self.fixed_rule:
                days = tuple(c for c in labels.WEEKDAYS if self.query_one(f"#day-{c}", DayBox).value)
            if value("until").strip():
                until = parse_day(value("until"), what="the until date")
            if self.mode == "series" and not days and not self.fixed_rule:
                raise Invalid("a series repeats on at least one day: tick a day, or cancel the series instead")
        return ShiftDraft(
            day=parse_day(value("day"), what="the date"),
            start=parse_time(value("start"), "the start"),
            end=parse_time(value("end"), "the end"),
            seats=parse_count(value("seats"), "seats"),
            backup=parse_count(value("backup"), "backup seats"),
            note=value("note"),
            days=days,
            until=until,
        )

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        bid = event.button.id or ""
        if bid == "save":
            self.action_save()
        elif bid == "back":
            self.dismiss(None)
        elif bid.startswith("time-"):
            _name, start, end = TIME_PRESETS[bid.removeprefix("time-")]
            self.query_one("#start", Input).value = labels.hm(start)
            self.query_one("#end", Input).value = labels.hm(end)
        elif bid.startswith("days-"):
            _name, chosen = DAY_PRESETS[bid.removeprefix("days-")]
            for code in labels.WEEKDAYS:
                self.query_one(f"#day-{code}", DayBox).value = code in chosen


def first_day_on(day: date, days: tuple[str, ...]) -> date:
    """The first date on or after `day` that falls on one of `days`."""
    for offset in range(7):
        candidate = day + timedelta(days=offset)
        if labels.WEEKDAYS[candidate.weekday()] in days:
            return candidate
    return day


def create_from_draft(db: Database, actor: Person, draft: ShiftDraft) -> tuple[str, int | None, date]:
    """Create what the form describes; returns (what was made, the new shift's id for a one-off, its first day)."""
    line = get_line(db.conn)
    tz = zone(line.tz)
    if draft.days:
        first = first_day_on(draft.day, draft.days)
        start, end = shift_span(first, draft.start, draft.end, tz)
        series, made = rota.add_series(
            db,
            actor,
            rule=labels.weekly_rule(draft.days),
            start=start,
            end=end,
            seats=draft.seats,
            backup=draft.backup,
            until=draft.until,
            note=draft.note,
        )
        what = f"series {labels.rule_text(series.rule)} {series.start_time}–{series.end_time}: {made} shifts"
        return what, None, first
    start, end = shift_span(draft.day, draft.start, draft.end, tz)
    shift = rota.add_shift(db, actor, start=start, end=end, seats=draft.seats, backup=draft.backup, note=draft.note)
    return (
        f"shift {labels.day(shift.start_local)} {labels.hm(shift.start_local)}–{labels.hm(shift.end_local)}",
        shift.id,
        draft.day,
    )


def edit_one(db: Database, actor: Person, shift_id: int, draft: ShiftDraft, force: bool = False) -> Any:
    """Apply the form to one shift (a series occurrence is detached from its series)."""
    tz = zone(get_line(db.conn).tz)
    start, end = shift_span(draft.day, draft.start, draft.end, tz)
    return rota.edit_shift(
        db, actor, shift_id, start=start, end=end, seats=draft.seats, backup=draft.backup, note=draft.note, force=force
    )


def series_changes(series: Series, draft: ShiftDraft) -> rota.SeriesChanges:
    """Only what the form changed about a series."""
    changes = rota.SeriesChanges()
    if labels.hm(draft.start) != series.start_time:
        changes.start_time = draft.start
    if labels.hm(draft.end) != series.end_time:
        changes.end_time = draft.end
    if draft.seats != series.seats:
        changes.seats = draft.seats
    if draft.backup != series.backup_seats:
        changes.backup = draft.backup
    if draft.note.strip() != series.note:
        changes.note = draft.note
    until = draft.until.isoformat() if draft.until else None
    if until != series.until_day:
        if draft.until is None:
            changes.clear_until = True
        else:
            changes.until = draft.until
    if draft.days and draft.days != labels.rule_days(series.rule):
        changes.rule = labels.weekly_rule(draft.days)
    return changes


def edit_whole_series(db: Database, actor: Person, series_id: int, draft: ShiftDraft, force: bool = False) -> Any:
    """Apply the form to a series: its future occurrences not edited on their own follow."""
    series = rota.get_series(db.conn, series_id)
    return rota.edit_series(db, actor, series_id, series_changes(series, draft), force=force)


# ---------------------------------------------------------------- the assign picker


@dataclass(frozen=True)
class AssignChoice:
    """Who to put on a shift, and in which seat."""

    handle: str
    role: str = "peer"


def _candidates(db: Database, actor: Person, shift_id: int) -> tuple[list[rota.Candidate], Line]:
    return rota.candidates(db.conn, actor, shift_id), get_line(db.conn)


class AssignDialog(CoreCalls, ModalScreen[AssignChoice | None]):
    """Everyone who could take a seat: eligible first, with hours this week against their limit."""

    BINDINGS = [
        Binding("enter", "pick('peer')", "Assign as peer", priority=True, id="assign.peer"),
        Binding("b", "pick('backup')", "Assign as backup", id="assign.backup"),
        Binding("escape", "back", "Back", id="assign.back"),
    ]

    def __init__(self, shift_id: int, title: str) -> None:
        super().__init__()
        self.shift_id = shift_id
        self.title_text = title
        self.found: dict[str, rota.Candidate] = {}
        self.tz = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="assign-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield KeyTable(
                (("Person", "person"), ("This week", "week"), ("Last shift", "last"), ("Fit", "fit")), id="candidates"
            )
            yield Static("Loading who could take it…", id="candidate-detail", classes="message")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#candidates").focus()
        self.reload()

    def reload(self) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        self.call_core(_candidates, actor, self.shift_id, done=self._show, group="candidates", exclusive=True)

    def _show(self, result: tuple[list[rota.Candidate], Line]) -> None:
        found, line = result
        tz = zone(line.tz)
        self.found = {c.person.handle: c for c in found}
        rows = []
        for c in found:
            last = labels.day(c.last_shift_end.astimezone(tz)) if c.last_shift_end else "—"
            if c.eligible:
                fit = Text("ok")
            else:
                rules = ", ".join(dict.fromkeys(p.rule for p in c.problems))
                fit = Text(f"{rules} ({'override' if c.forceable else 'no'})", style="dim")
            rows.append(
                (
                    c.person.handle,
                    [
                        f"{c.person.handle} · {c.person.name}",
                        f"{labels.hours(c.week_hours)} / {labels.hours(c.max_hours_week)}",
                        last,
                        fit,
                    ],
                )
            )
        self.query_one("#candidates", KeyTable).set_rows(rows)
        if not found:
            self.query_one("#candidate-detail", Static).update("Nobody else is active on this line.")
        else:
            self._detail()

    def _current(self) -> rota.Candidate | None:
        return self.found.get(self.query_one("#candidates", KeyTable).cursor_key or "")

    @on(KeyTable.RowHighlighted)
    def _detail(self) -> None:
        c = self._current()
        detail = self.query_one("#candidate-detail", Static)
        if c is None:
            return
        if c.eligible:
            detail.update(f"{c.person.handle} can take this shift.")
        else:
            why = "; ".join(p.message for p in c.problems)
            tail = " A coordinator may override this." if c.forceable else " This cannot be overridden."
            detail.update(why + tail)

    def action_pick(self, role: str) -> None:
        c = self._current()
        if c is not None:
            self.dismiss(AssignChoice(c.person.handle, role))

    def action_back(self) -> None:
        self.dismiss(None)


# ---------------------------------------------------------------- the shift dialog


@dataclass(frozen=True)
class ShiftDetails:
    """What the shift dialog shows: the shift with who is on it, its series, and the line."""

    view: ShiftView
    series: Series | None
    line: Line


def load_shift(db: Database, shift_id: int) -> ShiftDetails:
    """One shift with its series and the line's settings."""
    view = rota.view(db.conn, shift_id)
    series = rota.get_series(db.conn, view.shift.series_id) if view.shift.series_id else None
    return ShiftDetails(view, series, get_line(db.conn))


def drop_explained(view: ShiftView, line: Line, moment: datetime) -> tuple[str, str]:
    """(title, body) saying before a drop whether the seat reopens or a cover request opens."""
    if not line.drop_asks_cover(view.shift.start_utc, moment):  # the core's rule (rota.drop)
        return (
            "Drop this shift? Your seat reopens",
            f"{labels.when(view)} is more than {line.drop_cutoff_hours} h away, so your seat reopens "
            "and anyone eligible can claim it.",
        )
    return (
        "Drop this shift? This asks for cover",
        f"{labels.when(view)} starts within {line.drop_cutoff_hours} h, so dropping it asks for cover: "
        "you stay on the shift until someone takes your seat. The coordinators can see the request.",
    )


def is_on(view: ShiftView, person_id: int) -> bool:
    return any(a.person_id == person_id for a in view.peers + view.backups)


def strip_cli_hint(message: str) -> str:
    """The core's refusal without the CLI's --force hint (the dialog offers an override instead)."""
    return message.replace(" (a coordinator may override with --force)", "")


class ShiftDialog(CoreCalls, ModalScreen[None]):
    """One shift in full; claim or drop it, and for coordinators assign, unassign, edit and cancel it."""

    BINDINGS = [
        Binding("c", "claim", "Claim", id="shift.claim"),
        Binding("d", "drop", "Drop", id="shift.drop"),
        Binding("s", "swap", "Swap", tooltip="Propose a swap", id="shift.swap"),
        Binding("a", "assign", "Assign", id="shift.assign"),
        Binding("x", "unassign", "Unassign", id="shift.unassign"),
        Binding("e", "edit", "Edit", id="shift.edit"),
        Binding("k", "cancel_shift", "Cancel shift", id="shift.cancel_shift"),
        Binding("escape", "close", "Close", id="shift.close"),
    ]

    def __init__(self, shift_id: int) -> None:
        super().__init__()
        self.shift_id = shift_id
        self.details: ShiftDetails | None = None


    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="shift-dialog"):
            yield Label(f"Shift {self.shift_id}", id="shift-title", classes="dialog-title")
            yield Static("Loading…", id="shift-details")
            yield Static("", id="shift-message", classes="message")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Re-read the shift (someone else may have claimed the seat meanwhile)."""
        self.call_core(load_shift, self.shift_id, done=self._show, group="shift", exclusive=True)

    # -- showing

    def _show(self, details: ShiftDetails) -> None:
        self.details = details
        v, s = details.view, details.view.shift
        me = self.actor.id
        tz = zone(details.line.tz)
        local = s.start_utc.astimezone(tz)
        title = f"{labels.day(local)} {local.year} · {labels.span(v)} {local.tzname()} · {labels.hours(s.hours)}"
        self.query_one("#shift-title", Label).update(title)
        text = Text()
        if s.status != "scheduled":
            text.append("CANCELLED\n", style="bold")
        if details.series is not None:
            repeat = labels.rule_text(details.series.rule)
            text.append(
                f"Repeats {repeat}" + (" (this one edited on its own)" if s.detached else "") + "\n", style="dim"
            )
        text.append(f"Peers ({len(v.peers)} of {s.seats}): ", style="bold")
        people = [("you" if a.person_id == me else f"{a.handle} ({a.name})") for a in v.peers]
        text.append(", ".join(people) or "nobody")
        if v.open_seats and s.status == "scheduled":
            text.append(f"  {labels.open_text(v)}", style="bold reverse")
        text.append(f"\nBackup ({len(v.backups)} of {s.backup_seats}): ", style="bold")
        if v.backups:
            text.append(", ".join("you" if a.person_id == me else f"{a.handle} ({a.name})" for a in v.backups))
        else:
            text.append("NO BACKUP", style="bold reverse")
        if v.cover:
            asked = ", ".join("you" if c.person_id == me else c.handle for c in v.cover)
            text.append(f"\nCover asked by: {asked} (they stay on until someone takes the seat)")
        if s.note:
            text.append(f"\nNote: {s.note}")
        self.query_one("#shift-details", Static).update(text)
        self.refresh_bindings()

    def say(self, message: str, *, error: bool = False) -> None:
        widget = self.query_one("#shift-message", Static)
        widget.update(message)
        widget.set_classes("message -error" if error else "message -ok")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("close",):
            return True
        d = self.details
        if d is None:
            return action not in ("claim", "drop", "swap", "assign", "unassign", "edit", "cancel_shift")
        s = d.view.shift
        scheduled = s.status == "scheduled"
        future = s.start_utc > now()
        coordinator = self.actor.is_coordinator
        mine = is_on(d.view, self.actor.id)
        if action == "claim":
            return scheduled and future and not mine and bool(d.view.open_seats or d.view.cover)
        if action in ("drop", "swap"):
            return scheduled and future and mine
        if action in ("assign", "edit", "cancel_shift"):
            return coordinator and scheduled
        if action == "unassign":
            return coordinator and bool(d.view.peers or d.view.backups)
        return True

    # -- volunteers and coordinators

    def action_close(self) -> None:
        self.dismiss(None)

    def action_claim(self) -> None:
        self.call_core(rota.claim, self.actor, self.shift_id, done=self._claimed, error=self._refused)

    def _claimed(self, _assignment: Any) -> None:
        self.say("You are on this shift. Thank you.")
        self.app.notify("Shift claimed. Thank you.")
        self.reload()

    def action_drop(self) -> None:
        if self.details is None:
            return
        title, body = drop_explained(self.details.view, self.details.line, now())
        self.app.push_screen(ConfirmDialog(title, body, yes="Drop it", no="Keep it"), self._drop_confirmed)

    def _drop_confirmed(self, yes: bool | None) -> None:
        if yes:
            self.call_core(rota.drop, self.actor, self.shift_id, done=self._dropped, error=self._refused)

    def _dropped(self, outcome: str) -> None:
        text = (
            "Your seat is open again."
            if outcome == "reopened"
            else "Cover requested: you stay on until someone takes it."
        )
        self.say(text)
        self.app.notify(text)
        self.reload()

    def action_swap(self) -> None:
        from .swap import SwapDialog  # screens/swap.py: pick someone's shift, see the core's problems, propose

        self.app.push_screen(SwapDialog(self.shift_id), self._swap_proposed)

    def _swap_proposed(self, swap: Any) -> None:
        if swap is not None:
            self._changed(f"Swap {swap.id} proposed: it waits for {swap.waiting_for}.")

    # -- coordinators

    def action_assign(self) -> None:
        if self.details is None:
            return
        title = f"Assign to {labels.when(self.details.view)}"
        self.app.push_screen(AssignDialog(self.shift_id, title), self._assign_chosen)

    def _assign_chosen(self, choice: AssignChoice | None) -> None:
        if choice is not None:
            self._assign(choice, force=False)

    def _assign(self, choice: AssignChoice, *, force: bool) -> None:
        def refused(exc: WarmlineError) -> None:
            self._refused(exc)
            if isinstance(exc, RuleBroken) and exc.overridable and self.actor.is_coordinator and not force:
                self.app.push_screen(
                    ConfirmDialog(
                        "Override this rule?",
                        f"{strip_cli_hint(str(exc))}\n\nAssign {choice.handle} anyway? "
                        "The override is recorded in the audit log.",
                        yes="Override",
                        no="Don't",
                    ),
                    lambda yes: self._assign(choice, force=True) if yes else None,
                )

        self.call_core(
            rota.assign,
            self.actor,
            self.shift_id,
            choice.handle,
            role=choice.role,
            force=force,
            done=lambda a: self._changed(
                f"{a.handle} is on as {a.role}" + (" (rule overridden)" if force else "") + "."
            ),
            error=refused,
        )

    def action_unassign(self) -> None:
        if self.details is None:
            return
        v = self.details.view
        choices = [(a.handle, f"{a.handle} ({a.name}) · {a.role}") for a in v.peers + v.backups]
        self.app.push_screen(ChoiceDialog("Take who off this shift?", choices), self._unassign_chosen)

    def _unassign_chosen(self, handle: str | None) -> None:
        if handle:
            self.call_core(
                rota.unassign,
                self.actor,
                self.shift_id,
                handle,
                done=lambda _r: self._changed(f"{handle} is off this shift."),
                error=self._refused,
            )

    def action_edit(self) -> None:
        if self.details is None:
            return
        if self.details.series is not None and self.details.series.status == "active":
            self.app.push_screen(
                ChoiceDialog(
                    "Edit which?",
                    [
                        ("one", "This occurrence only"),
                        ("series", "The whole series (future shifts not edited on their own)"),
                    ],
                    body=f"This shift repeats {labels.rule_text(self.details.series.rule)}.",
                ),
                self._edit_scope,
            )
        else:
            self._edit_scope("one")

    def _edit_scope(self, scope: str | None) -> None:
        d = self.details
        if scope is None or d is None:
            return
        s = d.view.shift
        if scope == "series" and d.series is not None:
            series = d.series
            draft = ShiftDraft(
                day=date.fromisoformat(series.first_day),
                start=time.fromisoformat(series.start_time),
                end=time.fromisoformat(series.end_time),
                seats=series.seats,
                backup=series.backup_seats,
                note=series.note,
                days=labels.rule_days(series.rule) or (),
                until=date.fromisoformat(series.until_day) if series.until_day else None,
            )
            self._open_form("series", draft, fixed_rule="" if labels.rule_days(series.rule) else series.rule)
        else:
            draft = ShiftDraft(
                day=s.start_local.date(),
                start=s.start_local.time(),
                end=s.end_local.time(),
                seats=s.seats,
                backup=s.backup_seats,
                note=s.note,
            )
            self._open_form("shift", draft)

    def _open_form(self, mode: str, draft: ShiftDraft, error: str = "", fixed_rule: str = "") -> None:
        if mode == "series" and not fixed_rule and self.details and self.details.series:
            rule = self.details.series.rule
            fixed_rule = "" if labels.rule_days(rule) else rule
        self.app.push_screen(
            ShiftFormDialog(mode, draft, error=error, fixed_rule=fixed_rule),
            lambda result: self._save_edit(mode, result),
        )

    def _save_edit(self, mode: str, draft: ShiftDraft | None, force: bool = False) -> None:
        d = self.details
        if draft is None or d is None:
            return

        def refused(exc: WarmlineError) -> None:
            if isinstance(exc, RuleBroken) and exc.overridable and not force:
                self.app.push_screen(
                    ConfirmDialog(
                        "Override this rule?",
                        f"{strip_cli_hint(str(exc))}\n\nSave the change anyway? "
                        "The override is recorded in the audit log.",
                        yes="Override",
                        no="Don't",
                    ),
                    lambda yes: (
                        self._save_edit(mode, draft, force=True)
                        if yes
                        else self._open_form(mode, draft, strip_cli_hint(str(exc)))
                    ),
                )
            else:
                self._open_form(mode, draft, strip_cli_hint(str(exc)))  # reopen the form with what was typed

        if mode == "series" and d.series is not None:
            if series_changes(d.series, draft) == rota.SeriesChanges():
                self.say("Nothing changed in the series.")
                return
            self.call_core(
                edit_whole_series,
                self.actor,
                d.series.id,
                draft,
                force,
                done=lambda r: self._changed(f"Series updated: {r[1]} shifts changed."),
                error=refused,
            )
        else:
            self.call_core(
                edit_one,
                self.actor,
                self.shift_id,
                draft,
                force,
                done=lambda _r: self._changed("This shift is updated."),
                error=refused,
            )

    def action_cancel_shift(self) -> None:
        d = self.details
        if d is None:
            return
        who = labels.handles(d.view.peers + d.view.backups) or "nobody"
        if d.series is not None and d.series.status == "active":
            self.app.push_screen(
                ChoiceDialog(
                    "Cancel which?",
                    [
                        ("one", "Cancel this occurrence only"),
                        ("series", "Cancel the whole series (all its future shifts)"),
                        ("", "Keep it"),
                    ],
                    body=f"{labels.when(d.view)} · on it: {who}.",
                ),
                self._cancel_chosen,
            )
        else:
            self.app.push_screen(
                ConfirmDialog(
                    "Cancel this shift?", f"{labels.when(d.view)} · on it: {who}.", yes="Cancel shift", no="Keep it"
                ),
                lambda yes: self._cancel_chosen("one" if yes else None),
            )

    def _cancel_chosen(self, scope: str | None) -> None:
        d = self.details
        if not scope or d is None:
            return
        if scope == "series" and d.series is not None:
            self.call_core(
                rota.cancel_series,
                self.actor,
                d.series.id,
                done=lambda r: self._changed(f"Series cancelled: {r[1]} future shifts cancelled."),
                error=self._refused,
            )
        else:
            self.call_core(
                rota.cancel_shift,
                self.actor,
                self.shift_id,
                done=lambda _r: self._changed("This shift is cancelled."),
                error=self._refused,
            )

    # -- results

    def _changed(self, message: str) -> None:
        self.say(message)
        self.app.notify(message)
        self.reload()

    def _refused(self, exc: WarmlineError) -> None:
        self.say(strip_cli_hint(str(exc)), error=True)


__all__ = [
    "AssignChoice",
    "AssignDialog",
    "ChoiceDialog",
    "ConfirmDialog",
    "ShiftDetails",
    "ShiftDialog",
    "ShiftDraft",
    "ShiftFormDialog",
    "create_from_draft",
    "drop_explained",
]
