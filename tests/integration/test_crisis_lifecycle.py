"""A crisis from acknowledgement to outcome (issue 5, items 3 to 6): who may act, the clock, the
"before admitting" checklist, the outcome's follow-up tasks, cancelling; closed crises stay closed."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from joinedup.core.errors import NotFound, Refused
from joinedup.core.models import AuditEvent
from joinedup.crisis import services
from joinedup.crisis.actions import NewBridging, request_bridging
from joinedup.crisis.models import AdmissionCheck, Crisis, CrisisEvent
from joinedup.crisis.raising import Person
from joinedup.handover.models import Dispute
from joinedup.tasks.models import Notification, Task
from tests.crisis_factories import crisis_setup, raised
from tests.factories import client_in

FRIDAY = datetime(2026, 11, 20, 16, tzinfo=UTC)  # in hours
CHECKLIST = {
    "rapid_response_visit": "tried",
    "bridging_package": "not_available",
    "equipment": "not_suitable",
    "carer_support": "tried",
    "virtual_ward": "not_suitable",
}


@pytest.fixture
def crisis(b):
    crisis_setup(b, around=FRIDAY)
    with time_machine.travel(FRIDAY, tick=False):
        return raised(b, client=client_in(b)).crisis


def test_acknowledging_takes_the_crisis_stops_escalation_and_tells_the_raiser(b, crisis):
    with time_machine.travel(FRIDAY + timedelta(minutes=20), tick=False):
        done = services.acknowledge(b.actor("rr.oncall"), crisis.pk)
    assert (done.state, done.owner, done.acknowledged_by) == (
        "acknowledged",
        b.people["rr.oncall"],
        b.people["rr.oncall"],
    )
    assert done.next_escalation_at is None
    assert "after the 15 minutes" in CrisisEvent.objects.filter(crisis=crisis, kind="acknowledged").get().summary
    assert Notification.objects.filter(recipient=b.people["ot.north"], link=f"/crisis/{crisis.pk}/").exists()
    with pytest.raises(Refused, match="already acknowledged"):
        services.acknowledge(b.actor("rr.nurse"), crisis.pk)


def test_someone_who_does_not_respond_cannot_act_and_learns_nothing(b, crisis):
    for who in ("ot.south", "sw.council", "ot.north"):  # the raiser follows, but does not respond
        with pytest.raises(NotFound):
            services.acknowledge(b.actor(who), crisis.pk)
    with pytest.raises(NotFound):
        services.acknowledge(b.actor("rr.oncall"), 999_999)


def test_arriving_stops_the_clock_and_acknowledges_if_nobody_had(b, crisis):
    with time_machine.travel(FRIDAY + timedelta(minutes=95), tick=False):
        done = services.record_arrival(b.actor("rr.nurse"), crisis.pk)
    assert (done.state, done.arrived_by, done.acknowledged_by) == (
        "arrived",
        b.people["rr.nurse"],
        b.people["rr.nurse"],
    )
    assert done.within_target
    with pytest.raises(Refused, match="already recorded"):
        services.record_arrival(b.actor("rr.nurse"), crisis.pk)


def test_an_arrival_in_the_future_or_before_the_crisis_is_refused(b, crisis):
    with time_machine.travel(FRIDAY + timedelta(minutes=30), tick=False):
        with pytest.raises(ValidationError, match="future"):
            services.record_arrival(b.actor("rr.nurse"), crisis.pk, FRIDAY + timedelta(hours=3))
        with pytest.raises(ValidationError, match="before the crisis"):
            services.record_arrival(b.actor("rr.nurse"), crisis.pk, FRIDAY - timedelta(minutes=1))
    crisis.refresh_from_db()
    assert crisis.arrived_at is None and crisis.state == "raised"


def test_an_admission_is_recorded_only_after_the_checklist(b, crisis):
    nurse = b.actor("rr.nurse")
    with pytest.raises(ValidationError, match="before admitting"):
        services.record_outcome(nurse, crisis.pk, "admitted")
    with pytest.raises(ValidationError) as refused:
        services.record_admission_check(nurse, crisis.pk, {**CHECKLIST, "virtual_ward": ""}, "short")
    assert set(refused.value.message_dict) == {"virtual_ward", "reason"}
    assert not AdmissionCheck.objects.exists()
    services.record_admission_check(nurse, crisis.pk, CHECKLIST, "Possible hip fracture: needs an X-ray today")
    done = services.record_outcome(nurse, crisis.pk, "admitted", "Ambulance booked")
    assert (done.state, done.outcome) == ("resolved", "admitted")


def test_the_outcome_leaves_a_review_for_the_accountable_team_on_the_next_working_day(b, crisis):
    with time_machine.travel(FRIDAY + timedelta(hours=1), tick=False):
        services.record_outcome(b.actor("rr.nurse"), crisis.pk, "stayed_home")
    review = Task.objects.get(source_ref=f"crisis:{crisis.pk}:review")
    assert review.owner_team == crisis.client.accountable_team and review.client == crisis.client
    assert review.due_at == datetime(2026, 11, 23, 17, tzinfo=UTC)  # Monday's close


def test_an_open_dispute_goes_to_the_mdt_and_a_bridging_package_to_brokerage(b, crisis):
    from django.utils import timezone

    Dispute.objects.create(
        client=crisis.client,
        locality=b.north,
        organisation_a=b.community,
        organisation_b=b.council,
        opened_at=timezone.now(),
        decide_by=timezone.now() + timedelta(days=5),
        governance_model="lead_agency",
        default_owner=b.therapy_north,
    )
    request_bridging(b.actor("rr.nurse"), crisis.pk, NewBridging("Meals and a night check", "3"))
    services.record_outcome(b.actor("rr.nurse"), crisis.pk, "stayed_home")
    tasks = {
        t.source_ref.rsplit(":", 1)[-1]: t for t in Task.objects.filter(source_ref__startswith=f"crisis:{crisis.pk}:")
    }
    assert tasks["dispute"].owner_team == b.mdt_north
    assert tasks["bridging-1"].owner_team.name == "Brokerage"


def test_someone_registered_in_the_crisis_leaves_their_details_to_complete(b):
    crisis_setup(b, around=FRIDAY)
    person = Person(given_name="Reg", family_name="Newman", date_of_birth=date(1938, 3, 15), gp_practice="F84001")
    with time_machine.travel(FRIDAY, tick=False):
        crisis = raised(b, person=person).crisis
    services.record_outcome(b.actor("rr.nurse"), crisis.pk, "other", "Went to stay with his daughter")
    details = Task.objects.get(source_ref=f"crisis:{crisis.pk}:details")
    assert details.owner_team == crisis.client.accountable_team


@pytest.mark.parametrize(("outcome", "note", "field"), [("gone", "", "outcome"), ("other", "", "note")])
def test_a_wrong_outcome_is_refused_and_changes_nothing(b, crisis, outcome, note, field):
    with pytest.raises(ValidationError) as refused:
        services.record_outcome(b.actor("rr.nurse"), crisis.pk, outcome, note)
    assert field in refused.value.message_dict
    crisis.refresh_from_db()
    assert crisis.state == "raised" and not Task.objects.filter(source_ref__contains=":review").exists()


def test_the_raiser_may_cancel_and_a_closed_crisis_refuses_everything(b, crisis):
    with pytest.raises(ValidationError):
        services.cancel(b.actor("ot.north"), crisis.pk, "")
    services.cancel(b.actor("ot.north"), crisis.pk, "Raised twice by mistake")
    crisis.refresh_from_db()
    assert crisis.state == "cancelled" and crisis.resolved_at is not None
    for act in (
        lambda: services.acknowledge(b.actor("rr.nurse"), crisis.pk),
        lambda: services.record_arrival(b.actor("rr.nurse"), crisis.pk),
        lambda: services.record_outcome(b.actor("rr.nurse"), crisis.pk, "stayed_home"),
        lambda: services.cancel(b.actor("rr.nurse"), crisis.pk, "again"),
    ):
        with pytest.raises(Refused, match="closed"):
            act()


def test_every_change_is_audited_with_the_client(b, crisis):
    services.acknowledge(b.actor("rr.nurse"), crisis.pk)
    services.record_arrival(b.actor("rr.nurse"), crisis.pk)
    services.record_outcome(b.actor("rr.nurse"), crisis.pk, "stayed_home")
    actions = list(
        AuditEvent.objects.filter(object_type="Crisis", object_id=str(crisis.pk)).values_list("action", "client_id")
    )
    assert [a for a, _ in actions] == ["create", "acknowledged", "arrived", "resolved"]
    assert {c for _, c in actions} == {crisis.client_id}
    assert Crisis.objects.get(pk=crisis.pk).resolved_by == b.people["rr.nurse"]
