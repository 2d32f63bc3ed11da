"""Answers reused from earlier rounds (docs/questionnaire-format.md, "Answers reused").

When a vendor receives a questionnaire, each question that may be reused (`Question.reusable_in`)
is offered the vendor's latest submitted answer to a question with the same match key
(`reuse_key`, else id), when that answer fits the new question. An offer is a `ReusedAnswer`
row beside the draft, never the draft itself, so it counts for nothing (score, progress,
submission checks) until the vendor confirms it; confirming writes it into the draft. Evidence
is carried by reference to the stored files of the earlier answer (their ids and SHA-256).
The vendor confirms with a button in the portal (the recipient, or a colleague within the
sections delegated to them), or by returning the offered answer unchanged in an uploaded
workbook (docs/workbook-format.md); the row says who and how.
An offer may also come from a completed CAIQ the vendor uploaded (`campaigns.caiq_prefill`): it
then names that file, kept as evidence, instead of a revision, and is confirmed the same way.

Like the answers filled in from a VEX statement (`portal/vex_answers.py`), the rows without a
revision describe the draft, and at submission a copy is written for the revision for the
confirmed answers still as confirmed, so the reviewer sees which answers came from reuse.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask import g, has_request_context
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from vendorrisk.audit import services as audit
from vendorrisk.campaigns.models import (
    Assignment,
    Campaign,
    Evidence,
    Recipient,
    Response,
    ReusedAnswer,
    Revision,
)
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.questionnaires.answers import Answer, decode_answer, encode_answer
from vendorrisk.questionnaires.conditions import visible_questions
from vendorrisk.questionnaires.schema import CHOICE_TYPES, TEXT_TYPES, Question, Template
from vendorrisk.questionnaires.services import parsed_version


@dataclass(frozen=True)
class Earlier:
    """The latest submitted answer of a vendor to one match key."""

    revision: Revision
    question: Question
    answer: Answer
    evidence_ids: tuple[int, ...]


def fits(question: Question, answer: Answer, source: Question) -> bool:
    """Tell whether an earlier answer is a valid answer to `question` as it is asked now."""
    if source.type != question.type:
        return False
    if answer.na:
        return question.allow_na
    if question.type in CHOICE_TYPES:
        chosen = answer.chosen_values()
        if not chosen or any(v not in question.option_values for v in chosen):
            return False
        return question.type == "multi_choice" or len(chosen) == 1
    if question.type in TEXT_TYPES:
        text = answer.value if isinstance(answer.value, str) else ""
        return bool(text.strip()) and len(text) <= question.max_length
    if question.type == "evidence":
        return bool(answer.evidence_hashes or (answer.evidence_reason or "").strip())
    return answer.value not in (None, "")


def _earlier_revisions(assignment: Assignment) -> list[Revision]:
    """The vendor's submitted revisions of other assignments, newest first (one query)."""
    return list(
        db.session.scalars(
            select(Revision)
            .join(Response, Revision.response_id == Response.id)
            .join(Assignment, Response.assignment_id == Assignment.id)
            .where(
                Assignment.vendor_id == assignment.vendor_id,
                Assignment.id != assignment.id,
                Revision.submitted_at.is_not(None),
            )
            .options(
                joinedload(Revision.response)
                .joinedload(Response.assignment)
                .joinedload(Assignment.campaign)
                .joinedload(Campaign.template_version)
            )
            .order_by(Revision.submitted_at.desc(), Revision.id.desc())
        ).unique()
    )


def latest_answers(assignment: Assignment, keys: Iterable[str]) -> dict[str, Earlier]:
    """Return, per match key asked for, the vendor's latest submitted answer to it.

    Only a question that was itself reusable where it was asked counts as a source, so an
    answer about one breach is never offered for another.
    """
    wanted = set(keys)
    found: dict[str, Earlier] = {}
    for revision in _earlier_revisions(assignment):
        if wanted <= found.keys():
            break
        source = parsed_version(revision.response.assignment.campaign.template_version)
        by_key = {q.match_key: q for q in source.questions() if q.reusable_in(source.kind)}
        for key in wanted - found.keys():
            question = by_key.get(key)
            data = (revision.answers or {}).get(question.id) if question else None
            if question is None or data is None:
                continue
            files = tuple(
                int(item["id"])
                for item in revision.evidence_index or []
                if item.get("question_id") == question.id
            )
            found[key] = Earlier(revision, question, decode_answer(data), files)
    return found


