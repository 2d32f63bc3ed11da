"""Delegation: a recipient hands sections of the questionnaire to a colleague.

The colleague becomes a recipient of the assignment with a link of their own (derived when the
message is sent, stored only as a hash, expiring with the delegating recipient's link), scoped to
the delegated sections, where they answer and confirm earlier answers offered for reuse: every
other section, the submission, the receipt, the workbook, the files and the findings answer 404
to them. The delegating recipient follows progress per section,
may revoke the link, and attests and submits the whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from vendorrisk.audit import services as audit
from vendorrisk.campaigns import reuse
from vendorrisk.campaigns.models import Assignment, Recipient
from vendorrisk.campaigns.services import PORTAL_PURPOSE, _issue_link, assignment_due_display
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.portal import services
from vendorrisk.portal.delegation_models import Delegation
from vendorrisk.questionnaires.schema import Template
from vendorrisk.vendors.models import Contact

# Each delegation sends an e-mail to an address the vendor typed: a cap keeps a link from
# becoming a way to send mail to anyone, many times.
MAX_DELEGATIONS = 20


class DelegationError(ValueError):
    """A refused delegation, with a message to show next to `field`."""

    def __init__(self, message: str, field: str = "email"):
        super().__init__(message)
        self.field = field


def delegations_of(assignment: Assignment) -> list[Delegation]:
    """Return the assignment's delegations, newest first (revoked ones included)."""
    return list(
        db.session.scalars(
            select(Delegation)
            .where(Delegation.assignment_id == assignment.id)
            .order_by(Delegation.id.desc())
        )
    )


def scope_of(recipient: Recipient) -> frozenset[str] | None:
    """Return the section ids a delegate may open (None: a recipient asked for the whole).

    A delegate whose delegations are all revoked keeps an empty scope, so a link re-sent by
    staff still opens nothing.
    """
    rows = db.session.scalars(select(Delegation).where(Delegation.recipient_id == recipient.id))
    scope: set[str] | None = None
    for row in rows:
        scope = scope if scope is not None else set()
        if row.active:
            scope.update(row.sections)
    return frozenset(scope) if scope is not None else None


def scoped_indexes(template: Template, scope: frozenset[str]) -> list[int]:
    """Return the indexes of the template's sections within a delegate's scope."""
    return [i for i, s in enumerate(template.sections) if s.id in scope]


def section_of_question(template: Template, question_id: str) -> str | None:
    """Return the id of the section holding a question (None if no such question)."""
    for section in template.sections:
        if any(q.id == question_id for q in section.questions):
            return section.id
    return None


def _normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise DelegationError(f"This is not an e-mail address: {exc}") from exc


def _holders(assignment: Assignment) -> dict[str, Delegation]:
    holders: dict[str, Delegation] = {}
    for row in delegations_of(assignment):
        if row.active:
            for section_id in row.sections:
                holders.setdefault(section_id, row)
    return holders


def _contact_for(assignment: Assignment, email: str, name: str | None) -> Contact:
    vendor = assignment.vendor
    for contact in vendor.live_contacts:
        if (contact.email or "").lower() == email.lower():
            return contact
    contact = Contact(vendor_id=vendor.id, email=email, name=(name or "").strip() or None)
    db.session.add(contact)
    db.session.flush()
    return contact


def delegate(
    assignment: Assignment,
    by: Recipient,
    *,
    email: str,
    name: str | None,
    section_ids: list[str],
) -> Delegation:
    """Give a colleague a link of their own to some sections, and e-mail it to them."""
    if scope_of(by) is not None:
        raise DelegationError("Only the person the questionnaire was sent to can delegate.")
    if services.editable_questions(assignment.response) == set():
        raise DelegationError("This questionnaire is submitted: nothing is left to delegate.")
    if len(delegations_of(assignment)) >= MAX_DELEGATIONS:
        raise DelegationError(
            f"This questionnaire has had {MAX_DELEGATIONS} delegations, the most it can have. "
            "Ask the company that sent it to add a recipient instead."
        )
    template = services.template_of(assignment)
    known = {s.id: s for s in template.sections}
    chosen = [sid for sid in dict.fromkeys(section_ids) if sid in known]
    if not chosen:
        raise DelegationError("Choose at least one section.", "sections")
    held = _holders(assignment)
    taken = [known[sid].title for sid in chosen if sid in held]
    if taken:
        raise DelegationError(
            f"Already delegated: {', '.join(taken)}. Revoke that link first.", "sections"
        )
    email = _normalise_email(email)
    if email.lower() == (by.contact.email or "").lower():
        raise DelegationError("Give a colleague's address, not your own.")
    contact = _contact_for(assignment, email, name)
    recipient = next((r for r in assignment.recipients if r.contact_id == contact.id), None)
    if recipient is not None and scope_of(recipient) is None:
        raise DelegationError("This person already has a link to the whole questionnaire.")
    if recipient is not None and scope_of(recipient):
        raise DelegationError("This person already holds sections; revoke that link first.")
    if recipient is None:
        recipient = Recipient(assignment=assignment, contact=contact, expires_at=by.expires_at)
    recipient.expires_at = by.expires_at  # never beyond the delegating recipient's link
    _issue_link(recipient)  # a new nonce: any earlier link of this person stops working
    row = Delegation(
        assignment_id=assignment.id,
        recipient_id=recipient.id,
        delegated_by_id=by.id,
        sections=chosen,
    )
    db.session.add(row)
    db.session.flush()
    _queue_invitation(recipient, by, [known[sid].title for sid in chosen])
    audit.record(
        "delegation.created",
        "delegation",
        row.id,
        actor_type="vendor",
        actor_ref=f"recipient:{by.id}",
        details={"assignment": assignment.id, "recipient": recipient.id, "sections": chosen},
    )
    return row


