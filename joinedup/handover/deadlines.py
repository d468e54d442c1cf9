"""Response deadlines by urgency, clock stops, and escalation when a referral is overdue. Pure.

Defaults (`DEFAULT_RESPONSE_POLICY`, office hours Monday to Friday 09:00-17:00,
England and Wales bank holidays off):

=========  ================  ==========================  ================================
urgency    respond within    to the team manager after   to the locality MDT coordinator
=========  ================  ==========================  ================================
emergency  2 clock hours     30 clock minutes            a further 30 clock minutes
urgent     1 working day     2 working hours             a further 2 working hours
routine    5 working days    1 working day               a further 1 working day
=========  ================  ==========================  ================================

Escalation level 1 (the receiving team's duty worker) is due at the deadline
itself; each later level is measured from the one before. Clock time is real
elapsed time (an emergency's 2 hours are 2 real hours across a clock change);
working time follows `joinedup.core.working_time` (London wall clock, the
team's `WorkingHours`). Every datetime returned is timezone-aware UTC.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import IntEnum, StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from joinedup.core.working_time import (
    LONDON,
    OFFICE_HOURS,
    WorkingHours,
    add_working_days,
    add_working_hours,
)

UTC = ZoneInfo("UTC")


class Urgency(StrEnum):
    EMERGENCY = "emergency"
    URGENT = "urgent"
    ROUTINE = "routine"


class TimeUnit(StrEnum):
    CLOCK_HOURS = "clock_hours"
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"


_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s+(clock|working)\s+(minute|hour|day)s?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class ResponseTime:
    """A span of time: clock hours (real time), working hours, or whole working days."""

    amount: float
    unit: TimeUnit

    def __post_init__(self) -> None:
        if not math.isfinite(self.amount) or self.amount <= 0:
            raise ValueError("A response time must be more than zero")
        if self.unit is TimeUnit.WORKING_DAYS and self.amount != int(self.amount):
            raise ValueError("Working days must be a whole number")

    @classmethod
    def parse(cls, text: str) -> ResponseTime:
        """'2 clock hours', '30 clock minutes', '4 working hours', '1 working day', '5 working days'."""
        match = _SPAN.match(text) if isinstance(text, str) else None
        if not match:
            raise ValueError(f"{text!r} is not a time such as '2 clock hours' or '1 working day'")
        amount, kind, unit = float(match[1]), match[2].lower(), match[3].lower()
        if kind == "working" and unit == "day":
            return cls(amount, TimeUnit.WORKING_DAYS)
        hours = amount / 60 if unit == "minute" else amount * 24 if unit == "day" else amount
        return cls(hours, TimeUnit.CLOCK_HOURS if kind == "clock" else TimeUnit.WORKING_HOURS)

    def __str__(self) -> str:
        if self.unit is TimeUnit.WORKING_DAYS:
            n = int(self.amount)
            return f"{n} working day{'s' if n != 1 else ''}"
        kind = "clock" if self.unit is TimeUnit.CLOCK_HOURS else "working"
        if self.amount < 1:
            return f"{self.amount * 60:g} {kind} minutes"
        return f"{self.amount:g} {kind} hour{'s' if self.amount != 1 else ''}"


def clock_hours(n: float) -> ResponseTime:
    return ResponseTime(n, TimeUnit.CLOCK_HOURS)


def working_hours(n: float) -> ResponseTime:
    return ResponseTime(n, TimeUnit.WORKING_HOURS)


def working_days(n: int) -> ResponseTime:
    return ResponseTime(n, TimeUnit.WORKING_DAYS)


@dataclass(frozen=True)
class EscalationSteps:
    """How long after level 1 (the deadline) the manager hears, and after that the MDT coordinator."""

    to_manager: ResponseTime
    to_coordinator: ResponseTime


@dataclass(frozen=True)
class ResponsePolicy:
    """A receiving team's response times: its working hours, a time per urgency, escalation steps."""

    hours: WorkingHours = OFFICE_HOURS
    emergency: ResponseTime = ResponseTime(2, TimeUnit.CLOCK_HOURS)
    urgent: ResponseTime = ResponseTime(1, TimeUnit.WORKING_DAYS)
    routine: ResponseTime = ResponseTime(5, TimeUnit.WORKING_DAYS)
    emergency_escalation: EscalationSteps = EscalationSteps(
        ResponseTime(0.5, TimeUnit.CLOCK_HOURS), ResponseTime(0.5, TimeUnit.CLOCK_HOURS)
    )
    urgent_escalation: EscalationSteps = EscalationSteps(
        ResponseTime(2, TimeUnit.WORKING_HOURS), ResponseTime(2, TimeUnit.WORKING_HOURS)
    )
    routine_escalation: EscalationSteps = EscalationSteps(
        ResponseTime(1, TimeUnit.WORKING_DAYS), ResponseTime(1, TimeUnit.WORKING_DAYS)
    )

    def respond_within(self, urgency: Urgency | str) -> ResponseTime:
        value: ResponseTime = getattr(self, Urgency(urgency).value)
        return value

    def escalation_steps(self, urgency: Urgency | str) -> EscalationSteps:
        value: EscalationSteps = getattr(self, f"{Urgency(urgency).value}_escalation")
        return value


