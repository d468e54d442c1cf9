"""References and periods: the type a reference names, local references, start before end. Pure."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from joinedup.fhir.validation.definitions import Element
    from joinedup.fhir.validation.validator import Holder, Run, Validator

_ID = r"[A-Za-z0-9\-\.]{1,64}"
# Type/id, optionally with a version, optionally after a server's base URL.
_RESTFUL = re.compile(rf"(?:https?://\S+/)?([A-Z][A-Za-z]+)/{_ID}(?:/_history/{_ID})?")
_CONDITIONAL = re.compile(r"([A-Z][A-Za-z]+)\?\S*")
_ABSOLUTE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.\-]*:\S+")
VALUE_SETS = "http://hl7.org/fhir/ValueSet/"


def referenced_type(reference: str) -> str | None:
    """The resource type a literal reference names ("Patient/1", "https://x/fhir/Patient/1", "Patient?..")."""
    match = _RESTFUL.fullmatch(reference) or _CONDITIONAL.fullmatch(reference)
    return match.group(1) if match else None


def _format_problem(reference: str) -> str | None:
    if _ABSOLUTE.fullmatch(reference):
        return None
    return "is neither a local (#id), relative (Type/id) nor absolute reference"


def check_reference(
    validator: Validator, element: Element, value: dict[str, Any], path: str, run: Run, holder: Holder
) -> None:
    reference = value.get("reference")
    if not isinstance(reference, str) or not reference:
        return
    if reference[0] == "#":
        run.local_refs.add(reference[1:])
        return
    type_name = referenced_type(reference)
    if type_name is None:
        problem = _format_problem(reference)
        if problem is not None:
            run.error("invalid", f"The reference {reference!r} {problem}", f"{path}.reference")
        elif run.bundle_refs is not None and reference.startswith("urn:"):
            run.bundle_refs.append((reference, f"{path}.reference"))
        return
    if type_name not in validator.definitions.resource_types:
        if not _ABSOLUTE.fullmatch(reference):  # another kind of server may name other things
            run.error("invalid", f"The reference {reference!r} names an unknown resource type {type_name}", path)
    elif element.targets is not None and type_name not in element.targets:
        allowed = ", ".join(sorted(element.targets))
        run.error(
            "structure",
            f"The type {type_name} implied by the reference {reference!r} is not a valid target here "
            f"(must be one of {allowed})",
            f"{path}.reference",
        )


def _instant(value: str) -> datetime | None:
    """A full date-time with its zone, as a point in time; None for partial dates and bad values."""
    if len(value) < 20 or "T" not in value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _later(start: str, end: str) -> bool | None:
    """Whether start is after end; None when FHIRPath cannot tell (equal as far as both go, but
    given to different precisions: '2023-06-21' against '2023-06-21T06:20:00Z')."""
    start_at, end_at = _instant(start), _instant(end)
    if start_at is not None and end_at is not None:
        return start_at > end_at
    common = min(len(start), len(end), 10)
    if start[:common] != end[:common]:
        return start[:common] > end[:common]
    return None if len(start) != len(end) else start > end


def check_period(_: Validator, element: Element, value: dict[str, Any], path: str, run: Run, holder: Holder) -> None:
    """per-1: if present, start SHALL have a lower value than end (FHIRPath `start <= end`)."""
    start, end = value.get("start"), value.get("end")
    if not isinstance(start, str) or not isinstance(end, str):
        return
    later = _later(start, end)
    if later is None:
        run.error(
            "invariant", "The period's start and end cannot be compared: give both to the same precision (per-1)", path
        )
    elif later:
        run.error("invariant", "The period ends before it starts (per-1: start must not be after end)", path)


def check_coding(
    validator: Validator, element: Element, value: dict[str, Any], path: str, run: Run, holder: Holder
) -> None:
    """A Coding's system names a code system by an absolute URI; then its required binding."""
    system = value.get("system")
    if isinstance(system, str) and system:
        if not _ABSOLUTE.fullmatch(system):
            run.error("invalid", f"Coding.system must be an absolute URI, not {system!r}", f"{path}.system")
        elif system.startswith(VALUE_SETS):
            run.error("invalid", f"Coding.system names a value set, not a code system ({system})", f"{path}.system")
    if element.binding is not None and validator.bindings:
        validator.coding_binding(element, value, path, run)
