"""Handoff notes: what one shift tells the next, screened for caller details, and acknowledged.

A note belongs to the shift it was written on (the outgoing shift). Its readers are
the people on the *next* shift(s): the scheduled shift(s) starting at, or soonest
after, the outgoing shift's end, within 24 hours. Readers are worked out from the
rota each time, so someone who claims a seat on the next shift later still sees the
note. The change (the moment the note is "for") is the next shift's start; a note
that nobody on the next shift acknowledged 15 minutes after the change is overdue,
and the backup and the coordinators are told (see `warmline.notify.outbox`).

Callers are anonymous (DESIGN.md): the note is the only free text kept about calls,
so it is refused when it looks like it holds a phone number or an e-mail address.
The refusal says why but never repeats what it found, and nothing is written.
Audit rows record a note's length, never its text.
"""

from __future__ import annotations

import html
import re
import sqlite3
import unicodedata
from datetime import datetime, timedelta
from functools import cache
from types import SimpleNamespace
from typing import NamedTuple

from . import audit, events
from .clock import now
from .db import Database, iso_utc, parse_utc
from .errors import Invalid, NotFound, Refused
from .model import Person, Shift

MAX_NOTE = 1000
NEXT_WITHIN = timedelta(hours=24)  # the next shift must start within this long after the outgoing one ends
ACK_GRACE = timedelta(minutes=15)  # unacknowledged this long after the change: overdue
WRITE_OFFER = timedelta(minutes=30)  # the app offers the note dialog in the last 30 minutes of a shift
WRITE_GRACE = timedelta(hours=2)  # a volunteer may still write for two hours after their shift ends
RECENT = timedelta(days=7)  # how far back `handoff list` looks
HISTORY = timedelta(days=90)  # how far back a person's handoff history looks (the app's Handoff history)
HISTORY_LIMIT = 200  # the most notes a history holds (newest first)

ANONYMOUS = "callers are anonymous: the note looks like it contains {what}; remove it"


# ---------------------------------------------------------------- screening
#
# The screen reads a folded copy of the note (see `_for_screening`): escapes decoded, compatibility
# forms, accents and invisible characters dropped, look-alike letters made Latin, number words made
# digits. It then masks what is numeric but ordinary in a note (times, dates, shift hours, money,
# percentages) and looks for runs of digits written the way phone numbers are, and for e-mail
# addresses, literal or spelled out. Number words are English.


_PHONE_MIN_DIGITS = 7  # local numbers have 7; 988, 911, 112, 116 123 and shift ids have fewer
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}

# Letters of other scripts that look like Latin ones (lower case: the text is case-folded first).
_CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j", "к": "k",
        "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "г": "r", "с": "c", "ѕ": "s",
        "т": "t", "у": "y", "ү": "y", "х": "x", "ԁ": "d", "ԝ": "w", "ѡ": "w", "ь": "b", "з": "3",
        # Greek
        "α": "a", "β": "b", "γ": "y", "ε": "e", "ζ": "z", "η": "n", "ι": "i", "κ": "k", "μ": "u",
        "ν": "v", "ο": "o", "ρ": "p", "σ": "o", "ς": "s", "τ": "t", "υ": "u", "χ": "x", "ω": "w",
        # Latin and IPA look-alikes that NFKC keeps
        "ı": "i", "ɑ": "a", "ɡ": "g", "ɩ": "i", "ɪ": "i", "ʟ": "l", "ᴀ": "a", "ᴄ": "c", "ᴅ": "d",
        "ᴇ": "e", "ᴍ": "m", "ᴏ": "o", "ᴘ": "p", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z",
        "ꜱ": "s", "ʀ": "r", "ɴ": "n", "ʜ": "h", "ɢ": "g", "ʏ": "y", "ø": "o", "ł": "l", "đ": "d",
        "ϲ": "c", "ϳ": "j",
        # Armenian
        "օ": "o", "ս": "u", "հ": "h", "ո": "n", "ց": "g",
        # other at signs and dots
        "﹫": "@", "＠": "@", "․": ".", "。": ".", "｡": ".", "‧": ".", "·": ".", "∙": ".", "⋅": ".", "•": ".",
        # blank letters that show as nothing
        "\u115f": None, "\u1160": None, "\u3164": None, "\uffa0": None, "\u2800": None,
    }
)

