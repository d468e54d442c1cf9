"""The crisis pathway in the test borough: a rapid response team, on-call rotas, brokerage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from joinedup.core.roles import Role
from joinedup.crisis.models import Rota, RotaShift
from joinedup.crisis.raising import NewCrisis, Person, Raised, raise_crisis
from joinedup.directory.models import Profession, Service, Team, TeamKind
from tests.factories import Borough, practitioner


@dataclass
class CrisisSetup:
    rapid_response: Team
    brokerage: Team
    on_call_health: Rota
    on_call_social: Rota


def crisis_setup(b: Borough, *, shifts: bool = True, around: datetime | None = None) -> CrisisSetup:
    """A borough-wide rapid response team (nurse on duty, manager), an out-of-hours social care
    team, brokerage, and North's two rotas with someone first and second on call for two days
    either side of `around` (now)."""
    rapid = Team.objects.create(
        name="Rapid Response", kind=TeamKind.SERVICE, service=Service.RAPID_RESPONSE, organisation=b.community
    )
    b.people["rr.nurse"] = practitioner("rr.nurse", b.community, profession=Profession.COMMUNITY_NURSE, teams=(rapid,))
    b.people["rr.oncall"] = practitioner(
        "rr.oncall", b.community, profession=Profession.COMMUNITY_NURSE, roles=(Role.PRACTITIONER, Role.ON_CALL),
        teams=(rapid,),
    )  # fmt: skip
    b.people["rr.second"] = practitioner(
        "rr.second", b.community, profession=Profession.PHYSIOTHERAPIST, roles=(Role.PRACTITIONER, Role.ON_CALL),
        teams=(rapid,),
    )  # fmt: skip
    b.people["rr.manager"] = practitioner(
        "rr.manager", b.community, profession=Profession.MANAGER, roles=(Role.PRACTITIONER, Role.TEAM_MANAGER),
        teams=(rapid,),
    )  # fmt: skip
    rapid.duty_worker, rapid.manager = b.people["rr.nurse"], b.people["rr.manager"]
    rapid.save()
    edt = Team.objects.create(
        name="Emergency Duty Team", kind=TeamKind.SERVICE, service=Service.OTHER, organisation=b.council
    )
    b.people["edt.sw"] = practitioner(
        "edt.sw", b.council, profession=Profession.SOCIAL_WORKER, roles=(Role.PRACTITIONER, Role.ON_CALL), teams=(edt,)
    )
    b.people["edt.manager"] = practitioner(
        "edt.manager", b.council, profession=Profession.MANAGER, roles=(Role.PRACTITIONER, Role.TEAM_MANAGER),
        teams=(edt,),
    )  # fmt: skip
    edt.duty_worker, edt.manager = b.people["edt.sw"], b.people["edt.manager"]
    edt.save()
    brokerage = Team.objects.create(
        name="Brokerage", kind=TeamKind.SERVICE, service=Service.BROKERAGE, organisation=b.council
    )
    b.people["broker"] = practitioner("broker", b.council, profession=Profession.CARE_BROKER, teams=(brokerage,))
    brokerage.duty_worker = b.people["broker"]
    brokerage.save()
    health = Rota.objects.create(
        locality=b.north, sector="health", team=rapid, manager=b.people["rr.manager"], fallback=b.people["rr.manager"]
    )
    social = Rota.objects.create(
        locality=b.north, sector="social_care", team=edt, manager=b.people["edt.manager"],
        fallback=b.people["edt.manager"],
    )  # fmt: skip
    setup = CrisisSetup(rapid, brokerage, health, social)
    if shifts:
        now = around or timezone.now()
        on_call(setup.on_call_health, b.people["rr.oncall"], now - timedelta(days=2), now + timedelta(days=2))
        on_call(setup.on_call_health, b.people["rr.second"], now - timedelta(days=2), now + timedelta(days=2), 2)
        on_call(setup.on_call_social, b.people["edt.sw"], now - timedelta(days=2), now + timedelta(days=2))
    return setup


def on_call(rota: Rota, person, starts: datetime, ends: datetime, position: int = 1) -> RotaShift:
    return RotaShift.objects.create(
        rota=rota, practitioner=person, starts_at=starts, ends_at=ends, position=position, created_at=timezone.now()
    )


def raised(
    b: Borough,
    *,
    by: str = "ot.north",
    client=None,
    situation: str = "fall",
    person: Person | None = None,
    key: str = "",
) -> Raised:
    new = NewCrisis(
        situation=situation,
        needed="Fell at 15:00, not hurt, cannot get up safely",
        contact_name="Olu Caller",
        contact_phone="020 7946 0123",
        client_id=client.pk if client is not None else None,
        person=person,
        idempotency_key=key,
    )
    return raise_crisis(b.actor(by), new)
