"""fhir.care_in and careplans.rules.elsewhere: what an imported CarePlan, Goal or CareTeam says, in the care
plans part's words, without a database; nothing added that the sender did not say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedup.careplans.rules.elsewhere import period_text, when_text
from joinedup.fhir import care_in
from tests.corpora import corpus

ODS = "https://fhir.nhs.uk/Id/ods-organization-code"
FOUND: dict[str, dict[str, Any]] = {
    "Practitioner/pr1": {"resourceType": "Practitioner", "name": [{"prefix": ["Dr"], "given": ["Nia"],
                                                                   "family": "Nurseson"}]},
    "Organization/o1": {"resourceType": "Organization", "name": "Riverside", "identifier": [{"system": ODS,
                                                                                              "value": "rv3"}]},
    "PractitionerRole/r1": {"resourceType": "PractitionerRole", "practitioner": {"reference": "Practitioner/pr1"},
                            "organization": {"reference": "Organization/o1"}, "code": [{"text": "Dietitian"}]},
    "Condition/c1": {"resourceType": "Condition", "code": {"coding": [{"code": "52448006", "display": "Dementia"}]}},
}  # fmt: skip


def test_a_plan_says_what_its_sender_said_and_names_what_it_refers_to() -> None:
    plan = {
        "resourceType": "CarePlan", "status": "on-hold", "intent": "order",
        "category": [{"coding": [{"display": "Physical therapy procedure"}]}],
        "period": {"start": "2017-03"}, "author": {"reference": "Organization/o1"},
        "addresses": [{"reference": "Condition/c1"}], "goal": [{"reference": "Goal/g1"}, {"reference": "#g2"}],
        "activity": [{"detail": {"code": {"text": "Stretching"}, "status": "completed",
                                 "performer": [{"reference": "PractitionerRole/r1"}]}}, {}],
    }  # fmt: skip
    made = care_in.plan_from(plan, 7, "CarePlan/cp1", "a.json", FOUND)
    assert (made.status, made.intent, made.title, made.description) == ("on-hold", "order", "", "")
    assert made.categories == ("Physical therapy procedure",) and made.addresses == ("Dementia",)
    assert (made.period_start, made.period_end, made.author, made.source) == ("2017-03", "", "Riverside", "Riverside")
    assert [(a.what, a.status, a.performers) for a in made.activities] == [
        ("Stretching", "completed", ("Dr Nia Nurseson, Dietitian",)),
        ("Not described", "", ()),
    ]
    assert made.goal_keys == ("Goal/g1",)


def test_a_care_team_member_acts_for_an_organisation_named_by_ods_code_and_keeps_its_role_and_period() -> None:
    team = {
        "resourceType": "CareTeam", "status": "active", "meta": {"source": "https://gp.example/fhir"},
        "managingOrganization": [{"reference": "Organization/o1"}],
        "contained": [{"resourceType": "Practitioner", "id": "x", "name": [{"text": "Dorothy Dietician"}]}],
        "participant": [
            {"member": {"reference": "PractitionerRole/r1"}, "role": [{"coding": [{"code": "adviser"}]}],
             "period": {"start": "2024-01-10", "end": "2024"}},
            {"member": {"reference": "#x", "display": "Dot D."}},
            {"member": {"identifier": {"system": ODS, "value": "c001"}}},
            {"member": {"reference": "Practitioner/unknown"}},
            {"role": [{"text": "Carer"}]},
        ],
    }  # fmt: skip
    made = care_in.team_from(team, 7, "CareTeam/t1", "a.json", FOUND)
    assert made.source == "https://gp.example/fhir"  # the system its meta names comes first
    first, contained, by_ods, unknown, unnamed = made.members
    assert (first.name, first.kind, first.roles, first.organisation, first.ods_code) == (
        "Dr Nia Nurseson, Dietitian", "person", ("adviser",), "Riverside", "RV3"
    )  # fmt: skip
    assert (first.period_start, first.period_end) == ("2024-01-10", "2024")
    assert (contained.name, contained.kind) == ("Dot D.", "person")  # the display, as written
    assert (by_ods.name, by_ods.kind, by_ods.ods_code) == ("ODS c001", "organisation", "C001")
    assert (unknown.name, unknown.kind, unknown.ods_code) == ("Practitioner/unknown", "person", "")
    assert (unnamed.name, unnamed.kind, unnamed.roles) == ("Not named", "", ("Carer",))


def test_a_goal_keeps_its_targets_in_words() -> None:
    goal = {
        "resourceType": "Goal", "lifecycleStatus": "active", "description": {"text": "Walk to the park"},
        "achievementStatus": {"coding": [{"code": "improving"}]}, "startDate": "2024-01-10",
        "target": [
            {"measure": {"text": "HbA1c"}, "detailQuantity": {"comparator": "<", "value": 7.0, "unit": "%"}},
            {"detailRange": {"low": {"value": 1, "unit": "km"}}, "dueDuration": {"value": 3, "unit": "months"}},
            {"detailBoolean": True, "dueDate": "2026-06-01"},
            {"detailCodeableConcept": {"text": "Independent"}},
        ],
    }  # fmt: skip
    made = care_in.goal_from(goal, 7, "Goal/g1", "a.json", FOUND)
    assert (made.description, made.lifecycle_status, made.achievement_status, made.start) == (
        "Walk to the park", "active", "improving", "2024-01-10"
    )  # fmt: skip
    assert [(t.measure, t.detail, t.due) for t in made.targets] == [
        ("HbA1c", "< 7.0 %", ""),
        ("", "at least 1 km", "in 3 months"),
        ("", "true", "2026-06-01"),
        ("", "Independent", ""),
    ]


def test_references_are_those_whose_names_may_be_needed() -> None:
    plan = {"subject": {"reference": "Patient/p1"}, "encounter": {"reference": "Encounter/e1"},
            "author": {"reference": "Practitioner/pr1"}, "addresses": [{"reference": "Condition/c1"}],
            "contained": [{"reference": "#x"}], "goal": [{"reference": "Goal/g1"}]}  # fmt: skip
    assert care_in.references(plan) == {"Patient/p1", "Practitioner/pr1", "Condition/c1"}


def test_dates_are_shown_as_precisely_as_they_were_given() -> None:
    assert when_text("2024-01-10") == "10 January 2024"
    assert when_text("2017-03-21T23:37:54+00:00") == "21 March 2017"
    assert (when_text("2017-03"), when_text("2017"), when_text("2017-02-30")) == ("2017-03", "2017", "2017-02-30")
    assert period_text("2024", "") == "Since 2024" and period_text("", "2024-05-31") == "Until 31 May 2024"
    assert period_text("", "") == ""


KEYS = [
    "status", "intent", "participant", "member", "role", "reference", "display", "identifier", "system", "value",
    "period", "start", "end", "activity", "detail", "performer", "code", "coding", "text", "target", "goal",
    "description", "managingOrganization", "meta", "source", "contained", "id", "resourceType", "author",
    "detailQuantity", "detailRange", "low", "dueDuration", "achievementStatus", "name", "onBehalfOf",
]  # fmt: skip
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4),
    max_leaves=10,
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(KEYS), JSON, max_size=6), st.sampled_from(["CarePlan", "Goal", "CareTeam"]))
def test_any_shape_of_resource_is_read_without_failing(resource: dict[str, Any], kind: str) -> None:
    """The validator refuses most of these; what it lets through must never stop an import here."""
    build = {"CarePlan": care_in.plan_from, "Goal": care_in.goal_from, "CareTeam": care_in.team_from}[kind]
    made = build({**resource, "resourceType": kind}, 1, f"{kind}/x", "f.json", FOUND)
    assert made.key == f"{kind}/x" and made.client_id == 1


@pytest.mark.parametrize("name", ["CareTeam-example.json", "CarePlan-example.json", "Goal-stop-smoking.json"])
def test_the_specifications_examples(name: str) -> None:
    path = Path(corpus("fhir_r4_examples")) / "dev" / name
    resource = json.loads(path.read_text())
    kind = resource["resourceType"]
    build = {"CarePlan": care_in.plan_from, "Goal": care_in.goal_from, "CareTeam": care_in.team_from}[kind]
    made = build(resource, 1, f"{kind}/{resource['id']}", name, {})
    if kind == "CareTeam":
        assert [(m.name, m.kind, m.roles) for m in made.members] == [
            ("Peter James Chalmers", "client", ("responsiblePerson",)),
            ("Dorothy Dietition", "person", ("adviser",)),
        ]
        assert made.members[1].period_end == "2013-01-01" and made.source == "Organization/f001"
    elif kind == "CarePlan":
        assert made.status == resource["status"] and made.intent == resource["intent"]
    else:
        assert made.description == resource["description"]["text"]