# English number words. "oh" and "o" are zero only next to other number words; "double" and
# "triple" repeat the digit after them; "twenty five" is 25, "eight hundred" 800.
_UNITS = {
    "zero": "0", "nought": "0", "naught": "0", "oh": "0", "o": "0", "one": "1", "two": "2",
    "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}
_TEENS = {
    "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
    "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19",
}
_TENS = {
    "twenty": "2", "thirty": "3", "forty": "4", "fourty": "4", "fifty": "5", "sixty": "6",
    "seventy": "7", "eighty": "8", "ninety": "9",
}
_REPEAT = {"double": 2, "triple": 3, "treble": 3}
_SCALE = {"hundred": "00", "thousand": "000"}
_NOT_ALONE = {"oh", "o", "double", "triple", "treble", "hundred", "thousand"}  # a run of only these is words

_TLDS = (
    "com|org|net|edu|gov|mil|int|info|biz|io|co|me|us|uk|ca|au|nz|ie|de|fr|es|it|nl|be|ch|at|se|no|dk|fi"
    "|pl|pt|in|mx|br|ar|cl|jp|cn|ru|za|eu|email|mail|online|xyz|app|dev"
)
_PROVIDERS = (
    "gmail|googlemail|hotmail|outlook|yahoo|ymail|icloud|protonmail|proton|aol|gmx|yandex|zoho|fastmail"
    "|btinternet|comcast|wanadoo|laposte|rediffmail"
)


@cache
def _patterns() -> SimpleNamespace:
    """The screening's patterns, compiled the first time a note is screened (not at import: the
    app's start-up imports this module for reading notes)."""
    number_word = "|".join(sorted((*_UNITS, *_TEENS, *_TENS, *_REPEAT, *_SCALE), key=len, reverse=True))
    word = rf"(?:{number_word})"
    sep = r"[\s,_./\-\u2010-\u2015]"  # what may stand between the words of a spoken number
    around = r"[\s_\-~*.,+=:|]+"  # what may stand around a spelled-out "at" or "dot"
    local = r"(?<![\w.+%\x02-])[\w.+%\x02-]+"  # the start of an address: "\x02" is a spelled dot
    dot = r"\s*[.\x02]\s*"
    return SimpleNamespace(
        percent=re.compile(r"%([2-7][0-9a-fA-F])"),
        # "o", "l" and "i" written for 0 and 1 next to digits ("O77OO", "555-0l23", "555-I23").
        o_for_zero=re.compile(r"(?<=\d)o+|o+(?=\d)"),
        # ... and 0 written for o next to letters, for the e-mail check ("c0m", "d0t").
        zero_for_o=re.compile(r"(?<=[a-z])0|0(?=[a-z])"),
        # Separators said in words between digits: "555 dash 123", "five five five then one two three".
        spoken_sep=re.compile(r"(?<=\d)\s*(?:dash|hyphen|dot|point|slash|space|then)\s*(?=\d)"),
        l_for_one=re.compile(r"(?<=\d)[li]+|[li]+(?=\d)"),
        number_word=re.compile(word),
        number_words=re.compile(rf"(?<![a-z]){word}(?:{sep}*{word})*(?![a-z'\u2019])"),  # not "o'clock"
        # Things that look numeric but are ordinary in a note; masked before looking for phone numbers.
        iso_date=re.compile(
            r"(?<![\d/.-])(?:19|20)\d\d([-/.])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])"
            r"(?:[t ]\d{1,2}:\d\d(?::\d\d)?)?(?![\d/.-])"
        ),
        num_date=re.compile(r"(?<![\d./-])(\d{1,2})([/.-])(\d{1,2})\2((?:19|20)\d\d|\d\d)(?![\d./-])"),
        day_month=re.compile(r"(?<![\d/])(\d{1,2})(/)(\d{1,2})(?![\d/])"),
        year_range=re.compile(r"(?<![\d./-])(?:19|20)\d\d\s*[-/\u2010-\u2015]\s*(?:(?:19|20)\d\d|\d\d)(?![\d./-])"),
        # Shift hours as HHMM-HHMM on five minutes ("1700-2100"), not inside a longer run of digits.
        hhmm_range=re.compile(
            r"(?<!\d)(?<!\d[\s.,_/-])((?:[01]\d|2[0-3])[0-5][05])\s*[-\u2010-\u2015]\s*((?:[01]\d|2[0-4])[0-5][05])"
            r"(?!\d)(?![\s.,_/-]\d)"
        ),
        dot_range=re.compile(
            r"(?<![\d.])(?:[01]?\d|2[0-3])[.h][0-5]\d\s*[-\u2010-\u2015]\s*(?:[01]?\d|2[0-4])[.h][0-5]\d(?![\d.])"
        ),
        clock=re.compile(r"(?<![\d:])(?:[01]?\d|2[0-4]):[0-5]\d(?::[0-5]\d)?(?![\d:])"),
        am_pm=re.compile(r"(?<![\d.:])\d{1,2}(?:[.:][0-5]\d)?\s*(?:am|pm|a\.m\.|p\.m\.)(?![a-z])"),
        money=re.compile(
            r"[$£€¥₹]\s?\d[\d,.]*"
            r"|(?<![\d,.])\d[\d,.]*\s?(?:%|percent\b|per cent\b|dollars?\b|euros?\b|pounds?\b|pesos?\b|rupees?\b"
            r"|usd\b|eur\b|gbp\b|k\b)"
        ),
        # A run of digits with the separators phone numbers are written (or disguised) with.
        digit_run=re.compile(r"(?:\+\s*)?\(?\d(?:[\s.,;_\-/():~*|x'\"\u2010-\u2015]*\d)*\)?"),
        comma_list=re.compile(r"\d++(?:\s*+,\s++\d++)++"),
        # Letters spaced out one by one ("s a m @ e x a m p l e . c o m").
        spaced_letters=re.compile(r"(?<![\w.@])(?:[\w.@] ){2,}[\w.@](?![\w.@])"),
        # E-mail: "at" and "dot" in brackets, or with spaces, dashes or underscores around them,
        # become \x01 and \x02 so that the spelled form can require a known top-level domain.
        bracket_at=re.compile(r"(?<!\s)\s*[(\[{<]\s*(?:a\s?t|@)\s*[)\]}>]\s*"),
        bracket_dot=re.compile(r"(?<!\s)\s*[(\[{<]\s*(?:dot|\.)\s*[)\]}>]\s*"),
        spelled_at=re.compile(rf"(?<=[^\W_]){around}(?:at(?:[\s-]?(?:sign|symbol))?|@){around}(?=[^\W_])"),
        spelled_dot=re.compile(
            rf"(?<=[^\W_])(?:{around}(?:d[o0]t|period){around}|{around}\.[\s_\-~*+=:|]+)(?=[^\W_])"
        ),
        email=re.compile(r"(?<![\w.+%-])[\w.+%-]+\s*@\s*[\w-]+(?:\s*\.\s*[\w-]+)*\s*\.\s*[a-z]{2,}"),
        email_spelled=re.compile(rf"{local}\s*[@\x01]\s*[\w-]+(?:{dot}[\w-]+)*?{dot}(?:{_TLDS})(?!\w)"),
        # A known mail provider after "at" ("sam at gmail"), or with its domain ("sam gmail dot com").
        provider_at=re.compile(rf"{local}\s*[@\x01]\s*(?:{_PROVIDERS})(?!\w)"),
        provider_domain=re.compile(rf"{local}\s+(?:{_PROVIDERS}){dot}(?:{_TLDS})(?!\w)"),
    )


def _decode_escapes(text: str) -> str:
    """Percent-escapes (sam%40example.com) and HTML character references (sam&#64;example.com) decoded."""
    if "&" in text:
        text = html.unescape(text)
    if "%" in text:
        text = _patterns().percent.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text


def _fold(text: str) -> str:
    """Compatibility forms folded (full-width digits become digits), accents, combining marks and
    invisible format characters (zero-width spaces) dropped, case folded, and letters of other
    scripts that look like Latin ones made Latin (the Cyrillic 'а' in 'аt')."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) not in ("Mn", "Me", "Cf"))
    return unicodedata.normalize("NFKC", kept).casefold().translate(_CONFUSABLES)


def _spoken_number(run: str) -> str:
    words = _patterns().number_word.findall(run)  # also when written together: "fivefivefive"
    if all(w in _NOT_ALONE for w in words):
        return run  # "oh well", "a double shift", "a hundred"
    out: list[str] = []
    repeat = 1
    i = 0
    while i < len(words):
        w = words[i]
        i += 1
        if w in _REPEAT:
            repeat = _REPEAT[w]
            continue
        if w in _SCALE:
            out.append(_SCALE[w])
            continue
        if w in _TENS:
            if i < len(words) and words[i] in _UNITS and _UNITS[words[i]] != "0":
                digits = _TENS[w] + _UNITS[words[i]]
                i += 1
            else:
                digits = _TENS[w] + "0"
        elif w in _UNITS:
            digits = _UNITS[w]
        else:
            digits = _TEENS.get(w, "")
        out.append(digits * repeat)
        repeat = 1
    return "".join(out)


def _number_words(text: str) -> str:
    """Runs of English number words become digits: 'five five five' is 555, 'oh seven double seven'
    is 0777, 'nine-one-one' is 911, 'twenty four' is 24 (the text must be folded first)."""
    return _patterns().number_words.sub(lambda m: _spoken_number(m.group(0)), text)


def _for_screening(text: str) -> str:
    """The text as the screen reads it: escapes decoded, folded (see `_fold`), number words made
    digits, the letters o, l and i touching a digit read as 0 and 1, and separators said in words
    between digits ("555 dash 123") made dashes, so that none of them hides anything."""
    found = _patterns()
    spoken = _number_words(_fold(_decode_escapes(text)))
    digits = found.o_for_zero.sub(lambda m: "0" * len(m.group(0)), spoken)
    digits = found.l_for_one.sub(lambda m: "1" * len(m.group(0)), digits)
    return found.spoken_sep.sub("-", digits)


def _valid_day_month(match: re.Match) -> bool:
    a, b = int(match.group(1)), int(match.group(3))
    return 1 <= a <= 31 and 1 <= b <= 31 and (a <= 12 or b <= 12)


def _mask_ordinary_numbers(folded: str) -> str:
    """Times, dates, shift hours, year ranges, money and percentages replaced by ' q ' (a letter that is
    no separator, so the digits on either side stay apart)."""
    found = _patterns()
    text = found.iso_date.sub(" q ", folded)
    text = found.num_date.sub(lambda m: " q " if _valid_day_month(m) else m.group(0), text)
    text = found.day_month.sub(lambda m: " q " if _valid_day_month(m) else m.group(0), text)
    text = found.year_range.sub(" q ", text)
    text = found.hhmm_range.sub(lambda m: " q " if m.group(1) != m.group(2) else m.group(0), text)
    text = found.dot_range.sub(" q ", text)
    text = found.clock.sub(" q ", text)
    text = found.am_pm.sub(" q ", text)
    return found.money.sub(" q ", text)


def _digit_runs(folded: str) -> list[str]:
    """The runs of digits in folded text once ordinary numbers are masked: digits with the
    separators phone numbers are written (or disguised) with between them (spaces, commas, dots,
    dashes, slashes, underscores, parentheses...), each run read as one number."""
    masked = _mask_ordinary_numbers(folded)
    return [m.group(0) for m in _patterns().digit_run.finditer(masked)]


def _phone_in(folded: str) -> bool:
    found = _patterns()
    if "@" in folded:  # the digits of an e-mail address are the address's
        folded = found.email.sub(" q ", folded)
    for run in _digit_runs(folded):
        groups = re.findall(r"\d+", run)
        digits = sum(len(g) for g in groups)
        if digits < _PHONE_MIN_DIGITS:
            continue
        # A list of like numbers with commas ("12, 15, 18, 20, 22", "shifts 101, 102, 103") is not a
        # number; single digits ("5, 5, 5, 1, 2, 3, 4") and three-digit groups far apart
        # ("612, 345, 678") are.
        if (
            len(groups) >= 3
            and len({len(g) for g in groups}) == 1
            and not groups[0].startswith("0")
            and (len(groups[0]) == 2 or (len(groups[0]) == 3 and max(map(int, groups)) - min(map(int, groups)) < 50))
            and found.comma_list.fullmatch(run)
        ):
            continue
        # Runs of a few one- and two-digit numbers ("12 15 18 20", "9.30-10.15") are counts and
        # times; a phone number has a group of three or more digits, or is international
        # (+33 1 23 45 67 89), or has ten digits or more (01 23 45 67 89), or is spelled digit by
        # digit (5 5 5 1 2 3 4).
        singles = sum(1 for g in groups if len(g) == 1)
        if max(len(g) for g in groups) >= 3 or run.startswith("+") or digits >= 10 or singles >= 3:
            return True
    return False


def _email_in(folded: str) -> bool:
    found = _patterns()
    if "@" in folded or " " in folded:
        folded = found.spaced_letters.sub(lambda m: m.group(0).replace(" ", ""), folded)
    if found.email.search(folded):
        return True
    folded = found.zero_for_o.sub("o", folded)
    spelled = found.bracket_at.sub("\x01", folded)
    spelled = found.bracket_dot.sub("\x02", spelled)
    spelled = found.spelled_at.sub("\x01", spelled)
    spelled = found.spelled_dot.sub("\x02", spelled)
    return bool(
        found.email_spelled.search(spelled)
        or found.provider_at.search(spelled)
        or found.provider_domain.search(spelled)
    )


def looks_like_phone(text: str) -> bool:
    """True when the text holds something written like a phone number (national or international),
    also with unusual separators, in number words, or in look-alike characters."""
    return _phone_in(_for_screening(text))


def looks_like_email(text: str) -> bool:
    """True when the text holds an e-mail address, plain, escaped or spelled out ("name at example dot com")."""
    return _email_in(_for_screening(text))


def screen(text: str) -> str:
    """Return the note as it will be stored, or raise: Invalid for its form, Refused for caller details.

    Newlines are kept (Windows and old Mac line ends become \\n); every other control
    character, and the bidirectional overrides that can disguise text, are refused.
    The refusal names what was found, never the text itself.
    """
    if not isinstance(text, str):
        raise Invalid("the note must be text")
    note = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not note:
        raise Invalid("the note is empty: write what the next shift should know")
    if len(note) > MAX_NOTE:
        raise Invalid(f"the note is {len(note)} characters long; the most is {MAX_NOTE}: shorten it")
    for ch in note:
        if ch != "\n" and (unicodedata.category(ch) == "Cc" or ch in _BIDI):
            raise Invalid(
                "the note contains a control character (a tab, escape or direction override): "
                "remove it; line breaks are fine"
            )
    folded = _for_screening(note)
    # An address with digits in it is an e-mail address, so e-mail is looked for first.
    email = _email_in(folded)
    phone = _phone_in(folded)
    if phone and email:
        raise Refused(ANONYMOUS.format(what="a phone number and an e-mail address"))
    if email:
        raise Refused(ANONYMOUS.format(what="an e-mail address"))
    if phone:
        raise Refused(ANONYMOUS.format(what="a phone number"))
    return note


# ---------------------------------------------------------------- the shape of a note


class Reader(NamedTuple):
    """Someone on the next shift, and when they acknowledged the note (None: not yet)."""

    person_id: int
    handle: str
    name: str
    role: str
    acked_at: datetime | None


class HandoffNote(NamedTuple):
    """A note from one shift to the next, with its readers as the rota stands now."""

    id: int
    shift_id: int
    author_id: int
    author_handle: str
    author_name: str
    body: str
    created_at: datetime
    shift_start: datetime
    shift_end: datetime
    shift_label: str
    next_shift_ids: tuple[int, ...]
    change_at: datetime | None
    next_label: str
    readers: tuple[Reader, ...]

    @property
    def unacked(self) -> tuple[Reader, ...]:
        """The readers who have not acknowledged it."""
        return tuple(r for r in self.readers if r.acked_at is None)

    def overdue(self, moment: datetime | None = None) -> bool:
        """True when someone on the next shift has not acknowledged it 15 minutes after the change."""
        moment = moment or now()
        return bool(self.change_at and self.unacked and moment >= self.change_at + ACK_GRACE)

    def reader(self, person_id: int) -> Reader | None:
        """This person's place among the readers, or None."""
        return next((r for r in self.readers if r.person_id == person_id), None)


def _label(shift: Shift) -> str:
    return f"{shift.start_local:%a %d %b %H:%M}–{shift.end_local:%H:%M}"


def next_shifts(conn: sqlite3.Connection, shift: Shift) -> list[Shift]:
    """The scheduled shift(s) starting at or soonest after `shift` ends, within 24 h (all that start then)."""
    from .rota import get_shift

    first = conn.execute(
        "SELECT min(start_utc) FROM shift WHERE status = 'scheduled' AND id != ? AND start_utc >= ? AND start_utc < ?",
        (shift.id, iso_utc(shift.end_utc), iso_utc(shift.end_utc + NEXT_WITHIN)),
    ).fetchone()[0]
    if first is None:
        return []
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM shift WHERE status = 'scheduled' AND id != ? AND start_utc = ? ORDER BY id",
            (shift.id, first),
        )
    ]
    return [get_shift(conn, sid) for sid in ids]


