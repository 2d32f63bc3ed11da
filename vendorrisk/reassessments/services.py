"""When each vendor is due for its baseline reassessment, and sending the ones that are due.

The schedule (`REASSESSMENT_SCHEDULE`) gives each inherent tier a cadence in months and a
baseline template. A vendor of a scheduled tier falls due `months` after it last submitted that
template; one that never did is due from the day it was added. A vendor with an assignment of
that template still open (not submitted) is not due again: it is being asked already. That
rule, with the unique record of each send, is what makes sending idempotent.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from flask import current_app
from sqlalchemy import func, select

from vendorrisk.accounts.models import User
from vendorrisk.audit import services as audit
from vendorrisk.campaigns import services as campaigns
from vendorrisk.campaigns.models import SUBMITTED, SUBMITTED_LATE, Assignment, Campaign
from vendorrisk.extensions import db
from vendorrisk.questionnaires.models import APPROVED, Template, TemplateVersion
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.reassessments.models import ReassessmentSend
from vendorrisk.review.queries import ID_BATCH
from vendorrisk.vendors.models import OFFBOARDED, Vendor

UPCOMING_DAYS = 60
SUBMITTED_STATES = (SUBMITTED, SUBMITTED_LATE)


class ScheduleError(ValueError):
    """The configured schedule cannot be used, with the reason."""


@dataclass(frozen=True)
class TierSchedule:
    """How often one tier is reassessed, and with which baseline template."""

    tier: int
    months: int
    template: Template
    version: TemplateVersion  # the latest approved version: the one sent


@dataclass(frozen=True)
class Due:
    """One vendor's next baseline reassessment."""

    vendor: Vendor
    schedule: TierSchedule
    due_on: date
    last_on: date | None  # when it last submitted the template (None: never)


