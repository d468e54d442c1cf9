"""An open referral gives the receiving team a legitimate relationship to the client.

It starts when the referral is sent and ends when it is declined or withdrawn;
an accepted referral keeps it (the receiving team now holds the client or the work).
"""

from __future__ import annotations

from django.db.models import Q

from joinedup.clients.models import Client
from joinedup.core.access import Actor
from joinedup.handover.models import Referral

RELATIONSHIP_STATES = ("sent", "information_requested", "accepted")


class OpenReferral:
    label = "referral"

    def clients_q(self, actor: Actor) -> Q:
        referrals = Referral.objects.filter(receiving_team_id__in=actor.team_ids, state__in=RELATIONSHIP_STATES)
        return Q(pk__in=referrals.values("client_id"))

    def explains(self, actor: Actor, client: Client) -> str | None:
        referral = (
            Referral.objects.filter(
                client_id=client.pk, receiving_team_id__in=actor.team_ids, state__in=RELATIONSHIP_STATES
            )
            .select_related("receiving_team")
            .only("id", "state", "receiving_team__name")
            .first()
        )
        if referral is None:
            return None
        team = referral.receiving_team.name
        return f"member of the receiving team of referral #{referral.pk} ({team}, {referral.state})"
