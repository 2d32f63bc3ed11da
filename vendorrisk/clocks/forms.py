"""Forms for the clock settings, awareness, deadline owners and filings."""

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from vendorrisk.clocks.regimes import REGIMES

WALL = "%Y-%m-%dT%H:%M"
ZONES = [SelectChoice("firm", "the firm's time zone"), SelectChoice("utc", "UTC")]
BAD_TIME = "Enter a date and time, e.g. 2026-03-27 10:00."


def _when(label: str, required: bool = False) -> DateTimeLocalField:
    check = DataRequired(message=BAD_TIME) if required else Optional()
    return DateTimeLocalField(label, format=WALL, validators=[check])


class SettingsForm(FlaskForm):
    time_zone = StringField(
        "Firm time zone (IANA name)", validators=[DataRequired(), Length(max=64)]
    )
    regimes = SelectMultipleField(
        "Regimes switched on",
        choices=[SelectChoice(r.key, f"{r.name} ({r.source})") for r in REGIMES],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )


class AwarenessForm(FlaskForm):
    zone = SelectField("Times entered in", choices=ZONES)
    aware_at = _when("When we became aware", required=True)
    classified_at = _when("When classified as major / a notification incident (if so)")
    incident_at = _when("When the incident began (if known)")
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])


class OwnerForm(FlaskForm):
    owner = SelectField("Owner", coerce=int, validate_choice=True)


class MetForm(FlaskForm):
    zone = SelectField("Time entered in", choices=ZONES)
    met_at = _when("Filed at", required=True)
    reference = StringField(
        "Reference of what was filed", validators=[DataRequired(), Length(max=200)]
    )
