"""Cross-field rules: one bad snippet per rule; the error lands on the line marked `# <-`."""

from __future__ import annotations

import pytest
from helpers_questionnaires import HEADER, marked_line, template

from vendorrisk.questionnaires.validator import validate_text

FILE = "questionnaires/x.yaml"

Q_B_TEXT = "      - id: q_b\n        text: B?\n        type: text\n"
SCORED_TAIL = (
    "        category: security\n        finding_title: G.\n"
    "        remediation: R.\n        frameworks: [F]\n"
)


def check(text: str, reason: str, question_id: str | None = None) -> None:
    """Assert `text` fails with exactly one error: `reason`, on the marked line."""
    result, errors = validate_text(text, FILE)
    assert result is None
    assert [(e.line, e.question_id, e.reason) for e in errors] == [
        (marked_line(text), question_id, reason)
    ]


# --- show_if ---------------------------------------------------------------------------------


def test_show_if_referring_to_a_later_question_is_an_error():
    text = template(
        "      - id: q_b\n        text: B?\n        type: text\n"
        '        show_if: {question: q_c, in: ["yes"]}  # <-\n'
        "      - id: q_c\n        text: C?\n        type: yes_no\n        weight: 0\n"
        '        options: [{value: "yes", label: Y}, {value: "no", label: N}]\n'
    )
    check(text, "show_if refers to later question q_c", "q_b")


def test_show_if_referring_to_an_unknown_question_is_an_error():
    text = template(Q_B_TEXT + '        show_if: {question: q_nope, in: ["yes"]}  # <-\n')
    check(text, "show_if refers to unknown question q_nope", "q_b")


def test_show_if_referring_to_a_missing_option_value_is_an_error_on_that_value():
    text = template(
        Q_B_TEXT + "        show_if:\n          question: q_a\n          in:\n"
        '            - "yes"\n            - maybe  # <-\n'
    )
    check(
        text,
        "show_if refers to option 'maybe' that question q_a does not have (options: yes, no)",
        "q_b",
    )


def test_show_if_referring_to_a_question_without_options_is_an_error():
    text = template(
        Q_B_TEXT + "      - id: q_c\n        text: C?\n        type: text\n"
        "        show_if: {not: {question: q_b, in: [x]}}  # <-\n"
    )
    check(text, "show_if refers to question q_b of type text, which has no options", "q_c")


def test_show_if_referring_to_its_own_question_is_a_cycle():
    text = template(
        "      - id: q_b\n        text: B?\n        type: yes_no\n        weight: 0\n"
        '        options: [{value: "yes", label: Y}, {value: "no", label: N}]\n'
        '        show_if: {question: q_b, in: ["yes"]}  # <-\n'
    )
    check(text, "show_if refers to the question itself (a cycle)", "q_b")


def test_show_if_cycle_between_two_questions_is_reported():
    text = template(
        "      - id: q_b\n        text: B?\n        type: yes_no\n        weight: 0\n"
        '        options: [{value: "yes", label: Y}, {value: "no", label: N}]\n'
        '        show_if: {question: q_c, in: ["yes"]}  # <-\n'
        "      - id: q_c\n        text: C?\n        type: yes_no\n        weight: 0\n"
        '        options: [{value: "yes", label: Y}, {value: "no", label: N}]\n'
        '        show_if: {question: q_b, in: ["yes"]}\n'
    )
    _, errors = validate_text(text, FILE)
    reasons = {(e.line, e.reason) for e in errors}
    assert (marked_line(text), "show_if refers to later question q_c") in reasons
    assert (marked_line(text), "show_if cycle: q_b -> q_c -> q_b") in reasons
    assert len(errors) == 2


def test_section_show_if_on_its_own_question_is_a_cycle():
    text = template(
        '  - id: s2\n    title: S2\n    show_if: {question: q_b, in: ["yes"]}  # <-\n'
        "    questions:\n"
        "      - id: q_b\n        text: B?\n        type: yes_no\n        weight: 0\n"
        '        options: [{value: "yes", label: Y}, {value: "no", label: N}]\n'
    )
    check(
        text,
        "section s2: show_if refers to question q_b inside the same section (a cycle: the "
        "section's visibility would depend on itself)",
    )