DEFAULT_RESPONSE_POLICY = ResponsePolicy()


def _utc(moment: datetime, what: str = "A moment") -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime")
    return moment.astimezone(UTC)


def add_response_time(start: datetime, span: ResponseTime, hours: WorkingHours = OFFICE_HOURS) -> datetime:
    """The moment `span` after `start`: real elapsed time for clock hours, else in `hours`."""
    start = _utc(start)
    if span.unit is TimeUnit.CLOCK_HOURS:
        return start + timedelta(hours=span.amount)
    if span.unit is TimeUnit.WORKING_HOURS:
        return add_working_hours(start, span.amount, hours)
    return add_working_days(start, int(span.amount), hours)


def working_time_between(start: datetime, end: datetime, hours: WorkingHours = OFFICE_HOURS) -> timedelta:
    """Working time from `start` to `end` (zero if `end` is not after `start`), on the London wall clock."""
    start, end = _utc(start).astimezone(LONDON), _utc(end).astimezone(LONDON)
    total = timedelta(0)
    day = start.date()
    while day <= end.date():
        if hours.is_working_day(day):
            opens = datetime.combine(day, hours.opens, tzinfo=LONDON)
            closes = datetime.combine(day, hours.closes, tzinfo=LONDON)
            begin, finish = max(start, opens), min(end, closes)
            if finish > begin:
                total += finish.replace(tzinfo=None) - begin.replace(tzinfo=None)
        day += timedelta(days=1)
    return total


@dataclass(frozen=True)
class ClockStop:
    """The receiving team stopped its clock (with a reason); open while `resumed_at` is None."""

    paused_at: datetime
    reason: str
    resumed_at: datetime | None = None


def check_clock_stops(stops: Sequence[ClockStop], sent_at: datetime) -> None:
    """Refuse (ValueError) stops without a reason, before sending, out of order or overlapping."""
    previous_end = _utc(sent_at, "The sending time")
    for number, stop in enumerate(stops, start=1):
        paused = _utc(stop.paused_at, f"Clock stop {number}'s start")
        if not stop.reason.strip():
            raise ValueError(f"Clock stop {number} has no reason")
        if paused < previous_end:
            raise ValueError(f"Clock stop {number} begins before the referral was sent or the previous stop ended")
        if stop.resumed_at is None:
            if number != len(stops):
                raise ValueError(f"Clock stop {number} is still open but another stop follows it")
            continue
        resumed = _utc(stop.resumed_at, f"Clock stop {number}'s end")
        if resumed < paused:
            raise ValueError(f"Clock stop {number} ends before it begins")
        previous_end = resumed


def response_deadline(
    sent_at: datetime,
    urgency: Urgency | str,
    policy: ResponsePolicy = DEFAULT_RESPONSE_POLICY,
    *,
    clock_stops: Sequence[ClockStop] = (),
    now: datetime | None = None,
) -> datetime:
    """When the receiving team must have responded, in UTC.

    Emergency: 2 real hours after sending by default. Working days: the close of
    the nth working day in the team's hours (a Friday 16:55 urgent referral is
    due Monday 17:00, Tuesday after a bank holiday Monday). Each clock stop that
    began before the (running) deadline pushes it back by the time stopped: the
    working time inside the stop, or the real time for clock-hour urgencies. An
    open stop counts up to `now`, which is then required. A stop begun after the
    deadline changes nothing: an overdue referral stays overdue.
    """
    check_clock_stops(clock_stops, sent_at)
    span = policy.respond_within(urgency)
    deadline = add_response_time(sent_at, span, policy.hours)
    for stop in clock_stops:
        paused = _utc(stop.paused_at)
        if paused >= deadline:
            break
        if stop.resumed_at is not None:
            resumed = _utc(stop.resumed_at)
        elif now is None:
            raise ValueError("The clock is stopped: pass `now` to compute the deadline meanwhile")
        else:
            resumed = max(_utc(now), paused)
        deadline = _extend(deadline, paused, resumed, span.unit, policy.hours)
    return deadline


