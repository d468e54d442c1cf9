"""The tasks, notifications and timeline lines a batch's follow-up rules make, written in bulk.

Like handover.tick, the feed inserts these rows in bulk, a batch per
transaction, rather than through tasks.services one at a time: a busy feed
fires rules for hundreds of discharges an hour, and one create_task costs about
a dozen queries (profiled with bench/hospital_feed.py). The rows are the same
as tasks.services would write: a task owned by one team, a timeline line on the
client, a notification to each member of the owning team, an audit event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from joinedup.clients.models import TimelineEvent
from joinedup.core import audit
from joinedup.core import bulk as writes
from joinedup.core.audit import Entry
from joinedup.directory.models import Team
from joinedup.hospital import config
from joinedup.hospital.models import FollowUp
from joinedup.tasks.models import Notification, Task, TaskStatus

SOURCE = "hospital follow-up"


@dataclass
class _Planned:
    task: Task
    team: Team
    spell_id: int
    rule: str
    trigger: str
    client_name: str


_TASK_COLUMNS = (
    "id",
    "title",
    "details",
    "client_id",
    "owner_team_id",
    "due_at",
    "status",
    "source",
    "source_ref",
    "created_at",
)
_FOLLOW_UP_COLUMNS = ("spell_id", "task_id", "rule", "trigger", "created_at")
_TIMELINE_COLUMNS = ("client_id", "occurred_at", "kind", "source", "summary", "object_type", "object_id")
_NOTIFICATION_COLUMNS = ("recipient_id", "message", "link", "client_id", "created_at")


@dataclass
class FollowUpRows:
    now: datetime
    planned: list[_Planned] = field(default_factory=list)
    notifications: list[tuple[int, str, str, int, datetime]] = field(default_factory=list)

    def task(
        self,
        *,
        client_id: int,
        client_name: str,
        team: Team,
        title: str,
        details: str,
        due_at: datetime,
        spell_id: int,
        rule: str,
        trigger: str,
    ) -> None:
        task = Task(
            title=title.strip()[:200],
            details=details.strip(),
            client_id=client_id,
            owner_team=team,
            due_at=due_at,
            status=TaskStatus.OPEN,
            source=SOURCE,
            source_ref=f"spell:{spell_id}",
            created_at=self.now,
        )
        self.planned.append(_Planned(task, team, spell_id, rule, trigger, client_name))

    def notify(self, recipients: list[int], message: str, *, client_id: int, link: str) -> None:
        self.notifications += [(r, message[:400], link, client_id, self.now) for r in dict.fromkeys(recipients)]

    def write(self, members: Callable[[Team], list[int]]) -> None:
        """Store everything planned; `members` gives a team's members (to tell them of new tasks)."""
        tasks = [p.task for p in self.planned]
        for task, task_id in zip(tasks, writes.allocate_ids(Task, len(tasks)), strict=True):
            task.pk = task_id
        writes.insert(Task, _TASK_COLUMNS, [_task_row(t) for t in tasks])
        writes.insert(
            FollowUp,
            _FOLLOW_UP_COLUMNS,
            [(p.spell_id, p.task.pk, p.rule, p.trigger, self.now) for p in self.planned],
        )
        writes.insert(
            TimelineEvent,
            _TIMELINE_COLUMNS,
            [
                (
                    p.task.client_id or 0,
                    self.now,
                    "task_created",
                    SOURCE,
                    f"Task for {p.team.name}: {p.task.title}"[:500],
                    "Task",
                    str(p.task.pk),
                )
                for p in self.planned
            ],
        )
        for p in self.planned:
            t = p.task
            self.notify(members(p.team), f"New task: {t.title}", client_id=t.client_id or 0, link=f"/tasks/{t.pk}/")
        writes.insert(Notification, _NOTIFICATION_COLUMNS, self.notifications)
        audit.record_many(
            config.feed_actor(),
            [
                Entry(
                    "create",
                    "Task",
                    p.task.pk,
                    p.task.client_id,
                    f"follow-up rule {p.rule}",
                    detail={"owner_team": p.team.pk},
                )
                for p in self.planned
            ],
        )


def _task_row(task: Task) -> tuple:
    return (
        task.pk,
        task.title,
        task.details,
        task.client_id,
        task.owner_team_id,
        task.due_at,
        TaskStatus(task.status).value,
        task.source,
        task.source_ref,
        task.created_at,
    )
