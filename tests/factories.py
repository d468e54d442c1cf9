"""A small borough for tests: two localities, each with a GP practice, an MDT and a service team."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import Group

from joinedup.clients.models import Client
from joinedup.clients.services import NewClient, create_client
from joinedup.core.access import Actor, actor_for
from joinedup.core.roles import Role
from joinedup.directory.models import (
    Locality,
    Organisation,
    OrganisationKind,
    Practitioner,
    Profession,
    Sector,
    Service,
    Team,
    TeamKind,
    TeamMembership,
)

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)
# Synthetic-range NHS numbers (999...), valid by modulus 11.
VALID_NHS_NUMBERS = ["9990000018", "9990000026", "9990000034", "9990000042", "9990000069", "9990000077"]


def practitioner(
    username: str,
    organisation: Organisation,
    *,
    profession: str = Profession.OCCUPATIONAL_THERAPIST,
    roles: tuple[Role, ...] = (Role.PRACTITIONER,),
    teams: tuple[Team, ...] = (),
) -> Practitioner:
    user = Practitioner.objects.create_user(
        username=username,
        password=PASSWORD,
        first_name=username.split(".")[0].title(),
        last_name=(username.split(".")[-1] + "son").title(),
        profession=profession,
        organisation=organisation,
    )
    user.groups.set([Group.objects.get(name=role.value) for role in roles])
    for team in teams:
        TeamMembership.objects.create(team=team, practitioner=user)
    return user


@dataclass
class Borough:
    north: Locality
    south: Locality
    community: Organisation  # NHS community provider
    council: Organisation
    mental_health: Organisation
    practice_north: Organisation
    practice_south: Organisation
    mdt_north: Team
    mdt_south: Team
    therapy_north: Team
    therapy_south: Team
    social_work: Team  # borough-wide, council
    people: dict[str, Practitioner] = field(default_factory=dict)

    def actor(self, name: str, channel: str = "page") -> Actor:
        return actor_for(Practitioner.objects.get(pk=self.people[name].pk), channel)


def borough() -> Borough:
    north = Locality.objects.create(code="north", name="North")
    south = Locality.objects.create(code="south", name="South")
    community = Organisation.objects.create(
        ods_code="RYX", name="Community Health", sector=Sector.HEALTH, kind=OrganisationKind.COMMUNITY_PROVIDER
    )
    council = Organisation.objects.create(
        ods_code="C001",
        name="Council Adult Social Care",
        sector=Sector.SOCIAL_CARE,
        kind=OrganisationKind.ADULT_SOCIAL_CARE,
    )
    mental_health = Organisation.objects.create(
        ods_code="RV3", name="Mental Health Trust", sector=Sector.HEALTH, kind=OrganisationKind.MENTAL_HEALTH_TRUST
    )
    practice_north = Organisation.objects.create(
        ods_code="F84001", name="North Surgery", sector=Sector.HEALTH, kind=OrganisationKind.GP_PRACTICE, locality=north
    )
    practice_south = Organisation.objects.create(
        ods_code="F84002", name="South Surgery", sector=Sector.HEALTH, kind=OrganisationKind.GP_PRACTICE, locality=south
    )
    mdt_north = Team.objects.create(
        name="North MDT", kind=TeamKind.MDT, service=Service.MDT, locality=north, organisation=community
    )
    mdt_south = Team.objects.create(
        name="South MDT", kind=TeamKind.MDT, service=Service.MDT, locality=south, organisation=community
    )
    therapy_north = Team.objects.create(
        name="North Community Therapy",
        kind=TeamKind.SERVICE,
        service=Service.COMMUNITY_THERAPY,
        locality=north,
        organisation=community,
    )
    therapy_south = Team.objects.create(
        name="South Community Therapy",
        kind=TeamKind.SERVICE,
        service=Service.COMMUNITY_THERAPY,
        locality=south,
        organisation=community,
    )
    social_work = Team.objects.create(
        name="Adult Social Work", kind=TeamKind.SERVICE, service=Service.ADULT_SOCIAL_WORK, organisation=council
    )
    b = Borough(
        north,
        south,
        community,
        council,
        mental_health,
        practice_north,
        practice_south,
        mdt_north,
        mdt_south,
        therapy_north,
        therapy_south,
        social_work,
    )
    b.people["ot.north"] = practitioner("ot.north", community, teams=(therapy_north,))
    b.people["ot.south"] = practitioner("ot.south", community, teams=(therapy_south,))
    b.people["coordinator.north"] = practitioner(
        "coordinator.north",
        community,
        profession=Profession.COORDINATOR,
        roles=(Role.PRACTITIONER, Role.MDT_COORDINATOR),
        teams=(mdt_north,),
    )
    b.people["sw.council"] = practitioner(
        "sw.council", council, profession=Profession.SOCIAL_WORKER, teams=(social_work,)
    )
    b.people["volunteer"] = practitioner(
        "volunteer", council, profession=Profession.SUPPORT_WORKER, roles=(Role.SUPPORT_WORKER,), teams=(therapy_south,)
    )
    b.people["commissioner"] = practitioner(
        "commissioner", council, profession=Profession.COMMISSIONER, roles=(Role.COMMISSIONER,)
    )
    b.people["admin"] = practitioner(
        "admin", community, profession=Profession.ADMINISTRATOR, roles=(Role.SYSTEM_ADMINISTRATOR,)
    )
    for team, duty in (
        (therapy_north, "ot.north"),
        (therapy_south, "ot.south"),
        (mdt_north, "coordinator.north"),
        (social_work, "sw.council"),
    ):
        team.duty_worker = b.people[duty]
        team.save()
    return b


def client_in(
    b: Borough,
    *,
    locality: str = "north",
    nhs_number: str | None = None,
    lead: bool = True,
    family_name: str | None = None,
    by: str | None = None,
) -> Client:
    """A client of the therapy team of a locality, registered by its OT."""
    north = locality == "north"
    ot = "ot.north" if north else "ot.south"
    return create_client(
        b.actor(by or ot),
        NewClient(
            given_name="Ada",
            family_name=family_name or f"Client{next(_counter)}",
            date_of_birth=date(1940, 5, 17),
            gp_practice=(b.practice_north if north else b.practice_south).ods_code,
            accountable_team=b.therapy_north if north else b.therapy_south,
            lead_professional=b.people[ot] if lead else None,
            nhs_number=nhs_number,
        ),
    )
