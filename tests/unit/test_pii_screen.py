"""The handoff note's caller-details screen against disguises (issue 12, class F).

Two corpora live in tests/data: pii_contacts.txt (disguised phone numbers and e-mail addresses
inside note sentences; every line must be refused) and ordinary_notes.txt (notes as peers write
them; every line must pass). Both are written by hand, not generated from the screen's patterns.
The corpus test measures the shares and prints them; the README quotes them.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hostile import HOSTILE, name_like_text
from warmline import handoff
from warmline.errors import Invalid, Refused

DATA = Path(__file__).resolve().parent.parent / "data"
PHONE = "callers are anonymous: the note looks like it contains a phone number; remove it"
EMAIL = "callers are anonymous: the note looks like it contains an e-mail address; remove it"
BOTH = "callers are anonymous: the note looks like it contains a phone number and an e-mail address; remove it"


def load(name: str) -> list[str]:
    """The corpus lines of tests/data/NAME: comments and blank lines skipped, \\uXXXX decoded."""
    lines = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lines.append(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), line))
    return lines


def refusal(text: str) -> str | None:
    """The refusal message for this note, or None when it passes."""
    try:
        handoff.screen(text)
    except Refused as exc:
        return str(exc)
    return None


# ---------------------------------------------------------------- the issue's examples

# The 13 light disguises of issue 12 (class F), as it describes them: separators, digits in words,
# obfuscated e-mail addresses. Each got through the screen before.
ISSUE_PHONES = [
    "555,123,4567",
    "555_123_4567",
    "5 5 5 1 2 3 4 5 6 7",  # single spaces between digits
    "555, 123, 4567",
    "five five five one two three four five six seven",
    "five five five, one two three, four five six seven",
    "555 one two three 4567",
]
ISSUE_EMAILS = [
    "sam-at-example-dot-com",
    "sam -at- example -dot- com",
    "sam at example . com",
    "sam _at_ example _dot_ com",
    "sam%40example.com",
    "sam \u0430t example dot com",  # a Cyrillic а in "at"
]


def test_the_issue_lists_thirteen():
    assert len(ISSUE_PHONES) + len(ISSUE_EMAILS) == 13


@pytest.mark.parametrize("contact", ISSUE_PHONES)
def test_the_issues_disguised_phone_numbers_are_refused(contact):
    message = refusal(f"Caller asked us to ring {contact} tomorrow")
    assert message == PHONE
    assert not any(ch.isdigit() for ch in message)


@pytest.mark.parametrize("contact", ISSUE_EMAILS)
def test_the_issues_disguised_email_addresses_are_refused(contact):
    message = refusal(f"They wrote from {contact} earlier")
    assert message == EMAIL
    assert "sam" not in message and "example" not in message


def test_a_note_with_both_names_both():
    assert refusal("ring 555 0142 or write to sam at example dot org") == BOTH


def test_an_address_with_digits_is_named_as_an_address():
    assert refusal("she is sam5550142@example.com") == EMAIL


# ---------------------------------------------------------------- each step of the normalising


def test_percent_escapes_and_html_references_are_decoded():
    assert handoff._decode_escapes("sam%40example%2Ecom") == "sam@example.com"
    assert handoff._decode_escapes("sam&#64;example.com and sam&#x40;x and sam&commat;y") == (
        "sam@example.com and sam@x and sam@y"
    )
    assert handoff._decode_escapes("50% of calls, 100%") == "50% of calls, 100%"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("５５５－１２３", "555-123"),  # full-width digits and dash (NFKC)
        ("𝟓𝟓𝟓 ①②③", "555 123"),  # mathematical and circled digits
        ("sam＠example．com", "sam@example.com"),
        ("555\u200b123\u2060456\u00ad7\ufeff", "5551234567"),  # zero-width space, word joiner, soft hyphen, BOM
        ("5\ufe0f\u20e35\ufe0f\u20e3", "55"),  # keycap emoji
        ("s\u0301am éxample", "sam example"),  # combining and precomposed accents
        ("SAM AT Example", "sam at example"),
        ("\u0430\u0442 \u0435\u0445\u0430\u043c\u0440\u04cf\u0435", "at example"),  # Cyrillic а т е х а м р ӏ е
        ("\u0455\u0430\u043c \u0456\u0501\u051b\u051d", "sam idqw"),  # Cyrillic ѕ а м і ԁ ԛ ԝ
        ("\u03bf\u03b1\u03b5\u03b9\u03ba\u03bd\u03c1\u03c4\u03c5\u03c7", "oaeikvptux"),  # Greek ο α ε ι κ ν ρ τ υ χ
        ("\u0391\u03a4", "at"),  # Greek capitals Α Τ
    ],
)
def test_folding(text, folded):
    assert handoff._fold(text) == folded


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("five five five one two three four", "5551234"),
        ("Five-Five-Five", "555"),
        ("nine-one-one", "911"),
        ("five five five, one two three", "555123"),
        ("oh seven seven oh oh", "07700"),
        ("five o five", "505"),
        ("double five one", "551"),
        ("triple seven", "777"),
        ("twenty four", "24"),
        ("thirty", "30"),
        ("twelve thirty-four", "1234"),
        ("one eight hundred", "1800"),
        ("zero six nought", "060"),
        ("5five5", "555"),
        ("fivefivefive onetwothree", "555123"),
    ],
)
def test_number_words_become_digits(text, digits):
    assert handoff._number_words(handoff._fold(text)) == digits


@pytest.mark.parametrize(
    "text",
    ["oh well", "a double shift", "a hundred thanks", "someone phoned", "often", "tone", "eighteenth"],
)
def test_words_that_are_not_a_spoken_number_stay_words(text):
    assert handoff._number_words(text) == text


def test_o_and_l_next_to_digits_are_zero_and_one_and_spoken_separators_are_dashes():
    assert handoff._for_screening("O77OO 9OO123") == "07700 900123"
    assert handoff._for_screening("555-0l23") == "555-0123"
    assert handoff._for_screening("555-I23") == "555-123"
    assert handoff._for_screening("555 dash 123 slash 4567") == "555-123-4567"
    assert handoff._for_screening("ten o'clock, hello") == "10 o'clock, hello"


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("555,123,4567", ["5551234567"]),
        ("555_123_4567", ["5551234567"]),
        ("5 5 5 1 2 3 4", ["5551234"]),
        ("(555) 123.4567", ["5551234567"]),
        ("555 / 123 - 4567", ["5551234567"]),
        ("555:123|4567", ["5551234567"]),
        ("555 \u2013 123 \u2014 4567", ["5551234567"]),
        ("+44 (0)20 7946 0958", ["4402079460958"]),
        ("12 calls, room 101", ["12", "101"]),
    ],
)
def test_separators_between_digits_are_dropped(text, numbers):
    runs = handoff._digit_runs(handoff._for_screening(text))
    assert [re.sub(r"\D", "", run) for run in runs] == numbers


@pytest.mark.parametrize(
    "text",
    [
        "17:00–21:00",
        "17:00-21:00, 21:00-01:00",
        "1700-2100",
        "9.30-10.15",
        "17.00 - 21.00",
        "5pm",
        "6.30 p.m.",
        "2026-11-23",
        "2026-11-23T17:00",
        "23/11/2026",
        "23.11.2026",
        "23/11",
        "2025-2026",
        "2026/27",
        "$1,250.00",
        "£40",
        "50%",
        "20 percent",
    ],
)
def test_ordinary_numbers_are_masked_before_looking_for_phone_numbers(text):
    assert not re.search(r"\d", handoff._mask_ordinary_numbers(handoff._for_screening(text)))


@pytest.mark.parametrize(
    "contact",
    [
        "sam (at) example (dot) com",
        "sam [ at ] example [ dot ] com",
        "sam {at} example {dot} org",
        "sam <at> example <dot> net",
        "sam (@) example (.) com",
        "sam -at- example -dot- com",
        "sam_at_example_dot_com",
        "sam ~at~ example ~dot~ com",
        "sam.at.example.dot.com",
        "sam at example period com",
        "sam at example d0t c0m",
        "s a m @ e x a m p l e . c o m",
        "sam dot smith at example dot co dot uk",
        "sam at gmail",
        "sam.smith gmail dot com",
    ],
)
def test_spelled_out_at_and_dot(contact):
    assert handoff.looks_like_email(f"write to {contact} please")


@pytest.mark.parametrize(
    "text",
    [
        "she was at the dot of noon",
        "meet at home dot later",
        "see you at the meeting",
        "Sam at the desk by the window",
        "back at 7",
        "she's at home dot dot dot as she put it",
        "at the dot com party",
        "I use gmail for work",
    ],
)
def test_at_and_dot_in_ordinary_sentences_pass(text):
    assert not handoff.looks_like_email(text)
    assert refusal(text) is None


# ---------------------------------------------------------------- the corpora


def test_the_corpora_are_big_enough_and_distinct():
    contacts, notes = load("pii_contacts.txt"), load("ordinary_notes.txt")
    assert len(contacts) >= 200 and len(notes) >= 200
    assert len(set(contacts)) == len(contacts) and len(set(notes)) == len(notes)
    assert not set(contacts) & set(notes)
    # The invisible characters survive in the file as escapes.
    assert sum(1 for c in contacts if "\u200b" in c) >= 5


def test_measured_shares_on_the_corpora(capsys):
    contacts, notes = load("pii_contacts.txt"), load("ordinary_notes.txt")
    messages = [refusal(c) for c in contacts]
    refused = sum(1 for m in messages if m is not None)
    passed = sum(1 for n in notes if refusal(n) is None)
    slowest = 0.0
    for text in (*contacts, *notes, "5 " * (handoff.MAX_NOTE // 2), "a at " * (handoff.MAX_NOTE // 5)):
        took = []
        for _ in range(2):  # the better of two: the machine is shared
            started = time.perf_counter()
            refusal(text[: handoff.MAX_NOTE])
            took.append(time.perf_counter() - started)
        slowest = max(slowest, min(took))
    with capsys.disabled():
        print(
            f"\nPII screen: {refused} of {len(contacts)} disguised contacts refused "
            f"({100 * refused / len(contacts):.1f} %), {passed} of {len(notes)} ordinary notes passed "
            f"({100 * passed / len(notes):.1f} %); slowest note {1000 * slowest:.1f} ms"
        )
    assert refused / len(contacts) >= 0.98
    assert passed / len(notes) >= 0.99
    # A refusal names what it found and never repeats it.
    for contact, message in zip(contacts, messages, strict=True):
        assert message in (PHONE, EMAIL, BOTH, None), contact


# ---------------------------------------------------------------- robustness

NOTE_ALPHABET = st.one_of(
    st.characters(categories=("L", "N", "P", "S", "Zs", "Mn", "Cf")),
    st.sampled_from(list("0123456789 .,-_/()@%&#;:+ ")),
    st.sampled_from(["at", "dot", " five ", " oh ", "double", "(at)", "[dot]", "%40", "&#64;", "o", "l"]),
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, database=None)  # writes nothing into the tree
@given(st.one_of(st.lists(NOTE_ALPHABET, max_size=120).map("".join), name_like_text(), st.sampled_from(HOSTILE)))
def test_any_text_is_passed_or_refused_cleanly(text):
    try:
        note = handoff.screen(text)
    except Refused as exc:
        assert str(exc) in (PHONE, EMAIL, BOTH)
    except Invalid as exc:
        assert str(exc).startswith("the note ")
    else:
        assert note == text.replace("\r\n", "\n").replace("\r", "\n").strip()


# ---------------------------------------------------------------- the classes, not only the examples

WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
SEPARATORS = [" ", ",", ", ", "_", " _ ", ".", ". ", "-", " - ", "--", "/", " / ", ":", "|", "~", "*", "\u2013",
              " \u2014 ", "\u00a0", "\u2009", "\u200b", "\u2060", "\n"]
STYLES = ["plain", "words", "mixed", "fullwidth", "zero_width", "capitals"]


def disguise_number(digits: str, groups: list[int], separator: str, style: str) -> str:
    """A phone number's digits, grouped and separated and written in a style, as a person might hide it."""
    parts, at = [], 0
    for size in groups:
        parts.append(digits[at : at + size])
        at += size
    if style == "words":
        parts = [" ".join(WORDS[int(d)] for d in part) for part in parts]
    elif style == "mixed":
        parts = [part if i % 2 else " ".join(WORDS[int(d)] for d in part) for i, part in enumerate(parts)]
    elif style == "fullwidth":
        parts = ["".join(chr(0xFF10 + int(d)) for d in part) for part in parts]
    elif style == "zero_width":
        parts = ["\u200b".join(part) for part in parts]
    elif style == "capitals":
        parts = [" ".join(WORDS[int(d)].upper() for d in part) for part in parts]
    return separator.join(parts)


