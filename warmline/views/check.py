"""The app's Check screen without Textual: the same whole-file check as `warmline check` (the file's
integrity, its schema, and every rota invariant), as findings to list one per line."""

from __future__ import annotations

from dataclasses import dataclass

from warmline import rota
from warmline.db import Database
from warmline.model import Person
from warmline.people import fresh_actor


@dataclass(frozen=True)
class Finding:
    """One thing the check found: a problem (an invariant broken) or a warning (a limit exceeded by override)."""

    problem: bool
    text: str

    @property
    def label(self) -> str:
        return "problem" if self.problem else "warning"


@dataclass(frozen=True)
class CheckResult:
    """Every finding, problems first."""

    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not any(f.problem for f in self.findings)

    def summary(self) -> str:
        problems = sum(f.problem for f in self.findings)
        warnings = len(self.findings) - problems
        if not self.findings:
            return "All good: the file is intact and every rota rule holds."
        if not problems:
            return f"All good: the file is intact and every rota rule holds ({_count(warnings, 'warning')}: limits exceeded by override)."
        said = _count(problems, "problem")
        return f"{said} found" + (f", and {_count(warnings, 'warning')}" if warnings else "") + "."


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def run_check(db: Database, actor: Person) -> CheckResult:
    """The findings of rota.check on the whole file (what `warmline check` prints)."""
    fresh_actor(db.conn, actor, reading=True)
    report = rota.check(db.conn)
    return CheckResult(
        tuple(Finding(True, e) for e in report.errors) + tuple(Finding(False, w) for w in report.warnings)
    )
