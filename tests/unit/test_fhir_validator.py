"""The FHIR R4 validator: each kind of problem is found where it is, and valid resources pass."""

from __future__ import annotations

import copy
import re
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from joinedup.fhir.validation.outcome import operation_outcome
from joinedup.fhir.validation.validator import Validator, default_validator

V = default_validator()
NHS = "https://fhir.nhs.uk/Id/nhs-number"


def patient(**extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": "p1",
        "identifier": [{"system": NHS, "value": "9434765919"}],
        "name": [{"family": "Okafor", "given": ["Ada"]}],
        "gender": "female",
        "birthDate": "1940-05-17",
        **extra,
    }


def errors(resource: Any, validator: Validator = V) -> list[tuple[str, str]]:
    return [(i.expression, i.code) for i in validator.validate(resource) if i.is_error]


def test_a_valid_patient_has_no_problems() -> None:
    assert errors(patient()) == []


@pytest.mark.parametrize(
    ("change", "where", "code"),
    [
        ({"unknownElement": 1}, "Patient", "structure"),
        ({"gender": "bloke"}, "Patient.gender", "code-invalid"),
        ({"birthDate": "17/05/1940"}, "Patient.birthDate", "value"),
        ({"birthDate": "2021-02-30"}, "Patient.birthDate", "value"),
        ({"active": "true"}, "Patient.active", "value"),
        ({"id": "bad_id"}, "Patient.id", "value"),
        ({"id": "x" * 65}, "Patient.id", "value"),
        ({"name": {"family": "Okafor"}}, "Patient", "structure"),
        ({"gender": ["female"]}, "Patient", "structure"),
        ({"name": []}, "Patient", "structure"),
        ({"multipleBirthInteger": 2**31}, "Patient.multipleBirth.ofType(integer)", "value"),
        ({"multipleBirthInteger": 2, "multipleBirthBoolean": True}, "Patient", "structure"),
        ({"identifier": [{"system": NHS, "value": "9434765918"}]}, "Patient.identifier[0].value", "value"),
        ({"identifier": [{"system": NHS, "value": "943 476 5919"}]}, "Patient.identifier[0].value", "value"),
        ({"communication": [{"preferred": True}]}, "Patient.communication[0]", "required"),
        ({"managingOrganization": {"reference": "Patient/2"}}, "Patient.managingOrganization.reference", "structure"),
        ({"managingOrganization": {"reference": "Unicorn/2"}}, "Patient.managingOrganization", "invalid"),
        ({"text": {"status": "generated", "div": "<p>no div</p>"}}, "Patient.text.div", "value"),
        ({"text": {"status": "generated", "div": '<div xmlns="http://www.w3.org/1999/xhtml">&reg;</div>'}},
         "Patient.text.div", "value"),
        ({"text": {"status": "generated", "div": '<div xmlns="http://www.w3.org/1999/xhtml"><script/></div>'}},
         "Patient.text.div", "value"),
        ({"extension": [{"url": "http://example.net/x", "valueString": "a", "extension": [{"url": "y"}]}]},
         "Patient.extension[0]", "invariant"),
        ({"extension": [{"url": "relative", "valueString": "a"}]}, "Patient.extension[0].url", "invalid"),
        ({"extension": [{"valueString": "a"}]}, "Patient.extension[0]", "required"),
        ({"name": [{"family": "A", "period": {"start": "2020-02-01", "end": "2020-01-01"}}]},
         "Patient.name[0].period", "invariant"),
        ({"maritalStatus": {"coding": [{"system": "#local", "code": "M"}]}},
         "Patient.maritalStatus.coding[0].system", "invalid"),
    ],
)  # fmt: skip
def test_each_problem_is_found_where_it_is(change: dict[str, Any], where: str, code: str) -> None:
    assert (where, code) in errors(patient(**change))


def test_an_unknown_resource_type_and_a_non_object_are_refused() -> None:
    assert errors({"resourceType": "Unicorn"}) == [("", "structure")]
    assert [i.severity for i in V.validate([1, 2])] == ["fatal"]


def test_broken_json_is_fatal_and_a_byte_order_mark_is_tolerated() -> None:
    parsed, issues = V.validate_json(b'{"resourceType": "Patient",}')
    assert parsed is None and issues[0].severity == "fatal"
    parsed, issues = V.validate_json(b"\xef\xbb\xbf" + b'{"resourceType": "Patient"}')
    assert parsed == {"resourceType": "Patient"} and issues == []


def test_primitive_extensions_and_nulls_in_arrays() -> None:
    extended = patient(birthDate=None)
    del extended["birthDate"]
    extended["_birthDate"] = {"extension": [{"url": "http://example.net/unknown", "valueString": "x"}]}
    assert errors(extended) == []
    with_null = patient(name=[{"family": "A", "given": ["Ada", None], "_given": [None, {"id": "g2"}]}])
    assert errors(with_null) == []
    assert ("Patient.name[0]", "structure") in errors(patient(name=[{"family": "A", "given": ["Ada", None]}]))


