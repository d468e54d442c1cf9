"""What the referrals and disputes API takes and gives.

Inputs are strict (unknown fields refused, text bounded, kinds, urgencies and
worklists are enums). Outputs that carry client data are built only from what
the scoped, audited queries returned; the answers to writes carry none.
"""

from __future__ import annotations

import builtins
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, Field, field_validator

from joinedup.core.api_schemas import Input, RecordId, Reference, practitioner_ref, team_ref
from joinedup.handover import config
from joinedup.handover.deadlines import Urgency
from joinedup.handover.models import Dispute, DisputeState, Escalation, Referral, ReferralTransition
from joinedup.handover.queries import ReferralPage, WorklistCounts
from joinedup.handover.rules import Action, ReferralKind, ReferralState, Side, allowed_actions
from joinedup.handover.services import clock_stopped, side_of

ANSWER_TEXT = 4000
REASON_TEXT = 1000

# --- inputs ----------------------------------------------------------------------------


class AnswerIn(Input):
    """An answer: text, or not known with the reason why."""

    text: str = Field(default="", max_length=ANSWER_TEXT)
    not_known: bool = False
    not_known_reason: str = Field(default="", max_length=REASON_TEXT)


def _text_as_answer(value: Any) -> Any:
    return {"text": value} if isinstance(value, str) else value


# A bare text is an answer's text: errors name the item and the part ("text", "not_known"...).
Answer = Annotated[
    AnswerIn,
    BeforeValidator(_text_as_answer, json_schema_input_type=Annotated[str, Field(max_length=ANSWER_TEXT)] | AnswerIn),
]
ItemKey = Annotated[str, Field(max_length=63)]
Information = dict[ItemKey, Answer]
INFORMATION_HELP = (
    "Answers by item key (see GET /referrals/prefill for the keys the record can fill): "
    'a text, or {"text", "not_known", "not_known_reason"}'
)


