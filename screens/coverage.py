"""Coverage (coordinators): a week's demand against who is on shift, as a needs × time heat map,
the gaps it leaves, and filling a gap in one step from the people the core suggests.

Demand is the anonymous call log averaged into a typical week (warmline.coverage.demand);
"covered" means someone on shift in that hour offers the need (or speaks the language).
The heat map reads without colour: a glyph for how much demand, a mark where it is not covered.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget

from warmline import rota
from warmline.clock import now
from warmline.coverage import Gap
from warmline.recurrence import zone
from warmline.views import words
from warmline.views.coverage import (
    BANDS,
    FILLERS,
    GLYPHS,
    HIGH,
    LOW,
    PARTLY,
    UNCOVERED,
    CoverageData,
    HeatRow,
    gap_key,
    gap_what,
    load_coverage,
    why_not,
)

from .base import WarmlineScreen
from .dialogs import strip_cli_hint
from .plain import Label, Static, shown
from .table import KeyTable
from .widgets import KeysFooter, LineHeader, Ordered

# ---------------------------------------------------------------- the heat map widget


class HeatMap(Widget):
    """Needs (rows) × 7 days of 4 bands (columns); each cell is a demand glyph and a cover mark.

    "█✗" is high demand nobody on shift offers; "▒½" some demand, partly covered; "░ " low
    demand, covered; "· " none. Colour only repeats what the marks say.
    """

    COMPONENT_CLASSES = {"heat-map--head", "heat-map--today", "heat-map--gap", "heat-map--part", "heat-map--none"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: tuple[HeatRow, ...] = ()
        self.monday: date | None = None
        self.today: date | None = None

    def show(self, rows: tuple[HeatRow, ...], monday: date, today: date) -> None:
        """Show these rows for the week starting `monday`."""
        if (rows, monday, today) == (self.rows, self.monday, self.today):
            return
        self.rows, self.monday, self.today = rows, monday, today
        self.refresh(layout=True)

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return 2 + max(1, len(self.rows))

    def render(self) -> Text:
        width = max(40, self.content_size.width or 80)
        day_width = len(BANDS) * 2
        label_width = max(8, min(26, width - 7 * (day_width + 1)))
        style = self.get_component_rich_style
        head, today_style = style("heat-map--head"), style("heat-map--today")
        text = Text(no_wrap=True, overflow="crop")
        text.append(" " * label_width, head)
        for d in range(7):
            day = self.monday + timedelta(days=d) if self.monday else None
            name = f"{words.WEEKDAY_NAMES[d]} {day.day}" if day else words.WEEKDAY_NAMES[d]
            text.append("│", head)
            text.append(name.ljust(day_width)[:day_width], today_style if day == self.today else head)
        text.append("\n" + "need".ljust(label_width), head)
        for _d in range(7):
            text.append("│", head)
            text.append("".join(f"{letter} " for _first, letter, _name in BANDS), head)
        if not self.rows:
            text.append("\n" + "No calls logged yet, so there is no demand to show.", style("heat-map--none"))
            return text
        gap, part, none = style("heat-map--gap"), style("heat-map--part"), style("heat-map--none")
        for row in self.rows:
            text.append("\n" + words.fit(shown(row.label), label_width - 1).ljust(label_width))  # a tag label: data
            for d in range(7):
                text.append("│", head)
                for cell in row.cells[d * len(BANDS) : (d + 1) * len(BANDS)]:
                    if cell.level == 0:
                        text.append(cell.glyph + " ", none)
                    elif cell.mark == UNCOVERED:
                        text.append(cell.glyph + cell.mark, gap)
                    elif cell.mark == PARTLY:
                        text.append(cell.glyph + cell.mark, part)
                    else:
                        text.append(cell.glyph + " ")
        return text


LEGEND = (
    f"{GLYPHS[0]} none {GLYPHS[1]} <{LOW:g} {GLYPHS[2]} <{HIGH:g} {GLYPHS[3]} {HIGH:g}+ calls/week · "
    f"{UNCOVERED} not covered · {PARTLY} partly · "
    + " ".join(f"{letter} {name.split()[1]}" for _f, letter, name in BANDS)
)


# ---------------------------------------------------------------- the screen


class CoverageScreen(WarmlineScreen):
    """One week: demand × cover heat map, the gaps, and Enter on a suggested person to fill a gap."""

    CSS_PATH = "match.tcss"

    BINDINGS = [
        Binding("left_square_bracket", "week(-1)", "Prev", key_display="[", tooltip="Previous week", id="coverage.prev_week"),
        Binding("right_square_bracket", "week(1)", "Next", key_display="]", tooltip="Next week", id="coverage.next_week"),
        Binding("t", "this_week", "This week", tooltip="Go to this week", show=False, id="coverage.this_week"),
        Binding("enter", "fill", "Fill gap", tooltip="Put the person under the cursor on the gap's shift", id="coverage.fill"),
        Binding("a", "autofill", "Auto-fill", tooltip="Auto-fill this week", show=False, id="coverage.autofill"),
    ]

    def __init__(self) -> None:
        super().__init__(name="coverage")
        self.monday: date | None = None
        self.data: CoverageData | None = None
        self.gaps: dict[str, Gap] = {}
        self._placed_cursor = False
        self._asked = 0  # answers to earlier asks are dropped (rather than cancelling their workers)


    def compose(self) -> ComposeResult:
        yield LineHeader()
        with Vertical(id="coverage-body"):
            with Horizontal(id="coverage-bar"):
                yield Label("Loading coverage…", id="coverage-title")
                yield Label("", id="coverage-summary")
            yield Static("", id="coverage-refusal", classes="calm-refusal")
            with VerticalScroll(id="heat-scroll"):
                yield HeatMap(id="heat-map")
            yield Static(LEGEND, id="heat-legend")
            fillers = [("Could fill" if i == 0 else "", f"f{i}") for i in range(FILLERS)]
            yield KeyTable((("When", "when"), ("Need", "need"), ("Gap", "gap"), *fillers), cursor="cell", id="gaps")
            yield Static("", id="gap-detail")
            yield Static("", id="coverage-message", classes="message")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#coverage-refusal").display = False
        self.query_one("#gaps", KeyTable).focus()

    def reload(self) -> None:
        self._asked += 1
        asked = self._asked
        self.call_core(
            load_coverage, self.actor, self.monday, done=lambda data: self._show(data, asked), group="coverage"
        )

    # -- showing

    def _show(self, data: CoverageData, asked: int | None = None) -> None:
        if (asked is not None and asked != self._asked) or (self.monday is not None and data.monday != self.monday):
            return  # an earlier ask (another week, or an older reading) answered late
        self.data = data
        self.monday = data.monday
        refusal = self.query_one("#coverage-refusal", Static)
        self._title(data)
        if data.refusal is not None or data.report is None:
            refusal.update(
                f"{data.refusal or 'Coverage is not available'}.\n"
                "Coordinators see demand, coverage and gaps here; the rota is on r."
            )
            refusal.display = True
            for widget in ("#heat-scroll", "#heat-legend", "#gaps", "#gap-detail"):
                self.query_one(widget).display = False
            return
        refusal.display = False
        for widget in ("#heat-scroll", "#heat-legend", "#gaps", "#gap-detail"):
            self.query_one(widget).display = True
        self.query_one(HeatMap).show(data.rows, data.monday, data.today)
        tz = zone(data.tz)
        # The gaps someone could fill now come first, each group in time order.
        gaps = sorted(data.report.gaps, key=lambda g: not g.fillers)
        self.gaps = {gap_key(g): g for g in gaps}
        rows = []
        for i, g in enumerate(gaps):
            start, end = g.start.astimezone(tz), g.end.astimezone(tz)
            fill: list[Any] = [h for h in (Text(f.handle) for f in g.fillers)]
            if not g.fillers:
                fill.append(Text(why_not(g, data.moment), style="dim"))
            fill += [""] * (FILLERS - len(fill))
            rows.append(
                (
                    gap_key(g),
                    [
                        Ordered(f"{words.WEEKDAY_NAMES[start.weekday()]} {start.day} {start:%H}–{end:%H}", i),
                        g.label,
                        Text(gap_what(g), style="bold" if g.kind == "goal" else ""),
                        *fill[:FILLERS],
                    ],
                )
            )
        table = self.query_one("#gaps", KeyTable)
        table.set_rows(rows)
        if not self._placed_cursor and table.row_count:
            self._placed_cursor = True  # a new week starts on the first suggestion of the first gap
            table.move_cursor(row=0, column=3, animate=False)
        self._detail()

    def _title(self, data: CoverageData) -> None:
        sunday = data.monday + timedelta(days=6)
        relative = words.week_relative(data.monday, data.today)
        relative = f" · {relative}" if relative else ""
        first = words.day(data.monday)
        if data.monday.month == sunday.month:
            first = first.rsplit(" ", 1)[0]  # "Mon 23 – Sun 29 Nov 2026": room for the summary
        self.query_one("#coverage-title", Label).update(f"{first} – {words.day(sunday)} {sunday.year}{relative}")
        summary = Text()
        report = data.report
        if report is not None:
            summary.append(f"{len(report.shifts)} shifts · ")
            if report.score is None:
                summary.append("no calls logged")
            else:
                summary.append(f"covered {report.score:.0%}")
            checks = [g for s in report.shifts for g in s.goals]
            if checks:
                summary.append(f" · goals {sum(g.met for g in checks)}/{len(checks)}")
            fillable = sum(1 for g in report.gaps if g.fillers)
            summary.append(" · ")
            count = len(report.gaps)
            summary.append(f"{count} gap{'' if count == 1 else 's'}", style="bold" if count else "")
            if fillable:
                summary.append(f", {fillable} fillable")
        self.query_one("#coverage-summary", Label).update(summary)

    def _cursor(self) -> tuple[Gap | None, int | None]:
        """The gap under the cursor and, when the cursor is on a suggested person, their index."""
        table = self.query_one("#gaps", KeyTable)
        if not table.row_count:
            return None, None
        g = self.gaps.get(table.cursor_key or "")
        column = table.cursor_column or ""
        if g is None or not column.startswith("f"):
            return g, None
        index = int(column[1:])
        return g, index if index < len(g.fillers) else None

    def _role(self, g: Gap) -> str | None:
        peer, backup = self.data.open_seats.get(g.shift_id, (0, 0)) if self.data else (0, 0)
        return "peer" if peer else "backup" if backup else None

    @on(KeyTable.RowHighlighted, "#gaps")
    def _detail(self) -> None:
        detail = self.query_one("#gap-detail", Static)
        g, index = self._cursor()
        if g is None or self.data is None:
            detail.update("No gaps ahead this week." if self.data and self.data.report else "")
            return
        tz = zone(self.data.tz)
        text = Text()
        text.append(words.between(g.start, g.end, tz), style="bold")
        if g.kind == "goal":
            text.append(f" · {g.label}: {g.have} of {g.need} wanted (goal {g.goal_id})")
        else:
            text.append(f" · {g.label}: ~{g.expected:.1f} calls expected, nobody on shift offers it")
        if index is not None:
            f = g.fillers[index]
            role = self._role(g) or "peer"
            load = f"{f.shifts_in_range} shift{'' if f.shifts_in_range == 1 else 's'} this week"
            text.append(f" · Enter: put {f.handle} ({f.name}, {load}) on it as {role}")
        elif g.fillers:
            text.append(" · ←/→ pick who, Enter fills it")
        else:
            text.append(f" · {why_not(g, self.data.moment)}", style="dim")
        detail.update(text)

    def say(self, message: str, *, error: bool = False) -> None:
        widget = self.query_one("#coverage-message", Static)
        widget.update(message)
        widget.set_classes("message -error" if error else "message -ok")

    # -- actions

    def action_week(self, step: int) -> None:
        if self.monday is None:
            return
        self.monday += timedelta(days=7 * step)
        self._placed_cursor = False
        self.say("")
        self.reload()

    def action_autofill(self) -> None:
        """Auto-fill's form on the week shown (screens/autofill.py; Coverage is for coordinators only)."""
        from .autofill import open_on

        if self.monday is not None:
            open_on(self.app, self.monday, self.monday + timedelta(days=6))

    def action_this_week(self) -> None:
        if self.data is None:
            return
        self.monday = self.data.today - timedelta(days=self.data.today.weekday())
        self._placed_cursor = False
        self.reload()

    @on(KeyTable.RowSelected, "#gaps")
    def _selected(self, event: KeyTable.RowSelected) -> None:
        event.stop()
        self.action_fill()

    def action_fill(self) -> None:
        """Put the suggested person under the cursor on the gap's shift (rota.assign); refusals show inline."""
        g, index = self._cursor()
        if g is None:
            return
        table = self.query_one("#gaps", KeyTable)
        if index is None:
            if g.fillers:
                table.move_cursor(column=3, animate=False)  # onto the first suggestion: Enter again fills
                self.say(f"Pick who fills it (←/→), then Enter: {', '.join(f.handle for f in g.fillers)}.")
            else:
                self.say(f"Nobody can fill this gap from here: {why_not(g, now())}.", error=True)
            return
        f = g.fillers[index]
        role = self._role(g) or "peer"  # no free seat: the core says so
        when = words.day(g.start.astimezone(zone(self.data.tz))) if self.data else ""

        def done(a: Any) -> None:
            self.say(f"{a.handle} is on {when} {g.start.astimezone(zone(self.data.tz)):%H:%M} as {a.role}: "
                     f"{g.label} covered. Thank you.")
            self.app.notify(f"{a.handle} is on the shift.")
            self.reload()

        self.call_core(
            rota.assign,
            self.actor,
            g.shift_id,
            f.handle,
            role=role,
            done=done,
            failed=lambda m: self.say(strip_cli_hint(m), error=True),
        )


__all__ = ["CoverageScreen", "HeatMap"]
