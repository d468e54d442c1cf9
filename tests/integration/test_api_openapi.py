"""The API's routes are pinned; its OpenAPI document is public, valid JSON and lists them all."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from tests.integration.api_client import ApiClient

# Every route of the API. A new route, or a route gone, is a deliberate change: update this list
# (and the how-to guide) in the same commit.
ROUTES = {
    ("GET", "/api/v1/clients"),
    ("POST", "/api/v1/clients"),
    ("GET", "/api/v1/clients/{client_id}"),
    ("PATCH", "/api/v1/clients/{client_id}"),
    ("GET", "/api/v1/clients/{client_id}/needs"),
    ("POST", "/api/v1/clients/{client_id}/needs"),
    ("PATCH", "/api/v1/clients/{client_id}/needs/{need_id}"),
    ("GET", "/api/v1/clients/{client_id}/consent"),
    ("POST", "/api/v1/clients/{client_id}/consent"),
    ("GET", "/api/v1/clients/{client_id}/accountability"),
    ("POST", "/api/v1/clients/{client_id}/accountability"),
    ("GET", "/api/v1/clients/{client_id}/timeline"),
    ("POST", "/api/v1/clients/{client_id}/emergency-access"),
    ("GET", "/api/v1/tasks"),
    ("POST", "/api/v1/tasks"),
    ("GET", "/api/v1/tasks/{task_id}"),
    ("PATCH", "/api/v1/tasks/{task_id}"),
    ("GET", "/api/v1/referrals"),
    ("POST", "/api/v1/referrals"),
    ("GET", "/api/v1/referrals/counts"),
    ("GET", "/api/v1/referrals/prefill"),
    ("GET", "/api/v1/referrals/{referral_id}"),
    ("PATCH", "/api/v1/referrals/{referral_id}"),
    ("POST", "/api/v1/referrals/{referral_id}/send"),
    ("POST", "/api/v1/referrals/{referral_id}/request-information"),
    ("POST", "/api/v1/referrals/{referral_id}/provide-information"),
    ("POST", "/api/v1/referrals/{referral_id}/accept"),
    ("POST", "/api/v1/referrals/{referral_id}/decline"),
    ("POST", "/api/v1/referrals/{referral_id}/withdraw"),
    ("POST", "/api/v1/referrals/{referral_id}/stop-clock"),
    ("POST", "/api/v1/referrals/{referral_id}/restart-clock"),
    ("GET", "/api/v1/disputes"),
    ("GET", "/api/v1/disputes/{dispute_id}"),
    ("POST", "/api/v1/disputes/{dispute_id}/decide"),
    ("GET", "/api/v1/clients/{client_id}/flags"),
    ("POST", "/api/v1/clients/{client_id}/flags"),
    ("POST", "/api/v1/clients/{client_id}/flags/{flag_id}/close"),
    ("GET", "/api/v1/hospital/clients/{client_id}/spells"),
    ("GET", "/api/v1/hospital/clients/{client_id}/bounces"),
    ("GET", "/api/v1/hospital/worklists/{name}"),
    ("GET", "/api/v1/hospital/feed-exceptions"),
    ("GET", "/api/v1/hospital/feed-exceptions/{exception_id}"),
    ("POST", "/api/v1/hospital/feed-exceptions/{exception_id}/match"),
    ("POST", "/api/v1/hospital/feed-exceptions/{exception_id}/discard"),
    ("GET", "/api/v1/crises"),
    ("POST", "/api/v1/crises"),
    ("GET", "/api/v1/crises/{crisis_id}"),
    ("POST", "/api/v1/crises/{crisis_id}/cancel"),
    ("GET", "/api/v1/care-plans"),
    ("POST", "/api/v1/care-plans"),
    ("POST", "/api/v1/care-plans/{plan_id}/versions"),
    ("POST", "/api/v1/care-plans/{plan_id}/agreement"),
    ("POST", "/api/v1/care-plans/{plan_id}/reviews"),
    ("POST", "/api/v1/care-plans/{plan_id}/end"),
    ("POST", "/api/v1/care-plans/frailty"),
    ("GET", "/api/v1/care-teams/{client_id}"),
    ("POST", "/api/v1/care-teams/{client_id}/members"),
    ("POST", "/api/v1/care-teams/{client_id}/members/{member_id}/end"),
    ("GET", "/api/v1/visits"),
    ("POST", "/api/v1/visits"),
    ("GET", "/api/v1/visits/duplicate-check"),
    ("POST", "/api/v1/visits/{visit_id}/done"),
    ("POST", "/api/v1/visits/{visit_id}/cancel"),
    ("POST", "/api/v1/visits/{visit_id}/accept"),
    ("GET", "/api/v1/meetings"),
    ("GET", "/api/v1/meetings/{meeting_id}"),
    ("POST", "/api/v1/meetings/{meeting_id}/propose"),
    ("POST", "/api/v1/meetings/{meeting_id}/agenda"),
    ("PATCH", "/api/v1/meetings/{meeting_id}/agenda/{item_id}"),
    ("POST", "/api/v1/meetings/{meeting_id}/attendance"),
    ("POST", "/api/v1/meetings/{meeting_id}/agenda/{item_id}/discussion"),
    ("POST", "/api/v1/meetings/{meeting_id}/agenda/{item_id}/actions"),
    ("POST", "/api/v1/meetings/{meeting_id}/agenda/{item_id}/dispute"),
    ("POST", "/api/v1/meetings/{meeting_id}/close"),
    ("POST", "/api/v1/meeting-series"),
    ("POST", "/api/v1/meeting-series/{series_id}/meetings"),
    ("POST", "/api/v1/mdt-requests"),
    ("GET", "/api/v1/practitioners/{practitioner_id}/training"),
    ("POST", "/api/v1/practitioners/{practitioner_id}/training"),
    ("POST", "/api/v1/practitioners/{practitioner_id}/competencies"),
    ("POST", "/api/v1/practitioners/{practitioner_id}/competencies/{competency_id}/withdraw"),
    ("GET", "/api/v1/teams/{team_id}/training-matrix"),
}


def _document() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def _operations(document: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


def test_the_routes_are_exactly_the_pinned_list():
    assert _operations(_document()) == ROUTES


def test_the_openapi_document_is_public_and_describes_the_api():
    document = _document()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "JoinedUp API" and document["info"]["version"] == "1"
    assert document["components"]["securitySchemes"] == {"PractitionerBearer": {"type": "http", "scheme": "bearer"}}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            assert operation["security"] == [{"PractitionerBearer": []}], where
            assert {"401", "404", "422"} <= set(operation["responses"]), where
            assert operation.get("summary"), where


def test_input_schemas_refuse_unknown_fields_and_bound_their_text():
    schemas = _document()["components"]["schemas"]
    crisis_inputs = ("CrisisIn", "PersonIn", "CancelIn")
    for name in ("ClientIn", "ClientChanges", "NeedIn", "ConsentIn", "AccountabilityIn", "TaskIn", *crisis_inputs):
        assert schemas[name]["additionalProperties"] is False, name
        for field, spec in schemas[name]["properties"].items():
            types = [spec, *spec.get("anyOf", [])]
            if any(t.get("type") == "string" and "format" not in t for t in types):
                assert any("maxLength" in t for t in types), f"{name}.{field} has no maxLength"


def test_categories_statuses_and_decisions_are_enums():
    schemas = _document()["components"]["schemas"]
    assert set(schemas["NeedCategory"]["enum"]) >= {"housing", "mental_health", "safeguarding"}
    assert schemas["NeedStatus"]["enum"] == ["open", "met", "no_longer_needed"]
    assert schemas["ConsentToShare"]["enum"] == ["given", "refused", "not_asked"]
    assert schemas["TaskStatus"]["enum"] == ["open", "in_progress", "done", "cancelled"]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), sorted(ROUTES))
def test_every_route_needs_a_token(method, path):
    concrete = re.sub(r"\{[a-z_]+\}", "1", path).removeprefix("/api/v1")
    api = ApiClient(None)
    response = api.get(concrete) if method == "GET" else api._send(method.lower(), concrete, {})
    assert response.status_code == 401, (method, path)
    assert response.json() == {"detail": "Unauthorized"}


def test_interactive_docs_exist_in_development_only():
    assert Client().get("/api/v1/docs").status_code == 404
