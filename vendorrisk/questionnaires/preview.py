"""The staff preview of a version and its "try it" scorer: score typed-in answers, store nothing."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from wtforms import Form
from wtforms.validators import Optional

from vendorrisk.core.fields import DayField
from vendorrisk.scoring import MissingReferenceDate, ScoreResult, score_response
from vendorrisk.scoring.result import round_display
from vendorrisk.scoring.rules import number_text

from .formfactory import QuestionnaireForm, question_numbers
from .formview import layout_of, state_of
from .schema import Template

_CHUNK = 64 * 1024


class ReferenceDatesForm(Form):
    """Base of the generated form for a template's reference dates (part of the preview form)."""


def reference_dates_form_class(template: Template) -> type[ReferenceDatesForm]:
    """Build a form with one date per reference date, defaulting to the template's."""
    attrs = {
        ref.name: DayField(
            ref.label,
            default=ref.default,
            format="%Y-%m-%d",
            validators=[Optional()],
        )
        for ref in template.reference_dates
    }
    return type("ReferenceDates", (ReferenceDatesForm,), attrs)


def reference_dates_form(template: Template, formdata=None) -> ReferenceDatesForm:
    """Return the reference-dates form of a template, bound to the submitted data if any."""
    return reference_dates_form_class(template)(formdata=formdata, prefix="ref")


def evidence_hashes(form: QuestionnaireForm) -> dict[str, tuple[str, ...]]:
    """Hash the files chosen in the preview; they are read once and never stored."""
    result = {}
    for q in form.template.questions():
        digests = []
        for upload in form.uploaded_files(q.id):
            digest = hashlib.sha256()
            while chunk := upload.stream.read(_CHUNK):
                digest.update(chunk)
            digests.append(digest.hexdigest())
        if digests:
            result[q.id] = tuple(digests)
    return result


@dataclass
class TryIt:
    """The outcome of pressing "Score these answers": a result, or why there is none."""

    result: ScoreResult | None = None
    errors: list[str] = field(default_factory=list)


def try_score(template: Template, form: QuestionnaireForm, dates: ReferenceDatesForm) -> TryIt:
    """Score what was typed into the preview against the template, as the engine would."""
    answers_ok = form.validate(require_answers=False)
    dates_ok = dates.validate()
    if not (answers_ok and dates_ok):
        numbers = question_numbers(template)
        marked = [numbers[q.id] for q in template.questions() if form.fields_for(q.id).errors]
        where = f" ({', '.join(marked)})" if marked else ""
        return TryIt(errors=[f"Correct the marked answers{where} or dates, then score again."])
    refs: dict[str, datetime.date] = {}
    for ref in template.reference_dates:
        day = dates[ref.name].data or ref.default  # a blank date falls back to the default
        if day is None:
            dates[ref.name].errors = ["Enter the date, for example 2021-01-12."]
            return TryIt(errors=["Enter every reference date, then score again."])
        refs[ref.name] = day
    answers = form.answers(evidence_hashes(form))
    try:
        return TryIt(result=score_response(template, answers, refs))
    except MissingReferenceDate as exc:
        return TryIt(errors=[str(exc)])


def preview_context(
    form: QuestionnaireForm, dates: ReferenceDatesForm, outcome: TryIt | None = None
) -> dict[str, object]:
    """What a preview page needs to show a questionnaire as the vendor sees it, and a try."""
    visible_sections, visible_questions = form.visible_ids()
    return {
        "form": form,
        "layout": layout_of(type(form)),
        "state": state_of(form),
        "dates": dates,
        "outcome": outcome,
        "visible_sections": visible_sections,
        "visible_questions": visible_questions,
        "points": number_text,
        "score": round_display,
    }
