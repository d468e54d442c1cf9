"""The API read's written-out statement (clients.details_row) against the ORM query it replaces.

For every shape a client can take (lead or duty worker, NHS number or none, practice or none,
consent refused, a team without duty worker, no open accountability), the instances it builds must
load the same fields with the same values and cache the same relations as the ORM's
select_related/only() did, and the API's answer made from them must be the same, byte for byte.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from joinedup.clients.details_row import details_row
from joinedup.clients.models import Accountability, Client, ConsentToShare
from joinedup.clients.queries import ClientDetails
from joinedup.clients.schemas import ClientOut
from joinedup.clients.services import record_consent
from joinedup.core.access import relationship_to
from joinedup.core.nhs_number import check_digit
from joinedup.directory.models import Team
from tests.factories import client_in
from tests.integration.api_client import api_as, is_audit_statement

_PERSON = ("first_name", "last_name", "username")
# The ORM query the statement replaces, as clients.queries.visible_client made it for the API's read.
_RELATED = (
    "accountable_team",
    "lead_professional",
    "gp_practice",
    "locality",
    "holding_organisation",
    "accountable_team__duty_worker",
)
_COLUMNS = (
    *(f.name for f in Client._meta.concrete_fields if f.name not in ("created_at", "updated_at")),
    "accountable_team__name",
    "accountable_team__duty_worker_id",
    *(f"accountable_team__duty_worker__{name}" for name in _PERSON),
    *(f"lead_professional__{name}" for name in _PERSON),
    "gp_practice__ods_code",
    "locality__code",
    "locality__name",
    "holding_organisation__ods_code",
)
_RELATIONS = {
    Client: ("accountable_team", "lead_professional", "gp_practice", "locality", "holding_organisation"),
    Team: ("duty_worker",),
}


def _orm(client_id: int) -> tuple[Client, Any, str]:
    client = Client.objects.select_related(*_RELATED).only(*_COLUMNS).get(pk=client_id)
    current = (
        Accountability.objects.filter(client_id=client_id, until__isnull=True).values_list("since", "reason").first()
    )
    since, why = current if current is not None else (None, "")
    return client, since, why


def _state(instance: Model | None) -> Any:
    """What an instance holds: its loaded fields and values, what is deferred, its cached relations."""
    if instance is None:
        return None
    deferred = instance.get_deferred_fields()
    loaded = {
        f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if f.attname not in deferred
    }
    related = {}
    for name in _RELATIONS.get(type(instance), ()):
        field = instance._meta.get_field(name)
        assert field.is_cached(instance), f"{type(instance).__name__}.{name} is not cached"  # type: ignore[union-attr]
        related[name] = _state(field.get_cached_value(instance))  # type: ignore[union-attr]
    return type(instance).__name__, loaded, sorted(deferred), related


def _nhs_numbers() -> Iterator[str]:
    for serial in itertools.count():
        first_nine = f"99912{serial:04d}"
        digit = check_digit(first_nine)
        if digit is not None:
            yield f"{first_nine}{digit}"


def _shaped(b: Any, numbers: Iterator[str], shape: tuple[bool, ...]) -> Client:
    lead, nhs, practice, refused, duty, open_row = shape
    client = client_in(b, lead=lead, nhs_number=next(numbers) if nhs else None)
    if refused:
        record_consent(b.actor("ot.north"), client.pk, ConsentToShare.REFUSED, "Not to be shared")
    if not practice:
        Client.objects.filter(pk=client.pk).update(gp_practice=None)
    if not open_row:  # not a state the services make, but the statement must not invent a row
        Accountability.objects.filter(client_id=client.pk, until__isnull=True).update(until=timezone.now())
    Team.objects.filter(pk=client.accountable_team_id).update(duty_worker=b.people["ot.north"] if duty else None)
    return client


def test_the_statement_builds_what_the_orm_built_for_every_shape_of_client(b):
    north = b.actor("ot.north", channel="api")
    numbers = _nhs_numbers()
    # lead, NHS number, practice, consent refused, team with a duty worker, open accountability
    for shape in itertools.product([True, False], repeat=6):
        client = _shaped(b, numbers, shape)
        expected, since, why = _orm(client.pk)
        found = details_row(client.pk)
        assert found is not None
        written, written_since, written_why = found
        assert _state(written) == _state(expected), shape
        assert (written_since, written_why) == (since, why), shape
        assert relationship_to(north, written) == relationship_to(north, expected), shape
        answer = ClientOut.of(ClientDetails(written, "why", written_since, written_why)).model_dump_json()
        assert answer == ClientOut.of(ClientDetails(expected, "why", since, why)).model_dump_json(), shape


def test_an_absent_client_is_none_and_everything_comes_in_one_statement(b):
    client = client_in(b, lead=False)
    assert details_row(987_654_321) is None
    with CaptureQueriesContext(connection) as captured:
        written, _, _ = details_row(client.pk)  # type: ignore[misc]
        ClientOut.of(ClientDetails(written, "why", None, "")).model_dump_json()
        str(written.accountable_team), str(written.locality), written.holding_organisation.ods_code
    assert len(captured) == 1


def test_an_api_read_makes_two_reads_the_token_and_the_client(b):
    client = client_in(b)
    api = api_as(b, "ot.north")
    api.get(f"/clients/{client.pk}")  # the token's last_used_at is written once
    with CaptureQueriesContext(connection) as captured:
        assert api.get(f"/clients/{client.pk}").status_code == 200
    reads = [query["sql"] for query in captured if not is_audit_statement(query["sql"])]
    assert len(reads) == 2, reads
