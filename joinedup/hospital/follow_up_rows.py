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


@dataclass
class FollowUpRows:
    now: datetime
    planned: list[_Planned] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)

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
        self.notifications += [
            Notification(recipient_id=r, message=message[:400], link=link, client_id=client_id, created_at=self.now)
            for r in dict.fromkeys(recipients)
        ]

    def write(self, members: Callable[[Team], list[int]]) -> None:
        """Store everything planned; `members` gives a team's members (to tell them of new tasks)."""
        tasks = Task.objects.bulk_create([p.task for p in self.planned]) if self.planned else []
        FollowUp.objects.bulk_create(
            FollowUp(spell_id=p.spell_id, task=t, rule=p.rule, trigger=p.trigger, created_at=self.now)
            for p, t in zip(self.planned, tasks, strict=True)
        )
        TimelineEvent.objects.bulk_create(
            TimelineEvent(
                client_id=p.task.client_id or 0,
                occurred_at=self.now,
                kind="task_created",
                source=SOURCE,
                summary=f"Task for {p.team.name}: {t.title}"[:500],
                object_type="Task",
                object_id=str(t.pk),
            )
            for p, t in zip(self.planned, tasks, strict=True)
        )
        for p, t in zip(self.planned, tasks, strict=True):
            self.notify(members(p.team), f"New task: {t.title}", client_id=t.client_id or 0, link=f"/tasks/{t.pk}/")
        Notification.objects.bulk_create(self.notifications)
        audit.record_many(
            config.feed_actor(),
            [
                Entry("create", "Task", t.pk, t.client_id, f"follow-up rule {p.rule}", detail={"owner_team": p.team.pk})
                for p, t in zip(self.planned, tasks, strict=True)
            ],
        )
