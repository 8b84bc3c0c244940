"""Auto-fill (coordinators): choose a range, see the proposal with its reasons, apply it or discard it.

The Auto-fill screen is the range form: From and To (whole days in the line's zone, the end
inclusive, as `warmline autofill --from --to`), opening on the week the Rota shows (this week
when the Rota has not been opened; Load's `a` opens it on Load's four weeks), and quick choices
(this week, next week, the next 4 weeks, this month, next month). A bad range is refused under
the form in the CLI's words (naming From and To) and nothing happens; a range that is over is
refused too (auto-fill fills only future shifts).

Enter proposes: AutofillDialog shows the plan as a diff, each placement with its reasons (the
goals it counts towards, the needs the person offers, a preferred time, their hours in these
days before and after) and the seats left open with why; long plans scroll. Enter or ctrl+s
applies exactly the plan shown (autofill.apply of that proposal, re-checked under the write
lock: all or nothing); esc discards it and nothing is written.
"""

from __future__ import annotations

from datetime import date, datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll

from warmline import autofill
from warmline.db import Database
from warmline.errors import Invalid, WarmlineError
from warmline.model import Person
from warmline.views import autofill as fill_words
from warmline.views.autofill import (
    QUICK_LABELS,
    AutofillPlan,
    RangeForm,
    propose_fill,
    quick_ranges,
    range_form,
    read_range,
)

from .base import CoreCalls, WarmlineScreen
from .fields import field_row
from .modal import Dialog
from .plain import Button, Input, Label, Static
from .widgets import KeysFooter, LineHeader

AUTOFILL_SECONDS = fill_words.DEFAULT_SECONDS  # the heuristic's safety stop (tests may lower it)
BLURB = (
    "Auto-fill proposes people for the empty peer and backup seats of future shifts in these days, "
    "keeping every rule (availability, time off, limits, rest). You see the plan and its reasons; "
    "nothing is written until you apply it."
)


def apply_fill(db: Database, actor: Person, proposal: autofill.Proposal) -> int:
    """Write the proposal (all or nothing); the number of seats filled."""
    return len(autofill.apply(db, actor, proposal).placements)


def diff_lines(plan: AutofillPlan) -> Text:
    """'+ Mon 23 Nov 17:00–21:00 #141  ana (peer)' per placement, its reasons under it, then what stays open."""
    text = Text()
    rows = fill_words.plan_rows(plan)
    for row in rows:
        text.append(row.text + "\n", style={"why": "dim", "open": "italic"}.get(row.kind, ""))
    if not rows:
        text.append("Nothing to place.\n")
    if plan.proposal.notice:
        text.append("\n" + plan.proposal.notice, style="dim")
    return text  # the summary (seats filled, the spread) is said under it, always in sight


class AutofillDialog(CoreCalls, Dialog[int | None]):
    """Auto-fill's proposal for a range as a diff with reasons; enter or ctrl+s applies it, escape discards it."""

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
            yield Label("Auto-fill", classes="dialog-title", id="autofill-title")
            with VerticalScroll(id="autofill-diff"):
                yield Static("Looking for people for the open seats…", id="autofill-body")
            yield Static("", id="autofill-message", classes="message")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#autofill-diff").focus()  # up, down and page keys scroll a long plan
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
        self.query_one("#autofill-title", Label).update(f"Auto-fill {fill_words.range_words(plan)}")
        self.query_one("#autofill-body", Static).update(diff_lines(plan))
        said = fill_words.summary(plan)
        self.say(said + (" · enter applies exactly this plan, esc discards it" if plan.proposal.placements else ""))
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
        if self.plan is None or self.busy or not self.plan.proposal.placements:
            return
        self.busy = True
        self.refresh_bindings()
        self.say("Applying…")
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
        self.app.data_changed()  # type: ignore[attr-defined]  (every open screen shows the new seats)
        self.dismiss(count)

    def action_discard(self) -> None:
        if self.busy and self.plan is not None:
            return  # applying: the answer is on its way
        self.dismiss(None)


def open_on(app, first: date, last: date) -> None:
    """Show Auto-fill with these days in its form (Rota's, Coverage's and Load's `a`: the days they show)."""
    app.action_go("autofill")
    if app.is_screen_installed("autofill"):  # never for a volunteer: action_go refuses them
        app.get_screen("autofill").set_range(first, last)


