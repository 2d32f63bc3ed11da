"""GET /campaigns/{id}/oscal and /vendors/{id}/oscal: OSCAL assessment results, valid by trestle.

Round trip: a campaign is sent, vendors answer (with evidence), findings are raised by scoring,
planned, closed or risk-accepted; the export parses back into compliance-trestle's models and
carries every answer, every evidence hash and every finding with its state.
"""

import io
import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy import event
from trestle.oscal import OSCAL_VERSION
from trestle.oscal import assessment_results as ar
from werkzeug.datastructures import FileStorage

from tests.conftest import make_user
from tests.review.conftest import WEAK_ANSWERS, submit
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.extensions import db
from vendorrisk.portal import services as portal
from vendorrisk.questionnaires.answers import Answer
from vendorrisk.review import effective
from vendorrisk.review import services as review

_serial = itertools.count(1)
ANSWERS = {**WEAK_ANSWERS, "soc2_report": Answer(None)}
PDF = b"%PDF-1.4\n% evidence for the OSCAL test\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def uploads(app, monkeypatch, tmp_path):
    """Evidence files land in the test's own folder."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))


def _campaign(vendors: int, owner=None):
    owner = owner or make_user("manager")
    version = approved_version()
    campaign = create_campaign(
        version,
        [make_vendor(f"Vendor {next(_serial)}", owner=owner) for _ in range(vendors)],
        actor=owner,
        due_date=date(2030, 1, 31),
    )
    for assignment in campaign.assignments:
        recipient = assignment.recipients[0]
        portal.attach_evidence(
            assignment.response,
            recipient,
            "soc2_report",
            FileStorage(io.BytesIO(PDF), filename="soc2.pdf", content_type="application/pdf"),
        )
        db.session.flush()
        submit(assignment, ANSWERS)
    return campaign


def _props(node) -> dict:
    return {p["name"]: p["value"] for p in node.get("props", [])}


def test_a_campaign_export_validates_and_carries_every_answer_and_finding(api):
    """Every answer is an observation, every evidence hash a hashed resource, every finding a
    finding with its state and a risk whose status follows it (acceptance: deviation-approved)."""
    campaign = _campaign(2)
    compliance = make_user("compliance", name="Cleo Compliance")
    first, second = campaign.assignments
    findings = review.vendor_findings(first)
    assert len(findings) >= 2
    review.accept_risk(findings[0], compliance, "Compensating control.", date(2030, 6, 30))
    review.plan_remediation(
        findings[1], owner="Ops", plan_date=date.today() + timedelta(days=20), plan="Rotate it."
    )
    db.session.flush()

    response = api.get(f"/campaigns/{campaign.id}/oscal", api.token(user=compliance))
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    assert response.mimetype == "application/oscal+json"
    body = response.get_json()
    model = ar.Model.model_validate(body)  # trestle's pydantic models accept it
    assert body["assessment-results"]["metadata"]["oscal-version"] == OSCAL_VERSION
    assert len(model.assessment_results.results) == 2
    results = {_props(r)["assignment-id"]: r for r in body["assessment-results"]["results"]}
    assert set(results) == {str(first.id), str(second.id)}

    resources = {r["uuid"]: r for r in body["assessment-results"]["back-matter"]["resources"]}
    for assignment in (first, second):
        result = results[str(assignment.id)]
        revision = assignment.response.latest_submitted
        shown = {_props(o)["question-id"]: o for o in result["observations"]}
        assert set(shown) == set(revision.answers)  # every answer, nothing else
        for qid, data in revision.answers.items():
            for digest in data["evidence_hashes"]:
                (evidence,) = shown[qid]["relevant-evidence"]
                resource = resources[evidence["href"].removeprefix("#")]
                assert resource["rlinks"][0]["hashes"] == [
                    {"algorithm": "SHA-256", "value": digest}
                ]
        # the effective result, through the one door, never recomputed
        expected = effective.for_revision(revision).to_json()
        props = _props(result)
        assert props["verdict"] == expected["verdict"]
        assert props["band"] == expected["band"]
        assert float(props["overall-score"]) == expected["overall"]
        assert props["attestation-sha256"] == revision.attestation_hash
        db_findings = review.vendor_findings(assignment)
        oscal_findings = {_props(f)["finding-id"]: f for f in result["findings"]}
        assert set(oscal_findings) == {str(f.id) for f in db_findings}
        risks = {r["uuid"]: r for r in result["risks"]}
        for finding in db_findings:
            exported = oscal_findings[str(finding.id)]
            assert _props(exported)["state"] == finding.state
            (link,) = exported["related-risks"]
            risk = risks[link["risk-uuid"]]
            assert _props(risk)["finding-state"] == finding.state

    accepted = results[str(first.id)]
    by_id = {_props(f)["finding-id"]: f for f in accepted["findings"]}
    risks = {r["uuid"]: r for r in accepted["risks"]}
    risk = risks[by_id[str(findings[0].id)]["related-risks"][0]["risk-uuid"]]
    assert risk["status"] == "deviation-approved"
    (entry,) = [e for e in risk["risk-log"]["entries"] if e["title"] == "Risk accepted"]
    assert "Cleo Compliance" in entry["description"]
    assert "Compensating control." in entry["description"]
    assert entry["end"].startswith("2030-06-30")
    planned = risks[by_id[str(findings[1].id)]["related-risks"][0]["risk-uuid"]]
    assert planned["status"] == "remediating"
    assert planned["remediations"][0]["lifecycle"] == "planned"


def test_a_vendor_export_has_one_result_per_assessment(api):
    """/vendors/{id}/oscal gives each of the vendor's assessments as one result."""
    campaign = _campaign(1)
    vendor = campaign.assignments[0].vendor
    other = create_campaign(approved_version(), [vendor], due_date=date(2030, 2, 28))
    submit(other.assignments[0], WEAK_ANSWERS)
    body = api.get(f"/vendors/{vendor.id}/oscal", api.token("compliance")).get_json()
    ar.Model.model_validate(body)
    results = body["assessment-results"]["results"]
    assert {_props(r)["assignment-id"] for r in results} == {
        str(campaign.assignments[0].id),
        str(other.assignments[0].id),
    }
    parties = body["assessment-results"]["metadata"]["parties"]
    assert [p["name"] for p in parties] == [vendor.name]


