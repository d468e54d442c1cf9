"""Preparing one FHIR file for import, without the database: read, validate, resolve, serialise.

Pure (no Django), so that it runs in a worker process beside the one writing to the database: the
two cores share the work. What comes back is small and cheap to pass between processes: per
resource its identity, its JSON (urn:uuid references made Type/id, keys sorted) and its hash.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from joinedup.fhir import rules
from joinedup.fhir.reading import Found, read
from joinedup.fhir.validation.validator import default_validator

_URN_REFERENCE = re.compile(rb'"reference":"(urn:[^"]+)"')


@dataclass(slots=True)
class Prepared:
    resource_type: str
    resource_id: str
    data: bytes  # the JSON to keep
    digest: str
    patient_reference: str | None
    category: str
    last_updated: str
    position: str
    file: str
    facts: rules.PatientFacts | None = None  # for a Patient that can become a client
    refusal: str = ""  # for a Patient that cannot, why


@dataclass
class PreparedFile:
    file: str
    read: int = 0
    resources: list[Prepared] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "file, position: what is wrong"


def prepare_file(path: Path, validate: bool = True) -> PreparedFile:
    """Everything of one file that can be imported, and what cannot, with where it was."""
    found = list(read(path))
    prepared = PreparedFile(str(path), read=len(found))
    targets = {f.full_url: ref for f in found if f.resource is not None and f.full_url and (ref := _target(f))}
    for item in found:
        problem = _problem(item, validate)
        if problem:
            prepared.problems.append(f"{item.file}, {item.position}: {problem}")
        else:
            prepared.resources.append(_prepare(item, targets))
    return prepared


def _target(found: Found) -> str | None:
    assert found.resource is not None
    if found.full_url and found.full_url.startswith("urn:") and not found.resource.get("id"):
        found.resource["id"] = found.full_url.rsplit(":", 1)[-1][:64]
    return rules.local_reference(found.resource, found.full_url) if found.full_url else None


def _problem(found: Found, validate: bool) -> str:
    if found.resource is None:
        return found.problem
    if not validate:
        return ""
    errors = [issue for issue in default_validator().validate(found.resource) if issue.is_error]
    if not errors:
        return ""
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{errors[0].expression or 'resource'}: {errors[0].diagnostics}{more}"


def _prepare(found: Found, targets: dict[str, str]) -> Prepared:
    resource = found.resource
    assert resource is not None
    data = orjson.dumps(resource, option=orjson.OPT_SORT_KEYS)
    if targets and b'"urn:' in data:
        data = _URN_REFERENCE.sub(lambda m: _resolved(m, targets), data)
    resource_type, resource_id = rules.identity(resource, found.full_url)
    patient = rules.patient_reference(resource, targets)
    prepared = Prepared(
        resource_type=resource_type,
        resource_id=resource_id,
        data=data,
        digest=hashlib.sha256(data).hexdigest(),
        patient_reference=patient,
        category=rules.category(resource),
        last_updated=rules.last_updated(resource),
        position=found.position,
        file=found.file[:500],
    )
    if resource_type == "Patient":
        try:
            prepared.facts = rules.patient_facts(resource)
        except rules.PatientRefused as refusal:
            prepared.refusal = str(refusal)
    return prepared


def _resolved(match: re.Match[bytes], targets: dict[str, str]) -> bytes:
    target = targets.get(match.group(1).decode())
    return b'"reference":"' + target.encode() + b'"' if target else match.group(0)
