"""warmline/text.py: the one place that refuses control characters and makes stored text safe.

Property tests with the hostile-string strategies (tests/hostile.py) and the fixed corpus.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from hostile import CONTROLS, FORMULAS, HOSTILE, ORDINARY, control_text, describe, escaped_controls, name_like_text
from hypothesis import given
from hypothesis import strategies as st

from warmline import text
from warmline.errors import Invalid
from warmline.line import clean_text

ANY_TEXT = st.text(max_size=40)
NO_CONTROLS = st.text(max_size=40).filter(lambda t: text.find_control(t) is None)


@given(control_text())
def test_check_refuses_any_control(value):
    with pytest.raises(Invalid) as refused:
        text.check(value, "the name")
    message = str(refused.value)
    assert message.startswith("the name contains ") and "U+" in message
    assert escaped_controls(message) == []  # the value is never quoted back


@given(control_text())
def test_clean_text_refuses_any_control(value):
    """Every name-like input of the core goes through line.clean_text, which uses text.check."""
    with pytest.raises(Invalid):
        clean_text(value + "x", "the name")


@pytest.mark.parametrize("value", CONTROLS, ids=describe)
def test_check_refuses_the_corpus(value):
    with pytest.raises(Invalid, match="not allowed"):
        text.check(value, "the name")


@pytest.mark.parametrize("value", ORDINARY, ids=describe)
def test_ordinary_names_pass_unchanged(value):
    assert text.check(value, "the name") == value
    assert clean_text(value, "the name") == value
    assert text.safe(value) == value


def test_newlines_only_where_allowed():
    assert text.check("two\nlines", "the note", allow_newlines=True) == "two\nlines"
    with pytest.raises(Invalid, match="a tab or line break"):
        text.check("two\nlines", "the name")


@given(name_like_text())
def test_safe_never_lets_a_control_through(value):
    shown = text.safe(value)
    assert escaped_controls(shown, allow="") == []
    assert escaped_controls(text.safe(value, multiline=True)) == []
    assert text.safe(shown) == shown  # idempotent


@given(ANY_TEXT)
def test_safe_is_identity_on_text_without_controls(value):
    if text.find_control(value) is None:
        assert text.safe(value) == value


@pytest.mark.slow
@given(st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), name_like_text()),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(name_like_text(), inner, max_size=4),
                    max_leaves=12))
def test_json_dumps_escapes_controls_and_round_trips(value):
    dumped = text.json_dumps(value)
    assert escaped_controls(dumped) == []
    assert escaped_controls(text.json_dumps(value, indent=None), allow="") == []
    assert json.loads(dumped) == value


@given(NO_CONTROLS)
def test_csv_cell_round_trips_and_is_never_a_formula(value):
    cell = text.csv_cell(value)
    assert not cell.startswith(text.CSV_TRIGGERS)
    assert text.csv_uncell(cell) == value
    # ... also through a real CSV writer and reader
    out = io.StringIO()
    csv.writer(out).writerow([cell])
    assert text.csv_uncell(next(csv.reader(io.StringIO(out.getvalue())))[0]) == value


@given(ANY_TEXT)
def test_csv_cell_holds_no_control(value):
    assert escaped_controls(text.csv_cell(value), allow="") == []


@pytest.mark.parametrize("value", FORMULAS, ids=describe)
def test_formulas_are_neutralised(value):
    cell = text.csv_cell(value)
    assert not cell.startswith(text.CSV_TRIGGERS) and escaped_controls(cell, allow="") == []
    if text.find_control(value) is None:
        assert cell == "'" + value and text.csv_uncell(cell) == value
    else:  # a leading tab or CR is shown as an escape, which no spreadsheet reads as a formula
        assert cell.startswith("\\x")


@pytest.mark.parametrize("value", HOSTILE, ids=describe)
def test_notification_body_has_no_markup_and_no_control(value):
    body = text.notification_body(value)
    assert "<" not in body and ">" not in body
    assert escaped_controls(body, allow="") == []


def test_notification_body_escapes_ampersands_first():
    assert text.notification_body("<a href='x'>&amp;</a>") == "&lt;a href='x'&gt;&amp;amp;&lt;/a&gt;"


@pytest.mark.parametrize("value", CONTROLS, ids=describe)
def test_a_volunteer_cannot_set_a_control_on_themselves(line_db, coordinator, value):
    """The core refuses, so every face (CLI, app, import) gives the same answer."""
    from warmline import people, tags

    sam = people.add(line_db, coordinator, handle="sam", name="Sam R")
    for changes in (people.PersonChanges(name=f"Sam {value}"), people.PersonChanges(pronouns=f"{value}her")):
        with pytest.raises(Invalid, match="not allowed"):
            people.edit(line_db, sam, "sam", changes)
    with pytest.raises(Invalid, match="not allowed"):
        tags.add(line_db, coordinator, tag_id="new-tag", label=f"new {value}", family="experience")
    assert people.get(line_db.conn, "sam").name == "Sam R"
