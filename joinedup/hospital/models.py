"""The hospital feed's tables: messages received, spells and their journey, diagnoses, bounces,
follow-ups and feed exceptions. Written by hospital.ingest (the feed) and hospital.services (people)."""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.db import models
from django.db.models import Q

from joinedup.clients.models import Client
from joinedup.directory.models import Team
from joinedup.hospital.events import ExceptionReason
from joinedup.hospital.spells import Change, SpellKind, SpellStatus, destination_words
from joinedup.tasks.models import Task


def _choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ").capitalize()) for member in enum]


class MessageOutcome(models.TextChoices):
    APPLIED = "applied", "Applied"
    HELD = "held", "Held on feed exceptions"
    REJECTED = "rejected", "Rejected"


class FeedMessage(models.Model):
    """Every message received, once: who sent it, its control id and content digest (what makes
    a resend a resend), the acknowledgement sent, and what it did."""

    facility = models.CharField(max_length=180, help_text="The sending facility (or application)")
    control_id = models.CharField(max_length=199)
    digest = models.CharField(max_length=32, help_text="Of the content, without its send time")
    message_type = models.CharField(max_length=40)
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=MessageOutcome.choices)
    ack_code = models.CharField(max_length=2)
    ack = models.TextField()
    raw = models.TextField()
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    spell = models.ForeignKey("Spell", null=True, blank=True, on_delete=models.PROTECT, related_name="messages")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "control_id", "digest"], name="feed_message_once"),
        ]

    def __str__(self) -> str:
        return f"{self.message_type} {self.control_id} from {self.facility}"


class Spell(models.Model):
    """A hospital stay from admission to discharge.

    Foreign keys that lead a composite index have no index of their own: the feed writes these tables
    thousands of times a second, and each index is a cost on every row (ADR 0047)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="spells", db_index=False)  # see Meta
    facility = models.CharField(max_length=180)
    visit_number = models.CharField(max_length=60, blank=True)
    kind = models.CharField(max_length=12, choices=_choices(SpellKind))
    status = models.CharField(max_length=12, choices=_choices(SpellStatus))
    opened_by = models.CharField(max_length=20, help_text="What opened it: admission, discharge, transfer...")
    admitted_at = models.DateTimeField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    expected_at = models.DateTimeField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    patient_class = models.CharField(max_length=20, blank=True)
    consultant = models.CharField(max_length=120, blank=True)
    discharge_method = models.CharField(max_length=40, blank=True)
    discharge_destination = models.CharField(max_length=60, blank=True)
    discharge_pathway = models.PositiveSmallIntegerField(null=True, blank=True)
    lives_alone = models.BooleanField(null=True, blank=True)
    earlier_locations = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-admitted_at", "-id"]
        indexes = [
            models.Index(fields=["client", "status"]),
            models.Index(fields=["status", "discharged_at"]),
            models.Index(fields=["facility", "visit_number"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="discharged") | Q(discharged_at__isnull=False), name="discharged_spell_has_time"
            ),
            models.CheckConstraint(
                condition=Q(discharge_pathway__isnull=True) | Q(discharge_pathway__lte=3), name="pathway_0_to_3"
            ),
        ]

    def __str__(self) -> str:
        return f"Spell {self.pk} ({self.status})"

    @property
    def destination_text(self) -> str:
        return destination_words(self.discharge_destination) if self.discharge_destination else ""

    @property
    def pathway_label(self) -> str:
        return "" if self.discharge_pathway is None else f"Pathway {self.discharge_pathway}"


class SpellEvent(models.Model):
    """One step of the hospital journey: admitted, moved, discharged, cancelled..."""

    spell = models.ForeignKey(Spell, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+", db_index=False)  # see Meta
    change = models.CharField(max_length=30, choices=_choices(Change))
    occurred_at = models.DateTimeField()
    summary = models.CharField(max_length=300)
    location = models.CharField(max_length=200, blank=True)
    message = models.ForeignKey(FeedMessage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["client", "occurred_at"])]

    def __str__(self) -> str:
        return self.summary


class Diagnosis(models.Model):
    """A diagnosis recorded in a stay, coded as the hospital coded it (ICD-10 kept as data)."""

    # Both indexed as the first column of a Meta index or constraint.
    spell = models.ForeignKey(Spell, on_delete=models.PROTECT, related_name="diagnoses", db_index=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+", db_index=False)
    code = models.CharField(max_length=20)
    text = models.CharField(max_length=200, blank=True)
    coding_system = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=20, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    new_in_spell = models.BooleanField(help_text="First recorded for this client in this stay")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["client", "code"])]
        constraints = [models.UniqueConstraint(fields=["spell", "code"], name="one_diagnosis_code_per_spell")]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class BounceEvent(models.Model):
    """A readmission that a follow-up should have prevented."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="bounces")
    spell = models.OneToOneField(Spell, on_delete=models.PROTECT, related_name="bounce")
    previous_spell = models.ForeignKey(Spell, on_delete=models.PROTECT, related_name="+")
    days_since_discharge = models.PositiveIntegerField()
    open_follow_up = models.BooleanField()
    reason = models.CharField(max_length=200)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["occurred_at"])]

    def __str__(self) -> str:
        return self.reason


class FollowUp(models.Model):
    """A task a follow-up rule made for a stay (so that bounce and cancels can find it)."""

    spell = models.ForeignKey(Spell, on_delete=models.PROTECT, related_name="follow_ups")
    task = models.OneToOneField(Task, on_delete=models.PROTECT, related_name="hospital_follow_up")
    rule = models.CharField(max_length=100)
    trigger = models.CharField(max_length=20)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.rule} for spell {self.spell_id}"


class ExceptionStatus(models.TextChoices):
    OPEN = "open", "Open"
    MATCHED = "matched", "Matched to a client"
    DISCARDED = "discarded", "Discarded"


class FeedException(models.Model):
    """A message that could not take effect by itself: on the worklist of its owner until resolved."""

    message = models.OneToOneField(FeedMessage, on_delete=models.PROTECT, related_name="exception")
    reason = models.CharField(max_length=30, choices=_choices(ExceptionReason))
    detail = models.CharField(max_length=500)
    owner_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="feed_exceptions")
    status = models.CharField(max_length=10, choices=ExceptionStatus.choices, default=ExceptionStatus.OPEN)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution_note = models.CharField(max_length=500, blank=True)
    matched_client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["owner_team", "status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | (Q(resolved_at__isnull=False) & Q(resolved_by__isnull=False)),
                name="resolved_exception_says_who_and_when",
            ),
            models.CheckConstraint(
                condition=~Q(status="matched") | Q(matched_client__isnull=False), name="matched_exception_has_client"
            ),
            models.CheckConstraint(
                condition=~Q(status="discarded") | ~Q(resolution_note=""), name="discarded_exception_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.detail}"

    @property
    def reason_label(self) -> str:
        return ExceptionReason(self.reason).label
