"""The vendor due-diligence report, read back from the PDF as a reader would see it."""

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.reports.conftest import VENDOR_NAME
from tests.reports.helpers import build, download, joined, pages_text
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db
from vendorrisk.reports import jobs
from vendorrisk.reports.models import DONE, ReportJob


def _hashes(text: str) -> set[str]:
    """SHA-256 values in extracted text (a table cell may break one over two lines)."""
    squashed = re.sub(r"(?<=[0-9a-f]) (?=[0-9a-f])", "", text)
    return set(re.findall(r"[0-9a-f]{64}", squashed))


def test_the_pdf_tells_the_vendors_record_with_page_numbers(client, auth, assessment):
    """Name, scores, findings, attestation and evidence hashes are in the PDF; every page
    says "Page X of N"."""
    auth.login("compliance")
    page, job_id = build(client, f"/reports/vendors/{assessment.vendor_id}/pdf")
    assert page.status_code == 200 and "ready" in page.text
    pdf = download(client, job_id)
    texts = pages_text(pdf)
    text = " ".join(texts)
    count = len(texts)
    for number, page_text in enumerate(texts, start=1):
        assert f"Page {number} of {count}" in page_text
    assert VENDOR_NAME in texts[0] and "VENDOR DUE-DILIGENCE REPORT" in texts[0].upper()
    assert all(VENDOR_NAME in t for t in texts[1:]), "running header on every page"
    revision = assessment.response.latest_submitted
    assert revision.score["overall_display"] in text
    assert "Compromised certificate not replaced" in text  # a finding
    assert "Swap the certificate out and rebuild the connection" in text  # its remediation
    assert "Rotate the connector certificate" in text  # a condition of approval
    assert "Compensating control in place." in text  # a risk acceptance's justification
    assert "Approved with conditions" in text
    hashes = _hashes(text)
    assert revision.attestation_hash in hashes
    assert {e["sha256"] for e in revision.evidence_index} <= hashes
    assert "Pat Doe" in text and "Appendix: audit trail" in text
    assert "response.submitted" in text
    job = db.session.get(ReportJob, job_id)
    assert job.state == DONE and job.pages == count and job.sha256 and job.document_id in texts[0]


def test_the_contents_page_gives_the_page_of_each_chapter(client, auth, assessment):
    """The table of contents' page numbers point at the pages the chapters are on."""
    auth.login("compliance")
    _, job_id = build(client, f"/reports/vendors/{assessment.vendor_id}/pdf")
    texts = pages_text(download(client, job_id))
    contents = texts[1]
    match = re.search(r"Appendix: audit trail[ .]*?(\d+)", contents)
    assert match, contents
    audit_page = int(match.group(1))
    assert texts[audit_page - 1].count("Appendix: audit trail") >= 1
    assert "Time (UTC)" in texts[audit_page - 1] or "TIME (UTC)" in texts[audit_page - 1]


def test_the_period_limits_the_assessments_and_the_audit_trail(client, auth, assessment):
    """A report for a period before anything happened has no assessment in it."""
    auth.login("compliance")
    _, job_id = build(
        client,
        f"/reports/vendors/{assessment.vendor_id}/pdf",
        {"since": "2001-01-01", "until": "2001-12-31"},
    )
    text = joined(download(client, job_id))
    assert "01 January 2001 to 31 December 2001" in text
    assert "No assessment in the period covered." in text
    assert "Pat Doe" not in text


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("2024-02-01", "2024-01-01", "comes before its start"),
        ("2024-01-01", "9999-12-31", "Enter a date between 01 January 1900 and 31 December 2199."),
    ],
    ids=["backwards", "year-9999"],
)
def test_a_period_that_cannot_be_reported_is_refused_beside_the_field(
    client, auth, assessment, since, until, message
):
    auth.login("compliance")
    response = client.post(
        f"/reports/vendors/{assessment.vendor_id}/pdf", data={"since": since, "until": until}
    )
    assert response.status_code == 400
    assert message in response.text
    assert db.session.scalar(select(ReportJob)) is None


def test_the_download_is_an_audited_attachment_that_nothing_sniffs(client, auth, assessment):
    auth.login("compliance")
    _, job_id = build(client, f"/reports/vendors/{assessment.vendor_id}/pdf")
    response = client.get(f"/reports/jobs/{job_id}/download")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "due-diligence-fabrikam-secure-mail" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    actions = db.session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.object_type == "vendor", AuditEntry.object_id == str(assessment.vendor_id)
        )
    ).all()
    assert {"report.requested", "report.built", "export.report_pdf"} <= set(actions)


def test_a_report_file_changed_on_disk_is_not_served(client, auth, assessment):
    """The stored SHA-256 is checked on every download."""
    auth.login("compliance")
    _, job_id = build(client, f"/reports/vendors/{assessment.vendor_id}/pdf")
    job = db.session.get(ReportJob, job_id)
    with client.application.app_context():
        path = jobs.path_of(job.file_name)
    path.write_bytes(path.read_bytes() + b"%tampered")
    assert client.get(f"/reports/jobs/{job_id}/download").status_code == 409


def test_the_pdf_has_a_title_and_no_attachments_but_its_record(client, auth, assessment):
    """The only embedded files are the machine-readable record's JSON files."""
    auth.login("compliance")
    _, job_id = build(client, f"/reports/vendors/{assessment.vendor_id}/pdf")
    reader = PdfReader(io.BytesIO(download(client, job_id)))
    assert reader.metadata.title == f"Due-diligence report: {VENDOR_NAME}"
    assert set(reader.attachments) == {
        "answers.json",
        "scores.json",
        "findings.json",
        "evidence.json",
        "manifest.json",
    }
