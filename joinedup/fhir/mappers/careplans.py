"""CarePlan and Goal: JoinedUp's care plans (id "<id>") with their goals in the client's own words, and the
CarePlans and Goals imported from other systems ("source-<id>"), served as they came (ADR 0043).

A care plan is served as its version in force: what matters to the client, the goals, the teams'
interventions as activities. A goal's description is the client's words; its target the expected
outcome of its Goal Attainment Scale (level 0).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from joinedup.careplans.models import CarePlan, CarePlanVersion, Goal, Intervention, PlanStatus
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound
from joinedup.fhir import queries
from joinedup.fhir.mappers.common import PATIENT_PARAMETER, Mapper, instant, period, reference, text, without_empty
from joinedup.fhir.mappers.source import PREFIX, read_source
from joinedup.fhir.mappers.source import to_fhir as source_to_fhir
from joinedup.fhir.models import SourceResource
from joinedup.fhir.registry import BadRequest, Page, Search, SearchParameter
from joinedup.fhir.search import reference_id

GAS = text("Goal Attainment Scaling: the expected outcome (level 0)")


def goal_to_fhir(goal: Goal) -> dict[str, Any]:
    ended = goal.ended_in is not None or goal.plan.status == PlanStatus.ENDED
    return {
        "resourceType": "Goal",
        "id": str(goal.pk),
        "lifecycleStatus": "completed" if ended else "active",
        "description": text(goal.client_words),  # the client's own words
        "subject": reference("Patient", goal.plan.client_id),
        "target": [{"measure": GAS, "detailString": goal.level_0}],
    }


def _activity(intervention: Intervention) -> dict[str, Any]:
    performer = [reference("Organization", intervention.team.organisation_id, intervention.team.name)]
    if intervention.practitioner_id is not None:
        performer.append(reference("Practitioner", intervention.practitioner_id))
    words = intervention.description + (f" ({intervention.frequency})" if intervention.frequency else "")
    return {"detail": {"status": "in-progress", "description": words, "performer": performer}}


def plan_to_fhir(plan: CarePlan) -> dict[str, Any]:
    number = plan.current_version
    version = next((v for v in plan.versions.all() if v.number == number), None)
    goals = [g for g in plan.goals.all() if g.added_in <= number and (g.ended_in is None or number < g.ended_in)]
    active = plan.status == PlanStatus.ACTIVE
    activities = [_activity(i) for i in plan.interventions.all() if i.in_version(number)] if active else []
    return without_empty(
        {
            "resourceType": "CarePlan",
            "id": str(plan.pk),
            "status": "active" if active else "completed",
            "intent": "plan",
            "title": "Care plan",
            "description": f"What matters to me: {version.what_matters}" if version and version.what_matters else "",
            "subject": reference("Patient", plan.client_id),
            "period": period(plan.created_at, plan.ended_at),
            "created": instant(plan.created_at),
            "author": reference("Practitioner", plan.coordinator_id, plan.coordinator.display_name),
            "goal": [reference("Goal", g.pk) for g in goals],
            "activity": activities,
        }
    )


def plans() -> QuerySet[CarePlan]:
    interventions = Intervention.objects.select_related("team")
    return CarePlan.objects.select_related("coordinator").prefetch_related(
        Prefetch("versions", queryset=CarePlanVersion.objects.order_by("number")),
        Prefetch("goals", queryset=Goal.objects.order_by("number")),
        Prefetch("interventions", queryset=interventions),
    )


def _by_patient(rows: QuerySet[Any], search: Search, field: str) -> QuerySet[Any]:
    for value in search.values.get("patient", []):
        client_id = reference_id(value, "Patient")
        rows = rows.filter(**{field: client_id}) if client_id.isdigit() else rows.none()
    return rows


def _page(actor: Actor, search: Search, own: QuerySet[Any], imported: QuerySet[SourceResource], kind: str) -> Page:
    """JoinedUp's own first, then the imported, each in client order; `_offset` runs over both."""
    end = search.offset + search.count + 1
    both: list[Any] = list(own[:end])
    both += list(imported.order_by("client_id", "id")[: max(end - len(both), 0)])
    window = both[search.offset : search.offset + search.count]
    shown = [
        ("SourceResource", r.pk, r.client_id) if isinstance(r, SourceResource) else (kind, r.pk, _client_of(r))
        for r in window
    ]
    queries.audited(actor, shown, f"FHIR {'CarePlan' if kind == 'CarePlan' else 'Goal'} search")
    own_to_fhir = plan_to_fhir if kind == "CarePlan" else goal_to_fhir
    resources = [source_to_fhir(r) if isinstance(r, SourceResource) else own_to_fhir(r) for r in window]
    return Page(resources, more=len(both) > search.offset + search.count)


