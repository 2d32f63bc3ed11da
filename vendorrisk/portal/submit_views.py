"""Submitting: review every answer, attest, submit; then the receipt."""

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import NotFound

from vendorrisk.campaigns.models import CAIQ_EVIDENCE
from vendorrisk.extensions import csrf, db
from vendorrisk.portal import access, pages, services
from vendorrisk.portal.blueprint import bp
from vendorrisk.portal.forms import AttestationForm
from vendorrisk.questionnaires.answers import decode_answer
from vendorrisk.review import services as review_services


@bp.route("/portal/a/<int:assignment_id>/submit", methods=["GET", "POST"])
@csrf.exempt  # checked by the form below, so a stale token re-shows the name and title
def review(assignment_id: int):
    """List every answer by section, then take the attestation and submit."""
    try:
        assignment, recipient = access.assignment_or_404(assignment_id)
    except NotFound:
        if request.method == "POST":
            return pages.expired_page(assignment_id)
        raise
    response = assignment.response
    if services.editable_questions(response) == set():
        return redirect(url_for(".receipt", assignment_id=assignment_id))
    revision = response.open_revision
    items = review_services.clarification_items(assignment, revision.number) if revision else []
    form = AttestationForm()
    gaps = None
    if form.validate_on_submit():
        try:
            services.submit_with_replies(assignment, recipient, form)
        except (services.EditConflict, StaleDataError):
            db.session.rollback()
            flash(pages.RACED_SUBMIT, "warning")
        except services.GapsError as exc:
            db.session.rollback()
            gaps = exc.gaps
        except services.PortalError:  # a colleague submitted a moment earlier
            db.session.rollback()
            return redirect(url_for(".receipt", assignment_id=assignment_id))
        else:
            db.session.commit()
            return redirect(url_for(".receipt", assignment_id=assignment_id))
    if form.is_submitted() and "csrf_token" in form.errors:
        flash(pages.STALE_REVIEW, "warning")
    form.version.data = response.version
    return pages.review_page(assignment, form, items, gaps)


@bp.route("/portal/a/<int:assignment_id>/receipt")
def receipt(assignment_id: int):
    """Show the receipt of the latest submission, with its answers and files."""
    assignment, _ = access.assignment_or_404(assignment_id)
    revision = assignment.response.latest_submitted
    if revision is None:
        return redirect(url_for(".questionnaire", assignment_id=assignment_id))
    return render_template(
        "portal/receipt.html",
        assignment=assignment,
        revision=revision,
        template=services.template_of(assignment),
        answers={qid: decode_answer(a) for qid, a in (revision.answers or {}).items()},
        evidence=revision.evidence_index or [],
        caiq_files=[e for e in revision.evidence_index or [] if e["question_id"] == CAIQ_EVIDENCE],
        reopened=services.editable_questions(assignment.response) not in (set(), None),
    )
