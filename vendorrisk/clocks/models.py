"""The firm's clock settings, the incidents it became aware of, and their deadlines."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorrisk.core.timeutil import UTCDateTime, utcnow
from vendorrisk.extensions import db


class ClockSettings(db.Model):  # type: ignore[name-defined]
    """The firm's time zone and the notification regimes it has switched on (one row)."""

    __tablename__ = "clock_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    regimes: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class FirmIncident(db.Model):  # type: ignore[name-defined]
    """When the firm became aware of (and classified) an impact a vendor reported."""

    __tablename__ = "firm_incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), unique=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    incident_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    aware_at: Mapped[datetime] = mapped_column(UTCDateTime())
    classified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    assignment = relationship("Assignment")
    vendor = relationship("Vendor")
    recorded_by = relationship("User")
    deadlines: Mapped[list["RegulatoryDeadline"]] = relationship(
        back_populates="incident", order_by="RegulatoryDeadline.id"
    )


class RegulatoryDeadline(db.Model):  # type: ignore[name-defined]
    """One deadline of a switched-on regime for one incident: its owner, and when it was met."""

    __tablename__ = "regulatory_deadlines"
    __table_args__ = (UniqueConstraint("incident_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("firm_incidents.id"), index=True)
    regime: Mapped[str] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    filing_reference: Mapped[str | None] = mapped_column(String(200))
    met_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the firm switches the regime off after this deadline existed: it stays, marked.
    switched_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    incident: Mapped[FirmIncident] = relationship(back_populates="deadlines")
    owner = relationship("User", foreign_keys=[owner_id])
    met_by = relationship("User", foreign_keys=[met_by_id])

    def state(self, now: datetime) -> str:
        """Met, met late, missed, open or waiting (for the event it runs from)."""
        if self.met_at is not None:
            return "met" if self.due_at is None or self.met_at <= self.due_at else "met late"
        if self.due_at is None:
            return "waiting"
        return "missed" if self.due_at < now else "open"
