"""Asking for a report: the period a vendor report covers (both ends optional)."""

from flask_wtf import FlaskForm
from wtforms.validators import Optional

from vendorrisk.core.fields import DayField


class VendorReportForm(FlaskForm):
    since = DayField(
        "From",
        validators=[Optional()],
        description="Leave empty to start from the first assessment.",
    )
    until = DayField("To", validators=[Optional()], description="Leave empty for today.")

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            from wtforms.validators import ValidationError

            raise ValidationError("The end of the period comes before its start.")

    def params(self) -> dict:
        """Return the period as a job's parameters (ISO dates)."""
        return {
            key: value.isoformat()
            for key, value in (("since", self.since.data), ("until", self.until.data))
            if value
        }


class CampaignReportForm(FlaskForm):
    """A campaign report has no options; the form carries the CSRF token."""
