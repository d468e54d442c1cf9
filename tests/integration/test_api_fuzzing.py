"""Schemathesis against the JSON API's own OpenAPI document, in-process, as an authorised practitioner.

Every operation gets generated requests, valid and invalid; every response must conform to the
document (status code, content type, body schema, headers) and none may be a server error; the
state machine chains operations. Checks are schemathesis' own, configured in schemathesis.toml.
A longer run: JOINEDUP_FUZZ_EXAMPLES=500 pytest tests/integration/test_api_fuzzing.py
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings

from joinedup.config.wsgi import application
from joinedup.core.models import ApiToken
from joinedup.core.tokens import token_hash
from tests.factories import VALID_NHS_NUMBERS, client_in

EXAMPLES = int(os.environ.get("JOINEDUP_FUZZ_EXAMPLES", "25"))
TOKEN = "ju_" + "fuzzing-only-token-" + "0" * 24
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)


@schema.auth(refresh_interval=None)
class Bearer:
    """The practitioner's token, as schemathesis knows it: its check of ignored authentication takes it away."""

    def get(self, case, context):
        return TOKEN

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The real WSGI handler closes old connections at each request, as Django's test client does not:
    that would close the test's own connection (and its transaction) once it is older than CONN_MAX_AGE."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def practitioner_with_token(b):
    for number in VALID_NHS_NUMBERS[:3]:
        client_in(b, nhs_number=number)
    now = timezone.now()
    ApiToken.objects.create(
        practitioner=b.people["ot.north"],
        name="fuzzing",
        token_hash=token_hash(TOKEN),
        prefix=TOKEN[:12],
        created_at=now,
        expires_at=now + timedelta(days=1),
    )


@schema.parametrize()
@FUZZ
def test_every_operation_conforms_and_never_fails(case, practitioner_with_token):
    case.call_and_validate()


def test_chains_of_operations_conform(practitioner_with_token):
    schema.as_state_machine().run(settings=settings(FUZZ, max_examples=max(EXAMPLES // 5, 5), stateful_step_count=6))
