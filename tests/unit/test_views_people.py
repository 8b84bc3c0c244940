"""warmline/views/people.py: what the person editor and My profile read from what was typed (no Textual)."""

from __future__ import annotations

import pytest

from warmline.errors import Invalid
from warmline.views.people import limit_changes, parse_limit, same_names, split_names


def test_names_are_split_on_commas_and_compared_without_case_or_order():
    assert split_names(" English, ,Spanish ,") == ["English", "Spanish"]
    assert same_names("English, Spanish", "spanish,ENGLISH")
    assert not same_names("English", "English, Spanish")


@pytest.mark.parametrize(
    ("name", "typed", "said"),
    [
        ("max_hours_week", "", "max hours per week is empty: give a number"),
        ("max_hours_week", "lots", "max hours per week is 'lots': give a number, e.g. 4"),
        ("max_shifts_week", "2.5", "max shifts per week is '2.5': give a whole number, e.g. 4"),
    ],
)
def test_a_limit_that_is_not_a_number_says_what_to_type(name, typed, said):
    with pytest.raises(Invalid) as refused:
        parse_limit(name, typed)
    assert str(refused.value) == said


def test_only_the_limits_changed_since_the_form_was_loaded_are_sent():
    base = {"max_hours_week": "20", "max_shifts_week": "5", "min_rest_hours": "8", "max_overnights_month": "4"}
    typed = {**base, "max_hours_week": "12", "min_rest_hours": "8.0"}
    assert limit_changes(typed, base) == {"max_hours_week": 12.0}
    assert isinstance(limit_changes({**base, "max_shifts_week": "3"}, base)["max_shifts_week"], int)
