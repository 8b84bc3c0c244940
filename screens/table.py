"""A keyed, read-only table that draws only the lines in view, with a row cursor.

Textual's DataTable keeps a Row object per row, measures every cell as it arrives and re-renders
through several caches; on Home (three tables) that was a large share of the app's start-up.
`KeyTable` takes all its rows at once (`set_rows`), measures the columns once, and draws each
line straight from its cells (Textual's line API). It looks and moves like a DataTable with a
row cursor: up/down, page up/down, home/end; enter, or a click on the cursor row, selects. The
cursor stays on its row's key when the rows change. Cells are plain strings or rich Text (a
style that must read without colour, e.g. bold for "NO BACKUP").

It is the app's one table widget: every table is a KeyTable or a subclass configuring it (the
People list, a person's tags). `cursor="cell"` gives a cell cursor instead (left/right move it
across the columns; Coverage picks who fills a gap with it); `zebra=False` draws every row alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import zip_longest
from typing import Union

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .plain import plain, shown

Cell = Union[str, Text]


def cell_width(cell: Cell) -> int:
    """Terminal cells taken by a cell (len() for ASCII text, which rich's cell_len is much slower at)."""
    if isinstance(cell, Text):
        return cell.cell_len
    return len(cell) if cell.isascii() else cell_len(cell)


def column_widths(rows: Sequence[Sequence[Cell]]) -> tuple[int, ...]:
    """The widest cell of each column of `rows` (all of one length), in terminal cells; () for no rows."""
    widths = []
    for column in zip(*rows):
        if all(isinstance(cell, str) for cell in column) and "".join(column).isascii():
            widths.append(max(map(len, column)))  # (one isascii() for the column: len() is ~20x cell_len)
        else:
            widths.append(max(map(cell_width, column)))
    return tuple(widths)


def fit_text(text: str, width: int) -> str:
    """`text` padded with spaces to `width` cells, or cut to fit with "…" at the end."""
    if text.isascii():
        if len(text) <= width:
            return text + " " * (width - len(text))
        return text[: width - 1] + "\u2026" if width > 0 else ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "\u2026" if width > 0 else ""


def fit(cell: Cell, width: int) -> Text:
    """The cell as Text exactly `width` cells wide: padded, or cut short with "…"."""
    text = Text(no_wrap=True)
    text.append_text(cell) if isinstance(cell, Text) else text.append(cell)  # the cell's own style as a span
    text.truncate(width, overflow="ellipsis", pad=True)
    return text


class RowMessage(Message):
    """Something happened to the row with this key in a KeyTable."""

    def __init__(self, table: KeyTable, key: str | None, column: str | None = None) -> None:
        super().__init__()
        self.table = table
        self.key = key
        self.column = column  # the column key under a cell cursor (None with a row cursor)

    @property
    def control(self) -> KeyTable:
        return self.table


class KeyTable(ScrollView, can_focus=True):
    """Rows by key, drawn a line at a time; the cursor follows its key across updates."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Select", show=False, id="table.select"),
        Binding("up", "cursor_up", "Cursor up", show=False, id="table.cursor_up"),
        Binding("down", "cursor_down", "Cursor down", show=False, id="table.cursor_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("home,ctrl+home", "first", "First", show=False, id="table.first"),
        Binding("end,ctrl+end", "last", "Last", show=False, id="table.last"),
        Binding("left", "scroll_left", "Scroll left", show=False, id="table.scroll_left"),
        Binding("right", "scroll_right", "Scroll right", show=False, id="table.scroll_right"),
    ]
    COMPONENT_CLASSES = {"key-table--title", "key-table--header", "key-table--cursor", "key-table--even-row"}
    # DataTable's own look (Textual 8.2), so the tables read as they did.
    DEFAULT_CSS = """
    KeyTable {
        background: $surface;
        color: $foreground;
        height: auto;
        &:focus {
            background-tint: $foreground 5%;
            & > .key-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .key-table--header {
                background-tint: $foreground 5%;
            }
        }
        &:dark > .key-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .key-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .key-table--title {
            text-style: bold;
            color: $text-accent;
        }
        &:light > .key-table--title {
            color: $text-primary;  /* $text-accent on textual-light's surface is 2.7:1 */
        }
        &:ansi > .key-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .key-table--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .key-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    class RowHighlighted(RowMessage):
        """The cursor moved to the row with this key (None: the table is empty), or to another
        column of it (a cell cursor)."""

    class RowSelected(RowMessage):
        """Enter (or a click on the cursor row, or cell) chose the row with this key."""

    def __init__(
        self,
        columns: Sequence[tuple[str, str]],
        *,
        caption: str = "",
        shrink: Sequence[str] = (),
        cursor: str = "row",
        zebra: bool = True,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """`columns`: (label, key) pairs, in order; every row has one cell per column.

        `caption`: a line above the column headings (a section title that costs no widget of its own).
        `shrink`: keys of the columns that give up width (in this order, cut short with "…") when
        the table is wider than the widget, so the other columns stay in view.
        `cursor`: "row", or "cell" (left/right move it along the row). `zebra`: stripe every other row.
        """
        super().__init__(id=id, classes=classes)
        if cursor not in ("row", "cell"):
            raise ValueError(f"cursor is 'row' or 'cell', not {cursor!r}")
        self._cell_cursor = cursor == "cell"
        self._zebra = zebra
        self._column = 0  # the cursor's column (a cell cursor)
        self.caption = caption
        self._top = 2 if caption else 1  # lines above the first row
        self._labels = tuple(label for label, _ in columns)
        self._column_keys = tuple(key for _, key in columns)
        self._shrink = tuple(self._column_keys.index(key) for key in shrink)
        self._fitted: tuple[int, tuple[int, ...]] | None = None  # (available width, widths) last worked out
        self._cells: Mapping[str, Sequence[Cell]] = {}
        self._keys: list[str] = []
        self._index: dict[str, int] | None = {}
        self._widths = tuple(cell_width(label) for label in self._labels)
        self._cursor = 0
        self._line_styles: tuple[Style, Style, Style, Style] | None = None
        self._title_style = Style()

    # -- data

    def set_rows(self, rows: Sequence[tuple[str, Sequence[Cell]]]) -> None:
        """Show these rows ((key, cells), top to bottom); the cursor stays on its key if still there."""
        self.load({key: tuple(cells) for key, cells in rows})
        self.show([key for key, _ in rows])

    def load(self, cells: Mapping[str, Sequence[Cell]], widths: Sequence[int] | None = None) -> None:
        """Take every row's cells by key (listed by `show`) and size the columns to fit them all, so
        listing fewer (a filter) does not make the columns jump.

        `widths`: the widest cell of each column, when the caller has measured them (e.g. on a worker).
        """
        self._cells = cells
        if widths is None:
            widths = column_widths(list(cells.values()))
        self._widths = tuple(max(pair) for pair in zip_longest(map(cell_width, self._labels), widths, fillvalue=0))
        self._fitted = None

    def show(self, keys: Sequence[str]) -> None:
        """List the rows with these keys, in this order; the cursor stays on its key if still listed."""
        before = self.cursor_key
        self._keys = list(keys)
        self._index = None  # built on demand: a filter keystroke should not pay for it
        self._resize_virtual()
        try:
            row = self._keys.index(before) if before is not None else self._cursor
        except ValueError:
            row = self._cursor
        self._cursor = max(0, min(row, len(self._keys) - 1))
        self.refresh()
        self._scroll_to_cursor()
        if self.cursor_key != before:
            self._highlighted()

    @property
    def keys(self) -> list[str]:
        """The keys of the listed rows, top to bottom."""
        return list(self._keys)

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def cursor_key(self) -> str | None:
        """The key of the row under the cursor, or None when nothing is listed."""
        return self._keys[self._cursor] if self._keys else None

    def has_key(self, key: str) -> bool:
        return key in self._row_index()

    def get_row_index(self, key: str) -> int:
        """The position of the row with this key (KeyError if it is not listed)."""
        return self._row_index()[key]

    def get_row(self, key: str) -> list[Cell]:
        """The cells of a listed row (KeyError if it is not listed)."""
        self.get_row_index(key)
        return list(self._cells[key])

    def get_cell(self, key: str, column: str) -> Cell:
        return self.get_row(key)[self._column_keys.index(column)]

    def get_row_at(self, row: int) -> list[Cell]:
        """The cells of the row listed at position `row`."""
        return list(self._cells[self._keys[row]])

    @property
    def column_keys(self) -> tuple[str, ...]:
        return self._column_keys

    @property
    def cursor_column(self) -> str | None:
        """The key of the column under a cell cursor (None with a row cursor)."""
        return self._column_keys[self._column] if self._cell_cursor and self._column_keys else None

    def move_cursor(self, *, row: int | None = None, column: int | None = None, animate: bool = False) -> None:
        """Put the cursor on row `row` (and, for a cell cursor, column `column`), clamped, and scroll it into view."""
        if column is not None and self._cell_cursor:
            column = max(0, min(column, len(self._column_keys) - 1))
            if column != self._column:
                self._column = column
                self.refresh()
                if row is None or row == self._cursor:
                    self._highlighted()
        self._set_cursor(self._cursor if row is None else row)

    def _highlighted(self) -> None:
        self.post_message(self.RowHighlighted(self, self.cursor_key, self.cursor_column))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._keys) + self._top

    def _row_index(self) -> dict[str, int]:
        if self._index is None:
            self._index = {key: i for i, key in enumerate(self._keys)}
        return self._index

    def _column_widths(self) -> tuple[int, ...]:
        """Each column's width in this widget: the widest cell, less what shrinking columns give up to fit."""
        if not self._shrink:
            return self._widths
        # The width left once a vertical scrollbar takes its place (worked out here: the region
        # still has the old scrollbars until the next layout, and a wrong guess adds a horizontal one).
        width, height = self.size
        available = width - (self.styles.scrollbar_size_vertical if len(self._keys) + self._top > height else 0)
        if self._fitted is not None and self._fitted[0] == available:
            return self._fitted[1]
        widths = list(self._widths)
        over = sum(widths) + 2 * len(widths) - available
        for column in self._shrink:
            if over <= 0 or available <= 0:  # (not laid out yet: nothing to fit to)
                break
            floor = min(widths[column], max(cell_width(self._labels[column]), 8))
            cut = min(over, widths[column] - floor)
            widths[column] -= cut
            over -= cut
        self._fitted = (available, tuple(widths))
        return self._fitted[1]

    def _resize_virtual(self) -> None:
        widths = self._column_widths()
        size = Size(sum(widths) + 2 * len(widths), len(self._keys) + self._top)
        if size != self.virtual_size:
            self.virtual_size = size
            # The next layout passes this same virtual size to ScrollView._size_updated, which then
            # sees no change and keeps the old scrollbars: a table filled before it had a width kept
            # a horizontal scrollbar (an empty row) once its columns fitted. Textual is pinned.
            if self.container_size:
                self._scroll_update(size)
            self.refresh(layout=True)

    def _set_cursor(self, row: int) -> None:
        row = max(0, min(row, len(self._keys) - 1))
        if row != self._cursor:
            self._cursor = row
            self.refresh()
            self._highlighted()
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        page = self._page()
        top = round(self.scroll_y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor >= top + page:
            self.scroll_to(y=self._cursor - page + 1, animate=False, immediate=True)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - self._top)  # less the title and header lines

    def on_resize(self) -> None:
        self._resize_virtual()
        self._scroll_to_cursor()

    # -- keys and mouse

    def action_cursor_up(self) -> None:
        self._set_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self._set_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        self._set_cursor(self._cursor - self._page())

    def action_page_down(self) -> None:
        self._set_cursor(self._cursor + self._page())

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(len(self._keys) - 1)

    def action_scroll_left(self) -> None:
        if self._cell_cursor:
            self.move_cursor(column=self._column - 1)
        else:
            super().action_scroll_left()

    def action_scroll_right(self) -> None:
        if self._cell_cursor:
            self.move_cursor(column=self._column + 1)
        else:
            super().action_scroll_right()

    def action_select_cursor(self) -> None:
        if self._keys:
            self.post_message(self.RowSelected(self, self._keys[self._cursor], self.cursor_column))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < self._top:
            return
        row = round(self.scroll_y) + offset.y - self._top
        if row >= len(self._keys):
            return
        column = self._column
        if self._cell_cursor:
            x = round(self.scroll_x) + offset.x
            for column, width in enumerate(self._column_widths()):
                x -= width + 2
                if x < 0:
                    break
        if row == self._cursor and column == self._column:
            self.action_select_cursor()
        else:
            self.move_cursor(row=row, column=column)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- drawing: only the lines in view

    def render_lines(self, crop: Region) -> list[Strip]:
        # The styles once per drawing, not once a line.
        base = self.rich_style
        component = self.get_component_rich_style
        self._title_style = base + component("key-table--title")
        self._line_styles = (
            base + component("key-table--header"),
            base,
            base + component("key-table--even-row") if self._zebra else base,
            component("key-table--cursor"),
        )
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        header, odd, even, cursor = self._line_styles or (Style(), Style(), Style(), Style())
        if self.caption and y == 0:
            line = Strip([Segment(shown(self.caption), self._title_style)])
            return line.extend_cell_length(width, self._title_style).crop(0, width)
        if y == self._top - 1:
            style, cells = header, self._labels
        else:
            row = round(self.scroll_y) + y - self._top
            if row >= len(self._keys):
                return Strip.blank(width, odd)
            style = even if row % 2 == 0 else odd
            cells = self._cells[self._keys[row]]
            if row == self._cursor:
                if self._cell_cursor:
                    return self._cell_cursor_line(cells, style, style + cursor, width)
                style += cursor
        return self._line(cells, style, width)

    def _line(self, cells: Sequence[Cell], style: Style, width: int) -> Strip:
        """One line of cells in `style` (a Text cell's own style on top), scrolled and cut to `width`."""
        # Plain cells join into one segment; a styled (Text) cell brings its own.
        segments: list[Segment] = []
        texts: list[str] = []
        for cell, cell_width_ in zip(cells, self._column_widths()):
            # Cells are data: made printable here, as drawn (only the lines in view pay for it).
            if isinstance(cell, str):
                texts.append(f" {fit_text(shown(cell), cell_width_)} ")
                continue
            texts.append(" ")
            segments.append(Segment("".join(texts), style))
            texts = [" "]
            drawn = fit(plain(cell, multiline=False), cell_width_)
            segments.extend(Segment.apply_style(drawn.render(self.app.console), style))
        segments.append(Segment("".join(texts), style))
        return self._fitted_line(segments, style, width)

    def _cell_cursor_line(self, cells: Sequence[Cell], style: Style, at_cursor: Style, width: int) -> Strip:
        """The cursor's row with a cell cursor: only the cursor's cell (with its padding) in the cursor style."""
        segments: list[Segment] = []
        for column, (cell, cell_width_) in enumerate(zip(cells, self._column_widths())):
            cell_style = at_cursor if column == self._column else style
            if isinstance(cell, str):
                segments.append(Segment(f" {fit_text(shown(cell), cell_width_)} ", cell_style))
                continue
            segments.append(Segment(" ", cell_style))
            drawn = fit(plain(cell, multiline=False), cell_width_)
            segments.extend(Segment.apply_style(drawn.render(self.app.console), cell_style))
            segments.append(Segment(" ", cell_style))
        return self._fitted_line(segments, style, width)

    def _fitted_line(self, segments: list[Segment], style: Style, width: int) -> Strip:
        line = Strip(segments)
        scroll_x = round(self.scroll_x)
        if scroll_x:
            line = line.crop(scroll_x, scroll_x + width)
        if self._cell_cursor:
            style = self._faded(style)
        return line.extend_cell_length(width, style).crop(0, width)

    def _faded(self, style: Style) -> Style:
        """Beside the columns of a cell-cursor table, the row's background a quarter of the way to the
        widget's (as DataTable draws it: with a cell cursor no row is highlighted to the edge)."""
        if style.bgcolor is None:
            return Style.from_color(style.color, style.bgcolor)
        faded = Color.from_rich_color(style.bgcolor).blend(self.background_colors[1], factor=0.25)
        return Style.from_color(color=style.color, bgcolor=faded.rich_color)


__all__ = ["Cell", "KeyTable", "cell_width", "column_widths", "fit", "fit_text"]
