"""CareTeam, CarePlan and Goal on the FHIR interface: the client's care team across organisations, care
plans with goals in the client's own words, and the CarePlans and Goals imported from other systems."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from joinedup.careplans.services.care_team import add_member
from joinedup.careplans.services.plans import end_plan
from joinedup.clients.models import Client
from joinedup.clients.services import record_consent
from joinedup.fhir.models import SourceResource
from tests.careplan_factories import plan_for
from tests.factories import Borough, client_in
from tests.handover_factories import sent_referral
from tests.integration.fhir_helpers import fhir_as, import_fhir, patient, transaction, valid, write

pytestmark = pytest.mark.django_db
NUMBER = "9990000018"


@pytest.fixture
def client(b: Borough) -> Client:
    return client_in(b, nhs_number=NUMBER, family_name="Okafor")


def entries(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return [entry["resource"] for entry in valid(response.json()).get("entry", [])]


def test_the_care_team_is_everyone_working_with_the_client_with_roles_and_since_when(
    b: Borough, client: Client
) -> None:
    plan_for(b, client)
    add_member(b.actor("ot.north"), client.pk, role="Family carer liaison", team_id=b.social_work.pk,
               since=date(2024, 1, 15))  # fmt: skip
    api = fhir_as(b, "ot.north")
    team = valid(api.get(f"CareTeam/{client.pk}").json())
    assert entries(api.get("CareTeam", {"patient": f"Patient/{client.pk}"})) == [team]
    roles = {(p["member"]["reference"], r["text"]) for p in team["participant"] for r in p["role"]}
    ot = f"Practitioner/{b.people['ot.north'].pk}"
    assert {
        (f"Organization/{b.community.pk}", "Accountable team"),
        (ot, "Lead professional"),
        (ot, "Care plan: Kitchen assessment and practice"),
        (f"Organization/{b.council.pk}", "Family carer liaison"),
    } <= roles
    council = next(p for p in team["participant"] if p["member"]["reference"] == f"Organization/{b.council.pk}")
    assert council["period"] == {"start": "2024-01-15"} and team["period"] == {"start": "2024-01-15"}
    lead = next(p for p in team["participant"] if p["member"]["reference"] == ot)
    assert lead["onBehalfOf"]["reference"] == f"Organization/{b.community.pk}"


def test_a_care_plan_and_its_goals_in_the_clients_words(b: Borough, client: Client) -> None:
    plan = plan_for(b, client)
    api = fhir_as(b, "ot.north")
    found = entries(api.get("CarePlan", {"patient": client.pk, "status": "active"}))
    assert [p["id"] for p in found] == [str(plan.pk)]
    read = valid(api.get(f"CarePlan/{plan.pk}").json())
    assert read == found[0]
    assert (read["status"], read["description"]) == ("active", "What matters to me: Staying in my own home")
    assert read["activity"][0]["detail"]["description"] == "Kitchen assessment and practice (Weekly)"
    goals = entries(api.get("Goal", {"patient": f"Patient/{client.pk}"}))
    assert [g["description"]["text"] for g in goals] == [
        "To make my own breakfast again",
        "To get to the shops on my own",
    ]
    assert [f"Goal/{g['id']}" for g in goals] == [ref["reference"] for ref in read["goal"]]
    assert valid(api.get(f"Goal/{goals[0]['id']}").json()) == goals[0]
    end_plan(b.actor("ot.north"), plan.pk, "Goals met: managing at home")
    assert entries(api.get("CarePlan", {"patient": client.pk, "status": "active"})) == []
    assert [p["status"] for p in entries(api.get("CarePlan", {"patient": client.pk, "status": "completed"}))] == [
        "completed"
    ]
    assert {g["lifecycleStatus"] for g in entries(api.get("Goal", {"lifecycle-status": "completed"}))} == {"completed"}
    assert api.get("CarePlan", {"status": "draft"}).status_code == 400
    assert api.get("Goal", {"lifecycle-status": "maybe"}).status_code == 400
    everything = valid(api.get(f"Patient/{client.pk}/$everything").json())
    kinds = [e["resource"]["resourceType"] for e in everything["entry"]]
    assert (kinds.count("CarePlan"), kinds.count("Goal"), kinds.count("CareTeam")) == (1, 2, 1)


def test_out_of_scope_is_not_found_and_consent_refused_is_honoured(b: Borough, client: Client) -> None:
    plan = plan_for(b, client)
    goal = plan.goals.first()
    assert goal is not None
    paths = (f"CarePlan/{plan.pk}", f"Goal/{goal.pk}", f"CareTeam/{client.pk}")
    south = fhir_as(b, "ot.south")
    for path in paths:
        kind = path.split("/")[0]
        refused, absent = south.get(path), south.get(f"{kind}/999999")
        assert (refused.status_code, absent.status_code) == (404, 404) and refused.json() == absent.json()
        assert entries(south.get(kind, {"patient": client.pk})) == []
    sent_referral(b, client, to=b.social_work)
    council, coordinator = fhir_as(b, "sw.council"), fhir_as(b, "coordinator.north")
    assert all(council.get(path).status_code == 200 for path in paths)
    record_consent(b.actor("ot.north"), client.pk, "refused")
    for path in paths:
        assert (coordinator.get(path).status_code, council.get(path).status_code) == (200, 404), path


def _imported_plan() -> tuple[dict[str, Any], dict[str, Any]]:
    goal = {"resourceType": "Goal", "id": "g1", "lifecycleStatus": "active", "subject": {"reference": "urn:uuid:p1"},
            "description": {"text": "Walk to the park with my grandson"}}  # fmt: skip
    plan = {"resourceType": "CarePlan", "id": "cp1", "status": "active", "intent": "plan",
            "subject": {"reference": "urn:uuid:p1"}, "goal": [{"reference": "urn:uuid:g1"}]}  # fmt: skip
    return plan, goal


def test_imported_care_plans_and_goals_linked_to_a_client_are_served_beside_joinedups_own(
    b: Borough, client: Client, tmp_path: Path
) -> None:
    own = plan_for(b, client)
    plan, goal = _imported_plan()
    orphan = {**plan, "id": "cp2", "subject": {"reference": "Patient/nobody-we-know"}}
    path = write(tmp_path / "b.json", transaction(patient("p1", nhs=NUMBER), plan, goal, orphan))
    import_fhir(path)
    kept = {r.resource_id: r for r in SourceResource.objects.filter(resource_type__in=("CarePlan", "Goal"))}
    assert (kept["cp1"].client_id, kept["g1"].client_id, kept["cp2"].client_id) == (client.pk, client.pk, None)
    api = fhir_as(b, "ot.north")
    plans = entries(api.get("CarePlan", {"patient": client.pk}))
    assert [p["id"] for p in plans] == [str(own.pk), f"source-{kept['cp1'].pk}"]
    read = valid(api.get(f"CarePlan/source-{kept['cp1'].pk}").json())
    assert read["goal"] == [{"reference": "Goal/g1"}] and read["subject"] == {"reference": f"Patient/{client.pk}"}
    assert {k: v for k, v in read.items() if k not in ("id", "subject", "goal")} == {
        k: v for k, v in plan.items() if k not in ("id", "subject", "goal")
    }
    goals = entries(api.get("Goal", {"patient": client.pk}))
    assert goals[-1]["description"] == {"text": "Walk to the park with my grandson"}
    assert api.get(f"CarePlan/source-{kept['cp2'].pk}").status_code == 404  # about nobody JoinedUp knows
    before = list(SourceResource.objects.order_by("pk").values_list("pk", "content_hash", "imported_at"))
    import_fhir(path)
    assert list(SourceResource.objects.order_by("pk").values_list("pk", "content_hash", "imported_at")) == before
