"""What the tasks API takes and gives."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import AwareDatetime, Field, ValidationInfo, field_validator

from joinedup.core.api_schemas import Input, RecordId, Reference
from joinedup.tasks.models import TaskStatus
from joinedup.tasks.queries import TaskRow


class TaskIn(Input):
    """A task for one owner: a practitioner or a team. Without either, it is yours."""

    title: str = Field(min_length=1, max_length=200)
    details: str = Field(default="", max_length=4000)
    due_at: AwareDatetime = Field(description="ISO 8601 with a time zone, e.g. 2026-03-02T17:00:00Z")
    owner_practitioner: RecordId | None = None
    owner_team: RecordId | None = None
    client: RecordId | None = Field(default=None, description="The client it is about, if any")

    @field_validator("owner_team")
    @classmethod
    def _one_owner(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and info.data.get("owner_practitioner") is not None:
            raise ValueError("Give a practitioner or a team as owner, not both")
        return value


class TaskStatusIn(Input):
    status: TaskStatus


class TaskOwner(Schema):
    kind: Literal["practitioner", "team"]
    id: int
    name: str


class TaskOut(Schema):
    id: int
    title: str
    details: str
    status: TaskStatus
    due_at: datetime
    owner: TaskOwner
    client: Reference | None = Field(description="The client, when you may see them")
    client_hidden: bool = Field(description="True when the task is about a client you may not see")
    source: str
    created_at: datetime
    completed_at: datetime | None

    @classmethod
    def of(cls, row: TaskRow) -> TaskOut:
        task = row.task
        if task.owner_practitioner is not None:
            owner = TaskOwner(
                kind="practitioner",
                id=task.owner_practitioner.pk,
                name=task.owner_practitioner.display_name,
            )
        else:
            assert task.owner_team is not None
            owner = TaskOwner(kind="team", id=task.owner_team.pk, name=task.owner_team.name)
        client = None
        if task.client_id is not None and row.client_visible:
            assert task.client is not None
            client = Reference(id=task.client.pk, name=task.client.full_name)
        return cls(
            id=task.pk,
            title=row.title,
            details=row.details,
            status=TaskStatus(task.status),
            due_at=task.due_at,
            owner=owner,
            client=client,
            client_hidden=task.client_id is not None and not row.client_visible,
            source=task.source,
            created_at=task.created_at,
            completed_at=task.completed_at,
        )


class TaskList(Schema):
    results: list[TaskOut] = Field(description="Open tasks (all, with include_closed), soonest due first")
