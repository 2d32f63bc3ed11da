"""Who may export what: compliance officers and admins everything, vendor managers only their
own vendors and the campaigns they created; refusals are audited."""

import pytest
from sqlalchemy import select

from tests.conftest import make_user
from tests.reports.helpers import build
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db
from vendorrisk.permissions import PERMISSIONS, READERS
from vendorrisk.reports import access

VENDOR_PAGES = [
    "/reports/vendors/{id}",
    "/reports/vendors/{id}/export.xlsx",
    "/reports/vendors/{id}/answers.csv",
]
CAMPAIGN_PAGES = [
    "/reports/campaigns/{id}",
    "/reports/campaigns/{id}/export.xlsx",
    "/reports/campaigns/{id}/scores.csv",
]


def test_the_permission_table_lists_every_report_route_for_readers(app):
    report_routes = {
        r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("reports.")
    }
    assert report_routes and all(PERMISSIONS[e] == READERS for e in report_routes)


@pytest.mark.parametrize("role", ["compliance", "admin"])
def test_compliance_officers_and_admins_export_everything(client, auth, assessment, role):
    auth.login(role)
    vendor_id, campaign_id = assessment.vendor_id, assessment.campaign_id
    for path in VENDOR_PAGES:
        assert client.get(path.format(id=vendor_id)).status_code == 200, path
    for path in CAMPAIGN_PAGES:
        assert client.get(path.format(id=campaign_id)).status_code == 200, path


def test_a_manager_exports_the_vendors_they_own(client, auth, assessment, owner):
    auth.login(user=owner)
    for path in VENDOR_PAGES:
        assert client.get(path.format(id=assessment.vendor_id)).status_code == 200, path
    _, job_id = build(client, f"/reports/vendors/{assessment.vendor_id}/pdf")
    assert client.get(f"/reports/jobs/{job_id}/download").status_code == 200


def test_a_manager_cannot_export_someone_elses_vendor(client, auth, assessment):
    other = auth.login("manager")
    vendor_id = assessment.vendor_id
    for path in VENDOR_PAGES:
        assert client.get(path.format(id=vendor_id)).status_code == 403, path
    assert client.post(f"/reports/vendors/{vendor_id}/pdf", data={}).status_code == 403
    denied = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "export.denied", AuditEntry.actor_id == other.id
        )
    ).all()
    assert len(denied) == len(VENDOR_PAGES) + 1


def test_a_manager_exports_only_campaigns_they_created(client, auth):
    creator = make_user("manager")
    campaign = create_campaign(approved_version(), [make_vendor()], actor=creator)
    auth.login("manager")
    for path in CAMPAIGN_PAGES:
        assert client.get(path.format(id=campaign.id)).status_code == 403, path
    auth.logout()
    auth.login(user=creator)
    for path in CAMPAIGN_PAGES:
        assert client.get(path.format(id=campaign.id)).status_code == 200, path


def test_a_report_built_for_a_vendor_is_not_handed_to_a_manager_who_does_not_own_it(
    client, auth, assessment
):
    auth.login("compliance")
    _, job_id = build(client, f"/reports/vendors/{assessment.vendor_id}/pdf")
    auth.logout()
    auth.login("manager")
    assert client.get(f"/reports/jobs/{job_id}").status_code == 403
    assert client.get(f"/reports/jobs/{job_id}/download").status_code == 403


def test_the_report_list_shows_a_manager_only_their_own_requests(client, auth, assessment, owner):
    auth.login("compliance")
    build(client, f"/reports/vendors/{assessment.vendor_id}/pdf")
    auth.logout()
    auth.login(user=owner)
    page = client.get("/reports/")
    assert page.status_code == 200 and "No report asked for yet." in page.text


def test_unknown_vendors_campaigns_and_jobs_are_404(client, auth):
    auth.login("compliance")
    for path in (
        "/reports/vendors/999999",
        "/reports/campaigns/999999",
        "/reports/jobs/999999",
        "/reports/jobs/999999/download",
    ):
        assert client.get(path).status_code == 404, path


def test_the_vendor_and_campaign_pages_offer_reports_only_to_those_allowed(
    client, auth, assessment, owner
):
    auth.login("manager")
    assert "/reports/vendors/" not in client.get(f"/vendors/{assessment.vendor_id}").text
    auth.logout()
    auth.login(user=owner)
    assert (
        f"/reports/vendors/{assessment.vendor_id}"
        in client.get(f"/vendors/{assessment.vendor_id}").text
    )
    auth.logout()
    auth.login("compliance")
    assert (
        f"/reports/campaigns/{assessment.campaign_id}"
        in client.get(f"/campaigns/{assessment.campaign_id}").text
    )


def test_may_export_refuses_anonymous_users_and_other_objects(assessment):
    class Anonymous:
        is_authenticated = False

    assert access.may_export(assessment.vendor, Anonymous()) is False
    assert access.may_export(object(), make_user("manager")) is False
