"""The shift dialog: one shift in full, and what can be done to it through the core (claim, drop,
swap, assign, unassign, edit, cancel), so a refusal is shown in place, next to the shift it is about.

The dialogs it opens have their own modules: questions in confirm.py, the shift form in
shift_form.py (what it reads and the core calls it makes: warmline/views/shift_form.py), the
assign picker in assign.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical

from warmline import rota
from warmline.clock import now
from warmline.db import Database
from warmline.errors import RuleBroken, WarmlineError
from warmline.line import get as get_line
from warmline.model import Line, Series, ShiftView
from warmline.recurrence import zone
from warmline.views import words as labels
from warmline.views.series import draft_of, fixed_rule
from warmline.views.shift_form import ShiftDraft, edit_one, edit_whole_series, series_changes

from .assign import AssignChoice, AssignDialog
from .base import CoreCalls
from .confirm import ChoiceDialog, ConfirmDialog
from .modal import Dialog
from .plain import Label, Static
from .shift_form import ShiftFormDialog
from .widgets import KeysFooter


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
    """The core's refusal without its override hint (the dialog offers an override instead); call_core has
    already put it in the app's words (views/app_text.for_app)."""
    for hint in (" (a coordinator may override with --force)", " (a coordinator may override it)"):
        message = message.replace(hint, "")
    return message


class ShiftDialog(CoreCalls, Dialog[None]):
    """One shift in full; claim or drop it, and for coordinators assign, unassign, edit and cancel it."""

    BINDINGS = [
        Binding("c", "claim", "Claim", id="shift.claim"),
        Binding("d", "drop", "Drop", id="shift.drop"),
        Binding("s", "swap", "Swap", tooltip="Propose a swap", id="shift.swap"),
        Binding("w", "withdraw_cover", "Withdraw cover", tooltip="Take back your cover request: you stay on", id="shift.withdraw_cover"),
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
            text.append(labels.NO_BACKUP, style="bold reverse")
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
            return action not in ("claim", "drop", "swap", "withdraw_cover", "assign", "unassign", "edit", "cancel_shift")
        s = d.view.shift
        scheduled = s.status == "scheduled"
        future = s.start_utc > now()
        coordinator = self.actor.is_coordinator
        mine = is_on(d.view, self.actor.id)
        if action == "claim":
            return scheduled and future and not mine and bool(d.view.open_seats or d.view.cover)
        if action in ("drop", "swap"):
            return scheduled and future and mine
        if action == "withdraw_cover":  # one's own open cover request, or anyone's for a coordinator
            return scheduled and any(c.person_id == self.actor.id or coordinator for c in d.view.cover)
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

    def action_withdraw_cover(self) -> None:
        if self.details is None:
            return
        cover = self.details.view.cover
        if any(c.person_id == self.actor.id for c in cover):  # one's own first
            self._withdraw_cover(self.actor.handle)
        elif len(cover) == 1:
            self._withdraw_cover(cover[0].handle)
        elif cover:  # a coordinator, several asked: whose?
            choices = [("", "Nobody: keep every request open")]
            choices += [(c.handle, f"{c.handle} ({c.role}) stays on") for c in cover]
            self.app.push_screen(ChoiceDialog("Withdraw whose cover request?", choices, default=""), self._withdraw_cover)

    def _withdraw_cover(self, handle: str | None) -> None:
        if handle:
            self.call_core(
                rota.withdraw_cover, self.actor, self.shift_id, handle, done=self._cover_withdrawn, error=self._refused
            )

    def _cover_withdrawn(self, request: Any) -> None:
        whose = "the shift stays yours" if request.person_id == self.actor.id else f"{request.handle} stays on"
        text = f"Cover request withdrawn: {whose}."
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
        choices = [("", "Nobody: keep everyone on")]  # first, and where it opens: enter alone takes nobody off
        choices += [(a.handle, f"{a.handle} ({a.name}) · {a.role}") for a in v.peers + v.backups]
        self.app.push_screen(ChoiceDialog("Take who off this shift?", choices, default=""), self._unassign_chosen)

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
            self._open_form("series", draft_of(d.series), fixed_rule=fixed_rule(d.series))
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
                        ("", "Keep it"),  # first, and where it opens: enter alone cancels nothing
                        ("one", "Cancel this occurrence only"),
                        ("series", "Cancel the whole series (all its future shifts)"),
                    ],
                    body=f"{labels.when(d.view)} · on it: {who}.",
                    default="",
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


__all__ = ["ShiftDetails", "ShiftDialog", "drop_explained", "is_on", "load_shift", "strip_cli_hint"]