def offer(assignment: Assignment, template: Template) -> list[str]:
    """Offer the vendor's latest fitting answers for a new assignment; return the question ids.

    Flushes, never commits. Run once, when the assignment is created.
    """
    response = assignment.response
    targets = {q.match_key: q for q in template.questions() if q.reusable_in(template.kind)}
    if response is None or not targets:
        return []
    earlier = latest_answers(assignment, targets)
    offered = []
    for key, question in targets.items():
        found = earlier.get(key)
        if found is None or not fits(question, found.answer, found.question):
            continue  # the latest answer no longer fits: an older one would be out of date
        db.session.add(
            ReusedAnswer(
                response=response,
                question_id=question.id,
                source_revision_id=found.revision.id,
                source_question_id=found.question.id,
                source_submitted_at=found.revision.submitted_at,
                answer=encode_answer(found.answer),
                evidence_ids=list(found.evidence_ids),
            )
        )
        offered.append(question.id)
    if offered:
        db.session.flush()
        audit.record(
            "response.reuse_offered",
            "assignment",
            assignment.id,
            actor_type="system",
            details={"questions": offered},
        )
    return offered


def _norm(value: object) -> object:
    if isinstance(value, list | tuple):
        return tuple(sorted(str(v) for v in value))
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        try:
            return Decimal(str(value)).normalize()
        except InvalidOperation:
            return value
    return value


def same(row: ReusedAnswer, data: Mapping | None) -> bool:
    """Tell whether a draft answer is still the answer confirmed from `row`."""
    if data is None:
        return False
    mine, theirs = decode_answer(data), decode_answer(row.answer)
    return (
        _norm(mine.value) == _norm(theirs.value)
        and mine.na == theirs.na
        and (mine.comment or "").strip() == (theirs.comment or "").strip()
        and (mine.evidence_reason or "").strip() == (theirs.evidence_reason or "").strip()
    )


def _draft_rows(response: Response) -> list[ReusedAnswer]:
    rows = getattr(response, "reused_answers", None)
    if rows is None:  # a page's light view of the response: read the rows once per request
        rows = _rows_of(response.id)
    return [row for row in rows if row.revision_id is None]


def _rows_of(response_id: int) -> list[ReusedAnswer]:
    memo = g.setdefault("reused_rows", {}) if has_request_context() else {}
    if response_id not in memo:
        memo[response_id] = list(
            db.session.scalars(
                select(ReusedAnswer)
                .where(ReusedAnswer.response_id == response_id, ReusedAnswer.revision_id.is_(None))
                .order_by(ReusedAnswer.id)
            )
        )
    return memo[response_id]


def pending(response: Response) -> dict[str, ReusedAnswer]:
    """Return the offers not yet confirmed for questions the draft leaves unanswered."""
    draft = response.draft or {}
    return {
        row.question_id: row
        for row in _draft_rows(response)
        if row.confirmed_at is None and row.question_id not in draft
    }


def confirmed(response: Response) -> dict[str, ReusedAnswer]:
    """Return the confirmed offers the draft still holds as confirmed."""
    draft = response.draft or {}
    return {
        row.question_id: row
        for row in _draft_rows(response)
        if row.confirmed_at is not None and same(row, draft.get(row.question_id))
    }


def carried_evidence(response: Response) -> dict[str, list[Evidence]]:
    """Return the earlier files each confirmed answer carries, by question (stored rows)."""
    wanted = {
        evidence_id: qid
        for qid, row in confirmed(response).items()
        for evidence_id in row.evidence_ids
    }
    if not wanted:
        return {}
    result: dict[str, list[Evidence]] = {}
    rows = db.session.scalars(select(Evidence).where(Evidence.id.in_(wanted)).order_by(Evidence.id))
    for evidence in rows:
        if evidence.first_submitted_revision is not None:  # only files on record travel
            result.setdefault(wanted[evidence.id], []).append(evidence)
    return result


