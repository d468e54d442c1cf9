"""Reads of care plans: the plan page (current or an earlier version) and the handover's "what matters".

Each read goes through clients.queries.visible_client, which checks the relationship and audits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from joinedup.careplans.models import (
    CarePlan,
    CarePlanVersion,
    FrailtyRecord,
    Goal,
    GoalScore,
    Intervention,
    PlanStatus,
    Review,
)
from joinedup.careplans.queries.elsewhere import CareFromElsewhere, care_from_elsewhere
from joinedup.careplans.rules import gas
from joinedup.careplans.rules.plans import may_edit_plan
from joinedup.clients.models import Client
from joinedup.clients.queries import visible_client
from joinedup.core import audit
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound
from joinedup.handover.models import Referral


@dataclass
class PlanPage:
    client: Client
    relationship: str
    may_edit: bool
    plan: CarePlan | None = None
    version: CarePlanVersion | None = None
    versions: list[CarePlanVersion] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    scores: dict[tuple[int, int], int] = field(default_factory=dict)  # (review id, goal id) -> score
    frailty: FrailtyRecord | None = None
    ended_plans: list[CarePlan] = field(default_factory=list)
    elsewhere: CareFromElsewhere = field(default_factory=CareFromElsewhere)  # plans other systems sent

    @property
    def is_current(self) -> bool:
        return self.plan is not None and self.version is not None and self.version.number == self.plan.current_version

    @property
    def baseline_t_score(self) -> float | None:
        """The T-score at the start: every goal of this version at its baseline."""
        if not self.goals:
            return None
        return gas.t_score([gas.WeightedScore(g.baseline, g.weight) for g in self.goals])

    def score(self, review: Review, goal: Goal) -> int | None:
        return self.scores.get((review.pk, goal.pk))

    @property
    def latest_review(self) -> Review | None:
        return self.reviews[-1] if self.reviews else None


def _latest_frailty(client: Client) -> FrailtyRecord | None:
    return FrailtyRecord.objects.filter(client=client).order_by("-assessed_on", "-id").first()


def plan_page(
    actor: Actor, client_id: int, *, plan_id: int | None = None, version: int | None = None, elsewhere: bool = False
) -> PlanPage:
    """The client's active care plan (or an ended one, or an earlier version of either), audited; with
    `elsewhere`, the care plans other systems sent too."""
    client, reason = visible_client(actor, client_id, what="care plan")
    plans = CarePlan.objects.filter(client=client).select_related("coordinator", "review_task")
    plan = plans.filter(pk=plan_id).first() if plan_id else plans.filter(status=PlanStatus.ACTIVE).first()
    if plan_id and plan is None:
        raise NotFound("care plan")
    page = PlanPage(
        client=client,
        relationship=reason,
        may_edit=may_edit_plan(actor.roles, reason),
        frailty=_latest_frailty(client),
        ended_plans=[p for p in plans.filter(status=PlanStatus.ENDED) if p.pk != getattr(plan, "pk", None)],
    )
    if elsewhere:
        page.elsewhere = care_from_elsewhere(actor, client, reason, team=False)
    if plan is None:
        return page
    number = version or plan.current_version
    versions = list(CarePlanVersion.objects.filter(plan=plan).select_related("created_by", "agreement_recorded_by"))
    shown = next((v for v in versions if v.number == number), None)
    if shown is None:
        raise NotFound("care plan version")
    page.plan, page.version, page.versions = plan, shown, versions
    page.goals = [g for g in Goal.objects.filter(plan=plan) if g.in_version(number)]
    page.interventions = [
        i for i in Intervention.objects.filter(plan=plan).select_related("team", "practitioner") if i.in_version(number)
    ]
    page.reviews = list(Review.objects.filter(plan=plan, version__lte=number).select_related("recorded_by"))
    page.scores = {
        (s.review_id, s.goal_id): s.score for s in GoalScore.objects.filter(review__in=[r.pk for r in page.reviews])
    }
    if number != plan.current_version:
        with transaction.atomic():
            audit.record(
                actor,
                "view",
                object_type="CarePlanVersion",
                object_id=shown.pk,
                client_id=client.pk,
                reason=reason,
                detail={"version": number},
            )
    return page


def what_matters_from_handover(client_id: int) -> tuple[str, str]:
    """ "What matters to me" from the client's latest referral that answered it, and where it came from.

    For a client whose record the caller already reads (the plan form): the referral's handover
    information item `what_matters` (handover.information), quoted as the sender wrote it.
    """
    rows = (
        Referral.objects.filter(client_id=client_id)
        .exclude(state="draft")
        .select_related("sending_team")
        .order_by("-sent_at", "-id")
        .only("id", "information", "sent_at", "sending_team__name")[:20]
    )
    for referral in rows:
        answer = (referral.information or {}).get("what_matters") or {}
        words = answer.get("text", "") if isinstance(answer, dict) else str(answer)
        if words.strip() and referral.sent_at is not None:
            source = f"Handover: referral #{referral.pk} from {referral.sending_team.name}, {referral.sent_at:%d %B %Y}"
            return words.strip(), source
    return "", ""
