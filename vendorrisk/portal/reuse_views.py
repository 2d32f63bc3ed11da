"""Confirming answers reused from earlier rounds: one question, or every offer of a section."""

from flask import flash, redirect, url_for
from sqlalchemy.orm.exc import StaleDataError

from vendorrisk.campaigns import reuse
from vendorrisk.extensions import db
from vendorrisk.portal import access, pages, services
from vendorrisk.portal.blueprint import bp
from vendorrisk.portal.forms import ReuseConfirmForm


@bp.route("/portal/a/<int:assignment_id>/reuse/confirm", methods=["POST"])
def confirm_reused(assignment_id: int):
    """Confirm one earlier answer, or all of a section's, so they count as answers."""
    assignment, recipient = access.assignment_or_404(assignment_id)
    template = services.template_of(assignment)
    form = ReuseConfirmForm()
    if not form.validate_on_submit():
        flash("This page was open for a long time. Press Confirm again.", "warning")
        return redirect(url_for(".questionnaire", assignment_id=assignment_id))
    index = pages.section_index(template, form.section.data)
    wanted = (
        [form.question.data]
        if form.question.data
        else [q.id for q in template.sections[index].questions]
    )
    response = assignment.response
    try:
        done = reuse.confirm(
            response, recipient, template, wanted, services.editable_questions(response)
        )
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash("Someone else saved answers a moment ago. Check them, then confirm again.", "warning")
        return redirect(url_for(".section", assignment_id=assignment_id, index=index))
    if done:
        count = len(done)
        flash(f"{count} earlier {'answer' if count == 1 else 'answers'} confirmed.", "success")
    else:
        flash("There was nothing left to confirm here.", "info")
    anchor = f"question-{done[0]}" if len(done) == 1 else None
    return redirect(url_for(".section", assignment_id=assignment_id, index=index, _anchor=anchor))


bp.add_app_template_global(reuse.revision_notes, "revision_reused_answers")
