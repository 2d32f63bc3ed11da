"""Re-asking what changed: after an update marks template questions as affected, the vendors
that answered before it can be asked again about those questions only.

Asking again opens a follow-up revision (review.services.open_follow_up) in which only the
affected questions present in the vendor's template can change; the earlier revision stays on
record, and every recipient with a usable link gets an e-mail with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from vendorrisk.audit import services as audit
from vendorrisk.campaigns.models import Assignment, Revision
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.review.services import open_follow_up

from .document import question_ref
from .models import Advisory, AdvisoryUpdate, Reask

FOLLOW_UP = "follow_up"


class FollowUpError(ValueError):
    """Nothing to ask, or the update marks no question; a message fit to show the user."""


@dataclass(frozen=True)
class Pending:
    """A vendor that answered before an update and can be asked again."""

    assignment: Assignment
    revision: Revision
    question_ids: tuple[str, ...]


def affected_by_template(update: AdvisoryUpdate) -> dict[str, set[str]]:
    """Group an update's affected questions by template slug."""
    grouped: dict[str, set[str]] = {}
    for ref in update.affected_questions:
        slug, question = question_ref(ref)
        grouped.setdefault(slug, set()).add(question)
    return grouped


def reasks(updates: list[AdvisoryUpdate]) -> dict[int, list[Reask]]:
    """Return the vendors already asked again, per update id."""
    if not updates:
        return {}
    found: dict[int, list[Reask]] = {}
    for row in db.session.scalars(
        select(Reask).where(Reask.update_id.in_([u.id for u in updates])).order_by(Reask.id)
    ):
        found.setdefault(row.update_id, []).append(row)
    return found


def answered_before(
    update: AdvisoryUpdate, assignments: list[Assignment], already: list[Reask] | None = None
) -> list[Pending]:
    """Return the assignments whose latest answers predate an update that affects them.

    "Before" means before the update was recorded in the library. An assignment qualifies when
    its template has one of the affected questions, it has a submitted revision older than the
    update, no revision is open, and it was not asked again about this update yet.
    """
    wanted = affected_by_template(update)
    if not wanted:
        return []
    done = {r.assignment_id for r in already or ()}
    pending = []
    for assignment in assignments:
        template_version = assignment.campaign.template_version
        questions = wanted.get(template_version.template.slug)
        response = assignment.response
        if not questions or response is None or assignment.id in done:
            continue
        revision = response.latest_submitted
        if revision is None or response.open_revision is not None:
            continue
        if revision.submitted_at is not None and revision.submitted_at >= update.created_at:
            continue
        present = {q.id for q in parsed_version(template_version).questions()} & questions
        if present:
            pending.append(Pending(assignment, revision, tuple(sorted(present))))
    return pending


def _notify(
    advisory: Advisory,
    update: AdvisoryUpdate,
    assignment: Assignment,
    question_ids: tuple[str, ...],
) -> int:
    from vendorrisk.campaigns.services import PORTAL_PURPOSE

    template = parsed_version(assignment.campaign.template_version)
    questions = [template.question(q).text for q in question_ids]
    sent = 0
    for recipient in assignment.recipients:
        if recipient.usable() and recipient.contact.email:
            outbox.queue(
                "follow_up",
                recipient.contact.email,
                f"Please review your answers: {assignment.campaign.name}",
                link=(PORTAL_PURPOSE, recipient.id),
                related=("recipient", recipient.id),
                contact_name=recipient.contact.name,
                vendor_name=assignment.vendor.name,
                campaign=assignment.campaign,
                advisory_title=advisory.title,
                update_title=update.title,
                update_date=update.published_on,
                questions=questions,
            )
            sent += 1
    return sent


def ask_again(
    advisory: Advisory, update: AdvisoryUpdate, assignments: list[Assignment], actor
) -> list[Reask]:
    """Open a follow-up revision for every vendor that answered before the update, and tell them.

    Only the affected questions present in each vendor's template can change; the earlier
    revision stays as it was.
    """
    if not update.affected_questions:
        raise FollowUpError("This update marks no question as affected.")
    pending = answered_before(update, assignments, reasks([update]).get(update.id))
    if not pending:
        raise FollowUpError("No vendor answered before this update; nobody to ask again.")
    created = []
    for item in pending:
        revision = open_follow_up(
            item.assignment, actor, FOLLOW_UP, list(item.question_ids), reason=update.title
        )
        row = Reask(
            update_id=update.id,
            assignment_id=item.assignment.id,
            revision_id=revision.id,
            question_ids=list(item.question_ids),
            asked_by_id=actor.id,
        )
        db.session.add(row)
        _notify(advisory, update, item.assignment, item.question_ids)
        created.append(row)
    db.session.flush()
    audit.record(
        "advisory.asked_again",
        "advisory",
        advisory.id,
        details={
            "update": update.number,
            "assignments": [r.assignment_id for r in created],
        },
        actor_id=actor.id,
    )
    return created
