"""What a vendor does in the portal: save drafts, attach evidence, submit with an attestation."""

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import rfc8785
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from vendorrisk.audit import services as audit
from vendorrisk.campaigns import reuse
from vendorrisk.campaigns.models import (
    CAIQ_EVIDENCE,
    IN_PROGRESS,
    NOT_STARTED,
    Assignment,
    Evidence,
    EvidenceCertificate,
    Recipient,
    Response,
    Revision,
)
from vendorrisk.campaigns.services import Submission, record_submission
from vendorrisk.core import storage
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.portal import attribution, notices, vex_answers
from vendorrisk.questionnaires.answers import Answer, decode_answer, encode_answer
from vendorrisk.questionnaires.certificates import (
    CERTIFICATE_EXTENSIONS,
    CertificateError,
    CertificateEvidence,
    CertificateFacts,
    contains_private_key,
    parse_certificate,
)
from vendorrisk.questionnaires.conditions import visible_questions, visible_sections
from vendorrisk.questionnaires.formfactory import with_evidence
from vendorrisk.questionnaires.schema import Template
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.review.services import (
    first_question_asked,
    raise_scoring_findings,
    record_answer_replies,
)
from vendorrisk.scoring import score_response


class EditConflict(Exception):
    """Someone else saved this questionnaire since the form was loaded."""


class PortalError(ValueError):
    """A refused portal action, with a message for the vendor."""


@dataclass(frozen=True)
class Gap:
    """Something that stops a submission, pointing at its question."""

    question_id: str
    section_index: int
    message: str


class Progress(NamedTuple):
    """What the vendor is shown now, and how much of it is answered."""

    sections: list[str]  # ids of the sections shown, in order (numbered by this position)
    questions: set[str]
    answered: int
    total: int
    may_grow: bool  # some questions are hidden and some shown ones unanswered

    def number(self, section_id: str) -> int:
        """Return a shown section's 1-based position among the shown sections."""
        return self.sections.index(section_id) + 1


def progress(template: Template, answers: dict[str, Answer]) -> Progress:
    """Count only the questions the answers so far show (one count for every portal page)."""
    shown = [s.id for s in visible_sections(template, answers)]
    questions = {q.id for q in visible_questions(template, answers)}
    answered = sum(1 for qid in questions if is_answered(answers.get(qid)))
    hidden = len(template.questions()) > len(questions)
    return Progress(
        shown, questions, answered, len(questions), hidden and answered < len(questions)
    )


def is_answered(answer: Answer | None) -> bool:
    """Tell whether an answer counts as given (a value, N/A, or a file)."""
    if answer is None:
        return False
    return answer.na or answer.value not in (None, "", [], ()) or bool(answer.evidence_hashes)


def shown_answers(response: Response) -> dict[str, Answer]:
    """Return the draft answers with the files attached now, as the pages show them."""
    template = template_of(response.assignment)
    return with_evidence(template, draft_answers(response), evidence_hashes(response))


def first_stop(assignment: Assignment) -> tuple[int, str | None]:
    """Return where the questionnaire opens: the first question asked about, or the start."""
    question_id = first_question_asked(assignment)
    if question_id is None:
        return 0, None
    return section_of(template_of(assignment), question_id), f"question-{question_id}"


def section_of(template: Template, question_id: str) -> int:
    """Return the index of the section holding a question (the first section for an id the
    template does not hold, such as a file that answers no question)."""
    return next(
        (
            i
            for i, s in enumerate(template.sections)
            if any(q.id == question_id for q in s.questions)
        ),
        0,
    )


def template_of(assignment: Assignment) -> Template:
    """Return the parsed template version frozen for this assignment's campaign."""
    return parsed_version(assignment.campaign.template_version)


def reference_dates(assignment: Assignment) -> dict[str, date]:
    """Return the reference dates frozen at send, as dates."""
    stored = assignment.campaign.reference_dates or {}
    return {name: date.fromisoformat(day) for name, day in stored.items()}


def draft_answers(response: Response) -> dict[str, Answer]:
    """Decode the draft into Answer objects."""
    return {qid: decode_answer(data) for qid, data in (response.draft or {}).items()}


def open_revision(response: Response) -> Revision | None:
    """Return the revision being worked on, if any (the first one is opened on first save)."""
    return response.open_revision


