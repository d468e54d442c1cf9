"""Creating and completing tasks, and notifying practitioners. Other parts call these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.clients.models import Client
from joinedup.core import audit
from joinedup.core.access import Actor, relationship_to
from joinedup.core.errors import NotFound, Refused
from joinedup.core.working_time import OFFICE_HOURS, WorkingHours, add_working_days
from joinedup.directory.models import Practitioner, Team
from joinedup.tasks.models import OPEN_TASK_STATUSES, Notification, Task, TaskStatus


def notify(recipient_ids: Iterable[int | None], message: str, *, link: str = "", client: Client | None = None) -> int:
    """In-app notifications, written in the caller's transaction."""
    now = timezone.now()
    rows = [
        Notification(recipient_id=rid, message=message[:400], link=link, client=client, created_at=now)
        for rid in dict.fromkeys(recipient_ids)
        if rid is not None
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def due_in_working_days(days: int, *, start: datetime | None = None, hours: WorkingHours = OFFICE_HOURS) -> datetime:
    return add_working_days(start or timezone.now(), days, hours)


def create_task(
    actor: Actor,
    *,
    title: str,
    due_at: datetime,
    owner_practitioner_id: int | None = None,
    owner_team_id: int | None = None,
    client: Client | None = None,
    details: str = "",
    source: str = "manual",
    source_ref: str = "",
) -> Task:
    """Create a task owned by a practitioner or a team, and tell the owner. Runs in its own transaction."""
    if not title or not title.strip():
        raise ValidationError({"title": "Enter what needs doing"})
    if len(title) > 200:
        raise ValidationError({"title": "Keep the title to 200 characters or fewer"})
    if (owner_practitioner_id is None) == (owner_team_id is None):
        raise ValidationError({"owner": "A task needs exactly one owner: a practitioner or a team"})
    if owner_team_id is not None and not Team.objects.filter(pk=owner_team_id).exists():
        raise ValidationError({"owner": "Choose a team known to JoinedUp"})
    if (
        owner_practitioner_id is not None
        and not Practitioner.objects.filter(pk=owner_practitioner_id, is_active=True).exists()
    ):
        raise ValidationError({"owner": "Choose an active practitioner"})
    if due_at.tzinfo is None:
        raise ValidationError({"due_at": "The due date needs a time zone"})
    if client is not None and actor.user_id is not None and relationship_to(actor, client) is None:
        raise NotFound("client")
    with transaction.atomic():
        task = Task.objects.create(
            title=title.strip(),
            details=details.strip(),
            client=client,
            owner_practitioner_id=owner_practitioner_id,
            owner_team_id=owner_team_id,
            due_at=due_at,
            source=source,
            source_ref=source_ref,
            created_by_id=actor.user_id,
            created_at=timezone.now(),
        )
        client_id = getattr(client, "pk", None)
        audit.record(
            actor,
            "create",
            object_type="Task",
            object_id=task.pk,
            client_id=client_id,
            reason=source,
            detail={"owner_team": owner_team_id, "owner_practitioner": owner_practitioner_id},
        )
        if client is not None:
            from joinedup.clients.services import add_timeline_event

            add_timeline_event(
                client,
                "task_created",
                f"Task for {task.owner_name}: {task.title}",
                source=source,
                actor=actor,
                obj=task,
            )
        recipients = (
            [owner_practitioner_id]
            if owner_practitioner_id
            else list(
                task.owner_team.memberships.values_list("practitioner_id", flat=True)  # type: ignore[union-attr]
            )
        )
        notify(recipients, f"New task: {task.title}", link=f"/tasks/{task.pk}/", client=client)
    return task


def _task_for_update(actor: Actor, task_id: int) -> Task:
    task = Task.objects.select_for_update().filter(pk=task_id).first()
    if task is None:
        raise NotFound("task")
    owns = task.owner_practitioner_id == actor.user_id or task.owner_team_id in actor.team_ids
    if not owns:
        raise NotFound("task")
    return task


def set_task_status(actor: Actor, task_id: int, status: str) -> Task:
    if status not in TaskStatus.values:
        raise ValidationError({"status": "Choose to do, in progress, done or cancelled"})
    with transaction.atomic():
        task = _task_for_update(actor, task_id)
        if task.status not in OPEN_TASK_STATUSES:
            raise Refused("This task is already closed")
        previous = task.status
        task.status = status
        if status in (TaskStatus.DONE, TaskStatus.CANCELLED):
            task.completed_at = timezone.now()
            task.completed_by_id = actor.user_id
        task.save()
        audit.record(
            actor,
            "update",
            object_type="Task",
            object_id=task.pk,
            client_id=task.client_id,
            detail={"status": [previous, status]},
        )
        if task.client is not None and status == TaskStatus.DONE:
            from joinedup.clients.services import add_timeline_event

            add_timeline_event(
                task.client,
                "task_done",
                f"Task done: {task.title}",
                source=task.source,
                actor=actor,
                obj=task,
            )
    return task


def take_task(actor: Actor, task_id: int) -> Task:
    """A member takes a team's task as their own."""
    with transaction.atomic():
        task = _task_for_update(actor, task_id)
        if task.owner_team_id is None:
            raise Refused("This task already has a named owner")
        team_id = task.owner_team_id
        task.owner_team = None
        task.owner_practitioner_id = actor.user_id
        task.status = TaskStatus.IN_PROGRESS
        task.save()
        audit.record(
            actor,
            "update",
            object_type="Task",
            object_id=task.pk,
            client_id=task.client_id,
            detail={"taken_from_team": team_id},
        )
    return task


def mark_notifications_read(actor: Actor, notification_ids: Iterable[int] | None = None) -> int:
    with transaction.atomic():
        unread = Notification.objects.filter(recipient_id=actor.user_id, read_at__isnull=True)
        if notification_ids is not None:
            unread = unread.filter(pk__in=list(notification_ids))
        return unread.update(read_at=timezone.now())
