"""Extensions: a url, a value or sub-extensions (ext-1), and core extensions used as defined. Pure."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from joinedup.fhir.validation.definitions import Element
    from joinedup.fhir.validation.validator import Holder, Run, Validator

CORE_EXTENSIONS = "http://hl7.org/fhir/StructureDefinition/"
_ABSOLUTE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.\-]*:\S+")
_EXAMPLE = re.compile(r"https?://(www\.)?example\.(org|com|net)(/|$)")


def _value_type(value: dict[str, Any]) -> str | None:
    for key in value:
        if key.startswith("value") and len(key) > 5:
            name = key[5:]
            return name if name[:1].isupper() and name in _COMPLEX_NAMES else name[0].lower() + name[1:]
    return None


# Complex data types keep their capital (valueQuantity -> Quantity); primitives start lower (valueString).
_COMPLEX_NAMES = frozenset(
    [
        "Address",
        "Age",
        "Annotation",
        "Attachment",
        "CodeableConcept",
        "Coding",
        "ContactDetail",
        "ContactPoint",
        "Contributor",
        "Count",
        "DataRequirement",
        "Distance",
        "Dosage",
        "Duration",
        "Expression",
        "HumanName",
        "Identifier",
        "Meta",
        "Money",
        "ParameterDefinition",
        "Period",
        "Quantity",
        "Range",
        "Ratio",
        "Reference",
        "RelatedArtifact",
        "SampledData",
        "Signature",
        "Timing",
        "TriggerDefinition",
        "UsageContext",
    ]
)


def _contexts(holder: Holder) -> set[str]:
    """What the element holding the extension is known as: its path, its type, and what it is."""
    via, shape = holder
    if via is None:
        return {shape.name, "Resource", "DomainResource", "Element"}
    return {via.definition_path, via.type_code, shape.name, "Element", "BackboneElement"}


def check_extension(
    validator: Validator, element: Element, value: dict[str, Any], path: str, run: Run, holder: Holder
) -> None:
    has_value = _value_type(value) is not None
    if has_value == ("extension" in value):
        run.error("invariant", "An extension must have either sub-extensions or a value[x], not both (ext-1)", path)
    url = value.get("url")
    via, _ = holder
    if not isinstance(url, str) or (via is not None and via.type_code == "Extension"):
        return  # a sub-extension's url may be a plain name
    if "|" in url:
        run.error("invalid", f"The extension URL {url!r} must not contain a version", f"{path}.url")
    elif not _ABSOLUTE.fullmatch(url):
        run.error("invalid", f"The extension URL {url!r} must be absolute", f"{path}.url")
    elif _EXAMPLE.match(url):
        run.warning("business-rule", f"An extension with an example URL is not checked ({url})", f"{path}.url")
    else:
        _check_core(validator, url, value, path, run, holder)


def _check_core(validator: Validator, url: str, value: dict[str, Any], path: str, run: Run, holder: Holder) -> None:
    definition = validator.definitions.extensions.get(url)
    if definition is None:
        if url.startswith(CORE_EXTENSIONS):  # perhaps of a later version of FHIR
            run.warning("structure", f"The extension {url} is not an extension of FHIR R4: it is not checked", path)
        return  # other publishers' extensions (UK Core, US Core...) are allowed unchecked
    if definition.contexts and not definition.contexts & _contexts(holder):
        where = ", ".join(sorted(definition.contexts))
        run.error("structure", f"The extension {url} is not allowed here (only on {where})", path)
    value_type = _value_type(value)
    if value_type is not None and value_type not in definition.value_types:
        allowed = ", ".join(definition.value_types) or "no value (sub-extensions only)"
        run.error("structure", f"The extension {url} allows {allowed}, but has a {value_type}", path)
