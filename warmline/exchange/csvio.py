"""CSV in and out: importing people from a spreadsheet, exporting the rota and volunteer hours.

Import is all-or-nothing: every row is checked (with the same validation as
`warmline people add` and `people edit`) inside one write transaction, every bad
row is reported with its spreadsheet row number, and nothing is written unless all
rows are good. Re-importing the same file changes nothing.

Several values in one cell (languages, tags) are separated by `|`, which no
spreadsheet uses as a column separator, so the same file works whether the
spreadsheet saved it with commas or semicolons.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..errors import Invalid, StorageError, WarmlineError
from ..model import ROLES, Person
from ..text import csv_cell, csv_uncell, describe, find_control, safe

MULTI_SEPARATOR = "|"
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
DELIMITERS = (",", ";", "\t")
# Column -> what it holds (shown by `warmline import people --help` and the README).
COLUMNS = {
    "handle": "required; 2-32 lower-case letters, digits, - or _",
    "name": "required; the display name",
    "role": "volunteer (default) or coordinator",
    "login": "the OS login that acts as this person without a passphrase",
    "languages": "languages spoken, e.g. es|en",
    "tags": "lived-experience tags offered for matching, e.g. grief|housing insecurity",
    "paused_tags": "tags kept but paused",
    "max_hours": "max hours per ISO week",
    "max_shifts": "max shifts per ISO week",
    "min_rest": "min rest hours between shifts",
    "max_overnights": "max overnight shifts per month",
    "pronouns": "optional, e.g. she/her",
}
REQUIRED = ("handle", "name")
# CSV column -> (Person field, number type).
LIMIT_COLUMNS = {
    "max_hours": ("max_hours_week", float),
    "max_shifts": ("max_shifts_week", int),
    "min_rest": ("min_rest_hours", float),
    "max_overnights": ("max_overnights_month", int),
}
LIST_COLUMNS = ("languages", "tags", "paused_tags")
ROTA_HEADER = (
    "id", "start", "end", "hours", "seats", "backup_seats", "peers", "backup",
    "open_seats", "open_backup_seats", "status",
)
HOURS_HEADER = ("handle", "name", "month", "shifts", "hours", "peer_hours", "backup_hours")


# ---------------------------------------------------------------- reading a file


def _normal(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lstrip("\ufeff").lower())


def _decode(path: Path) -> str:
    path = Path(path)
    if not path.exists():
        raise Invalid(f"there is no file {path}: check the name (a spreadsheet saved as CSV)")
    if path.is_dir():
        raise Invalid(f"{path} is a directory: give the CSV file itself")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise Invalid(f"{path} is {size // 1024} KiB; a people CSV may be at most {MAX_FILE_BYTES // 1024 // 1024} MiB")
        raw = path.read_bytes()
    except OSError as exc:
        raise Invalid(f"cannot read {path} ({exc.strerror})") from None
    if b"\x00" in raw:
        raise Invalid(
            f"{path} is not a CSV file (it holds binary data; is it an .xlsx or .ods?): "
            "save the sheet as 'CSV UTF-8' and import that"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(
            f"{path} is not UTF-8 text (byte {exc.start}): save the sheet as 'CSV UTF-8' and import that"
        ) from None


def _choose_delimiter(text: str, path: Path) -> tuple[str, list[str]]:
    """The delimiter whose header names the most known columns (and the header under it)."""
    best: tuple[int, str, list[str]] | None = None
    for delimiter in DELIMITERS:
        try:
            first = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
        except csv.Error:
            continue
        names = [_normal(h) for h in first]
        known = sum(1 for n in names if n in COLUMNS)
        if best is None or known > best[0]:
            best = (known, delimiter, names)
    if best is None or not any(best[2]):
        raise Invalid(f"{path} is empty: it needs a header row naming its columns ({', '.join(REQUIRED)}, ...)")
    known, delimiter, names = best
    if "handle" not in names:
        shown = safe(", ".join(n for n in names if n)[:200]) or "(nothing)"
        raise Invalid(
            f"{path} has no 'handle' column in its first row (found: {shown}): the first row must name "
            f"the columns; valid columns are {', '.join(COLUMNS)}"
        )
    return delimiter, names


def read_rows(path: Path) -> tuple[str, list[str], list[tuple[int, list[str]]]]:
    """(delimiter, column names, [(spreadsheet row number, cells)]) of a CSV file, checked for shape.

    Row numbers are the ones a spreadsheet shows: the header is row 1.
    """
    path = Path(path)
    text = _decode(path)
    delimiter, names = _choose_delimiter(text, path)
    unknown = [n for n in names if n and n not in COLUMNS]
    if unknown:
        raise Invalid(
            f"{path} has unknown columns: {safe(', '.join(unknown))}; valid columns are {', '.join(COLUMNS)}"
        )
    if "" in names:
        raise Invalid(f"{path} has a column without a name (column {names.index('') + 1}): name it or delete it")
    seen = set()
    for name in names:
        if name in seen:
            raise Invalid(f"{path} has the column {safe(name)} twice: keep one")
        seen.add(name)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise Invalid(f"{path} has no {' or '.join(missing)} column: add it (required: {', '.join(REQUIRED)})")
    rows = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        for number, cells in enumerate(reader, start=1):
            if number == 1:
                continue
            if not any(c.strip() for c in cells):
                continue  # a blank line, or a row the spreadsheet left empty
            rows.append((number, cells))
            if len(rows) > MAX_ROWS:
                raise Invalid(f"{path} has more than {MAX_ROWS} rows: split it")
    except csv.Error as exc:
        raise Invalid(f"{path} is not valid CSV near row {reader.line_num} ({exc}): check its quotes") from None
    return delimiter, names, rows


# ---------------------------------------------------------------- checking rows


@dataclass(frozen=True)
class RowError:
    """A bad row: its spreadsheet row number, the handle if it had one, and why."""

    row: int
    handle: str | None
    message: str

    def __str__(self) -> str:
        who = f" ({safe(self.handle)})" if self.handle else ""
        return f"row {self.row}{who}: {safe(self.message)}"


class BadRows(Invalid):
    """Some rows are bad; nothing was imported. `errors` lists every one."""

    def __init__(self, errors: list[RowError]) -> None:
        count = len(errors)
        super().__init__(f"{count} bad row{'' if count == 1 else 's'}; nothing was imported")
        self.errors = errors


@dataclass
class ImportReport:
    """What an import did (or, with dry_run, would do)."""

    added: list[str] = field(default_factory=list)
    updated: list[tuple[str, list[str]]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rows(self) -> int:
        return len(self.added) + len(self.updated) + len(self.unchanged)


def _number(text: str, kind: type, column: str) -> float | int:
    value = text.strip()
    if re.fullmatch(r"-?\d+,\d+", value):
        value = value.replace(",", ".")  # a decimal comma, as semicolon spreadsheets write it
    try:
        number = float(value)
    except ValueError:
        raise Invalid(f"{column} {text[:20]!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise Invalid(f"{column} {text[:20]!r} is not a number")
    if kind is int:
        if number != int(number):
            raise Invalid(f"{column} {text[:20]!r} is not a whole number")
        return int(number)
    return number


def _parse(names: list[str], cells: list[str]) -> tuple[dict, list[str]]:
    """The row's values by column (empty cells left out) and the problems found without the database."""
    problems = []
    if len(cells) > len(names) and any(c.strip() for c in cells[len(names):]):
        problems.append(f"it has {len(cells)} values but the header names {len(names)} columns")
    values: dict = {}
    controlled = set()
    for name, cell in zip(names, cells):
        # An export neutralises formula-like cells with a leading apostrophe (text.csv_cell):
        # take it off so the file re-imports exactly.
        cell = csv_uncell(cell.strip())
        if not cell:
            continue
        control = find_control(cell)
        if control is not None:
            # The column is named, the value is not shown (RowError shows the handle made safe).
            problems.append(f"the {name} column contains {describe(control)}: control and "
                            "text-direction characters are not allowed; retype it without them")
            controlled.add(name)
        if name in LIST_COLUMNS:
            items = [part.strip() for part in cell.split(MULTI_SEPARATOR) if part.strip()]
            if items:
                values[name] = items
        elif name in LIMIT_COLUMNS:
            try:
                values[name] = _number(cell, LIMIT_COLUMNS[name][1], name)
            except Invalid as exc:
                problems.append(str(exc))
        elif name == "role":
            values[name] = cell.lower()
        else:
            values[name] = cell
    for column in REQUIRED:
        if column not in values:
            problems.append(f"the {column} is empty")
    if "handle" in values and "handle" not in controlled:
        from ..people import validate_handle

        try:
            validate_handle(values["handle"])
        except Invalid as exc:
            problems.append(str(exc))
    if "role" in values and "role" not in controlled and values["role"] not in ROLES:
        problems.append(f"role {values['role'][:20]!r} is not one of: {', '.join(ROLES)}")
    return values, problems


