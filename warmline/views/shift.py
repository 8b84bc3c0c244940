"""What the shift dialog and the assign picker read (no Textual)."""

from __future__ import annotations

from warmline import rota
from warmline.db import Database
from warmline.line import get as get_line
from warmline.model import Line, Person


def load_candidates(db: Database, actor: Person, shift_id: int) -> tuple[list[rota.Candidate], Line]:
    """Everyone who could take a seat on the shift (eligible first), and the line."""
    return rota.candidates(db.conn, actor, shift_id), get_line(db.conn)