def _client_of(row: CarePlan | Goal) -> int:
    return row.client_id if isinstance(row, CarePlan) else row.plan.client_id


class CarePlanMapper(Mapper):
    resource_type = "CarePlan"
    documentation = "Care plans (<id>) with goals in the client's words, and imported CarePlans (source-<id>)."
    search_parameters = (PATIENT_PARAMETER, SearchParameter("status", "token", "active or completed"))
    serves_imported = True

    def read(self, actor: Actor, resource_id: str) -> dict[str, Any]:
        if resource_id.startswith(PREFIX):
            return read_source(actor, "CarePlan", resource_id)
        plan = plans().filter(pk=queries.numeric_id(resource_id)).first()
        if plan is None:
            raise NotFound("care plan")
        queries.client_for_read(actor, plan.client_id, f"CarePlan/{plan.pk}")
        return plan_to_fhir(plan)

    def search(self, actor: Actor, search: Search) -> Page:
        own = _by_patient(plans().filter(client__in=queries.scoped_clients(actor)), search, "client_id")
        imported = _by_patient(queries.source_resources(actor, "CarePlan"), search, "client_id")
        for value in search.values.get("status", []):
            if value not in ("active", "completed"):
                raise BadRequest("CarePlan status is active or completed")
            own = own.filter(status=PlanStatus.ACTIVE if value == "active" else PlanStatus.ENDED)
            imported = imported.filter(content__status=value)
        return _page(actor, search, own.order_by("client_id", "-created_at", "-id"), imported, "CarePlan")

    def of_client(self, actor: Actor, client: Any) -> list[dict[str, Any]]:
        imported = SourceResource.objects.filter(client=client, resource_type="CarePlan").order_by("id")
        own = plans().filter(client=client).order_by("-created_at", "-id")
        return [plan_to_fhir(p) for p in own] + [source_to_fhir(r) for r in imported]


class GoalMapper(Mapper):
    resource_type = "Goal"
    documentation = "Goals of care plans (<id>; the description is the client's own words) and imported Goals."
    search_parameters = (PATIENT_PARAMETER, SearchParameter("lifecycle-status", "token", "active or completed"))
    serves_imported = True

    def read(self, actor: Actor, resource_id: str) -> dict[str, Any]:
        if resource_id.startswith(PREFIX):
            return read_source(actor, "Goal", resource_id)
        goal = Goal.objects.select_related("plan").filter(pk=queries.numeric_id(resource_id)).first()
        if goal is None:
            raise NotFound("goal")
        queries.client_for_read(actor, goal.plan.client_id, f"Goal/{goal.pk}")
        return goal_to_fhir(goal)

    def search(self, actor: Actor, search: Search) -> Page:
        scoped = Goal.objects.filter(plan__client__in=queries.scoped_clients(actor)).select_related("plan")
        own = _by_patient(scoped, search, "plan__client_id")
        imported = _by_patient(queries.source_resources(actor, "Goal"), search, "client_id")
        for value in search.values.get("lifecycle-status", []):
            if value not in ("active", "completed"):
                raise BadRequest("Goal lifecycle-status is active or completed")
            still = own.filter(ended_in__isnull=True, plan__status=PlanStatus.ACTIVE)
            own = still if value == "active" else own.exclude(pk__in=still.values("pk"))
            imported = imported.filter(content__lifecycleStatus=value)
        return _page(actor, search, own.order_by("plan__client_id", "plan_id", "number"), imported, "Goal")

    def of_client(self, actor: Actor, client: Any) -> list[dict[str, Any]]:
        imported = SourceResource.objects.filter(client=client, resource_type="Goal").order_by("id")
        own = Goal.objects.filter(plan__client=client).select_related("plan").order_by("plan_id", "number")
        return [goal_to_fhir(g) for g in own] + [source_to_fhir(r) for r in imported]
