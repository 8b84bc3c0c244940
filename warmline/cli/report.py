"""`warmline report` and `warmline export sqlite`: the funders' report and the reporting copy.

Parses, calls warmline.report (and warmline.report_html / warmline.exchange.reporting), prints.
sqlite_utils is imported only inside `export sqlite`. `report` is added to `warmline` at the end
(`export sqlite` to `export` by exchange.py).
"""

from __future__ import annotations

import click

from ..session import Context
from .output import echo, pass_ctx
from .root import cli


def _range(c: Context, start: str, finish: str):
    from ..clock import now
    from ..times import day_range

    return day_range(c.tz(), now(), start, finish)


@click.command("report")
@click.option("--from", "start", metavar="DATE", required=True, help="First day of the range (YYYY-MM-DD).")
@click.option("--to", "finish", metavar="DATE", required=True, help="Last day of the range, inclusive (YYYY-MM-DD).")
@click.option("--by", type=click.Choice(["week", "month"]), default="month", show_default=True, help="Group the figures by week or month.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (exact counts) instead of text.")
@click.option("--html", "html_file", metavar="FILE", help="Write a self-contained HTML page for funders (small counts shown as <5).")
@pass_ctx
def report_cmd(c: Context, start: str, finish: str, by: str, as_json: bool, html_file: str | None) -> None:
    """Hours given, cover, backup, goals met, calls by need and hour, and people joining and leaving (coordinators).

    Counts shifts that have ended and calls logged in the range. --json and the text are
    for the line itself and show exact counts; --html writes a page meant to leave the line,
    where a count of calls or people from 1 to 4 is shown as "<5".

    \b
    Examples:
      warmline report --from 2026-01-01 --to 2026-03-31
      warmline report --from 2026-10-01 --to 2026-10-31 --by week --json
      warmline report --from 2026-01-01 --to 2026-12-31 --html report-2026.html
    """
    from .. import report, text

    if as_json and html_file:
        raise click.UsageError("give --json or --html, not both")
    if html_file is not None and not html_file.strip():
        from ..errors import Invalid

        raise Invalid("--html is empty: give a file name")
    actor = c.actor()
    report.may_read(actor)
    lo, hi = _range(c, start, finish)
    rep = report.build(c.db().conn, actor, lo, hi, by)
    if html_file:
        from pathlib import Path

        from ..errors import Invalid
        from ..report_html import write

        target = Path(html_file).expanduser()
        if target.is_dir():
            raise Invalid(f"--html {target} is a directory: give a file name, e.g. {target / 'report.html'}")
        path = write(target, rep)
        echo(f"Wrote {path} ({len(rep.periods)} {by}{'' if len(rep.periods) == 1 else 's'}; small counts shown as <5).")
        return
    if as_json:
        echo(text.json_dumps(report.to_json(rep)))
        return
    _print(rep)


def _print(rep) -> None:
    from datetime import timedelta

    from .. import text
    from ..recurrence import zone
    from ..report import WEEKDAYS, share_text

    tz = zone(rep.tz)
    last = (rep.end - timedelta(seconds=1)).astimezone(tz)
    echo(f"{text.safe(rep.line)}: report {rep.start.astimezone(tz):%d %b %Y} – {last:%d %b %Y} by {rep.by}")
    echo(f"(shifts that ended by {rep.as_of.astimezone(tz):%d %b %Y %H:%M}; exact counts, for the line itself)")
    echo(
        f"{'period':<9} {'shifts':>6} {'vol h':>8} {'people':>6} {'covered':>7} {'backup':>6} {'goals':>9}"
        f" {'calls':>5} {'needs met':>9} {'new':>3} {'left':>4}"
    )
    for f in (*rep.periods, rep.total):
        goals = f"{f.goals_met}/{f.goal_checks}" if f.goal_checks else "–"
        echo(
            f"{f.key:<9} {f.shifts:>6} {f.volunteer_hours:>8.1f} {f.volunteers:>6} {share_text(f.coverage_share):>7}"
            f" {share_text(f.backup_share):>6} {goals:>9} {f.calls:>5} {share_text(f.needs_share):>9}"
            f" {f.new_people:>3} {f.departed_people:>4}"
        )
    if rep.needs:
        echo("Calls by need (met by someone on shift):")
        for n in rep.needs:
            echo(f"  {text.safe(n.label):<28} {n.family:<12} {n.calls:>5}  met {n.met}")
    if rep.total.calls:
        busiest = max(((d, h) for d in range(7) for h in range(24)), key=lambda dh: rep.heat[dh[0]][dh[1]])
        echo(
            f"Busiest hour: {WEEKDAYS[busiest[0]]} {busiest[1]:02d}:00 ({rep.heat[busiest[0]][busiest[1]]} calls);"
            " `--json` has the whole hour × weekday table"
        )
    if rep.people:
        top = ", ".join(f"{text.safe(p.handle)} {p.hours:.1f} h" for p in rep.people[:5])
        echo(f"Most hours: {top}{' …' if len(rep.people) > 5 else ''}")
    if rep.debriefs and rep.debriefs[-1][1]:
        shown = ", ".join(f"{k} {a}/{t}" for k, a, t in rep.debriefs[:-1] if a)
        echo(f"Debriefs asked/taken: {shown}; total {rep.debriefs[-1][1]}/{rep.debriefs[-1][2]} (counts only)")
    else:
        echo("Debriefs: none asked.")


@click.command("sqlite")
@click.argument("file", metavar="FILE")
@click.option("--force", is_flag=True, help="Replace FILE if it exists (the new copy replaces it atomically).")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@pass_ctx
def export_sqlite(c: Context, file: str, force: bool, as_json: bool) -> None:
    """Write a privacy-safe reporting copy of the line for sqlite-utils and Datasette (coordinators).

    Shifts, seat-hours, coverage, anonymous call counts and the report's figures by week and
    month, as tables and views; counts of calls or people from 1 to 4 are shown as "<5". Of
    people it holds first names and hours only: no tags per person, logins, passphrases,
    keys, notes or push destinations. The file is written 0600; an existing FILE is kept
    unless --force.

    \b
    Examples:
      warmline export sqlite reporting.db
      sqlite-utils tables reporting.db --counts
    """
    from pathlib import Path

    from .. import text
    from ..exchange.reporting import write_copy

    if not file.strip():
        from ..errors import Invalid

        raise Invalid("FILE is empty: give a file name")
    actor = c.actor()
    result = write_copy(c.db().conn, actor, Path(file).expanduser(), force=force)
    if as_json:
        echo(text.json_dumps({"path": str(result.path), "tables": result.tables, "views": result.views}))
    else:
        counts = ", ".join(f"{name} {n}" for name, n in result.tables.items())
        echo(f"Wrote {result.path} (0600): {counts}; views: {', '.join(result.views)}.")


cli.add_command(report_cmd)
