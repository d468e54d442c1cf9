"""The API's input schemas and error shapes, without a database."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError as ServiceError
from django.test import RequestFactory
from django.utils import timezone
from pydantic import ValidationError

from joinedup.clients.schemas import ClientChanges, ClientIn, NeedIn, changes_of
from joinedup.config.api import field_errors, input_errors
from joinedup.core.models import ApiToken
from joinedup.core.tokens import token_hash, token_state
from joinedup.tasks.schemas import TaskIn

CLIENT = {
    "given_name": "Ada",
    "family_name": "Lovelace",
    "date_of_birth": "1940-05-17",
    "gp_practice": "F84001",
    "accountable_team": 1,
}


def _locs(error: ValidationError) -> list[tuple]:
    return [tuple(e["loc"]) for e in error.errors()]


def test_a_valid_client_parses_and_text_is_stripped():
    parsed = ClientIn.model_validate({**CLIENT, "family_name": "  Lovelace "})
    assert parsed.family_name == "Lovelace" and parsed.date_of_birth == date(1940, 5, 17)
    assert parsed.sex == "unknown" and parsed.nhs_number is None


@pytest.mark.parametrize("value", [1234567890, "1940-5-17", "17/05/1940", "1940-05-17T00:00:00", "", None])
def test_dates_are_iso_dates_only(value):
    with pytest.raises(ValidationError) as caught:
        ClientIn.model_validate({**CLIENT, "date_of_birth": value})
    assert _locs(caught.value) == [("date_of_birth",)]


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError) as caught:
        NeedIn.model_validate({"category": "housing", "description": "x", "descripton": "typo"})
    assert _locs(caught.value) == [("descripton",)]


@pytest.mark.parametrize("value", [0, -1, 2**63, "seven"])
def test_ids_are_positive_64_bit_integers(value):
    with pytest.raises(ValidationError):
        ClientIn.model_validate({**CLIENT, "accountable_team": value})


def test_changes_are_only_the_fields_given_and_only_nhs_number_may_be_null():
    assert changes_of(ClientChanges.model_validate({"phone": "1", "nhs_number": None})) == {
        "phone": "1",
        "nhs_number": None,
    }
    with pytest.raises(ValidationError) as caught:
        ClientChanges.model_validate({"family_name": None})
    assert _locs(caught.value) == [("family_name",)]


def test_a_task_has_one_owner_and_an_aware_due_time():
    due = (timezone.now() + timedelta(days=1)).isoformat()
    assert TaskIn.model_validate({"title": "x", "due_at": due}).owner_team is None
    with pytest.raises(ValidationError) as both:
        TaskIn.model_validate({"title": "x", "due_at": due, "owner_practitioner": 1, "owner_team": 2})
    assert _locs(both.value) == [("owner_team",)]
    with pytest.raises(ValidationError) as naive:
        TaskIn.model_validate({"title": "x", "due_at": "2026-03-02T17:00:00"})
    assert _locs(naive.value) == [("due_at",)]


def test_input_errors_drop_the_parameter_name_the_input_and_pydantic_prefixes():
    raw = [
        {
            "type": "missing",
            "loc": ("body", "payload", "reason"),
            "msg": "Field required",
            "input": {"x": 1},
        },
        {
            "type": "value_error",
            "loc": ("query", "date_of_birth"),
            "msg": "Value error, Give the date",
        },
        {
            "type": "model_attributes_type",
            "loc": ("body", "payload"),
            "msg": "Input should be an object",
        },
    ]
    assert input_errors(raw) == [
        {"type": "missing", "loc": ["body", "reason"], "msg": "Field required"},
        {"type": "value_error", "loc": ["query", "date_of_birth"], "msg": "Give the date"},
        {"type": "model_attributes_type", "loc": ["body"], "msg": "Input should be an object"},
    ]


def test_service_errors_name_their_field_in_the_body_or_the_query():
    post, get = RequestFactory().post("/api/v1/clients"), RequestFactory().get("/api/v1/clients")
    error = ServiceError({"nhs_number": "Not valid"})
    assert field_errors(post, error) == [{"type": "invalid", "loc": ["body", "nhs_number"], "msg": "Not valid"}]
    assert field_errors(get, error)[0]["loc"] == ["query", "nhs_number"]
    assert field_errors(post, ServiceError("No field"))[0]["loc"] == ["body"]


def test_tokens_are_hashed_with_sha256_and_have_a_state():
    assert token_hash("ju_abc") == hashlib.sha256(b"ju_abc").hexdigest()
    now = timezone.now()
    assert token_state(ApiToken(expires_at=now + timedelta(days=1))) == "active"
    assert token_state(ApiToken(expires_at=now - timedelta(seconds=1))) == "expired"
    assert token_state(ApiToken(expires_at=now + timedelta(days=1), revoked_at=now)) == "revoked"
