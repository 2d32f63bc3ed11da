"""Due dates belong to the campaign's time zone; overdue is derived; late answers are accepted
and flagged; an extension needs a reason and moves links and reminders with it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.portal.helpers import answer_everything, open_portal, submit
from tests.support.factories import create_campaign
from vendorrisk.audit.models import AuditEntry
from vendorrisk.campaigns import services
from vendorrisk.campaigns.models import SUBMITTED_LATE, Campaign, DueDateChange, Revision
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db


@pytest.mark.parametrize(
    ("due", "zone", "expected"),
    [
        (date(2027, 1, 31), "Europe/London", datetime(2027, 1, 31, 23, 59, 59, tzinfo=UTC)),
        (date(2027, 1, 31), "America/New_York", datetime(2027, 2, 1, 4, 59, 59, tzinfo=UTC)),
        (date(2027, 7, 31), "Europe/London", datetime(2027, 7, 31, 22, 59, 59, tzinfo=UTC)),
        (date(2027, 1, 31), "Asia/Tokyo", datetime(2027, 1, 31, 14, 59, 59, tzinfo=UTC)),
    ],
    ids=["london-winter", "new-york", "london-summer", "tokyo"],
)
def test_a_due_date_ends_at_the_end_of_that_day_in_the_campaigns_zone(due, zone, expected):
    assert services.due_at_for(due, zone) == expected


def test_the_stored_due_time_is_utc_and_reads_back_the_same(version, vendor):
    due = date.today() + timedelta(days=40)
    campaign = create_campaign(version, [vendor], due_date=due, tz_name="America/New_York")
    db.session.expire_all()
    stored = db.session.get(Campaign, campaign.id)
    assert stored.due_at == services.due_at_for(due, "America/New_York")
    assert stored.due_at.tzinfo is not None and stored.due_at.utcoffset() == timedelta(0)
    assert stored.due_date == due and stored.timezone == "America/New_York"
    assert services.due_display(stored) == f"{due:%d %B %Y}, end of day (America/New_York)"


def test_a_campaign_page_shows_overdue_for_unsubmitted_assignments_only(
    client, auth, campaign, assignment
):
    auth.login("manager")
    assert not assignment.is_overdue()
    assert ">Overdue<" not in client.get(f"/campaigns/{campaign.id}").text
    campaign.due_at = utcnow() - timedelta(hours=1)
    db.session.flush()
    assert assignment.is_overdue()
    assert ">Overdue<" in client.get(f"/campaigns/{campaign.id}").text
    assert not assignment.is_overdue(now=campaign.due_at - timedelta(seconds=1))


def test_an_answer_after_the_due_date_is_accepted_and_flagged_late(
    client, auth, vendor_client, campaign, assignment, recipient
):
    campaign.due_at = utcnow() - timedelta(hours=1)  # the link's grace period still runs
    db.session.flush()
    aid = open_portal(vendor_client, recipient)
    answer_everything(vendor_client, aid)
    review = vendor_client.get(f"/portal/a/{aid}/submit").text
    assert "The due date has passed; your answers are still accepted and marked late." in review
    assert submit(vendor_client, aid).status_code == 302
    db.session.expire_all()
    assert assignment.response_state == SUBMITTED_LATE
    revision = db.session.scalar(select(Revision))
    assert revision.late is True
    assert "after the due date" in vendor_client.get(f"/portal/a/{aid}/receipt").text
    auth.login("manager")
    page = client.get(f"/campaigns/{campaign.id}").text
    assert "Submitted late" in page and ">Overdue<" not in page


def test_an_extension_with_a_reason_moves_the_due_time_and_every_links_expiry(
    app, client, auth, campaign, assignment, recipient
):
    manager = auth.login("manager")
    old_due, old_expiry = campaign.due_at, recipient.expires_at
    new_date = campaign.due_date + timedelta(days=10)
    response = client.post(
        f"/campaigns/{campaign.id}/extend",
        data={"due_date": new_date.isoformat(), "reason": "The vendor's CISO is on leave."},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert campaign.due_date == new_date
    assert campaign.due_at == services.due_at_for(new_date, campaign.timezone)
    assert campaign.due_at - old_due == timedelta(days=10)
    assert recipient.expires_at - old_expiry == timedelta(days=10)
    change = db.session.scalar(select(DueDateChange))
    assert (change.old_due_date, change.new_due_date) == (new_date - timedelta(days=10), new_date)
    assert change.reason == "The vendor's CISO is on leave." and change.changed_by_id == manager.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.extended"))
    assert entry.actor_id == manager.id
    page = client.get(f"/campaigns/{campaign.id}").text
    assert "The vendor&#39;s CISO is on leave." in page


@pytest.mark.parametrize(
    ("days", "reason", "message"),
    [
        (10, "", "This field is required."),
        (10, "   ", "This field is required."),
        (-3, "Asked for it", "The new due date must be later than the current one."),
        (0, "Asked for it", "The new due date must be later than the current one."),
    ],
    ids=["no-reason", "blank-reason", "earlier", "same-day"],
)
def test_an_extension_without_a_reason_or_to_an_earlier_date_is_refused(
    client, auth, campaign, recipient, days, reason, message
):
    auth.login("manager")
    before = (campaign.due_date, campaign.due_at, recipient.expires_at)
    response = client.post(
        f"/campaigns/{campaign.id}/extend",
        data={"due_date": (campaign.due_date + timedelta(days=days)).isoformat(), "reason": reason},
    )
    assert response.status_code == 400
    assert message in response.text
    db.session.expire_all()
    assert (campaign.due_date, campaign.due_at, recipient.expires_at) == before
    assert db.session.scalar(select(DueDateChange)) is None


def test_an_extension_to_the_year_9999_is_refused_and_changes_nothing(
    client, auth, campaign, recipient
):
    """Links expire a grace period after the due date: past 9999-12-31 there is no such day."""
    auth.login("manager")
    before = (campaign.due_date, campaign.due_at, recipient.expires_at)
    response = client.post(
        f"/campaigns/{campaign.id}/extend",
        data={"due_date": "9999-12-31", "reason": "Indefinitely"},
    )
    assert response.status_code == 400
    assert "Enter a date between 01 January 1900 and 31 December 2199." in response.text
    db.session.expire_all()
    assert (campaign.due_date, campaign.due_at, recipient.expires_at) == before