def test_contained_resources_follow_dom_2_to_dom_5() -> None:
    condition = {
        "resourceType": "Condition",
        "subject": {"reference": "#p"},
        "contained": [{"resourceType": "Patient", "id": "p", "meta": {"versionId": "1"}}, {"resourceType": "Patient"}],
    }
    found = errors(condition)
    assert ("Condition.contained[0]", "invariant") in found  # dom-4
    assert ("Condition.contained[1]", "invalid") in found  # no id
    unreferenced = {"resourceType": "Condition", "subject": {"reference": "Patient/1"},
                    "contained": [{"resourceType": "Patient", "id": "p"}]}  # fmt: skip
    assert ("Condition.contained[0]", "invariant") in errors(unreferenced)  # dom-3
    dangling = {"resourceType": "Condition", "subject": {"reference": "#nobody"}}
    assert ("Condition", "not-found") in errors(dangling)


def test_required_bindings_on_codeable_concepts_and_codings() -> None:
    condition = {"resourceType": "Condition", "subject": {"reference": "Patient/1"},
                 "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                                "code": "cured"}]}}  # fmt: skip
    assert ("Condition.clinicalStatus", "code-invalid") in errors(condition)
    condition["clinicalStatus"]["coding"][0]["code"] = "resolved"
    assert errors(condition) == []
    assert errors(condition, Validator(bindings=False)) == []
    assert errors(patient(gender="bloke"), Validator(bindings=False)) == []


def test_bundles_resolve_urn_references_and_keep_their_own_rules() -> None:
    entry = {"fullUrl": "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a", "resource": patient(id=None),
             "request": {"method": "POST", "url": "Patient"}}  # fmt: skip
    del entry["resource"]["id"]
    condition = {"resourceType": "Condition", "subject": {"reference": entry["fullUrl"]}}
    bundle = {"resourceType": "Bundle", "type": "transaction",
              "entry": [entry, {"fullUrl": "urn:uuid:0f4b2d9c-1b1e-4c55-9a3e-111111111111", "resource": condition,
                                "request": {"method": "POST", "url": "Condition"}}]}  # fmt: skip
    assert errors(bundle) == []
    broken = copy.deepcopy(bundle)
    broken["entry"][1]["resource"]["subject"]["reference"] = "urn:uuid:00000000-0000-0000-0000-000000000000"
    del broken["entry"][0]["request"]
    found = errors(broken)
    assert ("Bundle.entry[1].resource.subject.reference", "not-found") in found
    assert ("Bundle.entry[0]", "invariant") in found  # bdl-3
    collection = {**broken, "type": "collection"}
    for item in collection["entry"]:
        item.pop("request", None)
    assert errors(collection) == []  # an unresolved reference is only a warning outside transactions


def test_the_operation_outcome_has_an_issue_per_problem() -> None:
    outcome = operation_outcome(V.validate(patient(gender="bloke", birthDate="x")))
    assert outcome["resourceType"] == "OperationOutcome"
    assert {tuple(i["expression"]) for i in outcome["issue"]} == {("Patient.gender",), ("Patient.birthDate",)}
    assert V.validate(outcome) == []
    assert operation_outcome([])["issue"][0]["severity"] == "information"


DATE = re.compile(
    r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?"
)


def _reference_date_verdict(value: str) -> bool:
    if not DATE.fullmatch(value):
        return False
    if len(value) == 10:
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
    return True


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.dates().map(date.isoformat), st.text(alphabet="0123456789-/T:Z ", max_size=12)))
def test_birth_dates_are_judged_by_the_specifications_expression_and_the_calendar(value: str) -> None:
    assert (("Patient.birthDate", "value") not in errors(patient(birthDate=value))) == _reference_date_verdict(value)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
KEYS = st.sampled_from(["name", "gender", "contact", "extension", "_birthDate", "link", "text", "contained", "meta"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, JSON, max_size=4))
def test_any_json_gets_an_answer_never_an_exception(junk: dict[str, Any]) -> None:
    issues = V.validate({"resourceType": "Patient", **junk})
    assert all(i.severity in ("fatal", "error", "warning", "information") for i in issues)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ_", min_size=1, max_size=12))
def test_a_property_the_specification_does_not_have_is_always_refused_by_name(name: str) -> None:
    resource = patient()
    known = V.definitions.shapes["Patient"].children
    if name in known or name == "resourceType" or name.startswith("_"):
        return
    resource[name] = "x"
    assert ("Patient", "structure") in errors(resource)


TEXT = re.compile(r"[ \r\n\t\S]+", re.ASCII)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x2100), max_size=20))
def test_strings_are_judged_as_the_specifications_expression_would(value: str) -> None:
    """The fast check of string values gives the verdict of the specification's regular expression."""
    judged = ("Patient.name[0].text", "value") not in errors(patient(name=[{"text": value}]))
    assert judged == bool(TEXT.fullmatch(value))
