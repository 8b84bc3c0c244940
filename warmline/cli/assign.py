"""`warmline assign`, `unassign`, `claim`, `drop` and `cover withdraw`: who is on a shift."""

from __future__ import annotations

import click

from ..session import Context
from ..views.json_shapes import assignment_json
from .output import echo, emit, json_option, pass_ctx
from .root import cli


@cli.command()
@click.argument("shift_id", type=int)
@click.argument("handle")
@click.option("--backup", is_flag=True, help="As backup rather than peer.")
@click.option("--force", is_flag=True, help="Override rest and limit rules (never seats or overlap); audited.")
@json_option
@pass_ctx
def assign(c: Context, shift_id: int, handle: str, backup: bool, force: bool, as_json: bool) -> None:
    """Put someone on a shift (coordinators).

    \b
    Example:
      warmline assign 12 sam --backup
    """
    from .. import rota

    a = rota.assign(c.db(), c.actor(), shift_id, handle, role="backup" if backup else "peer", force=force)
    if as_json:
        emit(assignment_json(a))
    else:
        echo(f"{a.handle} is on shift {a.shift_id} as {a.role}.")


@cli.command()
@click.argument("shift_id", type=int)
@click.argument("handle")
@json_option
@pass_ctx
def unassign(c: Context, shift_id: int, handle: str, as_json: bool) -> None:
    """Take someone off a shift (coordinators).

    \b
    Example:
      warmline unassign 12 sam
    """
    from .. import rota

    rota.unassign(c.db(), c.actor(), shift_id, handle)
    if as_json:
        emit({"shift_id": shift_id, "handle": handle, "removed": True})
    else:
        echo(f"{handle} is off shift {shift_id}.")


@cli.command()
@click.argument("shift_id", type=int)
@click.option("--backup", is_flag=True, help="Take a backup seat rather than a peer seat.")
@json_option
@pass_ctx
def claim(c: Context, shift_id: int, backup: bool, as_json: bool) -> None:
    """Take an open seat (or someone's cover request) on a shift.

    \b
    Example:
      warmline claim 12
    """
    from .. import rota

    a = rota.claim(c.db(), c.actor(), shift_id, role="backup" if backup else "peer")
    if as_json:
        emit(assignment_json(a))
    else:
        echo(f"You are on shift {a.shift_id} as {a.role}.")


@cli.command("drop")
@click.argument("shift_id", type=int)
@json_option
@pass_ctx
def drop_cmd(c: Context, shift_id: int, as_json: bool) -> None:
    """Drop one of your shifts: the seat reopens, or within the cut-off a cover request opens.

    \b
    Example:
      warmline drop 12
    """
    from .. import rota

    outcome = rota.drop(c.db(), c.actor(), shift_id)
    if as_json:
        emit({"shift_id": shift_id, "outcome": outcome})
    elif outcome == "reopened":
        echo(f"Dropped shift {shift_id}; the seat is open again.")
    else:
        echo(
            f"Shift {shift_id} is within the drop cut-off: a cover request is open and you stay on it until someone takes it."
        )


@cli.group("cover")
def cover_group() -> None:
    """Cover requests: a drop within the cut-off asks for cover (`warmline drop`); take it back here.

    \b
    Example:
      warmline cover withdraw 12
    """


@cover_group.command("withdraw")
@click.argument("shift_id", type=int)
@click.option("--person", metavar="H", help="Someone else's request (coordinators).")
@json_option
@pass_ctx
def cover_withdraw(c: Context, shift_id: int, person: str | None, as_json: bool) -> None:
    """Withdraw your open cover request on a shift: you stay on it (only while nobody has taken your seat).

    \b
    Example:
      warmline cover withdraw 12
    """
    from .. import rota

    r = rota.withdraw_cover(c.db(), c.actor(), shift_id, person)
    if as_json:
        emit({"shift_id": r.shift_id, "handle": r.handle, "role": r.role, "status": r.status})
    else:
        who = "You stay" if r.person_id == c.actor().id else f"{r.handle} stays"
        echo(f"Withdrew the cover request on shift {r.shift_id}. {who} on it as {r.role}.")
