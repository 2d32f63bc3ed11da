"""XLSX and CSV exports: the rows a spreadsheet user expects, real dates, and no formulas."""

import csv
import io
from datetime import date, datetime, timedelta

from openpyxl import load_workbook

from tests.conftest import make_user
from tests.reports import seed
from tests.reports.conftest import make_assessment, small_answers
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db

HYPERLINK = '=HYPERLINK("http://x","y")'
AT_SUM = "@SUM(1+1)"


def _workbook(response):
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return load_workbook(io.BytesIO(response.data))


def _rows(sheet) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def _formula_campaign():
    owner = make_user("manager")
    first = make_vendor("Formula Vendor One", owner=owner)
    second = make_vendor("Formula Vendor Two", owner=owner)
    campaign = create_campaign(approved_version(), [first, second], actor=owner,
                               due_date=date.today() + timedelta(days=5))
    import random

    rng = random.Random(2)
    seed.submit(campaign.assignments[0], small_answers(notes=HYPERLINK, comment="-1 day"),
                rng=rng)
    seed.submit(campaign.assignments[1], small_answers(notes=AT_SUM, comment="+44 20 7946"),
                rng=rng)
    db.session.flush()
    return campaign


def test_vendor_text_in_the_workbook_is_never_a_formula(client, auth):
    """SECURITY.md 25: formula-looking answers are stored as text cells, exactly as typed."""
    campaign = _formula_campaign()
    auth.login("compliance")
    book = _workbook(client.get(f"/reports/campaigns/{campaign.id}/export.xlsx"))
    sheet = book["Answers"]
    found = {}
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.value in (HYPERLINK, AT_SUM, "-1 day", "+44 20 7946"):
                found[cell.value] = cell
    assert set(found) == {HYPERLINK, AT_SUM, "-1 day", "+44 20 7946"}
    for cell in found.values():
        assert cell.data_type == "s", (cell.value, cell.data_type)
        assert cell.quotePrefix is True


def test_the_workbook_has_a_row_per_vendor_and_question(client, auth):
    campaign = _formula_campaign()
    auth.login("compliance")
    book = _workbook(client.get(f"/reports/campaigns/{campaign.id}/export.xlsx"))
    assert book.sheetnames == ["Answers", "Scores", "Findings"]
    answers = _rows(book["Answers"])
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
    assert rotated["Finding"] == "Have you replaced the compromised certificate?"
    assert rotated["Finding severity"] == "high" and rotated["Finding state"] == "Open"
    reset = next(r for r in per_vendor["Formula Vendor One"]
                 if r["Question ID"] == "credentials_reset")
    assert "credentials-reset-evidence.pdf (SHA-256 " in reset["Evidence files"]
    assert isinstance(rotated["Submitted (UTC)"], datetime)
    header = book["Answers"]["F1"].value
    assert header == "Submitted (UTC)" and book["Answers"]["F2"].number_format == \
        "yyyy-mm-dd hh:mm"
    scores = _rows(book["Scores"])
    assert {r["Category"] for r in scores} == {"Rotation of certificates",
                                               "Readiness for incidents"}
    assert all(len(r["Attestation SHA-256"]) == 64 for r in scores)
    findings = _rows(book["Findings"])
    assert {f["Vendor"] for f in findings} == {"Formula Vendor One", "Formula Vendor Two"}
    assert all(isinstance(f["Raised (UTC)"], datetime) for f in findings)


def test_csv_exports_quote_formula_text(client, auth):
    campaign = _formula_campaign()
    auth.login("compliance")
    response = client.get(f"/reports/campaigns/{campaign.id}/answers.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    notes = {r["Vendor"]: r["Answer"] for r in rows if r["Question ID"] == "notes"}
    assert notes == {"Formula Vendor One": "'" + HYPERLINK, "Formula Vendor Two": "'" + AT_SUM}
    for sheet in ("scores", "findings"):
        assert client.get(f"/reports/campaigns/{campaign.id}/{sheet}.csv").status_code == 200
    assert client.get(f"/reports/campaigns/{campaign.id}/secrets.csv").status_code == 404


def test_a_vendor_export_spans_its_assessments_and_is_audited(client, auth, vendor):
    make_assessment(vendor, name="Connector check 2025")
    make_assessment(vendor, name="Connector check 2026")
    auth.login("compliance")
    book = _workbook(client.get(f"/reports/vendors/{vendor.id}/export.xlsx"))
    campaigns = {r["Campaign"] for r in _rows(book["Answers"])}
    assert len(campaigns) == 2
    response = client.get(f"/reports/vendors/{vendor.id}/findings.csv")
    assert response.status_code == 200
    actions = [(e.action, e.details) for e in db.session.query(AuditEntry).filter(
        AuditEntry.object_type == "vendor", AuditEntry.object_id == str(vendor.id),
        AuditEntry.action.like("export.%"))]
    assert [a for a, _ in actions] == ["export.xlsx", "export.csv"]
    assert actions[1][1]["sheet"] == "findings"
