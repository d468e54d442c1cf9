"""Every write of a crisis after it is raised: acknowledge, arrive, the "before admitting" checklist,
the outcome with its follow-up tasks, and cancelling. One transaction each, with its history line,
timeline line, audit event and notifications. Raising is in crisis.raising, actions in crisis.actions.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.clients.services import add_timeline_event
from joinedup.core import audit
from joinedup.core.access import SYSTEM, Actor
from joinedup.core.errors import NotFound, Refused
from joinedup.crisis import responders
from joinedup.crisis.models import (
    OPEN_STATES,
    AdmissionCheck,
    BridgingPackage,
    Crisis,
    CrisisAction,
    CrisisEvent,
    CrisisRegistration,
    CrisisState,
)
from joinedup.crisis.outcomes import ActionStatus, FollowUpOwner, Outcome, check_admission_checklist, follow_ups
from joinedup.directory.models import Team, TeamKind
from joinedup.handover.models import Dispute, DisputeState
from joinedup.tasks.services import create_task, notify

SOURCE = "crisis"
NOTE_LIMIT = 2000


def who(actor: Actor) -> str:
    return actor.name or actor.username


def event(crisis: Crisis, kind: str, summary: str, actor: Actor, at: datetime | None = None) -> CrisisEvent:
    return CrisisEvent.objects.create(
        crisis=crisis, kind=kind, at=at or timezone.now(), actor_id=actor.user_id, summary=summary[:500]
    )


def is_responder(actor: Actor, crisis: Crisis) -> bool:
    """Whether the actor responds to this crisis: by team, by name, escalated to, or owning one of its actions."""
    return responders.responds(actor, crisis)


def locked(actor: Actor, crisis_id: int, *, raiser_may: bool = False) -> Crisis:
    """The crisis, locked, if the actor responds to it (or raised it, when `raiser_may`); else not found."""
    crisis = (
        Crisis.objects.select_for_update(of=("self",))
        .select_related("client", "locality", "owner_team", "owner", "raised_by")
        .filter(pk=crisis_id)
        .first()
    )
    if crisis is None or actor.user_id is None:
        raise NotFound("crisis")
    if is_responder(actor, crisis) or (raiser_may and crisis.raised_by_id == actor.user_id):
        return crisis
    raise NotFound("crisis")


def _require_open(crisis: Crisis) -> None:
    if crisis.state not in OPEN_STATES:
        raise Refused(f"Crisis #{crisis.pk} is closed ({crisis.get_state_display().lower()})")


def record_change(
    actor: Actor, crisis: Crisis, action: str, summary: str, detail: dict[str, Any] | None = None
) -> None:
    """The crisis's history line, the client's timeline line and the audit event, in the caller's transaction."""
    event(crisis, action, summary, actor)
    add_timeline_event(crisis.client, f"crisis_{action}", summary, source=SOURCE, actor=actor, obj=crisis)
    audit.record(
        actor,
        action,
        object_type="Crisis",
        object_id=crisis.pk,
        client_id=crisis.client_id,
        reason=f"responder to crisis #{crisis.pk}" if crisis.raised_by_id != actor.user_id else "raised the crisis",
        detail=detail,
    )


def _take(actor: Actor, crisis: Crisis) -> None:
    """The acknowledging practitioner owns the crisis from now; their team too, if it responds to it."""
    crisis.owner_id = actor.user_id
    responders.add(crisis, "acknowledged", people=[actor.user_id])
    for team_id in (crisis.owner_team_id, crisis.on_call_team_id, crisis.in_hours_team_id):
        if team_id in actor.team_ids:
            crisis.owner_team_id = team_id
            break


