"""Visits to clients by any organisation, and assessments accepted from trusted assessors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from joinedup.careplans.models.plans import choices
from joinedup.careplans.rules.visits import AssessmentKind, VisitKind, VisitStatus
from joinedup.clients.models import Client
from joinedup.directory.models import Competency, Organisation, Team


class Visit(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="visits")
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=choices(VisitKind))
    assessment = models.CharField(max_length=20, choices=choices(AssessmentKind), blank=True)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    status = models.CharField(max_length=10, choices=choices(VisitStatus), default=VisitStatus.PLANNED.value)
    purpose = models.CharField(max_length=300, blank=True)
    outcome = models.TextField(blank=True)
    recommended_hours = models.DecimalField(
        max_digits=5, decimal_places=1, null=True, blank=True, help_text="A package of care assessment's hours a week"
    )
    # Booked although another organisation's assessment of the same kind was within the window.
    duplicate_of = models.JSONField(default=list, blank=True)
    duplicate_reason = models.CharField(max_length=500, blank=True)
    # Set when an assessment is done by a practitioner whose competency covered it that day.
    trusted_competency = models.ForeignKey(
        Competency, null=True, blank=True, on_delete=models.PROTECT, related_name="assessments"
    )
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    booked_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["client", "starts_at"]),
            models.Index(fields=["practitioner", "starts_at"]),
            models.Index(fields=["client", "assessment", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="assessment") & ~Q(assessment="")) | (~Q(kind="assessment") & Q(assessment="")),
                name="assessment_visit_has_its_kind",
            ),
            models.CheckConstraint(
                condition=Q(trusted_competency__isnull=True) | Q(status="done"), name="trusted_only_when_done"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of client {self.client_id} on {self.starts_at:%Y-%m-%d}"


class TrustedAssessment(models.Model):
    """Another organisation accepted a trusted assessor's assessment without assessing again."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="acceptances")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    accepting_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["accepted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "accepting_organisation"], name="one_acceptance_per_organisation")
        ]

    def __str__(self) -> str:
        return f"Assessment {self.visit_id} accepted by {self.accepting_organisation_id}"
