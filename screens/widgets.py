"""Widgets shared by the screens: the line header, the week grid, and keyed table updates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Checkbox, DataTable, Label, Static

from warmline.model import ShiftView
from warmline.recurrence import zone

from . import labels

# ---------------------------------------------------------------- header


class LineHeader(Widget):
    """The line's name, who is signed in, the time in the line's zone, and the escalation path.

    Always visible: the escalation text is the one thing a peer must never have to look for.
    One widget drawing its own lines (it redraws every second, on every screen).
    """

    COMPONENT_CLASSES = {"line-header--name", "line-header--who", "line-header--clock", "line-header--escalation"}

    def __init__(self) -> None:
        super().__init__()
        self.name_text = "warmline"
        self.who_text = "not signed in"
        self.clock_text = ""
        self.escalation_text = ""

    def on_mount(self) -> None:
        self.tick()
        self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        """Redraw from the app's current line, actor and clock."""
        app: Any = self.app
        line = getattr(app, "line", None)
        actor = getattr(app, "actor", None)
        clock = getattr(app, "clock", None)
        name = line.name if line else "warmline"
        who = f"{actor.handle} · {actor.role}" if actor else "not signed in"
        if line is not None and clock is not None:
            local = clock().astimezone(zone(line.tz))
            stamp = f"{labels.day(local)} {local:%H:%M} {local.tzname()}"
        else:
            stamp = ""
        escalation = line.escalation if line else ""
        shown = (self.name_text, self.who_text, self.clock_text, self.escalation_text)
        if shown == (name, who, stamp, escalation):
            return
        self.name_text, self.who_text, self.clock_text = name, who, stamp
        relayout = escalation != self.escalation_text
        self.escalation_text = escalation
        self.refresh(layout=relayout)

    def _escalation_lines(self, width: int) -> list[Text]:
        if not self.escalation_text:
            return []
        inner = max(1, width - 2)
        return list(Text(self.escalation_text).wrap(self.app.console, inner))

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return 1 + len(self._escalation_lines(width))

    def render(self) -> Text:
        width = max(1, self.size.width)
        style = self.get_component_rich_style
        name = Text(f" {self.name_text} ", style("line-header--name"))
        clock = Text(f" {self.clock_text} " if self.clock_text else "", style("line-header--clock"))
        room = max(0, width - name.cell_len - clock.cell_len)
        who = Text(f" {self.who_text}", style("line-header--who"))
        who.truncate(room, overflow="ellipsis", pad=True)
        text = Text(no_wrap=True)
        text.append_text(name)
        text.append_text(who)
        text.append_text(clock)
        warning = style("line-header--escalation")
        for line in self._escalation_lines(width):
            line.pad_left(1)
            line.truncate(width, pad=True)
            line.stylize_before(warning)
            text.append("\n")
            text.append_text(line)
        return text


# ---------------------------------------------------------------- small widgets


