"""The handover information set (issue 3, item 2): nothing is sent without it."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.handover.information import (
    DEFAULT_INFORMATION_ITEMS,
    Answer,
    InformationItem,
    InformationSetConfigError,
    answers_from_dict,
    check_complete,
    completeness,
    information_set_from_config,
)

KEYS = [item.key for item in DEFAULT_INFORMATION_ITEMS]


def all_answered(**overrides):
    answers = {key: Answer(text=f"About {key}") for key in KEYS}
    answers.update(overrides)
    return answers


def test_the_default_set_covers_the_issue():
    assert {
        "request",
        "needs_physical_health",
        "needs_mental_health",
        "needs_social_care",
        "risk_falls",
        "risk_self_neglect",
        "risk_safeguarding",
        "risk_lone_working",
        "medication",
        "others_involved",
        "what_matters",
        "consent_or_lawful_basis",
        "mental_capacity",
        "next_of_kin_and_carer",
        "access_to_home",
    } == set(KEYS)
    assert len(KEYS) == len(set(KEYS))
    for item in DEFAULT_INFORMATION_ITEMS:
        assert item.question and item.help_text and item.section


def test_a_fully_answered_set_is_complete():
    assert check_complete(all_answered(), DEFAULT_INFORMATION_ITEMS) == []
    assert completeness(all_answered(), DEFAULT_INFORMATION_ITEMS) == 1.0


def test_an_empty_referral_lists_every_item_in_order():
    problems = check_complete({}, DEFAULT_INFORMATION_ITEMS)
    assert [p.key for p in problems] == KEYS
    assert problems[1].message == "Physical health needs: answer this, or mark it not known and say why"


def test_blank_text_is_not_an_answer():
    problems = check_complete(all_answered(risk_falls=Answer(text="  \n ")), DEFAULT_INFORMATION_ITEMS)
    assert [p.key for p in problems] == ["risk_falls"]


def test_not_known_needs_a_reason():
    no_reason = all_answered(mental_capacity=Answer(not_known=True, not_known_reason=" "))
    problems = check_complete(no_reason, DEFAULT_INFORMATION_ITEMS)
    assert [(p.key, p.message) for p in problems] == [
        ("mental_capacity", "Mental capacity notes: say why this is not known")
    ]
    with_reason = all_answered(
        mental_capacity=Answer(not_known=True, not_known_reason="Not assessed; client asleep on visit")
    )
    assert check_complete(with_reason, DEFAULT_INFORMATION_ITEMS) == []


def test_the_request_itself_cannot_be_not_known():
    answers = all_answered(request=Answer(not_known=True, not_known_reason="Unsure"))
    assert [p.message for p in check_complete(answers, DEFAULT_INFORMATION_ITEMS)] == [
        "What are you asking the receiving team to do, and why: this cannot be marked not known"
    ]
    assert "cannot be marked not known" in check_complete({}, DEFAULT_INFORMATION_ITEMS)[0].message


def test_an_answer_and_not_known_together_is_a_problem():
    answers = all_answered(medication=Answer(text="Dosette box", not_known=True, not_known_reason="?"))
    assert [p.key for p in check_complete(answers, DEFAULT_INFORMATION_ITEMS)] == ["medication"]


def test_answers_to_unknown_items_are_ignored():
    assert check_complete(all_answered(old_item=Answer()), DEFAULT_INFORMATION_ITEMS) == []


def test_completeness_counts_answers_not_not_knowns():
    answers = all_answered(
        risk_falls=Answer(not_known=True, not_known_reason="First contact"),
        risk_lone_working=Answer(not_known=True, not_known_reason="First contact"),
        medication=Answer(),
    )
    assert completeness(answers, DEFAULT_INFORMATION_ITEMS) == pytest.approx(12 / 15)
    assert completeness({}, DEFAULT_INFORMATION_ITEMS) == 0.0
    assert completeness({}, []) == 1.0


def test_answers_round_trip_through_json():
    answers = {"a": Answer("Text"), "b": Answer(not_known=True, not_known_reason="Why")}
    stored = {key: answer.to_dict() for key, answer in answers.items()}
    assert answers_from_dict(stored) == answers
    assert answers_from_dict({"a": "Plain text"}) == {"a": Answer("Plain text")}
    with pytest.raises(ValueError, match="'a'"):
        answers_from_dict({"a": 3})


def test_a_team_configures_its_own_set():
    items = information_set_from_config(
        {
            "items": [
                {"key": "request", "question": "What do you need?", "not_known_allowed": False},
                {"key": "gp_letter", "question": "Latest GP letter", "help_text": "Attach or summarise"},
            ]
        }
    )
    assert items == (
        InformationItem("request", "What do you need?", not_known_allowed=False),
        InformationItem("gp_letter", "Latest GP letter", "Attach or summarise"),
    )


def test_configured_items_can_extend_the_defaults():
    items = information_set_from_config(
        {"include_defaults": True, "items": [{"key": "pets", "question": "Pets in the home"}]}
    )
    assert [i.key for i in items] == [*KEYS, "pets"]


def test_configuration_errors_name_the_item():
    with pytest.raises(InformationSetConfigError) as error:
        information_set_from_config(
            {
                "include_defaults": True,
                "colour": "blue",
                "items": [
                    {"key": "pets", "question": ""},
                    {"key": "Bad Key", "question": "Q"},
                    {"key": "risk_falls", "question": "Again"},
                    {"key": "x", "question": "Q", "not_known_allowed": "no", "extra": 1},
                    "just a string",
                ],
            }
        )
    assert error.value.errors == (
        "unknown setting 'colour'",
        "item 1 ('pets'): question is missing",
        "item 2 ('Bad Key'): key must be lower case letters, digits and underscores, starting with a letter",
        "item 3 ('risk_falls'): key 'risk_falls' is used twice",
        "item 4 ('x'): unknown field 'extra'",
        "item 4 ('x'): not_known_allowed must be true or false",
        "item 5: must be an object with a key and a question",
    )
    assert "item 1 ('pets')" in str(error.value)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "no items"),
        ({"items": []}, "no items"),
        ({"items": "request"}, "'items' must be a list"),
        ([], "must be an object"),
        ({"items": [{"question": "No key"}]}, "item 1: key must be"),
    ],
)
def test_bad_configurations_are_refused(config, message):
    with pytest.raises(InformationSetConfigError, match=message):
        information_set_from_config(config)


answer_strategy = st.builds(
    Answer,
    text=st.sampled_from(["", " ", "Known"]),
    not_known=st.booleans(),
    not_known_reason=st.sampled_from(["", "\t", "Because"]),
)


@given(st.dictionaries(st.sampled_from(KEYS), answer_strategy))
def test_complete_exactly_when_every_item_is_answered_or_not_known_with_a_reason(answers):
    problems = check_complete(answers, DEFAULT_INFORMATION_ITEMS)

    def ok(item):
        a = answers.get(item.key)
        if a is None:
            return False
        answered = bool(a.text.strip())
        if answered:
            return not a.not_known
        return a.not_known and item.not_known_allowed and bool(a.not_known_reason.strip())

    assert {p.key for p in problems} == {i.key for i in DEFAULT_INFORMATION_ITEMS if not ok(i)}
    assert 0.0 <= completeness(answers, DEFAULT_INFORMATION_ITEMS) <= 1.0
