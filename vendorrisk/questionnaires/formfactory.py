"""Build the questionnaire form a vendor fills in from a parsed template version.

One form class per template version, built from the typed model (never from raw YAML) and
cached, since it is the same for everyone. Fields are named after question ids with a '-'
separator, which ids cannot contain, so names never collide with each other or with the form's
own attributes:

    a-<id>          the answer (radio, checkboxes, date, number, text, textarea, files)
    a-<id>-na       "Not applicable" (only when the question allows N/A)
    a-<id>-comment  the vendor's comment; required to say why a question does not apply
                    (every question but text ones, which only get it to go with N/A)
    a-<id>-files    evidence files (when the question or one of its options asks for them)
    a-<id>-reason   why evidence cannot be attached (when evidence may be required)

Visibility (`show_if`) is evaluated here, on the server, with `conditions`; a hidden question
is neither required nor validated. The vendor portal and the staff preview share this module;
the `questionnaires/_question.html` macros render its fields from `formview`.
"""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, Field, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import DecimalField
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput

try:  # WTForms 3.3 deprecates (value, label) tuples
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - WTForms < 3.3
    SelectChoice = None

from vendorrisk.core.fields import DayField

from .answers import Answer
from .canonical import content_hash
from .certificates import CertificateError, CertificateEvidence, normalise_thumbprint
from .conditions import visible_questions, visible_sections
from .schema import MAX_TEXT_LENGTH, Question, Template

COMMENT_MAX = 2000
THUMBPRINT_MAX = 200  # 64 hex digits with separators and spaces, and a little to spare
NUMBER_INPUT_MAX = 32  # characters: enough for any sensible figure, too few for a huge exponent
NUMBER_DIGITS = 15  # whole-number digits
NUMBER_MAX_DECIMALS = 6
FORM_CACHE_SIZE = 128

ANSWER_REQUIRED = "Answer this question."
NA_COMMENT_REQUIRED = "Say why this question does not apply."
EVIDENCE_REQUIRED = "Attach a file, or say why you cannot."


@dataclass(frozen=True)
class FieldNames:
    """The names of the fields that belong to one question."""

    value: str
    na: str
    comment: str
    files: str
    reason: str
    thumbprint: str


def field_names(question_id: str) -> FieldNames:
    """Return the field names of a question (see the module docstring)."""
    base = f"a-{question_id}"
    return FieldNames(
        base,
        f"{base}-na",
        f"{base}-comment",
        f"{base}-files",
        f"{base}-reason",
        f"{base}-thumbprint",
    )


def question_numbers(template: Template) -> dict[str, str]:
    """Return each question's display number, "section.question" (as the macros show it)."""
    return {
        q.id: f"{si}.{qi}"
        for si, section in enumerate(template.sections, start=1)
        for qi, q in enumerate(section.questions, start=1)
    }


def evidence_possible(question: Question) -> bool:
    """Whether the question, or one of its answers, asks for evidence files."""
    if question.type == "evidence" or question.evidence != "none" or question.certificate:
        return True
    return any(o.evidence in ("optional", "required") for o in question.options)


def evidence_required_for(question: Question, answer: Answer | None) -> bool:
    """Whether this answer to the question needs evidence (the option's level wins)."""
    if question.type == "evidence":
        return True
    if answer is None or answer.na:
        return False
    chosen = answer.chosen_values()
    if chosen and question.options:
        levels = [
            question.option(v).evidence or question.evidence
            for v in chosen
            if v in question.option_values
        ]
        return "required" in levels
    return question.evidence == "required"


def _may_require_evidence(question: Question) -> bool:
    return (
        question.type == "evidence"
        or question.evidence == "required"
        or any(o.evidence == "required" for o in question.options)
    )


def choice(value: Any, label: str) -> Any:
    """Return one choice for a select, radio or checkbox field."""
    return SelectChoice(value, label) if SelectChoice is not None else (value, label)


