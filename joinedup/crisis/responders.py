"""Who responds to a crisis, kept in one table for the access policy (crisis.relationships): written
by the services as a crisis is raised, acknowledged, escalated and given actions, closed with it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q

from joinedup.core.access import Actor
from joinedup.crisis.models import Crisis, Responder


def add(crisis: Crisis, why: str, *, teams: Iterable[int | None] = (), people: Iterable[int | None] = ()) -> None:
    """Record teams and practitioners responding (once each; the caller's transaction)."""
    rows = [Responder(crisis=crisis, client_id=crisis.client_id, team_id=t, why=why) for t in set(teams) if t]
    rows += [Responder(crisis=crisis, client_id=crisis.client_id, practitioner_id=p, why=why) for p in set(people) if p]
    Responder.objects.bulk_create(rows, ignore_conflicts=True)


def close(crisis: Crisis, at: datetime) -> None:
    Responder.objects.filter(crisis=crisis).update(closed_at=at)


def mine(actor: Actor) -> Q:
    """Responder rows of this actor: by one of their teams, or by name."""
    return Q(team_id__in=list(actor.team_ids)) | Q(practitioner_id=actor.user_id)


def responds(actor: Actor, crisis: Crisis) -> bool:
    return actor.user_id is not None and Responder.objects.filter(mine(actor), crisis=crisis).exists()
