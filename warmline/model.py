"""Plain records for what warmline stores. No SQL and no behaviour beyond derived values.

They are NamedTuples, not frozen dataclasses: as immutable, but a dataclass compiles six methods
when its module is imported, and these modules are on every start's path (~1.3 ms a class here).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

ROLES = ("volunteer", "coordinator")
SEAT_ROLES = ("peer", "backup")
TAG_STATES = ("offered", "paused")


class Line(NamedTuple):
    """The warmline itself: its name, zone, escalation text and rule defaults."""

    name: str
    tz: str
    escalation: str
    drop_cutoff_hours: int
    horizon_weeks: int
    default_max_hours_week: float
    default_max_shifts_week: int
    default_min_rest_hours: float
    default_max_overnights_month: int

    def drop_asks_cover(self, start: datetime, moment: datetime) -> bool:
        """True when dropping a shift that starts at `start`, at `moment`, asks for cover (it is within
        the drop cut-off) rather than reopening the seat: the core's rule, and what the faces predict."""
        return start - moment < timedelta(hours=self.drop_cutoff_hours)


class Limits(NamedTuple):
    """A person's effective limits (their own, else the line's defaults)."""

    max_hours_week: float
    max_shifts_week: int
    min_rest_hours: float
    max_overnights_month: int


class Person(NamedTuple):
    """A volunteer or coordinator. Limits left as None fall back to the line's defaults."""

    id: int
    handle: str
    name: str
    role: str
    login: str | None
    pronouns: str | None
    max_hours_week: float | None
    max_shifts_week: int | None
    min_rest_hours: float | None
    max_overnights_month: int | None
    active: bool
    has_passphrase: bool
    languages: tuple[str, ...] = ()

    @property
    def is_coordinator(self) -> bool:
        return self.role == "coordinator"

    def limits(self, line: Line) -> Limits:
        """The limits that apply to this person on this line."""
        return Limits(
            max_hours_week=line.default_max_hours_week if self.max_hours_week is None else self.max_hours_week,
            max_shifts_week=line.default_max_shifts_week if self.max_shifts_week is None else self.max_shifts_week,
            min_rest_hours=line.default_min_rest_hours if self.min_rest_hours is None else self.min_rest_hours,
            max_overnights_month=(
                line.default_max_overnights_month
                if self.max_overnights_month is None
                else self.max_overnights_month
            ),
        )


class PersonTag(NamedTuple):
    """A tag a person chose to share, offered (used for matching) or paused (kept, unused)."""

    person_id: int
    tag_id: str
    state: str


class Series(NamedTuple):
    """A recurring shift pattern in the line's local wall time."""

    id: int
    rule: str
    first_day: str
    start_time: str
    end_time: str
    tz: str
    seats: int
    backup_seats: int
    until_day: str | None
    note: str
    status: str
    expanded_to: str
    version: int


class Shift(NamedTuple):
    """One shift: UTC instants plus the local wall times it was planned in."""

    id: int
    series_id: int | None
    occurrence: str | None
    start_utc: datetime
    end_utc: datetime
    start_local: datetime
    end_local: datetime
    tz: str
    seats: int
    backup_seats: int
    note: str
    status: str
    detached: bool
    version: int

    @property
    def hours(self) -> float:
        """Real elapsed hours (a 22:00–06:00 shift on the autumn change is 9 h)."""
        return (self.end_utc - self.start_utc).total_seconds() / 3600


class Assignment(NamedTuple):
    """A person on a shift, as a peer or as backup."""

    shift_id: int
    person_id: int
    handle: str
    name: str
    role: str


class CoverRequest(NamedTuple):
    """A late drop: the person stays on the shift until someone takes their seat."""

    id: int
    shift_id: int
    person_id: int
    handle: str
    role: str
    status: str
    created_at: str


class ShiftView(NamedTuple):
    """A shift with who is on it, as a reader sees it (never anyone's tags)."""

    shift: Shift
    peers: list[Assignment]
    backups: list[Assignment]
    cover: list[CoverRequest]

    @property
    def open_seats(self) -> int:
        return max(0, self.shift.seats - len(self.peers))

    @property
    def open_backup_seats(self) -> int:
        return max(0, self.shift.backup_seats - len(self.backups))


class AuditEntry(NamedTuple):
    """One row of the append-only change log."""

    id: int
    at: str
    actor: str
    action: str
    subject: str
    detail: str
