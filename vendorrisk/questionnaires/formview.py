"""What the questionnaire macros render: a layout per template version, and the state of a form.

Rendering about a hundred WTForms fields per page (each widget building its attributes with
`str.format`) cost most of a portal request. The `questionnaires/_question.html` macros render
the same inputs from plain data instead:

- `FormLayout` is what stays the same for everyone answering one template version: field names,
  which fields a question has, option ids and labels, `show_if` as JSON. It is built once per
  cached form class (`formfactory.form_class`).
- `CompiledQuestion` is one question's HTML for that version with holes where a page's values
  go: the `question` macro rendered once with a `_Skeleton` view that writes markers instead of
  values. A question without errors outside a clarification round is written from it, which
  costs a fraction of running the macro; the macro itself renders the rest.
- `FormState` is what belongs to one person's page: the values the inputs show (as text, the way
  they would be posted), the errors by field name, and the files already attached to each
  question (HTML the portal writes). It comes either straight from saved answers
  (`state_from_data`) or from a bound, validated form (`state_of`).

WTForms still parses and validates everything that is posted; only the HTML is written here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, ClassVar, NamedTuple

from flask import current_app
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape
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
    has_thumbprint: bool
    options: tuple[OptionLayout, ...]
    max_length: int
    show_if: Markup | None
    evidence_note: str
    # The question's HTML with holes, hidden (0) and shown (1); see CompiledQuestion.
    compiled: tuple[CompiledQuestion, CompiledQuestion] | None = None
    comment_max: ClassVar[int] = COMMENT_MAX

    def fast(self, view: QuestionView, visible: bool) -> Markup:
        """Return the HTML the `question` macro writes for `view`, which has no errors."""
        assert self.compiled is not None, "built by build_layout"
        return self.compiled[visible].render(view)

    def view(self, state: FormState) -> QuestionView:
        """Return what this question's inputs show on one page."""
        n, get, errors = self.names, state.values.get, state.errors
        shown = get(n.value, ())
        none: Sequence[str] = ()
        value_errors = comment_errors = file_errors = reason_errors = thumbprint_errors = none
        has_error = False
        if errors:  # a page as saved has none: no field's errors to look up
            value_errors = errors.get(n.value, none)
            comment_errors = errors.get(n.comment, none)
            file_errors = errors.get(n.files, none)
            reason_errors = errors.get(n.reason, none)
            thumbprint_errors = errors.get(n.thumbprint, none)
            has_error = bool(
                value_errors
                or comment_errors
                or file_errors
                or reason_errors
                or thumbprint_errors
                or errors.get(n.na)
            )
        return QuestionView(
            attached=state.attached.get(self.question.id, _NOTHING),
            value=shown[0] if shown else "",
            chosen=shown,
            na=bool(get(n.na)),
            comment=(get(n.comment) or _BLANK)[0],
            reason=(get(n.reason) or _BLANK)[0],
            value_errors=value_errors,
            comment_errors=comment_errors,
            file_errors=file_errors,
            reason_errors=reason_errors,
            has_error=has_error,
            thumbprint=(get(n.thumbprint) or _BLANK)[0],
            thumbprint_errors=thumbprint_errors,
            note=state.notes.get(self.question.id, _NOTHING),
        )


class QuestionView(NamedTuple):
    """One question's values and errors on one page."""

    attached: Markup  # the files already attached to the question, with their actions
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
    thumbprint: str = ""
    thumbprint_errors: Sequence[str] = ()
    note: Markup = Markup("")  # a note the page shows under the heading (an answer to reuse)

    def checked(self, value: str) -> Markup:
        """Return the ` checked` attribute of the option `value`, if it is chosen."""
        return _CHECKED if value in self.chosen else _NOTHING

    @property
    def na_checked(self) -> Markup:
        return _CHECKED if self.na else _NOTHING

    @property
    def comment_open(self) -> Markup:
        """Return ` open` for the comment's <details> when there is something to see in it."""
        return _OPEN if self.comment or self.comment_errors or self.na else _NOTHING


_CHECKED, _OPEN, _NOTHING = Markup(" checked"), Markup(" open"), Markup("")
_BLANK = ("",)
_MARKER = re.compile("\x00([0-9]+)\x00")


class _Skeleton:
    """A QuestionView without errors whose values are markers (the NUL character, which no
    template text or markup holds), recording which value each marker stands for."""

    value_errors = comment_errors = file_errors = reason_errors = thumbprint_errors = ()
    has_error = False

    def __init__(self) -> None:
        self.slots: list[tuple[str, str | None]] = []

    def _mark(self, name: str, option: str | None = None) -> Markup:
        self.slots.append((name, option))
        return Markup("\x00%d\x00") % (len(self.slots) - 1)

    def checked(self, value: str) -> Markup:
        return self._mark("checked", value)

    value = property(lambda self: self._mark("value"))
    comment = property(lambda self: self._mark("comment"))
    reason = property(lambda self: self._mark("reason"))
    thumbprint = property(lambda self: self._mark("thumbprint"))
    na_checked = property(lambda self: self._mark("na_checked"))
    comment_open = property(lambda self: self._mark("comment_open"))
    attached = property(lambda self: self._mark("attached"))
    note = property(lambda self: self._mark("note"))


