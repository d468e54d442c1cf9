"""What is done in a crisis: a rapid response visit, a bridging package of care from brokerage,
emergency medication (through the GP or an out-of-hours pharmacy), equipment, carer relief.

Each is a CrisisAction with an owner (a practitioner or a team) and a status; an action owned
by someone else is also a task for them. Writes only; one transaction each, audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from joinedup.core.access import SYSTEM, Actor
from joinedup.core.errors import NotFound, Refused
from joinedup.crisis import responders
from joinedup.crisis.models import BridgingPackage, CrisisAction
from joinedup.crisis.outcomes import (
    BRIDGING_DEFAULT_HOURS,
    ActionKind,
    ActionStatus,
    MedicationRoute,
    bridging_ends,
    funding_source,
    may_move,
    parse_cost,
)
from joinedup.crisis.services import NOTE_LIMIT, SOURCE, _require_open, is_responder, locked, record_change, who
from joinedup.directory.models import Practitioner, Service, Team, TeamKind
from joinedup.handover.config import governance_model
from joinedup.tasks.models import OPEN_TASK_STATUSES, Task, TaskStatus
from joinedup.tasks.services import create_task

DIRECT_KINDS = frozenset(ActionKind) - {ActionKind.BRIDGING_PACKAGE}


@dataclass(frozen=True)
class NewAction:
    kind: str
    details: str
    owner_id: int | None = None  # default: the practitioner adding it
    owner_team_id: int | None = None
    medication_route: str = ""


def _check_action(new: NewAction) -> None:
    problems = {}
    if new.kind not in DIRECT_KINDS:
        problems["kind"] = "Choose a visit, emergency medication, equipment or carer relief"
    if not new.details.strip() or len(new.details) > NOTE_LIMIT:
        problems["details"] = "Say what is to be done (2,000 characters or fewer)"
    if new.kind == ActionKind.EMERGENCY_MEDICATION and new.medication_route not in set(MedicationRoute):
        problems["medication_route"] = "Choose the GP or an out-of-hours pharmacy"
    if new.owner_id is not None and new.owner_team_id is not None:
        problems["owner"] = "Give the action one owner: a practitioner or a team"
    elif new.owner_id is not None and not Practitioner.objects.filter(pk=new.owner_id, is_active=True).exists():
        problems["owner"] = "Choose an active practitioner"
    elif new.owner_team_id is not None and not Team.objects.filter(pk=new.owner_team_id).exists():
        problems["owner"] = "Choose a team known to JoinedUp"
    if problems:
        raise ValidationError(problems)


def _task_for(action: CrisisAction, actor: Actor, title: str, due_at: datetime) -> Task | None:
    """A task for the action's owner, unless the owner is the one adding it."""
    if action.owner_id is not None and action.owner_id == actor.user_id:
        return None
    return create_task(
        SYSTEM, title=title[:200], due_at=due_at, owner_practitioner_id=action.owner_id,
        owner_team_id=action.owner_team_id, client=action.crisis.client, source=SOURCE,
        source_ref=f"crisis:{action.crisis_id}:action:{action.pk}",
    )  # fmt: skip


def add_action(actor: Actor, crisis_id: int, new: NewAction) -> CrisisAction:
    _check_action(new)
    owner_id = new.owner_id if new.owner_id is not None or new.owner_team_id is not None else actor.person_id
    with transaction.atomic():
        crisis = locked(actor, crisis_id)
        _require_open(crisis)
        now = timezone.now()
        action = CrisisAction.objects.create(
            crisis=crisis, kind=new.kind, details=new.details.strip(), medication_route=new.medication_route,
            owner_id=owner_id, owner_team_id=new.owner_team_id, created_by_id=actor.person_id,
            created_at=now, updated_at=now,
        )  # fmt: skip
        responders.add(crisis, "action", teams=[action.owner_team_id], people=[action.owner_id])
        title = f"Crisis #{crisis.pk}: {action.kind_label.lower()}: {action.details}"
        action.task = _task_for(action, actor, title, max(crisis.response_due_at, now + timedelta(hours=1)))
        action.save(update_fields=["task"])
        record_change(
            actor, crisis, "action_added", f"{action.kind_label} for {action.owner_name}, added by {who(actor)}",
            detail={"action": action.pk, "kind": action.kind},
        )  # fmt: skip
    return action


