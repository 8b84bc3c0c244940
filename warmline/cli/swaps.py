"""`warmline swap`: swapping shifts (whether swaps need a coordinator's approval is `warmline line set`, line.py)."""

from __future__ import annotations

import click

from ..session import Context
from ..views.json_shapes import swap_json
from .common import _day_label
from .output import echo, emit, json_option, pass_ctx
from .root import cli


def _swap_line(s, tz) -> str:
    give = f"#{s.from_shift_id} {_day_label(s.from_start, tz)}–{s.from_end.astimezone(tz):%H:%M}"
    take = f"#{s.to_shift_id} {_day_label(s.to_start, tz)}–{s.to_end.astimezone(tz):%H:%M}"
    waiting = f"  (waiting for {s.waiting_for})" if s.waiting_for else ""
    return f"{s.id:>5}  {s.status:<9} {s.from_handle} gives {give} for {s.to_handle}'s {take}{waiting}"


def _swap_out(c: Context, s, as_json: bool, text: str) -> None:
    if as_json:
        emit(swap_json(s, c.tz()))
    else:
        echo(text)


@cli.group("swap")
def swap_group() -> None:
    """Swap shifts: I take yours, you take mine, every rule checked for both of us in one step.

    \b
    Example:
      warmline swap propose 12 15 kim
    """


@swap_group.command("propose")
@click.argument("my_shift", type=int)
@click.argument("their_shift", type=int)
@click.argument("handle")
@json_option
@pass_ctx
def swap_propose(c: Context, my_shift: int, their_shift: int, handle: str, as_json: bool) -> None:
    """Offer your shift MY_SHIFT for HANDLE's shift THEIR_SHIFT.

    \b
    Example:
      warmline swap propose 12 15 kim
    """
    from .. import swaps

    s = swaps.propose(c.db(), c.actor(), my_shift, their_shift, handle)
    _swap_out(c, s, as_json, f"Proposed swap {s.id}: {s.to_handle} can accept it with `warmline swap accept {s.id}`.")


def _swap_action(name: str, verb: str, help_text: str, example: str):
    @swap_group.command(name, help=f"{help_text}\n\n\b\nExample:\n  warmline swap {name} {example}")
    @click.argument("swap_id", type=int)
    @json_option
    @pass_ctx
    def command(c: Context, swap_id: int, as_json: bool) -> None:
        from .. import swaps

        s = getattr(swaps, verb)(c.db(), c.actor(), swap_id)
        if s.status == "accepted":
            text = f"Accepted swap {s.id}; it waits for a coordinator's approval (`warmline swap approve {s.id}`)."
        elif s.status == "done":
            text = f"Swap {s.id} is done: {s.from_handle} is on #{s.to_shift_id}, {s.to_handle} on #{s.from_shift_id}."
        else:
            text = f"Swap {s.id} is {s.status}."
        _swap_out(c, s, as_json, text)

    command.__name__ = f"swap_{name}"
    return command


_swap_action("accept", "accept", "Accept a swap offered to you (done at once, or after a coordinator approves).", "3")
_swap_action("decline", "decline", "Decline a swap offered to you.", "3")
_swap_action("withdraw", "withdraw", "Withdraw a swap you proposed.", "3")
_swap_action("approve", "approve", "Approve an accepted swap and do it (coordinators, when the line needs approval).", "3")
_swap_action("refuse", "refuse", "Refuse a proposed or accepted swap (coordinators).", "3")


@swap_group.command("list")
@click.option("--open", "open_only", is_flag=True, help="Only swaps still proposed or waiting for approval.")
@json_option
@pass_ctx
def swap_list(c: Context, open_only: bool, as_json: bool) -> None:
    """List swaps, newest first: yours, or everyone's for coordinators.

    \b
    Example:
      warmline swap list --open --json
    """
    from .. import swaps

    tz = c.tz()
    found = swaps.swaps(c.db().conn, c.actor(), open_only=open_only)
    if as_json:
        emit([swap_json(s, tz) for s in found])
        return
    if not found:
        echo("No swaps.")
    for s in found:
        echo(_swap_line(s, tz))



@swap_group.command("options")
@click.argument("my_shift", type=int)
@json_option
@pass_ctx
def swap_options_cmd(c: Context, my_shift: int, as_json: bool) -> None:
    """Shifts you could swap MY_SHIFT for: only those that pass every rule for both of you (nothing is written).

    Looks two weeks from MY_SHIFT's Monday; the last line says how many were left out, and why.

    \b
    Example:
      warmline swap options 12
    """
    from ..views.swap import swap_options

    found = swap_options(c.db(), c.actor(), my_shift)
    if as_json:
        emit(
            {
                "shift_id": my_shift,
                "options": [{"shift_id": o.shift_id, "handle": o.handle, "role": o.role} for o in found.options],
                "left_out": found.left_out,
                "left_out_text": found.left_out_text or None,
            }
        )
        return
    if not found.options:
        none = "No shift in these two weeks passes the rules for both of you."
        echo(none if found.left_out else "Nobody else has a shift in these two weeks.")
    for o in found.options:
        echo(f"{o.label}    warmline swap propose {my_shift} {o.shift_id} {o.handle}")
    if found.left_out_text:
        echo(found.left_out_text)