GROUPINGS = [[3, 3, 4], [3, 4], [5, 6], [4, 3, 3], [2, 2, 2, 2, 2], [3, 2, 2, 2], [1] * 10, [4, 4], [3, 7], [10]]


@pytest.mark.slow
@settings(max_examples=400, deadline=None, database=None)  # writes nothing into the tree
@given(
    st.data(),
    st.sampled_from(GROUPINGS),
    st.sampled_from(SEPARATORS),
    st.sampled_from(STYLES),
)
def test_any_phone_number_in_any_separators_and_style_is_refused(data, groups, separator, style):
    digits = data.draw(st.text(alphabet="0123456789", min_size=sum(groups), max_size=sum(groups)))
    if groups == [2, 2, 2, 2, 2]:
        digits = "0" + digits[1:]  # numbers written in pairs (France, Belgium, the Netherlands) start with 0
    # Eight digits as two times on five minutes, "1700-2100", are shift hours (documented in the README).
    assume(not (groups == [4, 4] and re.fullmatch(r"(?:(?:[01]\d|2[0-4])[0-5][05]){2}", digits)))
    contact = disguise_number(digits, groups, separator, style)
    assert refusal(f"Caller asked to be rung on {contact} later") in (PHONE, BOTH), ascii(contact)


AT = ["@", " @ ", " at ", " AT ", "(at)", " (at) ", "[at]", " [ at ] ", "{at}", "<at>", "-at-", " -at- ", "_at_",
      ".at.", "%40", "&#64;", "\uff20", " \u0430t ", " a\u200bt ", "(@)", " at sign "]