def editable_questions(response: Response) -> set[str] | None:
    """Return the question ids that may change now (None: all), or an empty set when closed."""
    revision = response.open_revision
    if revision is not None:
        return set(revision.editable_questions) if revision.editable_questions else None
    if response.assignment.is_submitted:
        return set()
    return None


def _touch(assignment: Assignment) -> None:
    now = utcnow()
    assignment.last_activity_at = now
    if assignment.response_state == NOT_STARTED:
        assignment.response_state = IN_PROGRESS
        assignment.started_at = assignment.started_at or now


def start(recipient: Recipient) -> None:
    """Record that a person pressed Continue on their link page."""
    now = utcnow()
    recipient.first_opened_at = recipient.first_opened_at or now
    _touch(recipient.assignment)
    audit.record(
        "portal.token_used",
        "recipient",
        recipient.id,
        actor_type="vendor",
        actor_ref=f"recipient:{recipient.id}",
    )


def save_answers(
    response: Response,
    recipient: Recipient | None,
    question_ids: list[str],
    answers: dict[str, Answer],
    expected_version: int,
    *,
    user_id: int | None = None,
) -> None:
    """Merge one section's answers into the draft, refusing a save based on a stale version.

    Each saved answer is attributed to `recipient`, or to the staff member `user_id` entering
    answers received from the vendor.
    """
    if response.version != expected_version:
        raise EditConflict()
    editable = editable_questions(response)
    if editable is not None and not editable:
        raise PortalError("This questionnaire is submitted and can no longer be changed.")
    draft = dict(response.draft or {})
    saved = []
    for qid in question_ids:
        if editable is not None and qid not in editable:
            continue
        saved.append(qid)
        if qid in answers:
            draft[qid] = encode_answer(answers[qid])
        else:
            draft.pop(qid, None)
    response.draft = draft
    response.updated_at = utcnow()
    response.updated_by_recipient_id = recipient.id if recipient is not None else None
    _touch(response.assignment)
    attribution.note_saved(response, saved, recipient=recipient, user_id=user_id)


@dataclass
class SectionSave:
    """What saving one section did: the version it made, or why it was refused."""

    version: int | None = None
    conflict: bool = False
    message: str | None = None
    file_question: str | None = None  # the question whose file was refused, if one was


def save_section(
    response: Response, recipient: Recipient, section, form, expected_version: int
) -> SectionSave:
    """Store a section's uploads and answers and commit them, or roll back and clean up.

    The one commit of the request happens here because the files written on the way must be
    deleted if it fails, and the version it made must be read before anyone else can save.
    """
    stored: list[str] = []  # files written by this request, to delete if it fails
    uploading = None  # the question whose file is being stored, for a message next to it
    try:
        for q in section.questions:
            for upload in form.uploaded_files(q.id):
                uploading = q.id
                stored.append(attach_evidence(response, recipient, q.id, upload).stored_name)
        uploading = None
        answers = form.answers(evidence_hashes(response))
        save_answers(
            response, recipient, [q.id for q in section.questions], answers, expected_version
        )
        db.session.flush()
        # Read before the commit: after it, a colleague's save could already be there, and our
        # next autosave would overwrite it unawares.
        saved_version = response.version
        storage.commit_keeping(stored)
    except (EditConflict, StaleDataError):  # a save that raced ours and won
        db.session.rollback()
        storage.remove_unrecorded(stored)
        return SectionSave(conflict=True)
    except (PortalError, storage.UploadRejected) as exc:
        db.session.rollback()
        storage.remove_unrecorded(stored)
        return SectionSave(message=str(exc), file_question=uploading)
    return SectionSave(version=saved_version)


def evidence_hashes(response: Response) -> dict[str, list[str]]:
    """Return the SHA-256 of each attached file per question."""
    return {qid: [e.sha256 for e in files] for qid, files in live_evidence(response).items()}


PRIVATE_KEY_REFUSED = (
    "This file holds a private key, so it was not stored. Treat that key as exposed: it has "
    "left the place it was kept, so replace it and the certificate that goes with it, and "
    "revoke the old certificate. Send only the certificate (.pem, .crt, .cer or .der)."
)
_SCAN_BYTES = 1024 * 1024  # keys and certificates are a few kilobytes


