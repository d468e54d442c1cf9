"""The crisis clock (issue 5, item 3): 2 hours from raising in real time, acknowledgement within
15 minutes, then escalation to the next person on the rota, then the service manager."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from joinedup.crisis.clock import (
    acknowledge_due,
    admission_follows,
    escalation_times,
    escalations_due,
    next_escalation,
    response_due,
    time_left,
    within_target,
)

LONDON = ZoneInfo("Europe/London")
RAISED = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)


def test_two_real_hours_across_the_clocks_going_forward():
    raised = datetime(2026, 3, 29, 0, 30, tzinfo=LONDON)  # 00:30 GMT, clocks go to 02:00 BST at 01:00 GMT
    due = response_due(raised)
    assert due - raised == timedelta(hours=2)
    assert due.astimezone(LONDON).strftime("%H:%M") == "03:30"


def test_two_real_hours_across_the_clocks_going_back():
    raised = datetime(2026, 10, 25, 0, 30, tzinfo=LONDON)  # 00:30 BST
    assert response_due(raised).astimezone(LONDON).strftime("%H:%M %Z") == "01:30 GMT"


def test_acknowledgement_is_due_in_15_minutes_and_time_left_goes_negative():
    assert acknowledge_due(RAISED) == RAISED + timedelta(minutes=15)
    assert time_left(response_due(RAISED), RAISED + timedelta(hours=2, minutes=5)) == timedelta(minutes=-5)


def test_within_the_target_is_two_hours_or_less_to_arrive():
    assert within_target(RAISED, RAISED + timedelta(hours=2))
    assert not within_target(RAISED, RAISED + timedelta(hours=2, seconds=1))
    assert not within_target(RAISED, None)


def test_escalation_goes_to_the_next_on_the_rota_at_15_minutes_then_the_manager_at_30():
    chain = [302, 309]
    assert escalation_times(RAISED, 2) == {1: RAISED + timedelta(minutes=15), 2: RAISED + timedelta(minutes=30)}
    assert escalations_due(RAISED, RAISED + timedelta(minutes=14), [], chain) == []
    first = escalations_due(RAISED, RAISED + timedelta(minutes=15), [], chain)
    assert [(s.level, s.recipient_id) for s in first] == [(1, 302)]
    second = escalations_due(RAISED, RAISED + timedelta(minutes=31), [1], chain)
    assert [(s.level, s.recipient_id) for s in second] == [(2, 309)]


def test_a_late_tick_makes_every_level_due_at_once_and_a_gap_is_named():
    steps = escalations_due(RAISED, RAISED + timedelta(hours=1), [], [None, 309])
    assert [(s.level, s.recipient_id) for s in steps] == [(1, None), (2, 309)]
    assert steps[0].gap and "every member of the owning team" in steps[0].gap
    assert steps[1].gap is None


def test_the_next_escalation_moves_on_and_ends():
    assert next_escalation(RAISED, [], 2) == RAISED + timedelta(minutes=15)
    assert next_escalation(RAISED, [1], 2) == RAISED + timedelta(minutes=30)
    assert next_escalation(RAISED, [1, 2], 2) is None


def test_an_admission_links_within_48_hours_after_raising():
    assert admission_follows(RAISED, RAISED + timedelta(hours=48))
    assert not admission_follows(RAISED, RAISED + timedelta(hours=48, seconds=1))
    assert not admission_follows(RAISED, RAISED - timedelta(seconds=1))


def test_the_clock_refuses_naive_times():
    with pytest.raises(ValueError, match="timezone-aware"):
        response_due(datetime(2026, 11, 20, 16, 0))


@settings(max_examples=300)
@given(
    minutes=st.integers(0, 600),
    made=st.sets(st.integers(1, 2)),
    chain=st.lists(st.one_of(st.none(), st.integers(1, 9)), min_size=2, max_size=2),
)
def test_escalations_are_each_made_once_in_order_and_the_next_is_later(minutes, made, chain):
    now = RAISED + timedelta(minutes=minutes)
    steps = escalations_due(RAISED, now, made, chain)
    levels = [s.level for s in steps]
    assert levels == sorted(levels) and not set(levels) & made
    assert all(s.due_at <= now for s in steps)
    after = next_escalation(RAISED, made | set(levels), len(chain))
    assert after is None or after > now
