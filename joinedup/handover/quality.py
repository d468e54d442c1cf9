"""The handover quality report for managers and commissioners: aggregates only, read-only.

For a period (the last 30, 90 or 365 days), for the whole borough, by receiving
team and by the client's locality:

- completeness at first send: the mean share of handover items answered (rather
  than "not known") when referrals were first sent in the period, and how many
  were sent with every item answered;
- time to acceptance: median and 90th centile hours from sending to acceptance,
  for referrals accepted in the period (centiles interpolate linearly between
  values, as PostgreSQL's percentile_cont does);
- declines in the period, and the reasons given most often (by exact text);
- disputes opened in the period, decided in the period with the median days from
  opening to decision, and those open now past their decide-by date. A dispute
  counts for the receiving team of each referral that opened it.

No client is named. Decline reasons are free text and could name someone, so a
reason is shown only when it was given at least MIN_REASON_COUNT times; the rest
are counted together. The databases do the counting and averaging; the medians
and centiles are computed here from the durations alone (one column per row).
Each view of the report (page or chart) is one audit event, with no client.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from joinedup.core import audit
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound
from joinedup.core.roles import Role
from joinedup.directory.models import Locality, Team
from joinedup.handover.models import Dispute, DisputeState, Referral
from joinedup.handover.rules import ReferralState

READERS = frozenset({Role.TEAM_MANAGER.value, Role.MDT_COORDINATOR.value, Role.COMMISSIONER.value})
PERIODS = (30, 90, 365)
DEFAULT_PERIOD = 90
TOP_REASONS = 10
MIN_REASON_COUNT = 2
# completeness_at_first_send is answered / items: 1.0 exactly when every item was answered.
_EVERY_ITEM = 1.0 - 1e-9

ALL, TEAM, LOCALITY = "all", "team", "locality"
_REFERRAL_GROUPS = {TEAM: "receiving_team_id", LOCALITY: "client__locality_id"}
_DISPUTE_GROUPS = {TEAM: "referrals__receiving_team_id", LOCALITY: "locality_id"}


@dataclass
class Figures:
    """One row of the report: the borough, a receiving team or a locality."""

    name: str = ""
    sent: int = 0
    mean_completeness: float | None = None
    fully_answered: int = 0
    accepted: int = 0
    median_hours_to_accept: float | None = None
    p90_hours_to_accept: float | None = None
    declined: int = 0
    disputes_opened: int = 0
    disputes_decided: int = 0
    median_days_to_decision: float | None = None
    disputes_overdue: int = 0

    @property
    def share_fully_answered(self) -> float | None:
        return self.fully_answered / self.sent if self.sent else None


@dataclass(frozen=True)
class ReasonCount:
    reason: str
    count: int


@dataclass(frozen=True)
class QualityReport:
    period_days: int
    start: datetime
    end: datetime
    overall: Figures
    by_team: list[Figures]
    by_locality: list[Figures]
    decline_reasons: list[ReasonCount]
    other_declines: int  # declines whose reason is not shown (given too rarely, or beyond the top)


def may_read(actor: Actor) -> bool:
    return bool(actor.roles & READERS)


def period_of(value: int | None) -> int:
    """One of PERIODS; anything else is the default."""
    return value if value in PERIODS else DEFAULT_PERIOD


def handover_quality(
    actor: Actor, period_days: int, *, part: str = "page", now: datetime | None = None
) -> QualityReport:
    """The report for team managers, MDT coordinators and commissioners; NotFound for anyone else."""
    if not may_read(actor):
        raise NotFound("report")
    if period_days not in PERIODS:
        raise ValueError(f"The period must be one of {PERIODS} days")
    end = now or timezone.now()
    start = end - timedelta(days=period_days)
    rows: dict[tuple[str, Any], Figures] = defaultdict(Figures)
    _referral_counts(rows, start, end)
    _acceptance_times(rows, start, end)
    _dispute_counts(rows, start, end)
    _decision_times(rows, start, end)
    reasons, others = _decline_reasons(start, end)
    report = QualityReport(
        period_days=period_days,
        start=start,
        end=end,
        overall=rows[(ALL, None)],
        by_team=_named(rows, TEAM, Team.objects),
        by_locality=_named(rows, LOCALITY, Locality.objects),
        decline_reasons=reasons,
        other_declines=others,
    )
    with transaction.atomic():
        audit.record(
            actor,
            "report",
            object_type="HandoverQuality",
            object_id=f"{period_days}d",
            reason="handover quality report (aggregates, no client)",
            detail={"period_days": period_days, "part": part},
        )
    return report


def _named(rows: dict[tuple[str, Any], Figures], group: str, directory: Any) -> list[Figures]:
    """The rows of one grouping, named from the directory, by name."""
    keys = {key for kind, key in rows if kind == group and key is not None}
    names = dict(directory.filter(pk__in=keys).values_list("pk", "name"))
    found = []
    for key in keys:
        rows[(group, key)].name = names.get(key, f"#{key}")
        found.append(rows[(group, key)])
    return sorted(found, key=lambda f: f.name)


def _groups(rows: dict[tuple[str, Any], Figures], querysets: dict[str, Iterable[Any]]) -> None:
    for group, found in querysets.items():
        for values in found:
            figures = rows[(group, values.pop("key"))]
            for name, value in values.items():
                setattr(figures, name, value)


def _referral_counts(rows: dict[tuple[str, Any], Figures], start: datetime, end: datetime) -> None:
    sent = Q(sent_at__gt=start, sent_at__lte=end, completeness_at_first_send__isnull=False)
    decided = Q(decided_at__gt=start, decided_at__lte=end)
    metrics = {
        "sent": Count("pk", filter=sent),
        "mean_completeness": Avg("completeness_at_first_send", filter=sent),
        "fully_answered": Count("pk", filter=sent & Q(completeness_at_first_send__gte=_EVERY_ITEM)),
        "accepted": Count("pk", filter=decided & Q(state=ReferralState.ACCEPTED)),
        "declined": Count("pk", filter=decided & Q(state=ReferralState.DECLINED)),
    }
    base = Referral.objects.filter(Q(sent_at__gt=start, sent_at__lte=end) | decided).order_by()
    _groups(rows, {ALL: [{"key": None, **base.aggregate(**metrics)}]})
    _groups(rows, {group: base.values(key=F(path)).annotate(**metrics) for group, path in _REFERRAL_GROUPS.items()})


def _hours(wait: timedelta) -> float:
    return wait.total_seconds() / 3600


def _median_and_p90(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    if len(values) == 1:
        return values[0], values[0]
    return statistics.median(values), statistics.quantiles(values, n=10, method="inclusive")[8]


def _acceptance_times(rows: dict[tuple[str, Any], Figures], start: datetime, end: datetime) -> None:
    waits = (
        Referral.objects.filter(
            state=ReferralState.ACCEPTED, decided_at__gt=start, decided_at__lte=end, sent_at__isnull=False
        )
        .order_by()
        .annotate(wait=ExpressionWrapper(F("decided_at") - F("sent_at"), output_field=DurationField()))
        .values_list("receiving_team_id", "client__locality_id", "wait")
    )
    hours: dict[tuple[str, Any], list[float]] = defaultdict(list)
    for team_id, locality_id, wait in waits:
        for key in ((ALL, None), (TEAM, team_id), (LOCALITY, locality_id)):
            hours[key].append(_hours(wait))
    for key, values in hours.items():
        rows[key].median_hours_to_accept, rows[key].p90_hours_to_accept = _median_and_p90(values)


def _dispute_counts(rows: dict[tuple[str, Any], Figures], start: datetime, end: datetime) -> None:
    opened = Q(opened_at__gt=start, opened_at__lte=end)
    decided = Q(state=DisputeState.DECIDED, decided_at__gt=start, decided_at__lte=end)
    overdue = Q(state=DisputeState.OPEN, decide_by__lt=end)
    metrics = {
        "disputes_opened": Count("pk", filter=opened, distinct=True),
        "disputes_decided": Count("pk", filter=decided, distinct=True),
        "disputes_overdue": Count("pk", filter=overdue, distinct=True),
    }
    base = Dispute.objects.filter(opened | decided | overdue).order_by()
    _groups(rows, {ALL: [{"key": None, **base.aggregate(**metrics)}]})
    _groups(rows, {group: base.values(key=F(path)).annotate(**metrics) for group, path in _DISPUTE_GROUPS.items()})


def _decision_times(rows: dict[tuple[str, Any], Figures], start: datetime, end: datetime) -> None:
    decided = (
        Dispute.objects.filter(state=DisputeState.DECIDED, decided_at__gt=start, decided_at__lte=end)
        .order_by()
        .annotate(took=ExpressionWrapper(F("decided_at") - F("opened_at"), output_field=DurationField()))
        .values_list("pk", "locality_id", "referrals__receiving_team_id", "took")
    )
    days: dict[tuple[str, Any], dict[int, float]] = defaultdict(dict)  # one value per dispute in each row
    for dispute_id, locality_id, team_id, took in decided:
        for key in ((ALL, None), (LOCALITY, locality_id), (TEAM, team_id)):
            days[key][dispute_id] = took.total_seconds() / 86400
    for key, by_dispute in days.items():
        if key[1] is not None or key[0] == ALL:
            rows[key].median_days_to_decision = statistics.median(by_dispute.values())


def _decline_reasons(start: datetime, end: datetime) -> tuple[list[ReasonCount], int]:
    declined = Referral.objects.filter(
        state=ReferralState.DECLINED, decided_at__gt=start, decided_at__lte=end
    ).order_by()
    top = (
        declined.values("decline_reason")
        .annotate(count=Count("pk"))
        .filter(count__gte=MIN_REASON_COUNT)
        .order_by("-count", "decline_reason")[:TOP_REASONS]
    )
    reasons = [ReasonCount(row["decline_reason"], row["count"]) for row in top]
    return reasons, declined.count() - sum(r.count for r in reasons)
