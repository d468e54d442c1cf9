"""Helpers for the FHIR tests: bundles to import, and calling /fhir/R4/ with a real token."""

from __future__ import annotations

import gzip
import json
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import Client

from joinedup.core.tokens import create_token
from joinedup.fhir.validation.validator import default_validator
from tests.factories import Borough

NHS = "https://fhir.nhs.uk/Id/nhs-number"
ODS = "https://fhir.nhs.uk/Id/ods-organization-code"


def patient(pid: str, *, nhs: str | None = None, ods: str | None = None, family: str = "Okafor") -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": pid,
        "name": [{"use": "official", "family": family, "given": ["Ada"]}],
        "gender": "female",
        "birthDate": "1940-05-17",
    }
    if nhs:
        resource["identifier"] = [{"system": NHS, "value": nhs}]
    if ods:
        resource["generalPractitioner"] = [{"identifier": {"system": ODS, "value": ods}}]
    return resource


def transaction(*resources: dict[str, Any]) -> dict[str, Any]:
    """A transaction bundle whose entries refer to each other by urn:uuid, as Synthea writes them."""
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": f"urn:uuid:{r['id']}",
                "resource": r,
                "request": {"method": "POST", "url": r["resourceType"]},
            }
            for r in resources
        ],
    }


def condition(cid: str, patient_id: str, code: str = "26929004") -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": cid,
        "subject": {"reference": f"urn:uuid:{patient_id}"},
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": code, "display": "Alzheimer's disease"}]},
    }


def encounter(eid: str, patient_id: str, klass: str = "IMP") -> dict[str, Any]:
    return {
        "resourceType": "Encounter",
        "id": eid,
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": klass},
        "subject": {"reference": f"urn:uuid:{patient_id}"},
    }


def write(path: Path, content: Any, *, gz: bool = False) -> Path:
    data = json.dumps(content).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def import_fhir(*paths: Path, team: str | None = "North MDT", extra: tuple[str, ...] = ()) -> str:
    out = StringIO()
    args = [str(p) for p in paths] + (["--team", team] if team else []) + ["--no-progress", "--workers", "0", *extra]
    call_command("import_fhir", *args, stdout=out)
    return out.getvalue()


class FhirClient:
    def __init__(self, token: str | None) -> None:
        self.http = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.http.get("/fhir/R4/" + path, params or {}, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        return self.http.post("/fhir/R4/" + path, data, content_type="application/fhir+json", headers=self.headers)


def fhir_as(b: Borough, name: str) -> FhirClient:
    plaintext, _ = create_token(b.people[name], name="fhir tests")
    return FhirClient(plaintext)


def valid(body: dict[str, Any]) -> dict[str, Any]:
    """The body, after checking that JoinedUp's own answers are valid FHIR R4."""
    problems = [(i.expression, i.diagnostics) for i in default_validator().validate(body) if i.is_error]
    assert problems == [], problems
    return body
