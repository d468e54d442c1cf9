"""Reads of the directory. The directory holds no client data, so any signed-in user may read it."""

from __future__ import annotations

from django.db.models import QuerySet

from joinedup.clients.rules import TeamFacts
from joinedup.directory.models import Locality, Organisation, Practitioner, Team, TeamMembership


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


def team_by_id(team_id: int) -> Team | None:
    """A team for its page, with what the page shows of it."""
    return Team.objects.select_related("locality", "organisation", "duty_worker", "manager").filter(pk=team_id).first()


def locality_by_id(locality_id: int) -> Locality | None:
    return Locality.objects.filter(pk=locality_id).first()


def locality_directory(locality: Locality) -> tuple[list[Organisation], list[Team]]:
    """A locality's GP practices and its teams (the MDT first)."""
    practices = list(locality.gp_practices.order_by("name"))
    teams = sorted(
        locality.teams.select_related("organisation", "duty_worker"), key=lambda team: (team.kind != "mdt", team.name)
    )
    return practices, teams


def all_localities() -> QuerySet[Locality]:
    return Locality.objects.order_by("name")


def who_is_who(user_ids: set[int], ods_codes: set[str]) -> tuple[dict[int, str], dict[str, str]]:
    """Names for the ids and ODS codes an audit log holds: {id: name}, {ODS code: organisation name}."""
    people = {p.pk: p.display_name for p in Practitioner.objects.filter(pk__in=user_ids)}
    organisations = dict(Organisation.objects.filter(ods_code__in=ods_codes).values_list("ods_code", "name"))
    return people, organisations
