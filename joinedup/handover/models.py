"""Referrals between teams, their history and escalations, and "belongs to" disputes.

The state machine, deadlines and ping-pong rules are in handover.rules,
handover.deadlines and handover.information (pure); writes go through
handover.services.
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.db import models
from django.db.models import Q

from joinedup.clients.models import Client
from joinedup.directory.models import Locality, Organisation, Team
from joinedup.handover.deadlines import Urgency
from joinedup.handover.rules import Action, ReferralKind, ReferralState, Side

OPEN_STATES = (ReferralState.SENT, ReferralState.INFORMATION_REQUESTED)


def _choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ").capitalize()) for member in enum]


class Referral(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="referrals")
    kind = models.CharField(max_length=24, choices=_choices(ReferralKind))
    urgency = models.CharField(max_length=10, choices=_choices(Urgency))
    state = models.CharField(max_length=24, choices=_choices(ReferralState), default=ReferralState.DRAFT)
    sending_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="referrals_sent")
    referrer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made")
    receiving_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="referrals_received")
    # The handover information set: item key -> {"text", "not_known", "not_known_reason"}.
    information = models.JSONField(default=dict, blank=True)
    completeness_at_first_send = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True)
    # Clock stops chosen by the receiving team: [{"paused_at", "resumed_at", "reason"}].
    clock_stops = models.JSONField(default=list, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decline_reason = models.TextField(blank=True)
    suggested_alternative = models.TextField(blank=True)
    withdraw_reason = models.TextField(blank=True)
    # Who in the receiving team owns the piece of work (request for service) once accepted.
    work_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="referral_work"
    )
    escalated_levels = models.JSONField(default=list, blank=True)
    # When `joinedup tick` must look at this referral next (null: nothing more to escalate).
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["receiving_team", "state", "deadline_at"]),
            models.Index(fields=["sending_team", "state", "deadline_at"]),
            models.Index(fields=["client", "state"]),
            # Inbox and sent lists: open referrals of a team in deadline order, read without a sort.
            models.Index(
                fields=["receiving_team", "deadline_at", "id"],
                name="referral_inbox",
                condition=Q(state__in=["sent", "information_requested"]),
            ),
            models.Index(
                fields=["sending_team", "deadline_at", "id"],
                name="referral_sent_list",
                condition=Q(state__in=["sent", "information_requested"]),
            ),
            models.Index(fields=["sent_at"]),
            models.Index(fields=["decided_at"]),
            models.Index(
                fields=["next_escalation_at"],
                name="referral_next_escalation",
                condition=Q(next_escalation_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(sending_team=models.F("receiving_team")), name="referral_between_two_teams"
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(sent_at__isnull=False), name="referral_sent_has_sent_at"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["sent", "information_requested"]) | Q(deadline_at__isnull=False),
                name="open_referral_has_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk}: {self.sending_team} to {self.receiving_team} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class ReferralTransition(models.Model):
    """Every change of a referral: the action, by whom, when, from which state to which, and why."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="transitions")
    action = models.CharField(max_length=24, choices=_choices(Action))
    from_state = models.CharField(max_length=24)
    to_state = models.CharField(max_length=24)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_side = models.CharField(max_length=10, choices=_choices(Side))
    at = models.DateTimeField()
    reason = models.TextField(blank=True)
    alternative = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} -> {self.to_state}"


class Escalation(models.Model):
    """One level of the escalation chain made for an overdue referral (at most once per level)."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="escalations")
    level = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField()
    made_at = models.DateTimeField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    task = models.ForeignKey("tasks.Task", on_delete=models.PROTECT, related_name="+")
    gap_report = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["referral", "level"]
        constraints = [models.UniqueConstraint(fields=["referral", "level"], name="one_escalation_per_level")]

    def __str__(self) -> str:
        return f"Escalation {self.level} of referral {self.referral_id}"


class DisputeState(models.TextChoices):
    OPEN = "open", "Open"
    DECIDED = "decided", "Decided"


class Dispute(models.Model):
    """An open question of who is accountable, decided by the client's locality MDT by a deadline."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="disputes")
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="disputes")
    organisation_a = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    organisation_b = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    referrals = models.ManyToManyField(Referral, related_name="disputes", blank=True)
    opened_at = models.DateTimeField()
    decide_by = models.DateTimeField()
    state = models.CharField(max_length=10, choices=DisputeState.choices, default=DisputeState.OPEN)
    governance_model = models.CharField(max_length=20)
    default_owner = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True)
    decided_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reasons = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["decide_by", "id"]
        constraints = [
            models.UniqueConstraint(fields=["client"], condition=Q(state="open"), name="one_open_dispute_per_client"),
            models.CheckConstraint(
                condition=Q(state="open") | (Q(decided_team__isnull=False) & Q(decided_at__isnull=False)),
                name="decided_dispute_has_decision",
            ),
        ]
        indexes = [models.Index(fields=["locality", "state", "decide_by"])]

    def __str__(self) -> str:
        return f"Dispute {self.pk} about client {self.client_id} ({self.state})"


class TeamResponsePolicy(models.Model):
    """A receiving team's own response times and hours (handover.deadlines.response_policy_from_config)."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="response_policy")
    config = models.JSONField(
        help_text='e.g. {"hours": {"opens": "08:00", "closes": "20:00"}, "urgent": "4 working hours"}'
    )

    def __str__(self) -> str:
        return f"Response policy of {self.team}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from joinedup.handover.deadlines import PolicyConfigError, response_policy_from_config

        try:
            response_policy_from_config(self.config)
        except PolicyConfigError as error:
            raise ValidationError({"config": list(error.errors)}) from error