class AutofillScreen(WarmlineScreen):
    """The range to auto-fill (coordinators): enter proposes, in a dialog that applies or discards the plan."""

    CSS_PATH = "autofill.tcss"
    TITLE = "Auto-fill"
    BINDINGS = [
        Binding("enter", "propose", "Propose", id="autofill_range.propose"),
        Binding("escape", "back", "Back", id="autofill_range.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.form: RangeForm | None = None
        self._wanted: tuple[date, date] | None = None  # a range to show once the form has loaded (set_range)
        self.last: int | None = None  # seats the last applied plan filled (None: discarded or none yet)

    def compose(self) -> ComposeResult:
        yield LineHeader()
        yield Static("Auto-fill", id="af-title", classes="screen-title")
        with VerticalScroll(id="af-body"):
            yield Static(BLURB, classes="blurb")
            yield field_row("From", Input(id="af-from", placeholder="YYYY-MM-DD"), "first day")
            yield field_row("To", Input(id="af-to", placeholder="YYYY-MM-DD"), "last day, included")
            with Horizontal(classes="dialog-buttons", id="af-quick"):
                for index, label in enumerate(QUICK_LABELS):
                    yield Button(label, id=f"af-quick-{index}", compact=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Propose (enter)", id="af-propose", variant="primary", compact=True)
                yield Button("Back (esc)", id="af-back", compact=True)
            yield Static("", id="af-message", classes="form-message")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#af-from", Input).focus()

    def reload(self) -> None:
        monday = None
        if self.app.is_screen_installed("rota"):
            monday = getattr(self.app.get_screen("rota"), "monday", None)
        self.call_core(range_form, monday, done=self._loaded, failed=self._refuse, group="autofill-form", exclusive=True)

    def set_range(self, first: date, last: date) -> None:
        """Show these days in the form (Load's `a`: its four weeks), now or once the form has loaded."""
        self._wanted = (first, last)
        if self.form is not None:
            self._show_wanted()

    def _loaded(self, form: RangeForm) -> None:
        if not self.is_attached:
            return
        first_time = self.form is None
        self.form = form
        if self._wanted is None and first_time:
            self._wanted = (form.first, form.last)
        self._show_wanted()

    def _show_wanted(self) -> None:
        if self._wanted is None:
            return
        first, last = self._wanted
        self._wanted = None
        self.query_one("#af-from", Input).value = first.isoformat()
        self.query_one("#af-to", Input).value = last.isoformat()

    def _say(self, message: str, *, error: bool = False) -> None:
        widget = self.query_one("#af-message", Static)
        widget.update(message)
        widget.set_classes("form-message -error" if error else "form-message")

    def _refuse(self, message: str) -> None:
        self._say(f"✗ {message}", error=True)

    @on(Button.Pressed, "#af-quick-0, #af-quick-1, #af-quick-2, #af-quick-3, #af-quick-4")
    def _quick(self, event: Button.Pressed) -> None:
        if self.form is None or event.button.id is None:
            return
        _label, first, last = quick_ranges(self.form.today)[int(event.button.id.rsplit("-", 1)[1])]
        self.query_one("#af-from", Input).value = first.isoformat()
        self.query_one("#af-to", Input).value = last.isoformat()
        self.action_propose()

    @on(Input.Submitted)
    @on(Button.Pressed, "#af-propose")
    def action_propose(self) -> None:
        """Read the range as the CLI does; refused here when bad, else the proposal in a dialog."""
        if self.form is None or self.app.screen is not self:
            return
        try:
            start, end = read_range(
                self.form.tz, self.query_one("#af-from", Input).value, self.query_one("#af-to", Input).value
            )
        except Invalid as exc:
            self._refuse(str(exc))
            return
        self._say("")

        def answered(count: int | None) -> None:
            self.last = count
            self._say(f"✓ Applied: {count} seats filled." if count else "Discarded: nothing was written.")

        self.app.push_screen(AutofillDialog(start, end), answered)

    @on(Button.Pressed, "#af-back")
    def action_back(self) -> None:
        self.app.action_go("home")  # type: ignore[attr-defined]


__all__ = ["AUTOFILL_SECONDS", "AutofillDialog", "AutofillScreen", "apply_fill", "diff_lines", "open_on"]