def _read_certificate(upload, wants_certificate: bool) -> CertificateFacts | None:
    """Refuse a file holding a private key; on a certificate question, read the certificate.

    A file named like a certificate must be one; any other file there (a screenshot) is kept
    as ordinary evidence.
    """
    data = upload.stream.read(_SCAN_BYTES)
    upload.stream.seek(0)
    if contains_private_key(data):
        raise PortalError(PRIVATE_KEY_REFUSED)
    if not wants_certificate:
        return None
    try:
        return parse_certificate(data)
    except CertificateError as exc:
        if (upload.filename or "").lower().endswith(CERTIFICATE_EXTENSIONS):
            raise PortalError(str(exc)) from exc
        return None


def attach_evidence(response: Response, recipient: Recipient, question_id: str, upload) -> Evidence:
    """Store an evidence file for a question of this response."""
    template = template_of(response.assignment)
    question = template.question(question_id)  # KeyError -> the view answers 404
    editable = editable_questions(response)
    if editable is not None and question.id not in editable:
        raise PortalError("Evidence for this question cannot be changed now.")
    if (
        question.evidence == "none"
        and question.type != "evidence"
        and question.certificate is None
        and not any(o.evidence for o in question.options)
    ):
        raise PortalError("This question does not ask for evidence.")
    facts = _read_certificate(upload, question.certificate is not None)
    quota = current_app.config.get("EVIDENCE_QUOTA_BYTES", 200 * 1024 * 1024)
    used = sum(e.size for e in response.evidence if e.removed_at is None)
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    room = min(limit, quota - used)
    if room <= 0:
        raise PortalError(
            f"This questionnaire has reached its evidence storage limit "
            f"({storage.human_size(quota)}). Remove a file you no longer need first."
        )
    try:
        stored = storage.save(
            upload.stream,
            upload.filename or "",
            max_bytes=room,
            extra_types=storage.CERTIFICATE_TYPES if question.certificate else None,
        )
    except storage.FileTooLarge as exc:
        if room >= limit:
            raise
        raise PortalError(
            f"This file would take the questionnaire over its evidence storage limit "
            f"({storage.human_size(quota)}); {storage.human_size(room)} is left. Remove a file "
            "you no longer need, or send a smaller one."
        ) from exc
    evidence = Evidence(
        response=response,
        question_id=question.id,
        filename=storage.clean_filename(upload.filename or ""),
        stored_name=stored.stored_name,
        size=stored.size,
        sha256=stored.sha256,
        content_type=stored.content_type,
        uploaded_by_recipient_id=recipient.id,
    )
    db.session.add(evidence)
    if facts is not None:
        db.session.add(_certificate_row(evidence, facts))
    db.session.flush()
    _touch(response.assignment)
    audit.record(
        "evidence.uploaded",
        "evidence",
        evidence.id,
        actor_type="vendor",
        actor_ref=f"recipient:{recipient.id}",
        details={"question": question.id},
    )
    return evidence


def _certificate_row(evidence: Evidence, facts: CertificateFacts) -> EvidenceCertificate:
    return EvidenceCertificate(
        evidence=evidence,
        subject=facts.subject,
        issuer=facts.issuer,
        serial=facts.serial,
        not_before=facts.not_before,
        not_after=facts.not_after,
        key_type=facts.key_type,
        key_size=facts.key_size,
        key_curve=facts.key_curve,
        sha256=facts.sha256,
        sha1=facts.sha1,
        received_on=utcnow().date(),
    )


def certificate_evidence(row: EvidenceCertificate) -> CertificateEvidence:
    """Return the certificate read from an evidence file as the answer carries it."""
    facts = CertificateFacts(
        subject=row.subject,
        issuer=row.issuer,
        serial=row.serial,
        not_before=row.not_before,
        not_after=row.not_after,
        key_type=row.key_type,
        key_size=row.key_size,
        key_curve=row.key_curve,
        sha256=row.sha256,
        sha1=row.sha1,
    )
    return CertificateEvidence(row.sha256, row.received_on, facts)


def _certificates(response: Response) -> dict[int, EvidenceCertificate]:
    """Return the certificates read from this response's files, by evidence id (one query)."""
    rows = db.session.scalars(
        select(EvidenceCertificate)
        .join(Evidence, EvidenceCertificate.evidence_id == Evidence.id)
        .where(Evidence.response_id == response.id)
    )
    return {row.evidence_id: row for row in rows}


