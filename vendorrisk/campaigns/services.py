"""Creating and sending campaigns, and managing each recipient's link."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from vendorrisk.audit import services as audit
from vendorrisk.campaigns import reuse
from vendorrisk.campaigns.models import (
    SUBMITTED,
    SUBMITTED_LATE,
    Assignment,
    Campaign,
    DueDateChange,
    Recipient,
    Response,
    Revision,
)
from vendorrisk.core import links
from vendorrisk.core.timeutil import utcnow, zone
from vendorrisk.core.urls import external_url
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.scoring import ScoreResult
from vendorrisk.vendors.models import Contact, Vendor
from vendorrisk.vendors.services import campaign_recipients

if TYPE_CHECKING:
    from vendorrisk.questionnaires.models import TemplateVersion

PORTAL_PURPOSE = "portal"
SUBJECT_PREFIX = {
    "invitation": "",
    "reminder": "Reminder: ",
    "overdue": "Overdue: ",
    "extended": "More time: ",
}


class CampaignError(ValueError):
    """A refused campaign operation, with a message fit to show the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def due_at_for(due_date: date, tz_name: str) -> datetime:
    """Return the end of the due date in the campaign's time zone, as UTC."""
    local_end = datetime.combine(due_date, time(23, 59, 59), tzinfo=zone(tz_name))
    return local_end.astimezone(UTC)


def link_expiry(assignment: Assignment) -> datetime:
    """Links stay valid for a grace period after the vendor's due time, so late answers can
    arrive."""
    grace = timedelta(days=current_app.config.get("PORTAL_LINK_GRACE_DAYS", 30))
    return assignment.effective_due_at + grace


@dataclass
class PlannedAssignment:
    """What sending would do for one vendor: who receives the invitation, or why nobody can."""

    vendor: Vendor
    recipients: list[Contact] = field(default_factory=list)

    @property
    def problem(self) -> str | None:
        if not self.recipients:
            return "No security or primary contact with an e-mail address."
        return None


def plan(vendor_ids: list[int]) -> list[PlannedAssignment]:
    """Return, per chosen vendor, the contacts who would receive the invitation."""
    vendors = db.session.scalars(
        select(Vendor)
        .where(Vendor.id.in_(vendor_ids))
        .options(selectinload(Vendor.contacts))
        .order_by(Vendor.name_key)
    ).all()
    return [PlannedAssignment(v, [c for c in campaign_recipients(v) if c.email]) for v in vendors]


def create_campaign(
    *,
    name: str,
    template_version,
    vendor_ids: list[int],
    due_date: date,
    tz_name: str,
    message: str | None,
    reference_dates: dict[str, str],
    actor,
    advisory_slug: str | None = None,
) -> Campaign:
    """Create the campaign, an assignment per vendor and a link per recipient, and queue the
    invitations in the same transaction."""
    if template_version.status != "approved":
        raise CampaignError("This template version is not approved yet.", "template")
    due_at = due_at_for(due_date, tz_name)
    if due_at <= utcnow():
        raise CampaignError("The due date must be in the future.", "due_date")
    planned = [p for p in plan(vendor_ids) if not p.problem]
    if not planned:
        raise CampaignError("None of the chosen vendors has a contact to send to.", "vendors")
    campaign = Campaign(
        name=name.strip(),
        template_version_id=template_version.id,
        advisory_slug=advisory_slug,
        reference_dates=reference_dates,
        due_date=due_date,
        timezone=tz_name,
        due_at=due_at,
        message=(message or "").strip() or None,
        created_by_id=actor.id,
        sent_at=utcnow(),
    )
    db.session.add(campaign)
    db.session.flush()
    parsed = parsed_version(template_version)
    for item in planned:
        assignment = Assignment(campaign=campaign, vendor_id=item.vendor.id)
        db.session.add(assignment)
        db.session.add(Response(assignment=assignment, draft={}))
        db.session.flush()
        reuse.offer(assignment, parsed)  # the vendor's earlier answers, to confirm
        for contact in item.recipients:
            _add_recipient(assignment, contact, actor=None)
    audit.record(
        "campaign.sent",
        "campaign",
        campaign.id,
        details={
            "template_version": template_version.id,
            "vendors": [p.vendor.id for p in planned],
            "due_date": due_date.isoformat(),
            "timezone": tz_name,
        },
    )
    return campaign


def _issue_link(recipient: Recipient) -> None:
    recipient.nonce = links.new_nonce()
    recipient.issued_at = utcnow()
    recipient.revoked_at = None
    if recipient.id is None:
        recipient.token_hash = links.new_nonce()  # placeholder until the row has an id
        db.session.add(recipient)
        db.session.flush()
    recipient.token_hash = links.token_hash(
        links.derive_token(PORTAL_PURPOSE, recipient.id, recipient.nonce)
    )


