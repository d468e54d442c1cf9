"""Which team holds a client first met in a crisis (ADR 0021): the directory's teams as candidates
for the pure rule in crisis.registration."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from joinedup.crisis.registration import HolderCandidate, holder_for_new_client
from joinedup.directory.models import Locality, OrganisationKind, Service, Team, TeamKind
from joinedup.handover.config import governance_model
from joinedup.handover.rules import OwnerRole, age_on

_ROLE_OF_KIND = {
    OrganisationKind.COMMUNITY_PROVIDER: OwnerRole.NHS_COMMUNITY_PROVIDER,
    OrganisationKind.ADULT_SOCIAL_CARE: OwnerRole.COUNCIL_ADULT_SOCIAL_CARE,
    OrganisationKind.CHILDRENS_SERVICES: OwnerRole.COUNCIL_CHILDRENS_SERVICES,
}
# Teams that hold no clients of their own.
_NOT_HOLDERS = (Service.BROKERAGE, Service.INTEGRATION)


def holder_candidates(locality: Locality, responding_team_id: int | None) -> list[HolderCandidate]:
    nearby = Q(locality=locality) | Q(locality__isnull=True) | Q(pk=responding_team_id)
    holders = (Q(kind=TeamKind.SERVICE) & ~Q(service__in=_NOT_HOLDERS)) | Q(kind=TeamKind.MDT)
    teams = Team.objects.filter(nearby & holders).select_related("organisation")
    return [
        HolderCandidate(
            team_id=team.pk,
            name=team.name,
            owner_role=_ROLE_OF_KIND.get(OrganisationKind(team.organisation.kind)),
            in_locality=team.locality_id == locality.pk,
            borough_wide=team.locality_id is None,
            is_mdt=team.kind == TeamKind.MDT,
            has_duty_worker=team.duty_worker_id is not None,
        )
        for team in teams
    ]


def holder_team(locality: Locality, date_of_birth: date, responding_team_id: int | None) -> Team:
    """The team accountable for someone registered in a crisis; refused only if no team can answer."""
    age = age_on(date_of_birth, timezone.localdate())
    chosen = holder_for_new_client(
        governance_model(), age, holder_candidates(locality, responding_team_id), responding_team_id
    )
    if chosen is None:
        raise ValidationError(
            {"client": f"No team in {locality.name} can hold a new client: give the locality MDT a duty worker"}
        )
    return Team.objects.get(pk=chosen)
