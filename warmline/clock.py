"""The one clock. `WARMLINE_NOW` (ISO 8601 with an offset) fixes it for demos and tests.

Whoever runs a command sets WARMLINE_NOW, so it only drives what is shown and what a demo
builds. A decision about access ("is this volunteer on shift now?", how long a handle stays
locked) uses `real_now()`, which nothing the acting person sets can move.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone

from .errors import Invalid


def now() -> datetime:
    """Return the current time as an aware UTC datetime, honouring WARMLINE_NOW."""
    fixed = os.environ.get("WARMLINE_NOW")
    if fixed:
        try:
            value = datetime.fromisoformat(fixed.strip().replace("Z", "+00:00"))
        except ValueError:
            raise Invalid(
                f"WARMLINE_NOW={fixed!r} is not an ISO 8601 time: "
                "use a form like 2026-11-23T09:00:00-05:00, or unset it"
            ) from None
        if value.tzinfo is None:
            raise Invalid(
                f"WARMLINE_NOW={fixed!r} has no UTC offset: add one, e.g. 2026-11-23T09:00:00-05:00"
            )
        from .times import check_moment

        check_moment(value, "WARMLINE_NOW")  # near year 1 or 9999, date arithmetic would overflow
        return value.astimezone(timezone.utc)
    return datetime.now(timezone.utc)


def real_now() -> datetime:
    """The real present as an aware UTC datetime; never follows WARMLINE_NOW. For access decisions."""
    return datetime.now(timezone.utc)
