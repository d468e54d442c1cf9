"""Reads of the on-call rotas: who is on call now and next, shifts to come, gaps ahead. Directory data:
the rotas name practitioners, never clients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from joinedup.core.errors import NotFound
from joinedup.core.roles import Role
from joinedup.crisis import config
from joinedup.crisis.models import Rota, RotaAlert, RotaShift
from joinedup.crisis.routing import rota_facts
from joinedup.crisis.rules import SECTOR_SERVICE, Sector, uncovered
from joinedup.directory.models import Practitioner

SHOWN_AHEAD = timedelta(days=14)
GAPS_AHEAD = timedelta(days=7)


@dataclass(frozen=True)
class RotaView:
    rota: Rota
    first: list[RotaShift]
    second: list[RotaShift]
    next: RotaShift | None
    shifts: list[RotaShift]  # under way or to come within two weeks
    gaps: list[tuple[datetime, datetime]]  # closed hours with nobody first on call, within a week

    @property
    def sector_label(self) -> str:
        return Sector(self.rota.sector).label


def _view(rota: Rota, shifts: list[RotaShift], now: datetime) -> RotaView:
    mine = [s for s in shifts if s.rota_id == rota.pk]
    now_on = [s for s in mine if s.starts_at <= now < s.ends_at]
    later = [s for s in mine if s.starts_at > now and s.position == 1]
    hours = config.service_hours()[SECTOR_SERVICE[Sector(rota.sector)]]
    gaps = uncovered(rota_facts(rota, mine), hours, now, now + GAPS_AHEAD)
    return RotaView(
        rota=rota,
        first=[s for s in now_on if s.position == 1],
        second=[s for s in now_on if s.position == 2],
        next=later[0] if later else None,
        shifts=mine,
        gaps=gaps,
    )


def _shifts(rotas: list[Rota], now: datetime) -> list[RotaShift]:
    return list(
        RotaShift.objects.filter(rota__in=rotas, ends_at__gt=now, starts_at__lt=now + SHOWN_AHEAD)
        .select_related("practitioner")
        .order_by("starts_at", "position", "id")
    )


def rota_views(now: datetime) -> list[RotaView]:
    rotas = list(Rota.objects.select_related("locality", "team", "manager", "fallback"))
    shifts = _shifts(rotas, now)
    return [_view(rota, shifts, now) for rota in rotas]


def rota_view(rota_id: int, now: datetime) -> RotaView:
    rota = Rota.objects.select_related("locality", "team", "manager", "fallback").filter(pk=rota_id).first()
    if rota is None:
        raise NotFound("rota")
    return _view(rota, _shifts([rota], now), now)


def rota_alerts(rota: Rota, now: datetime) -> list[RotaAlert]:
    return list(rota.alerts.filter(Q(raised_at__gte=now - timedelta(days=7)) | Q(ends_at__gt=now))[:20])


def on_call_candidates(rota: Rota) -> list[Practitioner]:
    """Who may go on the rota: the on-call team's members first, then anyone with the on-call role."""
    people = Practitioner.objects.filter(is_active=True).filter(
        Q(memberships__team=rota.team)
        | Q(groups__name=Role.ON_CALL.value)
        | Q(pk__in=[rota.manager_id, rota.fallback_id])
    )
    return sorted(set(people), key=lambda p: (p.last_name, p.first_name, p.pk))
