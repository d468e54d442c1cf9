"""An admission of the client within 48 hours of a crisis links to it (issue 5, item 5). The hospital
feed calls crisis.admissions.link_admission; these tests call it as the feed will."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from joinedup.core.models import AuditEvent
from joinedup.crisis import services
from joinedup.crisis.admissions import link_admission
from joinedup.crisis.models import CrisisEvent
from joinedup.tasks.models import Notification
from tests.crisis_factories import crisis_setup, raised
from tests.factories import VALID_NHS_NUMBERS, client_in

RAISED = datetime(2026, 11, 20, 16, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def crisis(b):
    crisis_setup(b, around=RAISED)
    with time_machine.travel(RAISED, tick=False):
        found = raised(b, client=client_in(b)).crisis
        services.record_outcome(b.actor("rr.nurse"), found.pk, "stayed_home")
    found.refresh_from_db()
    return found


def test_an_admission_within_48_hours_links_to_the_crisis_once(b, crisis):
    admitted = RAISED + timedelta(hours=30)
    linked = link_admission(crisis.client_id, admitted, "ADT^A01 msg-778")
    assert linked == crisis and linked.admitted_at == admitted and linked.outcome == "stayed_home"
    assert CrisisEvent.objects.filter(crisis=crisis, kind="admitted").count() == 1
    assert AuditEvent.objects.filter(action="link", object_id=str(crisis.pk), channel="system").count() == 1
    assert Notification.objects.filter(recipient=b.people["rr.nurse"], message__startswith="Admitted").exists()
    assert link_admission(crisis.client_id, admitted, "ADT^A01 msg-778") == crisis  # the same message again
    assert link_admission(crisis.client_id, admitted + timedelta(hours=1), "ADT^A01 msg-779") is None
    assert CrisisEvent.objects.filter(crisis=crisis, kind="admitted").count() == 1


@pytest.mark.parametrize("hours", [-1, 48.1, 200])
def test_an_admission_before_the_crisis_or_after_48_hours_does_not_link(b, crisis, hours):
    assert link_admission(crisis.client_id, RAISED + timedelta(hours=hours), "msg-1") is None
    crisis.refresh_from_db()
    assert crisis.admitted_at is None


def test_the_latest_crisis_before_the_admission_takes_it(b, crisis):
    with time_machine.travel(RAISED + timedelta(hours=10), tick=False):
        later = raised(b, client=crisis.client).crisis
    assert link_admission(crisis.client_id, RAISED + timedelta(hours=12), "msg-2") == later


def test_a_cancelled_crisis_and_an_unknown_client_link_nothing(b, crisis):
    with time_machine.travel(RAISED + timedelta(hours=50), tick=False):
        cancelled = raised(b, client=crisis.client).crisis
        services.cancel(b.actor("ot.north"), cancelled.pk, "Raised in error")
    assert link_admission(crisis.client_id, RAISED + timedelta(hours=51), "msg-3") is None
    assert link_admission(999_999, RAISED, "msg-4") is None


@pytest.mark.parametrize(
    ("when", "ref", "problem"),
    [
        (datetime(2026, 11, 21, 10), "msg", "timezone-aware"),
        (RAISED, " ", "reference"),
        (RAISED, "x" * 121, "reference"),
    ],
)
def test_a_broken_admission_is_refused(b, crisis, when, ref, problem):
    with pytest.raises(ValueError, match=problem):
        link_admission(crisis.client_id, when, ref)


def test_an_admission_from_the_hospital_feed_links_to_the_crisis(b, crisis):
    from joinedup.clients.services import update_client
    from tests.hl7_messages import Adt, Patient
    from tests.hospital_factories import feed_for, feed_settings

    with feed_settings:
        hospital = feed_for(b)
        client = crisis.client
        update_client(b.actor("ot.north"), client.pk, {"nhs_number": VALID_NHS_NUMBERS[0]})
        admitted = RAISED + timedelta(hours=20)
        at = admitted.astimezone(LONDON).strftime("%Y%m%d%H%M%S")
        [outcome] = hospital.send(Adt("A01", Patient(VALID_NHS_NUMBERS[0]), at=at, admitted=at))
    assert outcome.code == "AA"
    crisis.refresh_from_db()
    assert crisis.admitted_at == admitted
    assert crisis.admission_source_ref.startswith("spell ")