def queue_message(recipient: Recipient, template: str = "invitation") -> None:
    """Queue an invitation, reminder or overdue notice carrying the recipient's link."""
    assignment = recipient.assignment
    campaign = assignment.campaign
    contact = recipient.contact
    message = outbox.queue(
        template,
        contact.email,
        SUBJECT_PREFIX[template] + f"Due-diligence questionnaire: {campaign.name}",
        link=(PORTAL_PURPOSE, recipient.id),
        related=("recipient", recipient.id),
        contact_name=contact.name,
        vendor_name=assignment.vendor.name,
        campaign=campaign,
        due_display=assignment_due_display(assignment),
        sender_name=campaign.created_by.name,
    )
    db.session.flush()
    recipient.last_message_id = message.id


def due_display(campaign: Campaign) -> str:
    """Show a due date the way vendors see it: the day, end of day, in the campaign's zone."""
    return _day_display(campaign.due_date, campaign.timezone)


def due_day(due_at: datetime, campaign: Campaign) -> date:
    """Return the day a due time of this campaign falls on, in the campaign's zone."""
    if due_at == campaign.due_at:
        return campaign.due_date
    return due_at.astimezone(zone(campaign.timezone)).date()


def assignment_due_day(assignment) -> date:
    """Return the day one vendor's answers are due, in the campaign's zone (its own, when it
    was given more time)."""
    return due_day(assignment.effective_due_at, assignment.campaign)


def assignment_due_display(assignment) -> str:
    """Show one vendor's due date the way it sees it: the day, end of day, in the zone."""
    return _day_display(assignment_due_day(assignment), assignment.campaign.timezone)


def _day_display(day: date, tz_name: str) -> str:
    return f"{day:%d %B %Y}, end of day ({tz_name})"


def _add_recipient(assignment: Assignment, contact: Contact, actor) -> Recipient:
    recipient = Recipient(
        assignment=assignment,
        contact=contact,
        expires_at=link_expiry(assignment),
        added_by_id=actor.id if actor else None,
    )
    _issue_link(recipient)
    queue_message(recipient)
    return recipient


def add_recipient(assignment: Assignment, contact: Contact, actor) -> Recipient:
    """Invite one more person of the vendor to answer this assignment."""
    if contact.vendor_id != assignment.vendor_id or contact.erased or not contact.email:
        raise CampaignError("Choose a contact of this vendor with an e-mail address.", "contact")
    if any(r.contact_id == contact.id for r in assignment.recipients):
        raise CampaignError("This contact already has a link for this questionnaire.", "contact")
    recipient = _add_recipient(assignment, contact, actor)
    audit.record(
        "recipient.added",
        "recipient",
        recipient.id,
        details={"assignment": assignment.id, "contact": contact.id},
    )
    return recipient


def resend(recipient: Recipient, actor) -> None:
    """Send a fresh link; the earlier link of this recipient stops working."""
    if recipient.contact.erased or not recipient.contact.email:
        raise CampaignError("This contact has no e-mail address any more; add another recipient.")
    _issue_link(recipient)
    recipient.expires_at = max(recipient.expires_at, link_expiry(recipient.assignment))
    queue_message(recipient)
    audit.record("recipient.link_resent", "recipient", recipient.id)


def revoke(recipient: Recipient, actor) -> None:
    """Stop this recipient's link from working (colleagues' links are untouched)."""
    if recipient.revoked_at is None:
        recipient.revoked_at = utcnow()
        audit.record("recipient.link_revoked", "recipient", recipient.id)


def extend_due_date(campaign: Campaign, new_date: date, reason: str, actor) -> None:
    """Move the due date later; links and the reminder schedule follow it (a vendor given
    until a later day keeps it)."""
    if not reason.strip():
        raise CampaignError("Give a reason for the extension.", "reason")
    if new_date <= campaign.due_date:
        raise CampaignError("The new due date must be later than the current one.", "due_date")
    db.session.add(
        DueDateChange(
            campaign=campaign,
            old_due_date=campaign.due_date,
            new_due_date=new_date,
            reason=reason.strip(),
            changed_by_id=actor.id,
        )
    )
    campaign.due_date = new_date
    campaign.due_at = due_at_for(new_date, campaign.timezone)
    for assignment in campaign.assignments:
        expiry = link_expiry(assignment)
        for recipient in assignment.recipients:
            recipient.expires_at = max(recipient.expires_at, expiry)
    audit.record(
        "campaign.extended", "campaign", campaign.id, details={"due_date": new_date.isoformat()}
    )


def portal_link(ref: str) -> str | None:
    """Derive a recipient's portal link while its invitation is being sent."""
    recipient = db.session.get(Recipient, int(ref))
    if recipient is None or not recipient.usable():
        return None
    token = links.derive_token(PORTAL_PURPOSE, recipient.id, recipient.nonce)
    return external_url("portal.landing", token=token)


def prefetch_portal_links(refs: list[str]) -> list[Recipient]:
    """Load a batch of recipients and their contacts, so `portal_link` reads nothing more."""
    ids = [int(ref) for ref in refs if ref.isdigit()]
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Recipient).where(Recipient.id.in_(ids)).options(joinedload(Recipient.contact))
        )
    )


