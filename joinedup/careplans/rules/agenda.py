"""The MDT meeting's agenda and schedule. Pure.

Agenda *sources* (readmissions and bounces, open disputes, crises, overdue plan reviews,
severe frailty, clients added by members...) each propose clients for a locality and a
period, with a reason. `merge` turns their proposals into one agenda: one item per
client carrying every reason, only clients the coordinator may see, none the coordinator
already removed or listed, most pressing first.

A meeting series recurs every N weeks from its first date; the period a meeting looks
back over runs from the previous meeting to this one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# Lower comes first on the agenda. Sources from other parts use these too.
PRIORITY_DISPUTE = 10
PRIORITY_CRISIS = 20
PRIORITY_READMISSION = 30
PRIORITY_OVERDUE_REVIEW = 40
PRIORITY_FRAILTY = 50
PRIORITY_ADDED_BY_MEMBER = 60
DEFAULT_LOOKBACK_DAYS = 28
MAX_EVERY_WEEKS = 8


@dataclass(frozen=True)
class Period:
    """What happened from `start` (inclusive) to `end` (exclusive): since the last meeting."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("A period needs time zones")
        if self.end <= self.start:
            raise ValueError("A period ends after it starts")


@dataclass(frozen=True)
class Proposal:
    """One source's reason to discuss one client."""

    client_id: int
    source: str  # the registered source's key, e.g. "disputes"
    reason: str  # as the meeting reads it: "Open dispute #12: decide by 3 March"
    priority: int = 100
    ref: str = ""  # what it is about, e.g. "dispute:12", so the meeting can act on it


@dataclass(frozen=True)
class ProposedItem:
    client_id: int
    reasons: tuple[Proposal, ...]

    @property
    def priority(self) -> int:
        return min(reason.priority for reason in self.reasons)


def merge(
    proposals: Iterable[Proposal], visible: Collection[int], excluded: Collection[int] = ()
) -> list[ProposedItem]:
    """One item per client the coordinator may see and has not already listed or removed.

    A reason given twice (same source and ref, or same text) is kept once, at the more pressing
    of its priorities; items go by their most pressing reason, then by how many reasons they
    have, then by client.
    """
    by_client: dict[int, dict[tuple[str, str, str], Proposal]] = {}
    for proposal in proposals:
        if proposal.client_id not in visible or proposal.client_id in excluded:
            continue
        key = (proposal.source, proposal.ref, "" if proposal.ref else proposal.reason)
        reasons = by_client.setdefault(proposal.client_id, {})
        kept = reasons.get(key)
        if kept is None or proposal.priority < kept.priority:
            reasons[key] = proposal
    items = [
        ProposedItem(client_id, tuple(sorted(reasons.values(), key=lambda r: (r.priority, r.source, r.ref))))
        for client_id, reasons in by_client.items()
    ]
    return sorted(items, key=lambda item: (item.priority, -len(item.reasons), item.client_id))


class ScheduleError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_schedule(every_weeks: int, duration_minutes: int) -> None:
    if not 1 <= every_weeks <= MAX_EVERY_WEEKS:
        raise ScheduleError("every_weeks", f"Meet every 1 to {MAX_EVERY_WEEKS} weeks")
    if not 15 <= duration_minutes <= 8 * 60:
        raise ScheduleError("duration_minutes", "A meeting lasts from 15 minutes to 8 hours")


def occurrences(first: date, every_weeks: int, on_or_after: date, count: int) -> list[date]:
    """The next `count` meeting days of a series from `on_or_after` (the series starts on `first`)."""
    if every_weeks < 1:
        raise ValueError("every_weeks must be at least 1")
    step = timedelta(weeks=every_weeks)
    if on_or_after <= first:
        start = first
    else:
        periods = -(-(on_or_after - first).days // step.days)  # ceiling division
        start = first + step * periods
    return [start + step * n for n in range(count)]


def lookback(
    previous_start: datetime | None, this_start: datetime, default_days: int = DEFAULT_LOOKBACK_DAYS
) -> Period:
    """Since the previous meeting of the locality, or the last `default_days` for the first one."""
    start = previous_start if previous_start is not None and previous_start < this_start else None
    return Period(start or this_start - timedelta(days=default_days), this_start)
