"""A client first met in a crisis (ADR 0021): where they live, and who holds them from the first moment."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.crisis.registration import (
    HolderCandidate,
    holder_for_new_client,
    locality_for_district,
    postcode_district,
)
from joinedup.handover.rules import OwnerRole


@pytest.mark.parametrize(
    ("postcode", "district"),
    [("XT1 4AB", "XT1"), ("xt12 4ab", "XT12"), ("XT1", "XT1"), ("SW1A 1AA", "SW1A"), ("12345", None), ("", None)],
)
def test_the_district_of_a_postcode(postcode, district):
    assert postcode_district(postcode) == district


def test_a_district_places_someone_in_a_locality():
    localities = {1: "XT1, XT2, XT3", 2: "XT4,XT5", 3: ""}
    assert locality_for_district("XT5", localities) == 2
    assert locality_for_district("XT9", localities) is None


def team(team_id, role=OwnerRole.NHS_COMMUNITY_PROVIDER, *, local=True, mdt=False, duty=True, name=None):
    return HolderCandidate(team_id, name or f"Team {team_id}", role, local, not local, mdt, duty)


def test_lead_agency_adults_go_to_the_nhs_team_responding():
    candidates = [team(1), team(2), team(3, mdt=True), team(4, OwnerRole.COUNCIL_ADULT_SOCIAL_CARE)]
    assert holder_for_new_client("lead_agency", 80, candidates, responding_team_id=2) == 2
    assert holder_for_new_client("lead_agency", 80, candidates, responding_team_id=4) == 1


def test_lead_agency_children_go_to_childrens_services():
    candidates = [team(1), team(5, OwnerRole.COUNCIL_CHILDRENS_SERVICES, local=False), team(3, mdt=True)]
    assert holder_for_new_client("lead_agency", 9, candidates, responding_team_id=1) == 5


def test_pooled_budgets_put_them_with_the_locality_mdt():
    candidates = [team(1), team(3, mdt=True)]
    assert holder_for_new_client("pooled", 80, candidates, responding_team_id=1) == 3


def test_a_team_without_a_duty_worker_never_holds_them():
    candidates = [team(1, duty=False), team(3, mdt=True, duty=False), team(6, OwnerRole.COUNCIL_ADULT_SOCIAL_CARE)]
    assert holder_for_new_client("lead_agency", 80, candidates, responding_team_id=6) == 6
    assert holder_for_new_client("lead_agency", 80, [team(1, duty=False)], responding_team_id=1) is None


def test_failing_all_else_any_team_of_the_locality_then_of_the_borough_holds_them():
    social = team(6, OwnerRole.COUNCIL_ADULT_SOCIAL_CARE, local=False, name="Borough social work")
    local = team(7, None, name="Local voluntary team")
    assert holder_for_new_client("lead_agency", 80, [team(1, duty=False), social, local], responding_team_id=1) == 7
    assert holder_for_new_client("lead_agency", 80, [team(1, duty=False), social], responding_team_id=1) == 6


candidates = st.lists(
    st.builds(
        HolderCandidate,
        st.integers(1, 30),
        st.text(min_size=1, max_size=5),
        st.one_of(st.none(), st.sampled_from(list(OwnerRole))),
        st.booleans(),
        st.booleans(),
        st.booleans(),
        st.booleans(),
    ),
    max_size=8,
)


@given(
    candidates,
    st.sampled_from(["lead_agency", "pooled"]),
    st.integers(0, 110),
    st.one_of(st.none(), st.integers(1, 30)),
)
def test_someone_always_answers_when_any_team_could(found, model, age, responding):
    chosen = holder_for_new_client(model, age, found, responding)
    could = [c for c in found if c.has_duty_worker and (c.in_locality or c.borough_wide or c.team_id == responding)]
    if chosen is None:
        assert not could
    else:
        assert any(c.team_id == chosen and c.has_duty_worker for c in found)
