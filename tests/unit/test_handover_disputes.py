"""Ping-pong detection, the dispute deadline and the default owner (issue 3, item 5)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.handover.deadlines import working_days
from joinedup.handover.rules import (
    GovernanceModel,
    Handback,
    HandbackKind,
    OwnerRole,
    age_on,
    default_owner,
    detect_ping_pong,
    dispute_deadline,
)

LONDON = ZoneInfo("Europe/London")
NHS, COUNCIL, MENTAL_HEALTH = 1, 2, 3
NOW = datetime(2026, 11, 20, 16, 55, tzinfo=LONDON)


def back(from_org, to_org, days_ago, kind=HandbackKind.DECLINED):
    return Handback(from_org, to_org, NOW - timedelta(days=days_ago), kind)


def test_one_decline_is_not_ping_pong():
    assert detect_ping_pong([back(NHS, COUNCIL, 0)], NOW) is None


def test_twice_within_thirty_days_opens_a_dispute():
    history = [back(NHS, COUNCIL, 12), back(COUNCIL, NHS, 0, HandbackKind.RETURNED)]
    trigger = detect_ping_pong(history, NOW)
    assert trigger is not None
    assert trigger.organisation_ids == (NHS, COUNCIL)
    assert trigger.handbacks == (history[0], history[1])
    assert (trigger.first_at, trigger.last_at) == (history[0].at, history[1].at)


def test_the_window_is_inclusive_thirty_days_opens_thirty_one_does_not():
    assert detect_ping_pong([back(NHS, COUNCIL, 30), back(NHS, COUNCIL, 0)], NOW) is not None
    assert detect_ping_pong([back(NHS, COUNCIL, 31), back(NHS, COUNCIL, 0)], NOW) is None


def test_different_organisation_pairs_do_not_add_up():
    history = [back(NHS, COUNCIL, 10), back(NHS, MENTAL_HEALTH, 5), back(MENTAL_HEALTH, COUNCIL, 0)]
    assert detect_ping_pong(history, NOW) is None


def test_handbacks_inside_one_organisation_do_not_count():
    assert detect_ping_pong([back(NHS, NHS, 3), back(NHS, NHS, 0)], NOW) is None


def test_handbacks_before_the_last_decision_or_in_the_future_do_not_count():
    history = [back(NHS, COUNCIL, 10), back(NHS, COUNCIL, 0)]
    assert detect_ping_pong(history, NOW, since=NOW - timedelta(days=5)) is None
    assert detect_ping_pong([back(NHS, COUNCIL, 1), back(NHS, COUNCIL, -1)], NOW) is None


def test_window_and_threshold_are_configurable():
    history = [back(NHS, COUNCIL, 50), back(COUNCIL, NHS, 20), back(NHS, COUNCIL, 0)]
    assert detect_ping_pong(history, NOW, window_days=60, threshold=3) is not None
    assert detect_ping_pong(history, NOW, threshold=3) is None
    with pytest.raises(ValueError):
        detect_ping_pong(history, NOW, window_days=0)
    with pytest.raises(ValueError, match="timezone-aware"):
        detect_ping_pong(history, datetime(2026, 11, 20))
    with pytest.raises(ValueError, match="timezone-aware"):
        detect_ping_pong([Handback(NHS, COUNCIL, datetime(2026, 11, 20))], NOW)


def test_the_pair_with_the_latest_handback_wins():
    history = [
        back(NHS, COUNCIL, 10),
        back(NHS, COUNCIL, 9),
        back(MENTAL_HEALTH, NHS, 3),
        back(NHS, MENTAL_HEALTH, 1),
    ]
    assert detect_ping_pong(history, NOW).organisation_ids == (NHS, MENTAL_HEALTH)


def test_the_dispute_deadline_is_five_working_days_by_default():
    deadline = dispute_deadline(NOW)  # Friday 20 November 2026, 16:55
    assert deadline.astimezone(LONDON).replace(tzinfo=None) == datetime(2026, 11, 27, 17, 0)
    faster = dispute_deadline(NOW, working_days(2))
    assert faster.astimezone(LONDON).replace(tzinfo=None) == datetime(2026, 11, 24, 17, 0)


@pytest.mark.parametrize(
    ("model", "age", "owner"),
    [
        (GovernanceModel.LEAD_AGENCY, 80, OwnerRole.NHS_COMMUNITY_PROVIDER),
        (GovernanceModel.LEAD_AGENCY, 18, OwnerRole.NHS_COMMUNITY_PROVIDER),
        (GovernanceModel.LEAD_AGENCY, 17, OwnerRole.COUNCIL_CHILDRENS_SERVICES),
        (GovernanceModel.LEAD_AGENCY, 0, OwnerRole.COUNCIL_CHILDRENS_SERVICES),
        (GovernanceModel.LEAD_AGENCY, None, OwnerRole.LOCALITY_MDT),
        (GovernanceModel.POOLED, 80, OwnerRole.LOCALITY_MDT),
        (GovernanceModel.POOLED, 10, OwnerRole.LOCALITY_MDT),
        ("pooled", None, OwnerRole.LOCALITY_MDT),
    ],
)
def test_default_owner_by_governance_model(model, age, owner):
    assert default_owner(model, age) is owner


def test_a_council_led_borough_configures_its_adult_lead():
    assert (
        default_owner("lead_agency", 70, adult_lead=OwnerRole.COUNCIL_ADULT_SOCIAL_CARE)
        is OwnerRole.COUNCIL_ADULT_SOCIAL_CARE
    )
    with pytest.raises(ValueError):
        default_owner("lead_agency", -1)
    with pytest.raises(ValueError):
        default_owner("alliance", 70)


def test_age_on_a_day():
    assert age_on(date(2008, 11, 21), date(2026, 11, 20)) == 17
    assert age_on(date(2008, 11, 20), date(2026, 11, 20)) == 18
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17


# --- Properties -------------------------------------------------------------------------------

handbacks = st.lists(
    st.builds(
        Handback,
        from_organisation_id=st.integers(1, 4),
        to_organisation_id=st.integers(1, 4),
        at=st.integers(0, 90 * 24).map(lambda hours: NOW - timedelta(hours=hours)),
        kind=st.sampled_from(list(HandbackKind)),
    ),
    max_size=8,
)


def swapped(history):
    return [Handback(h.to_organisation_id, h.from_organisation_id, h.at, h.kind) for h in history]


@given(handbacks, st.integers(1, 90), st.integers(1, 4))
def test_ping_pong_is_symmetric_in_the_two_organisations(history, window, threshold):
    one = detect_ping_pong(history, NOW, window, threshold)
    other = detect_ping_pong(swapped(history), NOW, window, threshold)
    assert (one is None) == (other is None)
    if one is not None and other is not None:
        assert one.organisation_ids == other.organisation_ids
        assert [h.at for h in one.handbacks] == [h.at for h in other.handbacks]


@given(handbacks, st.integers(1, 89), st.integers(1, 30), st.integers(1, 4))
def test_ping_pong_is_monotone_in_the_window(history, window, wider_by, threshold):
    if detect_ping_pong(history, NOW, window, threshold) is not None:
        assert detect_ping_pong(history, NOW, window + wider_by, threshold) is not None


@given(handbacks)
def test_the_order_of_the_history_does_not_matter(history):
    assert detect_ping_pong(history, NOW) == detect_ping_pong(list(reversed(history)), NOW)
