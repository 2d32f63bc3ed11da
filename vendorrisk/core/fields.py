"""Form fields shared by every domain."""

from datetime import date

from wtforms import DateField
from wtforms.validators import ValidationError

# The days a person can mean: nothing on record lies outside them, and arithmetic near the ends
# of Python's calendar (the day after 9999-12-31, a grace period after a due date) overflows.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)
DAY_RANGE_MESSAGE = f"Enter a date between {EARLIEST_DAY:%d %B %Y} and {LATEST_DAY:%d %B %Y}."


class DayField(DateField):
    """A calendar day, YYYY-MM-DD, between EARLIEST_DAY and LATEST_DAY."""

    def pre_validate(self, form) -> None:
        super().pre_validate(form)
        if self.data is not None and not EARLIEST_DAY <= self.data <= LATEST_DAY:
            raise ValidationError(DAY_RANGE_MESSAGE)
