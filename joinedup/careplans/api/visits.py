"""/api/v1/visits: the shared calendar, booking with the duplicate-assessment check, trusted assessment."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from joinedup.careplans.api.schemas import (
    DoneIn,
    DuplicateOut,
    DuplicatesOut,
    NoteIn,
    ReasonIn,
    VisitIn,
    VisitList,
    VisitOut,
)
from joinedup.careplans.models import Visit
from joinedup.careplans.queries import visits as queries
from joinedup.careplans.rules import visits as rules
from joinedup.careplans.services import visits as services
from joinedup.core.api_auth import api_actor
from joinedup.core.api_schemas import ERRORS, Input, IsoDate, RecordId, Reference, refuse_unknown_query

router = Router(tags=["visits"])


class CalendarParams(Input):
    client_id: RecordId | None = None
    week: IsoDate | None = None


def visit_out(v: Visit) -> VisitOut:
    return VisitOut(
        id=v.pk,
        client_id=v.client_id,
        practitioner=Reference(id=v.practitioner_id, name=v.practitioner.display_name),
        organisation=Reference(id=v.organisation_id, name=v.organisation.name),
        kind=rules.VisitKind(v.kind),
        assessment=rules.AssessmentKind(v.assessment) if v.assessment else None,
        starts_at=v.starts_at,
        duration_minutes=v.duration_minutes,
        status=v.status,
        outcome=v.outcome,
        trusted_assessor=v.trusted_competency_id is not None,
        duplicate_of=list(v.duplicate_of),
    )


def _duplicates(found: list[rules.Duplicate]) -> list[DuplicateOut]:
    return [
        DuplicateOut(
            visit_id=d.other.id,
            organisation=d.other.organisation,
            practitioner=d.other.practitioner,
            day=d.other.day,
            status=d.other.status.value,
            trusted=d.other.trusted,
            warning=d.warning,
            suggestion=d.suggestion,
        )
        for d in found
    ]


@router.get("", response={200: VisitList, **ERRORS}, summary="Visits of a client, or your own, in a week")
def calendar(request: HttpRequest, params: Query[CalendarParams]) -> VisitList:
    """With client_id: every organisation's visits to the client; without: your own visits."""
    refuse_unknown_query(request, CalendarParams)
    actor, week = api_actor(request), params.week or timezone.localdate()
    if params.client_id is not None:
        _, found = queries.client_calendar(actor, params.client_id, week)
    else:
        found = queries.practitioner_calendar(actor, week)
    visits = [v for day in found.days for v in day.visits if v.pk not in found.hidden]
    same_day = {day.day.isoformat(): [v.pk for v in day.visits] for day in found.days if day.combinable}
    return VisitList(week_start=found.start, results=[visit_out(v) for v in visits], same_day=same_day)


@router.post("", response={201: VisitOut, 409: DuplicatesOut, **ERRORS}, summary="Book a visit")
def book(request: HttpRequest, payload: VisitIn) -> tuple[int, VisitOut | DuplicatesOut]:
    """A 409 lists another organisation's assessment of the same kind within the window (done or planned), with
    the suggestion to share it instead; book anyway by sending duplicate_reason."""
    new = services.NewVisit(
        practitioner_id=payload.practitioner_id,
        team_id=payload.team_id,
        kind=payload.kind.value,
        starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes,
        assessment=payload.assessment.value if payload.assessment else "",
        purpose=payload.purpose,
    )
    try:
        visit = services.book_visit(
            api_actor(request), payload.client_id, new, duplicate_reason=payload.duplicate_reason
        )
    except services.DuplicateAssessment as found:
        detail = "Another organisation did or plans this assessment: ask them to share it, or give duplicate_reason"
        return 409, DuplicatesOut(detail=detail, duplicates=_duplicates(found.duplicates))
    return 201, visit_out(visit)


class CheckParams(Input):
    client_id: RecordId
    assessment: rules.AssessmentKind
    day: IsoDate
    organisation_id: RecordId


@router.get(
    "/duplicate-check", response={200: DuplicatesOut, **ERRORS}, summary="Before booking: duplicate assessments"
)
def duplicate_check(request: HttpRequest, params: Query[CheckParams]) -> DuplicatesOut:
    refuse_unknown_query(request, CheckParams)
    proposed = rules.Proposed(params.organisation_id, rules.VisitKind.ASSESSMENT, params.assessment, params.day)
    found = queries.duplicate_check(api_actor(request), params.client_id, proposed)
    return DuplicatesOut(detail=f"{len(found)} within {services.window_days()} days", duplicates=_duplicates(found))


@router.post("/{visit_id}/done", response={200: VisitOut, **ERRORS}, summary="Record a visit as done")
def done(request: HttpRequest, visit_id: RecordId, payload: DoneIn) -> VisitOut:
    return visit_out(services.complete_visit(api_actor(request), visit_id, payload.outcome, payload.recommended_hours))


@router.post("/{visit_id}/cancel", response={200: VisitOut, **ERRORS}, summary="Cancel a visit")
def cancel(request: HttpRequest, visit_id: RecordId, payload: ReasonIn) -> VisitOut:
    return visit_out(services.cancel_visit(api_actor(request), visit_id, payload.reason))


@router.post("/{visit_id}/accept", response={200: VisitOut, **ERRORS}, summary="Accept a trusted assessor's assessment")
def accept(request: HttpRequest, visit_id: RecordId, payload: NoteIn) -> VisitOut:
    """For your organisation, without a second assessment; refused (403) unless an in-date trusted assessor made it."""
    return visit_out(services.accept_trusted_assessment(api_actor(request), visit_id, payload.note).visit)
