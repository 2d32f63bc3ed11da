"""Reading findings and residual risk for many vendors at once, in a fixed number of queries."""

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from vendorrisk.campaigns.models import Assignment, Campaign, Response, Revision
from vendorrisk.extensions import db
from vendorrisk.questionnaires.models import Template, TemplateVersion
from vendorrisk.review import effective
from vendorrisk.review.models import (
    ACCEPTING,
    OPEN,
    PLANNED,
    RISK_ACCEPTED,
    Finding,
    ReviewDecision,
)
from vendorrisk.review.residual import Assessment, Residual, residual_risk
from vendorrisk.vendors.models import Vendor


def category_label(category_id: str | None, labels: dict[str, str]) -> str:
    """Return a category's title, or a readable form of its id when no template names it."""
    if not category_id:
        return ""
    return labels.get(category_id) or category_id.replace("_", " ").capitalize()


def category_labels() -> dict[str, str]:
    """Return {category id: title} from every template version sent in a campaign."""
    from vendorrisk.questionnaires.services import parsed_version

    versions = db.session.scalars(
        select(TemplateVersion).where(
            TemplateVersion.id.in_(select(Campaign.template_version_id).distinct())
        )
    ).all()
    labels: dict[str, str] = {}
    for version in sorted(versions, key=lambda v: v.id):  # a later version's title wins
        labels.update({c.id: c.title for c in parsed_version(version).categories})
    return labels


def open_condition(today: date):
    """SQL condition for a finding that counts as open (an expired acceptance counts)."""
    return or_(
        Finding.state.in_([OPEN, PLANNED]),
        and_(Finding.state == RISK_ACCEPTED, Finding.acceptance_expires_on < today),
    )


def findings_query(filters: dict, today: date) -> Select:
    """Return the findings matching the list filters, most severe and oldest first."""
    from sqlalchemy import case

    rank = case({"critical": 0, "high": 1, "medium": 2, "low": 3}, value=Finding.severity)
    query = (
        select(Finding)
        .options(selectinload(Finding.vendor), selectinload(Finding.owner))
        .order_by(rank, Finding.id)
    )
    if filters.get("severity"):
        query = query.where(Finding.severity == filters["severity"])
    state = filters.get("state")
    if state == "open":
        query = query.where(open_condition(today))
    elif state:
        query = query.where(Finding.state == state)
    if filters.get("overdue"):
        query = query.where(overdue_condition(today))
    if filters.get("expiring") is not None:
        query = query.where(expiring_condition(today, filters["expiring"]))
    if filters.get("category"):
        query = query.where(Finding.category == filters["category"])
    if filters.get("vendor_id"):
        query = query.where(Finding.vendor_id == filters["vendor_id"])
    if filters.get("owner"):
        owned = select(Vendor.id).where(Vendor.owner_id == filters["owner"])
        query = query.where(Finding.vendor_id.in_(owned))
    return query


def overdue_condition(today: date):
    """SQL condition for a finding still open past its planned date (or its due date)."""
    target = func.coalesce(Finding.plan_date, Finding.due_date)
    return and_(Finding.state.in_([OPEN, PLANNED]), target < today)


def expiring_condition(today: date, days: int):
    """SQL condition for a risk acceptance that runs out within `days` days from today."""
    return and_(
        Finding.state == RISK_ACCEPTED,
        Finding.acceptance_expires_on >= today,
        Finding.acceptance_expires_on <= today + timedelta(days=days),
    )


# Vendors per round of queries: each id is a bound parameter, and databases cap their number
# (SQLite 32,766; PostgreSQL 65,535), so a portfolio of any size is read in slices.
ID_BATCH = 5000


def residual_for(vendors: list[Vendor], today: date | None = None) -> dict[int, Residual]:
    """Compute residual risk for each vendor: four queries per 5,000 vendors."""
    today = today or date.today()
    result: dict[int, Residual] = {}
    for start in range(0, len(vendors), ID_BATCH):
        result.update(_residual_batch(vendors[start : start + ID_BATCH], today))
    return result


