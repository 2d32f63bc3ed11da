"""Answers offered from a completed CAIQ the vendor uploaded (docs/import-formats.md, "The
vendor's completed CAIQ").

Each answered row of the CAIQ whose question id is a question of the assignment's CAIQ-based
template (`importers.caiq.caiq_questions`) becomes an offer through the one mechanism of
answers reused (`campaigns.reuse`): a `ReusedAnswer` beside the draft that names the uploaded
file (`source_evidence_id`) and counts for nothing until the vendor confirms it. Yes and No
become the question's own "Yes" and "No" choices, NA its N/A with the implementation
description as the reason; the description is the answer's comment.

What the draft already answers is left alone, as is every question a clarification round does
not open. An offer not yet confirmed for a question the CAIQ answers (from an earlier round or
an earlier upload) gives way to the CAIQ's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from vendorrisk.campaigns.models import Evidence, Response, ReusedAnswer
from vendorrisk.extensions import db
from vendorrisk.questionnaires.answers import Answer, encode_answer
from vendorrisk.questionnaires.formfactory import COMMENT_MAX
from vendorrisk.questionnaires.importers.caiq import CaiqAnswer, FilledCaiq
from vendorrisk.questionnaires.importers.common import Problem
from vendorrisk.questionnaires.schema import Question

ANSWERABLE_TYPES = ("yes_no", "single_choice")


@dataclass(frozen=True)
class Planned:
    """One answer to offer: the question, the CAIQ row it comes from, the answer it gives."""

    question_id: str
    row: CaiqAnswer
    answer: Answer


@dataclass
class Plan:
    """What a completed CAIQ gives an assignment, before anything is stored."""

    offers: list[Planned] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)  # answers not offered, and why
    notes: list[Problem] = field(default_factory=list)  # offered, but not all of the row
    kept: list[str] = field(default_factory=list)  # CAIQ ids the vendor had answered already
    blank: int = 0  # question rows of the file without an answer
    matched: int = 0  # answered rows naming a question of this questionnaire


def _choice(question: Question, word: str) -> str | None:
    """Return the value of the question's option that means `word` ("yes" or "no")."""
    for option in question.options:
        if word in (option.value.casefold(), option.label.strip().casefold()):
            return option.value
    return None


def caiq_answer(question: Question, row: CaiqAnswer) -> tuple[Answer | None, str | None]:
    """Return the answer a CAIQ row gives a question, or why it gives none.

    The second item, beside an answer, says what of the row was left out.
    """
    if question.type not in ANSWERABLE_TYPES:
        return None, "this questionnaire does not ask it as Yes or No"
    comment = row.comment.strip()
    where = row.comment_where or "the description column"
    if row.answer == "na":
        if not question.allow_na:
            return None, "NA is not an answer this question takes"
        if not comment:
            return None, f"NA needs a reason: write it in {where}"
        if len(comment) > COMMENT_MAX:
            return None, f"the reason in {where} is longer than {COMMENT_MAX:,} characters"
        return Answer(value=None, na=True, comment=comment), None
    value = _choice(question, row.answer)
    if value is None:
        return None, f"this question has no “{row.answer.capitalize()}” choice"
    if len(comment) > COMMENT_MAX:
        left_out = (
            f"the description in {where} is longer than {COMMENT_MAX:,} characters, so the "
            "answer is offered without it"
        )
        return Answer(value=value), left_out
    return Answer(value=value, comment=comment or None), None


def plan(
    questions: dict[str, Question],
    filled: FilledCaiq,
    answered: set[str],
    editable: set[str] | None,
) -> Plan:
    """Decide what to offer: `questions` by CAIQ id, `answered` the question ids the draft
    holds, `editable` those that may change now (None: all)."""
    result = Plan(skipped=list(filled.problems), blank=filled.blank)
    for row in filled.answers:
        question = questions.get(row.caiq_id)
        if question is None:
            result.skipped.append(
                Problem(f"{row.caiq_id} ({row.where})", "not in this questionnaire")
            )
            continue
        result.matched += 1
        if question.id in answered:
            result.kept.append(row.caiq_id)
            continue
        if editable is not None and question.id not in editable:
            reason = "not open for changes in this round"
            result.skipped.append(Problem(f"{row.caiq_id} ({row.where})", reason))
            continue
        answer, why = caiq_answer(question, row)
        if answer is None:
            result.skipped.append(Problem(f"{row.caiq_id} ({row.where})", why or ""))
            continue
        if why:
            result.notes.append(Problem(f"{row.caiq_id} ({row.where})", why))
        result.offers.append(Planned(question.id, row, answer))
    return result


def offer(response: Response, evidence: Evidence, planned: list[Planned]) -> int:
    """Offer the planned answers, naming the uploaded file; return how many offers not yet
    confirmed they replaced. Flushes, never commits."""
    ids = [p.question_id for p in planned]
    replaced = 0
    if ids:
        stale = db.session.scalars(
            select(ReusedAnswer).where(
                ReusedAnswer.response_id == response.id,
                ReusedAnswer.revision_id.is_(None),
                ReusedAnswer.confirmed_at.is_(None),
                ReusedAnswer.question_id.in_(ids),
            )
        )
        for row in stale:
            db.session.delete(row)
            replaced += 1
    for item in planned:
        db.session.add(
            ReusedAnswer(
                response_id=response.id,
                question_id=item.question_id,
                source_evidence_id=evidence.id,
                source_question_id=item.row.caiq_id,
                source_submitted_at=evidence.uploaded_at,
                answer=encode_answer(item.answer),
                evidence_ids=[],
            )
        )
    db.session.flush()
    return replaced
