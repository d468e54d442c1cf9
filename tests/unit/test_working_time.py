from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.core.working_time import (
    OFFICE_HOURS,
    WorkingHours,
    add_working_days,
    add_working_hours,
    bank_holidays,
    next_working_day,
)

LONDON = ZoneInfo("Europe/London")


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=LONDON)


def test_bank_holidays_come_from_the_bundled_data():
    assert date(2026, 8, 31) in bank_holidays()  # summer bank holiday
    assert date(2026, 12, 25) in bank_holidays()
    assert date(2026, 8, 28) not in bank_holidays()


def test_friday_afternoon_one_working_day_is_due_monday():
    due = add_working_days(at(2026, 11, 20, 16, 55), 1)
    assert due.astimezone(LONDON) == at(2026, 11, 23, 17, 0)


def test_friday_afternoon_before_a_bank_holiday_monday_is_due_tuesday():
    due = add_working_days(at(2026, 8, 28, 16, 55), 1)
    assert due.astimezone(LONDON) == at(2026, 9, 1, 17, 0)


def test_easter_weekend_skips_good_friday_and_easter_monday():
    due = add_working_days(at(2027, 3, 25, 10, 0), 1)  # Thursday before Easter
    assert due.astimezone(LONDON) == at(2027, 3, 30, 17, 0)


def test_after_close_the_next_working_day_counts_first():
    assert add_working_days(at(2026, 11, 20, 17, 30), 1).astimezone(LONDON) == at(2026, 11, 23, 17, 0)
    assert add_working_days(at(2026, 11, 21, 11, 0), 1).astimezone(LONDON) == at(2026, 11, 23, 17, 0)


def test_five_working_days_across_christmas():
    due = add_working_days(at(2026, 12, 23, 9, 0), 5)
    # 24th, 29th, 30th, 31st (25th, 28th are bank holidays; 26th-27th weekend), 4 Jan (1 Jan holiday)
    assert due.astimezone(LONDON) == at(2027, 1, 4, 17, 0)


def test_working_hours_across_the_clock_change():
    # Clocks go back on Sunday 25 October 2026: Friday 16:00 + 2 working hours = Monday 10:00 local.
    due = add_working_hours(at(2026, 10, 23, 16, 0), 2)
    assert due.astimezone(LONDON) == at(2026, 10, 26, 10, 0)
    assert due.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_days(datetime(2026, 1, 5, 9, 0), 1)


def test_a_service_that_works_every_day():
    every_day = WorkingHours(opens=time(8), closes=time(20), days=frozenset(range(7)), bank_holidays_off=False)
    assert every_day.is_open(at(2026, 12, 25, 12, 0))
    assert not every_day.is_open(at(2026, 12, 25, 20, 0))
    assert not OFFICE_HOURS.is_open(at(2026, 12, 25, 12, 0))


moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 6, 30), timezones=st.just(LONDON))


@given(moments, st.integers(min_value=0, max_value=30))
def test_a_working_day_deadline_ends_a_working_day_and_is_not_before_the_start(start, days):
    due = add_working_days(start, days).astimezone(LONDON)
    assert due >= start
    assert OFFICE_HOURS.is_working_day(due.date())
    assert due.time() == OFFICE_HOURS.closes


@given(moments, st.integers(min_value=0, max_value=20))
def test_more_working_days_never_come_sooner(start, days):
    assert add_working_days(start, days) <= add_working_days(start, days + 1)


@given(moments, st.floats(min_value=0, max_value=80, allow_nan=False))
def test_working_hours_end_inside_working_time(start, hours):
    due = add_working_hours(start, hours).astimezone(LONDON)
    assert due >= start
    assert OFFICE_HOURS.is_working_day(due.date())
    assert OFFICE_HOURS.opens <= due.time() <= OFFICE_HOURS.closes


def test_next_working_day_skips_weekends():
    assert next_working_day(date(2026, 11, 20)) == date(2026, 11, 23)
