"""Crisis routing: who owns a crisis the moment it is raised. Pure: no Django.

A crisis is routed by its situation (a health or a social care one), the moment
and the client's locality, never by who is accountable for the client ("crisis
first, whose client afterwards"):

1. while the service of its sector is open (`ServiceKey`, hours configurable,
   England and Wales bank holidays as the service says), the in-hours team of the
   locality (its duty worker);
2. otherwise, or when that team has no duty worker, the person first on call on
   the locality's rota for the sector at that instant;
3. otherwise the rota's named fallback, and the gap is reported (an alert, never
   silent); with no rota at all, the locality MDT, reported too.

The escalation chain (who hears next when nobody acknowledges) is part of the
route: the next person on the rota, then the service manager.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from joinedup.core.working_time import LONDON, WorkingHours
from joinedup.handover.deadlines import PolicyConfigError, response_policy_from_config

UTC = ZoneInfo("UTC")


class Sector(StrEnum):
    HEALTH = "health"
    SOCIAL_CARE = "social_care"

    @property
    def label(self) -> str:
        return "Health" if self is Sector.HEALTH else "Social care"


class Situation(StrEnum):
    # The nine Urgent Community Response clinical conditions.
    FALL = "fall"
    FRAILTY = "frailty"
    REDUCED_FUNCTION = "reduced_function"
    URGENT_EQUIPMENT = "urgent_equipment"
    CATHETER_CARE = "catheter_care"
    DIABETES = "diabetes"
    CARER_BREAKDOWN = "carer_breakdown"
    CONFUSION = "confusion"
    END_OF_LIFE = "end_of_life"
    # Social care situations.
    CARE_PACKAGE_BREAKDOWN = "care_package_breakdown"
    EMERGENCY_MEDICATION = "emergency_medication"
    NO_FOOD_OR_HEATING = "no_food_or_heating"

    @property
    def label(self) -> str:
        return SITUATION_LABELS[self]

    @property
    def sector(self) -> Sector:
        return Sector.SOCIAL_CARE if self in SOCIAL_CARE_SITUATIONS else Sector.HEALTH


SITUATION_LABELS = {
    Situation.FALL: "Fall without serious injury",
    Situation.FRAILTY: "Frailty: decompensation",
    Situation.REDUCED_FUNCTION: "Reduced function or deconditioning",
    Situation.URGENT_EQUIPMENT: "Urgent equipment",
    Situation.CATHETER_CARE: "Urgent catheter care",
    Situation.DIABETES: "Urgent diabetes support",
    Situation.CARER_BREAKDOWN: "Unpaid carer breakdown",
    Situation.CONFUSION: "Confusion or delirium",
    Situation.END_OF_LIFE: "End-of-life crisis",
    Situation.CARE_PACKAGE_BREAKDOWN: "Care package breakdown",
    Situation.EMERGENCY_MEDICATION: "Emergency medication needed",
    Situation.NO_FOOD_OR_HEATING: "No food or heating",
}
SOCIAL_CARE_SITUATIONS = frozenset(
    {Situation.CARE_PACKAGE_BREAKDOWN, Situation.EMERGENCY_MEDICATION, Situation.NO_FOOD_OR_HEATING}
)


class ServiceKey(StrEnum):
    """The service that answers a sector's crises in its hours."""

    URGENT_COMMUNITY_RESPONSE = "urgent_community_response"
    SOCIAL_CARE = "social_care"


SECTOR_SERVICE = {Sector.HEALTH: ServiceKey.URGENT_COMMUNITY_RESPONSE, Sector.SOCIAL_CARE: ServiceKey.SOCIAL_CARE}
EVERY_DAY = frozenset(range(7))
DEFAULT_SERVICE_HOURS: dict[ServiceKey, WorkingHours] = {
    # Urgent Community Response: 08:00-20:00, seven days a week, bank holidays included.
    ServiceKey.URGENT_COMMUNITY_RESPONSE: WorkingHours(time(8), time(20), EVERY_DAY, bank_holidays_off=False),
    # Council social care: office hours, Monday to Friday, not on bank holidays.
    ServiceKey.SOCIAL_CARE: WorkingHours(time(9), time(17), frozenset(range(5)), bank_holidays_off=True),
}


class ServiceHoursConfigError(ValueError):
    def __init__(self, errors: Iterable[str]) -> None:
        self.errors = tuple(errors)
        super().__init__("The crisis service hours are not valid: " + "; ".join(self.errors))


