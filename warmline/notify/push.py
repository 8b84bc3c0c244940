"""Push: each person's own destinations (Apprise URLs: ntfy, Gotify, Signal, email, JSON webhooks…).

A person adds their own (`warmline notify settings --push URL`); the delivery loop sends through
them beside the desktop and terminal, with the outbox's retries and backoff. The host's loop
(`warmline notify --daemon --push-all`) sends everyone's.

A destination URL holds its service's token or password, so:

- it is stored as given (in the rota: it cannot be encrypted without a key the host would
  hold beside it) and read back only by the push channel itself;
- everywhere else, to everyone (coordinators too), it is shown masked: its scheme and its
  number, e.g. ``ntfys://*** (push 3)``. Not a hash of the URL: a short hash of a URL whose
  token is guessable (a mail password) would let whoever reads the audit test guesses;
- it never reaches the audit, logs, errors or JSON: audit rows say "added push 3 (ntfys)";
  delivery errors name the masked form; Apprise's own log (which may quote a URL) is silenced.

Apprise is heavy and optional (`pip install 'warmline[push]'`): it is imported only inside
`_apprise()`, called when a URL is checked or a notification is sent, never on start-up.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass

from .. import audit
from ..clock import now
from ..db import Database, iso_utc
from ..errors import Invalid, Refused
from ..model import Person
from .channels import ChannelError

MAX_URL = 2000
MAX_DESTINATIONS = 10
INSTALL = "push needs Apprise: install it with  pip install 'warmline[push]'"
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]{0,31})://", re.IGNORECASE)


@dataclass(frozen=True)
class Destination:
    id: int
    person_id: int
    url: str

    @property
    def scheme(self) -> str:
        return scheme_of(self.url)

    @property
    def masked(self) -> str:
        return mask(self.id, self.url)


def scheme_of(url: str) -> str:
    found = _SCHEME.match(url or "")
    return found.group(1).lower() if found else "?"


def mask(number: int, url: str) -> str:
    """What anyone is shown of a destination: 'mailto://*** (push 3)'."""
    return f"{scheme_of(url)}://*** (push {number})"


def _apprise():
    """The apprise module, its own logging silenced (its messages may quote a URL); Invalid when missing."""
    try:
        import apprise  # heavy and optional: only here
    except ImportError:
        raise Invalid(INSTALL) from None
    logger = logging.getLogger("apprise")
    logger.disabled = True
    logger.propagate = False
    return apprise


def check_url(url: str) -> str:
    """A destination URL Apprise understands, stripped; Invalid (never quoting the URL) otherwise."""
    from ..text import check

    if not isinstance(url, str) or not url.strip():
        raise Invalid("the push destination is empty: give an Apprise URL, e.g. ntfys://ntfy.sh/your-topic")
    check(url, "the push destination")
    url = url.strip()
    if len(url) > MAX_URL:
        raise Invalid(f"the push destination is {len(url)} characters long; at most {MAX_URL}")
    if not _SCHEME.match(url):
        raise Invalid(
            "the push destination is not a URL (it has no scheme://): give an Apprise URL, e.g. ntfys://ntfy.sh/your-topic"
        )
    apprise = _apprise()
    try:
        plugin = apprise.Apprise.instantiate(url)
    except Exception:  # noqa: BLE001 - whatever Apprise raises may quote the URL
        plugin = None
    if not plugin:
        raise Invalid(
            f"Apprise does not understand that {scheme_of(url)}:// destination (the URL was not saved): "
            "check it against Apprise's list of services"
        )
    return url


# ---------------------------------------------------------------- storage


def destinations(conn: sqlite3.Connection, person_id: int) -> list[Destination]:
    """A person's destinations, oldest first. The URLs are for the push channel only: show `.masked`."""
    return [
        Destination(r[0], r[1], r[2])
        for r in conn.execute(
            "SELECT id, person_id, url FROM push_destination WHERE person_id = ? ORDER BY id", (person_id,)
        )
    ]


