"""Invariant 1 at the level of the pure rules: nobody is left without someone who answers."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.clients.rules import (
    AccountabilityRefused,
    TeamFacts,
    answering_professional,
    check_accountability,
    check_duty_worker_change,
    check_member_leaving,
)

TEAM = TeamFacts(team_id=1, name="North Therapy", member_ids=frozenset({10, 11, 12}), duty_worker_id=10)
NO_DUTY = TeamFacts(team_id=2, name="South Therapy", member_ids=frozenset({20}), duty_worker_id=None)


def test_lead_must_be_a_member():
    with pytest.raises(AccountabilityRefused, match="member of North Therapy"):
        check_accountability(TEAM, 99)


def test_no_lead_needs_a_duty_worker():
    check_accountability(TEAM, None)
    with pytest.raises(AccountabilityRefused, match="no duty worker"):
        check_accountability(NO_DUTY, None)


def test_duty_worker_answers_while_no_lead_is_named():
    assert answering_professional(TEAM, None) == 10
    assert answering_professional(TEAM, 11) == 11


def test_duty_worker_cannot_be_removed_while_clients_depend_on_them():
    with pytest.raises(AccountabilityRefused, match="keep a duty worker"):
        check_duty_worker_change(TEAM, None, clients_without_lead=3)
    check_duty_worker_change(TEAM, None, clients_without_lead=0)
    with pytest.raises(AccountabilityRefused, match="member"):
        check_duty_worker_change(TEAM, 99, clients_without_lead=0)


def test_the_duty_worker_cannot_leave_before_a_replacement_is_named():
    with pytest.raises(AccountabilityRefused, match="another duty worker"):
        check_member_leaving(TEAM, 10, clients_led=0, clients_without_lead=0)
    with pytest.raises(AccountabilityRefused, match="no duty worker"):
        check_member_leaving(NO_DUTY, 20, clients_led=2, clients_without_lead=0)


teams = st.builds(
    lambda members, duty_pick: TeamFacts(
        team_id=1,
        name="T",
        member_ids=frozenset(members),
        duty_worker_id=sorted(members)[duty_pick % len(members)] if duty_pick >= 0 and members else None,
    ),
    st.sets(st.integers(1, 8), max_size=5),
    st.integers(-1, 7),
)


@given(teams, st.one_of(st.none(), st.integers(1, 10)))
def test_an_accepted_accountability_always_has_someone_who_answers(team, lead):
    try:
        check_accountability(team, lead)
    except AccountabilityRefused:
        return
    who = answering_professional(team, lead)
    assert who is not None
    assert who == lead or who == team.duty_worker_id
