"""Access alerts for information governance (issue 7, ADR 0045): raised from the audit log by
`joinedup tick`, each rule with examples and a property, and the review pages for the information
governance lead only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from joinedup.clients.models import Client
from joinedup.clients.queries import visible_client
from joinedup.clients.services import use_emergency_access
from joinedup.core.models import AuditEvent
from joinedup.core.roles import Role
from joinedup.directory.models import Practitioner, Profession
from joinedup.governance.models import AccessAlert, AlertScan
from joinedup.governance.rules import AlertRule
from joinedup.governance.scan import scan
from joinedup.tasks.models import Notification
from tests.factories import Borough, borough, client_in, practitioner
from tests.integration.pages import error_links, main_text, signed_in

REASON = "Called by the police at 2am: no one else reachable"
NOTE = "Spoke to the practitioner: the visit was booked late."


def governance_leads(b: Borough) -> None:
    """An information governance lead at the community provider and one at the council."""
    for name, organisation in (("ig.community", b.community), ("ig.council", b.council)):
        b.people[name] = practitioner(
            name, organisation, profession=Profession.MANAGER, roles=(Role.INFORMATION_GOVERNANCE_LEAD,)
        )


@pytest.fixture
def leads(b):
    governance_leads(b)
    return b


def views(b: Borough, name: str, client: Client, times: int) -> None:
    for _ in range(times):
        visible_client(b.actor(name), client.pk)


# --- Emergency access --------------------------------------------------------------------------


def test_every_use_of_emergency_access_is_an_alert_once(leads):
    b = leads
    client = client_in(b)
    use_emergency_access(b.actor("ot.south"), client.pk, REASON)
    report = scan()
    alert = AccessAlert.objects.get()
    assert report.raised == {AlertRule.EMERGENCY_ACCESS: 1}
    assert (alert.rule, alert.practitioner, alert.client) == (AlertRule.EMERGENCY_ACCESS, b.people["ot.south"], client)
    assert alert.detail == {"reason": REASON}
    assert alert.audit_event_id == AuditEvent.objects.get(action="emergency_access").pk
    assert scan().total == 0  # read again within the settling time: nothing new
    use_emergency_access(b.actor("ot.south"), client.pk, REASON + " (again)")
    assert scan().raised == {AlertRule.EMERGENCY_ACCESS: 1}
    assert AccessAlert.objects.count() == 2
    # The community provider's lead is told (its staff, its record); the council's is not.
    told = Notification.objects.filter(link="/governance/alerts/")
    assert {n.recipient.username for n in told} == {"ig.community"}
    raised = AuditEvent.objects.filter(action="raise", object_type="AccessAlert")
    assert raised.count() == 2 and {e.channel for e in raised} == {"system"}


# --- Frequent viewing --------------------------------------------------------------------------


@override_settings(JOINEDUP_ACCESS_ALERT_VIEWS_PER_DAY=3)
def test_more_views_of_one_client_in_a_day_than_the_threshold_is_an_alert(leads):
    b = leads
    client = client_in(b)
    views(b, "ot.north", client, 3)
    visible_client(b.actor("ot.north"), client_in(b).pk)  # another client: counted apart
    assert scan().total == 0
    views(b, "ot.north", client, 1)
    assert scan().raised == {AlertRule.FREQUENT_VIEWING: 1}
    alert = AccessAlert.objects.get()
    fourth = AuditEvent.objects.filter(action="view", client_id=client.pk).order_by("id")[3]
    assert alert.detail == {"views": 4, "threshold": 3}
    assert alert.audit_event_id == fourth.pk
    views(b, "ot.north", client, 5)
    assert scan().total == 0  # one alert per practitioner, client and day


@override_settings(JOINEDUP_ACCESS_ALERT_VIEWS_PER_DAY=2)
def test_refused_looks_and_lists_are_not_views(leads):
    b = leads
    client = client_in(b)
    for _ in range(5):
        with pytest.raises(Exception, match="No such client"):
            visible_client(b.actor("ot.south"), client.pk)  # refused: audited, but nothing was seen
    browser = signed_in(b, "ot.north")
    for _ in range(4):
        assert browser.get("/caseload/").status_code == 200  # the client listed, not opened
    assert scan().total == 0


@override_settings(JOINEDUP_ACCESS_ALERT_VIEWS_PER_DAY=2)
def test_views_on_two_london_days_are_counted_apart(leads):
    b = leads
    client = client_in(b)
    late_evening = datetime(2026, 7, 1, 22, 50, tzinfo=UTC)  # 23:50 in London
    with time_machine.travel(late_evening, tick=False):
        views(b, "ot.north", client, 2)
    with time_machine.travel(late_evening + timedelta(minutes=20), tick=False):
        views(b, "ot.north", client, 2)
        assert scan().total == 0
        views(b, "ot.north", client, 1)
        assert scan().total == 1
    assert AccessAlert.objects.get().day.isoformat() == "2026-07-02"


class FrequentViewingProperty(TestCase):
    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(threshold=st.integers(1, 4), seen=st.integers(0, 7), scans=st.integers(1, 3))
    def test_an_alert_is_raised_iff_the_threshold_is_crossed(self, threshold, seen, scans):
        b = borough()
        client = client_in(b)
        with override_settings(JOINEDUP_ACCESS_ALERT_VIEWS_PER_DAY=threshold):
            for step in range(scans):  # the views spread over several scans: the day's count is what matters
                views(b, "ot.north", client, seen // scans + (seen % scans if step == 0 else 0))
                scan()
        alerts = AccessAlert.objects.filter(rule=AlertRule.FREQUENT_VIEWING)
        assert alerts.count() == (1 if seen > threshold else 0)


# --- Own surname and address -------------------------------------------------------------------


def _lives_with(b: Borough, name: str, client: Client, *, postcode: str = "", address: str = "") -> None:
    person = Practitioner.objects.get(pk=b.people[name].pk)
    person.last_name, person.home_postcode, person.home_address = client.family_name, postcode, address
    person.save()


def _client_at(b: Borough, family_name: str, address: str, postcode: str) -> Client:
    client = client_in(b, family_name=family_name)
    Client.objects.filter(pk=client.pk).update(address=address, postcode=postcode)
    client.refresh_from_db()
    return client


def test_staff_viewing_a_client_of_their_surname_at_their_postcode_is_an_alert(leads):
    b = leads
    client = _client_at(b, "Okafor", "12 Elm Road", "NW10 6AB")
    views(b, "ot.north", client, 1)
    assert scan().total == 0  # nothing known of ot.north's home
    _lives_with(b, "ot.north", client, postcode="nw10 6ab")
    views(b, "ot.north", client, 2)
    assert scan().raised == {AlertRule.OWN_SURNAME_AND_ADDRESS: 1}
    assert AccessAlert.objects.get().detail == {"same": "postcode"}


def test_the_same_address_is_an_alert_and_another_surname_is_not(leads):
    b = leads
    client = _client_at(b, "Okafor", "12 Elm Road", "")
    neighbour = _client_at(b, "Reid", "12 Elm Road", "")
    _lives_with(b, "ot.north", client, address="12 ELM ROAD")
    views(b, "ot.north", client, 1)
    views(b, "ot.north", neighbour, 1)
    scan()
    alert = AccessAlert.objects.get()
    assert (alert.client, alert.detail) == (client, {"same": "address"})


# --- The bookmark --------------------------------------------------------------------------------


@override_settings(JOINEDUP_ACCESS_ALERT_SETTLE_MINUTES=10)
def test_the_bookmark_stays_a_settling_time_behind_so_late_commits_are_read(leads):
    b = leads
    client = client_in(b)
    use_emergency_access(b.actor("ot.south"), client.pk, REASON)
    scan()
    assert AlertScan.objects.get().last_event_id == 0  # everything is newer than the settling time
    newest = AuditEvent.objects.order_by("-id").first().pk
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert scan().total == 0
        assert AlertScan.objects.get().last_event_id >= newest
        report = scan()
    assert report.events_read == 0  # what is settled is not read again


def test_the_tick_raises_access_alerts_and_says_so(leads):
    b = leads
    use_emergency_access(b.actor("ot.south"), client_in(b).pk, REASON)
    out = StringIO()
    call_command("tick", stdout=out)
    assert "access alerts: " in out.getvalue() and "1 alerts raised (1 emergency access)" in out.getvalue()
    assert AccessAlert.objects.count() == 1


# --- The review pages ------------------------------------------------------------------------------


@pytest.fixture
def alert(leads):
    client = client_in(leads, family_name="Alertson")
    use_emergency_access(leads.actor("ot.south"), client.pk, REASON)
    scan()
    return AccessAlert.objects.get()


def test_the_lead_sees_the_alerts_and_what_happened_that_day(leads, alert):
    browser = signed_in(leads, "ig.community")
    listed = browser.get("/governance/alerts/")
    assert listed.status_code == 200
    assert "Emergency access used" in main_text(listed) and "ALERTSON" in main_text(listed)
    assert "Access alerts" in listed.content.decode()  # in the header's navigation
    page = browser.get(f"/governance/alerts/{alert.pk}/")
    assert page.status_code == 200
    assert REASON in main_text(page) and "Emergency access" in main_text(page)
    assert AuditEvent.objects.filter(actor_username="ig.community", action="view", object_id=str(alert.pk)).exists()
    assert AuditEvent.objects.filter(actor_username="ig.community", action="list", client_id=alert.client_id).exists()


@pytest.mark.parametrize("name", ["ot.north", "ot.south", "coordinator.north", "commissioner", "admin", "ig.council"])
def test_anyone_else_finds_no_such_page(leads, alert, name):
    browser = signed_in(leads, name)
    assert browser.get(f"/governance/alerts/{alert.pk}/").status_code == 404
    response = browser.post(f"/governance/alerts/{alert.pk}/close/", {"finding": NOTE})
    assert response.status_code == 404
    if name != "ig.council":
        assert browser.get("/governance/alerts/").status_code == 404
    else:  # the council's lead has a page, without the community provider's alert
        assert "ALERTSON" not in main_text(browser.get("/governance/alerts/?status=all"))
    alert.refresh_from_db()
    assert alert.status == "open"


def test_acknowledge_then_close_each_with_a_note_audited(leads, alert):
    browser = signed_in(leads, "ig.community")
    response = browser.post(f"/governance/alerts/{alert.pk}/acknowledge/", {"note": NOTE})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledge_note, alert.acknowledged_by.username) == (
        "acknowledged",
        NOTE,
        "ig.community",
    )
    response = browser.post(f"/governance/alerts/{alert.pk}/close/", {"finding": "A genuine emergency."})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.close_note) == ("closed", "A genuine emergency.")
    events = AuditEvent.objects.filter(
        object_type="AccessAlert", object_id=str(alert.pk), actor_username="ig.community"
    )
    assert [(e.action, e.reason) for e in events.exclude(action="view")] == [
        ("acknowledge", NOTE),
        ("close", "A genuine emergency."),
    ]
    assert "closed" in main_text(browser.get(f"/governance/alerts/{alert.pk}/?status=all")).lower()
    assert "?status=closed" not in main_text(browser.get("/governance/alerts/?status=nonsense"))


@pytest.mark.parametrize(
    ("route", "field", "value", "message"),
    [
        ("acknowledge", "note", "", "Write a note: what you did or found"),
        ("acknowledge", "note", "   ", "Write a note: what you did or found"),
        ("acknowledge", "note", "x" * 1001, "Keep the note to 1000 characters or fewer"),
        ("close", "finding", "", "Write a note: what you did or found"),
        ("close", "note", NOTE, "Write a note: what you did or found"),  # the other form's box
        ("close", "finding", "y" * 5000, "Keep the note to 1000 characters or fewer"),
    ],
)
def test_a_broken_note_is_refused_and_changes_nothing(leads, alert, route, field, value, message):
    browser = signed_in(leads, "ig.community")
    before = AuditEvent.objects.exclude(action__in=("view", "list")).count()
    response = browser.post(f"/governance/alerts/{alert.pk}/{route}/", {field: value})
    assert response.status_code == 400
    assert error_links(response) == {message: "#note" if route == "acknowledge" else "#finding"}
    alert.refresh_from_db()
    assert alert.status == "open" and not alert.acknowledge_note and not alert.close_note
    assert AuditEvent.objects.exclude(action__in=("view", "list")).count() == before


def test_a_closed_alert_stays_closed_and_an_unknown_one_is_not_found(leads, alert):
    browser = signed_in(leads, "ig.community")
    browser.post(f"/governance/alerts/{alert.pk}/close/", {"finding": NOTE})
    for route, field in (("acknowledge", "note"), ("close", "finding")):
        response = browser.post(f"/governance/alerts/{alert.pk}/{route}/", {field: "Again"})
        assert response.status_code == 403 and "This alert is closed" in main_text(response)
    alert.refresh_from_db()
    assert alert.close_note == NOTE
    assert browser.post("/governance/alerts/999999/close/", {"finding": NOTE}).status_code == 404
    assert browser.get("/governance/alerts/999999/").status_code == 404
    assert browser.get(f"/governance/alerts/{alert.pk}/close/").status_code == 405  # GET changes nothing


def test_a_lead_cannot_review_an_alert_about_their_own_access(leads):
    b = leads
    lead = Practitioner.objects.get(username="ig.community")
    lead.groups.add(*Practitioner.objects.get(username="ot.south").groups.all())  # also a practitioner
    client = client_in(b)
    use_emergency_access(b.actor("ig.community"), client.pk, REASON)
    scan()
    alert = AccessAlert.objects.get()
    browser = signed_in(b, "ig.community")
    assert "another information governance lead must review it" in main_text(
        browser.get(f"/governance/alerts/{alert.pk}/")
    )
    response = browser.post(f"/governance/alerts/{alert.pk}/close/", {"finding": "Nothing to see"})
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.status == "open"


def test_the_directory_admin_holds_an_optional_home_address(b):
    admin = Practitioner.objects.get(username="admin")
    admin.is_staff = True
    admin.save()
    admin.user_permissions.set(Permission.objects.filter(content_type__app_label="directory"))
    browser = signed_in(b, "admin")
    page = browser.get(f"/admin/directory/practitioner/{b.people['ot.north'].pk}/change/").content.decode()
    assert 'name="home_address"' in page and 'name="home_postcode"' in page
