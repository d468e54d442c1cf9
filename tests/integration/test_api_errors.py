"""How the API answers when something is wrong: always JSON, never internals."""

from __future__ import annotations

import logging

from joinedup.clients import api as clients_api
from joinedup.clients.models import Need
from tests.factories import client_in
from tests.integration.api_client import api_as


def test_an_unexpected_error_is_a_500_with_nothing_internal(b, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("SELECT secret FROM internals WHERE nhs_number='9990000018'")

    monkeypatch.setattr(clients_api.queries, "client_details", broken)
    client = client_in(b)
    with caplog.at_level(logging.ERROR, logger="joinedup.api"):
        response = api_as(b, "ot.north").get(f"/clients/{client.pk}")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"detail"}
    assert "secret" not in response.content.decode() and "Traceback" not in response.content.decode()
    assert "RuntimeError" in caplog.text  # logged for the operators


def test_a_service_validation_error_names_its_field_in_the_same_shape_as_input_errors(b):
    client = client_in(b)
    api = api_as(b, "ot.north")
    from_service = api.post(f"/clients/{client.pk}/needs", {"category": "housing", "description": "   "}).json()
    from_schema = api.post(f"/clients/{client.pk}/needs", {"category": "housing"}).json()
    for body in (from_service, from_schema):
        [error] = body["detail"]
        assert set(error) == {"type", "loc", "msg"}
        assert error["loc"] == ["body", "description"] and error["msg"]


def test_input_errors_list_every_field_and_echo_no_input(b):
    client = client_in(b)
    body = {"category": "astrology", "description": "x" * 5000, "secret": "9990000018"}
    response = api_as(b, "ot.north").post(f"/clients/{client.pk}/needs", body)
    assert response.status_code == 422
    assert {tuple(error["loc"]) for error in response.json()["detail"]} == {
        ("body", "category"),
        ("body", "description"),
        ("body", "secret"),
    }
    assert "9990000018" not in response.content.decode() and "xxxxx" not in response.content.decode()


def test_a_body_that_is_not_json_or_not_an_object_changes_nothing(b):
    client = client_in(b)
    api = api_as(b, "ot.north")
    assert api.post(f"/clients/{client.pk}/needs", "{not json").status_code == 400
    not_object = api.post(f"/clients/{client.pk}/needs", "[]")
    assert not_object.status_code == 422 and not_object.json()["detail"][0]["loc"] == ["body"]
    assert Need.objects.count() == 0


def test_refused_is_a_403_saying_why(b):
    response = api_as(b, "admin").post(
        "/clients",
        {
            "given_name": "A",
            "family_name": "B",
            "date_of_birth": "1950-01-01",
            "gp_practice": "F84001",
            "accountable_team": b.therapy_north.pk,
        },
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Only practitioners of an organisation can register clients"}


def test_a_path_id_that_is_not_a_number_or_too_big_is_a_422(b):
    api = api_as(b, "ot.north")
    assert api.get("/clients/abc").json()["detail"][0]["loc"] == ["path", "client_id"]
    assert api.get(f"/clients/{2**64}").json()["detail"][0]["loc"] == ["path", "client_id"]
