"""Responding to a crisis gives a relationship to the client ("crisis first, whose client afterwards").

Whoever the crisis is routed to must see the client at once, whatever the
accountability or an open dispute: the owner and the teams that respond to the
crisis (the in-hours team of the locality, the on-call team of the rota, the
team that owns it now), everyone it was escalated to, and the owners of its
actions (the brokerage team arranging a bridging package). The relationship
lasts while the crisis is open and for JOINEDUP_CRISIS_RELATIONSHIP_HOURS after it
closes, to record what was done. It is explained, and so audited, like every other.
Whoever raised the crisis gets no relationship to the record: they follow the
crisis itself (crisis.queries.crisis_page).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from joinedup.clients.models import Client
from joinedup.core.access import Actor
from joinedup.crisis import config
from joinedup.crisis.models import OPEN_STATES, Crisis, CrisisAction, CrisisEscalation


def live_crises() -> QuerySet[Crisis]:
    """Open crises, and those closed within the relationship's hours."""
    since = timezone.now() - timedelta(hours=config.relationship_hours())
    return Crisis.objects.filter(Q(state__in=OPEN_STATES) | Q(resolved_at__gte=since))


def responding_q(actor: Actor, prefix: str = "") -> Q:
    """Crises (or rows `prefix`-related to one) this actor responds to through a team or by name."""
    teams = list(actor.team_ids)
    return (
        Q(**{f"{prefix}owner_team_id__in": teams})
        | Q(**{f"{prefix}in_hours_team_id__in": teams})
        | Q(**{f"{prefix}on_call_team_id__in": teams})
        | Q(**{f"{prefix}owner_id": actor.user_id})
    )


def _escalated_to(actor: Actor) -> QuerySet[CrisisEscalation]:
    return CrisisEscalation.objects.filter(recipient_id=actor.user_id, crisis__in=live_crises())


def _actions_of(actor: Actor) -> QuerySet[CrisisAction]:
    mine = Q(owner_id=actor.user_id) | Q(owner_team_id__in=list(actor.team_ids))
    return CrisisAction.objects.filter(mine, crisis__in=live_crises())


class CrisisResponder:
    label = "crisis responder"

    def clients_q(self, actor: Actor, among: Collection[int] | None = None) -> Q:
        crises = live_crises().filter(responding_q(actor))
        escalated = _escalated_to(actor)
        actions = _actions_of(actor)
        if among is not None:
            ids = list(among)
            crises = crises.filter(client_id__in=ids)
            escalated = escalated.filter(crisis__client_id__in=ids)
            actions = actions.filter(crisis__client_id__in=ids)
        return (
            Q(pk__in=crises.values("client_id"))
            | Q(pk__in=escalated.values("crisis__client_id"))
            | Q(pk__in=actions.values("crisis__client_id"))
        )

    def explains(self, actor: Actor, client: Client) -> str | None:
        crisis = (
            live_crises().filter(responding_q(actor), client_id=client.pk).only("id").order_by("-raised_at").first()
        )
        if crisis is not None:
            return f"responder to crisis #{crisis.pk}"
        escalation = _escalated_to(actor).filter(crisis__client_id=client.pk).only("crisis_id").first()
        if escalation is not None:
            return f"escalated to, crisis #{escalation.crisis_id}"
        action = _actions_of(actor).filter(crisis__client_id=client.pk).only("id", "crisis_id").first()
        if action is not None:
            return f"owner of action #{action.pk} of crisis #{action.crisis_id}"
        return None
