"""Referral (handover) rules: the state machine, and "belongs to" disputes. Pure: no Django.

Invariant 2 of the brief: a sent referral is never without an owner. Until the
receiving team accepts, the sending team stays accountable; a decline returns
the referral to the sender with a reason and a suggested alternative.

`transition()` is the only way a referral changes state. It returns the new
state, an event to audit, and the consequences as data; the Django layer acts
on them (see `Outcome`). It refuses illegal moves with `TransitionRefused`,
whose message can be shown to the user as it is.

A declined or withdrawn referral is closed for good: it cannot be resent. The
sending team creates a new referral (the Django layer may copy the old one's
handover information into the new draft).

The handover information set lives in `joinedup.handover.information`, response
deadlines, clock stops and escalation in `joinedup.handover.deadlines`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from joinedup.core.working_time import LONDON, OFFICE_HOURS, WorkingHours
from joinedup.handover.deadlines import ResponseTime, add_response_time, working_days
from joinedup.handover.information import Problem

UTC = ZoneInfo("UTC")


class ReferralState(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    INFORMATION_REQUESTED = "information_requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class ReferralKind(StrEnum):
    TRANSFER_OF_CARE = "transfer_of_care"  # accountability moves to the receiver on acceptance
    REQUEST_FOR_SERVICE = "request_for_service"  # the sender stays accountable; the receiver owns the work


class Side(StrEnum):
    SENDER = "sender"
    RECEIVER = "receiver"


class Action(StrEnum):
    SEND = "send"
    REQUEST_INFORMATION = "request_information"
    PROVIDE_INFORMATION = "provide_information"
    ACCEPT = "accept"
    DECLINE = "decline"
    WITHDRAW = "withdraw"
    STOP_CLOCK = "stop_clock"
    RESTART_CLOCK = "restart_clock"


OPEN_STATES = frozenset({ReferralState.SENT, ReferralState.INFORMATION_REQUESTED})
CLOSED_STATES = frozenset({ReferralState.ACCEPTED, ReferralState.DECLINED, ReferralState.WITHDRAWN})


@dataclass(frozen=True)
class TransitionRule:
    """One row of the table: who may take the action, from which states, to which state."""

    side: Side
    from_states: frozenset[ReferralState]
    to_state: ReferralState | None  # None: the state does not change (clock stops)
    needs_reason: bool = False
    needs_alternative: bool = False


_S = ReferralState
TRANSITIONS: dict[Action, TransitionRule] = {
    Action.SEND: TransitionRule(Side.SENDER, frozenset({_S.DRAFT}), _S.SENT),
    Action.REQUEST_INFORMATION: TransitionRule(
        Side.RECEIVER, frozenset({_S.SENT}), _S.INFORMATION_REQUESTED, needs_reason=True
    ),
    Action.PROVIDE_INFORMATION: TransitionRule(
        Side.SENDER, frozenset({_S.INFORMATION_REQUESTED}), _S.SENT, needs_reason=True
    ),
    Action.ACCEPT: TransitionRule(Side.RECEIVER, OPEN_STATES, _S.ACCEPTED),
    Action.DECLINE: TransitionRule(Side.RECEIVER, OPEN_STATES, _S.DECLINED, needs_reason=True, needs_alternative=True),
    Action.WITHDRAW: TransitionRule(Side.SENDER, frozenset({_S.DRAFT, *OPEN_STATES}), _S.WITHDRAWN, needs_reason=True),
    Action.STOP_CLOCK: TransitionRule(Side.RECEIVER, OPEN_STATES, None, needs_reason=True),
    Action.RESTART_CLOCK: TransitionRule(Side.RECEIVER, OPEN_STATES, None),
}
"""The whole state machine. `reason` means: the question asked (request_information), the
reply (provide_information), why (decline, withdraw, stop_clock); `alternative` is the
service suggested instead (decline)."""

_STATE_PHRASES = {
    _S.DRAFT: "is still a draft",
    _S.SENT: "has been sent",
    _S.INFORMATION_REQUESTED: "is waiting for information",
    _S.ACCEPTED: "was accepted",
    _S.DECLINED: "was declined",
    _S.WITHDRAWN: "was withdrawn",
}
_ACTION_PHRASES = {
    Action.SEND: "be sent",
    Action.REQUEST_INFORMATION: "have information requested",
    Action.PROVIDE_INFORMATION: "be given more information (none was requested)",
    Action.ACCEPT: "be accepted",
    Action.DECLINE: "be declined",
    Action.WITHDRAW: "be withdrawn",
    Action.STOP_CLOCK: "have its clock stopped",
    Action.RESTART_CLOCK: "have its clock restarted",
}
_MISSING_REASON = {
    Action.REQUEST_INFORMATION: "Say what information you need",
    Action.PROVIDE_INFORMATION: "Give the information that was asked for",
    Action.DECLINE: "Give a reason for declining",
    Action.WITHDRAW: "Give a reason for withdrawing the referral",
    Action.STOP_CLOCK: "Give a reason for stopping the clock",
}
_SIDE_NAMES = {Side.SENDER: "sending", Side.RECEIVER: "receiving"}
_SIDE_VERBS = {
    Action.SEND: "send this referral",
    Action.REQUEST_INFORMATION: "ask for more information",
    Action.PROVIDE_INFORMATION: "provide the information asked for",
    Action.ACCEPT: "accept this referral",
    Action.DECLINE: "decline this referral",
    Action.WITHDRAW: "withdraw this referral",
    Action.STOP_CLOCK: "stop the response clock",
    Action.RESTART_CLOCK: "restart the response clock",
}


class TransitionRefused(ValueError):
    """An action that is not allowed; the message is written for the user.

    `problems` lists the incomplete handover items when a send is refused.
    """

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = tuple(problems)


@dataclass(frozen=True)
class ReferralEvent:
    """What happened, by whom and when: the Django layer stores and audits it."""

    action: Action
    kind: ReferralKind
    from_state: ReferralState
    to_state: ReferralState
    actor_id: int
    actor_side: Side
    at: datetime  # UTC
    reason: str = ""
    alternative: str = ""


@dataclass(frozen=True)
class Outcome:
    """The result of a transition: the new state, the event, and what must follow.

    - accountability_moves_to_receiver: make the receiving team accountable for the client
      (transfer of care, on acceptance only).
    - receiver_owns_work: give the receiving team the piece of work (request for service accepted).
    - receiver_relationship_starts / _ends: the open referral gives the receiving team a
      legitimate relationship to the client; it starts on send, ends on decline or withdrawal.
    - notify_referrer / notify_receiver: closed-loop notifications of the change.
    - deadline_starts: compute the response deadline from the event's time.
    - deadline_ends: the response clock is over (cancel escalation; close an open clock stop).
    - clock_stops / clock_restarts: open or close a `ClockStop` at the event's time.
    """

    state: ReferralState
    event: ReferralEvent
    accountable_side: Side
    accountability_moves_to_receiver: bool = False
    receiver_owns_work: bool = False
    receiver_relationship_starts: bool = False
    receiver_relationship_ends: bool = False
    notify_referrer: bool = False
    notify_receiver: bool = False
    deadline_starts: bool = False
    deadline_ends: bool = False
    clock_stops: bool = False
    clock_restarts: bool = False


def accountable_side(state: ReferralState | str, kind: ReferralKind | str) -> Side:
    """Which team answers for the client as far as this referral goes: the sender until a transfer is accepted."""
    if ReferralState(state) is _S.ACCEPTED and ReferralKind(kind) is ReferralKind.TRANSFER_OF_CARE:
        return Side.RECEIVER
    return Side.SENDER


def is_open(state: ReferralState | str) -> bool:
    """Sent and awaiting the receiving team (its clock runs, it may escalate)."""
    return ReferralState(state) in OPEN_STATES


def allowed_actions(
    state: ReferralState | str, side: Side | str | None = None, *, clock_stopped: bool | None = None
) -> frozenset[Action]:
    """The actions the table allows from `state` (for `side`, and the clock's state when given)."""
    state = ReferralState(state)
    actions = {
        action
        for action, rule in TRANSITIONS.items()
        if state in rule.from_states and (side is None or rule.side is Side(side))
    }
    if clock_stopped is not None:
        actions.discard(Action.RESTART_CLOCK if not clock_stopped else Action.STOP_CLOCK)
    return frozenset(actions)


def transition(
    state: ReferralState | str,
    action: Action | str,
    *,
    kind: ReferralKind | str,
    actor_side: Side | str,
    actor_id: int,
    at: datetime,
    reason: str = "",
    alternative: str = "",
    information_problems: Sequence[Problem] | None = None,
    clock_stopped: bool = False,
    deadline: datetime | None = None,
) -> Outcome:
    """Apply `action` to a referral in `state`, or raise `TransitionRefused`.

    `information_problems` (the result of `information.check_complete`) is
    required to send. `clock_stopped` says whether the receiving team's clock
    is stopped now; `deadline` (the current response deadline) is required to
    stop the clock, which is refused once the deadline has passed. Strings are
    accepted for the enums, so model field values can be passed as they are.
    """
    state, action, kind, side = ReferralState(state), Action(action), ReferralKind(kind), Side(actor_side)
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("A transition's time must be timezone-aware")
    rule = TRANSITIONS[action]
    _check_allowed(state, action, rule, side)
    _check_texts(action, rule, reason, alternative)
    _check_preconditions(action, at, information_problems, clock_stopped, deadline)
    to_state = rule.to_state or state
    event = ReferralEvent(
        action, kind, state, to_state, actor_id, side, at.astimezone(UTC), reason.strip(), alternative.strip()
    )
    return _consequences(event, clock_stopped)


def _check_allowed(state: ReferralState, action: Action, rule: TransitionRule, side: Side) -> None:
    if state not in rule.from_states:
        message = f"A referral that {_STATE_PHRASES[state]} cannot {_ACTION_PHRASES[action]}"
        if state in (_S.DECLINED, _S.WITHDRAWN):
            message += ": it is closed, and the sending team may make a new referral instead"
        raise TransitionRefused(message)
    if side is not rule.side:
        raise TransitionRefused(f"Only the {_SIDE_NAMES[rule.side]} team can {_SIDE_VERBS[action]}")


def _check_texts(action: Action, rule: TransitionRule, reason: str, alternative: str) -> None:
    if rule.needs_reason and not reason.strip():
        raise TransitionRefused(_MISSING_REASON[action])
    if rule.needs_alternative and not alternative.strip():
        raise TransitionRefused("Suggest an alternative service or team when you decline a referral")


def _check_preconditions(
    action: Action,
    at: datetime,
    information_problems: Sequence[Problem] | None,
    clock_stopped: bool,
    deadline: datetime | None,
) -> None:
    if action is Action.SEND:
        if information_problems is None:
            raise ValueError("Sending needs `information_problems` from information.check_complete()")
        if information_problems:
            count = len(information_problems)
            raise TransitionRefused(
                f"The referral cannot be sent: {count} handover item{'s' if count != 1 else ''} "
                "need an answer, or 'not known' with a reason",
                information_problems,
            )
    elif action is Action.STOP_CLOCK:
        if clock_stopped:
            raise TransitionRefused("The clock is already stopped")
        if deadline is None:
            raise ValueError("Stopping the clock needs the current response `deadline`")
        if at >= deadline:
            raise TransitionRefused("The response deadline has passed: the clock can no longer be stopped")
    elif action is Action.RESTART_CLOCK and not clock_stopped:
        raise TransitionRefused("The clock is running: there is nothing to restart")


def _consequences(event: ReferralEvent, clock_stopped: bool) -> Outcome:
    action, was_open = event.action, event.from_state in OPEN_STATES
    accepted = action is Action.ACCEPT
    transfer = event.kind is ReferralKind.TRANSFER_OF_CARE
    by_receiver = event.actor_side is Side.RECEIVER
    return Outcome(
        state=event.to_state,
        event=event,
        accountable_side=accountable_side(event.to_state, event.kind),
        accountability_moves_to_receiver=accepted and transfer,
        receiver_owns_work=accepted and not transfer,
        receiver_relationship_starts=action is Action.SEND,
        receiver_relationship_ends=action in (Action.DECLINE, Action.WITHDRAW) and was_open,
        notify_referrer=by_receiver,
        notify_receiver=not by_receiver and (action is Action.SEND or was_open),
        deadline_starts=action is Action.SEND,
        deadline_ends=event.to_state in CLOSED_STATES and was_open,
        clock_stops=action is Action.STOP_CLOCK,
        clock_restarts=clock_stopped and action in (Action.RESTART_CLOCK, Action.PROVIDE_INFORMATION),
    )


# --- "Belongs to" disputes -------------------------------------------------------------------


class HandbackKind(StrEnum):
    DECLINED = "declined"  # a referral was declined
    RETURNED = "returned"  # a client or piece of work was handed back after acceptance


@dataclass(frozen=True)
class Handback:
    """One time a client was handed back between organisations: `from_organisation_id` declined
    or returned it to `to_organisation_id`."""

    from_organisation_id: int
    to_organisation_id: int
    at: datetime
    kind: HandbackKind = HandbackKind.DECLINED
    referral_id: int | None = None


@dataclass(frozen=True)
class DisputeTrigger:
    """A client bounced between two organisations often enough for the locality MDT to decide."""

    organisation_ids: tuple[int, int]  # the two organisations, lower id first
    handbacks: tuple[Handback, ...]  # those inside the window, oldest first

    @property
    def first_at(self) -> datetime:
        return self.handbacks[0].at

    @property
    def last_at(self) -> datetime:
        return self.handbacks[-1].at


def detect_ping_pong(
    history: Iterable[Handback],
    now: datetime,
    window_days: int = 30,
    threshold: int = 2,
    *,
    since: datetime | None = None,
) -> DisputeTrigger | None:
    """A dispute trigger when one client's referrals were declined or returned between the same two
    organisations (either direction) `threshold` times within the last `window_days` days.

    The window is inclusive: two declines exactly 30 days apart open a dispute, 31 days apart do
    not. Handbacks inside one organisation, after `now`, or at or before `since` (pass the last
    dispute's decision, so decided bouncing is not counted twice) are ignored. When several pairs
    qualify, the one with the most recent handback wins.
    """
    if window_days < 1 or threshold < 1:
        raise ValueError("The ping-pong window and threshold must be at least 1")
    if now.utcoffset() is None:
        raise ValueError("Ping-pong detection needs timezone-aware datetimes")
    # Days on the London calendar: 16:55 on 21 October is 30 days before 16:55 on 20 November.
    start = (now.astimezone(LONDON) - timedelta(days=window_days)).astimezone(UTC)
    now = now.astimezone(UTC)
    if since is not None:
        since = since.astimezone(UTC)
    pairs: dict[tuple[int, int], list[Handback]] = defaultdict(list)
    for handback in history:
        if handback.at.utcoffset() is None:
            raise ValueError("A handback's time must be timezone-aware")
        at = handback.at.astimezone(UTC)
        a, b = handback.from_organisation_id, handback.to_organisation_id
        if a == b or not start <= at <= now or (since is not None and at <= since):
            continue
        pairs[(min(a, b), max(a, b))].append(handback)
    qualifying = [
        DisputeTrigger(pair, tuple(sorted(found, key=_handback_order)))
        for pair, found in pairs.items()
        if len(found) >= threshold
    ]
    if not qualifying:
        return None
    return max(qualifying, key=lambda t: (t.last_at.astimezone(UTC), tuple(-i for i in t.organisation_ids)))


def _handback_order(h: Handback) -> tuple[datetime, int, int, str, int]:
    at = h.at.astimezone(UTC)
    return (at, h.from_organisation_id, h.to_organisation_id, h.kind, h.referral_id or 0)


class GovernanceModel(StrEnum):
    LEAD_AGENCY = "lead_agency"  # one agency leads per client group
    POOLED = "pooled"  # partners pool budgets; the locality MDT holds disputed clients


class OwnerRole(StrEnum):
    """Which kind of team holds a disputed client meanwhile; the Django layer maps it to a team."""

    NHS_COMMUNITY_PROVIDER = "nhs_community_provider"
    COUNCIL_ADULT_SOCIAL_CARE = "council_adult_social_care"
    COUNCIL_CHILDRENS_SERVICES = "council_childrens_services"
    LOCALITY_MDT = "locality_mdt"


ADULT_AGE = 18


def default_owner(
    model: GovernanceModel | str,
    client_age: int | None,
    *,
    adult_lead: OwnerRole = OwnerRole.NHS_COMMUNITY_PROVIDER,
    child_lead: OwnerRole = OwnerRole.COUNCIL_CHILDRENS_SERVICES,
) -> OwnerRole:
    """Who holds a client while a dispute about them is open.

    Lead agency: adults (18 and over) the NHS community provider, children council
    children's services (both configurable). Pooled: the locality MDT. An unknown age
    in a lead-agency model goes to the locality MDT rather than guessing.
    """
    if GovernanceModel(model) is GovernanceModel.POOLED or client_age is None:
        return OwnerRole.LOCALITY_MDT
    if client_age < 0:
        raise ValueError("An age cannot be negative")
    return adult_lead if client_age >= ADULT_AGE else child_lead


def age_on(date_of_birth: date, day: date) -> int:
    """Age in whole years on `day`."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


DISPUTE_DECISION_TIME = working_days(5)


def dispute_deadline(
    opened_at: datetime,
    decide_within: ResponseTime = DISPUTE_DECISION_TIME,
    hours: WorkingHours = OFFICE_HOURS,
) -> datetime:
    """When the locality MDT must decide a dispute: by default the close of the 5th working day."""
    return add_response_time(opened_at, decide_within, hours)
