"""Relationships that come from the client record: accountable team and locality MDT."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q

from joinedup.clients.models import Client
from joinedup.core.access import Actor


class AccountableTeam:
    label = "accountable team"

    def clients_q(self, actor: Actor, among: Collection[int] | None = None) -> Q:
        return Q(accountable_team_id__in=actor.team_ids)

    def explains(self, actor: Actor, client: Client) -> str | None:
        if client.accountable_team_id in actor.team_ids:
            return f"member of the accountable team ({client.accountable_team})"
        return None


class LocalityMdt:
    label = "locality MDT"

    def clients_q(self, actor: Actor, among: Collection[int] | None = None) -> Q:
        return Q(locality_id__in=actor.mdt_locality_ids)

    def explains(self, actor: Actor, client: Client) -> str | None:
        if client.locality_id in actor.mdt_locality_ids:
            return f"member of the locality MDT ({client.locality})"
        return None
