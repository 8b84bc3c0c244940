"""Reports' read model: one week's or month's figures and the trend of periods up to it, as
`warmline report` builds them (warmline.report), or why the viewer may not see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from warmline import report as reports
from warmline.clock import now
from warmline.db import Database
from warmline.errors import Refused
from warmline.line import get as get_line
from warmline.model import Person
from warmline.recurrence import localize, zone

TREND = 6  # periods shown as bars, ending with the chosen one


@dataclass(frozen=True)
class ReportData:
    """One period's report, the trend of periods up to it, or why the viewer may not see them."""

    first: date
    by: str
    period: reports.Report | None
    trend: reports.Report | None
    refusal: str | None = None


def _utc(day: date, tz) -> datetime:
    return localize(datetime.combine(day, time(0)), tz)


def read_report(db: Database, viewer: Person, first: date | None, by: str) -> ReportData:
    """The report for the week or month starting `first` (this one when None) and the TREND up to it."""
    line = get_line(db.conn)
    tz = zone(line.tz)
    if first is None:
        first, _ = reports.this_period(now(), by, tz)
    first, last = reports.step_period(first, by, 0)
    try:
        period = reports.build(db.conn, viewer, _utc(first, tz), _utc(last + timedelta(days=1), tz), by)
        trend_first, _ = reports.step_period(first, by, -(TREND - 1))
        trend = reports.build(db.conn, viewer, _utc(trend_first, tz), _utc(last + timedelta(days=1), tz), by)
    except Refused as exc:
        return ReportData(first, by, None, None, str(exc))
    return ReportData(first, by, period, trend)


def shade(count: int, peak: int) -> int:
    """0 for no calls, else 1–4 by the count's share of the busiest cell."""
    if count <= 0 or peak <= 0:
        return 0
    return min(4, 1 + (count * 4 - 1) // peak)



def period_title(data: ReportData) -> str:
    """Report · November 2026, or Report · week 48 (23 Nov – 29 Nov 2026)."""
    if data.by == "month":
        return f"Report · {data.first:%B %Y}"
    last = data.first + timedelta(days=6)
    iso = data.first.isocalendar()
    return f"Report · week {iso[1]} ({data.first:%d %b} – {last:%d %b %Y})"
