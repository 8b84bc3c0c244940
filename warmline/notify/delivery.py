"""The delivery loop: refresh the outbox, claim one person's due rows, send them, record how it went.

A desktop belongs to one person, so a loop delivers only its actor's notifications
(`warmline notify` acts as the OS user's person, or --as). Sending happens outside
any transaction; see `claims` for how claims keep two loops from sending one row twice.
"""

from __future__ import annotations

import signal
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from ..clock import now
from ..db import Database
from ..errors import WarmlineError
from ..model import Person
from . import channels as chan
from . import claims
from .rows import Notification

STEP_SECONDS = 0.2  # the daemon sleeps in steps this short, so SIGTERM/SIGINT act at once
DEFAULT_INTERVAL = 30


@dataclass(frozen=True)
class Outcome:
    """What happened to one notification in one delivery run, and why."""

    notification: Notification
    result: str  # sent | retry | failed | held | expired | lost
    channel: str | None = None
    error: str | None = None
    when: datetime | None = None  # retry at, or held until

    def describe(self, tz) -> str:
        """One line for a person: what, where, and why not."""
        n = self.notification
        what = f"#{n.id} {n.title}"
        if self.result == "sent":
            text = f"sent {what} ({self.channel})"
            if self.error:
                text += f"; {self.error}"
            return text
        if self.result == "retry":
            return f"not sent {what}: {self.error}; will retry at {self.when.astimezone(tz):%H:%M:%S}"
        if self.result == "failed":
            return f"failed {what}: {self.error}; shown in the app instead"
        if self.result == "held":
            return f"held {what}: quiet hours until {self.when.astimezone(tz):%H:%M}"
        if self.result == "expired":
            return f"expired {what}: {n.last_error or 'too late'}"
        return f"skipped {what}: another delivery took it over"

    def as_json(self, tz) -> dict:
        n = self.notification
        return {
            "id": n.id,
            "kind": n.kind,
            "title": n.title,
            "result": self.result,
            "channel": self.channel,
            "error": self.error,
            "when": self.when.astimezone(tz).isoformat(timespec="seconds") if self.when else None,
            "state": n.state,
        }


def _send_one(n: Notification, targets: list) -> claims.Result:
    if not targets:
        return claims.Result(n.id, ("app",))  # the person chose the app only: it shows the row itself
    reached: list[str] = []
    errors: list[chan.ChannelError] = []
    for target in targets:
        try:
            target.send(n)
            reached.append(target.name)
            partial = getattr(target, "partial", None)  # push: some destinations took it, these did not
            if partial:
                errors.append(chan.ChannelError(partial))
        except chan.ChannelError as exc:
            errors.append(exc)
        except Exception as exc:  # noqa: BLE001 - a channel bug is a failed attempt, never a crash
            errors.append(chan.ChannelError(f"{target.name}: unexpected {type(exc).__name__}: {exc}"))
    message = "; ".join(str(e) for e in errors) or None
    if reached:
        return claims.Result(n.id, tuple(reached), message)
    return claims.Result(n.id, (), message, permanent=all(e.permanent for e in errors))


def deliver_due(
    db: Database,
    person: Person,
    *,
    targets: list | None = None,
    stream: TextIO | None = None,
    moment: datetime | None = None,
) -> list[Outcome]:
    """One tick for one person: refresh, claim what is due, send it, record it. Returns what happened.

    `targets` replaces the person's channels (tests inject fakes); else WARMLINE_NOTIFY_CHANNEL (a test
    seam), else the person's own choice. `stream` is where the terminal channel writes (default: a tty stdout).
    """
    moment = moment or now()
    seam = chan.from_env() if targets is None else None
    claimed = claims.claim(db, person.id, moment=moment)
    if targets is None:
        if seam is not None:
            targets = seam
        else:
            from .push import channel_for

            targets = chan.for_prefs(claimed.prefs.external, stream) + channel_for(db.conn, person.id)
    results: list[claims.Result] = []
    try:
        for n in claimed.rows:
            results.append(_send_one(n, targets))
    finally:
        # Record what was sent even if something unexpected stops the loop; the rest are requeued in 5 min.
        finished = claims.finish(db, claimed.token, results, moment=moment) if results else []
    by_id = {r.id: r for r in results}
    outcomes = [Outcome(n, "expired") for n in claimed.expired]
    for f in finished:
        r = by_id[f.notification.id]
        outcomes.append(
            Outcome(
                f.notification,
                f.outcome,
                channel=",".join(r.channels) or None,
                error=r.error,
                when=f.retry_at,
            )
        )
    outcomes += [Outcome(n, "held", when=until) for n, until in claimed.held]
    return outcomes


def deliver_push_all(db: Database, actor: Person, *, moment: datetime | None = None) -> list[Outcome]:
    """The host's push round (coordinators): each active person with push destinations gets their due
    notifications through push only (their desktop is not on this machine). A notification goes out
    once: whichever delivery claims it first (this, their own `notify`, or `notify --remote`) sends it."""
    from ..errors import Refused
    from ..people import get_by_id
    from .push import channel_for, people_with_push

    if not (actor.active and actor.is_coordinator):
        raise Refused(
            f"only coordinators may deliver everyone's push notifications; {actor.handle} may run `warmline notify` for their own"
        )
    outcomes: list[Outcome] = []
    for person_id in people_with_push(db.conn):
        person = get_by_id(db.conn, person_id)
        if person is None or not person.active:
            continue
        targets = channel_for(db.conn, person_id)
        if targets:
            outcomes += deliver_due(db, person, targets=targets, moment=moment)
    return outcomes


class _Stop:
    def __init__(self) -> None:
        self.signal: int | None = None

    def __call__(self, signum, frame) -> None:
        self.signal = signum


def run_daemon(
    db: Database,
    person: Person,
    *,
    interval: float = DEFAULT_INTERVAL,
    report: Callable[[Outcome], None],
    warn: Callable[[str], None],
    stream: TextIO | None = None,
    max_ticks: int | None = None,
    push_all: bool = False,
) -> str:
    """Deliver every `interval` seconds until SIGTERM or SIGINT; returns the name of the signal that stopped it.

    A tick that fails (the database stayed busy, say) is reported through `warn` and retried next tick.
    """
    from ..people import get_by_id

    stop = _Stop()
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    ticks = 0
    try:
        while stop.signal is None:
            try:
                current = get_by_id(db.conn, person.id)
                if current is None or not current.active:
                    warn(f"{person.handle} is no longer active on this line: stopping")
                    return "inactive"
                rounds = deliver_push_all(db, current) if push_all else deliver_due(db, current, stream=stream)
                for outcome in rounds:
                    report(outcome)
            except WarmlineError as exc:
                warn(f"this round failed ({exc}); trying again in {interval:g} s")
            except (sqlite3.Error, OSError) as exc:  # e.g. a read while the file is briefly unavailable
                warn(f"this round failed ({type(exc).__name__}: {exc}); trying again in {interval:g} s")
            ticks += 1
            if max_ticks is not None and ticks >= max_ticks:
                return "done"
            deadline = time.monotonic() + interval
            while stop.signal is None and time.monotonic() < deadline:
                time.sleep(min(STEP_SECONDS, max(0.0, deadline - time.monotonic())))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return signal.Signals(stop.signal).name
