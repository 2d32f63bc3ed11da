"""The one input schema for a contract, whether it comes from the form or a CSV row."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from vendorrisk.clocks.response import check_clause_hours
from vendorrisk.core.fields import DAY_RANGE_MESSAGE, EARLIEST_DAY, LATEST_DAY

Criticality = Literal[
    "critical_or_important", "not_critical_or_important", "assessment_not_performed"
]
Substitutability = Literal[
    "not_substitutable", "highly_complex", "medium_complexity", "easily_substitutable"
]


def _blank_to_none(value):
    return None if isinstance(value, str) and not value.strip() else value


class ContractIn(BaseModel):
    """A contract as entered; every field named after the register of information where one fits."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    contractual_arrangement_reference_number: str = Field(min_length=1, max_length=100)
    type_of_contractual_arrangement: str | None = Field(None, max_length=60)
    start_date_of_the_contractual_arrangement: date
    end_date_of_the_contractual_arrangement: date | None = None
    notice_period_for_the_financial_entity: int | None = Field(None, ge=0, le=3650)
    notice_period_for_the_ict_third_party_service_provider: int | None = Field(None, ge=0, le=3650)
    type_of_ict_services: str | None = Field(None, max_length=200)
    storage_of_data: bool | None = None
    location_of_the_data_at_rest: str | None = Field(None, max_length=200)
    location_of_management_of_the_data: str | None = Field(None, max_length=200)
    function_name: str | None = Field(None, max_length=300)
    criticality_or_importance_assessment: Criticality | None = None
    substitutability_of_the_ict_third_party_service_provider: Substitutability | None = None
    existence_of_an_exit_plan: bool | None = None
    renewal_date: date | None = None
    notice_date: date | None = None
    breach_notification_hours: int | None = None
    right_to_audit: bool | None = None
    dpa_in_place: bool | None = None
    notes: str | None = Field(None, max_length=4000)

    _blanks = field_validator("*", mode="before")(_blank_to_none)

    @field_validator(
        "start_date_of_the_contractual_arrangement",
        "end_date_of_the_contractual_arrangement",
        "renewal_date",
        "notice_date",
    )
    @classmethod
    def _day_in_range(cls, value: date | None) -> date | None:
        if value is not None and not EARLIEST_DAY <= value <= LATEST_DAY:
            raise ValueError(DAY_RANGE_MESSAGE)
        return value

    @field_validator("breach_notification_hours")
    @classmethod
    def _clause(cls, value: int | None) -> int | None:
        check_clause_hours(value)
        return value

    @model_validator(mode="after")
    def _dates_in_order(self):
        start, end = (
            self.start_date_of_the_contractual_arrangement,
            self.end_date_of_the_contractual_arrangement,
        )
        if end is not None and end < start:
            raise ValueError(
                "end_date_of_the_contractual_arrangement: The end is before the start."
            )
        if self.notice_date and end and self.notice_date > end:
            raise ValueError("notice_date: The last day to give notice is after the contract ends.")
        return self


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Turn pydantic's errors into one message per field, in plain words."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        message = str(err["msg"]).removeprefix("Value error, ")
        name = str(err["loc"][0]) if err["loc"] else ""
        if not name and ": " in message:
            name, message = message.split(": ", 1)
        errors.setdefault(name or "contract", message)
    return errors
