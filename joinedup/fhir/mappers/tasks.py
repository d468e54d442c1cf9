"""Task: JoinedUp's tasks (id "<id>") and the tasks that track referrals (id "referral-<id>")."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from joinedup.core.access import Actor
from joinedup.core.errors import NotFound
from joinedup.fhir import queries
from joinedup.fhir.mappers.common import PATIENT_PARAMETER, Mapper, instant, period, reference, text, without_empty
from joinedup.fhir.mappers.referrals import TASK_STATUS, filtered, referral, task_to_fhir, visible_referrals
from joinedup.fhir.registry import BadRequest, Page, Search, SearchParameter
from joinedup.fhir.search import reference_id
from joinedup.handover.models import Referral
from joinedup.tasks.models import Task

STATUS = {"open": "ready", "in_progress": "in-progress", "done": "completed", "cancelled": "cancelled"}
_RELATED = ("owner_team__organisation", "owner_practitioner")


def visible_tasks(actor: Actor) -> QuerySet[Task]:
    """Tasks about clients the actor may see, and the actor's own tasks about nobody in particular."""
    mine = Q(owner_practitioner_id=actor.user_id) | Q(owner_team_id__in=actor.team_ids)
    scoped = Q(client__in=queries.scoped_clients(actor)) | (Q(client__isnull=True) & mine)
    return Task.objects.filter(scoped).select_related(*_RELATED)


def to_fhir(task: Task) -> dict[str, Any]:
    if task.owner_team is not None:
        owner = reference("Organization", task.owner_team.organisation_id, task.owner_team.name)
    else:
        assert task.owner_practitioner is not None
        owner = reference("Practitioner", task.owner_practitioner_id, task.owner_practitioner.display_name)
    return without_empty(
        {
            "resourceType": "Task",
            "id": str(task.pk),
            "status": STATUS[task.status],
            "intent": "order",
            "description": task.title,
            "note": [text(task.details)] if task.details else [],
            "for": reference("Patient", task.client_id) if task.client_id else None,
            "authoredOn": instant(task.created_at),
            "owner": owner,
            "restriction": {"period": period(None, task.due_at)},
            "executionPeriod": period(None, task.completed_at) if task.completed_at else None,
        }
    )


def _own_tasks(rows: QuerySet[Task], search: Search) -> QuerySet[Task]:
    for value in search.values.get("patient", []):
        client_id = reference_id(value, "Patient")
        rows = rows.filter(client_id=client_id) if client_id.isdigit() else rows.none()
    for value in search.values.get("status", []):
        if value not in STATUS.values() and value not in TASK_STATUS.values():
            raise BadRequest(f"{value!r} is not a Task status")
        rows = rows.filter(status__in=[s for s, v in STATUS.items() if v == value])
    return rows.order_by("due_at", "id")


class TaskMapper(Mapper):
    resource_type = "Task"
    documentation = "Tasks (id <id>) and referrals' tasks (id referral-<id>, focus ServiceRequest/<id>)."
    search_parameters = (PATIENT_PARAMETER, SearchParameter("status", "token", "A Task status: ready, requested..."))

    def read(self, actor: Actor, resource_id: str) -> dict[str, Any]:
        if resource_id.startswith("referral-"):
            return task_to_fhir(referral(actor, queries.numeric_id(resource_id, "referral-")))
        task = visible_tasks(actor).filter(pk=queries.numeric_id(resource_id)).first()
        if task is None:
            raise NotFound("task")
        if task.client_id is not None:
            queries.client_for_read(actor, task.client_id, f"Task/{task.pk}")
        return to_fhir(task)

    def search(self, actor: Actor, search: Search) -> Page:
        """Referrals' tasks first (newest first), then tasks by due date; `_offset` runs over both."""
        referrals = list(filtered(visible_referrals(actor), search, TASK_STATUS)[: search.offset + search.count + 1])
        tasks = list(_own_tasks(visible_tasks(actor), search)[: search.offset + search.count + 1])
        both = [("Referral", r.pk, r.client_id, r) for r in referrals] + [("Task", t.pk, t.client_id, t) for t in tasks]
        window = both[search.offset : search.offset + search.count]
        queries.audited(actor, [(kind, pk, client) for kind, pk, client, _ in window if client], "FHIR Task search")
        resources = [task_to_fhir(row) if isinstance(row, Referral) else to_fhir(row) for _, _, _, row in window]
        return Page(resources, more=len(both) > search.offset + search.count)

    def of_client(self, actor: Actor, client: Any) -> list[dict[str, Any]]:
        referrals = visible_referrals(actor).filter(client=client).order_by("-created_at")
        tasks = Task.objects.filter(client=client).select_related(*_RELATED).order_by("due_at")
        return [task_to_fhir(r) for r in referrals] + [to_fhir(t) for t in tasks]