def _extend(deadline: datetime, paused: datetime, resumed: datetime, unit: TimeUnit, hours: WorkingHours) -> datetime:
    if unit is TimeUnit.CLOCK_HOURS:
        return deadline + (resumed - paused)
    stopped = working_time_between(paused, resumed, hours)
    if stopped <= timedelta(0):
        return deadline
    return add_working_hours(deadline, stopped / timedelta(hours=1), hours)


def is_overdue(deadline: datetime, now: datetime) -> bool:
    """True once `now` has reached the deadline."""
    return _utc(now) >= _utc(deadline)


class EscalationLevel(IntEnum):
    """Who hears about an overdue referral, in order."""

    DUTY_WORKER = 1
    TEAM_MANAGER = 2
    MDT_COORDINATOR = 3

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self]


_LEVEL_LABELS = {
    EscalationLevel.DUTY_WORKER: "the receiving team's duty worker",
    EscalationLevel.TEAM_MANAGER: "the receiving team's manager",
    EscalationLevel.MDT_COORDINATOR: "the locality MDT coordinator",
}


@dataclass(frozen=True)
class EscalationContacts:
    """The people in the chain for one referral (practitioner ids; None when nobody is named)."""

    duty_worker_id: int | None = None
    manager_id: int | None = None
    mdt_coordinator_id: int | None = None

    def person_at(self, level: EscalationLevel) -> int | None:
        return (self.duty_worker_id, self.manager_id, self.mdt_coordinator_id)[level - 1]


@dataclass(frozen=True)
class Escalation:
    """One escalation to make now: a task and a notification for `recipient_id`.

    `level` is the step of the chain this fulfils (record it as done).
    `recipient_level` is whose person receives it: the same level, or a later
    one when nobody is named at `level`; the levels passed over are `gaps`.
    When nobody in the chain is named, `recipient_id` and `recipient_level` are
    None and the escalation must go to the named exception worklist.
    """

    level: EscalationLevel
    due_at: datetime
    recipient_id: int | None
    recipient_level: EscalationLevel | None
    gaps: tuple[EscalationLevel, ...] = ()

    @property
    def to_exception_worklist(self) -> bool:
        return self.recipient_id is None

    @property
    def gap_report(self) -> str | None:
        """A sentence naming who is missing from the chain, or None when nobody is."""
        if not self.gaps:
            return None
        missing = " and ".join(level.label for level in self.gaps)
        sent_to = self.recipient_level.label if self.recipient_level else "the exception worklist"
        return f"Nobody is named as {missing}: escalated to {sent_to} instead"


def escalation_times(
    deadline: datetime, urgency: Urgency | str, policy: ResponsePolicy = DEFAULT_RESPONSE_POLICY
) -> dict[EscalationLevel, datetime]:
    """When each level of the chain is due: level 1 at the deadline, then each step after the last."""
    steps = policy.escalation_steps(urgency)
    first = _utc(deadline, "The deadline")
    second = add_response_time(first, steps.to_manager, policy.hours)
    third = add_response_time(second, steps.to_coordinator, policy.hours)
    return {
        EscalationLevel.DUTY_WORKER: first,
        EscalationLevel.TEAM_MANAGER: second,
        EscalationLevel.MDT_COORDINATOR: third,
    }


def escalations_due(
    deadline: datetime,
    now: datetime,
    already_escalated: Collection[EscalationLevel | int],
    *,
    urgency: Urgency | str,
    contacts: EscalationContacts,
    policy: ResponsePolicy = DEFAULT_RESPONSE_POLICY,
) -> list[Escalation]:
    """The escalations to make now, lowest level first; empty when none is newly due.

    Idempotent: levels in `already_escalated` are never returned again, so the
    scheduled tick may call this as often as it likes. When the tick has not
    run for a while, every level that fell due meanwhile is returned at once.
    Never silent: a level with nobody named goes to the next person up the
    chain (with the gap reported), and to the exception worklist when the
    chain is empty.
    """
    done = {EscalationLevel(level) for level in already_escalated}
    moment = _utc(now)
    due: list[Escalation] = []
    for level, due_at in escalation_times(deadline, urgency, policy).items():
        if level in done or due_at > moment:
            continue
        due.append(_route(level, due_at, contacts))
    return due


def _route(level: EscalationLevel, due_at: datetime, contacts: EscalationContacts) -> Escalation:
    gaps: list[EscalationLevel] = []
    for candidate in EscalationLevel:
        if candidate < level:
            continue
        person = contacts.person_at(candidate)
        if person is not None:
            return Escalation(level, due_at, person, candidate, tuple(gaps))
        gaps.append(candidate)
    return Escalation(level, due_at, None, None, tuple(gaps))


