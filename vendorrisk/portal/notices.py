"""Who hears of a submission: the vendor's receipt, the owner's notice, impact alerts."""

from sqlalchemy import select

from vendorrisk.audit import services as audit
from vendorrisk.campaigns.models import ImpactAlert
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox


def submission(assignment, recipient, revision, result) -> None:
    """Queue the receipt and the owner's notice, and raise an impact alert if one is due."""
    campaign = assignment.campaign
    vendor = assignment.vendor
    if recipient is not None and recipient.contact.email:  # none: staff entered it; erased: none
        outbox.queue(
            "receipt",
            recipient.contact.email,
            f"Receipt: {campaign.name}",
            related=("revision", revision.id),
            contact_name=recipient.contact.name,
            vendor_name=vendor.name,
            campaign=campaign,
            revision=revision,
        )
    owner = vendor.owner
    if owner is not None and owner.active:
        outbox.queue(
            "submission_notice",
            owner.email,
            f"{vendor.name} submitted: {campaign.name}",
            related=("revision", revision.id),
            user_name=owner.name,
            vendor_name=vendor.name,
            campaign=campaign,
            revision=revision,
            assignment=assignment,
        )
    if result.impact_signals:
        _raise_impact_alert(assignment, revision, result)


def _raise_impact_alert(assignment, revision, result) -> None:
    from vendorrisk.accounts.models import User
    from vendorrisk.permissions import COMPLIANCE

    signals = [s.to_dict() for s in result.impact_signals]
    alert = ImpactAlert(
        assignment_id=assignment.id,
        vendor_id=assignment.vendor_id,
        revision_id=revision.id,
        signals=signals,
    )
    db.session.add(alert)
    db.session.flush()
    people = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.role == COMPLIANCE, User.active.is_(True))
        )
    }
    owner = assignment.vendor.owner
    if owner is not None and owner.active:
        people[owner.id] = owner
    for user in people.values():
        outbox.queue(
            "impact_alert",
            user.email,
            f"Impact signal from {assignment.vendor.name}",
            related=("impact_alert", alert.id),
            user_name=user.name,
            vendor_name=assignment.vendor.name,
            campaign=assignment.campaign,
            signals=signals,
            assignment=assignment,
        )
    audit.record(
        "impact.raised",
        "impact_alert",
        alert.id,
        actor_type="system",
        details={"assignment": assignment.id, "signals": len(signals)},
    )
