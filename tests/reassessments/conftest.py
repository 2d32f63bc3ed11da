"""Fixtures for the reassessment tests: a baseline template scheduled for tiers 1 and 2."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import make_user
from tests.portal.reuse_scene import BASELINE
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.campaigns.models import SUBMITTED, Revision
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.questionnaires.answers import Answer, encode_answer

TIER_1 = {"criticality": "critical", "data_access": "regulated"}
TIER_2 = {"criticality": "high", "data_access": "confidential"}
TIER_4 = {"criticality": "low", "data_access": "none"}


@pytest.fixture
def baseline(db_session, app, monkeypatch):
    """The baseline template, every 12 months for tier 1 and every 24 for tier 2."""
    version = approved_version(BASELINE)
    slug = "yearly-security-baseline"
    monkeypatch.setitem(app.config, "REASSESSMENT_SCHEDULE", {1: (12, slug), 2: (24, slug)})
    return version


@pytest.fixture
def sender(db_session):
    return make_user("manager", email="sender@firm.example", name="Sam Sender")


def vendor(name: str, tier: dict, owner=None):
    """A vendor of a tier with a primary and a security contact."""
    return make_vendor(name, owner=owner, **tier)


def assessed(version, vendor, days_ago: int, answers: dict | None = None):
    """Record that the vendor submitted the baseline `days_ago` days ago; return the assignment."""
    assignment = create_campaign(version, [vendor]).assignments[0]
    when = utcnow() - timedelta(days=days_ago)
    assignment.response_state = SUBMITTED
    assignment.submitted_at = when
    encoded = {qid: encode_answer(Answer(value=value)) for qid, value in (answers or {}).items()}
    db.session.add(
        Revision(
            response=assignment.response,
            number=1,
            submitted_at=when,
            answers=encoded,
            evidence_index=[],
        )
    )
    db.session.flush()
    return assignment
