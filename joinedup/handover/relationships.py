"""A referral gives both teams a legitimate relationship to the client.

The receiving team's starts when the referral is sent and ends when it is declined
or withdrawn; an accepted referral keeps it (the team now holds the client or the
work). The sending team keeps one while the referral is open (it stays accountable
anyway for a transfer) and for JOINEDUP_HANDOVER_FOLLOW_UP_DAYS after acceptance,
so the referrer can close the loop.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from joinedup.clients.models import Client
from joinedup.core.access import Actor
from joinedup.handover.models import Referral

RELATIONSHIP_STATES = ("sent", "information_requested", "accepted")
OPEN_STATES = ("sent", "information_requested")


def _sender_window() -> datetime:
    return timezone.now() - timedelta(days=settings.JOINEDUP_HANDOVER_FOLLOW_UP_DAYS)


def _sent_by(team_ids: frozenset[int]) -> Q:
    """Referrals a team sent that are open, or accepted within the follow-up period (closing the loop)."""
    return Q(sending_team_id__in=team_ids) & (
        Q(state__in=OPEN_STATES) | Q(state="accepted", decided_at__gte=_sender_window())
    )


class OpenReferral:
    label = "referral"

    def clients_q(self, actor: Actor, among: Collection[int] | None = None) -> Q:
        receiving = Q(receiving_team_id__in=actor.team_ids, state__in=RELATIONSHIP_STATES)
        referrals = Referral.objects.filter(receiving | _sent_by(actor.team_ids))
        if among is not None:
            referrals = referrals.filter(client_id__in=list(among))
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
            sent = Referral.objects.filter(_sent_by(actor.team_ids), client_id=client.pk).only("id").first()
            return f"sender of referral #{sent.pk}, to follow it up" if sent else None
        team = referral.receiving_team.name
        return f"member of the receiving team of referral #{referral.pk} ({team}, {referral.state})"