def service_hours_from_config(config: Any) -> dict[ServiceKey, WorkingHours]:
    """Each service's hours: the defaults, with those configured in place.

    Shape per service, as a team's response policy hours: ``{"opens": "08:00", "closes": "20:00",
    "days": ["mon", ..., "sun"], "bank_holidays_off": false}``.
    """
    if not isinstance(config, Mapping):
        raise ServiceHoursConfigError(["the service hours must be an object with a section per service"])
    errors = [f"unknown service {key!r}" for key in sorted(set(config) - set(ServiceKey))]
    hours = dict(DEFAULT_SERVICE_HOURS)
    for service in ServiceKey:
        raw = config.get(service.value)
        if raw is None:
            continue
        if not isinstance(raw, Mapping) or not raw:
            errors.append(f"{service.value}: give opens, closes, days and bank_holidays_off")
            continue
        try:
            hours[service] = response_policy_from_config({"hours": raw}).hours
        except PolicyConfigError as error:
            errors.extend(f"{service.value}: {problem.removeprefix('hours: ')}" for problem in error.errors)
    if errors:
        raise ServiceHoursConfigError(errors)
    return hours


# --- rotas ------------------------------------------------------------------------------------

FIRST_ON_CALL, SECOND_ON_CALL = 1, 2


@dataclass(frozen=True)
class Shift:
    """A practitioner on call from `starts_at` (inclusive) to `ends_at` (exclusive)."""

    person_id: int
    starts_at: datetime
    ends_at: datetime
    position: int = FIRST_ON_CALL
    shift_id: int = 0

    def covers(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at


@dataclass(frozen=True)
class RotaFacts:
    """A locality's (or the borough's) on-call rota for one sector."""

    rota_id: int
    team_id: int  # the on-call team: it owns crises routed to the rota
    manager_id: int  # the service manager: the last level of escalation
    fallback_id: int  # named fallback when nobody is on call
    shifts: tuple[Shift, ...] = ()

    def on_call(self, moment: datetime, position: int = FIRST_ON_CALL) -> list[Shift]:
        """Who is on call at `moment` in that position, the longest-serving first."""
        found = [s for s in self.shifts if s.position == position and s.covers(moment)]
        return sorted(found, key=lambda s: (s.starts_at, s.shift_id, s.person_id))

    def next_on_call(self, moment: datetime, position: int = FIRST_ON_CALL) -> Shift | None:
        """The next shift of that position to start after `moment`."""
        later = [s for s in self.shifts if s.position == position and s.starts_at > moment]
        return min(later, key=lambda s: (s.starts_at, s.shift_id, s.person_id), default=None)


@dataclass(frozen=True)
class TeamOnDuty:
    """A team that can own a crisis: who answers for it now, and its manager."""

    team_id: int
    duty_worker_id: int | None
    manager_id: int | None


class Basis(StrEnum):
    IN_HOURS = "in_hours"
    ON_CALL = "on_call"
    FALLBACK = "fallback"
    LAST_RESORT = "last_resort"

    @property
    def label(self) -> str:
        return {
            Basis.IN_HOURS: "In hours",
            Basis.ON_CALL: "On call",
            Basis.FALLBACK: "Rota fallback",
            Basis.LAST_RESORT: "Locality MDT (no rota)",
        }[self]


@dataclass(frozen=True)
class Route:
    """Who owns the crisis at once, and who hears next if nobody acknowledges."""

    basis: Basis
    team_id: int
    person_id: int | None
    chain: tuple[int | None, ...]  # escalation levels 1, 2: the next on the rota, then the manager
    gap: str | None  # why the first choice could not take it (an alert), or None
    service: ServiceKey
    in_hours: bool

    @property
    def has_gap(self) -> bool:
        return self.gap is not None


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Routing needs a timezone-aware moment")
    return moment.astimezone(UTC)


def _chain(owner: int | None, candidates: Iterable[int | None], levels: int = 2) -> tuple[int | None, ...]:
    """The escalation levels: distinct people other than the owner; a level with nobody is None."""
    people: list[int] = []
    for person in candidates:
        if person is not None and person != owner and person not in people:
            people.append(person)
    people = people[:levels]
    return tuple(people) + (None,) * (levels - len(people))


def _next_on_rota(rota: RotaFacts | None, moment: datetime, owner: int | None) -> list[int | None]:
    """The next person on the rota now: the second on call, else another first on call."""
    if rota is None:
        return []
    seconds = [s.person_id for s in rota.on_call(moment, SECOND_ON_CALL)]
    firsts = [s.person_id for s in rota.on_call(moment, FIRST_ON_CALL)]
    found: list[int | None] = [p for p in [*seconds, *firsts] if p != owner]
    return found[:1]


def route(
    situation: Situation | str,
    moment: datetime,
    *,
    hours: Mapping[ServiceKey, WorkingHours],
    in_hours_team: TeamOnDuty | None,
    rota: RotaFacts | None,
    last_resort: TeamOnDuty,
) -> Route:
    """The owner of a crisis raised at `moment`: always a team, and a person whenever one is named."""
    service = SECTOR_SERVICE[Situation(situation).sector]
    moment = _utc(moment)
    open_now = hours[service].is_open(moment)
    gaps: list[str] = []
    if open_now:
        if in_hours_team is not None and in_hours_team.duty_worker_id is not None:
            owner = in_hours_team.duty_worker_id
            manager = in_hours_team.manager_id or (rota.manager_id if rota else None)
            chain = _chain(owner, [*_next_on_rota(rota, moment, owner), manager])
            return Route(Basis.IN_HOURS, in_hours_team.team_id, owner, chain, None, service, True)
        gaps.append("the in-hours team has no duty worker" if in_hours_team else "no in-hours team for the locality")
    if rota is not None:
        on_call = rota.on_call(moment)
        if on_call:
            owner = on_call[0].person_id
            chain = _chain(owner, [*_next_on_rota(rota, moment, owner), rota.manager_id, rota.fallback_id])
            return Route(Basis.ON_CALL, rota.team_id, owner, chain, _gap(gaps), service, open_now)
        gaps.append("nobody is on call on the rota")
        chain = _chain(rota.fallback_id, [rota.manager_id])
        return Route(Basis.FALLBACK, rota.team_id, rota.fallback_id, chain, _gap(gaps), service, open_now)
    gaps.append("the locality has no on-call rota for this sector")
    someone = last_resort.duty_worker_id or last_resort.manager_id
    chain = _chain(someone, [last_resort.manager_id])
    return Route(Basis.LAST_RESORT, last_resort.team_id, someone, chain, _gap(gaps), service, open_now)


def _gap(gaps: list[str]) -> str | None:
    return ("; ".join(gaps)).capitalize() if gaps else None


# --- rota gaps ahead ----------------------------------------------------------------------------


def closed_periods(hours: WorkingHours, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The periods in [start, end) when the service is closed, in UTC, on the London wall clock."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        return []
    opened: list[tuple[datetime, datetime]] = []
    day = start.astimezone(LONDON).date() - timedelta(days=1)
    while day <= end.astimezone(LONDON).date():
        if hours.is_working_day(day):
            opened.append((_london(day, hours.opens), _london(day, hours.closes)))
        day += timedelta(days=1)
    return _subtract([(start, end)], opened)


def _london(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=LONDON).astimezone(UTC)


def _subtract(
    periods: list[tuple[datetime, datetime]], cuts: Iterable[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    for cut_start, cut_end in sorted(cuts):
        remaining = []
        for begin, finish in periods:
            if cut_end <= begin or cut_start >= finish:
                remaining.append((begin, finish))
                continue
            if begin < cut_start:
                remaining.append((begin, cut_start))
            if cut_end < finish:
                remaining.append((cut_end, finish))
        periods = remaining
    return periods


def uncovered(rota: RotaFacts, hours: WorkingHours, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The periods in [start, end) when the service is closed and nobody is first on call."""
    shifts = [(_utc(s.starts_at), _utc(s.ends_at)) for s in rota.shifts if s.position == FIRST_ON_CALL]
    return _subtract(closed_periods(hours, start, end), shifts)


# --- local times people type ----------------------------------------------------------------------


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped when the clocks go forward (01:00-02:00 on the last Sunday of March)."""


def london_moment(day: date, clock: time) -> datetime:
    """The instant a London wall-clock time names, in UTC.

    A time the clocks skip is refused; a time that happens twice when they go back
    (01:00-02:00 on the last Sunday of October) is its first occurrence, in summer time.
    """
    local = datetime.combine(day, clock, tzinfo=LONDON)
    if local.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentLocalTime(
            f"{clock:%H:%M} on {day:%d %B %Y} does not exist in London: the clocks go forward that night"
        )
    return local.astimezone(UTC)
