"""Actions, bridging packages, the "before admitting" checklist and outcomes (issue 5, items 4 to 6)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.crisis.outcomes import (
    ActionStatus,
    FollowUpOwner,
    FundingSource,
    bridging_ends,
    check_admission_checklist,
    follow_ups,
    funding_source,
    may_move,
    parse_cost,
)

LONDON = ZoneInfo("Europe/London")
EVERY = {"rapid_response_visit": "tried", "bridging_package": "not_available", "equipment": "not_suitable",
         "carer_support": "tried", "virtual_ward": "not_suitable"}  # fmt: skip


def test_a_bridging_package_lasts_72_hours_unless_said_otherwise():
    start = datetime(2026, 11, 20, 18, tzinfo=UTC)
    assert bridging_ends(start) == start + timedelta(hours=72)
    assert bridging_ends(start, 24) == start + timedelta(hours=24)
    for hours in (0, 14 * 24 + 1):
        with pytest.raises(ValueError, match="lasts from 1"):
            bridging_ends(start, hours)


@pytest.mark.parametrize(
    ("model", "born", "expected"),
    [
        ("lead_agency", date(1940, 5, 17), FundingSource.NHS_COMMUNITY_PROVIDER),
        ("lead_agency", date(2015, 5, 17), FundingSource.COUNCIL_CHILDRENS_SERVICES),
        ("pooled", date(1940, 5, 17), FundingSource.POOLED_BUDGET),
        ("pooled", date(2015, 5, 17), FundingSource.POOLED_BUDGET),
    ],
)
def test_the_governance_model_decides_who_pays(model, born, expected):
    assert funding_source(model, born, date(2026, 11, 20)) is expected


def test_an_unknown_governance_model_is_refused():
    with pytest.raises(ValueError):
        funding_source("whoever-shouts-loudest", date(1940, 5, 17), date(2026, 11, 20))


@pytest.mark.parametrize(
    ("text", "expected"), [("432.5", Decimal("432.50")), ("£1,250.00", Decimal("1250.00")), (" 0 ", Decimal("0.00"))]
)
def test_costs_are_pounds_and_pence(text, expected):
    assert parse_cost(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [("", "in pounds"), ("a lot", "in pounds"), ("-3", "0 or more"), ("1.234", "two decimal places"),
     ("100000", "below"), ("NaN", "0 or more"), ("Infinity", "0 or more"), (None, "in pounds")],
)  # fmt: skip
def test_a_wrong_cost_is_refused_saying_why(text, problem):
    with pytest.raises(ValueError, match=problem):
        parse_cost(text)


@given(st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2, allow_nan=False, allow_infinity=False))
def test_any_cost_in_pounds_and_pence_reads_back_the_same(cost):
    assert parse_cost(f"£{cost:,}") == cost


def test_actions_move_on_and_never_back():
    assert may_move("requested", "arranged") and may_move("arranged", "done")
    assert not may_move("done", "requested") and not may_move("cancelled", "done")
    assert not may_move("arranged", "requested")


@given(st.sampled_from(list(ActionStatus)), st.sampled_from(list(ActionStatus)))
def test_closed_actions_stay_closed(current, new):
    if current in (ActionStatus.DONE, ActionStatus.CANCELLED):
        assert not may_move(current, new)
    assert not may_move(current, current)


def test_the_checklist_needs_every_alternative_and_a_reason():
    assert check_admission_checklist(EVERY, "Possible hip fracture: needs an X-ray") == {}
    problems = check_admission_checklist({**EVERY, "virtual_ward": "maybe"}, "no")
    assert set(problems) == {"virtual_ward", "reason"}
    missing = check_admission_checklist({}, "Possible hip fracture")
    assert set(missing) == {"rapid_response_visit", "bridging_package", "equipment", "carer_support", "virtual_ward"}
    assert "unknown_thing" in check_admission_checklist({**EVERY, "unknown_thing": "tried"}, "A good reason")


def test_the_accountable_team_reviews_on_the_next_working_day():
    friday = datetime(2026, 8, 28, 18, tzinfo=LONDON)  # before the summer bank holiday
    found = follow_ups("stayed_home", friday, open_dispute=False, details_to_complete=False, bridging_ends_at=[])
    assert [(f.owner, f.key) for f in found] == [(FollowUpOwner.ACCOUNTABLE_TEAM, "review")]
    assert found[0].due_at.astimezone(LONDON) == datetime(2026, 9, 1, 17, tzinfo=LONDON)  # Tuesday's close


def test_a_dispute_details_and_bridging_packages_each_leave_a_task():
    resolved = datetime(2026, 11, 20, 18, tzinfo=UTC)
    ends = resolved + timedelta(hours=70)
    found = follow_ups("stayed_home", resolved, open_dispute=True, details_to_complete=True, bridging_ends_at=[ends])
    by_key = {f.key: f for f in found}
    assert by_key["dispute"].owner is FollowUpOwner.LOCALITY_MDT
    assert by_key["details"].owner is FollowUpOwner.ACCOUNTABLE_TEAM
    assert by_key["bridging-1"].owner is FollowUpOwner.BROKERAGE
    assert by_key["bridging-1"].due_at == ends - timedelta(hours=24)
    assert "ending 23 November at 16:00" in by_key["bridging-1"].title  # London time
    admitted = follow_ups("admitted", resolved, open_dispute=False, details_to_complete=False, bridging_ends_at=[ends])
    assert [f.key for f in admitted] == ["review"] and "discharge" in admitted[0].title