class KeysFooter(Widget, can_focus=False):
    """The keys that work here, on one line; compact when the terminal is narrow, so 80 columns show them all.

    One widget drawing the keys itself: Textual's Footer mounts a widget per key and rebuilds
    them all whenever any binding may have changed (every focus move, every data load), which
    was a large share of the app's start-up. Clicking a key presses it.
    """

    COMPONENT_CLASSES = {"keys-footer--key", "keys-footer--description", "keys-footer--separator"}

    def __init__(self) -> None:
        super().__init__()
        self.keys: tuple[tuple[str, str, str, bool], ...] = ()  # (key, shown as, description, enabled)
        self.palette: tuple[str, str, str, bool] | None = None
        self.spans: list[tuple[str, int, int]] = []  # (key, first column, column after), as last drawn

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self._bindings_changed, self.screen)

    def _bindings_changed(self, screen: Any) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        app = self.app
        active = screen.active_bindings
        keys: dict[str, tuple[str, str, str, bool]] = {}  # one entry per action, as Textual's Footer
        for _, binding, enabled, _tooltip in active.values():
            if binding.show and binding.action not in keys:
                keys[binding.action] = (binding.key, app.get_key_display(binding), binding.description, enabled)
        palette = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _, binding, enabled, _tooltip = active[app.COMMAND_PALETTE_BINDING]
            palette = (binding.key, app.get_key_display(binding), binding.description, enabled)
        shown = tuple(keys.values())
        if (shown, palette) != (self.keys, self.palette):
            self.keys, self.palette = shown, palette
            self.refresh()

    def on_resize(self) -> None:
        self.refresh()

    def _key_text(self, key: tuple[str, str, str, bool], compact: bool) -> Text:
        _, display, description, enabled = key
        style = self.get_component_rich_style
        pad = "" if compact else " "
        text = Text(no_wrap=True)
        text.append(f"{pad}{display}{pad}", style("keys-footer--key"))
        if description:
            text.append(f" {description}" if compact else f"{description} ", style("keys-footer--description"))
        if not enabled:
            text.stylize(Style(dim=True))
        return text

    def on_click(self, event: Any) -> None:
        for key, first, after in self.spans:
            if first <= event.x < after:
                enabled = next((k[3] for k in (*self.keys, self.palette) if k and k[0] == key), False)
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return

    def render(self) -> Text:
        width = self.size.width
        compact = width < 100
        line = Text(no_wrap=True, overflow="crop")
        spans: list[tuple[str, int, int]] = []
        for key in self.keys:
            part = self._key_text(key, compact)
            spans.append((key[0], line.cell_len, line.cell_len + part.cell_len))
            line.append_text(part)
            line.append(" " if compact else "")
        if self.palette is not None:
            right = Text("▏", self.get_component_rich_style("keys-footer--separator"), no_wrap=True)
            right.append_text(self._key_text(self.palette, compact))
            room = width - right.cell_len
            line.truncate(max(0, room), pad=True)
            spans = [s for s in spans if s[2] <= room]
            spans.append((self.palette[0], room + 1, width))
            line.append_text(right)
        self.spans = spans
        return line


class DayBox(Checkbox):
    """A checkbox whose state reads without colour: [X] ticked, [ ] not."""

    @property
    def _button(self):  # type: ignore[override]
        self.BUTTON_INNER = "X" if self.value else " "
        return super()._button


# ---------------------------------------------------------------- keyed tables


class Ordered(Text):
    """A table cell that also carries the row's sort position (e.g. a shift's start), for keyed re-sorting."""

    def __init__(self, text: str, order: Any, style: str = "") -> None:
        super().__init__(text, style=style)
        self.order = order


def _same(old: Any, new: Any) -> bool:
    return old == new and getattr(old, "order", None) == getattr(new, "order", None)


def redraw_measured(table: DataTable) -> None:
    """Redraw `table` once it has measured the rows just added or changed.

    Textual 8.2 measures new cells when the table is next idle, but a row drawn in between
    stays in its render caches at the old column widths, so a real terminal could show the
    columns cut to their headings (Textual issues #3533, #4470). `call_next` runs right
    after that idle: drop the caches then.
    """

    def redraw() -> None:
        table._clear_caches()  # no public way to do this; Textual is pinned
        table.refresh()

    table.call_next(redraw)


