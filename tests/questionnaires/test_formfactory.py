"""The questionnaire form factory: one field per question type, server-side visibility,
answers out and back in, and a cached class per template version."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from helpers_app import COMPLETE
from werkzeug.datastructures import MultiDict

from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.formfactory import (
    ANSWER_REQUIRED,
    NA_COMMENT_REQUIRED,
    build_form_class,
    field_names,
    form_class,
    form_data,
    question_numbers,
)
from vendorrisk.questionnaires.loader import load_template_path, load_template_text

TEMPLATE = load_template_path(COMPLETE)


@pytest.fixture
def make_form(app):
    """Bind the complete example's form to posted data, without CSRF."""
    contexts = []

    def make(data: dict | None = None, template=TEMPLATE):
        ctx = app.test_request_context(method="POST", data=MultiDict(data or {}))
        ctx.push()
        contexts.append(ctx)
        return form_class(template)(meta={"csrf": False})

    yield make
    for ctx in reversed(contexts):
        ctx.pop()


def test_each_question_type_gets_its_field(make_form):
    form = make_form()
    kinds = {q.id: type(form[field_names(q.id).value]).__name__ for q in TEMPLATE.questions()}
    assert kinds == {
        "q_uses_product": "RadioField",  # yes_no
        "q_environments": "MultiCheckboxField",
        "q_cert_rotated": "RadioField",
        "q_rotation_date": "DayField",
        "q_detect_hours": "DecimalField",
        "q_log_review": "RadioField",  # single_choice
        "q_notes": "TextAreaField",  # long_text
        "q_contact": "StringField",  # text
        "q_report": "MultipleFileField",  # evidence
    }


def test_extra_fields_follow_the_question(make_form):
    form = make_form()
    names = set(form._fields)
    assert field_names("q_detect_hours").na in names  # allow_na
    assert field_names("q_uses_product").na not in names
    assert field_names("q_cert_rotated").files in names  # evidence: optional / required option
    assert field_names("q_cert_rotated").reason in names
    assert field_names("q_log_review").files not in names
    assert field_names("q_contact").comment not in names  # a text answer needs no comment
    assert field_names("q_uses_product").comment in names


def test_text_lengths_are_capped_by_the_question_and_at_ten_thousand(make_form):
    text = load_template_text(
        COMPLETE.read_text(encoding="utf-8").replace("        max_length: 4000\n", "")
    )
    form = make_form(template=text)
    notes = form[field_names("q_notes").value]
    assert notes.render_kw["maxlength"] == 10000
    assert 'maxlength="200"' in str(make_form()[field_names("q_contact").value]())
    form = make_form({field_names("q_notes").value: "x" * 10001}, template=text)
    form.validate(require_answers=False)
    assert form[field_names("q_notes").value].errors


def test_answers_come_back_typed(make_form):
    n = field_names
    form = make_form(
        {
            n("q_uses_product").value: "yes",
            n("q_environments").value: ["staging", "production"],
            n("q_cert_rotated").value: "yes",
            n("q_rotation_date").value: "2021-01-15",
            n("q_detect_hours").value: "36.5",
            n("q_log_review").value: "less",
            n("q_notes").value: "  some notes  ",
            n("q_contact").value: "Jo",
            n("q_uses_product").comment: "through a partner",
        }
    )
    assert form.validate(require_answers=False), form.errors
    answers = form.answers({"q_report": ("ab" * 32,)})
    assert answers["q_uses_product"] == Answer("yes", comment="through a partner")
    assert answers["q_environments"].value == ["production", "staging"]  # option order
    assert answers["q_rotation_date"].value == datetime.date(2021, 1, 15)
    assert answers["q_detect_hours"].value == Decimal("36.5")
    assert answers["q_notes"].value == "some notes"
    assert answers["q_report"] == Answer(None, evidence_hashes=("ab" * 32,))


