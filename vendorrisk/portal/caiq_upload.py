"""A vendor's completed CAIQ, uploaded for a CAIQ-based questionnaire: kept as evidence, its
answers offered for the vendor to confirm.

The workbook is read by the CAIQ importer's own layout (`importers.caiq.read_answers`: the
container check, openpyxl read-only with formulas refused, never computed), then kept by the
evidence storage with its SHA-256 as a file of the response that answers no question
(`CAIQ_EVIDENCE`), and its answers are offered by `campaigns.caiq_prefill`. A file refused
as a whole keeps and offers nothing. Staff may upload it on the vendor's behalf (`user`): the
file then names no recipient and the audit entries name the staff member; the vendor still
confirms every answer.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from flask import current_app

from vendorrisk.audit import services as audit
from vendorrisk.campaigns import caiq_prefill
from vendorrisk.campaigns.models import (
    CAIQ_EVIDENCE,
    Assignment,
    Evidence,
    Recipient,
    Response,
)
from vendorrisk.core import storage
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.portal import services
from vendorrisk.portal.services import PortalError
from vendorrisk.questionnaires import workbook as workbook_format
from vendorrisk.questionnaires.importers import caiq
from vendorrisk.questionnaires.importers.common import ImportRefused, Problem
from vendorrisk.questionnaires.schema import Template


@dataclass
class Prefilled:
    """What an upload did: the file kept, what was offered and what was not."""

    evidence: Evidence
    plan: caiq_prefill.Plan
    replaced: int


def is_caiq_based(template: Template) -> bool:
    """Tell whether a template asks CAIQ questions, as the CAIQ import makes them."""
    return bool(caiq.caiq_questions(template))


def uploads(response: Response) -> list[Evidence]:
    """Return the completed CAIQs uploaded for this response, newest first."""
    files = [e for e in response.evidence if e.question_id == CAIQ_EVIDENCE]
    return sorted(files, key=lambda e: e.id, reverse=True)


def offered_sections(template: Template, plan: caiq_prefill.Plan) -> list[tuple[int, str, int]]:
    """Return (index, title, offers) of each section with answers offered, in order."""
    offered = {p.question_id for p in plan.offers}
    rows = []
    for index, section in enumerate(template.sections):
        count = sum(1 for q in section.questions if q.id in offered)
        if count:
            rows.append((index, section.title, count))
    return rows


def _room(response: Response, size: int) -> int:
    """Return the bytes the file may take, or refuse it over the questionnaire's quota."""
    quota = current_app.config.get("EVIDENCE_QUOTA_BYTES", 200 * 1024 * 1024)
    used = sum(e.size for e in response.evidence if e.removed_at is None)
    room = min(current_app.config["MAX_CONTENT_LENGTH"], quota - used)
    if size > room:
        raise PortalError(
            f"This file would take the questionnaire over its evidence storage limit "
            f"({storage.human_size(quota)}); {storage.human_size(max(room, 0))} is left."
        )
    return room


def _not_again(response: Response, data: bytes) -> None:
    """Refuse a workbook already uploaded for this response (a page refreshed after an upload
    re-posts it): its answers were offered then, and the file is kept once."""
    digest = hashlib.sha256(data).hexdigest()
    for earlier in uploads(response):
        if earlier.sha256 == digest and earlier.removed_at is None:
            raise PortalError(
                f"This workbook was already uploaded ({earlier.filename}); its answers were "
                "offered then. Upload a changed workbook to offer its new answers."
            )


