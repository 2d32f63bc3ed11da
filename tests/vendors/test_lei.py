"""LEIs: ISO 17442 shape and ISO 7064 MOD 97-10 check digits."""

import pytest

from vendorrisk.vendors.lei import lei_problem, normalise_lei, with_check_digits


@pytest.mark.parametrize(
    "lei", ["5493001KJTIIGC8Y1R12", "HWUPKR0MPOU8FGXBT394", "7LTWFZYICNSX8D621K86"]
)
def test_published_leis_are_accepted(lei):
    assert lei_problem(lei) is None


def test_a_single_changed_check_digit_is_caught():
    assert "check digits" in lei_problem("5493001KJTIIGC8Y1R13")


def test_a_swapped_character_is_caught():
    assert "check digits" in lei_problem("5493001KJTIIGC8Y1R21")


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("5493001KJTIIGC8Y1R1", "20 characters"),
        ("5493001KJTIIGC8Y1R12X", "20 characters"),
        ("5493001KJTIIGC8Y1RAB", "2 check digits"),
        ("5493001KJ-IIGC8Y1R12", "18 letters or digits"),
    ],
)
def test_wrong_shapes_are_explained(value, words):
    assert words in lei_problem(value)


def test_spaces_and_case_are_normalised():
    assert normalise_lei(" 5493 001kjtiigc8y1r12 ") == "5493001KJTIIGC8Y1R12"


def test_check_digits_can_be_computed_for_a_base():
    assert with_check_digits("5493001KJTIIGC8Y1R") == "5493001KJTIIGC8Y1R12"
    assert lei_problem(with_check_digits("9845000123DEMOABCD")) is None
