"""The referral state machine (issue 3, item 1): every legal and illegal transition, who may act,
and the consequences the Django layer acts on."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from joinedup.handover.information import Problem
from joinedup.handover.rules import (
    Action,
    ReferralKind,
    ReferralState,
    Side,
    TransitionRefused,
    accountable_side,
    allowed_actions,
    is_open,
    transition,
)

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 20, 16, 55, tzinfo=LONDON)
S, A = ReferralState, Action
TRANSFER, SERVICE = ReferralKind.TRANSFER_OF_CARE, ReferralKind.REQUEST_FOR_SERVICE

# The expected table, written out by hand (not derived from the module's own table).
LEGAL = {
    (S.DRAFT, A.SEND): S.SENT,
    (S.DRAFT, A.WITHDRAW): S.WITHDRAWN,
    (S.SENT, A.REQUEST_INFORMATION): S.INFORMATION_REQUESTED,
    (S.SENT, A.ACCEPT): S.ACCEPTED,
    (S.SENT, A.DECLINE): S.DECLINED,
    (S.SENT, A.WITHDRAW): S.WITHDRAWN,
    (S.SENT, A.STOP_CLOCK): S.SENT,
    (S.SENT, A.RESTART_CLOCK): S.SENT,
    (S.INFORMATION_REQUESTED, A.PROVIDE_INFORMATION): S.SENT,
    (S.INFORMATION_REQUESTED, A.ACCEPT): S.ACCEPTED,
    (S.INFORMATION_REQUESTED, A.DECLINE): S.DECLINED,
    (S.INFORMATION_REQUESTED, A.WITHDRAW): S.WITHDRAWN,
    (S.INFORMATION_REQUESTED, A.STOP_CLOCK): S.INFORMATION_REQUESTED,
    (S.INFORMATION_REQUESTED, A.RESTART_CLOCK): S.INFORMATION_REQUESTED,
}
RECEIVER_ACTIONS = {A.REQUEST_INFORMATION, A.ACCEPT, A.DECLINE, A.STOP_CLOCK, A.RESTART_CLOCK}
ILLEGAL = [(s, a) for s in ReferralState for a in Action if (s, a) not in LEGAL]


def side_for(action):
    return Side.RECEIVER if action in RECEIVER_ACTIONS else Side.SENDER


def act(state, action, **overrides):
    """A call that satisfies every precondition of `action`, unless overridden."""
    arguments = {
        "kind": TRANSFER,
        "actor_side": side_for(action),
        "actor_id": 7,
        "at": NOW,
        "reason": "The client asked for it",
        "alternative": "The memory service",
        "information_problems": [],
        "clock_stopped": action is A.RESTART_CLOCK,
        "deadline": NOW + timedelta(hours=1),
    }
    arguments.update(overrides)
    return transition(state, action, **arguments)


@pytest.mark.parametrize(("state", "action"), list(LEGAL))
def test_every_legal_transition(state, action):
    outcome = act(state, action)
    assert outcome.state is LEGAL[(state, action)]
    assert outcome.event.from_state is state and outcome.event.to_state is outcome.state
    assert outcome.event.actor_id == 7 and outcome.event.actor_side is side_for(action)
    assert outcome.event.at == NOW and outcome.event.at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_every_illegal_transition_is_refused_with_a_sentence(state, action):
    with pytest.raises(TransitionRefused, match=r"^A referral that .+ cannot "):
        act(state, action)


@pytest.mark.parametrize(("state", "action"), list(LEGAL))
def test_the_wrong_side_is_refused(state, action):
    wrong = Side.SENDER if side_for(action) is Side.RECEIVER else Side.RECEIVER
    with pytest.raises(TransitionRefused, match=r"^Only the (sending|receiving) team can"):
        act(state, action, actor_side=wrong)


def test_refusal_messages_read_well():
    with pytest.raises(TransitionRefused, match=r"^A referral that was declined cannot be accepted"):
        act(S.DECLINED, A.ACCEPT)
    with pytest.raises(TransitionRefused, match="sending team may make a new referral"):
        act(S.DECLINED, A.SEND)
    with pytest.raises(TransitionRefused, match=r"^Only the receiving team can accept"):
        act(S.SENT, A.ACCEPT, actor_side="sender")
    with pytest.raises(TransitionRefused, match=r"^Only the sending team can withdraw"):
        act(S.SENT, A.WITHDRAW, actor_side="receiver")


@pytest.mark.parametrize("state", [S.SENT, S.INFORMATION_REQUESTED])
@pytest.mark.parametrize(
    ("reason", "alternative", "message"),
    [
        ("", "Memory service", "reason for declining"),
        ("   ", "Memory service", "reason for declining"),
        ("Not our area", "", "Suggest an alternative"),
        ("Not our area", "  \n", "Suggest an alternative"),
    ],
)
def test_a_decline_needs_a_reason_and_an_alternative(state, reason, alternative, message):
    with pytest.raises(TransitionRefused, match=message):
        act(state, A.DECLINE, reason=reason, alternative=alternative)


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (S.DRAFT, A.WITHDRAW),
        (S.SENT, A.WITHDRAW),
        (S.SENT, A.REQUEST_INFORMATION),
        (S.INFORMATION_REQUESTED, A.PROVIDE_INFORMATION),
        (S.SENT, A.STOP_CLOCK),
    ],
)
def test_actions_that_need_words_refuse_blank_ones(state, action):
    with pytest.raises(TransitionRefused):
        act(state, action, reason=" ")


def test_texts_are_recorded_trimmed():
    event = act(S.SENT, A.DECLINE, reason=" Not our area ", alternative=" Memory service\n").event
    assert (event.reason, event.alternative) == ("Not our area", "Memory service")


def test_sending_needs_a_complete_handover():
    problems = [Problem("risk_falls", "Risk of falls: answer this"), Problem("medication", "...")]
    with pytest.raises(TransitionRefused, match="2 handover items need an answer") as refused:
        act(S.DRAFT, A.SEND, information_problems=problems)
    assert refused.value.problems == tuple(problems)
    with pytest.raises(ValueError, match="check_complete"):
        act(S.DRAFT, A.SEND, information_problems=None)


def test_clock_stops_need_a_running_clock_before_the_deadline():
    with pytest.raises(TransitionRefused, match="already stopped"):
        act(S.SENT, A.STOP_CLOCK, clock_stopped=True)
    with pytest.raises(TransitionRefused, match="deadline has passed"):
        act(S.SENT, A.STOP_CLOCK, deadline=NOW)
    with pytest.raises(ValueError, match="deadline"):
        act(S.SENT, A.STOP_CLOCK, deadline=None)
    with pytest.raises(TransitionRefused, match="nothing to restart"):
        act(S.SENT, A.RESTART_CLOCK, clock_stopped=False)
    assert act(S.SENT, A.STOP_CLOCK).clock_stops
    assert act(S.SENT, A.RESTART_CLOCK).clock_restarts


def test_information_requests_pause_nothing_but_an_answer_restarts_a_stopped_clock():
    asked = act(S.SENT, A.REQUEST_INFORMATION)
    assert not asked.clock_stops and not asked.deadline_ends
    assert not act(S.INFORMATION_REQUESTED, A.PROVIDE_INFORMATION).clock_restarts
    assert act(S.INFORMATION_REQUESTED, A.PROVIDE_INFORMATION, clock_stopped=True).clock_restarts


@pytest.mark.parametrize("state", [S.SENT, S.INFORMATION_REQUESTED])
def test_a_transfer_moves_accountability_only_on_acceptance(state):
    accepted = act(state, A.ACCEPT, kind=TRANSFER)
    assert accepted.accountability_moves_to_receiver and not accepted.receiver_owns_work
    assert accepted.accountable_side is Side.RECEIVER
    for action in (A.DECLINE, A.WITHDRAW, A.STOP_CLOCK):
        outcome = act(state, action, kind=TRANSFER)
        assert not outcome.accountability_moves_to_receiver
        assert outcome.accountable_side is Side.SENDER


def test_a_request_for_service_leaves_the_sender_accountable():
    accepted = act(S.SENT, A.ACCEPT, kind=SERVICE)
    assert not accepted.accountability_moves_to_receiver
    assert accepted.receiver_owns_work
    assert accepted.accountable_side is Side.SENDER


def test_consequences_of_each_step():
    sent = act(S.DRAFT, A.SEND)
    assert sent.deadline_starts and sent.receiver_relationship_starts and sent.notify_receiver
    assert not sent.notify_referrer
    declined = act(S.SENT, A.DECLINE)
    assert declined.notify_referrer and declined.receiver_relationship_ends and declined.deadline_ends
    withdrawn = act(S.INFORMATION_REQUESTED, A.WITHDRAW)
    assert withdrawn.notify_receiver and withdrawn.receiver_relationship_ends and withdrawn.deadline_ends
    draft_withdrawn = act(S.DRAFT, A.WITHDRAW)
    assert not draft_withdrawn.notify_receiver and not draft_withdrawn.receiver_relationship_ends
    assert not draft_withdrawn.deadline_ends
    accepted = act(S.SENT, A.ACCEPT)
    assert accepted.notify_referrer and accepted.deadline_ends and not accepted.receiver_relationship_ends
    asked = act(S.SENT, A.REQUEST_INFORMATION)
    assert asked.notify_referrer and not asked.notify_receiver
    answered = act(S.INFORMATION_REQUESTED, A.PROVIDE_INFORMATION)
    assert answered.notify_receiver and not answered.notify_referrer


def test_every_receiver_action_notifies_the_referrer():
    for (state, action), _ in LEGAL.items():
        outcome = act(state, action)
        assert outcome.notify_referrer is (side_for(action) is Side.RECEIVER)


def test_model_field_strings_are_accepted_and_unknown_values_refused():
    outcome = transition("sent", "accept", kind="transfer_of_care", actor_side="receiver", actor_id=1, at=NOW)
    assert outcome.state == "accepted"
    with pytest.raises(ValueError):
        transition("lost", "accept", kind="transfer_of_care", actor_side="receiver", actor_id=1, at=NOW)


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        act(S.SENT, A.ACCEPT, at=datetime(2026, 1, 5, 9, 0))


def test_event_time_is_stored_in_utc():
    assert act(S.SENT, A.ACCEPT).event.at.tzinfo is not None
    assert act(S.SENT, A.ACCEPT).event.at == NOW.astimezone(UTC)


def test_allowed_actions_for_the_page_buttons():
    assert allowed_actions(S.SENT, Side.RECEIVER, clock_stopped=False) == {
        A.REQUEST_INFORMATION,
        A.ACCEPT,
        A.DECLINE,
        A.STOP_CLOCK,
    }
    assert allowed_actions(S.INFORMATION_REQUESTED, "sender") == {A.PROVIDE_INFORMATION, A.WITHDRAW}
    assert allowed_actions(S.INFORMATION_REQUESTED, "receiver", clock_stopped=True) >= {A.RESTART_CLOCK}
    assert A.STOP_CLOCK not in allowed_actions(S.SENT, "receiver", clock_stopped=True)
    for state in (S.ACCEPTED, S.DECLINED, S.WITHDRAWN):
        assert allowed_actions(state) == set()
    for state in (S.DRAFT, S.SENT, S.INFORMATION_REQUESTED):
        assert allowed_actions(state)


def test_accountable_side_and_open_states():
    for state in ReferralState:
        expected = Side.RECEIVER if state is S.ACCEPTED else Side.SENDER
        assert accountable_side(state, TRANSFER) is expected
        assert accountable_side(state, SERVICE) is Side.SENDER
    assert [s for s in ReferralState if is_open(s)] == [S.SENT, S.INFORMATION_REQUESTED]
