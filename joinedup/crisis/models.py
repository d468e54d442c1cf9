"""Crises, their actions and history, and the on-call rotas that answer them.

The routing, clock and outcome rules are pure (crisis.rules, crisis.clock,
crisis.outcomes); writes go through crisis.services, crisis.actions,
crisis.rotas and crisis.tick.
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.db import models
from django.db.models import Q

from joinedup.clients.models import Client
from joinedup.crisis.clock import within_target
from joinedup.crisis.outcomes import ActionKind, ActionStatus, FundingSource, MedicationRoute, Outcome
from joinedup.crisis.rules import Basis, Sector, Situation
from joinedup.directory.models import Locality, Team


def _choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, getattr(member, "label", member.value)) for member in enum]


class CrisisState(models.TextChoices):
    RAISED = "raised", "Raised"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ARRIVED = "arrived", "With the client"
    RESOLVED = "resolved", "Resolved"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATES = (CrisisState.RAISED, CrisisState.ACKNOWLEDGED, CrisisState.ARRIVED)
_OPEN = Q(state__in=["raised", "acknowledged", "arrived"])


class Rota(models.Model):
    """A locality's (or, with no locality, the borough's) on-call rota for health or social care."""

    locality = models.ForeignKey(Locality, null=True, blank=True, on_delete=models.PROTECT, related_name="rotas")
    sector = models.CharField(max_length=12, choices=_choices(Sector))
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="rotas", help_text="The on-call team")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", help_text="The service manager"
    )
    fallback = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Owns crises when nobody is on call",
    )

    class Meta:
        ordering = ["locality__name", "sector"]
        constraints = [
            models.UniqueConstraint(fields=["locality", "sector"], name="one_rota_per_locality_and_sector"),
            models.UniqueConstraint(
                fields=["sector"], condition=Q(locality__isnull=True), name="one_borough_rota_per_sector"
            ),
        ]

    def __str__(self) -> str:
        where = self.locality.name if self.locality_id and self.locality else "Borough-wide"
        return f"{where} {Sector(self.sector).label.lower()} on-call rota"


class RotaShift(models.Model):
    rota = models.ForeignKey(Rota, on_delete=models.CASCADE, related_name="shifts")
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="on_call_shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    position = models.PositiveSmallIntegerField(default=1, help_text="1: first on call; 2: second on call")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"),
            models.CheckConstraint(condition=Q(position__in=[1, 2]), name="shift_position_first_or_second"),
        ]
        indexes = [models.Index(fields=["rota", "ends_at", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.practitioner} on call from {self.starts_at:%Y-%m-%d %H:%M}"


class Crisis(models.Model):
    """An urgent need for help at home: a 2-hour response clock, an owner from the moment it is raised."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="crises")
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="crises")
    situation = models.CharField(max_length=30, choices=_choices(Situation))
    sector = models.CharField(max_length=12, choices=_choices(Sector))
    needed = models.TextField(help_text="What is needed, in the raiser's words")
    # Who raised it and how to reach them (a GP, NHS 111, any practitioner).
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="crises_raised")
    raised_channel = models.CharField(max_length=10)
    contact_name = models.CharField(max_length=120)
    contact_phone = models.CharField(max_length=40)
    contact_organisation = models.CharField(max_length=200, blank=True)
    # The details the raiser gave (name, date of birth, NHS number, postcode), to check against the record.
    reported = models.JSONField(default=dict, blank=True)
    details_differ = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=100, blank=True)
    request_digest = models.CharField(max_length=64, blank=True)
    # The clock.
    raised_at = models.DateTimeField()
    acknowledge_due_at = models.DateTimeField()
    response_due_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    arrived_at = models.DateTimeField(null=True, blank=True)
    arrived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=12, choices=CrisisState.choices, default=CrisisState.RAISED)
    # The route taken when it was raised, and who owns it now.
    basis = models.CharField(max_length=12, choices=_choices(Basis))
    route_gap = models.CharField(max_length=300, blank=True)
    service = models.CharField(max_length=40)
    rota = models.ForeignKey(Rota, null=True, blank=True, on_delete=models.PROTECT, related_name="crises")
    in_hours_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    on_call_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    owner_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="crises_owned")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="crises_owned"
    )
    escalation_chain = models.JSONField(default=list, blank=True)
    escalated_levels = models.JSONField(default=list, blank=True)
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    response_escalated_at = models.DateTimeField(null=True, blank=True)
    # How it ended.
    outcome = models.CharField(max_length=12, choices=_choices(Outcome), blank=True)
    outcome_note = models.TextField(blank=True)
    cancel_reason = models.TextField(blank=True)
    # A hospital admission of the client within 48 hours of raising (crisis.admissions).
    admitted_at = models.DateTimeField(null=True, blank=True)
    admission_source_ref = models.CharField(max_length=120, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["response_due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["raised_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="one_crisis_per_raiser_key",
            ),
            models.CheckConstraint(
                condition=~Q(state="acknowledged") | Q(acknowledged_at__isnull=False),
                name="acknowledged_crisis_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state="arrived") | Q(arrived_at__isnull=False), name="arrived_crisis_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(state="resolved") | (Q(resolved_at__isnull=False) & ~Q(outcome="")),
                name="resolved_crisis_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(response_due_at__gt=models.F("raised_at")), name="crisis_due_after_raised"
            ),
        ]
        indexes = [
            # The board: open crises of a locality (or all), soonest due first.
            models.Index(fields=["locality", "response_due_at", "id"], name="crisis_board_locality", condition=_OPEN),
            models.Index(fields=["response_due_at", "id"], name="crisis_board_all", condition=_OPEN),
            models.Index(
                fields=["next_escalation_at"],
                name="crisis_next_escalation",
                condition=Q(next_escalation_at__isnull=False),
            ),
            models.Index(fields=["client", "raised_at"]),
            models.Index(fields=["raised_at"]),
            models.Index(fields=["resolved_at"]),
        ]

    def __str__(self) -> str:
        return f"Crisis {self.pk} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def situation_label(self) -> str:
        return Situation(self.situation).label

    @property
    def within_target(self) -> bool:
        return within_target(self.raised_at, self.arrived_at)


