"""The app's Exports screen without Textual: which exports a person may make, where the file goes, and
the export itself, through the same core calls as `warmline export ics|csv` (warmline/exchange/*:
the same permission checks, the same contents, the same atomic writes and file modes).

The app writes a file as the OS user running it. On a host everyone reaches the app through one
account (over SSH with their key, or in a browser), so a file written there would be written with
that account's powers, not the person's: the app writes files only for a person whose recorded
login is the OS user running it (`may_write_files`), and says so to anyone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

from warmline.clock import now
from warmline.db import Database
from warmline.errors import Invalid, Refused
from warmline.model import Person
from warmline.people import fresh_actor


@dataclass(frozen=True)
class Kind:
    """One kind of export the screen offers."""

    key: str
    title: str
    default_name: str  # the file (or folder) name offered in the default directory
    coordinators: bool = False
    person: bool = False  # asks whose shifts
    dates: bool = False  # asks a first and a last day
    excel: bool = False  # offers the Excel flavour of CSV
    folder: bool = False  # writes a folder of feeds, not one file


KINDS = (
    Kind("mine", "My shifts: a calendar file (.ics)", "my-shifts.ics"),
    Kind("person", "Someone's shifts: a calendar file (.ics)", "shifts.ics", coordinators=True, person=True),
    Kind("feeds", "Calendar feeds for everyone: a folder to publish", "warmline-feeds", coordinators=True, folder=True),
    Kind("rota", "The rota, one row per shift: a spreadsheet (.csv)", "rota.csv", coordinators=True, dates=True,
         excel=True),
    Kind("hours", "Hours per person per month: a spreadsheet (.csv)", "hours.csv", coordinators=True, dates=True,
         excel=True),
)
BY_KEY = {k.key: k for k in KINDS}
MAX_PATH = 4096


def kinds_for(actor: Person) -> list[Kind]:
    """The exports this person may make (the core checks again when they do)."""
    return [k for k in KINDS if actor.is_coordinator or not k.coordinators]


def default_dir() -> Path:
    """Where a file goes when only a name is typed: the person's Downloads folder if it exists, else home."""
    from platformdirs import user_downloads_path

    try:
        downloads = user_downloads_path()
    except Exception:  # an odd XDG setting must not stop the screen from opening
        downloads = None
    return downloads if downloads is not None and downloads.is_dir() else Path.home()


def default_path(kind: Kind, handle: str = "") -> str:
    """The path the form offers for this kind (someone's calendar is named for them)."""
    name = f"{handle}-shifts.ics" if kind.person and handle else kind.default_name
    return str(default_dir() / name)


def why_no_files(actor: Person) -> str | None:
    """None when the app may write files for this person; else why not, in one line."""
    from warmline.access import os_user

    user = os_user()
    if actor.login and user and actor.login == user:
        return None
    return (
        f"This app runs as the OS user {user or '(unknown)'}, which is not your login, so it writes no files for you: "
        "a file written here would be written with that account's rights, not yours. Export from your own "
        "account, or ask a coordinator for your calendar feed's address."
    )


@dataclass(frozen=True)
class ExportsSetup:
    """What the screen needs before anything is typed."""

    refusal: str  # why the app writes no files for this person ("" when it does)
    handles: tuple[str, ...]  # everyone active, for "whose shifts" (coordinators; () for a volunteer)


def load_setup(db: Database, actor: Person) -> ExportsSetup:
    """Whether the app writes files for this person as stored now, and the handles a coordinator may pick."""
    from warmline.people import all_people

    who = fresh_actor(db.conn, actor, reading=True)
    handles = tuple(p.handle for p in all_people(db.conn, include_inactive=False)) if who.is_coordinator else ()
    return ExportsSetup(why_no_files(who) or "", handles)


def may_write_files(actor: Person) -> None:
    """Refused unless the person's recorded login is the OS user running the app."""
    why = why_no_files(actor)
    if why is not None:
        raise Refused(why)


