"""Who may export what: the permission table gives the roles, these getters the ownership.

Compliance officers and admins export everything. A vendor manager exports the campaigns they
created and the vendors they work on: those they own (vendor.owner_id), those they reviewed (a
review decision of theirs on one of the vendor's assessments) and those they sent a campaign to.
A reviewer who decided on a vendor's answers must be able to hand over the record of that
decision. Every refusal is audited like the guard's.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import or_, select

from vendorrisk.audit import services as audit
from vendorrisk.campaigns.models import Assignment, Campaign
from vendorrisk.extensions import db
from vendorrisk.permissions import ADMIN, COMPLIANCE, MANAGER
from vendorrisk.reports.models import CAMPAIGN_PDF, VENDOR_PDF, ReportJob
from vendorrisk.review.models import ReviewDecision
from vendorrisk.vendors.models import Vendor

EVERYTHING = (ADMIN, COMPLIANCE)


def may_export(obj, user=None) -> bool:
    """Tell whether a user (the signed-in one by default) may export this vendor or campaign."""
    user = user or current_user
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role in EVERYTHING:
        return True
    if user.role != MANAGER:
        return False
    if isinstance(obj, Vendor):
        return obj.owner_id == user.id or works_on(obj.id, user.id)
    if isinstance(obj, Campaign):
        return obj.created_by_id == user.id
    return False


def works_on(vendor_id: int, user_id: int) -> bool:
    """Tell whether a user reviewed a vendor's answers or sent the vendor a campaign."""
    reviewed = select(ReviewDecision.id).where(
        ReviewDecision.assignment_id == Assignment.id, ReviewDecision.reviewer_id == user_id
    )
    query = (
        select(Assignment.id)
        .join(Campaign, Campaign.id == Assignment.campaign_id)
        .where(
            Assignment.vendor_id == vendor_id,
            or_(Campaign.created_by_id == user_id, reviewed.exists()),
        )
        .limit(1)
    )
    return db.session.scalar(query) is not None


def _refuse(object_type: str, object_id: int | str):
    audit.record("export.denied", object_type, object_id, outcome="denied")
    db.session.commit()
    abort(403)


def vendor_for_export_or_404(vendor_id: int) -> Vendor:
    """Return a vendor the signed-in user may export, 404 if unknown, 403 if not theirs."""
    vendor = db.session.get(Vendor, vendor_id) or abort(404)
    if not may_export(vendor):
        _refuse("vendor", vendor_id)
    return vendor


def campaign_for_export_or_404(campaign_id: int) -> Campaign:
    """Return a campaign the signed-in user may export, 404 if unknown, 403 if not theirs."""
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    if not may_export(campaign):
        _refuse("campaign", campaign_id)
    return campaign


def exportable_advisory_campaigns(slug: str, user=None) -> list[Campaign] | None:
    """Return the campaigns run for an advisory that a user may export, oldest first; None
    when the user may export nothing of it (everyone but compliance and admins needs one)."""
    user = user or current_user
    if not getattr(user, "is_authenticated", False):
        return None
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.advisory_slug == slug).order_by(Campaign.id)
    ).all()
    mine = [c for c in campaigns if may_export(c, user)]
    if user.role not in EVERYTHING and not mine:
        return None
    return mine


def advisory_campaigns_for_export(slug: str) -> list[Campaign]:
    """Return the advisory's campaigns the signed-in user may export; 403 (audited) if none."""
    campaigns = exportable_advisory_campaigns(slug)
    if campaigns is None:
        _refuse("advisory", slug)
    return campaigns or []


def subject_of(job: ReportJob) -> Vendor | Campaign | None:
    """Return the vendor or campaign a report job is about."""
    if job.kind == VENDOR_PDF:
        return db.session.get(Vendor, job.object_id)
    if job.kind == CAMPAIGN_PDF:
        return db.session.get(Campaign, job.object_id)
    return None


def job_for_user_or_404(job_id: int) -> ReportJob:
    """Return a report job whose subject the signed-in user may export (404 otherwise)."""
    job = db.session.get(ReportJob, job_id) or abort(404)
    subject = subject_of(job)
    if subject is None:
        abort(404)
    if not may_export(subject):
        _refuse("report_job", job_id)
    return job
