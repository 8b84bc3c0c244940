"""`warmline serve`'s settings and checks, shared by the launcher (serve.py), the web server
(webserver.py) and the served app (screens/served.py): the defaults and limits, the options'
checks, which origins may open a session, and the meta packet a signed-in app writes.

Plain Python (no textual-serve, no Textual), so each of the three reads it without importing
another: serve.py starts the other two.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from .errors import Invalid, Refused

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_SESSIONS = 20  # app processes (each ~40 MiB)
DEFAULT_MAX_SIGNING_IN = 4  # of those, not yet signed in
DEFAULT_IDLE_MINUTES = 30.0  # a session without a key press or mouse event this long is ended
SIGN_IN_IDLE_SECONDS = 300.0  # a sign-in screen left alone this long is closed (at most the idle time)
MAX_SESSIONS_LIMIT = 1000
MAX_IDLE_MINUTES = 24 * 60.0
# The meta packet an app process writes on its stdout when someone has signed in (screens/served.py).
SIGNED_IN_META = "warmline-signed-in"


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # any other name may resolve to a public address


def check_host(host: str, public: bool) -> None:
    """Refuse a non-loopback host unless --public was given."""
    if not host or not host.strip():
        raise Invalid("--host is empty: give 127.0.0.1 (the default), or an address with --public")
    if not is_loopback(host) and not public:
        raise Refused(
            f"--host {host} would serve the rota beyond this machine: add --public if you mean it "
            "(and put a reverse proxy with TLS in front; see the README), or keep the default 127.0.0.1"
        )


def check_port(port: int) -> None:
    """Refuse a port outside 1-65535."""
    if not 1 <= port <= 65535:
        raise Invalid(f"--port {port} is not a TCP port: give a number from 1 to 65535, e.g. 8000")


def check_public_url(public_url: str | None) -> None:
    """Refuse a --public-url that is not an http(s) URL."""
    if public_url is not None and not public_url.startswith(("http://", "https://")):
        raise Invalid(f"--public-url {public_url[:60]!r} must start with https:// (or http://)")


def check_limits(max_sessions: int, max_signing_in: int, idle_minutes: float) -> None:
    """Refuse session caps and an idle time out of range (the option's name is in the message)."""
    if not 1 <= max_sessions <= MAX_SESSIONS_LIMIT:
        raise Invalid(f"--max-sessions {max_sessions} is out of range: give a number from 1 to {MAX_SESSIONS_LIMIT}")
    if not 1 <= max_signing_in <= MAX_SESSIONS_LIMIT:
        raise Invalid(
            f"--max-signing-in {max_signing_in} is out of range: give a number from 1 to {MAX_SESSIONS_LIMIT}"
        )
    if not 0 < idle_minutes <= MAX_IDLE_MINUTES:
        raise Invalid(
            f"--idle-minutes {idle_minutes:g} is out of range: give minutes above 0 and at most {MAX_IDLE_MINUTES:g}"
        )


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s)/ws(s) URL, or None when it has none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in ("http", "https", "ws", "wss") or not host:
        return None
    secure = scheme in ("https", "wss")
    return ("https" if secure else "http", host, port or (443 if secure else 80))


def allowed_origins(host: str, port: int, public_url: str | None) -> frozenset[tuple[str, str, int]]:
    """The origins whose pages may open a session: the served address, its loopback
    equivalents (localhost, 127.0.0.1, [::1]) for a loopback bind, and --public-url."""
    found = set()
    bare = host.strip().strip("[]").lower()
    found.add(("http", bare, port))
    if is_loopback(host):
        found.update(("http", name, port) for name in ("localhost", "127.0.0.1", "::1"))
    if public_url:
        public = _origin(public_url)
        if public is not None:
            found.add(public)
    return frozenset(found)


def origin_allowed(origin: str | None, allowed: frozenset[tuple[str, str, int]]) -> bool:
    """True when a websocket's Origin header names one of the allowed origins (a missing or
    'null' Origin is refused: every browser sends one)."""
    if not origin:
        return False
    parsed = _origin(origin)
    return parsed is not None and parsed in allowed


def websocket_url(public_url: str) -> str:
    """The page's websocket URL for the server's public URL."""
    scheme = "wss" if public_url.lower().startswith("https") else "ws"
    return f"{scheme}:{public_url.split(':', 1)[1].rstrip('/')}/ws"


def origin_text(url: str) -> str:
    """scheme://host[:port] of a URL, as a CSP source."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
