"""The PDFs show the effective result: the API's band after an override, no score when not exposed."""

from datetime import date

from tests.api.test_result import NOT_EXPOSED_ANSWERS
from tests.conftest import make_user
from tests.reports.helpers import build, download, joined
from tests.review.conftest import WEAK_ANSWERS, submit
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.api.tokens import create_token
from vendorrisk.extensions import db
from vendorrisk.questionnaires.answers import Answer
from vendorrisk.review import services as review


def _assignment(answers):
    version = approved_version()
    campaign = create_campaign(
        version, [make_vendor("Northwind Relay")], due_date=date(2030, 1, 31)
    )
    assignment = campaign.assignments[0]
    submit(assignment, answers)
    return assignment


def _api_result(client, user, assignment_id: int) -> dict:
    token = create_token(user, "report test")[1]
    response = client.get(
        f"/api/v1/assignments/{assignment_id}/result",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    return response.get_json()


def test_the_vendor_pdf_band_is_the_api_band_after_an_override(client, auth, db_session):
    """An override that lifts the band shows the same band in the PDF as in the API."""
    assignment = _assignment(WEAK_ANSWERS)
    revision = assignment.response.latest_submitted
    reviewer = make_user("manager", name="Robin Reviewer")
    review.override_points(revision, "rotated", 100, "Saw the new certificate.", reviewer, "0")
    db.session.flush()
    user = auth.login("compliance")
    body = _api_result(client, user, assignment.id)
    assert body["band"] != body["computed"]["band"]
    _, job_id = build(client, f"/reports/vendors/{assignment.vendor_id}/pdf")
    text = joined(download(client, job_id))
    overall = f"{body['overall']:.1f}"
    assert f"overall {overall} of 100, band {body['band']} · {body['band_label']}" in text
    computed = f"{body['computed']['overall']:.1f} ({body['computed']['band']})"
    assert f"the engine's own score was {computed}" in text


def test_the_vendor_pdf_gives_no_score_beside_not_exposed(client, auth, db_session):
    """A vendor ruled out reads "not exposed" with the reason, and no overall score."""
    assignment = _assignment(NOT_EXPOSED_ANSWERS)
    user = auth.login("compliance")
    body = _api_result(client, user, assignment.id)
    assert body["overall"] is None
    _, job_id = build(client, f"/reports/vendors/{assignment.vendor_id}/pdf")
    text = joined(download(client, job_id))
    assert "Revision 1: not exposed, no score is given." in text
    assert "uses_connector answered" in text
    assert "of 100" not in text


CONTRADICTORY = {
    "uses_connector": Answer("no"),
    "data_accessed": Answer("yes"),
    "notify_hours": Answer(24),
    "soc2_report": Answer(None, na=True, comment="No external audit yet."),
}


def test_the_vendor_pdf_lists_what_needs_a_reviewer_with_the_answers(client, auth, db_session):
    """Contradictory answers appear under "Needs reviewer" with each answer concerned."""
    assignment = _assignment(CONTRADICTORY)
    auth.login("compliance")
    _, job_id = build(client, f"/reports/vendors/{assignment.vendor_id}/pdf")
    text = joined(download(client, job_id))
    assert "Needs reviewer" in text
    assert "Contradictory answers" in text
    assert "Did you use the affected connector?: No" in text
    assert "Was any data you hold for us accessed by the attacker?: Yes, some of it" in text
