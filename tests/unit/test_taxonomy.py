"""The default tag taxonomy, its validation and the Resolver."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from warmline.errors import Invalid
from warmline.taxonomy import FAMILIES, Resolver, Tag, check_new, load_default, parse, validate

DATA_DIR = Path(__file__).resolve().parents[2] / "data"

EXPECTED = {
    "experience": [
        "hearing-voices", "depression", "anxiety", "trauma", "suicidal-thoughts-survived",
        "self-harm", "eating-distress", "substance-use-recovery", "alcohol-recovery", "grief",
        "bipolar-experiences", "psychosis", "ocd", "postnatal-distress", "chronic-pain",
        "loneliness", "psychiatric-hospital-stay",
    ],
    "circumstance": [
        "housing-insecurity", "homelessness", "disability-benefits", "returning-to-work",
        "unemployment", "leaving-detox", "prison-reentry", "caregiving", "domestic-abuse-survived",
        "debt", "bereavement-by-suicide", "immigration", "foster-care-experience",
        "divorce-or-separation",
    ],
    "identity": [
        "lgbtq", "trans-or-non-binary", "woman", "man", "veteran", "young-adult", "older-adult",
        "bipoc", "parent", "disabled", "neurodivergent", "faith",
    ],
    "language": [
        "lang-en", "lang-es", "lang-zh", "lang-yue", "lang-vi", "lang-ar", "lang-fr", "lang-ht",
        "lang-pt", "lang-ru", "lang-ko", "lang-tl", "lang-ase",
    ],
}


@pytest.fixture(scope="module")
def warmline_data_package():
    """Make `warmline.data` importable even before the editable install has been done."""
    if importlib.util.find_spec("warmline.data") is not None:
        yield
        return
    # pyproject maps warmline.data to the top-level data/ directory; mirror that here.
    spec = importlib.util.spec_from_file_location(
        "warmline.data", DATA_DIR / "__init__.py", submodule_search_locations=[str(DATA_DIR)]
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules["warmline.data"] = module
    try:
        yield
    finally:
        sys.modules.pop("warmline.data", None)


@pytest.fixture(scope="module")
def tags(warmline_data_package) -> list[Tag]:
    return load_default()


@pytest.fixture(scope="module")
def by_id(tags) -> dict[str, Tag]:
    return {t.id: t for t in tags}


@pytest.fixture(scope="module")
def resolver(tags) -> Resolver:
    return Resolver(tags)


# --- the shipped file -------------------------------------------------------


def test_shipped_file_loads_through_package_resources(tags):
    assert all(isinstance(t, Tag) for t in tags)
    assert tags == parse((DATA_DIR / "tags.toml").read_text(encoding="utf-8"))


def test_shipped_file_size(tags):
    assert len(tags) >= 48
    assert sum(t.family != "language" for t in tags) >= 40
    assert {t.family for t in tags} == set(FAMILIES)


@pytest.mark.parametrize("family", FAMILIES)
def test_shipped_file_has_named_examples(by_id, family):
    for tag_id in EXPECTED[family]:
        assert tag_id in by_id, tag_id
        assert by_id[tag_id].family == family


def test_shipped_labels_for_named_examples(by_id):
    assert by_id["hearing-voices"].label == "hearing voices"
    assert by_id["suicidal-thoughts-survived"].label == "suicidal thoughts survived"
    assert by_id["bipolar-experiences"].label == "mood swings / bipolar experiences"
    assert by_id["psychosis"].label == "psychosis / unusual beliefs"
    assert by_id["lgbtq"].label == "LGBTQ+"


def test_language_ids_use_lang_codes(tags):
    for tag in tags:
        if tag.family == "language":
            assert re.fullmatch(r"lang-[a-z]{2,3}", tag.id), tag.id
        else:
            assert not tag.id.startswith("lang-"), tag.id


def test_language_aliases_include_code_and_endonym(resolver):
    assert resolver.resolve("es", family="language").id == "lang-es"
    assert resolver.resolve("español", family="language").id == "lang-es"
    assert resolver.resolve("zh", family="language").id == "lang-zh"
    assert resolver.resolve("中文", family="language").id == "lang-zh"
    assert resolver.resolve("asl", family="language").id == "lang-ase"
    assert resolver.resolve("Kreyòl Ayisyen", family="language").id == "lang-ht"


def test_every_related_id_exists_and_links_are_symmetric(tags, by_id):
    for tag in tags:
        for rel in tag.related:
            assert rel in by_id, (tag.id, rel)
            assert rel != tag.id
            assert tag.id in by_id[rel].related, f"{rel} does not relate back to {tag.id}"


@pytest.mark.parametrize(
    "a, b",
    [
        ("trauma", "domestic-abuse-survived"),
        ("grief", "bereavement-by-suicide"),
        ("substance-use-recovery", "leaving-detox"),
        ("substance-use-recovery", "alcohol-recovery"),
        ("alcohol-recovery", "leaving-detox"),
        ("housing-insecurity", "homelessness"),
        ("hearing-voices", "psychosis"),
    ],
)
def test_sensible_relations(by_id, a, b):
    assert b in by_id[a].related
    assert a in by_id[b].related


def test_shipped_ids_are_kebab_case_and_labels_non_empty(tags):
    for tag in tags:
        assert re.fullmatch(r"[a-z0-9-]{2,40}", tag.id)
        assert tag.label.strip()


# --- Resolver -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("hearing-voices", "hearing-voices"),  # id
        ("hearing voices", "hearing-voices"),  # label
        ("voices", "hearing-voices"),  # alias
        ("Hearing_Voices", "hearing-voices"),
        ("  HEARING   voices ", "hearing-voices"),
        ("hearing__-voices", "hearing-voices"),
        ("PTSD", "trauma"),
        ("Mood Swings / Bipolar Experiences", "bipolar-experiences"),
        ("self harm", "self-harm"),
        ("lgbtq+", "lgbtq"),
        ("English", "lang-en"),
    ],
)
def test_resolve_by_id_label_alias_case_and_separators(resolver, text, expected):
    assert resolver.resolve(text).id == expected


def test_family_restriction(resolver):
    assert resolver.resolve("en", family="language").id == "lang-en"
    assert resolver.resolve("grief", family="experience").id == "grief"
    with pytest.raises(Invalid) as err:
        resolver.resolve("grief", family="language")
    assert "grief" in str(err.value)
    assert "not a language tag" in str(err.value)


def test_family_restriction_rejects_unknown_family(resolver):
    with pytest.raises(Invalid, match="unknown tag family"):
        resolver.resolve("grief", family="feelings")


def test_unknown_tag_suggests_close_matches(resolver):
    with pytest.raises(Invalid) as err:
        resolver.resolve("greif")
    assert str(err.value) == "unknown tag 'greif': did you mean grief (grief)? See `warmline tags list`."


def test_unknown_tag_suggests_at_most_three(resolver):
    with pytest.raises(Invalid) as err:
        resolver.resolve("chinese", family="language")
    message = str(err.value)
    assert "Mandarin (lang-zh)" in message and "Cantonese (lang-yue)" in message
    assert message.count("(lang-") <= 3


def test_best_suggestion_comes_first(resolver):
    with pytest.raises(Invalid) as err:
        resolver.resolve("depresion")
    assert str(err.value).startswith("unknown tag 'depresion': did you mean depression (depression)")


def test_resolver_prefers_ids_over_other_tags_aliases():
    # Resolver does not validate, so it must still be deterministic on overlapping names.
    r = Resolver([Tag("loss", "grief", "experience", ("sorrow",)), Tag("sorrow", "sadness", "experience")])
    assert r.resolve("sorrow").id == "sorrow"
    assert r.resolve("loss").id == "loss"


def test_unknown_tag_without_close_match(resolver):
    with pytest.raises(Invalid) as err:
        resolver.resolve("xyz")
    assert str(err.value) == "unknown tag 'xyz': see `warmline tags list` for the tags this line uses"


def test_suggestions_stay_within_family(resolver):
    with pytest.raises(Invalid) as err:
        resolver.resolve("greif", family="language")
    assert "grief (grief)" not in str(err.value)


def test_empty_text_is_invalid(resolver):
    with pytest.raises(Invalid, match="no tag given"):
        resolver.resolve("   ")


def test_resolve_many_deduplicates_in_input_order(resolver):
    got = resolver.resolve_many(["grief", "PTSD", "bereavement", "trauma", "en"])
    assert [t.id for t in got] == ["grief", "trauma", "lang-en"]


def test_resolve_many_with_family(resolver):
    got = resolver.resolve_many(["es", "Spanish", "ko"], family="language")
    assert [t.id for t in got] == ["lang-es", "lang-ko"]
    with pytest.raises(Invalid):
        resolver.resolve_many(["es", "grief"], family="language")


# --- validation ------------------------------------------------------------


def _base() -> list[Tag]:
    return [
        Tag("grief", "grief", "experience", ("bereavement",), ("loneliness",)),
        Tag("loneliness", "loneliness", "experience", ("isolation",), ("grief",)),
        Tag("lang-es", "Spanish", "language", ("es", "español")),
    ]


def test_small_list_is_valid():
    assert validate(_base()) is None  # raises Invalid when anything is wrong


@pytest.mark.parametrize(
    "bad, fragment",
    [
        (Tag("Bad_Id", "bad", "experience"), "Bad_Id"),
        (Tag("x", "too short", "experience"), "'x'"),
        (Tag("a" * 41, "too long", "experience"), "a" * 41),
        (Tag("-lead", "leading hyphen", "experience"), "-lead"),
        (Tag("two--hyphens", "doubled hyphen", "experience"), "two--hyphens"),
        (Tag("feelings", "feelings", "emotion"), "unknown family"),
        (Tag("blank", "   ", "experience"), "empty label"),
        (Tag("blank-alias", "blank alias", "experience", ("",)), "empty alias"),
        (Tag("grief", "grief again", "experience"), "used twice"),
        (Tag("sorrow", "sorrow", "experience", ("Bereavement",)), "clashes"),  # alias vs alias
        (Tag("sorrow", "sorrow", "experience", ("GRIEF",)), "clashes"),  # alias vs label/id
        (Tag("sorrow", "Isolation", "experience"), "clashes"),  # label vs alias
        (Tag("spanish", "castilian", "language"), "clashes"),  # id vs label
        (Tag("sorrow", "sorrow", "experience", ("  es ",)), "clashes"),  # whitespace-normalised
        (Tag("sorrow", "sorrow", "experience", related=("joy",)), "unknown tag 'joy'"),
        (Tag("sorrow", "sorrow", "experience", related=("sorrow",)), "itself"),
    ],
)
def test_validation_errors_name_the_offending_tag(bad, fragment):
    with pytest.raises(Invalid) as err:
        validate([*_base(), bad])
    assert fragment in str(err.value)
    assert repr(bad.id) in str(err.value) or bad.id in str(err.value)


def test_clash_message_names_both_tags():
    with pytest.raises(Invalid) as err:
        validate([*_base(), Tag("sorrow", "sorrow", "experience", ("bereavement",))])
    message = str(err.value)
    assert "'sorrow'" in message and "'grief'" in message and "'bereavement'" in message


def test_own_alias_repeating_own_label_is_allowed():
    assert validate([Tag("grief", "grief", "experience", ("Grief", "grief"))]) is None  # no clash raised


def test_check_new_accepts_a_good_custom_tag():
    tags = _base()
    check_new(tags, Tag("gambling-recovery", "gambling recovery", "experience", ("gambling",), ("grief",)))
    assert len(tags) == 3  # the list is not changed


@pytest.mark.parametrize(
    "new, fragment",
    [
        (Tag("grief", "another grief", "experience"), "used twice"),
        (Tag("sorrow", "sorrow", "experience", ("isolation",)), "clashes"),
        (Tag("sorrow", "sorrow", "experience", related=("nope",)), "unknown tag 'nope'"),
        (Tag("Sorrow", "sorrow", "experience"), "not allowed"),
        (Tag("sorrow", "sorrow", "mood"), "unknown family"),
    ],
)
def test_check_new_rejects(new, fragment):
    with pytest.raises(Invalid, match=re.escape(fragment)):
        check_new(_base(), new)


# --- parse -------------------------------------------------------------------


def test_parse_small_document():
    text = """
[[tag]]
id = "grief"
label = "grief"
family = "experience"
aliases = ["bereavement"]
related = ["loneliness"]

[[tag]]
id = "loneliness"
label = "loneliness"
family = "experience"
"""
    tags = parse(text)
    assert tags[0] == Tag("grief", "grief", "experience", ("bereavement",), ("loneliness",))
    assert tags[1] == Tag("loneliness", "loneliness", "experience")


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("[[tag]\nid = 'x'", "not valid TOML"),
        ("tag = 'grief'", "[[tag]]"),
        ("[[tag]]\nid = 'grief'\nlabel = 'grief'\nfamily = 'experience'\nalias = ['loss']", "unknown field"),
        ("[[tag]]\nid = 'grief'\nfamily = 'experience'", "label"),
        ("[[tag]]\nid = 'grief'\nlabel = 'grief'\nfamily = 'experience'\naliases = 'loss'", "aliases"),
        ("[[tag]]\nid = 'grief'\nlabel = 'grief'\nfamily = 'experience'\nrelated = ['nope']", "nope"),
    ],
)
def test_parse_errors(text, fragment):
    with pytest.raises(Invalid) as err:
        parse(text)
    assert fragment in str(err.value)
