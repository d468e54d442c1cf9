"""Care from elsewhere: the care plans, goals and care team members other systems sent about a client.

For a client whose record the caller already reads (clients.queries.visible_client has checked the
relationship, consent included, and audited the page); what is shown is audited here too, one event
per plan, goal outside a plan, and care team.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from joinedup.careplans.models import ExternalCarePlan, ExternalCareTeamMember, ExternalGoal
from joinedup.careplans.rules.elsewhere import WITHDRAWN
from joinedup.clients.models import Client
from joinedup.core import audit
from joinedup.core.access import Actor
from joinedup.core.audit import Entry


@dataclass
class CareFromElsewhere:
    plans: list[ExternalCarePlan] = field(default_factory=list)  # those still worked on first
    goals_of: dict[int, list[ExternalGoal]] = field(default_factory=dict)  # plan id -> its goals
    other_goals: list[ExternalGoal] = field(default_factory=list)  # goals no plan names
    members: list[ExternalCareTeamMember] = field(default_factory=list)

    @property
    def current_plans(self) -> list[ExternalCarePlan]:
        return [p for p in self.plans if p.is_current]

    @property
    def earlier_plans(self) -> list[ExternalCarePlan]:
        return [p for p in self.plans if not p.is_current]

    def goals(self, plan: ExternalCarePlan) -> list[ExternalGoal]:
        return self.goals_of.get(plan.pk, [])

    @property
    def is_empty(self) -> bool:
        return not (self.plans or self.other_goals or self.members)


def care_from_elsewhere(
    actor: Actor, client: Client, reason: str, *, plans: bool = True, team: bool = True
) -> CareFromElsewhere:
    """What other systems sent about the client (never what they withdrew), audited as seen."""
    found = CareFromElsewhere()
    if plans:
        _plans(client, found)
    if team:
        found.members = list(
            ExternalCareTeamMember.objects.filter(client=client)
            .exclude(team_status=WITHDRAWN)
            .select_related("organisation")
            .order_by("source", "team_key", "position")
        )
    _audit(actor, client, reason, found)
    return found


def _plans(client: Client, found: CareFromElsewhere) -> None:
    rows = list(ExternalCarePlan.objects.filter(client=client).exclude(status=WITHDRAWN))
    rows.sort(key=lambda p: p.id)
    rows.sort(key=lambda p: p.period_start, reverse=True)
    rows.sort(key=lambda p: not p.is_current)
    found.plans = rows
    goals = {g.key: g for g in ExternalGoal.objects.filter(client=client).exclude(lifecycle_status=WITHDRAWN)}
    named: set[str] = set()
    for plan in rows:
        found.goals_of[plan.pk] = [goals[key] for key in plan.goal_keys if key in goals]
        named.update(plan.goal_keys)
    found.other_goals = sorted((g for key, g in goals.items() if key not in named), key=lambda g: g.pk)


def _audit(actor: Actor, client: Client, reason: str, found: CareFromElsewhere) -> None:
    entries = [Entry("view", "ExternalCarePlan", p.pk, client.pk, reason) for p in found.plans]
    entries += [Entry("view", "ExternalGoal", g.pk, client.pk, reason) for g in found.other_goals]
    teams = sorted({m.team_key for m in found.members})
    entries += [Entry("view", "ExternalCareTeam", key, client.pk, reason) for key in teams]
    if entries:
        with transaction.atomic():
            audit.record_many(actor, entries)