DOT = [".", " . ", " dot ", " DOT ", "(dot)", " (dot) ", "[dot]", "[.]", "{dot}", "<dot>", "-dot-", "_dot_",
       ".dot.", "%2E", "\uff0e", " d\u043et ", " d0t ", " period "]


@pytest.mark.slow
@settings(max_examples=400, deadline=None, database=None)  # writes nothing into the tree
@given(
    st.from_regex(r"[a-z][a-z0-9]{1,8}", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9]{2,8}", fullmatch=True),
    st.sampled_from(["com", "org", "net", "co.uk", "de", "fr", "es", "mx", "in", "io", "edu"]),
    st.sampled_from(AT),
    st.sampled_from(DOT),
)
def test_any_email_address_with_any_spelled_at_and_dot_is_refused(local, domain, tld, at, dot):
    contact = f"{local}{at}{domain}{dot}{tld.replace('.', dot)}"
    assert refusal(f"She asked us to write to {contact} tonight") in (EMAIL, BOTH), ascii(contact)


TIMES = ["17:00", "9:30", "02:10", "21:00", "5pm", "6.30pm", "10am", "7 p.m."]
DATES = ["2026-11-23", "23/11", "12/3", "23/11/2026", "23.11.2026", "1/12", "31/12"]


@pytest.mark.slow
@settings(max_examples=300, deadline=None, database=None)  # writes nothing into the tree
@given(
    st.sampled_from(TIMES),
    st.sampled_from(TIMES),
    st.sampled_from(DATES),
    st.integers(0, 60),
    st.sampled_from(["–", "-", " - ", " to ", "—"]),
    st.sampled_from([988, 911, 999, 112, 101, 82]),
)
def test_times_dates_counts_and_short_numbers_pass(start, end, day, count, dash, short):
    note = f"Shift {start}{dash}{end} on {day}: {count} calls, one at {start}; told a caller about {short}. Room {short}."
    assert refusal(note) is None, note
