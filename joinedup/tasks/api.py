"""The tasks API: /api/v1/tasks... Parses, authorises, calls tasks.services and tasks.queries.

A task about a client shows the client only to those who may see them; a
task the caller neither owns nor may see is the same 404 as one that is absent.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema

from joinedup.clients.queries import visible_client
from joinedup.core.access import Actor
from joinedup.core.api_auth import api_actor
from joinedup.core.api_schemas import ERRORS, RecordId, refuse_unknown_query
from joinedup.core.errors import NotFound
from joinedup.directory.models import Practitioner, Team
from joinedup.tasks import queries, services
from joinedup.tasks.schemas import TaskIn, TaskList, TaskOut, TaskStatusIn

router = Router(tags=["tasks"])


class TaskFilter(Schema):
    team: RecordId | None = None
    include_closed: bool = False


def _owners(actor: Actor, payload: TaskIn) -> tuple[int | None, int | None]:
    """(practitioner id, team id): the one given, checked, or the caller."""
    if payload.owner_team is not None:
        if not Team.objects.filter(pk=payload.owner_team).exists():
            raise ValidationError({"owner_team": "Choose a team known to JoinedUp"})
        return None, payload.owner_team
    if payload.owner_practitioner is not None:
        if not Practitioner.objects.filter(pk=payload.owner_practitioner, is_active=True).exists():
            raise ValidationError({"owner_practitioner": "Choose an active practitioner"})
        return payload.owner_practitioner, None
    return actor.user_id, None


@router.get("", response={200: TaskList, **ERRORS}, summary="My tasks, or a team's")
def list_tasks(request: HttpRequest, filters: Query[TaskFilter]) -> TaskList:
    """Your own tasks; with ?team=ID, the tasks of a team you are a member of."""
    refuse_unknown_query(request, TaskFilter)
    actor = api_actor(request)
    if filters.team is None:
        rows = queries.my_tasks(actor, include_closed=filters.include_closed)
    else:
        rows = queries.team_tasks(actor, filters.team, include_closed=filters.include_closed)
    return TaskList(results=[TaskOut.of(row) for row in rows])


@router.post("", response={201: TaskOut, **ERRORS}, summary="Create a task")
def create_task(request: HttpRequest, payload: TaskIn) -> tuple[int, TaskOut]:
    actor = api_actor(request)
    practitioner_id, team_id = _owners(actor, payload)
    client = None
    if payload.client is not None:
        try:
            client, _ = visible_client(actor, payload.client, what="new task")
        except NotFound as error:
            raise ValidationError({"client": "Choose a client you may see"}) from error
    task = services.create_task(
        actor,
        title=payload.title,
        details=payload.details,
        due_at=payload.due_at,
        owner_practitioner_id=practitioner_id,
        owner_team_id=team_id,
        client=client,
    )
    # The creator may not be its owner: show them what they made, not a 404.
    return 201, TaskOut.of(queries.TaskRow(task=task, client_visible=client is not None))


@router.get("/{task_id}", response={200: TaskOut, **ERRORS}, summary="A task")
def read_task(request: HttpRequest, task_id: RecordId) -> TaskOut:
    return TaskOut.of(queries.task_detail(api_actor(request), task_id))


@router.patch("/{task_id}", response={200: TaskOut, **ERRORS}, summary="Change a task's status")
def update_task(request: HttpRequest, task_id: RecordId, payload: TaskStatusIn) -> TaskOut:
    actor = api_actor(request)
    services.set_task_status(actor, task_id, payload.status)
    return TaskOut.of(queries.task_detail(actor, task_id))
