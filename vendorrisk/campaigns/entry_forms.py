"""Forms of a workbook staff received from a vendor and enter on its behalf."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from vendorrisk.campaigns.forms import choices
from vendorrisk.portal.staff_entry import CHANNELS


class ReceivedWorkbookForm(FlaskForm):
    """The workbook the vendor sent back."""

    file = FileField(
        "The filled-in workbook the vendor sent (.xlsx)",
        validators=[FileRequired(message="Choose the workbook to upload.")],
    )


class StaffAttestationForm(FlaskForm):
    """Who sent the answers and how; staff attest to having received them so."""

    version = HiddenField()
    received_from = StringField(
        "Received from (the vendor's person who sent it)",
        validators=[DataRequired(message="Say who sent the workbook."), Length(max=150)],
    )
    channel = SelectField("Received by", choices=choices(CHANNELS.items()), default="email")
    confirm = BooleanField(
        "I confirm these answers are the vendor's, as received, and I entered them on its behalf.",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )
