"""Needs, consent, accountability, timeline and emergency access through the API."""

from __future__ import annotations

import pytest

from joinedup.clients.models import Accountability, Client, ConsentDecision, EmergencyAccess, Need
from joinedup.core.models import AuditEvent
from tests.factories import client_in
from tests.integration.api_client import api_as, field_of

NOT_FOUND = {"detail": "Not found"}


def _counts(*models) -> tuple[int, ...]:
    return tuple(model.objects.count() for model in models)


# --- needs ----------------------------------------------------------------------------------


def test_record_list_and_close_a_need(b):
    client = client_in(b)
    api = api_as(b, "ot.north")
    created = api.post(f"/clients/{client.pk}/needs", {"category": "housing", "description": " Damp flat "})
    assert created.status_code == 201, created.content
    need = created.json()
    assert need["category"] == "housing" and need["description"] == "Damp flat" and need["status"] == "open"
    assert need["recorded_by"]["id"] == b.people["ot.north"].pk
    listed = api.get(f"/clients/{client.pk}/needs").json()["results"]
    assert [row["id"] for row in listed] == [need["id"]]
    closed = api.patch(f"/clients/{client.pk}/needs/{need['id']}", {"status": "met"})
    assert closed.status_code == 200 and closed.json()["status"] == "met"
    assert Need.objects.get(pk=need["id"]).status == "met"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "astrology", "description": "x"}, "category"),
        ({"category": "housing", "description": ""}, "description"),
        ({"category": "housing", "description": "x" * 4001}, "description"),
        ({"category": "housing"}, "description"),
        ({"category": "housing", "description": "x", "urgent": True}, "urgent"),
    ],
)
def test_broken_need_is_a_422_and_stores_nothing(b, body, field):
    client = client_in(b)
    api = api_as(b, "ot.north")
    before = _counts(Need, AuditEvent)
    assert field_of(api.post(f"/clients/{client.pk}/needs", body)) == ["body", field]
    assert _counts(Need, AuditEvent) == before


def test_need_status_must_be_one_of_the_statuses_and_the_need_must_be_the_clients(b):
    client, other = client_in(b), client_in(b)
    api = api_as(b, "ot.north")
    need = api.post(f"/clients/{client.pk}/needs", {"category": "carer", "description": "x"}).json()
    assert field_of(api.patch(f"/clients/{client.pk}/needs/{need['id']}", {"status": "done"})) == [
        "body",
        "status",
    ]
    assert api.patch(f"/clients/{other.pk}/needs/{need['id']}", {"status": "met"}).json() == NOT_FOUND
    assert Need.objects.get(pk=need["id"]).status == "open"


def test_needs_out_of_scope_are_404_and_nothing_is_stored(b):
    client = client_in(b)
    api = api_as(b, "ot.south")
    assert api.get(f"/clients/{client.pk}/needs").json() == NOT_FOUND
    response = api.post(f"/clients/{client.pk}/needs", {"category": "housing", "description": "x"})
    assert response.status_code == 404 and response.json() == NOT_FOUND
    assert Need.objects.count() == 0


# --- consent --------------------------------------------------------------------------------


def test_record_and_read_consent(b):
    client = client_in(b)
    api = api_as(b, "ot.north")
    created = api.post(f"/clients/{client.pk}/consent", {"decision": "given", "note": "Asked at home"})
    assert created.status_code == 201 and created.json()["decision"] == "given"
    history = api.get(f"/clients/{client.pk}/consent").json()
    assert history["consent_to_share"] == "given"
    assert [row["note"] for row in history["results"]] == ["Asked at home"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "maybe"}, "decision"),
        ({"decision": "given", "note": "x" * 2001}, "note"),
        ({}, "decision"),
    ],
)
def test_broken_consent_is_a_422_and_changes_nothing(b, body, field):
    client = client_in(b)
    before = _counts(ConsentDecision, AuditEvent)
    assert field_of(api_as(b, "ot.north").post(f"/clients/{client.pk}/consent", body)) == [
        "body",
        field,
    ]
    assert _counts(ConsentDecision, AuditEvent) == (before[0], before[1] + 1)  # +1: the token
    assert Client.objects.get(pk=client.pk).consent_to_share == "not_asked"


# --- accountability ---------------------------------------------------------------------------