def _choices(q: Question) -> list[Any]:
    return [choice(o.value, o.label) for o in q.options]


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _number_in_range(form: FlaskForm, field: Field) -> None:
    raw = (field.raw_data or [""])[0] or ""
    if len(raw) > NUMBER_INPUT_MAX:
        raise ValidationError(f"Enter a number of at most {NUMBER_INPUT_MAX} characters.")
    value = field.data
    if value is None:
        return
    if not value.is_finite():
        raise ValidationError("Enter a number.")
    # adjusted() is the exponent of the leading digit; no arithmetic, so no overflow.
    if not value.is_zero() and value.adjusted() >= NUMBER_DIGITS:
        raise ValidationError("Enter a smaller number.")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -NUMBER_MAX_DECIMALS:
        raise ValidationError(f"Use at most {NUMBER_MAX_DECIMALS} decimal places.")


def _exclusive_options(q: Question) -> Any:
    """Refuse a selection that ticks an option standing alone together with others."""

    def check(form: FlaskForm, field: Field) -> None:
        problem = q.exclusive_conflict(list(field.data or ()))
        if problem is not None:
            raise ValidationError(problem)

    return check


def _value_field(q: Question) -> Field:
    label, help_text = q.text, q.help or ""
    if q.type in ("yes_no", "single_choice"):
        return RadioField(
            label, choices=_choices(q), validators=[Optional()], description=help_text
        )
    if q.type == "multi_choice":
        return MultiCheckboxField(
            label,
            choices=_choices(q),
            validators=[Optional(), _exclusive_options(q)],
            description=help_text,
        )
    if q.type == "date":
        return DayField(label, validators=[Optional()], format="%Y-%m-%d", description=help_text)
    if q.type == "number":
        return DecimalField(
            label,
            validators=[Optional(), _number_in_range],
            places=None,
            widget=NumberInput(step="any"),
            description=help_text,
            render_kw={"inputmode": "decimal"},
        )
    if q.type in ("text", "long_text"):
        limit = min(q.max_length, MAX_TEXT_LENGTH)
        kind = StringField if q.type == "text" else TextAreaField
        return kind(
            label,
            validators=[Optional(), Length(max=limit)],
            description=help_text,
            render_kw={"maxlength": limit},
        )
    if q.type == "evidence":
        return MultipleFileField(label, description=help_text)
    raise ValueError(f"unknown question type {q.type!r}")


def _thumbprint_valid(form: FlaskForm, field: Field) -> None:
    if field.data and field.data.strip():
        try:
            normalise_thumbprint(field.data)
        except CertificateError as exc:
            raise ValidationError(str(exc)) from exc


def _thumbprint_field() -> StringField:
    return StringField(
        "SHA-256 thumbprint of the new certificate",
        validators=[Optional(), Length(max=THUMBPRINT_MAX), _thumbprint_valid],
        render_kw={"maxlength": THUMBPRINT_MAX},
    )


def _thumbprint(fq: QuestionFields) -> CertificateEvidence | None:
    field = fq.thumbprint
    if field is None or field.errors or not (field.data or "").strip():
        return None
    try:
        thumbprint = normalise_thumbprint(field.data)
    except CertificateError:
        return None
    return CertificateEvidence(thumbprint, datetime.datetime.now(datetime.UTC).date())


def _comment_field(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[Optional(), Length(max=COMMENT_MAX)],
        render_kw={"maxlength": COMMENT_MAX, "rows": 2},
    )


@dataclass(frozen=True)
class QuestionFields:
    """The bound fields of one question (None where the question has no such field)."""

    question: Question
    value: Field
    na: Field | None
    comment: Field | None
    files: Field | None
    reason: Field | None
    thumbprint: Field | None = None

    @property
    def errors(self) -> list[str]:
        """Every error on the question's fields."""
        return [
            e
            for f in (self.value, self.na, self.comment, self.files, self.reason, self.thumbprint)
            if f is not None
            for e in f.errors
        ]


