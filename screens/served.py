"""The app as `warmline serve` runs it in each browser tab (python -m warmline.serve --db PATH).

It opens on sign-in, like any app with no actor, and tells the server when someone has
signed in (a meta packet on the web driver's stdout), so the server can cap the sessions
that are not signed in yet (warmline/webserver.py).
"""

from __future__ import annotations

from pathlib import Path

from warmline.model import Person
from warmline.serve_settings import SIGNED_IN_META

from .app import WarmlineApp


class ServedApp(WarmlineApp):
    """WarmlineApp with no actor, reporting a sign-in to textual-serve's server."""

    def __init__(self, db_path: Path) -> None:
        super().__init__(Path(db_path), actor=None)

    def _signed_in(self, person: Person | None) -> None:
        super()._signed_in(person)
        if person is not None:
            write_meta = getattr(self._driver, "write_meta", None)  # only the web driver has one
            if write_meta is not None:
                write_meta({"type": SIGNED_IN_META})
