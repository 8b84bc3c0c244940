"""People (coordinators), the person editor and add dialogs, and "My profile" (everyone, for themself).

Screens hold no SQL: every read and write is a core call run by `call_core` on a
worker thread. Tables keep their rows by key, so a reload keeps the cursor and an open
dialog keeps what was typed. The People list is a PeopleTable, which draws only the rows
in view: a line of 10,000 people opens and filters as fast as a line of 30.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import NamedTuple

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList, Suggester
from textual.widgets import Checkbox, Select
from textual.worker import Worker

from warmline import access, fairness, people, rota, rules
from warmline import line as line_svc
from warmline import tags as tag_svc
from warmline.clock import now
from warmline.db import Database
from warmline.errors import Invalid, Refused, WarmlineError
from warmline.model import Line, Person
from warmline.people import LIMIT_BOUNDS, LIMIT_FIELDS, PersonChanges
from warmline.recurrence import zone
from warmline.taxonomy import Resolver, Tag

from .base import CoreCalls, WarmlineScreen
from .plain import Button, Input, Label, Static, shown
from .table import KeyTable, column_widths
from .widgets import KeysFooter, LineHeader

INT_LIMITS = frozenset({"max_shifts_week", "max_overnights_month"})
LIMIT_LABELS = {
    "max_hours_week": "Max hours a week",
    "max_shifts_week": "Max shifts a week",
    "min_rest_hours": "Min rest (hours)",
    "max_overnights_month": "Max overnights a month",
}
TAGS_BLURB = (
    "Experiences you choose to offer for matching; pause any at any time "
    "(\u201cnot those calls this month\u201d). Only you and coordinators can see them."
)
NO_TAGS = "You offer no experiences for matching yet. That is fine; add one below whenever you choose."
STATE_TEXT = {"offered": "offered", "paused": "paused", "removed": "will be removed"}


# ---------------------------------------------------------------- core calls (run on worker threads)


def week_bounds(line: Line, moment: datetime) -> tuple[datetime, datetime]:
    """The current local ISO week of `moment` in the line's zone, as aware datetimes [Monday 00:00, next Monday)."""
    tz = zone(line.tz)
    monday = rules.week_of(moment, tz)
    return datetime.combine(monday, time(0), tz), datetime.combine(monday + timedelta(days=7), time(0), tz)


def hours_by_person(conn, line: Line, moment: datetime) -> dict[int, float]:
    """Real elapsed hours on scheduled shifts starting this week, per person id, from one pass over the week."""
    start, end = week_bounds(line, moment)
    totals: dict[int, float] = {}
    for view in rota.views(conn, start, end):
        if view.shift.status != "scheduled":
            continue
        for seat in (*view.peers, *view.backups):
            totals[seat.person_id] = totals.get(seat.person_id, 0.0) + view.shift.hours
    return totals


def fresh(conn, actor: Person) -> Person:
    """The actor as the database has them now (their role may have changed since sign-in)."""
    who = people.get_by_id(conn, actor.id)
    if who is None:
        raise Refused(f"{actor.handle} is no longer on this line")
    return who


class PersonRow(NamedTuple):
    """One row of the people list, held in memory so filtering needs no query.

    A tuple rather than a dataclass: 10,000 of them are built on every load.
    """

    handle: str
    cells: tuple[str, ...]  # name, handle, role, languages, hours (with "OVER"/"near" in words), active
    search: str  # handle, name and languages, case-folded, one per line


@dataclass(frozen=True)
class PeopleLoaded:
    """Everyone with their hours this week (and the widest cell of each column), or the core's refusal."""

    rows: list[PersonRow] = field(default_factory=list)
    refusal: str | None = None
    widths: tuple[int, ...] = ()


def load_people(db: Database, actor: Person) -> PeopleLoaded:
    """The people list for a coordinator; a volunteer gets the core's refusal instead."""
    conn = db.conn
    who = fresh(conn, actor)
    try:
        # The list leads to everyone's tags, which only coordinators may see.
        access.require(who, "tags.read.others")
    except Refused as exc:
        return PeopleLoaded(refusal=str(exc))
    line = line_svc.get(conn)
    labels = {t.id: t.label for t in tag_svc.all_tags(conn, family="language")}
    hours = hours_by_person(conn, line, now())
    start, end = week_bounds(line, now())
    # Only people with a shift near this week can be near a limit in it (a monthly overnight
    # limit counts shifts weeks away): fairness reads just them.
    strain = {
        p.person_id: fairness.level_word(p.level)
        for p in fairness.load(conn, start, end, viewer=who, person_ids=fairness.flaggable(conn, start, end)).people
        if p.level
    }
    # Many people share a set of languages: work out its text and search words once per set.
    spoken: dict[tuple[str, ...], tuple[str, str]] = {(): ("", "")}
    rows = []
    for p in people.roster(conn):
        langs = spoken.get(p.languages)
        if langs is None:
            names = [labels.get(t, t.removeprefix("lang-")) for t in p.languages]
            words = "".join(f"\n{word}" for word in [*names, *(t.removeprefix("lang-") for t in p.languages)])
            langs = spoken[p.languages] = (", ".join(names), words.casefold())
        hours_cell = hours_text(hours[p.id]) if p.id in hours else "0"
        if p.id in strain:
            hours_cell += f" {strain[p.id]}"
        cells = (p.name, p.handle, p.role, langs[0], hours_cell, "yes" if p.active else "no")
        rows.append(PersonRow(p.handle, cells, f"{p.handle}\n{p.name}".casefold() + langs[1]))
    return PeopleLoaded(rows, widths=column_widths([row.cells for row in rows]))