class Responder(models.Model):
    """A team or a practitioner responding to a crisis: its owner and the teams that answer it,
    whoever it was escalated to, the owners of its actions. The access policy reads this one table
    (crisis.relationships): the relationship lasts while the crisis is open and for a while after."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="responders")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    why = models.CharField(max_length=20)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When the crisis closed (null: open)")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(team__isnull=False) & Q(practitioner__isnull=True))
                | (Q(team__isnull=True) & Q(practitioner__isnull=False)),
                name="responder_is_a_team_or_a_person",
            ),
            models.UniqueConstraint(
                fields=["crisis", "team"], condition=Q(team__isnull=False), name="one_responder_team"
            ),
            models.UniqueConstraint(
                fields=["crisis", "practitioner"], condition=Q(practitioner__isnull=False), name="one_responder_person"
            ),
        ]
        indexes = [
            models.Index(fields=["team", "client"], name="responder_team"),
            models.Index(fields=["practitioner", "client"], name="responder_person"),
        ]

    def __str__(self) -> str:
        return f"{self.team or self.practitioner} responds to crisis {self.crisis_id} ({self.why})"


class CrisisEvent(models.Model):
    """One line of the crisis's history: raised, routed, escalated, acknowledged, actions, outcome."""

    crisis = models.ForeignKey(Crisis, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.CharField(max_length=500)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["crisis", "at"])]

    def __str__(self) -> str:
        return self.summary


