"""Findings raised by scoring read as gaps: a short title, a due date by severity, an owner, and
category labels (not ids) in the list and its filter."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from tests.conftest import AuthActions, make_user
from tests.review.conftest import WEAK_ANSWERS, submit
from tests.support.factories import (
    SMALL_TEMPLATE,
    approved_version,
    create_campaign,
    make_vendor,
)
from vendorrisk.extensions import db
from vendorrisk.questionnaires import services as questionnaires
from vendorrisk.questionnaires.loader import load_template_text
from vendorrisk.questionnaires.models import APPROVED, SOURCE_UPLOAD, Template, TemplateVersion
from vendorrisk.questionnaires.rules import check_template
from vendorrisk.review.models import FROM_SCORING, Finding
from vendorrisk.review.services import finding_title

# The small questionnaire as versions were stored before every scored question needed a
# finding_title: the rule refuses it now, but such versions stay in databases as they are.
UNTITLED = re.sub(r"^ +finding_title: .*\n", "", SMALL_TEMPLATE, flags=re.M).replace(
    "id: connector-breach-check\n", "id: connector-breach-check-untitled\n", 1
)


def _stored_before_titles() -> TemplateVersion:
    parsed = load_template_text(UNTITLED)
    assert any("finding_title" in p.reason for p in check_template(parsed))
    template = Template(slug=parsed.id, title=parsed.title, kind=parsed.kind, source=SOURCE_UPLOAD)
    db.session.add(template)
    db.session.flush()
    return questionnaires.add_version(template, UNTITLED, parsed, created_by=None, status=APPROVED)


def _scoring_findings(assignment) -> dict[str, Finding]:
    rows = db.session.scalars(
        select(Finding).where(
            Finding.assignment_id == assignment.id, Finding.source == FROM_SCORING
        )
    )
    return {f.question_id: f for f in rows}


def test_a_scoring_finding_takes_the_questions_finding_title(db_session, app):
    owner = make_user("manager", name="Olga Owner")
    vendor = make_vendor(owner=owner)
    campaign = create_campaign(approved_version(), [vendor], due_date=date(2030, 1, 31))
    submit(campaign.assignments[0], WEAK_ANSWERS)
    findings = _scoring_findings(campaign.assignments[0])
    assert findings["rotated"].title == "Compromised certificate not replaced"
    assert findings["notify_hours"].title == "Slow breach notification"


def test_a_version_stored_before_finding_titles_titles_its_findings_by_the_question_text(
    db_session, app
):
    vendor = make_vendor(owner=make_user("manager"))
    campaign = create_campaign(_stored_before_titles(), [vendor], due_date=date(2030, 1, 31))
    submit(campaign.assignments[0], WEAK_ANSWERS)
    findings = _scoring_findings(campaign.assignments[0])
    assert findings["rotated"].title == "Have you replaced the compromised certificate?"
    assert (
        findings["notify_hours"].title == "Within how many hours would you notify us of a breach?"
    )


def test_a_long_question_without_a_finding_title_is_shortened_at_a_word():
    class _Template:
        def question(self, question_id):
            raise KeyError(question_id)

    text = "Did you tell your own suppliers " + "that could be affected " * 6 + "about it?"
    title = finding_title(_Template(), "q", text)
    assert len(title) <= 80 and title.endswith("…") and " " + title[:-1].split()[-1] in text


def test_a_scoring_finding_is_due_by_its_severity_and_owned_by_the_vendors_owner(
    app, submitted, owner, monkeypatch
):
    findings = _scoring_findings(submitted)
    assert findings
    today = findings["rotated"].created_at.date()
    for finding in findings.values():
        days = app.config["FINDING_DUE_DAYS"][finding.severity]
        assert finding.due_date == today + timedelta(days=days), finding.severity
        assert finding.owner_id == owner.id
    severity = findings["rotated"].severity
    monkeypatch.setitem(app.config, "FINDING_DUE_DAYS", {severity: 3})
    vendor = make_vendor(owner=owner)
    campaign = create_campaign(approved_version(), [vendor], due_date=date(2030, 1, 31))
    submit(campaign.assignments[0], WEAK_ANSWERS)
    again = _scoring_findings(campaign.assignments[0])
    assert again["rotated"].due_date == today + timedelta(days=3)
    assert all(f.due_date is None for f in again.values() if f.severity != severity)


def test_the_findings_list_shows_category_labels_and_filters_by_a_category_select(app, submitted):
    client = app.test_client()
    AuthActions(client).login("compliance")
    page = client.get("/findings/").text
    assert "Rotation of certificates" in page
    assert '<select class="form-select form-select-sm" id="category" name="category">' in page
    assert '<option value="certificate_rotation">Rotation of certificates</option>' in page
    assert ">certificate_rotation<" not in page
    rotation = client.get("/findings/?category=certificate_rotation").text
    readiness = client.get("/findings/?category=incident_readiness").text
    assert "Compromised certificate not replaced" in rotation
    assert "Compromised certificate not replaced" not in readiness
    finding = _scoring_findings(submitted)["rotated"]
    detail = client.get(f"/findings/{finding.id}").text
    assert "Rotation of certificates" in detail and "follows it up on our side" in detail
