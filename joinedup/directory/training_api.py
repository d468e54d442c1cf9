"""/api/v1/practitioners/{id}/training and competencies, /api/v1/teams/{id}/training-matrix."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from joinedup.core.api_auth import api_actor
from joinedup.core.api_schemas import ERRORS, Input, IsoDate, RecordId
from joinedup.directory import training
from joinedup.directory.rules import CompetencyKind, Course
from joinedup.directory.training_queries import team_matrix, training_page

router = Router(tags=["training"])
teams_router = Router(tags=["training"])


class TrainingIn(Input):
    course: Course
    completed_on: IsoDate
    evidence: str = Field(default="", max_length=300)


class CompetencyIn(Input):
    kind: CompetencyKind
    granted_on: IsoDate
    expires_on: IsoDate
    evidence: str = Field(min_length=1, max_length=2000)
    hours_limit: Decimal | None = Field(default=None, gt=0, le=168, decimal_places=1)


class CourseStatus(Schema):
    course: Course
    status: str
    completed_on: date | None
    expires_on: date | None


class CompetencyOut(Schema):
    id: int
    kind: CompetencyKind
    hours_limit: Decimal | None
    granted_on: date
    expires_on: date
    usable: bool
    why: str


class TrainingOut(Schema):
    practitioner_id: int
    courses: list[CourseStatus]
    competencies: list[CompetencyOut]


class MatrixRowOut(Schema):
    practitioner_id: int
    name: str
    courses: dict[str, str]
    trusted_assessor: list[CompetencyOut]


class MatrixOut(Schema):
    team_id: int
    due_days: int
    rows: list[MatrixRowOut]


class Id(Schema):
    id: int


def _competency(row: object) -> CompetencyOut:
    c, usable = row.competency, row.usable  # type: ignore[attr-defined]
    return CompetencyOut(
        id=c.pk,
        kind=c.kind,
        hours_limit=c.hours_limit,
        granted_on=c.granted_on,
        expires_on=c.expires_on,
        usable=usable.ok,
        why=usable.reason,
    )


@router.get("/{practitioner_id}/training", response={200: TrainingOut, **ERRORS}, summary="A practitioner's training")
def read_training(request: HttpRequest, practitioner_id: RecordId) -> TrainingOut:
    view = training_page(api_actor(request), practitioner_id)
    return TrainingOut(
        practitioner_id=view.practitioner.pk,
        courses=[
            CourseStatus(
                course=c,
                status=s.value,
                completed_on=d.completed_on if d else None,
                expires_on=d.expires_on if d else None,
            )
            for c, s, d in view.statuses
        ],
        competencies=[_competency(row) for row in view.competencies],
    )


@router.post("/{practitioner_id}/training", response={201: Id, **ERRORS}, summary="Record a course completed")
def record_training(request: HttpRequest, practitioner_id: RecordId, payload: TrainingIn) -> tuple[int, Id]:
    new = training.NewTraining(payload.course.value, payload.completed_on, payload.evidence)
    return 201, Id(id=training.record_training(api_actor(request), practitioner_id, new).pk)


@router.post("/{practitioner_id}/competencies", response={201: Id, **ERRORS}, summary="Grant a competency")
def grant(request: HttpRequest, practitioner_id: RecordId, payload: CompetencyIn) -> tuple[int, Id]:
    new = training.NewCompetency(
        payload.kind.value, payload.granted_on, payload.expires_on, payload.evidence, payload.hours_limit
    )
    return 201, Id(id=training.grant_competency(api_actor(request), practitioner_id, new).pk)


class WithdrawIn(Input):
    reason: str = Field(min_length=1, max_length=300)


@router.post(
    "/{practitioner_id}/competencies/{competency_id}/withdraw",
    response={200: Id, **ERRORS},
    summary="Withdraw a competency",
)
def withdraw(request: HttpRequest, practitioner_id: RecordId, competency_id: RecordId, payload: WithdrawIn) -> Id:
    """From today it can no longer be used for trusted assessment; assessments made before stay trusted."""
    competency = training.revoke_competency(api_actor(request), competency_id, payload.reason, of=practitioner_id)
    return Id(id=competency.pk)


@teams_router.get("/{team_id}/training-matrix", response={200: MatrixOut, **ERRORS}, summary="Who in a team is due")
def matrix(request: HttpRequest, team_id: RecordId) -> MatrixOut:
    view = team_matrix(api_actor(request), team_id)
    return MatrixOut(
        team_id=view.team.pk,
        due_days=view.due_days,
        rows=[
            MatrixRowOut(
                practitioner_id=r.practitioner.pk,
                name=r.practitioner.display_name,
                courses={c.value: s.value for c, (s, _) in zip(view.courses, r.cells, strict=True)},
                trusted_assessor=[_competency(t) for t in r.trusted],
            )
            for r in view.rows
        ],
    )
