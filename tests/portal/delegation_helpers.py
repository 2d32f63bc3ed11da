"""Helpers for the delegation tests: delegate sections, find the delegate's recipient row."""

from __future__ import annotations

from sqlalchemy import select

from vendorrisk.audit.models import AuditEntry
from vendorrisk.campaigns.models import Recipient
from vendorrisk.extensions import db
from vendorrisk.portal.delegation_models import Delegation

COLLEAGUE = "dana.delegate@acme.example"


def delegate(client, aid: int, sections, email: str = COLLEAGUE, name: str = "Dana Delegate"):
    """Post the delegation form of the recipient's browser."""
    return client.post(
        f"/portal/a/{aid}/delegates",
        data={"email": email, "name": name, "sections": list(sections)},
    )


def latest_delegation() -> Delegation:
    """Return the newest delegation, read afresh."""
    db.session.expire_all()
    return db.session.scalar(select(Delegation).order_by(Delegation.id.desc()).limit(1))


def delegate_recipient(email: str = COLLEAGUE) -> Recipient:
    """Return the recipient row a delegation made for this address."""
    db.session.expire_all()
    return next(
        r
        for r in db.session.scalars(select(Recipient).order_by(Recipient.id))
        if r.contact.email == email
    )


def audit_actions(action: str) -> list[AuditEntry]:
    """Return the audit entries of one action, oldest first."""
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )
