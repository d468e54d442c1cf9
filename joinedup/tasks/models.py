"""Tasks and notifications. Other parts create them through tasks.services."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from joinedup.clients.models import Client
from joinedup.directory.models import Team


class TaskStatus(models.TextChoices):
    OPEN = "open", "To do"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


class Task(models.Model):
    """A piece of work owned by a practitioner or by a team (exactly one of them)."""

    title = models.CharField(max_length=200)
    details = models.TextField(blank=True)
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    owner_practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    owner_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    due_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    # What made the task: "manual", "handover", "hospital follow-up"... and its object.
    source = models.CharField(max_length=60, default="manual")
    source_ref = models.CharField(max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_practitioner__isnull=False) & Q(owner_team__isnull=True))
                | (Q(owner_practitioner__isnull=True) & Q(owner_team__isnull=False)),
                name="task_has_exactly_one_owner",
            )
        ]
        indexes = [
            models.Index(fields=["owner_practitioner", "status", "due_at"]),
            models.Index(fields=["owner_team", "status", "due_at"]),
            models.Index(fields=["client", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_name(self) -> str:
        return str(self.owner_practitioner or self.owner_team)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(max_length=400)
    link = models.CharField(max_length=300, blank=True)
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.message
