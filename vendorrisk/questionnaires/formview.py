"""What the questionnaire macros render: a layout per template version, and the state of a form.

Rendering about a hundred WTForms fields per page (each widget building its attributes with
`str.format`) cost most of a portal request. The `questionnaires/_question.html` macros render
the same inputs from plain data instead:

- `FormLayout` is what stays the same for everyone answering one template version: field names,
  which fields a question has, option ids and labels, `show_if` as JSON. It is built once per
  cached form class (`formfactory.form_class`).
- `FormState` is what belongs to one person's page: the values the inputs show (as text, the way
  they would be posted) and the errors by field name. It comes either straight from saved
  answers (`state_from_data`) or from a bound, validated form (`state_of`).

WTForms still parses and validates everything that is posted; only the HTML is written here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

from flask import current_app
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, FileField, RadioField, SelectMultipleField
from wtforms.csrf.core import CSRFTokenField

from .formfactory import COMMENT_MAX, FieldNames, QuestionnaireForm, field_names, question_numbers
from .schema import MAX_TEXT_LENGTH, Question, Section, Template


@dataclass(frozen=True, slots=True)
class OptionLayout:
    value: str
    id: str
    attrs: Markup  # id, name, type and value of its input
    label: Markup  # its <label> element


@dataclass(frozen=True, slots=True)
class QuestionLayout:
    """One question's fields, as every vendor answering this version sees them."""

    question: Question
    names: FieldNames
    number: str  # "section.question", as numbered on every page
    attrs: Markup  # the question element's id and data attributes
    heading: Markup  # its <legend> (number, wording, required mark) and help text
    has_na: bool
    has_comment: bool
    has_files: bool
    has_reason: bool
    options: tuple[OptionLayout, ...]
    max_length: int
    show_if: Markup | None
    evidence_note: str
    comment_max: ClassVar[int] = COMMENT_MAX

    def view(self, state: FormState) -> QuestionView:
        """Return what this question's inputs show on one page."""
        n, values, errors = self.names, state.values, state.errors
        none: tuple[str, ...] = ()
        shown = values.get(n.value, none)
        value_errors = errors.get(n.value, none)
        comment_errors = errors.get(n.comment, none)
        file_errors = errors.get(n.files, none)
        reason_errors = errors.get(n.reason, none)
        return QuestionView(
            value=shown[0] if shown else "",
            chosen=shown,
            na=bool(values.get(n.na)),
            comment=(values.get(n.comment) or ("",))[0],
            reason=(values.get(n.reason) or ("",))[0],
            value_errors=value_errors,
            comment_errors=comment_errors,
            file_errors=file_errors,
            reason_errors=reason_errors,
            has_error=bool(
                value_errors or comment_errors or file_errors or reason_errors or errors.get(n.na)
            ),
        )


class QuestionView(NamedTuple):
    """One question's values and errors on one page."""

    value: str
    chosen: Sequence[str]
    na: bool
    comment: str
    reason: str
    value_errors: Sequence[str]
    comment_errors: Sequence[str]
    file_errors: Sequence[str]
    reason_errors: Sequence[str]
    has_error: bool


@dataclass(frozen=True, slots=True)
class SectionLayout:
    section: Section
    questions: tuple[QuestionLayout, ...]
    show_if: Markup | None


@dataclass(frozen=True, slots=True)
class FormLayout:
    template: Template
    sections: tuple[SectionLayout, ...]


class FormState(NamedTuple):
    """The values the inputs show, as posted text, and the errors, by field name."""

    values: Mapping[str, Sequence[str]]
    errors: Mapping[str, Sequence[str]]


def _show_if(item: Question | Section) -> Markup | None:
    if item.show_if is None:
        return None
    return htmlsafe_json_dumps(item.show_if.model_dump(mode="json", by_alias=True), sort_keys=True)


def _evidence_note(q: Question) -> str:
    if q.evidence == "required":
        return "(required)"
    if any(o.evidence == "required" for o in q.options):
        return "(needed for some answers)"
    return "(optional)"


def _question_layout(
    form_class: type[QuestionnaireForm], q: Question, number: str, parts: Any
) -> QuestionLayout:
    names = field_names(q.id)

    def has(name: str) -> bool:
        return getattr(form_class, name, None) is not None

    kind = "checkbox" if q.type == "multi_choice" else "radio"
    options = []
    for i, o in enumerate(q.options):
        option_id = f"{names.value}-{i}"
        options.append(
            OptionLayout(
                o.value,
                option_id,
                parts.option_attrs(option_id, names.value, kind, o.value),
                parts.option_label(option_id, o.label, o.evidence),
            )
        )
    show_if = _show_if(q)
    return QuestionLayout(
        question=q,
        names=names,
        number=number,
        attrs=parts.attrs(q, show_if),
        heading=parts.heading(q, names.value, number),
        has_na=has(names.na),
        has_comment=has(names.comment),
        has_files=has(names.files),
        has_reason=has(names.reason),
        options=tuple(options),
        max_length=min(q.max_length, MAX_TEXT_LENGTH),
        show_if=show_if,
        evidence_note=_evidence_note(q),
    )


def build_layout(form_class: type[QuestionnaireForm]) -> FormLayout:
    """Return the layout of a generated form class (use `layout_of` for the kept one).

    Needs an app context: the static parts are rendered by `_question_parts.html`.
    """
    template = form_class.template
    parts = current_app.jinja_env.get_template("questionnaires/_question_parts.html").module
    numbers = question_numbers(template)
    sections = tuple(
        SectionLayout(
            s,
            tuple(_question_layout(form_class, q, numbers[q.id], parts) for q in s.questions),
            _show_if(s),
        )
        for s in template.sections
    )
    return FormLayout(template, sections)


def layout_of(form_class: type[QuestionnaireForm]) -> FormLayout:
    """Return the layout of a form class, built on first use and kept with the class."""
    layout = form_class.__dict__.get("_layout")
    if layout is None:
        layout = build_layout(form_class)
        form_class._layout = layout  # the same for every caller: a race builds it twice at most
    return layout


def state_from_data(data: MultiDict) -> FormState:
    """Return the state of a page showing saved answers (see `portal.drafts.draft_formdata`)."""
    return FormState(data.to_dict(flat=False), {})


def _shown_values(field: Any) -> list[str]:
    """Return what a field's inputs show: what was posted, else its data as posted text."""
    if field.raw_data:
        return [v for v in field.raw_data if isinstance(v, str)]
    data = field.data
    if data is None or data is False or data == "":
        return []
    if isinstance(field, BooleanField):
        return ["y"]
    if isinstance(field, SelectMultipleField):
        return [str(v) for v in data]
    if isinstance(field, RadioField):
        return [str(data)]
    text = field._value()
    return [text] if text else []


def state_of(form: QuestionnaireForm) -> FormState:
    """Return the state of a bound form, after `validate` if errors are to show."""
    values: dict[str, list[str]] = {}
    errors: dict[str, list[str]] = {}
    for field in form:
        if field.errors:
            errors[field.name] = list(field.errors)
        if not isinstance(field, CSRFTokenField | FileField):
            shown = _shown_values(field)
            if shown:
                values[field.name] = shown
    return FormState(values, errors)