def incoming(conn: sqlite3.Connection, shift: Shift) -> list[tuple[Shift, list]]:
    """The next shift(s) with the people on them (peers and backup): the readers of a note on `shift`."""
    from .rota import assignments

    found = next_shifts(conn, shift)
    on = assignments(conn, [s.id for s in found])
    return [(s, on[s.id]) for s in found]


def _load(conn: sqlite3.Connection, row: sqlite3.Row) -> HandoffNote:
    from .rota import get_shift

    shift = get_shift(conn, row["shift_id"])
    following = incoming(conn, shift)
    acks = {
        r[0]: parse_utc(r[1])
        for r in conn.execute("SELECT person_id, at FROM handoff_ack WHERE note_id = ?", (row["id"],))
    }
    readers: list[Reader] = []
    seen: set[int] = set()
    for _, people in following:
        for a in people:
            if a.person_id in seen or a.person_id == row["author_id"]:
                continue
            seen.add(a.person_id)
            readers.append(Reader(a.person_id, a.handle, a.name, a.role, acks.get(a.person_id)))
    change = following[0][0].start_utc if following else None
    return HandoffNote(
        id=row["id"],
        shift_id=shift.id,
        author_id=row["author_id"],
        author_handle=row["handle"],
        author_name=row["name"],
        body=row["body"],
        created_at=parse_utc(row["created_at"]),
        shift_start=shift.start_utc,
        shift_end=shift.end_utc,
        shift_label=_label(shift),
        next_shift_ids=tuple(s.id for s, _ in following),
        change_at=change,
        next_label=", ".join(_label(s) for s, _ in following),
        readers=tuple(readers),
    )