def add_months(day: date, months: int) -> date:
    """Return the same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule() -> dict[int, TierSchedule]:
    """Return the configured schedule per tier, each with its template (one query)."""
    configured = current_app.config.get("REASSESSMENT_SCHEDULE") or {}
    slugs = {slug for _, slug in configured.values()}
    if not slugs:
        return {}
    templates = {
        t.slug: t for t in db.session.scalars(select(Template).where(Template.slug.in_(slugs)))
    }
    latest = _latest_versions([t.id for t in templates.values()])
    result = {}
    for tier, (months, slug) in sorted(configured.items()):
        template = templates.get(slug)
        if template is None or template.archived_at is not None:
            raise ScheduleError(f"tier {tier}: there is no template '{slug}' in use")
        if template.kind != "baseline":
            raise ScheduleError(f"tier {tier}: '{slug}' is an incident template, not a baseline")
        if template.id not in latest:
            raise ScheduleError(f"tier {tier}: '{slug}' has no approved version")
        result[int(tier)] = TierSchedule(int(tier), int(months), template, latest[template.id])
    return result


def _latest_versions(template_ids: list[int]) -> dict[int, TemplateVersion]:
    rows = db.session.scalars(
        select(TemplateVersion)
        .where(TemplateVersion.template_id.in_(template_ids), TemplateVersion.status == APPROVED)
        .order_by(TemplateVersion.number)
    )
    return {v.template_id: v for v in rows}  # the highest number wins


def schedule_key() -> str:
    """The configured schedule as text: stored with what was computed from it."""
    configured = current_app.config.get("REASSESSMENT_SCHEDULE") or {}
    return json.dumps({str(t): list(v) for t, v in sorted(configured.items())})


class VendorRow(Protocol):
    """What the rule reads of a vendor (an ORM Vendor, or a row of these columns)."""

    id: int
    risk_tier: int
    status: str
    created_at: datetime


def due_dates(
    vendors: Sequence[VendorRow], tiers: dict[int, TierSchedule]
) -> dict[int, tuple[date | None, date]]:
    """Return, for the vendors that fall due at some date, (last submitted day, due day):
    the rule of the module docstring, the one place it is computed. Two queries, limited to
    these vendors (in slices: databases cap the bound parameters)."""
    wanted = [v for v in vendors if v.status != OFFBOARDED and v.risk_tier in tiers]
    if not wanted:
        return {}
    template_ids = sorted({s.template.id for s in tiers.values()})
    last: dict[tuple[int, int], date] = {}
    busy: set[tuple[int, int]] = set()
    for start in range(0, len(wanted), ID_BATCH):
        ids = [v.id for v in wanted[start : start + ID_BATCH]]
        last.update(_last_submitted(template_ids, ids))
        busy |= _open(template_ids, ids)
    result = {}
    for vendor in wanted:
        plan = tiers[vendor.risk_tier]
        key = (vendor.id, plan.template.id)
        if key in busy:
            continue  # being asked already
        last_on = last.get(key)
        created = vendor.created_at.astimezone(UTC).date()
        result[vendor.id] = (last_on, add_months(last_on, plan.months) if last_on else created)
    return result


def _by_template(query, template_ids: list[int], vendor_ids: list[int]):
    return (
        query.join(Campaign, Assignment.campaign_id == Campaign.id)
        .join(TemplateVersion, Campaign.template_version_id == TemplateVersion.id)
        .where(TemplateVersion.template_id.in_(template_ids), Assignment.vendor_id.in_(vendor_ids))
    )


def _last_submitted(template_ids: list[int], vendor_ids: list[int]) -> dict[tuple[int, int], date]:
    """When each vendor last submitted each template (one query)."""
    rows = db.session.execute(
        _by_template(
            select(
                Assignment.vendor_id, TemplateVersion.template_id, func.max(Assignment.submitted_at)
            ),
            template_ids,
            vendor_ids,
        )
        .where(Assignment.response_state.in_(SUBMITTED_STATES))
        .group_by(Assignment.vendor_id, TemplateVersion.template_id)
    )
    return {
        (vendor_id, tid): at.astimezone(UTC).date() for vendor_id, tid, at in rows if at is not None
    }


def _open(template_ids: list[int], vendor_ids: list[int]) -> set[tuple[int, int]]:
    """The (vendor, template) pairs with an assignment not yet submitted (one query)."""
    rows = db.session.execute(
        _by_template(
            select(Assignment.vendor_id, TemplateVersion.template_id),
            template_ids,
            vendor_ids,
        )
        .where(Assignment.response_state.not_in(SUBMITTED_STATES))
        .distinct()
    )
    return {(vendor_id, tid) for vendor_id, tid in rows}


def upcoming(today: date, days: int = UPCOMING_DAYS, owned=None) -> list[Due]:
    """Return the reassessments falling due by `today + days` and not yet sent, soonest first.

    Overdue ones (due before today) are included. `owned` limits the vendors (a SQL condition
    on Vendor.owner_id, as the dashboard's scope gives). Reads every scheduled vendor: for the
    sender and the CLI; the dashboard reads the same dates from its stored state.
    """
    tiers = schedule()
    if not tiers:
        return []
    query = select(Vendor).where(Vendor.status != OFFBOARDED, Vendor.risk_tier.in_(list(tiers)))
    if owned is not None:
        query = query.where(owned(Vendor.owner_id))
    vendors = db.session.scalars(query).all()
    dates = due_dates(vendors, tiers)
    end = today + timedelta(days=days)
    result = [
        Due(v, tiers[v.risk_tier], dates[v.id][1], dates[v.id][0])
        for v in vendors
        if v.id in dates and dates[v.id][1] <= end
    ]
    return sorted(result, key=lambda d: (d.due_on, d.vendor.name_key, d.vendor.id))


@dataclass
class SendResult:
    """What a run sent: the campaigns made, the vendors asked, and who could not be."""

    campaigns: list[Campaign] = field(default_factory=list)
    sent: list[Due] = field(default_factory=list)
    skipped: list[tuple[Due, str]] = field(default_factory=list)


def sender(email: str | None) -> User:
    """Return the active staff user reassessment invitations are sent as."""
    address = (email or current_app.config.get("REASSESSMENT_SENDER") or "").strip().lower()
    if not address:
        raise ScheduleError("say who sends the invitations: --sender or REASSESSMENT_SENDER")
    user = db.session.scalar(select(User).where(func.lower(User.email) == address))
    if user is None or not user.active or user.role not in ("manager", "admin"):
        raise ScheduleError(f"{address} is not an active vendor manager or admin")
    return user


def send_due(today: date, actor: User) -> SendResult:
    """Create one campaign per template for the vendors due by today, with their earlier
    answers offered and the invitations queued in the outbox. Flushes, never commits."""
    result = SendResult()
    due = upcoming(today, days=0)
    by_template: dict[int, list[Due]] = {}
    for item in due:
        by_template.setdefault(item.schedule.template.id, []).append(item)
    for items in by_template.values():
        version = items[0].schedule.version
        planned = {p.vendor.id: p for p in campaigns.plan([d.vendor.id for d in items])}
        ready = [d for d in items if not planned[d.vendor.id].problem]
        result.skipped += [(d, planned[d.vendor.id].problem or "") for d in items if d not in ready]
        if not ready:
            continue
        campaign = campaigns.create_campaign(
            name=f"Reassessment: {version.template.title}, {today:%d %B %Y}",
            template_version=version,
            vendor_ids=[d.vendor.id for d in ready],
            due_date=today + timedelta(days=current_app.config["REASSESSMENT_ANSWER_DAYS"]),
            tz_name=current_app.config.get("DISPLAY_TIMEZONE", "UTC"),
            message=(
                "This is the periodic review of your security baseline. Where a question is "
                "the same as in your last review, your earlier answer is filled in for you to "
                "confirm or change."
            ),
            reference_dates=campaigns.default_reference_dates(parsed_version(version)),
            actor=actor,
        )
        by_vendor = {a.vendor_id: a for a in campaign.assignments}
        for item in ready:
            db.session.add(
                ReassessmentSend(
                    vendor_id=item.vendor.id,
                    template_id=item.schedule.template.id,
                    tier=item.schedule.tier,
                    due_on=item.due_on,
                    assignment_id=by_vendor[item.vendor.id].id,
                )
            )
        db.session.flush()
        audit.record(
            "reassessment.sent",
            "campaign",
            campaign.id,
            actor_type="system",
            details={
                "vendors": [d.vendor.id for d in ready],
                "template": version.template_id,
                "sender": actor.id,
            },
        )
        result.campaigns.append(campaign)
        result.sent += ready
    return result
