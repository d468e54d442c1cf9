"""The crisis API for GP and NHS 111 systems (issue 5, item 8): raising is idempotent with the
caller's Idempotency-Key; following shows who has it and the clock; bad input is a 422 naming the
field and stores nothing; a crisis not yours is the same 404 as one that is absent."""

import json

import pytest

from joinedup.clients.models import Client
from joinedup.crisis.models import Crisis
from tests.crisis_factories import crisis_setup
from tests.factories import client_in
from tests.integration.api_client import api_as, field_of

NEW_PERSON = {"given_name": "Reg", "family_name": "Newman", "date_of_birth": "1938-03-15", "gp_practice": "F84001"}


def body(**changes):
    data = {
        "situation": "fall",
        "needed": "Fell at 15:00, not hurt, cannot get up",
        "contact_name": "NHS 111 clinician",
        "contact_phone": "020 7946 0111",
        "contact_organisation": "NHS 111",
        "person": NEW_PERSON,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def post(api, data, key="111-call-0001"):
    headers = dict(api.headers, **({"Idempotency-Key": key} if key else {}))
    return api.http.post("/api/v1/crises", json.dumps(data), content_type="application/json", headers=headers)


@pytest.fixture
def setup(b):
    return crisis_setup(b)


def test_raising_answers_201_with_who_has_it_and_the_clock_and_a_retry_answers_200(b, setup):
    api = api_as(b, "ot.south")
    first = post(api, body())
    assert first.status_code == 201, first.content
    found = first.json()
    assert found["owner"]["name"] and found["owner_phone"] is not None and found["owner_team"]["name"]
    assert found["time_left_seconds"] > 7000 and found["client"] is None  # a raiser does not see the record
    retry = post(api, body())
    assert retry.status_code == 200 and retry.json()["id"] == found["id"]
    assert Crisis.objects.count() == 1 and Client.objects.filter(family_name="Newman").count() == 1


def test_the_same_key_with_another_request_is_a_422_on_the_header(b, setup):
    api = api_as(b, "ot.south")
    post(api, body())
    again = post(api, body(situation="confusion"))
    assert field_of(again) == ["header", "Idempotency-Key"] and Crisis.objects.count() == 1


def test_a_crisis_without_a_key_is_refused(b, setup):
    response = post(api_as(b, "ot.south"), body(), key=None)
    assert field_of(response) == ["header", "Idempotency-Key"] and not Crisis.objects.exists()


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"situation": "poorly"}, ["body", "situation"]),
        ({"needed": ""}, ["body", "needed"]),
        ({"contact_phone": "123"}, ["body", "contact_phone"]),
        ({"person": {**NEW_PERSON, "date_of_birth": "15/03/1938"}}, ["body", "person", "date_of_birth"]),
        ({"person": {**NEW_PERSON, "nhs_number": "1234567890"}}, ["body", "person", "nhs_number"]),
        ({"person": {**NEW_PERSON, "gp_practice": "Z99999"}}, ["body", "person", "gp_practice"]),
        ({"person": {**NEW_PERSON, "shoe_size": "9"}}, ["body", "person", "shoe_size"]),
        ({"client_id": 1}, ["body"]),  # both client_id and person
        ({"urgency": "high"}, ["body", "urgency"]),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_stores_nothing(b, setup, changes, loc):
    before = (Crisis.objects.count(), Client.objects.count())
    response = post(api_as(b, "ot.south"), body(**changes))
    assert field_of(response) == loc, response.json()
    assert (Crisis.objects.count(), Client.objects.count()) == before


def test_a_client_id_one_may_not_see_is_refused_like_any_other_unknown_one(b, setup):
    client = client_in(b, locality="north")
    response = post(api_as(b, "ot.south"), body(person=None, client_id=client.pk))
    assert field_of(response) == ["body", "client_id"] and not Crisis.objects.exists()


def test_the_raiser_and_the_responder_follow_it_and_anyone_else_gets_404(b, setup):
    client = client_in(b, locality="north")
    created = post(api_as(b, "ot.north"), body(person=None, client_id=client.pk)).json()
    mine = api_as(b, "ot.north").get(f"/crises/{created['id']}").json()
    assert mine["your_role"] == "raiser" and mine["client"] == {"id": client.pk, "name": client.full_name}
    responder = api_as(b, "rr.oncall").get(f"/crises/{created['id']}").json()
    assert responder["your_role"] == "responder" and responder["needed"].startswith("Fell")
    assert api_as(b, "ot.south").get(f"/crises/{created['id']}").status_code == 404
    assert api_as(b, "ot.south").get("/crises/999999").status_code == 404
    listed = api_as(b, "rr.oncall").get("/crises").json()["results"]
    assert [row["id"] for row in listed] == [created["id"]]
    assert field_of(api_as(b, "rr.oncall").get("/crises", {"open": "1"})) == ["query", "open"]


def test_the_raiser_cancels_a_crisis_raised_in_error_once(b, setup):
    api = api_as(b, "ot.south")
    created = post(api, body()).json()
    assert field_of(api.post(f"/crises/{created['id']}/cancel", {"reason": ""})) == ["body", "reason"]
    done = api.post(f"/crises/{created['id']}/cancel", {"reason": "Duplicate of an earlier call"})
    assert done.status_code == 200 and done.json()["state"] == "cancelled"
    again = api.post(f"/crises/{created['id']}/cancel", {"reason": "Duplicate of an earlier call"})
    assert again.status_code == 403 and "closed" in again.json()["detail"]


def test_the_openapi_document_asks_for_the_idempotency_key(db):
    from django.test import Client as Browser

    document = Browser().get("/api/v1/openapi.json").json()
    parameters = document["paths"]["/api/v1/crises"]["post"]["parameters"]
    key = next(p for p in parameters if p["name"] == "Idempotency-Key")
    assert key["in"] == "header" and "retry" in key["description"]
