"""The change log (coordinators): newest first, 200 at a time, filterable by the person who made the change.

Reads go through the core (`audit.entries`, which refuses those who may not read the log),
so a volunteer sees the core's refusal, not an empty list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.suggester import SuggestFromList

from warmline import audit, people
from warmline import line as line_svc
from warmline.db import Database, parse_utc
from warmline.errors import Refused
from warmline.model import AuditEntry, Person
from warmline.recurrence import zone
from warmline.people import fresh_actor

from .base import WarmlineScreen
from .fields import FilterInput
from .plain import Input, Static, shown
from .table import KeyTable
from .widgets import KeysFooter, LineHeader

PAGE = 200
CATCH_UP_PAGES = 10  # after this many new pages on reload, start again from the newest page


@dataclass(frozen=True)
class AuditPage:
    """Entries (newest first) as rows to show, or the core's refusal."""

    entries: list[AuditEntry] = field(default_factory=list)
    tz: str = "UTC"
    handles: list[str] = field(default_factory=list)
    refusal: str | None = None
    complete: bool = True  # False: older entries exist beyond this page
    gap: bool = False  # reload found more new entries than it fetched


def load_audit(
    db: Database,
    actor: Person,
    who: str | None,
    *,
    before_id: int | None = None,
    newer_than: int | None = None,
    with_handles: bool = False,
) -> AuditPage:
    """One page of the log (older than before_id), or everything newer than newer_than; coordinators only."""
    conn = db.conn
    current = fresh_actor(conn, actor, reading=True)
    try:
        page = audit.entries(conn, current, actor=who, limit=PAGE, before_id=before_id)
    except Refused as exc:
        return AuditPage(refusal=str(exc))
    tz = line_svc.get(conn).tz
    handles = [p.handle for p in people.all_people(conn)] if with_handles else []
    if newer_than is None:
        return AuditPage(page, tz, handles, complete=len(page) < PAGE)
    found: list[AuditEntry] = []
    for turn in range(CATCH_UP_PAGES):
        if turn:
            page = audit.entries(conn, current, actor=who, limit=PAGE, before_id=page[-1].id)
        fresh_rows = [e for e in page if e.id > newer_than]
        found.extend(fresh_rows)
        if len(fresh_rows) < len(page) or len(page) < PAGE:
            return AuditPage(found, tz, handles)
    return AuditPage(found, tz, handles, gap=True)


