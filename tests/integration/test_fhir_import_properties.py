"""Invariants under any import: every imported client has someone who answers for them (invariant 1),
a broken resource changes nothing (invariant 8), care from elsewhere is exactly what was sent about
known clients, once, and gives nobody access (invariant 6)."""

from __future__ import annotations

import json
from itertools import count
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedup.careplans.models import ExternalCarePlan, ExternalCareTeamMember, ExternalGoal
from joinedup.clients.queries import accountability_violations
from joinedup.core.access import actor_for, visible_clients
from joinedup.core.models import AuditEvent
from joinedup.directory.models import Locality, Practitioner
from joinedup.fhir.models import SourceResource
from tests.factories import borough
from tests.integration.fhir_helpers import ODS, import_fhir, patient, transaction

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


MEMBERS = st.sampled_from(
    [
        {"member": {"reference": "urn:uuid:{p}-pr"}, "role": [{"text": "Nurse"}], "period": {"start": "2024-01-10"}},
        {"member": {"reference": "urn:uuid:{p}-org"}, "role": [{"text": "Hospice"}]},
        {"member": {"display": "Dr Amina Ahmed"}, "role": [{"text": "GP"}]},
        {"member": {"identifier": {"system": ODS, "value": "C001"}}},
        {"member": {"reference": "Practitioner/not-sent"}, "onBehalfOf": {"reference": "urn:uuid:{p}-org"}},
    ]
)
CARE = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["CarePlan", "Goal", "CareTeam"]),
        "known": st.booleans(),  # about the client, or about a Patient JoinedUp does not know
        "broken": st.booleans(),
        "status": st.sampled_from(["active", "completed", "entered-in-error"]),
        "members": st.lists(MEMBERS, max_size=4),
    }
)


def _care(spec: dict[str, Any], prefix: str, n: int) -> dict[str, Any]:
    subject = {"reference": f"urn:uuid:{prefix}-p" if spec["known"] else "Patient/nobody-we-know"}
    rid = f"{prefix}-{spec['kind'].lower()}-{n}"
    if spec["kind"] == "CarePlan":
        status = "finished" if spec["broken"] else spec["status"]  # not a CarePlan status
        resource = {"status": status, "intent": "plan", "title": f"Plan {n}", "subject": subject,
                    "goal": [{"reference": f"urn:uuid:{prefix}-goal-{n + 1}"}]}  # fmt: skip
    elif spec["kind"] == "Goal":
        resource = {"lifecycleStatus": "active" if spec["status"] == "completed" else spec["status"],
                    "description": {"text": f"Goal {n}"}, "subject": subject}  # fmt: skip
        if spec["broken"]:
            resource.pop("lifecycleStatus")
    else:
        members = [json.loads(json.dumps(m).replace("{p}", prefix)) for m in spec["members"]]
        resource = {"status": "busy" if spec["broken"] else "active", "subject": subject}
        if members:  # an empty array is not valid FHIR: a team of nobody leaves it out
            resource["participant"] = members
    return {"resourceType": spec["kind"], "id": rid, **resource}


def _care_rows(prefix: str) -> list[tuple[Any, ...]]:
    plans = ExternalCarePlan.objects.filter(key__contains=prefix).order_by("pk").values_list("pk", "key", "updated_at")
    goals = ExternalGoal.objects.filter(key__contains=prefix).order_by("pk").values_list("pk", "key", "updated_at")
    members = ExternalCareTeamMember.objects.filter(team_key__contains=prefix).order_by("pk")
    return [*plans, *goals, *members.values_list("pk", "team_key", "position", "name", "updated_at")]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(CARE, min_size=1, max_size=6))
def test_care_from_elsewhere_is_what_was_sent_about_known_clients_once_and_gives_nobody_access(
    db: None, specs: list[dict[str, Any]]
) -> None:
    if not Locality.objects.exists():
        borough()
    prefix = f"x{next(_ids)}"
    others = [
        patient(f"{prefix}-p", ods="F84001"),
        {"resourceType": "Practitioner", "id": f"{prefix}-pr", "name": [{"text": "Nia Nurseson"}]},
        {"resourceType": "Organization", "id": f"{prefix}-org", "name": "Hospice",
         "identifier": [{"system": ODS, "value": "RV3"}]},
    ]  # fmt: skip
    care = [_care(spec, prefix, n) for n, spec in enumerate(specs)]
    with TemporaryDirectory() as folder:
        first, path = Path(folder) / "people.json", Path(folder) / "care.json"
        first.write_text(json.dumps(transaction(*others)))
        import_fhir(first)
        access = _access()
        path.write_text(json.dumps(transaction(*others, *care)))
        import_fhir(path)
        assert _access() == access  # being named in an imported care team is no relationship to anyone
        client_id = SourceResource.objects.get(resource_id=f"{prefix}-p").client_id
        assert client_id is not None
        mapped = {r["id"] for spec, r in zip(specs, care, strict=True) if spec["known"] and not spec["broken"]}
        for spec, resource in zip(specs, care, strict=True):
            kept = SourceResource.objects.filter(resource_id=resource["id"]).first()
            assert (kept is None) == spec["broken"], resource  # a broken one changes nothing
            if kept is not None:
                assert (kept.client_id == client_id, kept.mapped_to != "") == (spec["known"], spec["known"])
        keys = {f"{r['resourceType']}/{r['id']}" for r in care if r["id"] in mapped}
        plans = set(ExternalCarePlan.objects.filter(key__contains=prefix).values_list("key", flat=True))
        goals = set(ExternalGoal.objects.filter(key__contains=prefix).values_list("key", flat=True))
        assert (plans, goals) == ({k for k in keys if "CarePlan/" in k}, {k for k in keys if "Goal/" in k})
        members = ExternalCareTeamMember.objects.filter(team_key__contains=prefix)
        assert members.count() == sum(len(r["participant"]) for r in care if r["id"] in mapped and "participant" in r)
        assert set(members.values_list("client_id", flat=True)) <= {client_id}
        before, events = _care_rows(prefix), AuditEvent.objects.count()
        import_fhir(path)
        assert _care_rows(prefix) == before and AuditEvent.objects.count() == events  # again: nothing changes


def _access() -> dict[int, set[int]]:
    """Every practitioner's visible clients."""
    people = Practitioner.objects.all()
    return {p.pk: set(visible_clients(actor_for(p)).values_list("pk", flat=True)) for p in people}
