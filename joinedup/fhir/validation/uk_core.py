"""UK Core checks: the NHS number identifier. Pure: no Django."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from joinedup.core.nhs_number import InvalidNhsNumber, normalise

if TYPE_CHECKING:
    from joinedup.fhir.validation.definitions import Element
    from joinedup.fhir.validation.validator import Holder, Run, Validator

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"


def nhs_number_problem(value: Any) -> str | None:
    """Why this is not an NHS number as UK Core carries it (ten digits, no spaces), or None."""
    if not isinstance(value, str) or len(value) != 10 or not value.isdigit():
        return "An NHS number identifier must be exactly 10 digits with no spaces"
    try:
        normalise(value)
    except InvalidNhsNumber as error:
        return str(error)
    return None


def check_identifier(
    _: Validator, element: Element, value: dict[str, Any], path: str, run: Run, holder: Holder
) -> None:
    if value.get("system") != NHS_NUMBER_SYSTEM:
        return
    problem = nhs_number_problem(value.get("value"))
    if problem is not None:
        run.error("value", f"{problem} ({NHS_NUMBER_SYSTEM})", f"{path}.value")
