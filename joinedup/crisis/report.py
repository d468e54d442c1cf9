"""The crisis report for managers and commissioners: aggregates only, no client named, read-only.

For the crises raised in a period (the last 30, 90 or 365 days), for the borough, by
locality and by situation:

- how many were raised, by weekday and hour on the London clock (the Friday afternoon effect);
- time to acknowledge and time to arrive: median and 90th centile minutes;
- the share with someone there within 2 hours, of the crises whose 2 hours have run (not cancelled);
- outcomes, and admissions avoided: resolved with the client staying at home and no admission
  linked within 48 hours (crisis.admissions). A stay at home followed by an admission within
  48 hours counts as admitted, not avoided.

Each view (page or chart) is one audit event, with no client.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from joinedup.core import audit
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound
from joinedup.core.roles import Role
from joinedup.core.working_time import LONDON
from joinedup.crisis.clock import RESPONSE_TARGET
from joinedup.crisis.models import Crisis, CrisisState
from joinedup.crisis.outcomes import Outcome
from joinedup.crisis.rules import Situation
from joinedup.directory.models import Locality

READERS = frozenset({Role.TEAM_MANAGER.value, Role.MDT_COORDINATOR.value, Role.COMMISSIONER.value})
PERIODS = (30, 90, 365)
DEFAULT_PERIOD = 90
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass
class Figures:
    name: str = ""
    raised: int = 0
    cancelled: int = 0
    due: int = 0  # not cancelled, and the 2 hours have run
    within_target: int = 0
    resolved: int = 0
    stayed_home: int = 0
    admitted: int = 0
    other: int = 0
    avoided: int = 0
    admitted_after_staying: int = 0
    ack_minutes: list[float] = field(default_factory=list, repr=False)
    arrive_minutes: list[float] = field(default_factory=list, repr=False)

    @property
    def share_within_target(self) -> float | None:
        return self.within_target / self.due if self.due else None

    @property
    def share_avoided(self) -> float | None:
        return self.avoided / self.resolved if self.resolved else None

    @property
    def median_ack(self) -> float | None:
        return _centiles(self.ack_minutes)[0]

    @property
    def p90_ack(self) -> float | None:
        return _centiles(self.ack_minutes)[1]

    @property
    def median_arrive(self) -> float | None:
        return _centiles(self.arrive_minutes)[0]

    @property
    def p90_arrive(self) -> float | None:
        return _centiles(self.arrive_minutes)[1]


def _centiles(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    if len(values) == 1:
        return values[0], values[0]
    return statistics.median(values), statistics.quantiles(values, n=10, method="inclusive")[8]


@dataclass(frozen=True)
class CrisisReport:
    period_days: int
    start: datetime
    end: datetime
    overall: Figures
    by_locality: list[Figures]
    by_situation: list[Figures]
    by_weekday_hour: list[list[int]]  # [weekday 0-6][hour 0-23]

    @property
    def by_weekday(self) -> list[int]:
        return [sum(hours) for hours in self.by_weekday_hour]

    @property
    def busiest(self) -> tuple[str, int, int] | None:
        """The weekday and hour with most crises raised: (weekday, hour, count)."""
        cells = [
            (count, day, hour) for day, hours in enumerate(self.by_weekday_hour) for hour, count in enumerate(hours)
        ]
        count, day, hour = max(cells, default=(0, 0, 0))
        return (WEEKDAYS[day], hour, count) if count else None


def may_read(actor: Actor) -> bool:
    return bool(actor.roles & READERS)


def period_of(value: int | None) -> int:
    return value if value in PERIODS else DEFAULT_PERIOD


_FIELDS = (
    "raised_at",
    "response_due_at",
    "acknowledged_at",
    "arrived_at",
    "state",
    "outcome",
    "admitted_at",
    "locality_id",
    "situation",
)


def _count(figures: Figures, row: dict, end: datetime) -> None:
    figures.raised += 1
    if row["state"] == CrisisState.CANCELLED:
        figures.cancelled += 1
        return
    raised = row["raised_at"]
    if row["acknowledged_at"] is not None:
        figures.ack_minutes.append((row["acknowledged_at"] - raised).total_seconds() / 60)
    if row["arrived_at"] is not None:
        figures.arrive_minutes.append((row["arrived_at"] - raised).total_seconds() / 60)
    if row["response_due_at"] <= end:
        figures.due += 1
        if row["arrived_at"] is not None and row["arrived_at"] - raised <= RESPONSE_TARGET:
            figures.within_target += 1
    if row["state"] != CrisisState.RESOLVED:
        return
    figures.resolved += 1
    outcome = row["outcome"]
    if outcome == Outcome.STAYED_HOME and row["admitted_at"] is not None:
        figures.admitted_after_staying += 1
        figures.admitted += 1
    elif outcome == Outcome.STAYED_HOME:
        figures.stayed_home += 1
        figures.avoided += 1
    elif outcome == Outcome.ADMITTED:
        figures.admitted += 1
    else:
        figures.other += 1


def crisis_report(actor: Actor, period_days: int, *, part: str = "page", now: datetime | None = None) -> CrisisReport:
    """The report for team managers, MDT coordinators and commissioners; NotFound for anyone else."""
    if not may_read(actor):
        raise NotFound("report")
    if period_days not in PERIODS:
        raise ValueError(f"The period must be one of {PERIODS} days")
    end = now or timezone.now()
    start = end - timedelta(days=period_days)
    overall = Figures(name="Whole borough")
    localities: dict[int, Figures] = defaultdict(Figures)
    situations: dict[str, Figures] = defaultdict(Figures)
    grid = [[0] * 24 for _ in range(7)]
    rows = Crisis.objects.filter(raised_at__gt=start, raised_at__lte=end).order_by().values(*_FIELDS)
    for row in rows.iterator(chunk_size=5000):
        for figures in (overall, localities[row["locality_id"]], situations[row["situation"]]):
            _count(figures, row, end)
        local = row["raised_at"].astimezone(LONDON)
        grid[local.weekday()][local.hour] += 1
    names = dict(Locality.objects.filter(pk__in=list(localities)).values_list("pk", "name"))
    for locality_id, figures in localities.items():
        figures.name = names.get(locality_id, f"#{locality_id}")
    for situation, figures in situations.items():
        figures.name = Situation(situation).label
    report = CrisisReport(
        period_days=period_days,
        start=start,
        end=end,
        overall=overall,
        by_locality=sorted(localities.values(), key=lambda f: f.name),
        by_situation=sorted(situations.values(), key=lambda f: (-f.raised, f.name)),
        by_weekday_hour=grid,
    )
    with transaction.atomic():
        audit.record(
            actor, "report", object_type="CrisisReport", object_id=f"{period_days}d",
            reason="crisis report (aggregates, no client)", detail={"period_days": period_days, "part": part},
        )  # fmt: skip
    return report
