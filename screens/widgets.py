"""Widgets shared by the screens: the line header, the footer, and the Ordered table cell (tables are
KeyTables, screens/table.py; the week grid is in week.py)."""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from warmline.recurrence import zone
from warmline.views import words

from .plain import shown

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
        name = shown(line.name) if line else "warmline"  # from the file: printable, whatever it holds
        who = f"{shown(actor.handle)} · {actor.role}" if actor else "not signed in"
        if line is not None and clock is not None:
            local = clock().astimezone(zone(line.tz))
            stamp = f"{words.day(local)} {local:%H:%M} {local.tzname()}"
        else:
            stamp = ""
        escalation = shown(line.escalation, multiline=True) if line else ""
        drawn = (self.name_text, self.who_text, self.clock_text, self.escalation_text)
        if drawn == (name, who, stamp, escalation):
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
        self.ranks: tuple[int, ...] = ()  # per key: which go first when 80 columns cannot hold them all
        self.palette: tuple[str, str, str, bool] | None = None
        self.spans: list[tuple[str, int, int]] = []  # (key, first column, column after), as last drawn

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)  # then again whenever the bindings change (focus, data)

    def _bindings_changed(self, screen: Any) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        app = self.app
        active = screen.active_bindings
        keys: dict[str, tuple[str, str, str, bool]] = {}  # one entry per action, as Textual's Footer
        ranks: dict[str, int] = {}
        for _, binding, enabled, _tooltip in active.values():
            if binding.show and binding.action not in keys:
                keys[binding.action] = (binding.key, app.get_key_display(binding), binding.description, enabled)
                ranks[binding.action] = _rank(binding.id, enabled)
        palette = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _, binding, enabled, _tooltip = active[app.COMMAND_PALETTE_BINDING]
            palette = (binding.key, app.get_key_display(binding), binding.description, enabled)
        shown = tuple(keys.values())
        if (shown, palette) != (self.keys, self.palette):
            self.keys, self.palette, self.ranks = shown, palette, tuple(ranks.values())
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

    def _palette_text(self, compact: bool) -> Text:
        """The command palette's key, kept at the right edge after a separator."""
        assert self.palette is not None
        right = Text("▏", self.get_component_rich_style("keys-footer--separator"), no_wrap=True)
        right.append_text(self._key_text(self.palette, compact))
        return right

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
        parts = [self._key_text(key, compact) for key in self.keys]
        room = width - (self._palette_text(compact).cell_len if self.palette is not None else 0)
        # Too many for the width: leave out whole keys, never half a word ("q Quit h▏"): first the greyed
        # ones, then the keys that switch screens, the last first. The screen's own keys, Help and Quit stay;
        # ? lists every key.
        widths = [part.cell_len + (1 if compact else 0) for part in parts]
        total = sum(widths)
        left_out: set[int] = set()
        for index in sorted((i for i, r in enumerate(self.ranks) if r >= 2), key=lambda i: (-self.ranks[i], -i)):
            if total <= room:
                break
            left_out.add(index)
            total -= widths[index]
        for index, (key, part) in enumerate(zip(self.keys, parts)):
            if index in left_out:
                continue
            spans.append((key[0], line.cell_len, line.cell_len + part.cell_len))
            line.append_text(part)
            line.append(" " if compact else "")
        if self.palette is not None:
            right = self._palette_text(compact)
            line.truncate(max(0, room), pad=True)
            spans = [s for s in spans if s[2] <= room]
            spans.append((self.palette[0], room + 1, width))
            line.append_text(right)
        self.spans = spans
        return line


def _rank(binding_id: str | None, enabled: bool) -> int:
    """Which keys the footer leaves out first when the width cannot hold them all (highest first)."""
    if not enabled:
        return 3  # greyed: nothing to do with it here and now
    if binding_id is not None and binding_id.startswith("app.") and binding_id not in ("app.help", "app.quit"):
        return 2  # switching screens (? lists them, and the palette opens them)
    return 0


# ---------------------------------------------------------------- table cells


class Ordered(Text):
    """A table cell that also carries its row's sort position (e.g. a shift's start)."""

    def __init__(self, text: str, order: Any, style: str = "") -> None:
        super().__init__(shown(text), style=style)  # often a name: printable, whatever it holds
        self.order = order

