"""The clients API: search, read, register, change; scope, consent and audit as on the pages."""

from __future__ import annotations

import pytest

from joinedup.clients.models import Client, ConsentToShare
from joinedup.clients.services import record_consent, record_need
from joinedup.core.models import AuditEvent
from joinedup.tasks.services import create_task, due_in_working_days
from tests.factories import VALID_NHS_NUMBERS, client_in
from tests.integration.api_client import (
    api_as,
    audit_statements_per_event,
    field_of,
    is_audit_statement,
)

NOT_FOUND = {"detail": "Not found"}


def _new_client(b, **overrides):
    body = {
        "given_name": "Grace",
        "family_name": "Hopper",
        "date_of_birth": "1936-12-09",
        "gp_practice": b.practice_north.ods_code,
        "accountable_team": b.therapy_north.pk,
        "lead_professional": b.people["ot.north"].pk,
        "nhs_number": "999 000 0042",
        "sex": "female",
    }
    body.update(overrides)
    return body


# --- search -------------------------------------------------------------------------------


def test_search_by_nhs_number_finds_the_client_and_is_audited(b):
    client = client_in(b, nhs_number=VALID_NHS_NUMBERS[0])
    api = api_as(b, "ot.north")
    before = AuditEvent.objects.count()
    response = api.get("/clients", {"nhs_number": "999 000 0018"})
    assert response.status_code == 200
    [found] = response.json()["results"]
    assert found["id"] == client.pk and found["nhs_number"] == VALID_NHS_NUMBERS[0]
    assert found["gp_practice"] == "F84001" and found["accountable_team"]["name"] == "North Community Therapy"
    events = AuditEvent.objects.filter(pk__gt=0).order_by("id")[before:]
    assert {(e.action, e.channel) for e in events} == {("search", "api"), ("list", "api")}


def test_search_by_family_name_and_date_of_birth(b):
    client = client_in(b, family_name="Lovelace")
    api = api_as(b, "ot.north")
    found = api.get("/clients", {"family_name": "lovelace", "date_of_birth": "1940-05-17"}).json()
    assert [row["id"] for row in found["results"]] == [client.pk]
    assert api.get("/clients", {"family_name": "Lovelace", "given_name": "Zed"}).json() == {"results": []}


def test_search_never_shows_a_client_out_of_scope(b):
    client_in(b, nhs_number=VALID_NHS_NUMBERS[0])
    response = api_as(b, "ot.south").get("/clients", {"nhs_number": VALID_NHS_NUMBERS[0]})
    assert response.status_code == 200 and response.json() == {"results": []}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"nhs_number": "9990000019"}, "nhs_number"),  # wrong check digit
        ({"nhs_number": "123"}, "nhs_number"),
        ({}, "nhs_number"),
        ({"date_of_birth": "17/05/1940"}, "date_of_birth"),
        ({"family_name": "x" * 101}, "family_name"),
        ({"nhs_numbr": "9990000018"}, "nhs_numbr"),  # a typo is not ignored
    ],
)
def test_search_with_broken_input_is_a_422_naming_the_field(b, params, field):
    response = api_as(b, "ot.north").get("/clients", params)
    assert field_of(response) == ["query", field]
    assert response.json()["detail"][0]["msg"]


def _reads(captured) -> int:
    return sum(1 for query in captured if not is_audit_statement(query["sql"]))


def _most(reads: int, audit_events: int) -> int:
    """The statements a request may run: its reads, then its audit events in one transaction."""
    return reads + 2 + audit_events * audit_statements_per_event()


def test_search_query_count_is_pinned_and_reads_do_not_grow_with_results(b, django_assert_max_num_queries):
    api = api_as(b, "ot.north")
    client_in(b, family_name="Same")
    api.get("/clients", {"family_name": "Same"})  # the token's last_used_at is written once
    # Reads: the token and the clients found (the actor's teams and roles are cached: ADR 0031).
    with django_assert_max_num_queries(_most(reads=2, audit_events=2)) as one:
        assert len(api.get("/clients", {"family_name": "Same"}).json()["results"]) == 1
    for _ in range(5):
        client_in(b, family_name="Same")
    # Each client found is audited ("list"), one event each, as on the pages (see the report on
    # batching them); the reads do not grow.
    with django_assert_max_num_queries(_most(reads=2, audit_events=7)) as six:
        assert len(api.get("/clients", {"family_name": "Same"}).json()["results"]) == 6
    assert _reads(six.captured_queries) == _reads(one.captured_queries) == 2


# --- read -----------------------------------------------------------------------------------


