"""The funders' report as one self-contained HTML page: inline CSS and SVG, no script, nothing fetched.

The page is meant to leave the line, so every count of calls or of people goes through
`report.protect` (1–4 become "<5"), and the heat map colours a small cell like every other
small cell (a shade must not tell what the number hides). It names nobody: no per-person
hours. Every piece of user text (the line's name, need labels) is `html.escape(text.safe(...))`.
"""

from __future__ import annotations

import html
from datetime import timedelta
from pathlib import Path

from . import text
from .report import SMALL, WEEKDAYS, Figures, Report, protect, share_text

CSS = """
:root { --ink: #1d2a33; --muted: #5b6770; --rule: #c9d1d6; --bar: #2f6f8f; --backup: #c2692d; --paper: #ffffff; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 60rem; padding: 1.5rem; color: var(--ink); background: var(--paper);
       font: 11pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 .5rem; border-bottom: 1px solid var(--rule); padding-bottom: .2rem; }
p.lead { color: var(--muted); margin: 0 0 1rem; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: .6rem; }
.card { border: 1px solid var(--rule); border-radius: 6px; padding: .55rem .7rem; }
.card b { display: block; font-size: 1.45rem; }
.card span { color: var(--muted); font-size: .85rem; }
figure { margin: 0; break-inside: avoid; }
figcaption { color: var(--muted); font-size: .85rem; margin-top: .2rem; }
svg { width: 100%; height: auto; display: block; }
svg text { font: 9px system-ui, sans-serif; fill: var(--ink); }
table { border-collapse: collapse; width: 100%; font-size: .9rem; break-inside: auto; }
th, td { text-align: right; padding: .25rem .45rem; border-bottom: 1px solid var(--rule); }
th:first-child, td:first-child { text-align: left; }
table.needs td:nth-child(2), table.needs th:nth-child(2) { text-align: left; }
thead th { border-bottom: 2px solid var(--ink); }
.note { color: var(--muted); font-size: .85rem; }
.legend span { display: inline-block; width: .9rem; height: .9rem; vertical-align: middle; margin: 0 .25rem 0 .6rem;
               border: 1px solid var(--rule); }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  .cards { grid-template-columns: repeat(4, 1fr); }
  h2 { break-after: avoid; }
  section { break-inside: avoid; }
  table.periods { break-inside: auto; }
  tr { break-inside: avoid; }
}
"""

# Heat-map shades: 0, then "<5" (one shade for 1–4), then four steps of the larger counts.
SHADES = ("#ffffff", "#e3eef3", "#b9d5e2", "#86b6cc", "#4f8fae", "#245d78")


def _e(value: object) -> str:
    return html.escape(text.safe(value), quote=True)


def _n(count: int) -> str:
    return _e(protect(count))


def _hours(h: float) -> str:
    return f"{h:,.0f}" if h >= 100 else f"{h:,.1f}"


