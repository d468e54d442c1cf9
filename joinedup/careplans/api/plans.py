"""/api/v1/care-plans, /api/v1/care-teams, /api/v1/frailty: parse, then call careplans.services and .queries."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from joinedup.careplans.api.schemas import (
    AgreementIn,
    CareTeamMemberIn,
    CareTeamOut,
    CareTeamRowOut,
    Created,
    FrailtyIn,
    GoalIn,
    GoalOut,
    InterventionIn,
    InterventionOut,
    PlanIn,
    PlanOut,
    ReasonIn,
    ReviewIn,
    ReviewOut,
    VersionIn,
    fields_of_the_body,
)
from joinedup.careplans.queries.care_team import care_team
from joinedup.careplans.queries.plans import PlanPage, plan_page, what_matters_from_handover
from joinedup.careplans.rules.gas import LEVELS
from joinedup.careplans.rules.plans import Agreement
from joinedup.careplans.services import care_team as team_services
from joinedup.careplans.services import frailty as frailty_services
from joinedup.careplans.services import plans as services
from joinedup.clients.queries import visible_client
from joinedup.core.api_auth import api_actor
from joinedup.core.api_schemas import ERRORS, Input, RecordId, Reference, practitioner_ref, refuse_unknown_query
from joinedup.core.errors import NotFound

router = Router(tags=["care plans"])
care_teams = Router(tags=["care teams"])


class PlanParams(Input):
    client_id: RecordId
    version: int | None = None


def _goal(g: GoalIn) -> services.GoalIn:
    return services.GoalIn(g.client_words, dict(g.levels), g.baseline, g.weight)


def _intervention(i: InterventionIn) -> services.InterventionIn:
    return services.InterventionIn(i.team_id, i.description, i.practitioner_id, i.frequency)


def plan_out(page: PlanPage) -> PlanOut:
    if page.plan is None or page.version is None:
        raise NotFound("care plan")
    v = page.version
    return PlanOut(
        id=page.plan.pk,
        client_id=page.client.pk,
        status=page.plan.status,
        version=v.number,
        current_version=page.plan.current_version,
        review_due=page.plan.review_due,
        what_matters=v.what_matters,
        what_matters_source=v.what_matters_source,
        agreement=Agreement(v.agreement),
        agreement_by=v.agreement_by,
        agreement_at=v.agreement_at,
        goals=[
            GoalOut(
                number=g.number,
                client_words=g.client_words,
                weight=g.weight,
                baseline=g.baseline,
                levels={level: g.level(level) for level in LEVELS},
            )
            for g in page.goals
        ],
        interventions=[
            InterventionOut(
                id=i.pk,
                team=Reference(id=i.team.pk, name=i.team.name),
                practitioner=practitioner_ref(i.practitioner),
                description=i.description,
                frequency=i.frequency,
            )
            for i in page.interventions
        ],
        baseline_t_score=round(page.baseline_t_score, 1) if page.baseline_t_score is not None else None,
        reviews=[
            ReviewOut(
                id=r.pk,
                held_on=r.held_on,
                version=r.version,
                t_score=r.t_score,
                scores={g.number: s for g in page.goals if (s := page.score(r, g)) is not None},
            )
            for r in page.reviews
        ],
    )


@router.get("", response={200: PlanOut, **ERRORS}, summary="A client's care plan")
def read_plan(request: HttpRequest, params: Query[PlanParams]) -> PlanOut:
    """The active plan (or one version of it): goals with their scales, interventions, reviews and T-scores."""
    refuse_unknown_query(request, PlanParams)
    return plan_out(plan_page(api_actor(request), params.client_id, version=params.version))


@router.post("", response={201: PlanOut, **ERRORS}, summary="Write a care plan")
def create_plan(request: HttpRequest, payload: PlanIn) -> tuple[int, PlanOut]:
    """Version 1. Without what_matters, "what matters to me" is carried from the client's latest handover."""
    actor = api_actor(request)
    what, source = payload.what_matters, ""
    if not what:
        visible_client(actor, payload.client_id, what="care plan")
        what, source = what_matters_from_handover(payload.client_id)
    changes = services.PlanChanges(
        add_goals=[_goal(g) for g in payload.goals],
        add_interventions=[_intervention(i) for i in payload.interventions],
        what_matters=what,
        what_matters_source=source,
        review_due=payload.review_due,
    )
    with fields_of_the_body():
        services.create_plan(actor, payload.client_id, changes)
    return 201, plan_out(plan_page(actor, payload.client_id))