def _locked_action(actor: Actor, action_id: int) -> CrisisAction:
    action = CrisisAction.objects.select_for_update(of=("self",)).filter(pk=action_id).first()
    if action is None:
        raise NotFound("action")
    owns = action.owner_id == actor.user_id or action.owner_team_id in actor.team_ids
    crisis = locked(actor, action.crisis_id) if not owns else action.crisis
    if not owns and not is_responder(actor, crisis):
        raise NotFound("action")
    return action


def _close_task(actor: Actor, action: CrisisAction, status: str) -> None:
    task = action.task
    if task is None or task.status not in OPEN_TASK_STATUSES:
        return
    if task.owner_practitioner_id == actor.user_id or task.owner_team_id in actor.team_ids:
        task.status = TaskStatus.DONE if status == ActionStatus.DONE else TaskStatus.CANCELLED
        task.completed_at, task.completed_by_id = timezone.now(), actor.user_id
        task.save(update_fields=["status", "completed_at", "completed_by"])


def update_action(actor: Actor, action_id: int, status: str, note: str = "") -> CrisisAction:
    """Move an action on (requested -> arranged -> done, or cancelled), never back."""
    if status not in set(ActionStatus):
        raise ValidationError({"status": "Choose arranged, done or cancelled"})
    if len(note) > NOTE_LIMIT:
        raise ValidationError({"note": "Keep the note to 2,000 characters"})
    with transaction.atomic():
        action = _locked_action(actor, action_id)
        if not may_move(action.status, status):
            raise ValidationError(
                {"status": f"This action is {action.get_status_display().lower()}: it cannot be {status}"}
            )
        if action.kind == ActionKind.BRIDGING_PACKAGE and status == ActionStatus.ARRANGED:
            raise ValidationError({"status": "A bridging package is arranged with its provider and cost"})
        now = timezone.now()
        action.status, action.updated_at = status, now
        action.note = note.strip() or action.note
        if status in (ActionStatus.DONE, ActionStatus.CANCELLED):
            action.completed_at = now
            _close_task(actor, action, status)
        action.save()
        label = ActionStatus(status).value.replace("_", " ")
        record_change(
            actor, action.crisis, "action_updated", f"{action.kind_label}: {label} ({who(actor)})",
            detail={"action": action.pk, "status": status},
        )  # fmt: skip
    return action


# --- bridging packages of care ------------------------------------------------------------


def brokerage_team(locality_id: int) -> Team | None:
    teams = Team.objects.filter(kind=TeamKind.SERVICE, service=Service.BROKERAGE)
    return teams.filter(locality_id=locality_id).first() or teams.filter(locality__isnull=True).order_by("name").first()


@dataclass(frozen=True)
class NewBridging:
    care_tasks: str
    hours_of_care: Any  # hours a day
    starts_at: datetime | None = None  # default: now
    duration_hours: int = BRIDGING_DEFAULT_HOURS


