"""The care team relationship: who is in the client's care team may read their record and plan.

Three facts put a practitioner in a client's care team for the access policy: being
added to it by hand (themselves, or a team they are in), delivering an intervention of
the client's active care plan (themselves, or their team), and having a visit to the
client booked (until JOINEDUP_VISIT_RELATIONSHIP_DAYS after it). Each is a legitimate
relationship that someone with a relationship of their own created, on the record.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from joinedup.careplans.models import CareTeamMember, Intervention, PlanStatus, Visit
from joinedup.careplans.rules.visits import VisitStatus
from joinedup.clients.models import Client
from joinedup.core.access import Actor


def _members(actor: Actor) -> QuerySet[CareTeamMember]:
    today = timezone.localdate()
    return CareTeamMember.objects.filter(
        Q(practitioner_id=actor.user_id) | Q(team_id__in=actor.team_ids), Q(until__isnull=True) | Q(until__gt=today)
    )


def _interventions(actor: Actor) -> QuerySet[Intervention]:
    return Intervention.objects.filter(
        Q(practitioner_id=actor.user_id) | Q(team_id__in=actor.team_ids),
        ended_in__isnull=True,
        plan__status=PlanStatus.ACTIVE,
    )


def _visits(actor: Actor) -> QuerySet[Visit]:
    if actor.user_id is None:
        return Visit.objects.none()
    since = timezone.now() - timedelta(days=settings.JOINEDUP_VISIT_RELATIONSHIP_DAYS)
    return Visit.objects.filter(practitioner_id=actor.user_id, starts_at__gte=since).exclude(
        status=VisitStatus.CANCELLED
    )


class CareTeam:
    label = "care team"

    def clients_q(self, actor: Actor, among: Collection[int] | None = None) -> Q:
        if actor.user_id is None:
            return Q(pk__in=[])
        members, interventions, visits = _members(actor), _interventions(actor), _visits(actor)
        if among is not None:
            ids = list(among)
            members = members.filter(client_id__in=ids)
            interventions = interventions.filter(plan__client_id__in=ids)
            visits = visits.filter(client_id__in=ids)
        return (
            Q(pk__in=members.values("client_id"))
            | Q(pk__in=interventions.values("plan__client_id"))
            | Q(pk__in=visits.values("client_id"))
        )

    def explains(self, actor: Actor, client: Client) -> str | None:
        if actor.user_id is None:
            return None
        member = _members(actor).filter(client_id=client.pk).only("role").first()
        if member is not None:
            return f"member of the care team ({member.role})"
        intervention = _interventions(actor).filter(plan__client_id=client.pk).select_related("team").first()
        if intervention is not None:
            return f"delivers an intervention of the care plan ({intervention.team.name})"
        visit = _visits(actor).filter(client_id=client.pk).only("starts_at").first()
        if visit is not None:
            return f"has a visit booked on {timezone.localtime(visit.starts_at):%d %B %Y}"
        return None