def _bars(periods: tuple[Figures, ...]) -> str:
    """Volunteer hours per period, one bar each."""
    width, height, left, bottom, top = 640, 200, 44, 34, 12
    peak = max((f.volunteer_hours for f in periods), default=0) or 1
    n = max(len(periods), 1)
    step = (width - left - 8) / n
    bar = max(step * 0.7, 1)
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Volunteer hours per period">']
    for i in range(5):
        value = peak * i / 4
        y = height - bottom - (height - bottom - top) * i / 4
        parts.append(f'<line x1="{left}" x2="{width - 4}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c9d1d6" stroke-width="0.5"/>')
        tick = f"{value:,.0f}" if peak >= 10 else f"{value:.1f}"
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{tick}</text>')
    label_every = max(1, round(n / 12))
    for i, f in enumerate(periods):
        h = (height - bottom - top) * f.volunteer_hours / peak
        x = left + i * step + (step - bar) / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{height - bottom - h:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="#2f6f8f"/>'
        )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 12}" text-anchor="middle">{_e(f.key)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _lines(periods: tuple[Figures, ...]) -> str:
    """Coverage (filled peer seat-hours) and backup share per period, 0–100 %."""
    width, height, left, bottom, top = 640, 190, 44, 34, 12
    n = max(len(periods), 1)
    step = (width - left - 8) / n
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Coverage and backup share per period">']
    for pct in (0, 25, 50, 75, 100):
        y = height - bottom - (height - bottom - top) * pct / 100
        parts.append(f'<line x1="{left}" x2="{width - 4}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c9d1d6" stroke-width="0.5"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{pct}%</text>')
    for attr, colour, dash in (("coverage_share", "#2f6f8f", ""), ("backup_share", "#c2692d", ' stroke-dasharray="5 3"')):
        points = []
        for i, f in enumerate(periods):
            value = getattr(f, attr)
            if value is None:
                continue
            x = left + i * step + step / 2
            y = height - bottom - (height - bottom - top) * min(value, 1.0)
            points.append(f"{x:.1f},{y:.1f}")
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="{colour}"/>')
        if len(points) > 1:
            parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="1.6"{dash}/>')
    label_every = max(1, round(n / 12))
    for i, f in enumerate(periods):
        if i % label_every == 0:
            x = left + i * step + step / 2
            parts.append(f'<text x="{x:.1f}" y="{height - bottom + 12}" text-anchor="middle">{_e(f.key)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def shade(count: int, peak: int) -> str:
    """The heat-map colour of a cell: every count from 1 to 4 gets the same shade."""
    if count <= 0:
        return SHADES[0]
    if count < SMALL:
        return SHADES[1]
    if peak <= SMALL:
        return SHADES[2]
    step = (count - SMALL) / max(peak - SMALL, 1)
    return SHADES[min(2 + int(step * 4), 5)]


def _heat(heat: tuple[tuple[int, ...], ...]) -> str:
    """Calls by local hour (columns) and weekday (rows); small cells read "<5"."""
    cell_w, cell_h, left, top = 25, 20, 34, 16
    width, height = left + 24 * cell_w + 2, top + 7 * cell_h + 2
    peak = max((v for row in heat for v in row), default=0)
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Calls by hour and weekday">']
    for h in range(0, 24, 2):
        parts.append(f'<text x="{left + h * cell_w + cell_w / 2:.1f}" y="{top - 5}" text-anchor="middle">{h:02d}</text>')
    for d, row in enumerate(heat):
        y = top + d * cell_h
        parts.append(f'<text x="{left - 5}" y="{y + cell_h / 2 + 3:.1f}" text-anchor="end">{WEEKDAYS[d]}</text>')
        for h, value in enumerate(row):
            x = left + h * cell_w
            fill = shade(value, peak)
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell_w - 1}" height="{cell_h - 1}" fill="{fill}" stroke="#c9d1d6" stroke-width="0.4"/>'
            )
            if value:
                ink = "#ffffff" if fill in SHADES[4:] else "#1d2a33"
                parts.append(
                    f'<text x="{x + (cell_w - 1) / 2:.1f}" y="{y + cell_h / 2 + 3:.1f}" text-anchor="middle"'
                    f' style="fill:{ink}">{_n(value)}</text>'
                )
    parts.append("</svg>")
    return "".join(parts)


