"""UK Core examples (XML, converted to JSON by fhir.resources): validated, and their Patients imported
with their NHS numbers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from joinedup.clients.models import Client
from joinedup.fhir.validation.validator import default_validator
from tests.corpora import corpus
from tests.factories import Borough
from tests.integration.fhir_helpers import NHS, fhir_as, import_fhir, valid, write

_ROOT = re.compile(rb"<([A-Za-z]+)[\s>]")


def _without_comments(value: Any) -> Any:
    """fhir.resources keeps XML comments as `fhir_comments`, which R4's JSON does not have (and a
    comment on a primitive leaves its `_element` empty once taken out)."""
    if isinstance(value, dict):
        kept = {k: _without_comments(v) for k, v in value.items() if k != "fhir_comments"}
        return {k: v for k, v in kept.items() if not (k.startswith("_") and v == {})}
    if isinstance(value, list):
        return [_without_comments(v) for v in value]
    return value


def _as_json(path: Path) -> dict[str, Any]:
    xml = path.read_bytes()
    body = xml[xml.find(b"?>") + 2 :] if xml.startswith(b"<?xml") else xml
    match = _ROOT.search(body)
    assert match is not None, path
    model = get_fhir_model_class(match.group(1).decode()).model_validate_xml(xml)
    return _without_comments(json.loads(model.model_dump_json()))


def _examples() -> list[Path]:
    return sorted((corpus("uk_core_examples") / "dev").glob("UKCore-*.xml"))


def test_uk_core_examples_validate_and_the_baby_with_a_wrong_nhs_number_is_refused() -> None:
    refused = {}
    for path in _examples():
        errors = [i for i in default_validator().validate(_as_json(path)) if i.is_error]
        if errors:
            refused[path.name] = (errors[0].expression, errors[0].diagnostics)
    # A few genuine mistakes of the examples: a relative fullUrl, references that are bare ids or
    # a type followed by a URL, and the baby's NHS number.
    assert len(refused) <= 6, refused
    baby = refused.get("UKCore-Patient-BabyPatient-Example.xml")
    assert baby is not None and baby[0] == "Patient.identifier[0].value" and "NHS number" in baby[1]


@pytest.mark.django_db
def test_uk_core_patients_import_with_their_nhs_numbers(b: Borough, tmp_path: Path) -> None:
    patients = [_as_json(p) for p in _examples() if p.name.startswith("UKCore-Patient-")]
    for number, patient in enumerate(patients):
        write(tmp_path / f"patient-{number}.json", patient)
    output = import_fhir(tmp_path)
    assert "Patient.identifier[0].value: This is not a valid NHS number" in output  # the baby: refused
    expected = {
        i["value"]
        for p in patients
        if len(p.get("birthDate", "")) == 10 and p.get("name")
        for i in p.get("identifier", [])
        if i.get("system") == NHS and i["value"] != "9912003890"
    }
    registered = set(Client.objects.exclude(nhs_number=None).values_list("nhs_number", flat=True))
    assert expected and registered == expected
    client = Client.objects.exclude(nhs_number=None).first()
    assert client is not None
    patient = valid(fhir_as(b, "coordinator.north").get(f"Patient/{client.pk}").json())
    assert patient["identifier"] == [{"system": NHS, "value": client.nhs_number}]
