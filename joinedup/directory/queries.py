"""Reads of the directory. The directory holds no client data, so any signed-in user may read it."""

from __future__ import annotations

from django.db.models import QuerySet

from joinedup.clients.rules import TeamFacts
from joinedup.directory.models import Locality, Practitioner, Team, TeamMembership


def team_facts(team: Team) -> TeamFacts:
    members = frozenset(TeamMembership.objects.filter(team=team).values_list("practitioner_id", flat=True))
    return TeamFacts(team_id=team.pk, name=team.name, member_ids=members, duty_worker_id=team.duty_worker_id)


def teams_of(practitioner: Practitioner) -> QuerySet[Team]:
    return Team.objects.filter(memberships__practitioner=practitioner).select_related("locality", "organisation")


def team_members(team: Team) -> QuerySet[TeamMembership]:
    return team.memberships.select_related("practitioner", "practitioner__organisation").order_by(
        "practitioner__last_name", "practitioner__first_name"
    )


def locality_mdt(locality: Locality) -> Team | None:
    return Team.objects.filter(kind="mdt", locality=locality).first()