@dataclass(frozen=True)
class PersonLoaded:
    """One person with their tags (only for themself or a coordinator), the tag catalogue and the line."""

    person: Person
    tags: list[tuple[str, str]]
    catalog: list[Tag]
    line: Line
    viewer: Person


def load_person(db: Database, actor: Person, handle: str) -> PersonLoaded:
    """A person for the editor or the profile; tags_of refuses other people's tags to volunteers."""
    conn = db.conn
    who = fresh(conn, actor)
    person = people.get(conn, handle)
    return PersonLoaded(person, people.tags_of(conn, who, person), tag_svc.all_tags(conn), line_svc.get(conn), who)


def load_catalog(db: Database) -> list[Tag]:
    """Every tag of the line (the taxonomy is public)."""
    return tag_svc.all_tags(db.conn)


@dataclass(frozen=True)
class SaveOutcome:
    """What a save did: the steps that were written, and the error that stopped the rest (if any)."""

    person: Person
    steps: tuple[str, ...]
    released: int = 0
    error: str | None = None


def save_person(
    db: Database,
    actor: Person,
    handle: str,
    changes: PersonChanges | None,
    passphrase: str | None,
    deactivate: bool,
) -> SaveOutcome:
    """Apply an editor's save as core calls: edit, then passphrase, then deactivation."""
    if passphrase is not None:
        access.validate_passphrase(passphrase)  # refuse a bad one before anything is written
    steps: list[str] = []
    released = 0
    try:
        if changes is not None:
            people.edit(db, actor, handle, changes)
            steps.append("details")
        if passphrase is not None:
            people.set_passphrase(db, actor, handle, passphrase)
            steps.append("passphrase")
        if deactivate:
            _, released = people.deactivate(db, actor, handle)
            steps.append("deactivated")
    except WarmlineError as exc:
        if not steps:
            raise
        return SaveOutcome(people.get(db.conn, handle), tuple(steps), released, str(exc))
    return SaveOutcome(people.get(db.conn, handle), tuple(steps), released)


# ---------------------------------------------------------------- small pure helpers


def hours_text(hours: float) -> str:
    """6, 4.5, 0: hours without trailing zeros."""
    return f"{round(hours, 2):g}"


def split_names(text: str) -> list[str]:
    """The items of a comma-separated list, stripped, empties dropped."""
    return [part.strip() for part in text.split(",") if part.strip()]


def same_names(a: str, b: str) -> bool:
    """True when two comma-separated lists name the same things (case and order aside)."""
    return {s.casefold() for s in split_names(a)} == {s.casefold() for s in split_names(b)}


def parse_limit(name: str, text: str) -> float | int:
    """A limit typed by a person, or Invalid saying what to type."""
    label = LIMIT_BOUNDS[name][2]
    text = text.strip()
    if not text:
        raise Invalid(f"{label} is empty: give a number")
    try:
        return int(text) if name in INT_LIMITS else float(text)
    except ValueError:
        kind = "a whole number" if name in INT_LIMITS else "a number"
        raise Invalid(f"{label} is {text!r}: give {kind}, e.g. 4") from None


def limit_changes(typed: dict[str, str], base: dict[str, str]) -> dict[str, float | int]:
    """The limits whose typed value differs from the value shown when the form was loaded."""
    out: dict[str, float | int] = {}
    for name in LIMIT_FIELDS:
        value = parse_limit(name, typed[name])
        if not base.get(name) or value != parse_limit(name, base[name]):
            out[name] = value
    return out


def language_text(person: Person, catalog: Iterable[Tag]) -> str:
    labels = {t.id: t.label for t in catalog}
    return ", ".join(labels.get(t, t) for t in person.languages)


class ListSuggester(Suggester):
    """Completes the last item of a comma-separated list ("English, Spa" -> "English, Spanish")."""

    def __init__(self, names: Iterable[str]) -> None:
        super().__init__(use_cache=True, case_sensitive=True)  # folds itself, keeping what was typed
        self._names = [(name, name.casefold()) for name in names]

    async def get_suggestion(self, value: str) -> str | None:
        stem = value.rpartition(",")[2].lstrip()
        if not stem:
            return None
        folded = stem.casefold()
        for name, key in self._names:
            if key.startswith(folded) and len(name) > len(stem):
                return value[: len(value) - len(stem)] + name
        return None


def offerable_names(catalog: Iterable[Tag]) -> list[str]:
    """Labels then aliases of every tag a person may offer (languages are given separately)."""
    tags = [t for t in catalog if t.family != "language"]
    return [shown(t.label) for t in tags] + [shown(a) for t in tags for a in t.aliases]  # suggestions are drawn


def language_names(catalog: Iterable[Tag]) -> list[str]:
    tags = [t for t in catalog if t.family == "language"]
    return [shown(t.label) for t in tags] + [shown(a) for t in tags for a in t.aliases]


# ---------------------------------------------------------------- widgets