def test_not_applicable_needs_a_comment(make_form):
    n = field_names("q_detect_hours")
    form = make_form({n.na: "y"})
    assert not form.validate(require_answers=False)
    assert form[n.comment].errors == [NA_COMMENT_REQUIRED]
    form = make_form({n.na: "y", n.comment: "No connector in use"})
    assert form.validate(require_answers=False)
    assert form.answers()["q_detect_hours"] == Answer(None, na=True, comment="No connector in use")


def test_required_questions_must_be_answered_only_when_shown(make_form):
    form = make_form({field_names("q_uses_product").value: "no"})
    assert not form.validate()
    errors = {
        qid for qid in (q.id for q in TEMPLATE.questions()) if form[field_names(qid).value].errors
    }
    # The rotation section is hidden by "no": its required questions are not asked.
    assert errors == {"q_detect_hours", "q_log_review", "q_contact"}
    assert form[field_names("q_contact").value].errors == [ANSWER_REQUIRED]


def test_errors_on_hidden_questions_are_dropped(make_form):
    """Garbage in a question the vendor cannot see blocks nothing."""
    form = make_form(
        {
            field_names("q_uses_product").value: "no",
            field_names("q_rotation_date").value: "not a date",
            field_names("q_environments").value: "nonsense",
        }
    )
    assert form.validate(require_answers=False), form.errors


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "1e999999999", "1" * 40, "0.0000001", "1e16"])
def test_numbers_are_bounded(make_form, raw):
    """Huge exponents and endless digits would make exact scoring crawl; they are refused."""
    form = make_form({field_names("q_detect_hours").value: raw})
    assert not form.validate(require_answers=False)
    assert "q_detect_hours" not in form.answers()


def test_an_unknown_option_is_not_an_answer(make_form):
    form = make_form({field_names("q_log_review").value: "bribe"})
    assert not form.validate(require_answers=False)
    assert "q_log_review" not in form.answers()


def test_visibility_follows_the_answers(make_form):
    sections, questions = make_form().visible_ids()
    assert "q_environments" not in questions and "q_rotation_date" not in questions
    _, questions = make_form({field_names("q_uses_product").value: "yes"}).visible_ids()
    assert "q_environments" in questions
    sections, questions = make_form({field_names("q_uses_product").value: "no"}).visible_ids()
    assert "rotation" not in sections and "q_cert_rotated" not in questions


def test_saved_answers_fill_the_form_again(app):
    answers = {
        "q_uses_product": Answer("yes", comment="partner"),
        "q_environments": Answer(["production"]),
        "q_rotation_date": Answer(datetime.date(2021, 1, 14)),
        "q_detect_hours": Answer(None, na=True, comment="n/a"),
        "q_log_review": Answer("two_weeks_or_more"),
        "q_contact": Answer("Jo"),
    }
    with app.test_request_context():
        form = form_class(TEMPLATE)(data=form_data(TEMPLATE, answers), meta={"csrf": False})
        assert form.answers() == answers


def test_the_form_class_is_built_once_per_version():
    assert form_class(TEMPLATE, key=("v", 1)) is form_class(TEMPLATE, key=("v", 1))
    assert form_class(TEMPLATE) is form_class(TEMPLATE)
    assert build_form_class(TEMPLATE) is not build_form_class(TEMPLATE)
    other = load_template_text(COMPLETE.read_text(encoding="utf-8").replace("Who leads", "Who"))
    assert form_class(other) is not form_class(TEMPLATE)


def test_field_names_cannot_collide():
    """Ids cannot contain '-', so a question's extra fields never take another's name."""
    names = [field_names("x").na, field_names("x").comment, field_names("x__na").value]
    assert len(set(names)) == 3
    assert field_names("data").value == "a-data"  # not the form's own `data` attribute


def test_questions_are_numbered_by_section():
    numbers = question_numbers(TEMPLATE)
    assert (numbers["q_uses_product"], numbers["q_rotation_date"], numbers["q_report"]) == (
        "1.1",
        "2.2",
        "3.5",
    )
