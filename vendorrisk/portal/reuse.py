"""The portal's side of answers reused from earlier rounds: the note beside each offered
question, and the forms that confirm one offer or every offer of a section."""

from flask import g, get_template_attribute
from markupsafe import Markup
from sqlalchemy import select

from vendorrisk.campaigns import reuse
from vendorrisk.campaigns.models import Assignment, Evidence, ReusedAnswer
from vendorrisk.extensions import db
from vendorrisk.portal.services import editable_questions
from vendorrisk.questionnaires.schema import Template


def section_offers(
    assignment: Assignment, template: Template, index: int, visible: set[str]
) -> dict[str, ReusedAnswer]:
    """Return the pending offers of a section's shown questions the vendor may change now,
    in document order."""
    response = assignment.response
    editable = editable_questions(response)
    # A colleague answering delegated sections does not confirm earlier answers (the route is
    # the delegating recipient's); they see the questions as asked.
    if editable == set() or g.get("delegate_scope") is not None:
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
