"""An open task about a client gives its owner (a practitioner, or a team's members) a relationship."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q

from joinedup.clients.models import Client
from joinedup.core.access import Actor
from joinedup.tasks.models import OPEN_TASK_STATUSES, Task


def _open_tasks_for(actor: Actor) -> Q:
    return Q(owner_practitioner_id=actor.user_id) | Q(owner_team_id__in=actor.team_ids)


class TaskOwner:
    label = "task"

    def clients_q(self, actor: Actor, among: Collection[int] | None = None) -> Q:
        tasks = Task.objects.filter(_open_tasks_for(actor), status__in=OPEN_TASK_STATUSES, client__isnull=False)
        if among is not None:
            tasks = tasks.filter(client_id__in=list(among))
        return Q(pk__in=tasks.values("client_id"))

    def explains(self, actor: Actor, client: Client) -> str | None:
        task = (
            Task.objects.filter(_open_tasks_for(actor), client_id=client.pk, status__in=OPEN_TASK_STATUSES)
            .only("id", "title")
            .first()
        )
        return f"owner of an open task (#{task.pk}: {task.title})" if task else None