class PolicyConfigError(ValueError):
    """A configured response policy is invalid; `errors` names each faulty setting."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = tuple(errors)
        super().__init__("The response policy is not valid: " + "; ".join(self.errors))


_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def response_policy_from_config(config: Mapping[str, Any]) -> ResponsePolicy:
    """A team's `ResponsePolicy` from plain configuration; settings left out keep their defaults.

    Shape: ``{"hours": {"opens": "08:00", "closes": "20:00", "days": ["mon", ..., "sun"],
    "bank_holidays_off": false}, "emergency": "2 clock hours", "urgent": "1 working day",
    "routine": "5 working days", "escalation": {"urgent": {"to_manager": "2 working hours",
    "to_coordinator": "2 working hours"}, ...}}``. Raises `PolicyConfigError`.
    """
    if not isinstance(config, Mapping):
        raise PolicyConfigError(["the configuration must be an object"])
    errors = [f"unknown setting {k!r}" for k in sorted(set(config) - {"hours", "escalation", *Urgency})]
    values: dict[str, Any] = {}
    hours = _hours_from_config(config.get("hours", {}), errors)
    if hours is not None:
        values["hours"] = hours
    for urgency in Urgency:
        if urgency in config:
            span = _span(config[urgency], urgency.value, errors)
            if span is not None:
                values[urgency.value] = span
    escalation = config.get("escalation", {})
    if not isinstance(escalation, Mapping):
        errors.append("escalation must be an object with a section per urgency")
        escalation = {}
    errors.extend(f"escalation: unknown urgency {k!r}" for k in sorted(set(escalation) - set(Urgency)))
    for urgency in Urgency:
        steps = _steps_from_config(urgency, escalation.get(urgency), errors)
        if steps is not None:
            values[f"{urgency.value}_escalation"] = steps
    if errors:
        raise PolicyConfigError(errors)
    return ResponsePolicy(**values)


def _span(raw: Any, name: str, errors: list[str]) -> ResponseTime | None:
    try:
        return ResponseTime.parse(raw)
    except ValueError as error:
        errors.append(f"{name}: {error}")
        return None


def _steps_from_config(urgency: Urgency, raw: Any, errors: list[str]) -> EscalationSteps | None:
    if raw is None:
        return None
    name = f"escalation.{urgency.value}"
    if not isinstance(raw, Mapping) or set(raw) != {"to_manager", "to_coordinator"}:
        errors.append(f"{name}: give both to_manager and to_coordinator, and nothing else")
        return None
    manager = _span(raw["to_manager"], f"{name}.to_manager", errors)
    coordinator = _span(raw["to_coordinator"], f"{name}.to_coordinator", errors)
    if manager is None or coordinator is None:
        return None
    return EscalationSteps(manager, coordinator)


def _hours_from_config(raw: Any, errors: list[str]) -> WorkingHours | None:
    if not isinstance(raw, Mapping):
        errors.append("hours must be an object")
        return None
    if not raw:
        return None
    errors_before = len(errors)
    errors.extend(f"hours: unknown setting {k!r}" for k in sorted(set(raw) - _HOURS_FIELDS))
    opens = _clock(raw.get("opens", "09:00"), "hours.opens", errors)
    closes = _clock(raw.get("closes", "17:00"), "hours.closes", errors)
    days = _days(raw.get("days", list(_DAY_NAMES[:5])), errors)
    off = raw.get("bank_holidays_off", True)
    if not isinstance(off, bool):
        errors.append("hours.bank_holidays_off must be true or false")
    if len(errors) > errors_before or opens is None or closes is None or days is None:
        return None
    try:
        return WorkingHours(opens=opens, closes=closes, days=days, bank_holidays_off=off)
    except ValueError as error:
        errors.append(f"hours: {error}")
        return None


_HOURS_FIELDS = {"opens", "closes", "days", "bank_holidays_off"}


def _clock(raw: Any, name: str, errors: list[str]) -> time | None:
    if isinstance(raw, str):
        try:
            return time.fromisoformat(raw)
        except ValueError:
            pass
    errors.append(f"{name}: {raw!r} is not a time such as '09:00'")
    return None


def _days(raw: Any, errors: list[str]) -> frozenset[int] | None:
    if not isinstance(raw, list) or not raw:
        errors.append("hours.days must be a list of days such as ['mon', 'tue']")
        return None
    days: set[int] = set()
    for day in raw:
        name = day.strip().lower() if isinstance(day, str) else ""
        if name[:3] in _DAY_NAMES and name in (name[:3], _FULL_DAY_NAMES[_DAY_NAMES.index(name[:3])]):
            days.add(_DAY_NAMES.index(name[:3]))
        else:
            errors.append(f"hours.days: {day!r} is not a day of the week (mon ... sun)")
    return frozenset(days) if days else None
