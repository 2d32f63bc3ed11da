"""Rules for exclusive options, exposure flags, credit conditions and date-rule bounds: one bad
snippet per rule; the error lands on the line marked `# <-`."""

from __future__ import annotations

import datetime

import pytest
from helpers_questionnaires import HEADER, marked_line, template

from vendorrisk.questionnaires.helpdates import help_date_problems
from vendorrisk.questionnaires.schema import DateRule
from vendorrisk.questionnaires.validator import validate_text

FILE = "questionnaires/x.yaml"
REFS = (
    "reference_dates:\n"
    "  - {name: compromise_date, label: C, default: 2021-01-12}\n"
    "  - {name: blocked_date, label: B, default: 2021-01-18}\n"
)
DATED = HEADER.replace("categories:", REFS + "categories:")
SCORED = (
    "        category: security\n        finding_title: G.\n"
    "        remediation: R.\n        frameworks: [F]\n"
)


def check(text: str, reason: str, question_id: str | None = "q_b") -> None:
    """Assert `text` fails with exactly one error: `reason`, on the marked line."""
    result, errors = validate_text(text, FILE)
    assert result is None
    assert [(e.line, e.question_id, e.reason) for e in errors] == [
        (marked_line(text), question_id, reason)
    ]


def valid(text: str) -> None:
    """Assert `text` validates."""
    result, errors = validate_text(text, FILE)
    assert [str(e) for e in errors] == [] and result is not None


def multi(*options: str, help_text: str = "Pick.") -> str:
    """Return an unscored multi_choice question q_b with the given option lines."""
    return (
        "      - id: q_b\n        text: B?\n        type: multi_choice\n        weight: 0\n"
        f"        help: {help_text}\n        options:\n" + "".join(options)
    )


def test_exclusive_only_on_multi_choice():
    text = template(
        "      - id: q_b\n        text: B?\n        type: single_choice\n        weight: 0\n"
        "        options:\n          - {value: a, label: A}\n"
        "          - {value: b, label: B, exclusive: true}  # <-\n"
    )
    check(text, "exclusive applies only to multi_choice options")


def test_help_saying_an_option_stands_alone_requires_exclusive():
    text = template(
        multi(
            "          - {value: a, label: A}\n          - {value: none, label: None}\n",
            help_text="If none apply, choose the last option and no other.  # <-",
        )
    )
    check(
        text,
        "the text says an option stands alone; mark that option `exclusive: true` so the form "
        "and the scoring enforce it",
    )
    valid(
        template(
            multi(
                "          - {value: a, label: A}\n"
                "          - {value: none, label: None, exclusive: true}\n",
                help_text="If none apply, choose the last option and no other.",
            )
        )
    )


def test_an_option_cannot_be_both_exposed_and_not_exposed():
    text = template(
        multi("          - {value: a, label: A, exposed: true, not_exposed: true}  # <-\n")
    )
    check(text, "an option cannot be both exposed and not_exposed")


def test_a_not_sure_option_can_never_rule_the_vendor_out():
    text = template(
        multi("          - {value: unsure, label: Not sure, not_exposed: true}  # <-\n")
    )
    check(text, "a 'not sure' option can never rule the vendor out (not_exposed)")


def credit(condition: str, *, score: int = 100, uncredited: int = 40, evidence: str = "") -> str:
    """Return a scored single_choice q_b whose first option has `credit_if: condition`."""
    return (
        "      - id: q_n\n        text: Days?\n        type: number\n"
        "      - id: q_b\n        text: B?\n        type: single_choice\n"
        + SCORED
        + evidence
        + "        options:\n"
        f"          - value: a\n            label: A\n            score: {score}\n"
        f"            uncredited_score: {uncredited}\n"
        f"            credit_if: {condition}\n"
        "          - {value: b, label: B, score: 0}\n"
    )


def test_a_credit_condition_validates_when_sound():
    valid(template(credit("{any: [{question: q_a, in: ['yes']}, {question: q_n, at_least: 14}]}")))
    valid(template(credit("{evidence: attached}", evidence="        evidence: optional\n")))


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ("{question: q_zz, in: [x]}  # <-", "credit_if refers to unknown question q_zz"),
        (
            "{question: q_a, at_least: 3}  # <-",
            "at_least/at_most need a number question; q_a is yes_no",
        ),
        ("{question: q_b, in: [a]}  # <-", "credit_if refers to the question itself"),
        (
            "{evidence: attached}  # <-",
            "credit_if asks for evidence, but this question takes no files",
        ),
    ],
)
def test_a_credit_condition_that_cannot_hold_is_an_error(condition, reason):
    check(template(credit(condition)), reason)


