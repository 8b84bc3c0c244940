"""Where a notification is shown: the desktop, the person's terminal, or (by itself) the app.

Each channel's `send(notification)` returns on success and raises `ChannelError` otherwise;
`permanent=True` means retrying soon will not help (no desktop session at all), so the
row is failed at once and left for the app to show.

The desktop channel checks that a notification service is reachable *before* sending:
plyer's Linux backends do not report failure (its notify-send backend ignores the exit
code), so a missing D-Bus session would otherwise count as "sent". When `notify-send`
exists it is run directly, with a timeout and its exit code checked; plyer (imported
only then: it is heavy) is the fallback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from typing import Protocol, TextIO

from ..errors import Invalid

DBUS_TIMEOUT = 5
NOTIFY_SEND_TIMEOUT = 10
NOTIFICATIONS_NAME = "org.freedesktop.Notifications"


class ChannelError(Exception):
    """A channel could not show a notification; `permanent` says whether retrying later is pointless."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent

    def __str__(self) -> str:
        return self.message


class DesktopUnavailable(ChannelError):
    """No desktop notification service can be reached (reported as 'desktop unavailable: …')."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"desktop unavailable: {reason}", permanent=True)
        self.reason = reason


class Channel(Protocol):
    name: str

    def send(self, notification) -> None: ...


# ---------------------------------------------------------------- desktop


def _first_line(text: str) -> str:
    return next((line.strip() for line in (text or "").splitlines() if line.strip()), "")[:160]


def _dbus_call(method: str, *args: str) -> subprocess.CompletedProcess[str] | None:
    """Call a method on the session bus's org.freedesktop.DBus with dbus-send (or gdbus); None if neither exists."""
    dbus_send = shutil.which("dbus-send")
    if dbus_send:
        argv = [
            dbus_send, "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
            f"org.freedesktop.DBus.{method}", *(f"string:{a}" for a in args),
        ]
    else:
        gdbus = shutil.which("gdbus")
        if not gdbus:
            return None
        argv = [
            gdbus, "call", "--session", "--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus",
            "--method", f"org.freedesktop.DBus.{method}", *args,
        ]
    return subprocess.run(argv, capture_output=True, text=True, timeout=DBUS_TIMEOUT, stdin=subprocess.DEVNULL)


def desktop_problem() -> str | None:
    """Why desktop notifications cannot be shown here, or None when a notification service is reachable."""
    if sys.platform == "darwin" or sys.platform.startswith("win"):
        return None  # no D-Bus: plyer's own backend reports what it cannot do
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return "no D-Bus session (DBUS_SESSION_BUS_ADDRESS unset)"
    try:
        owner = _dbus_call("NameHasOwner", NOTIFICATIONS_NAME)
    except subprocess.TimeoutExpired:
        return f"the D-Bus session did not answer within {DBUS_TIMEOUT} s"
    except OSError as exc:
        return f"cannot ask the D-Bus session ({exc.strerror})"
    if owner is None:
        return None  # neither dbus-send nor gdbus: cannot check; the send itself will tell
    if owner.returncode != 0:
        return f"the D-Bus session is not reachable ({_first_line(owner.stderr) or 'exit ' + str(owner.returncode)})"
    if "true" in owner.stdout:
        return None
    # Not running, but the bus may start it on demand (D-Bus activation).
    try:
        activatable = _dbus_call("ListActivatableNames")
    except (subprocess.TimeoutExpired, OSError):
        activatable = None
    if activatable is not None and activatable.returncode == 0 and NOTIFICATIONS_NAME in activatable.stdout:
        return None
    return f"no notification service on the D-Bus session (nothing owns {NOTIFICATIONS_NAME})"


def desktop_text(title: str, body: str) -> tuple[str, str]:
    """The title and body as a notification server is given them: controls made visible and
    &, <, > escaped (text.notification_body), since servers read a subset of HTML (<a href>, <img>)."""
    from ..text import notification_body

    return notification_body(title), notification_body(body)