def acknowledge(actor: Actor, crisis_id: int) -> Crisis:
    """A responder takes the crisis: its escalation stops, and the raiser is told who has it."""
    with transaction.atomic():
        crisis = locked(actor, crisis_id)
        _require_open(crisis)
        if crisis.acknowledged_at is not None:
            name = crisis.acknowledged_by.display_name if crisis.acknowledged_by else "someone"
            raise Refused(f"Crisis #{crisis.pk} was already acknowledged by {name}")
        now = timezone.now()
        crisis.acknowledged_at, crisis.acknowledged_by_id = now, actor.person_id
        crisis.state = CrisisState.ACKNOWLEDGED
        crisis.next_escalation_at = None
        _take(actor, crisis)
        crisis.save()
        late = " (after the 15 minutes)" if now > crisis.acknowledge_due_at else ""
        record_change(actor, crisis, "acknowledged", f"Crisis #{crisis.pk} acknowledged by {who(actor)}{late}")
        notify(
            [crisis.raised_by_id] if crisis.raised_by_id != actor.user_id else [],
            f"{who(actor)} has the crisis you raised (#{crisis.pk}) and will respond",
            link=f"/crisis/{crisis.pk}/",
        )
    return crisis


def record_arrival(actor: Actor, crisis_id: int, arrived_at: datetime | None = None) -> Crisis:
    """Someone is with the client: the 2-hour clock stops (acknowledging too, if nobody had)."""
    now = timezone.now()
    arrived = arrived_at or now
    if arrived.tzinfo is None:
        raise ValidationError({"arrived_at": "The time of arrival needs a time zone"})
    if arrived > now + timedelta(minutes=1):
        raise ValidationError({"arrived_at": "The time of arrival cannot be in the future"})
    with transaction.atomic():
        crisis = locked(actor, crisis_id)
        _require_open(crisis)
        if crisis.arrived_at is not None:
            raise Refused(f"Arrival at crisis #{crisis.pk} is already recorded")
        if arrived < crisis.raised_at:
            raise ValidationError({"arrived_at": "The time of arrival cannot be before the crisis was raised"})
        if crisis.acknowledged_at is None:
            crisis.acknowledged_at, crisis.acknowledged_by_id = arrived, actor.person_id
            _take(actor, crisis)
        crisis.arrived_at, crisis.arrived_by_id = arrived, actor.person_id
        crisis.state = CrisisState.ARRIVED
        crisis.next_escalation_at = None
        crisis.save()
        target = "within" if crisis.within_target else "after"
        record_change(
            actor,
            crisis,
            "arrived",
            f"{who(actor)} is with the client ({target} the 2-hour target), crisis #{crisis.pk}",
        )
    return crisis


def record_admission_check(actor: Actor, crisis_id: int, answers: dict[str, Any], reason: str) -> AdmissionCheck:
    """The "before admitting" checklist: every alternative answered, with why none would do."""
    reason = (reason or "").strip()
    problems = check_admission_checklist(answers, reason)
    if len(reason) > NOTE_LIMIT:
        problems["reason"] = "Keep the reason to 2,000 characters"
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        crisis = locked(actor, crisis_id)
        _require_open(crisis)
        check, _ = AdmissionCheck.objects.update_or_create(
            crisis=crisis,
            defaults={
                "answers": dict(answers),
                "reason": reason,
                "recorded_by_id": actor.person_id,
                "recorded_at": timezone.now(),
            },
        )
        record_change(
            actor,
            crisis,
            "admission_check",
            f"Before admitting: every alternative considered ({reason[:200]})",
            detail={"answers": dict(answers)},
        )
    return check


def _follow_up_team(owner: FollowUpOwner, crisis: Crisis) -> Team:
    if owner is FollowUpOwner.LOCALITY_MDT:
        found = Team.objects.filter(kind=TeamKind.MDT, locality_id=crisis.client.locality_id).first()
        if found is not None:
            return found
    if owner is FollowUpOwner.BROKERAGE:
        action = crisis.actions.filter(kind="bridging_package", owner_team__isnull=False).first()
        if action is not None and action.owner_team is not None:
            return action.owner_team
    return crisis.client.accountable_team


