"""The stored portfolio state (migration 0023), and the indexes the dashboard's queries need
on other domains' tables (migration 0008).

Declared here, beside the queries that use them, so each one says why it exists; importing
this module attaches them to the tables' metadata, so the models still match the migrations.
Most are covering indexes: the counts read the index alone, never the table rows (findings and
revisions rows are wide, and revisions carry the score JSON).
"""

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vendorrisk.campaigns.models import Assignment, Campaign, ImpactAlert, Revision
from vendorrisk.core.timeutil import UTCDateTime
from vendorrisk.extensions import db
from vendorrisk.review.models import Finding
from vendorrisk.vendors.models import Vendor

INDEXES = (
    # Response counts per campaign, with what tells an overdue one (migration 0029), for all
    # vendors and for one owner's vendors (by the owner copied onto each assignment): the
    # counts read the index alone.
    Index(
        "ix_assignments_campaign_counts",
        Assignment.campaign_id,
        Assignment.response_state,
        Assignment.submitted_at,
        Assignment.due_at,
    ),
    Index(
        "ix_assignments_owner_campaign_counts",
        Assignment.vendor_owner_id,
        Assignment.campaign_id,
        Assignment.response_state,
        Assignment.submitted_at,
        Assignment.due_at,
    ),
    # The overdue list: the assignments still waiting for answers, in due order.
    Index(
        "ix_assignments_waiting_due",
        Assignment.due_at,
        Assignment.id,
        postgresql_where=Assignment.awaits_answers,
        sqlite_where=Assignment.awaits_answers,
    ),
    # Open campaigns and overdue assignments start from the campaigns due in a range.
    Index("ix_campaigns_due_at", Campaign.due_at),
    # Open and overdue findings by severity (everyone's; each vendor's; one owner's vendors,
    # by the owner copied onto each finding, migration 0029).
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
    Index(
        "ix_findings_owner_state_dates",
        Finding.vendor_owner_id,
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


class PortfolioVendor(db.Model):  # type: ignore[name-defined]
    """One current vendor's residual risk, latest core scores and last accepted baseline, as
    of the day and data named by the portfolio mark (see snapshot.py). Derived data: any row
    can be computed again from the record, and `flask dashboard refresh` rebuilds them all."""

    __tablename__ = "portfolio_vendors"
    __table_args__ = (
        Index("ix_portfolio_vendors_owner_residual", "owner_id", "residual"),
        Index("ix_portfolio_vendors_owner_stale", "owner_id", "inherent", "last_baseline"),
        Index("ix_portfolio_vendors_residual", "residual"),
        Index("ix_portfolio_vendors_reassess_due", "reassess_due"),
        Index("ix_portfolio_vendors_owner_reassess_due", "owner_id", "reassess_due"),
    )

    vendor_id: Mapped[int] = mapped_column(
        ForeignKey("vendors.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    owner_id: Mapped[int | None] = mapped_column(Integer)
    inherent: Mapped[int] = mapped_column(Integer)
    residual: Mapped[int] = mapped_column(Integer)
    last_baseline: Mapped[date | None] = mapped_column(Date)
    certificate_rotation: Mapped[float | None] = mapped_column(Float)
    incident_readiness: Mapped[float | None] = mapped_column(Float)
    # The next baseline reassessment (reassessments.services.due_dates): when it falls due,
    # and when the vendor last submitted the scheduled template. None: not scheduled, or
    # being asked already.
    reassess_due: Mapped[date | None] = mapped_column(Date)
    reassess_last: Mapped[date | None] = mapped_column(Date)


class PortfolioMark(db.Model):  # type: ignore[name-defined]
    """The single row saying what the stored portfolio state was computed from: the
    fingerprint of the data, the day, the staleness age and the reassessment schedule, and a
    version that changes with
    every write (a page keeps figures it aggregated only while the version holds)."""

    __tablename__ = "portfolio_marks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    fingerprint: Mapped[str | None] = mapped_column(Text)
    day: Mapped[date | None] = mapped_column(Date)
    stale_days: Mapped[int | None] = mapped_column(Integer)
    schedule: Mapped[str | None] = mapped_column(Text)  # the reassessment schedule used
    version: Mapped[str] = mapped_column(String(32), default="")
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
