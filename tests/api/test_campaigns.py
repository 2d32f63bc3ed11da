"""/api/v1/campaigns, assignments' results and findings; the idempotent campaign POST."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.advisories.helpers import make_advisory
from tests.api.conftest import assert_problem
from tests.support.factories import approved_version, make_vendor
from vendorrisk.campaigns import deadlines, services
from vendorrisk.campaigns.models import Campaign
from vendorrisk.extensions import db
from vendorrisk.mail.models import OutboxMessage


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _body(version, vendors, **extra) -> dict:
    body = {
        "template_version_id": version.id,
        "vendor_ids": [v.id for v in vendors],
        "due_date": (date.today() + timedelta(days=14)).isoformat(),
        "timezone": "Europe/London",
    }
    body.update(extra)
    return body


@pytest.mark.parametrize("role,status", [("admin", 201), ("manager", 201), ("compliance", 403)])
def test_who_may_send_a_campaign(api, db_session, role, status):
    version = approved_version()
    vendor = make_vendor()
    response = api.post("/campaigns", api.token(role), json=_body(version, [vendor]))
    assert response.status_code == status, response.get_data(as_text=True)
    if status == 201:
        body = response.get_json()
        assert body["template_version_id"] == version.id
        assert [a["vendor_id"] for a in body["assignments"]] == [vendor.id]
        assert len(body["assignments"][0]["recipients"]) >= 1
        assert body["assignments"][0]["response_state"] == "not_started"


def test_a_campaign_by_template_slug_for_an_advisory(api, db_session):
    version = approved_version()
    advisory = make_advisory()
    body = _body(version, [make_vendor()], advisory=advisory.slug)
    del body["template_version_id"]
    body["template"] = version.template.slug
    response = api.post("/campaigns", api.token(), json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["advisory"] == advisory.slug
    assert response.get_json()["template"] == version.template.slug


def test_campaign_validation_names_each_bad_field(api, db_session):
    response = api.post(
        "/campaigns",
        api.token(),
        json={
            "template": "no-such-template",
            "vendor_ids": [999999],
            "due_date": "2020-01-01",
            "timezone": "Mars/Olympus",
            "advisory": "nope",
        },
    )
    assert_problem(response, 422, "template", "vendor_ids", "timezone", "advisory")
    response = api.post("/campaigns", api.token(), json={"vendor_ids": "1", "due_date": 5})
    assert_problem(response, 422, "vendor_ids", "due_date", "timezone")


def test_a_past_due_date_is_refused(api, db_session):
    version = approved_version()
    body = _body(version, [make_vendor()], due_date="2020-01-01")
    assert_problem(api.post("/campaigns", api.token(), json=body), 422, "due_date")


def test_a_retried_post_with_the_same_key_sends_once(api, db_session):
    version = approved_version()
    body = _body(version, [make_vendor(), make_vendor()])
    token = api.token()
    headers = {"Idempotency-Key": "launch-2026-11-28"}
    campaigns_before, mail_before = _count(Campaign), _count(OutboxMessage)
    first = api.post("/campaigns", token, json=body, headers=headers)
    assert first.status_code == 201
    mails = _count(OutboxMessage) - mail_before
    assert mails == 2  # one invitation per vendor
    second = api.post("/campaigns", token, json=body, headers=headers)
    assert second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.get_json()["id"] == first.get_json()["id"]
    assert _count(Campaign) == campaigns_before + 1
    assert _count(OutboxMessage) - mail_before == mails


def test_the_same_key_with_another_body_is_refused(api, db_session):
    version = approved_version()
    token = api.token()
    headers = {"Idempotency-Key": "k1"}
    assert (
        api.post(
            "/campaigns", token, json=_body(version, [make_vendor()]), headers=headers
        ).status_code
        == 201
    )
    other = api.post("/campaigns", token, json=_body(version, [make_vendor()]), headers=headers)
    assert_problem(other, 422, "Idempotency-Key")


def test_keys_belong_to_their_user(api, db_session):
    """Another user's identical key starts a campaign of their own."""
    version = approved_version()
    body = _body(version, [make_vendor()])
    headers = {"Idempotency-Key": "shared"}
    one = api.post("/campaigns", api.token(), json=body, headers=headers).get_json()
    two = api.post("/campaigns", api.token(), json=body, headers=headers).get_json()
    assert one["id"] != two["id"]


