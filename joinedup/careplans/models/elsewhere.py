"""Care plans, goals and care team members sent by other systems (ADR 0046): read-only here.

Written only by careplans.services.elsewhere when an import brings them, keyed on their identity at
the source so that bringing them again changes nothing. They are not JoinedUp's plans (no
coordinator, review or scaled goals) and no part of the access policy: an imported member gives
nobody a relationship to the client.
"""

from __future__ import annotations

from django.db import models

from joinedup.careplans.rules import elsewhere as rules
from joinedup.clients.models import Client
from joinedup.directory.models import Organisation


class FromElsewhere(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    # Who sent it, in its own words (the sending system, the managing organisation); "" when it does not say.
    source = models.CharField(max_length=200, blank=True)
    source_file = models.CharField(max_length=500)
    recorded_at = models.DateTimeField()  # first brought
    updated_at = models.DateTimeField()  # last changed by a newer copy

    class Meta:
        abstract = True

    @property
    def source_text(self) -> str:
        return self.source or "another system"


class ExternalCarePlan(FromElsewhere):
    key = models.CharField(max_length=300, unique=True, help_text="Its identity at the source: CarePlan/<id>")
    status = models.CharField(max_length=20)
    intent = models.CharField(max_length=20)
    title = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    categories = models.JSONField(default=list)
    period_start = models.CharField(max_length=40, blank=True)  # as written: may be a year or a month
    period_end = models.CharField(max_length=40, blank=True)
    author = models.CharField(max_length=300, blank=True)
    addresses = models.JSONField(default=list)  # what it is for: the conditions, in words
    activities = models.JSONField(default=list)  # [{"what", "status", "performers"}]
    goal_keys = models.JSONField(default=list)  # its goals' identities at the source

    class Meta:
        ordering = ["client", "-period_start", "id"]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return f"Care plan from {self.source_text} ({self.key})"

    @property
    def is_current(self) -> bool:
        return self.status in rules.CURRENT_PLAN

    @property
    def status_text(self) -> str:
        return rules.label(rules.PLAN_STATUS, self.status)

    @property
    def intent_text(self) -> str:
        return rules.label(rules.PLAN_INTENT, self.intent)

    @property
    def period_text(self) -> str:
        return rules.period_text(self.period_start, self.period_end)

    @property
    def heading(self) -> str:
        return self.title or (self.categories[0] if self.categories else "") or "Care plan"


class ExternalGoal(FromElsewhere):
    key = models.CharField(max_length=300, unique=True, help_text="Its identity at the source: Goal/<id>")
    description = models.TextField()
    lifecycle_status = models.CharField(max_length=20)
    achievement_status = models.CharField(max_length=120, blank=True)
    start = models.CharField(max_length=40, blank=True)
    targets = models.JSONField(default=list)  # [{"measure", "detail", "due"}]

    class Meta:
        ordering = ["client", "id"]
        indexes = [models.Index(fields=["client", "lifecycle_status"])]

    def __str__(self) -> str:
        return f"Goal from {self.source_text}: {self.description[:60]}"

    @property
    def status_text(self) -> str:
        return rules.label(rules.GOAL_STATUS, self.lifecycle_status)

    @property
    def achievement_text(self) -> str:
        return rules.label(rules.ACHIEVEMENT, self.achievement_status)

    @property
    def is_current(self) -> bool:
        return self.lifecycle_status in rules.CURRENT_GOAL

    def target_texts(self) -> list[str]:
        """Each target in words: "HbA1c: < 7.0, by 1 June 2026"."""
        shown = []
        for target in self.targets:
            words = ": ".join(part for part in (target.get("measure", ""), target.get("detail", "")) if part)
            due = rules.when_text(target.get("due", ""))
            shown.append(f"{words}, by {due}" if words and due else words or (f"By {due}" if due else ""))
        return [text for text in shown if text]


class ExternalCareTeamMember(FromElsewhere):
    """One participant of a CareTeam another system sent; the team's members are replaced together."""

    team_key = models.CharField(max_length=300, help_text="The care team's identity at the source")
    position = models.PositiveIntegerField()  # its place among the team's participants
    team_name = models.CharField(max_length=300, blank=True)
    team_status = models.CharField(max_length=20, blank=True)
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, blank=True)
    roles = models.JSONField(default=list)
    organisation_name = models.CharField(max_length=300, blank=True)  # as written
    ods_code = models.CharField(max_length=12, blank=True)
    # The JoinedUp organisation with that ODS code, for showing; never a relationship to the client.
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    period_start = models.CharField(max_length=40, blank=True)
    period_end = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["client", "team_key", "position"]
        indexes = [models.Index(fields=["client", "team_status"])]
        constraints = [
            models.UniqueConstraint(fields=["team_key", "position"], name="one_external_member_per_place"),
        ]

    def __str__(self) -> str:
        return f"{self.name} in a care team from {self.source_text}"

    @property
    def period_text(self) -> str:
        return rules.period_text(self.period_start, self.period_end)

    @property
    def organisation_text(self) -> str:
        """As the sender wrote it; the directory's name when it wrote none."""
        if self.organisation_name or self.organisation is None:
            return self.organisation_name
        return self.organisation.name

    @property
    def team_status_text(self) -> str:
        return rules.label(rules.TEAM_STATUS, self.team_status)
