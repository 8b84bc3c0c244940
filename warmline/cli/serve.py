"""`warmline config` and `warmline serve`: this machine's settings file, and the app in a browser."""

from __future__ import annotations

import click

from ..session import Context
from .output import echo, emit, json_option, pass_ctx
from .root import cli


@cli.group("config")
def config_group() -> None:
    """This machine's settings file: where it is and what it says.

    \b
    Example:
      warmline config path
    """


@config_group.command("path")
def config_path_cmd() -> None:
    """Print the settings file's path ($WARMLINE_CONFIG, else the config directory).

    \b
    Example:
      warmline config path
    """
    from ..config import path

    echo(str(path()))


@config_group.command("show")
@click.option("--example", is_flag=True, help="Print a commented example file instead.")
@json_option
def config_show_cmd(example: bool, as_json: bool) -> None:
    """Check the settings file and print the settings in effect.

    Settings: theme (a Textual theme), default_actor (a handle), notification_channels
    (any of desktop, terminal, app), and a [keys] table remapping the app's keys by
    action id (the app's help, ?, lists the ids). An unknown setting or a wrong value
    is an error.

    \b
    Examples:
      warmline config show
      warmline config show --example > ~/.config/warmline/config.toml
    """
    from ..config import EXAMPLE, as_dict, load, path

    if example:
        echo(EXAMPLE, nl=False)
        return
    settings = as_dict(load())
    if as_json:
        emit(settings | {"path": str(path())})
        return
    from ..text import json_dumps

    echo(f"# {path()}{'' if path().exists() else ' (not there: the defaults)'}")
    for key, value in settings.items():
        echo(f"{key} = {json_dumps(value, indent=None)}")


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback unless --public).")
@click.option("--port", type=int, default=8000, show_default=True, help="TCP port.")
@click.option("--public", is_flag=True, help="Allow a non-loopback --host (put TLS in a reverse proxy in front).")
@click.option("--public-url", metavar="URL", help="The URL browsers use, e.g. https://rota.example.org (behind a proxy).")
@click.option("--max-sessions", type=int, metavar="N",
              help="Browser sessions open at once (default: the serve_max_sessions setting, 20).")
@click.option("--max-signing-in", type=int, metavar="N",
              help="Of those, sessions not signed in yet (default: the serve_max_signing_in setting, 4).")
@click.option("--idle-minutes", type=float, metavar="M",
              help="Sign out a session unused this long (default: the serve_idle_minutes setting, 30).")
@pass_ctx
def serve_cmd(c: Context, host: str, port: int, public: bool, public_url: str | None, max_sessions: int | None,
              max_signing_in: int | None, idle_minutes: float | None) -> None:
    """Serve the app to web browsers (needs the extra: pip install 'warmline[web]').

    Each browser tab gets its own app, which opens on the sign-in screen: the person is
    whoever signs in, never the OS user running the server. Listens on 127.0.0.1 only,
    unless --public is given for another --host. Only pages from the served address (or
    --public-url) may open a session; sessions are capped, and idle ones signed out.

    \b
    Examples:
      warmline serve
      warmline serve --max-sessions 10 --idle-minutes 15
      warmline serve --host 0.0.0.0 --port 8000 --public --public-url https://rota.example.org
    """
    from ..config import load
    from ..serve import check_host, check_limits, check_port, check_public_url, public_warning, serve

    check_host(host, public)  # refuse before opening anything (and before warning about it)
    check_port(port)
    check_public_url(public_url)
    settings = load()
    max_sessions = settings.serve_max_sessions if max_sessions is None else max_sessions
    max_signing_in = settings.serve_max_signing_in if max_signing_in is None else max_signing_in
    idle_minutes = settings.serve_idle_minutes if idle_minutes is None else idle_minutes
    check_limits(max_sessions, max_signing_in, idle_minutes)
    path = c.db().path  # refuse a missing or foreign rota now, not in every browser tab
    title = c.line().name
    c.close()
    c._db = None
    if public:
        echo(public_warning(host, public_url), err=True)
    serve(path, host=host, port=port, public=public, public_url=public_url, title=title, max_sessions=max_sessions,
          max_signing_in=max_signing_in, idle_minutes=idle_minutes)
