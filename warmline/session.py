"""Who is acting and on which file, and opening the app: what `warmline` needs without click.

`Context` is what every command shares (warmline/cli passes it to each); `open_app` opens the
TUI for it. Neither imports click, so `warmline` itself (warmline/launch.py) can open the app
without loading the command-line framework and its sixty commands.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable


class Context:
    """What every command shares: the database path and who is acting, opened on first use."""

    def __init__(self, db_path: str | None, as_handle: str | None) -> None:
        self.db_path = db_path
        self.as_handle = as_handle
        self.use_config = True  # the machine's config may name a default actor (not for the demo)
        self.refuse_foreign_schema = True  # `warmline check` opens such a file to list what is foreign
        self._db = None
        self._actor = None

    def db(self):
        if self._db is None:
            from .db import open_db

            self._db = open_db(self.db_path, schema=self.refuse_foreign_schema)
        return self._db

    def line(self):
        from .line import get

        return get(self.db().conn)

    def tz(self):
        from .recurrence import zone

        return zone(self.line().tz)

    def actor(self):
        if self._actor is None:
            from .access import resolve_actor

            handle = self.as_handle
            if handle is None and self.use_config:
                from .config import load

                handle = load().default_actor
            self._actor = resolve_actor(self.db(), handle, _passphrase_source)
        return self._actor

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


def _passphrase_source() -> str | None:
    secret = os.environ.get("WARMLINE_PASSPHRASE")
    if secret is not None:
        return secret
    if sys.stdin is not None and sys.stdin.isatty():
        import click

        return click.prompt("Passphrase", hide_input=True, err=True)
    return None


def open_app(c: Context) -> None:
    """Open the TUI, or (until it exists) print this week's rota."""
    from .errors import Refused

    try:
        from warmline.screens.start import begin
    except ImportError:
        import click

        from .text import safe
        from .views.rota_text import listed, rota_lines

        actor = c.actor()
        tz = c.tz()
        for text in rota_lines(c.line(), listed(c.db(), actor, tz, None, None), tz):
            click.echo(safe(text, multiline=True))  # as the CLI's echo prints `warmline shifts`
        click.echo("\n(The full-screen app is not installed; see `warmline --help` for commands.)", err=True)
        return
    db = c.db()
    refused = None
    try:
        actor = c.actor()
    except Refused as error:
        if c.as_handle and os.environ.get("WARMLINE_PASSPHRASE") is not None:
            raise  # a wrong passphrase given on purpose is an error, not a reason to ask again
        actor = None  # unknown here: the app opens on its sign-in screen
        if c.as_handle:  # e.g. a wrong passphrase at the prompt: say so there, the handle filled in
            refused = (c.as_handle, str(error))
    # Read the file (its first data_version, then Home's data) while the UI is being imported.
    started = begin(db.path, actor)
    from warmline.screens.app import make_app

    path = db.path
    c.close()
    c._db = None
    from .config import load

    settings = load()
    app = make_app(path, actor=actor, started=started, keys=dict(settings.keys), refused=refused)
    if settings.theme:
        app.theme = settings.theme
    app.run()


def _say(text: str, *, err: bool = False) -> None:
    """One line printed as the CLI's echo prints it (text.safe: control characters made visible)."""
    from .text import safe

    stream = sys.stderr if err else sys.stdout
    stream.write(safe(text, multiline=True) + "\n")
    stream.flush()


def open_demo(
    c: Context,
    *,
    seed: int = 7,
    people: int | None = None,
    weeks: int | None = None,
    round_the_clock: bool = False,
    no_tui: bool = False,
    say: Callable[..., None] = _say,
) -> None:
    """`warmline demo`: create the demo line if the file has none, say what is there, and open it as
    its coordinator. The CLI's `demo` runs it; so does warmline/launch.py for a plain `warmline demo`
    (without click). The demo lives in demo.db beside the real rota, unless --db names a file."""
    from .db import open_db, resolve_path
    from .demo import build, check_options

    check_options(seed=seed, people=people, weeks=weeks)  # before demo.db is created
    path, _chosen = resolve_path(c.db_path)
    if not c.db_path:
        path = path.parent / "demo.db"
    db = open_db(path, create=True, make_parent=not c.db_path)
    c._db = db
    summary = build(db, seed=seed, people=people, weeks=weeks, round_the_clock=round_the_clock)
    say(summary, err=no_tui is False)
    if no_tui:
        return
    c.as_handle = None  # the demo maps the OS user to its first coordinator
    c.use_config = False
    open_app(c)
