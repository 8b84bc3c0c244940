"""The `warmline` command: click commands that parse, call the core (and the views), and print.

One module per command group; root.py holds the group itself, its global options and the error
handling (exit codes: 0 done, 1 refused or invalid, one `error:` line on stderr, 2 usage). Each
group's module adds its commands to `root.cli` when imported, and every line they print goes
through output.py (echo, emit). The JSON shapes they print are warmline/views/json_shapes.py.
Kept quick to import: the core loads inside the commands that use it, and nothing here imports
Textual (the app is imported only to open it). A new command group is a module imported below.
"""

from __future__ import annotations

from . import (  # noqa: F401  (each adds its commands to `cli`)
    assign,
    audit,
    autofill,
    availability,
    exchange,
    goals,
    handoff,
    match,
    notify,
    peer,
    people,
    remote,
    report,
    serve,
    setup,
    shifts,
    swaps,
    tags,
    triads,
)
from .root import cli, main, run_guarded

# The groups in peer.py, remote.py and report.py are made on their own (click.group) and added here.
cli.add_command(remote.keys_group)
cli.add_command(remote.ssh_cmd)
notify.notify_cmd.add_command(remote.notify_pull)
notify.notify_cmd.add_command(remote.notify_confirm)
cli.add_command(peer.debrief_group)
cli.add_command(peer.me_group)
people.people.add_command(peer.people_forget)
cli.add_command(report.report_cmd)
exchange.export_group.add_command(report.export_sqlite)

__all__ = ["cli", "main", "run_guarded"]