def test_uncredited_score_must_be_below_the_score():
    text = template(credit("{question: q_a, in: ['yes']}", score=50, uncredited=50))
    text = text.replace("uncredited_score: 50", "uncredited_score: 50  # <-")
    check(
        text,
        "uncredited_score (50) must be below the option's score (50), or credit_if changes nothing",
    )


def test_number_and_date_tests_are_not_allowed_in_show_if():
    text = template(
        "      - id: q_n\n        text: Days?\n        type: number\n"
        "      - id: q_b\n        text: B?\n        type: text\n"
        "        show_if: {question: q_n, at_least: 3}  # <-\n"
    )
    check(
        text,
        "show_if can only test choices ('question' with 'in'); number, date and evidence tests "
        "belong in credit_if",
    )


def dated(rule: str, help_text: str = "When?") -> str:
    """Return a template with a scored date question q_b carrying `rule` (YAML lines)."""
    return template(
        "      - id: q_b\n        text: B?\n        type: date\n"
        + SCORED
        + f"        help: {help_text}\n        date_rule:\n"
        + rule,
        header=DATED,
    )


STEPS = "          steps:\n            - {within_days: 0, score: 100}\n            - {within_days: 7, score: 70}\n"


def test_crediting_early_dates_needs_a_lower_bound():
    text = dated(
        "          reference: blocked_date\n          before_reference_score: 100  # <-\n" + STEPS
    )
    check(
        text,
        "a date_rule that credits answers before its reference needs an `earliest` bound (a date "
        "before the compromise must not earn credit), or `open_start: true` where any earlier day "
        "is as good (the start of a log search)",
    )
    valid(
        dated(
            "          reference: blocked_date\n          earliest: compromise_date\n"
            "          before_reference_score: 100\n" + STEPS
        )
    )
    valid(
        dated(
            "          reference: blocked_date\n          open_start: true\n"
            "          before_reference_score: 100\n" + STEPS
        )
    )


def test_earliest_must_be_declared_and_not_after_the_reference():
    check(
        dated(
            "          reference: compromise_date\n          earliest: blocked_date  # <-\n" + STEPS
        ),
        "earliest (blocked_date, 2021-01-18) falls after the reference (compromise_date, "
        "2021-01-12)",
    )
    check(
        dated("          reference: compromise_date\n          earliest: nope  # <-\n" + STEPS),
        "earliest names undeclared reference date 'nope'",
    )


def test_help_text_and_rule_must_agree_on_the_boundary_day():
    rule = "          reference: blocked_date\n          earliest: compromise_date\n" + (
        "          before_reference_score: 100\n"
        "          steps:\n            - {within_days: 7, score: 70}\n"
    )
    text = dated(rule, help_text="Deleted on or before 18 January 2021 scores best.  # <-")
    result, errors = validate_text(text, FILE)
    assert [e.line for e in errors] == [marked_line(text)]
    assert errors[0].reason.startswith(
        'the help says "on or before 18 January 2021", but no scoring range of the date_rule '
        "ends on 2021-01-18"
    )
    fixed = rule.replace("steps:\n", "steps:\n            - {within_days: 0, score: 100}\n")
    valid(dated(fixed, help_text="Deleted on or before 18 January 2021 scores best."))


@pytest.mark.parametrize(
    ("text", "agrees"),
    [
        ("Blocked on 18 January 2021. Deleted on or before that date scores best.", True),
        ("Blocked on 22 January 2021. Deleted before that date scores best.", False),
        ("A reset before 12 January 2021 earns nothing.", True),
        ("Done by January 25, 2021 scores well.", True),
        ("Done by 2021-01-26 scores well.", False),
        ("After 25 January the score drops.", True),
        ("Nothing about dates here.", True),
    ],
)
def test_help_dates_are_read_with_their_qualifier(text, agrees):
    """ "on or before D"/"by D" name a range's last day; "before D" its first; "that date"
    is the date named just before."""
    rule = DateRule.model_validate(
        {
            "reference": "blocked_date",
            "earliest": "compromise_date",
            "before_reference_score": 100,
            "steps": [{"within_days": 0, "score": 100}, {"within_days": 7, "score": 70}],
        }
    )
    refs = {
        "compromise_date": datetime.date(2021, 1, 12),
        "blocked_date": datetime.date(2021, 1, 18),
    }
    assert (list(help_date_problems(text, rule, refs)) == []) is agrees
