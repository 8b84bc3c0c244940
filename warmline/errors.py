"""The errors a person may see. Each message says what happened, why, and what to do."""

from sqlite3 import Error as DatabaseError  # noqa: F401 - SQLite's own (busy, closing): faces catch it without sqlite3


class WarmlineError(Exception):
    """Base of every error warmline reports to a person (exit code 1 on the CLI)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class Invalid(WarmlineError):
    """The input cannot be understood (a bad date, an unknown handle, a malformed RRULE)."""


class NotFound(Invalid):
    """The thing named does not exist."""


class Refused(WarmlineError):
    """The input is understood but a rule or a permission forbids it."""


class RuleBroken(Refused):
    """A rota rule would be broken; `overridable` says whether a coordinator may force it."""

    def __init__(self, message: str, *, rule: str, overridable: bool) -> None:
        super().__init__(message)
        self.rule = rule
        self.overridable = overridable


class StorageError(WarmlineError):
    """The database file cannot be used (missing, read-only, foreign, too new, damaged)."""