class AuditScreen(WarmlineScreen):
    """The change log, newest first. o loads older entries; / filters by who made the change."""

    CSS_PATH = "people.tcss"
    TITLE = "Audit"
    BINDINGS = [
        Binding("o", "more", "Older entries", id="audit.older"),
        Binding("slash", "focus_filter", "Filter by person", id="audit.filter"),
    ]
    COLUMNS = (("#", "id"), ("When", "at"), ("Who", "actor"), ("Action", "action"), ("Subject", "subject"),
               ("Detail", "detail"))

    def __init__(self) -> None:
        super().__init__()
        self._shown: dict[str, tuple] = {}
        self._filter: str | None = None
        self._loaded_filter: str | None | bool = False  # False: nothing loaded yet
        self._complete = False
        self._refused: str | None = None
        self._handles: set[str] = set()
        self._tz = "UTC"

    def compose(self) -> ComposeResult:
        yield LineHeader()
        yield Static("Change log", classes="screen-title")
        with Vertical(id="audit-body"):
            yield FilterInput(placeholder="Filter by person: type a handle (blank for everyone)", id="audit-filter")
            yield Static("Loading\u2026", id="audit-note")
            yield KeyTable(self.COLUMNS, id="audit-table")
        yield Static("", id="audit-refused", classes="calm-refusal")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#audit-refused").display = False
        self.query_one("#audit-table").focus()

    # -- loading

    def reload(self) -> None:
        """Fetch entries newer than those shown (or the newest page), adding rows by key; the cursor stays."""
        newest = max((int(k) for k in self._shown), default=None)
        if self._loaded_filter is False or self._loaded_filter != self._filter or newest is None:
            self._load_page(fresh_start=True)
            return
        self.call_core(
            load_audit, self.app.actor, self._filter, newer_than=newest, with_handles=not self._handles,
            done=lambda page: self._merge(page, self._filter), failed=self._failed,
            group="audit-load", exclusive=True,
        )

    def _load_page(self, *, fresh_start: bool) -> None:
        who = self._filter
        before = None if fresh_start else min((int(k) for k in self._shown), default=None)
        self.call_core(
            load_audit, self.app.actor, who, before_id=before, with_handles=not self._handles,
            done=lambda page: self._page_loaded(page, who, fresh_start), failed=self._failed,
            group="audit-load", exclusive=True,
        )

    def _failed(self, message: str) -> None:
        if self.is_attached:
            self.query_one("#audit-note", Static).update(f"Could not read the log: {message}")

    def _refuse(self, refusal: str) -> None:
        self._refused = refusal
        self.query_one("#audit-body").display = False
        shown = self.query_one("#audit-refused", Static)
        shown.display = True
        shown.update(f"Only coordinators can read the change log.\n\n({refusal})")
        self.refresh_bindings()

    def _accept(self, page: AuditPage) -> bool:
        if not self.is_attached:
            return False
        if page.refusal is not None:
            self._refuse(page.refusal)
            return False
        if self._refused is not None:
            self._refused = None
            self.query_one("#audit-body").display = True
            self.query_one("#audit-refused").display = False
            self.refresh_bindings()
        self._tz = page.tz
        if page.handles:
            self._handles = set(page.handles)
            self.query_one("#audit-filter", Input).suggester = SuggestFromList([shown(h) for h in page.handles])
        return True

    def _row(self, entry: AuditEntry) -> tuple:
        local = parse_utc(entry.at).astimezone(zone(self._tz))
        return (str(entry.id), f"{local:%Y-%m-%d %H:%M}", entry.actor, entry.action, entry.subject, entry.detail)

    def _page_loaded(self, page: AuditPage, who: str | None, fresh_start: bool) -> None:
        if not self._accept(page) or who != self._filter:
            return
        rows = [(str(e.id), self._row(e)) for e in page.entries]
        if not fresh_start:
            rows = self._newest_first() + rows
        self._loaded_filter = who
        self._complete = page.complete
        self._show(rows)

    def _merge(self, page: AuditPage, who: str | None) -> None:
        if not self._accept(page) or who != self._filter:
            return
        if page.gap:
            self._load_page(fresh_start=True)
            return
        new = [(str(e.id), self._row(e)) for e in page.entries]
        self._show(new + self._newest_first())

    def _newest_first(self) -> list[tuple[str, tuple]]:
        return sorted(self._shown.items(), key=lambda kv: -int(kv[0]))

    def _show(self, rows: list[tuple[str, tuple]]) -> None:
        """Show these rows, newest first (a row's key is its entry's id)."""
        rows = sorted(dict(rows).items(), key=lambda kv: -int(kv[0]))  # (a reload's page may overlap)
        self._shown = dict(rows)
        self.query_one("#audit-table", KeyTable).set_rows(rows)
        count = len(self._shown)
        who = f" by {self._filter}" if self._filter else ""
        if not count:
            note = f"no changes{who} in the log" if self._filter else "the log is empty"
        else:
            note = f"{count:,} newest changes{who}"
            note += " (all of them)" if self._complete else " \u00b7 o loads older"
        self.query_one("#audit-note", Static).update(note)

    # -- filter and paging

    @on(Input.Changed, "#audit-filter")
    def _filter_typed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        if not text or text in self._handles:
            self._set_filter(text or None)

    @on(Input.Submitted, "#audit-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self._set_filter(event.value.strip() or None)
        self.query_one("#audit-table").focus()

    def _set_filter(self, who: str | None) -> None:
        if who == self._filter:
            return
        self._filter = who
        self._complete = False
        self._load_page(fresh_start=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("more", "focus_filter") and self._refused is not None:
            return False
        return True

    def action_focus_filter(self) -> None:
        self.query_one("#audit-filter").focus()

    def action_more(self) -> None:
        if self._complete:
            self.app.notify("That is the whole log: there are no older entries.", timeout=4)
            return
        self._load_page(fresh_start=False)

    def cursor_entry(self) -> str | None:
        """The id (as text) of the entry under the cursor."""
        return self.query_one("#audit-table", KeyTable).cursor_key
