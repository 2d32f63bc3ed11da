"""The record of each scheduled reassessment sent, which makes sending idempotent."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorrisk.core.timeutil import UTCDateTime, utcnow
from vendorrisk.extensions import db


class ReassessmentSend(db.Model):  # type: ignore[name-defined]
    """One vendor asked again for one baseline template because it fell due on `due_on`.

    The unique key means a second run (or two runs at once) cannot ask the same vendor twice
    for the same due date.
    """

    __tablename__ = "reassessment_sends"
    __table_args__ = (UniqueConstraint("vendor_id", "template_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("templates.id"))
    tier: Mapped[int] = mapped_column()
    due_on: Mapped[date] = mapped_column(Date)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    assignment = relationship("Assignment")
