"""XLSX and CSV exports: the rows a spreadsheet user expects, real dates, and no formulas."""

from datetime import datetime

from tests.reports.conftest import make_assessment
from tests.reports.helpers import formula_campaign, rows_of, workbook_of
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db


def test_the_workbook_has_a_row_per_vendor_and_question(client, auth):
    campaign = formula_campaign()
    auth.login("compliance")
    book = workbook_of(client.get(f"/reports/campaigns/{campaign.id}/export.xlsx"))
    assert book.sheetnames == ["Answers", "Scores", "Findings"]
    answers = rows_of(book["Answers"])
    revision = campaign.assignments[0].response.latest_submitted
    shown = [e for e in revision.score["trace"] if e["status"] != "hidden"]
    per_vendor = {}
    for row in answers:
        per_vendor.setdefault(row["Vendor"], []).append(row)
    assert set(per_vendor) == {"Formula Vendor One", "Formula Vendor Two"}
    assert len(per_vendor["Formula Vendor One"]) == len(shown)
    rotated = next(r for r in per_vendor["Formula Vendor One"] if r["Question ID"] == "rotated")
    assert rotated["Answer"] == "No" and rotated["Category"] == "Rotation of certificates"
    assert rotated["Points earned"] == 0 and rotated["Points possible"] == 3
    assert rotated["Finding"] == "Compromised certificate not replaced"
    assert rotated["Finding severity"] == "high" and rotated["Finding state"] == "Open"
    reset = next(
        r for r in per_vendor["Formula Vendor One"] if r["Question ID"] == "credentials_reset"
    )
    assert "credentials-reset-evidence.pdf (SHA-256 " in reset["Evidence files"]
    assert isinstance(rotated["Submitted (UTC)"], datetime)
    header = book["Answers"]["F1"].value
    assert header == "Submitted (UTC)" and book["Answers"]["F2"].number_format == "yyyy-mm-dd hh:mm"
    scores = rows_of(book["Scores"])
    assert {r["Category"] for r in scores} == {
        "Rotation of certificates",
        "Readiness for incidents",
    }
    assert all(len(r["Attestation SHA-256"]) == 64 for r in scores)
    findings = rows_of(book["Findings"])
    assert {f["Vendor"] for f in findings} == {"Formula Vendor One", "Formula Vendor Two"}
    assert all(isinstance(f["Raised (UTC)"], datetime) for f in findings)
    # Findings name their category by its title, as every page does, not by its id.
    assert {f["Category"] for f in findings if f["Question ID"] == "rotated"} == {
        "Rotation of certificates"
    }


def test_a_vendor_export_spans_its_assessments_and_is_audited(client, auth, vendor):
    make_assessment(vendor, name="Connector check 2025")
    make_assessment(vendor, name="Connector check 2026")
    auth.login("compliance")
    book = workbook_of(client.get(f"/reports/vendors/{vendor.id}/export.xlsx"))
    campaigns = {r["Campaign"] for r in rows_of(book["Answers"])}
    assert len(campaigns) == 2
    response = client.get(f"/reports/vendors/{vendor.id}/findings.csv")
    assert response.status_code == 200
    actions = [
        (e.action, e.details)
        for e in db.session.query(AuditEntry).filter(
            AuditEntry.object_type == "vendor",
            AuditEntry.object_id == str(vendor.id),
            AuditEntry.action.like("export.%"),
        )
    ]
    assert [a for a, _ in actions] == ["export.xlsx", "export.csv"]
    assert actions[1][1]["sheet"] == "findings"
