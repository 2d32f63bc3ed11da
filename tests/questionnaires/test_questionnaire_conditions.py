"""show_if visibility, shared by forms and scoring."""

from __future__ import annotations

import datetime

import pytest
from helpers_questionnaires import DATA

from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.conditions import (
    effective_answers,
    is_visible,
    visible_questions,
    visible_sections,
)
from vendorrisk.questionnaires.loader import load_template_path
from vendorrisk.questionnaires.schema import All, Any, Not, QuestionIn

YES = QuestionIn(question="q_a", values=("yes",))
PROD = QuestionIn(question="q_env", values=("production",))


@pytest.fixture(scope="module")
def example():
    return load_template_path(DATA / "complete.yaml")


def ids(questions):
    return [q.id for q in questions]


def test_no_condition_is_always_visible():
    assert is_visible(None, {})


def test_question_in_matches_a_single_value():
    assert is_visible(YES, {"q_a": Answer("yes")})
    assert not is_visible(YES, {"q_a": Answer("no")})


def test_question_in_is_false_when_unanswered_or_answered_na():
    assert not is_visible(YES, {})
    assert not is_visible(YES, {"q_a": Answer("yes", na=True, comment="n/a")})


def test_question_in_matches_any_chosen_value_of_a_multi_choice():
    assert is_visible(PROD, {"q_env": Answer(["staging", "production"])})
    assert is_visible(PROD, {"q_env": Answer(("production",))})
    assert not is_visible(PROD, {"q_env": Answer(["staging"])})
    assert not is_visible(PROD, {"q_env": Answer([])})


def test_non_choice_answers_never_match():
    assert not is_visible(YES, {"q_a": Answer(datetime.date(2021, 1, 12))})
    assert not is_visible(YES, {"q_a": Answer(3.0)})


def test_all_needs_every_condition():
    cond = All(conditions=(YES, PROD))
    assert is_visible(cond, {"q_a": Answer("yes"), "q_env": Answer(["production"])})
    assert not is_visible(cond, {"q_a": Answer("yes"), "q_env": Answer(["staging"])})


def test_any_needs_one_condition():
    cond = Any(conditions=(YES, PROD))
    assert is_visible(cond, {"q_env": Answer(["production"])})
    assert not is_visible(cond, {"q_a": Answer("no")})


def test_not_inverts_including_the_unanswered_case():
    cond = Not(condition=YES)
    assert is_visible(cond, {"q_a": Answer("no")})
    assert is_visible(cond, {})
    assert not is_visible(cond, {"q_a": Answer("yes")})


def test_nested_conditions_from_yaml_evaluate(example):
    date_q = example.question("q_rotation_date")
    answers = {"q_cert_rotated": Answer("yes"), "q_environments": Answer(["production"])}
    assert is_visible(date_q.show_if, answers)
    answers["q_environments"] = Answer(["staging"])
    assert not is_visible(date_q.show_if, answers)
    answers["q_uses_product"] = Answer("yes")
    assert is_visible(date_q.show_if, answers)


def test_hidden_section_hides_its_questions(example):
    shown = ids(visible_questions(example, {"q_uses_product": Answer("no")}))
    assert "q_cert_rotated" not in shown and "q_rotation_date" not in shown
    assert [s.id for s in visible_sections(example, {"q_uses_product": Answer("no")})] == [
        "exposure",
        "readiness",
    ]


def test_visible_questions_keeps_document_order(example):
    answers = {
        "q_uses_product": Answer("yes"),
        "q_environments": Answer(["production"]),
        "q_cert_rotated": Answer("yes"),
    }
    assert ids(visible_questions(example, answers)) == [
        "q_uses_product",
        "q_environments",
        "q_cert_rotated",
        "q_rotation_date",
        "q_detect_hours",
        "q_log_review",
        "q_notes",
        "q_contact",
        "q_report",
    ]


def test_answers_left_on_hidden_questions_do_not_keep_dependants_visible(example):
    # The vendor said "yes", answered the rotation question, then changed to "no": the
    # stale rotation answer must not make the date question visible.
    answers = {"q_uses_product": Answer("no"), "q_cert_rotated": Answer("yes")}
    shown = ids(visible_questions(example, answers))
    assert "q_rotation_date" not in shown
    assert "q_cert_rotated" not in effective_answers(example, answers)


def test_effective_answers_drops_unknown_question_ids(example):
    answers = {"q_uses_product": Answer("yes"), "q_gone": Answer("x")}
    assert set(effective_answers(example, answers)) == {"q_uses_product"}
