"""The clients API at /api/v1/clients: parses, authorises, calls clients.services and .queries.

Every read goes through the acting practitioner's scope and is audited by the
queries, as on the pages; a client that is absent or out of scope is the same
404. Every write is one service call: refused or invalid, it changes nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router
from ninja.errors import ValidationError as InputError
from pydantic import Field

from joinedup.clients import flags, queries, services
from joinedup.clients.flag_schemas import FlagCloseIn, FlagIn, FlagList, FlagOut
from joinedup.clients.models import ConsentToShare
from joinedup.clients.schemas import (
    AccountabilityHistory,
    AccountabilityIn,
    AccountabilityOut,
    ClientChanges,
    ClientCreated,
    ClientIn,
    ClientOut,
    ClientSearchResults,
    ClientSummary,
    ConsentHistory,
    ConsentIn,
    ConsentOut,
    EmergencyAccessIn,
    EmergencyAccessOut,
    NeedIn,
    NeedList,
    NeedOut,
    NeedStatusIn,
    Timeline,
    TimelineEventOut,
    changes_of,
)
from joinedup.core.api_auth import api_actor
from joinedup.core.api_schemas import ERRORS, Input, IsoDate, RecordId, refuse_unknown_query
from joinedup.directory.models import Practitioner, Team

router = Router(tags=["clients"])

SEARCH_LIMIT = 50


class SearchParams(Input):
    nhs_number: str = Field(default="", max_length=14)
    family_name: str = Field(default="", max_length=100)
    given_name: str = Field(default="", max_length=100)
    date_of_birth: IsoDate | None = None


def _team(team_id: int, field: str) -> Team:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise ValidationError({field: "Choose a team known to JoinedUp"})
    return team


def _lead(practitioner_id: int | None) -> Practitioner | None:
    if practitioner_id is None:
        return None
    lead = Practitioner.objects.filter(pk=practitioner_id, is_active=True).first()
    if lead is None:
        raise ValidationError({"lead_professional": "Choose an active practitioner"})
    return lead


@router.get("", response={200: ClientSearchResults, **ERRORS}, summary="Find clients")
def search_clients(request: HttpRequest, params: Query[SearchParams]) -> ClientSearchResults:
    """By NHS number, or by family name and/or date of birth (with the start of a given name)."""
    refuse_unknown_query(request, SearchParams)
    try:
        found = queries.search(api_actor(request), limit=SEARCH_LIMIT, **params.model_dump())
    except queries.SearchError as error:
        raise ValidationError({error.field: str(error)}) from error
    return ClientSearchResults(results=[ClientSummary.of(client) for client in found])


@router.post("", response={201: ClientCreated, **ERRORS}, summary="Register a client")
def create_client(request: HttpRequest, payload: ClientIn) -> tuple[int, ClientCreated]:
    new = services.NewClient(
        given_name=payload.given_name,
        family_name=payload.family_name,
        date_of_birth=payload.date_of_birth,
        gp_practice=payload.gp_practice,
        accountable_team=_team(payload.accountable_team, "accountable_team"),
        lead_professional=_lead(payload.lead_professional),
        nhs_number=payload.nhs_number,
        sex=payload.sex,
        address=payload.address,
        postcode=payload.postcode,
        phone=payload.phone,
    )
    client = services.create_client(api_actor(request), new)
    return 201, ClientCreated(id=client.pk, location=f"/api/v1/clients/{client.pk}")


@router.get("/{client_id}", response={200: ClientOut, **ERRORS}, summary="A client's record")
def read_client(request: HttpRequest, client_id: RecordId) -> ClientOut:
    return ClientOut.of(queries.client_details(api_actor(request), client_id))


@router.patch("/{client_id}", response={200: ClientOut, **ERRORS}, summary="Change a client's details")
def update_client(request: HttpRequest, client_id: RecordId, payload: ClientChanges) -> ClientOut:
    changes = changes_of(payload)
    if not changes:
        raise InputError([{"type": "missing", "loc": ["body"], "msg": "Give at least one field to change"}])
    actor = api_actor(request)
    services.update_client(actor, client_id, changes)
    return ClientOut.of(queries.client_details(actor, client_id))


@router.get("/{client_id}/needs", response={200: NeedList, **ERRORS}, summary="A client's needs")
def list_needs(request: HttpRequest, client_id: RecordId) -> NeedList:
    record = queries.client_record(api_actor(request), client_id, timeline_limit=0)
    return NeedList(results=[NeedOut.of(need) for need in record.needs])


@router.post("/{client_id}/needs", response={201: NeedOut, **ERRORS}, summary="Record a need")
def record_need(request: HttpRequest, client_id: RecordId, payload: NeedIn) -> tuple[int, NeedOut]:
    need = services.record_need(api_actor(request), client_id, payload.category, payload.description)
    return 201, NeedOut.of(need)


@router.patch(
    "/{client_id}/needs/{need_id}",
    response={200: NeedOut, **ERRORS},
    summary="Change a need's status",
)
def update_need(request: HttpRequest, client_id: RecordId, need_id: RecordId, payload: NeedStatusIn) -> NeedOut:
    return NeedOut.of(services.update_need_status(api_actor(request), client_id, need_id, payload.status))


@router.get("/{client_id}/consent", response={200: ConsentHistory, **ERRORS}, summary="Consent to share")
def list_consent(request: HttpRequest, client_id: RecordId) -> ConsentHistory:
    record = queries.client_record(api_actor(request), client_id, timeline_limit=0)
    return ConsentHistory(
        consent_to_share=ConsentToShare(record.client.consent_to_share),
        results=[ConsentOut.of(decision) for decision in record.consent],
    )


@router.post(
    "/{client_id}/consent",
    response={201: ConsentOut, **ERRORS},
    summary="Record a consent decision",
)
def record_consent(request: HttpRequest, client_id: RecordId, payload: ConsentIn) -> tuple[int, ConsentOut]:
    decision = services.record_consent(api_actor(request), client_id, payload.decision, payload.note)
    return 201, ConsentOut.of(decision)


@router.get(
    "/{client_id}/accountability",
    response={200: AccountabilityHistory, **ERRORS},
    summary="Who has been accountable",
)
def list_accountability(request: HttpRequest, client_id: RecordId) -> AccountabilityHistory:
    record = queries.client_record(api_actor(request), client_id, timeline_limit=0)
    return AccountabilityHistory(results=[AccountabilityOut.of(row) for row in record.accountability])


@router.post(
    "/{client_id}/accountability",
    response={201: AccountabilityOut, **ERRORS},
    summary="Change who is accountable",
)
def change_accountability(
    request: HttpRequest, client_id: RecordId, payload: AccountabilityIn
) -> tuple[int, AccountabilityOut]:
    row = services.change_accountability(
        api_actor(request), client_id, payload.team, payload.lead_professional, payload.reason
    )
    return 201, AccountabilityOut.of(row)


@router.get("/{client_id}/timeline", response={200: Timeline, **ERRORS}, summary="A client's timeline")
def read_timeline(request: HttpRequest, client_id: RecordId) -> Timeline:
    _, events = queries.timeline(api_actor(request), client_id)
    return Timeline(results=[TimelineEventOut.of(event) for event in events])


@router.post(
    "/{client_id}/emergency-access",
    response={201: EmergencyAccessOut, **ERRORS},
    summary="Emergency access (break glass)",
)
def emergency_access(
    request: HttpRequest, client_id: RecordId, payload: EmergencyAccessIn
) -> tuple[int, EmergencyAccessOut]:
    """Time-limited access to a record outside your relationships: audited, and shown to the
    accountable team. Only roles allowed emergency access may use it; a reason is required."""
    grant = services.use_emergency_access(api_actor(request), client_id, payload.reason)
    return 201, EmergencyAccessOut.of(grant)


class FlagParams(Input):
    include_closed: bool = False


@router.get("/{client_id}/flags", response={200: FlagList, **ERRORS}, summary="A client's flags")
def list_flags(request: HttpRequest, client_id: RecordId, params: Query[FlagParams]) -> FlagList:
    """Open flags (and closed ones with include_closed=true), open first."""
    refuse_unknown_query(request, FlagParams)
    _, found = queries.client_flags(api_actor(request), client_id, include_closed=params.include_closed)
    return FlagList(results=[FlagOut.of(flag) for flag in found])


@router.post("/{client_id}/flags", response={201: FlagOut, 200: FlagOut, **ERRORS}, summary="Raise a flag")
def raise_flag(request: HttpRequest, client_id: RecordId, payload: FlagIn) -> tuple[int, FlagOut]:
    """201 with the new flag, or 200 with the open flag of the same code (raising it again changes nothing)."""
    raised = flags.raise_flag(api_actor(request), client_id, payload.code, payload.text)
    return (201 if raised.created else 200), FlagOut.of(raised.flag)


@router.post("/{client_id}/flags/{flag_id}/close", response={200: FlagOut, **ERRORS}, summary="Close a flag")
def close_flag(request: HttpRequest, client_id: RecordId, flag_id: RecordId, payload: FlagCloseIn) -> FlagOut:
    return FlagOut.of(flags.close_flag(api_actor(request), client_id, flag_id, payload.reason))
