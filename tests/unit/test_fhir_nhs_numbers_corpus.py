"""NHS numbers of nhs_numbers/dev judged as UK Core carries them (ten digits, modulus 11) and as people type them."""

from __future__ import annotations

import csv
from datetime import datetime

from joinedup.core.nhs_number import is_valid
from joinedup.fhir.validation.uk_core import nhs_number_problem
from tests.corpora import corpus


def _rows() -> list[dict[str, str]]:
    with (corpus("nhs_numbers") / "dev" / "nhs_numbers.csv").open(newline="") as file:
        return list(csv.DictReader(file))


def _repeated(value: str) -> bool:
    digits = value.strip()
    return len(digits) == 10 and len(set(digits)) == 1  # passes modulus 11, never issued: refused


def _scottish_without_a_birth_date(digits: str) -> bool:
    """Numbers 010 100 0000 to 311 299 9999 are Scottish CHI numbers, which begin with the date of birth
    (DDMMYY); nhs-number (ADR 0011) refuses one whose first six digits are not a date."""
    if len(digits) != 10 or not digits.isdigit() or not 101000000 <= int(digits) <= 3112999999:
        return False
    try:
        datetime.strptime(digits[:6], "%d%m%y")
    except ValueError:
        return True
    return False


def _refused_beyond_modulus_11(value: str) -> bool:
    digits = value.replace(" ", "").replace("-", "").strip()
    return _repeated(digits) or _scottish_without_a_birth_date(digits)


def test_a_fhir_identifier_is_valid_exactly_when_it_is_ten_digits_passing_modulus_11() -> None:
    rows = _rows()
    assert len(rows) > 100
    for row in rows:
        value = row["value"]
        strict = row["computed_mod11_strict"] == "True" and not _refused_beyond_modulus_11(value)
        assert (nhs_number_problem(value) is None) == strict, value


def test_typed_numbers_with_spaces_or_hyphens_are_judged_after_normalising() -> None:
    for row in _rows():
        expected = row["computed_mod11_after_stripping_spaces_hyphens"]
        if expected:
            valid = expected == "True" and not _refused_beyond_modulus_11(row["value"])
            assert is_valid(row["value"]) == valid, row["value"]


def test_published_valid_claims_that_fail_modulus_11_are_refused() -> None:
    disputed = [r for r in _rows() if r["agreement"].startswith("DISAGREES")]
    assert disputed
    for row in disputed:
        assert row["claimed_valid"] == "True"
        assert not is_valid(row["value"])