def _hours_of_care(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise ValidationError({"hours_of_care": "Enter the hours of care a day, like 4 or 2.5"}) from error
    if not hours.is_finite() or not Decimal("0.5") <= hours <= Decimal("24") or hours != hours.quantize(Decimal("0.1")):
        raise ValidationError({"hours_of_care": "Enter between 0.5 and 24 hours of care a day"})
    return hours


def _check_bridging(new: NewBridging) -> tuple[Decimal, datetime, datetime]:
    if not new.care_tasks.strip() or len(new.care_tasks) > NOTE_LIMIT:
        raise ValidationError({"care_tasks": "Say what the carers are to do (2,000 characters or fewer)"})
    hours = _hours_of_care(new.hours_of_care)
    starts = new.starts_at or timezone.now()
    if starts.tzinfo is None:
        raise ValidationError({"starts_at": "The start needs a time zone"})
    if starts < timezone.now() - timedelta(hours=1):
        raise ValidationError({"starts_at": "A bridging package cannot start in the past"})
    try:
        ends = bridging_ends(starts, new.duration_hours)
    except (ValueError, TypeError) as error:
        raise ValidationError({"duration_hours": str(error)}) from error
    return hours, starts, ends


def request_bridging(actor: Actor, crisis_id: int, new: NewBridging) -> CrisisAction:
    """Ask brokerage for an emergency package of care (72 hours unless said otherwise), funded as the
    governance model says; brokerage gets a task to arrange it."""
    hours, starts, ends = _check_bridging(new)
    with transaction.atomic():
        crisis = locked(actor, crisis_id)
        _require_open(crisis)
        brokerage = brokerage_team(crisis.locality_id)
        if brokerage is None:
            raise Refused("No brokerage team is set up to arrange bridging packages")
        now = timezone.now()
        action = CrisisAction.objects.create(
            crisis=crisis, kind=ActionKind.BRIDGING_PACKAGE, owner_team=brokerage, created_by_id=actor.person_id,
            details=new.care_tasks.strip(), created_at=now, updated_at=now,
        )  # fmt: skip
        responders.add(crisis, "action", teams=[brokerage.pk])
        model = governance_model()
        source = funding_source(model, crisis.client.date_of_birth, timezone.localdate())
        BridgingPackage.objects.create(
            action=action, care_tasks=new.care_tasks.strip(), hours_of_care=hours, starts_at=starts,
            duration_hours=new.duration_hours, ends_at=ends, funding_source=source.value, governance_model=model.value,
        )  # fmt: skip
        title = (
            f"Arrange a bridging package for crisis #{crisis.pk}: {hours} hours a day for {new.duration_hours} hours"
        )
        action.task = _task_for(action, actor, title, max(now + timedelta(hours=2), crisis.response_due_at))
        action.save(update_fields=["task"])
        record_change(
            actor, crisis, "bridging_requested",
            f"Bridging package requested from {brokerage.name}: {hours} hours a day for {new.duration_hours} hours",
            detail={"action": action.pk, "funding": source.value},
        )  # fmt: skip
    return action


def arrange_bridging(
    actor: Actor, action_id: int, provider: str, cost: Any, starts_at: datetime | None = None
) -> CrisisAction:
    """Brokerage records the provider and the cost: the package is arranged."""
    problems = {}
    if not provider.strip() or len(provider) > 200:
        problems["provider"] = "Enter the care provider (200 characters or fewer)"
    try:
        amount = parse_cost(cost)
    except ValueError as error:
        problems["cost"] = str(error)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        action = (
            CrisisAction.objects.select_for_update(of=("self",))
            .filter(Q(owner_team_id__in=actor.team_ids), pk=action_id, kind=ActionKind.BRIDGING_PACKAGE)
            .first()
        )
        if action is None:
            raise NotFound("bridging package")
        if action.status != ActionStatus.REQUESTED:
            raise Refused("This bridging package is no longer waiting to be arranged")
        package = action.bridging
        if starts_at is not None:
            package.starts_at = starts_at
            package.ends_at = bridging_ends(starts_at, package.duration_hours)
        now = timezone.now()
        package.provider, package.cost = provider.strip(), amount
        package.arranged_by_id, package.arranged_at = actor.person_id, now
        package.save()
        action.status, action.updated_at = ActionStatus.ARRANGED, now
        action.save(update_fields=["status", "updated_at"])
        record_change(
            actor, action.crisis, "bridging_arranged",
            f"Bridging package arranged with {package.provider} (£{amount:,.2f}) by {who(actor)}",
            detail={"action": action.pk, "cost": str(amount)},
        )  # fmt: skip
    return action
