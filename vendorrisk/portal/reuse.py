"""The portal's side of answers reused from earlier rounds: the note beside each offered
question, and confirming one offer or every offer of a section.

Whoever may open a section confirms its offers: the recipient, or a colleague the section is
delegated to (the delegation guard keeps them to their sections); the confirmation, and the
answer it writes, are attributed to that person.
"""

from flask import abort, get_template_attribute
from markupsafe import Markup
from sqlalchemy import select

from vendorrisk.campaigns import reuse
from vendorrisk.campaigns.models import Assignment, Evidence, Recipient, ReusedAnswer
from vendorrisk.extensions import db
from vendorrisk.portal import attribution
from vendorrisk.portal.services import editable_questions
from vendorrisk.questionnaires.schema import Template


def section_offers(
    assignment: Assignment, template: Template, index: int, visible: set[str]
) -> dict[str, ReusedAnswer]:
    """Return the pending offers of a section's shown questions the vendor may change now,
    in document order."""
    response = assignment.response
    editable = editable_questions(response)
    if editable == set():
        return {}
    offers = reuse.pending(response)
    return {
        q.id: offers[q.id]
        for q in template.sections[index].questions
        if q.id in offers and q.id in visible and (editable is None or q.id in editable)
    }


def notes(
    assignment: Assignment, template: Template, index: int, offers: dict[str, ReusedAnswer]
) -> dict[str, Markup]:
    """Return the note written beside each offered question: the earlier answer, its date and
    files (or the uploaded CAIQ it comes from), and its Confirm button."""
    if not offers:
        return {}
    ids = {evidence_id for row in offers.values() for evidence_id in row.evidence_ids}
    ids |= {row.source_evidence_id for row in offers.values() if row.source_evidence_id}
    files = (
        {e.id: e for e in db.session.scalars(select(Evidence).where(Evidence.id.in_(ids)))}
        if ids
        else {}
    )
    note = get_template_attribute("portal/_reused.html", "note")
    return {
        qid: note(
            template.question(qid),
            row,
            [files[i] for i in row.evidence_ids if i in files],
            files.get(row.source_evidence_id or 0),
        )
        for qid, row in offers.items()
    }


def confirm_in_section(
    assignment: Assignment,
    recipient: Recipient,
    template: Template,
    index: int,
    question_id: str | None,
) -> list[str]:
    """Confirm one offer of a section (404 for a question of another section), or all of its
    offers; return the ids confirmed. Flushes, never commits."""
    ids = [q.id for q in template.sections[index].questions]
    if question_id is not None and question_id not in ids:
        abort(404)
    response = assignment.response
    wanted = [question_id] if question_id is not None else ids
    done = reuse.confirm(response, recipient, template, wanted, editable_questions(response))
    # The answers are this person's now, as if they had saved them (`reuse.confirm` audits it).
    attribution.note_saved(response, done, recipient=recipient, audited=False)
    return done
