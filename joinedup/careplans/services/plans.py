"""Care plans: writing one with the client, changing it (a new version), agreement, reviews, frailty.

Each change makes a new version: goals and interventions are added or ended in it, and
the earlier versions stay as they were. A goal's words and scale are never edited: they
were agreed with the client, and reviews are scored against them (ADR 0035).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.careplans.models import (
    CarePlan,
    CarePlanVersion,
    Goal,
    GoalScore,
    Intervention,
    PlanStatus,
    Review,
)
from joinedup.careplans.rules import gas
from joinedup.careplans.rules.plans import Agreement, AgreementError, check_agreement
from joinedup.careplans.services.common import SOURCE, close_task, due_at, editable_client, locked_client, text
from joinedup.clients.models import Client
from joinedup.clients.services import add_timeline_event
from joinedup.core import audit
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound, Refused
from joinedup.directory.models import Practitioner, Team
from joinedup.tasks.models import TaskStatus
from joinedup.tasks.services import create_task

MAX_GOALS = 12
REVIEW_WITHIN_DAYS = 366


@dataclass(frozen=True)
class GoalIn:
    client_words: str
    levels: dict[int, str]
    baseline: int = -1
    weight: int = 1


@dataclass(frozen=True)
class InterventionIn:
    team_id: int | None
    description: str
    practitioner_id: int | None = None
    frequency: str = ""


@dataclass(frozen=True)
class PlanChanges:
    """A new version: what it adds and ends, and what it says now. Creating a plan is the first change."""

    change_note: str = ""
    add_goals: Sequence[GoalIn] = ()
    end_goals: dict[int, str] = field(default_factory=dict)  # goal number -> why it ends
    add_interventions: Sequence[InterventionIn] = ()
    end_interventions: Sequence[int] = ()  # intervention ids
    what_matters: str | None = None
    what_matters_source: str = ""
    review_due: date | None = None


def _checked_goal(number: int, goal: GoalIn) -> GoalIn:
    prefix = f"goal_{number}_"
    words = text(goal.client_words, prefix + "client_words", 500, required="Write the goal in the client's own words")
    levels = {
        level: text(goal.levels.get(level, ""), f"{prefix}level_{gas.level_key(level)}", 500) for level in gas.LEVELS
    }
    try:
        gas.check_scale(levels, goal.baseline, goal.weight)
    except gas.ScaleError as error:
        raise ValidationError({prefix + error.field: str(error)}) from error
    return GoalIn(words, levels, goal.baseline, goal.weight)


def _checked_intervention(number: int, item: InterventionIn) -> tuple[InterventionIn, Team, Practitioner | None]:
    prefix = f"intervention_{number}_"
    team = Team.objects.filter(pk=item.team_id).first() if item.team_id else None
    if team is None:
        raise ValidationError({prefix + "team": "Choose the team that delivers this"})
    person = None
    if item.practitioner_id is not None:
        person = Practitioner.objects.filter(pk=item.practitioner_id, is_active=True, memberships__team=team).first()
        if person is None:
            raise ValidationError({prefix + "practitioner": f"Choose a member of {team.name}, or nobody yet"})
    description = text(item.description, prefix + "description", 1000, required="Say what the team will do")
    frequency = text(item.frequency, prefix + "frequency", 120)
    return InterventionIn(team.pk, description, item.practitioner_id, frequency), team, person


def _check_review_due(day: date | None, *, required: bool) -> None:
    if day is None:
        if required:
            raise ValidationError({"review_due": "Give the date of the first review"})
        return
    today = timezone.localdate()
    if day <= today:
        raise ValidationError({"review_due": "The review date must be in the future"})
    if (day - today).days > REVIEW_WITHIN_DAYS:
        raise ValidationError({"review_due": "Review the plan within a year"})


def _check_changes(changes: PlanChanges, *, creating: bool) -> list[GoalIn]:
    goals = [_checked_goal(n, goal) for n, goal in enumerate(changes.add_goals, start=1)]
    if creating and not goals:
        raise ValidationError({"goal_1_client_words": "Write at least one goal in the client's own words"})
    _check_review_due(changes.review_due, required=creating)
    text(changes.change_note, "change_note", 500, required=None if creating else "Say what changed and why")
    if changes.what_matters is not None:
        text(changes.what_matters, "what_matters", 4000)
    for number, reason in changes.end_goals.items():
        text(reason, f"end_goal_{number}", 300, required="Say why the goal ends (achieved, no longer wanted...)")
    return goals


def _schedule_review(actor: Actor, plan: CarePlan, client: Client, *, done: bool) -> None:
    """The review date becomes a task of the plan's coordinator; the previous one closes."""
    status = TaskStatus.DONE if done else TaskStatus.CANCELLED
    close_task(actor, plan.review_task, status, "care plan reviewed" if done else "care plan review date changed")
    plan.review_task = create_task(
        actor,
        title=f"Review the care plan of {client.full_name}",
        due_at=due_at(plan.review_due),
        owner_practitioner_id=plan.coordinator_id,
        client=client,
        details="Score each goal with the client on its scale, and agree the next review date.",
        source=SOURCE,
        source_ref=f"care-plan:{plan.pk}",
    )
    plan.save(update_fields=["review_task"])


