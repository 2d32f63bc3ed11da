"""Profile-page forms for personal API tokens."""

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, Optional


class TokenCreateForm(FlaskForm):
    """Name a new API token (e.g. the script that will use it) and say how long it lasts."""

    name = StringField("Token name", validators=[DataRequired(), Length(max=100)])
    # Blank means the default; the allowed range is checked by vendorrisk.api.tokens.create_token.
    expires_days = IntegerField(
        "Expires after (days)",
        validators=[Optional()],
        default=lambda: current_app.config["API_TOKEN_DAYS"],
    )


class TokenRevokeForm(FlaskForm):
    """Revoke one of your API tokens (the form carries only the CSRF token)."""
