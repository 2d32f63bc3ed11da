"""A clarification round after a submission is not held to the campaign's due date: the
vendor is neither overdue (triage, dashboard, API) nor chased, and its reply is not "late";
answers first submitted late stay "submitted late" through later rounds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.campaigns.test_deadlines import sender, three  # noqa: F401 (fixtures)
from tests.dashboard.helpers import CLEAN, past_due, submit
from vendorrisk.campaigns import reminders
from vendorrisk.campaigns.models import (
    IN_PROGRESS,
    SUBMITTED,
    SUBMITTED_LATE,
    ReminderSent,
)
from vendorrisk.campaigns.triage import Query, triage
from vendorrisk.core.timeutil import utcnow
from vendorrisk.dashboard.queries import Scope, campaign_states, overdue_query
from vendorrisk.extensions import db
from vendorrisk.portal.services import template_of
from vendorrisk.review import services as review


def _ask(assignment, reviewer):
    review.request_clarification(
        assignment,
        reviewer,
        {"notify_hours": "Which clock starts the hours?"},
        template_of(assignment),
    )
    db.session.flush()


def _overdue_names(campaign) -> set[str]:
    rows = triage(campaign.id, Query(state="overdue")).rows
    return {row.vendor_name for row in rows}


@pytest.fixture
def asked(three, sender):  # noqa: F811
    """Alpha submitted on time; the date then passed and Alpha was asked a question."""
    campaign, by = three
    alpha = by["Alpha Co"]
    # Submit while the date is still ahead, then let it pass.
    campaign.due_at = utcnow() + timedelta(days=2)
    db.session.flush()
    submit(alpha, CLEAN)
    assert alpha.response_state == SUBMITTED
    past_due(campaign, days=2)
    _ask(alpha, sender)
    assert alpha.response_state == IN_PROGRESS
    return campaign, by


def test_a_clarification_round_is_not_overdue_anywhere(asked):
    campaign, by = asked
    alpha = by["Alpha Co"]
    assert not alpha.is_overdue()
    assert by["Beta Co"].is_overdue()  # never submitted, past the date
    assert _overdue_names(campaign) == {"Beta Co", "Gamma Co"}
    now = utcnow()
    listed = {a.vendor.name for a in db.session.scalars(overdue_query(Scope(), now))}
    assert listed == {"Beta Co", "Gamma Co"}
    counts = campaign_states(Scope(), now)[campaign.id]
    assert sum(counts.past_due.values()) == 2


def test_a_clarification_round_is_not_chased_as_overdue(asked):
    campaign, by = asked
    reminders.send_reminders()
    db.session.flush()
    chased = set(
        db.session.scalars(
            select(ReminderSent.assignment_id).where(ReminderSent.offset_key == "overdue")
        )
    )
    assert by["Alpha Co"].id not in chased
    assert {by["Beta Co"].id, by["Gamma Co"].id} <= chased


def test_a_reply_after_the_date_to_answers_submitted_on_time_is_not_late(asked):
    campaign, by = asked
    alpha = by["Alpha Co"]
    revision = submit(alpha, CLEAN)
    assert revision.late is False
    assert alpha.response_state == SUBMITTED


def test_answers_first_submitted_late_stay_late_through_a_later_round(three, sender):  # noqa: F811
    campaign, by = three  # already past due
    gamma = by["Gamma Co"]
    first = submit(gamma, CLEAN)
    assert first.late is True and gamma.response_state == SUBMITTED_LATE
    _ask(gamma, sender)
    assert not gamma.is_overdue()
    second = submit(gamma, CLEAN)
    assert second.late is False  # the reply itself answered no due date
    assert gamma.response_state == SUBMITTED_LATE
    assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == 0
