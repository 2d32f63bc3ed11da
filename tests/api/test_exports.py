"""Exports through the API: XLSX workbooks and the vendor PDF, with the reports' ownership rule."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.api.conftest import assert_problem
from tests.conftest import make_user
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _audited(action: str, object_id) -> bool:
    return (
        db.session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == action, AuditEntry.object_id == str(object_id)
            )
        )
        is not None
    )


@pytest.mark.parametrize("role", ["admin", "compliance"])
def test_admins_and_compliance_export_any_vendor_and_campaign(api, db_session, role):
    vendor = make_vendor()
    campaign = create_campaign(approved_version(), [vendor], due_date=date(2030, 1, 31))
    token = api.token(role)
    response = api.get(f"/vendors/{vendor.id}/export.xlsx", token)
    assert response.status_code == 200 and response.mimetype == XLSX
    assert response.data[:2] == b"PK"
    assert "attachment" in response.headers["Content-Disposition"]
    assert _audited("export.xlsx", vendor.id)
    response = api.get(f"/campaigns/{campaign.id}/export.xlsx", token)
    assert response.status_code == 200 and response.mimetype == XLSX


def test_a_manager_exports_only_their_own_vendors(api, db_session):
    manager = make_user("manager")
    token = api.token(user=manager)
    mine, theirs = make_vendor(owner=manager), make_vendor()
    assert api.get(f"/vendors/{mine.id}/export.xlsx", token).status_code == 200
    assert_problem(api.get(f"/vendors/{theirs.id}/export.xlsx", token), 403)
    assert _audited("export.denied", theirs.id)
    assert_problem(api.get("/vendors/999999/export.xlsx", token), 404)


def test_the_vendor_pdf_is_built_within_the_request(api, db_session):
    vendor = make_vendor()
    response = api.get(f"/vendors/{vendor.id}/report.pdf", api.token("compliance"))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert _audited("export.report_pdf", vendor.id)
