"""Indexes the dashboard's queries need on other domains' tables (migration 0008).

Declared here, beside the queries that use them, so each one says why it exists; importing
this module attaches them to the tables' metadata, so the models still match the migrations.
Most are covering indexes: the counts read the index alone, never the table rows (findings and
revisions rows are wide, and revisions carry the score JSON).
"""

from sqlalchemy import Index

from vendorrisk.campaigns.models import Assignment, Campaign, ImpactAlert, Revision
from vendorrisk.review.models import Finding
from vendorrisk.vendors.models import Vendor

INDEXES = (
    # Response counts per campaign (all vendors), and per campaign for one owner's vendors.
    Index("ix_assignments_campaign_state", Assignment.campaign_id, Assignment.response_state),
    Index(
        "ix_assignments_vendor_campaign_state",
        Assignment.vendor_id,
        Assignment.campaign_id,
        Assignment.response_state,
    ),
    # Open campaigns and overdue assignments start from the campaigns due in a range.
    Index("ix_campaigns_due_at", Campaign.due_at),
    # Open and overdue findings by severity (everyone's; one owner's vendors).
    Index(
        "ix_findings_severity_state_dates",
        Finding.severity,
        Finding.state,
        Finding.plan_date,
        Finding.due_date,
        Finding.acceptance_expires_on,
    ),
    Index(
        "ix_findings_vendor_state_dates",
        Finding.vendor_id,
        Finding.state,
        Finding.severity,
        Finding.plan_date,
        Finding.due_date,
        Finding.acceptance_expires_on,
    ),
    # Risk acceptances running out soon.
    Index("ix_findings_state_expires", Finding.state, Finding.acceptance_expires_on),
    # Impact signals nobody has handled, newest first.
    Index("ix_impact_alerts_handled_raised", ImpactAlert.handled_at, ImpactAlert.raised_at),
    # The snapshot's fingerprint: newest submission and vendor change, counted from indexes.
    Index("ix_revisions_submitted_at", Revision.submitted_at),
    Index("ix_vendors_updated_at", Vendor.updated_at),
)
