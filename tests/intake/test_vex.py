"""VEX answers: CycloneDX VEX and CSAF VEX statements of each status, kept whole with their
SHA-256 as evidence; the latest document speaking of a CVE is the one that counts."""

import hashlib

import pytest
from sqlalchemy import select

from tests.intake.helpers import VEX_CSAF, VEX_CYCLONEDX, as_loaded, data, loaded
from tests.support.factories import make_vendor
from vendorrisk.extensions import db
from vendorrisk.intake.jsonfile import IntakeError
from vendorrisk.intake.models import VexDocument
from vendorrisk.intake.vex import current_statements, upload_vex


def said(document) -> dict[str, tuple]:
    return {(s.cve, s.product): (s.status, s.justification) for s in document.statements}


def test_cyclonedx_states_read_as_each_vex_status(db_session):
    document = upload_vex(make_vendor(), loaded(VEX_CYCLONEDX), None)
    assert document.format == "cyclonedx" and document.statement_count == 4
    assert said(document) == {
        ("CVE-2099-0001", "Payroll Portal 5.2"): ("not_affected", "code_not_reachable"),
        ("CVE-2099-0002", "Payroll Portal 5.2"): ("fixed", None),
        ("CVE-2099-0003", "Payroll Portal 5.2"): ("affected", None),
        ("CVE-2099-0004", "Payroll Portal 5.2"): ("under_investigation", None),
    }
    assert document.sha256 == hashlib.sha256(VEX_CYCLONEDX.read_bytes()).hexdigest()
    assert document.content == VEX_CYCLONEDX.read_text("utf-8")


def test_csaf_vex_statuses_flags_and_impact_statements(db_session):
    document = upload_vex(make_vendor(), loaded(VEX_CSAF), None)
    assert document.format == "csaf"
    assert said(document) == {
        ("CVE-2099-0001", "Northwind Payroll Cloud"): (
            "not_affected",
            "vulnerable_code_not_in_execute_path",
        ),
        ("CVE-2099-0001", "Northwind Time Clock"): ("fixed", None),
        ("CVE-2099-0002", "Northwind Time Clock"): ("affected", None),
        ("CVE-2099-0002", "Northwind Payroll Cloud"): ("under_investigation", None),
    }
    details = {s.product: s.detail for s in document.statements if s.cve == "CVE-2099-0001"}
    assert details["Northwind Payroll Cloud"] == "Widget Server runs only in the build pipeline."


def test_the_latest_document_about_a_cve_is_the_one_that_counts(db_session):
    vendor = make_vendor()
    upload_vex(vendor, loaded(VEX_CYCLONEDX), None)
    document = data(VEX_CYCLONEDX)
    document["vulnerabilities"] = [document["vulnerabilities"][2]]
    document["vulnerabilities"][0]["analysis"] = {"state": "resolved"}
    upload_vex(vendor, as_loaded(document), None)
    current = current_statements(["CVE-2099-0003", "CVE-2099-0001"])[vendor.id]
    statuses = {v.statement.cve: v.statement.status for v in current}
    assert statuses == {"CVE-2099-0003": "fixed", "CVE-2099-0001": "not_affected"}
    assert len(db.session.scalars(select(VexDocument)).all()) == 2  # both on record


def test_a_cyclonedx_file_with_no_analysis_is_not_a_vex(db_session):
    document = data(VEX_CYCLONEDX)
    for vuln in document["vulnerabilities"]:
        del vuln["analysis"]
    with pytest.raises(IntakeError, match="not a VEX document"):
        upload_vex(make_vendor(), as_loaded(document), None)


def test_a_bad_analysis_state_is_refused_at_its_path(db_session):
    document = data(VEX_CYCLONEDX)
    document["vulnerabilities"][1]["analysis"]["state"] = "shrug"
    with pytest.raises(IntakeError) as refused:
        upload_vex(make_vendor(), as_loaded(document, "vex.json"), None)
    [problem] = refused.value.problems
    assert problem.path == "$.vulnerabilities[1].analysis.state" and "shrug" in problem.reason


def test_staff_upload_a_vex_and_read_its_statements(app, db_session):
    from tests.advisories.conftest import login

    vendor = make_vendor("Answers Inc")
    client, _ = login(app, "manager")
    with VEX_CSAF.open("rb") as handle:
        answer = client.post(
            f"/vendors/{vendor.id}/vex",
            data={"vex-file": (handle, "northwind-vex.json")},
            content_type="multipart/form-data",
        )
    assert answer.status_code == 302
    document = db.session.scalar(select(VexDocument))
    page = client.get(f"/vendors/{vendor.id}/vex/{document.id}")
    assert "vulnerable_code_not_in_execute_path" in page.text and document.sha256 in page.text
    reader, _ = login(app, "compliance")
    assert reader.get(f"/vendors/{vendor.id}/vex/{document.id}").status_code == 200
    assert reader.post(f"/vendors/{vendor.id}/vex", data={}).status_code == 403