def test_section_show_if_on_a_later_section_question_is_an_error():
    text = template(
        '  - id: s2\n    title: S2\n    show_if: {question: q_c, in: ["yes"]}  # <-\n'
        "    questions:\n" + Q_B_TEXT + "  - id: s3\n    title: S3\n    questions:\n"
        "      - id: q_c\n        text: C?\n        type: yes_no\n        weight: 0\n"
        '        options: [{value: "yes", label: Y}, {value: "no", label: N}]\n'
    )
    check(text, "section s2: show_if refers to later question q_c")


def test_malformed_condition_is_explained():
    text = template(Q_B_TEXT + "        show_if: {colour: red}  # <-\n")
    check(
        text,
        "show_if: a condition must be a mapping with one of: 'question' (with 'in', or in "
        "credit_if 'at_least'/'at_most' or 'on_or_before'/'on_or_after'), 'all', 'any', 'not', "
        "'evidence'",
        "q_b",
    )


# --- scoring ---------------------------------------------------------------------------------


def test_weighted_question_with_unscored_options_is_an_error():
    text = template().replace('label: "No", score: 0}', 'label: "No"}  # <-')
    check(
        text,
        "options without score on a weighted question: no (give each a score 0..100, or set "
        "weight: 0)",
        "q_a",
    )


def test_negative_weight_is_an_error():
    text = template().replace(
        "category: security\n", "category: security\n        weight: -1  # <-\n"
    )
    check(text, "weight must not be negative (got -1.0); use 0 for an unscored question", "q_a")


def test_category_weight_must_be_positive():
    text = template().replace("weight: 1}", "weight: 0}  # <-")
    check(text, "category weight must be greater than 0 (got 0.0)")


def test_unknown_category_is_an_error():
    text = template().replace("category: security", "category: secrity  # <-")
    check(text, "unknown category 'secrity' (declared: security)", "q_a")


def test_weighted_question_without_category_is_an_error():
    text = template(
        "      - id: q_b  # <-\n        text: B?\n        type: yes_no\n"
        '        options: [{value: "yes", label: Y, score: 1}, {value: "no", label: N, score: 0}]'
        "\n        finding_title: G.\n        remediation: R.\n        frameworks: [F]\n"
    )
    # The line is that of the question: no `weight:` key exists to point at.
    check(text, "a weighted question needs a category", "q_b")


def test_category_without_scored_question_is_an_error():
    header = HEADER.replace(
        "categories:\n", "categories:\n  - {id: spare, title: S, weight: 1}  # <-\n"
    )
    check(template(header=header), "category 'spare' has no scored question")


def test_critical_flag_on_an_unscored_question_is_an_error():
    text = template(Q_B_TEXT + "        critical: true  # <-\n")
    check(text, "a critical question cannot fail: it is unscored (weight 0)", "q_b")


def test_critical_flag_on_a_question_with_no_failing_answer_is_an_error():
    text = (
        template()
        .replace("score: 0}", "score: 50}")
        .replace("remediation: Fix it.", "remediation: Fix it.\n        critical: true  # <-")
    )
    check(text, "a critical question cannot fail: no answer scores below 50%", "q_a")


def test_allow_na_on_a_critical_question_is_an_error():
    text = template().replace(
        "remediation: Fix it.",
        "remediation: Fix it.\n        critical: true\n        allow_na: true  # <-",
    )
    check(text, "allow_na is not allowed on a critical question", "q_a")


@pytest.mark.parametrize("missing", ["certificate_rotation", "incident_readiness"])
def test_incident_template_must_declare_both_incident_categories(missing):
    other = ({"certificate_rotation", "incident_readiness"} - {missing}).pop()
    header = (
        HEADER.replace("kind: baseline", "kind: incident")
        .replace("categories:\n", "categories:  # <-\n")
        .replace("id: security", f"id: {other}")
    )
    text = template(header=header).replace("category: security", f"category: {other}")
    check(text, f"an incident template must declare the category '{missing}'")


