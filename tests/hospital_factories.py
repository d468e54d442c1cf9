"""The hospital feed on the test borough: an integration team, a GP practice team and a memory service."""

from __future__ import annotations

from dataclasses import dataclass

from django.test import override_settings

from joinedup.core.roles import Role
from joinedup.directory.models import Organisation, Profession, Service, Team, TeamKind
from joinedup.hospital.adt.mapping import read
from joinedup.hospital.ingest import Outcome, apply_batch
from tests.factories import Borough, practitioner
from tests.hl7_messages import Adt

INTEGRATION_TEAM = "Feed Integration"


@dataclass
class Feed:
    b: Borough
    integration: Team
    practice_team: Team
    memory: Team
    district_nursing: Team

    def send(self, *messages: Adt | str | bytes) -> list[Outcome]:
        """Apply messages as one batch, the way the listener does."""
        received = []
        for message in messages:
            data = message.bytes() if isinstance(message, Adt) else message
            received += read(data)[0]
        return apply_batch(received)

    def codes(self, *messages: Adt | str | bytes) -> list[str]:
        return [outcome.code for outcome in self.send(*messages)]


def _team(name: str, service: str, organisation: Organisation, locality=None) -> Team:
    return Team.objects.create(
        name=name, kind=TeamKind.SERVICE, service=service, organisation=organisation, locality=locality
    )


def feed_for(b: Borough) -> Feed:
    integration = _team(INTEGRATION_TEAM, Service.INTEGRATION, b.community)
    practice_team = _team("North Surgery team", Service.PRIMARY_CARE, b.practice_north, b.north)
    memory = _team("Memory Service", Service.MEMORY_SERVICE, b.mental_health)
    district_nursing = _team("North District Nursing", Service.DISTRICT_NURSING, b.community, b.north)
    people = {
        "integration.officer": (integration, Profession.ADMINISTRATOR),
        "gp.north": (practice_team, Profession.GP),
        "memory.nurse": (memory, Profession.MENTAL_HEALTH_PRACTITIONER),
        "dn.north": (district_nursing, Profession.DISTRICT_NURSE),
    }
    for username, (team, profession) in people.items():
        b.people[username] = practitioner(
            username, team.organisation, profession=profession, roles=(Role.PRACTITIONER,), teams=(team,)
        )
        team.duty_worker = b.people[username]
        team.save()
    b.people["mdt.gp.north"] = practitioner(
        "mdt.gp.north", b.practice_north, profession=Profession.GP, teams=(b.mdt_north,)
    )
    return Feed(b, integration, practice_team, memory, district_nursing)


feed_settings = override_settings(
    JOINEDUP_HOSPITAL_INTEGRATION_TEAM=INTEGRATION_TEAM, JOINEDUP_HOSPITAL_DEFAULT_TEAM=""
)
