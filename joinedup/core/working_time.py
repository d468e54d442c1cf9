"""Working time: office hours, weekends and England and Wales bank holidays.

Pure: no Django. Bank holidays come from the data file bundled with
govuk-bank-holidays, never from the network.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from govuk_bank_holidays.bank_holidays import BankHolidays

LONDON = ZoneInfo("Europe/London")


@functools.cache
def bank_holidays() -> frozenset[date]:
    data = BankHolidays(use_cached_holidays=True)
    return frozenset(h["date"] for h in data.get_holidays(division=BankHolidays.ENGLAND_AND_WALES))


@dataclass(frozen=True)
class WorkingHours:
    """When a service works, in London local time. Days are 0=Monday..6=Sunday."""

    opens: time = time(9, 0)
    closes: time = time(17, 0)
    days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    bank_holidays_off: bool = True

    def __post_init__(self) -> None:
        if self.closes <= self.opens:
            raise ValueError("A working day must close after it opens")
        if not self.days:
            raise ValueError("A service must work on at least one day of the week")

    def is_working_day(self, day: date) -> bool:
        if day.weekday() not in self.days:
            return False
        return not (self.bank_holidays_off and day in bank_holidays())

    def is_open(self, moment: datetime) -> bool:
        local = _local(moment)
        return self.is_working_day(local.date()) and self.opens <= local.time() < self.closes


OFFICE_HOURS = WorkingHours()


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("Working time needs timezone-aware datetimes")
    return moment.astimezone(LONDON)


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=LONDON)


def next_working_day(day: date, hours: WorkingHours = OFFICE_HOURS) -> date:
    day += timedelta(days=1)
    for _ in range(3660):
        if hours.is_working_day(day):
            return day
        day += timedelta(days=1)
    raise ValueError("No working day within ten years")


def add_working_days(start: datetime, days: int, hours: WorkingHours = OFFICE_HOURS) -> datetime:
    """The moment `days` working days after `start`.

    Counted from the start of working time at or after `start`: a request at
    Friday 16:55 with one working day is due at the close of Monday (Tuesday
    after a bank holiday Monday); a request at Tuesday 10:00 is due Wednesday
    at close. The result is at the close of the last working day, in UTC.
    """
    if days < 0:
        raise ValueError("A number of working days cannot be negative")
    local = _local(start)
    day = local.date()
    if not hours.is_working_day(day) or local.time() >= hours.closes:
        day = next_working_day(day, hours)
        days = max(days - 1, 0) if days else 0
        if days == 0:
            return _at(day, hours.closes).astimezone(ZoneInfo("UTC"))
    for _ in range(days):
        day = next_working_day(day, hours)
    return _at(day, hours.closes).astimezone(ZoneInfo("UTC"))


def add_working_hours(start: datetime, hours_needed: float, hours: WorkingHours = OFFICE_HOURS) -> datetime:
    """The moment when `hours_needed` hours of working time have passed since `start`."""
    if hours_needed < 0:
        raise ValueError("A number of working hours cannot be negative")
    remaining = timedelta(hours=hours_needed)
    local = _local(start)
    cursor = local
    for _ in range(3660):
        day = cursor.date()
        if hours.is_working_day(day):
            opens, closes = _at(day, hours.opens), _at(day, hours.closes)
            begin = max(cursor, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(ZoneInfo("UTC"))
                remaining -= available
        cursor = _at(day + timedelta(days=1), time(0, 0))
    raise ValueError("Working time runs past ten years")
