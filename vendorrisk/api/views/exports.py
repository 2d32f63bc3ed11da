"""Exports through the API, delegating to vendorrisk.reports: XLSX workbooks and the vendor PDF.

The reports' guarded getters apply their ownership rule (a vendor manager exports the vendors
they own and the campaigns they created); every export is audited as on the report pages.
"""

from collections.abc import Iterator

from flask import Response
from flask_login import current_user

from vendorrisk.api.blueprint import bp
from vendorrisk.api.errors import ApiProblem
from vendorrisk.audit import services as audit
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.reports import access, jobs, xlsx
from vendorrisk.reports.documents import slug
from vendorrisk.reports.models import DONE, VENDOR_PDF

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(body: bytes | Iterator[bytes], mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _xlsx(sheets, object_type: str, object_id: int, stem: str) -> Response:
    body = xlsx.workbook(sheets)
    audit.record(
        "export.xlsx",
        object_type,
        object_id,
        details={"api": True, **{s.name.lower(): len(s.rows) for s in sheets}},
    )
    db.session.commit()
    return _attachment(body, XLSX_TYPE, f"{stem}-{utcnow():%Y%m%d-%H%M%S}.xlsx")


@bp.get("/vendors/<int:vendor_id>/export.xlsx")
def vendors_export_xlsx(vendor_id: int):
    vendor = access.vendor_for_export_or_404(vendor_id)
    return _xlsx(xlsx.for_vendor(vendor), "vendor", vendor.id, f"vendor-{slug(vendor.name)}")


@bp.get("/campaigns/<int:campaign_id>/export.xlsx")
def campaigns_export_xlsx(campaign_id: int):
    campaign = access.campaign_for_export_or_404(campaign_id)
    return _xlsx(
        xlsx.for_campaign(campaign), "campaign", campaign.id, f"campaign-{slug(campaign.name)}"
    )


@bp.get("/vendors/<int:vendor_id>/report.pdf")
def vendors_report_pdf(vendor_id: int):
    vendor = access.vendor_for_export_or_404(vendor_id)
    job = jobs.request_report(VENDOR_PDF, vendor, current_user, {})
    db.session.commit()
    built = jobs.run(job.id)  # built within the request, under the reports' time and size bounds
    if built is None or built.state != DONE:
        raise ApiProblem(
            503,
            (built.error if built else None) or "The report could not be built.",
            kind="report-failed",
            title="The report could not be built",
        )
    job = built
    blob = jobs.open_report(job.file_name)  # streamed from the store, never read whole
    audit.record(
        "export.report_pdf",
        "vendor",
        vendor.id,
        details={"job": job.id, "sha256": job.sha256, "api": True},
    )
    db.session.commit()
    name = (job.params or {}).get("download_name") or f"report-{job.id}.pdf"
    response = _attachment(blob.chunks(), "application/pdf", name)
    response.content_length = blob.size
    return response
