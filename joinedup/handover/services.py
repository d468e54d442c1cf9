"""Every write of a referral: one transaction, its transition row, audit event and timeline line,
and closed-loop notifications to both teams.

The state machine itself is handover.rules.transition: this module loads, checks
who is acting for which side, applies the outcome, and stores it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.clients.models import Client
from joinedup.clients.services import add_timeline_event, set_accountability
from joinedup.core import audit
from joinedup.core.access import Actor, relationship_to
from joinedup.core.errors import NotFound, Refused
from joinedup.directory.models import Practitioner, Team
from joinedup.handover import config
from joinedup.handover.deadlines import ClockStop, Urgency, response_deadline
from joinedup.handover.information import Answer, check_complete, completeness
from joinedup.handover.models import Referral, ReferralTransition
from joinedup.handover.rules import TRANSITIONS, Action, Outcome, ReferralKind, Side, TransitionRefused, transition
from joinedup.tasks.services import notify

SOURCE = "handover"
_MISSING_TEXT = {
    Action.REQUEST_INFORMATION: "Say what information you need",
    Action.PROVIDE_INFORMATION: "Give the information that was asked for",
    Action.DECLINE: "Give a reason for declining",
    Action.WITHDRAW: "Give a reason for withdrawing the referral",
    Action.STOP_CLOCK: "Give a reason for stopping the clock",
}


@dataclass(frozen=True)
class NewReferral:
    client_id: int
    receiving_team_id: int
    kind: str
    urgency: str
    information: dict[str, Any]
    sending_team_id: int | None = None  # default: the client's accountable team, if the actor is in it


def _clean_information(raw: Any) -> dict[str, dict[str, Any]]:
    """Answers as stored: only the configured items, each {"text", "not_known", "not_known_reason"}."""
    if not isinstance(raw, dict):
        raise ValidationError({"information": "The handover information must be a set of answers"})
    keys = {item.key for item in config.information_items()}
    unknown = sorted(set(raw) - keys)
    if unknown:
        raise ValidationError({unknown[0]: "This is not a question of the handover information set"})
    cleaned = {}
    for key, value in raw.items():
        value = {"text": value} if isinstance(value, str) else value
        if not isinstance(value, dict) or set(value) - {"text", "not_known", "not_known_reason"}:
            raise ValidationError({key: "An answer is a text, or 'not known' with a reason"})
        text, reason = str(value.get("text", "")), str(value.get("not_known_reason", ""))
        if len(text) > 4000 or len(reason) > 1000:
            raise ValidationError({key: "Keep the answer to 4,000 characters (the reason to 1,000)"})
        cleaned[key] = Answer(text.strip(), bool(value.get("not_known")), reason.strip()).to_dict()
    return cleaned


def answers(referral: Referral) -> dict[str, Answer]:
    return {key: Answer(**value) for key, value in referral.information.items()}


def _choice(value: str, enum: type, field: str, message: str) -> str:
    try:
        return enum(value).value
    except ValueError as error:
        raise ValidationError({field: message}) from error


def _sending_team(actor: Actor, client: Client, requested: int | None) -> Team:
    team_id = requested if requested is not None else client.accountable_team_id
    if team_id not in actor.team_ids:
        raise ValidationError({"sending_team": "Choose one of your teams to send from"})
    return Team.objects.get(pk=team_id)


def create_referral(actor: Actor, new: NewReferral) -> Referral:
    """A draft referral from one of the actor's teams, with whatever is known so far."""
    kind = _choice(new.kind, ReferralKind, "kind", "Choose a transfer of care or a request for a service")
    urgency = _choice(new.urgency, Urgency, "urgency", "Choose emergency, urgent or routine")
    information = _clean_information(new.information)
    receiving = Team.objects.filter(pk=new.receiving_team_id).first()
    if receiving is None:
        raise ValidationError({"receiving_team": "Choose a team known to JoinedUp"})
    with transaction.atomic():
        client = Client.objects.select_for_update().filter(pk=new.client_id).first()
        reason = relationship_to(actor, client) if client else None
        if client is None or reason is None:
            raise NotFound("client")
        sending = _sending_team(actor, client, new.sending_team_id)
        if sending.pk == receiving.pk:
            raise ValidationError({"receiving_team": "A referral goes to another team than your own"})
        if kind == ReferralKind.TRANSFER_OF_CARE and sending.pk != client.accountable_team_id:
            raise ValidationError({"kind": "Only the accountable team can transfer care: ask for a service instead"})
        referral = Referral.objects.create(
            client=client,
            kind=kind,
            urgency=urgency,
            sending_team=sending,
            receiving_team=receiving,
            referrer_id=actor.person_id,
            information=information,
            created_at=timezone.now(),
        )
        audit.record(
            actor,
            "create",
            object_type="Referral",
            object_id=referral.pk,
            client_id=client.pk,
            reason=reason,
            detail={"to": receiving.pk, "kind": kind, "urgency": urgency},
        )
    return referral


