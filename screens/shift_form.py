"""The shift form: create a shift or a series, or edit one shift or a whole series (returns a
ShiftDraft; warmline/views/shift_form.py reads and applies it)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Checkbox

from warmline.errors import Invalid
from warmline.times import parse_day
from warmline.views import words as labels
from warmline.views.shift_form import DAY_PRESETS, TIME_PRESETS, ShiftDraft, parse_count, parse_time

from .form_dialog import FormDialog
from .plain import Button, Input, Label, Static, shown
from .widgets import KeysFooter


class DayBox(Checkbox):
    """A checkbox whose state reads without colour: [X] ticked, [ ] not."""

    @property
    def _button(self):  # type: ignore[override]
        self.BUTTON_INNER = "X" if self.value else " "
        return super()._button


class ShiftFormDialog(FormDialog[ShiftDraft | None]):
    """Create a shift or series, or edit one shift or a whole series. Returns a ShiftDraft, or None.

    mode: "new" (everything), "shift" (one occurrence: no repeat days), "series" (no first date).
    Esc with changes asks before discarding them (FormDialog); a form reopened after a refusal holds
    what was typed, so esc there always asks.
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
                    yield Label(f"{labels.rule_text(self.fixed_rule)} (kept as it is)", id="fixed-rule")
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

    def has_changes(self) -> bool:
        return bool(self.error) or super().has_changes()

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
            self.action_back()
        elif bid.startswith("time-"):
            _name, start, end = TIME_PRESETS[bid.removeprefix("time-")]
            self.query_one("#start", Input).value = labels.hm(start)
            self.query_one("#end", Input).value = labels.hm(end)
        elif bid.startswith("days-"):
            _name, chosen = DAY_PRESETS[bid.removeprefix("days-")]
            for code in labels.WEEKDAYS:
                self.query_one(f"#day-{code}", DayBox).value = code in chosen
