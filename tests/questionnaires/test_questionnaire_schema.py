"""The typed template model: defaults, accessors and immutability."""

from __future__ import annotations

import pydantic
import pytest
from helpers_questionnaires import DATA, template

from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.loader import load_template_path, load_template_text
from vendorrisk.questionnaires.schema import DEFAULT_BANDS, STORED, Question, Template


@pytest.fixture(scope="module")
def example():
    return load_template_path(DATA / "complete.yaml")


def test_weight_defaults_to_one_for_scorable_types_and_zero_otherwise(example):
    weights = {q.id: q.weight for q in example.questions()}
    assert weights["q_rotation_date"] == 1  # date with a date_rule
    assert weights["q_detect_hours"] == 1  # number with a number_rule
    assert weights["q_contact"] == 0 and weights["q_report"] == 0
    assert load_template_text(template()).question("q_a").weight == 1


def test_severity_defaults_to_high_for_critical_and_medium_otherwise():
    critical = Question.model_validate({"id": "q", "text": "Q", "type": "text", "critical": True})
    plain = Question.model_validate({"id": "q", "text": "Q", "type": "text"})
    assert (critical.severity, plain.severity) == ("high", "medium")


def test_default_rating_bands_apply_when_none_declared():
    t = load_template_text(template())
    assert t.rating_bands is None
    assert [(b.id, b.label, b.min_score) for b in t.bands] == [
        ("A", "Strong", 85),
        ("B", "Adequate", 70),
        ("C", "Weak", 50),
        ("D", "Poor", 0),
    ]
    assert t.bands == DEFAULT_BANDS
    assert t.critical_cap_band.id == "D"


def test_declared_critical_cap_and_band_lookup(example):
    assert example.critical_cap_band.id == "C"
    assert [example.band_for(s).id for s in (100, 85, 84.9, 50, 0)] == ["A", "A", "B", "C", "D"]


def test_accessors_find_questions_sections_categories_and_dates(example):
    assert [q.id for q in example.questions()][:3] == [
        "q_uses_product",
        "q_environments",
        "q_cert_rotated",
    ]
    assert example.question("q_log_review").option("less").score == 40
    assert example.section("rotation").title == "Rotation"
    assert example.category("certificate_rotation").weight == 2
    assert str(example.reference_date("compromise_date").default) == "2021-01-12"
    with pytest.raises(KeyError):
        example.question("q_missing")


def test_can_fail_reflects_scores_below_fifty_percent(example):
    assert example.question("q_cert_rotated").can_fail()
    assert example.question("q_rotation_date").can_fail()  # after_score 20
    assert not example.question("q_uses_product").can_fail()  # unscored


def test_models_are_frozen(example):
    with pytest.raises(pydantic.ValidationError):
        example.question("q_contact").text = "changed"  # type: ignore[misc]


def test_answer_chosen_values_cover_single_multi_and_na():
    assert Answer("yes").chosen_values() == ("yes",)
    assert Answer(["a", "b"]).chosen_values() == ("a", "b")
    assert Answer("yes", na=True).chosen_values() == ()
    assert Answer(None).chosen_values() == ()


def test_templates_with_the_same_content_are_equal_after_use():
    a = load_template_path(DATA / "complete.yaml")
    b = load_template_path(DATA / "complete.yaml")
    a.questions()
    a.question("q_notes")
    assert a == b and hash(a) == hash(b)


def test_accessors_follow_a_copy_with_new_sections(example):
    first = example.sections[0]
    copy = example.model_copy(update={"sections": (first,)})
    assert [q.id for q in copy.questions()] == [q.id for q in first.questions]
    with pytest.raises(KeyError):
        copy.question("q_notes")


def test_rules_added_since_do_not_make_a_stored_version_unreadable():
    """Content stored before the weight bound, the blank-text rule and whole-id matching reads
    back (context STORED); new content is held to them."""
    data = load_template_text(template()).model_dump(mode="json", by_alias=True)
    question = data["sections"][0]["questions"][0]
    question.update(weight=5000, frameworks=[" "], id="q_a\n")
    stored = Template.model_validate(data, context=STORED)
    assert stored.question("q_a\n").weight == 5000
    with pytest.raises(pydantic.ValidationError) as caught:
        Template.model_validate(data)
    kinds = {e["type"] for e in caught.value.errors()}
    assert {"bad_id", "blank_text", "weight_too_large"} <= kinds