def _create_follow_ups(crisis: Crisis, outcome: Outcome, now: datetime) -> int:
    """The outcome's tasks, opened by the system: whoever recorded the outcome may not see the
    client's record (a consent refusal), and the tasks must exist all the same."""
    ends = list(
        BridgingPackage.objects.filter(action__crisis=crisis)
        .exclude(action__status=ActionStatus.CANCELLED)
        .values_list("ends_at", flat=True)
    )
    registration = CrisisRegistration.objects.filter(client_id=crisis.client_id, completed_at__isnull=True).exists()
    dispute = Dispute.objects.filter(client_id=crisis.client_id, state=DisputeState.OPEN).exists()
    found = follow_ups(outcome, now, open_dispute=dispute, details_to_complete=registration, bridging_ends_at=ends)
    for follow_up in found:
        create_task(
            SYSTEM,
            title=f"{follow_up.title} (crisis #{crisis.pk})"[:200],
            due_at=follow_up.due_at,
            owner_team_id=_follow_up_team(follow_up.owner, crisis).pk,
            client=crisis.client,
            source=SOURCE,
            source_ref=f"crisis:{crisis.pk}:{follow_up.key}",
        )
    return len(found)


def record_outcome(actor: Actor, crisis_id: int, outcome: str, note: str = "") -> Crisis:
    """How the crisis ended; an admission only after the checklist. Follow-ups become tasks."""
    try:
        chosen = Outcome(outcome)
    except ValueError as error:
        raise ValidationError({"outcome": "Choose stayed at home, admitted or other"}) from error
    note = (note or "").strip()
    if chosen is Outcome.OTHER and len(note) < 3:
        raise ValidationError({"note": "Say what happened"})
    if len(note) > NOTE_LIMIT:
        raise ValidationError({"note": "Keep the note to 2,000 characters"})
    with transaction.atomic():
        crisis = locked(actor, crisis_id)
        _require_open(crisis)
        if chosen is Outcome.ADMITTED and not AdmissionCheck.objects.filter(crisis=crisis).exists():
            raise ValidationError(
                {"outcome": "Answer the 'before admitting' checklist first: which alternatives were tried, and why"}
            )
        now = timezone.now()
        crisis.state, crisis.outcome, crisis.outcome_note = CrisisState.RESOLVED, chosen.value, note
        crisis.resolved_at, crisis.resolved_by_id = now, actor.person_id
        crisis.next_escalation_at = None
        crisis.save()
        responders.close(crisis, now)
        CrisisAction.objects.filter(crisis=crisis, status=ActionStatus.REQUESTED, kind="rapid_response_visit").update(
            status=ActionStatus.DONE, completed_at=now, updated_at=now
        )
        record_change(actor, crisis, "resolved", f"Crisis #{crisis.pk} resolved: {chosen.label.lower()}")
        count = _create_follow_ups(crisis, chosen, now)
        event(crisis, "follow_ups", f"{count} follow-up task(s) created", actor)
        notify(
            [crisis.raised_by_id] if crisis.raised_by_id != actor.user_id else [],
            f"The crisis you raised (#{crisis.pk}) is resolved: {chosen.label.lower()}",
            link=f"/crisis/{crisis.pk}/",
        )
    return crisis


def cancel(actor: Actor, crisis_id: int, reason: str) -> Crisis:
    """Raised in error or a duplicate: the raiser or a responder closes it, with the reason."""
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise ValidationError({"reason": "Say why the crisis is cancelled"})
    if len(reason) > NOTE_LIMIT:
        raise ValidationError({"reason": "Keep the reason to 2,000 characters"})
    with transaction.atomic():
        crisis = locked(actor, crisis_id, raiser_may=True)
        _require_open(crisis)
        crisis.state, crisis.cancel_reason = CrisisState.CANCELLED, reason
        crisis.resolved_at, crisis.resolved_by_id = timezone.now(), actor.person_id
        crisis.next_escalation_at = None
        crisis.save()
        responders.close(crisis, crisis.resolved_at)
        record_change(actor, crisis, "cancelled", f"Crisis #{crisis.pk} cancelled by {who(actor)}: {reason[:200]}")
        notify(
            [p for p in (crisis.owner_id, crisis.raised_by_id) if p != actor.user_id],
            f"Crisis #{crisis.pk} was cancelled: {reason}"[:400],
            link=f"/crisis/{crisis.pk}/",
        )
    return crisis
