"""Care from elsewhere: imported CareTeams, CarePlans and Goals about known clients reach the record, marked
with where they came from, read-only, scoped and audited as the record is, and give nobody access."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from joinedup.careplans.models import ExternalCarePlan, ExternalCareTeamMember, ExternalGoal
from joinedup.clients.models import Client
from joinedup.clients.services import record_consent
from joinedup.core.access import relationship_to, visible_clients
from joinedup.core.models import AuditEvent
from joinedup.fhir.models import SourceResource
from tests.elsewhere_bundles import NUMBER, bundle, care_plan, care_team, goal, others
from tests.factories import Borough, client_in
from tests.handover_factories import sent_referral
from tests.integration.fhir_helpers import fhir_as, import_fhir, transaction, write
from tests.integration.pages import main_text, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(b: Borough) -> Client:
    return client_in(b, nhs_number=NUMBER, family_name="Okafor")


def summary_row(output: str, resource_type: str) -> dict[str, str]:
    """One row of the import's summary table, by column."""
    lines = output.splitlines()
    header = next(line for line in lines if "Resource type" in line)
    names = [c.strip() for c in re.split(r"[┃│]", header) if c.strip()]
    row = next(line for line in lines if re.match(rf"[│┃]\s*{resource_type}\s", line))
    return dict(zip(names, [c.strip() for c in re.split(r"[┃│]", row) if c.strip()], strict=True))


def pages(b: Borough, name: str, client: Client) -> dict[str, Any]:
    browser = signed_in(b, name)
    return {part: browser.get(f"/clients/{client.pk}/{part}") for part in ("", "care-plan/", "care-team/")}


def test_the_imported_care_team_plan_and_goal_show_on_the_record_marked_as_from_elsewhere(
    b: Borough, client: Client, tmp_path: Path
) -> None:
    orphan = care_plan("cp2", subject="Patient/nobody-we-know")
    output = import_fhir(write(tmp_path / "memory.json", bundle(orphan)))
    plans = summary_row(output, "CarePlan")
    assert (plans["New"], plans["Mapped"], plans["Source data only"]) == ("2", "1", "1")
    for kind in ("CareTeam", "Goal"):
        assert (summary_row(output, kind)["Mapped"], summary_row(output, kind)["Source data only"]) == ("1", "0")
    assert "1 care plans, 1 goals, 4 care team members" in " ".join(output.split())
    assert [p.key for p in ExternalCarePlan.objects.all()] == ["CarePlan/cp1"]  # not the one about nobody
    assert SourceResource.objects.get(resource_id="cp2").mapped_to == ""
    shown = {part: main_text(response) for part, response in pages(b, "ot.north", client).items()}
    record, plan_page, team_page = shown[""], shown["care-plan/"], shown["care-team/"]
    assert "Care plans from other systems Care plan from another system: Memory care plan Active" in record
    assert "“Walk to the park with my grandson” (active)" in record
    for page in (record, team_page):
        nurse = "Nia Nurseson Person Organisation Riverside Mental Health In JoinedUp's directory: Mental Health Trust"
        assert nurse in page
        assert "Community psychiatric nurse When Since 10 January 2024 From Riverside Mental Health" in page
        hospice = "Elsewhere Hospice Organisation Organisation ODS ZZ991 Part Hospice at home When 2024-02 to 31 May"
        assert hospice in page
        assert "Grace Okafor (daughter) Related person" in page and "Dr Amina Ahmed" in page
    assert "Care plan from another system: Memory care plan Status Active Intent Plan When Since 10 January 2024" in (
        plan_page
    )
    assert "Author Nia Nurseson For Dementia Activities Memory clinic review every 3 months (scheduled): Riverside" in (
        plan_page
    )
    assert "Goals “Walk to the park with my grandson”: Active, improving Target: Distance walked: 500 m, by 1 June" in (
        plan_page
    )
    assert "has no care plan" in plan_page and "Review" not in plan_page.split("Care plans from other systems")[1]
    seen = set(
        AuditEvent.objects.filter(actor_username="ot.north", action="view", client_id=client.pk).values_list(
            "object_type", "object_id"
        )
    )
    plan, goal_row = ExternalCarePlan.objects.get(), ExternalGoal.objects.get()
    assert {("ExternalCarePlan", str(plan.pk)), ("ExternalCareTeam", "CareTeam/ct1")} <= seen
    assert ("ExternalGoal", str(goal_row.pk)) not in seen  # seen as part of its plan
    made = AuditEvent.objects.filter(actor_username="fhir-import", action="create", client_id=client.pk)
    assert set(made.values_list("object_type", flat=True)) >= {"ExternalCarePlan", "ExternalGoal", "ExternalCareTeam"}