def _certificate_for(
    base: Answer, files: list[Evidence], certificates: dict[int, EvidenceCertificate]
) -> CertificateEvidence | None:
    """The latest certificate file attached wins over a pasted thumbprint."""
    with_certificate = [e for e in files if e.id in certificates]
    if with_certificate:
        latest = max(with_certificate, key=lambda e: (e.uploaded_at, e.id))
        return certificate_evidence(certificates[latest.id])
    return base.certificate


def _removable(evidence: Evidence, editable: set[str] | None) -> bool:
    return evidence.first_submitted_revision is None and (
        editable is None or evidence.question_id in editable
    )


def removable_evidence(files: dict[str, list[Evidence]], editable: set[str] | None) -> set[int]:
    """Return the ids of the attached files the vendor may still remove."""
    return {e.id for attached in files.values() for e in attached if _removable(e, editable)}


def remove_evidence(evidence: Evidence, recipient: Recipient) -> None:
    """Remove a file the vendor attached, as long as no submitted revision includes it."""
    if evidence.first_submitted_revision is not None:
        raise PortalError("This file is part of a submitted answer and stays on record.")
    if not _removable(evidence, editable_questions(evidence.response)):
        raise PortalError("Evidence for this question cannot be changed now.")
    evidence.removed_at = utcnow()  # the file itself goes once this is committed
    audit.record(
        "evidence.removed",
        "evidence",
        evidence.id,
        actor_type="vendor",
        actor_ref=f"recipient:{recipient.id}",
    )


def discard_removed_file(evidence: Evidence) -> None:
    """Delete a removed file from storage (after the removal is committed, so none is lost)."""
    if evidence.removed_at is not None and evidence.first_submitted_revision is None:
        storage.remove(evidence.stored_name)


def live_evidence(response: Response) -> dict[str, list[Evidence]]:
    """Return the files attached per question (removed ones left out), with the earlier files
    that confirmed answers carry over from an earlier round (stored once, never copied)."""
    result: dict[str, list[Evidence]] = {}
    for evidence in response.evidence:
        if evidence.removed_at is None:
            result.setdefault(evidence.question_id, []).append(evidence)
    for qid, carried in reuse.carried_evidence(response).items():
        result.setdefault(qid, []).extend(carried)
    return result


def _evidence_level(question, answer: Answer | None) -> str:
    if question.type == "evidence":
        return "required" if question.required else "optional"
    if answer is not None:
        for value in answer.chosen_values():
            if value in question.option_values and question.option(value).evidence:
                return question.option(value).evidence
    return question.evidence


def gaps(template: Template, answers: dict[str, Answer], files: dict[str, list]) -> list[Gap]:
    """Return what stops a submission: required answers, N/A comments and evidence."""
    section_of = {q.id: i for i, s in enumerate(template.sections) for q in s.questions}
    problems = []
    for question in visible_questions(template, answers):
        answer = answers.get(question.id)
        index = section_of[question.id]
        if answer is not None and answer.na and not (answer.comment or "").strip():
            problems.append(Gap(question.id, index, "Say why this does not apply."))
            continue
        if (
            question.type != "evidence"
            and question.required
            and (answer is None or (not answer.na and answer.value in (None, "", [], ())))
        ):
            problems.append(Gap(question.id, index, "This question needs an answer."))
            continue
        if answer is not None and answer.na:
            continue
        level = _evidence_level(question, answer)
        has_reason = bool(answer and (answer.evidence_reason or "").strip())
        has_reason = has_reason or bool(answer and answer.certificate)  # a pasted thumbprint
        if level == "required" and not files.get(question.id) and not has_reason:
            problems.append(
                Gap(question.id, index, "Attach the evidence asked for, or say why you cannot.")
            )
    return problems


def attestation_hash(answers: dict, evidence: dict[str, list[str]]) -> str:
    """Return SHA-256 over the RFC 8785 canonical JSON of the answers and evidence hashes."""
    payload = {"answers": answers, "evidence": {k: sorted(v) for k, v in evidence.items()}}
    return hashlib.sha256(rfc8785.dumps(payload)).hexdigest()