def target(text: str, kind: Kind) -> Path:
    """The path typed, checked: `~` is the home folder and a bare name goes in the default folder."""
    raw = text.strip()
    what = "folder" if kind.folder else "file"
    if not raw:
        raise Invalid(f"the {what} name is empty: type where to write it, e.g. {default_path(kind)}")
    if len(raw) > MAX_PATH or any(ord(ch) < 32 or ord(ch) == 127 for ch in raw):
        raise Invalid(f"the {what} name has a control character in it or is too long: type it again")
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = default_dir() / path
    if kind.folder:
        if path.exists() and not path.is_dir():
            raise Invalid(f"{path} is a file, not a folder: give a folder for the feeds")
    elif path.is_dir():
        raise Invalid(f"{path} is a folder: add a file name, e.g. {path / kind.default_name}")
    if not path.parent.is_dir():
        raise Invalid(f"the folder {path.parent} does not exist: create it first, or write somewhere else")
    return path


def replaces(path: Path, kind: Kind) -> bool:
    """True when writing would replace a file that is already there (asked about first)."""
    return not kind.folder and path.exists()


def _range(tz, moment: datetime, start: str, finish: str, default_start: datetime, default_end: datetime):
    from warmline.times import parse_bound

    lo = parse_bound(start, tz, end=False, what="the first day") if start.strip() else default_start
    hi = parse_bound(finish, tz, end=True, what="the last day") if finish.strip() else default_end
    if hi <= lo:
        raise Invalid("the last day is before the first day: give a later last day")
    if hi - lo > timedelta(days=366 * 6):
        raise Invalid("the range is longer than six years: give a shorter one")
    return lo.astimezone(timezone.utc), hi.astimezone(timezone.utc)


def _day_start(day, tz) -> datetime:
    from warmline.recurrence import localize

    return localize(datetime.combine(day, time(0)), tz)


@dataclass(frozen=True)
class Exported:
    """What an export wrote, said in one line."""

    path: Path
    said: str


def export(
    db: Database,
    actor: Person,
    key: str,
    path: Path,
    *,
    person: str = "",
    start: str = "",
    finish: str = "",
    excel: bool = False,
) -> Exported:
    """Write one export to `path` as `warmline export` would (permissions are the core's)."""
    from warmline import rota
    from warmline.exchange import csvio, ics
    from warmline.line import get as get_line
    from warmline.recurrence import zone

    kind = BY_KEY.get(key)
    if kind is None:
        raise Invalid(f"there is no export {key[:40]!r}: choose one from the list")
    who = fresh_actor(db.conn, actor, reading=True)
    may_write_files(who)
    if kind.coordinators and not who.is_coordinator:
        raise Refused(f"only coordinators may make this export; {who.handle} may export their own shifts")
    conn = db.conn
    if kind.folder:
        rota.extend_horizon(db)
        feeds = ics.write_feeds(conn, who, path)
        return Exported(path, f"Wrote {len(feeds)} calendar feeds into {path}: the whole rota (rota-….ics) and one per person "
                        "(people/HANDLE-….ics); send each person the address of their own.")
    if kind.key in ("mine", "person"):
        handle = person.strip() if kind.person else ""
        if kind.person and not handle:
            raise Invalid("whose shifts? Type their handle")
        rota.extend_horizon(db)
        data = ics.person_calendar(conn, who, handle or None)
        written = ics.write_feed(path, data)
        whose = "your" if not handle or handle == who.handle else f"{handle}'s"
        return Exported(written, f"Wrote {whose} shifts to {written}.")
    tz = zone(get_line(conn).tz)
    moment = now()
    today = _day_start(moment.astimezone(tz).date(), tz)
    if kind.key == "rota":
        lo, hi = _range(tz, moment, start, finish, today, _day_start(today.date() + timedelta(days=28), tz))
        rota.extend_horizon(db)
        rows, header = csvio.rota_rows(conn, who, lo, hi), csvio.ROTA_HEADER
    else:
        from datetime import date

        first = _day_start(date.fromisoformat(csvio.default_hours_start(tz, moment)), tz)
        lo, hi = _range(tz, moment, start, finish, first, _day_start(today.date() + timedelta(days=1), tz))
        rows, header = csvio.hours_rows(conn, who, lo, hi), csvio.HOURS_HEADER
    written = csvio.write_private(path, csvio.to_csv(header, rows, excel=excel))
    return Exported(written, f"Wrote {len(rows)} row{'s' if len(rows) != 1 else ''} to {written}.")