def recipient_for_token(token: str) -> Recipient | None:
    """Return the recipient whose current, unexpired, unrevoked link this is."""
    if not links.looks_like_token(token):
        return None
    recipient = db.session.scalar(
        select(Recipient).where(Recipient.token_hash == links.token_hash(token))
    )
    if recipient is None or not recipient.usable():
        return None
    return recipient


def launchable_versions() -> list:
    """Return the latest approved version of every template that is not archived."""
    from vendorrisk.questionnaires.models import APPROVED, Template, TemplateVersion

    rows = db.session.scalars(
        select(TemplateVersion)
        .join(Template)
        .where(TemplateVersion.status == APPROVED, Template.archived_at.is_(None))
        .options(selectinload(TemplateVersion.template))
        .order_by(Template.title, TemplateVersion.number.desc())
    ).all()
    latest: dict[int, object] = {}
    for version in rows:
        latest.setdefault(version.template_id, version)
    return list(latest.values())


def vendors_matching(
    tier: str | None, data_access: str | None, product_id: str | None
) -> list[int]:
    """Return the ids of active or onboarding vendors matching the campaign filters."""
    from vendorrisk.vendors.models import OFFBOARDED, ProductUse

    query = select(Vendor.id).where(Vendor.status != OFFBOARDED)
    if tier:
        query = query.where(Vendor.risk_tier == int(tier))
    if data_access:
        query = query.where(Vendor.data_access == data_access)
    if product_id:
        query = query.where(
            Vendor.id.in_(
                select(ProductUse.vendor_id).where(ProductUse.product_id == int(product_id))
            )
        )
    return list(db.session.scalars(query))


def default_reference_dates(parsed_template) -> dict[str, str]:
    """Return the template's reference dates with their defaults (ISO strings)."""
    return {
        ref.name: ref.default.isoformat()
        for ref in parsed_template.reference_dates
        if ref.default is not None
    }


def campaign_page_data(campaign_id: int) -> Campaign | None:
    """Load a campaign with everything its page shows, in a fixed number of queries."""
    return db.session.scalar(
        select(Campaign)
        .where(Campaign.id == campaign_id)
        .options(
            selectinload(Campaign.assignments).selectinload(Assignment.vendor),
            selectinload(Campaign.assignments)
            .selectinload(Assignment.recipients)
            .selectinload(Recipient.contact),
            selectinload(Campaign.assignments)
            .selectinload(Assignment.recipients)
            .selectinload(Recipient.last_message),
            selectinload(Campaign.due_changes),
        )
    )


def response_rate(campaign: Campaign) -> tuple[int, int]:
    """Return (submitted, total) assignments."""
    total = len(campaign.assignments)
    return sum(1 for a in campaign.assignments if a.is_submitted), total


@dataclass(frozen=True)
class Submission:
    """What a vendor's submission freezes into its revision."""

    answers: dict
    evidence_index: list[dict]
    name: str
    title: str
    attestation_hash: str
    result: ScoreResult
    at: datetime
    late: bool


def record_submission(
    revision: Revision, recipient: Recipient | None, submission: Submission
) -> None:
    """Write a submitted revision and move its assignment to submitted (and not yet reviewed)."""
    result = submission.result
    revision.answers = submission.answers
    revision.evidence_index = submission.evidence_index
    revision.attestation_name = submission.name.strip()
    revision.attestation_title = submission.title.strip()
    revision.attestation_hash = submission.attestation_hash
    revision.score = result.to_dict()
    revision.band = result.band
    revision.overall = float(result.overall) if result.overall is not None else None
    revision.not_exposed = result.not_exposed
    revision.impact = bool(result.impact_signals)
    revision.engine_version = result.engine_version
    revision.submitted_at = submission.at
    revision.submitted_by_recipient_id = recipient.id if recipient is not None else None
    revision.late = submission.late
    response = revision.response
    assignment = response.assignment
    # Late is said of the answers' first submission, which a later round's reply keeps.
    first_late = any(r.late for r in response.revisions if r.submitted_at is not None)
    assignment.response_state = SUBMITTED_LATE if first_late else SUBMITTED
    assignment.review_state = "not_reviewed"
    assignment.submitted_at = submission.at
    assignment.last_activity_at = submission.at
    # Bump the response's version too, so a save or a second submission racing this one fails
    # its version check instead of being acknowledged and then left out of the revision.
    response.updated_at = submission.at
    response.updated_by_recipient_id = recipient.id if recipient is not None else None


@dataclass(frozen=True)
class LaunchPlan:
    """The template version a campaign form chose, with the reference dates to freeze."""

    version: "TemplateVersion"
    parsed: object  # the parsed template version
    references: dict[str, str]
    labels: dict[str, str]


def launch_plan(version: "TemplateVersion", advisory=None) -> LaunchPlan:
    """Return the version's reference dates to freeze (the advisory's key dates first)."""
    parsed = parsed_version(version)
    references = default_reference_dates(parsed)
    labels = {ref.name: ref.label for ref in parsed.reference_dates}
    if advisory is not None:
        references = advisory.reference_dates(references)
        labels = {**advisory.key_date_labels, **labels}
    return LaunchPlan(version, parsed, references, labels)
