"""Uploading a completed CAIQ for a CAIQ-based questionnaire: its answers offered to confirm."""

from flask import abort, render_template

from vendorrisk.portal import access, caiq_upload, services
from vendorrisk.portal.blueprint import bp
from vendorrisk.portal.caiq_forms import CaiqUploadForm

bp.add_app_template_global(caiq_upload.is_caiq_based, "caiq_based")


@bp.route("/portal/a/<int:assignment_id>/caiq", methods=["GET", "POST"])
def caiq(assignment_id: int):
    """Take the vendor's completed CAIQ: keep it as evidence and offer its answers."""
    assignment, recipient = access.assignment_or_404(assignment_id)
    template = services.template_of(assignment)
    if not caiq_upload.is_caiq_based(template):
        abort(404)
    context, status = caiq_upload.take_form(
        assignment, template, CaiqUploadForm(), recipient=recipient
    )
    return render_template("portal/caiq.html", **context), status
