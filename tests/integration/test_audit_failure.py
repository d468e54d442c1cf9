"""If the audit event of a read cannot be written, no personal data is shown (invariant 7)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone

from joinedup.core import audit
from joinedup.core.models import AuditEvent
from joinedup.tasks.services import create_task
from tests.factories import VALID_NHS_NUMBERS, client_in
from tests.handover_factories import sent_referral
from tests.integration.api_client import api_as

SECRET_NAME = "Zebedee-Quirke"


@pytest.fixture
def break_audit(monkeypatch):
    """Call it once the test's data is in place: from then on no audit event can be written."""

    def refuse(*args, **kwargs):
        raise DatabaseError("disk full: the audit event could not be written")

    return lambda: monkeypatch.setattr(audit, "record_many", refuse)


def person(b):
    """A client with a task for ot.north about them."""
    client = client_in(b, nhs_number=VALID_NHS_NUMBERS[0], family_name=SECRET_NAME)
    create_task(
        b.actor("ot.north"),
        title=f"Visit {SECRET_NAME}",
        due_at=timezone.now() + timedelta(days=1),
        owner_practitioner_id=b.people["ot.north"].pk,
        client=client,
    )
    return client


def assert_nothing_personal(response) -> None:
    body = response.content.decode()
    assert response.status_code == 500, (response.status_code, body[:200])
    for secret in (SECRET_NAME, SECRET_NAME.upper(), VALID_NHS_NUMBERS[0], "999 000 0018"):
        assert secret not in body


@pytest.mark.parametrize(
    "path",
    [
        "/clients/{id}/",
        "/clients/{id}/timeline/",
        "/caseload/",
        "/clients/search/?nhs_number=9990000018",
        "/clients/{id}/refer/",
        "/referrals/",
        "/tasks/",
    ],
)
def test_pages_show_nothing_personal_when_the_audit_cannot_be_written(b, path, break_audit):
    client = person(b)
    sent_referral(b, client, to=b.therapy_south, by="ot.north")
    browser = Client(raise_request_exception=False)
    browser.force_login(b.people["ot.north"] if "referrals" not in path else b.people["ot.south"])
    assert browser.get(path.format(id=client.pk)).status_code == 200
    break_audit()
    assert_nothing_personal(browser.get(path.format(id=client.pk)))


@pytest.mark.parametrize(
    "path",
    ["/clients/{id}", "/clients/{id}/timeline", "/clients/{id}/needs", "/clients?nhs_number=9990000018", "/tasks"],
)
def test_the_api_shows_nothing_personal_when_the_audit_cannot_be_written(b, path, break_audit):
    client = person(b)
    api = api_as(b, "ot.north")
    api.http.raise_request_exception = False
    assert api.get(path.format(id=client.pk)).status_code == 200
    break_audit()
    assert_nothing_personal(api.get(path.format(id=client.pk)))


def test_with_the_audit_working_the_same_reads_succeed_and_are_audited(b):
    client = person(b)
    api = api_as(b, "ot.north")
    before = AuditEvent.objects.count()
    response = api.get(f"/clients/{client.pk}")
    assert response.status_code == 200 and SECRET_NAME in response.content.decode()
    assert AuditEvent.objects.count() == before + 1
