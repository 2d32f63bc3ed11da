"""Which scope the dashboard opens on: where the signed-in person has work.

A vendor manager usually works on the vendors they own, but a manager who sent a campaign to
vendors that colleagues own has work there too: opening on "My vendors" would show none of it
(no findings, no responses) right after they launched it. Such a manager starts on everyone's
vendors and is told why; the switch to their own stays one click away.
"""

from __future__ import annotations

from sqlalchemy import exists, or_, select

from vendorrisk.campaigns.models import Assignment, Campaign
from vendorrisk.extensions import db
from vendorrisk.review.models import CLARIFICATION, OPEN, PLANNED, Finding
from vendorrisk.vendors.models import OFFBOARDED, Vendor

NOT_REVIEWED = "not_reviewed"
# Why the dashboard does not open on the manager's own vendors.
OWNS_NONE = "owns_none"
CAMPAIGNS_ELSEWHERE = "campaigns_elsewhere"


def campaigns_beyond_own(user_id: int, limit: int = 3) -> list[str]:
    """Name the campaigns a user sent that still have work at vendors others own.

    Work means answers not yet reviewed, a clarification pending, or an open finding.
    """
    open_findings = exists().where(
        Finding.assignment_id == Assignment.id, Finding.state.in_((OPEN, PLANNED))
    )
    query = (
        select(Campaign.name)
        .join(Assignment, Assignment.campaign_id == Campaign.id)
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .where(
            Campaign.created_by_id == user_id,
            Vendor.status != OFFBOARDED,
            or_(Vendor.owner_id.is_(None), Vendor.owner_id != user_id),
            or_(
                Assignment.review_state.in_((NOT_REVIEWED, CLARIFICATION)),
                open_findings,
            ),
        )
        .group_by(Campaign.id, Campaign.name)
        .order_by(Campaign.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
