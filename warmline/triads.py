"""Triads (issue 16): peers supporting peers in groups of three (or four), meeting regularly.

Schema (migration 10): ``triad_optin`` (a person's own choice, timestamped), ``triad`` (its recurring
meeting: weekly or fortnightly, an hour, local wall time in the line's zone), ``triad_member`` (the
fixed narrator order in ``position``; ``left_at`` once someone leaves) and ``triad_meeting`` (each
meeting expanded like a shift: UTC, local wall time, zone, and its narrator). Nothing said in a
triad is stored: warmline records only that a meeting is scheduled.
"""

from __future__ import annotations

MEETING_MINUTES = 60
RULES = ("weekly", "fortnightly")
