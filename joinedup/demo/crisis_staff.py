"""The demo borough's crisis pathway: an emergency duty team, on-call staff, and the on-call rotas of
each locality for health and for social care, with shifts from a week before the as-of day to four
weeks after it (one night left uncovered on purpose, so that the gap alerts have something to show).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import Group, Permission

from joinedup.core.roles import Role
from joinedup.crisis.models import Rota, RotaShift
from joinedup.crisis.rules import DEFAULT_SERVICE_HOURS, SECTOR_SERVICE, Sector, closed_periods
from joinedup.demo.borough import EMAIL_DOMAIN, LOCALITIES, BuiltBorough
from joinedup.directory.models import Practitioner, Service, Team, TeamKind, TeamMembership

P, TM, ONCALL = Role.PRACTITIONER, Role.TEAM_MANAGER, Role.ON_CALL
# username, name, profession, organisation key, job title, roles, team key ("edt": the new team)
# fmt: off
_PEOPLE = (
    ("ola.oncall", "Ola Bankole", "community_nurse", "community", "Urgent response nurse (on call)",
     (P, ONCALL), "rapid_response"),
    ("ivy.oncall", "Ivy Chen", "physiotherapist", "community", "Advanced practitioner (on call)",
     (P, ONCALL), "rapid_response"),
    ("eddie.edt", "Eddie Walsh", "social_worker", "adult_social_care", "Emergency duty social worker",
     (P, ONCALL), "edt"),
    ("erin.edt", "Erin Falconer", "social_worker", "adult_social_care", "Emergency duty social worker",
     (P, ONCALL), "edt"),
    ("edith.manager", "Edith Marlow", "manager", "adult_social_care", "Emergency duty team manager",
     (P, TM), "edt"),
)
# fmt: on
CRISIS_USERNAMES: tuple[str, ...] = tuple(spec[0] for spec in _PEOPLE)
# Who is first on call out of hours, in turn, per locality and sector; the second on call alongside.
_HEALTH_FIRST = {
    "northgate": ("owen.oncall", "ola.oncall"),
    "riverside": ("ivy.oncall", "owen.oncall"),
    "southmere": ("ola.oncall", "ivy.oncall"),
}  # fmt: skip
_HEALTH_SECOND = "rachel.manager"
_SOCIAL_FIRST = ("eddie.edt", "erin.edt")
_SOCIAL_SECOND = "edith.manager"
# The closed period (counted from the as-of day) nobody covers on Southmere's social care rota.
_GAP = ("southmere", Sector.SOCIAL_CARE, 3)
BEFORE, AHEAD = timedelta(days=7), timedelta(days=28)


@dataclass
class CrisisStaff:
    edt: Team
    rotas: dict[tuple[str, Sector], Rota]
    people: dict[str, Practitioner]


def _person(built: BuiltBorough, spec: tuple, number: int, groups: dict[str, Group]) -> Practitioner:
    username, name, profession, organisation, title, roles, _team = spec
    first, last = name.split(" ", 1)
    person = Practitioner.objects.create(
        username=username, first_name=first, last_name=last, email=f"{username}@{EMAIL_DOMAIN}",
        password=built.people["rosa.rapid"].password, profession=profession,
        organisation=built.organisations[organisation], job_title=title, phone=f"020 7946 0{number:03d}",
    )  # fmt: skip
    person.groups.set([groups[role.value] for role in roles])
    return person


def build_staff(built: BuiltBorough, since: datetime) -> CrisisStaff:
    groups = {group.name: group for group in Group.objects.filter(name__in=list(Role))}
    people = {spec[0]: _person(built, spec, 300 + n, groups) for n, spec in enumerate(_PEOPLE)}
    edt = Team.objects.create(
        name="Thameside Emergency Duty Team", kind=TeamKind.SERVICE, service=Service.ADULT_SOCIAL_WORK,
        organisation=built.organisations["adult_social_care"], email=f"edt@{EMAIL_DOMAIN}", phone="020 7946 0399",
        duty_worker=people["eddie.edt"], manager=people["edith.manager"],
    )  # fmt: skip
    teams = {"edt": edt, "rapid_response": built.teams["rapid_response"]}
    TeamMembership.objects.bulk_create(
        TeamMembership(team=teams[spec[6]], practitioner=people[spec[0]], role_in_team=spec[4], since=since.date())
        for spec in _PEOPLE
    )
    everyone = {**built.people, **people}
    # The demo's system administrator sets up rotas in the admin, as they set up teams.
    built.people["adam.admin"].user_permissions.add(
        *Permission.objects.filter(content_type__app_label="crisis", content_type__model="rota")
    )
    rotas: dict[tuple[str, Sector], Rota] = {}
    for place in LOCALITIES:
        locality = built.localities[place.code]
        rotas[(place.code, Sector.HEALTH)] = Rota.objects.create(
            locality=locality, sector=Sector.HEALTH, team=built.teams["rapid_response"],
            manager=everyone["rachel.manager"], fallback=everyone["rachel.manager"],
        )  # fmt: skip
        rotas[(place.code, Sector.SOCIAL_CARE)] = Rota.objects.create(
            locality=locality, sector=Sector.SOCIAL_CARE, team=edt, manager=everyone["edith.manager"],
            fallback=everyone["edith.manager"],
        )  # fmt: skip
    return CrisisStaff(edt, rotas, everyone)


def build_shifts(staff: CrisisStaff, anchor: datetime, now: datetime) -> int:
    """Every closed period of each service, from a week before `anchor` to four weeks after `now`."""
    shifts = []
    for (code, sector), rota in staff.rotas.items():
        hours = DEFAULT_SERVICE_HOURS[SECTOR_SERVICE[sector]]
        firsts = first_on_call(code, sector)
        second = _HEALTH_SECOND if sector is Sector.HEALTH else _SOCIAL_SECOND
        periods = closed_periods(hours, anchor - BEFORE, max(anchor, now) + AHEAD)
        future = [p for p in periods if p[0] >= anchor]
        skipped = future[_GAP[2]] if (code, sector) == _GAP[:2] and len(future) > _GAP[2] else None
        for number, (starts, ends) in enumerate(periods):
            if (starts, ends) == skipped:
                continue
            first = staff.people[firsts[number % len(firsts)]]
            shifts.append(RotaShift(rota=rota, practitioner=first, starts_at=starts, ends_at=ends, created_at=anchor))
            shifts.append(
                RotaShift(
                    rota=rota,
                    practitioner=staff.people[second],
                    starts_at=starts,
                    ends_at=ends,
                    position=2,
                    created_at=anchor,
                )
            )
    RotaShift.objects.bulk_create(shifts)
    return len(shifts)


def first_on_call(code: str, sector: Sector) -> tuple[str, ...]:
    """The usernames first on call in turn on a locality's rota for the sector."""
    return _HEALTH_FIRST[code] if sector is Sector.HEALTH else _SOCIAL_FIRST


def pick(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]
