"""/api/v1/meetings, /api/v1/meeting-series, /api/v1/mdt-requests: the locality MDT's meetings."""

from __future__ import annotations

from datetime import date, time
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from joinedup.careplans.api.schemas import Created
from joinedup.careplans.queries import meetings as queries
from joinedup.careplans.services import meetings as services
from joinedup.careplans.services import minutes
from joinedup.core.api_auth import api_actor
from joinedup.core.api_schemas import ERRORS, Input, IsoDate, RecordId, Reference

router = Router(tags=["MDT meetings"])
series_router = Router(tags=["MDT meetings"])
requests_router = Router(tags=["MDT meetings"])


class SeriesIn(Input):
    locality_id: RecordId
    title: str = Field(min_length=1, max_length=160)
    first_date: IsoDate
    start_time: time
    duration_minutes: int = Field(default=90, ge=15, le=480)
    every_weeks: int = Field(default=1, ge=1, le=8)
    location: str = Field(default="", max_length=200)


class OccurrenceIn(Input):
    day: IsoDate


class ItemOut(Schema):
    id: int
    position: int
    client: Reference
    status: str
    reasons: list[dict[str, str | int]]
    note: str
    decision: str
    dispute_id: int | None
    actions: list[Reference] = Field(description="Tasks made from the discussion")


class AttendeeOut(Schema):
    name: str
    profession: str
    organisation: str
    present: bool


class MeetingOut(Schema):
    id: int
    title: str
    locality: Reference
    starts_at: str
    status: str
    attendees: list[AttendeeOut]
    agenda: list[ItemOut]
    hidden_items: int = Field(description="Items about clients you may not see")


class AddClientIn(Input):
    client_id: RecordId
    reason: str = Field(min_length=1, max_length=500)


class ItemChangeIn(Input):
    action: Literal["list", "remove", "up", "down"]
    reason: str = Field(default="", max_length=300)


class AttendanceIn(Input):
    present: list[RecordId] = Field(max_length=100)
    apologies: list[RecordId] = Field(default_factory=list, max_length=100)


class DiscussionIn(Input):
    note: str = Field(min_length=1, max_length=4000)
    decision: str = Field(min_length=1, max_length=2000)


class ActionIn(Input):
    title: str = Field(min_length=1, max_length=200)
    due_on: IsoDate
    owner_practitioner_id: RecordId | None = None
    owner_team_id: RecordId | None = None


class DisputeIn(Input):
    team_id: RecordId
    lead_professional_id: RecordId | None = None
    reasons: str = Field(min_length=1, max_length=2000)


class RequestIn(Input):
    client_id: RecordId
    reason: str = Field(min_length=1, max_length=500)


def meeting_out(page: queries.MeetingPage) -> MeetingOut:
    m = page.meeting
    return MeetingOut(
        id=m.pk,
        title=m.series.title,
        locality=Reference(id=m.locality_id, name=m.locality.name),
        starts_at=m.starts_at.isoformat(),
        status=m.status,
        hidden_items=page.hidden,
        attendees=[
            AttendeeOut(name=a.name, profession=a.profession, organisation=a.organisation, present=a.present)
            for a in page.attendees
        ],
        agenda=[
            ItemOut(
                id=i.pk,
                position=i.position,
                client=Reference(id=i.client_id, name=i.client.full_name),
                status=i.status,
                reasons=i.reasons,
                note=i.note,
                decision=i.decision,
                dispute_id=i.dispute_id,
                actions=[Reference(id=t.pk, name=t.title) for t in page.actions.get(i.pk, [])],
            )
            for i in page.items
        ],
    )


class MeetingSummary(Schema):
    series_id: int
    title: str
    day: date
    meeting_id: int | None
    status: str


class MeetingList(Schema):
    upcoming: list[MeetingSummary]
    past: list[MeetingSummary]


@router.get("", response={200: MeetingList, **ERRORS}, summary="Your localities' MDT meetings")
def list_meetings(request: HttpRequest) -> MeetingList:
    """The next meetings of each series (open one with POST /meeting-series/{id}/meetings), and past ones."""
    upcoming, past = queries.meetings(api_actor(request))
    return MeetingList(
        upcoming=[
            MeetingSummary(
                series_id=o.series.pk,
                title=o.series.title,
                day=o.day,
                meeting_id=o.meeting.pk if o.meeting else None,
                status=o.meeting.status if o.meeting else "planned",
            )
            for o in upcoming
        ],
        past=[
            MeetingSummary(
                series_id=m.series_id, title=m.series.title, day=m.starts_at.date(), meeting_id=m.pk, status=m.status
            )
            for m in past
        ],
    )


