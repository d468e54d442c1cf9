"""Care plans: versions, goals with their GAS scales, interventions, reviews; frailty; the care team.

A plan has numbered versions. Goals and interventions are added in one version and may
end in a later one, so version N is every goal and intervention with
added_in <= N < ended_in. A goal's words and scale never change once added (they were
agreed with the client at the start); to change a goal, end it and add another.
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.db import models
from django.db.models import Q

from joinedup.careplans.rules.plans import AGREEMENT_LABELS, FrailtyBand
from joinedup.clients.models import Client
from joinedup.directory.models import Team


def choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, getattr(member, "label", member.value)) for member in enum]


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class CarePlan(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="care_plans")
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    # Who coordinates the plan (owns its review tasks): the practitioner who wrote it, unless changed.
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    current_version = models.PositiveIntegerField(default=1)
    # When the plan is next reviewed: set by each version and each review; past it, the review is overdue.
    review_due = models.DateField()
    review_task = models.ForeignKey("tasks.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "review_due"])]
        constraints = [
            models.UniqueConstraint(fields=["client"], condition=Q(status="active"), name="one_active_care_plan")
        ]

    def __str__(self) -> str:
        return f"Care plan {self.pk} of client {self.client_id} (v{self.current_version})"


class CarePlanVersion(models.Model):
    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    change_note = models.CharField(max_length=500, blank=True)
    what_matters = models.TextField("What matters to me", blank=True)
    what_matters_source = models.CharField(max_length=200, blank=True)
    review_due = models.DateField()
    agreement = models.CharField(max_length=12, choices=[(a.value, label) for a, label in AGREEMENT_LABELS.items()])
    agreement_by = models.CharField(max_length=200, blank=True)
    agreement_at = models.DateTimeField(null=True, blank=True)
    agreement_note = models.TextField(blank=True)
    agreement_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_care_plan_version_number"),
            models.CheckConstraint(
                condition=Q(agreement="pending") | (~Q(agreement_by="") & Q(agreement_at__isnull=False)),
                name="agreement_says_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of care plan {self.plan_id}"


class Goal(models.Model):
    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="goals")
    number = models.PositiveIntegerField()
    client_words = models.TextField(help_text="The goal as the client says it")
    weight = models.PositiveSmallIntegerField(default=1)
    baseline = models.SmallIntegerField(help_text="The level at the start: -1, or -2 when nothing worse is possible")
    level_minus_2 = models.TextField()
    level_minus_1 = models.TextField()
    level_0 = models.TextField(help_text="The expected outcome")
    level_plus_1 = models.TextField()
    level_plus_2 = models.TextField()
    added_in = models.PositiveIntegerField()
    ended_in = models.PositiveIntegerField(null=True, blank=True)
    ended_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_goal_number_per_plan"),
            models.CheckConstraint(condition=Q(weight__gte=1) & Q(weight__lte=10), name="goal_weight_1_to_10"),
            models.CheckConstraint(condition=Q(baseline__in=[-2, -1]), name="goal_baseline_below_expected"),
            models.CheckConstraint(
                condition=Q(ended_in__isnull=True) | Q(ended_in__gt=models.F("added_in")), name="goal_ends_after_added"
            ),
        ]

    def __str__(self) -> str:
        return f"Goal {self.number}: {self.client_words[:60]}"

    def level(self, score: int) -> str:
        return {-2: self.level_minus_2, -1: self.level_minus_1, 0: self.level_0, 1: self.level_plus_1}.get(
            score, self.level_plus_2
        )

    def in_version(self, number: int) -> bool:
        return self.added_in <= number and (self.ended_in is None or number < self.ended_in)


class Intervention(models.Model):
    """What a team (and a named practitioner in it) does towards the plan."""

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="interventions")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField()
    frequency = models.CharField(max_length=120, blank=True)
    added_in = models.PositiveIntegerField()
    ended_in = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "team__name", "id"]
        indexes = [
            models.Index(fields=["practitioner", "ended_in"]),
            models.Index(fields=["team", "ended_in"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_in__isnull=True) | Q(ended_in__gt=models.F("added_in")),
                name="intervention_ends_after_added",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.description[:60]}"

    def in_version(self, number: int) -> bool:
        return self.added_in <= number and (self.ended_in is None or number < self.ended_in)


class Review(models.Model):
    """A review of the plan: each goal of the version in force scored on its scale, and the T-score."""

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="reviews")
    version = models.PositiveIntegerField()
    held_on = models.DateField()
    note = models.TextField(blank=True)
    t_score = models.DecimalField(max_digits=5, decimal_places=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["plan", "held_on", "id"]

    def __str__(self) -> str:
        return f"Review of care plan {self.plan_id} on {self.held_on}"


class GoalScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="scores")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="scores")
    score = models.SmallIntegerField()

    class Meta:
        ordering = ["review", "goal__number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "goal"], name="one_score_per_goal_per_review"),
            models.CheckConstraint(condition=Q(score__gte=-2) & Q(score__lte=2), name="gas_score_minus_2_to_plus_2"),
        ]

    def __str__(self) -> str:
        return f"Goal {self.goal_id}: {self.score:+d}"


class FrailtyRecord(models.Model):
    """An electronic Frailty Index band (and score, when known) for a client, as the GP record gives it.

    History rows: the newest assessment is the client's band now (ADR 0036).
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="frailty_records")
    band = models.CharField(max_length=10, choices=choices(FrailtyBand))
    efi_score = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    assessed_on = models.DateField()
    source = models.CharField(max_length=120, blank=True, help_text="Where the band comes from, e.g. the GP record")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["client", "-assessed_on", "-id"]
        indexes = [models.Index(fields=["client", "-assessed_on"]), models.Index(fields=["recorded_at"])]

    def __str__(self) -> str:
        return f"{self.get_band_display()} ({self.assessed_on})"


class CareTeamMember(models.Model):
    """Someone added to the client's care team by hand: a practitioner, or a whole team.

    The rest of the care team is derived (accountability, accepted referrals, plan
    interventions, visits); see careplans.queries.care_team.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="care_team_members")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=120)
    since = models.DateField()
    until = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()
    end_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["client", "since", "id"]
        indexes = [
            models.Index(fields=["practitioner", "until"]),
            models.Index(fields=["team", "until"]),
            models.Index(fields=["client", "until"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(practitioner__isnull=False) & Q(team__isnull=True))
                | (Q(practitioner__isnull=True) & Q(team__isnull=False)),
                name="care_team_member_is_a_person_or_a_team",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")), name="care_team_until_after_since"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} for client {self.client_id}"
