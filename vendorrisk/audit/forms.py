"""The audit-log filter form (read from the query string)."""

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from vendorrisk.core.fields import DayField


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = StringField("Action", validators=[Optional(), Length(max=64)])
    actor = StringField("Actor e-mail", validators=[Optional(), Length(max=254)])
    object_type = StringField("Object type", validators=[Optional(), Length(max=64)])
    object_id = StringField("Object id", validators=[Optional(), Length(max=64)])
    outcome = SelectField(
        "Outcome",
        choices=[
            SelectChoice("", "Any"),
            SelectChoice("success", "Success"),
            SelectChoice("failure", "Failure"),
            SelectChoice("denied", "Denied"),
        ],
        validators=[Optional()],
    )
    since = DayField("From (UTC)", validators=[Optional()])
    until = DayField("To (UTC)", validators=[Optional()])
