"""The Rota's week grid: seven days drawn by one line-API widget, with the cursor and states it draws itself.

One widget instead of a column of widgets per day and a widget per shift: changing week
replaces the data and costs one refresh, with no mounting, removing or restyling.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, timedelta

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from warmline.model import ShiftView
from warmline.views import words

from .plain import shown

BAR = "▌"  # Textual's "outer" left border
CURSOR_BAR = "║"  # Textual's "double" left border
DIVIDER = "│"

# A line of a shift block: its text and what it says (which picks its style).
#   time, peer, mine (the viewer), open (empty seats, cover asked), alert (no backup), dim (cancelled)
Line = tuple[str, str]


def block_states(view: ShiftView, me_id: int | None) -> set[str]:
    """What a shift block shows in colour (and, always, in words): open, nobackup, cover, cancelled, mine."""
    scheduled = view.shift.status == "scheduled"
    wanted = {
        "cancelled": not scheduled,
        "open": scheduled and view.open_seats > 0,
        "nobackup": words.no_backup(view),
        "cover": scheduled and bool(view.cover),
        "mine": me_id is not None and any(a.person_id == me_id for a in (*view.peers, *view.backups)),
    }
    return {name for name, on in wanted.items() if on}


def block_lines(view: ShiftView, me_id: int | None, width: int) -> list[Line]:
    """A shift block's lines at `width` cells: time, peers, what is missing, backup. Reads without colour."""
    fit = words.fit
    lines: list[Line] = [(fit(words.span(view, compact=width < 11), width), "time")]
    if view.shift.status != "scheduled":
        lines.append((fit(words.CANCELLED, width), "dim"))
        return lines
    for a in view.peers:
        lines.append((fit("you", width), "mine") if a.person_id == me_id else (fit(shown(a.handle), width), "peer"))
    if view.open_seats:
        lines.append((fit(words.open_text(view), width), "open"))
    if view.cover:
        lines.append((fit("COVER ASKED" if width >= 11 else "COVER?", width), "open"))
    if view.backups:
        for a in view.backups:
            name = "you" if a.person_id == me_id else shown(a.handle)
            prefix = "backup " if width >= 8 + len(name) else "bk "
            lines.append((fit(prefix + name, width), "mine" if name == "you" else "peer"))
    else:
        lines.append((fit(words.NO_BACKUP, width), "alert"))
    return lines


def block_height(view: ShiftView) -> int:
    """How many lines block_lines gives (the same at every width)."""
    if view.shift.status != "scheduled":
        return 2
    return 1 + len(view.peers) + bool(view.open_seats) + bool(view.cover) + max(1, len(view.backups))


