"""The top-level commands and the first paragraph of each one's help, for `warmline --help`.

GENERATED from the commands themselves: run `python -m warmline.cli.make_listing` after adding a
top-level command or changing the first paragraph of one's docstring
(tests/unit/test_cli_package.py fails while this file is out of date). With it, `warmline --help`
lists every command without importing every command module (root.py's Warmline.format_commands);
the text and its shortening are click's own, so the output is the same byte for byte.
"""

from __future__ import annotations

LISTING: dict[str, str] = {
    'assign': 'Put someone on a shift (coordinators).',
    'audit': 'Show the change log, newest first (coordinators).',
    'autofill': 'Propose people for the empty seats of future shifts, keeping every rule (coordinators).',
    'availability': 'When you can take shifts: weekly windows (none at all means any time), and preferred times.',
    'backup': 'Copy the rota to DEST safely while others use it, and verify the copy.',
    'busy': 'Mark yourself on a call (on) or free (off) for your current shift; it clears when the shift ends.',
    'call': 'The anonymous call log: a time and need tags per call, nothing about the caller.',
    'check': "Check the file's integrity and every rota invariant; exit 1 if any is broken.",
    'claim': "Take an open seat (or someone's cover request) on a shift.",
    'config': "This machine's settings file: where it is and what it says.",
    'cover': 'Cover requests: a drop within the cut-off asks for cover (`warmline drop`); take it back here.',
    'coverage': 'Coverage of goals and of call-log demand for the shifts in a range, with gaps and who could fill them (coordinators).',
    'debrief': 'Debriefs after a hard call: ask, take one, list, and (coordinators) monthly counts.',
    'demo': 'Create a demo line (if needed) and open it as its coordinator.',
    'drop': 'Drop one of your shifts: the seat reopens, or within the cut-off a cover request opens.',
    'export': 'Export calendars (iCalendar) and spreadsheets (CSV).',
    'goal': 'Coverage goals: at least N people offering a tag in a daily window (coordinators edit).',
    'handoff': 'Handoff notes from one shift to the next: write, read, acknowledge.',
    'import': 'Import people from a spreadsheet (CSV).',
    'init': 'Create a new line in an empty rota file; you become its first coordinator.',
    'keys': "Sign in over SSH with your own key: add, list and remove people's public keys.",
    'line': "The line's settings (coordinators change them).",
    'load': 'Who works how much: this week and month, the range, streaks, limits near or over, and the spread.',
    'match': "Rank the people on shift for a caller's needs, with the reasons (on shift now, or coordinators).",
    'me': 'Your own data.',
    'notify': 'Deliver your notifications: reminders, handoffs, notes waiting, changes, cover requests.',
    'people': 'Add, list, show, edit and deactivate people.',
    'replicate': 'Replicate the rota continuously to DEST with Litestream, in the foreground.',
    'report': 'Hours given, cover, backup, goals met, calls by need and hour, and people joining and leaving (coordinators).',
    'restore': 'Replace the rota with a backup, keeping the current one aside (coordinators).',
    'series': 'List, edit and cancel recurring series (coordinators edit).',
    'serve': "Serve the app to web browsers (needs the extra: pip install 'warmline[web]').",
    'shift': 'Create, edit and cancel shifts (coordinators).',
    'shifts': 'List shifts with who is on them and the seats still open.',
    'ssh': "The command sshd runs for a person's key (written by `keys add`; not typed by people).",
    'swap': 'Swap shifts: I take yours, you take mine, every rule checked for both of us in one step.',
    'tags': "List the line's tags or add one; accept or decline a tag proposed to you, read your consent history.",
    'timeoff': 'Days off (local days, both inclusive): nobody can put you on a shift then without --force.',
    'triad': 'Triads: three peers (sometimes four) who meet regularly to support each other.',
    'unassign': 'Take someone off a shift (coordinators).',
}