def sync_table(table: DataTable, rows: Sequence[tuple[str, Sequence[Any]]]) -> None:
    """Make `table` show `rows` ((key, cells) in order) by key: remove stale rows, update changed
    cells, add new ones, re-sort only if the order changed. The cursor stays on its row.

    A row's first cell should be an `Ordered` so a re-sort can put new rows in their place.
    """
    wanted = {key: cells for key, cells in rows}
    cursor_key: str | None = None
    if table.row_count and table.is_valid_row_index(table.cursor_row):
        cursor_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    columns = [c.key for c in table.ordered_columns]
    with table.app.batch_update():
        for row_key in list(table.rows):
            if row_key.value not in wanted:
                table.remove_row(row_key)
        changed = False
        for key, cells in rows:
            if key in table.rows:
                for column, old, new in zip(columns, table.get_row(key), cells, strict=True):
                    if not _same(old, new):
                        table.update_cell(key, column, new, update_width=True)
                        changed = True
            else:
                table.add_row(*cells, key=key)
                changed = True
        if changed:
            redraw_measured(table)
        order = [key for key, _ in rows]
        if [r.key.value for r in table.ordered_rows] != order:
            table.sort(key=lambda values: getattr(values[0], "order", 0))
        if cursor_key is not None and cursor_key in wanted:
            index = table.get_row_index(cursor_key)
            if index != table.cursor_row:
                table.move_cursor(row=index, animate=False)
    # Textual 8.2 may keep the cursor row rendered at the header's column widths when rows
    # arrive after the first paint; dropping the render caches redraws it at the new widths.
    table.notify_style_update()


# ---------------------------------------------------------------- week grid


class ShiftBlock(Widget):
    """One shift in the week grid: time, peers, backup and what is missing, in words as well as colour."""

    COMPONENT_CLASSES = {
        "shift-block--time",
        "shift-block--open",
        "shift-block--alert",
        "shift-block--mine",
        "shift-block--dim",
    }

    STATE_CLASSES = ("-cancelled", "-open", "-nobackup", "-cover", "-mine")

    def __init__(self, view: ShiftView, me_id: int | None) -> None:
        # Classes given here cost nothing; set one by one they would restyle the block each time.
        super().__init__(classes=" ".join(self._state_classes(view, me_id)))
        self.view = view
        self.me_id = me_id

    def update_view(self, view: ShiftView, me_id: int | None = None) -> None:
        """Show another version of this shift, or (the week grid reusing blocks) another shift."""
        self.view = view
        if me_id is not None:
            self.me_id = me_id
        self._classes_for(view)
        self.refresh(layout=True)

    @staticmethod
    def _state_classes(view: ShiftView, me_id: int | None) -> set[str]:
        scheduled = view.shift.status == "scheduled"
        wanted = {
            "-cancelled": not scheduled,
            "-open": scheduled and view.open_seats > 0,
            "-nobackup": labels.no_backup(view),
            "-cover": scheduled and bool(view.cover),
            "-mine": me_id is not None and any(a.person_id == me_id for a in view.peers + view.backups),
        }
        return {name for name, on in wanted.items() if on}

    def _classes_for(self, view: ShiftView) -> None:
        wanted = self._state_classes(view, self.me_id)
        have = set(self.classes) & set(self.STATE_CLASSES)
        if wanted != have:  # one restyle for all the changes
            self.remove_class(*(have - wanted), update=False)
            self.add_class(*(wanted - have), update=False)
            self.update_node_styles()

    def render(self) -> Text:
        width = max(4, self.content_size.width or 10)
        v = self.view
        style = self.get_component_rich_style
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(labels.fit(labels.span(v, compact=width < 11), width), style("shift-block--time"))
        if v.shift.status != "scheduled":
            text.append("\n" + labels.fit("CANCELLED", width), style("shift-block--dim"))
            return text
        for a in v.peers:
            if a.person_id == self.me_id:
                text.append("\n" + labels.fit("you", width), style("shift-block--mine"))
            else:
                text.append("\n" + labels.fit(a.handle, width))
        if v.open_seats:
            text.append("\n" + labels.fit(labels.open_text(v), width), style("shift-block--open"))
        if v.cover:
            text.append(
                "\n" + labels.fit("COVER ASKED" if width >= 11 else "COVER?", width), style("shift-block--open")
            )
        if v.backups:
            for a in v.backups:
                name = "you" if a.person_id == self.me_id else a.handle
                prefix = "backup " if width >= 8 + len(name) else "bk "
                text.append(
                    "\n" + labels.fit(prefix + name, width), style("shift-block--mine") if name == "you" else ""
                )
        else:
            text.append("\n" + labels.fit("NO BACKUP", width), style("shift-block--alert"))
        return text

    def on_click(self) -> None:
        grid = next((a for a in self.ancestors if isinstance(a, WeekGrid)), None)
        if grid is not None:
            grid.select_shift(self.view.shift.id)
            grid.focus()


