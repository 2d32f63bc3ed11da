"""Template pages: list, versions, differences, preview and "try it" scoring, upload, approval."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from vendorrisk.extensions import db

from . import services
from .formfactory import choice, form_class
from .forms import CompareForm, DecisionForm, RejectForm, UploadForm
from .limits import MAX_BYTES
from .models import SOURCE_UPLOAD, TemplateVersion
from .preview import preview_context, reference_dates_form, try_score

bp = Blueprint("questionnaires", __name__, url_prefix="/templates")

UPLOAD_ENDPOINTS = frozenset(
    {"questionnaires.upload", "questionnaires.new_version", "questionnaires.clone"}
)
# Room for a template at its size limit plus the multipart envelope; the check applies the cap.
UPLOAD_BODY_LIMIT = 2 * MAX_BYTES


@bp.url_value_preprocessor
def _limit_upload_bodies(endpoint, values):
    # This runs before any before_request hook, so before CSRF protection parses the body.
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = UPLOAD_BODY_LIMIT
        request.max_form_memory_size = UPLOAD_BODY_LIMIT


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc):
    return render_template(
        "core/error.html",
        code=413,
        title="The template is too large",
        hint=f"Templates may be at most {MAX_BYTES // 1024} KiB. Split the questionnaire or "
        "shorten its text.",
    ), 413


def _version_form_class(version: TemplateVersion):
    return form_class(services.parsed_version(version), key=(version.id, version.content_hash))


@bp.route("/")
def index():
    return render_template("questionnaires/index.html", rows=services.template_rows())


@bp.route("/<int:template_id>")
def detail(template_id: int):
    template = services.get_template_or_404(template_id)
    versions = list(reversed(template.versions))
    compare = CompareForm(formdata=None)
    choices = [choice(v.number, f"Version {v.number} ({v.status})") for v in versions]
    compare.old.choices = compare.new.choices = choices
    if len(versions) >= 2:
        compare.old.data, compare.new.data = versions[1].number, versions[0].number
    return render_template(
        "questionnaires/detail.html",
        template=template,
        versions=versions,
        compare=compare,
        compose_form=DecisionForm(),
        current=services.current_version(template),
    )


@bp.route("/<int:template_id>/diff")
def diff(template_id: int):
    template = services.get_template_or_404(template_id)
    by_number = {v.number: v for v in template.versions}
    form = CompareForm(request.args)
    form.old.choices = form.new.choices = [choice(n, f"Version {n}") for n in sorted(by_number)]
    if not form.validate() or form.old.data == form.new.data:
        flash("Choose two different versions to compare.", "warning")
        return redirect(url_for(".detail", template_id=template.id))
    old, new = by_number[form.old.data], by_number[form.new.data]
    return render_template(
        "questionnaires/diff.html",
        template=template,
        old=old,
        new=new,
        changes=services.diff_versions(old, new),
        yaml_lines=services.yaml_diff(old, new),
        old_parsed=services.parsed_version(old),
        new_parsed=services.parsed_version(new),
    )


@bp.route("/versions/<int:version_id>")
def version(version_id: int):
    v = services.get_version_or_404(version_id)
    previous = next((p for p in reversed(v.template.versions) if p.number < v.number), None)
    return render_template(
        "questionnaires/version.html",
        version=v,
        template=v.template,
        parsed=services.parsed_version(v),
        previous=previous,
        previous_parsed=services.parsed_version(previous) if previous else None,
        changes=services.diff_versions(previous, v) if previous else None,
        decision_form=DecisionForm(),
        reject_form=RejectForm(),
        may_decide=services.may_decide(v, current_user),
    )


@bp.route("/versions/<int:version_id>/yaml")
def version_yaml(version_id: int):
    v = services.get_version_or_404(version_id)
    name = f"{v.template.slug}-v{v.number}.yaml"
    return Response(
        v.yaml_text,
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _render_preview(v: TemplateVersion, form, dates, outcome=None, status: int = 200):
    parsed = services.parsed_version(v)
    return render_template(
        "questionnaires/preview.html",
        version=v,
        template=v.template,
        parsed=parsed,
        **preview_context(form, dates, outcome),
    ), status


@bp.route("/versions/<int:version_id>/preview")
def preview(version_id: int):
    v = services.get_version_or_404(version_id)
    form = _version_form_class(v)(formdata=None)
    return _render_preview(v, form, reference_dates_form(services.parsed_version(v)))


@bp.route("/versions/<int:version_id>/preview", methods=["POST"], endpoint="try_score")
def try_score_view(version_id: int):
    v = services.get_version_or_404(version_id)
    parsed = services.parsed_version(v)
    form = _version_form_class(v)()
    dates = reference_dates_form(parsed, request.form)
    outcome = try_score(parsed, form, dates)
    return _render_preview(v, form, dates, outcome, 200 if outcome.result else 400)


def _upload_page(form: UploadForm, target=None, source=None, errors=None, status=200):
    return render_template(
        "questionnaires/upload.html",
        form=form,
        target=target,
        source=source,
        errors=errors or [],
        limit_kib=MAX_BYTES // 1024,
    ), status


def _handle_upload(form: UploadForm, target=None, source=None):
    if not form.validate_on_submit():
        return _upload_page(form, target, source, status=400 if form.is_submitted() else 200)
    try:
        new = services.submit_upload(form.source, form.filename, current_user, target)
    except services.UploadRejected as exc:
        db.session.rollback()
        return _upload_page(form, target, source, errors=exc.errors, status=422)
    db.session.commit()
    flash(
        f"Version {new.number} of “{new.template.title}” is uploaded. Another vendor manager or "
        "an administrator must approve it before it can be used.",
        "success",
    )
    return redirect(url_for(".version", version_id=new.id))


@bp.route("/upload", methods=["GET", "POST"])
def upload():
    return _handle_upload(UploadForm())


@bp.route("/<int:template_id>/new-version", methods=["GET", "POST"])
def new_version(template_id: int):
    template = services.get_template_or_404(template_id)
    if template.source != SOURCE_UPLOAD:
        flash(
            "Shipped templates change through their file in questionnaires/; clone it to "
            "make your own.",
            "warning",
        )
        return redirect(url_for(".detail", template_id=template.id))
    latest = services.latest_version(template)
    form = UploadForm()
    if not form.is_submitted() and latest is not None:
        form.yaml_text.data = latest.yaml_text
    return _handle_upload(form, target=template, source=latest)


@bp.route("/versions/<int:version_id>/clone", methods=["GET", "POST"])
def clone(version_id: int):
    source = services.get_version_or_404(version_id)
    form = UploadForm()
    if not form.is_submitted():
        form.yaml_text.data = source.yaml_text
    return _handle_upload(form, source=source)


@bp.route("/versions/<int:version_id>/approve", methods=["POST"])
def approve(version_id: int):
    v = services.get_version_or_404(version_id)
    if DecisionForm().validate_on_submit():
        try:
            services.approve(v, current_user)
        except services.DecisionRefused as exc:
            db.session.commit()  # keeps the refusal in the audit log
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(f"Version {v.number} is approved and is now the current version.", "success")
    return redirect(url_for(".version", version_id=v.id))


@bp.route("/versions/<int:version_id>/reject", methods=["POST"])
def reject(version_id: int):
    v = services.get_version_or_404(version_id)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            services.reject(v, current_user, form.reason.data)
        except services.DecisionRefused as exc:
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(f"Version {v.number} is rejected.", "info")
    else:
        flash("; ".join(form.reason.errors) or "Say why the version is rejected.", "danger")
    return redirect(url_for(".version", version_id=v.id))
