"""Dates people type: a calendar day between 1900 and 2199, or a clear message beside the field."""

from datetime import date

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from vendorrisk.core.fields import DAY_RANGE_MESSAGE, EARLIEST_DAY, LATEST_DAY, DayField


class _Form(FlaskForm):
    class Meta:
        csrf = False

    day = DayField("Day")


@pytest.mark.parametrize(
    ("typed", "day", "error"),
    [
        ("1900-01-01", EARLIEST_DAY, None),
        ("2199-12-31", LATEST_DAY, None),
        ("2021-01-12", date(2021, 1, 12), None),
        ("1899-12-31", date(1899, 12, 31), DAY_RANGE_MESSAGE),
        ("2200-01-01", date(2200, 1, 1), DAY_RANGE_MESSAGE),
        ("9999-12-31", date(9999, 12, 31), DAY_RANGE_MESSAGE),
        ("0001-01-01", date(1, 1, 1), DAY_RANGE_MESSAGE),
        ("2021-13-45", None, "Not a valid date value."),
    ],
)
def test_a_day_outside_the_range_is_refused_with_a_message(app, typed, day, error):
    with app.test_request_context():
        form = _Form(formdata=MultiDict({"day": typed}))
        assert form.validate() is (error is None)
        assert form.day.data == day
        assert form.day.errors == ([] if error is None else [error])


def test_the_message_names_both_ends():
    assert DAY_RANGE_MESSAGE == "Enter a date between 01 January 1900 and 31 December 2199."