class FilterInput(Input):
    """A filter box: enter, escape or down returns to the list below it.

    With `on_change`, every change of the text is handed to it at once, so the list and the
    box are redrawn together; Input.Changed reaches the screen only after the box alone has
    been redrawn, which made each keystroke cost two screen updates.
    """

    BINDINGS = [
        Binding("escape", "leave", "Back to list", show=False, id="people_filter.leave"),
        Binding("down", "leave", "Back to list", show=False, id="people_filter.leave_down"),
    ]

    def __init__(self, *, on_change: Callable[[str], None] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._on_change = on_change

    def watch_value(self, value: str) -> None:
        if self._on_change is not None:
            self._on_change(value)

    def action_leave(self) -> None:
        self.screen.focus_next()


class PeopleTable(KeyTable):
    """The People list: a KeyTable (screens/table.py) that draws only the rows in view.

    DataTable kept a Row object per row and measured every new cell: 10,000 rows took seconds
    to settle, and each filter keystroke rebuilt them. Here the screen `load`s every row once
    (columns measured on the worker) and a filter keystroke only `show`s the matching keys.
    """


class TagTable(KeyTable):
    """A person's tags, (tag id, (label, family, state)) rows by `set_rows`: space offers or pauses
    the one under the cursor, x removes it."""

    BINDINGS = [
        Binding("space", "toggle", "Offer/pause", id="tags.toggle"),
        Binding("x", "remove", "Remove tag", id="tags.remove"),
    ]

    class TagEvent(Message):
        """Something was asked of the tag under the cursor."""

        def __init__(self, table: TagTable, tag_id: str) -> None:
            super().__init__()
            self.table = table
            self.tag_id = tag_id

        @property
        def control(self) -> TagTable:
            return self.table

    class Toggled(TagEvent):
        """Space was pressed on a tag: offer it if paused, pause it if offered."""

    class Removed(TagEvent):
        """x was pressed on a tag."""

    COLUMNS = (("Experience", "label"), ("Kind", "family"), ("State", "state"))

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(self.COLUMNS, zebra=False, id=id)

    def action_toggle(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.Toggled(self, key))

    def action_remove(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.Removed(self, key))


def field_row(label: str, widget, hint: str = "") -> Horizontal:
    """A labelled one-line form row (compact widgets, so a form fits 80x24)."""
    if hasattr(widget, "compact"):
        widget.compact = True
    parts = [Label(label, classes="field-label"), widget]
    if hint:
        parts.append(Static(hint, classes="field-hint"))
    return Horizontal(*parts, classes="field-row")


class Baseline:
    """Remembers what each field showed when loaded, so a reload only refreshes fields nobody touched."""

    def _init_baseline(self) -> None:
        self._base: dict[str, object] = {}

    def _refresh_field(self, selector: str, value) -> None:
        widget = self.query_one(selector)  # type: ignore[attr-defined]
        if isinstance(value, str):
            value = shown(value)  # from the file: printable in the box (a control typed back is refused)
        if selector not in self._base or widget.value == self._base[selector]:
            widget.value = value
        self._base[selector] = value

    def _touched(self, selector: str) -> bool:
        return self.query_one(selector).value != self._base.get(selector)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- PeopleScreen


class PeopleScreen(WarmlineScreen):
    """Everyone on the line with hours this week; coordinators only. Enter or e edits, n adds."""

    # Default CSS (scoped to this screen) rather than CSS_PATH: the first time a screen with a
    # CSS file opens, Textual 8.2 re-parses the whole app stylesheet from scratch (~35 ms, more
    # under load: a tenth of the People screen's opening), while default CSS is parsed alone.
    # Nothing in app.tcss styles these ids or classes, so the lower precedence changes nothing.
    DEFAULT_CSS = """
    PeopleScreen {
        layout: vertical;
    }
    .screen-title {
        height: 1;
        padding: 0 1;
        text-style: bold;
        background: $panel;
    }
    #people-body {
        height: 1fr;
    }
    #people-filter {
        margin: 0 1;
    }
    #people-note {
        height: 1;
        padding: 0 2;
        color: $text-muted;
    }
    #people-table {
        height: 1fr;
    }
    .calm-refusal {
        height: 1fr;
        padding: 2 4;
        content-align: center middle;
        text-align: center;
    }
    """
    TITLE = "People"
    BINDINGS = [
        Binding("e", "edit", "Edit", id="people.edit"),
        Binding("n", "add", "Add person", id="people.add"),
        Binding("slash", "focus_filter", "Filter", id="people.filter"),
    ]
    COLUMNS = (
        ("Name", "name"),
        ("Handle", "handle"),
        ("Role", "role"),
        ("Languages", "languages"),
        ("Hours this week", "hours"),
        ("Active", "active"),
    )

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, PersonRow] = {}
        self._order: list[str] = []
        self._searches: list[str] = []
        self._refused: str | None = None
        self._loaded = False
        self._loading = False
        self._reload_pending = False
        self._select_after_load: str | None = None

    def compose(self) -> ComposeResult:
        yield LineHeader()
        yield Static("People", classes="screen-title")
        with Vertical(id="people-body"):
            yield FilterInput(
                placeholder="Filter by handle, name or language (press / to come here)",
                on_change=lambda _: self._filter_changed(),
                id="people-filter",
            )
            yield Static("Loading\u2026", id="people-note")
            yield PeopleTable(self.COLUMNS, shrink=("languages", "name"), id="people-table")
        yield Static("", id="people-refused", classes="calm-refusal")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#people-refused").display = False
        self.query_one("#people-table").focus()

    # -- loading

    def reload(self) -> None:
        """Re-read everyone and show them again (cursor, filter and any open dialog stay).

        A reload asked for while one is running waits for it rather than replacing it: a
        thread cannot be stopped, so a replaced load would still run, slowing the next one,
        and the list would wait for the second load (the app's first file poll often asks
        for one just after the screen opens).
        """
        if self._loading:
            self._reload_pending = True
            return
        self._loading = True
        self.call_core(load_people, self.app.actor, done=self._people_loaded, failed=self._load_failed,
                       group="people-load")

    @on(Worker.StateChanged)
    def _load_finished(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "people-load" or not event.worker.is_finished:
            return
        self._loading = False
        if self._reload_pending:
            self._reload_pending = False
            self.call_after_refresh(self.reload)  # once this load's rows are drawn

    def _people_loaded(self, loaded: PeopleLoaded) -> None:
        if not self.is_attached:
            return
        self._loaded = True
        self._refused = loaded.refusal
        self.query_one("#people-body").display = loaded.refusal is None
        refused = self.query_one("#people-refused", Static)
        refused.display = loaded.refusal is not None
        table = self.query_one("#people-table", PeopleTable)
        if loaded.refusal is not None:
            self._rows, self._order, self._searches = {}, [], []
            table.load({})
            self._apply_filter()
            refused.update(
                "Only coordinators can see the people list.\n\n"
                "Your own details, limits and the experiences you offer are in My profile.\n\n"
                f"({loaded.refusal})"
            )
            self.refresh_bindings()
            return
        self._rows = {row.handle: row for row in loaded.rows}
        self._order = [row.handle for row in loaded.rows]
        self._searches = [row.search for row in loaded.rows]
        table.load({row.handle: row.cells for row in loaded.rows}, loaded.widths)
        self._apply_filter()
        if self._select_after_load is not None and table.has_key(self._select_after_load):
            table.move_cursor(row=table.get_row_index(self._select_after_load))
        self._select_after_load = None  # a new person hidden by the filter is not chased later
        self.refresh_bindings()

    def _load_failed(self, message: str) -> None:
        if self.is_attached:
            self.query_one("#people-note", Static).update(f"Could not load people: {message}")

    # -- filtering (in memory, on every keystroke: a pass over pre-folded strings takes ~1 ms)

    def _matches(self) -> list[str]:
        text = self.query_one("#people-filter", Input).value.strip().casefold()
        if not text:
            return self._order
        return [h for h, search in zip(self._order, self._searches) if text in search]

    def _apply_filter(self) -> None:
        matches = self._matches()
        self.query_one("#people-table", PeopleTable).show(matches)
        note = self.query_one("#people-note", Static)
        text = self._note(len(matches))
        if str(note.content) != text:
            note.update(text, layout=False)  # one line, sized by its container: no layout pass needed

    def _note(self, matches: int) -> str:
        total = len(self._order)
        typed = self.query_one("#people-filter", Input).value.strip()
        if not typed:
            return f"{total:,} {'person' if total == 1 else 'people'} \u00b7 enter edits \u00b7 n adds"
        if not matches:
            return f"nobody matches {typed!r}"
        return f"{matches:,} of {total:,} match"

    def _filter_changed(self) -> None:
        if self._loaded:
            self._apply_filter()

    @on(Input.Submitted, "#people-filter")
    def _filter_done(self) -> None:
        self.query_one("#people-table").focus()

    # -- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "add", "focus_filter") and self._refused is not None:
            return False
        return True

    def action_focus_filter(self) -> None:
        self.query_one("#people-filter").focus()

    @on(PeopleTable.RowSelected, "#people-table")
    def _row_chosen(self, event: PeopleTable.RowSelected) -> None:
        self._edit(event.key)

    def action_edit(self) -> None:
        self._edit(self.query_one("#people-table", PeopleTable).cursor_key)

    def _edit(self, handle: str | None) -> None:
        if handle is None or self._refused is not None:
            return

        def saved(result: PersonSaved | None) -> None:
            if result is not None:
                self.app.notify(result.summary, timeout=6)

        self.app.push_screen(PersonEditorDialog(handle), saved)

    def action_add(self) -> None:
        if self._refused is not None:
            return

        def added(person: Person | None) -> None:
            if person is not None:
                self._select_after_load = person.handle
                self.app.notify(f"Added {person.name} ({person.handle}).", timeout=6)

        self.app.push_screen(AddPersonDialog(), added)


# ---------------------------------------------------------------- dialogs


@dataclass(frozen=True)
class PersonSaved:
    """What the editor saved, for the screen that opened it."""

    handle: str
    steps: tuple[str, ...]
    summary: str


class DeactivateDialog(ModalScreen[bool]):
    """Confirm deactivating someone: they leave their future shifts and can no longer sign in."""

    CSS_PATH = "people.tcss"
    BINDINGS = [
        Binding("y", "confirm", "Deactivate", id="deactivate.confirm"),
        Binding("n", "cancel", "Keep active", id="deactivate.keep"),
        Binding("escape", "cancel", "Keep active", id="deactivate.back"),
    ]

    def __init__(self, name: str, handle: str) -> None:
        super().__init__()
        self._who = f"{name} ({handle})"

    def compose(self) -> ComposeResult:
        with Vertical(id="deactivate-box", classes="dialog-box"):
            yield Static(f"Deactivate {self._who}?", classes="dialog-title")
            yield Static(
                "They will be taken off their future shifts and will not be able to sign in. "
                "Nothing else about them changes, and a coordinator can reactivate them at any time.",
                classes="dialog-text",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Deactivate (y)", id="deactivate-yes", variant="error")
                yield Button("Keep active (n)", id="deactivate-no")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#deactivate-no").focus()

    def reload(self) -> None:
        """Nothing here depends on the database; present so the app can reload any screen."""

    @on(Button.Pressed, "#deactivate-yes")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#deactivate-no")
    def action_cancel(self) -> None:
        self.dismiss(False)


class PersonEditorDialog(Baseline, CoreCalls, ModalScreen[PersonSaved | None]):
    """Edit one person (coordinators): profile, role, active, limits, tags and passphrase.

    ctrl+s saves only what changed; a refusal from the core is shown here and the
    dialog keeps what was typed. escape closes without saving.
    """

    CSS_PATH = "people.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True, id="person.save"),
        Binding("escape", "cancel", "Cancel", id="person.cancel"),
    ]

    def __init__(self, handle: str) -> None:
        super().__init__()
        self._handle = handle
        self._data: PersonLoaded | None = None
        self._tags_before: dict[str, str] = {}
        self._tags_now: dict[str, str] = {}
        self._saving = False
        self._init_baseline()

    def compose(self) -> ComposeResult:
        with Vertical(id="editor-box", classes="dialog-box"):
            yield Static(f"Edit {self._handle}", id="ed-title", classes="dialog-title")
            with VerticalScroll(id="editor-body"):
                yield Static("Profile", classes="section-title")
                yield field_row("Name", Input(id="ed-name"))
                yield field_row("Pronouns", Input(id="ed-pronouns", placeholder="optional, e.g. she/her"))
                yield field_row("Languages", Input(id="ed-languages", placeholder="comma-separated, e.g. English, Spanish"))
                yield field_row(
                    "Role",
                    Select([("volunteer", "volunteer"), ("coordinator", "coordinator")], allow_blank=False, id="ed-role"),
                )
                yield field_row("", Checkbox("Active", value=True, id="ed-active"), "unticking asks before deactivating")
                yield Static("Limits", classes="section-title")
                for name in LIMIT_FIELDS:
                    kind = "integer" if name in INT_LIMITS else "number"
                    yield field_row(LIMIT_LABELS[name], Input(id=f"ed-{name}", type=kind), "")
                yield Static("Experiences offered for matching", classes="section-title")
                yield Static("space offers or pauses \u00b7 x removes \u00b7 saved with ctrl+s", classes="field-hint")
                yield TagTable(id="ed-tags")
                yield field_row("Add", Input(id="ed-tag-add", placeholder="type a tag; \u2192 accepts, enter adds"))
                yield Static("Reset passphrase", classes="section-title")
                yield field_row("New", Input(id="ed-pass1", password=True, placeholder="at least 8 characters"))
                yield field_row("Again", Input(id="ed-pass2", password=True))
            yield Static("Loading\u2026", id="ed-error", classes="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="ed-save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="ed-cancel", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#ed-name").focus()
        self.reload()

    # -- loading

    def reload(self) -> None:
        """Re-read the person; fields nobody has touched take the new values, typed ones stay."""
        self.call_core(
            load_person, self.app.actor, self._handle, done=self._loaded, failed=self._show_error,
            group="editor-load", exclusive=True,
        )

    def _loaded(self, data: PersonLoaded) -> None:
        if not self.is_attached:
            return
        first = self._data is None
        self._data = data
        p = data.person
        self.query_one("#ed-title", Static).update(f"Edit {p.name} ({p.handle})")
        self._refresh_field("#ed-name", p.name)
        self._refresh_field("#ed-pronouns", p.pronouns or "")
        self._refresh_field("#ed-languages", language_text(p, data.catalog))
        self._refresh_field("#ed-role", p.role)
        self._refresh_field("#ed-active", p.active)
        limits = p.limits(data.line)
        for name in LIMIT_FIELDS:
            self._refresh_field(f"#ed-{name}", f"{getattr(limits, name):g}")
        fresh_tags = dict(data.tags)
        for tag_id in set(self._tags_before) | set(fresh_tags):
            before = self._tags_before.get(tag_id)
            untouched = self._tags_now.get(tag_id) == before
            if untouched:
                if tag_id in fresh_tags:
                    self._tags_now[tag_id] = fresh_tags[tag_id]
                else:
                    self._tags_now.pop(tag_id, None)
        self._tags_before = fresh_tags
        self._show_tags()
        if first:
            self.query_one("#ed-tag-add", Input).suggester = SuggestFromList(
                offerable_names(data.catalog), case_sensitive=False
            )
            self.query_one("#ed-languages", Input).suggester = ListSuggester(language_names(data.catalog))
            self._show_error("")

    # -- tags (pending until save)

    def _tag_label(self, tag_id: str) -> tuple[str, str]:
        for tag in self._data.catalog if self._data else ():
            if tag.id == tag_id:
                return tag.label, tag.family
        return tag_id, ""

    def _show_tags(self) -> None:
        rows = []
        for tag_id, state in self._tags_now.items():
            label, family = self._tag_label(tag_id)
            text = STATE_TEXT[state]
            if self._tags_before.get(tag_id) != state:
                text += " (unsaved)" if state != "removed" else ""
            rows.append((tag_id, (label, family, text)))
        rows.sort(key=lambda r: r[1][0])
        self.query_one("#ed-tags", TagTable).set_rows(rows)

    @on(TagTable.Toggled, "#ed-tags")
    def _toggle(self, event: TagTable.Toggled) -> None:
        state = self._tags_now.get(event.tag_id)
        if state == "removed":
            self._tags_now[event.tag_id] = self._tags_before.get(event.tag_id, "offered")
        else:
            self._tags_now[event.tag_id] = "paused" if state == "offered" else "offered"
        self._show_tags()

    @on(TagTable.Removed, "#ed-tags")
    def _remove(self, event: TagTable.Removed) -> None:
        if event.tag_id in self._tags_before:
            self._tags_now[event.tag_id] = "removed"
        else:
            self._tags_now.pop(event.tag_id, None)
        self._show_tags()

    @on(Input.Submitted, "#ed-tag-add")
    def _add_tag(self, event: Input.Submitted) -> None:
        event.stop()
        if self._data is None or not event.value.strip():
            return
        try:
            tag = Resolver(self._data.catalog).resolve(event.value)
        except Invalid as exc:
            self._show_error(str(exc))
            return
        if tag.family == "language":
            self._show_error(f"{tag.label} is a language: add it under Languages")
            return
        state = self._tags_now.get(tag.id)
        if state in ("offered", "paused"):
            self._show_error(f"{tag.label} is already listed ({state})")
        else:
            self._tags_now[tag.id] = self._tags_before.get(tag.id, "offered") if state == "removed" else "offered"
            self._show_error("")
        event.input.value = ""
        self._show_tags()

    # -- saving

    def _gather(self) -> tuple[PersonChanges | None, str | None, bool]:
        """(changes or None, new passphrase or None, deactivate?) from the form; Invalid for what cannot be sent."""
        changes = PersonChanges()
        any_change = False
        for name in ("name", "pronouns"):
            if self._touched(f"#ed-{name}"):
                setattr(changes, name, self.query_one(f"#ed-{name}", Input).value)
                any_change = True
        languages = self.query_one("#ed-languages", Input).value
        if not same_names(languages, str(self._base.get("#ed-languages", ""))):
            changes.languages = split_names(languages)
            any_change = True
        if self._touched("#ed-role"):
            changes.role = self.query_one("#ed-role", Select).value
            any_change = True
        deactivate = False
        if self._touched("#ed-active"):
            if self.query_one("#ed-active", Checkbox).value:
                changes.active = True
                any_change = True
            else:
                deactivate = True
        typed = {name: self.query_one(f"#ed-{name}", Input).value for name in LIMIT_FIELDS}
        base = {name: str(self._base.get(f"#ed-{name}", "")) for name in LIMIT_FIELDS}
        for name, value in limit_changes(typed, base).items():
            setattr(changes, name, value)
            any_change = True
        before, after = self._tags_before, self._tags_now
        changes.offer = tuple(t for t, s in after.items() if s == "offered" and before.get(t) != "offered")
        changes.pause = tuple(t for t, s in after.items() if s == "paused" and before.get(t) != "paused")
        changes.remove_tags = tuple(t for t, s in after.items() if s == "removed" and t in before)
        any_change = any_change or bool(changes.offer or changes.pause or changes.remove_tags)
        first = self.query_one("#ed-pass1", Input).value
        second = self.query_one("#ed-pass2", Input).value
        passphrase = None
        if first or second:
            if first != second:
                raise Invalid("the two passphrases differ: type the same one in both boxes")
            passphrase = first
        return (changes if any_change else None), passphrase, deactivate

    @on(Button.Pressed, "#ed-save")
    def action_save(self) -> None:
        if self._data is None or self._saving:
            return
        try:
            changes, passphrase, deactivate = self._gather()
        except Invalid as exc:
            self._show_error(str(exc))
            return
        if changes is None and passphrase is None and not deactivate:
            self.dismiss(None)
            self.app.notify("Nothing changed.", timeout=4)
            return
        if not deactivate:
            self._save(changes, passphrase, False)
            return
        person = self._data.person

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._save(changes, passphrase, True)
            else:
                self._show_error(f"{person.handle} stays active; nothing was saved.")

        self.app.push_screen(DeactivateDialog(person.name, person.handle), confirmed)

    def _save(self, changes: PersonChanges | None, passphrase: str | None, deactivate: bool) -> None:
        self._saving = True
        self._show_error("Saving\u2026")
        self.call_core(
            save_person, self.app.actor, self._handle, changes, passphrase, deactivate,
            done=self._saved, failed=self._save_failed, group="editor-save",
        )

    def _saved(self, outcome: SaveOutcome) -> None:
        self._saving = False
        if "passphrase" in outcome.steps:
            self.query_one("#ed-pass1", Input).value = ""
            self.query_one("#ed-pass2", Input).value = ""
        p = outcome.person
        if outcome.error is not None:
            done = ", ".join(outcome.steps)
            self._show_error(f"Saved {done}, then stopped: {outcome.error}")
            self.reload()
            return
        parts = [f"Saved {p.name} ({p.handle})."]
        if "passphrase" in outcome.steps:
            parts.append("New passphrase set.")
        if "deactivated" in outcome.steps:
            parts.append(f"Deactivated; released from {outcome.released} future shifts.")
        self.dismiss(PersonSaved(p.handle, outcome.steps, " ".join(parts)))

    def _save_failed(self, message: str) -> None:
        self._saving = False
        self._show_error(message)

    def _show_error(self, message: str) -> None:
        if self.is_attached:
            self.query_one("#ed-error", Static).update(message)

    @on(Button.Pressed, "#ed-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class AddPersonDialog(CoreCalls, ModalScreen[Person | None]):
    """Add a person (coordinators): handle, name, role, languages, offered tags. Returns the new Person."""

    CSS_PATH = "people.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Add", priority=True, id="add_person.save"),
        Binding("escape", "cancel", "Cancel", id="add_person.cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="add-box", classes="dialog-box"):
            yield Static("Add a person", classes="dialog-title")
            with VerticalScroll(id="add-body"):
                yield field_row("Handle", Input(id="add-handle", placeholder="e.g. sam or ana-r"))
                yield field_row("Name", Input(id="add-name"))
                yield field_row(
                    "Role",
                    Select([("volunteer", "volunteer"), ("coordinator", "coordinator")], allow_blank=False,
                           value="volunteer", id="add-role"),
                )
                yield field_row("Pronouns", Input(id="add-pronouns", placeholder="optional"))
                yield field_row("Languages", Input(id="add-languages", placeholder="comma-separated, e.g. English, Spanish"))
                yield field_row("Offers", Input(id="add-tags", placeholder="tags they chose to offer, comma-separated"))
            yield Static("", id="add-error", classes="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add (ctrl+s)", id="add-save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="add-cancel", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#add-handle").focus()
        self.reload()

    def reload(self) -> None:
        """Refresh the tag suggestions; what was typed stays."""
        self.call_core(load_catalog, done=self._catalog, group="add-load", exclusive=True)

    def _catalog(self, catalog: list[Tag]) -> None:
        if self.is_attached:
            self.query_one("#add-languages", Input).suggester = ListSuggester(language_names(catalog))
            self.query_one("#add-tags", Input).suggester = ListSuggester(offerable_names(catalog))

    @on(Button.Pressed, "#add-save")
    def action_save(self) -> None:
        value = lambda sel: self.query_one(sel, Input).value  # noqa: E731
        self.query_one("#add-error", Static).update("Adding\u2026")
        self.call_core(
            people.add,
            self.app.actor,
            handle=value("#add-handle").strip(),
            name=value("#add-name"),
            role=self.query_one("#add-role", Select).value,
            pronouns=value("#add-pronouns").strip() or None,
            languages=split_names(value("#add-languages")),
            tags=split_names(value("#add-tags")),
            done=self._added,
            failed=lambda message: self.query_one("#add-error", Static).update(message),
            group="add-save",
        )

    def _added(self, person: Person) -> None:
        self.dismiss(person)

    @on(Button.Pressed, "#add-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


# ---------------------------------------------------------------- ProfileScreen


class ProfileScreen(Baseline, WarmlineScreen):
    """My profile: the experiences I offer (space pauses or offers, x removes, at once), my details and limits
    (ctrl+s saves; a volunteer may lower limits, not raise them), and my passphrase."""

    CSS_PATH = "people.tcss"
    TITLE = "My profile"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save details", priority=True, id="profile.save"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._data: PersonLoaded | None = None
        self._tags: dict[str, str] = {}
        self._init_baseline()

    def compose(self) -> ComposeResult:
        yield LineHeader()
        yield Static("My profile", id="pr-title", classes="screen-title")
        with VerticalScroll(id="profile-body"):
            yield Static("Experiences you offer", classes="section-title")
            yield Static(TAGS_BLURB, classes="blurb")
            yield Static("space offers or pauses the one under the cursor \u00b7 x removes it", classes="field-hint")
            yield TagTable(id="pr-tags")
            yield field_row("Add", Input(id="pr-tag-add", placeholder="type an experience; \u2192 accepts, enter adds"))
            yield Static("", id="pr-tags-message", classes="form-message")
            yield Static("Details", classes="section-title")
            yield field_row("Name", Input(id="pr-name"))
            yield field_row("Pronouns", Input(id="pr-pronouns", placeholder="optional, e.g. they/them"))
            yield field_row("Languages", Input(id="pr-languages", placeholder="comma-separated, e.g. English, Spanish"))
            yield Static("", id="pr-limits-hint", classes="field-hint")
            for name in LIMIT_FIELDS:
                kind = "integer" if name in INT_LIMITS else "number"
                yield field_row(LIMIT_LABELS[name], Input(id=f"pr-{name}", type=kind))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save details (ctrl+s)", id="pr-save", variant="primary", compact=True)
            yield Static("", id="pr-details-message", classes="form-message")
            yield Static("Passphrase", classes="section-title")
            yield field_row("Current", Input(id="pr-pass0", password=True, placeholder="the one you sign in with"))
            yield field_row("New", Input(id="pr-pass1", password=True, placeholder="at least 8 characters"))
            yield field_row("Again", Input(id="pr-pass2", password=True))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Change passphrase", id="pr-pass-save", compact=True)
            yield Static("", id="pr-pass-message", classes="form-message")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#pr-tags").focus()

    # -- loading

    def reload(self) -> None:
        """Re-read my details and tags; fields I have typed in keep what I typed."""
        actor = self.app.actor
        self.call_core(
            load_person, actor, actor.handle, done=self._loaded, failed=self._load_failed,
            group="profile-load", exclusive=True,
        )

    def _load_failed(self, message: str) -> None:
        if self.is_attached:
            self.query_one("#pr-details-message", Static).update(f"Could not load your profile: {message}")

    def _loaded(self, data: PersonLoaded) -> None:
        if not self.is_attached:
            return
        first = self._data is None
        self._data = data
        p = data.person
        self.query_one("#pr-title", Static).update(f"My profile \u2014 {p.name} ({p.handle}), {p.role}")
        self._refresh_field("#pr-name", p.name)
        self._refresh_field("#pr-pronouns", p.pronouns or "")
        self._refresh_field("#pr-languages", language_text(p, data.catalog))
        limits = p.limits(data.line)
        for name in LIMIT_FIELDS:
            self._refresh_field(f"#pr-{name}", f"{getattr(limits, name):g}")
        hint = (
            "Limits protect you. You can lower them, or lengthen your rest, at any time; "
            "to raise them, ask a coordinator."
            if not data.viewer.is_coordinator
            else "Limits protect you from overload."
        )
        self.query_one("#pr-limits-hint", Static).update(hint)
        self._tags = dict(data.tags)
        self._show_tags()
        if first:
            self.query_one("#pr-tag-add", Input).suggester = SuggestFromList(
                offerable_names(data.catalog), case_sensitive=False
            )
            self.query_one("#pr-languages", Input).suggester = ListSuggester(language_names(data.catalog))

    def _label(self, tag_id: str) -> tuple[str, str]:
        for tag in self._data.catalog if self._data else ():
            if tag.id == tag_id:
                return tag.label, tag.family
        return tag_id, ""

    def _show_tags(self) -> None:
        rows = [(t, (*self._label(t), STATE_TEXT[s])) for t, s in self._tags.items()]
        rows.sort(key=lambda r: r[1][0])
        self.query_one("#pr-tags", TagTable).set_rows(rows)
        message = self.query_one("#pr-tags-message", Static)
        if not rows:
            message.update(NO_TAGS)
        elif str(message.content) == NO_TAGS:
            message.update("")

    # -- tags: each change is saved at once

    def _tag_change(self, changes: PersonChanges, message: str) -> None:
        actor = self.app.actor

        def done(_: Person) -> None:
            self.query_one("#pr-tags-message", Static).update(message)
            self.reload()

        self.call_core(
            people.edit, actor, actor.handle, changes, done=done,
            failed=lambda m: self.query_one("#pr-tags-message", Static).update(m), group="profile-tags",
        )

    @on(TagTable.Toggled, "#pr-tags")
    def _toggle(self, event: TagTable.Toggled) -> None:
        label = self._label(event.tag_id)[0]
        if self._tags.get(event.tag_id) == "offered":
            self._tag_change(
                PersonChanges(pause=(event.tag_id,)),
                f"Paused {label}: you will not be matched for it until you offer it again (space).",
            )
        else:
            self._tag_change(PersonChanges(offer=(event.tag_id,)), f"Offering {label} for matching again.")

    @on(TagTable.Removed, "#pr-tags")
    def _remove(self, event: TagTable.Removed) -> None:
        label = self._label(event.tag_id)[0]
        self._tag_change(
            PersonChanges(remove_tags=(event.tag_id,)),
            f"Removed {label}. You can add it again below at any time.",
        )

    @on(Input.Submitted, "#pr-tag-add")
    def _add_tag(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text or self._data is None:
            return
        message = self.query_one("#pr-tags-message", Static)
        try:
            tag = Resolver(self._data.catalog).resolve(text)
        except Invalid as exc:
            message.update(str(exc))  # the core would say the same; no need to ask it
            return
        if tag.family == "language":
            message.update(f"{tag.label} is a language: add it under Languages in Details below.")
            return
        event.input.value = ""
        self._tag_change(PersonChanges(offer=(tag.id,)), f"Now offering {tag.label} for matching.")

    # -- details

    @on(Button.Pressed, "#pr-save")
    def action_save(self) -> None:
        if self._data is None:
            return
        message = self.query_one("#pr-details-message", Static)
        changes = PersonChanges()
        any_change = False
        try:
            for name in ("name", "pronouns"):
                if self._touched(f"#pr-{name}"):
                    setattr(changes, name, self.query_one(f"#pr-{name}", Input).value)
                    any_change = True
            languages = self.query_one("#pr-languages", Input).value
            if not same_names(languages, str(self._base.get("#pr-languages", ""))):
                changes.languages = split_names(languages)
                any_change = True
            typed = {name: self.query_one(f"#pr-{name}", Input).value for name in LIMIT_FIELDS}
            base = {name: str(self._base.get(f"#pr-{name}", "")) for name in LIMIT_FIELDS}
            for name, value in limit_changes(typed, base).items():
                setattr(changes, name, value)
                any_change = True
        except Invalid as exc:
            message.update(str(exc))
            return
        if not any_change:
            message.update("Nothing to save: your details are as shown.")
            return
        actor = self.app.actor
        message.update("Saving\u2026")

        def done(_: Person) -> None:
            message.update("Saved.")
            self._adopt_typed()
            self.reload()

        self.call_core(people.edit, actor, actor.handle, changes, done=done, failed=message.update, group="profile-save")

    def _adopt_typed(self) -> None:
        """After a save, what is typed is what is stored: make it the baseline."""
        for selector in ("#pr-name", "#pr-pronouns", "#pr-languages", *(f"#pr-{n}" for n in LIMIT_FIELDS)):
            self._base[selector] = self.query_one(selector, Input).value

    # -- passphrase

    @on(Button.Pressed, "#pr-pass-save")
    def _change_passphrase(self) -> None:
        message = self.query_one("#pr-pass-message", Static)
        current = self.query_one("#pr-pass0", Input)
        first = self.query_one("#pr-pass1", Input)
        second = self.query_one("#pr-pass2", Input)
        if first.value != second.value:
            message.update("The two passphrases differ: type the same one in both boxes.")
            return
        if not first.value:
            message.update("Type a new passphrase twice, then choose Change passphrase.")
            return
        actor = self.app.actor

        def done(_: None) -> None:
            current.value = first.value = second.value = ""
            message.update("Passphrase changed. Use it next time you sign in.")

        message.update("Changing\u2026")
        self.call_core(
            people.set_passphrase, actor, actor.handle, first.value, current=current.value or None,
            done=done, failed=message.update, group="profile-pass",
        )

