"""What the client record shows of care: the care team, the plan in brief, frailty, this week's visits,
and the care plans and care team members other systems sent (care from elsewhere).

For a client whose record the caller already reads (clients.queries.client_record checked and audited it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from joinedup.careplans.models import (
    AgendaRequest,
    CarePlan,
    CarePlanVersion,
    FrailtyRecord,
    Goal,
    PlanStatus,
    Review,
    Visit,
)
from joinedup.careplans.queries.care_team import CareTeamRow, care_team
from joinedup.careplans.queries.elsewhere import CareFromElsewhere, care_from_elsewhere
from joinedup.careplans.rules import visits as visit_rules
from joinedup.careplans.rules.plans import may_edit_plan
from joinedup.clients.models import Client
from joinedup.core.access import Actor
from joinedup.core.working_time import LONDON


@dataclass(frozen=True)
class RecordCare:
    care_team: list[CareTeamRow]
    plan: CarePlan | None
    version: CarePlanVersion | None
    goals: list[Goal]
    latest_review: Review | None
    frailty: FrailtyRecord | None
    visits: list[Visit]
    combinable: dict[date, list[int]]
    waiting_for_mdt: AgendaRequest | None
    may_edit: bool
    week_start: date
    elsewhere: CareFromElsewhere


def record_care(actor: Actor, client: Client, relationship: str) -> RecordCare:
    plan = CarePlan.objects.filter(client=client, status=PlanStatus.ACTIVE).select_related("coordinator").first()
    version = CarePlanVersion.objects.filter(plan=plan, number=plan.current_version).first() if plan else None
    monday, _ = visit_rules.week_of(timezone.localdate())
    start = datetime.combine(monday, time(0), LONDON)
    visits = list(
        Visit.objects.filter(client=client, starts_at__gte=start, starts_at__lt=start + timedelta(days=7))
        .exclude(status=visit_rules.VisitStatus.CANCELLED)
        .select_related("practitioner", "organisation")
    )
    return RecordCare(
        care_team=care_team(client),
        plan=plan,
        version=version,
        goals=list(Goal.objects.filter(plan=plan, ended_in__isnull=True)) if plan else [],
        latest_review=Review.objects.filter(plan=plan).order_by("-held_on", "-id").first() if plan else None,
        frailty=FrailtyRecord.objects.filter(client=client).order_by("-assessed_on", "-id").first(),
        visits=visits,
        combinable=visit_rules.same_day_groups(
            [
                (timezone.localtime(v.starts_at).date(), v.pk)
                for v in visits
                if v.status == visit_rules.VisitStatus.PLANNED
            ]
        ),
        waiting_for_mdt=AgendaRequest.objects.filter(client=client, discussed_in__isnull=True).first(),
        may_edit=may_edit_plan(actor.roles, relationship),
        week_start=monday,
        elsewhere=care_from_elsewhere(actor, client, relationship),
    )