_NOTE_SQL = (
    "SELECT n.id, n.shift_id, n.author_id, n.body, n.created_at, p.handle, p.name"
    " FROM handoff_note n JOIN person p ON p.id = n.author_id"
)


def get_note(conn: sqlite3.Connection, note_id: int) -> HandoffNote:
    """The note with this id, or NotFound."""
    if not isinstance(note_id, int) or isinstance(note_id, bool) or not -(2**63) <= note_id < 2**63:
        raise NotFound(f"there is no handoff note {str(note_id)[:40]}: see `warmline handoff list`")
    row = conn.execute(_NOTE_SQL + " WHERE n.id = ?", (note_id,)).fetchone()
    if row is None:
        raise NotFound(f"there is no handoff note {note_id}: see `warmline handoff list`")
    return _load(conn, row)


def _recent(conn: sqlite3.Connection, moment: datetime, window: timedelta) -> list[HandoffNote]:
    rows = conn.execute(
        _NOTE_SQL + " WHERE n.created_at >= ? ORDER BY n.created_at DESC, n.id DESC", (iso_utc(moment - window),)
    ).fetchall()
    return [_load(conn, r) for r in rows]


def may_read(viewer: Person, note: HandoffNote) -> bool:
    """Its author, its readers and coordinators may read a note."""
    return viewer.is_coordinator or viewer.id == note.author_id or note.reader(viewer.id) is not None