def test_date_rule_with_undeclared_reference_date_is_an_error():
    text = template(
        "      - id: q_b\n        text: B?\n        type: date\n"
        + SCORED_TAIL
        + "        date_rule:\n          reference: compromise_date  # <-\n"
        "          steps: [{within_days: 7, score: 100}]\n"
    )
    check(
        text,
        "date_rule refers to undeclared reference date 'compromise_date' (declared: (none))",
        "q_b",
    )


def test_rating_bands_must_descend():
    header = HEADER.replace(
        "sections:\n",
        "rating_bands:\n  - {id: A, label: Good, min_score: 60}\n"
        "  - {id: B, label: Bad, min_score: 70}  # <-\n"
        "  - {id: C, label: Worst, min_score: 0}\nsections:\n",
    )
    check(
        template(header=header),
        "rating bands must be listed best first with descending "
        "min_score: band 'B' (70) is not below 'A' (60)",
    )


def test_lowest_rating_band_must_start_at_zero():
    header = HEADER.replace(
        "sections:\n",
        "rating_bands:\n  - {id: A, label: Good, min_score: 60}\n"
        "  - {id: B, label: Bad, min_score: 10}  # <-\nsections:\n",
    )
    check(template(header=header), "the lowest rating band 'B' must have min_score 0 (got 10)")


def test_critical_cap_must_name_a_band():
    header = HEADER.replace("sections:\n", "critical_cap: E  # <-\nsections:\n")
    check(
        template(header=header),
        "critical_cap refers to unknown rating band 'E' (bands: A, B, C, D)",
    )


def test_scored_question_without_remediation_is_an_error():
    text = (
        template().replace("        remediation: Fix it.\n", "").replace("id: q_a", "id: q_a  # <-")
    )
    check(text, "a scored question needs a remediation", "q_a")


def test_scored_question_without_finding_title_is_an_error_on_the_question():
    text = (
        template().replace("        finding_title: Gap A\n", "").replace("id: q_a", "id: q_a  # <-")
    )
    check(
        text,
        "a scored question needs a finding_title: the short name of the gap a finding will "
        "carry (at most 80 characters, e.g. 'Certificate not rotated')",
        "q_a",
    )


@pytest.mark.parametrize(
    "extra",
    [
        "        type: text\n",  # never scored
        "        type: yes_no\n        weight: 0\n"
        '        options: [{value: "yes", label: Y}, {value: "no", label: N}]\n',
    ],
)
def test_an_unscored_question_needs_no_finding_title(extra):
    result, errors = validate_text(template("      - id: q_b\n        text: B?\n" + extra), FILE)
    assert errors == [] and result is not None
    assert result.question("q_b").finding_title is None


def test_scored_question_without_frameworks_is_an_error():
    text = template().replace("        frameworks: [F1]\n", "").replace("id: q_a", "id: q_a  # <-")
    check(text, "a scored question needs at least one framework", "q_a")


# --- types and their keys --------------------------------------------------------------------


def test_yes_no_question_must_use_yes_and_no_values():
    text = template().replace('value: "no"', "value: nope").replace("options:", "options:  # <-")
    check(
        text,
        "a yes_no question must have the option values yes and no (and optionally "
        "unsure), got: yes, nope",
        "q_a",
    )


def test_choice_question_without_options_is_an_error():
    text = template(
        "      - id: q_b\n        text: B?\n        type: single_choice  # <-\n        weight: 0\n"
    )
    check(text, "a single_choice question needs options", "q_b")


def test_options_on_a_text_question_are_an_error():
    text = template(Q_B_TEXT + "        options: [{value: a, label: A}]  # <-\n")
    check(text, "a text question cannot have options", "q_b")


def test_text_question_cannot_be_weighted():
    text = template(Q_B_TEXT + "        weight: 2  # <-\n" + SCORED_TAIL)
    check(text, "a text question cannot be scored; set weight: 0 or leave weight out", "q_b")


def test_weighted_date_question_needs_a_date_rule():
    text = template(
        "      - id: q_b\n        text: B?\n        type: date\n        weight: 1  # <-\n"
        + SCORED_TAIL
    )
    check(text, "a weighted date question needs a date_rule", "q_b")


