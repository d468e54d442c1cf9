"""The locality MDT's meetings: a recurring schedule, meetings, attendees, the agenda and requests.

An agenda item is one client in one meeting, with every reason it is there, the
discussion note and the decision. Actions are tasks (tasks.Task with source "mdt" and
source_ref "agenda-item:<id>"); a dispute decided in the meeting is decided through
handover.disputes and linked from the item.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from joinedup.clients.models import Client
from joinedup.directory.models import Locality, Team


class MeetingSeries(models.Model):
    """A locality MDT's regular meeting: every N weeks on the weekday of its first date, at a time."""

    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="meeting_series")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="meeting_series")
    title = models.CharField(max_length=160)
    first_date = models.DateField()
    start_time = models.TimeField(help_text="Europe/London")
    duration_minutes = models.PositiveSmallIntegerField(default=90)
    every_weeks = models.PositiveSmallIntegerField(default=1)
    location = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["locality", "title"]
        verbose_name_plural = "meeting series"
        constraints = [
            models.CheckConstraint(condition=Q(every_weeks__gte=1) & Q(every_weeks__lte=8), name="series_every_1_to_8")
        ]

    def __str__(self) -> str:
        return self.title


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Minutes final"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    series = models.ForeignKey(MeetingSeries, on_delete=models.PROTECT, related_name="meetings")
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="mdt_meetings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    agenda_proposed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["locality", "starts_at"])]
        constraints = [
            models.UniqueConstraint(fields=["series", "starts_at"], name="one_meeting_per_series_occurrence"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.series} on {self.starts_at:%Y-%m-%d}"


class Attendee(models.Model):
    """Who came (or sent apologies), with their profession and organisation as they were that day."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=160)
    profession = models.CharField(max_length=120)
    organisation = models.CharField(max_length=200)
    present = models.BooleanField(default=True)

    class Meta:
        ordering = ["meeting", "-present", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "practitioner"],
                condition=Q(practitioner__isnull=False),
                name="one_attendance_per_practitioner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.profession}, {self.organisation})"


class AgendaItemStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"  # by the rules, not yet confirmed by the coordinator
    LISTED = "listed", "On the agenda"
    DISCUSSED = "discussed", "Discussed"
    REMOVED = "removed", "Removed"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=AgendaItemStatus.choices, default=AgendaItemStatus.PROPOSED)
    # [{"source", "reason", "priority", "ref"}]: why the client is on the agenda.
    reasons = models.JSONField(default=list)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    decision = models.TextField(blank=True)
    discussed_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dispute = models.ForeignKey("handover.Dispute", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    removed_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "client"], name="one_agenda_item_per_client"),
            models.CheckConstraint(
                condition=~Q(status="discussed") | Q(discussed_at__isnull=False), name="discussed_item_has_time"
            ),
        ]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return f"Item {self.position} of meeting {self.meeting_id}"


class AgendaRequest(models.Model):
    """A member asks for a client to be discussed at the locality's next MDT meeting."""

    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    # The item that discussed it; open requests are proposed to every meeting until one does.
    discussed_in = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["requested_at", "id"]
        indexes = [models.Index(fields=["locality", "discussed_in"])]

    def __str__(self) -> str:
        return f"Request to discuss client {self.client_id}"
