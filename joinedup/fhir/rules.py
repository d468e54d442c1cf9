"""Pure rules of the FHIR import: what a resource says about a client, references, identities.

No Django: unit-tested without a database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import orjson

from joinedup.core.nhs_number import check_digit
from joinedup.fhir.validation.uk_core import NHS_NUMBER_SYSTEM, nhs_number_problem

ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
# Where a resource names the client it is about, in the order the specification prefers them.
SUBJECT_KEYS = ("subject", "patient", "beneficiary")
SYNTHETIC_PREFIX = "999"  # NHS numbers beginning 999 are never issued to people


class PatientRefused(ValueError):
    """This Patient cannot become a client; the message says why."""


@dataclass(frozen=True)
class PatientFacts:
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    nhs_number: str | None
    address: str
    postcode: str
    phone: str
    deceased: bool
    active: bool
    gp_ods_code: str | None
    gp_reference: str | None


def identity(resource: dict[str, Any], full_url: str | None) -> tuple[str, str]:
    """(type, id) that identifies a resource across imports: its id, else its fullUrl."""
    resource_id = resource.get("id") or full_url or ""
    return str(resource.get("resourceType", "")), str(resource_id)[:255]


def content_hash(resource: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(resource, option=orjson.OPT_SORT_KEYS)).hexdigest()


def last_updated(resource: dict[str, Any]) -> str:
    meta = resource.get("meta")
    value = meta.get("lastUpdated") if type(meta) is dict else None
    return value[:40] if isinstance(value, str) else ""


def replaces_kept(incoming: str, source_file: str, kept_last_updated: str, kept_source_file: str) -> bool:
    """Whether a differing copy of a kept resource replaces it: it says it is newer (meta.lastUpdated),
    or, when neither says, it comes from the same file (a re-export). Otherwise the first copy imported
    stands, so that importing the same files again, in any order, changes nothing."""
    if incoming and kept_last_updated:
        return _instant_key(incoming) > _instant_key(kept_last_updated)
    return source_file == kept_source_file or (bool(incoming) and not kept_last_updated)


def _instant_key(value: str) -> str:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).isoformat()
    except ValueError:
        return value


def local_reference(resource: dict[str, Any], full_url: str | None) -> str | None:
    """What a urn:uuid fullUrl stands for once the entry is stored: "Patient/<id>"."""
    if not full_url:
        return None
    resource_type, resource_id = identity(resource, full_url)
    if not resource.get("id") and full_url.startswith("urn:uuid:"):
        resource_id = full_url.removeprefix("urn:uuid:")
    return f"{resource_type}/{resource_id}"


def resolve_references(value: Any, targets: dict[str, str]) -> Any:
    """Rewrite every Reference.reference found in `targets` (urn:uuid:... -> Type/id), in place."""
    if type(value) is dict:
        reference = value.get("reference")
        if type(reference) is str and reference in targets:
            value["reference"] = targets[reference]
        for inner in value.values():
            if type(inner) is dict or type(inner) is list:
                resolve_references(inner, targets)
    elif type(value) is list:
        for inner in value:
            if type(inner) is dict or type(inner) is list:
                resolve_references(inner, targets)
    return value


def patient_reference(resource: dict[str, Any], targets: dict[str, str] | None = None) -> str | None:
    """The Patient this resource is about ("Patient/<id>"), if it names one (urn:uuid: through `targets`)."""
    if resource.get("resourceType") == "Patient":
        return f"Patient/{resource.get('id')}"
    for key in SUBJECT_KEYS:
        target = resource.get(key)
        if type(target) is dict:
            reference = target.get("reference")
            if type(reference) is str and targets:
                reference = targets.get(reference, reference)
            if type(reference) is str and reference.startswith("Patient/"):
                return reference
    return None


def category(resource: dict[str, Any]) -> str:
    """A short code to tell kinds apart: an Encounter's class (IMP = inpatient), a resource's first code."""
    if resource.get("resourceType") == "Encounter":
        klass = resource.get("class")
        return str(klass.get("code", ""))[:64] if type(klass) is dict else ""
    code = resource.get("code")
    if type(code) is dict:
        for coding in code.get("coding") or []:
            if type(coding) is dict and coding.get("code"):
                return str(coding["code"])[:64]
    return ""


def _first(items: Any) -> dict[str, Any]:
    return items[0] if type(items) is list and items and type(items[0]) is dict else {}


def _official_name(patient: dict[str, Any]) -> dict[str, Any]:
    names = [n for n in patient.get("name") or [] if type(n) is dict]
    for name in names:
        if name.get("use") in ("official", "usual"):
            return name
    return names[0] if names else {}


def nhs_number_of(patient: dict[str, Any]) -> str | None:
    for identifier in patient.get("identifier") or []:
        if type(identifier) is dict and identifier.get("system") == NHS_NUMBER_SYSTEM:
            value = identifier.get("value")
            problem = nhs_number_problem(value)
            if problem is not None:
                raise PatientRefused(problem)
            return str(value)
    return None


def _gp(patient: dict[str, Any]) -> tuple[str | None, str | None]:
    for practitioner in patient.get("generalPractitioner") or []:
        if type(practitioner) is not dict:
            continue
        identifier = practitioner.get("identifier")
        if type(identifier) is dict and identifier.get("system") == ODS_SYSTEM and identifier.get("value"):
            return str(identifier["value"]).upper(), None
        reference = practitioner.get("reference")
        if type(reference) is str and reference.startswith("Organization/"):
            return None, reference
    return None, None


def _phone(patient: dict[str, Any]) -> str:
    for telecom in patient.get("telecom") or []:
        if type(telecom) is dict and telecom.get("system") == "phone" and telecom.get("value"):
            return str(telecom["value"])[:40]
    return ""


def patient_facts(patient: dict[str, Any]) -> PatientFacts:
    """What a Patient says about the person, in JoinedUp's terms; PatientRefused when it cannot say enough."""
    name = _official_name(patient)
    given = " ".join(str(g) for g in name.get("given") or [] if g).strip()
    family = str(name.get("family") or "").strip()
    if not given or not family:
        raise PatientRefused("A Patient needs a given and a family name to become a client")
    birth = patient.get("birthDate")
    if not isinstance(birth, str) or len(birth) != 10:
        raise PatientRefused("A Patient needs a full birthDate (YYYY-MM-DD) to become a client")
    address = _first(patient.get("address"))
    lines = [str(line) for line in address.get("line") or [] if line]
    lines += [str(address[key]) for key in ("city", "district") if address.get(key)]
    gp_ods_code, gp_reference = _gp(patient)
    deceased = bool(patient.get("deceasedBoolean")) or "deceasedDateTime" in patient
    return PatientFacts(
        given_name=given[:100],
        family_name=family[:100],
        date_of_birth=date.fromisoformat(birth),
        sex=str(patient.get("gender")) if patient.get("gender") in ("female", "male", "other") else "unknown",
        nhs_number=nhs_number_of(patient),
        address=", ".join(lines)[:300],
        postcode=str(address.get("postalCode") or "").upper()[:10],
        phone=_phone(patient),
        deceased=deceased,
        active=patient.get("active", True) is not False,
        gp_ods_code=gp_ods_code,
        gp_reference=gp_reference,
    )


def ods_code_of(organization: dict[str, Any]) -> str | None:
    for identifier in organization.get("identifier") or []:
        if type(identifier) is dict and identifier.get("system") == ODS_SYSTEM and identifier.get("value"):
            return str(identifier["value"]).upper()
    return None


def synthetic_nhs_numbers(seed: str) -> Iterator[str]:
    """Valid NHS numbers in the 999 range (never issued to people), derived from `seed`, in a fixed order.

    Only for an import that asks for synthetic numbers explicitly; the caller skips any already used.
    """
    start = int(hashlib.sha256(seed.encode()).hexdigest(), 16) % 1_000_000
    for step in range(1_000_000):
        middle = f"{(start + step) % 1_000_000:06d}"
        digit = check_digit(SYNTHETIC_PREFIX + middle)
        if digit is not None:
            yield f"{SYNTHETIC_PREFIX}{middle}{digit}"