def confirm(
    response: Response,
    recipient: Recipient,
    template: Template,
    question_ids: Iterable[str],
    editable: set[str] | None,
) -> list[str]:
    """Confirm the offers of these questions the vendor can see now; return the ids confirmed.

    Questions are taken in document order, so confirming a question that shows another lets
    the one it shows be confirmed in the same click. Flushes, never commits.
    """
    offers = pending(response)
    chosen = set(question_ids) & offers.keys()
    if editable is not None:
        chosen &= editable
    answers = {qid: decode_answer(data) for qid, data in (response.draft or {}).items()}
    rows = []
    for question in template.questions():
        if question.id not in chosen:
            continue
        if question not in visible_questions(template, answers):
            continue
        rows.append(offers[question.id])
        answers[question.id] = _as_confirmed(offers[question.id])
    return _take(response, rows, recipient, via="portal")


def confirm_returned(
    response: Response, rows: Iterable[ReusedAnswer], recipient: Recipient | None
) -> list[str]:
    """Confirm offers the vendor returned unchanged in an uploaded workbook; return their ids.

    The caller has checked that each row was pending, is shown, and that the workbook holds the
    offered answer as it was written there; `recipient` is None when staff entered a workbook
    the vendor sent back (the audit entry then names the staff member). Flushes, never commits.
    """
    return _take(response, list(rows), recipient, via="workbook")


def _as_confirmed(row: ReusedAnswer) -> Answer:
    """The draft answer an offer becomes (its files travel by reference, not in the draft)."""
    earlier = decode_answer(row.answer)
    return Answer(
        value=earlier.value,
        na=earlier.na,
        comment=earlier.comment,
        evidence_reason=earlier.evidence_reason,
        certificate=earlier.certificate,
    )


def _take(
    response: Response, rows: list[ReusedAnswer], recipient: Recipient | None, *, via: str
) -> list[str]:
    """Write offers into the draft as confirmed by `recipient`, and record it in the audit log."""
    if not rows:
        return []
    draft = dict(response.draft or {})
    now = utcnow()
    for row in rows:
        draft[row.question_id] = encode_answer(_as_confirmed(row))
        row.confirmed_at = now
        row.confirmed_by_recipient_id = recipient.id if recipient is not None else None
        row.confirmed_via = via
    done = [row.question_id for row in rows]
    response.draft = draft
    response.updated_at = now
    if recipient is not None:
        response.updated_by_recipient_id = recipient.id
    assignment = response.assignment
    assignment.last_activity_at = now
    db.session.flush()
    audit.record(
        "response.reuse_confirmed",
        "assignment",
        assignment.id,
        actor_type="vendor" if recipient is not None else None,  # None: the staff member
        actor_ref=f"recipient:{recipient.id}" if recipient is not None else None,
        details={"questions": done, "via": via},
    )
    return done


def freeze(response: Response, revision: Revision, encoded: Mapping[str, Mapping]) -> None:
    """Record which answers of a revision being submitted were confirmed from reuse."""
    for qid, row in confirmed(response).items():
        if qid in encoded and same(row, encoded[qid]):
            db.session.add(
                ReusedAnswer(
                    response_id=response.id,
                    revision_id=revision.id,
                    question_id=qid,
                    source_revision_id=row.source_revision_id,
                    source_evidence_id=row.source_evidence_id,
                    source_question_id=row.source_question_id,
                    source_submitted_at=row.source_submitted_at,
                    answer=row.answer,
                    evidence_ids=row.evidence_ids,
                    confirmed_at=row.confirmed_at,
                    confirmed_by_recipient_id=row.confirmed_by_recipient_id,
                    confirmed_via=row.confirmed_via,
                )
            )
            source = row.source_evidence
            if source is not None and source.first_submitted_revision is None:
                # An uploaded CAIQ that submitted answers come from stays on record with them.
                source.first_submitted_revision = revision.number


def revision_notes(revision: Revision) -> dict[str, ReusedAnswer]:
    """Return, per question, the submitted answers of a revision confirmed from reuse."""
    rows = db.session.scalars(
        select(ReusedAnswer)
        .where(ReusedAnswer.revision_id == revision.id)
        .options(joinedload(ReusedAnswer.confirmed_by).joinedload(Recipient.contact))
        .order_by(ReusedAnswer.id)
    )
    return {row.question_id: row for row in rows}