def masked(conn: sqlite3.Connection, person_id: int) -> list[str]:
    return [d.masked for d in destinations(conn, person_id)]


def people_with_push(conn: sqlite3.Connection) -> list[int]:
    return [r[0] for r in conn.execute("SELECT DISTINCT person_id FROM push_destination ORDER BY person_id")]


def add(db: Database, actor: Person, urls: list[str]) -> list[Destination]:
    """Add destinations to the actor's own list (nobody adds them for someone else). Audited, masked."""
    from ..people import fresh_actor

    checked = list(dict.fromkeys(check_url(u) for u in urls))
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        have = destinations(conn, who.id)
        known = {d.url for d in have}
        new = [u for u in checked if u not in known]
        if len(have) + len(new) > MAX_DESTINATIONS:
            raise Invalid(f"at most {MAX_DESTINATIONS} push destinations each; {who.handle} has {len(have)}: remove some with --no-push")
        moment = iso_utc(now())
        for url in new:
            cur = conn.execute(
                "INSERT INTO push_destination (person_id, url, added_at) VALUES (?, ?, ?)", (who.id, url, moment)
            )
            audit.record(conn, who.handle, "notify.push", who.handle, f"added push {cur.lastrowid} ({scheme_of(url)})")
        return destinations(conn, who.id)


def remove_all(db: Database, actor: Person, handle: str | None = None) -> int:
    """Remove all of a person's destinations: one's own, or anyone's for a coordinator. Audited."""
    from ..access import require
    from ..people import fresh_actor, get as get_person

    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        person = who if handle is None else get_person(conn, handle)
        if person.id != who.id:
            require(who, "person.edit", target=person)
        gone = conn.execute("DELETE FROM push_destination WHERE person_id = ?", (person.id,)).rowcount
        if gone:
            audit.record(conn, who.handle, "notify.push", person.handle, f"removed {gone} push destination(s)")
        return gone


def refuse_adding_for_others(actor: Person, target: Person) -> None:
    if actor.id != target.id:
        raise Refused(
            f"only {target.handle} may add their own push destinations (they decide where their notifications go)"
        )


# ---------------------------------------------------------------- the channel


class PushChannel:
    """Sends a notification to each of a person's destinations through Apprise.

    Reached when at least one destination took it; otherwise a ChannelError naming the
    masked destinations (never the URL), which the outbox retries with backoff. When some
    took it and others did not, `partial` names those others (the delivery records it beside
    "sent"); they are not retried, since a retry would repeat it on the ones that took it.
    """

    name = "push"

    def __init__(self, targets: list[Destination]) -> None:
        self.targets = targets
        self.partial: str | None = None

    def send(self, notification) -> None:
        from ..text import safe

        self.partial = None
        apprise = _apprise_for_send()
        title, body = safe(notification.title), safe(notification.body, multiline=True)
        failed: list[str] = []
        for d in self.targets:
            try:
                sender = apprise.Apprise()
                if not sender.add(d.url):
                    failed.append(f"{d.masked} is not understood")
                    continue
                ok = sender.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT)
            except Exception as exc:  # noqa: BLE001 - Apprise's message may quote the URL: name only its type
                failed.append(f"{d.masked} failed ({type(exc).__name__})")
                continue
            if not ok:
                failed.append(f"{d.masked} not reached")
        if len(failed) == len(self.targets):
            raise ChannelError("push: " + "; ".join(failed))
        if failed:
            self.partial = "push: " + "; ".join(failed)


def _apprise_for_send():
    try:
        return _apprise()
    except Invalid:
        raise ChannelError(f"push unavailable: {INSTALL}") from None


def channel_for(conn: sqlite3.Connection, person_id: int) -> list[PushChannel]:
    """[the person's push channel] when they have destinations, else []."""
    found = destinations(conn, person_id)
    return [PushChannel(found)] if found else []