# ---------------------------------------------------------------- writing


def can_write_now(conn: sqlite3.Connection, person: Person, moment: datetime | None = None) -> Shift | None:
    """The shift `person` is on now when it ends within 30 minutes (when the app offers the note dialog)."""
    from .calls import on_shift
    from .rota import get_shift

    moment = moment or now()
    seat = on_shift(conn, person.id, moment)
    if seat is None or seat.end_utc - moment > WRITE_OFFER:
        return None
    return get_shift(conn, seat.shift_id)


def _check_writer(conn: sqlite3.Connection, who: Person, shift: Shift, moment: datetime) -> None:
    if shift.status != "scheduled":
        raise Refused(f"shift {shift.id} is cancelled: there is no handoff from it")
    if who.is_coordinator:
        return
    on = conn.execute(
        "SELECT 1 FROM assignment WHERE shift_id = ? AND person_id = ?", (shift.id, who.id)
    ).fetchone()
    if on is None:
        raise Refused(
            f"{who.handle} is not on shift {shift.id}: only the people on a shift (or a coordinator) "
            "write its handoff note"
        )
    if moment < shift.start_utc:
        raise Refused(
            f"shift {shift.id} has not started yet: write its handoff note during the shift "
            "(the app offers it in the last 30 minutes)"
        )
    if moment > shift.end_utc + WRITE_GRACE:
        raise Refused(
            f"shift {shift.id} ended more than {int(WRITE_GRACE.total_seconds() // 3600)} h ago: "
            "ask a coordinator to pass the note on"
        )


