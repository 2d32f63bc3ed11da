"""A vendor given more time reads its own due date on every portal page, and an answer sent
after the campaign's date but before its own is on time."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.conftest import make_user
from tests.portal.helpers import answer_everything, open_portal, section_url, submit
from tests.support.factories import portal_path
from vendorrisk.campaigns import deadlines, services
from vendorrisk.campaigns.models import SUBMITTED, Revision
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db


def test_the_portal_shows_the_vendors_own_date_and_its_answer_is_not_late(
    vendor_client, campaign, assignment, recipient
):
    # The campaign's date has passed (its links are in their grace period); this vendor was
    # given three more days.
    campaign.due_date = date.today() - timedelta(days=1)
    campaign.due_at = services.due_at_for(campaign.due_date, campaign.timezone)
    db.session.flush()
    own = date.today() + timedelta(days=3)
    deadlines.extend(campaign, [assignment], own, "Asked.", make_user("manager"))
    shown = f"{own:%d %B %Y}, end of day ({campaign.timezone})"
    old = f"{campaign.due_date:%d %B %Y}"

    landing = vendor_client.get(portal_path(recipient)).text
    assert shown in landing and old not in landing
    aid = open_portal(vendor_client, recipient)
    section = vendor_client.get(section_url(aid, 0)).text
    assert f"due {shown}" in section
    answer_everything(vendor_client, aid)
    review = vendor_client.get(f"/portal/a/{aid}/submit").text
    assert f"due {shown}" in review and "The due date has passed" not in review
    assert submit(vendor_client, aid).status_code == 302
    db.session.expire_all()
    assert assignment.response_state == SUBMITTED
    assert db.session.scalar(select(Revision.late)) is False
    assert utcnow() > campaign.due_at  # after the campaign's date, yet on time
