"""The offline workbook of an assignment: download it signed, upload it into the draft.

The workbook's cells become the same form data a section page posts and go through the same
questionnaire form (types, choices, exclusive options, N/A reasons, visibility); the answers land
in the draft, all or nothing, and the vendor reviews and submits them online as usual.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from flask import current_app
from werkzeug.datastructures import MultiDict

from vendorrisk.audit import services as audit
from vendorrisk.campaigns.models import Assignment, Recipient
from vendorrisk.portal import pages, services
from vendorrisk.portal.drafts import draft_formdata
from vendorrisk.questionnaires import workbook
from vendorrisk.questionnaires.formfactory import field_names
from vendorrisk.questionnaires.workbook import Binding, WorkbookRefused

MAX_LISTED_ERRORS = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Upload:
    """What uploading a workbook did: the questions it saved, or every problem found."""

    saved: int = 0
    errors: list[str] = field(default_factory=list)


def _sign(assignment_id: str, version_id: str, content_hash: str) -> str:
    key = current_app.config["LINK_KEY"].encode()
    message = Binding(assignment_id, version_id, content_hash, "").message().encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def binding_for(assignment: Assignment) -> Binding:
    """Return the signed binding written into an assignment's workbook."""
    version = assignment.campaign.template_version
    ids = (str(assignment.id), str(version.id), version.content_hash)
    return Binding(*ids, _sign(*ids))


def filename_for(assignment: Assignment) -> str:
    """Return the download's file name."""
    return f"questionnaire-{assignment.id}.xlsx"


def export(assignment: Assignment) -> bytes:
    """Return the assignment's workbook, pre-filled with its draft."""
    template = services.template_of(assignment)
    title = f"{template.title} for {assignment.vendor.name}"
    return workbook.build(
        template, services.draft_answers(assignment.response), binding_for(assignment), title
    )


def _check_binding(assignment: Assignment, binding: Binding) -> None:
    expected = _sign(binding.assignment_id, binding.version_id, binding.content_hash)
    if not hmac.compare_digest(expected, binding.signature):
        raise WorkbookRefused(
            "This workbook was altered outside the answer cells (its signature does not match); "
            "download a fresh one."
        )
    if binding.assignment_id != str(assignment.id):
        raise WorkbookRefused("This workbook belongs to another questionnaire.")
    version = assignment.campaign.template_version
    if binding.version_id != str(version.id) or binding.content_hash != version.content_hash:
        raise WorkbookRefused(
            "This workbook is for another version of the questionnaire; download a fresh one."
        )


def _merged(draft: MultiDict, posted: MultiDict, question_ids, editable) -> MultiDict:
    """The draft as form data, with every question in the workbook replaced by its cells."""
    replaced = set()
    for qid in question_ids:
        if editable is None or qid in editable:
            n = field_names(qid)
            replaced.update({n.value, n.na, n.comment, n.reason})
    merged = MultiDict([(k, v) for k, v in draft.items(multi=True) if k not in replaced])
    for key, value in posted.items(multi=True):
        if key in replaced:
            merged.add(key, value)
    return merged


@dataclass
class Checked:
    """A workbook read and validated: the answers of the questions it holds, or every problem."""

    question_ids: list[str] = field(default_factory=list)
    answers: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def check_workbook(assignment: Assignment, data: bytes, filename: str) -> Checked:
    """Read a workbook and validate every cell as the portal does, saving nothing.

    Raises WorkbookRefused for a file refused as a whole; returns cell errors otherwise.
    """
    response = assignment.response
    editable = services.editable_questions(response)
    if editable is not None and not editable:
        raise WorkbookRefused("This questionnaire is submitted and can no longer be changed.")
    template = services.template_of(assignment)
    read = workbook.read(data, filename, template)
    _check_binding(assignment, read.binding)
    if read.errors:
        return Checked(errors=read.errors[:MAX_LISTED_ERRORS])
    base = draft_formdata(template, services.draft_answers(response))
    formdata = _merged(base, read.formdata, read.question_ids, editable)
    form = pages.questionnaire_form_class(assignment)(formdata=formdata, meta={"csrf": False})
    evidence = services.evidence_hashes(response)
    if not form.validate(require_answers=False, evidence=evidence):
        errors = [
            f"{read.cells.get(name, name)}: {message}"
            for name, messages in form.errors.items()
            for message in messages
        ]
        return Checked(errors=errors[:MAX_LISTED_ERRORS])
    ids = [q.id for q in template.questions() if q.id in read.question_ids]
    return Checked(question_ids=ids, answers=form.answers(evidence))


def import_workbook(
    assignment: Assignment, recipient: Recipient, data: bytes, filename: str
) -> Upload:
    """Read a workbook into the draft: every cell valid and nothing saved, or all of it saved.

    Raises WorkbookRefused for a file refused as a whole; returns cell errors otherwise.
    """
    checked = check_workbook(assignment, data, filename)
    if checked.errors:
        return Upload(errors=checked.errors)
    response, ids, answers = assignment.response, checked.question_ids, checked.answers
    services.save_answers(response, recipient, ids, answers, response.version)
    audit.record(
        "portal.workbook_imported",
        "assignment",
        assignment.id,
        actor_type="vendor",
        actor_ref=f"recipient:{recipient.id}",
        details={"questions": len(ids)},
    )
    return Upload(saved=len([i for i in ids if i in answers]))