def write_note(db: Database, actor: Person, shift_id: int, text: str) -> HandoffNote:
    """Write a handoff note on a shift for the next one: by someone on the shift, or a coordinator.

    The text is screened first (see `screen`); a refused note changes nothing. The people
    on the next shift are told a note is waiting (a 'note' notification, in the same transaction).
    """
    from .people import fresh_actor
    from .rota import get_shift

    body = screen(text)
    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        shift = get_shift(conn, shift_id)
        moment = now()
        from . import clock

        _check_writer(conn, who, shift, clock.real_now())  # an access decision: never WARMLINE_NOW
        cur = conn.execute(
            "INSERT INTO handoff_note (shift_id, author_id, body, created_at) VALUES (?, ?, ?, ?)",
            (shift.id, who.id, body, iso_utc(moment)),
        )
        note = get_note(conn, cur.lastrowid)
        audit.record(
            conn,
            who.handle,
            "handoff.write",
            f"shift {shift.id}",
            f"note {note.id}, {len(body)} characters; {len(note.readers)} readers",
        )
        events.report(conn, "note.written", note_id=note.id)
        return note


# ---------------------------------------------------------------- reading and acknowledging


def notes_for(
    conn: sqlite3.Connection, person: Person, *, unread_only: bool = False, moment: datetime | None = None
) -> list[HandoffNote]:
    """Notes of the last 7 days whose readers include `person`, newest first."""
    moment = moment or now()
    found = []
    for note in _recent(conn, moment, RECENT):
        mine = note.reader(person.id)
        if mine is None or (unread_only and mine.acked_at is not None):
            continue
        found.append(note)
    return found