@router.post("/{plan_id}/versions", response={201: PlanOut, **ERRORS}, summary="Change a care plan (a new version)")
def change_plan(request: HttpRequest, plan_id: RecordId, payload: VersionIn) -> tuple[int, PlanOut]:
    actor = api_actor(request)
    changes = services.PlanChanges(
        change_note=payload.change_note,
        add_goals=[_goal(g) for g in payload.add_goals],
        end_goals=payload.end_goals,
        add_interventions=[_intervention(i) for i in payload.add_interventions],
        end_interventions=payload.end_interventions,
        what_matters=payload.what_matters,
        review_due=payload.review_due,
    )
    with fields_of_the_body("add_goals"):
        plan = services.change_plan(actor, plan_id, changes)
    return 201, plan_out(plan_page(actor, plan.client_id))


@router.post("/{plan_id}/agreement", response={200: PlanOut, **ERRORS}, summary="Record the client's agreement")
def agreement(request: HttpRequest, plan_id: RecordId, payload: AgreementIn) -> PlanOut:
    actor = api_actor(request)
    version = services.record_agreement(actor, plan_id, payload.agreement, payload.who, payload.when, payload.note)
    return plan_out(plan_page(actor, version.plan.client_id))


@router.post("/{plan_id}/reviews", response={201: ReviewOut, **ERRORS}, summary="Record a review with GAS scores")
def review(request: HttpRequest, plan_id: RecordId, payload: ReviewIn) -> tuple[int, ReviewOut]:
    with fields_of_the_body():
        done = services.record_review(
            api_actor(request), plan_id, payload.held_on, dict(payload.scores), payload.next_review_due, payload.note
        )
    scores = {s.goal.number: s.score for s in done.scores.select_related("goal")}
    return 201, ReviewOut(id=done.pk, held_on=done.held_on, version=done.version, t_score=done.t_score, scores=scores)


@router.post("/{plan_id}/end", response={200: Created, **ERRORS}, summary="End a care plan")
def end(request: HttpRequest, plan_id: RecordId, payload: ReasonIn) -> Created:
    return Created(id=services.end_plan(api_actor(request), plan_id, payload.reason).pk)


@router.post("/frailty", response={201: Created, **ERRORS}, summary="Record an electronic Frailty Index band")
def frailty(request: HttpRequest, payload: FrailtyIn) -> tuple[int, Created]:
    record = frailty_services.record_frailty(
        api_actor(request),
        payload.client_id,
        payload.band.value,
        payload.assessed_on,
        payload.efi_score,
        payload.source,
    )
    return 201, Created(id=record.pk)


@care_teams.get("/{client_id}", response={200: CareTeamOut, **ERRORS}, summary="A client's care team")
def read_team(request: HttpRequest, client_id: RecordId) -> CareTeamOut:
    client, _ = visible_client(api_actor(request), client_id, what="care team")
    rows = [CareTeamRowOut(**row.__dict__) for row in care_team(client)]
    return CareTeamOut(client_id=client.pk, members=rows)


@care_teams.post("/{client_id}/members", response={201: Created, **ERRORS}, summary="Add to a client's care team")
def add_member(request: HttpRequest, client_id: RecordId, payload: CareTeamMemberIn) -> tuple[int, Created]:
    member = team_services.add_member(
        api_actor(request),
        client_id,
        role=payload.role,
        practitioner_id=payload.practitioner_id,
        team_id=payload.team_id,
        since=payload.since,
    )
    return 201, Created(id=member.pk)


@care_teams.post(
    "/{client_id}/members/{member_id}/end", response={200: Created, **ERRORS}, summary="Take off a care team"
)
def end_member(request: HttpRequest, client_id: RecordId, member_id: RecordId, payload: ReasonIn) -> Created:
    return Created(id=team_services.end_member(api_actor(request), client_id, member_id, payload.reason).pk)
