"""Applying ADT messages: spells, clients from the feed, feed exceptions, resends, follow-up rules, bounce."""

from __future__ import annotations

import pytest

from joinedup.clients.models import Client, Flag, TimelineEvent
from joinedup.clients.queries import accountability_violations
from joinedup.core.models import AuditEvent
from joinedup.handover.models import Referral
from joinedup.hospital.models import BounceEvent, FeedException, FeedMessage, FollowUp, Spell
from joinedup.tasks.models import Task, TaskStatus
from tests.factories import VALID_NHS_NUMBERS, client_in
from tests.hl7_messages import Adt, Patient

pytestmark = pytest.mark.django_db

N1, N2, N3 = VALID_NHS_NUMBERS[:3]


def test_admission_of_a_known_client_opens_a_spell(feed) -> None:
    client = client_in(feed.b, nhs_number=N1)
    assert feed.codes(Adt("A01", Patient(N1))) == ["AA"]
    spell = Spell.objects.get(client=client)
    assert spell.status == "admitted" and spell.location == "WARD7 / BAY2 / BED3"
    assert TimelineEvent.objects.filter(client=client, kind="hospital_admitted").exists()
    event = AuditEvent.objects.filter(client_id=client.pk, object_type="Spell").get()
    assert event.channel == "hl7" and "MSG" in event.reason


def test_unknown_valid_nhs_number_creates_a_client_of_the_locality_mdt(feed) -> None:
    assert feed.codes(Adt("A01", Patient(N2, practice="F84001"))) == ["AA"]
    client = Client.objects.get(nhs_number=N2)
    assert client.accountable_team == feed.b.mdt_north and client.lead_professional is None
    assert accountability_violations() == []


def test_missing_nhs_number_is_an_ae_on_feed_exceptions(feed) -> None:
    outcome = feed.send(Adt("A01", Patient("")))[0]
    assert outcome.code == "AE" and "ERR|" in outcome.ack
    exception = FeedException.objects.get()
    assert exception.reason == "no_nhs_number" and exception.owner_team == feed.integration


def test_a_resend_gets_its_original_ack_and_no_second_effect(feed) -> None:
    client = client_in(feed.b, nhs_number=N1)
    message = Adt("A01", Patient(N1))
    first = feed.send(message)[0]
    again = feed.send(message)[0]
    assert again.ack == first.ack and again.repeat
    assert Spell.objects.filter(client=client).count() == 1
    assert FeedMessage.objects.count() == 1


def test_dementia_discharge_makes_tasks_referral_flag_and_notification(feed) -> None:
    client_in(feed.b, nhs_number=N1)
    admit = Adt("A01", Patient(N1), at="20250106100000")
    discharge = Adt("A03", Patient(N1), at="20250110110000", destination="19",
                    diagnoses=(("F03", "Unspecified dementia"),))  # fmt: skip
    assert feed.codes(admit, discharge) == ["AA", "AA"]
    task = Task.objects.get(source="hospital follow-up", title__startswith="Memory review")
    assert task.owner_team == feed.practice_team
    assert task.due_at.date().isoformat() == "2025-01-24"
    assert Referral.objects.get(client__nhs_number=N1).receiving_team == feed.memory
    assert Flag.objects.get(client__nhs_number=N1, code="dementia-new").closed_at is None
    assert FollowUp.objects.count() >= 1


def test_readmission_within_30_days_is_a_bounce(feed) -> None:
    client_in(feed.b, nhs_number=N1)
    feed.send(Adt("A01", Patient(N1), at="20250106100000", visit="V1"),
              Adt("A03", Patient(N1), at="20250110110000", visit="V1"))  # fmt: skip
    feed.send(Adt("A01", Patient(N1), at="20250120100000", visit="V2"))
    bounce = BounceEvent.objects.get()
    assert bounce.days_since_discharge == 9
    assert Flag.objects.filter(code="bounce", closed_at__isnull=True).exists()


def test_cancel_discharge_cancels_its_follow_up_tasks(feed) -> None:
    client_in(feed.b, nhs_number=N1)
    feed.send(Adt("A01", Patient(N1), at="20250106100000"),
              Adt("A03", Patient(N1), at="20250110110000", diagnoses=(("G30.1", "Alzheimer's"),)))  # fmt: skip
    assert feed.codes(Adt("A13", Patient(N1), at="20250110120000")) == ["AA"]
    assert Spell.objects.get().status == "admitted"
    assert set(Task.objects.filter(source="hospital follow-up").values_list("status", flat=True)) == {
        TaskStatus.CANCELLED
    }
    assert feed.codes(Adt("A13", Patient(N1))) == ["AE"]  # nothing left to cancel
