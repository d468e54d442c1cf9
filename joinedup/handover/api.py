"""The referrals and disputes API: /api/v1/referrals... and /api/v1/disputes...

Parses, then calls handover.services, handover.disputes and handover.queries,
which decide who may do what and audit it. A referral (or dispute) that is
absent or outside the caller's teams is the same 404; a referral the caller's
team may see but whose other side must act is a 403 saying which team can.
Invalid input is a 422 naming the field, and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.errors import ValidationError as InputError

from joinedup.core.access import Actor
from joinedup.core.api_auth import api_actor
from joinedup.core.api_schemas import ERRORS, RecordId, refuse_unknown_query
from joinedup.core.errors import NotFound
from joinedup.handover import disputes, queries, services
from joinedup.handover.models import Referral
from joinedup.handover.schemas import (
    AcceptIn,
    Counts,
    DecisionIn,
    DeclineIn,
    DisputeDecision,
    DisputeList,
    DisputeOut,
    DisputeParams,
    DisputeSummary,
    Prefill,
    PrefillParams,
    QuestionIn,
    ReasonIn,
    ReferralChanges,
    ReferralIn,
    ReferralList,
    ReferralOut,
    ReferralStatus,
    ReferralSummary,
    ReplyIn,
    Worklist,
    WorklistParams,
    information_of,
    status_of,
)

router = Router(tags=["referrals"])
disputes_router = Router(tags=["disputes"])

# The services name fields after the models; the API's bodies after ids.
_BODY_FIELDS = {
    "client": "client_id",
    "receiving_team": "receiving_team_id",
    "sending_team": "sending_team_id",
    "lead_professional": "lead_professional_id",
    "team": "team_id",
}

_WORKLISTS: dict[Worklist, Callable[..., list[Referral]]] = {
    Worklist.INBOX: queries.inbox,
    Worklist.SENT: queries.sent,
    Worklist.OVERDUE: queries.overdue,
    Worklist.CLOSED: queries.decided,
}


@contextmanager
def _fields_named_as_in_the_body() -> Iterator[None]:
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        renamed = {_BODY_FIELDS.get(field, field): messages for field, messages in error.message_dict.items()}
        raise ValidationError(renamed) from error


def _status(actor: Actor, referral: Referral) -> ReferralStatus:
    return status_of(referral, actor, timezone.now())


# --- referrals: worklists, counts and prefill (before /{referral_id}) -------------------


@router.get("", response={200: ReferralList, **ERRORS}, summary="A worklist of referrals")
def list_referrals(request: HttpRequest, params: Query[WorklistParams]) -> ReferralList:
    """inbox: awaiting your teams' response; sent: awaiting the other team's, and your drafts;
    overdue: past the deadline, either side; closed: recently accepted, declined or withdrawn.
    With team=ID, one of your teams only. Each row shown is audited."""
    refuse_unknown_query(request, WorklistParams)
    rows = _WORKLISTS[params.list](api_actor(request), params.team)
    now = timezone.now()
    return ReferralList(list=params.list, results=[ReferralSummary.of(row, now) for row in rows])


@router.get("/counts", response={200: Counts, **ERRORS}, summary="How many referrals await each worklist")
def count_referrals(request: HttpRequest) -> Counts:
    return Counts.of(queries.worklist_counts(api_actor(request)))


@router.get("/prefill", response={200: Prefill, **ERRORS}, summary="Handover answers drawn from a client's record")
def prefill(request: HttpRequest, params: Query[PrefillParams]) -> Prefill:
    """For the sender to check and complete before creating the referral; reading it is audited."""
    refuse_unknown_query(request, PrefillParams)
    return Prefill(client_id=params.client_id, information=queries.prefill(api_actor(request), params.client_id))


# --- referrals: one at a time ---------------------------------------------------------------


@router.post("", response={201: ReferralStatus, **ERRORS}, summary="Create a draft referral")
def create_referral(request: HttpRequest, payload: ReferralIn) -> tuple[int, ReferralStatus]:
    actor = api_actor(request)
    new = services.NewReferral(
        client_id=payload.client_id,
        receiving_team_id=payload.receiving_team_id,
        kind=payload.kind.value,
        urgency=payload.urgency.value,
        information=information_of(payload.information) or {},
        sending_team_id=payload.sending_team_id,
    )
    with _fields_named_as_in_the_body():
        try:
            referral = services.create_referral(actor, new)
        except NotFound as error:
            raise ValidationError({"client_id": "Choose a client you may see"}) from error
    return 201, _status(actor, referral)


@router.get("/{referral_id}", response={200: ReferralOut, **ERRORS}, summary="A referral, with its handover")
def read_referral(request: HttpRequest, referral_id: RecordId) -> ReferralOut:
    """The handover information, the client, state, deadline and time left, history and escalations."""
    return ReferralOut.of_page(queries.referral_page(api_actor(request), referral_id), timezone.now())


@router.patch("/{referral_id}", response={200: ReferralStatus, **ERRORS}, summary="Change a draft referral")
def update_referral(request: HttpRequest, referral_id: RecordId, payload: ReferralChanges) -> ReferralStatus:
    changes = payload.model_dump(exclude_unset=True)
    if not changes:
        raise InputError([{"type": "missing", "loc": ["body"], "msg": "Give at least one field to change"}])
    actor = api_actor(request)
    referral = services.update_draft(
        actor,
        referral_id,
        information=information_of(payload.information),
        urgency=payload.urgency.value if payload.urgency else None,
        kind=payload.kind.value if payload.kind else None,
    )
    return _status(actor, referral)


@router.post("/{referral_id}/send", response={200: ReferralStatus, **ERRORS}, summary="Send a draft referral")
def send_referral(request: HttpRequest, referral_id: RecordId) -> ReferralStatus:
    """Refused with a 422 naming each handover item that still needs an answer, or 'not known'
    with a reason (loc ["body", "information", key])."""
    actor = api_actor(request)
    try:
        referral = services.send_referral(actor, referral_id)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise InputError(
            [
                {"type": "incomplete", "loc": ["body", "information", key], "msg": message}
                for key, messages in error.message_dict.items()
                for message in messages
            ]
        ) from error
    return _status(actor, referral)


@router.post(
    "/{referral_id}/request-information",
    response={200: ReferralStatus, **ERRORS},
    summary="Ask the sender for more information",
)
def request_information(request: HttpRequest, referral_id: RecordId, payload: QuestionIn) -> ReferralStatus:
    """The receiving team's clock keeps running unless it stops it."""
    actor = api_actor(request)
    return _status(actor, services.request_information(actor, referral_id, payload.question))


