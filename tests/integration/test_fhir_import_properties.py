"""Invariants under any import: every imported client has someone who answers for them (invariant 1),
and a broken resource changes nothing (invariant 8)."""

from __future__ import annotations

import json
from itertools import count
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedup.clients.queries import accountability_violations
from joinedup.directory.models import Locality
from joinedup.fhir.models import SourceResource
from tests.factories import borough
from tests.integration.fhir_helpers import import_fhir, patient, transaction

pytestmark = pytest.mark.django_db
_ids = count(1)

PATIENTS = st.fixed_dictionaries(
    {
        "ods": st.sampled_from([None, "F84001", "F84002", "Z99999"]),
        "nhs": st.sampled_from([None, "9990000034", "9990000042", "9434765918"]),
        "family": st.text(alphabet="ABCDEFGHIJ abc", min_size=0, max_size=6),
        "birth": st.sampled_from(["1940-05-17", "1940", "2021-02-30", "1899-01-01"]),
        "gender": st.sampled_from(["female", "male", "bloke", "unknown"]),
    }
)


def _patient(spec: dict[str, Any]) -> dict[str, Any]:
    resource = patient(f"p{next(_ids)}", nhs=spec["nhs"], ods=spec["ods"], family=spec["family"])
    resource["birthDate"], resource["gender"] = spec["birth"], spec["gender"]
    if not spec["family"]:
        resource["name"][0].pop("family")
    return resource


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PATIENTS, min_size=1, max_size=6), st.booleans())
def test_every_imported_client_is_answered_for_and_broken_patients_change_nothing(
    db: None, specs: list[dict[str, Any]], default_team: bool
) -> None:
    if not Locality.objects.exists():  # hypothesis runs every example in the one test database
        borough()
    resources = [_patient(spec) for spec in specs]
    with TemporaryDirectory() as folder:
        path = Path(folder) / "patients.json"
        path.write_text(json.dumps(transaction(*resources)))
        import_fhir(path, team="North MDT" if default_team else None)
    assert accountability_violations() == []
    kept = dict(SourceResource.objects.filter(resource_type="Patient").values_list("resource_id", "client_id"))
    numbers_seen: set[str] = set()
    for resource, spec in zip(resources, specs, strict=True):
        if _invalid_fhir(spec):
            assert resource["id"] not in kept  # refused whole: no client, no source record
            continue
        assert resource["id"] in kept
        duplicate = spec["nhs"] in numbers_seen
        numbers_seen.add(spec["nhs"] or "")
        if _can_be_a_client(spec, default_team) and not duplicate:
            assert kept[resource["id"]] is not None, spec
        if not spec["family"].strip() or spec["birth"] == "1940":  # says too little to be anyone
            assert kept[resource["id"]] is None, spec


def _invalid_fhir(spec: dict[str, Any]) -> bool:
    return spec["gender"] == "bloke" or spec["birth"] == "2021-02-30" or spec["nhs"] == "9434765918"


def _can_be_a_client(spec: dict[str, Any], default_team: bool) -> bool:
    """A name, a full birth date within 125 years, and a team: the North practice's MDT (which has a duty
    worker) or the default team. The South MDT has no duty worker, so South's patients need the default."""
    team = default_team or spec["ods"] == "F84001"
    return bool(spec["family"].strip()) and spec["birth"] == "1940-05-17" and team
