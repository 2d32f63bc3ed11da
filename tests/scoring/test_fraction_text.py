"""Stored results keep exact scores as text; reading them back gives the same fractions."""

from fractions import Fraction

import pytest

from vendorrisk.scoring.result import _fraction


@pytest.mark.parametrize(
    "value", [Fraction(235, 3), Fraction(12), Fraction(-1, 2), Fraction(0), Fraction(10**30, 7)]
)
def test_the_text_of_a_fraction_reads_back_exactly(value):
    assert _fraction(str(value)) == value


@pytest.mark.parametrize(
    ("text", "value"), [("0.5", Fraction(1, 2)), (" 3 ", Fraction(3)), (7, Fraction(7))]
)
def test_other_forms_fraction_accepts_still_read(text, value):
    assert _fraction(text) == value


def test_text_that_is_no_number_is_refused():
    with pytest.raises(ValueError):
        _fraction("a/b")