def test_without_a_key_each_post_sends(api, db_session):
    version = approved_version()
    body = _body(version, [make_vendor()])
    token = api.token()
    before = _count(Campaign)
    api.post("/campaigns", token, json=body)
    api.post("/campaigns", token, json=body)
    assert _count(Campaign) == before + 2


@pytest.mark.parametrize("role", ["admin", "manager", "compliance"])
def test_every_role_follows_a_campaign_and_reads_results(api, submitted, role):
    token = api.token(role)
    campaign = api.get(f"/campaigns/{submitted.campaign_id}", token).get_json()
    states = campaign["assignments"][0]
    assert states["response_state"] in ("submitted", "submitted_late")
    result = api.get(f"/assignments/{submitted.id}/result", token)
    assert result.status_code == 200
    body = result.get_json()
    assert body["revision"] == 1 and body["band"]
    assert body["categories"] and body["trace"]
    assert any(f for f in body["findings"])


def test_no_result_before_submission(api, db_session):
    version = approved_version()
    response = api.post("/campaigns", api.token(), json=_body(version, [make_vendor()]))
    assignment_id = response.get_json()["assignments"][0]["id"]
    body = assert_problem(api.get(f"/assignments/{assignment_id}/result", api.token()), 404)
    assert body["type"].endswith("no-result")


def test_findings_filters(api, submitted):
    token = api.token("compliance")
    everything = api.get("/findings", token).get_json()
    assert everything["total"] >= 1
    severity = everything["items"][0]["severity"]
    only = api.get(f"/findings?severity={severity}", token).get_json()
    assert only["items"] and all(f["severity"] == severity for f in only["items"])
    by_vendor = api.get(f"/findings?vendor_id={submitted.vendor_id}&state=open", token)
    assert by_vendor.get_json()["total"] == everything["total"]
    assert api.get("/findings?vendor_id=999999", token).get_json()["total"] == 0
    assert api.get("/findings?category=nope", token).get_json()["total"] == 0
    assert api.get("/findings?state=closed", token).get_json()["total"] == 0
    assert api.get("/findings?overdue=true", token).status_code == 200
    assert_problem(
        api.get("/findings?severity=huge&overdue=maybe&vendor_id=x", token),
        422,
        "severity",
        "overdue",
        "vendor_id",
    )


def test_an_advisory_shows_updates_and_exposure(api, db_session):
    from tests.advisories.helpers import add_update

    advisory = make_advisory()
    add_update(advisory)
    db.session.flush()
    token = api.token("compliance")
    listing = api.get("/advisories", token).get_json()
    assert advisory.slug in [a["slug"] for a in listing["items"]]
    body = api.get(f"/advisories/{advisory.slug}", token).get_json()
    assert body["updates"][0]["title"] == "Credentials too"
    assert body["exposure"] == []


def test_a_due_date_past_2199_is_refused(api, db_session):
    version = approved_version()
    body = _body(version, [make_vendor()], due_date="9999-12-31")
    assert_problem(api.post("/campaigns", api.token(), json=body), 422, "due_date")
    assert _count(Campaign) == 0


def test_each_assignment_carries_its_own_due_time_and_the_extension(api, db_session):
    version = approved_version()
    vendors = [make_vendor("Alpha Co"), make_vendor("Beta Co")]
    created = api.post("/campaigns", api.token(), json=_body(version, vendors)).get_json()
    campaign = db.session.get(Campaign, created["id"])
    alpha = next(a for a in campaign.assignments if a.vendor.name == "Alpha Co")
    later = campaign.due_date + timedelta(days=7)
    deadlines.extend(campaign, [alpha], later, "Asked.", campaign.created_by)
    body = api.get(f"/campaigns/{campaign.id}", api.token("compliance")).get_json()
    rows = {a["vendor"]: a for a in body["assignments"]}
    extended_at = services.due_at_for(later, campaign.timezone).isoformat()
    assert rows["Alpha Co"]["due_at"] == rows["Alpha Co"]["extended_due_at"] == extended_at
    assert (
        rows["Beta Co"]["due_at"] == body["due_at"] and rows["Beta Co"]["extended_due_at"] is None
    )
    assert body["due_date"] == campaign.due_date.isoformat()  # the campaign keeps its date
    record = api.get(f"/vendors/{alpha.vendor_id}", api.token("compliance")).get_json()
    (assessment,) = record["record"]["assessments"]
    assert assessment["due_at"] == assessment["extended_due_at"] == extended_at