def update_draft(
    actor: Actor,
    referral_id: int,
    *,
    information: dict[str, Any] | None = None,
    urgency: str | None = None,
    kind: str | None = None,
) -> Referral:
    with transaction.atomic():
        referral = _locked(actor, referral_id, Side.SENDER)
        if referral.state != "draft":
            raise Refused("Only a draft can be edited: ask for or give information on the referral instead")
        if information is not None:
            referral.information = {**referral.information, **_clean_information(information)}
        if urgency is not None:
            referral.urgency = _choice(urgency, Urgency, "urgency", "Choose emergency, urgent or routine")
        if kind is not None:
            referral.kind = _choice(kind, ReferralKind, "kind", "Choose a transfer of care or a request for a service")
        referral.save()
        audit.record(
            actor,
            "update",
            object_type="Referral",
            object_id=referral.pk,
            client_id=referral.client_id,
            reason="sender of the referral",
        )
    return referral


def _locked(actor: Actor, referral_id: int, side: Side | None = None) -> Referral:
    """The referral, locked, if the actor is in its sending or receiving team (else not found)."""
    referral = (
        Referral.objects.select_for_update()
        .select_related("client", "sending_team", "receiving_team")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None or side_of(actor, referral) is None:
        raise NotFound("referral")
    if referral.state == "draft" and side_of(actor, referral) is Side.RECEIVER:
        raise NotFound("referral")  # a draft is the sender's until it is sent
    if side is not None and side_of(actor, referral) is not side:
        who = "sending" if side is Side.SENDER else "receiving"
        raise Refused(f"Only the {who} team can do this")
    return referral


def side_of(actor: Actor, referral: Referral) -> Side | None:
    if referral.sending_team_id in actor.team_ids:
        return Side.SENDER
    if referral.receiving_team_id in actor.team_ids:
        return Side.RECEIVER
    return None


def _stops(referral: Referral) -> list[ClockStop]:
    return [
        ClockStop(
            datetime.fromisoformat(s["paused_at"]),
            s["reason"],
            datetime.fromisoformat(s["resumed_at"]) if s.get("resumed_at") else None,
        )
        for s in referral.clock_stops
    ]


def clock_stopped(referral: Referral) -> bool:
    return bool(referral.clock_stops) and not referral.clock_stops[-1].get("resumed_at")


def _act(
    actor: Actor, referral_id: int, action: Action, *, reason: str = "", alternative: str = ""
) -> tuple[Referral, Outcome]:
    """Load, decide with the rules, apply the outcome: the caller is inside a transaction."""
    rule = TRANSITIONS[action]
    if rule.needs_reason and not reason.strip():
        raise ValidationError({"reason": _MISSING_TEXT.get(action, "Give a reason")})
    if rule.needs_alternative and not alternative.strip():
        raise ValidationError({"alternative": "Suggest another service or team that could help"})
    referral = _locked(actor, referral_id)
    side = side_of(actor, referral)
    assert side is not None
    problems = check_complete(answers(referral), config.information_items()) if action is Action.SEND else None
    try:
        outcome = transition(
            referral.state,
            action,
            kind=referral.kind,
            actor_side=side,
            actor_id=actor.person_id,
            at=timezone.now(),
            reason=reason,
            alternative=alternative,
            information_problems=problems,
            clock_stopped=clock_stopped(referral),
            deadline=referral.deadline_at,
        )
    except TransitionRefused as refused:
        if refused.problems:
            raise ValidationError({p.key: p.message for p in refused.problems}) from refused
        raise Refused(refused.message) from refused
    _apply(actor, referral, outcome)
    return referral, outcome


def _apply(actor: Actor, referral: Referral, outcome: Outcome) -> None:
    event = outcome.event
    referral.state = outcome.state
    if outcome.deadline_starts:
        referral.sent_at = event.at
        if referral.completeness_at_first_send is None:
            referral.completeness_at_first_send = completeness(answers(referral), config.information_items())
        policy = config.response_policy(referral.receiving_team)
        referral.deadline_at = response_deadline(event.at, referral.urgency, policy)
    if outcome.clock_stops:
        referral.clock_stops = [*referral.clock_stops, {"paused_at": event.at.isoformat(), "reason": event.reason}]
    if outcome.clock_restarts:
        stops = list(referral.clock_stops)
        stops[-1] = {**stops[-1], "resumed_at": event.at.isoformat()}
        referral.clock_stops = stops
        policy = config.response_policy(referral.receiving_team)
        assert referral.sent_at is not None
        referral.deadline_at = response_deadline(
            referral.sent_at, referral.urgency, policy, clock_stops=_stops(referral)
        )
    if outcome.deadline_starts or outcome.clock_restarts:
        referral.next_escalation_at = referral.deadline_at
    if outcome.clock_stops:
        referral.next_escalation_at = None  # nothing escalates while the team has stopped its clock
    if outcome.deadline_ends:
        referral.next_escalation_at = None
        if clock_stopped(referral):  # a stop still open ends with the referral
            stops = list(referral.clock_stops)
            stops[-1] = {**stops[-1], "resumed_at": event.at.isoformat()}
            referral.clock_stops = stops
    if event.action in (Action.ACCEPT, Action.DECLINE):
        referral.decided_at, referral.decided_by_id = event.at, actor.person_id
    if event.action is Action.DECLINE:
        referral.decline_reason, referral.suggested_alternative = event.reason, event.alternative
    if event.action is Action.WITHDRAW:
        referral.withdraw_reason = event.reason
    referral.save()
    ReferralTransition.objects.create(
        referral=referral,
        action=event.action,
        from_state=event.from_state,
        to_state=event.to_state,
        actor_id=actor.person_id,
        actor_side=event.actor_side,
        at=event.at,
        reason=event.reason,
        alternative=event.alternative,
    )
    audit.record(
        actor,
        event.action.value,
        object_type="Referral",
        object_id=referral.pk,
        client_id=referral.client_id,
        reason=f"{event.actor_side.value} of the referral",
        detail={"from": event.from_state.value, "to": event.to_state.value},
    )
    add_timeline_event(
        referral.client,
        f"referral_{event.action.value}",
        _story(referral, outcome),
        source=SOURCE,
        actor=actor,
        obj=referral,
    )
    _notify(referral, outcome)


_VERBS = {
    Action.SEND: "sent",
    Action.REQUEST_INFORMATION: "asked for more information on",
    Action.PROVIDE_INFORMATION: "gave more information on",
    Action.ACCEPT: "accepted",
    Action.DECLINE: "declined",
    Action.WITHDRAW: "withdrew",
    Action.STOP_CLOCK: "stopped the clock of",
    Action.RESTART_CLOCK: "restarted the clock of",
}


def _story(referral: Referral, outcome: Outcome) -> str:
    event = outcome.event
    team = referral.receiving_team if event.actor_side is Side.RECEIVER else referral.sending_team
    text = (
        f"{team.name} {_VERBS[event.action]} referral #{referral.pk} ({referral.sending_team.name} to "
        f"{referral.receiving_team.name}, {referral.get_kind_display().lower()}, {referral.urgency})"
    )
    if event.reason:
        text += f": {event.reason}"
    if event.alternative:
        text += f". Suggested instead: {event.alternative}"
    return text


def _notify(referral: Referral, outcome: Outcome) -> None:
    message = _story(referral, outcome)
    link = f"/referrals/{referral.pk}/"
    if outcome.notify_referrer:
        sender_ids = set(referral.sending_team.memberships.values_list("practitioner_id", flat=True))
        notify(sorted({referral.referrer_id} | sender_ids), message, link=link, client=referral.client)
    if outcome.notify_receiver:
        receivers = referral.receiving_team.memberships.values_list("practitioner_id", flat=True)
        notify(receivers, message, link=link, client=referral.client)


def send_referral(actor: Actor, referral_id: int) -> Referral:
    """Send a draft: refused, naming each item, until the handover information is complete."""
    with transaction.atomic():
        referral, _ = _act(actor, referral_id, Action.SEND)
        client = Client.objects.get(pk=referral.client_id)
        if referral.kind == ReferralKind.TRANSFER_OF_CARE and referral.sending_team_id != client.accountable_team_id:
            raise ValidationError({"kind": "Only the accountable team can transfer care: ask for a service instead"})
    return referral


def request_information(actor: Actor, referral_id: int, question: str) -> Referral:
    with transaction.atomic():
        referral, _ = _act(actor, referral_id, Action.REQUEST_INFORMATION, reason=question)
    return referral


def provide_information(actor: Actor, referral_id: int, reply: str) -> Referral:
    with transaction.atomic():
        referral, _ = _act(actor, referral_id, Action.PROVIDE_INFORMATION, reason=reply)
    return referral


def stop_clock(actor: Actor, referral_id: int, reason: str) -> Referral:
    with transaction.atomic():
        referral, _ = _act(actor, referral_id, Action.STOP_CLOCK, reason=reason)
    return referral


def restart_clock(actor: Actor, referral_id: int) -> Referral:
    with transaction.atomic():
        referral, _ = _act(actor, referral_id, Action.RESTART_CLOCK)
    return referral


def withdraw_referral(actor: Actor, referral_id: int, reason: str) -> Referral:
    with transaction.atomic():
        referral, _ = _act(actor, referral_id, Action.WITHDRAW, reason=reason)
    return referral


def accept_referral(actor: Actor, referral_id: int, *, lead_id: int | None = None) -> Referral:
    """Accept: a transfer makes the receiving team accountable (lead or its duty worker);
    a request for a service gives the work to the lead named, or to the person accepting."""
    with transaction.atomic():
        referral, outcome = _act(actor, referral_id, Action.ACCEPT)
        lead = Practitioner.objects.filter(pk=lead_id).first() if lead_id else None
        if lead_id and lead is None:
            raise ValidationError({"lead_professional": "Choose a member of your team"})
        if outcome.accountability_moves_to_receiver:
            from joinedup.handover.disputes import open_dispute_if_ping_pong

            client = Client.objects.select_for_update().get(pk=referral.client_id)
            if client.accountable_team_id != referral.sending_team_id:
                raise Refused(
                    f"{referral.sending_team.name} is no longer accountable for this client, so it cannot hand "
                    "them over: decline this referral and say so"
                )
            set_accountability(
                client,
                referral.receiving_team,
                lead,
                reason=f"Referral #{referral.pk} accepted (transfer of care)",
                actor=actor,
            )
            open_dispute_if_ping_pong(actor, referral)  # a client handed back and forth is a dispute too
        if outcome.receiver_owns_work:
            owner = lead or Practitioner.objects.get(pk=actor.person_id)
            if not referral.receiving_team.memberships.filter(practitioner=owner).exists():
                raise ValidationError({"lead_professional": "Choose a member of your team"})
            referral.work_owner = owner
            referral.save(update_fields=["work_owner", "updated_at"])
    return referral


def decline_referral(actor: Actor, referral_id: int, reason: str, alternative: str) -> Referral:
    """Decline with a reason and a suggested alternative: back to the sender, who stays accountable.

    Declines bouncing the client between the same two organisations open a dispute
    for the locality MDT (handover.disputes).
    """
    from joinedup.handover.disputes import open_dispute_if_ping_pong

    with transaction.atomic():
        referral, _ = _act(actor, referral_id, Action.DECLINE, reason=reason, alternative=alternative)
        open_dispute_if_ping_pong(actor, referral)
    return referral
