"""The contract form: it renders the fields; the schema in contracts/schemas.py checks them."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from vendorrisk.contracts.models import CRITICALITY, SUBSTITUTABILITY

YES_NO = [
    SelectChoice("", "Not recorded"),
    SelectChoice("true", "Yes"),
    SelectChoice("false", "No"),
]


def _choices(values) -> list[SelectChoice]:
    return [SelectChoice("", "Not recorded")] + [
        SelectChoice(v, v.replace("_", " ").capitalize()) for v in values
    ]


def _text(label: str) -> StringField:
    return StringField(label, validators=[Optional()])


class ContractForm(FlaskForm):
    contractual_arrangement_reference_number = _text("Contract reference")
    type_of_contractual_arrangement = _text("Type of contractual arrangement")
    start_date_of_the_contractual_arrangement = _text("Start date (YYYY-MM-DD)")
    end_date_of_the_contractual_arrangement = _text("End date")
    renewal_date = _text("Renewal date")
    notice_date = _text("Last day to give notice")
    notice_period_for_the_financial_entity = _text("Our notice period (days)")
    notice_period_for_the_ict_third_party_service_provider = _text("Vendor's notice period (days)")
    breach_notification_hours = _text("Breach-notification clause (hours)")
    right_to_audit = SelectField("Right to audit", choices=YES_NO, validate_choice=False)
    dpa_in_place = SelectField(
        "Data processing agreement in place", choices=YES_NO, validate_choice=False
    )
    storage_of_data = SelectField(
        "The vendor stores our data", choices=YES_NO, validate_choice=False
    )
    location_of_the_data_at_rest = _text("Data at rest in (countries)")
    location_of_management_of_the_data = _text("Data managed from (countries)")
    type_of_ict_services = _text("Services")
    function_name = _text("Business functions supported")
    criticality_or_importance_assessment = SelectField(
        "Criticality of the function", choices=_choices(CRITICALITY), validate_choice=False
    )
    substitutability_of_the_ict_third_party_service_provider = SelectField(
        "Substitutability", choices=_choices(SUBSTITUTABILITY), validate_choice=False
    )
    existence_of_an_exit_plan = SelectField(
        "Exit plan exists", choices=YES_NO, validate_choice=False
    )
    notes = TextAreaField("Notes", validators=[Optional()])

    def payload(self) -> dict:
        """The values as entered, for the schema."""
        return {k: v for k, v in self.data.items() if k != "csrf_token"}


class ImportForm(FlaskForm):
    file = FileField("Contracts CSV")
