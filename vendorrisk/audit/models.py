"""The append-only audit log (database triggers refuse UPDATE and DELETE)."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from vendorrisk.core.timeutil import UTCDateTime, utcnow
from vendorrisk.extensions import db


class AuditEntry(db.Model):  # type: ignore[name-defined]
    """Who did what, when (UTC), from where; ids and field names, never copies of personal data."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_at", "at"),
        Index("ix_audit_entries_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_type: Mapped[str] = mapped_column(String(20))  # user, vendor, system, anonymous
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_ref: Mapped[str | None] = mapped_column(String(64))  # e.g. recipient id for vendors
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(20), default="success")
    ip: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
