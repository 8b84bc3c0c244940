"""`warmline handoff`: notes from one shift to the next (write, list, acknowledge)."""

from __future__ import annotations

import sys

import click

from ..session import Context
from ..views.json_shapes import note_json
from .output import echo, emit, json_option, pass_ctx
from .root import cli


@cli.group()
def handoff() -> None:
    """Handoff notes from one shift to the next: write, read, acknowledge.

    Notes are screened: one that looks like it holds a phone number or an e-mail
    address is refused (callers are anonymous). The people on the next shift see
    it and acknowledge it; coordinators see notes not acknowledged 15 minutes
    after the change.

    \b
    Example:
      warmline handoff write 12 --note "Busy evening; two callers asked about housing."
    """


@handoff.command("write")
@click.argument("shift_id", type=int)
@click.option("--note", "text", required=True, metavar="TEXT", help="The note, up to 1000 characters ('-' reads it from stdin).")
@json_option
@pass_ctx
def handoff_write(c: Context, shift_id: int, text: str, as_json: bool) -> None:
    """Leave a note on your shift for the next one (people on the shift, or coordinators).

    \b
    Example:
      warmline handoff write 12 --note "Quiet night. Call 988 card is by the phone."
    """
    from .. import handoff as notes
    from ..clock import now

    if text == "-":
        text = sys.stdin.read()
    note = notes.write_note(c.db(), c.actor(), shift_id, text)
    if as_json:
        emit(note_json(note, c.tz(), c.actor(), now()))
    elif note.next_shift_ids:
        readers = ", ".join(r.handle for r in note.readers) or "nobody yet"
        echo(f"Left note {note.id} on shift {note.shift_id} for {note.next_label} (for {readers}).")
    else:
        echo(
            f"Left note {note.id} on shift {note.shift_id}; no shift starts within 24 h of its end yet, "
            "so it waits for whoever is put on the next one."
        )


@handoff.command("list")
@click.option("--unread", is_flag=True, help="Only notes you have not acknowledged.")
@json_option
@pass_ctx
def handoff_list(c: Context, unread: bool, as_json: bool) -> None:
    """Handoff notes for you from the last 7 days (coordinators: every note, and which are not acknowledged).

    \b
    Example:
      warmline handoff list --unread
    """
    from .. import handoff as notes
    from ..clock import now

    actor = c.actor()
    tz = c.tz()
    moment = now()
    found = notes.list_notes(c.db().conn, actor, unread_only=unread, moment=moment)
    if as_json:
        emit([note_json(n, tz, actor, moment) for n in found])
        return
    if not found:
        echo("No unread handoff notes for you." if unread else "No handoff notes for you in the last 7 days.")
        return
    for n in found:
        mine = n.reader(actor.id)
        if mine is not None:
            status = f"acknowledged {mine.acked_at.astimezone(tz):%a %H:%M}" if mine.acked_at else "unread: `warmline handoff ack " + str(n.id) + "`"
        elif n.author_id == actor.id:
            status = "written by you"
        else:
            status = ""
        target = f"for {n.next_label}" if n.next_shift_ids else "no next shift yet"
        echo(f"#{n.id}  shift {n.shift_id} → {target}  · from {n.author_name} at {n.created_at.astimezone(tz):%a %H:%M}"
                   + (f"  · {status}" if status else ""))
        for line in n.body.splitlines() or [""]:
            echo(f"    {line}")
        if actor.is_coordinator or n.author_id == actor.id:
            waiting = ", ".join(r.handle for r in n.unacked)
            if n.overdue(moment):
                echo(f"    NOT ACKNOWLEDGED 15 min after the change by: {waiting}")
            elif waiting:
                echo(f"    waiting for: {waiting}")
            elif n.readers:
                echo("    acknowledged by everyone on the next shift")


@handoff.command("ack")
@click.argument("note_id", type=int)
@json_option
@pass_ctx
def handoff_ack(c: Context, note_id: int, as_json: bool) -> None:
    """Acknowledge a handoff note for your shift.

    \b
    Example:
      warmline handoff ack 7
    """
    from .. import handoff as notes
    from ..clock import now

    actor = c.actor()
    before = None
    try:
        before = notes.get_note(c.db().conn, note_id).reader(actor.id)
    except Exception:  # noqa: BLE001 - ack() below gives the real refusal
        pass
    note = notes.ack(c.db(), actor, note_id)
    if as_json:
        emit(note_json(note, c.tz(), actor, now()))
    elif before is not None and before.acked_at is not None:
        echo(f"You had already acknowledged note {note.id}.")
    else:
        echo(f"Acknowledged note {note.id}.")
