"""What the care plans, visits and meetings API takes and gives. Inputs are strict; text is bounded."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Schema
from ninja.errors import ValidationError as InputError
from pydantic import AwareDatetime, Field

from joinedup.careplans.rules.plans import Agreement, FrailtyBand
from joinedup.careplans.rules.visits import AssessmentKind, VisitKind
from joinedup.core.api_schemas import Input, IsoDate, RecordId, Reference

Score = Annotated[int, Field(ge=-2, le=2)]
Text = Annotated[str, Field(max_length=4000)]


class GoalIn(Input):
    client_words: str = Field(min_length=1, max_length=500, description="The goal in the client's own words")
    levels: dict[Score, Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        description='Each level described: {"-2": ..., "-1": ..., "0": the expected outcome, "1": ..., "2": ...}'
    )
    baseline: Annotated[int, Field(ge=-2, le=-1)] = -1
    weight: Annotated[int, Field(ge=1, le=10)] = 1


class InterventionIn(Input):
    team_id: RecordId
    practitioner_id: RecordId | None = None
    description: str = Field(min_length=1, max_length=1000)
    frequency: str = Field(default="", max_length=120)


class PlanIn(Input):
    client_id: RecordId
    goals: list[GoalIn] = Field(min_length=1, max_length=12)
    interventions: list[InterventionIn] = Field(default_factory=list, max_length=20)
    what_matters: str = Field(default="", max_length=4000, description="Empty: carried from the latest handover")
    review_due: IsoDate


class VersionIn(Input):
    change_note: str = Field(min_length=1, max_length=500)
    add_goals: list[GoalIn] = Field(default_factory=list, max_length=12)
    end_goals: dict[Annotated[int, Field(ge=1)], Annotated[str, Field(min_length=1, max_length=300)]] = Field(
        default_factory=dict, description="Goal number -> why it ends"
    )
    add_interventions: list[InterventionIn] = Field(default_factory=list, max_length=20)
    end_interventions: list[RecordId] = Field(default_factory=list, max_length=50)
    what_matters: str | None = Field(default=None, max_length=4000)
    review_due: IsoDate | None = None


class AgreementIn(Input):
    agreement: Agreement
    who: str = Field(min_length=1, max_length=200)
    when: AwareDatetime
    note: str = Field(default="", max_length=2000)


class ReviewIn(Input):
    held_on: IsoDate
    scores: dict[Annotated[int, Field(ge=1)], Score] = Field(description="Goal number -> score, every goal of the plan")
    next_review_due: IsoDate
    note: str = Field(default="", max_length=4000)


class FrailtyIn(Input):
    client_id: RecordId
    band: FrailtyBand
    efi_score: Decimal | None = Field(default=None, ge=0, le=1, decimal_places=3)
    assessed_on: IsoDate
    source: str = Field(default="", max_length=120)


class GoalOut(Schema):
    number: int
    client_words: str
    weight: int
    baseline: int
    levels: dict[int, str]


class InterventionOut(Schema):
    id: int
    team: Reference
    practitioner: Reference | None
    description: str
    frequency: str


class ReviewOut(Schema):
    id: int
    held_on: date
    version: int
    t_score: Decimal
    scores: dict[int, int]


class PlanOut(Schema):
    id: int
    client_id: int
    status: str
    version: int
    current_version: int
    review_due: date
    what_matters: str
    what_matters_source: str
    agreement: Agreement
    agreement_by: str
    agreement_at: datetime | None
    goals: list[GoalOut]
    interventions: list[InterventionOut]
    baseline_t_score: float | None
    reviews: list[ReviewOut]


class Created(Schema):
    id: int


class CareTeamMemberIn(Input):
    practitioner_id: RecordId | None = None
    team_id: RecordId | None = None
    role: str = Field(min_length=1, max_length=120)
    since: IsoDate | None = None


class ReasonIn(Input):
    reason: str = Field(min_length=1, max_length=500)


class CareTeamRowOut(Schema):
    name: str
    kind: str
    profession: str
    organisation: str
    roles: list[str]
    since: date | None
    member_id: int | None


class CareTeamOut(Schema):
    client_id: int
    members: list[CareTeamRowOut]


class VisitIn(Input):
    client_id: RecordId
    practitioner_id: RecordId
    team_id: RecordId
    kind: VisitKind
    assessment: AssessmentKind | None = None
    starts_at: AwareDatetime
    duration_minutes: Annotated[int, Field(ge=5, le=480)] = 60
    purpose: str = Field(default="", max_length=300)
    duplicate_reason: str = Field(
        default="", max_length=500, description="Book despite a duplicate assessment, because..."
    )


class DuplicateOut(Schema):
    visit_id: int
    organisation: str
    practitioner: str
    day: date
    status: str
    trusted: bool
    warning: str
    suggestion: str


class DuplicatesOut(Schema):
    detail: str
    duplicates: list[DuplicateOut]


class VisitOut(Schema):
    id: int
    client_id: int
    practitioner: Reference
    organisation: Reference
    kind: VisitKind
    assessment: AssessmentKind | None
    starts_at: datetime
    duration_minutes: int
    status: str
    outcome: str
    trusted_assessor: bool
    duplicate_of: list[int]


class VisitList(Schema):
    week_start: date
    results: list[VisitOut]
    same_day: dict[str, list[int]] = Field(description="Days with more than one planned visit: could they be combined?")


class DoneIn(Input):
    outcome: str = Field(min_length=1, max_length=4000)
    recommended_hours: Decimal | None = Field(default=None, gt=0, le=168, decimal_places=1)


class NoteIn(Input):
    note: str = Field(default="", max_length=500)


_SERVICE_KEYS = (
    (re.compile(r"^goal_(\d+)_(.+)$"), lambda m, base: [*base, "goals", int(m[1]) - 1, m[2]]),
    (re.compile(r"^intervention_(\d+)_(.+)$"), lambda m, base: [*base, "interventions", int(m[1]) - 1, m[2]]),
    (re.compile(r"^end_goal_(\d+)$"), lambda m, base: ["body", "end_goals", m[1]]),
    (re.compile(r"^score_(\d+)$"), lambda m, base: ["body", "scores", m[1]]),
)


@contextmanager
def fields_of_the_body(goals_key: str = "goals") -> Iterator[None]:
    """The services name list items goal_1_client_words; the API's 422 names ["body", "goals", 0, "client_words"]."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        errors = []
        for key, messages in error.message_dict.items():
            loc: list[str | int] = ["body", key]
            for pattern, build in _SERVICE_KEYS:
                match = pattern.match(key)
                if match:
                    loc = build(match, ["body"])
                    if goals_key != "goals" and loc[1] in ("goals", "interventions"):
                        loc[1] = f"add_{loc[1]}"
                    break
            errors += [{"type": "invalid", "loc": loc, "msg": message} for message in messages]
        raise InputError(errors) from error
