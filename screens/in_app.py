"""The open app delivers its user's notifications, as `warmline notify` does.

Every DELIVERY_SECONDS, and when the file changes and something waits for them, the app runs the
core's delivery for the signed-in person (`warmline.notify.delivery.deliver_due`): desktop and terminal through the same
channel code as the daemon, so a desktop notification is claimed, sent and recorded once whoever
sends it. Then it shows as toasts what `outbox.pending_for_app` returns (the rows the person
wants in the app, and every row the desktop could not show) and marks them shown in the app.

Where it runs: on the app's poll thread (`WarmlineApp._poll`), on the connection that watches
PRAGMA data_version. A connection's own commits do not change its data_version, so the outbox's
bookkeeping (each claim rewrites the pending rows) does not read as "the rota changed" and reload
every screen once a second. The channels bound their own waits (the D-Bus check 5 s, notify-send
10 s); while one waits, the watch waits with it.

Why "when something waits for them" on a change, and not on every change: a delivery writes (each
claim refreshes the outbox, rewriting its pending rows), so with two apps open on one file each
one's delivery would be the other's change, back and forth once a second. A read-only look
(`outbox.pending_for_app`) decides; it is empty again once this app has shown its rows.

A missing desktop never stops the app: the desktop channel says "desktop unavailable" (the row is
failed for good, as the daemon would), and the toast shows it instead.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from warmline.errors import DatabaseError, WarmlineError
from warmline.notify.kinds import SEVERITY  # each kind's toast severity: the one table of kinds

from .base import thread_db

if TYPE_CHECKING:
    from warmline.db import Database
    from warmline.model import Person
    from warmline.notify import delivery, outbox

# The delivery code (channels, outbox, plyer's wrapper) is imported by the poll thread on the
# first delivery, after Home has drawn its data: the first screen does not need it.

DELIVERY_SECONDS = 15.0
TOAST_SECONDS = 12.0
MAX_TOASTS = 4  # more than this at once: the rest as one "N more" toast (Home shows what they are about)


class TerminalText:
    """A stream for the terminal channel: keeps what it writes (BEL and OSC 9/777) for the app to
    pass to its terminal on the app's thread (the app owns the terminal; stdout is not it)."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    @property
    def text(self) -> str:
        return "".join(self.parts)


class Delivered(NamedTuple):
    """One in-app delivery: what the channels did, the rows to toast, the terminal's text."""

    outcomes: list[delivery.Outcome]
    toasts: list[outbox.Notification]
    terminal: str = ""


def channels_for(db: Database, person: Person, terminal: TerminalText) -> list:
    """The person's external channels, as the daemon picks them: the test seam
    (WARMLINE_NOTIFY_CHANNEL) when set, else their choice (desktop, terminal); [] for the app only."""
    from warmline.notify import channels as chan
    from warmline.notify import outbox

    seam = chan.from_env()
    if seam is not None:
        return seam
    return chan.for_prefs(outbox.get_prefs(db.conn, person.id).external, terminal)


def deliver_for(path: Path, person: Person, channels: list | None = None) -> Delivered:
    """Deliver `person`'s due notifications and return what to toast. Runs on the poll thread.

    `channels` replaces the person's external channels (the app's `notifier`); None: their own.
    """
    from warmline.notify import delivery, outbox
    from warmline.people import get_by_id

    db = thread_db(path)
    current = get_by_id(db.conn, person.id)
    if current is None or not current.active:
        return Delivered([], [])
    terminal = TerminalText()
    targets = list(channels) if channels is not None else channels_for(db, current, terminal)
    outcomes = delivery.deliver_due(db, current, targets=targets)
    return Delivered(outcomes, outbox.pending_for_app(db.conn, current), terminal.text)


def waiting_for(path: Path, person: Person) -> bool:
    """True when rows wait to be shown to `person` in the app (read only; on the poll thread)."""
    from warmline.notify import outbox

    return bool(outbox.pending_for_app(thread_db(path).conn, person, limit=1))


def mark_shown(path: Path, person: Person, ids: list[int]) -> int:
    """Record that the app showed these rows (on the poll thread, like the delivery)."""
    from warmline.notify import outbox

    return outbox.mark_shown_in_app(thread_db(path), person, ids)


