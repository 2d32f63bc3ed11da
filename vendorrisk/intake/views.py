"""Intake pages: import a CSAF document, publish a draft advisory (a second person), and upload
a vendor's SBOM or VEX document on its vendor page."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from vendorrisk.advisories import services as advisories
from vendorrisk.extensions import db
from vendorrisk.portal import vex_answers
from vendorrisk.portal.intake_files import keep_vex
from vendorrisk.vendors.services import get_vendor_or_404

from . import pages
from .csaf_import import UNCHANGED, import_csaf
from .forms import CsafUploadForm, PublishForm
from .jsonfile import MAX_BYTES, IntakeError, load_json
from .publishing import PublishRefused, publish
from .sbom import get_sbom_or_404, upload_sbom
from .vex import get_document_or_404

bp = Blueprint("intake", __name__)
bp.add_app_template_global(pages.advisory_intake, "advisory_intake")
bp.add_app_template_global(pages.vendor_intake, "vendor_intake")
bp.add_app_template_global(pages.kev_matches, "kev_matches")
bp.add_app_template_global(pages.draft_advisory_ids, "draft_advisory_ids")
bp.add_app_template_global(vex_answers.revision_notes, "revision_vex_answers")

UPLOAD_ENDPOINTS = frozenset({"intake.csaf_upload", "intake.sbom_upload", "intake.vex_upload"})
# Room for the largest JSON file accepted plus the multipart envelope.
UPLOAD_BODY_LIMIT = MAX_BYTES + 256 * 1024


@bp.url_value_preprocessor
def _limit_upload_bodies(endpoint, values):
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = UPLOAD_BODY_LIMIT
        request.max_form_memory_size = UPLOAD_BODY_LIMIT


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc):
    return render_template(
        "core/error.html",
        code=413,
        title="The file is too large",
        hint=f"JSON files of at most {MAX_BYTES // 1024 // 1024} MiB are accepted. Nothing was "
        "imported.",
    ), 413


@bp.route("/advisories/import", methods=["GET", "POST"])
def csaf_upload():
    form = CsafUploadForm()
    problems: list = []
    if form.validate_on_submit():
        raw, name = form.read()
        try:
            report = import_csaf(load_json(raw, name), current_user)
        except IntakeError as exc:
            db.session.rollback()
            problems = exc.problems
        else:
            db.session.commit()
            if report.outcome == UNCHANGED:
                flash(f"Revision {report.revision} of this document is already imported.", "info")
            else:
                flash(
                    f"{name} is imported ({report.outcome}, revision {report.revision}). It stays "
                    "a draft until another vendor manager or an administrator publishes it.",
                    "success",
                )
            return redirect(url_for("advisories.show", slug=report.advisory.slug))
    status = 422 if problems else (400 if form.is_submitted() else 200)
    return render_template("intake/csaf_upload.html", form=form, problems=problems), status


@bp.route("/advisories/<slug>/publish", methods=["POST"])
def publish_advisory(slug: str):
    advisory = advisories.get_advisory_or_404(slug)
    if PublishForm().validate_on_submit():
        try:
            publish(advisory, current_user)
        except PublishRefused as exc:
            db.session.commit()  # keeps the refusal in the audit log
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash("The advisory is published.", "success")
    return redirect(url_for("advisories.show", slug=slug))


def _vendor_upload(vendor_id: int, form, save, what: str):
    vendor = get_vendor_or_404(vendor_id)
    if form.validate_on_submit():
        raw, name = form.read()
        try:
            save(vendor, load_json(raw, name))
        except IntakeError as exc:
            db.session.rollback()
            for problem in exc.problems[:10]:
                flash(f"{what} refused, nothing kept: {problem}", "danger")
        else:
            db.session.commit()
            flash(f"{what} {name} is kept as evidence (SHA-256 recorded).", "success")
    else:
        for error in form.file.errors:
            flash(f"{what}: {error}", "danger")
    return redirect(url_for("vendors.detail", vendor_id=vendor.id, _anchor="intake"))


@bp.route("/vendors/<int:vendor_id>/sboms", methods=["POST"])
def sbom_upload(vendor_id: int):
    form = pages.sbom_form()
    return _vendor_upload(
        vendor_id,
        form,
        lambda vendor, loaded: upload_sbom(vendor, loaded, current_user, form.product.data),
        "SBOM",
    )


@bp.route("/vendors/<int:vendor_id>/vex", methods=["POST"])
def vex_upload(vendor_id: int):
    return _vendor_upload(
        vendor_id,
        pages.vex_form(),
        lambda vendor, loaded: keep_vex(vendor, loaded, actor=current_user),
        "VEX document",
    )


@bp.route("/vendors/<int:vendor_id>/sboms/<int:sbom_id>")
def sbom(vendor_id: int, sbom_id: int):
    vendor = get_vendor_or_404(vendor_id)
    return render_template("intake/sbom.html", vendor=vendor, sbom=get_sbom_or_404(vendor, sbom_id))


@bp.route("/vendors/<int:vendor_id>/vex/<int:document_id>")
def vex_document(vendor_id: int, document_id: int):
    vendor = get_vendor_or_404(vendor_id)
    document = get_document_or_404(vendor, document_id)
    return render_template("intake/vex.html", vendor=vendor, document=document)
