"""The offline workbook of an assignment: download it signed, upload it into the draft.

The workbook's cells become the same form data a section page posts and go through the same
questionnaire form (types, choices, exclusive options, N/A reasons, visibility); the answers land
in the draft, all or nothing, and the vendor reviews and submits them online as usual.

Answers offered from earlier rounds and not yet confirmed are written in their cells, marked. A
shown question whose cells come back as they were written counts as confirmed by the person who
uploaded it (`reuse.confirm_returned`, recorded as confirmed through the workbook); a changed one
is a new answer, and an emptied one stays unanswered, the earlier answer still offered.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from vendorrisk.audit import services as audit
from vendorrisk.campaigns import reuse
from vendorrisk.campaigns.models import Assignment, Evidence, Recipient, ReusedAnswer
from vendorrisk.core.timeutil import format_local
from vendorrisk.extensions import db
from vendorrisk.portal import pages, services
from vendorrisk.portal.drafts import draft_formdata
from vendorrisk.questionnaires import workbook
from vendorrisk.questionnaires.answers import Answer, decode_answer
from vendorrisk.questionnaires.conditions import visible_questions
from vendorrisk.questionnaires.formfactory import field_names
from vendorrisk.questionnaires.workbook import Binding, Offer, WorkbookRefused
from vendorrisk.questionnaires.workbook_cells import read_back

MAX_LISTED_ERRORS = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Upload:
    """What uploading a workbook did: the questions it saved, or every problem found."""

    saved: int = 0
    confirmed: int = 0  # of the saved answers, the earlier answers returned unchanged
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Return what the person who uploaded it is told."""
        kept = (
            f", {self.confirmed} of them earlier {'answer' if self.confirmed == 1 else 'answers'}"
            " you left as they were, now confirmed"
            if self.confirmed
            else ""
        )
        return f"The workbook is read: {self.saved} answers are in your draft{kept}."


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


def pending_offers(assignment: Assignment) -> dict[str, ReusedAnswer]:
    """Return the earlier answers offered, not yet confirmed, for questions that may change now."""
    response = assignment.response
    editable = services.editable_questions(response)
    if editable == set():
        return {}
    return {
        qid: row
        for qid, row in reuse.pending(response).items()
        if editable is None or qid in editable
    }


def _offer_notes(rows: dict[str, ReusedAnswer]) -> dict[str, Offer]:
    """Return each offer as the workbook writes it: the earlier answer, and where it is from."""
    ids = {evidence_id for row in rows.values() for evidence_id in row.evidence_ids}
    ids |= {row.source_evidence_id for row in rows.values() if row.source_evidence_id}
    query = select(Evidence.id, Evidence.filename).where(Evidence.id.in_(ids))
    names = {row.id: row.filename for row in db.session.execute(query)} if ids else {}
    offers = {}
    for qid, row in rows.items():
        day = format_local(row.source_submitted_at, None, "%d %B %Y")
        if row.source_evidence_id:  # an answer of the completed CAIQ the vendor uploaded
            source = names.get(row.source_evidence_id, "")
            note = (
                f"From your CAIQ upload of {day} ({source}), {row.source_question_id}. Leave "
                "this row as it is to confirm it; change it to give another answer."
            )
            offers[qid] = Offer(decode_answer(row.answer), note)
            continue
        files = [names[i] for i in row.evidence_ids if i in names]
        carried = (
            f" {'The file' if len(files) == 1 else 'The files'} {', '.join(files)} "
            f"{'is' if len(files) == 1 else 'are'} carried over as submitted then."
            if files
            else ""
        )
        note = (
            f"From your answer of {day}.{carried} Leave this row as it is to confirm it; "
            "change it to give another answer."
        )
        offers[qid] = Offer(decode_answer(row.answer), note)
    return offers


