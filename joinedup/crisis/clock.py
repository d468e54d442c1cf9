"""The crisis clock: a 2-hour response target from raising, acknowledgement within 15 minutes,
and the escalation levels when nobody acknowledges. Pure: no Django.

The clock runs in real time, day and night, bank holidays and clock changes alike:
a crisis raised at 00:30 on the night the clocks go forward is due at 02:30 UTC
later, which London shows as 03:30 (ADR 0023). Every datetime returned is UTC.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

UTC = ZoneInfo("UTC")
RESPONSE_TARGET = timedelta(hours=2)
ACKNOWLEDGE_WITHIN = timedelta(minutes=15)
ESCALATION_STEP = timedelta(minutes=15)
# An admission this soon after a crisis was raised counts against it ("admission avoided" or not).
ADMISSION_LINK_WINDOW = timedelta(hours=48)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("The crisis clock needs timezone-aware datetimes")
    return moment.astimezone(UTC)


def response_due(raised_at: datetime) -> datetime:
    """When someone must be with the client: two real hours after the crisis was raised."""
    return _utc(raised_at) + RESPONSE_TARGET


def acknowledge_due(raised_at: datetime) -> datetime:
    return _utc(raised_at) + ACKNOWLEDGE_WITHIN


def time_left(due: datetime, now: datetime) -> timedelta:
    """Negative when the target has passed."""
    return _utc(due) - _utc(now)


def within_target(raised_at: datetime, arrived_at: datetime | None) -> bool:
    return arrived_at is not None and _utc(arrived_at) - _utc(raised_at) <= RESPONSE_TARGET


@dataclass(frozen=True)
class Step:
    """One escalation level to make: due at `due_at`, to `recipient_id` (None: the owning team)."""

    level: int
    due_at: datetime
    recipient_id: int | None

    @property
    def gap(self) -> str | None:
        if self.recipient_id is not None:
            return None
        return f"Nobody is named at escalation level {self.level}: every member of the owning team is told"


def escalation_times(raised_at: datetime, levels: int) -> dict[int, datetime]:
    """Level n falls due n x 15 minutes after raising: the first when acknowledgement is late."""
    start = _utc(raised_at)
    return {level: start + ESCALATION_STEP * level for level in range(1, levels + 1)}


def escalations_due(
    raised_at: datetime, now: datetime, made: Collection[int], chain: Sequence[int | None]
) -> list[Step]:
    """The levels due by `now` and not made yet, in order (a late tick makes them all at once)."""
    now = _utc(now)
    return [
        Step(level, due_at, chain[level - 1])
        for level, due_at in escalation_times(raised_at, len(chain)).items()
        if due_at <= now and level not in made
    ]


def next_escalation(raised_at: datetime, made: Collection[int], levels: int) -> datetime | None:
    """When the next level not yet made falls due, or None when the chain is done."""
    pending = [at for level, at in escalation_times(raised_at, levels).items() if level not in made]
    return min(pending, default=None)


def admission_follows(raised_at: datetime, admitted_at: datetime) -> bool:
    """Whether an admission at `admitted_at` belongs to a crisis raised at `raised_at`: within 48 hours after."""
    gap = _utc(admitted_at) - _utc(raised_at)
    return timedelta(0) <= gap <= ADMISSION_LINK_WINDOW


def minutes(span: timedelta) -> float:
    return span.total_seconds() / 60
