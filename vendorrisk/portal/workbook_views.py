"""Answering offline: download the questionnaire as a workbook, upload it into the draft."""

import io

from flask import flash, redirect, render_template, send_file, url_for

from vendorrisk.extensions import db
from vendorrisk.portal import access, services
from vendorrisk.portal import workbook as workbook_service
from vendorrisk.portal.blueprint import bp
from vendorrisk.portal.forms import WorkbookUploadForm
from vendorrisk.questionnaires import workbook as workbook_format
from vendorrisk.questionnaires.workbook import WorkbookRefused


@bp.route("/portal/a/<int:assignment_id>/workbook.xlsx")
def workbook_download(assignment_id: int):
    """Send the questionnaire as a workbook, pre-filled with the draft."""
    assignment, _ = access.assignment_or_404(assignment_id)
    data = workbook_service.export(assignment)
    return send_file(
        io.BytesIO(data),
        mimetype=workbook_service.XLSX,
        as_attachment=True,
        download_name=workbook_service.filename_for(assignment),
    )


@bp.route("/portal/a/<int:assignment_id>/workbook", methods=["GET", "POST"])
def workbook(assignment_id: int):
    """Offer the workbook and take it back: all answers into the draft, or every problem."""
    assignment, recipient = access.assignment_or_404(assignment_id)
    form, errors, status = WorkbookUploadForm(), [], 200
    closed = services.editable_questions(assignment.response) == set()
    if not closed and form.validate_on_submit():
        upload = form.file.data
        try:
            result = workbook_service.import_workbook(
                assignment,
                recipient,
                upload.stream.read(workbook_format.MAX_BYTES + 1),
                upload.filename or "",
            )
        except WorkbookRefused as exc:
            form.file.errors.append(str(exc))
        else:
            if not result.errors:
                db.session.commit()
                flash(f"{result.summary()} Check them, then submit.", "success")
                return redirect(url_for(".review", assignment_id=assignment_id))
            errors = result.errors
    if form.is_submitted():
        db.session.rollback()
        status = 400
    return render_template(
        "portal/workbook.html",
        assignment=assignment,
        form=form,
        errors=errors,
        closed=closed,
        max_mib=workbook_format.MAX_BYTES // (1024 * 1024),
    ), status
