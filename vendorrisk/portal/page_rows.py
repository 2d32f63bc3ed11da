"""What a portal section page reads, as plain rows: no ORM objects on the busiest vendor page.

Building ORM objects (six joined entities, then the response's evidence and revisions, and the
template version's whole JSON content on every request) was about half of a section page. The
page needs a few columns of each, so they are read here with Core selects, two queries a page,
into small frozen views that carry the attribute names the services and templates already use
(`assignment.vendor.name`, `response.open_revision`, `evidence.filename`, ...). The template
version's content is read only when the parsed-version cache misses (a version never changes).

Only the GET of a section uses these views; every write goes through the ORM as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, select
from sqlalchemy.orm import aliased

from vendorrisk.campaigns.models import (
    SUBMITTED,
    SUBMITTED_LATE,
    Assignment,
    Campaign,
    Evidence,
    Recipient,
    Response,
    Revision,
)
from vendorrisk.extensions import db
from vendorrisk.questionnaires.models import TemplateVersion
from vendorrisk.vendors.models import Contact, Vendor


@cache
def _content_query() -> Select:
    return select(TemplateVersion.content).where(TemplateVersion.id == bindparam("version_id"))


@dataclass(frozen=True, slots=True)
class VersionView:
    """A template version's identity; its content is read only if the parse cache misses."""

    id: int
    content_hash: str

    @property
    def content(self) -> Any:
        return db.session.scalar(_content_query(), {"version_id": self.id})


@dataclass(frozen=True, slots=True)
class CampaignView:
    id: int
    advisory_slug: str | None
    reference_dates: dict | None
    due_date: date
    timezone: str
    due_at: datetime
    template_version: VersionView


@dataclass(frozen=True, slots=True)
class VendorView:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class RevisionView:
    id: int
    number: int
    reason: str | None
    editable_questions: list | None
    submitted_at: datetime | None


@dataclass(frozen=True, slots=True)
class EvidenceView:
    id: int
    question_id: str
    filename: str
    size: int
    sha256: str
    first_submitted_revision: int | None
    removed_at: None = None


@dataclass(slots=True)
class ResponseView:
    id: int
    version: int
    draft: dict | None
    latest_revision: RevisionView | None
    assignment: AssignmentView
    evidence: list[EvidenceView] = field(default_factory=list)

    @property
    def open_revision(self) -> RevisionView | None:
        latest = self.latest_revision
        return latest if latest is not None and latest.submitted_at is None else None


@dataclass(slots=True)
class AssignmentView:
    id: int
    response_state: str
    vendor: VendorView
    campaign: CampaignView
    response: ResponseView | None = None

    @property
    def is_submitted(self) -> bool:
        return self.response_state in (SUBMITTED, SUBMITTED_LATE)


@dataclass(frozen=True, slots=True)
class RecipientView:
    """What the access check reads of a recipient (the same rule as `Recipient.usable`)."""

    id: int
    assignment_id: int
    nonce: str
    expires_at: datetime
    revoked_at: datetime | None
    erased_at: datetime | None

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at and self.erased_at is None


def _latest_number():
    return (
        select(func.max(Revision.number))
        .where(Revision.response_id == Response.id)
        .correlate(Response)
        .scalar_subquery()
    )


@cache
def _section_query() -> Select:
    # Built once per process: building a statement costs more than running it.
    latest = aliased(Revision, name="latest")  # an alias: the subquery's Revision correlates
    return (
        select(
            Recipient.id,
            Recipient.nonce,
            Recipient.expires_at,
            Recipient.revoked_at,
            Contact.erased_at,
            Assignment.response_state,
            Vendor.id.label("vendor_id"),
            Vendor.name,
            Campaign.id.label("campaign_id"),
            Campaign.advisory_slug,
            Campaign.reference_dates,
            Campaign.due_date,
            Campaign.timezone,
            Campaign.due_at,
            Campaign.template_version_id,
            TemplateVersion.content_hash,
            Response.id.label("response_id"),
            Response.version,
            Response.draft,
            latest.id.label("revision_id"),
            latest.number,
            latest.reason,
            latest.editable_questions,
            latest.submitted_at,
        )
        .join(Contact, Contact.id == Recipient.contact_id)
        .join(Assignment, Assignment.id == Recipient.assignment_id)
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .join(Campaign, Campaign.id == Assignment.campaign_id)
        .join(TemplateVersion, TemplateVersion.id == Campaign.template_version_id)
        .join(Response, Response.assignment_id == Assignment.id)
        .outerjoin(
            latest,
            and_(latest.response_id == Response.id, latest.number == _latest_number()),
        )
        .where(
            Recipient.id.in_(bindparam("recipient_ids", expanding=True)),
            Recipient.assignment_id == bindparam("assignment_id"),
        )
        .order_by(Recipient.id)
    )


def section_rows(assignment_id: int, recipient_ids: list[int]) -> list[tuple]:
    """Return (recipient, assignment) views for the granted recipients of one assignment."""
    params = {"assignment_id": assignment_id, "recipient_ids": recipient_ids}
    out = []
    for row in db.session.execute(_section_query(), params):
        recipient = RecipientView(
            row.id, assignment_id, row.nonce, row.expires_at, row.revoked_at, row.erased_at
        )
        campaign = CampaignView(
            row.campaign_id,
            row.advisory_slug,
            row.reference_dates,
            row.due_date,
            row.timezone,
            row.due_at,
            VersionView(row.template_version_id, row.content_hash),
        )
        assignment = AssignmentView(
            assignment_id, row.response_state, VendorView(row.vendor_id, row.name), campaign
        )
        revision = None
        if row.revision_id is not None:
            revision = RevisionView(
                row.revision_id,
                row.number,
                row.reason,
                row.editable_questions,
                row.submitted_at,
            )
        assignment.response = ResponseView(
            row.response_id, row.version, row.draft, revision, assignment
        )
        out.append((recipient, assignment))
    return out


@cache
def _evidence_query() -> Select:
    return (
        select(
            Evidence.id,
            Evidence.question_id,
            Evidence.filename,
            Evidence.size,
            Evidence.sha256,
            Evidence.first_submitted_revision,
        )
        .where(Evidence.response_id == bindparam("response_id"), Evidence.removed_at.is_(None))
        .order_by(Evidence.id)
    )


def load_evidence(response: ResponseView) -> None:
    """Read the files attached now (removed ones left out) into the response view."""
    rows = db.session.execute(_evidence_query(), {"response_id": response.id})
    response.evidence = [EvidenceView(*row) for row in rows]