def test_number_rule_steps_must_use_the_bound_of_their_direction():
    text = template(
        "      - id: q_b\n        text: B?\n        type: number\n"
        + SCORED_TAIL
        + "        number_rule:\n          direction: higher_is_better\n"
        "          steps:\n            - {max: 5, score: 100}  # <-\n"
    )
    check(
        text,
        "number_rule with direction higher_is_better needs 'min' (and no 'max') on every step",
        "q_b",
    )


def test_date_rule_steps_must_increase():
    text = template(
        "      - id: q_b\n        text: B?\n        type: date\n"
        + SCORED_TAIL
        + "        date_rule:\n          reference: d\n          steps:  # <-\n"
        "            - {within_days: 14, score: 100}\n            - {within_days: 7, score: 50}\n",
        header=HEADER.replace("sections:\n", "reference_dates: [{name: d, label: D}]\nsections:\n"),
    )
    check(text, "date_rule steps must have strictly increasing within_days", "q_b")


def test_max_length_on_a_non_text_question_is_an_error():
    text = template().replace(
        "remediation: Fix it.", "remediation: Fix it.\n        max_length: 5  # <-"
    )
    check(text, "max_length applies only to text and long_text questions", "q_a")


def test_max_length_above_the_cap_is_an_error():
    text = template(Q_B_TEXT + "        max_length: 20000  # <-\n")
    check(text, "max_length must be <= 10000 (got 20000)", "q_b")


def _reuse_template(kind: str, questions: str) -> str:
    return f"""\
id: reuse-rules
kind: {kind}
title: Reuse rules
categories:
  - id: certificate_rotation
    title: Rotation
    weight: 1
  - id: incident_readiness
    title: Readiness
    weight: 1
sections:
  - id: only
    title: Only
    questions:
      - id: scored_one
        type: yes_no
        text: Scored?
        category: certificate_rotation
        options:
          - {{value: "yes", label: "Yes", score: 100}}
          - {{value: "no", label: "No", score: 0}}
        finding_title: Scored one failed
        remediation: Fix it.
        frameworks: ["ISO/IEC 27001:2022 A.5.21"]
      - id: scored_two
        type: yes_no
        text: Scored too?
        category: incident_readiness
        options:
          - {{value: "yes", label: "Yes", score: 100}}
          - {{value: "no", label: "No", score: 0}}
        finding_title: Scored two failed
        remediation: Fix it.
        frameworks: ["ISO/IEC 27001:2022 A.5.24"]
{questions}"""


def test_a_reuse_key_on_a_question_that_is_not_reusable_is_refused():
    from vendorrisk.questionnaires.validator import validate_text

    text = _reuse_template(
        "baseline",
        "      - id: owner\n        type: text\n        text: Who?\n"
        "        reuse_key: security_owner\n        reusable: false\n",
    )
    template, errors = validate_text(text, "t.yaml")
    assert template is None
    assert any("reusable: false cannot have a reuse_key" in str(e) for e in errors)


def test_two_questions_sharing_a_match_key_are_refused():
    from vendorrisk.questionnaires.validator import validate_text

    text = _reuse_template(
        "baseline",
        "      - id: owner\n        type: text\n        text: Who?\n"
        "        reuse_key: scored_one\n",
    )
    template, errors = validate_text(text, "t.yaml")
    assert template is None
    assert any("reuse_key 'scored_one' is also the reuse key of question" in str(e) for e in errors)


def test_which_questions_may_be_reused_follows_the_template_kind():
    from vendorrisk.questionnaires.validator import validate_text

    extra = (
        "      - id: owner\n        type: text\n        text: Who?\n"
        "        reuse_key: security_owner\n"
        "      - id: this_year\n        type: text\n        text: What changed?\n"
        "        reusable: false\n"
    )
    baseline, errors = validate_text(_reuse_template("baseline", extra), "t.yaml")
    assert baseline is not None, [str(e) for e in errors]
    assert [q.id for q in baseline.questions() if q.reusable_in(baseline.kind)] == [
        "scored_one",
        "scored_two",
        "owner",
    ]
    incident, errors = validate_text(_reuse_template("incident", extra), "t.yaml")
    assert incident is not None, [str(e) for e in errors]
    assert [q.id for q in incident.questions() if q.reusable_in(incident.kind)] == ["owner"]
    assert incident.question("owner").match_key == "security_owner"
