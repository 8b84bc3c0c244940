"""`warmline line set`: the line's settings (name, escalation text, drop cut-off, swap approval)."""

from __future__ import annotations

import click

from ..session import Context
from ..views.json_shapes import line_json
from .output import echo, emit, json_option, pass_ctx
from .root import cli


@cli.group("line")
def line_group() -> None:
    """The line's settings (coordinators change them).

    \b
    Example:
      warmline line set --escalation "In crisis? Call or text 988, or 911 in an emergency."
    """


def _said(field: str, s) -> str:
    if field == "name":
        return f"The line is now called {s.name}."
    if field == "escalation":
        return f"The escalation text is now: {s.escalation}"
    if field == "drop_cutoff_hours":
        return f"A drop within {s.drop_cutoff_hours} h of its shift now asks for cover."
    return f"Swaps {'now need' if s.swaps_need_approval else 'no longer need'} a coordinator's approval."


@line_group.command("set")
@click.option("--name", help="The line's name, shown at the top of every screen.")
@click.option("--escalation", help="The escalation text shown on every screen, e.g. 'In crisis? Call or text 988'.")
@click.option("--drop-cutoff", "drop_cutoff", type=int, metavar="HOURS",
              help="Hours before a shift within which a drop asks for cover (0 to 672).")
@click.option("--swaps-need-approval", "approval", type=click.Choice(["yes", "no"]),
              help="Whether a coordinator must approve a swap after the other person accepts it.")
@json_option
@pass_ctx
def line_set(
    c: Context, name: str | None, escalation: str | None, drop_cutoff: int | None, approval: str | None, as_json: bool
) -> None:
    """Change the line's settings (coordinators): give one or more of the options.

    \b
    Examples:
      warmline line set --swaps-need-approval yes
      warmline line set --name "Harbor Peer Warmline" --drop-cutoff 24
    """
    from ..line import change_settings

    if name is None and escalation is None and drop_cutoff is None and approval is None:
        raise click.UsageError("give at least one of --name, --escalation, --drop-cutoff, --swaps-need-approval")
    done = change_settings(
        c.db(),
        c.actor(),
        name=name,
        escalation=escalation,
        drop_cutoff_hours=drop_cutoff,
        swaps_need_approval=None if approval is None else approval == "yes",
    )
    if as_json:
        emit(line_json(done.settings, done.changed))
        return
    if not done.changed:
        echo("Nothing changed: the line already has those settings.")
    for field in done.changed:
        echo(_said(field, done.settings))