class DayColumn(Vertical):
    """One day of the week grid: a heading and the day's shifts in time order."""

    def __init__(self, index: int) -> None:
        super().__init__(classes="day-column")
        self.index = index
        self.day: date | None = None
        self.blocks: list[ShiftBlock] = []

    def compose(self) -> ComposeResult:
        yield Label("", classes="day-head")
        yield VerticalScroll(Static("no shifts", classes="day-empty"), classes="day-body", can_focus=False)

    @property
    def body(self) -> VerticalScroll:
        return self.query_one(".day-body", VerticalScroll)

    def set_heading(self, day: date, today: date) -> None:
        self.day = day
        head = self.query_one(".day-head", Label)
        mark = " •" if day == today else ""
        head.update(f"{labels.WEEKDAY_NAMES[day.weekday()]} {day.day}{mark}")
        head.set_class(day == today, "-today")

    def show(self, views: list[ShiftView], me_id: int | None) -> None:
        """Show these shifts: labels update in place when the same shifts are there, else blocks are reused."""
        if [b.view.shift.id for b in self.blocks] == [v.shift.id for v in views]:
            for block, view in zip(self.blocks, views, strict=True):
                if block.view != view:
                    block.update_view(view)
            return
        # Another week: reuse the blocks there are (mounting and removing widgets is what makes
        # changing weeks slow), then add or remove only the difference, each in one batch.
        kept = min(len(self.blocks), len(views))
        for block, view in zip(self.blocks[:kept], views[:kept], strict=True):
            block.update_view(view, me_id)
        if len(self.blocks) > kept:
            self.body.remove_children(self.blocks[kept:])
        added = [ShiftBlock(v, me_id) for v in views[kept:]]
        if added:
            self.body.mount_all(added)
        self.blocks = self.blocks[:kept] + added
        self.query_one(".day-empty").display = not self.blocks