class _Joined:
    """A Database stand-in whose transaction() joins the one already open.

    Lets `people.edit`, which opens its own write transaction, run inside the import's
    single transaction so an update is checked and audited exactly as `people edit` does.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        yield self.conn


@contextmanager
def _savepoint(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("SAVEPOINT import_row")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK TO import_row")
        conn.execute("RELEASE import_row")
        raise
    conn.execute("RELEASE import_row")


def _changes(conn: sqlite3.Connection, person: Person, values: dict):
    """The PersonChanges that bring `person` to the row's values (only the cells given), or None."""
    from ..line import clean_text
    from ..people import PersonChanges
    from ..tags import resolver

    changes = PersonChanges()
    changed = False
    if "name" in values and clean_text(values["name"], "the name", limit=80) != person.name:
        changes.name, changed = values["name"], True
    if "role" in values and values["role"] != person.role:
        changes.role, changed = values["role"], True
    if "login" in values and values["login"] != person.login:
        changes.login, changed = values["login"], True
    if "pronouns" in values and values["pronouns"] != person.pronouns:
        changes.pronouns, changed = values["pronouns"], True
    for column, (attr, _kind) in LIMIT_COLUMNS.items():
        if column in values and getattr(person, attr) != values[column]:
            setattr(changes, attr, values[column])
            changed = True
    names = resolver(conn)
    if "languages" in values:
        wanted = {t.id for t in names.resolve_many(values["languages"], family="language")}
        if wanted != set(person.languages):
            changes.languages, changed = list(values["languages"]), True
    held = dict(
        conn.execute("SELECT tag_id, state FROM person_tag WHERE person_id = ?", (person.id,)).fetchall()
    )
    resolved = {column: names.resolve_many(values.get(column, ())) for column in ("tags", "paused_tags")}
    if {t.id for t in resolved["tags"]} & {t.id for t in resolved["paused_tags"]}:
        raise Invalid("a tag cannot be both offered and paused: give it once")
    # A tag proposed and not yet answered is as the row asks: it waits for its person (consent).
    for column, states, attr in (("tags", ("offered", "proposed"), "offer"), ("paused_tags", ("paused",), "pause")):
        if column in values:
            differ = tuple(t.id for t in resolved[column] if held.get(t.id) not in states)
            if differ:
                setattr(changes, attr, differ)
                changed = True
    return changes if changed else None