def export(assignment: Assignment) -> bytes:
    """Return the assignment's workbook, pre-filled with its draft and the earlier answers
    offered (marked, for the vendor to confirm by leaving them as they are)."""
    template = services.template_of(assignment)
    title = f"{template.title} for {assignment.vendor.name}"
    return workbook.build(
        template,
        services.draft_answers(assignment.response),
        binding_for(assignment),
        title,
        _offer_notes(pending_offers(assignment)),
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


def _saved_where_untouched(
    template, posted: MultiDict, question_ids, draft: dict[str, Answer], base: MultiDict
) -> MultiDict:
    """Return the posted cells, each part that reads back as the workbook wrote the saved answer
    replaced by the saved answer's own form data: an untouched cell changes nothing, even where
    the cell could not hold the saved value exactly (see `workbook_cells.read_back`)."""
    kept = MultiDict(posted)
    for qid in question_ids:
        answer = draft.get(qid)
        if answer is None:
            continue
        names = field_names(qid)
        fields = {"value": names.value, "comment": names.comment, "reason": names.reason}
        for part, items in read_back(template.question(qid), answer).items():
            name = fields[part]
            if posted.getlist(name) == items:
                kept.setlist(name, base.getlist(name))
    return kept


@dataclass
class Checked:
    """A workbook read and validated: the answers of the questions it holds, or every problem."""

    question_ids: list[str] = field(default_factory=list)
    answers: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    kept: list[ReusedAnswer] = field(default_factory=list)  # offers returned as written


def _cells(answer: Answer | None) -> tuple | None:
    """What of an answer the workbook's cells hold (files and certificates travel apart)."""
    if answer is None:
        return None
    return (answer.value, answer.na, answer.comment, answer.evidence_reason)


def _returned(form_class, template, offers, question_ids, answers, evidence) -> list:
    """Return the offers whose cells came back as the workbook wrote them, for shown questions.

    Both sides are read by the same form, so a number typed as 24 or 24.0, or a choice by its
    label, compare as the portal would save them. An offer of a hidden question returned as it
    was is taken out of `answers`: like the portal, the workbook confirms only what is asked, and
    the earlier answer stays offered should the question be asked later.
    """
    wanted = {qid: row for qid, row in offers.items() if qid in question_ids}
    if not wanted:
        return []
    written = {qid: decode_answer(row.answer) for qid, row in wanted.items()}
    form = form_class(formdata=draft_formdata(template, written), meta={"csrf": False})
    as_written = form.answers(evidence)
    shown = {q.id for q in visible_questions(template, answers)}
    kept = []
    for qid, row in wanted.items():
        if _cells(as_written.get(qid)) != _cells(answers.get(qid)):
            continue  # changed or emptied: the cells are the vendor's answer
        if qid in shown:
            kept.append(row)
        else:
            answers.pop(qid, None)
    return kept


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
    draft = services.draft_answers(response)
    base = draft_formdata(template, draft)
    posted = _saved_where_untouched(template, read.formdata, read.question_ids, draft, base)
    formdata = _merged(base, posted, read.question_ids, editable)
    form_class = pages.questionnaire_form_class(assignment)
    form = form_class(formdata=formdata, meta={"csrf": False})
    evidence = services.evidence_hashes(response)
    if not form.validate(require_answers=False, evidence=evidence):
        errors = [
            f"{read.cells.get(name, name)}: {message}"
            for name, messages in form.errors.items()
            for message in messages
        ]
        return Checked(errors=errors[:MAX_LISTED_ERRORS])
    ids = [q.id for q in template.questions() if q.id in read.question_ids]
    answers = form.answers(evidence)
    offers = pending_offers(assignment)
    kept = _returned(form_class, template, offers, read.question_ids, answers, evidence)
    return Checked(question_ids=ids, answers=answers, kept=kept)


def import_workbook(
    assignment: Assignment, recipient: Recipient, data: bytes, filename: str
) -> Upload:
    """Read a workbook into the draft: every cell valid and nothing saved, or all of it saved.

    Earlier answers returned as the workbook wrote them are confirmed by `recipient`.
    Raises WorkbookRefused for a file refused as a whole; returns cell errors otherwise.
    """
    checked = check_workbook(assignment, data, filename)
    if checked.errors:
        return Upload(errors=checked.errors)
    response, ids, answers = assignment.response, checked.question_ids, checked.answers
    services.save_answers(response, recipient, ids, answers, response.version)
    confirmed = reuse.confirm_returned(response, checked.kept, recipient)
    audit.record(
        "portal.workbook_imported",
        "assignment",
        assignment.id,
        actor_type="vendor",
        actor_ref=f"recipient:{recipient.id}",
        details={"questions": len(ids), "confirmed": confirmed},
    )
    saved = [i for i in ids if i in answers or i in confirmed]  # a kept file-only offer, too
    return Upload(saved=len(saved), confirmed=len(confirmed))
