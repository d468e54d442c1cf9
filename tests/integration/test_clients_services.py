"""Writes to client data: bad input is refused with a message naming the field, and changes nothing."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from joinedup.clients.models import Accountability, Client, ConsentDecision, Need, TimelineEvent
from joinedup.clients.services import (
    NewClient,
    change_accountability,
    create_client,
    record_consent,
    record_need,
    update_client,
)
from joinedup.core.errors import NotFound, Refused
from joinedup.core.models import AuditEvent
from tests.factories import VALID_NHS_NUMBERS, client_in


def counts():
    return [m.objects.count() for m in (Client, Accountability, Need, ConsentDecision, TimelineEvent, AuditEvent)]


def new_client(b, **changes):
    base = NewClient(
        given_name="Bob",
        family_name="Jones",
        date_of_birth=date(1938, 2, 1),
        gp_practice="F84001",
        accountable_team=b.therapy_north,
        lead_professional=b.people["ot.north"],
        nhs_number=VALID_NHS_NUMBERS[1],
    )
    return replace(base, **changes)


def test_registering_a_client_opens_their_accountability_and_timeline(b):
    client = create_client(b.actor("ot.north"), new_client(b, nhs_number="999 000 0026"))
    assert client.nhs_number == "9990000026"
    assert client.locality == b.north
    assert client.holding_organisation == b.community
    assert client.accountabilities.get().reason == "Registered"
    assert client.timeline.filter(kind="registered").exists()


def test_a_client_may_have_no_nhs_number_yet(b):
    first = create_client(b.actor("ot.north"), new_client(b, nhs_number=""))
    second = create_client(b.actor("ot.north"), new_client(b, nhs_number=None))
    assert first.nhs_number is None and second.nhs_number is None
    assert first.nhs_number_display == "Not yet known"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"nhs_number": "0000000000"}, "nhs_number"),
        ({"nhs_number": "9990000019"}, "nhs_number"),
        ({"nhs_number": "12345"}, "nhs_number"),
        ({"gp_practice": "NOPE1"}, "gp_practice"),
        ({"date_of_birth": date.today() + timedelta(days=1)}, "date_of_birth"),
        ({"date_of_birth": date(1850, 1, 1)}, "date_of_birth"),
        ({"family_name": "  "}, "family_name"),
        ({"sex": "dragon"}, "sex"),
        ({"lead_professional": "ot.south"}, "lead_professional"),
    ],
)
def test_bad_registration_names_the_field_and_stores_nothing(b, changes, field):
    if changes.get("lead_professional"):
        changes = {"lead_professional": b.people[changes["lead_professional"]]}
    before = counts()
    with pytest.raises(ValidationError) as error:
        create_client(b.actor("ot.north"), new_client(b, **changes))
    assert field in error.value.message_dict
    assert counts() == before


def test_duplicate_nhs_number_is_refused(b):
    client_in(b, nhs_number=VALID_NHS_NUMBERS[2])
    before = counts()
    with pytest.raises(ValidationError, match="already recorded"):
        create_client(b.actor("ot.north"), new_client(b, nhs_number=VALID_NHS_NUMBERS[2]))
    assert counts() == before


def test_commissioners_cannot_register_clients(b):
    with pytest.raises(Refused):
        create_client(b.actor("commissioner"), new_client(b))


def test_recording_a_need_and_consent(b):
    client = client_in(b)
    need = record_need(b.actor("ot.north"), client.pk, "mental_health", "Low mood since her husband died")
    consent = record_consent(b.actor("ot.north"), client.pk, "given", "Agreed to share with the GP and council")
    client.refresh_from_db()
    assert need.get_category_display() == "Mental health"
    assert client.consent_to_share == "given" == consent.decision
    assert AuditEvent.objects.filter(object_type="Need", object_id=str(need.pk), client_id=client.pk).exists()


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda a, c: record_need(a, c, "hobbies", "Likes golf"), "category"),
        (lambda a, c: record_need(a, c, "housing", "   "), "description"),
        (lambda a, c: record_need(a, c, "housing", "x" * 4001), "description"),
        (lambda a, c: record_consent(a, c, "maybe"), "decision"),
        (lambda a, c: update_client(a, c, {"nhs_number": "1111111111"}), "nhs_number"),
        (lambda a, c: update_client(a, c, {"locality": 3}), "locality"),
        (lambda a, c: change_accountability(a, c, 9999, None, "moving"), "team"),
    ],
)
def test_bad_input_on_a_record_names_the_field_and_changes_nothing(b, call, field):
    client = client_in(b)
    before = counts()
    with pytest.raises(ValidationError) as error:
        call(b.actor("ot.north"), client.pk)
    assert field in error.value.message_dict
    assert counts() == before


def test_writes_to_a_client_out_of_scope_are_not_found_and_change_nothing(b):
    client = client_in(b)
    before = counts()
    for call in (
        lambda: record_need(b.actor("ot.south"), client.pk, "housing", "Damp flat"),
        lambda: record_consent(b.actor("ot.south"), client.pk, "refused"),
        lambda: update_client(b.actor("ot.south"), client.pk, {"phone": "0207 000 0000"}),
        lambda: change_accountability(b.actor("ot.south"), client.pk, b.therapy_south.pk, None, "mine now"),
    ):
        with pytest.raises(NotFound):
            call()
    assert counts() == before


def test_changing_accountability_keeps_the_history(b):
    client = client_in(b)
    change_accountability(
        b.actor("ot.north"), client.pk, b.social_work.pk, b.people["sw.council"].pk, "Needs a care act assessment"
    )
    client.refresh_from_db()
    assert client.accountable_team == b.social_work
    history = list(client.accountabilities.order_by("since"))
    assert [h.team for h in history] == [b.therapy_north, b.social_work]
    assert history[0].until == history[1].since
    assert history[1].reason == "Needs a care act assessment"


def test_changing_the_gp_practice_moves_the_client_to_its_locality(b):
    client = client_in(b)
    update_client(b.actor("ot.north"), client.pk, {"gp_practice": "F84002"})
    client.refresh_from_db()
    assert client.locality == b.south
