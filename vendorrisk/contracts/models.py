"""A vendor's contracts. Column names follow the fields of the EBA templates for the DORA
register of information (B_02.01 and B_02.02 contractual arrangements, B_06.01 functions,
B_07.01 assessment of the ICT services) where one fits; the rest are the firm's own."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorrisk.core.timeutil import UTCDateTime, utcnow
from vendorrisk.extensions import db

CRITICALITY = ("critical_or_important", "not_critical_or_important", "assessment_not_performed")
SUBSTITUTABILITY = (
    "not_substitutable",
    "highly_complex",
    "medium_complexity",
    "easily_substitutable",
)


class Contract(db.Model):  # type: ignore[name-defined]
    """One contractual arrangement with a vendor."""

    __tablename__ = "contracts"
    __table_args__ = (UniqueConstraint("vendor_id", "contractual_arrangement_reference_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    # B_02.01
    contractual_arrangement_reference_number: Mapped[str] = mapped_column(String(100))
    type_of_contractual_arrangement: Mapped[str | None] = mapped_column(String(60))
    # B_02.02
    start_date_of_the_contractual_arrangement: Mapped[date] = mapped_column(Date)
    end_date_of_the_contractual_arrangement: Mapped[date | None] = mapped_column(Date)
    notice_period_for_the_financial_entity: Mapped[int | None] = mapped_column()  # days
    notice_period_for_the_ict_third_party_service_provider: Mapped[int | None] = mapped_column()
    type_of_ict_services: Mapped[str | None] = mapped_column(String(200))
    storage_of_data: Mapped[bool | None] = mapped_column()
    location_of_the_data_at_rest: Mapped[str | None] = mapped_column(String(200))
    location_of_management_of_the_data: Mapped[str | None] = mapped_column(String(200))
    # B_06.01
    function_name: Mapped[str | None] = mapped_column(String(300))
    criticality_or_importance_assessment: Mapped[str | None] = mapped_column(String(30))
    # B_07.01
    substitutability_of_the_ict_third_party_service_provider: Mapped[str | None] = mapped_column(
        String(30)
    )
    existence_of_an_exit_plan: Mapped[bool | None] = mapped_column()
    # The firm's own.
    renewal_date: Mapped[date | None] = mapped_column(Date)
    notice_date: Mapped[date | None] = mapped_column(Date)  # last day to give notice
    breach_notification_hours: Mapped[int | None] = mapped_column()
    right_to_audit: Mapped[bool | None] = mapped_column()
    dpa_in_place: Mapped[bool | None] = mapped_column()
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    vendor = relationship("Vendor")

    def in_force_on(self, day: date) -> bool:
        """Whether the contract runs on that day."""
        end = self.end_date_of_the_contractual_arrangement
        return self.start_date_of_the_contractual_arrangement <= day and (end is None or day <= end)
