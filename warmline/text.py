"""The one place that makes text safe: refused at the edge, neutralised on every way out.

Text typed by a person or read from a file is data, never control. Two rules follow:

- On the way in, a name-like field (a name, a handle, a label, the line's name) may hold
  no control character (C0, DEL, C1), no bidirectional control and no other invisible
  format character: `check` refuses it with a clear error.
- On the way out, everything that came from the file goes through `safe` (a terminal, an
  error line, a notification, the app), `json_dumps` (JSON), `csv_cell` (a spreadsheet) or
  `notification_body` (a desktop notification server that reads markup). Text stored before
  the rule existed, or written into the file by another program, is made harmless there.

Imports nothing but the standard library: it is on every path, start-up included.
"""

from __future__ import annotations

import json
import unicodedata

from .errors import Invalid

# Bidirectional controls: embeddings, overrides, isolates and marks (Unicode TR9). All are
# category Cf; listed for the error message and for readers.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Format characters that carry meaning in ordinary text (emoji sequences, scripts that
# join letters) and do no harm on a terminal: kept.
_KEPT_FORMAT = frozenset("\u200c\u200d")
# Line and paragraph separators end a line in some readers (JSON in JavaScript, editors).
_SEPARATORS = frozenset("\u2028\u2029")
# A spreadsheet reads a cell that begins with one of these as a formula (OWASP CSV injection).
CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_control(ch: str) -> bool:
    """True for a character that may act on a terminal or hide text: C0, DEL, C1, bidi and other
    format controls (Cf, except ZWJ/ZWNJ), line/paragraph separators and lone surrogates."""
    if ch in _KEPT_FORMAT:
        return False
    if ch in _SEPARATORS:
        return True
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs")


def find_control(text: str, *, allow_newlines: bool = False) -> str | None:
    """The first control character in the text (newlines allowed when asked), or None."""
    for ch in text:
        if allow_newlines and ch == "\n":
            continue
        if is_control(ch):
            return ch
    return None


def describe(ch: str) -> str:
    """A control character named for an error message: 'an escape (U+001B)'."""
    code = f"U+{ord(ch):04X}"
    if ch == "\x1b":
        return f"an escape ({code})"
    if ch in "\t\n\r":
        return f"a tab or line break ({code})"
    if ch in BIDI_CONTROLS:
        return f"a text-direction control ({code})"
    if 0x80 <= ord(ch) <= 0x9F:
        return f"an 8-bit control ({code})"
    if unicodedata.category(ch) == "Cf":
        return f"an invisible format character ({code})"
    return f"a control character ({code})"


def check(value: str, what: str, *, allow_newlines: bool = False) -> str:
    """Return the value unchanged, or raise Invalid naming the first control character in it.

    `what` names the field ("the name", "the tag label"); the value itself is never quoted
    back, since it is what cannot be shown safely.
    """
    if not isinstance(value, str):
        raise Invalid(f"{what} must be text")
    ch = find_control(value, allow_newlines=allow_newlines)
    if ch is not None:
        raise Invalid(
            f"{what} contains {describe(ch)}: control and text-direction characters are not "
            "allowed in names and labels; retype it without them"
        )
    return value


def _escaped(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def safe(text: object, *, multiline: bool = False) -> str:
    """Text that can be printed on a terminal as it is: every control character becomes a
    visible escape (ESC -> '\\x1b', U+202E -> '\\u202e'); newlines kept when `multiline`.

    Idempotent on text that has no control characters; None becomes ''.
    """
    if text is None:
        return ""
    text = str(text)
    if not any(is_control(ch) for ch in text):
        return text
    return "".join(
        ch if (multiline and ch == "\n") or not is_control(ch) else _escaped(ch) for ch in text
    )


class _SafeEncoder(json.JSONEncoder):
    def encode(self, o):  # noqa: D102 - json's own hook
        return _escape_json(super().encode(o))

    def iterencode(self, o, _one_shot=False):  # noqa: D102 - json's own hook
        for chunk in super().iterencode(o, _one_shot):
            yield _escape_json(chunk)


def _escape_json(chunk: str) -> str:
    # json escapes C0 inside strings, so a raw newline here is the indentation's; escape every
    # other control character json leaves (DEL, C1, bidi and format controls, separators).
    if not any(ch != "\n" and is_control(ch) for ch in chunk):
        return chunk
    return "".join(_json_escape(ch) if ch != "\n" and is_control(ch) else ch for ch in chunk)


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_dumps(value: object, *, indent: int | None = 2) -> str:
    """JSON in UTF-8-readable form with every control character escaped as \\uXXXX."""
    return json.dumps(value, ensure_ascii=False, indent=indent, cls=_SafeEncoder)


def _needs_quote(text: str) -> bool:
    return text.startswith(CSV_TRIGGERS) or (text[:1] == "'" and text[1:].startswith(CSV_TRIGGERS + ("'",)))


def csv_cell(value: object, *, multiline: bool = False) -> object:
    """A value for a CSV cell: text that a spreadsheet would read as a formula gets a leading
    apostrophe (OWASP), as does text whose apostrophe would otherwise be taken for one, so that
    `csv_uncell` gives back exactly what was stored. Numbers and None pass unchanged."""
    if not isinstance(value, str):
        return value
    text = safe(value, multiline=multiline)
    return "'" + text if _needs_quote(text) else text


def csv_uncell(value: str) -> str:
    """The text `csv_cell` was given: the one leading apostrophe it added removed."""
    if value[:1] == "'" and _needs_quote(value[1:]):
        return value[1:]
    return value


def notification_body(text: object) -> str:
    """Text for a desktop notification server that reads a subset of HTML in bodies
    (<b>, <a href>, <img>): made terminal-safe, then &, < and > escaped as entities."""
    return safe(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


MAX_TEXT = 200  # the longest one-line field unless a caller says otherwise


def clean_text(value: str, what: str, *, limit: int = MAX_TEXT, allow_empty: bool = False) -> str:
    """Strip a one-line text field and refuse control characters (C0, DEL, C1, bidi and other
    format controls: `text.check`), over-long or (unless allowed) empty values."""
    if not isinstance(value, str):
        raise Invalid(f"{what} must be text")
    text = check(value, what).strip()
    if not text and not allow_empty:
        raise Invalid(f"{what} is empty: give a value")
    if len(text) > limit:
        raise Invalid(f"{what} is {len(text)} characters long; the most is {limit}: shorten it")
    return text
