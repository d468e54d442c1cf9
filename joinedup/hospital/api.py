"""The hospital API at /api/v1/hospital: a client's spells and bounces, the worklists, feed exceptions.

Reads go through hospital.queries (scoped and audited, 404 when out of scope);
resolving a feed exception is one hospital.services call. Flags are under
/api/v1/clients/{id}/flags.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from joinedup.core.api_auth import api_actor
from joinedup.core.api_schemas import ERRORS, Input, RecordId, refuse_unknown_query
from joinedup.hospital import queries, services
from joinedup.hospital.models import ExceptionStatus
from joinedup.hospital.schemas import (
    BounceList,
    BounceOut,
    DiscardIn,
    FeedExceptionList,
    FeedExceptionOut,
    HospitalWorklist,
    MatchIn,
    SpellList,
    SpellOut,
    bounce_row,
    follow_up_row,
)

router = Router(tags=["hospital"])


class PageParams(Input):
    page: int = Field(default=1, ge=1, le=100_000)


class ExceptionParams(PageParams):
    status: Literal["open", "matched", "discarded"] = "open"


@router.get("/clients/{client_id}/spells", response={200: SpellList, **ERRORS}, summary="A client's hospital spells")
def client_spells(request: HttpRequest, client_id: RecordId) -> SpellList:
    """Every stay the feed has told of, newest first, with moves, diagnoses and follow-ups."""
    _, spells = queries.client_spells(api_actor(request), client_id)
    return SpellList(results=[SpellOut.of(spell) for spell in spells])


@router.get("/clients/{client_id}/bounces", response={200: BounceList, **ERRORS}, summary="A client's bounces")
def client_bounces(request: HttpRequest, client_id: RecordId) -> BounceList:
    _, bounces = queries.client_bounces(api_actor(request), client_id)
    return BounceList(results=[BounceOut.of(bounce) for bounce in bounces])


@router.get("/worklists/{name}", response={200: HospitalWorklist, **ERRORS}, summary="A hospital worklist")
def worklist(
    request: HttpRequest, name: Literal["due", "overdue", "bounced"], params: Query[PageParams]
) -> HospitalWorklist:
    """`due`: discharge follow-ups still to do; `overdue`: past their date; `bounced`: readmissions (90 days)."""
    refuse_unknown_query(request, PageParams)
    actor = api_actor(request)
    if name == "bounced":
        bounces, more = queries.bounced(actor, page=params.page)
        return HospitalWorklist(name=name, results=[bounce_row(b) for b in bounces], has_next=more)
    rows, more = queries.follow_ups(actor, name, page=params.page)
    return HospitalWorklist(name=name, results=[follow_up_row(f) for f in rows], has_next=more)


@router.get("/feed-exceptions", response={200: FeedExceptionList, **ERRORS}, summary="Feed exceptions")
def feed_exceptions(request: HttpRequest, params: Query[ExceptionParams]) -> FeedExceptionList:
    """Messages held for a person, owned by your teams (open ones oldest first)."""
    refuse_unknown_query(request, ExceptionParams)
    rows, more = queries.feed_exceptions(api_actor(request), status=ExceptionStatus(params.status), page=params.page)
    return FeedExceptionList(results=[FeedExceptionOut.of(e) for e in rows], has_next=more)


@router.get("/feed-exceptions/{exception_id}", response={200: FeedExceptionOut, **ERRORS}, summary="A feed exception")
def feed_exception(request: HttpRequest, exception_id: RecordId) -> FeedExceptionOut:
    """With the message as received and the acknowledgement sent."""
    return FeedExceptionOut.of(queries.feed_exception(api_actor(request), exception_id), whole=True)


@router.post(
    "/feed-exceptions/{exception_id}/match", response={200: FeedExceptionOut, **ERRORS}, summary="Match to a client"
)
def match(request: HttpRequest, exception_id: RecordId, payload: MatchIn) -> FeedExceptionOut:
    """Apply the held message to the client with this NHS number (its name and date of birth must agree)."""
    actor = api_actor(request)
    services.match_exception(actor, exception_id, payload.nhs_number, payload.note)
    return FeedExceptionOut.of(queries.feed_exception(actor, exception_id), whole=True)


@router.post("/feed-exceptions/{exception_id}/discard", response={200: FeedExceptionOut, **ERRORS}, summary="Discard")
def discard(request: HttpRequest, exception_id: RecordId, payload: DiscardIn) -> FeedExceptionOut:
    actor = api_actor(request)
    services.discard_exception(actor, exception_id, payload.reason)
    return FeedExceptionOut.of(queries.feed_exception(actor, exception_id), whole=True)
