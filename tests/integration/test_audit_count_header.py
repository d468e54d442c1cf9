"""The load test's count of audit events per answer (X-Audit-Events) is what the request wrote."""

from __future__ import annotations

from joinedup.core.models import AuditEvent
from tests.factories import client_in
from tests.integration.pages import signed_in

COUNTING = "joinedup.core.middleware.AuditCountMiddleware"


def test_each_answer_says_how_many_audit_events_it_wrote(b, settings):
    settings.MIDDLEWARE = [COUNTING, *settings.MIDDLEWARE]
    clients = [client_in(b) for _ in range(3)]
    browser = signed_in(b, "ot.north")
    for path, listed in ((f"/clients/{clients[0].pk}/", 1), ("/caseload/", 3), ("/no-such-page/", 0)):
        before = AuditEvent.objects.count()
        response = browser.get(path)
        written = AuditEvent.objects.count() - before
        assert int(response["X-Audit-Events"]) == written, path
        assert written >= listed, path


def test_without_the_setting_there_is_no_such_header(b):
    response = signed_in(b, "ot.north").get("/caseload/")
    assert "X-Audit-Events" not in response
