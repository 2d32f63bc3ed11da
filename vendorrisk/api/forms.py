"""Profile-page forms for personal API tokens."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class TokenCreateForm(FlaskForm):
    """Name a new API token (e.g. the script that will use it)."""

    name = StringField("Token name", validators=[DataRequired(), Length(max=100)])


class TokenRevokeForm(FlaskForm):
    """Revoke one of your API tokens (the form carries only the CSRF token)."""