def test_change_accountability_and_read_its_history(b):
    client = client_in(b)
    api = api_as(b, "ot.north")
    body = {
        "team": b.social_work.pk,
        "lead_professional": b.people["sw.council"].pk,
        "reason": "Care act assessment",
    }
    changed = api.post(f"/clients/{client.pk}/accountability", body)
    assert changed.status_code == 201, changed.content
    assert changed.json()["team"]["name"] == "Adult Social Work" and changed.json()["until"] is None
    client.refresh_from_db()
    assert client.accountable_team == b.social_work and client.lead_professional == b.people["sw.council"]
    history = api_as(b, "sw.council").get(f"/clients/{client.pk}/accountability").json()["results"]
    assert [row["reason"] for row in history] == ["Care act assessment", "Registered"]
    assert history[1]["until"] is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"team": 99999, "reason": "x"}, "team"),
        ({"team": "__social_work__", "reason": ""}, "reason"),
        (
            {"team": "__social_work__", "lead_professional": 99999, "reason": "x"},
            "lead_professional",
        ),
        (
            {"team": "__social_work__", "lead_professional": "__ot__", "reason": "x"},
            "lead_professional",
        ),
        ({"team": "__social_work__", "reason": "x", "lead": 1}, "lead"),
        ({"reason": "x"}, "team"),
    ],
)
def test_broken_accountability_change_is_a_422_and_changes_nothing(b, body, field):
    client = client_in(b)
    ids = {"__social_work__": b.social_work.pk, "__ot__": b.people["ot.north"].pk}
    body = {key: ids.get(value, value) if isinstance(value, str) else value for key, value in body.items()}
    before = (_counts(Accountability), Client.objects.values().get(pk=client.pk))
    assert field_of(api_as(b, "ot.north").post(f"/clients/{client.pk}/accountability", body)) == [
        "body",
        field,
    ]
    assert (_counts(Accountability), Client.objects.values().get(pk=client.pk)) == before


def test_only_the_accountable_team_or_mdt_may_change_accountability(b):
    client = client_in(b)
    from joinedup.clients.services import use_emergency_access

    use_emergency_access(b.actor("ot.south"), client.pk, "Called out overnight, needs the record")
    body = {"team": b.therapy_south.pk, "reason": "Take over"}
    response = api_as(b, "ot.south").post(f"/clients/{client.pk}/accountability", body)
    assert response.status_code == 403 and "accountable team" in response.json()["detail"]
    assert Accountability.objects.filter(client=client).count() == 1


# --- timeline ---------------------------------------------------------------------------------


def test_timeline_newest_first_and_audited(b):
    client = client_in(b)
    api = api_as(b, "ot.north")
    api.post(f"/clients/{client.pk}/needs", {"category": "housing", "description": "x"})
    before = AuditEvent.objects.filter(client_id=client.pk, action="view").count()
    events = api.get(f"/clients/{client.pk}/timeline").json()["results"]
    assert [event["kind"] for event in events] == ["need_recorded", "registered"]
    assert events[0]["actor"]["id"] == b.people["ot.north"].pk
    assert AuditEvent.objects.filter(client_id=client.pk, action="view").count() == before + 1


def test_timeline_out_of_scope_is_404(b):
    client = client_in(b)
    assert api_as(b, "ot.south").get(f"/clients/{client.pk}/timeline").json() == NOT_FOUND


# --- emergency access -------------------------------------------------------------------------


def test_emergency_access_opens_the_record_and_is_audited(b):
    client = client_in(b)
    api = api_as(b, "ot.south")
    assert api.get(f"/clients/{client.pk}").status_code == 404
    reason = "Out of hours call: fallen at home, no answer from the north team"
    granted = api.post(f"/clients/{client.pk}/emergency-access", {"reason": reason})
    assert granted.status_code == 201, granted.content
    assert granted.json()["client_id"] == client.pk and granted.json()["expires_at"]
    body = api.get(f"/clients/{client.pk}").json()
    assert body["relationship"] == f"emergency access: {reason}"
    event = AuditEvent.objects.get(action="emergency_access", client_id=client.pk)
    assert (event.channel, event.actor_username, event.reason) == ("api", "ot.south", reason)


@pytest.mark.parametrize(
    ("body", "field"),
    [({"reason": "because"}, "reason"), ({}, "reason"), ({"reason": ""}, "reason")],
)
def test_emergency_access_needs_a_reason(b, body, field):
    client = client_in(b)
    before = _counts(EmergencyAccess)
    assert field_of(api_as(b, "ot.south").post(f"/clients/{client.pk}/emergency-access", body)) == [
        "body",
        field,
    ]
    assert _counts(EmergencyAccess) == before


@pytest.mark.parametrize("who", ["volunteer", "commissioner", "admin"])
def test_emergency_access_needs_an_allowed_role(b, who):
    client = client_in(b)
    response = api_as(b, who).post(
        f"/clients/{client.pk}/emergency-access", {"reason": "I would like to see it please"}
    )
    assert response.status_code == 403 and "role" in response.json()["detail"]
    assert EmergencyAccess.objects.count() == 0
    assert api_as(b, who).get(f"/clients/{client.pk}").json() == NOT_FOUND


def test_emergency_access_to_an_absent_client_is_404(b):
    response = api_as(b, "ot.south").post("/clients/424242/emergency-access", {"reason": "Fallen at home overnight"})
    assert response.json() == NOT_FOUND