def unread_notes(conn: sqlite3.Connection, person: Person, moment: datetime | None = None) -> list[HandoffNote]:
    """Notes for `person` that they have not acknowledged yet (what Home shows), newest first."""
    return notes_for(conn, person, unread_only=True, moment=moment)


def list_notes(
    conn: sqlite3.Connection, viewer: Person, *, unread_only: bool = False, moment: datetime | None = None
) -> list[HandoffNote]:
    """What `warmline handoff list` shows: notes for the viewer (and ones they wrote); a coordinator sees every
    recent note. With unread_only: only notes the viewer has yet to acknowledge."""
    moment = moment or now()
    if unread_only:
        return unread_notes(conn, viewer, moment)
    return [n for n in _recent(conn, moment, RECENT) if may_read(viewer, n)]


def history(
    conn: sqlite3.Connection,
    viewer: Person,
    *,
    moment: datetime | None = None,
    window: timedelta = HISTORY,
    limit: int = HISTORY_LIMIT,
) -> tuple[list[HandoffNote], bool]:
    """The notes `viewer` may read (see `may_read`) written in the last 90 days, acknowledged ones included,
    newest first, at most `limit`; and whether that is all of them (False: older ones were left out)."""
    moment = moment or now()
    found: list[HandoffNote] = []
    rows = conn.execute(
        _NOTE_SQL + " WHERE n.created_at >= ? ORDER BY n.created_at DESC, n.id DESC", (iso_utc(moment - window),)
    ).fetchall()
    for row in rows:
        note = _load(conn, row)  # its readers come from the rota as it stands now
        if not may_read(viewer, note):
            continue
        if len(found) == limit:
            return found, False
        found.append(note)
    return found, True


