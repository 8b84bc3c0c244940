"""Series (coordinators): every repeating series with its rule in words, its next shift and its seats;
e (or enter) edits one in the shift form, x cancels one after a question that opens on "Keep it".

Both go through the same core calls as `warmline series edit|cancel` (rota.edit_series, rota.cancel_series),
which check the permission and every rule; a refusal is said under the list (or in the reopened form),
nothing changed. A rule the core may let a coordinator override (rest, limits) is asked about first.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding

from warmline import rota
from warmline.errors import RuleBroken, WarmlineError
from warmline.views.series import COLUMNS, SeriesRow, cancel_question, draft_of, fixed_rule, load_series
from warmline.views.shift_form import ShiftDraft, edit_whole_series, series_changes

from .base import WarmlineScreen
from .confirm import ConfirmDialog
from .dialogs import strip_cli_hint
from .plain import Label, Static
from .shift_form import ShiftFormDialog
from .table import KeyTable
from .widgets import KeysFooter, LineHeader


class SeriesScreen(WarmlineScreen):
    """The repeating series: e edits the highlighted one, x cancels it (asking first)."""

    TITLE = "Series"
    BINDINGS = [
        Binding("e", "edit", "Edit series", id="series.edit"),
        Binding("x", "cancel_series", "Cancel series", id="series.cancel"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, SeriesRow] = {}
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield LineHeader()
        yield Label("Repeating series", classes="section-title")
        yield KeyTable(COLUMNS, id="series-table")
        yield Static("Loading…", id="series-message", classes="message")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#series-table").focus()

    def reload(self) -> None:
        self.call_core(load_series, self.actor, done=self._show, failed=self._failed, group="series", exclusive=True)

    def _show(self, rows: list[SeriesRow]) -> None:
        if not self.is_attached:
            return
        self.rows = {str(r.series.id): r for r in rows}
        self.query_one("#series-table", KeyTable).set_rows([(key, r.cells()) for key, r in self.rows.items()])
        self.refresh_bindings()  # e and x only once there is a series
        if not self.loaded:
            self.loaded = True
            if not rows:
                self.say("No repeating series yet: make one with New on the Rota and tick the days it repeats.")
            else:
                self.say("e or enter edits the highlighted series; x cancels it (you are asked first).")

    def _failed(self, message: str) -> None:
        self.say(message, error=True)

    def say(self, message: str, *, error: bool = False) -> None:
        widget = self.query_one("#series-message", Static)
        widget.update(message)
        widget.set_classes("message -error" if error else "message")

    def current(self) -> SeriesRow | None:
        key = self.query_one("#series-table", KeyTable).cursor_key
        return self.rows.get(key) if key is not None else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "cancel_series") and not self.rows:
            return None  # no series yet: shown greyed ("not now" in the help), they would do nothing
        return True

    # -- edit

    @on(KeyTable.RowSelected, "#series-table")
    def _selected(self, _event: KeyTable.RowSelected) -> None:
        self.action_edit()

    def action_edit(self) -> None:
        row = self.current()
        if row is None:
            return
        if not row.active:
            self.say(f"Series {row.series.id} is cancelled: there is nothing to edit.", error=True)
            return
        self._open_form(row, draft_of(row.series))

    def _open_form(self, row: SeriesRow, draft: ShiftDraft, error: str = "") -> None:
        self.app.push_screen(
            ShiftFormDialog(
                "series", draft, error=error, fixed_rule=fixed_rule(row.series),
                title=f"Edit series {row.series.id} ({row.repeats} {row.times})",
            ),
            lambda result: self._save(row, result),
        )

    def _save(self, row: SeriesRow, draft: ShiftDraft | None, force: bool = False) -> None:
        if draft is None:
            return
        if series_changes(row.series, draft) == rota.SeriesChanges():
            self.say("Nothing changed in the series.")
            return

        def refused(exc: WarmlineError) -> None:
            said = strip_cli_hint(str(exc))
            if isinstance(exc, RuleBroken) and exc.overridable and not force:
                self.app.push_screen(
                    ConfirmDialog(
                        "Override this rule?",
                        f"{said}\n\nSave the change anyway? The override is recorded in the audit log.",
                        yes="Override",
                        no="Don't",
                    ),
                    lambda yes: self._save(row, draft, force=True) if yes else self._open_form(row, draft, said),
                )
            else:
                self._open_form(row, draft, said)  # the form again, with what was typed and why not

        self.call_core(
            edit_whole_series, self.actor, row.series.id, draft, force,
            done=lambda r: self._changed(f"Series {row.series.id} updated: {r[1]} shifts changed."),
            error=refused,
        )

    # -- cancel

    def action_cancel_series(self) -> None:
        row = self.current()
        if row is None:
            return
        if not row.active:
            self.say(f"Series {row.series.id} is already cancelled.", error=True)
            return
        title, body = cancel_question(row)
        self.app.push_screen(
            ConfirmDialog(title, body, yes="Cancel the series", no="Keep it"),  # opens on Keep it
            lambda yes: self._cancel(row) if yes else self.say("Kept: nothing was cancelled."),
        )

    def _cancel(self, row: SeriesRow) -> None:
        self.call_core(
            rota.cancel_series, self.actor, row.series.id,
            done=lambda r: self._changed(f"Series {row.series.id} cancelled: {r[1]} future shifts cancelled."),
            error=lambda exc: self.say(f"Not cancelled: {exc}", error=True),
        )

    def _changed(self, message: str) -> None:
        self.say(message)
        self.app.notify(message)
        self.app.data_changed()


__all__ = ["SeriesScreen"]
