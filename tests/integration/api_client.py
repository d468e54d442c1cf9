"""Calling the JSON API as a practitioner of the test borough, with a real bearer token."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.test import Client

from joinedup.core.tokens import create_token
from tests.factories import Borough

PREFIX = "/api/v1"


class ApiClient:
    def __init__(self, token: str | None) -> None:
        self.http = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.http.get(PREFIX + path, params or {}, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self._send("post", path, body)

    def patch(self, path: str, body: Any) -> Any:
        return self._send("patch", path, body)

    def _send(self, method: str, path: str, body: Any) -> Any:
        data = body if isinstance(body, str) else json.dumps(body)
        send = getattr(self.http, method)
        return send(PREFIX + path, data, content_type="application/json", headers=self.headers)


def api_as(b: Borough, name: str) -> ApiClient:
    plaintext, _ = create_token(b.people[name], name="tests")
    return ApiClient(plaintext)


def field_of(response: Any) -> list[str | int]:
    """The loc of the first 422 error: ["body", "field"]."""
    assert response.status_code == 422, response.content
    return response.json()["detail"][0]["loc"]


def audit_statements_per_event() -> int:
    """What core.audit.record costs: (lock,) read the chain head, insert."""
    return 3 if connection.vendor == "postgresql" else 2


def is_audit_statement(sql: str) -> bool:
    return "auditevent" in sql or "advisory_xact_lock" in sql or "SAVEPOINT" in sql