def unacknowledged(conn: sqlite3.Connection, moment: datetime | None = None) -> list[HandoffNote]:
    """Recent notes not acknowledged by everyone on the next shift 15 minutes after the change."""
    moment = moment or now()
    return [n for n in _recent(conn, moment, RECENT) if n.overdue(moment)]


def ack(db: Database, actor: Person, note_id: int) -> HandoffNote:
    """Acknowledge a note as one of its readers (someone on the next shift). Acknowledging twice is harmless."""
    from .people import fresh_actor

    with db.transaction() as conn:
        who = fresh_actor(conn, actor)
        note = get_note(conn, note_id)
        mine = note.reader(who.id)
        if mine is None:
            if not may_read(who, note):
                # Do not confirm to a stranger what a note is about: the same words as a missing note.
                raise NotFound(f"there is no handoff note {note_id} for {who.handle}: see `warmline handoff list`")
            raise Refused(
                f"{who.handle} is not on the shift note {note_id} is for: only the people on it acknowledge it"
            )
        if mine.acked_at is not None:
            return note
        conn.execute(
            "INSERT INTO handoff_ack (note_id, person_id, at) VALUES (?, ?, ?)", (note.id, who.id, iso_utc(now()))
        )
        audit.record(conn, who.handle, "handoff.ack", f"note {note.id}", f"shift {note.shift_id}")
        return get_note(conn, note.id)
