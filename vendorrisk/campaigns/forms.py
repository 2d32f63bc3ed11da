"""Forms for launching a campaign and managing its recipients and due date."""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from vendorrisk.core.fields import DayField
from vendorrisk.vendors.risk import DATA_ACCESS_LABELS

COMMON_ZONES = [
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Zurich",
    "Europe/Amsterdam",
    "Europe/Madrid",
    "Europe/Warsaw",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Sao_Paulo",
    "Asia/Singapore",
    "Asia/Hong_Kong",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Australia/Sydney",
    "Africa/Johannesburg",
]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(pairs) -> list[SelectChoice]:
    """Return (value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def _future(form, field):
    if field.data and field.data <= date.today():
        raise ValidationError("Choose a date after today.")


class CampaignForm(FlaskForm):
    name = StringField("Campaign name", validators=[DataRequired(), Length(max=200)])
    template_version = SelectField("Questionnaire", coerce=int, validators=[DataRequired()])
    vendors = MultiCheckboxField("Vendors", coerce=int)
    filter_tier = SelectField("Tier", validators=[Optional()])
    filter_data_access = SelectField("Data access", validators=[Optional()])
    filter_product = SelectField("Product used", validators=[Optional()])
    due_date = DayField("Due date", validators=[DataRequired(), _future])
    timezone = SelectField(
        "Time zone of the due date", choices=choices((z, z) for z in COMMON_ZONES)
    )
    message = TextAreaField(
        "Message to vendors (optional)", validators=[Optional(), Length(max=2000)]
    )

    def __init__(self, *args, template_choices=(), vendor_choices=(), product_choices=(), **kw):
        super().__init__(*args, **kw)
        self.template_version.choices = choices(template_choices)
        self.vendors.choices = choices(vendor_choices)
        self.filter_tier.choices = choices(
            [("", "Any tier")] + [(str(t), f"Tier {t}") for t in (1, 2, 3, 4)]
        )
        self.filter_data_access.choices = choices([("", "Any"), *DATA_ACCESS_LABELS.items()])
        self.filter_product.choices = choices([("", "Any product"), *product_choices])

    def validate_vendors(self, field):
        if not field.data:
            raise ValidationError("Choose at least one vendor (or select them by filters).")


class ExtendForm(FlaskForm):
    due_date = DayField("New due date", validators=[DataRequired(), _future])
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=1000)])


class AddRecipientForm(FlaskForm):
    contact = SelectField("Contact", coerce=int, validators=[DataRequired()])


class IdsField(Field):
    """Every value sent under the field's name, as whole numbers (anything else is ignored)."""

    def process_formdata(self, valuelist):
        self.data = [int(v) for v in valuelist if v.isdigit() and len(v) < 12]

    def _value(self):
        return ""


class BulkForm(FlaskForm):
    """The rows selected in the campaign's triage table."""

    ids = IdsField("Selected vendors", default=list)


class BulkExtendForm(BulkForm):
    """More time for the rows selected: the new due date, why, and whether to tell them."""

    # InputRequired: a day that is not a date says so, rather than "required".
    new_due_date = DayField("New due date", validators=[InputRequired()])
    extension_reason = TextAreaField(
        "Reason (optional, kept in the audit log)", validators=[Optional(), Length(max=1000)]
    )
    notify = BooleanField("E-mail the new date to the vendors", default=True)