class _DryRun(Exception):
    """Raised at the end of a dry run so the transaction rolls everything back."""


def import_people(db, actor: Person, path: Path, *, dry_run: bool = False) -> ImportReport:
    """Add (or update) people from a CSV file, all or nothing (coordinators only).

    A new handle is added; a known handle whose given cells differ is updated in those
    fields (tags are offered or paused, never removed; empty cells change nothing); a
    known handle with the same values is left alone. Raises BadRows listing every bad
    row when any row is bad, and then nothing is written.
    """
    from .. import people
    from ..access import require
    from ..people import fresh_actor, insert_person

    require(actor, "person.add")  # before reading: a volunteer learns nothing about the file
    _delimiter, names, rows = read_rows(Path(path))
    parsed: list[tuple[int, dict]] = []
    errors: list[RowError] = []
    first_row: dict[tuple[str, str], int] = {}
    for number, cells in rows:
        values, problems = _parse(names, cells)
        for column in ("handle", "login"):
            if column in values:
                key = (column, values[column])
                if key in first_row:
                    problems.append(f"the {column} {values[column]} is also on row {first_row[key]}: give each person once")
                else:
                    first_row[key] = number
        if problems:
            errors.append(RowError(number, values.get("handle"), "; ".join(problems)))
        else:
            parsed.append((number, values))
    report = ImportReport(dry_run=dry_run)
    try:
        with db.transaction() as conn:
            who = fresh_actor(conn, actor)
            require(who, "person.add")
            joined = _Joined(conn)
            for number, values in parsed:
                handle = values["handle"]
                try:
                    with _savepoint(conn):
                        existing = conn.execute("SELECT 1 FROM person WHERE handle = ?", (handle,)).fetchone()
                        if existing is None:
                            insert_person(
                                conn,
                                actor=who.handle,
                                handle=handle,
                                name=values["name"],
                                role=values.get("role", "volunteer"),
                                login=values.get("login"),
                                pronouns=values.get("pronouns"),
                                languages=values.get("languages", ()),
                                tags=values.get("tags", ()),
                                paused_tags=values.get("paused_tags", ()),
                                **{attr: values.get(col) for col, (attr, _k) in LIMIT_COLUMNS.items()},
                            )
                            report.added.append(handle)
                            continue
                        person = people.get(conn, handle)
                        changes = _changes(conn, person, values)
                        if changes is None:
                            report.unchanged.append(handle)
                            continue
                        people.edit(joined, who, handle, changes)
                        fields = [k for k, v in vars(changes).items() if v not in (None, ())]
                        report.updated.append((handle, fields))
                except WarmlineError as exc:
                    errors.append(RowError(number, handle, str(exc)))
            if errors:
                errors.sort(key=lambda e: e.row)
                raise BadRows(errors)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


# ---------------------------------------------------------------- exports