def _apply(actor: Actor, plan: CarePlan, number: int, changes: PlanChanges, goals: list[GoalIn]) -> None:
    current = set(Goal.objects.filter(plan=plan, ended_in__isnull=True).values_list("number", flat=True))
    unknown = sorted(set(changes.end_goals) - current)
    if unknown:
        raise ValidationError({f"end_goal_{unknown[0]}": "This goal is not in the plan now"})
    if len(current) - len(changes.end_goals) + len(goals) > MAX_GOALS:
        raise ValidationError({"goal_1_client_words": f"A plan holds at most {MAX_GOALS} goals: end one first"})
    for goal_number, reason in changes.end_goals.items():
        Goal.objects.filter(plan=plan, number=goal_number).update(ended_in=number, ended_reason=reason.strip())
    next_number = (Goal.objects.filter(plan=plan).order_by("-number").values_list("number", flat=True).first() or 0) + 1
    Goal.objects.bulk_create(
        Goal(
            plan=plan,
            number=next_number + offset,
            client_words=goal.client_words,
            weight=goal.weight,
            baseline=goal.baseline,
            level_minus_2=goal.levels[-2],
            level_minus_1=goal.levels[-1],
            level_0=goal.levels[0],
            level_plus_1=goal.levels[1],
            level_plus_2=goal.levels[2],
            added_in=number,
        )
        for offset, goal in enumerate(goals)
    )
    ending = Intervention.objects.filter(plan=plan, pk__in=list(changes.end_interventions), ended_in__isnull=True)
    if ending.count() != len(set(changes.end_interventions)):
        raise ValidationError({"end_interventions": "Choose interventions of the plan as it is now"})
    ending.update(ended_in=number)
    for n, item in enumerate(changes.add_interventions, start=1):
        checked, team, person = _checked_intervention(n, item)
        Intervention.objects.create(
            plan=plan,
            team=team,
            practitioner=person,
            description=checked.description,
            frequency=checked.frequency,
            added_in=number,
        )
    if not Goal.objects.filter(plan=plan, ended_in__isnull=True).exists():
        raise ValidationError({"goal_1_client_words": "A plan needs at least one goal: add one, or end the plan"})


def _version(actor: Actor, plan: CarePlan, number: int, changes: PlanChanges, before: CarePlanVersion | None) -> None:
    what_matters = changes.what_matters if changes.what_matters is not None else (before.what_matters if before else "")
    source = (
        changes.what_matters_source
        if changes.what_matters is not None
        else (before.what_matters_source if before else "")
    )
    CarePlanVersion.objects.create(
        plan=plan,
        number=number,
        created_at=timezone.now(),
        created_by_id=actor.person_id,
        change_note=changes.change_note.strip() or "First version",
        what_matters=what_matters.strip(),
        what_matters_source=source[:200],
        review_due=plan.review_due,
        agreement=Agreement.PENDING,
    )


def create_plan(actor: Actor, client_id: int, changes: PlanChanges) -> CarePlan:
    """Write the client's plan with them: version 1, with goals, interventions and the first review date."""
    goals = _check_changes(changes, creating=True)
    with transaction.atomic():
        client, reason = editable_client(actor, client_id)
        if CarePlan.objects.filter(client=client, status=PlanStatus.ACTIVE).exists():
            raise Refused(f"{client.full_name} already has a care plan: change that one")
        assert changes.review_due is not None
        plan = CarePlan.objects.create(
            client=client, coordinator_id=actor.person_id, review_due=changes.review_due, created_at=timezone.now()
        )
        _apply(actor, plan, 1, changes, goals)
        _version(actor, plan, 1, changes, None)
        _schedule_review(actor, plan, client, done=False)
        add_timeline_event(
            client, "care_plan_written", "Care plan written (version 1)", source=SOURCE, actor=actor, obj=plan
        )
        audit.record(
            actor,
            "create",
            object_type="CarePlan",
            object_id=plan.pk,
            client_id=client.pk,
            reason=reason,
            detail={"goals": len(goals), "interventions": len(changes.add_interventions)},
        )
    return plan


def _locked_plan(actor: Actor, plan_id: int, *, edit: bool = True) -> tuple[CarePlan, Client, str]:
    plan = CarePlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("care plan")
    client, reason = (editable_client if edit else locked_client)(actor, plan.client_id)
    plan = CarePlan.objects.select_for_update().get(pk=plan_id)  # review_task loads when needed
    if plan.status != PlanStatus.ACTIVE:
        raise Refused("This care plan has ended: write a new one")
    return plan, client, reason


