"""`warmline serve`: the app in a browser, through textual-serve (the optional `warmline[web]` extra).

Every browser tab runs its own app process, `python -m warmline.serve --db PATH`,
which opens on the sign-in screen: in a browser the actor is whoever signs in with
a handle and passphrase, never the OS user running the server (nor its WARMLINE_AS,
which is removed from the environment the app processes inherit).

The server binds to loopback unless told `--public`; TLS belongs to a reverse proxy.
A websocket is accepted only from the served address (its Origin header), sessions are
capped (all of them, and those not yet signed in), idle ones are ended, and the page
fetches nothing from another host: see warmline/webserver.py, which holds the parts that
need textual-serve.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from .errors import Invalid, Refused
from .serve_settings import (  # noqa: F401 (serve.check_port, serve.DEFAULT_HOST, ...: read here by the CLI and tests)
    DEFAULT_HOST,
    DEFAULT_IDLE_MINUTES,
    DEFAULT_MAX_SESSIONS,
    DEFAULT_MAX_SIGNING_IN,
    DEFAULT_PORT,
    MAX_IDLE_MINUTES,
    MAX_SESSIONS_LIMIT,
    SIGNED_IN_META,
    SIGN_IN_IDLE_SECONDS,
    allowed_origins,
    check_host,
    check_limits,
    check_port,
    check_public_url,
    is_loopback,
    origin_allowed,
    origin_text,
    websocket_url,
)

INSTALL_HINT = "pip install 'warmline[web]'"
# Who acts is decided by the sign-in screen in each browser, never by the server's environment;
# and no clock override reaches the apps people sign in to.
_IDENTITY_VARS = ("WARMLINE_AS", "WARMLINE_PASSPHRASE", "WARMLINE_NEW_PASSPHRASE", "WARMLINE_NOW")


def served_argv(db_path: Path) -> list[str]:
    """The process textual-serve runs for each browser (no shell): the app on its sign-in screen."""
    return [sys.executable, "-m", "warmline.serve", "--db", str(Path(db_path).resolve())]


def served_command(db_path: Path) -> str:
    """served_argv as one shell line (for messages)."""
    return shlex.join(served_argv(db_path))


def public_warning(host: str, public_url: str | None) -> str:
    """What to tell someone serving beyond loopback."""
    text = (
        f"warning: serving on {host} without TLS: passphrases typed in the browser cross the network in "
        "clear unless a reverse proxy with TLS (nginx, Caddy) sits in front; see the README"
    )
    if public_url is None:
        text += "; pass --public-url https://your.host so the page's websocket goes through the proxy"
    return text


def serve(db_path: Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, public: bool = False,
          public_url: str | None = None, title: str = "warmline", max_sessions: int = DEFAULT_MAX_SESSIONS,
          max_signing_in: int = DEFAULT_MAX_SIGNING_IN, idle_minutes: float = DEFAULT_IDLE_MINUTES) -> None:
    """Serve the app over HTTP until interrupted. Raises Invalid when textual-serve is not installed."""
    check_host(host, public)
    check_port(port)
    check_public_url(public_url)
    check_limits(max_sessions, max_signing_in, idle_minutes)
    try:
        import textual_serve.server  # noqa: F401 - the optional extra
    except ImportError:
        raise Invalid(f"warmline serve needs textual-serve, which is not installed: {INSTALL_HINT}") from None
    from .webserver import WarmlineServer

    for name in _IDENTITY_VARS:
        os.environ.pop(name, None)
    server = WarmlineServer(
        served_argv(db_path), host=host, port=port, title=title,
        public_url=public_url.rstrip("/") if public_url else None,
        max_sessions=max_sessions, max_signing_in=max_signing_in, idle_seconds=idle_minutes * 60,
    )
    try:
        server.serve()
    except OSError as exc:
        raise Refused(f"cannot listen on {host}:{port} ({exc.strerror or exc}): is the port in use? try --port") from None


def main(argv: list[str] | None = None) -> None:
    """The process each browser tab runs: the app on this rota, opening on its sign-in screen."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m warmline.serve", description=main.__doc__)
    parser.add_argument("--db", required=True, help="the rota file")
    args = parser.parse_args(argv)
    from warmline.screens.served import ServedApp

    ServedApp(Path(args.db)).run()


if __name__ == "__main__":
    main()
