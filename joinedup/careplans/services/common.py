"""What the careplans services share: the locked, scoped client and who may change a plan."""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone

from joinedup.careplans.rules.plans import may_edit_plan
from joinedup.clients.models import Client
from joinedup.core import audit
from joinedup.core.access import Actor, relationship_to
from joinedup.core.errors import NotFound, Refused
from joinedup.core.working_time import LONDON
from joinedup.tasks.models import Task, TaskStatus

SOURCE = "careplans"
END_OF_DAY = time(17, 0)


def locked_client(actor: Actor, client_id: int) -> tuple[Client, str]:
    """The client, locked for the transaction, and the actor's relationship; NotFound without one."""
    client = Client.objects.select_for_update().filter(pk=client_id).first()
    reason = relationship_to(actor, client) if client is not None else None
    if client is None or reason is None:
        raise NotFound("client")
    return client, reason


def editable_client(actor: Actor, client_id: int) -> tuple[Client, str]:
    """As locked_client, and the actor may change the client's plan, care team and visits."""
    client, reason = locked_client(actor, client_id)
    if not may_edit_plan(actor.roles, reason):
        raise Refused(
            "Care plans are changed by professionals with a relationship to the client: "
            "you can read this one, not change it"
        )
    return client, reason


def due_at(day: date) -> datetime:
    """A task due on a day is due at 17:00 London time that day."""
    return datetime.combine(day, END_OF_DAY, tzinfo=LONDON)


def close_task(actor: Actor, task: Task | None, status: str, why: str) -> None:
    """Close a task this app made (a review, an MDT action) when the work it asked for is done elsewhere.

    Whoever does the work closes it, even when the task is someone else's: tasks.services.set_task_status
    lets only the owner close a task, and the review or meeting is the record of who did it.
    """
    if task is None or task.status not in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS):
        return
    previous = task.status
    task.status, task.completed_at, task.completed_by_id = status, timezone.now(), actor.user_id
    task.save(update_fields=["status", "completed_at", "completed_by"])
    audit.record(
        actor,
        "update",
        object_type="Task",
        object_id=task.pk,
        client_id=task.client_id,
        reason=why,
        detail={"status": [previous, status]},
    )


def text(value: str, field: str, limit: int, *, required: str | None = None) -> str:
    """Stripped text within its limit; ValidationError naming the field otherwise."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: required})
    if len(value) > limit:
        raise ValidationError({field: f"Keep this to {limit:,} characters or fewer"})
    return value


def describe(obj: Model) -> str:
    return f"{type(obj).__name__} {obj.pk}"
