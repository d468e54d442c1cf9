"""Invariant 6: no one sees a client without a role and a legitimate relationship; consent is honoured."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from joinedup.clients.models import EmergencyAccess
from joinedup.clients.queries import caseload, client_record, search, visible_client
from joinedup.clients.services import record_consent, use_emergency_access
from joinedup.core.access import relationship_to, visible_clients
from joinedup.core.errors import NotFound, Refused
from joinedup.core.models import AuditEvent
from joinedup.tasks.models import Notification
from joinedup.tasks.services import create_task
from tests.factories import VALID_NHS_NUMBERS, borough, client_in


def test_another_locality_gets_not_found_and_the_refusal_is_audited(b):
    client = client_in(b)
    with pytest.raises(NotFound):
        client_record(b.actor("ot.south"), client.pk)
    event = AuditEvent.objects.latest("id")
    assert (event.outcome, event.actor_username, event.object_id) == ("refused", "ot.south", str(client.pk))
    assert search(b.actor("ot.south"), nhs_number=VALID_NHS_NUMBERS[0]) == []


def test_absent_and_out_of_scope_look_the_same(b):
    client = client_in(b)
    with pytest.raises(NotFound) as out_of_scope:
        client_record(b.actor("ot.south"), client.pk)
    with pytest.raises(NotFound) as absent:
        client_record(b.actor("ot.south"), 999_999)
    assert str(out_of_scope.value) == str(absent.value)


def test_the_locality_mdt_sees_its_clients(b):
    client = client_in(b)
    assert "locality MDT" in relationship_to(b.actor("coordinator.north"), client)
    assert client in caseload(b.actor("ot.north")).clients


@pytest.mark.parametrize("who", ["commissioner", "admin"])
def test_roles_that_do_not_work_with_clients_see_none(b, who):
    client = client_in(b)
    b.people[who].memberships.create(team=b.therapy_north)
    assert not visible_clients(b.actor(who)).exists()
    with pytest.raises(NotFound):
        visible_client(b.actor(who), client.pk)


def test_an_open_task_gives_its_owner_a_relationship_until_it_closes(b):
    client = client_in(b)
    due = timezone.now() + timedelta(days=2)
    task = create_task(
        b.actor("ot.north"), title="Check equipment", due_at=due, owner_team_id=b.social_work.pk, client=client
    )
    assert "open task" in relationship_to(b.actor("sw.council"), client)
    task.status = "done"
    task.save()
    assert relationship_to(b.actor("sw.council"), client) is None


def test_consent_refused_limits_the_record_to_the_holding_organisation(b):
    client = client_in(b)
    create_task(
        b.actor("ot.north"),
        title="Assess for care",
        due_at=timezone.now() + timedelta(days=1),
        owner_team_id=b.social_work.pk,
        client=client,
    )
    assert relationship_to(b.actor("sw.council"), client) is not None
    record_consent(b.actor("ot.north"), client.pk, "refused", "Does not want the council told")
    client.refresh_from_db()
    assert relationship_to(b.actor("sw.council"), client) is None  # council: another organisation
    assert relationship_to(b.actor("ot.north"), client) is not None  # community provider holds the record
    assert relationship_to(b.actor("coordinator.north"), client) is not None  # MDT hosted by the holder


def test_emergency_access_needs_a_reason_and_an_allowed_role_and_tells_the_team(b):
    client = client_in(b)
    with pytest.raises(Exception, match="reason"):
        use_emergency_access(b.actor("ot.south"), client.pk, "   ")
    with pytest.raises(Refused):
        use_emergency_access(b.actor("volunteer"), client.pk, "Found him on the floor at home, needs help")
    assert not EmergencyAccess.objects.exists()
    use_emergency_access(b.actor("ot.south"), client.pk, "Called to the house by a neighbour: fall")
    record = client_record(b.actor("ot.south"), client.pk)
    assert record.relationship.startswith("emergency access: Called to the house")
    assert AuditEvent.objects.filter(action="emergency_access", client_id=client.pk).count() == 1
    assert Notification.objects.filter(recipient=b.people["ot.north"], message__contains="Emergency access").exists()


def test_emergency_access_expires(b):
    client = client_in(b)
    grant = use_emergency_access(b.actor("ot.south"), client.pk, "Urgent call from the ambulance crew")
    EmergencyAccess.objects.filter(pk=grant.pk).update(
        started_at=timezone.now() - timedelta(hours=5), expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(NotFound):
        client_record(b.actor("ot.south"), client.pk)


PEOPLE = ["ot.north", "ot.south", "coordinator.north", "sw.council", "volunteer", "commissioner", "admin"]


class ScopeAgreesWithRecordCheck(TestCase):
    """The list scope (SQL) and the one-record check (Python) must always agree, consent included."""

    @settings(max_examples=40, deadline=None)
    @given(
        clients=st.lists(
            st.tuples(
                st.sampled_from(["north", "south"]),
                st.sampled_from(["given", "refused", "not_asked"]),
                st.sampled_from([None, "social_work", "therapy_south"]),
                st.booleans(),
            ),
            min_size=1,
            max_size=5,
        ),
        emergency=st.lists(st.tuples(st.sampled_from(PEOPLE[:4]), st.integers(0, 4)), max_size=2),
    )
    def test_visible_clients_matches_relationship_to(self, clients, emergency):
        b = borough()
        made = []
        for locality, consent, task_team, by_council in clients:
            client = client_in(b, locality=locality, lead=not by_council)
            if task_team:
                create_task(
                    b.actor("ot.north" if locality == "north" else "ot.south"),
                    title="Visit",
                    due_at=timezone.now() + timedelta(days=1),
                    owner_team_id=getattr(b, task_team).pk,
                    client=client,
                )
            record_consent(b.actor("ot.north" if locality == "north" else "ot.south"), client.pk, consent)
            made.append(client)
        for who, index in emergency:
            if index < len(made):
                use_emergency_access(b.actor(who), made[index].pk, "Emergency in the property test")
        for who in PEOPLE:
            actor = b.actor(who)
            listed = set(visible_clients(actor).values_list("pk", flat=True))
            for client in made:
                client.refresh_from_db()
                reason = relationship_to(actor, client)
                assert (client.pk in listed) == (reason is not None), (who, client.consent_to_share)
                if client.consent_to_share == "refused" and actor.organisation_id != client.holding_organisation_id:
                    assert reason is None or reason.startswith("emergency access")