def submit(
    assignment: Assignment,
    recipient: Recipient | None,
    *,
    name: str,
    title: str,
    expected_version: int,
    on_behalf: dict | None = None,
) -> Revision:
    """Freeze the answers as a revision with its attestation, score it, and notify people.

    `recipient` is None when staff submit answers received from the vendor; the audit entry
    then names the staff member and carries `on_behalf` (how the answers came, by reference).
    """
    response = assignment.response
    if response.version != expected_version:
        raise EditConflict()
    if editable_questions(response) == set():
        raise PortalError("This questionnaire is already submitted.")
    template = template_of(assignment)
    answers = draft_answers(response)
    files = live_evidence(response)
    problems = gaps(template, answers, files)
    if problems:
        raise GapsError(problems)
    now = utcnow()
    visible = [q.id for q in visible_questions(template, answers)]
    certificates = (
        _certificates(response) if any(q.certificate for q in template.questions()) else {}
    )
    final: dict[str, Answer] = {}
    for qid in visible:
        if qid in answers or files.get(qid):
            base = answers.get(qid) or Answer(value=None)
            final[qid] = Answer(
                value=base.value,
                na=base.na,
                comment=base.comment,
                evidence_hashes=tuple(sorted(e.sha256 for e in files.get(qid, []))),
                evidence_reason=base.evidence_reason,
                certificate=_certificate_for(base, files.get(qid, []), certificates),
            )
    encoded = {qid: encode_answer(a) for qid, a in final.items()}
    revision = response.open_revision
    if revision is None:
        revision = Revision(response=response, number=len(response.revisions) + 1)
        db.session.add(revision)
    late = assignment.is_overdue(now)  # a reply to a later round is not late against the date
    result = score_response(template, final, reference_dates(assignment))
    evidence_index = []
    # Each visible question's files, then the completed CAIQs uploaded for the questionnaire:
    # all on record with the answers, in the manifest reports and receipts list.
    for qid in [*visible, CAIQ_EVIDENCE]:
        for ev in files.get(qid, []):
            ev.first_submitted_revision = ev.first_submitted_revision or revision.number
            evidence_index.append(
                {
                    "id": ev.id,
                    "question_id": qid,
                    "filename": ev.filename,
                    "size": ev.size,
                    "sha256": ev.sha256,
                    "uploaded_at": ev.uploaded_at.isoformat(),
                    "uploaded_by_recipient": ev.uploaded_by_recipient_id,
                }
            )
    record_submission(
        revision,
        recipient,
        Submission(
            answers=encoded,
            evidence_index=evidence_index,
            name=name,
            title=title,
            attestation_hash=attestation_hash(
                encoded,
                {qid: list(a.evidence_hashes) for qid, a in final.items() if a.evidence_hashes},
            ),
            result=result,
            at=now,
            late=late,
        ),
    )
    db.session.flush()
    vex_answers.freeze(response, revision, encoded)
    attribution.freeze(revision, encoded)
    reuse.freeze(response, revision, encoded)
    details: dict[str, object] = {
        "assignment": assignment.id,
        "number": revision.number,
        "late": late,
    }
    if recipient is None:
        details["on_behalf"] = on_behalf or {}
        audit.record("response.submitted", "revision", revision.id, details=details)
    else:
        audit.record(
            "response.submitted",
            "revision",
            revision.id,
            actor_type="vendor",
            actor_ref=f"recipient:{recipient.id}",
            details=details,
        )
    raise_scoring_findings(assignment, revision)
    notices.submission(assignment, recipient, revision, result)
    return revision


def submit_with_replies(assignment: Assignment, recipient: Recipient, form) -> Revision:
    """Submit with the form's attestation; in a clarification round, the answers and comments
    given to the questions asked about are kept as the replies."""
    revision = submit(
        assignment,
        recipient,
        name=form.name.data,
        title=form.title.data,
        expected_version=int(form.version.data or -1),
    )
    record_answer_replies(assignment, revision, recipient, template_of(assignment))
    return revision


class GapsError(PortalError):
    """The submission is incomplete; each gap points at a question."""

    def __init__(self, problems: list[Gap]):
        needs = "answer needs" if len(problems) == 1 else "answers need"
        super().__init__(f"{len(problems)} {needs} attention before you can submit.")
        self.gaps = problems