def test_the_export_is_stable_from_call_to_call(api):
    """UUIDs come from our ids: two exports of the same record name the same things."""
    campaign = _campaign(1)
    token = api.token("compliance")
    one = api.get(f"/campaigns/{campaign.id}/oscal", token).get_json()["assessment-results"]
    two = api.get(f"/campaigns/{campaign.id}/oscal", token).get_json()["assessment-results"]
    assert one["uuid"] == two["uuid"]
    assert one["results"] == two["results"]


def test_access_follows_the_other_exports(api):
    """No token: 401; a manager who did not send the campaign: 403; unknown ids: 404."""
    campaign = _campaign(1)
    assert api.get(f"/campaigns/{campaign.id}/oscal").status_code == 401
    assert api.get(f"/campaigns/{campaign.id}/oscal", api.token("manager")).status_code == 403
    assert (
        api.get(
            f"/campaigns/{campaign.id}/oscal", api.token("manager", user=campaign.created_by)
        ).status_code
        == 200
    )
    assert api.get("/campaigns/999999/oscal", api.token("compliance")).status_code == 404
    lonely = make_vendor("Never asked")
    assert api.get(f"/vendors/{lonely.id}/oscal", api.token("compliance")).status_code == 404


def _count(app, api, path, token) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert api.get(path, token).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_query_count_does_not_grow_with_vendors(app, api):
    """A campaign of five vendors costs the same number of queries as one of one."""
    token = api.token("compliance")
    small, large = _campaign(1), _campaign(5)
    db.session.flush()
    _count(app, api, f"/campaigns/{small.id}/oscal", token)  # the token's first use is written
    assert _count(app, api, f"/campaigns/{large.id}/oscal", token) == _count(
        app, api, f"/campaigns/{small.id}/oscal", token
    )
