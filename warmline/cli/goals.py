"""`warmline goal`, `coverage` and `load`: coverage goals, the gaps against them, and who carries the load."""

from __future__ import annotations

import click

from ..session import Context
from ..views.json_shapes import coverage_json, goal_json, load_json
from .common import _clock_time
from .output import echo, emit, json_option, pass_ctx
from .root import cli


@cli.group("goal")
def goal_group() -> None:
    """Coverage goals: at least N people offering a tag in a daily window (coordinators edit).

    \b
    Examples:
      warmline goal add spanish --days daily --from 17:00 --to 21:00 --min 1
      warmline goal edit 1 --min 2
    """


@goal_group.command("add")
@click.argument("tag")
@click.option("--days", required=True, help="daily, weekdays, weekends, or days like MO,WE,FR.")
@click.option("--from", "start", required=True, metavar="HH:MM", help="Window start, local time.")
@click.option("--to", "finish", required=True, metavar="HH:MM", help="Window end (earlier than --from: next day).")
@click.option("--min", "min_people", type=int, default=1, show_default=True, help="People needed.")
@json_option
@pass_ctx
def goal_add_cmd(c: Context, tag, days, start, finish, min_people, as_json) -> None:
    """Declare a coverage goal (coordinators).

    \b
    Examples:
      warmline goal add spanish --days daily --from 17:00 --to 21:00
      warmline goal add "hearing voices" --days weekends --from 09:00 --to 09:00 --min 1
    """
    from ..coverage import add_goal

    goal = add_goal(
        c.db(), c.actor(), tag, days, _clock_time(start, "--from"), _clock_time(finish, "--to"), min_people
    )
    if as_json:
        emit(goal_json(goal))
    else:
        echo(f"Added goal {goal.id}: {goal.describe()}.")


@goal_group.command("list")
@click.option("--all", "include_removed", is_flag=True, help="Include removed goals.")
@json_option
@pass_ctx
def goal_list_cmd(c: Context, include_removed: bool, as_json: bool) -> None:
    """List the coverage goals.

    \b
    Example:
      warmline goal list --json
    """
    from ..coverage import goals

    c.actor()
    found = goals(c.db().conn, include_removed=include_removed)
    if as_json:
        emit([goal_json(g) for g in found])
        return
    if not found:
        echo("No coverage goals yet: add one with `warmline goal add`.")
    for g in found:
        echo(f"#{g.id:<4} {g.describe()}{'' if g.active else '  (removed)'}")


@goal_group.command("edit")
@click.argument("goal_id", type=int)
@click.option("--tag", help="The tag or language it asks for.")
@click.option("--days", help="daily, weekdays, weekends, or days like MO,WE,FR.")
@click.option("--from", "start", metavar="HH:MM", help="Window start, local time.")
@click.option("--to", "finish", metavar="HH:MM", help="Window end (earlier than --from: next day).")
@click.option("--min", "min_people", type=int, help="People needed.")
@json_option
@pass_ctx
def goal_edit_cmd(c: Context, goal_id: int, tag, days, start, finish, min_people, as_json: bool) -> None:
    """Change a coverage goal in place (coordinators): only what is given changes.

    \b
    Examples:
      warmline goal edit 3 --min 2
      warmline goal edit 3 --days weekends --from 09:00 --to 13:00
    """
    from ..coverage import edit_goal

    if tag is None and days is None and start is None and finish is None and min_people is None:
        raise click.UsageError("give at least one of --days, --from, --to, --min, --tag")
    goal, changed = edit_goal(
        c.db(), c.actor(), goal_id, tag=tag, days=days, start=_clock_time(start, "--from"),
        end=_clock_time(finish, "--to"), min_people=min_people,
    )
    if as_json:
        emit(goal_json(goal))
    elif changed:
        echo(f"Changed goal {goal.id}: {goal.describe()}.")
    else:
        echo(f"Goal {goal.id} is already {goal.describe()}: nothing changed.")


@goal_group.command("remove")
@click.argument("goal_id", type=int)
@json_option
@pass_ctx
def goal_remove_cmd(c: Context, goal_id: int, as_json: bool) -> None:
    """Remove a coverage goal (coordinators); it is kept, inactive, for the record.

    \b
    Example:
      warmline goal remove 3
    """
    from ..coverage import remove_goal

    goal = remove_goal(c.db(), c.actor(), goal_id)
    if as_json:
        emit(goal_json(goal))
    else:
        echo(f"Removed goal {goal.id} ({goal.describe()}).")


