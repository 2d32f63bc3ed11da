"""What a portal section page reads, as plain rows: no ORM objects on the busiest vendor page.

Building ORM objects (six joined entities, then the response's evidence and revisions, and the
template version's whole JSON content on every request) was about half of a section page. The
page needs a few columns of each, so they are read here with Core selects, two queries a page
(a third only when the response holds answers offered for reuse), into small frozen views that
carry the attribute names the services and templates already use (`assignment.vendor.name`,
`response.open_revision`, `evidence.filename`, ...). The template version's content is read
only when the parsed-version cache misses (a version never changes).

Only the GET of a section uses these views; every write goes through the ORM as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, Table, and_, bindparam, exists, func, select

from vendorrisk.campaigns.models import (
    SUBMITTED,
    SUBMITTED_LATE,
    Assignment,
    Campaign,
    Evidence,
    Recipient,
    Response,
    ReusedAnswer,
    Revision,
    effective_due,
)
from vendorrisk.extensions import db
from vendorrisk.questionnaires.models import TemplateVersion
from vendorrisk.vendors.models import Contact, Vendor


@cache
def _content_query() -> Select:
    version = _table(TemplateVersion).c
    return select(version.content).where(version.id == bindparam("version_id"))


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
    # The earlier answers offered for reuse: [] when the response has none (known from the
    # page's one query), None when `campaigns.reuse` must read them (a few rows at most).
    reused_answers: list | None = None

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
    extended_due_at: datetime | None = None
    response: ResponseView | None = None

    @property
    def is_submitted(self) -> bool:
        return self.response_state in (SUBMITTED, SUBMITTED_LATE)

    @property
    def effective_due_at(self) -> datetime:
        return effective_due(self.extended_due_at, self.campaign.due_at)


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


def _table(model: Any) -> Table:
    return model.__table__


@cache
def _section_query() -> Select:
    # Built once per process, on the tables (not the ORM classes): building a statement and the
    # ORM's handling of it cost more than running it.
    recipient, contact, assignment = _table(Recipient), _table(Contact), _table(Assignment)
    vendor, campaign, version = _table(Vendor), _table(Campaign), _table(TemplateVersion)
    response, revision = _table(Response), _table(Revision)
    latest = revision.alias("latest")
    reused = _table(ReusedAnswer)
    has_offers = (
        exists()
        .where(reused.c.response_id == response.c.id, reused.c.revision_id.is_(None))
        .correlate(response)
    )
    newest = (
        select(func.max(revision.c.number))
        .where(revision.c.response_id == response.c.id)
        .correlate(response)
        .scalar_subquery()
    )
    return (
        select(
            recipient.c.id,
            recipient.c.nonce,
            recipient.c.expires_at,
            recipient.c.revoked_at,
            contact.c.erased_at,
            assignment.c.response_state,
            assignment.c.extended_due_at,
            vendor.c.id.label("vendor_id"),
            vendor.c.name,
            campaign.c.id.label("campaign_id"),
            campaign.c.advisory_slug,
            campaign.c.reference_dates,
            campaign.c.due_date,
            campaign.c.timezone,
            campaign.c.due_at,
            campaign.c.template_version_id,
            version.c.content_hash,
            response.c.id.label("response_id"),
            response.c.version,
            response.c.draft,
            latest.c.id.label("revision_id"),
            latest.c.number,
            latest.c.reason,
            latest.c.editable_questions,
            latest.c.submitted_at,
            has_offers.label("has_offers"),
        )
        .select_from(recipient)
        .join(contact, contact.c.id == recipient.c.contact_id)
        .join(assignment, assignment.c.id == recipient.c.assignment_id)
        .join(vendor, vendor.c.id == assignment.c.vendor_id)
        .join(campaign, campaign.c.id == assignment.c.campaign_id)
        .join(version, version.c.id == campaign.c.template_version_id)
        .join(response, response.c.assignment_id == assignment.c.id)
        .outerjoin(latest, and_(latest.c.response_id == response.c.id, latest.c.number == newest))
        .where(
            recipient.c.id.in_(bindparam("recipient_ids", expanding=True)),
            recipient.c.assignment_id == bindparam("assignment_id"),
        )
        .order_by(recipient.c.id)
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
            assignment_id,
            row.response_state,
            VendorView(row.vendor_id, row.name),
            campaign,
            row.extended_due_at,
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
            row.response_id,
            row.version,
            row.draft,
            revision,
            assignment,
            reused_answers=None if row.has_offers else [],
        )
        out.append((recipient, assignment))
    return out


@cache
def _evidence_query() -> Select:
    evidence = _table(Evidence).c
    return (
        select(
            evidence.id,
            evidence.question_id,
            evidence.filename,
            evidence.size,
            evidence.sha256,
            evidence.first_submitted_revision,
        )
        .where(evidence.response_id == bindparam("response_id"), evidence.removed_at.is_(None))
        .order_by(evidence.id)
    )


def load_evidence(response: ResponseView) -> None:
    """Read the files attached now (removed ones left out) into the response view."""
    rows = db.session.execute(_evidence_query(), {"response_id": response.id})
    response.evidence = [EvidenceView(*row) for row in rows]