def send_desktop(title: str, body: str) -> str:
    """Show a desktop notification; return the backend used. Raises DesktopUnavailable or ChannelError."""
    problem = desktop_problem()
    if problem:
        raise DesktopUnavailable(problem)
    title, body = desktop_text(title, body)
    notify_send = shutil.which("notify-send")
    if notify_send:
        try:
            done = subprocess.run(
                [notify_send, "--app-name=warmline", "--", title, body],
                capture_output=True,
                text=True,
                timeout=NOTIFY_SEND_TIMEOUT,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise ChannelError(f"desktop: notify-send did not finish within {NOTIFY_SEND_TIMEOUT} s") from None
        except OSError as exc:
            raise DesktopUnavailable(f"notify-send could not run ({exc.strerror})") from None
        if done.returncode != 0:
            detail = _first_line(done.stderr) or "no message"
            raise DesktopUnavailable(f"notify-send failed (exit {done.returncode}: {detail})")
        return "notify-send"
    try:
        from plyer import notification  # heavy: only when notify-send is not there
    except ImportError as exc:
        raise DesktopUnavailable(f"plyer cannot be imported ({exc})") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # plyer warns about missing backends on stderr; failure is reported below
            notification.notify(title=title, message=body, app_name="warmline", timeout=10)
    except NotImplementedError:
        raise DesktopUnavailable("plyer has no notification backend on this system") from None
    except Exception as exc:  # noqa: BLE001 - any backend failure is reported, never raised
        raise DesktopUnavailable(f"plyer could not notify ({type(exc).__name__}: {_first_line(str(exc))})") from None
    return "plyer"


class DesktopChannel:
    """Desktop notifications (notify-send, else plyer), after checking a service is there."""

    name = "desktop"

    def send(self, notification) -> None:
        send_desktop(notification.title, notification.body)


# ---------------------------------------------------------------- terminal


def _osc_text(text: str, *, field: bool = False) -> str:
    from ..text import safe

    # Stored text is made safe first (bidi and format controls become visible escapes); then
    # anything that could end the sequence early (BEL, ESC, ST) or start another is dropped.
    text = safe(text, multiline=True)
    cleaned = "".join(" " if ch == "\n" else ch for ch in text if ch == "\n" or (ord(ch) >= 32 and not 0x7F <= ord(ch) <= 0x9F))
    return cleaned.replace(";", ",") if field else cleaned


def terminal_sequence(title: str, body: str) -> str:
    """BEL, then OSC 9 (iTerm2, Windows Terminal, kitty…) and OSC 777 (urxvt, foot, WezTerm…) notifications."""
    return (
        "\a"
        f"\x1b]9;{_osc_text(title)}: {_osc_text(body)}\x07"
        f"\x1b]777;notify;{_osc_text(title, field=True)};{_osc_text(body)}\x07"
    )


class TerminalChannel:
    """Writes a terminal notification to `stream`, or to stdout when that is a terminal."""

    name = "terminal"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, notification) -> None:
        stream = self.stream
        if stream is None:
            out = sys.stdout
            if out is None or not out.isatty():
                raise ChannelError("terminal unavailable: standard output is not a terminal", permanent=True)
            stream = out
        try:
            stream.write(terminal_sequence(notification.title, notification.body))
            stream.flush()
        except (OSError, ValueError) as exc:
            raise ChannelError(f"terminal: cannot write ({exc})", permanent=True) from None


# ---------------------------------------------------------------- the test seam


class FileChannel:
    """TEST SEAM: appends each delivered notification's id (one per line) to a file.

    Chosen with WARMLINE_NOTIFY_CHANNEL=file:/path, which replaces every other channel;
    tests use it to count deliveries across real processes. Not for real use.
    """

    name = "file"

    def __init__(self, path: str) -> None:
        self.path = path

    def send(self, notification) -> None:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, f"{notification.id}\n".encode())  # one small O_APPEND write: never interleaved
            finally:
                os.close(fd)
        except OSError as exc:
            raise ChannelError(f"file: cannot append to {self.path} ({exc.strerror})") from None


def from_env() -> list[Channel] | None:
    """The channel WARMLINE_NOTIFY_CHANNEL names (a test seam: 'file:/path'), or None when unset."""
    value = os.environ.get("WARMLINE_NOTIFY_CHANNEL", "").strip()
    if not value:
        return None
    kind, _, arg = value.partition(":")
    if kind == "file" and arg:
        return [FileChannel(arg)]
    raise Invalid(f"WARMLINE_NOTIFY_CHANNEL={value[:60]!r} is not understood: use file:/path (a test seam), or unset it")


def for_prefs(external: tuple[str, ...], stream: TextIO | None = None) -> list[Channel]:
    """The channel objects for a person's chosen external channels (desktop, terminal)."""
    found: list[Channel] = []
    for name in external:
        if name == "desktop":
            found.append(DesktopChannel())
        elif name == "terminal":
            found.append(TerminalChannel(stream))
    return found
