"""Who sees what of a crisis (ADR 0022): responders see the client at once and for a day after it
closes; the raiser follows the crisis, not the record; the board names only clients one may see;
consent refusals are honoured; every view is audited and a refusal looks like "not found"."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from joinedup.clients.services import record_consent
from joinedup.core.access import relationship_to, visible_clients
from joinedup.core.errors import NotFound
from joinedup.core.models import AuditEvent
from joinedup.crisis import services
from joinedup.crisis.actions import NewBridging, request_bridging
from joinedup.crisis.board import board
from joinedup.crisis.queries import crisis_page
from joinedup.crisis.raising import Person
from joinedup.crisis.relationships import CrisisResponder
from tests.crisis_factories import crisis_setup, raised
from tests.factories import client_in


@pytest.fixture
def setup(b):
    return crisis_setup(b)


def test_the_responders_see_the_client_while_the_crisis_is_open_and_a_day_after(b, setup):
    client = client_in(b)
    crisis = raised(b, client=client).crisis
    for who in ("rr.oncall", "rr.nurse", "rr.second", "edt.sw"):
        seen = client in visible_clients(b.actor(who))
        assert seen == (who != "edt.sw"), who  # a health crisis: not the social care on call
    services.record_outcome(b.actor("rr.nurse"), crisis.pk, "stayed_home")
    with time_machine.travel(timezone.now() + timedelta(hours=23), tick=False):
        assert relationship_to(b.actor("rr.second"), client) is not None
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        assert relationship_to(b.actor("rr.second"), client) is None
        assert client not in visible_clients(b.actor("rr.second"))


def test_brokerage_sees_the_client_while_it_arranges_their_package(b, setup):
    client = client_in(b)
    crisis = raised(b, client=client).crisis
    assert relationship_to(b.actor("broker"), client) is None
    request_bridging(b.actor("rr.oncall"), crisis.pk, NewBridging("Meals", "2"))
    assert relationship_to(b.actor("broker"), client) is not None
    assert CrisisResponder().explains(b.actor("broker"), client) == f"owner of an action of crisis #{crisis.pk}"


def test_the_raiser_follows_the_crisis_without_seeing_the_record(b, setup):
    client = client_in(b, locality="north", nhs_number="9990000026")
    crisis = raised(b, by="ot.south", person=Person(nhs_number=client.nhs_number)).crisis
    assert crisis.client == client
    page = crisis_page(b.actor("ot.south"), crisis.pk)
    assert (page.role, page.identified) == ("raiser", False)
    event = AuditEvent.objects.filter(action="view", object_type="Crisis", object_id=str(crisis.pk)).last()
    assert event.reason == "raised the crisis" and event.client_id == crisis.client_id


def test_anyone_else_gets_not_found_and_the_refusal_is_audited(b, setup):
    crisis = raised(b, client=client_in(b)).crisis
    with pytest.raises(NotFound):
        crisis_page(b.actor("ot.south"), crisis.pk)
    with pytest.raises(NotFound):
        crisis_page(b.actor("commissioner"), crisis.pk)
    refused = AuditEvent.objects.filter(object_type="Crisis", outcome="refused", object_id=str(crisis.pk))
    assert refused.count() == 2


def test_the_board_names_only_the_clients_one_may_see_and_audits_them(b, setup):
    north = raised(b, client=client_in(b, locality="north")).crisis
    south = raised(b, by="ot.south", client=client_in(b, locality="south"), situation="no_food_or_heating").crisis
    before = AuditEvent.objects.count()
    rows = {row.crisis_id: row.identified for row in board(b.actor("rr.oncall")).rows}
    assert rows == {north.pk: True, south.pk: False}  # both on the board; South's social care crisis not named
    listed = AuditEvent.objects.filter(pk__gt=0).order_by("-id")[: AuditEvent.objects.count() - before]
    assert [(e.action, e.object_id) for e in listed] == [("list", str(north.pk))]


def test_a_client_who_refused_consent_is_not_named_to_another_organisation(b, setup):
    client = client_in(b)
    record_consent(b.actor("ot.north"), client.pk, "refused", "Does not want it shared")
    crisis = raised(b, client=client).crisis
    edt_crisis = raised(b, client=client, situation="no_food_or_heating").crisis
    assert crisis_page(b.actor("rr.oncall"), crisis.pk).identified  # the same organisation holds the record
    page = crisis_page(b.actor("edt.sw"), edt_crisis.pk)  # the council's on call: another organisation
    assert (page.role, page.identified) == ("responder", False)


def test_every_responder_row_follows_the_crisis_from_raising_to_closing(b, setup):
    from joinedup.crisis.models import Responder
    from joinedup.crisis.tick import tick_crises

    crisis = raised(b, client=client_in(b)).crisis
    routed = set(Responder.objects.filter(crisis=crisis).values_list("team_id", "practitioner_id", "why"))
    assert routed == {(setup.rapid_response.pk, None, "routed"), (None, crisis.owner_id, "routed")}
    tick_crises(crisis.raised_at + timedelta(minutes=16))
    assert Responder.objects.filter(crisis=crisis, why="escalated", practitioner=b.people["rr.second"]).exists()
    services.record_outcome(b.actor("rr.second"), crisis.pk, "stayed_home")
    assert not Responder.objects.filter(crisis=crisis, closed_at__isnull=True).exists()
