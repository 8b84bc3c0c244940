"""`warmline serve`: the app in a browser, through textual-serve (the optional `warmline[web]` extra).

Every browser tab runs its own app process, `python -m warmline.serve --db PATH`,
which opens on the sign-in screen: in a browser the actor is whoever signs in with
a handle and passphrase, never the OS user running the server (nor its WARMLINE_AS,
which is removed from the environment the app processes inherit).

The server binds to loopback unless told `--public`; TLS belongs to a reverse proxy.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import sys
from pathlib import Path

from .errors import Invalid, Refused

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
INSTALL_HINT = "pip install 'warmline[web]'"
# Who acts is decided by the sign-in screen in each browser, never by the server's environment.
_IDENTITY_VARS = ("WARMLINE_AS", "WARMLINE_PASSPHRASE", "WARMLINE_NEW_PASSPHRASE")


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


def served_command(db_path: Path) -> str:
    """The shell command textual-serve runs for each browser: the app on its sign-in screen."""
    return shlex.join([sys.executable, "-m", "warmline.serve", "--db", str(Path(db_path).resolve())])


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
          public_url: str | None = None, title: str = "warmline") -> None:
    """Serve the app over HTTP until interrupted. Raises Invalid when textual-serve is not installed."""
    check_host(host, public)
    check_port(port)
    check_public_url(public_url)
    try:
        from textual_serve.server import Server
    except ImportError:
        raise Invalid(f"warmline serve needs textual-serve, which is not installed: {INSTALL_HINT}") from None
    for name in _IDENTITY_VARS:
        os.environ.pop(name, None)
    server = Server(
        served_command(db_path), host=host, port=port, title=title,
        public_url=public_url.rstrip("/") if public_url else None,
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
    from screens.app import make_app

    make_app(Path(args.db), actor=None).run()


if __name__ == "__main__":
    main()
