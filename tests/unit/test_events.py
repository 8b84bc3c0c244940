"""The rota reports, the outbox reacts: every event has its subscriber whatever part of warmline a
face imports first, and an event nobody hears is an error, never a notification quietly lost."""

from __future__ import annotations

import subprocess
import sys

import pytest

from warmline import events
from warmline.notify import kinds, outbox, queue, reactions

FIRST_IMPORTS = ["warmline.rota", "warmline.handoff", "warmline.db", "warmline.cli", "warmline.screens.app",
                 "warmline.demo", "warmline.exchange"]


@pytest.mark.fast_tier_sample(3)
@pytest.mark.parametrize("first", FIRST_IMPORTS)
def test_every_event_is_heard_whatever_is_imported_first(first: str) -> None:
    script = (
        f"import {first}\n"
        "from warmline import events\n"
        "print(sorted(e for e in events.EVENTS if not events.listening(e)))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]", f"after `import {first}` nobody listens to {done.stdout.strip()}"


def test_the_outbox_reacts_to_each_event() -> None:
    assert events.listening("shifts.changed") == (reactions.shifts_changed,)
    assert events.listening("shifts.cancelled") == (reactions.shifts_cancelled,)
    assert events.listening("seat.opened") == (reactions.cover_needed,)
    assert events.listening("cover.withdrawn") == (reactions.cover_withdrawn,)
    assert events.listening("note.written") == (reactions.note_written,)
    for name in ("shifts_changed", "shifts_cancelled", "cover_needed", "cover_withdrawn", "note_written"):
        assert callable(getattr(queue, name)), f"queue.{name} is what reactions.{name} runs"


def test_importing_warmline_loads_nothing_of_the_outbox_until_an_event() -> None:
    """`import warmline` (every start) subscribes without loading the outbox, the database or logging."""
    script = "import sys, warmline\nprint(sorted(m for m in sys.modules if m in WATCHED))"
    watched = ["warmline.notify.queue", "warmline.db", "warmline.audit", "logging", "sqlite3"]
    done = subprocess.run([sys.executable, "-c", f"WATCHED = {watched!r}\n" + script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]", f"`import warmline` loaded {done.stdout.strip()}"


def test_an_event_nobody_hears_is_refused(monkeypatch, tmp_path) -> None:
    import sqlite3

    monkeypatch.setitem(events._subscribers, "seat.opened", [])
    conn = sqlite3.connect(tmp_path / "x.db")
    conn.execute("BEGIN")
    with pytest.raises(RuntimeError, match="nobody listens to 'seat.opened'"):
        events.report(conn, "seat.opened", shift_id=1, role="peer", left_person_id=None)
    with pytest.raises(ValueError, match="not an event"):
        events.subscribe("shift.moved", print)


def test_an_event_outside_a_transaction_is_refused(tmp_path) -> None:
    import sqlite3

    conn = sqlite3.connect(tmp_path / "x.db")
    with pytest.raises(RuntimeError, match="inside the write transaction"):
        events.report(conn, "note.written", note_id=1)


def test_one_table_of_kinds() -> None:
    """The lists and the severities come from notify/kinds.py's table (the CHECK test is in test_triads)."""
    assert outbox.KINDS == kinds.KINDS == tuple(k.name for k in kinds.TABLE)
    assert set(kinds.SHIFT_KINDS) | set(kinds.PEER_KINDS) == set(kinds.KINDS)
    assert set(kinds.SEVERITY) == set(kinds.KINDS)
    assert set(kinds.SEVERITY.values()) <= {"information", "warning"}
    assert kinds.SEVERITY["cancelled"] == kinds.SEVERITY["unacked"] == "warning"
