"""Reading the audit log with filters."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from vendorrisk.accounts.models import User
from vendorrisk.audit.models import AuditEntry


def filtered(filters: dict) -> Select:
    """Return a query of audit entries (with their actor) matching the filters, newest first."""
    actor = aliased(User)
    query = (
        select(AuditEntry, actor.email)
        .outerjoin(actor, actor.id == AuditEntry.actor_id)
        .order_by(AuditEntry.id.desc())
    )
    if filters.get("action"):
        query = query.where(
            AuditEntry.action.startswith(filters["action"].strip(), autoescape=True)
        )
    if filters.get("actor"):
        query = query.where(actor.email == filters["actor"].strip().lower())
    if filters.get("object_type"):
        query = query.where(AuditEntry.object_type == filters["object_type"].strip())
    if filters.get("object_id"):
        query = query.where(AuditEntry.object_id == filters["object_id"].strip())
    if filters.get("outcome"):
        query = query.where(AuditEntry.outcome == filters["outcome"])
    if filters.get("since"):
        query = query.where(AuditEntry.at >= datetime.combine(filters["since"], time(), UTC))
    if filters.get("until"):
        end = datetime.combine(filters["until"], time(), UTC) + timedelta(days=1)
        query = query.where(AuditEntry.at < end)
    return query
