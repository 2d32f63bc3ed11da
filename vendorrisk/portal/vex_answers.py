"""Exposure questions answered from the vendor's own VEX statement.

A question bears on exposure when one of its options is flagged `exposed` or `not_exposed` in
the template (`Question.bears_on_exposure`). When the vendor's VEX statements decide its
exposure to the campaign's advisory (the same result the advisory page shows, from
`advisories.results.vex_results`), each such question that has exactly one option flagged for
that outcome is filled in on the draft, through the answer codec, as if the vendor had chosen
that option. A statement "under investigation" fills in nothing: not sure never means not
exposed.

The vendor sees "answered by your VEX statement of <date>" and may change the answer; the
vendor's own answers are never overwritten. A later statement refreshes the answers it filled in
that are still as filled in. At submission, the answers still as filled in are recorded for the
revision, so the reviewer sees which submitted answers came from VEX.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from vendorrisk.advisories.ranges import NO, YES
from vendorrisk.advisories.results import vex_results
from vendorrisk.advisories.services import advisory_by_slug
from vendorrisk.audit import services as audit
from vendorrisk.campaigns.models import Assignment, Campaign, Response, Revision
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.intake.models import VexAnswer, VexDocument
from vendorrisk.questionnaires.answers import (
    Answer,
    decode_answer,
    decode_value,
    encode_answer,
    encode_value,
)
from vendorrisk.questionnaires.conditions import visible_questions
from vendorrisk.questionnaires.schema import Question, Template


def exposure_answer(question: Question, outcome: str | None) -> Answer | None:
    """Return the answer a VEX outcome gives a question: its one option flagged for it."""
    if outcome == YES:
        flagged = [o for o in question.options if o.exposed]
    elif outcome == NO:
        flagged = [o for o in question.options if o.not_exposed]
    else:
        return None
    if len(flagged) != 1:  # several products or regions to choose from: the vendor says which
        return None
    value = flagged[0].value
    return Answer(value=[value] if question.type == "multi_choice" else value)


def planned_answers(
    template: Template, own: dict[str, Answer], outcome: str | None
) -> dict[str, Answer]:
    """Return the exposure questions a VEX outcome answers, in document order, leaving the
    vendor's own answers alone and skipping questions the answers so far hide."""
    answers = dict(own)
    planned: dict[str, Answer] = {}
    for question in template.questions():
        if not question.bears_on_exposure or question.id in own:
            continue
        if question not in visible_questions(template, answers):
            continue
        answer = exposure_answer(question, outcome)
        if answer is not None:
            planned[question.id] = answers[question.id] = answer
    return planned


def _same(row: VexAnswer, data: dict | None) -> bool:
    if data is None or data.get("na"):
        return False
    filled = Answer(value=decode_value(row.value)).chosen_values()
    return filled == decode_answer(data).chosen_values()


@cache
def _document():
    """What the notes show of a VEX document (its content, possibly megabytes, stays unread).

    Built on first use: loader options configure every mapper, which no command should pay.
    """
    return joinedload(VexAnswer.document).load_only(
        VexDocument.id,
        VexDocument.filename,
        VexDocument.format,
        VexDocument.sha256,
        VexDocument.uploaded_at,
    )


def _draft_rows(response: Response) -> dict[str, VexAnswer]:
    rows = db.session.scalars(
        select(VexAnswer)
        .where(VexAnswer.response_id == response.id, VexAnswer.revision_id.is_(None))
        .options(_document())
        .order_by(VexAnswer.id)
    )
    return {row.question_id: row for row in rows}


def draft_notes(response: Response) -> dict[str, VexAnswer]:
    """Return, per question, the VEX answer the draft still holds as filled in."""
    draft = response.draft or {}
    return {qid: row for qid, row in _draft_rows(response).items() if _same(row, draft.get(qid))}


def revision_notes(revision: Revision) -> dict[str, VexAnswer]:
    """Return, per question, the submitted answers of a revision that came from VEX."""
    rows = db.session.scalars(
        select(VexAnswer)
        .where(VexAnswer.revision_id == revision.id)
        .options(_document())
        .order_by(VexAnswer.id)
    )
    return {row.question_id: row for row in rows}


def _outcome(assignment: Assignment):
    advisory = advisory_by_slug(assignment.campaign.advisory_slug or "")
    if advisory is None:
        return None
    return vex_results(advisory, vendor_ids=[assignment.vendor_id]).get(assignment.vendor_id)


def prefill(assignment: Assignment, editable: set[str] | None, template: Template) -> list[str]:
    """Fill in the exposure questions the vendor's VEX answers; return the ids changed.

    `editable` is what may change now (None: everything). Flushes, never commits.
    """
    response = assignment.response
    if response is None or editable == set():
        return []
    result = _outcome(assignment)
    outcome = result.outcome if result is not None and result.outcome in (YES, NO) else None
    draft = dict(response.draft or {})
    rows = _draft_rows(response)
    filled = {qid for qid, row in rows.items() if _same(row, draft.get(qid))}
    own = {qid: decode_answer(data) for qid, data in draft.items() if qid not in filled}
    planned = planned_answers(template, own, outcome)
    document = (
        db.session.get(VexDocument, max(result.documents))
        if result is not None and result.documents
        else None
    )
    changed = []
    for qid in sorted(filled | set(planned)):
        if editable is not None and qid not in editable:
            continue
        row, answer = rows.get(qid), planned.get(qid)
        if answer is not None and row is not None and qid in filled:
            if document is not None and row.document_id == document.id and _same(row, draft[qid]):
                continue  # the same statement again: nothing to change
        if row is not None:
            db.session.delete(row)
        if answer is None or document is None:
            draft.pop(qid, None)  # the statement no longer answers it
        else:
            draft[qid] = encode_answer(answer)
            db.session.add(_row(response, qid, answer, document, result))
        changed.append(qid)
    if changed:
        response.draft = draft
        response.updated_at = utcnow()
        db.session.flush()
        audit.record(
            "response.vex_answers",
            "assignment",
            assignment.id,
            actor_type="system",
            details={"questions": changed, "document": document.id if document else None},
        )
    return changed


def _row(response: Response, qid: str, answer: Answer, document, result) -> VexAnswer:
    return VexAnswer(
        response_id=response.id,
        question_id=qid,
        document_id=document.id,
        document=document,
        value=encode_value(answer.value),
        outcome="affected" if result.outcome == YES else "not_affected",
        detail=result.detail,
        justification=result.justification,
    )


def open_assignments(vendor_id: int) -> list[Assignment]:
    """Return the vendor's assignments in campaigns sent for an advisory (one query)."""
    return list(
        db.session.scalars(
            select(Assignment)
            .join(Assignment.campaign)
            .where(Assignment.vendor_id == vendor_id, Campaign.advisory_slug.is_not(None))
            .order_by(Assignment.id)
        )
    )


def freeze(response: Response, revision: Revision, encoded: dict[str, dict]) -> None:
    """Record which answers of a revision being submitted came from VEX (still as filled in)."""
    for qid, row in _draft_rows(response).items():
        if _same(row, encoded.get(qid)):
            db.session.add(
                VexAnswer(
                    response_id=response.id,
                    revision_id=revision.id,
                    question_id=qid,
                    document_id=row.document_id,
                    value=row.value,
                    outcome=row.outcome,
                    detail=row.detail,
                    justification=row.justification,
                )
            )
