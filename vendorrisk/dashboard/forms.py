"""The one form of the dashboard: marking an impact signal handled."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

RETURN_TO = ("home", "dashboard", "impact")


class HandleAlertForm(FlaskForm):
    note = TextAreaField(
        "What was done",
        validators=[DataRequired("Say what was done about it."), Length(max=2000)],
        render_kw={"rows": 2},
    )
    return_to = HiddenField(validators=[Optional(), AnyOf(RETURN_TO)])
