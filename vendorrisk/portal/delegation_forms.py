"""Forms of delegation: hand sections to a colleague, or take a link back."""

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Length, Optional

from vendorrisk.campaigns.forms import MultiCheckboxField


class DelegateForm(FlaskForm):
    """A colleague's address and the sections they should answer."""

    email = EmailField(
        "Your colleague's e-mail address",
        validators=[DataRequired(message="Give your colleague's e-mail address."), Length(max=254)],
    )
    name = StringField("Their name (optional)", validators=[Optional(), Length(max=200)])
    sections = MultiCheckboxField(
        "Sections they should answer",
        validators=[DataRequired(message="Choose at least one section.")],
    )


class RevokeDelegationForm(FlaskForm):
    """The Revoke button of one delegation (only its CSRF token)."""
