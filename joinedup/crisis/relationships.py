"""Responding to a crisis gives a relationship to the client ("crisis first, whose client afterwards").

Whoever the crisis is routed to must see the client at once, whatever the accountability or an
open dispute: the owner and the teams that respond to the crisis (the in-hours team of the
locality, the on-call team of the rota, the team that owns it now), everyone it was escalated
to, and the owners of its actions (the brokerage team arranging a bridging package); they are
rows of `Responder` (crisis.responders). The relationship lasts while the crisis is open and for
JOINEDUP_CRISIS_RELATIONSHIP_HOURS after it closes. It is explained, and so audited, like every
other. Whoever raised the crisis gets no relationship to the record: they follow the crisis itself
(crisis.queries.crisis_page).

One indexed subquery of one table: this filter is part of every scoped query in JoinedUp, so its
cost is paid by every caseload and search, not only by the crisis pages (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from joinedup.clients.models import Client
from joinedup.core.access import Actor
from joinedup.crisis import config
from joinedup.crisis.models import Responder
from joinedup.crisis.responders import mine


def live_responders(actor: Actor) -> QuerySet[Responder]:
    """The actor's responder rows of crises open, or closed within the relationship's hours."""
    since = timezone.now() - timedelta(hours=config.relationship_hours())
    return Responder.objects.filter(mine(actor)).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=since))


class CrisisResponder:
    label = "crisis responder"

    def clients_q(self, actor: Actor, among: Collection[int] | None = None) -> Q:
        rows = live_responders(actor)
        if among is not None:
            rows = rows.filter(client_id__in=list(among))
        return Q(pk__in=rows.values("client_id"))

    def explains(self, actor: Actor, client: Client) -> str | None:
        row = live_responders(actor).filter(client_id=client.pk).order_by("-crisis_id").only("crisis_id", "why").first()
        if row is None:
            return None
        what = {"escalated": "escalated to", "action": "owner of an action of"}.get(row.why, "responder to")
        return f"{what} crisis #{row.crisis_id}"