class QuestionnaireForm(FlaskForm):
    """Base of every generated questionnaire form; `template` is set on each subclass."""

    template: ClassVar[Template]

    def fields_for(self, question_id: str) -> QuestionFields:
        """Return the bound fields of a question."""
        names = field_names(question_id)
        fields = self._fields
        return QuestionFields(
            self.template.question(question_id),
            fields[names.value],
            fields.get(names.na),
            fields.get(names.comment),
            fields.get(names.files),
            fields.get(names.reason),
            fields.get(names.thumbprint),
        )

    def uploaded_files(self, question_id: str) -> list[FileStorage]:
        """Return the files chosen for a question in this submission."""
        names = field_names(question_id)
        field = self._fields.get(names.files) or (
            self._fields[names.value]
            if self.template.question(question_id).type == "evidence"
            else None
        )
        if field is None or not field.data or field.errors:
            return []
        return [f for f in field.data if isinstance(f, FileStorage) and f.filename]

    def _answer(self, q: Question, evidence: Sequence[str]) -> Answer | None:
        fq = self.fields_for(q.id)
        reason = comment = None
        if fq.reason is not None and not fq.reason.errors and fq.reason.data:
            reason = fq.reason.data.strip() or None
        if fq.comment is not None and not fq.comment.errors and fq.comment.data:
            comment = fq.comment.data.strip() or None
        if fq.na is not None and fq.na.data:
            return Answer(value=None, na=True, comment=comment)
        certificate = _thumbprint(fq)
        if q.type == "evidence":
            if evidence or reason or certificate:
                return Answer(
                    value=None,
                    comment=comment,
                    evidence_hashes=tuple(evidence),
                    evidence_reason=reason,
                    certificate=certificate,
                )
            return None
        field = fq.value
        if field.errors or field.data is None:
            return None
        value: Any = field.data
        if q.type == "multi_choice":
            value = [v for v in q.option_values if v in value]
            if not value:
                return None
        elif q.type in ("text", "long_text"):
            value = value.strip()
            if not value:
                return None
        elif q.type in ("yes_no", "single_choice") and value not in q.option_values:
            return None
        return Answer(
            value=value,
            comment=comment,
            evidence_hashes=tuple(evidence),
            evidence_reason=reason,
            certificate=certificate,
        )

    def answers(self, evidence: Mapping[str, Sequence[str]] | None = None) -> dict[str, Answer]:
        """Return the answers given, by question id (questions left blank have none).

        `evidence` maps question ids to the SHA-256 of files already attached; files uploaded
        with this form are the caller's to store and hash.
        """
        evidence = evidence or {}
        result = {}
        for q in self.template.questions():
            answer = self._answer(q, evidence.get(q.id, ()))
            if answer is not None:
                result[q.id] = answer
        return result

    def visible_ids(self) -> tuple[frozenset[str], frozenset[str]]:
        """Return the ids of the sections and of the questions shown for the current answers."""
        answers = self.answers()
        sections = frozenset(s.id for s in visible_sections(self.template, answers))
        questions = frozenset(q.id for q in visible_questions(self.template, answers))
        return sections, questions

    def validate(
        self,
        extra_validators: Mapping[str, Sequence[Any]] | None = None,
        *,
        require_answers: bool = True,
        evidence: Mapping[str, Sequence[str]] | None = None,
    ) -> bool:
        """Check the shown questions; with `require_answers`, every required one is answered.

        Errors on hidden questions are dropped: what a vendor cannot see cannot block them.
        """
        super().validate(extra_validators)
        evidence = dict(evidence or {})
        answers = self.answers(evidence)
        shown = {q.id for q in visible_questions(self.template, answers)}
        for q in self.template.questions():
            fq = self.fields_for(q.id)
            if q.id not in shown:
                for field in (fq.value, fq.na, fq.comment, fq.files, fq.reason, fq.thumbprint):
                    if field is not None:
                        field.errors = []
                continue
            answer = answers.get(q.id)
            if answer is not None and answer.na and fq.comment is not None and not answer.comment:
                fq.comment.errors = [*fq.comment.errors, NA_COMMENT_REQUIRED]
            if not require_answers:
                continue
            if answer is None and q.required and not fq.value.errors:
                message = EVIDENCE_REQUIRED if q.type == "evidence" else ANSWER_REQUIRED
                fq.value.errors = [*fq.value.errors, message]
            elif answer is not None and not answer.na and evidence_required_for(q, answer):
                has_file = bool(answer.evidence_hashes) or bool(self.uploaded_files(q.id))
                if not has_file and not answer.evidence_reason and fq.files is not None:
                    fq.files.errors = [*fq.files.errors, EVIDENCE_REQUIRED]
        return not any(field.errors for field in self)


