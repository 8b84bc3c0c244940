"""Reports (coordinators): the funders' figures for a week or a month, with bars and a heat map.

The same figures as `warmline report` (warmline.report): the period's hours, cover, backup,
goals, calls and needs met, people joining and leaving; bars of volunteer hours for the last
six periods up to it; calls by hour × weekday as a heat map. `[` and `]` move a period, `t`
goes to this one, `w` switches between weeks and months. Counts are exact: this screen is on
the line, not meant to leave it (the HTML page and the reporting copy protect small counts).
User text (need labels) is shown as Text made with text.safe, never as markup.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget

from warmline import report as reports
from warmline import text as safe_text
from warmline.clock import now
from warmline.recurrence import zone
from warmline.views.load import bar
from warmline.views.reports import ReportData, period_title, read_report, shade

from .base import WarmlineScreen
from .plain import Label, Static
from .widgets import KeysFooter, LineHeader

SHADES = (" ·", "░░", "▒▒", "▓▓", "██")


class CallHeatMap(Widget):
    """Calls by local hour (columns, two cells each) and weekday (rows), drawn with the line API's Text."""

    COMPONENT_CLASSES = {"call-heat-map--head"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.heat: tuple[tuple[int, ...], ...] = ()

    def show(self, heat: tuple[tuple[int, ...], ...]) -> None:
        if heat != self.heat:
            self.heat = heat
            self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        return 8

    def render(self) -> Text:
        head = self.get_component_rich_style("call-heat-map--head")
        out = Text(no_wrap=True, overflow="crop")
        out.append("    ", head)
        for h in range(0, 24, 3):
            out.append(f"{h:02d}    ", head)
        peak = max((v for row in self.heat for v in row), default=0)
        for d in range(7):
            out.append(f"\n{reports.WEEKDAYS[d][:3]} ", head)
            row = self.heat[d] if self.heat else (0,) * 24
            for value in row:
                out.append(SHADES[shade(value, peak)])
        if peak:
            out.append(f"\n    ░ few  ▒ some  ▓ many  █ busiest: {peak} call{'' if peak == 1 else 's'} an hour", head)
        else:
            out.append("\n    No calls logged in this period.", head)
        return out

    def get_content_width(self, container, viewport) -> int:
        return 4 + 48


def figure_lines(f: reports.Figures) -> Text:
    """The period's figures, one per line, in words."""
    share = reports.share_text
    lines = [
        ("Volunteer hours", f"{f.volunteer_hours:,.1f} h"),
        ("  as peers · as backup", f"{f.peer_hours:,.1f} h · {f.backup_hours:,.1f} h"),
        ("People who gave time", f"{f.volunteers}"),
        ("Shifts ended", f"{f.shifts} · {f.shift_hours:,.1f} h"),
        ("Peer seat-hours covered", f"{share(f.coverage_share)} of {f.seat_hours:,.1f}"),
        ("Hours with a backup", f"{share(f.backup_share)}"),
        ("Coverage goals met", f"{f.goals_met} of {f.goal_checks}" if f.goal_checks else "no goals applied"),
        ("Calls logged", f"{f.calls}"),
        ("Needs met on shift", f"{f.needs_met} of {f.needs_asked} ({share(f.needs_share)})"),
        ("Joined · left", f"{f.new_people} · {f.departed_people}"),
        ("Debriefs", "not recorded yet"),
    ]
    out = Text(no_wrap=True, overflow="ellipsis")
    for i, (name, value) in enumerate(lines):
        out.append(("\n" if i else "") + f"{name:<24}", "bold")
        out.append(value)
    return out


def trend_bars(trend: reports.Report, chosen: str, width: int = 12) -> Text:
    """Volunteer hours per period as bars, the chosen period marked."""
    widest = max((f.volunteer_hours for f in trend.periods), default=0.0)
    out = Text(no_wrap=True, overflow="crop")
    for i, f in enumerate(trend.periods):
        mark = "▸" if f.key == chosen else " "
        out.append(("\n" if i else "") + f"{mark}{f.key:<8} ", "bold" if f.key == chosen else "")
        out.append(f"{bar(f.volunteer_hours, widest, width):<{width}}")
        out.append(f" {f.volunteer_hours:,.0f} h")
    return out


def need_lines(period: reports.Report, limit: int = 6) -> Text:
    """The most asked-for needs: label (safe text), calls, met."""
    out = Text(no_wrap=True, overflow="ellipsis")
    if not period.needs:
        out.append("No needs logged\nin this period.")  # two short lines: the pane is 19 columns at 80
        return out
    out.append("calls  met  need", "bold")
    for n in period.needs[:limit]:
        out.append(f"\n{n.calls:>5} {n.met:>4}  ")
        out.append(safe_text.safe(n.label))  # plain text: a label is never read as markup
    if len(period.needs) > limit:
        out.append(f"\n… and {len(period.needs) - limit} more needs, fewer asked for")
    return out


class ReportsScreen(WarmlineScreen):
    """The funders' figures for one week or month; [ and ] move a period, t this one, w weeks/months."""

    CSS_PATH = "reports.tcss"

    BINDINGS = [
        Binding("left_square_bracket", "period(-1)", "Prev", key_display="[", tooltip="The period before", id="reports.prev_period"),
        Binding("right_square_bracket", "period(1)", "Next", key_display="]", tooltip="The period after", id="reports.next_period"),
        Binding("t", "this_period", "This", tooltip="Go to this week or month", show=False, id="reports.this_period"),
        Binding("w", "toggle_by", "Week/month", tooltip="Switch between weeks and months", id="reports.toggle_by"),
    ]

    def __init__(self) -> None:
        super().__init__(name="reports")
        self.first: date | None = None
        self.by = "month"
        self.data: ReportData | None = None
        self._asked = 0

    def compose(self) -> ComposeResult:
        yield LineHeader()
        yield Label("Loading the report…", id="reports-title", classes="section-title")
        with VerticalScroll(id="reports-body"):
            with Horizontal(id="reports-top"):
                yield Static("", id="reports-figures")
                yield Static("", id="reports-trend")
            with Horizontal(id="reports-bottom"):
                yield CallHeatMap(id="reports-heat")
                yield Static("", id="reports-needs")
        yield Static("", id="reports-message", classes="message")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#reports-body").focus()

    def reload(self) -> None:
        self._asked += 1
        asked = self._asked
        self.call_core(
            read_report, self.actor, self.first, self.by, done=lambda data: self._show(data, asked), group="reports"
        )

    def action_period(self, step: int) -> None:
        if self.first is None:
            return
        self.first, _ = reports.step_period(self.first, self.by, step)
        self.reload()

    def action_this_period(self) -> None:
        self.first = None
        self.reload()

    def action_toggle_by(self) -> None:
        old = self.by
        self.by = "week" if self.by == "month" else "month"
        if self.first is not None and self.data is not None and self.data.period is not None:
            today = now().astimezone(zone(self.data.period.tz)).date()
            first, last = reports.step_period(self.first, old, 0)
            if first <= today <= last:
                self.first = None  # this month → this week (and back): stay with today
        if self.first is not None:
            self.first, _ = reports.step_period(self.first if self.by == "week" else self.first.replace(day=1), self.by, 0)
        self.reload()

    def _show(self, data: ReportData, asked: int) -> None:
        if asked != self._asked:
            return  # an earlier ask answered late
        self.data, self.first = data, data.first
        title = self.query_one("#reports-title", Label)
        message = self.query_one("#reports-message", Static)
        if data.refusal is not None or data.period is None or data.trend is None:
            title.update("Reports")
            message.update(Text(data.refusal or "No report."))
            return
        p = data.period
        tz = zone(p.tz)
        title.update(Text(f"{period_title(data)} · shifts ended by {p.as_of.astimezone(tz):%d %b %H:%M}"))
        self.query_one("#reports-figures", Static).update(figure_lines(p.total))
        self.query_one("#reports-trend", Static).update(trend_bars(data.trend, p.periods[0].key if p.periods else ""))
        self.query_one("#reports-heat", CallHeatMap).show(p.heat)
        self.query_one("#reports-needs", Static).update(need_lines(p))
        message.update(Text("Exact counts, for the line. The funders' HTML report hides counts under 5."))


__all__ = ["CallHeatMap", "ReportsScreen"]
