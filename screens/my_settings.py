"""My settings (everyone, for themself): when I can take shifts, my time off, how I am notified.

The same settings as `warmline availability`, `warmline timeoff` and `warmline notify settings`,
saved through the same core functions (warmline/views/my_settings.py), which check permissions;
a coordinator opening it edits their own. Keyboard first:

- `a` adds a weekly window (WindowDialog: days, from, to; preferred or available), `t` adds time
  off (TimeOffDialog: first and last day), `x` removes the window or day off under the cursor of
  the focused list after asking (opening on Keep); each change is saved at once.
- The notification fields (channels, lead times, quiet hours) are saved with ctrl+s; esc with
  unsaved changes asks "Discard your changes?" (opening on Keep editing).

A refusal is said in place (in the dialog, or under the section) and nothing is changed.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox

from warmline.availability import Change, TimeOff, Window, windows_text
from warmline.errors import Invalid, WarmlineError
from warmline.notify.prefs import CHANNELS, Prefs
from warmline.recurrence import zone
from warmline.views import words
from warmline.views.my_settings import (
    ANY_TIME,
    CHANNEL_HELP,
    NO_TIME_OFF,
    MySettings,
    add_time_off,
    add_windows,
    availability_summary,
    clash_lines,
    leads_text,
    load_my_settings,
    prefs_summary,
    quiet_text,
    read_time_off,
    read_window,
    remove_time_off,
    remove_window,
    save_prefs,
    time_off_rows,
    typed_prefs,
    window_key,
    window_rows,
)
from warmline.views.shift_form import DAY_PRESETS

from .base import CoreCalls, WarmlineScreen
from .confirm import ConfirmDialog, DiscardDialog
from .fields import Baseline, field_row
from .form_dialog import FormDialog
from .plain import Button, Input, Label, Static
from .shift_form import DayBox
from .table import KeyTable
from .widgets import KeysFooter, LineHeader

AVAIL_BLURB = (
    "Weekly windows in the line's time, when you can take shifts. "
    + ANY_TIME
    + " A range ending before it starts runs past midnight. a adds a window, x removes the one under the cursor."
)
OFF_BLURB = "Local days, both inclusive; no reason is asked for. t adds time off, x removes the one under the cursor."
NOTIFY_BLURB = "How you hear about your shifts. During quiet hours everything except a handoff for your own shift waits."
NOTIFY_FIELDS = ("#ms-leads", "#ms-quiet", *(f"#ms-ch-{c}" for c in CHANNELS))


class MySettingsScreen(Baseline, WarmlineScreen):
    """My settings: availability windows (a adds, x removes), time off (t adds, x removes) and
    notifications (ctrl+s saves), all my own."""

    CSS_PATH = "my_settings.tcss"
    TITLE = "My settings"
    BINDINGS = [
        Binding("a", "add_window", "Add window", id="my_settings.add_window"),
        Binding("t", "add_time_off", "Add time off", id="my_settings.add_time_off"),
        Binding("x", "remove", "Remove", tooltip="Remove the window or time off under the cursor", id="my_settings.remove"),
        Binding("ctrl+s", "save", "Save", tooltip="Save the notification settings", priority=True, id="my_settings.save"),
        Binding("escape", "back", "Back", id="my_settings.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loaded: MySettings | None = None
        self.saving = False
        self._say_in_sight: Static | None = None  # a message to keep in sight after the next reload
        self._init_baseline()

    def compose(self) -> ComposeResult:
        yield LineHeader()
        yield Static("My settings", id="ms-title", classes="screen-title")
        with VerticalScroll(id="ms-body"):
            yield Static("When you can take shifts", classes="section-title")
            yield Static(AVAIL_BLURB, classes="blurb")
            yield Static("", id="ms-avail-summary", classes="summary")
            yield KeyTable(
                (("Day", "day"), ("From", "from"), ("To", "to"), ("Kind", "kind")), zebra=False, id="ms-windows"
            )
            yield Static("", id="ms-avail-message", classes="form-message")
            yield Static("Time off", classes="section-title")
            yield Static(OFF_BLURB, classes="blurb")
            yield KeyTable((("From", "first"), ("To", "last"), ("Days", "days")), zebra=False, id="ms-time-off")
            yield Static("", id="ms-off-message", classes="form-message")
            yield Static("Notifications", classes="section-title")
            yield Static(NOTIFY_BLURB, classes="blurb")
            yield Static("", id="ms-notify-summary", classes="summary")
            with Horizontal(classes="field-row", id="ms-channels"):
                yield Label("Channels", classes="field-label")
                for channel in CHANNELS:
                    yield DayBox(channel, id=f"ms-ch-{channel}", compact=True, tooltip=CHANNEL_HELP[channel])
            yield field_row(
                "Reminders (minutes)",
                Input(id="ms-leads", placeholder="e.g. 1440,60"),
                "0 or none: no reminders",
            )
            yield field_row(
                "Quiet hours", Input(id="ms-quiet", placeholder="e.g. 22:00-07:00"), "empty: none"
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save notifications (ctrl+s)", id="ms-save", variant="primary", compact=True)
                yield Button("Back (esc)", id="ms-back", compact=True)
            yield Static("", id="ms-notify-message", classes="form-message")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#ms-windows", KeyTable).focus()

    # -- loading

    def reload(self) -> None:
        """Re-read my settings; a notification field I have typed in keeps what I typed."""
        self.call_core(
            load_my_settings, self.actor, done=self._loaded, failed=self._load_failed, group="my-settings-load",
            exclusive=True,
        )

    def _load_failed(self, message: str) -> None:
        if self.is_attached:
            self._say("#ms-avail-message", f"Could not load your settings: {message}", error=True)

    def _loaded(self, settings: MySettings) -> None:
        if not self.is_attached:
            return
        self.loaded = settings
        self.query_one("#ms-title", Static).update(f"My settings \u2014 {settings.name} ({settings.handle})")
        self.query_one("#ms-avail-summary", Static).update(availability_summary(settings))
        self.query_one("#ms-windows", KeyTable).set_rows(window_rows(settings))
        self.query_one("#ms-time-off", KeyTable).set_rows(time_off_rows(settings))
        self._show_prefs(settings.prefs)
        said, self._say_in_sight = self._say_in_sight, None
        if said is not None:
            self.call_after_refresh(said.scroll_visible, animate=False)

    def _show_prefs(self, prefs: Prefs) -> None:
        self.query_one("#ms-notify-summary", Static).update(prefs_summary(prefs))
        for channel in CHANNELS:
            self._refresh_field(f"#ms-ch-{channel}", channel in prefs.channels)
        self._refresh_field("#ms-leads", leads_text(prefs))
        self._refresh_field("#ms-quiet", quiet_text(prefs))

    def _say(self, where: str, message: str, *, error: bool = False) -> None:
        widget = self.query_one(where, Static)
        widget.update(message)
        widget.set_classes("form-message -error" if error else "form-message")
        # In sight: at 80x24 the time off and notification sections sit below the fold. Again once the
        # reload after a change has redrawn the tables above it (a new row pushes it down).
        self._say_in_sight = widget
        self.call_after_refresh(widget.scroll_visible, animate=False)

    def _changed(self, where: str, message: str, change: Change | None = None) -> None:
        """A change landed: say it (and any shift I am still on that it rules out), and refresh every screen."""
        if change is not None and change.clashes and self.loaded is not None:
            message = "\n".join([message, *clash_lines(change.clashes, zone(self.loaded.tz))])
        self._say(where, message)
        self.app.data_changed()  # Home's open seats follow availability and time off

    # -- availability

    def action_add_window(self) -> None:
        def done(change: Change | None) -> None:
            if change is not None:  # (the tmux walkthrough waits for "Saved. You are available")
                after = change.availability
                self._changed(
                    "#ms-avail-message",
                    f"\u2713 Saved. You are available {windows_text(after.available)}"
                    + (f"; you prefer {windows_text(after.preferred)}." if after.preferred else "."),
                    change,
                )

        self.app.push_screen(WindowDialog(), done)

    def action_add_time_off(self) -> None:
        def done(change: Change | None) -> None:
            if change is not None and change.time_off is not None:
                self._changed("#ms-off-message", f"\u2713 Added time off {_off_text(change.time_off)}.", change)

        self.app.push_screen(TimeOffDialog(), done)

    @on(Button.Pressed, "#ms-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#ms-back")
    def _back_pressed(self) -> None:
        self.action_back()

    def action_remove(self) -> None:
        windows = self.query_one("#ms-windows", KeyTable)
        off = self.query_one("#ms-time-off", KeyTable)
        if windows.has_focus and windows.cursor_key is not None:
            self._ask_remove_window(windows.cursor_key)
        elif off.has_focus and off.cursor_key is not None:
            self._ask_remove_time_off(int(off.cursor_key))
        else:
            where = "#ms-off-message" if off.has_focus else "#ms-avail-message"
            self._say(where, "Move to a window or a day off in the lists above, then x removes it.")

    def _ask_remove_window(self, key: str) -> None:
        window = self._window(key)
        if window is None:
            return
        what = f"{window.describe()} ({window.kind})"
        last = (
            window.kind == "available"
            and self.loaded is not None
            and len(self.loaded.availability.available) == 1
        )
        body = f"{what} is removed from your availability." + (
            f" It is your last available window: {ANY_TIME}" if last else ""
        )

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            after = " " + ANY_TIME if last else ""
            self.call_core(
                remove_window, self.actor, key,
                done=lambda change: self._changed("#ms-avail-message", f"\u2713 Removed {what}.{after}", change),
                failed=lambda m: self._refused("#ms-avail-message", m), group="my-settings-change",
            )

        self.app.push_screen(ConfirmDialog("Remove this window?", body, yes="Remove", no="Keep it"), answered)

    def _ask_remove_time_off(self, time_off_id: int) -> None:
        entry = next((t for t in self.loaded.availability.time_off if t.id == time_off_id), None) if self.loaded else None
        if entry is None:
            return
        what = _off_text(entry)

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            self.call_core(
                remove_time_off, self.actor, time_off_id,
                done=lambda _removed: self._changed("#ms-off-message", f"\u2713 Removed time off {what}."),
                failed=lambda m: self._refused("#ms-off-message", m), group="my-settings-change",
            )

        self.app.push_screen(
            ConfirmDialog(
                "Remove this time off?",
                f"Time off {what} is removed: you can be put on shifts on those days again.",
                yes="Remove",
                no="Keep it",
            ),
            answered,
        )

    def _window(self, key: str) -> Window | None:
        if self.loaded is None:
            return None
        return next((w for w in self.loaded.windows if window_key(w) == key), None)

    def _refused(self, where: str, message: str) -> None:
        self._say(where, f"\u2717 Not changed: {message}", error=True)
        self.reload()

    # -- notifications

    @property
    def unsaved(self) -> bool:
        """True when a notification field differs from what was loaded (or saved)."""
        return any(self._touched(selector) for selector in NOTIFY_FIELDS)

    def action_save(self) -> None:
        if self.loaded is None or self.saving:
            return
        try:
            changes = typed_prefs(
                self.loaded.prefs,
                channels=tuple(c for c in CHANNELS if self.query_one(f"#ms-ch-{c}", Checkbox).value),
                leads=self.query_one("#ms-leads", Input).value,
                quiet=self.query_one("#ms-quiet", Input).value,
            )
        except Invalid as exc:
            self._say("#ms-notify-message", f"\u2717 Not saved: {exc}", error=True)
            return
        if not changes:
            self._say("#ms-notify-message", "Nothing to save: your notification settings are as shown.")
            return
        self.saving = True
        self._say("#ms-notify-message", "Saving\u2026")
        self.call_core(save_prefs, self.actor, changes, done=self._saved, error=self._save_refused, group="my-settings-save")

    def _saved(self, prefs: Prefs) -> None:
        self.saving = False
        for selector in NOTIFY_FIELDS:  # what is typed is what is stored now
            self._base.pop(selector, None)
        self._show_prefs(prefs)
        if self.loaded is not None:
            self.loaded = MySettings(
                self.loaded.handle, self.loaded.name, self.loaded.tz, self.loaded.availability, prefs
            )
        self._say("#ms-notify-message", f"\u2713 Saved. {prefs_summary(prefs)}")

    def _save_refused(self, exc: WarmlineError) -> None:
        self.saving = False
        self._say("#ms-notify-message", f"\u2717 Not saved: {exc}", error=True)

    # -- leaving

    def action_back(self) -> None:
        if not self.unsaved:
            self.app.action_go("home")
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self._base.clear()
                if self.loaded is not None:
                    self._show_prefs(self.loaded.prefs)  # the fields show the stored settings again
                self._say("#ms-notify-message", "")
                self.app.action_go("home")

        self.app.push_screen(DiscardDialog("Your notification settings have not been saved."), answered)


def _off_text(entry: TimeOff) -> str:
    if entry.first_day == entry.last_day:
        return f"on {words.day(entry.first_day)} {entry.first_day.year}"
    return f"from {words.day(entry.first_day)} to {words.day(entry.last_day)} {entry.last_day.year}"


# ---------------------------------------------------------------- dialogs


class _AddDialog(CoreCalls, FormDialog[Change | None]):
    """A small form adding one thing through the core: `_read` turns the fields into the core call
    (or raises Invalid), the message under the form says what went wrong, and the dialog returns
    the core's Change. Its widgets' ids start with `PREFIX` (-message, -save, -back)."""

    PREFIX = ""

    def __init__(self) -> None:
        super().__init__()
        self.sending = False

    def _read(self) -> tuple[Any, tuple[Any, ...]]:
        """The core function and its arguments after the actor, from the fields."""
        raise NotImplementedError

    def _say(self, message: str) -> None:
        widget = self.query_one(f"#{self.PREFIX}-message", Static)
        widget.update(message)
        widget.set_classes("message -error")

    def action_save(self) -> None:
        if self.sending:
            return
        try:
            fn, args = self._read()
        except Invalid as exc:
            self._say(f"\u2717 Not added: {exc}")
            return
        self.sending = True
        self.call_core(fn, self.actor, *args, done=self.dismiss, error=self._refused, group=f"{self.PREFIX}-add")

    def _refused(self, exc: WarmlineError) -> None:
        self.sending = False
        self._say(f"\u2717 Not added: {exc}")

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        bid = event.button.id or ""
        if bid == f"{self.PREFIX}-save":
            self.action_save()
        elif bid == f"{self.PREFIX}-back":
            self.action_back()
        else:
            self._other_button(bid)

    def _other_button(self, bid: str) -> None:
        """A button of the form's own (none here)."""


