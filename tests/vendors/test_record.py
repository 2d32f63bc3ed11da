"""The vendor page is the record of the relationship, and the API says the same."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from tests.conftest import make_user
from tests.reports.conftest import make_assessment
from tests.support.factories import make_vendor
from vendorrisk.api import tokens
from vendorrisk.campaigns.models import Assignment, Campaign, Evidence, Response, Revision
from vendorrisk.extensions import db
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.review.models import Finding, ReviewDecision, ScoreOverride
from vendorrisk.review.services import override_points
from vendorrisk.scoring import ScoreResult
from vendorrisk.scoring.effective import effective_result, number
from vendorrisk.vendors.record import vendor_record


@pytest.fixture(autouse=True)
def files(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "REPORT_FOLDER", str(tmp_path / "reports"))
    monkeypatch.setitem(app.config, "REPORT_RUNNER", "inline")


@pytest.fixture
def owner(db_session):
    return make_user("manager", name="Olivia Owner")


@pytest.fixture
def vendor(owner):
    return make_vendor("Fabrikam Secure Mail", owner=owner, criticality="high")


def _clone(assignment: Assignment, count: int) -> None:
    """Give the vendor `count` more assessments like this one (rows copied, score kept)."""
    revision = assignment.response.latest_submitted
    decision = db.session.scalar(
        select(ReviewDecision).where(ReviewDecision.assignment_id == assignment.id)
    )
    base = assignment.campaign
    for i in range(count):
        when = revision.submitted_at - timedelta(days=30 * (i + 1))
        campaign = Campaign(
            name=f"{base.name} {i}",
            template_version_id=base.template_version_id,
            reference_dates=base.reference_dates,
            due_date=base.due_date,
            timezone=base.timezone,
            due_at=base.due_at,
            created_by_id=base.created_by_id,
            created_at=when,
            sent_at=when,
        )
        copy = Assignment(
            campaign=campaign,
            vendor_id=assignment.vendor_id,
            response_state=assignment.response_state,
            review_state=assignment.review_state,
            created_at=when,
            submitted_at=when,
        )
        response = Response(assignment=copy, draft={})
        rev = Revision(
            response=response,
            number=1,
            submitted_at=when,
            answers=revision.answers,
            score=revision.score,
            band=revision.band,
            overall=revision.overall,
            engine_version=revision.engine_version,
        )
        db.session.add_all([campaign, copy, response, rev])
        db.session.flush()
        db.session.add_all(
            [
                ReviewDecision(
                    assignment_id=copy.id,
                    revision_id=rev.id,
                    decision=decision.decision,
                    reviewer_id=decision.reviewer_id,
                    decided_at=when,
                ),
                Finding(
                    vendor_id=assignment.vendor_id,
                    assignment_id=copy.id,
                    revision_id=rev.id,
                    source="reviewer",
                    title=f"Gap {i}",
                    severity="medium",
                    original_severity="medium",
                ),
                Evidence(
                    response_id=response.id,
                    question_id="rotated",
                    filename=f"evidence-{i}.pdf",
                    stored_name=secrets.token_hex(16),
                    size=100,
                    sha256="0" * 64,
                    content_type="application/pdf",
                    first_submitted_revision=1,
                ),
                ScoreOverride(
                    revision_id=rev.id,
                    question_id="notify_hours",
                    original_percent="0",
                    new_percent=50,
                    justification="Checked by phone.",
                    by_id=decision.reviewer_id,
                ),
            ]
        )
    db.session.flush()


def _queries(app, client, url: str) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
        assert response.status_code == 200, url
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_vendor_page_shows_every_assessment_finding_evidence_and_report(
    client, auth, vendor, owner
):
    assessment = make_assessment(vendor, actor=owner)
    auth.login("compliance")
    page = client.get(f"/vendors/{vendor.id}").text
    revision = assessment.response.latest_submitted
    shown = effective_result(
        ScoreResult.from_dict(revision.score),
        parsed_version(assessment.campaign.template_version),
    )
    assert assessment.campaign.name in page
    assert "Approved with conditions" in page and "Rita Reviewer" in page
    assert shown.overall_display in page and f"band-{shown.band.lower()}" in page
    assert "Rotate the connector certificate" in page  # the approval's condition, open
    assert "Closed or risk accepted" in page
    files = [e for e in assessment.response.evidence if e.first_submitted_revision]
    assert files and all(e.filename in page and e.sha256 in page for e in files)
    assert "No report has been built yet." in page
    assert "Build a report of the whole history" in page
    # A chart per category with its numbers beside it.
    assert 'id="score-history-h"' in page and "<svg" not in page  # charts are images
    charts = re.findall(r'<img class="chart-svg" src="([^"]+)"', page)
    assert charts
    for src in charts:
        image = client.get(src)
        assert image.status_code == 200 and image.mimetype == "image/svg+xml"
        assert b"<svg" in image.data
    # The activity timeline reads the audit log.
    assert 'id="activity-h"' in page
    for what in ("Answers submitted", "Evidence uploaded", "Review decision recorded"):
        assert what in page, what


def test_the_api_gives_the_same_record_with_numbers_as_numbers(client, vendor, owner, app):
    assessment = make_assessment(vendor, actor=owner)
    revision = assessment.response.latest_submitted
    reviewer = make_user("manager", name="Second Reviewer")
    scored = next(
        e for e in revision.score["trace"] if e["status"] == "scored" and e["percent"] != "100"
    )
    override_points(
        revision,
        scored["question_id"],
        100,
        "Seen the change record.",
        reviewer,
        scored["percent"],
    )
    db.session.flush()
    record = vendor_record(vendor)
    expected = record.assessments[0].effective
    assert expected.changed  # the override is part of what is shown
    token = _api_token(client, auth_user=make_user("compliance"))
    data = client.get(
        f"/api/v1/vendors/{vendor.id}", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    row = data["record"]["assessments"][0]
    assert row["overall"] == number(expected.overall) and isinstance(row["overall"], float)
    assert row["band"] == expected.band
    assert row["decision"] == "approved_with_conditions" and row["reviewer"] == "Rita Reviewer"
    assert data["record"]["findings"]["open"] == len(record.open_findings)
    assert all(isinstance(v, float) for v in row["categories"].values())
    assert data["record"]["evidence"][0]["sha256"]
    page = client.get(f"/vendors/{vendor.id}")
    assert page.status_code in (302, 401)  # the API token does not sign the browser in


def _api_token(client, auth_user) -> str:
    _row, secret = tokens.create_token(auth_user, "record test")
    db.session.flush()
    return secret


def test_the_vendor_page_costs_the_same_queries_for_10_or_200_assessments(app, client, auth):
    owner = make_user("manager")
    few, many = make_vendor("Few Assessments", owner=owner), make_vendor("Many", owner=owner)
    _clone(make_assessment(few, actor=owner), 9)
    _clone(make_assessment(many, actor=owner), 199)
    assert len(vendor_record(many).assessments) == 200
    auth.login("compliance")
    assert _queries(app, client, f"/vendors/{few.id}") == _queries(
        app, client, f"/vendors/{many.id}"
    )


def test_a_manager_who_reviewed_a_vendor_may_export_it_and_sees_the_button(client, auth, vendor):
    reviewer = make_user("manager", name="Rita Reviewer")
    make_assessment(vendor, reviewer=reviewer)
    auth.login(user=reviewer)
    page = client.get(f"/vendors/{vendor.id}").text
    assert "Build a report of the whole history" in page
    assert client.get(f"/reports/vendors/{vendor.id}").status_code == 200
    auth.logout()
    auth.login("manager")  # neither owner, sender nor reviewer
    page = client.get(f"/vendors/{vendor.id}").text
    assert "Build a report of the whole history" not in page
    assert client.get(f"/reports/vendors/{vendor.id}").status_code == 403
