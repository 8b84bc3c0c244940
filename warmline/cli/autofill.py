"""`warmline autofill`: propose (and with --apply, write) assignments for the open seats."""

from __future__ import annotations

import click

from ..session import Context
from ..views.json_shapes import autofill_json
from .common import _day_label
from .output import echo, emit, json_option, pass_ctx
from .root import cli


@cli.command("autofill")
@click.option("--from", "start", metavar="D", help="First day or time (default: today).")
@click.option("--to", "finish", metavar="D", help="Last day, inclusive (default: a week on).")
@click.option("--apply", "do_apply", is_flag=True, help="Write the proposal in one audited transaction (all or nothing).")
@click.option("--engine", type=click.Choice(["auto", "greedy", "cpsat"]), default="auto", show_default=True,
              help="cpsat needs `pip install 'warmline[solver]'`; auto uses it when installed.")
@click.option("--time-limit", type=click.FloatRange(min=0.1, max=3600), default=30.0, show_default=True, metavar="S",
              help="Seconds the solver may take.")
@json_option
@pass_ctx
def autofill_cmd(c: Context, start, finish, do_apply, engine, time_limit, as_json) -> None:
    """Propose people for the empty seats of future shifts, keeping every rule (coordinators).

    Every hard rule holds (availability, time off, overlap, rest, weekly and monthly limits,
    seats); then, in order: most seats filled, coverage goals and callers' demanded needs,
    hours shared fairly by each person's limit, and people's preferred times. Without
    --apply nothing is written.

    \b
    Examples:
      warmline autofill --from 2026-11-23 --to 2026-12-06
      warmline autofill --apply --engine greedy --json
    """
    from datetime import timedelta

    from .. import autofill, rota
    from ..clock import now
    from ..times import day_range
    from ..views.autofill import reasons  # the words the app shows too

    tz = c.tz()
    lo, hi = day_range(tz, now(), start, finish)
    rota.extend_horizon(c.db())

    def progress(message: str) -> None:
        echo(message, err=True)

    proposal = autofill.propose(
        c.db().conn, c.actor(), lo, hi, engine=engine, time_limit=time_limit, progress=None if as_json else progress
    )
    if proposal.notice and not as_json:
        echo(proposal.notice, err=True)
    applied = False
    if do_apply and proposal.placements:
        autofill.apply(c.db(), c.actor(), proposal)
        applied = True
    if as_json:
        emit(autofill_json(proposal, tz, applied))
        return
    last = hi.astimezone(tz) - timedelta(seconds=1)
    how = "CP-SAT" + (", optimal" if proposal.optimal else "") if proposal.engine == "cpsat" else "built-in heuristic"
    echo(
        f"Auto-fill {lo.astimezone(tz):%a %d %b} – {last:%a %d %b %Y}: {proposal.seats_open} open seats; "
        f"{len(proposal.placements)} proposed ({how}, {proposal.seconds:.1f} s)"
    )
    for p in proposal.placements:
        notes = reasons(p)
        extra = f"  [{'; '.join(notes)}]" if notes else ""
        echo(f"+ {_day_label(p.start, tz)}–{p.end.astimezone(tz):%H:%M} #{p.shift_id}  {p.handle} ({p.role}){extra}")
    if proposal.left_open:
        echo("Left open:")
        for o in proposal.left_open:
            count = f" ×{o.count}" if o.count > 1 else ""
            echo(f"  {_day_label(o.start, tz)}–{o.end.astimezone(tz):%H:%M} #{o.shift_id}  {o.role}{count} — {o.reason}")
    s = proposal.score
    echo(
        f"Objective: {s.seats} seats ({s.seat_hours:g} h), {s.goals} towards coverage goals, "
        f"{s.demand} demand (expected calls of needs newly offered), {s.preferred} at preferred times; "
        f"hours spread (Gini) {proposal.gini_before:.2f} → {proposal.gini_after:.2f}"
    )
    if applied:
        echo(f"Applied: {len(proposal.placements)} assignments written in one audited transaction.")
    elif proposal.placements:
        echo(f"Nothing written: run again with --apply to make these {len(proposal.placements)} assignments.")
