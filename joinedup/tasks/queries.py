"""Reads of tasks and notifications. Client details show only where the actor may see the client."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, QuerySet

from joinedup.core import audit
from joinedup.core.access import Actor, visible_clients
from joinedup.core.audit import Entry
from joinedup.core.errors import NotFound
from joinedup.tasks.models import OPEN_TASK_STATUSES, Notification, Task

if TYPE_CHECKING:
    from joinedup.clients.models import Client

HIDDEN_CLIENT = "a client you cannot see"
HIDDEN_DETAILS = "Not shown: the task is about a client you cannot see."
HIDDEN_NOTIFICATION = "A notification about a client you cannot see."


def without_client(text: str, client: Client) -> str:
    """The text with the client's names and NHS number taken out.

    Tasks and notifications may name their client in free text ("Memory review after discharge:
    Ada Smith"); their owner may not see that client (consent refused outside the holding
    organisation), and must not learn who it is from the title.
    """
    words = [re.escape(w) for w in (client.full_name, client.family_name, client.given_name) if w.strip()]
    if client.nhs_number:
        digits = client.nhs_number
        words.append(rf"{digits[:3]}\s?{digits[3:6]}\s?{digits[6:]}")
    for word in sorted(words, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){word}(?!\w)", HIDDEN_CLIENT, text, flags=re.IGNORECASE)
    return text


@dataclass(frozen=True)
class TaskRow:
    task: Task
    client_visible: bool

    @property
    def client_label(self) -> str:
        if self.task.client_id is None:
            return ""
        return self.task.client.full_name if self.client_visible else "A client you cannot see"  # type: ignore[union-attr]

    @property
    def hides_client(self) -> bool:
        return self.task.client_id is not None and not self.client_visible

    @property
    def title(self) -> str:
        return without_client(self.task.title, self.task.client) if self.hides_client else self.task.title  # type: ignore[arg-type]

    @property
    def details(self) -> str:
        return HIDDEN_DETAILS if self.hides_client and self.task.details else self.task.details


def _rows(actor: Actor, tasks: QuerySet[Task]) -> list[TaskRow]:
    tasks_list = list(tasks.select_related("client", "owner_team", "owner_practitioner"))
    client_ids = {t.client_id for t in tasks_list if t.client_id}
    visible = set(visible_clients(actor, among=client_ids).values_list("pk", flat=True)) if client_ids else set()
    rows = [TaskRow(task=t, client_visible=t.client_id in visible) for t in tasks_list]
    shown = [row.task for row in rows if row.client_visible]
    if shown:
        with transaction.atomic():
            audit.record_many(actor, [Entry("list", "Task", t.pk, t.client_id, "task list") for t in shown])
    return rows


def my_tasks(actor: Actor, *, include_closed: bool = False, limit: int = 200) -> list[TaskRow]:
    tasks = Task.objects.filter(owner_practitioner_id=actor.user_id)
    if not include_closed:
        tasks = tasks.filter(status__in=OPEN_TASK_STATUSES)
    return _rows(actor, tasks.order_by("due_at", "id")[:limit])


def team_tasks(
    actor: Actor, team_id: int | None = None, *, include_closed: bool = False, limit: int = 200
) -> list[TaskRow]:
    team_ids = actor.team_ids if team_id is None else ({team_id} & actor.team_ids)
    if team_id is not None and not team_ids:
        raise NotFound("team")
    tasks = Task.objects.filter(owner_team_id__in=team_ids)
    if not include_closed:
        tasks = tasks.filter(status__in=OPEN_TASK_STATUSES)
    return _rows(actor, tasks.order_by("due_at", "id")[:limit])


def client_tasks(actor: Actor, client_id: int) -> list[TaskRow]:
    """Tasks about a client the caller has already been allowed to see (visible_client)."""
    return _rows(actor, Task.objects.filter(client_id=client_id).order_by("status", "due_at"))


def task_detail(actor: Actor, task_id: int) -> TaskRow:
    task = Task.objects.filter(pk=task_id).first()
    if task is None:
        raise NotFound("task")
    owns = task.owner_practitioner_id == actor.user_id or task.owner_team_id in actor.team_ids
    row = _rows(actor, Task.objects.filter(pk=task_id))[0]
    if not owns and not row.client_visible:
        with transaction.atomic():
            audit.record(
                actor,
                "view",
                object_type="Task",
                object_id=task_id,
                outcome="refused",
                reason="not the owner and no relationship to its client",
            )
        raise NotFound("task")
    return row


def notifications(actor: Actor, *, limit: int = 100) -> list[Notification]:
    """The actor's own notifications; those naming a client are audited as a listing of that client.

    A notification about a client the actor may not see now (consent refused since, say) shows
    neither its text nor its link: both name the client. The rows are not saved again.
    """
    rows = list(Notification.objects.filter(recipient_id=actor.user_id).select_related("client")[:limit])
    client_ids = {row.client_id for row in rows if row.client_id}
    visible = set(visible_clients(actor, among=client_ids).values_list("pk", flat=True)) if client_ids else set()
    for row in rows:
        if row.client_id and row.client_id not in visible:
            row.message, row.link = HIDDEN_NOTIFICATION, ""
    about_clients = [row for row in rows if row.client_id in visible]
    if about_clients:
        with transaction.atomic():
            audit.record_many(
                actor, [Entry("list", "Notification", n.pk, n.client_id, "own notifications") for n in about_clients]
            )
    return rows


def unread_count(actor: Actor) -> int:
    return Notification.objects.filter(recipient_id=actor.user_id, read_at__isnull=True).count()


@dataclass(frozen=True)
class OpenTaskCounts:
    """How much open work a team holds: its own queue, and each member's own tasks."""

    team: int
    by_member: dict[int, int]


def open_task_counts(team_id: int, member_ids: list[int]) -> OpenTaskCounts:
    """Counts only: no titles or clients, so nothing to scope or audit."""
    team_count = Task.objects.filter(owner_team_id=team_id, status__in=OPEN_TASK_STATUSES).count()
    rows = (
        Task.objects.filter(owner_practitioner_id__in=member_ids, status__in=OPEN_TASK_STATUSES)
        .values("owner_practitioner_id")
        .annotate(n=Count("id"))
    )
    return OpenTaskCounts(team=team_count, by_member={row["owner_practitioner_id"]: row["n"] for row in rows})
