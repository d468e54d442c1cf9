"""Emergency access: a reason first, then the record, audited, and the accountable team told."""

from __future__ import annotations

from joinedup.clients.models import EmergencyAccess
from joinedup.core.models import AuditEvent
from joinedup.tasks.models import Notification
from tests.factories import client_in
from tests.integration.pages import error_links, main_text, signed_in

REASON = "Called to the client's home overnight after a fall; their own team is closed"


def test_the_form_arrives_with_the_nhs_number_from_the_search(b):
    response = signed_in(b, "ot.south").get("/clients/emergency-access/?nhs_number=9990000018")
    assert 'value="9990000018"' in response.content.decode()
    assert "Only in an emergency" in main_text(response)


def test_an_empty_reason_is_refused_and_nothing_is_granted(b):
    client = client_in(b, nhs_number="9990000018")
    browser = signed_in(b, "ot.south")
    response = browser.post("/clients/emergency-access/", {"nhs_number": "9990000018", "reason": ""})
    assert response.status_code == 200
    assert error_links(response) == {"Give the reason for emergency access": "#reason"}
    response = browser.post("/clients/emergency-access/", {"nhs_number": "9990000018", "reason": "urgent"})
    assert error_links(response) == {"Give the reason for emergency access (at least 10 characters)": "#reason"}
    assert not EmergencyAccess.objects.exists()
    assert not AuditEvent.objects.filter(action="emergency_access").exists()
    assert browser.get(f"/clients/{client.pk}/").status_code == 404


def test_an_unknown_or_invalid_nhs_number_is_said_plainly(b):
    browser = signed_in(b, "ot.south")
    response = browser.post("/clients/emergency-access/", {"nhs_number": "9990000026", "reason": REASON})
    assert error_links(response) == {"No client with this NHS number is recorded in JoinedUp": "#nhs_number"}
    response = browser.post("/clients/emergency-access/", {"nhs_number": "12345", "reason": REASON})
    assert error_links(response) == {"An NHS number must be 10 digits, for example 943 476 5919": "#nhs_number"}


def test_with_a_reason_it_opens_the_record_audited_and_the_team_is_told(b):
    client = client_in(b, nhs_number="9990000018", family_name="Fallen")
    browser = signed_in(b, "ot.south")
    response = browser.post("/clients/emergency-access/", {"nhs_number": "999 000 0018", "reason": REASON}, follow=True)
    assert response.redirect_chain[-1][0] == f"/clients/{client.pk}/"
    page = main_text(response)
    assert "Ada FALLEN" in page
    assert "Emergency access" in page and "You are using emergency access until" in page
    assert REASON in page
    assert "You can see this record because: emergency access:" in page

    event = AuditEvent.objects.get(action="emergency_access")
    assert (event.actor_username, event.client_id, event.reason) == ("ot.south", client.pk, REASON)
    told = Notification.objects.get(recipient=b.people["ot.north"])
    assert "Emergency access to Ada FALLEN by Ot Southson" in told.message

    team_view = main_text(signed_in(b, "ot.north").get(f"/clients/{client.pk}/"))
    assert "Recent emergency access" in team_view
    assert "Ot Southson" in team_view and REASON in team_view
    notifications = signed_in(b, "ot.north").get("/notifications/")
    assert "Emergency access to Ada FALLEN" in main_text(notifications)
    assert f'href="/clients/{client.pk}/access-history/"' in notifications.content.decode()


def test_emergency_access_from_a_link_to_the_record(b):
    client = client_in(b)
    browser = signed_in(b, "sw.council")
    assert browser.get(f"/clients/{client.pk}/").status_code == 404
    response = browser.post(f"/clients/{client.pk}/emergency-access/", {"reason": REASON})
    assert response["Location"] == f"/clients/{client.pk}/"
    assert browser.get(f"/clients/{client.pk}/").status_code == 200
    assert browser.post("/clients/999999/emergency-access/", {"reason": REASON}).status_code == 404


def test_roles_without_emergency_access_get_a_clear_refusal(b):
    client_in(b, nhs_number="9990000018")
    for who in ("volunteer", "commissioner", "admin"):
        browser = signed_in(b, who)
        response = browser.get("/clients/emergency-access/?nhs_number=9990000018")
        assert response.status_code == 403
        assert "You cannot use emergency access" in main_text(response)
        response = browser.post("/clients/emergency-access/", {"nhs_number": "9990000018", "reason": REASON})
        assert response.status_code == 403
    assert not EmergencyAccess.objects.exists()
