"""A Hypothesis state machine drives one referral through random actions (legal or not), clock
moves and escalation ticks, and checks the brief's invariants 2 and 3 after every step:

- a referral in sent or information requested always has an owner: the sending team;
- a transfer of care moves accountability only on acceptance;
- every overdue open referral has escalated once the tick has run, each level once, in order,
  never silently;
- only accepted, declined and withdrawn are left without a way forward.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from joinedup.handover.deadlines import (
    ClockStop,
    EscalationContacts,
    EscalationLevel,
    Urgency,
    escalation_times,
    escalations_due,
    is_overdue,
    response_deadline,
)
from joinedup.handover.information import Problem
from joinedup.handover.rules import (
    CLOSED_STATES,
    TRANSITIONS,
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
# Moments where deadlines go wrong: Friday afternoons before a clock change and a bank holiday,
# Christmas Eve, the spring-forward night, the Thursday before Easter.
STARTS = [
    datetime(2026, 10, 23, 16, 30, tzinfo=LONDON),
    datetime(2026, 8, 28, 16, 50, tzinfo=LONDON),
    datetime(2026, 12, 24, 15, 0, tzinfo=LONDON),
    datetime(2027, 3, 27, 23, 45, tzinfo=LONDON),
    datetime(2027, 3, 25, 9, 0, tzinfo=LONDON),
]
people = st.one_of(st.none(), st.integers(1, 99))


def closed_state_reachable(state: ReferralState) -> bool:
    seen, frontier = {state}, [state]
    while frontier:
        current = frontier.pop()
        if current in CLOSED_STATES:
            return True
        for action in allowed_actions(current):
            following = TRANSITIONS[action].to_state or current
            if following not in seen:
                seen.add(following)
                frontier.append(following)
    return False


class ReferralMachine(RuleBasedStateMachine):
    @initialize(
        kind=st.sampled_from(list(ReferralKind)),
        urgency=st.sampled_from(list(Urgency)),
        start=st.sampled_from(STARTS),
        contacts=st.builds(EscalationContacts, people, people, people),
        send_at_once=st.booleans(),
    )
    def create_referral(self, kind, urgency, start, contacts, send_at_once):
        self.kind, self.urgency, self.contacts = kind, urgency, contacts
        self.now = start.astimezone(UTC)
        self.state = ReferralState.DRAFT
        self.accountable = Side.SENDER
        self.sent_at: datetime | None = None
        self.stops: list[ClockStop] = []
        self.escalated: list[EscalationLevel] = []
        self.ticked_at: datetime | None = None
        self.times_at_tick: dict[EscalationLevel, datetime] = {}
        if send_at_once:
            self.attempt(Action.SEND, Side.SENDER, "", "", incomplete=False)

    @property
    def clock_stopped(self) -> bool:
        return bool(self.stops) and self.stops[-1].resumed_at is None

    def deadline(self) -> datetime | None:
        if self.sent_at is None or not is_open(self.state):
            return None
        return response_deadline(self.sent_at, self.urgency, clock_stops=self.stops, now=self.now)

    def close_open_stop(self) -> None:
        if self.clock_stopped:
            last = self.stops[-1]
            self.stops[-1] = ClockStop(last.paused_at, last.reason, self.now)

    @rule(
        action=st.sampled_from(list(Action)),
        side=st.sampled_from(list(Side)),
        reason=st.sampled_from(["", "  ", "Not our area"]),
        alternative=st.sampled_from(["", "The memory service"]),
        incomplete=st.booleans(),
    )
    def anything_goes(self, action, side, reason, alternative, incomplete):
        """Any action by either side, with or without its words: mostly refused."""
        self.attempt(action, side, reason, alternative, incomplete)

    @rule(data=st.data(), mistake=st.sampled_from([None, None, None, "side", "words", "handover"]))
    def a_move_the_page_offers(self, data, mistake):
        """An action the page would offer now, by the right side, sometimes with one mistake."""
        offered = sorted(allowed_actions(self.state, clock_stopped=self.clock_stopped))
        if not offered:
            return
        action = data.draw(st.sampled_from(offered))
        side = TRANSITIONS[action].side
        if mistake == "side":
            side = Side.SENDER if side is Side.RECEIVER else Side.RECEIVER
        words = "" if mistake == "words" else "Because"
        self.attempt(action, side, words, words, mistake == "handover")

    def attempt(self, action, side, reason, alternative, incomplete):
        problems = [Problem("risk_falls", "Risk of falls: answer this")] if incomplete else []
        before = self.state
        try:
            outcome = transition(
                self.state,
                action,
                kind=self.kind,
                actor_side=side,
                actor_id=42,
                at=self.now,
                reason=reason,
                alternative=alternative,
                information_problems=problems,
                clock_stopped=self.clock_stopped,
                deadline=self.deadline(),
            )
        except TransitionRefused:
            rule_ = TRANSITIONS[action]
            assert (
                before not in rule_.from_states
                or side is not rule_.side
                or (rule_.needs_reason and not reason.strip())
                or (rule_.needs_alternative and not alternative.strip())
                or (action is Action.SEND and incomplete)
                or action in (Action.STOP_CLOCK, Action.RESTART_CLOCK)
            )
            event(f"refused {action}")
            return
        assert before in TRANSITIONS[action].from_states and side is TRANSITIONS[action].side
        if outcome.accountability_moves_to_receiver:
            assert action is Action.ACCEPT and self.kind is ReferralKind.TRANSFER_OF_CARE
            self.accountable = Side.RECEIVER
        if outcome.deadline_starts:
            self.sent_at = outcome.event.at
        if outcome.clock_stops:
            self.stops.append(ClockStop(self.now, reason))
        if outcome.clock_restarts or outcome.deadline_ends:
            self.close_open_stop()
        event(f"{before} -> {action} -> {outcome.state}")
        self.state = outcome.state

    @rule(minutes=st.integers(1, 4 * 24 * 60), then_tick=st.booleans())
    def clock_moves(self, minutes, then_tick):
        self.now += timedelta(minutes=minutes)
        if then_tick:
            self.tick()

    @rule()
    def tick(self):
        deadline = self.deadline()
        if deadline is None:
            return
        new = escalations_due(deadline, self.now, self.escalated, urgency=self.urgency, contacts=self.contacts)
        assert not {e.level for e in new} & set(self.escalated), "a level escalated twice"
        assert [e.level for e in new] == sorted(e.level for e in new)
        for escalation in new:
            assert escalation.due_at <= self.now
            assert escalation.recipient_id is not None or escalation.to_exception_worklist
            if escalation.recipient_level != escalation.level:
                assert escalation.gap_report
        self.escalated.extend(e.level for e in new)
        for escalation in new:
            event(f"escalated to level {int(escalation.level)}")
        again = escalations_due(deadline, self.now, self.escalated, urgency=self.urgency, contacts=self.contacts)
        assert again == [], "the tick is not idempotent"
        self.ticked_at = self.now
        self.times_at_tick = escalation_times(deadline, self.urgency)

    @invariant()
    def a_sent_referral_always_has_an_owner(self):
        if not hasattr(self, "state"):
            return
        assert self.accountable is accountable_side(self.state, self.kind)
        if self.state is not ReferralState.ACCEPTED or self.kind is ReferralKind.REQUEST_FOR_SERVICE:
            assert self.accountable is Side.SENDER

    @invariant()
    def every_overdue_referral_escalates(self):
        if not hasattr(self, "state") or self.ticked_at is None or not is_open(self.state):
            return
        for level, due_at in self.times_at_tick.items():
            if due_at <= self.ticked_at:
                assert level in self.escalated
        deadline = self.times_at_tick[EscalationLevel.DUTY_WORKER]
        if is_overdue(deadline, self.ticked_at):
            assert EscalationLevel.DUTY_WORKER in self.escalated

    @invariant()
    def deadlines_are_never_before_sending(self):
        if hasattr(self, "state") and (deadline := self.deadline()) is not None:
            assert self.sent_at is not None and deadline >= self.sent_at

    @invariant()
    def only_closed_states_are_dead_ends(self):
        if not hasattr(self, "state"):
            return
        if self.state in CLOSED_STATES:
            assert allowed_actions(self.state) == set()
        else:
            assert allowed_actions(self.state, clock_stopped=self.clock_stopped)
            assert closed_state_reachable(self.state)


ReferralMachine.TestCase.settings = settings(max_examples=400, stateful_step_count=40, deadline=None)
TestReferralMachine = ReferralMachine.TestCase