def test_read_a_record_summary(b):
    client = client_in(b, nhs_number=VALID_NHS_NUMBERS[0])
    body = api_as(b, "ot.north").get(f"/clients/{client.pk}").json()
    assert body["id"] == client.pk and body["nhs_number"] == VALID_NHS_NUMBERS[0]
    assert body["gp_practice"] == "F84001" and body["locality"] == {
        "code": "north",
        "name": "North",
    }
    assert body["status"] == "active" and body["consent_to_share"] == "not_asked"
    accountability = body["accountability"]
    assert accountability["team"] == {"id": b.therapy_north.pk, "name": "North Community Therapy"}
    assert accountability["lead_professional"]["id"] == b.people["ot.north"].pk
    assert accountability["duty_worker"] is None
    assert accountability["reason"] == "Registered" and accountability["since"]
    assert body["relationship"].startswith("member of the accountable team")


def test_without_a_lead_the_duty_worker_answers_and_no_nhs_number_is_null(b):
    client = client_in(b, lead=False)
    body = api_as(b, "ot.north").get(f"/clients/{client.pk}").json()
    assert body["nhs_number"] is None
    assert body["accountability"]["lead_professional"] is None
    assert body["accountability"]["duty_worker"]["id"] == b.people["ot.north"].pk


def test_reading_a_record_is_audited_on_the_api_channel(b):
    client = client_in(b)
    api = api_as(b, "ot.north")
    before = AuditEvent.objects.filter(client_id=client.pk).count()
    api.get(f"/clients/{client.pk}")
    event = AuditEvent.objects.filter(client_id=client.pk).last()
    assert AuditEvent.objects.filter(client_id=client.pk).count() == before + 1
    assert (event.action, event.channel, event.actor_username) == ("view", "api", "ot.north")


def test_out_of_scope_looks_exactly_like_absent(b):
    client = client_in(b)
    api = api_as(b, "ot.south")
    out_of_scope = api.get(f"/clients/{client.pk}")
    absent = api.get("/clients/987654")
    assert out_of_scope.status_code == absent.status_code == 404
    assert out_of_scope.content == absent.content
    assert out_of_scope.json() == NOT_FOUND
    refused = AuditEvent.objects.filter(object_id=str(client.pk), outcome="refused").get()
    assert refused.channel == "api"


@pytest.mark.parametrize("who", ["commissioner", "admin"])
def test_roles_that_never_see_records_get_404(b, who):
    client = client_in(b)
    assert api_as(b, who).get(f"/clients/{client.pk}").json() == NOT_FOUND


def test_refused_consent_hides_the_record_from_other_organisations_even_in_the_mdt(b):
    # The council's social worker joins the north MDT; the client (held by the community
    # provider) refuses consent to share: the MDT relationship no longer counts for the council.
    from joinedup.directory.models import TeamMembership

    client = client_in(b)
    TeamMembership.objects.create(team=b.mdt_north, practitioner=b.people["sw.council"])
    council = api_as(b, "sw.council")
    assert council.get(f"/clients/{client.pk}").status_code == 200
    record_consent(b.actor("ot.north"), client.pk, ConsentToShare.REFUSED, "Does not want the council told")
    assert council.get(f"/clients/{client.pk}").json() == NOT_FOUND
    assert council.get(f"/clients/{client.pk}/timeline").json() == NOT_FOUND
    coordinator = api_as(b, "coordinator.north")  # same MDT, the holding organisation
    assert coordinator.get(f"/clients/{client.pk}").status_code == 200


def test_a_task_gives_its_owner_a_relationship(b):
    client = client_in(b)
    ot_south = api_as(b, "ot.south")
    assert ot_south.get(f"/clients/{client.pk}").status_code == 404
    create_task(
        b.actor("ot.north"),
        title="Joint visit",
        due_at=due_in_working_days(2),
        owner_practitioner_id=b.people["ot.south"].pk,
        client=client,
    )
    assert ot_south.get(f"/clients/{client.pk}").json()["relationship"].startswith("owner of an open task")


def test_record_read_query_count_is_pinned(b, django_assert_max_num_queries):
    client = client_in(b)
    api = api_as(b, "ot.north")
    api.get(f"/clients/{client.pk}")
    # Reads: the token, the actor's teams and roles, the client (with its team, lead, practice,
    # locality...), needs, consent, accountability, emergency accesses. One audit event.
    most = _most(reads=8, audit_events=1)
    with django_assert_max_num_queries(most) as few:
        api.get(f"/clients/{client.pk}")
    actor = b.actor("ot.north")
    for number in range(8):
        record_need(actor, client.pk, "housing", f"Need {number}")
        record_consent(actor, client.pk, ConsentToShare.GIVEN)
    with django_assert_max_num_queries(most) as many:
        api.get(f"/clients/{client.pk}")
    assert len(many.captured_queries) == len(few.captured_queries)


