"""Fixtures for the clock tests: a submitted impact report from the review tests."""

from datetime import date, timedelta

import pytest

from tests.conftest import make_user
from tests.review.conftest import WEAK_ANSWERS, submit, submitted  # noqa: F401
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.contracts.models import Contract
from vendorrisk.extensions import db
from vendorrisk.questionnaires.answers import Answer


@pytest.fixture
def owner(db_session):
    return make_user("manager")


@pytest.fixture
def late_vendor(db_session, owner):
    """A vendor with a 24 h clause that said it was affected 30 h after it was asked."""
    vendor = make_vendor(owner=owner)
    db.session.add(
        Contract(
            vendor_id=vendor.id,
            contractual_arrangement_reference_number="MSA-2024-7",
            start_date_of_the_contractual_arrangement=date(2024, 1, 1),
            breach_notification_hours=24,
        )
    )
    campaign = create_campaign(approved_version(), [vendor], due_date=date(2030, 1, 31))
    assignment = campaign.assignments[0]
    submit(assignment, {**WEAK_ANSWERS, "data_accessed": Answer("yes")})
    campaign.sent_at = assignment.response.revisions[0].submitted_at - timedelta(hours=30)
    db.session.flush()
    return campaign