def test_an_imported_member_naming_a_joinedup_practitioner_or_organisation_gives_them_no_access(
    b: Borough, client: Client, tmp_path: Path
) -> None:
    council = b.people["sw.council"]
    named = {"resourceType": "Practitioner", "id": "pr9", "name": [{"given": [council.first_name],
             "family": council.last_name}]}  # fmt: skip
    team = care_team("ct9")
    team["participant"] = [
        {"role": [{"text": "Social worker"}], "member": {"reference": "urn:uuid:pr9"},
         "onBehalfOf": {"identifier": {"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "C001"}}},
        {"role": [{"text": "Adult social care"}],
         "member": {"identifier": {"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "C001"}}},
    ]  # fmt: skip
    actor = b.actor("sw.council")
    before = set(visible_clients(actor).values_list("pk", flat=True))
    import_fhir(write(tmp_path / "team.json", transaction(*others(), named, team)))
    members = list(ExternalCareTeamMember.objects.order_by("position"))
    assert [(m.name, m.organisation_id) for m in members] == [
        (council.display_name, b.council.pk),
        ("ODS C001", b.council.pk),
    ]
    assert set(visible_clients(actor).values_list("pk", flat=True)) == before and client.pk not in before
    assert relationship_to(actor, client) is None
    for part, response in pages(b, "sw.council", client).items():
        assert response.status_code == 404, part
    assert fhir_as(b, "sw.council").get(f"CareTeam/{client.pk}").status_code == 404


def test_out_of_scope_is_not_found_and_a_refusal_of_consent_leaves_only_the_holding_organisation(
    b: Borough, client: Client, tmp_path: Path
) -> None:
    import_fhir(write(tmp_path / "memory.json", bundle()))
    for part, response in pages(b, "ot.south", client).items():
        assert response.status_code == 404, part
    refused = AuditEvent.objects.filter(actor_username="ot.south", outcome="refused", client_id=client.pk)
    assert refused.count() == 3
    assert not AuditEvent.objects.filter(actor_username="ot.south", object_type__startswith="External").exists()
    sent_referral(b, client, to=b.social_work)
    assert "Memory care plan" in main_text(pages(b, "sw.council", client)["care-plan/"])
    record_consent(b.actor("ot.north"), client.pk, "refused")
    for part, response in pages(b, "sw.council", client).items():
        assert response.status_code == 404, part
    coordinator = pages(b, "coordinator.north", client)
    assert "Memory care plan" in main_text(coordinator["care-plan/"])
    assert "Nia Nurseson" in main_text(coordinator["care-team/"])


def _rows() -> list[tuple[Any, ...]]:
    plans = ExternalCarePlan.objects.order_by("pk").values_list("pk", "key", "status", "updated_at")
    goals = ExternalGoal.objects.order_by("pk").values_list("pk", "key", "lifecycle_status", "updated_at")
    members = ExternalCareTeamMember.objects.order_by("pk").values_list("pk", "team_key", "name", "updated_at")
    return [*plans, *goals, *members]


def test_importing_again_changes_nothing_and_a_newer_copy_brings_the_record_up_to_date(
    b: Borough, client: Client, tmp_path: Path
) -> None:
    path = write(tmp_path / "memory.json", bundle())
    import_fhir(path)
    before, events = _rows(), AuditEvent.objects.count()
    again = import_fhir(path)
    assert _rows() == before and AuditEvent.objects.count() == events
    assert "0 care plans, 0 goals, 0 care team members" in " ".join(again.split())
    assert summary_row(again, "CarePlan")["Mapped"] == "1"  # unchanged, and still mapped
    newer = {"meta": {"lastUpdated": "2025-03-01T10:00:00Z"}}
    team = care_team(**newer)
    team["participant"] = team["participant"][:2]
    ended = care_plan(**newer, status="completed", period={"start": "2024-01-10", "end": "2025-02-28"})
    achieved = goal(**newer, lifecycleStatus="completed", achievementStatus={"text": "Achieved"})
    import_fhir(write(tmp_path / "later.json", transaction(*others(), team, ended, achieved)))
    plan = ExternalCarePlan.objects.get()
    assert (plan.status, plan.period_text) == ("completed", "10 January 2024 to 28 February 2025")
    assert ExternalGoal.objects.get().achievement_status == "Achieved"
    assert list(ExternalCareTeamMember.objects.values_list("name", flat=True)) == ["Nia Nurseson", "Elsewhere Hospice"]
    page = main_text(signed_in(b, "ot.north").get(f"/clients/{client.pk}/care-plan/"))
    assert "None in progress. 1 earlier care plan from other systems" in page
    assert "Status Completed" in page and "“Walk to the park with my grandson”: Completed, achieved" in page


def test_a_newer_copy_about_someone_else_or_withdrawn_leaves_the_record(
    b: Borough, client: Client, tmp_path: Path
) -> None:
    import_fhir(write(tmp_path / "memory.json", bundle()))
    newer = {"meta": {"lastUpdated": "2025-03-01T10:00:00Z"}}
    moved = care_team(subject="Patient/nobody-we-know", **newer)
    withdrawn = care_plan(status="entered-in-error", **newer)
    import_fhir(write(tmp_path / "later.json", transaction(*others(), moved, withdrawn)))
    assert not ExternalCareTeamMember.objects.exists()
    assert AuditEvent.objects.filter(action="delete", object_type="ExternalCareTeam", client_id=client.pk).exists()
    assert SourceResource.objects.get(resource_id="ct1").mapped_to == ""
    shown = {part: main_text(response) for part, response in pages(b, "ot.north", client).items()}
    assert "Memory care plan" not in shown["care-plan/"] and "Memory care plan" not in shown[""]
    assert "Nia Nurseson" not in shown["care-team/"]
    assert "Walk to the park" in shown["care-plan/"]  # the goal itself was not withdrawn: in no plan now


def test_resources_kept_before_care_from_elsewhere_existed_are_mapped_once_when_imported_again(
    b: Borough, client: Client, tmp_path: Path
) -> None:
    path = write(tmp_path / "memory.json", bundle())
    import_fhir(path)
    for model in (ExternalCarePlan, ExternalGoal, ExternalCareTeamMember):
        model.objects.all().delete()
    SourceResource.objects.filter(resource_type__in=("CarePlan", "Goal", "CareTeam")).update(mapped_to="")
    output = import_fhir(path)
    assert "1 care plans, 1 goals, 4 care team members" in " ".join(output.split())
    assert (ExternalCarePlan.objects.count(), ExternalGoal.objects.count()) == (1, 1)
    assert set(SourceResource.objects.filter(resource_type="CareTeam").values_list("mapped_to", flat=True)) == {
        "ExternalCareTeamMember"
    }
    before = _rows()
    import_fhir(path)
    assert _rows() == before


@pytest.mark.parametrize(
    ("broken", "changes", "expression"),
    [
        (care_plan, {"status": None}, "CarePlan.status"),
        (care_plan, {"intent": None}, "CarePlan.intent"),
        (care_plan, {"subject": None}, "CarePlan.subject"),
        (care_plan, {"status": "finished"}, "CarePlan.status"),
        (goal, {"lifecycleStatus": None}, "Goal.lifecycleStatus"),
        (goal, {"description": None}, "Goal.description"),
        (care_team, {"status": "busy"}, "CareTeam.status"),
        (care_team, {"participant": [{"role": "nurse"}]}, "CareTeam.participant"),
    ],
)
def test_a_broken_care_resource_is_reported_with_its_file_and_position_and_the_rest_go_on(
    b: Borough, client: Client, tmp_path: Path, broken: Any, changes: dict[str, Any], expression: str
) -> None:
    resource = broken(f"{broken.__name__.replace('_', '-')}-broken")
    resource.update(changes)
    resource = {k: v for k, v in resource.items() if v is not None}
    output = " ".join(import_fhir(write(tmp_path / "mixed.json", bundle(resource))).split())
    position = len(others()) + 3  # after what they refer to and the three good ones
    problem = output.split(f"mixed.json, entry {position}: ", 1)[-1]
    assert problem != output and expression in problem[:80], output
    assert not SourceResource.objects.filter(resource_id=resource["id"]).exists()
    assert (ExternalCarePlan.objects.count(), ExternalGoal.objects.count()) == (1, 1)
    assert ExternalCareTeamMember.objects.count() == 4


def test_the_fhir_interface_serves_the_imported_resources_as_they_came_and_its_own_care_team_unchanged(
    b: Borough, client: Client, tmp_path: Path
) -> None:
    api = fhir_as(b, "ot.north")
    own_team = api.get(f"CareTeam/{client.pk}").json()
    import_fhir(write(tmp_path / "memory.json", bundle()))
    assert api.get(f"CareTeam/{client.pk}").json() == own_team  # JoinedUp's care team: imported members not in it
    kept = {
        r.resource_type: r for r in SourceResource.objects.filter(resource_type__in=("CarePlan", "Goal", "CareTeam"))
    }
    for kind, row in kept.items():
        read = api.get(f"{kind}/source-{row.pk}").json()
        assert {k: v for k, v in read.items() if k not in ("id", "subject")} == {
            k: v for k, v in row.content.items() if k not in ("id", "subject")
        }
        assert read["subject"]["reference"] == f"Patient/{client.pk}"
    everything = api.get(f"Patient/{client.pk}/$everything").json()
    ids = {(e["resource"]["resourceType"], e["resource"]["id"]) for e in everything["entry"]}
    assert {(kind, f"source-{row.pk}") for kind, row in kept.items()} <= ids
    assert fhir_as(b, "ot.south").get(f"CarePlan/source-{kept['CarePlan'].pk}").status_code == 404