# --- register and change ------------------------------------------------------------------


def test_register_a_client(b):
    api = api_as(b, "ot.north")
    response = api.post("/clients", _new_client(b))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["location"] == f"/api/v1/clients/{created['id']}"
    client = Client.objects.get(pk=created["id"])
    assert client.nhs_number == "9990000042" and client.locality == b.north
    assert client.holding_organisation == b.community
    assert api.get(created["location"].removeprefix("/api/v1")).json()["family_name"] == "Hopper"
    assert AuditEvent.objects.filter(action="create", client_id=client.pk, channel="api").exists()


def test_a_client_is_registered_to_ones_own_team_never_handed_to_another_without_a_referral(b):
    before = Client.objects.count()
    response = api_as(b, "sw.council").post("/clients", _new_client(b, lead_professional=None))
    assert field_of(response) == ["body", "accountable_team"]
    assert "refer them" in response.json()["detail"][0]["msg"]
    assert Client.objects.count() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nhs_number": "9990000019"}, "nhs_number"),
        ({"nhs_number": VALID_NHS_NUMBERS[0]}, "nhs_number"),  # already recorded
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"date_of_birth": 1234567}, "date_of_birth"),
        ({"gp_practice": "ZZZ999"}, "gp_practice"),
        ({"accountable_team": 99999}, "accountable_team"),
        ({"accountable_team": 2**70}, "accountable_team"),
        ({"lead_professional": 99999}, "lead_professional"),
        ({"lead_professional": "__sw__"}, "lead_professional"),  # not in the team
        ({"sex": "unknowable"}, "sex"),
        ({"family_name": ""}, "family_name"),
        ({"given_name": "x" * 101}, "given_name"),
        ({"postcode": "x" * 11}, "postcode"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"given_name": None}, "given_name"),
    ],
)
def test_register_with_broken_input_is_a_422_and_stores_nothing(b, overrides, field):
    client_in(b, nhs_number=VALID_NHS_NUMBERS[0])
    if overrides.get("lead_professional") == "__sw__":
        overrides["lead_professional"] = b.people["sw.council"].pk
    counts = (Client.objects.count(), AuditEvent.objects.count())
    response = api_as(b, "ot.north").post("/clients", _new_client(b, **overrides))
    assert field_of(response) == ["body", field]
    assert (
        Client.objects.count(),
        AuditEvent.objects.count() - 1,
    ) == counts  # -1: the token's own event


def test_a_commissioner_may_not_register_clients(b):
    response = api_as(b, "commissioner").post("/clients", _new_client(b))
    assert response.status_code == 403 and response.json()["detail"]
    assert Client.objects.count() == 0


def test_change_details(b):
    client = client_in(b)
    api = api_as(b, "ot.north")
    response = api.patch(f"/clients/{client.pk}", {"phone": "020 7946 0000", "nhs_number": "9990000026"})
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "020 7946 0000" and response.json()["nhs_number"] == "9990000026"
    moved = api.patch(f"/clients/{client.pk}", {"gp_practice": "F84002", "nhs_number": None})
    assert moved.status_code == 200  # the locality follows the practice; the team stays accountable
    assert moved.json()["locality"]["code"] == "south" and moved.json()["nhs_number"] is None
    client.refresh_from_db()
    assert client.locality == b.south and client.nhs_number is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"nhs_number": "12345"}, "nhs_number"),
        ({"family_name": None}, "family_name"),
        ({"family_name": "  "}, "family_name"),
        ({"date_of_birth": "1940-02-30"}, "date_of_birth"),
        ({"gp_practice": "NOPE"}, "gp_practice"),
        ({"phone": "1", "holding_organisation": 3}, "holding_organisation"),
        ({}, None),
    ],
)
def test_change_with_broken_input_is_a_422_and_changes_nothing(b, body, field):
    client = client_in(b)
    before = Client.objects.values().get(pk=client.pk)
    response = api_as(b, "ot.north").patch(f"/clients/{client.pk}", body)
    assert field_of(response) == (["body", field] if field else ["body"])
    assert Client.objects.values().get(pk=client.pk) == before


def test_change_out_of_scope_is_404_and_changes_nothing(b):
    client = client_in(b)
    before = Client.objects.values().get(pk=client.pk)
    response = api_as(b, "ot.south").patch(f"/clients/{client.pk}", {"phone": "1"})
    assert response.json() == NOT_FOUND
    assert Client.objects.values().get(pk=client.pk) == before
