"""Staff entering a workbook received from a vendor: upload, check by cell, attest, submit."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from vendorrisk.audit import services as audit
from vendorrisk.campaigns.entry_forms import ReceivedWorkbookForm, StaffAttestationForm
from vendorrisk.campaigns.models import Assignment
from vendorrisk.core import storage
from vendorrisk.extensions import db
from vendorrisk.portal import attribution, services, staff_entry
from vendorrisk.portal.delegation_models import StaffEntry
from vendorrisk.questionnaires import workbook as workbook_format
from vendorrisk.questionnaires.answers import encode_answer
from vendorrisk.questionnaires.workbook import WorkbookRefused

bp = Blueprint("staff_entry", __name__, url_prefix="/campaigns")
bp.add_app_template_global(attribution.revision_authors, "revision_authors")
bp.add_app_template_global(attribution.authors_by_section, "authors_by_section")
bp.add_app_template_global(staff_entry.entry_of, "staff_entry_of")


def _assignment_or_404(assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.response is None:
        abort(404)
    return assignment


def _page(assignment, upload=None, attest=None, errors=(), gaps=None, status=200):
    response = assignment.response
    template = services.template_of(assignment)
    entry = staff_entry.pending_entry(assignment)
    answers = services.shown_answers(response)
    if attest is None:
        attest = StaffAttestationForm(formdata=None)
    attest.version.data = response.version
    if gaps is None and entry is not None:
        gaps = services.gaps(template, answers, services.live_evidence(response))
    return render_template(
        "staff_entry/page.html",
        assignment=assignment,
        template=template,
        entry=entry,
        upload_form=upload or ReceivedWorkbookForm(formdata=None),
        attest_form=attest,
        errors=errors,
        gaps=gaps or [],
        answers={qid: encode_answer(a) for qid, a in answers.items()},
        closed=services.editable_questions(response) == set(),
        max_mib=workbook_format.MAX_BYTES // (1024 * 1024),
    ), status


@bp.route("/assignments/<int:assignment_id>/entry", methods=["GET"])
def page(assignment_id: int):
    """Offer the workbook and take back the one the vendor e-mailed, to enter on its behalf."""
    return _page(_assignment_or_404(assignment_id))


@bp.route("/assignments/<int:assignment_id>/entry", methods=["POST"])
def upload(assignment_id: int):
    """Check a received workbook by cell; when all is valid, keep it and fill the draft."""
    assignment = _assignment_or_404(assignment_id)
    form = ReceivedWorkbookForm()
    if not form.validate_on_submit():
        return _page(assignment, upload=form, status=400)
    data = form.file.data.stream.read(workbook_format.MAX_BYTES + 1)
    try:
        result = staff_entry.enter_workbook(
            assignment, current_user, data, form.file.data.filename or ""
        )
    except (WorkbookRefused, storage.UploadRejected) as exc:
        db.session.rollback()
        form.file.errors.append(str(exc))
        return _page(assignment, upload=form, status=400)
    if isinstance(result, StaffEntry):
        storage.commit_keeping([result.stored_name])
        flash(
            f"The workbook is read: {result.questions} answers are in the draft and the file is "
            "kept as evidence. Check them, then attest and submit.",
            "success",
        )
        return redirect(url_for(".page", assignment_id=assignment_id))
    db.session.rollback()
    return _page(assignment, upload=form, errors=result.errors, status=400)


@bp.route("/assignments/<int:assignment_id>/entry/submit", methods=["POST"])
def submit(assignment_id: int):
    """Attest as having received the answers from the vendor, and submit them on its behalf."""
    assignment = _assignment_or_404(assignment_id)
    entry = staff_entry.pending_entry(assignment) or abort(404)
    form = StaffAttestationForm()
    if not form.validate_on_submit():
        return _page(assignment, attest=form, status=400)
    try:
        staff_entry.submit(
            assignment,
            entry,
            current_user,
            received_from=form.received_from.data,
            channel=form.channel.data,
            expected_version=int(form.version.data or -1),
        )
    except services.GapsError as exc:
        db.session.rollback()
        return _page(assignment, attest=form, gaps=exc.gaps, status=400)
    except (services.EditConflict, StaleDataError, services.PortalError) as exc:
        db.session.rollback()
        form.received_from.errors.append(
            str(exc) or "The vendor saved answers meanwhile: check them, then submit again."
        )
        return _page(assignment, attest=form, status=409)
    db.session.commit()
    flash("The answers are submitted on the vendor's behalf.", "success")
    return redirect(url_for("review.assignment", assignment_id=assignment_id))


@bp.route("/entries/<int:entry_id>/file")
def file(entry_id: int):
    """Download a workbook staff received and entered (kept as evidence; the download is audited)."""
    entry = db.session.get(StaffEntry, entry_id) or abort(404)

    def record() -> None:
        audit.record("staff_entry.downloaded", "staff_entry", entry.id)
        db.session.commit()

    return storage.send_stored(
        entry.stored_name,
        mimetype=storage.ALLOWED[".xlsx"][0],
        download_name=entry.filename,
        record=record,
    )
