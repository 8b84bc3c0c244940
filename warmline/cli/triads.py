"""`warmline triad`: peer-support triads (join, leave, form, list, swap a narrator's turn)."""

from __future__ import annotations

import click

from ..session import Context
from .common import _day_label
from .output import echo, emit, json_option, pass_ctx
from .root import cli


def _meeting_text(m, tz) -> str:
    narrator = f" · {m.narrator} narrates" if m.narrator else ""
    return f"{_day_label(m.start_utc, tz)}–{m.end_utc.astimezone(tz):%H:%M}{narrator}"


@cli.group("triad")
def triad_group() -> None:
    """Triads: three peers (sometimes four) who meet regularly to support each other.

    Joining is your own choice; coordinators form the triads and their meetings. Nothing
    said in a triad is recorded: warmline keeps only that a meeting is scheduled.

    \b
    Example:
      warmline triad join
    """


@triad_group.command("join")
@pass_ctx
def triad_join(c: Context) -> None:
    """Opt in to a triad (for yourself): the next `triad form` may place you in one.

    \b
    Example:
      warmline --as kim triad join
    """
    from .. import triads

    if triads.join(c.db(), c.actor()):
        echo("You have opted in to triads: a coordinator places you in one at the next `warmline triad form`.")
    else:
        echo("You were already opted in to triads.")


@triad_group.command("leave")
@pass_ctx
def triad_leave(c: Context) -> None:
    """Opt out of triads (for yourself), and leave your triad if you are in one.

    \b
    Example:
      warmline --as kim triad leave
    """
    from .. import triads

    said = triads.leave(c.db(), c.actor())
    echo(said[0].upper() + said[1:] + ".")


@triad_group.command("form")
@click.option("--from", "start", metavar="DATE", help="The first day a meeting may be on (default: today).")
@click.option("--apply", "do_apply", is_flag=True, help="Write the proposal (exactly the preview) in one audited transaction.")
@json_option
@pass_ctx
def triad_form(c: Context, start: str | None, do_apply: bool, as_json: bool) -> None:
    """Group the people who opted in into triads, each with a weekly or fortnightly meeting (coordinators).

    Groups of three (one or two groups of four when the count does not divide by three;
    never one or two alone: with 1, 2 or 5 waiting none is formed). Each meeting is an hour
    all members are available, clear of their shifts over the line's horizon. Without
    --apply nothing is written.

    \b
    Examples:
      warmline triad form --from 2026-12-07
      warmline triad form --from 2026-12-07 --apply --json
    """
    from .. import triads

    db = c.db()
    proposal = triads.propose(db.conn, c.actor(), triads.parse_from(start))
    made: list[int] = []
    if do_apply and proposal.triads:
        made = triads.apply(db, c.actor(), proposal)
    if as_json:
        emit({**proposal.as_json(), "applied": bool(made), "triad_ids": made})
        return
    echo(
        f"Triads from {proposal.first_day:%a %d %b} to {proposal.last_day:%a %d %b %Y}: "
        f"{proposal.considered} opted in and not yet in a triad; {len(proposal.triads)} proposed"
    )
    for t in proposal.triads:
        echo(
            f"+ {', '.join(t.handles)}: {t.rule}, {triads.DAY_NAMES[t.weekday]} {t.start_time}–{t.end_time}"
            f" (first {t.first[:16].replace('T', ' ')}, {len(t.meetings)} meetings)"
        )
    for handle, why in proposal.left_out:
        echo(f"  not placed: {handle} — {why}")
    if proposal.note:
        echo(proposal.note)
    if made:
        echo(f"Applied: triads {', '.join(str(i) for i in made)} written with their meetings.")
    elif proposal.triads:
        echo(f"Nothing written: run again with --apply to form these {len(proposal.triads)} triads.")


@triad_group.command("list")
@json_option
@pass_ctx
def triad_list(c: Context, as_json: bool) -> None:
    """Triads with their members, next meeting and whose turn it is to narrate (yours; coordinators: all).

    \b
    Example:
      warmline triad list --json
    """
    from .. import triads

    actor = c.actor()
    found = triads.listing(c.db().conn, actor)
    if as_json:
        emit([triads.triad_json(t, actor) for t in found])
        return
    if not found:
        echo("No triads." if actor.is_coordinator else "You are not in a triad.")
    tz = c.tz()
    for t in found:
        order = " → ".join(m.handle for m in t.members)
        echo(f"Triad {t.id}: {order} ({t.when()})")
        echo(f"  next: {_meeting_text(t.next_meeting, tz)}" if t.next_meeting else "  next: no meeting scheduled")


@triad_group.command("swap-turn")
@click.argument("handle")
@pass_ctx
def triad_swap_turn(c: Context, handle: str) -> None:
    """Swap your next turn as narrator with HANDLE's next turn (both of you in one triad).

    \b
    Example:
      warmline --as kim triad swap-turn sam
    """
    from .. import triads

    mine, theirs = triads.swap_turn(c.db(), c.actor(), handle)
    tz = c.tz()
    echo(f"Swapped: you narrate {_meeting_text(mine, tz)}; {theirs.narrator} narrates {_meeting_text(theirs, tz)}.")
