"""Handing in machine-readable evidence: a CycloneDX SBOM and a VEX statement."""

from flask import flash, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from vendorrisk.core.errors import handle_http
from vendorrisk.extensions import db
from vendorrisk.intake.jsonfile import MAX_BYTES, IntakeError
from vendorrisk.portal import access, intake_files
from vendorrisk.portal.blueprint import bp
from vendorrisk.portal.intake_forms import sbom_form, vex_form

UPLOADS = frozenset({"portal.upload_sbom", "portal.upload_vex"})
# Room for the largest JSON file accepted plus the multipart envelope; a file over MAX_BYTES
# but within this is refused by name, a larger body before it is read.
BODY_LIMIT = MAX_BYTES + 256 * 1024
MAX_MIB = MAX_BYTES // 1024 // 1024

bp.add_app_template_global(intake_files.answered_by_vex, "vex_answered")


@bp.url_value_preprocessor
def _limit_upload_bodies(endpoint, values):
    if endpoint in UPLOADS:
        request.max_content_length = BODY_LIMIT
        request.max_form_memory_size = BODY_LIMIT


def _page(assignment, recipient, sbom=None, vex=None, status=200):
    sboms, documents = intake_files.portal_files(assignment.vendor_id)
    return render_template(
        "portal/files.html",
        assignment=assignment,
        recipient=recipient,
        sbom_form=sbom or sbom_form(formdata=None),
        vex_form=vex or vex_form(formdata=None),
        sboms=sboms,
        documents=documents,
        answered=intake_files.answered_by_vex(assignment),
    ), status


@bp.route("/portal/a/<int:assignment_id>/files", methods=["GET"])
def files(assignment_id: int):
    """Show the SBOM and VEX upload forms and what the vendor has handed in."""
    assignment, recipient = access.assignment_or_404(assignment_id)
    return _page(assignment, recipient)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc):
    """Say by the file field that the file is too large; other portal pages keep the plain page."""
    if request.endpoint not in UPLOADS:
        return handle_http(exc)
    assignment, recipient = access.assignment_or_404(request.view_args["assignment_id"])
    which = "sbom" if request.endpoint == "portal.upload_sbom" else "vex"
    form = (sbom_form if which == "sbom" else vex_form)(formdata=None)
    form.file.errors = [f"The file is larger than {MAX_MIB} MiB: nothing was kept."]
    return _page(assignment, recipient, **{which: form}, status=413)


def _upload(assignment_id: int, form, save, what: str, which: str):
    assignment, recipient = access.assignment_or_404(assignment_id)
    if not form.validate_on_submit():
        return _page(assignment, recipient, **{which: form}, status=400)
    raw, name = form.read()
    try:
        save(assignment, recipient, form, raw, name)
    except IntakeError as exc:
        db.session.rollback()
        form.file.errors = [f"{p} (nothing was kept)" for p in exc.problems[:10]]
        return _page(assignment, recipient, **{which: form}, status=422)
    db.session.commit()
    flash(f"{what} {name} is kept as evidence (SHA-256 recorded).", "success")
    return redirect(url_for(".files", assignment_id=assignment_id))


@bp.route("/portal/a/<int:assignment_id>/files/sbom", methods=["POST"])
def upload_sbom(assignment_id: int):
    """Keep a CycloneDX SBOM of one of the vendor's products."""
    return _upload(
        assignment_id,
        sbom_form(),
        lambda a, r, form, raw, name: intake_files.vendor_sbom(a, r, raw, name, form.product.data),
        "SBOM",
        "sbom",
    )


@bp.route("/portal/a/<int:assignment_id>/files/vex", methods=["POST"])
def upload_vex(assignment_id: int):
    """Keep a VEX statement and answer the exposure questions it covers."""
    return _upload(
        assignment_id,
        vex_form(),
        lambda a, r, form, raw, name: intake_files.vendor_vex(a, r, raw, name),
        "VEX statement",
        "vex",
    )
