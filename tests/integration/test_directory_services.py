import pytest
from django.core.exceptions import ValidationError

from joinedup.clients.models import Client
from joinedup.clients.queries import accountability_violations
from joinedup.directory.models import Practitioner, TeamMembership
from joinedup.directory.services import add_member, deactivate_practitioner, remove_member, set_duty_worker
from tests.factories import client_in


def test_a_leaving_lead_hands_their_clients_to_the_duty_worker_on_the_record(b):
    add_member(b.actor("admin"), b.therapy_north, b.people["sw.council"])
    set_duty_worker(b.actor("admin"), b.therapy_north, b.people["sw.council"])
    client = client_in(b)
    assert client.lead_professional == b.people["ot.north"]
    deactivate_practitioner(b.actor("admin"), b.people["ot.north"])
    client.refresh_from_db()
    assert client.lead_professional is None
    assert client.accountabilities.filter(until__isnull=True).get().reason == "Ot Northson left North Community Therapy"
    assert not Practitioner.objects.get(username="ot.north").is_active
    assert accountability_violations() == []


def test_deactivating_a_duty_worker_is_refused_and_changes_nothing(b):
    client_in(b, lead=False)
    with pytest.raises(ValidationError, match="another duty worker"):
        deactivate_practitioner(b.actor("admin"), b.people["ot.north"])
    assert Practitioner.objects.get(username="ot.north").is_active
    assert TeamMembership.objects.filter(practitioner__username="ot.north").exists()


def test_the_duty_worker_stays_while_clients_have_no_lead(b):
    client_in(b, lead=False)
    with pytest.raises(ValidationError, match="keep a duty worker"):
        set_duty_worker(b.actor("admin"), b.therapy_north, None)
    with pytest.raises(ValidationError, match="must be a member"):
        set_duty_worker(b.actor("admin"), b.therapy_north, b.people["ot.south"])
    b.therapy_north.refresh_from_db()
    assert b.therapy_north.duty_worker == b.people["ot.north"]


def test_removing_a_member_who_leads_clients_without_a_duty_worker_is_refused(b):
    client = client_in(b, locality="south")
    b.therapy_south.duty_worker = None
    b.therapy_south.save()
    with pytest.raises(ValidationError, match="no duty worker"):
        remove_member(b.actor("admin"), b.therapy_south, b.people["ot.south"])
    assert Client.objects.get(pk=client.pk).lead_professional == b.people["ot.south"]
