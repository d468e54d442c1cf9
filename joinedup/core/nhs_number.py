"""NHS numbers: ten digits with a modulus 11 check digit (the nhs-number package).

Pure: no Django. A number whose digits are all the same (0000000000, 1111111111...)
passes modulus 11 for some digits but is never issued, so it is refused here.
"""

from __future__ import annotations

import nhs_number as _nhs


class InvalidNhsNumber(ValueError):
    """The value is not a valid NHS number; the message says why."""


def normalise(value: str) -> str:
    """The ten digits of a valid NHS number, or InvalidNhsNumber saying what is wrong."""
    if not isinstance(value, str):
        raise InvalidNhsNumber("An NHS number must be given as text")
    digits = _nhs.standardise_format(value)
    if not digits:
        raise InvalidNhsNumber("An NHS number must be 10 digits, for example 943 476 5919")
    if len(set(digits)) == 1:
        raise InvalidNhsNumber("An NHS number cannot be the same digit ten times")
    if not _nhs.is_valid(digits):
        raise InvalidNhsNumber("This is not a valid NHS number: its check digit does not match")
    return digits


def is_valid(value: str) -> bool:
    try:
        normalise(value)
    except InvalidNhsNumber:
        return False
    return True


def formatted(digits: str) -> str:
    """'9434765919' -> '943 476 5919', the way NHS numbers are shown to people."""
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else digits


def check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no valid number can end them (10)."""
    result = _nhs.calculate_checksum(first_nine)
    return None if result is None or result == 10 else result