class CrisisEscalation(models.Model):
    """One escalation made: a late acknowledgement (levels 1, 2), or the response target missed (level 0)."""

    RESPONSE_OVERDUE = 0

    crisis = models.ForeignKey(Crisis, on_delete=models.PROTECT, related_name="escalations")
    level = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField()
    made_at = models.DateTimeField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="crisis_escalations"
    )
    task = models.ForeignKey("tasks.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    gap = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["crisis", "level"]
        constraints = [models.UniqueConstraint(fields=["crisis", "level"], name="one_crisis_escalation_per_level")]

    def __str__(self) -> str:
        return f"Escalation {self.level} of crisis {self.crisis_id}"


class CrisisAction(models.Model):
    """Something done to keep the client at home, with its owner (a person or a team) and status."""

    crisis = models.ForeignKey(Crisis, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(max_length=30, choices=_choices(ActionKind))
    status = models.CharField(max_length=12, choices=_choices(ActionStatus), default=ActionStatus.REQUESTED)
    details = models.TextField()
    # Emergency medication: through the GP or an out-of-hours pharmacy.
    medication_route = models.CharField(max_length=30, choices=_choices(MedicationRoute), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="crisis_actions"
    )
    owner_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="crisis_actions")
    task = models.ForeignKey("tasks.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner__isnull=False) & Q(owner_team__isnull=True))
                | (Q(owner__isnull=True) & Q(owner_team__isnull=False)),
                name="crisis_action_has_one_owner",
            )
        ]
        indexes = [models.Index(fields=["owner_team", "status"]), models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return f"{ActionKind(self.kind).label} for crisis {self.crisis_id} ({self.status})"

    @property
    def kind_label(self) -> str:
        return ActionKind(self.kind).label

    @property
    def owner_name(self) -> str:
        return str(self.owner or self.owner_team)


class BridgingPackage(models.Model):
    """An emergency package of care from brokerage: 72 hours unless said otherwise, costed and funded."""

    action = models.OneToOneField(CrisisAction, on_delete=models.PROTECT, related_name="bridging")
    care_tasks = models.TextField(help_text="What the carers do: personal care, meals, medication prompts...")
    hours_of_care = models.DecimalField(max_digits=5, decimal_places=1, help_text="Hours of care a day")
    starts_at = models.DateTimeField()
    duration_hours = models.PositiveIntegerField(default=72)
    ends_at = models.DateTimeField()
    provider = models.CharField(max_length=200, blank=True)
    cost = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    funding_source = models.CharField(max_length=30, choices=_choices(FundingSource))
    governance_model = models.CharField(max_length=20)
    arranged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    arranged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="bridging_ends_after_start"),
            models.CheckConstraint(condition=Q(cost__isnull=True) | Q(cost__gte=0), name="bridging_cost_not_negative"),
        ]
        indexes = [models.Index(fields=["starts_at"]), models.Index(fields=["ends_at"])]

    def __str__(self) -> str:
        return f"Bridging package for action {self.action_id}"


class AdmissionCheck(models.Model):
    """The "before admitting" checklist: each alternative answered, and why none would do."""

    crisis = models.OneToOneField(Crisis, on_delete=models.PROTECT, related_name="admission_check")
    answers = models.JSONField()
    reason = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Admission checklist of crisis {self.crisis_id}"


class CrisisRegistration(models.Model):
    """A client registered in a crisis with minimal details, until someone completes them."""

    client = models.OneToOneField(Client, on_delete=models.PROTECT, related_name="crisis_registration")
    crisis = models.ForeignKey(Crisis, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Client {self.client_id} registered in crisis {self.crisis_id}"


class RotaAlert(models.Model):
    """A gap that routed a crisis to a fallback, or a gap in a rota ahead: never silent."""

    AT_RAISE = "at_raise"
    AHEAD = "ahead"

    rota = models.ForeignKey(Rota, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts")
    locality = models.ForeignKey(Locality, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    crisis = models.ForeignKey(Crisis, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=10, choices=[(AT_RAISE, "Gap when a crisis was raised"), (AHEAD, "Gap ahead")])
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    message = models.CharField(max_length=400)
    raised_at = models.DateTimeField()
    task = models.ForeignKey("tasks.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rota", "starts_at"], condition=Q(kind="ahead"), name="one_alert_per_gap_ahead"
            )
        ]
        indexes = [models.Index(fields=["locality", "raised_at"])]

    def __str__(self) -> str:
        return self.message


class BridgingCapacity(models.Model):
    """How many bridging packages brokerage can start on a day (the setting's default otherwise)."""

    day = models.DateField(unique=True)
    packages = models.PositiveSmallIntegerField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.packages} bridging packages on {self.day}"
