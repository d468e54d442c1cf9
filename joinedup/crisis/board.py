"""The crisis board of a locality or of the borough: open crises by time left (crisis.queries,
scoped and audited), who is on call now and next, bridging capacity today, and rota alerts.

Who is on call and brokerage's capacity are directory data, read for anyone signed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TypeVar, cast

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from joinedup.core.access import Actor
from joinedup.core.errors import NotFound
from joinedup.core.working_time import LONDON
from joinedup.crisis import config
from joinedup.crisis.models import BridgingCapacity, BridgingPackage, Rota, RotaAlert, RotaShift
from joinedup.crisis.outcomes import ActionStatus
from joinedup.crisis.queries import BoardLine, board_lines
from joinedup.crisis.routing import IN_HOURS_SERVICE
from joinedup.crisis.rules import SECTOR_SERVICE, Sector
from joinedup.directory.models import Locality, Team, TeamKind

_NEXT_WITHIN = timedelta(days=3)  # "next on call" looks this far ahead


def _name(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip()


@dataclass(frozen=True)
class OnCall:
    name: str
    phone: str
    until: datetime


@dataclass(frozen=True)
class OnCallLine:
    """Who answers a sector's crises in a place now, and who is on call next (plain values: every board
    shows these on every refresh)."""

    place: str
    sector: Sector
    open_now: bool
    in_hours_team: str | None
    duty_worker: str | None
    has_rota: bool
    fallback: str
    first: tuple[OnCall, ...]
    second: tuple[OnCall, ...]
    next_name: str | None
    next_from: datetime | None

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
    rows: list[BoardLine]
    on_call: list[OnCallLine]
    bridging: BridgingToday
    alerts: list[RotaAlert]
    at: datetime
    poll_seconds: int

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.rows if row.response_due_at <= self.at and row.arrived_at is None)


def _in_hours_teams(ids: list[int]) -> dict[tuple[Sector, int | None], tuple[str, str | None]]:
    """(sector, locality or None) -> (team name, duty worker's name), the first team by name."""
    services: dict[str, Sector] = {service.value: sector for sector, service in IN_HOURS_SERVICE.items()}
    rows = (
        Team.objects.filter(kind=TeamKind.SERVICE, service__in=list(services))
        .filter(Q(locality_id__in=ids) | Q(locality__isnull=True))
        .order_by("name")
        .values_list("service", "locality_id", "name", "duty_worker__first_name", "duty_worker__last_name")
    )
    found: dict[tuple[Sector, int | None], tuple[str, str | None]] = {}
    for service, locality_id, name, first, last in rows:
        duty = _name(first, last) or None
        found.setdefault((services[service], locality_id), (name, duty))
    return found


def _shifts(rota_ids: list[int], now: datetime) -> tuple[dict[int, list[tuple]], dict[int, tuple]]:
    """Who is on call on each rota now, by rota, and the next first on call of each."""
    covering = (
        RotaShift.objects.filter(rota_id__in=rota_ids, starts_at__lte=now, ends_at__gt=now)
        .order_by("starts_at", "id")
        .values_list("rota_id", "position", "practitioner__first_name", "practitioner__last_name",
                     "practitioner__phone", "ends_at")
    )  # fmt: skip
    now_on: dict[int, list[tuple]] = {}
    for rota_id, *rest in covering:
        now_on.setdefault(rota_id, []).append(tuple(rest))
    coming = (
        RotaShift.objects.filter(rota_id__in=rota_ids, position=1, starts_at__gt=now, starts_at__lt=now + _NEXT_WITHIN)
        .order_by("starts_at", "id")
        .values_list("rota_id", "practitioner__first_name", "practitioner__last_name", "starts_at")
    )
    following: dict[int, tuple] = {}
    for rota_id, *rest in coming:
        following.setdefault(rota_id, tuple(rest))
    return now_on, following


def _people(shifts: list[tuple], position: int) -> tuple[OnCall, ...]:
    return tuple(
        OnCall(_name(first, last), phone, until) for pos, first, last, phone, until in shifts if pos == position
    )


def on_call_lines(localities: list[Locality], now: datetime) -> list[OnCallLine]:
    hours = config.service_hours()
    ids = [place.pk for place in localities]
    rotas = list(
        Rota.objects.filter(Q(locality_id__in=ids) | Q(locality__isnull=True)).values_list(
            "pk", "locality_id", "sector", "fallback__first_name", "fallback__last_name"
        )
    )
    now_on, following = _shifts([r[0] for r in rotas], now)
    teams = _in_hours_teams(ids)
    lines = []
    for sector in Sector:
        for place in localities:
            mine = [r for r in rotas if r[2] == sector and r[1] in (place.pk, None)]
            rota = min(mine, key=lambda r: r[1] is None, default=None)  # the locality's own first
            team, duty = teams.get((sector, place.pk)) or teams.get((sector, None)) or (None, None)
            shifts = now_on.get(rota[0], []) if rota else []
            coming = following.get(rota[0]) if rota else None
            lines.append(
                OnCallLine(
                    place=place.name,
                    sector=sector,
                    open_now=hours[SECTOR_SERVICE[sector]].is_open(now),
                    in_hours_team=team,
                    duty_worker=duty,
                    has_rota=rota is not None,
                    fallback=_name(rota[3], rota[4]) if rota else "",
                    first=_people(shifts, 1),
                    second=_people(shifts, 2),
                    next_name=_name(coming[0], coming[1]) if coming else None,
                    next_from=coming[2] if coming else None,
                )
            )
    return lines


def bridging_today(now: datetime) -> BridgingToday:
    """Brokerage's capacity today and how it is used, in one query (borough-wide)."""
    today = timezone.localtime(now).date()
    midnight = datetime.combine(today, time(0), tzinfo=LONDON)
    set_today = BridgingCapacity.objects.filter(day=today).values_list("packages", flat=True).first()
    live = ~Q(action__status=ActionStatus.CANCELLED)
    counts = BridgingPackage.objects.aggregate(
        arranged=Count("pk", filter=live & Q(arranged_at__gte=midnight, arranged_at__lt=midnight + timedelta(days=1))),
        waiting=Count("pk", filter=Q(action__status=ActionStatus.REQUESTED)),
        in_place=Count(
            "pk",
            filter=Q(
                action__status__in=(ActionStatus.ARRANGED, ActionStatus.DONE), starts_at__lte=now, ends_at__gt=now
            ),
        ),
    )
    return BridgingToday(
        capacity=set_today if set_today is not None else config.bridging_packages_per_day(),
        arranged_today=counts["arranged"],
        waiting=counts["waiting"],
        in_place=counts["in_place"],
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


T = TypeVar("T")


def _shared(key: str, compute: Callable[[], T]) -> T:
    """What every board shows alike (who is on call, brokerage's capacity, rota alerts: no client data),
    computed once per JOINEDUP_CRISIS_BOARD_SHARED_SECONDS in each process rather than for every
    board's refresh: 7 of a refresh's queries (docs/benchmarks.md). 0 computes it every time."""
    seconds = config.board_shared_seconds()
    if seconds <= 0:
        return compute()
    return cast(T, cache.get_or_set(f"crisis-board:{key}", compute, timeout=seconds))


def board(actor: Actor, locality_code: str | None = None) -> Board:
    """The board of a locality (by its code), or of the whole borough."""
    if not actor.works_with_clients:
        raise NotFound("board")
    locality = locality_by_code(locality_code)
    now = timezone.now()
    places = [locality] if locality is not None else list(Locality.objects.order_by("name"))
    where = str(locality.pk) if locality is not None else "borough"
    return Board(
        locality=locality,
        rows=board_lines(actor, locality.pk if locality else None),
        on_call=_shared(f"on-call:{where}", lambda: on_call_lines(places, now)),
        bridging=_shared("bridging", lambda: bridging_today(now)),
        alerts=_shared(f"alerts:{where}", lambda: recent_alerts(locality, now)),
        at=now,
        poll_seconds=config.poll_seconds(),
    )
