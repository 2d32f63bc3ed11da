"""SECURITY.md 20: the renderer fetches nothing from the network or the file system, and a
render has a time and a size bound."""

from pathlib import Path

from tests.reports.helpers import build
from vendorrisk.reports import pdf

STATIC = Path(pdf.STATIC_DIR)


def test_the_fetcher_serves_data_urls_and_the_print_stylesheet():
    fetcher = pdf.SafeFetcher()
    css = fetcher.fetch((STATIC / "css" / "report.css").as_uri())
    assert css.content_type == "text/css" and b"@page" in css.read()
    image = fetcher.fetch("data:image/svg+xml;base64,PHN2Zy8+")
    assert image.read() == b"<svg/>"


def test_a_failed_render_marks_the_job_failed(client, auth, assessment, monkeypatch):
    """A report that cannot be built is a failed job with a reason, audited; nothing crashes."""
    from sqlalchemy import select

    from vendorrisk.audit.models import AuditEntry
    from vendorrisk.extensions import db
    from vendorrisk.reports.models import FAILED, ReportJob

    def too_slow(*args, **kwargs):
        raise pdf.RenderTimeout("the render took longer than 1 s and was stopped")

    monkeypatch.setattr(pdf, "render", too_slow)
    auth.login("compliance")
    page, job_id = build(client, f"/reports/vendors/{assessment.vendor_id}/pdf")
    assert "could not be built" in page.text and "longer than 1 s" in page.text
    job = db.session.get(ReportJob, job_id)
    assert job.state == FAILED and job.finished_at is not None
    assert client.get(f"/reports/jobs/{job_id}/download").status_code == 302
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "report.failed"))
