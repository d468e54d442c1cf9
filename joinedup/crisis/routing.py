"""The facts routing needs, read from the directory and the rotas, and the route they give.

No client data is read here: a crisis is routed by its locality, sector and moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from joinedup.crisis import config
from joinedup.crisis.models import Rota, RotaShift
from joinedup.crisis.rules import RotaFacts, Route, Sector, Shift, Situation, TeamOnDuty, route
from joinedup.directory.models import Service, Team, TeamKind

IN_HOURS_SERVICE = {Sector.HEALTH: Service.RAPID_RESPONSE, Sector.SOCIAL_CARE: Service.ADULT_SOCIAL_WORK}
# Shifts read around a moment: enough to know who is on call now and who comes next.
_BEFORE, _AFTER = timedelta(days=3), timedelta(days=14)


@dataclass(frozen=True)
class Routed:
    route: Route
    rota: Rota | None
    in_hours_team: Team | None
    last_resort: Team


def in_hours_team(locality_id: int, sector: Sector) -> Team | None:
    """The team that answers the sector's crises in hours: the locality's own, else a borough-wide one."""
    teams = Team.objects.filter(kind=TeamKind.SERVICE, service=IN_HOURS_SERVICE[sector]).select_related("manager")
    local = teams.filter(locality_id=locality_id).order_by("name").first()
    return local or teams.filter(locality__isnull=True).order_by("name").first()


def rota_for(locality_id: int | None, sector: Sector) -> Rota | None:
    """The locality's rota for the sector, else the borough-wide one."""
    rotas = Rota.objects.filter(sector=sector).select_related("team", "locality", "manager", "fallback")
    local = rotas.filter(locality_id=locality_id).first() if locality_id is not None else None
    return local or rotas.filter(locality__isnull=True).first()


def shifts_around(rota: Rota, moment: datetime) -> list[RotaShift]:
    return list(
        RotaShift.objects.filter(rota=rota, ends_at__gt=moment - _BEFORE, starts_at__lt=moment + _AFTER)
        .select_related("practitioner")
        .order_by("starts_at", "position", "id")
    )


def rota_facts(rota: Rota, shifts: list[RotaShift]) -> RotaFacts:
    return RotaFacts(
        rota_id=rota.pk,
        team_id=rota.team_id,
        manager_id=rota.manager_id,
        fallback_id=rota.fallback_id,
        shifts=tuple(Shift(s.practitioner_id, s.starts_at, s.ends_at, s.position, s.pk) for s in shifts),
    )


def _on_duty(team: Team) -> TeamOnDuty:
    return TeamOnDuty(team.pk, team.duty_worker_id, team.manager_id)


def locality_mdt(locality_id: int) -> Team:
    team = Team.objects.filter(kind=TeamKind.MDT, locality_id=locality_id).first()
    if team is None:  # the directory requires one MDT per locality for disputes too
        raise LookupError("The locality has no MDT")
    return team


def route_crisis(situation: Situation | str, locality_id: int, moment: datetime) -> Routed:
    sector = Situation(situation).sector
    team = in_hours_team(locality_id, sector)
    rota = rota_for(locality_id, sector)
    mdt = locality_mdt(locality_id)
    found = route(
        situation,
        moment,
        hours=config.service_hours(),
        in_hours_team=_on_duty(team) if team is not None else None,
        rota=rota_facts(rota, shifts_around(rota, moment)) if rota is not None else None,
        last_resort=_on_duty(mdt),
    )
    return Routed(found, rota, team, mdt)


def on_call_now(moment: datetime, locality_id: int | None = None) -> list[RotaShift]:
    """Shifts covering `moment` of every rota (of a locality and the borough-wide ones), for the board."""
    rotas = Q(rota__locality_id=locality_id) | Q(rota__locality__isnull=True) if locality_id is not None else Q()
    return list(
        RotaShift.objects.filter(rotas, starts_at__lte=moment, ends_at__gt=moment)
        .select_related("practitioner", "rota", "rota__locality")
        .order_by("rota_id", "position", "starts_at")
    )