class WindowDialog(_AddDialog):
    """Add a weekly window to my availability: days, from, to; available or preferred. Returns the Change, or None."""

    PREFIX = "wd"

    BINDINGS = [
        Binding("ctrl+s", "save", "Add", priority=True, id="window.save"),
        Binding("escape", "back", "Back", id="window.back"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="window-dialog"):
            yield Label("Add a window when you can take shifts", classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label("Days", classes="form-label")
                for code, name in zip(words.WEEKDAYS, words.WEEKDAY_NAMES, strict=True):
                    yield DayBox(name, id=f"wd-{code}", compact=True, classes="weekday")
            with Horizontal(classes="form-row"):
                yield Label("", classes="form-label")
                for key, (name, _days) in DAY_PRESETS.items():
                    if key != "once":
                        yield Button(name, id=f"wd-days-{key}", compact=True, classes="preset")
            with Horizontal(classes="form-row"):
                yield Label("From", classes="form-label")
                yield Input(id="wd-start", placeholder="17:00", compact=True, classes="form-time")
                yield Label("To", classes="form-label")
                yield Input(id="wd-end", placeholder="21:00", compact=True, classes="form-time")
            with Horizontal(classes="form-row"):
                yield Label("", classes="form-label")
                yield DayBox("Preferred: times I would rather work (never refuses a shift)", id="wd-preferred", compact=True)
            yield Static(
                "A range ending before it starts runs past midnight (22:00 to 06:00); 00:00 to 00:00 is the whole day.",
                classes="dialog-body",
            )
            yield Static("", id="wd-message", classes="message")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add (ctrl+s)", id="wd-save", variant="primary", compact=True)
                yield Button("Back (esc)", id="wd-back", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#wd-MO", DayBox).focus()

    def _read(self) -> tuple[Any, tuple[Any, ...]]:
        windows = read_window(
            tuple(c for c in words.WEEKDAYS if self.query_one(f"#wd-{c}", DayBox).value),
            self.query_one("#wd-start", Input).value,
            self.query_one("#wd-end", Input).value,
            preferred=self.query_one("#wd-preferred", DayBox).value,
        )
        return add_windows, (windows,)

    def _other_button(self, bid: str) -> None:
        if bid.startswith("wd-days-"):
            _name, chosen = DAY_PRESETS[bid.removeprefix("wd-days-")]
            for code in words.WEEKDAYS:
                self.query_one(f"#wd-{code}", DayBox).value = code in chosen


class TimeOffDialog(_AddDialog):
    """Add time off: a first and (optional) last local day, both inclusive. Returns the Change, or None."""

    PREFIX = "to"

    BINDINGS = [
        Binding("ctrl+s", "save", "Add", priority=True, id="time_off.save"),
        Binding("escape", "back", "Back", id="time_off.back"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="time-off-dialog"):
            yield Label("Add time off", classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label("First day", classes="form-label")
                yield Input(id="to-first", placeholder="YYYY-MM-DD", compact=True, classes="form-date")
                yield Label("Last day", classes="form-label")
                yield Input(id="to-last", placeholder="same day", compact=True, classes="form-date")
            yield Static(
                "Local days, both inclusive: a shift touching any part of them clashes, so an overnight shift "
                "starting the evening before does too. No reason is asked for or kept. Shifts you are already "
                "on then stay yours until you drop them; they are listed.",
                classes="dialog-body",
            )
            yield Static("", id="to-message", classes="message")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add (ctrl+s)", id="to-save", variant="primary", compact=True)
                yield Button("Back (esc)", id="to-back", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#to-first", Input).focus()

    def _read(self) -> tuple[Any, tuple[Any, ...]]:
        first, last = read_time_off(self.query_one("#to-first", Input).value, self.query_one("#to-last", Input).value)
        return add_time_off, (first, last)


__all__ = ["MySettingsScreen", "TimeOffDialog", "WindowDialog"]