class InAppDelivery:
    """Mixin for the App: deliver the signed-in person's notifications now and then (toasts here).

    Needs on the App: `actor`, `db_path`, `notifier` (None, a channel, or a list of channels) and
    `_poll_pool` (the one-thread executor that owns the watching connection).
    """

    _delivering = False
    _rerun: str | None = None  # asked for while delivering: "full", or "if_waiting"
    _delivery_broken = False

    def start_delivery(self) -> None:
        """Deliver every DELIVERY_SECONDS from now on (call once the app is mounted)."""
        app: Any = self
        app.set_interval(DELIVERY_SECONDS, self.deliver_notifications, name="deliver")

    def deliver_notifications(self, *, if_waiting: bool = False) -> None:
        """Deliver now (in a worker); if a delivery is already running, run once more after it.

        if_waiting: only when rows wait to be shown here (after a change to the file; see the module).
        """
        app: Any = self
        if app.actor is None or app._poll_pool is None:
            return
        if self._delivering:
            self._rerun = "full" if not if_waiting or self._rerun == "full" else "if_waiting"
            return
        self._delivering = True
        app.run_worker(self._deliver(if_waiting), group="deliver", exit_on_error=False)

    def _delivery_channels(self) -> list | None:
        notifier = getattr(self, "notifier", None)
        if notifier is None:
            return None
        return list(notifier) if isinstance(notifier, (list, tuple)) else [notifier]

    async def _deliver(self, if_waiting: bool) -> None:
        app: Any = self
        loop = asyncio.get_running_loop()
        try:
            while True:
                self._rerun = None
                person, pool = app.actor, app._poll_pool
                if person is None or pool is None:
                    return
                try:
                    if if_waiting and not await loop.run_in_executor(pool, waiting_for, app.db_path, person):
                        return
                    done = await loop.run_in_executor(
                        pool, deliver_for, app.db_path, person, self._delivery_channels()
                    )
                    ids = self._show(done)
                    if ids:
                        await loop.run_in_executor(pool, mark_shown, app.db_path, person, ids)
                except (WarmlineError, DatabaseError, RuntimeError) as exc:
                    # Busy, read-only, or closing: the next tick tries again.
                    app.log.warning(f"in-app delivery: {exc}")
                    return
                except Exception as exc:  # noqa: BLE001 - a delivery bug must never stop the app
                    app.log.error(f"in-app delivery failed: {exc!r}")
                    if not self._delivery_broken:
                        self._delivery_broken = True
                        app.notify(
                            f"Notifications could not be delivered here ({type(exc).__name__}): "
                            "please tell a coordinator.",
                            severity="error",
                            timeout=15,
                        )
                    return
                if self._rerun is None:
                    return
                if_waiting = self._rerun == "if_waiting"
        finally:
            self._delivering = False

    def _show(self, done: Delivered) -> list[int]:
        """Toast the rows (on the app's thread), pass the terminal channel's text on; return the ids shown."""
        app: Any = self
        rows = done.toasts
        if rows:
            from warmline.views.app_text import for_app  # on the first toast, not at start
        for n in rows[:MAX_TOASTS]:
            app.notify(
                for_app(n.body),  # the core writes them for every channel: the app says it in its own words
                title=for_app(n.title),
                severity=SEVERITY.get(n.kind, "information"),
                timeout=TOAST_SECONDS,
                markup=False,
            )
        if len(rows) > MAX_TOASTS:
            app.notify(
                f"{len(rows) - MAX_TOASTS} more: Home shows your shifts, open seats and notes.",
                title="More notifications",
                timeout=TOAST_SECONDS,
                markup=False,
            )
        if done.terminal:
            driver = getattr(app, "_driver", None)  # no public way to write to the terminal; Textual is pinned
            if driver is not None and not app.is_headless:
                driver.write(done.terminal)
        return [n.id for n in rows]


__all__ = ["DELIVERY_SECONDS", "Delivered", "InAppDelivery", "TerminalText", "deliver_for", "mark_shown", "waiting_for"]
