"""Confirming answers reused from earlier rounds: one question of a section, or all of its offers.

The section is in the URL, so a colleague answering delegated sections confirms the offers of
their sections only: the delegation guard answers 404 for any other section.
"""

from flask import flash, redirect, url_for
from sqlalchemy.orm.exc import StaleDataError

from vendorrisk.campaigns import reuse as reuse_records
from vendorrisk.extensions import db
from vendorrisk.portal import access, pages, reuse, services
from vendorrisk.portal.blueprint import bp
from vendorrisk.portal.forms import ReuseConfirmForm


@bp.route("/portal/a/<int:assignment_id>/s/<int:index>/reuse/confirm", methods=["POST"])
def confirm_reused(assignment_id: int, index: int):
    """Confirm one earlier answer of a section, or all of them, so they count as answers."""
    assignment, recipient = access.assignment_or_404(assignment_id)
    template = services.template_of(assignment)
    index = pages.section_index(template, index)
    form = ReuseConfirmForm()
    if not form.validate_on_submit():
        flash("This page was open for a long time. Press Confirm again.", "warning")
        return redirect(url_for(".section", assignment_id=assignment_id, index=index))
    try:
        done = reuse.confirm_in_section(
            assignment, recipient, template, index, form.question.data or None
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


bp.add_app_template_global(reuse_records.revision_notes, "revision_reused_answers")
