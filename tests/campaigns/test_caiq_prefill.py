"""What a completed CAIQ offers each question: Yes and No as the question's own choices, NA
with its reason, and why an answer is not offered."""

from __future__ import annotations

from vendorrisk.campaigns.caiq_prefill import plan
from vendorrisk.questionnaires.formfactory import COMMENT_MAX
from vendorrisk.questionnaires.importers.caiq import CaiqAnswer, FilledCaiq, caiq_questions
from vendorrisk.questionnaires.importers.common import Problem
from vendorrisk.questionnaires.validator import check_source

TEMPLATE = """\
id: caiq-mixed
kind: baseline
title: CAIQ questions asked in several ways
sections:
  - id: s
    title: S
    questions:
      - {id: a_a_01_1, type: yes_no, weight: 0, allow_na: true, frameworks: ["CCM v4 A&A-01"],
         text: Yes or no?, options: [{value: "yes", label: "Yes"}, {value: "no", label: "No"}]}
      - {id: a_a_02_1, type: single_choice, weight: 0, frameworks: ["CCM v4 A&A-02"],
         text: Choices labelled Yes and No?,
         options: [{value: "y", label: "Yes"}, {value: "n", label: "No"},
                   {value: "partly", label: "Partly"}]}
      - {id: a_a_03_1, type: single_choice, weight: 0, frameworks: ["CCM v4 A&A-03"],
         text: No choice meaning Yes?,
         options: [{value: "managed", label: "Managed"}, {value: "none", label: "None"}]}
      - {id: a_a_04_1, type: text, frameworks: ["CCM v4 A&A-04"], text: Asked as text?}
"""


def _questions():
    checked = check_source(TEMPLATE, "t.yaml")
    assert checked.template is not None, checked.errors
    return caiq_questions(checked.template)


def _answer(caiq_id: str, answer: str, comment: str = "", row: int = 3) -> CaiqAnswer:
    return CaiqAnswer(caiq_id, answer, comment, f"CAIQ!C{row}", f"CAIQ!E{row}")


def _plan(*answers: CaiqAnswer, answered=(), editable=None):
    return plan(_questions(), FilledCaiq(answers=list(answers)), set(answered), editable)


def test_yes_and_no_become_the_questions_own_choices_with_the_description_as_comment():
    result = _plan(_answer("A&A-01.1", "yes", "Yearly."), _answer("A&A-02.1", "no", row=4))
    assert [(p.question_id, p.answer.value, p.answer.comment) for p in result.offers] == [
        ("a_a_01_1", "yes", "Yearly."),
        ("a_a_02_1", "n", None),
    ]
    assert result.skipped == [] and result.matched == 2


def test_na_is_offered_with_its_reason_where_the_question_allows_it():
    (offered,) = _plan(_answer("A&A-01.1", "na", "No such systems.")).offers
    assert (offered.answer.na, offered.answer.comment) == (True, "No such systems.")


def test_answers_a_question_cannot_take_are_skipped_with_the_reason_and_cell():
    result = _plan(
        _answer("A&A-01.1", "na"),
        _answer("A&A-02.1", "na", "Reason.", row=4),
        _answer("A&A-03.1", "yes", row=5),
        _answer("A&A-04.1", "yes", row=6),
        _answer("A&A-05.1", "yes", row=7),
    )
    assert result.offers == []
    assert result.skipped == [
        Problem("A&A-01.1 (CAIQ!C3)", "NA needs a reason: write it in CAIQ!E3"),
        Problem("A&A-02.1 (CAIQ!C4)", "NA is not an answer this question takes"),
        Problem("A&A-03.1 (CAIQ!C5)", "this question has no “Yes” choice"),
        Problem("A&A-04.1 (CAIQ!C6)", "this questionnaire does not ask it as Yes or No"),
        Problem("A&A-05.1 (CAIQ!C7)", "not in this questionnaire"),
    ]
    assert result.matched == 4


def test_a_description_too_long_for_a_comment_is_left_out_and_said_so():
    long = "x" * (COMMENT_MAX + 1)
    result = _plan(_answer("A&A-02.1", "yes", long), _answer("A&A-01.1", "na", long, row=4))
    offered = [(p.question_id, p.answer.value, p.answer.comment) for p in result.offers]
    assert offered == [("a_a_02_1", "y", None)]
    assert "offered without it" in result.notes[0].reason
    assert "longer than 2,000 characters" in result.skipped[0].reason


def test_answered_questions_are_kept_and_closed_ones_skipped():
    result = _plan(
        _answer("A&A-01.1", "yes"),
        _answer("A&A-02.1", "yes", row=4),
        answered={"a_a_01_1"},
        editable={"a_a_01_1"},
    )
    assert result.offers == [] and result.kept == ["A&A-01.1"]
    assert result.skipped == [
        Problem("A&A-02.1 (CAIQ!C4)", "not open for changes in this round"),
    ]
