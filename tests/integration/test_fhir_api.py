"""The FHIR R4 interface: what it serves, to whom, audited, and how it refuses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from joinedup.clients.services import record_consent, record_need
from joinedup.core.models import AuditEvent
from joinedup.fhir.registry import mappers
from joinedup.tasks.services import create_task
from tests.factories import Borough, client_in
from tests.handover_factories import sent_referral
from tests.integration.fhir_helpers import NHS, FhirClient, fhir_as, valid

pytestmark = pytest.mark.django_db
TYPES = ("EpisodeOfCare", "CareTeam", "ServiceRequest", "Task", "Condition", "Consent")


@pytest.fixture
def record(b: Borough) -> dict[str, Any]:
    """A northern client with a need, a consent decision, a referral and a task."""
    client = client_in(b, nhs_number="9990000018", family_name="Okafor")
    ot = b.actor("ot.north")
    need = record_need(ot, client.pk, "personal_care", "Needs help washing")
    record_consent(ot, client.pk, "given")
    referral = sent_referral(b, client)
    task = create_task(ot, title="Visit", due_at=timezone.now() + timedelta(days=1),
                       owner_team_id=b.therapy_north.pk, client=client)  # fmt: skip
    return {"client": client, "need": need, "referral": referral, "task": task}


def entries(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    body = valid(response.json())
    assert body["type"] == "searchset"
    return [entry["resource"] for entry in body.get("entry", [])]


def test_metadata_lists_exactly_what_the_registry_serves(client: Any) -> None:
    response = client.get("/fhir/R4/metadata")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/fhir+json")
    statement = valid(response.json())
    served = statement["rest"][0]["resource"]
    assert [r["type"] for r in served] == [m.resource_type for m in mappers()]
    for resource, mapper in zip(served, mappers(), strict=True):
        assert {i["code"] for i in resource["interaction"]} == {"read", "search-type"}
        assert [p["name"] for p in resource["searchParam"]] == [p.name for p in mapper.search_parameters]
    assert [r["type"] for r in served] == [  # pinned: what the FHIR interface serves is a deliberate change
        "AuditEvent", "CarePlan", "CareTeam", "Condition", "Consent", "Encounter", "EpisodeOfCare", "Flag", "Goal",
        "Organization", "Patient", "Practitioner", "ServiceRequest", "Task",
    ]  # fmt: skip
    patient = next(r for r in served if r["type"] == "Patient")
    assert {o["name"] for o in patient["operation"]} == {"everything", "validate"}
    assert statement["fhirVersion"] == "4.0.1"


def test_a_patient_is_read_and_found_by_nhs_number_name_and_birth_date(b: Borough, record: dict[str, Any]) -> None:
    api = fhir_as(b, "ot.north")
    client = record["client"]
    patient = valid(api.get(f"Patient/{client.pk}").json())
    assert patient["identifier"] == [{"system": NHS, "value": "9990000018"}]
    assert patient["generalPractitioner"][0]["identifier"]["value"] == "F84001"
    for params in (
        {"identifier": f"{NHS}|9990000018"},
        {"identifier": "9990000018"},
        {"name": "oka"},
        {"family": "Okafor", "birthdate": "1940-05-17"},
        {"birthdate": "ge1940-01-01"},
    ):
        assert [p["id"] for p in entries(api.get("Patient", params))] == [str(client.pk)], params
    assert entries(api.get("Patient", {"identifier": "https://other.example/id|9990000018"})) == []
    assert entries(api.get("Patient", {"birthdate": "lt1940-01-01"})) == []


@pytest.mark.parametrize("resource_type", TYPES)
def test_each_resource_of_the_client_is_searched_and_read_back(
    b: Borough, record: dict[str, Any], resource_type: str
) -> None:
    api = fhir_as(b, "ot.north")
    found = entries(api.get(resource_type, {"patient": f"Patient/{record['client'].pk}"}))
    assert found, resource_type
    for resource in found:
        read = api.get(f"{resource_type}/{resource['id']}")
        assert read.status_code == 200, (resource_type, resource["id"])
        assert valid(read.json()) == resource


def test_the_mapping_says_what_joinedup_knows(b: Borough, record: dict[str, Any]) -> None:
    api = fhir_as(b, "ot.north")
    pid = record["client"].pk
    episode = entries(api.get("EpisodeOfCare", {"patient": pid, "status": "active"}))[0]
    assert episode["careManager"]["reference"] == f"Practitioner/{b.people['ot.north'].pk}"
    request = entries(api.get("ServiceRequest", {"patient": pid}))[0]
    assert (request["status"], request["priority"]) == ("active", "urgent")
    tasks = entries(api.get("Task", {"patient": pid}))
    assert {t["id"] for t in tasks} == {f"referral-{record['referral'].pk}", str(record["task"].pk)}
    referral_task = next(t for t in tasks if t["id"].startswith("referral-"))
    assert (referral_task["status"], referral_task["focus"]["reference"]) == (
        "requested",
        f"ServiceRequest/{record['referral'].pk}",
    )
    condition = entries(api.get("Condition", {"patient": pid}))[0]
    assert (condition["code"]["text"], condition["clinicalStatus"]["coding"][0]["code"]) == (
        "Needs help washing",
        "active",
    )
    consent = entries(api.get("Consent", {"patient": pid}))[0]
    assert (consent["status"], consent["provision"]["type"]) == ("active", "permit")
    team = entries(api.get("CareTeam", {"patient": pid}))[0]
    roles = {r["text"] for p in team["participant"] for r in p["role"]}
    assert {"Accountable team", "Lead professional", "Owner of an open task: Visit"} <= roles


def test_another_locality_sees_nothing_and_a_refusal_looks_like_absence(b: Borough, record: dict[str, Any]) -> None:
    api = fhir_as(b, "ot.south")
    pid = record["client"].pk
    absent = api.get("Patient/999999")
    refused = api.get(f"Patient/{pid}")
    assert (absent.status_code, refused.status_code) == (404, 404)
    assert absent.json() == refused.json()
    assert valid(refused.json())["resourceType"] == "OperationOutcome"
    assert entries(api.get("Patient", {"identifier": "9990000018"})) == []
    for resource_type in TYPES:
        assert entries(api.get(resource_type, {"patient": f"Patient/{pid}"})) == [], resource_type
    assert api.get(f"Condition/need-{record['need'].pk}").status_code == 404
    assert api.get(f"Patient/{pid}/$everything").status_code == 404
    assert AuditEvent.objects.filter(client_id=pid, outcome="refused", channel="fhir").exists()


def test_consent_refused_is_honoured_on_the_fhir_channel(b: Borough, record: dict[str, Any]) -> None:
    client = record["client"]
    record_consent(b.actor("ot.north"), client.pk, "refused")
    coordinator = fhir_as(b, "coordinator.north")  # the locality MDT, of the same organisation
    assert coordinator.get(f"Patient/{client.pk}").status_code == 200
    council = fhir_as(b, "sw.council")
    assert council.get(f"Patient/{client.pk}").status_code == 404


def test_every_read_and_search_is_audited_on_the_fhir_channel(b: Borough, record: dict[str, Any]) -> None:
    api = fhir_as(b, "ot.north")
    pid = record["client"].pk
    before = AuditEvent.objects.filter(channel="fhir").count()
    api.get(f"Patient/{pid}")
    entries(api.get("Condition", {"patient": pid}))
    events = list(AuditEvent.objects.filter(channel="fhir").order_by("id")[before:])
    assert [(e.action, e.client_id) for e in events] == [("view", pid), ("list", pid)]
    assert events[0].actor_username == "ot.north"


def test_audit_events_only_for_the_accountable_team_and_the_locality_mdt(b: Borough, record: dict[str, Any]) -> None:
    pid = record["client"].pk
    mine = entries(fhir_as(b, "ot.north").get("AuditEvent", {"patient": f"Patient/{pid}"}))
    assert mine and all(e["entity"][0]["what"]["reference"] == f"Patient/{pid}" for e in mine)
    assert fhir_as(b, "coordinator.north").get("AuditEvent", {"patient": pid}).status_code == 200
    mental_health = fhir_as(b, "ot.south")
    assert mental_health.get("AuditEvent", {"patient": pid}).status_code == 404
    assert mental_health.get(f"AuditEvent/{mine[0]['id']}").status_code == 404
    assert fhir_as(b, "ot.north").get("AuditEvent").status_code == 400


def test_search_pages_follow_next_links_and_honour_count(b: Borough) -> None:
    for _ in range(5):
        client_in(b, family_name="Paged")
    api = fhir_as(b, "ot.north")
    seen: list[str] = []
    response = api.get("Patient", {"family": "Paged", "_count": 2})
    while True:
        body = response.json()
        page = entries(response)
        assert len(page) <= 2
        seen += [p["id"] for p in page]
        following = [link["url"] for link in body["link"] if link["relation"] == "next"]
        if not following:
            break
        response = api.http.get(following[0], headers=api.headers)
    assert len(seen) == len(set(seen)) == 5


def test_everything_gathers_the_record_in_one_bundle(b: Borough, record: dict[str, Any]) -> None:
    bundle = valid(fhir_as(b, "ot.north").get(f"Patient/{record['client'].pk}/$everything").json())
    kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert {"Patient", "EpisodeOfCare", "CareTeam", "ServiceRequest", "Task", "Condition", "Consent"} <= kinds
    assert bundle["total"] == len(bundle["entry"])


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("Patient", {"_count": "0"}, 400),
        ("Patient", {"_count": "many"}, 400),
        ("Patient", {"bogus": "1"}, 400),
        ("Patient", {"birthdate": "17/05/1940"}, 400),
        ("Patient", {"birthdate": "2021-02-30"}, 400),
        ("Patient", {"_format": "xml"}, 400),
        ("Patient", {"name:exact": "A"}, 400),
        ("EpisodeOfCare", {"status": "sleeping"}, 400),
        ("Unicorn", {}, 404),
        ("Patient/not-a-number", {}, 404),
        ("Condition/need-x", {}, 404),
        ("Patient/1/2/3", {}, 404),
    ],
)
def test_malformed_and_unknown_requests_get_an_operation_outcome(
    b: Borough, path: str, params: dict[str, str], status: int
) -> None:
    response = fhir_as(b, "ot.north").get(path, params)
    assert response.status_code == status
    outcome = valid(response.json())
    assert outcome["resourceType"] == "OperationOutcome" and outcome["issue"][0]["severity"] == "error"


def test_without_a_valid_token_nothing_is_served(b: Borough, record: dict[str, Any]) -> None:
    for api in (FhirClient(None), FhirClient("ju_wrong")):
        response = api.get(f"Patient/{record['client'].pk}")
        assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
        assert valid(response.json())["issue"][0]["code"] == "login"
    assert fhir_as(b, "commissioner").get(f"Patient/{record['client'].pk}").status_code == 404


def test_writes_are_not_served(b: Borough, record: dict[str, Any]) -> None:
    api = fhir_as(b, "ot.north")
    response = api.post("Patient", {"resourceType": "Patient"})
    assert response.status_code == 405 and valid(response.json())["issue"][0]["code"] == "not-supported"


def test_validate_answers_with_an_issue_per_problem(b: Borough) -> None:
    api = fhir_as(b, "ot.north")
    good = api.post("Patient/$validate", {"resourceType": "Patient", "gender": "female"})
    assert good.status_code == 200 and good.json()["issue"][0]["severity"] == "information"
    bad = api.post("Patient/$validate", {"resourceType": "Patient", "gender": "bloke", "birthDate": "x"})
    issues = valid(bad.json())["issue"]
    assert {tuple(i["expression"]) for i in issues} == {("Patient.gender",), ("Patient.birthDate",)}
    assert api.post("$validate", b"{not json").json()["issue"][0]["severity"] == "fatal"
    assert api.post("Patient/$validate", {"resourceType": "Condition"}).json()["issue"][0]["code"] == "invalid"
    assert api.post("Unicorn/$validate", {}).status_code == 404
    huge = api.post("Patient/$validate", b'{"resourceType": "Patient", "text": "' + b"x" * 3_000_000 + b'"}')
    assert huge.status_code == 413 and valid(huge.json())["issue"][0]["code"] == "too-costly"
    assert FhirClient(None).post("$validate", {}).status_code == 401


def _queries(api: FhirClient, path: str, params: dict[str, Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert api.get(path, params).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("Patient", {"family": "Many"}),
        ("EpisodeOfCare", {}),
        ("Condition", {}),
        ("Consent", {}),
        ("ServiceRequest", {}),
    ],
)
def test_a_search_costs_the_same_queries_for_one_result_as_for_twenty(
    b: Borough, path: str, params: dict[str, Any]
) -> None:
    api = fhir_as(b, "ot.north")
    ot = b.actor("ot.north")

    def add(n: int) -> None:
        for _ in range(n):
            client = client_in(b, family_name="Many")
            record_need(ot, client.pk, "housing", "Damp flat")
            record_consent(ot, client.pk, "given")
            sent_referral(b, client)

    add(1)
    api.get("metadata")
    _queries(api, path, params)  # the token's last use is written on its first request: not counted
    one = _queries(api, path, {**params, "_count": 50})
    add(19)
    twenty = _queries(api, path, {**params, "_count": 50})
    assert twenty == one, (path, one, twenty)


def test_imported_resources_are_served_in_the_clients_scope(b: Borough, tmp_path: Any) -> None:
    from joinedup.fhir.models import SourceResource
    from tests.integration.fhir_helpers import import_fhir, patient, transaction, write

    request = {"resourceType": "ServiceRequest", "id": "sr1", "status": "active", "intent": "order",
               "subject": {"reference": "urn:uuid:p1"}}  # fmt: skip
    observation = {"resourceType": "Observation", "id": "o1", "status": "final", "code": {"text": "Weight"},
                   "subject": {"reference": "urn:uuid:p1"}}  # fmt: skip
    import_fhir(write(tmp_path / "uk.json", transaction(patient("p1", ods="F84001"), request, observation)))
    kept = {row.resource_type: row for row in SourceResource.objects.all()}
    api = fhir_as(b, "coordinator.north")
    client_id = kept["Patient"].client_id
    bundle = valid(api.get(f"Patient/{client_id}/$everything").json())
    ids = {(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"]}
    assert {
        ("ServiceRequest", f"source-{kept['ServiceRequest'].pk}"),
        ("Observation", f"source-{kept['Observation'].pk}"),
    } <= ids
    read = valid(api.get(f"ServiceRequest/source-{kept['ServiceRequest'].pk}").json())
    assert read["subject"] == {"reference": f"Patient/{client_id}"}
    assert api.get(f"Observation/source-{kept['Observation'].pk}").status_code == 404  # a type not served
    assert fhir_as(b, "ot.south").get(f"ServiceRequest/source-{kept['ServiceRequest'].pk}").status_code == 404
