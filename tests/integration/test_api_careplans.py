"""The care plans, visits, meetings and training API: journeys, 422 naming the field, 404 out of scope, 409."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from joinedup.careplans.models import CarePlan, Visit
from joinedup.careplans.services import meetings
from tests.careplan_factories import levels, plan_for, series_for
from tests.factories import client_in
from tests.integration.api_client import api_as, field_of
from tests.integration.test_mdt_meetings import next_tuesday


def _goal(**extra):
    return {"client_words": "To walk to the park", "levels": {str(k): v for k, v in levels("park").items()}, **extra}


def _plan(client, **extra):
    return {
        "client_id": client.pk,
        "goals": [_goal()],
        "review_due": (timezone.localdate() + timedelta(days=30)).isoformat(),
        **extra,
    }


def test_a_plan_is_written_changed_agreed_and_reviewed_through_the_api(b):
    client = client_in(b)
    api = api_as(b, "ot.north")
    response = api.post("/care-plans", _plan(client))
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["version"] == 1 and plan["goals"][0]["levels"]["0"] == "Makes park alone, with equipment"
    assert plan["baseline_t_score"] == 40.0
    changed = api.post(
        f"/care-plans/{plan['id']}/versions", {"change_note": "New goal", "add_goals": [_goal(client_words="Garden")]}
    )
    assert changed.status_code == 201 and changed.json()["version"] == 2
    agreed = api.post(
        f"/care-plans/{plan['id']}/agreement", {"agreement": "agreed", "who": "Ada", "when": timezone.now().isoformat()}
    )
    assert agreed.json()["agreement"] == "agreed"
    review = api.post(
        f"/care-plans/{plan['id']}/reviews",
        {
            "held_on": timezone.localdate().isoformat(),
            "scores": {"1": 0, "2": 0},
            "next_review_due": (timezone.localdate() + timedelta(days=60)).isoformat(),
        },
    )
    assert review.status_code == 201 and review.json()["t_score"] == "50.0"
    assert (
        api.get("/care-plans", {"client_id": client.pk, "version": 1}).json()["goals"][0]["client_words"]
        == "To walk to the park"
    )


def test_broken_plans_are_422_naming_the_field(b):
    client = client_in(b)
    api = api_as(b, "ot.north")
    assert field_of(api.post("/care-plans", _plan(client, goals=[]))) == ["body", "goals"]
    assert field_of(api.post("/care-plans", _plan(client, goals=[_goal(baseline=0)]))) == [
        "body",
        "goals",
        0,
        "baseline",
    ]
    two_same = _goal(levels={str(k): "same" for k in range(-2, 3)})
    assert field_of(api.post("/care-plans", _plan(client, goals=[two_same]))) == ["body", "goals", 0, "level_0"]
    assert field_of(api.post("/care-plans", _plan(client, review_due="30/12/2026"))) == ["body", "review_due"]
    assert field_of(api.post("/care-plans", _plan(client, surprise=1))) == ["body", "surprise"]
    assert not CarePlan.objects.exists()
    plan = plan_for(b, client)
    bad = api.post(
        f"/care-plans/{plan.pk}/reviews",
        {
            "held_on": timezone.localdate().isoformat(),
            "scores": {"1": 2},
            "next_review_due": (timezone.localdate() + timedelta(days=9)).isoformat(),
        },
    )
    assert field_of(bad) == ["body", "scores", "2"]


def test_out_of_scope_is_404(b):
    client = client_in(b)
    plan = plan_for(b, client)
    other = api_as(b, "ot.south")
    assert other.get("/care-plans", {"client_id": client.pk}).status_code == 404
    assert other.post(f"/care-plans/{plan.pk}/versions", {"change_note": "x"}).status_code == 404
    assert other.get(f"/care-teams/{client.pk}").status_code == 404
    assert other.get("/visits", {"client_id": client.pk}).status_code == 404


def test_booking_a_duplicate_assessment_is_409_with_the_suggestion(b):
    client = client_in(b)
    api = api_as(b, "ot.north")
    when = (timezone.now() + timedelta(days=2)).isoformat()
    council = {
        "client_id": client.pk,
        "practitioner_id": b.people["sw.council"].pk,
        "team_id": b.social_work.pk,
        "kind": "assessment",
        "assessment": "equipment",
        "starts_at": when,
    }
    assert api.post("/visits", council).status_code == 201
    ours = {**council, "practitioner_id": b.people["ot.north"].pk, "team_id": b.therapy_north.pk}
    response = api.post("/visits", ours)
    assert response.status_code == 409
    assert response.json()["duplicates"][0]["suggestion"].startswith("Ask Sw Councilson to share")
    assert Visit.objects.count() == 1
    assert api.post("/visits", {**ours, "duplicate_reason": "Changed needs"}).status_code == 201
    assert field_of(api.post("/visits", {**ours, "kind": "chat"})) == ["body", "kind"]
    assert field_of(api.post("/visits", {**ours, "starts_at": "2026-03-01T10:00:00"})) == ["body", "starts_at"]
    day = timezone.localtime(timezone.now() + timedelta(days=2)).date()
    week = api.get("/visits", {"client_id": client.pk, "week": day.isoformat()}).json()
    assert len(week["results"]) == 2 and week["same_day"] == {day.isoformat(): [r["id"] for r in week["results"]]}


def test_a_meeting_through_the_api(b):
    client = client_in(b)
    meetings.request_discussion(b.actor("ot.north"), client.pk, "Carer unwell")
    series = series_for(b)
    api = api_as(b, "coordinator.north")
    opened = api.post(f"/meeting-series/{series.pk}/meetings", {"day": next_tuesday().isoformat()}).json()
    (item,) = opened["agenda"]
    assert item["client"]["id"] == client.pk and item["reasons"][0]["source"] == "member"
    base = f"/meetings/{opened['id']}"
    assert api.patch(f"{base}/agenda/{item['id']}", {"action": "list"}).status_code == 200
    assert field_of(api.patch(f"{base}/agenda/{item['id']}", {"action": "delete"})) == ["body", "action"]
    assert api.post(f"{base}/attendance", {"present": [b.people["coordinator.north"].pk]}).status_code == 200
    assert api.post(f"{base}/agenda/{item['id']}/discussion", {"note": "n", "decision": "d"}).status_code == 200
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    action = api.post(
        f"{base}/agenda/{item['id']}/actions",
        {"title": "Carer's assessment", "due_on": due, "owner_team_id": b.social_work.pk},
    )
    assert action.status_code == 201
    closed = api.post(f"{base}/close", {}).json()
    assert closed["status"] == "closed" and closed["agenda"][0]["actions"][0]["name"] == "Carer's assessment"
    assert api_as(b, "ot.north").get(base).status_code == 404


def test_training_through_the_api(b):
    api = api_as(b, "ot.north")
    me = b.people["ot.north"].pk
    assert (
        api.post(
            f"/practitioners/{me}/training", {"course": "mental_capacity_act", "completed_on": "2025-06-01"}
        ).status_code
        == 201
    )
    record = api.get(f"/practitioners/{me}/training").json()
    assert {c["course"]: c["status"] for c in record["courses"]}["mental_capacity_act"] == "in_date"
    assert field_of(
        api.post(f"/practitioners/{me}/training", {"course": "juggling", "completed_on": "2025-06-01"})
    ) == ["body", "course"]
    assert api.get(f"/practitioners/{b.people['ot.south'].pk}/training").status_code == 404


def test_a_manager_grants_and_withdraws_a_competency_through_the_api(b):
    b.therapy_north.manager = b.people["coordinator.north"]
    b.therapy_north.save()
    api = api_as(b, "coordinator.north")
    ot = b.people["ot.north"].pk
    body = {
        "kind": "trusted_assessor_package_of_care",
        "granted_on": "2026-01-01",
        "expires_on": "2027-01-01",
        "evidence": "Observed",
    }
    assert field_of(api.post(f"/practitioners/{ot}/competencies", body)) == ["body", "hours_limit"]
    granted = api.post(f"/practitioners/{ot}/competencies", {**body, "hours_limit": "12.5"})
    assert granted.status_code == 201
    competency = granted.json()["id"]
    other = b.people["ot.south"].pk
    assert api.post(f"/practitioners/{other}/competencies/{competency}/withdraw", {"reason": "x"}).status_code == 404
    assert (
        api_as(b, "ot.north")
        .post(f"/practitioners/{ot}/competencies/{competency}/withdraw", {"reason": "x"})
        .status_code
        == 404
    )
    assert (
        api.post(f"/practitioners/{ot}/competencies/{competency}/withdraw", {"reason": "Practice concerns"}).status_code
        == 200
    )
    record = api.get(f"/practitioners/{ot}/training").json()
    assert record["competencies"][0]["usable"] is False and "withdrawn" in record["competencies"][0]["why"]
