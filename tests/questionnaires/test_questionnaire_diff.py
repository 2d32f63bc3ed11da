"""Differences between two template versions."""

from __future__ import annotations

import pytest
from helpers_questionnaires import DATA

from vendorrisk.questionnaires.diff import QuestionChange, diff_templates
from vendorrisk.questionnaires.loader import load_template_text


@pytest.fixture(scope="module")
def text():
    return (DATA / "complete.yaml").read_text()


def both(text: str, *replacements: tuple[str, str]):
    """Return the example template and a copy with the textual replacements applied."""
    changed = text
    for old, new in replacements:
        assert old in changed, old
        changed = changed.replace(old, new, 1)
    return load_template_text(text), load_template_text(changed)


def test_identical_versions_have_an_empty_diff(text):
    diff = diff_templates(*both(text))
    assert diff.is_empty
    assert diff.reask_question_ids() == ()


def test_added_and_removed_questions_are_listed(text):
    old, new = both(
        text,
        (
            "      - id: q_contact\n        text: Who leads your response?\n",
            "      - id: q_lead\n        text: Who leads your response?\n",
        ),
    )
    diff = diff_templates(old, new)
    assert diff.questions_added == ("q_lead",)
    assert diff.questions_removed == ("q_contact",)
    assert diff.reask_question_ids() == ("q_lead",)
    assert [c.id for c in diff.sections_changed] == ["readiness"]
    assert diff.sections_changed[0].fields == ("questions",)


def test_rewording_a_question_is_a_change_that_is_reasked(text):
    diff = diff_templates(*both(text, ("How far back did you", "How many days back did you")))
    assert diff.questions_changed == (QuestionChange("q_log_review", ("text",)),)
    assert diff.reask_question_ids() == ("q_log_review",)


def test_scoring_only_changes_are_listed_but_not_reasked(text):
    diff = diff_templates(
        *both(
            text,
            ("label: Less than two weeks, score: 40", "label: Less than two weeks, score: 30"),
            (
                "        weight: 2\n        severity: high",
                "        weight: 3\n        severity: high",
            ),
        )
    )
    (change,) = diff.questions_changed
    assert change.id == "q_log_review"
    assert change.fields == ("weight", "options[less].score")
    assert not change.reask
    assert diff.reask_question_ids() == ()


def test_option_added_removed_and_relabelled_are_named(text):
    diff = diff_templates(
        *both(
            text,
            (
                "{value: unsure, label: Not sure, score: 0}",
                "{value: unknown, label: Unknown, score: 0}",
            ),
            (
                '{value: "no", label: "No", score: 100, not_exposed: true}',
                '{value: "no", label: "Never", score: 100, not_exposed: true}',
            ),
        )
    )
    (change,) = diff.questions_changed
    assert change.fields == (
        "options[unsure] removed",
        "options[no].label",
        "options[unknown] added",
    )
    assert change.reask


def test_reordered_options_are_reported(text):
    old, new = both(
        text,
        (
            "          - {value: production, label: Production}\n"
            "          - {value: staging, label: Staging}\n",
            "          - {value: staging, label: Staging}\n"
            "          - {value: production, label: Production}\n",
        ),
    )
    assert diff_templates(old, new).questions_changed == (
        QuestionChange("q_environments", ("options order",)),
    )


def test_show_if_change_is_not_reasked(text):
    diff = diff_templates(*both(text, ('in: ["yes", unsure]', 'in: ["yes"]')))
    (change,) = diff.questions_changed
    assert change.fields == ("show_if",) and not change.reask


def test_moving_a_question_to_another_section_is_reported(text):
    old, new = both(
        text,
        (
            "      - id: q_notes\n        text: Anything else we should know?\n"
            "        type: long_text\n        required: false\n        max_length: 4000\n",
            "",
        ),
        (
            "        weight: 0\n        required: false\n  - id: rotation",
            "        weight: 0\n        required: false\n"
            "      - id: q_notes\n        text: Anything else we should know?\n"
            "        type: long_text\n        required: false\n        max_length: 4000\n"
            "  - id: rotation",
        ),
    )
    diff = diff_templates(old, new)
    assert diff.questions_changed == (QuestionChange("q_notes", ("section",)),)
    assert {c.id for c in diff.sections_changed} == {"exposure", "readiness"}


def test_section_category_and_template_field_changes_are_reported(text):
    diff = diff_templates(
        *both(
            text,
            ("title: Certificate compromise follow-up", "title: Certificate compromise, part 2"),
            ("    title: Rotation\n", "    title: Rotating\n"),
            (
                "    title: Certificate rotation\n    weight: 2",
                "    title: Certificate rotation\n    weight: 4",
            ),
            ("critical_cap: C", "critical_cap: D"),
        )
    )
    assert diff.template_fields == ("title", "critical_cap")
    assert [(c.id, c.fields) for c in diff.sections_changed] == [("rotation", ("title",))]
    assert [(c.id, c.fields) for c in diff.categories_changed] == [
        ("certificate_rotation", ("weight",))
    ]
    assert diff.questions_changed == ()


def test_added_and_removed_sections_and_categories_are_listed(text):
    old, new = both(
        text,
        (
            "  - id: readiness\n    title: Readiness\n",
            "  - id: preparedness\n    title: Readiness\n",
        ),
        (
            "  - id: incident_readiness\n    title: Incident readiness\n    weight: 1\n",
            "  - id: incident_readiness\n    title: Incident readiness\n    weight: 1\n"
            "  - id: extra\n    title: Extra\n    weight: 1\n",
        ),
    )
    diff = diff_templates(old, new)
    assert (diff.sections_added, diff.sections_removed) == (("preparedness",), ("readiness",))
    assert (diff.categories_added, diff.categories_removed) == (("extra",), ())