def render(report: Report) -> str:
    """The whole page as text."""
    from .recurrence import zone

    tz = zone(report.tz)
    t = report.total
    last = (report.end - timedelta(seconds=1)).astimezone(tz)
    span = f"{report.start.astimezone(tz):%d %B %Y} – {last:%d %B %Y}"
    cards = [
        (_hours(t.volunteer_hours), "volunteer hours given"),
        (f"{t.shifts:,}", "shifts staffed and ended"),
        (share_text(t.coverage_share), "of peer seat-hours covered"),
        (share_text(t.backup_share), "of hours with a backup on call"),
        (f"{t.goals_met:,} / {t.goal_checks:,}" if t.goal_checks else "–", "coverage goal checks met"),
        (_n(t.calls), "calls logged"),
        (share_text(t.needs_share), "of callers' needs met by a peer who shares them"),
        (f"{_n(t.new_people)} / {_n(t.departed_people)}", "people joined / left"),
    ]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        # No script, no request: the page may load nothing but itself (inline styles and images only).
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{_e(report.line)}: report {_e(span)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{_e(report.line)}</h1>",
        f'<p class="lead">Report for {_e(span)}, by {_e(report.by)}. Shifts that had ended by '
        f"{report.as_of.astimezone(tz):%d %B %Y %H:%M} ({_e(report.tz)}). Counts of calls or of people from 1 to {SMALL - 1} "
        f"are shown as &lt;{SMALL}, so no caller or volunteer can be picked out.</p>",
        '<section><div class="cards">',
        *(f'<div class="card"><b>{value}</b><span>{_e(label)}</span></div>' for value, label in cards),
        "</div></section>",
        "<section><h2>Hours volunteers gave</h2><figure>",
        _bars(report.periods),
        f"<figcaption>Volunteer hours (peers and backups) per {_e(report.by)}, real elapsed time.</figcaption></figure></section>",
        "<section><h2>Coverage and backup</h2><figure>",
        _lines(report.periods),
        '<figcaption class="legend"><span style="background:#2f6f8f"></span>peer seat-hours covered'
        '<span style="background:#c2692d"></span>hours with a backup on call</figcaption></figure></section>',
        "<section><h2>When people call</h2><figure>",
        _heat(report.heat),
        '<figcaption class="legend">Calls by hour of the day and weekday (line time).'
        + "".join(f'<span style="background:{c}"></span>{lbl}' for c, lbl in zip(SHADES[:3], ("none", f"&lt;{SMALL}", "more")))
        + "</figcaption></figure></section>",
        "<section><h2>Needs callers brought</h2>",
    ]
    if report.needs:
        out.append(
            "<table class='needs'><thead><tr><th>Need</th><th>Family</th><th>Calls</th><th>Met by a peer who shares it</th></tr></thead><tbody>"
        )
        for n in report.needs:
            out.append(f"<tr><td>{_e(n.label)}</td><td>{_e(n.family)}</td><td>{_n(n.calls)}</td><td>{_n(n.met)}</td></tr>")
        out.append("</tbody></table>")
    else:
        out.append('<p class="note">No calls were logged in this range.</p>')
    out.append('<p class="note">A need is met when someone on shift at the time of the call offers it.</p></section>')
    out.append("<section><h2>Figures by period</h2>")
    out.append(
        '<table class="periods"><thead><tr><th>Period</th><th>Shifts</th><th>Volunteer h</th><th>People</th>'
        "<th>Covered</th><th>Backup</th><th>Goals met</th><th>Calls</th><th>Needs met</th><th>Joined</th><th>Left</th>"
        "</tr></thead><tbody>"
    )
    for f in (*report.periods, report.total):
        goals = f"{f.goals_met}/{f.goal_checks}" if f.goal_checks else "–"
        out.append(
            f"<tr><td>{_e(f.key)}</td><td>{f.shifts}</td><td>{_hours(f.volunteer_hours)}</td><td>{_n(f.volunteers)}</td>"
            f"<td>{share_text(f.coverage_share)}</td><td>{share_text(f.backup_share)}</td><td>{goals}</td>"
            f"<td>{_n(f.calls)}</td><td>{share_text(f.needs_share)}</td><td>{_n(f.new_people)}</td>"
            f"<td>{_n(f.departed_people)}</td></tr>"
        )
    out.append("</tbody></table>")
    out.append(
        '<p class="note">Debriefs are not recorded by warmline yet. Made with warmline; the figures are counts '
        "anyone on the line can recompute from its rota and call log.</p></section>"
    )
    out.append("</body></html>\n")
    return "\n".join(out)


def write(path: Path, report: Report) -> Path:
    """Write the page (0600, atomically: it replaces an earlier copy)."""
    from .exchange.csvio import write_private

    return write_private(path, render(report))