@cli.command("coverage")
@click.option("--from", "start", metavar="D", help="First day or time (default: today).")
@click.option("--to", "finish", metavar="D", help="Last day (inclusive) or time (default: a week on).")
@json_option
@pass_ctx
def coverage_cmd(c: Context, start, finish, as_json) -> None:
    """Coverage of goals and of call-log demand for the shifts in a range, with gaps and who could fill them (coordinators).

    \b
    Example:
      warmline coverage --from 2026-11-23 --to 2026-11-29
    """
    from datetime import timedelta

    from ..clock import now
    from ..coverage import coverage
    from ..times import day_range

    tz = c.tz()
    lo, hi = day_range(tz, now(), start, finish)
    report = coverage(c.db().conn, c.actor(), lo, hi)
    if as_json:
        emit(coverage_json(report, tz))
        return
    first = report.start.astimezone(tz)
    last = (report.end - timedelta(seconds=1)).astimezone(tz)
    echo(f"Coverage {first:%a %d %b %Y} – {last:%a %d %b %Y}: {len(report.shifts)} shifts")
    if report.score is None:
        echo("  demand: no calls logged yet (`warmline call log`), so no demand score")
    else:
        echo(
            f"  demand covered: {report.score:.0%} of {report.demand_total:.1f} expected need-calls"
            f" (call log averaged over {report.demand_weeks} week{'' if report.demand_weeks == 1 else 's'})"
        )
    checks = [g for s in report.shifts for g in s.goals]
    if report.goals:
        echo(f"  goals: {sum(g.met for g in checks)} of {len(checks)} shift checks met ({len(report.goals)} goals)")
    else:
        echo("  goals: none yet (`warmline goal add`)")
    if report.past_gaps:
        n = len(report.past_gaps)
        echo(f"  {n} gap{'' if n == 1 else 's'} had already started (not listed; --json has them under past_gaps)")
    if not report.gaps:
        echo("No gaps ahead." if report.past_gaps else "No gaps.")
        return
    echo("Gaps to fill:")
    for g in report.gaps:
        start_local = g.start.astimezone(tz)
        shift = "no shift" if g.no_shift else f"#{g.shift_id}"
        when = f"{start_local:%a %d %b %H:%M}–{g.end.astimezone(tz):%H:%M} {shift}"
        if g.kind == "goal":
            what = f"{g.label}: {g.have} of {g.need} (goal {g.goal_id})"
        else:
            what = f"{g.label}: ~{g.expected:.1f} calls expected, nobody on shift offers it"
        if g.no_shift:
            fill = "no shift covers this: add one (`warmline shift add`)"
        elif g.fillers:
            fill = "could fill: " + ", ".join(f.handle for f in g.fillers)
        elif g.fillable:
            fill = "nobody eligible offers it"
        else:
            fill = "no free seat"
        echo(f"  {when}  {what}  — {fill}")


def _week_range(c: Context, start: str | None, finish: str | None, *, default_days: int):
    """--from/--to as UTC bounds; --from defaults to this week's Monday."""
    from datetime import timedelta

    from ..clock import now
    from ..times import day_range

    tz = c.tz()
    if start is None:
        today = now().astimezone(tz).date()
        start = (today - timedelta(days=today.weekday())).isoformat()
    return day_range(tz, now(), start, finish, default_days=default_days)


@cli.command("load")
@click.option("--from", "start", metavar="D", help="First day (default: this week's Monday).")
@click.option("--to", "finish", metavar="D", help="Last day, inclusive (default: four weeks on).")
@json_option
@pass_ctx
def load_cmd(c: Context, start, finish, as_json) -> None:
    """Who works how much: this week and month, the range, streaks, limits near or over, and the spread.

    Coordinators see everyone; volunteers see only themselves.

    \b
    Examples:
      warmline load
      warmline load --from 2026-11-01 --to 2026-11-30 --json
    """
    from datetime import timedelta

    from ..fairness import level_word, load

    tz = c.tz()
    lo, hi = _week_range(c, start, finish, default_days=28)
    report = load(c.db().conn, lo, hi, viewer=c.actor())
    if as_json:
        emit(load_json(report, tz))
        return
    last = hi.astimezone(tz) - timedelta(seconds=1)
    echo(f"Load {lo.astimezone(tz):%a %d %b} – {last:%a %d %b %Y}; this week from {report.week:%d %b}, this month {report.month:%B}")
    echo(f"{'handle':<16} {'week h':>11} {'month h':>8} {'nights':>6} {'range h':>8} {'shifts':>6} {'streak':>6}  flags")
    for p in report.people:
        flags = "; ".join(f"{level_word(f.level)} {f.rule} ({f.period.isoformat()})" for f in p.flags)
        echo(
            f"{p.handle:<16} {p.hours_week:>5.1f}/{p.limits.max_hours_week:<5g} {p.hours_month:>8.1f} "
            f"{p.overnights_month:>6} {p.hours:>8.1f} {p.shifts:>6} {p.streak:>6}  {flags}"
        )
    s = report.spread
    if s is not None and s.people:
        echo(
            f"Spread over {s.people} active volunteers: most {s.max_hours:.1f} h ({', '.join(s.max_handles[:3])}), "
            f"fewest {s.min_hours:.1f} h ({len(s.min_handles)} {'person' if len(s.min_handles) == 1 else 'people'}), "
            f"mean {s.mean_hours:.1f} h, Gini {s.gini:.2f}"
        )
