"""core.rows: instances from written-out statements are the ORM's instances, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from joinedup.clients.models import Client
from joinedup.core import tokens
from joinedup.core.models import ApiToken
from joinedup.core.rows import Columns, split
from joinedup.directory.models import Practitioner
from tests.factories import client_in


def _fields(instance: object) -> dict[str, object]:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["ot.north", "sw.council", "admin"])
def test_a_token_gives_the_practitioner_the_orm_would_give(b, name):
    person = b.people[name]
    Practitioner.objects.filter(pk=person.pk).update(last_login=timezone.now() - timedelta(days=1))
    plaintext, _ = tokens.create_token(person, "")
    found = tokens.authenticate(plaintext)
    expected = Practitioner.objects.get(pk=person.pk)
    assert found is not None and not found.get_deferred_fields()
    assert _fields(found) == _fields(expected)
    assert type(found.is_active) is bool and timezone.is_aware(found.last_login)  # converted, also on SQLite
    assert found._state.adding is False and found._state.db == expected._state.db


def test_the_token_last_use_read_back_is_an_aware_time(b):
    plaintext, token = tokens.create_token(b.people["ot.north"], "")
    tokens.authenticate(plaintext)
    stored = ApiToken.objects.get(pk=token.pk).last_used_at
    found = tokens._found(plaintext, timezone.now())
    assert found is not None and found[1] == token.pk and found[2] == stored


def test_columns_load_only_what_they_name_and_a_null_key_is_no_instance(b):
    client = client_in(b)
    columns = Columns(Client, ("family_name", "id", "date_of_birth"))
    assert columns.attnames == ["id", "family_name", "date_of_birth"]  # the model's order, not the caller's
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns.select('c')}, 7 FROM {Client._meta.db_table} c WHERE c.id = %s", [client.pk])
        row = cursor.fetchone()
    part, rest = split(row, columns)
    built = columns.instance(part)
    assert (built.pk, built.family_name, built.date_of_birth) == (client.pk, client.family_name, client.date_of_birth)
    assert "given_name" in built.get_deferred_fields() and list(rest) == [7]
    assert columns.instance([None, None, None]) is None


def test_columns_refuse_what_is_not_a_field_and_an_instance_without_its_key():
    with pytest.raises(ValueError, match="no field named"):
        Columns(Client, ("id", "nickname"))
    with pytest.raises(ValueError, match="primary key"):
        Columns(Client, ("family_name",)).instance(["Smith"])
