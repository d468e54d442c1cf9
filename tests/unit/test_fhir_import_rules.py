"""Pure rules of the FHIR import: what a Patient says, references, copies, synthetic NHS numbers."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from joinedup.core.nhs_number import is_valid
from joinedup.fhir import rules
from joinedup.fhir.preparing import prepare_file
from joinedup.fhir.reading import import_files

NHS = "https://fhir.nhs.uk/Id/nhs-number"


def test_a_uk_core_patient_says_who_they_are_and_their_gp_practice() -> None:
    facts = rules.patient_facts(
        {
            "resourceType": "Patient",
            "identifier": [{"system": NHS, "value": "9434765919"}],
            "name": [
                {"use": "nickname", "given": ["Dot"], "family": "X"},
                {"use": "official", "given": ["Dorothy", "May"], "family": "Okafor"},
            ],
            "gender": "female",
            "birthDate": "1938-02-01",
            "address": [{"line": ["1 High Street"], "city": "Thameside", "postalCode": "tm1 1aa"}],
            "telecom": [{"system": "email", "value": "a@b"}, {"system": "phone", "value": "01234 567890"}],
            "generalPractitioner": [{"identifier": {"system": rules.ODS_SYSTEM, "value": "f84001"}}],
            "deceasedDateTime": "2020-01-01T00:00:00Z",
        }
    )
    assert (facts.given_name, facts.family_name, facts.nhs_number) == ("Dorothy May", "Okafor", "9434765919")
    assert (facts.date_of_birth, facts.sex, facts.postcode, facts.phone) == (
        date(1938, 2, 1),
        "female",
        "TM1 1AA",
        "01234 567890",
    )
    assert (facts.address, facts.gp_ods_code, facts.deceased) == ("1 High Street, Thameside", "F84001", True)


@pytest.mark.parametrize(
    "patient",
    [
        {"name": [{"given": ["A"]}], "birthDate": "1940-01-01"},
        {"name": [{"given": ["A"], "family": "B"}], "birthDate": "1940"},
        {"name": [{"given": ["A"], "family": "B"}], "birthDate": "1940-01-01",
         "identifier": [{"system": NHS, "value": "9434765918"}]},
    ],
)  # fmt: skip
def test_a_patient_that_cannot_become_a_client_is_refused_with_a_reason(patient: dict) -> None:
    with pytest.raises(rules.PatientRefused):
        rules.patient_facts({"resourceType": "Patient", **patient})


def test_urn_references_are_resolved_in_place_wherever_they_are() -> None:
    resource = {"subject": {"reference": "urn:uuid:1"}, "x": [{"y": {"reference": "urn:uuid:2"}}, {"reference": 3}]}
    rules.resolve_references(resource, {"urn:uuid:1": "Patient/1", "urn:uuid:2": "Encounter/2"})
    assert resource == {
        "subject": {"reference": "Patient/1"},
        "x": [{"y": {"reference": "Encounter/2"}}, {"reference": 3}],
    }


def test_a_differing_copy_replaces_a_kept_resource_only_when_newer_or_from_the_same_file() -> None:
    assert rules.replaces_kept("2024-01-02T00:00:00Z", "b.json", "2024-01-01T23:00:00+00:00", "a.json")
    assert not rules.replaces_kept("2024-01-01T00:00:00Z", "b.json", "2024-01-02T00:00:00Z", "a.json")
    assert rules.replaces_kept("", "a.json", "", "a.json")
    assert not rules.replaces_kept("", "b.json", "", "a.json")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_synthetic_nhs_numbers_are_valid_never_issued_and_distinct(seed: str) -> None:
    numbers = []
    for number in rules.synthetic_nhs_numbers(seed):
        numbers.append(number)
        if len(numbers) == 5:
            break
    assert all(n.startswith("999") and is_valid(n) for n in numbers)
    assert len(set(numbers)) == 5


def test_a_bundle_is_prepared_with_references_resolved_and_bad_entries_named(tmp_path: Path) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"fullUrl": "urn:uuid:c1",
             "resource": {"resourceType": "Condition", "subject": {"reference": "urn:uuid:p1"}},
             "request": {"method": "POST", "url": "Condition"}},
            {"fullUrl": "urn:uuid:p1", "resource": {"resourceType": "Patient", "gender": "female"},
             "request": {"method": "POST", "url": "Patient"}},
            {"fullUrl": "urn:uuid:x", "resource": {"resourceType": "Patient", "gender": "bloke"},
             "request": {"method": "POST", "url": "Patient"}},
        ],
    }  # fmt: skip
    path = tmp_path / "b.json.gz"
    path.write_bytes(gzip.compress(json.dumps(bundle).encode()))
    prepared = prepare_file(path)
    assert prepared.read == 3
    assert [(p.resource_type, p.resource_id) for p in prepared.resources] == [("Patient", "p1"), ("Condition", "c1")]
    condition = json.loads(prepared.resources[1].data)
    assert condition["subject"] == {"reference": "Patient/p1"}
    assert prepared.resources[1].patient_reference == "Patient/p1"
    assert (
        len(prepared.problems) == 1 and "entry 2" in prepared.problems[0] and "Patient.gender" in prepared.problems[0]
    )


def test_broken_files_are_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "a.ndjson").write_text('{"resourceType": "Patient"}\nnot json\n[1]\n')
    (tmp_path / "b.json").write_text("{broken")
    (tmp_path / "c.json.gz").write_bytes(b"not gzip")
    (tmp_path / "d.json").write_text('{"resourceType": "Bundle", "type": "document"}')
    (tmp_path / "Patient.ndjson").write_text("")
    files = import_files([tmp_path])
    assert files[0].name == "Patient.ndjson"  # Patients first: others refer to them
    problems = [p for f in files for p in prepare_file(f).problems]
    assert any("a.ndjson, line 2" in p for p in problems) and any("a.ndjson, line 3" in p for p in problems)
    assert any("b.json, file" in p for p in problems) and any("c.json.gz, file" in p for p in problems)
    assert any("document bundle" in p for p in problems)