class WeekGrid(Widget, can_focus=True):
    """Seven day columns, Monday to Sunday in the line's zone. Arrows move between shifts.

    Each day scrolls on its own (the cursor's day so that the cursor stays visible; the mouse
    wheel scrolls the day under it).
    """

    BINDINGS = [
        Binding("up", "move(0, -1)", "Up", show=False, id="week.up"),
        Binding("down", "move(0, 1)", "Down", show=False, id="week.down"),
        Binding("left", "move(-1, 0)", "Left", show=False, id="week.left"),
        Binding("right", "move(1, 0)", "Right", show=False, id="week.right"),
        Binding("enter", "open", "Open shift", show=False, id="week.open_shift"),
    ]

    COMPONENT_CLASSES = {
        "week-grid--divider",
        "week-grid--head",
        "week-grid--today",
        "week-grid--head-cursor",
        "week-grid--empty",
        "week-grid--block",
        "week-grid--block-mine",
        "week-grid--cursor",
        "week-grid--cancelled",
        "week-grid--bar",
        "week-grid--bar-open",
        "week-grid--bar-nobackup",
        "week-grid--bar-cancelled",
        "week-grid--bar-cursor",
        "week-grid--time",
        "week-grid--open",
        "week-grid--alert",
        "week-grid--mine",
        "week-grid--dim",
        "week-grid--cursor-mark",
    }

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
        self.today: date | None = None
        self.me_id: int | None = None
        self.cursor_day = 0
        self.cursor_index = 0
        self._days: list[list[ShiftView]] = [[] for _ in range(7)]
        self._starts: list[list[int]] = [[] for _ in range(7)]  # each block's first line in its day
        self._tops: list[int] = [0] * 7  # each day's scroll offset, in lines
        self._states: list[list[set[str]]] = [[] for _ in range(7)]  # block_states of each shift
        self._widths: tuple[int, list[int]] = (-1, [])  # (widget width, each day's width)
        self._styles: dict[tuple[str, ...], Style] = {}
        # (day, index, width, has the cursor) -> that block's lines, drawn
        self._drawn: dict[tuple[int, int, int, bool], list[list[Segment]]] = {}

    # -- what is shown

    @property
    def days(self) -> list[list[ShiftView]]:
        """The week's shifts, one list per day (Monday first), in time order."""
        return self._days

    @property
    def selected_view(self) -> ShiftView | None:
        views = self._days[self.cursor_day]
        return views[self.cursor_index] if 0 <= self.cursor_index < len(views) else None

    @property
    def selected_day(self) -> date | None:
        return self.monday + timedelta(days=self.cursor_day) if self.monday else None

    def block_text(self, day: int, index: int) -> str:
        """The words of one shift block as drawn now (0 = Monday), one line per line."""
        width = self._text_width(self._column_widths()[day])
        return "\n".join(text for text, _ in block_lines(self._days[day][index], self.me_id, width))

    def show_week(self, monday: date, days: list[list[ShiftView]], today: date, me_id: int | None) -> None:
        """Show a week; the cursor keeps its shift when it is still there."""
        keep = self.selected_view.shift.id if self.selected_view else None
        week_changed = monday != self.monday
        self.monday, self.today, self.me_id = monday, today, me_id
        self._days = [list(views) for views in days]
        self._starts = []
        for views in self._days:
            starts, line = [], 0
            for view in views:
                starts.append(line)
                line += block_height(view) + 1  # a blank line between blocks
            self._starts.append(starts)
        self._states = [[block_states(view, me_id) for view in views] for views in self._days]
        self._drawn.clear()
        found = self._find(keep) if keep is not None else None
        if found is not None:
            self.cursor_day, self.cursor_index = found
        elif week_changed and monday <= today < monday + timedelta(days=7):
            self.cursor_day, self.cursor_index = (today - monday).days, 0
        if week_changed:
            self._tops = [0] * 7
        self._clamp()
        self._moved()

    def _find(self, shift_id: int) -> tuple[int, int] | None:
        for d, views in enumerate(self._days):
            for i, view in enumerate(views):
                if view.shift.id == shift_id:
                    return d, i
        return None

    def _clamp(self) -> None:
        self.cursor_day = max(0, min(6, self.cursor_day))
        count = len(self._days[self.cursor_day])
        self.cursor_index = max(0, min(self.cursor_index, count - 1)) if count else 0

    def _moved(self) -> None:
        """Scroll the cursor's day so the cursor shows, redraw, and say where the cursor is."""
        self._reveal()
        self.refresh()
        self.post_message(self.CursorMoved(self.selected_view, self.selected_day))

    # -- cursor

    def select_shift(self, shift_id: int) -> bool:
        """Put the cursor on this shift if it is in the week shown."""
        found = self._find(shift_id)
        if found is None:
            return False
        self.cursor_day, self.cursor_index = found
        self._moved()
        return True

    def select_day(self, day: date) -> None:
        """Put the cursor on the first shift of this day (which must be in the week shown)."""
        if self.monday and 0 <= (day - self.monday).days < 7:
            self.cursor_day, self.cursor_index = (day - self.monday).days, 0
            self._clamp()
            self._moved()

    def action_move(self, dx: int, dy: int) -> None:
        if dy:
            self.cursor_index += dy
        if dx:
            here = self.selected_view
            self.cursor_day = max(0, min(6, self.cursor_day + dx))
            self.cursor_index = self._nearest(here)
        self._clamp()
        self._moved()

    def _nearest(self, here: ShiftView | None) -> int:
        """The shift in the cursor's day that starts closest in the day to `here`."""
        views = self._days[self.cursor_day]
        if not views or here is None:
            return 0
        minutes = here.shift.start_local.hour * 60 + here.shift.start_local.minute
        return min(
            range(len(views)),
            key=lambda i: abs(views[i].shift.start_local.hour * 60 + views[i].shift.start_local.minute - minutes),
        )

    def action_open(self) -> None:
        view = self.selected_view
        if view is not None:
            self.post_message(self.ShiftSelected(view.shift.id))

    # -- scrolling each day

    @property
    def _body_height(self) -> int:
        return max(1, self.size.height - 1)  # the first line is the days' headings

    def _day_length(self, day: int) -> int:
        starts = self._starts[day]
        return starts[-1] + block_height(self._days[day][-1]) if starts else 0

    def _scroll_day(self, day: int, top: int) -> None:
        self._tops[day] = max(0, min(top, self._day_length(day) - self._body_height))

    def _reveal(self) -> None:
        """Scroll the cursor's day so the whole of the cursor's block shows (its top when it is too tall)."""
        d, i = self.cursor_day, self.cursor_index
        if not self._days[d] or not self.size.height:
            return
        start = self._starts[d][i]
        end = start + block_height(self._days[d][i])
        top, height = self._tops[d], self._body_height
        if start < top:
            top = start
        elif end > top + height:
            top = min(start, end - height)
        self._scroll_day(d, top)

    def on_resize(self) -> None:
        self._drawn.clear()
        for d in range(7):
            self._scroll_day(d, self._tops[d])
        self._reveal()

    def on_focus(self) -> None:
        self._forget_drawing()
        self.refresh()

    def on_blur(self) -> None:
        self._forget_drawing()
        self.refresh()

    def notify_style_update(self) -> None:
        self._forget_drawing()
        super().notify_style_update()

    def _day_at(self, x: int) -> int | None:
        left = 0
        for d, width in enumerate(self._column_widths()):
            if x < left + width + (d < 6):
                return d
            left += width + 1
        return None

    def _block_at(self, day: int, y: int) -> int | None:
        """The block drawn at line y of the widget in this day, if any."""
        line = y - 1 + self._tops[day]
        if y < 1 or not self._days[day]:
            return None
        i = bisect_right(self._starts[day], line) - 1
        if i >= 0 and line < self._starts[day][i] + block_height(self._days[day][i]):
            return i
        return None

    def on_click(self, event: events.Click) -> None:
        day = self._day_at(event.x)
        if day is None:
            return
        index = self._block_at(day, event.y)
        if index is not None:
            self.cursor_day, self.cursor_index = day, index
            self._moved()
        self.focus()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._wheel(event, 2)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._wheel(event, -2)

    def _wheel(self, event: events.MouseEvent, lines: int) -> None:
        day = self._day_at(event.x)
        if day is not None:
            event.stop()
            self._scroll_day(day, self._tops[day] + lines)
            self.refresh()

    # -- drawing

    def _column_widths(self) -> list[int]:
        """Each day's width without its divider: seven equal shares of the width, dividers between."""
        total = self.size.width
        if self._widths[0] != total:
            edges = [round(total * d / 7) for d in range(8)]
            self._widths = (total, [edges[d + 1] - edges[d] - (d < 6) for d in range(7)])
        return self._widths[1]

    @staticmethod
    def _text_width(column: int) -> int:
        return max(4, column - 2)  # the bar and a space come first

    def _forget_drawing(self) -> None:
        """Drop what was drawn (after new data, a new size, focus or styles); the next refresh redraws."""
        self._styles.clear()
        self._drawn.clear()

    def _style(self, *names: str) -> Style:
        """The component styles `names` laid over each other in order on the grid's background.

        (Textual's get_component_rich_style with several names keeps only the last one's colours.)
        """
        style = self._styles.get(names)
        if style is None:
            # The colours the grid really shows (inherited, `auto` resolved): styles.color is only the
            # grid's own rule, white by default, which read as white on grey in a light theme.
            _, _, background, color = self.colors
            text_style = Style()
            for name in names:
                part = self.get_component_styles(name)
                if part.has_rule("background"):
                    background += part.background
                if part.has_rule("color"):
                    color = part.color
                    if part.auto_color:  # `auto` ($text-muted...): the theme's readable text on this background
                        color = background.get_contrast_text(color.a)
                text_style += part.text_style
            style = text_style + Style.from_color((background + color).rich_color, background.rich_color)
            self._styles[names] = style
        return style

    def render_line(self, y: int) -> Strip:
        widths = self._column_widths()
        divider = Segment(DIVIDER, self._style("week-grid--divider"))
        segments: list[Segment] = []
        for d, width in enumerate(widths):
            if width > 0:
                segments.extend(self._head(d, width) if y == 0 else self._body(d, y - 1 + self._tops[d], width))
            if d < 6:
                segments.append(divider)
        return Strip(segments, self.size.width)

    def _head(self, day: int, width: int) -> list[Segment]:
        if self.monday is None:
            return [Segment(" " * width, self._style())]
        moment = self.monday + timedelta(days=day)
        today = moment == self.today
        text = f"{words.WEEKDAY_NAMES[moment.weekday()]} {moment.day}{' •' if today else ''}"[:width]
        names = ("week-grid--head", "week-grid--today") if today else ("week-grid--head",)
        base = self._style(*names)
        marked = self._style(*names, "week-grid--head-cursor") if day == self.cursor_day else base
        left = (width - len(text)) // 2
        return [Segment(" " * left, base), Segment(text, marked), Segment(" " * (width - left - len(text)), base)]

    def _body(self, day: int, line: int, width: int) -> list[Segment]:
        starts = self._starts[day]
        if starts:
            index = bisect_right(starts, line) - 1
            if index >= 0:
                drawn = self._drawn_block(day, index, width)
                row = line - starts[index]
                if row < len(drawn):
                    return drawn[row]
        elif line == 0 and self.monday is not None:
            empty = Segment(" no shifts", self._style("week-grid--empty"))
            return Segment.adjust_line_length([empty], width, self._style())
        return [Segment(" " * width, self._style())]  # the gap after a block, or below the last

    def _drawn_block(self, day: int, index: int, width: int) -> list[list[Segment]]:
        """One block's lines as segments, `width` cells wide (kept until the block or the cursor changes)."""
        cursor = day == self.cursor_day and index == self.cursor_index
        key = (day, index, width, cursor)
        drawn = self._drawn.get(key)
        if drawn is not None:
            return drawn
        states = self._states[day][index]
        if cursor:
            background, bar = "week-grid--cursor", "week-grid--bar-cursor"
        else:
            background = "week-grid--block-mine" if "mine" in states else "week-grid--block"
            bar = next(
                (f"week-grid--bar-{s}" for s in ("cancelled", "nobackup", "open") if s in states), "week-grid--bar"
            )
        base = ("week-grid--cancelled", background) if "cancelled" in states else (background,)
        style = self._style
        fill = style(*base)
        lead = [Segment(CURSOR_BAR if cursor else BAR, style(*base, bar)), Segment(" ", fill)]
        drawn = []
        for text, kind in block_lines(self._days[day][index], self.me_id, self._text_width(width)):
            if kind == "peer":
                text_style = fill
            elif cursor and kind in ("open", "alert", "mine"):
                text_style = style(*base, f"week-grid--{kind}", "week-grid--cursor-mark")
            else:
                text_style = style(*base, f"week-grid--{kind}")
            pad = width - 2 - cell_len(text)
            if pad >= 0:
                drawn.append([*lead, Segment(text, text_style), Segment(" " * pad, fill)])
            else:  # narrower than the bar and a space
                drawn.append(Segment.adjust_line_length([*lead, Segment(text, text_style)], width, fill))
        self._drawn[key] = drawn
        return drawn


def week_days(views: Iterable[ShiftView], monday: date) -> list[list[ShiftView]]:
    """Split a week's shifts into seven local days (by local start date)."""
    days: list[list[ShiftView]] = [[] for _ in range(7)]
    for v in views:
        offset = (v.shift.start_local.date() - monday).days
        if 0 <= offset < 7:
            days[offset].append(v)
    return days