def _queue_invitation(recipient: Recipient, by: Recipient, titles: list[str]) -> None:
    assignment = recipient.assignment
    campaign = assignment.campaign
    message = outbox.queue(
        "delegation",
        recipient.contact.email,
        f"{by.contact.display_name} asks for your help: {campaign.name}",
        link=(PORTAL_PURPOSE, recipient.id),
        related=("recipient", recipient.id),
        contact_name=recipient.contact.name,
        delegator_name=by.contact.display_name,
        vendor_name=assignment.vendor.name,
        campaign=campaign,
        sections=titles,
        due_display=assignment_due_display(assignment),
        expires=recipient.expires_at,
    )
    db.session.flush()
    recipient.last_message_id = message.id


def delegation_or_none(assignment: Assignment, delegation_id: int) -> Delegation | None:
    """Return one of this assignment's delegations (None for any other id)."""
    row = db.session.get(Delegation, delegation_id)
    return row if row is not None and row.assignment_id == assignment.id else None


def revoke(row: Delegation, by: Recipient) -> None:
    """End a delegation: the colleague's link stops working at once; their answers stay."""
    if scope_of(by) is not None:
        raise DelegationError("Only the person the questionnaire was sent to can revoke.")
    if not row.active:
        return
    now = utcnow()
    row.revoked_at = now
    row.recipient.revoked_at = now
    audit.record(
        "delegation.revoked",
        "delegation",
        row.id,
        actor_type="vendor",
        actor_ref=f"recipient:{by.id}",
        details={"assignment": row.assignment_id, "recipient": row.recipient_id},
    )


@dataclass(frozen=True)
class SectionProgress:
    """One section as the delegating recipient follows it."""

    index: int
    title: str
    answered: int  # earlier answers confirmed included: they are in the draft
    total: int
    holder: Delegation | None
    shown: bool
    offered: int = 0  # earlier answers offered and not yet confirmed (they count for nothing)


def section_progress(assignment: Assignment, only: frozenset[str] | None = None):
    """Return per section: answered of shown questions, earlier answers still to confirm, and
    who holds it (one count for all)."""
    template = services.template_of(assignment)
    answers = services.shown_answers(assignment.response)
    progress = services.progress(template, answers)
    editable = services.editable_questions(assignment.response)
    offers = reuse.pending(assignment.response) if editable != set() else {}
    holders = _holders(assignment)
    rows = []
    for index, section in enumerate(template.sections):
        if only is not None and section.id not in only:
            continue
        asked = [q.id for q in section.questions if q.id in progress.questions]
        answered = sum(1 for qid in asked if services.is_answered(answers.get(qid)))
        rows.append(
            SectionProgress(
                index,
                section.title,
                answered,
                len(asked),
                holders.get(section.id),
                section.id in progress.sections,
                sum(1 for qid in asked if qid in offers and (editable is None or qid in editable)),
            )
        )
    return rows


def condition_questions(template: Template, section_ids: set[str]) -> set[str]:
    """Return the ids of the questions whose answers decide what these sections show."""
    found: set[str] = set()

    def walk(condition) -> None:
        if condition is None:
            return
        question = getattr(condition, "question", None)
        if isinstance(question, str):
            found.add(question)
        for inner in getattr(condition, "conditions", ()) or ():
            walk(inner)
        walk(getattr(condition, "condition", None))

    for section in template.sections:
        if section.id in section_ids:
            walk(section.show_if)
            for q in section.questions:
                walk(q.show_if)
    return found
