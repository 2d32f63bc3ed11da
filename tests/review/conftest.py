"""Fixtures for the review tests: a submitted response to the small test questionnaire."""

from datetime import date

import pytest

from tests.conftest import make_user
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.extensions import db
from vendorrisk.portal import services as portal
from vendorrisk.questionnaires.answers import Answer

WEAK_ANSWERS = {
    "uses_connector": Answer("yes"),
    "data_accessed": Answer("no"),
    "rotated": Answer("no"),
    "credentials_reset": Answer("some"),
    "notify_hours": Answer(48),
    "soc2_report": Answer(None, na=True, comment="We have no external audit yet."),
}


def submit(assignment, answers, recipient=None):
    """Save answers as the vendor would and submit them with an attestation."""
    recipient = recipient or assignment.recipients[0]
    response = assignment.response
    portal.save_answers(response, recipient, list(answers), answers, response.version)
    db.session.flush()
    revision = portal.submit(
        assignment, recipient, name="Pat Doe", title="CISO", expected_version=response.version
    )
    db.session.flush()
    return revision


@pytest.fixture
def owner(db_session):
    return make_user("manager")


@pytest.fixture
def submitted(db_session, owner):
    """An assignment whose vendor submitted weak answers (revision 1)."""
    version = approved_version()
    vendor = make_vendor(owner=owner)
    campaign = create_campaign(version, [vendor], due_date=date(2030, 1, 31))
    assignment = campaign.assignments[0]
    submit(assignment, WEAK_ANSWERS)
    return assignment
