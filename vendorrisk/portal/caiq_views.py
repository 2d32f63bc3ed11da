"""Uploading a completed CAIQ for a CAIQ-based questionnaire: its answers offered to confirm."""

from flask import abort, render_template

from vendorrisk.core import storage
from vendorrisk.extensions import db
from vendorrisk.portal import access, caiq_upload, services
from vendorrisk.portal.blueprint import bp
from vendorrisk.portal.caiq_forms import CaiqUploadForm
from vendorrisk.questionnaires import workbook as workbook_format
from vendorrisk.questionnaires.importers.common import ImportRefused

bp.add_app_template_global(caiq_upload.is_caiq_based, "caiq_based")


@bp.route("/portal/a/<int:assignment_id>/caiq", methods=["GET", "POST"])
def caiq(assignment_id: int):
    """Take the vendor's completed CAIQ: keep it as evidence and offer its answers."""
    assignment, recipient = access.assignment_or_404(assignment_id)
    template = services.template_of(assignment)
    if not caiq_upload.is_caiq_based(template):
        abort(404)
    form, refused, result, status = CaiqUploadForm(), [], None, 200
    closed = services.editable_questions(assignment.response) == set()
    if not closed and form.validate_on_submit():
        upload = form.file.data
        data = upload.stream.read(workbook_format.MAX_BYTES + 1)
        try:
            result = caiq_upload.upload_caiq(
                assignment, data, upload.filename or "", recipient=recipient
            )
        except ImportRefused as exc:
            refused = [str(p) for p in exc.problems]
        except (services.PortalError, storage.UploadRejected) as exc:
            form.file.errors.append(str(exc))
        else:
            db.session.commit()
    if form.is_submitted() and result is None:
        db.session.rollback()
        status = 400
    return render_template(
        "portal/caiq.html",
        assignment=assignment,
        template=template,
        form=form,
        refused=refused,
        result=result,
        sections=caiq_upload.offered_sections(template, result.plan) if result else [],
        closed=closed,
        uploads=caiq_upload.uploads(assignment.response),
        max_mib=workbook_format.MAX_BYTES // (1024 * 1024),
    ), status
