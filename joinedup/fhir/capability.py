"""The CapabilityStatement at /fhir/R4/metadata, generated from the registry of mappers.

Whatever the registry serves is listed, and nothing else: read and search-type for every mapper,
its search parameters, $everything on Patient and $validate on every resource type.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from joinedup.fhir.registry import mappers

EVERYTHING = "http://hl7.org/fhir/OperationDefinition/Patient-everything"
VALIDATE = "http://hl7.org/fhir/OperationDefinition/Resource-validate"
SECURITY = (
    "Every request but this one needs a JoinedUp API token: Authorization: Bearer ju_... "
    "(joinedup token create USERNAME). The caller sees only clients with whom they have a legitimate "
    "relationship, consent to share honoured, and every read is audited. Absent and refused look the same (404)."
)


def _resource(mapper: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "type": mapper.resource_type,
        "documentation": mapper.documentation,
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "versioning": "no-version",
        "readHistory": False,
        "updateCreate": False,
        "searchParam": [
            {"name": p.name, "type": p.type, "documentation": p.documentation} for p in mapper.search_parameters
        ],
        "operation": [{"name": "validate", "definition": VALIDATE}],
    }
    if mapper.profile:
        entry["profile"] = mapper.profile
    if mapper.resource_type == "Patient":
        entry["operation"].append({"name": "everything", "definition": EVERYTHING})
    return entry


def capability_statement(base: str, version: str) -> dict[str, Any]:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.now().date().isoformat(),
        "publisher": "JoinedUp",
        "kind": "instance",
        "software": {"name": "JoinedUp", "version": version},
        "implementation": {"description": "JoinedUp FHIR R4 interface (UK Core identifiers)", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": "Read and search of the shared record; resources are validated by $validate.",
                "security": {"cors": False, "description": SECURITY},
                "resource": [_resource(m) for m in mappers()],
                "operation": [{"name": "validate", "definition": VALIDATE}],
            }
        ],
    }
