"""The `certificate:` key: where it may go and what it must refer to."""

from __future__ import annotations

from helpers_questionnaires import HEADER, marked_line, template

from vendorrisk.questionnaires.diff import diff_templates
from vendorrisk.questionnaires.validator import validate_text

FILE = "questionnaires/x.yaml"
REFS = HEADER.replace(
    "categories:", "reference_dates:\n  - {name: compromise_date, label: Compromise}\ncategories:"
)
ROTATED = "      - id: rotated_on\n        text: When?\n        type: date\n"


def errors(text: str) -> list[tuple[int, str | None, str]]:
    result, found = validate_text(text, FILE)
    return [(e.line, e.question_id, e.reason) for e in found]


def test_a_date_question_may_ask_for_its_certificate():
    text = template(ROTATED + "        certificate: {compromise: compromise_date}\n", header=REFS)
    result, found = validate_text(text, FILE)
    assert found == []
    spec = result.question("rotated_on").certificate
    assert (spec.compromise, spec.claimed_date, spec.min_rsa_bits, spec.min_ec_bits) == (
        "compromise_date",
        None,
        2048,
        256,
    )


def test_an_evidence_question_may_back_a_date_question():
    text = template(
        ROTATED,
        "      - id: new_cert\n        text: Send it\n        type: evidence\n"
        "        certificate: {compromise: compromise_date, claimed_date: rotated_on,"
        " min_rsa_bits: 3072}\n",
        header=REFS,
    )
    result, found = validate_text(text, FILE)
    assert found == []
    assert result.question("new_cert").certificate.min_rsa_bits == 3072


def test_certificate_on_a_choice_question_is_an_error():
    text = template(header=REFS).replace(
        "        category: security\n",
        "        category: security\n        certificate: {compromise: compromise_date}  # <-\n",
        1,
    )
    assert errors(text) == [
        (marked_line(text), "q_a", "certificate is only allowed on date and evidence questions")
    ]


def test_certificate_must_name_a_declared_reference_date():
    text = template(ROTATED + "        certificate:\n          compromise: breach_day  # <-\n")
    assert errors(text) == [
        (
            marked_line(text),
            "rotated_on",
            "certificate refers to undeclared reference date 'breach_day' (declared: (none))",
        )
    ]


def test_claimed_date_must_name_a_date_question():
    base = "      - id: new_cert\n        text: Send it\n        type: evidence\n"
    unknown = template(
        base + "        certificate:\n          compromise: compromise_date\n"
        "          claimed_date: nowhere  # <-\n",
        header=REFS,
    )
    assert errors(unknown) == [
        (
            marked_line(unknown),
            "new_cert",
            "certificate claimed_date refers to unknown question 'nowhere'",
        )
    ]
    not_a_date = unknown.replace("nowhere", "q_a")
    assert errors(not_a_date) == [
        (
            marked_line(not_a_date),
            "new_cert",
            "certificate claimed_date must name a date question; 'q_a' is yes_no",
        )
    ]


def test_a_date_question_does_not_name_another_claimed_date():
    text = template(
        ROTATED + "        certificate:\n          compromise: compromise_date\n"
        "          claimed_date: rotated_on  # <-\n",
        header=REFS,
    )
    assert errors(text) == [
        (
            marked_line(text),
            "rotated_on",
            "a date question's certificate backs its own answer: leave out claimed_date",
        )
    ]


def test_a_key_floor_below_1024_bits_is_refused():
    text = template(
        ROTATED + "        certificate:\n          compromise: compromise_date\n"
        "          min_rsa_bits: 512  # <-\n",
        header=REFS,
    )
    [(line, _qid, reason)] = errors(text)
    assert line == marked_line(text)
    assert "1024" in reason


def test_asking_for_a_certificate_re_asks_the_question():
    before = template(ROTATED, header=REFS)
    after = template(ROTATED + "        certificate: {compromise: compromise_date}\n", header=REFS)
    old, new = validate_text(before, FILE)[0], validate_text(after, FILE)[0]
    assert diff_templates(old, new).reask_question_ids() == ("rotated_on",)


def test_a_baseline_certificate_question_needs_no_compromise_date():
    text = template(
        "      - id: current_cert\n        text: Send it\n        type: evidence\n"
        "        required: false\n        certificate: {}\n"
    )
    result, found = validate_text(text, FILE)
    assert found == []
    assert result.question("current_cert").certificate.compromise is None