class WeekGrid(Horizontal, can_focus=True, can_focus_children=False):
    """Seven day columns, Monday to Sunday in the line's zone. Arrows move between shifts."""

    BINDINGS = [
        Binding("up", "move(0, -1)", "Up", show=False),
        Binding("down", "move(0, 1)", "Down", show=False),
        Binding("left", "move(-1, 0)", "Left", show=False),
        Binding("right", "move(1, 0)", "Right", show=False),
        Binding("enter", "open", "Open shift", show=False),
    ]

    class ShiftSelected(Message):
        """Enter (or a click) on a shift."""

        def __init__(self, shift_id: int) -> None:
            super().__init__()
            self.shift_id = shift_id

    class CursorMoved(Message):
        """The cursor is on another shift (or an empty day)."""

        def __init__(self, view: ShiftView | None, day: date | None) -> None:
            super().__init__()
            self.view = view
            self.day = day

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.monday: date | None = None
        self.cursor_day = 0
        self.cursor_index = 0
        self.me_id: int | None = None

    def compose(self) -> ComposeResult:
        for i in range(7):
            yield DayColumn(i)

    @property
    def columns(self) -> list[DayColumn]:
        return list(self.query(DayColumn))

    @property
    def selected_view(self) -> ShiftView | None:
        blocks = self.columns[self.cursor_day].blocks if self.is_mounted else []
        return blocks[self.cursor_index].view if 0 <= self.cursor_index < len(blocks) else None

    @property
    def selected_day(self) -> date | None:
        return self.monday + timedelta(days=self.cursor_day) if self.monday else None

    def all_views(self) -> list[ShiftView]:
        return [b.view for c in self.columns for b in c.blocks]

    def show_week(self, monday: date, days: list[list[ShiftView]], today: date, me_id: int | None) -> None:
        """Show a week; only days whose shifts changed are touched, and the cursor keeps its shift."""
        keep = self.selected_view.shift.id if self.selected_view else None
        week_changed = monday != self.monday
        self.monday = monday
        self.me_id = me_id
        for column, views in zip(self.columns, days, strict=True):
            column.set_heading(monday + timedelta(days=column.index), today)
            column.show(views, me_id)
        if keep is not None and self._find(keep):
            self.cursor_day, self.cursor_index = self._find(keep)  # type: ignore[misc]
        elif week_changed and monday <= today < monday + timedelta(days=7):
            self.cursor_day, self.cursor_index = (today - monday).days, 0
        self._clamp()
        self._paint()

    def _find(self, shift_id: int) -> tuple[int, int] | None:
        for d, column in enumerate(self.columns):
            for i, block in enumerate(column.blocks):
                if block.view.shift.id == shift_id:
                    return d, i
        return None

    def _clamp(self) -> None:
        self.cursor_day = max(0, min(6, self.cursor_day))
        count = len(self.columns[self.cursor_day].blocks)
        self.cursor_index = max(0, min(self.cursor_index, count - 1)) if count else 0

    def _paint(self, *, announce: bool = True) -> None:
        for d, column in enumerate(self.columns):
            column.set_class(d == self.cursor_day, "-cursor-day")
            for i, block in enumerate(column.blocks):
                block.set_class(d == self.cursor_day and i == self.cursor_index, "-selected")
        column = self.columns[self.cursor_day]
        if column.blocks:
            block = column.blocks[self.cursor_index]
            self.call_after_refresh(column.body.scroll_to_widget, block, animate=False)
        if announce:
            self.post_message(self.CursorMoved(self.selected_view, self.selected_day))

    def select_shift(self, shift_id: int) -> bool:
        """Put the cursor on this shift if it is in the week shown."""
        found = self._find(shift_id)
        if found is None:
            return False
        self.cursor_day, self.cursor_index = found
        self._paint()
        return True

    def select_day(self, day: date) -> None:
        """Put the cursor on the first shift of this day (which must be in the week shown)."""
        if self.monday and 0 <= (day - self.monday).days < 7:
            self.cursor_day, self.cursor_index = (day - self.monday).days, 0
            self._clamp()
            self._paint()

    def action_move(self, dx: int, dy: int) -> None:
        if dy:
            self.cursor_index += dy
        if dx:
            here = self.selected_view
            self.cursor_day = max(0, min(6, self.cursor_day + dx))
            self.cursor_index = self._nearest(here)
        self._clamp()
        self._paint()

    def _nearest(self, here: ShiftView | None) -> int:
        """The shift in the cursor's day that starts closest in the day to `here`."""
        blocks = self.columns[self.cursor_day].blocks
        if not blocks or here is None:
            return 0
        minutes = here.shift.start_local.hour * 60 + here.shift.start_local.minute
        return min(
            range(len(blocks)),
            key=lambda i: abs(
                blocks[i].view.shift.start_local.hour * 60 + blocks[i].view.shift.start_local.minute - minutes
            ),
        )

    def action_open(self) -> None:
        view = self.selected_view
        if view is not None:
            self.post_message(self.ShiftSelected(view.shift.id))


def week_days(views: Iterable[ShiftView], monday: date) -> list[list[ShiftView]]:
    """Split a week's shifts into seven local days (by local start date)."""
    days: list[list[ShiftView]] = [[] for _ in range(7)]
    for v in views:
        offset = (v.shift.start_local.date() - monday).days
        if 0 <= offset < 7:
            days[offset].append(v)
    return days


def local_today(moment: datetime, tz_name: str) -> date:
    return moment.astimezone(zone(tz_name)).date()
