"""Response deadlines, clock stops and escalation (issue 3, items 3 and 4)."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from joinedup.core.working_time import WorkingHours
from joinedup.handover.deadlines import (
    DEFAULT_RESPONSE_POLICY,
    ClockStop,
    EscalationContacts,
    EscalationLevel,
    PolicyConfigError,
    ResponsePolicy,
    ResponseTime,
    TimeUnit,
    Urgency,
    check_clock_stops,
    clock_hours,
    escalation_times,
    escalations_due,
    is_overdue,
    response_deadline,
    response_policy_from_config,
    working_days,
    working_hours,
    working_time_between,
)

LONDON = ZoneInfo("Europe/London")
L1, L2, L3 = EscalationLevel
EVERYONE = EscalationContacts(duty_worker_id=1, manager_id=2, mdt_coordinator_id=3)
UCR = ResponsePolicy(
    hours=WorkingHours(opens=time(8), closes=time(20), days=frozenset(range(7)), bank_holidays_off=False)
)


def at(y, m, d, hh=0, mm=0, fold=0):
    return datetime(y, m, d, hh, mm, tzinfo=LONDON, fold=fold)


def local(moment):
    return moment.astimezone(LONDON).replace(tzinfo=None)


def due(sent, urgency, policy=DEFAULT_RESPONSE_POLICY, **kwargs):
    return response_deadline(sent, urgency, policy, **kwargs)


# --- Deadlines by urgency --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "urgency", "expected"),
    [
        # A Friday 16:55 urgent referral is due at Monday's close.
        (at(2026, 11, 20, 16, 55), "urgent", datetime(2026, 11, 23, 17, 0)),
        # ... and Tuesday's after a bank holiday Monday (summer bank holiday 2026).
        (at(2026, 8, 28, 16, 55), "urgent", datetime(2026, 9, 1, 17, 0)),
        # Saturday counts from Monday.
        (at(2026, 11, 21, 11, 0), "urgent", datetime(2026, 11, 23, 17, 0)),
        # A Tuesday morning urgent referral is due at Wednesday's close.
        (at(2026, 11, 17, 10, 0), "urgent", datetime(2026, 11, 18, 17, 0)),
        # Easter 2027: Good Friday 26 March and Easter Monday 29 March are off.
        (at(2027, 3, 25, 16, 55), "urgent", datetime(2027, 3, 30, 17, 0)),
        (at(2027, 3, 24, 10, 0), "routine", datetime(2027, 4, 2, 17, 0)),
        # Christmas 2026: 25th Friday, 28th substitute Boxing Day, 1 January.
        (at(2026, 12, 24, 16, 55), "urgent", datetime(2026, 12, 29, 17, 0)),
        (at(2026, 12, 23, 9, 0), "routine", datetime(2027, 1, 4, 17, 0)),
        # Across the autumn clock change: closing time is still 17:00 on the local clock.
        (at(2026, 10, 23, 16, 55), "urgent", datetime(2026, 10, 26, 17, 0)),
        # Emergencies run on the clock, weekends and bank holidays included.
        (at(2026, 12, 25, 11, 0), "emergency", datetime(2026, 12, 25, 13, 0)),
        (at(2026, 11, 20, 16, 55), "emergency", datetime(2026, 11, 20, 18, 55)),
    ],
)
def test_deadlines_by_urgency(sent, urgency, expected):
    deadline = due(sent, urgency)
    assert deadline.utcoffset() == timedelta(0)
    assert local(deadline) == expected


def test_an_emergency_at_half_past_midnight_on_the_spring_forward_night_is_due_two_real_hours_later():
    sent = at(2027, 3, 28, 0, 30)  # 00:30 GMT; the clocks jump from 01:00 to 02:00
    deadline = due(sent, Urgency.EMERGENCY)
    assert deadline - sent == timedelta(hours=2)
    assert deadline == datetime(2027, 3, 28, 2, 30, tzinfo=UTC)
    assert local(deadline) == datetime(2027, 3, 28, 3, 30)  # 03:30 BST, not 02:30


def test_an_emergency_on_the_fall_back_night_is_due_two_real_hours_later():
    sent = at(2026, 10, 25, 0, 30)  # 00:30 BST (23:30 UTC on Saturday)
    deadline = due(sent, "emergency")
    assert deadline == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert deadline.astimezone(LONDON).fold == 1  # the second 01:30, in GMT


def test_a_seven_day_service_counts_weekends_and_bank_holidays():
    assert local(due(at(2026, 12, 24, 19, 0), "urgent", UCR)) == datetime(2026, 12, 25, 20, 0)


def test_a_team_sets_its_own_response_times():
    policy = ResponsePolicy(urgent=working_hours(4), routine=working_days(10), emergency=clock_hours(1))
    assert local(due(at(2026, 11, 20, 15, 0), "urgent", policy)) == datetime(2026, 11, 23, 11, 0)
    assert local(due(at(2026, 11, 20, 15, 0), "emergency", policy)) == datetime(2026, 11, 20, 16, 0)
    assert local(due(at(2026, 11, 2, 9, 0), "routine", policy)) == datetime(2026, 11, 16, 17, 0)


def test_naive_times_and_unknown_urgencies_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        due(datetime(2026, 11, 20, 16, 55), "urgent")
    with pytest.raises(ValueError):
        due(at(2026, 11, 20, 16, 55), "whenever")


def test_is_overdue_at_the_deadline():
    deadline = due(at(2026, 11, 20, 16, 55), "urgent")
    assert not is_overdue(deadline, deadline - timedelta(seconds=1))
    assert is_overdue(deadline, deadline)


# --- Clock stops ------------------------------------------------------------------------------


def test_information_requests_pause_nothing_unless_the_clock_is_stopped():
    sent = at(2026, 11, 10, 10, 0)  # Tuesday; urgent, so due Wednesday 17:00
    assert local(due(sent, "urgent")) == datetime(2026, 11, 11, 17, 0)
    # Stopped Tuesday 14:00 to Wednesday 11:00: 3 + 2 working hours, so due Thursday 14:00.
    stop = ClockStop(at(2026, 11, 10, 14, 0), "Waiting for the medication list", at(2026, 11, 11, 11, 0))
    assert local(due(sent, "urgent", clock_stops=[stop])) == datetime(2026, 11, 12, 14, 0)


def test_a_stop_over_a_weekend_only_counts_working_time():
    sent = at(2026, 11, 20, 10, 0)  # Friday; urgent, due Monday 17:00
    stop = ClockStop(at(2026, 11, 20, 16, 0), "Asked the GP", at(2026, 11, 23, 10, 0))  # 1 + 1 hours
    assert local(due(sent, "urgent", clock_stops=[stop])) == datetime(2026, 11, 24, 11, 0)


def test_an_emergency_clock_stop_counts_real_time():
    sent = at(2026, 11, 20, 10, 0)
    stops = [
        ClockStop(at(2026, 11, 20, 10, 30), "Calling the carer", at(2026, 11, 20, 11, 15)),
        ClockStop(at(2026, 11, 20, 12, 0), "Calling the GP", at(2026, 11, 20, 12, 10)),
    ]
    assert local(due(sent, "emergency", clock_stops=stops)) == datetime(2026, 11, 20, 12, 55)


def test_an_open_stop_counts_up_to_now_which_is_then_required():
    sent = at(2026, 11, 20, 10, 0)
    stop = ClockStop(at(2026, 11, 20, 11, 0), "Calling the carer")
    with pytest.raises(ValueError, match="now"):
        due(sent, "emergency", clock_stops=[stop])
    deadline = due(sent, "emergency", clock_stops=[stop], now=at(2026, 11, 20, 13, 0))
    assert local(deadline) == datetime(2026, 11, 20, 14, 0)
    assert not is_overdue(deadline, at(2026, 11, 20, 13, 0))


def test_a_stop_after_the_deadline_changes_nothing():
    sent = at(2026, 11, 20, 10, 0)
    late = ClockStop(at(2026, 11, 20, 12, 30), "Too late", at(2026, 11, 20, 15, 0))
    assert due(sent, "emergency", clock_stops=[late]) == due(sent, "emergency")


@pytest.mark.parametrize(
    ("stops", "message"),
    [
        ([ClockStop(at(2026, 11, 20, 11), " ", at(2026, 11, 20, 12))], "no reason"),
        ([ClockStop(at(2026, 11, 20, 9), "Early", at(2026, 11, 20, 12))], "before the referral was sent"),
        ([ClockStop(at(2026, 11, 20, 12), "Backwards", at(2026, 11, 20, 11))], "ends before it begins"),
        (
            [
                ClockStop(at(2026, 11, 20, 11), "One", at(2026, 11, 20, 13)),
                ClockStop(at(2026, 11, 20, 12), "Two", at(2026, 11, 20, 14)),
            ],
            "previous stop ended",
        ),
        (
            [ClockStop(at(2026, 11, 20, 11), "Open"), ClockStop(at(2026, 11, 20, 12), "Two")],
            "still open",
        ),
        ([ClockStop(datetime(2026, 11, 20, 11), "Naive")], "timezone-aware"),
    ],
)
def test_bad_clock_stops_are_refused(stops, message):
    with pytest.raises(ValueError, match=message):
        check_clock_stops(stops, at(2026, 11, 20, 10))


def test_working_time_between():
    assert working_time_between(at(2026, 11, 20, 16), at(2026, 11, 23, 10)) == timedelta(hours=2)
    assert working_time_between(at(2026, 11, 23, 10), at(2026, 11, 20, 16)) == timedelta(0)
    assert working_time_between(at(2026, 12, 24, 9), at(2026, 12, 29, 9)) == timedelta(hours=8)


# --- Escalation -------------------------------------------------------------------------------


def test_default_escalation_times_per_urgency():
    urgent = escalation_times(due(at(2026, 11, 20, 16, 55), "urgent"), "urgent")
    assert [local(t) for t in urgent.values()] == [
        datetime(2026, 11, 23, 17, 0),
        datetime(2026, 11, 24, 11, 0),
        datetime(2026, 11, 24, 13, 0),
    ]
    routine = escalation_times(due(at(2026, 11, 20, 10, 0), "routine"), "routine")
    assert [local(t) for t in routine.values()] == [
        datetime(2026, 11, 27, 17, 0),
        datetime(2026, 11, 30, 17, 0),
        datetime(2026, 12, 1, 17, 0),
    ]
    emergency = escalation_times(due(at(2027, 3, 28, 0, 30), "emergency"), "emergency")
    assert [t.astimezone(UTC).time() for t in emergency.values()] == [time(2, 30), time(3), time(3, 30)]


def test_nothing_escalates_before_the_deadline():
    deadline = due(at(2026, 11, 20, 16, 55), "urgent")
    assert escalations_due(deadline, deadline - timedelta(minutes=1), set(), urgency="urgent", contacts=EVERYONE) == []


def test_escalation_is_idempotent_and_in_order():
    deadline = due(at(2026, 11, 20, 16, 55), "urgent")
    first = escalations_due(deadline, deadline, set(), urgency="urgent", contacts=EVERYONE)
    assert [(e.level, e.recipient_id, e.gaps) for e in first] == [(L1, 1, ())]
    assert escalations_due(deadline, deadline, {L1}, urgency="urgent", contacts=EVERYONE) == []
    later = at(2026, 11, 30, 9, 0)  # the tick did not run for a week: both remaining levels, in order
    assert [e.level for e in escalations_due(deadline, later, {1}, urgency="urgent", contacts=EVERYONE)] == [L2, L3]
    assert escalations_due(deadline, later, {L1, L2, L3}, urgency="urgent", contacts=EVERYONE) == []


def test_a_tick_every_quarter_hour_escalates_each_level_exactly_once():
    deadline = due(at(2026, 11, 20, 16, 55), "urgent")
    done: list[EscalationLevel] = []
    moment = at(2026, 11, 20, 17, 0)
    while moment < at(2026, 11, 26):
        done.extend(e.level for e in escalations_due(deadline, moment, done, urgency="urgent", contacts=EVERYONE))
        moment += timedelta(minutes=15)
    assert done == [L1, L2, L3]


def test_a_missing_manager_passes_to_the_coordinator_and_the_gap_is_reported():
    contacts = EscalationContacts(duty_worker_id=1, manager_id=None, mdt_coordinator_id=3)
    deadline = due(at(2026, 11, 20, 10, 0), "emergency")
    [level_two] = escalations_due(
        deadline, deadline + timedelta(minutes=30), {L1}, urgency="emergency", contacts=contacts
    )
    assert (level_two.level, level_two.recipient_id, level_two.recipient_level) == (L2, 3, L3)
    assert level_two.gaps == (L2,)
    assert level_two.gap_report == (
        "Nobody is named as the receiving team's manager: escalated to the locality MDT coordinator instead"
    )


def test_an_empty_chain_goes_to_the_exception_worklist_never_silently():
    deadline = due(at(2026, 11, 20, 10, 0), "emergency")
    escalations = escalations_due(
        deadline, deadline + timedelta(hours=5), (), urgency="emergency", contacts=EscalationContacts()
    )
    assert [e.level for e in escalations] == [L1, L2, L3]
    assert all(e.to_exception_worklist and e.recipient_id is None for e in escalations)
    assert escalations[0].gaps == (L1, L2, L3)
    assert escalations[0].gap_report.endswith("escalated to the exception worklist instead")
    only_coordinator = EscalationContacts(mdt_coordinator_id=3)
    [first] = escalations_due(deadline, deadline, (), urgency="emergency", contacts=only_coordinator)
    assert (first.recipient_id, first.gaps) == (3, (L1, L2))


# --- Configuration ----------------------------------------------------------------------------


def test_response_times_parse_and_print():
    assert ResponseTime.parse("2 clock hours") == clock_hours(2)
    assert ResponseTime.parse("30 clock minutes") == clock_hours(0.5)
    assert ResponseTime.parse("1 working day") == working_days(1)
    assert ResponseTime.parse("4 Working Hours") == working_hours(4)
    assert ResponseTime.parse("1 clock day") == clock_hours(24)
    assert [str(t) for t in (clock_hours(2), clock_hours(0.5), working_days(1), working_days(5))] == [
        "2 clock hours",
        "30 clock minutes",
        "1 working day",
        "5 working days",
    ]
    for bad in ("soon", "0 working days", "1.5 working days", "2 hours", "-1 clock hours"):
        with pytest.raises(ValueError):
            ResponseTime.parse(bad)
    with pytest.raises(ValueError):
        ResponseTime(float("nan"), TimeUnit.CLOCK_HOURS)


def test_a_policy_from_configuration():
    policy = response_policy_from_config(
        {
            "hours": {
                "opens": "08:00",
                "closes": "20:00",
                "days": ["mon", "tue", "wed", "thu", "fri", "saturday", "sun"],
                "bank_holidays_off": False,
            },
            "urgent": "4 working hours",
            "escalation": {"urgent": {"to_manager": "1 working hour", "to_coordinator": "1 working hour"}},
        }
    )
    assert policy.hours == UCR.hours
    assert policy.urgent == working_hours(4)
    assert policy.routine == working_days(5) and policy.emergency == clock_hours(2)
    assert policy.escalation_steps("urgent").to_manager == working_hours(1)
    assert policy.escalation_steps("routine") == DEFAULT_RESPONSE_POLICY.routine_escalation
    assert response_policy_from_config({}) == DEFAULT_RESPONSE_POLICY


def test_policy_configuration_errors_name_the_setting():
    with pytest.raises(PolicyConfigError) as error:
        response_policy_from_config(
            {
                "hours": {"opens": "9am", "days": ["mon", "funday"], "lunch": True},
                "urgent": "tomorrow",
                "escalation": {"routine": {"to_manager": "1 working day"}, "someday": {}},
                "colour": "blue",
            }
        )
    assert error.value.errors == (
        "unknown setting 'colour'",
        "hours: unknown setting 'lunch'",
        "hours.opens: '9am' is not a time such as '09:00'",
        "hours.days: 'funday' is not a day of the week (mon ... sun)",
        "urgent: 'tomorrow' is not a time such as '2 clock hours' or '1 working day'",
        "escalation: unknown urgency 'someday'",
        "escalation.routine: give both to_manager and to_coordinator, and nothing else",
    )
    with pytest.raises(PolicyConfigError, match="close after it opens"):
        response_policy_from_config({"hours": {"opens": "17:00", "closes": "09:00"}})


# --- Properties -------------------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2028, 6, 30), timezones=st.just(LONDON), allow_imaginary=False
)
service_hours = st.builds(
    WorkingHours,
    opens=st.sampled_from([time(0), time(7), time(8), time(9), time(9, 30)]),
    closes=st.sampled_from([time(12), time(17), time(20), time(23, 59)]),
    days=st.frozensets(st.integers(0, 6), min_size=1),
    bank_holidays_off=st.booleans(),
)
policies = st.builds(
    ResponsePolicy,
    hours=service_hours,
    emergency=st.sampled_from([clock_hours(2), clock_hours(1), clock_hours(4)]),
    urgent=st.sampled_from([working_days(1), working_days(2)]),
    routine=st.sampled_from([working_days(5), working_days(10)]),
)


@given(moments, st.sampled_from(list(Urgency)), policies)
def test_deadlines_are_never_before_sending_and_end_inside_working_time(sent, urgency, policy):
    deadline = response_deadline(sent, urgency, policy)
    assert deadline >= sent
    span = policy.respond_within(urgency)
    if span.unit is TimeUnit.CLOCK_HOURS:
        assert deadline - sent == timedelta(hours=span.amount)
    else:
        closing = deadline.astimezone(LONDON)
        assert policy.hours.is_working_day(closing.date())
        assert closing.time() == policy.hours.closes


@given(
    moments,
    st.sampled_from(list(Urgency)),
    st.lists(st.tuples(st.integers(0, 3000), st.integers(0, 3000)), max_size=4),
)
@example(datetime(2024, 3, 31, 1, 5, tzinfo=LONDON), Urgency.EMERGENCY, [(55, 0)])
@example(datetime(2024, 3, 31, 1, 5, tzinfo=LONDON), Urgency.EMERGENCY, [(0, 55)])
def test_clock_stops_never_bring_a_deadline_forward(sent, urgency, gaps):
    # Minutes of real time: aware arithmetic in Europe/London is wall-clock arithmetic, which, from a
    # time inside the hour skipped when the clocks go forward, made stops that began before sending.
    stops, cursor = [], sent.astimezone(UTC)
    for before, length in gaps:
        paused = cursor + timedelta(minutes=before)
        stops.append(ClockStop(paused, "Waiting", paused + timedelta(minutes=length)))
        cursor = paused + timedelta(minutes=length)
    assert response_deadline(sent, urgency, clock_stops=stops) >= response_deadline(sent, urgency)