def _residual_batch(vendors: list[Vendor], today: date) -> dict[int, Residual]:
    ids = [v.id for v in vendors]
    # Only these vendors' revisions: grouping every revision made a 50-vendor page read all.
    latest_number = (
        select(Revision.response_id, func.max(Revision.number).label("number"))
        .join(Response, Response.id == Revision.response_id)
        .join(Assignment, Assignment.id == Response.assignment_id)
        .where(Revision.submitted_at.is_not(None), Assignment.vendor_id.in_(ids))
        .group_by(Revision.response_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Assignment.id,
            Assignment.vendor_id,
            Template.kind,
            Campaign.name,
            Revision.id.label("revision_id"),
            Revision.band,
            Revision.impact,
            Revision.submitted_at,
        )
        .join(Campaign, Campaign.id == Assignment.campaign_id)
        .join(TemplateVersion, TemplateVersion.id == Campaign.template_version_id)
        .join(Template, Template.id == TemplateVersion.template_id)
        .join(Response, Response.assignment_id == Assignment.id)
        .join(latest_number, latest_number.c.response_id == Response.id)
        .join(
            Revision,
            and_(Revision.response_id == Response.id, Revision.number == latest_number.c.number),
        )
        .where(Assignment.vendor_id.in_(ids))
    ).all()
    decisions: dict[int, tuple[str, date]] = {}
    for assignment_id, verdict, decided_at in db.session.execute(
        select(ReviewDecision.assignment_id, ReviewDecision.decision, ReviewDecision.decided_at)
        .where(
            ReviewDecision.assignment_id.in_(
                select(Assignment.id).where(Assignment.vendor_id.in_(ids))
            )
        )
        .order_by(ReviewDecision.id)
    ):
        decisions[assignment_id] = (verdict, decided_at.date())
    severities: dict[int, list[str]] = {}
    for vendor_id, severity in db.session.execute(
        select(Finding.vendor_id, Finding.severity).where(
            Finding.vendor_id.in_(ids), open_condition(today)
        )
    ):
        severities.setdefault(vendor_id, []).append(severity)
    # The band a person sees: reviewer overrides in force change it.
    bands = effective.effective_bands({row.revision_id: row.band for row in rows})
    assessments: dict[int, list[Assessment]] = {}
    for assignment_id, vendor_id, kind, name, revision_id, _, impact, _submitted_at in rows:
        entry = decisions.get(assignment_id)
        decision = entry[0] if entry else None
        decided_on = entry[1] if entry else None
        assessments.setdefault(vendor_id, []).append(
            Assessment(
                kind=kind,
                band=bands[revision_id],
                reviewed_on=decided_on,
                accepted=decision in ACCEPTING,
                impact=bool(impact),
                name=name,
            )
        )
    stale = current_app.config.get("ASSESSMENT_STALE_DAYS", 365)
    return {
        v.id: residual_risk(
            v.risk_tier, assessments.get(v.id, []), severities.get(v.id, []), today, stale
        )
        for v in vendors
    }


def accepted_baselines(vendor_ids: list[int] | None = None) -> Select:
    """Each vendor's latest accepted baseline assessment: (vendor id, decided at).

    An assignment counts when its latest decision accepts it, as in residual_for; a vendor
    without a row here has never had a baseline assessment accepted. `vendor_ids` limits it
    to some vendors (None: all).
    """
    latest = select(ReviewDecision.assignment_id, func.max(ReviewDecision.id).label("id"))
    if vendor_ids is not None:
        latest = latest.where(
            ReviewDecision.assignment_id.in_(
                select(Assignment.id).where(Assignment.vendor_id.in_(vendor_ids))
            )
        )
    newest = latest.group_by(ReviewDecision.assignment_id).subquery()
    return (
        select(Assignment.vendor_id, func.max(ReviewDecision.decided_at).label("decided_at"))
        .join(newest, newest.c.assignment_id == Assignment.id)
        .join(ReviewDecision, ReviewDecision.id == newest.c.id)
        .join(Campaign, Campaign.id == Assignment.campaign_id)
        .join(TemplateVersion, TemplateVersion.id == Campaign.template_version_id)
        .join(Template, Template.id == TemplateVersion.template_id)
        .where(Template.kind == "baseline", ReviewDecision.decision.in_(ACCEPTING))
        .group_by(Assignment.vendor_id)
    )
