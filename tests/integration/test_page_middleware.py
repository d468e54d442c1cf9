"""The API's lean path (core.page_middleware): sessions, messages and the session's lifetime are for
pages; an API answer still carries every security header, and a session never acts on the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.utils import timezone

from joinedup.core.models import AuditEvent
from joinedup.core.page_middleware import is_api
from joinedup.core.tokens import create_token
from tests.factories import PASSWORD, client_in

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@pytest.mark.parametrize(
    ("path", "api_path"),
    [("/api/v1/clients/1", True), ("/api/", True), ("/apix/", False), ("/clients/1/", False), ("/", False)],
)
def test_only_paths_under_api_take_the_lean_path(path, api_path):
    assert is_api(RequestFactory().get(path)) is api_path


@pytest.mark.parametrize("path", ["/api/v1/clients/{}", "/api/v1/nowhere", "/api/v1/openapi.json"])
def test_api_answers_carry_every_security_header(b, path):
    client = client_in(b)
    plaintext, _ = create_token(b.people["ot.north"], "")
    response = Client().get(path.format(client.pk), headers={"Authorization": f"Bearer {plaintext}"})
    for header, value in SECURITY_HEADERS.items():
        assert response.headers[header] == value, header
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies


def test_a_stale_page_session_beside_a_token_neither_acts_nor_ends_nor_is_renewed(b):
    client = client_in(b)
    browser = Client()
    assert browser.post("/sign-in/", {"username": "ot.south", "password": PASSWORD}).status_code == 302
    plaintext, _ = create_token(b.people["ot.north"], "")
    key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    expires = Session.objects.get(session_key=key).expire_date
    later = timezone.now() + timedelta(hours=settings.JOINEDUP_SESSION_MAX_HOURS, minutes=1)
    with time_machine.travel(later - timedelta(minutes=2)):
        response = browser.get(f"/api/v1/clients/{client.pk}", headers={"Authorization": f"Bearer {plaintext}"})
    assert response.status_code == 200  # the token acts: ot.north, not the session's ot.south
    assert AuditEvent.objects.filter(channel="api", client_id=client.pk).get().actor_username == "ot.north"
    assert Session.objects.get(session_key=key).expire_date == expires  # not renewed by an API request
    with time_machine.travel(later):
        assert browser.get("/caseload/").status_code == 302  # the page still ends it, on time
