"""Staff upload a completed CAIQ the vendor e-mailed: kept as evidence as uploaded by staff,
its answers offered to the vendor, who still confirms each one in the portal."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.portal.caiq_scene import caiq_version, filled_caiq
from tests.portal.delegation_helpers import audit_actions
from tests.portal.helpers import draft_of, open_portal, section_url
from tests.portal.test_caiq_upload import COMPLETED
from tests.support.factories import create_campaign
from vendorrisk.campaigns.models import CAIQ_EVIDENCE, Evidence, ReusedAnswer
from vendorrisk.extensions import db


@pytest.fixture
def caiq_assignment(db_session, vendor):
    return create_campaign(caiq_version(), [vendor]).assignments[0]


def _staff_upload(client, assignment, data: bytes):
    return client.post(
        f"/campaigns/assignments/{assignment.id}/caiq",
        data={"file": (io.BytesIO(data), "received-caiq.xlsx")},
        content_type="multipart/form-data",
    )


def _caiq_files() -> list[Evidence]:
    db.session.expire_all()
    return list(db.session.scalars(select(Evidence).where(Evidence.question_id == CAIQ_EVIDENCE)))


def _offers(assignment) -> list[ReusedAnswer]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(ReusedAnswer).where(ReusedAnswer.response_id == assignment.response.id)
        )
    )


def test_staff_upload_a_received_caiq_and_the_vendor_confirms_its_answers(
    client, auth, app, caiq_assignment
):
    manager = auth.login("manager")
    show = client.get(f"/campaigns/{caiq_assignment.campaign_id}").text
    assert "Upload a completed CAIQ received by e-mail" in show
    response = _staff_upload(client, caiq_assignment, filled_caiq(COMPLETED))
    assert response.status_code == 200, response.text[:2000]
    assert "3 answers offered, 2 skipped." in response.text
    assert "Nothing counts until the vendor confirms it in the portal." in response.text
    (kept,) = _caiq_files()
    assert kept.uploaded_by_recipient_id is None  # not the vendor's upload
    (entry,) = audit_actions("response.caiq_offered")
    assert (entry.actor_type, entry.actor_id) == ("user", manager.id)
    assert entry.details["on_behalf"] is True
    assert draft_of(caiq_assignment) == {}  # offered, not answered
    vendor_client = app.test_client()
    aid = open_portal(vendor_client, caiq_assignment.recipients[0])
    page = vendor_client.get(section_url(aid, 0)).text
    assert "From your CAIQ that we uploaded for you on" in page
    assert (
        vendor_client.post(f"/portal/a/{aid}/s/0/reuse/confirm", data={"section": "0"}).status_code
        == 302
    )
    assert set(draft_of(caiq_assignment)) == {"a_a_01_1", "a_a_02_1"}


def test_the_campaign_page_offers_no_caiq_upload_for_another_questionnaire(
    client, auth, assignment
):
    auth.login("manager")
    show = client.get(f"/campaigns/{assignment.campaign_id}").text
    assert "Upload a completed CAIQ" not in show
    assert client.get(f"/campaigns/assignments/{assignment.id}/caiq").status_code == 404


@pytest.mark.parametrize(("role", "status"), [("manager", 200), ("compliance", 403), (None, 302)])
def test_only_managers_upload_a_caiq_on_the_vendors_behalf(
    client, auth, caiq_assignment, role, status
):
    if role:
        auth.login(role)
    assert client.get(f"/campaigns/assignments/{caiq_assignment.id}/caiq").status_code == status
    response = _staff_upload(client, caiq_assignment, filled_caiq(COMPLETED))
    assert response.status_code == status
    assert len(_caiq_files()) == (1 if role == "manager" else 0)
    assert len(_offers(caiq_assignment)) == (3 if role == "manager" else 0)