def build_form_class(template: Template) -> type[QuestionnaireForm]:
    """Build the form class of a template version (use `form_class` for the cached one)."""
    attrs: dict[str, Any] = {"template": template}
    for q in template.questions():
        names = field_names(q.id)
        attrs[names.value] = _value_field(q)
        if q.allow_na:
            attrs[names.na] = BooleanField("This question does not apply to us")
        if q.allow_na or q.type not in ("text", "long_text"):
            attrs[names.comment] = _comment_field("Comment")
        if evidence_possible(q) and q.type != "evidence":
            attrs[names.files] = MultipleFileField("Evidence files")
        if _may_require_evidence(q):
            attrs[names.reason] = _comment_field("If you cannot attach evidence, say why")
        if q.certificate is not None:
            attrs[names.thumbprint] = _thumbprint_field()
    return type(f"QuestionnaireForm_{template.id.replace('-', '_')}", (QuestionnaireForm,), attrs)


_classes: OrderedDict[Hashable, type[QuestionnaireForm]] = OrderedDict()
_classes_lock = threading.Lock()


def form_class(template: Template, key: Hashable | None = None) -> type[QuestionnaireForm]:
    """Return the cached form class of a template version.

    `key` identifies the version (e.g. its id and content hash); without one the content hash
    of the template is used.
    """
    key = key if key is not None else content_hash(template)
    with _classes_lock:
        hit = _classes.get(key)
        if hit is not None:
            _classes.move_to_end(key)
            return hit
    cls = build_form_class(template)
    with _classes_lock:
        _classes[key] = cls
        while len(_classes) > FORM_CACHE_SIZE:
            _classes.popitem(last=False)
    return cls


def with_evidence(
    template: Template, answers: Mapping[str, Answer], evidence: Mapping[str, Sequence[str]]
) -> dict[str, Answer]:
    """Return saved answers as the form reads them back with the files attached now.

    The same as binding `form_data` to a form and calling `answers(evidence)`, without building
    the form: a page that only shows saved answers needs no parsing.
    """
    result = {}
    for q in template.questions():
        answer = answers.get(q.id)
        files = tuple(evidence.get(q.id, ()))
        if answer is not None and answer.na:
            result[q.id] = Answer(value=None, na=True, comment=answer.comment)
        elif q.type == "evidence":
            reason = answer.evidence_reason if answer is not None else None
            certificate = answer.certificate if answer is not None else None
            if files or reason or certificate:
                comment = answer.comment if answer is not None else None
                result[q.id] = Answer(
                    value=None,
                    comment=comment,
                    evidence_hashes=files,
                    evidence_reason=reason,
                    certificate=certificate,
                )
        elif answer is not None:
            result[q.id] = replace(answer, evidence_hashes=files)
    return result


def form_data(template: Template, answers: Mapping[str, Answer]) -> dict[str, Any]:
    """Return initial field data for saved answers (to show a draft again)."""
    data: dict[str, Any] = {}
    for q in template.questions():
        answer = answers.get(q.id)
        if answer is None:
            continue
        names = field_names(q.id)
        if answer.comment:
            data[names.comment] = answer.comment
        if answer.na:
            data[names.na] = True
            continue
        if q.type != "evidence":
            value = answer.value
            data[names.value] = list(value) if isinstance(value, list | tuple) else value
        if answer.evidence_reason:
            data[names.reason] = answer.evidence_reason
        if answer.certificate is not None and answer.certificate.facts is None:
            data[names.thumbprint] = answer.certificate.thumbprint
    return data
