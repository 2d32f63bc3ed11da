"""The mail outbox: every message is a row written with the change that caused it."""

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vendorrisk.core.timeutil import UTCDateTime, utcnow
from vendorrisk.extensions import db
from vendorrisk.mail.due import FAILED, QUEUED, SENT

__all__ = ["FAILED", "QUEUED", "SENT", "OutboxMessage"]


class OutboxMessage(db.Model):  # type: ignore[name-defined]
    """One e-mail waiting to be sent, sent, or given up on after repeated failures."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    template: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default=QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    related_type: Mapped[str | None] = mapped_column(String(64))
    related_id: Mapped[str | None] = mapped_column(String(64))
    # Which secret link to derive at send time (never the link itself).
    link_purpose: Mapped[str | None] = mapped_column(String(32))
    link_ref: Mapped[str | None] = mapped_column(String(64))
    # The random marker the template put where the link goes; only it is ever replaced.
    link_marker: Mapped[str | None] = mapped_column(String(64))