@router.post(
    "/{referral_id}/provide-information",
    response={200: ReferralStatus, **ERRORS},
    summary="Give the information asked for",
)
def provide_information(request: HttpRequest, referral_id: RecordId, payload: ReplyIn) -> ReferralStatus:
    actor = api_actor(request)
    return _status(actor, services.provide_information(actor, referral_id, payload.reply))


@router.post("/{referral_id}/accept", response={200: ReferralStatus, **ERRORS}, summary="Accept a referral")
def accept_referral(request: HttpRequest, referral_id: RecordId, payload: AcceptIn) -> ReferralStatus:
    """A transfer of care makes your team accountable for the client; a request for a service
    gives your team the work."""
    actor = api_actor(request)
    with _fields_named_as_in_the_body():
        referral = services.accept_referral(actor, referral_id, lead_id=payload.lead_professional_id)
    return _status(actor, referral)


@router.post("/{referral_id}/decline", response={200: ReferralStatus, **ERRORS}, summary="Decline a referral")
def decline_referral(request: HttpRequest, referral_id: RecordId, payload: DeclineIn) -> ReferralStatus:
    """With a reason and a suggested alternative; the sender stays accountable. Bouncing the client
    between the same two organisations opens a dispute for the locality MDT."""
    actor = api_actor(request)
    return _status(actor, services.decline_referral(actor, referral_id, payload.reason, payload.alternative))


@router.post("/{referral_id}/withdraw", response={200: ReferralStatus, **ERRORS}, summary="Withdraw a referral")
def withdraw_referral(request: HttpRequest, referral_id: RecordId, payload: ReasonIn) -> ReferralStatus:
    actor = api_actor(request)
    return _status(actor, services.withdraw_referral(actor, referral_id, payload.reason))


@router.post("/{referral_id}/stop-clock", response={200: ReferralStatus, **ERRORS}, summary="Stop the response clock")
def stop_clock(request: HttpRequest, referral_id: RecordId, payload: ReasonIn) -> ReferralStatus:
    """The receiving team only, with a reason, before the deadline; nothing escalates meanwhile."""
    actor = api_actor(request)
    return _status(actor, services.stop_clock(actor, referral_id, payload.reason))


@router.post(
    "/{referral_id}/restart-clock", response={200: ReferralStatus, **ERRORS}, summary="Restart the response clock"
)
def restart_clock(request: HttpRequest, referral_id: RecordId) -> ReferralStatus:
    """The deadline moves on by the time the clock was stopped."""
    actor = api_actor(request)
    return _status(actor, services.restart_clock(actor, referral_id))


# --- disputes ----------------------------------------------------------------------------


@disputes_router.get("", response={200: DisputeList, **ERRORS}, summary="Disputes for your locality MDTs")
def list_disputes(request: HttpRequest, params: Query[DisputeParams]) -> DisputeList:
    """Open disputes of the localities whose MDT you are in (with include_decided, decided ones too)."""
    refuse_unknown_query(request, DisputeParams)
    found = queries.disputes(api_actor(request), include_decided=params.include_decided)
    now = timezone.now()
    return DisputeList(results=[DisputeSummary.of(dispute, now) for dispute in found])


@disputes_router.get("/{dispute_id}", response={200: DisputeOut, **ERRORS}, summary="A dispute")
def read_dispute(request: HttpRequest, dispute_id: RecordId) -> DisputeOut:
    dispute, _ = queries.dispute_page(api_actor(request), dispute_id)
    referrals = list(dispute.referrals.select_related("sending_team", "receiving_team").order_by("decided_at", "id"))
    return DisputeOut.of_dispute(dispute, referrals, timezone.now())


@disputes_router.post(
    "/{dispute_id}/decide", response={200: DisputeDecision, **ERRORS}, summary="Decide who is accountable"
)
def decide_dispute(request: HttpRequest, dispute_id: RecordId, payload: DecisionIn) -> DisputeDecision:
    """The locality MDT's decision, with its reasons: the team (and lead) become accountable."""
    with _fields_named_as_in_the_body():
        dispute = disputes.decide_dispute(
            api_actor(request), dispute_id, payload.team_id, payload.lead_professional_id, payload.reasons
        )
    return DisputeDecision.of(dispute)
