import csv
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.core.nhs_number import InvalidNhsNumber, check_digit, formatted, is_valid, normalise
from tests.corpora import corpus


@pytest.mark.parametrize("value", ["943 476 5919", "943-476-5919", " 9434765919 ", "9990000018"])
def test_accepts_valid_numbers_in_the_usual_formats(value):
    assert len(normalise(value)) == 10


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("0000000000", "same digit"),
        ("1111111111", "same digit"),
        ("9434765918", "check digit"),
        ("1234567890", "check digit"),  # check digit would be 10
        ("943476591", "10 digits"),
        ("94347659190", "10 digits"),
        ("94347A5919", "10 digits"),
        ("", "10 digits"),
    ],
)
def test_refuses_invalid_numbers_saying_why(value, reason):
    with pytest.raises(InvalidNhsNumber, match=reason):
        normalise(value)


def test_formatted_for_people():
    assert formatted("9434765919") == "943 476 5919"


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_a_number_ending_in_its_check_digit_is_valid_unless_repeated(first_nine):
    digit = check_digit(first_nine)
    if digit is None:
        return
    number = first_nine + str(digit)
    assert is_valid(number) == (len(set(number)) > 1 and _chi_date_ok(number))
    for wrong in set("0123456789") - {str(digit)}:
        assert not is_valid(first_nine + wrong)


def _chi_date_ok(number: str) -> bool:
    """Scottish CHI numbers (0100000000-3112999999) begin with the date of birth, DDMMYY."""
    if not 100_000_000 <= int(number) <= 3_112_999_999:
        return True
    try:
        datetime.strptime(number[:6], "%d%m%y")
    except ValueError:
        return False
    return True


def _mod11(number: str) -> bool:
    total = sum(int(d) * (10 - i) for i, d in enumerate(number[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(number[9])


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_agrees_with_the_modulus_11_definition(number):
    """Differential: the library against the NHS Data Dictionary's rule written out."""
    expected = _mod11(number) and len(set(number)) > 1 and _chi_date_ok(number)
    assert is_valid(number) == expected


def test_judges_the_corpus_of_published_examples_by_modulus_11():
    rows = list(csv.DictReader((corpus("nhs_numbers") / "dev" / "nhs_numbers.csv").open()))
    assert len(rows) > 50
    for row in rows:
        mod11 = row["computed_mod11_after_stripping_spaces_hyphens"] == "True"
        digits = row["normalised"]
        if not mod11 or len(set(digits)) == 1:
            assert not is_valid(row["value"]), row
        elif len(digits) == 10 and row["value"].strip() == digits and _chi_date_ok(digits):
            assert is_valid(row["value"]), row
    # Published as valid by some sources, but their check digit computes to 10.
    for value in ("999 000 0000", "999 123 4560", "9912003890"):
        assert not is_valid(value)
