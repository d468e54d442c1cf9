"""Raising a crisis (issue 5, items 1 and 2): for a client one may see, a client known by NHS number,
or someone new with minimal details; owned at once whatever the accountability; gaps never silent;
idempotent for a raiser's key; bad input changes nothing."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from joinedup.clients.models import Accountability, Client, TimelineEvent
from joinedup.clients.queries import accountability_violations
from joinedup.core.access import relationship_to
from joinedup.core.errors import NotFound
from joinedup.core.models import AuditEvent
from joinedup.crisis.models import Crisis, CrisisRegistration, RotaAlert
from joinedup.crisis.raising import Person
from joinedup.handover.models import Dispute
from joinedup.tasks.models import Notification, Task
from tests.crisis_factories import crisis_setup, raised
from tests.factories import VALID_NHS_NUMBERS, client_in

# Friday 20 November 2026: 16:00 is in hours for both services, 22:00 out of hours for both.
IN_HOURS = datetime(2026, 11, 20, 16, tzinfo=UTC)
OUT_OF_HOURS = datetime(2026, 11, 20, 22, tzinfo=UTC)


def someone(**details) -> Person:
    return Person(**{"given_name": "Reg", "family_name": "Newman", "date_of_birth": date(1950, 1, 1), **details})


def _counts() -> tuple[int, ...]:
    return (Crisis.objects.count(), Client.objects.count(), AuditEvent.objects.count(), Task.objects.count())


def test_a_crisis_is_owned_at_once_in_hours_by_the_rapid_response_duty_worker(b):
    setup = crisis_setup(b, around=IN_HOURS)
    client = client_in(b)
    with time_machine.travel(IN_HOURS, tick=False):
        crisis = raised(b, client=client).crisis
    assert (crisis.basis, crisis.owner_team, crisis.owner) == ("in_hours", setup.rapid_response, b.people["rr.nurse"])
    assert crisis.response_due_at - crisis.raised_at == timedelta(hours=2)
    assert crisis.acknowledge_due_at - crisis.raised_at == timedelta(minutes=15)
    assert crisis.escalation_chain == [b.people["rr.second"].pk, b.people["rr.manager"].pk]
    assert Notification.objects.filter(recipient=b.people["rr.nurse"], link=f"/crisis/{crisis.pk}/").exists()
    assert TimelineEvent.objects.filter(client=client, kind="crisis_raised").exists()
    event = AuditEvent.objects.filter(object_type="Crisis", object_id=str(crisis.pk), action="create").get()
    assert event.client_id == client.pk and event.actor_username == "ot.north"


def test_out_of_hours_the_person_on_call_owns_it_and_sees_the_client_at_once(b):
    crisis_setup(b, around=IN_HOURS)
    client = client_in(b)
    with time_machine.travel(OUT_OF_HOURS, tick=False):
        crisis = raised(b, client=client).crisis
        assert (crisis.basis, crisis.owner) == ("on_call", b.people["rr.oncall"])
        reason = relationship_to(b.actor("rr.oncall"), client)
    assert reason == f"responder to crisis #{crisis.pk}"


def test_a_social_care_crisis_goes_to_social_care(b):
    setup = crisis_setup(b, around=IN_HOURS)
    client = client_in(b)
    with time_machine.travel(IN_HOURS, tick=False):
        day = raised(b, client=client, situation="care_package_breakdown").crisis
    with time_machine.travel(OUT_OF_HOURS, tick=False):
        night = raised(b, client=client, situation="no_food_or_heating").crisis
    assert (day.owner_team, day.owner) == (b.social_work, b.people["sw.council"])
    social = setup.on_call_social
    assert (night.owner_team, night.owner, night.rota) == (social.team, b.people["edt.sw"], social)


def test_crisis_first_whose_client_afterwards_an_open_dispute_changes_nothing(b):
    setup = crisis_setup(b, around=IN_HOURS)
    client = client_in(b)
    Dispute.objects.create(
        client=client, locality=b.north, organisation_a=b.community, organisation_b=b.council,
        opened_at=timezone.now(), decide_by=timezone.now() + timedelta(days=5), governance_model="lead_agency",
        default_owner=b.therapy_north,
    )  # fmt: skip
    with time_machine.travel(IN_HOURS, tick=False):
        crisis = raised(b, client=client).crisis
    client.refresh_from_db()
    assert crisis.owner_team == setup.rapid_response and client.accountable_team == b.therapy_north
    assert Accountability.objects.filter(client=client).count() == 1


def test_a_gap_in_the_rota_goes_to_the_fallback_and_alerts_the_manager(b):
    setup = crisis_setup(b, shifts=False)
    client = client_in(b)
    with time_machine.travel(OUT_OF_HOURS, tick=False):
        crisis = raised(b, client=client).crisis
    manager = b.people["rr.manager"]
    assert (crisis.basis, crisis.owner, crisis.route_gap) == ("fallback", manager, "Nobody is on call on the rota")
    alert = RotaAlert.objects.get(crisis=crisis)
    assert alert.rota == setup.on_call_health and alert.task.owner_practitioner == manager
    assert Notification.objects.filter(recipient=manager, message__startswith="Rota gap").exists()


def test_no_rota_at_all_goes_to_the_locality_mdt_loudly(b):
    client = client_in(b)
    with time_machine.travel(OUT_OF_HOURS, tick=False):
        crisis = raised(b, client=client).crisis
    coordinator = b.people["coordinator.north"]
    assert (crisis.basis, crisis.owner_team, crisis.owner) == ("last_resort", b.mdt_north, coordinator)
    alert = RotaAlert.objects.get(crisis=crisis)
    assert alert.task.owner_team == b.mdt_north and "Set up an on-call rota" in alert.task.title


def test_someone_known_by_nhs_number_is_found_though_the_raiser_cannot_see_them(b):
    crisis_setup(b, around=IN_HOURS)
    client = client_in(b, nhs_number=VALID_NHS_NUMBERS[0])
    person = Person(nhs_number="999 000 0018", given_name="Ada", family_name="Else", date_of_birth=date(1950, 1, 1))
    with time_machine.travel(IN_HOURS, tick=False):
        crisis = raised(b, by="ot.south", person=person).crisis
    assert crisis.client == client and crisis.details_differ
    assert Client.objects.count() == 1
    assert relationship_to(b.actor("ot.south"), client) is None  # raising gives no access to the record


@pytest.mark.parametrize(("model", "holder"), [("lead_agency", "rapid_response"), ("pooled", "mdt_north")])
def test_someone_new_is_registered_and_held_at_once_as_the_governance_model_says(b, model, holder):
    setup = crisis_setup(b, around=IN_HOURS)
    expected = setup.rapid_response if holder == "rapid_response" else b.mdt_north
    person = Person(given_name="Reg", family_name="Newman", date_of_birth=date(1938, 3, 15), gp_practice="F84001")
    with override_settings(JOINEDUP_GOVERNANCE_MODEL=model), time_machine.travel(IN_HOURS, tick=False):
        crisis = raised(b, by="ot.south", person=person).crisis
    client = crisis.client
    assert (client.family_name, client.locality, client.accountable_team, client.lead_professional) == (
        "Newman", b.north, expected, None,
    )  # fmt: skip
    assert CrisisRegistration.objects.get(client=client).crisis == crisis
    assert accountability_violations() == []
    assert AuditEvent.objects.filter(object_type="Client", object_id=str(client.pk), action="create").exists()


def test_someone_new_is_placed_by_their_postcode_when_the_practice_is_not_known(b):
    crisis_setup(b, around=IN_HOURS)
    b.south.postcode_districts = "XT7, XT8"
    b.south.save()
    person = Person(given_name="Reg", family_name="Newman", date_of_birth=date(1938, 3, 15), postcode="xt8 1ab")
    crisis = raised(b, person=person).crisis
    assert crisis.client.locality == b.south and crisis.locality == b.south
    assert crisis.client.gp_practice is None and crisis.client.postcode == "XT8 1AB"


def test_the_same_key_raises_one_crisis_and_another_request_with_it_is_refused(b):
    crisis_setup(b, around=IN_HOURS)
    client = client_in(b)
    first = raised(b, client=client, key="gp-system-0001")
    again = raised(b, client=client, key="gp-system-0001")
    assert first.created and not again.created and again.crisis == first.crisis
    assert Crisis.objects.count() == 1
    with pytest.raises(ValidationError) as refused:
        raised(b, client=client, key="gp-system-0001", situation="confusion")
    assert "already used" in refused.value.message_dict["idempotency_key"][0]
    assert raised(b, by="coordinator.north", client=client, key="gp-system-0001").created  # keys are per raiser


def test_a_client_the_raiser_cannot_see_cannot_be_chosen_by_id(b):
    crisis_setup(b, around=IN_HOURS)
    client = client_in(b, locality="north")
    before = _counts()
    with pytest.raises(NotFound):
        raised(b, by="ot.south", client=client)
    assert _counts()[:2] == before[:2]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"situation": "a bit poorly"}, "situation"),
        ({"needed": "  "}, "needed"),
        ({"needed": "x" * 2001}, "needed"),
        ({"contact_phone": "ring me"}, "contact_phone"),
        ({"contact_name": ""}, "contact_name"),
        ({"idempotency_key": "short"}, "idempotency_key"),
        ({"client_id": None, "person": None}, "client"),
        ({"client_id": None, "person": Person(nhs_number="1234567890")}, "nhs_number"),
        ({"client_id": None, "person": Person(given_name="Reg", family_name="Newman")}, "date_of_birth"),
        ({"client_id": None, "person": someone(date_of_birth=date(2999, 1, 1), gp_practice="F84001")}, "date_of_birth"),
        ({"client_id": None, "person": someone(gp_practice="Z99999")}, "gp_practice"),
        ({"client_id": None, "person": someone(postcode="SW1A 1AA")}, "postcode"),
        ({"client_id": None, "person": someone()}, "gp_practice"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(b, changes, field):
    from dataclasses import replace

    from joinedup.crisis.raising import NewCrisis, raise_crisis

    crisis_setup(b, around=IN_HOURS)
    client = client_in(b)
    new = NewCrisis("fall", "Fell, cannot get up", "Olu Caller", "020 7946 0123", client_id=client.pk)
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        raise_crisis(b.actor("ot.north"), replace(new, **changes))
    assert field in refused.value.message_dict
    assert _counts() == before


def test_commissioners_and_administrators_do_not_raise_crises(b):
    from joinedup.core.errors import Refused

    crisis_setup(b, around=IN_HOURS)
    client = client_in(b)
    with pytest.raises(Refused):
        raised(b, by="commissioner", client=client)


def test_a_borough_where_no_team_can_answer_for_someone_new_says_so_and_raises_nothing(b):
    for team in (b.therapy_south, b.social_work):  # South's MDT has none either
        team.duty_worker = None
        team.save()
    person = Person(given_name="Reg", family_name="Newman", date_of_birth=date(1938, 3, 15), gp_practice="F84002")
    before = _counts()
    with pytest.raises(ValidationError, match="No team in South can hold a new client"):
        raised(b, person=person)
    assert _counts() == before