def change_plan(actor: Actor, plan_id: int, changes: PlanChanges) -> CarePlan:
    """A new version with the changes; the client's agreement is asked again for it."""
    goals = _check_changes(changes, creating=False)
    with transaction.atomic():
        plan, client, reason = _locked_plan(actor, plan_id)
        before = CarePlanVersion.objects.get(plan=plan, number=plan.current_version)
        number = plan.current_version + 1
        plan.current_version = number
        moved = changes.review_due is not None and changes.review_due != plan.review_due
        if changes.review_due is not None:
            plan.review_due = changes.review_due
        plan.save(update_fields=["current_version", "review_due"])
        _apply(actor, plan, number, changes, goals)
        _version(actor, plan, number, changes, before)
        if moved:
            _schedule_review(actor, plan, client, done=False)
        add_timeline_event(
            client,
            "care_plan_changed",
            f"Care plan version {number}: {changes.change_note.strip()}",
            source=SOURCE,
            actor=actor,
            obj=plan,
        )
        audit.record(
            actor,
            "update",
            object_type="CarePlan",
            object_id=plan.pk,
            client_id=client.pk,
            reason=reason,
            detail={"version": number, "added_goals": len(goals), "ended_goals": sorted(changes.end_goals)},
        )
    return plan


def record_agreement(
    actor: Actor, plan_id: int, agreement: str, who: str, when: datetime, note: str = ""
) -> CarePlanVersion:
    """The client's agreement to the plan as it is now: agreed, not agreed or unable, who and when."""
    try:
        decided = check_agreement(agreement, text(who, "who", 200), when, timezone.now(), text(note, "note", 2000))
    except AgreementError as error:
        raise ValidationError({error.field: str(error)}) from error
    with transaction.atomic():
        plan, client, reason = _locked_plan(actor, plan_id)
        version = CarePlanVersion.objects.select_for_update().get(plan=plan, number=plan.current_version)
        previous = version.agreement
        version.agreement, version.agreement_by, version.agreement_at = decided.value, who.strip(), when
        version.agreement_note, version.agreement_recorded_by_id = note.strip(), actor.person_id
        version.save()
        add_timeline_event(
            client,
            "care_plan_agreement",
            f"Care plan version {version.number}: {decided.label.lower()} ({who.strip()})",
            source=SOURCE,
            actor=actor,
            obj=plan,
        )
        audit.record(
            actor,
            "update",
            object_type="CarePlanVersion",
            object_id=version.pk,
            client_id=client.pk,
            reason=reason,
            detail={"agreement": [previous, decided.value]},
        )
    return version


def _rounded(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def record_review(
    actor: Actor, plan_id: int, held_on: date, scores: dict[int, int], next_review_due: date, note: str = ""
) -> Review:
    """Each goal of the plan as it is now scored on its scale; the T-score; the next review becomes a task."""
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "The review date cannot be in the future"})
    _check_review_due(next_review_due, required=True)
    note = text(note, "note", 4000)
    with transaction.atomic():
        plan, client, reason = _locked_plan(actor, plan_id)
        goals = list(Goal.objects.filter(plan=plan, ended_in__isnull=True).order_by("number"))
        for goal in goals:
            try:
                gas.check_score(scores.get(goal.number))
            except gas.ScaleError as error:
                raise ValidationError({f"score_{goal.number}": f"Goal {goal.number}: {error}"}) from error
        extra = sorted(set(scores) - {g.number for g in goals})
        if extra:
            raise ValidationError({f"score_{extra[0]}": f"Goal {extra[0]} is not in the plan now"})
        t = gas.t_score([gas.WeightedScore(scores[g.number], g.weight) for g in goals])
        review = Review.objects.create(
            plan=plan,
            version=plan.current_version,
            held_on=held_on,
            note=note,
            t_score=_rounded(t),
            recorded_by_id=actor.person_id,
            recorded_at=timezone.now(),
        )
        GoalScore.objects.bulk_create(GoalScore(review=review, goal=g, score=scores[g.number]) for g in goals)
        plan.review_due = next_review_due
        plan.save(update_fields=["review_due"])
        _schedule_review(actor, plan, client, done=True)
        add_timeline_event(
            client,
            "care_plan_reviewed",
            f"Care plan reviewed: GAS T-score {review.t_score}",
            source=SOURCE,
            actor=actor,
            obj=plan,
        )
        audit.record(
            actor,
            "create",
            object_type="Review",
            object_id=review.pk,
            client_id=client.pk,
            reason=reason,
            detail={"t_score": str(review.t_score), "scores": {str(k): v for k, v in scores.items()}},
        )
    return review


def end_plan(actor: Actor, plan_id: int, why: str) -> CarePlan:
    why = text(why, "reason", 300, required="Say why the plan ends")
    with transaction.atomic():
        plan, client, reason = _locked_plan(actor, plan_id)
        plan.status, plan.ended_at, plan.ended_reason = PlanStatus.ENDED, timezone.now(), why
        plan.save(update_fields=["status", "ended_at", "ended_reason"])
        close_task(actor, plan.review_task, TaskStatus.CANCELLED, "care plan ended")
        add_timeline_event(client, "care_plan_ended", f"Care plan ended: {why}", source=SOURCE, actor=actor, obj=plan)
        audit.record(
            actor,
            "update",
            object_type="CarePlan",
            object_id=plan.pk,
            client_id=client.pk,
            reason=reason,
            detail={"status": "ended", "why": why},
        )
    return plan
