"""The crisis board of a locality or of the borough: open crises by time left (crisis.queries,
scoped and audited), who is on call now and next, bridging capacity today, and rota alerts.

Who is on call and brokerage's capacity are directory data, read for anyone signed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from joinedup.core.access import Actor
from joinedup.core.errors import NotFound
from joinedup.crisis import config
from joinedup.crisis.models import BridgingCapacity, BridgingPackage, Rota, RotaAlert, RotaShift
from joinedup.crisis.outcomes import ActionStatus
from joinedup.crisis.queries import BoardRow, open_crises
from joinedup.crisis.routing import IN_HOURS_SERVICE
from joinedup.crisis.rules import SECTOR_SERVICE, Sector
from joinedup.directory.models import Locality, Team, TeamKind

_NEXT_WITHIN = timedelta(days=14)


@dataclass(frozen=True)
class OnCallLine:
    """Who answers a sector's crises in a locality now, and who is on call next."""

    place: str
    sector: Sector
    open_now: bool
    in_hours_team: Team | None
    rota: Rota | None
    first: tuple[RotaShift, ...]
    second: tuple[RotaShift, ...]
    next: RotaShift | None

    @property
    def sector_label(self) -> str:
        return self.sector.label


@dataclass(frozen=True)
class BridgingToday:
    capacity: int
    arranged_today: int
    waiting: int  # requested, not yet arranged
    in_place: int

    @property
    def left(self) -> int:
        return max(self.capacity - self.arranged_today, 0)


@dataclass(frozen=True)
class Board:
    locality: Locality | None
    rows: list[BoardRow]
    on_call: list[OnCallLine]
    bridging: BridgingToday
    alerts: list[RotaAlert]
    at: datetime
    poll_seconds: int

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.rows if row.crisis.response_due_at <= self.at and row.crisis.arrived_at is None)


def _teams(sector: Sector, locality_ids: list[int]) -> dict[int | None, Team]:
    teams = Team.objects.filter(kind=TeamKind.SERVICE, service=IN_HOURS_SERVICE[sector]).select_related("duty_worker")
    found: dict[int | None, Team] = {}
    for team in teams.filter(Q(locality_id__in=locality_ids) | Q(locality__isnull=True)).order_by("name"):
        found.setdefault(team.locality_id, team)
    return found


def on_call_lines(localities: list[Locality], now: datetime) -> list[OnCallLine]:
    hours = config.service_hours()
    ids = [place.pk for place in localities]
    rotas = list(
        Rota.objects.filter(Q(locality_id__in=ids) | Q(locality__isnull=True)).select_related("team", "fallback")
    )
    shifts = list(
        RotaShift.objects.filter(rota__in=rotas, ends_at__gt=now, starts_at__lt=now + _NEXT_WITHIN)
        .select_related("practitioner")
        .order_by("starts_at", "position", "id")
    )
    lines = []
    for sector in Sector:
        teams = _teams(sector, ids)
        for place in localities:
            rota = next((r for r in rotas if r.sector == sector and r.locality_id == place.pk), None)
            rota = rota or next((r for r in rotas if r.sector == sector and r.locality_id is None), None)
            mine = [s for s in shifts if rota is not None and s.rota_id == rota.pk]
            now_on = [s for s in mine if s.starts_at <= now]
            later = [s for s in mine if s.starts_at > now and s.position == 1]
            lines.append(
                OnCallLine(
                    place=place.name,
                    sector=sector,
                    open_now=hours[SECTOR_SERVICE[sector]].is_open(now),
                    in_hours_team=teams.get(place.pk) or teams.get(None),
                    rota=rota,
                    first=tuple(s for s in now_on if s.position == 1),
                    second=tuple(s for s in now_on if s.position == 2),
                    next=later[0] if later else None,
                )
            )
    return lines


def bridging_today(now: datetime) -> BridgingToday:
    today = timezone.localtime(now).date()
    set_today = BridgingCapacity.objects.filter(day=today).values_list("packages", flat=True).first()
    packages = BridgingPackage.objects.exclude(action__status=ActionStatus.CANCELLED)
    return BridgingToday(
        capacity=set_today if set_today is not None else config.bridging_packages_per_day(),
        arranged_today=packages.filter(arranged_at__date=today).count(),
        waiting=packages.filter(action__status=ActionStatus.REQUESTED).count(),
        in_place=packages.filter(
            action__status__in=(ActionStatus.ARRANGED, ActionStatus.DONE), starts_at__lte=now, ends_at__gt=now
        ).count(),
    )


def recent_alerts(locality: Locality | None, now: datetime) -> list[RotaAlert]:
    alerts = RotaAlert.objects.filter(Q(raised_at__gte=now - timedelta(hours=24)) | Q(ends_at__gt=now))
    if locality is not None:
        alerts = alerts.filter(Q(locality=locality) | Q(locality__isnull=True))
    return list(alerts.select_related("rota", "rota__locality").order_by("-raised_at")[:10])


def locality_by_code(code: str | None) -> Locality | None:
    if not code:
        return None
    found = Locality.objects.filter(code=code).first()
    if found is None:
        raise NotFound("locality")
    return found


def board(actor: Actor, locality_code: str | None = None) -> Board:
    """The board of a locality (by its code), or of the whole borough."""
    if not actor.works_with_clients:
        raise NotFound("board")
    locality = locality_by_code(locality_code)
    now = timezone.now()
    places = [locality] if locality is not None else list(Locality.objects.order_by("name"))
    return Board(
        locality=locality,
        rows=open_crises(actor, locality.pk if locality else None),
        on_call=on_call_lines(places, now),
        bridging=bridging_today(now),
        alerts=recent_alerts(locality, now),
        at=now,
        poll_seconds=config.poll_seconds(),
    )