def rota_rows(conn: sqlite3.Connection, viewer: Person, start: datetime, end: datetime) -> list[dict]:
    """One row per shift starting in [start, end): local times, real hours, who (handles) and open seats. No tags."""
    from .. import rota
    from ..line import get as get_line
    from ..recurrence import zone
    from ..times import local_iso

    if not viewer.active:
        raise Invalid(f"{viewer.handle} is inactive: ask a coordinator")
    tz = zone(get_line(conn).tz)
    rows = []
    for v in rota.views(conn, start, end):
        s = v.shift
        rows.append(
            {
                "id": s.id,
                "start": local_iso(s.start_utc, tz),
                "end": local_iso(s.end_utc, tz),
                "hours": f"{s.hours:.2f}",
                "seats": s.seats,
                "backup_seats": s.backup_seats,
                "peers": MULTI_SEPARATOR.join(a.handle for a in v.peers),
                "backup": MULTI_SEPARATOR.join(a.handle for a in v.backups),
                "open_seats": v.open_seats if s.status == "scheduled" else 0,
                "open_backup_seats": v.open_backup_seats if s.status == "scheduled" else 0,
                "status": s.status,
            }
        )
    return rows


def hours_rows(conn: sqlite3.Connection, viewer: Person, start: datetime, end: datetime) -> list[dict]:
    """Volunteer hours per person per month (the month a shift starts in, line time), for funders.

    Counts scheduled shifts starting in [start, end) that have ended by now; hours are
    real elapsed time. Coordinators see everyone; a volunteer sees only their own rows.
    """
    from ..clock import now
    from ..db import iso_utc, parse_utc
    from ..line import get as get_line
    from ..recurrence import zone

    tz = zone(get_line(conn).tz)
    sql = (
        "SELECT p.handle, p.name, a.role, s.start_utc, s.end_utc FROM assignment a"
        " JOIN shift s ON s.id = a.shift_id JOIN person p ON p.id = a.person_id"
        " WHERE s.status = 'scheduled' AND s.start_utc >= ? AND s.start_utc < ? AND s.end_utc <= ?"
    )
    params: list[object] = [iso_utc(start), iso_utc(end), iso_utc(now())]
    if not viewer.is_coordinator:
        sql += " AND a.person_id = ?"
        params.append(viewer.id)
    totals: dict[tuple[str, str], dict] = {}
    for handle, name, role, s_utc, e_utc in conn.execute(sql, params):
        begin = parse_utc(s_utc)
        hours = (parse_utc(e_utc) - begin).total_seconds() / 3600
        month = begin.astimezone(tz).strftime("%Y-%m")
        row = totals.setdefault(
            (handle, month),
            {"handle": handle, "name": name, "month": month, "shifts": 0, "hours": 0.0, "peer_hours": 0.0, "backup_hours": 0.0},
        )
        row["shifts"] += 1
        row["hours"] += hours
        row["peer_hours" if role == "peer" else "backup_hours"] += hours
    rows = [totals[k] for k in sorted(totals)]
    for row in rows:
        for key in ("hours", "peer_hours", "backup_hours"):
            row[key] = f"{row[key]:.2f}"
    return rows


def default_hours_start(tz, moment: datetime) -> str:
    """The first day of the month a year before `moment`'s month (the default --from of the hours export)."""
    local = moment.astimezone(tz)
    year, month = (local.year - 1, local.month)
    return f"{year:04d}-{month:02d}-01"


def to_csv(header: tuple[str, ...], rows: list[dict], *, excel: bool = False) -> str:
    """The rows as CSV text (comma-separated, with a header row). Every cell goes through
    text.csv_cell (no formula, no control character reaches a spreadsheet); `excel` adds a
    UTF-8 byte-order mark and ends lines with CRLF, as Excel expects."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(header), lineterminator="\r\n" if excel else "\n")
    writer.writeheader()
    writer.writerows({key: csv_cell(value) for key, value in row.items()} for row in rows)
    return ("\ufeff" if excel else "") + out.getvalue()


def write_private(path: Path, text: str) -> Path:
    """Write a report file 0600 (it names people), replacing any earlier copy atomically."""
    path = Path(path)
    if path.is_dir():
        raise Invalid(f"{path} is a directory: give a file name with -o")
    if not path.parent.is_dir():
        raise StorageError(f"the directory {path.parent} does not exist: create it, or write somewhere else")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mkstemp: 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise StorageError(f"cannot write {path} ({exc.strerror})") from None
    return path


__all__ = [
    "BadRows", "COLUMNS", "HOURS_HEADER", "ImportReport", "MULTI_SEPARATOR", "ROTA_HEADER", "RowError",
    "hours_rows", "import_people", "read_rows", "rota_rows", "to_csv", "write_private",
]