def take_form(
    assignment: Assignment, template: Template, form, *, recipient=None, user=None
) -> tuple[dict[str, Any], int]:
    """Take a posted upload form, the vendor's or staff's, and return the page's context and
    status. Commits what an accepted upload kept; rolls back anything else (status 400)."""
    refused: list[str] = []
    result: Prefilled | None = None
    closed = services.editable_questions(assignment.response) == set()
    if not closed and form.validate_on_submit():
        upload = form.file.data
        data = upload.stream.read(workbook_format.MAX_BYTES + 1)
        try:
            result = upload_caiq(
                assignment, data, upload.filename or "", recipient=recipient, user=user
            )
        except ImportRefused as exc:
            refused = [str(p) for p in exc.problems]
        except (PortalError, storage.UploadRejected) as exc:
            form.file.errors.append(str(exc))
        else:
            storage.commit_keeping([result.evidence.stored_name])
    status = 200
    if form.is_submitted() and result is None:
        db.session.rollback()
        status = 400
    context = {
        "assignment": assignment,
        "template": template,
        "form": form,
        "refused": refused,
        "result": result,
        "sections": offered_sections(template, result.plan) if result else [],
        "closed": closed,
        "uploads": uploads(assignment.response),
        "max_mib": workbook_format.MAX_BYTES // (1024 * 1024),
    }
    return context, status


def _keep(response: Response, data: bytes, filename: str, recipient: Recipient | None):
    stored = storage.save(io.BytesIO(data), filename, max_bytes=_room(response, len(data)))
    evidence = Evidence(
        response=response,
        question_id=CAIQ_EVIDENCE,
        filename=storage.clean_filename(filename),
        stored_name=stored.stored_name,
        size=stored.size,
        sha256=stored.sha256,
        content_type=stored.content_type,
        uploaded_at=utcnow(),
        uploaded_by_recipient_id=recipient.id if recipient is not None else None,
    )
    db.session.add(evidence)
    return evidence


def upload_caiq(
    assignment: Assignment,
    data: bytes,
    filename: str,
    *,
    recipient: Recipient | None = None,
    user=None,
) -> Prefilled:
    """Read a completed CAIQ, keep it as evidence and offer its answers. Flushes only.

    Raises ImportRefused (the file, with the cells at fault), PortalError (the questionnaire
    takes no CAIQ now) or storage.UploadRejected; nothing is kept then.
    """
    response = assignment.response
    editable = services.editable_questions(response)
    if editable == set():
        raise PortalError("This questionnaire is submitted and can no longer be changed.")
    questions = caiq.caiq_questions(services.template_of(assignment))
    if not questions:
        raise PortalError("This questionnaire is not based on the CAIQ.")
    _not_again(response, data)
    filled = caiq.read_answers(data, filename)
    plan = caiq_prefill.plan(questions, filled, set(response.draft or {}), editable)
    if not plan.matched:
        raise ImportRefused(
            [
                *filled.problems,
                Problem(
                    PurePath(filename).name,
                    "none of its answered questions is a question of this questionnaire",
                ),
            ]
        )
    evidence = _keep(response, data, filename, recipient)
    try:
        db.session.flush()
        replaced = caiq_prefill.offer(response, evidence, plan.offers)
        _record(assignment, evidence, plan, replaced, recipient, user)
    except BaseException:
        storage.remove(evidence.stored_name)
        raise
    assignment.last_activity_at = evidence.uploaded_at
    return Prefilled(evidence, plan, replaced)


def _record(assignment, evidence, plan, replaced, recipient, user) -> None:
    actor: dict[str, Any] = {}
    if recipient is not None:
        actor = {"actor_type": "vendor", "actor_ref": f"recipient:{recipient.id}"}
    elif user is not None:
        actor = {"actor_id": user.id}
    audit.record(
        "evidence.uploaded",
        "evidence",
        evidence.id,
        details={"question": CAIQ_EVIDENCE, "on_behalf": recipient is None},
        **actor,
    )
    audit.record(
        "response.caiq_offered",
        "assignment",
        assignment.id,
        details={
            "evidence": evidence.id,
            "sha256": evidence.sha256,
            "offered": len(plan.offers),
            "skipped": len(plan.skipped),
            "kept": len(plan.kept),
            "replaced": replaced,
            "on_behalf": recipient is None,
        },
        **actor,
    )
