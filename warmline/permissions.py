"""What each role may do: `require`, the one check every service function makes, in the core.

The UI and the CLI only explain a refusal; they never are the only thing standing in the way.
A volunteer may do the VOLUNTEER_SELF operations for themself only; COORDINATOR_ONLY ones are for
coordinators; an operation in neither list is refused (unknown). The lowest room of all (it imports
only the model and the errors), so that audit and the rest can check without importing sign-in.
"""

from __future__ import annotations

from .errors import Refused
from .model import Person

# Operations a volunteer may do, and then only on themself (see `require`).
VOLUNTEER_SELF = frozenset({"claim", "drop", "person.edit.self", "person.passphrase.self", "triad.join"})
# Everything a coordinator may do that a volunteer may not.
COORDINATOR_ONLY = frozenset(
    {
        "line.edit",
        "person.add",
        "person.edit",
        "person.deactivate",
        "person.passphrase",
        "tag.add",
        "shift.add",
        "shift.edit",
        "shift.cancel",
        "series.edit",
        "series.cancel",
        "assign",
        "unassign",
        "force",
        "audit.read",
        "tags.read.others",
        "coverage.read",
        "goal.add",
        "goal.edit",
        "goal.remove",
        "triad.form",
    }
)


def require(actor: Person, operation: str, *, target: Person | None = None) -> None:
    """Raise Refused unless `actor` may do `operation` (to `target`, for operations on a person)."""
    if not actor.active:
        raise Refused(f"{actor.handle} is inactive and cannot make changes: ask a coordinator")
    if actor.is_coordinator:
        return
    if operation in VOLUNTEER_SELF:
        if target is None or target.id == actor.id:
            return
        raise Refused(f"{actor.handle} may only do that for themself; a coordinator can do it for {target.handle}")
    if operation in COORDINATOR_ONLY:
        raise Refused(_coordinator_only_message(actor, operation))
    raise Refused(f"{actor.handle} may not {operation}: unknown operation")


_PLAIN = {
    "line.edit": "change the line's settings",
    "person.add": "add people",
    "person.edit": "edit other people",
    "person.deactivate": "deactivate people",
    "person.passphrase": "set another person's passphrase",
    "tag.add": "add tags",
    "shift.add": "create shifts",
    "shift.edit": "edit shifts",
    "shift.cancel": "cancel shifts",
    "series.edit": "edit series",
    "series.cancel": "cancel series",
    "assign": "assign people to shifts",
    "unassign": "take people off shifts",
    "force": "override a rota rule",
    "audit.read": "read the audit log",
    "tags.read.others": "see other people's tags",
    "coverage.read": "see the coverage report",
    "goal.add": "add coverage goals",
    "goal.edit": "edit coverage goals",
    "goal.remove": "remove coverage goals",
    "triad.form": "form triads",
}


def _coordinator_only_message(actor: Person, operation: str) -> str:
    return f"only coordinators may {_PLAIN.get(operation, operation)}; {actor.handle} is a volunteer"