@series_router.post("", response={201: Created, **ERRORS}, summary="Schedule a locality's MDT meetings")
def create_series(request: HttpRequest, payload: SeriesIn) -> tuple[int, Created]:
    series = services.create_series(
        api_actor(request),
        payload.locality_id,
        title=payload.title,
        first_date=payload.first_date,
        start_time=payload.start_time,
        duration_minutes=payload.duration_minutes,
        every_weeks=payload.every_weeks,
        location=payload.location,
    )
    return 201, Created(id=series.pk)


@series_router.post("/{series_id}/meetings", response={200: MeetingOut, **ERRORS}, summary="Open a meeting of a series")
def open_meeting(request: HttpRequest, series_id: RecordId, payload: OccurrenceIn) -> MeetingOut:
    """The meeting on that day (made the first time it is opened); its agenda is proposed for the coordinator."""
    actor = api_actor(request)
    meeting = services.open_occurrence(actor, series_id, payload.day)
    return meeting_out(queries.meeting_page(actor, meeting.pk))


@router.get("/{meeting_id}", response={200: MeetingOut, **ERRORS}, summary="A meeting with its agenda")
def read_meeting(request: HttpRequest, meeting_id: RecordId) -> MeetingOut:
    return meeting_out(queries.meeting_page(api_actor(request), meeting_id))


@router.post("/{meeting_id}/propose", response={200: MeetingOut, **ERRORS}, summary="Run the agenda rules again")
def propose(request: HttpRequest, meeting_id: RecordId) -> MeetingOut:
    actor = api_actor(request)
    services.propose_agenda(actor, meeting_id)
    return meeting_out(queries.meeting_page(actor, meeting_id))


@router.post("/{meeting_id}/agenda", response={201: Created, **ERRORS}, summary="Add a client to the agenda")
def add_client(request: HttpRequest, meeting_id: RecordId, payload: AddClientIn) -> tuple[int, Created]:
    return 201, Created(id=services.add_client(api_actor(request), meeting_id, payload.client_id, payload.reason).pk)


@router.patch("/{meeting_id}/agenda/{item_id}", response={200: Created, **ERRORS}, summary="Confirm, remove or move")
def change_item(request: HttpRequest, meeting_id: RecordId, item_id: RecordId, payload: ItemChangeIn) -> Created:
    return Created(id=services.change_item(api_actor(request), item_id, payload.action, payload.reason).pk)


@router.post("/{meeting_id}/attendance", response={200: MeetingOut, **ERRORS}, summary="Record who attended")
def attendance(request: HttpRequest, meeting_id: RecordId, payload: AttendanceIn) -> MeetingOut:
    actor = api_actor(request)
    minutes.record_attendance(actor, meeting_id, payload.present, payload.apologies)
    return meeting_out(queries.meeting_page(actor, meeting_id))


@router.post(
    "/{meeting_id}/agenda/{item_id}/discussion", response={200: Created, **ERRORS}, summary="Discussion and decision"
)
def discussion(request: HttpRequest, meeting_id: RecordId, item_id: RecordId, payload: DiscussionIn) -> Created:
    return Created(id=minutes.record_discussion(api_actor(request), item_id, payload.note, payload.decision).pk)


@router.post("/{meeting_id}/agenda/{item_id}/actions", response={201: Created, **ERRORS}, summary="An action (a task)")
def action(request: HttpRequest, meeting_id: RecordId, item_id: RecordId, payload: ActionIn) -> tuple[int, Created]:
    new = minutes.NewAction(payload.title, payload.due_on, payload.owner_practitioner_id, payload.owner_team_id)
    return 201, Created(id=minutes.add_action(api_actor(request), item_id, new).pk)


@router.post("/{meeting_id}/agenda/{item_id}/dispute", response={200: Created, **ERRORS}, summary="Decide the dispute")
def dispute(request: HttpRequest, meeting_id: RecordId, item_id: RecordId, payload: DisputeIn) -> Created:
    item = minutes.decide_dispute_in_meeting(
        api_actor(request), item_id, payload.team_id, payload.lead_professional_id, payload.reasons
    )
    return Created(id=item.pk)


@router.post("/{meeting_id}/close", response={200: MeetingOut, **ERRORS}, summary="Close the meeting: minutes final")
def close(request: HttpRequest, meeting_id: RecordId) -> MeetingOut:
    actor = api_actor(request)
    minutes.close_meeting(actor, meeting_id)
    return meeting_out(queries.meeting_page(actor, meeting_id, purpose="minutes"))


@requests_router.post("", response={201: Created, **ERRORS}, summary="Ask the locality MDT to discuss a client")
def request_discussion(request: HttpRequest, payload: RequestIn) -> tuple[int, Created]:
    return 201, Created(id=services.request_discussion(api_actor(request), payload.client_id, payload.reason).pk)