def _known_items(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    keys = {item.key for item in config.information_items()}
    unknown = sorted(set(value) - keys)
    if unknown:
        raise ValueError(f"Not a question of the handover information set: {', '.join(unknown)}")
    return value


def information_of(value: dict[str, AnswerIn] | None) -> dict[str, Any] | None:
    """The answers as the services take them."""
    if value is None:
        return None
    return {key: answer.model_dump() for key, answer in value.items()}


class ReferralIn(Input):
    """A draft referral: send it with POST /referrals/{id}/send once every item is answered."""

    client_id: RecordId
    receiving_team_id: RecordId
    kind: ReferralKind
    urgency: Urgency
    information: Information = Field(default_factory=dict, description=INFORMATION_HELP)
    sending_team_id: RecordId | None = Field(
        default=None, description="One of your teams; by default the client's accountable team"
    )

    @field_validator("information")
    @classmethod
    def _items(cls, value: dict[str, Any]) -> dict[str, Any] | None:
        return _known_items(value)


def _unchanged(**constraints: Any) -> Any:
    """An optional field: absent means unchanged; null is refused (a 422), as in the clients API."""
    return Field(default=None, **constraints)


class ReferralChanges(Input):
    """Changes to a draft: only the fields given change; answers given replace those items only."""

    information: Information = _unchanged(description=INFORMATION_HELP)
    urgency: Urgency = _unchanged()
    kind: ReferralKind = _unchanged()

    @field_validator("information")
    @classmethod
    def _items(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return _known_items(value)


class QuestionIn(Input):
    question: str = Field(min_length=1, max_length=REASON_TEXT, description="What the receiving team needs")


class ReplyIn(Input):
    reply: str = Field(min_length=1, max_length=ANSWER_TEXT, description="The information asked for")


class AcceptIn(Input):
    lead_professional_id: RecordId | None = Field(
        default=None,
        description="A member of your team: the lead (transfer of care) or the owner of the work "
        "(request for a service); by default the duty worker, or you for a service",
    )


class DeclineIn(Input):
    reason: str = Field(min_length=1, max_length=REASON_TEXT)
    alternative: str = Field(min_length=1, max_length=REASON_TEXT, description="The service or team suggested instead")


class ReasonIn(Input):
    reason: str = Field(min_length=1, max_length=REASON_TEXT)


class DecisionIn(Input):
    team_id: RecordId = Field(description="The team the MDT makes accountable")
    lead_professional_id: RecordId | None = None
    reasons: str = Field(min_length=1, max_length=REASON_TEXT)


class Worklist(StrEnum):
    INBOX = "inbox"  # awaiting our response
    SENT = "sent"  # awaiting theirs, and our drafts
    OVERDUE = "overdue"  # past the deadline, either side
    CLOSED = "closed"  # accepted, declined or withdrawn, either side


class WorklistParams(Input):
    list: Worklist = Worklist.INBOX
    team: RecordId | None = Field(default=None, description="One of your teams; by default all of them")


class PrefillParams(Input):
    client_id: RecordId


class DisputeParams(Input):
    include_decided: bool = False


# --- outputs ---------------------------------------------------------------------------


def time_left(referral: Referral, now: datetime) -> int | None:
    """Seconds until the response deadline (negative once overdue); frozen while the clock is stopped."""
    if referral.state not in (ReferralState.SENT, ReferralState.INFORMATION_REQUESTED) or not referral.deadline_at:
        return None
    if clock_stopped(referral):
        now = datetime.fromisoformat(referral.clock_stops[-1]["paused_at"])
    return int((referral.deadline_at - now).total_seconds())


class ClientBrief(Schema):
    id: int
    name: str


class ReferralStatus(Schema):
    """A referral without its client's details: the answer to every write."""

    id: int
    client_id: int
    kind: ReferralKind
    urgency: Urgency
    state: ReferralState
    sending_team: Reference
    receiving_team: Reference
    created_at: datetime
    sent_at: datetime | None
    deadline_at: datetime | None
    time_left_seconds: int | None = Field(description="Until the deadline; negative when overdue; null when closed")
    clock_stopped: bool
    decided_at: datetime | None
    your_side: Side | None = Field(description="Whether you act for the sending or the receiving team")
    actions: list[Action] = Field(description="What your side may do next")
    location: str

    @classmethod
    def of(cls, referral: Referral, *, side: Side | None, now: datetime) -> ReferralStatus:
        stopped = clock_stopped(referral)
        return cls(
            id=referral.pk,
            client_id=referral.client_id,
            kind=ReferralKind(referral.kind),
            urgency=Urgency(referral.urgency),
            state=ReferralState(referral.state),
            sending_team=Reference(id=referral.sending_team.pk, name=referral.sending_team.name),
            receiving_team=Reference(id=referral.receiving_team.pk, name=referral.receiving_team.name),
            created_at=referral.created_at,
            sent_at=referral.sent_at,
            deadline_at=referral.deadline_at,
            time_left_seconds=time_left(referral, now),
            clock_stopped=stopped,
            decided_at=referral.decided_at,
            your_side=side,
            actions=sorted(allowed_actions(referral.state, side, clock_stopped=stopped)) if side else [],
            location=f"/api/v1/referrals/{referral.pk}",
        )


class ReferralSummary(Schema):
    """A row of a worklist."""

    id: int
    client: ClientBrief
    kind: ReferralKind
    urgency: Urgency
    state: ReferralState
    sending_team: Reference
    receiving_team: Reference
    referrer: Reference | None
    sent_at: datetime | None
    deadline_at: datetime | None
    time_left_seconds: int | None
    clock_stopped: bool
    overdue: bool

    @classmethod
    def of(cls, referral: Referral, now: datetime) -> ReferralSummary:
        left = time_left(referral, now)
        return cls(
            id=referral.pk,
            client=ClientBrief(id=referral.client.pk, name=referral.client.full_name),
            kind=ReferralKind(referral.kind),
            urgency=Urgency(referral.urgency),
            state=ReferralState(referral.state),
            sending_team=Reference(id=referral.sending_team.pk, name=referral.sending_team.name),
            receiving_team=Reference(id=referral.receiving_team.pk, name=referral.receiving_team.name),
            referrer=practitioner_ref(referral.referrer),
            sent_at=referral.sent_at,
            deadline_at=referral.deadline_at,
            time_left_seconds=left,
            clock_stopped=clock_stopped(referral),
            overdue=left is not None and left < 0,
        )


class ReferralList(Schema):
    list: Worklist
    results: builtins.list[ReferralSummary] = Field(description="Soonest deadline first; closed: latest first")


class Counts(Schema):
    inbox: int = Field(description="Awaiting your teams' response")
    sent: int = Field(description="Sent by your teams, awaiting the other team")
    overdue: int
    disputes: int = Field(description="Open disputes of your MDTs' localities")

    @classmethod
    def of(cls, counts: WorklistCounts) -> Counts:
        return cls(inbox=counts.inbox, sent=counts.sent, overdue=counts.overdue, disputes=counts.disputes)


class InformationItemOut(Schema):
    key: str
    section: str
    question: str
    text: str
    not_known: bool
    not_known_reason: str
    problem: str | None = Field(description="Why this item would stop the referral being sent")


class TransitionOut(Schema):
    action: Action
    from_state: ReferralState
    to_state: ReferralState
    actor: Reference | None
    side: Side
    at: datetime
    reason: str
    alternative: str

    @classmethod
    def of(cls, row: ReferralTransition) -> TransitionOut:
        return cls(
            action=Action(row.action),
            from_state=ReferralState(row.from_state),
            to_state=ReferralState(row.to_state),
            actor=practitioner_ref(row.actor),
            side=Side(row.actor_side),
            at=row.at,
            reason=row.reason,
            alternative=row.alternative,
        )


class EscalationOut(Schema):
    level: int
    due_at: datetime
    made_at: datetime
    recipient: Reference | None
    gap_report: str

    @classmethod
    def of(cls, row: Escalation) -> EscalationOut:
        return cls(
            level=row.level,
            due_at=row.due_at,
            made_at=row.made_at,
            recipient=practitioner_ref(row.recipient),
            gap_report=row.gap_report,
        )


class ClientOfReferral(Schema):
    id: int
    name: str
    nhs_number: str | None
    date_of_birth: date
    accountable_team: Reference
    relationship: str = Field(description="Why you may see this client")


class ReferralOut(ReferralStatus):
    """The referral with everything the receiving team needs, as on its page."""

    client: ClientOfReferral
    referrer: Reference | None
    completeness_at_first_send: float | None = Field(description="Share of items answered (not 'not known')")
    information: list[InformationItemOut]
    decided_by: Reference | None
    decline_reason: str
    suggested_alternative: str
    withdraw_reason: str
    work_owner: Reference | None = Field(description="Who owns the work of an accepted request for a service")
    transitions: list[TransitionOut] = Field(description="Oldest first")
    escalations: list[EscalationOut]

    @classmethod
    def of_page(cls, page: ReferralPage, now: datetime) -> ReferralOut:
        referral, client = page.referral, page.record.client
        status = ReferralStatus.of(referral, side=page.side, now=now)
        team = team_ref(client.accountable_team)
        assert team is not None
        return cls(
            **status.model_dump(),
            client=ClientOfReferral(
                id=client.pk,
                name=client.full_name,
                nhs_number=client.nhs_number,
                date_of_birth=client.date_of_birth,
                accountable_team=team,
                relationship=page.record.relationship,
            ),
            referrer=practitioner_ref(referral.referrer),
            completeness_at_first_send=referral.completeness_at_first_send,
            information=[_item_out(page, item) for item in page.items],
            decided_by=practitioner_ref(referral.decided_by),
            decline_reason=referral.decline_reason,
            suggested_alternative=referral.suggested_alternative,
            withdraw_reason=referral.withdraw_reason,
            work_owner=practitioner_ref(referral.work_owner),
            transitions=[TransitionOut.of(row) for row in page.transitions],
            escalations=[EscalationOut.of(row) for row in page.escalations],
        )


def _item_out(page: ReferralPage, item: Any) -> InformationItemOut:
    answer = page.answers.get(item.key)
    return InformationItemOut(
        key=item.key,
        section=item.section,
        question=item.question,
        text=answer.text if answer else "",
        not_known=answer.not_known if answer else False,
        not_known_reason=answer.not_known_reason if answer else "",
        problem=page.problems.get(item.key),
    )


def status_of(referral: Referral, actor: Any, now: datetime) -> ReferralStatus:
    return ReferralStatus.of(referral, side=side_of(actor, referral), now=now)


class Prefill(Schema):
    client_id: int
    information: dict[str, str] = Field(description="Answers drawn from the record, by item key, to check")


# --- disputes --------------------------------------------------------------------------


class DisputeSummary(Schema):
    id: int
    client: ClientBrief
    locality_id: int
    organisations: list[Reference] = Field(description="The two organisations the client bounced between")
    state: DisputeState
    opened_at: datetime
    decide_by: datetime
    overdue: bool = Field(description="Open past its decide-by date")
    default_owner: Reference = Field(description="Holds the client until the MDT decides")
    decided_team: Reference | None
    decided_at: datetime | None

    @classmethod
    def of(cls, dispute: Dispute, now: datetime) -> DisputeSummary:
        owner = team_ref(dispute.default_owner)
        assert owner is not None
        return cls(
            id=dispute.pk,
            client=ClientBrief(id=dispute.client.pk, name=dispute.client.full_name),
            locality_id=dispute.locality_id,
            organisations=[
                Reference(id=org.pk, name=org.name) for org in (dispute.organisation_a, dispute.organisation_b)
            ],
            state=DisputeState(dispute.state),
            opened_at=dispute.opened_at,
            decide_by=dispute.decide_by,
            overdue=dispute.state == DisputeState.OPEN and dispute.decide_by < now,
            default_owner=owner,
            decided_team=team_ref(dispute.decided_team),
            decided_at=dispute.decided_at,
        )


class DisputeList(Schema):
    results: list[DisputeSummary] = Field(description="Soonest decide-by date first")


class DisputedReferral(Schema):
    id: int
    sending_team: Reference
    receiving_team: Reference
    state: ReferralState
    decided_at: datetime | None
    decline_reason: str
    suggested_alternative: str


class DisputeOut(DisputeSummary):
    governance_model: str
    decided_lead: Reference | None
    decision_reasons: str
    referrals: list[DisputedReferral] = Field(description="The declines that opened it, oldest first")

    @classmethod
    def of_dispute(cls, dispute: Dispute, referrals: list[Referral], now: datetime) -> DisputeOut:
        return cls(
            **DisputeSummary.of(dispute, now).model_dump(),
            governance_model=dispute.governance_model,
            decided_lead=practitioner_ref(dispute.decided_lead),
            decision_reasons=dispute.decision_reasons,
            referrals=[
                DisputedReferral(
                    id=r.pk,
                    sending_team=Reference(id=r.sending_team.pk, name=r.sending_team.name),
                    receiving_team=Reference(id=r.receiving_team.pk, name=r.receiving_team.name),
                    state=ReferralState(r.state),
                    decided_at=r.decided_at,
                    decline_reason=r.decline_reason,
                    suggested_alternative=r.suggested_alternative,
                )
                for r in referrals
            ],
        )


class DisputeDecision(Schema):
    """The answer to a decision: no client details."""

    id: int
    state: DisputeState
    decided_team: Reference
    decided_lead: Reference | None
    decision_reasons: str
    decided_at: datetime

    @classmethod
    def of(cls, dispute: Dispute) -> DisputeDecision:
        team = team_ref(dispute.decided_team)
        assert team is not None and dispute.decided_at is not None
        return cls(
            id=dispute.pk,
            state=DisputeState(dispute.state),
            decided_team=team,
            decided_lead=practitioner_ref(dispute.decided_lead),
            decision_reasons=dispute.decision_reasons,
            decided_at=dispute.decided_at,
        )
