"""The outbox, one name for what the faces and tests use: the notification table and its kinds,
a person's settings, queueing, and claiming for delivery. Each lives in a module of its own:

- notify/kinds.py    the kinds of notification (one table: the lists and each kind's severity)
- notify/rows.py     the table's rows: writing them (a UNIQUE dedupe key) and reading them
- notify/prefs.py    a person's channels, reminder lead times and quiet hours
- notify/queue.py    what is due to whom: the time-driven scan (`refresh`) and the reactions to
                     what the rota reports (warmline.events) inside its own transactions
- notify/claims.py   claiming due rows for a delivery loop or a pull, and recording the outcome
                     (retry with backoff, failed for good)
- notify/delivery.py, lease.py, push.py, channels.py, remote.py: sending them

Nothing in warmline imports this module to queue a notification: the rota reports, the outbox
listens (notify/queue.py). This module imports the others, never the reverse.
"""

from __future__ import annotations

from .claims import (
    MAX_ATTEMPTS,
    REMOTE,
    REMOTE_LEASE,
    RETRY_BASE,
    STALE_SENDING,
    Claimed,
    Finished,
    Result,
    backoff,
    claim,
    finish,
)
from .kinds import KINDS, PEER_KINDS, SEVERITY, SHIFT_KINDS, TIME_DRIVEN
from .prefs import (
    CHANNELS,
    DEFAULT_CHANNELS,
    DEFAULT_LEADS,
    EXTERNAL_CHANNELS,
    MAX_LEAD_MINUTES,
    MAX_LEADS,
    Prefs,
    get_prefs,
    lead_text,
    parse_channels,
    parse_leads,
    parse_quiet,
    quiet_until,
    set_prefs,
)
from .queue import (
    COVER_FANOUT,
    HANDOFF_LEAD,
    cover_needed,
    note_written,
    refresh,
    refresh_now,
    shifts_cancelled,
    shifts_changed,
)
from .rows import (
    NO_LONGER,
    STATES,
    Notification,
    for_person,
    mark_shown_in_app,
    pending_for_app,
    require_self_or_coordinator,
)

__all__ = [
    "CHANNELS", "COVER_FANOUT", "DEFAULT_CHANNELS", "DEFAULT_LEADS", "EXTERNAL_CHANNELS", "HANDOFF_LEAD", "KINDS",
    "MAX_ATTEMPTS", "MAX_LEADS", "MAX_LEAD_MINUTES", "NO_LONGER", "PEER_KINDS", "REMOTE", "REMOTE_LEASE",
    "RETRY_BASE", "SEVERITY", "SHIFT_KINDS", "STALE_SENDING", "STATES", "TIME_DRIVEN", "Claimed", "Finished",
    "Notification", "Prefs", "Result", "backoff", "claim", "cover_needed", "finish", "for_person", "get_prefs",
    "lead_text", "mark_shown_in_app", "note_written", "parse_channels", "parse_leads", "parse_quiet",
    "pending_for_app", "quiet_until", "refresh", "refresh_now", "require_self_or_coordinator", "set_prefs",
    "shifts_cancelled", "shifts_changed",
]
