"""Report pages: ask for a PDF, follow its build, download it; XLSX and CSV exports."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from vendorrisk.audit import services as audit
from vendorrisk.core.blobs import StorageError
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.permissions import MANAGER
from vendorrisk.reports import access, jobs, xlsx
from vendorrisk.reports.documents import slug
from vendorrisk.reports.forms import CampaignReportForm, VendorReportForm
from vendorrisk.reports.models import CAMPAIGN_PDF, DONE, VENDOR_PDF, ReportJob

bp = Blueprint("reports", __name__, url_prefix="/reports")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Downloads are files, never pages: nothing in them may run or load anything. base-uri and
# frame-ancestors do not fall back to default-src, so they are named (SECURITY.md 16).
DOWNLOAD_CSP = (
    "default-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; sandbox"
)


def _attachment(body, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


def _jobs(kind: str, object_id: int) -> list[ReportJob]:
    return list(
        db.session.scalars(
            select(ReportJob)
            .where(ReportJob.kind == kind, ReportJob.object_id == object_id)
            .order_by(ReportJob.id.desc())
            .limit(10)
        )
    )


@bp.route("/")
def index():
    query = select(ReportJob).order_by(ReportJob.id.desc()).limit(50)
    if current_user.role == MANAGER:
        query = query.where(ReportJob.requested_by_id == current_user.id)
    report_jobs = db.session.scalars(query).all()
    subjects = {job.id: access.subject_of(job) for job in report_jobs}
    return render_template("reports/index.html", jobs=report_jobs, subjects=subjects)


# --- vendors ------------------------------------------------------------------------------------


@bp.route("/vendors/<int:vendor_id>")
def vendor(vendor_id: int):
    subject = access.vendor_for_export_or_404(vendor_id)
    return render_template(
        "reports/vendor.html",
        vendor=subject,
        form=VendorReportForm(),
        jobs=_jobs(VENDOR_PDF, vendor_id),
        sheets=xlsx.SHEETS,
    )


@bp.route("/vendors/<int:vendor_id>/pdf", methods=["POST"])
def vendor_pdf(vendor_id: int):
    subject = access.vendor_for_export_or_404(vendor_id)
    form = VendorReportForm()
    if not form.validate_on_submit():
        return render_template(
            "reports/vendor.html",
            vendor=subject,
            form=form,
            jobs=_jobs(VENDOR_PDF, vendor_id),
            sheets=xlsx.SHEETS,
        ), 400
    return _start(VENDOR_PDF, subject, form.params())


@bp.route("/vendors/<int:vendor_id>/export.xlsx")
def vendor_xlsx(vendor_id: int):
    subject = access.vendor_for_export_or_404(vendor_id)
    return _xlsx(xlsx.for_vendor(subject), "vendor", subject.id, f"vendor-{slug(subject.name)}")


@bp.route("/vendors/<int:vendor_id>/<sheet>.csv")
def vendor_csv(vendor_id: int, sheet: str):
    subject = access.vendor_for_export_or_404(vendor_id)
    if sheet not in xlsx.SHEETS:
        abort(404)
    return _csv(
        xlsx.for_vendor(subject), sheet, "vendor", subject.id, f"vendor-{slug(subject.name)}"
    )


# --- campaigns ----------------------------------------------------------------------------------


@bp.route("/campaigns/<int:campaign_id>")
def campaign(campaign_id: int):
    subject = access.campaign_for_export_or_404(campaign_id)
    return render_template(
        "reports/campaign.html",
        campaign=subject,
        form=CampaignReportForm(),
        jobs=_jobs(CAMPAIGN_PDF, campaign_id),
        sheets=xlsx.SHEETS,
    )


@bp.route("/campaigns/<int:campaign_id>/pdf", methods=["POST"])
def campaign_pdf(campaign_id: int):
    subject = access.campaign_for_export_or_404(campaign_id)
    if not CampaignReportForm().validate_on_submit():
        abort(400)
    return _start(CAMPAIGN_PDF, subject, {})


@bp.route("/campaigns/<int:campaign_id>/export.xlsx")
def campaign_xlsx(campaign_id: int):
    subject = access.campaign_for_export_or_404(campaign_id)
    return _xlsx(
        xlsx.for_campaign(subject), "campaign", subject.id, f"campaign-{slug(subject.name)}"
    )


@bp.route("/campaigns/<int:campaign_id>/<sheet>.csv")
def campaign_csv(campaign_id: int, sheet: str):
    subject = access.campaign_for_export_or_404(campaign_id)
    if sheet not in xlsx.SHEETS:
        abort(404)
    return _csv(
        xlsx.for_campaign(subject), sheet, "campaign", subject.id, f"campaign-{slug(subject.name)}"
    )


# --- shared -------------------------------------------------------------------------------------


def _start(kind: str, subject, params: dict):
    job_id = jobs.request_report(kind, subject, current_user, params).id
    db.session.commit()
    jobs.dispatch(job_id)
    return redirect(url_for(".job", job_id=job_id))


def _xlsx(sheets, object_type: str, object_id: int, stem: str) -> Response:
    body = xlsx.workbook(sheets)
    audit.record(
        "export.xlsx",
        object_type,
        object_id,
        details={sheet.name.lower(): len(sheet.rows) for sheet in sheets},
    )
    db.session.commit()
    return _attachment(body, XLSX_TYPE, f"{stem}-{utcnow():%Y%m%d-%H%M%S}.xlsx")


def _csv(sheets, name: str, object_type: str, object_id: int, stem: str) -> Response:
    sheet = next(s for s in sheets if s.name.lower() == name)
    body = xlsx.csv_sheet(sheet)
    audit.record(
        "export.csv", object_type, object_id, details={"sheet": name, "rows": len(sheet.rows)}
    )
    db.session.commit()
    return _attachment(body, "text/csv", f"{stem}-{name}-{utcnow():%Y%m%d-%H%M%S}.csv")


@bp.route("/jobs/<int:job_id>")
def job(job_id: int):
    report_job = access.job_for_user_or_404(job_id)
    if jobs.expire_stale(report_job):
        db.session.commit()
    return render_template(
        "reports/job.html", job=report_job, subject=access.subject_of(report_job)
    )


@bp.route("/jobs/<int:job_id>/download")
def download(job_id: int):
    report_job = access.job_for_user_or_404(job_id)
    if report_job.state != DONE:
        flash("This report is not ready.", "warning")
        return redirect(url_for(".job", job_id=job_id))
    try:
        # The stored file is hashed (streamed) before it is sent, so a file changed in the
        # store is never served as the report; then it is streamed again to the client.
        intact = jobs.verify(report_job.file_name, report_job.sha256)
        blob = jobs.open_report(report_job.file_name) if intact else None
    except FileNotFoundError:
        abort(404)
    except StorageError:
        abort(503)
    if blob is None:
        audit.record(
            "export.report_tampered",
            report_job.object_type,
            report_job.object_id,
            outcome="failure",
            details={"job": report_job.id},
        )
        db.session.commit()
        abort(409)
    audit.record(
        "export.report_pdf",
        report_job.object_type,
        report_job.object_id,
        details={"job": report_job.id, "sha256": report_job.sha256},
    )
    try:
        db.session.commit()
    except BaseException:
        blob.close()
        raise
    name = (report_job.params or {}).get("download_name") or f"report-{report_job.id}.pdf"
    response = _attachment(blob.chunks(), "application/pdf", name)
    response.content_length = blob.size
    response.headers["Cache-Control"] = "no-store"
    return response