# What each hole of a compiled question takes from the view: an option's ` checked`, a value
# typed by the vendor (escaped), or markup the page already built (written as it is).
_CHOICE, _TEXT, _MARKUP = 0, 1, 2
_TEXT_VALUES = frozenset({"value", "comment", "reason", "thumbprint"})


@dataclass(frozen=True, slots=True)
class CompiledQuestion:
    """A question's HTML as fixed parts, with one value of the page between each two."""

    parts: tuple[Markup, ...]
    slots: tuple[tuple[int, str], ...]  # (kind, the view's attribute or the option's value)

    @classmethod
    def of(cls, render: Any) -> CompiledQuestion:
        """Compile what `render(view)` writes for a skeleton view."""
        skeleton = _Skeleton()
        html = render(skeleton)  # Markup: slices of it stay Markup
        parts, slots, start = [], [], 0
        for marker in _MARKER.finditer(html):
            parts.append(html[start : marker.start()])
            name, option = skeleton.slots[int(marker.group(1))]
            if option is not None:
                slots.append((_CHOICE, option))
            else:
                slots.append((_TEXT if name in _TEXT_VALUES else _MARKUP, name))
            start = marker.end()
        parts.append(html[start:])
        if any("\x00" in part for part in parts):
            raise ValueError("a question's text holds a NUL character")
        return cls(tuple(parts), tuple(slots))

    def render(self, view: QuestionView) -> Markup:
        """Fill the holes with `view`'s values (escaped, like the macro does)."""
        parts, chosen = self.parts, view.chosen
        out = [parts[0]]
        for i, (kind, key) in enumerate(self.slots, 1):
            if kind == _CHOICE:
                if key in chosen:
                    out.append(_CHECKED)
            else:
                value = getattr(view, key)
                if value:  # most inputs are empty: nothing to escape or write
                    out.append(escape(value) if kind == _TEXT else value)
            out.append(parts[i])
        # Every item is Markup already (fixed parts of the macro's output, escaped values);
        # Markup.join would escape them all again and cost as much as the rest of the page.
        return Markup("".join(out))  # noqa: S704  # nosec B704  # every part is Markup


@dataclass(frozen=True, slots=True)
class SectionLayout:
    section: Section
    questions: tuple[QuestionLayout, ...]
    show_if: Markup | None
    macro: Any = None  # the `question` macro of _question.html, for what is not compiled

    def questions_html(self, state: FormState, visible: set[str], round: Any = None) -> Markup:
        """Return the section's questions as the `question` macro writes them for `state`.

        A question without errors outside a clarification round comes from its compiled form;
        the rest (errors, reviewers' comments, locked answers) from the macro.
        """
        out = []
        for q in self.questions:
            view = q.view(state)
            shown = q.question.id in visible
            if round is None and not view.has_error:
                out.append(q.fast(view, shown))
            else:
                out.append(self.macro(q, view, shown, round))
        return Markup("".join(out))  # noqa: S704  # nosec B704  # all Markup, as above


@dataclass(frozen=True, slots=True)
class FormLayout:
    template: Template
    sections: tuple[SectionLayout, ...]


class FormState(NamedTuple):
    """The values the inputs show, as posted text, and the errors, by field name; the HTML of
    the files attached to each question, by question id."""

    values: Mapping[str, Sequence[str]]
    errors: Mapping[str, Sequence[str]]
    attached: Mapping[str, Markup] = MappingProxyType({})
    notes: Mapping[str, Markup] = MappingProxyType({})


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
                parts.option_attrs(option_id, names.value, kind, o.value, o.exclusive),
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
        has_thumbprint=has(names.thumbprint),
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
    env = current_app.jinja_env
    parts = env.get_template("questionnaires/_question_parts.html").module
    macro = env.get_template("questionnaires/_question.html").module.question  # type: ignore[attr-defined]
    numbers = question_numbers(template)

    def compiled(q: Question) -> QuestionLayout:
        layout = _question_layout(form_class, q, numbers[q.id], parts)
        forms = (
            CompiledQuestion.of(lambda view: macro(layout, view, False)),
            CompiledQuestion.of(lambda view: macro(layout, view, True)),
        )
        return replace(layout, compiled=forms)

    sections = tuple(
        SectionLayout(s, tuple(compiled(q) for q in s.questions), _show_if(s), macro)
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
