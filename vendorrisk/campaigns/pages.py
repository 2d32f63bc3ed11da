"""The campaign page: one page of assignments at a time, filtered by where each one stands.

A campaign sent after a breach can reach thousands of vendors; the page reads the counts with
one grouped query and only the assignments it shows, so it costs the same at any size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import false, func, select
from sqlalchemy.orm import joinedload, selectinload

from vendorrisk.campaigns.models import (
    IN_PROGRESS,
    NOT_STARTED,
    SUBMITTED,
    SUBMITTED_LATE,
    Assignment,
    Campaign,
    Recipient,
)
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.vendors.models import Vendor

PAGE_SIZE = 50

# The filters the page offers, in order, with their labels ("" shows every assignment).
FILTERS = {
    "": "All",
    "not_started": "Not started",
    "in_progress": "In progress",
    "submitted": "Submitted",
    "overdue": "Overdue",
}
_STATES = {
    "not_started": (NOT_STARTED,),
    "in_progress": (IN_PROGRESS,),
    "submitted": (SUBMITTED, SUBMITTED_LATE),
}


@dataclass(frozen=True)
class CampaignPage:
    campaign: Campaign
    assignments: list[Assignment]
    counts: dict[str, int]  # by filter key
    shown: str  # the filter in use
    page: int
    pages: int

    @property
    def submitted(self) -> int:
        return self.counts["submitted"]

    @property
    def total(self) -> int:
        return self.counts[""]


def _counts(campaign: Campaign, now: datetime) -> dict[str, int]:
    by_state = dict(
        db.session.execute(
            select(Assignment.response_state, func.count())
            .where(Assignment.campaign_id == campaign.id)
            .group_by(Assignment.response_state)
        ).all()
    )
    counts = {key: sum(by_state.get(s, 0) for s in states) for key, states in _STATES.items()}
    counts[""] = sum(by_state.values())
    # Overdue is derived: past the due time and nothing submitted (Assignment.is_overdue).
    counts["overdue"] = counts[""] - counts["submitted"] if now > campaign.due_at else 0
    return counts


def _condition(campaign: Campaign, shown: str, now: datetime):
    if shown == "overdue":
        if now <= campaign.due_at:
            return false()
        return Assignment.response_state.not_in(_STATES["submitted"])
    if shown in _STATES:
        return Assignment.response_state.in_(_STATES[shown])
    return None


def campaign_page(
    campaign_id: int, shown: str = "", page: int = 1, now: datetime | None = None
) -> CampaignPage | None:
    """Return one page of a campaign's assignments (None: no such campaign)."""
    campaign = db.session.scalar(
        select(Campaign)
        .where(Campaign.id == campaign_id)
        .options(
            joinedload(Campaign.template_version),
            joinedload(Campaign.created_by),
            selectinload(Campaign.due_changes),
        )
    )
    if campaign is None:
        return None
    now = now or utcnow()
    shown = shown if shown in FILTERS else ""
    counts = _counts(campaign, now)
    pages = max(1, -(-counts[shown] // PAGE_SIZE))
    page = min(max(1, page), pages)
    query = (
        select(Assignment)
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .where(Assignment.campaign_id == campaign.id)
        .order_by(Vendor.name_key, Assignment.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
        .options(
            joinedload(Assignment.vendor),
            selectinload(Assignment.recipients).selectinload(Recipient.contact),
            selectinload(Assignment.recipients).selectinload(Recipient.last_message),
        )
    )
    condition = _condition(campaign, shown, now)
    if condition is not None:
        query = query.where(condition)
    assignments = list(db.session.scalars(query).unique())
    return CampaignPage(campaign, assignments, counts, shown, page, pages)
