"""The bulk writer stores the same values whichever way it sends them: a differential test.

On PostgreSQL a few rows go as one INSERT ... VALUES and more as COPY (core.bulk.FEW_ROWS); on
SQLite as one prepared INSERT. Random spells (text, nulls, booleans, small integers, aware
datetimes, JSON lists) written both ways read back the same through the ORM, and a value too long
for its column is refused either way rather than cut short.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from joinedup.core import bulk
from joinedup.hospital.models import Spell
from tests.factories import borough, client_in

COLUMNS = tuple(field.attname for field in Spell._meta.concrete_fields)  # every column, as the feed writes them
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)
moments = st.datetimes(datetime(1990, 1, 1), datetime(2040, 1, 1), timezones=st.just(UTC))
spells = st.lists(
    st.tuples(
        text, text, st.sampled_from(["inpatient", "day_case"]), st.sampled_from(["admitted", "expected"]), text,
        st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20),
        st.none() | moments, st.none() | st.integers(0, 3), st.none() | st.booleans(), st.lists(text, max_size=3),
        moments,
    ),
    min_size=1,
    max_size=2 * bulk.FEW_ROWS,
)  # fmt: skip


def _rows(client_id: int, drawn: list[tuple], ids: list[int]) -> list[tuple]:
    rows = []
    for spell_id, values in zip(ids, drawn, strict=True):
        facility, visit, kind, status, location, opened, admitted, pathway, alone, earlier, at = values
        named = {
            "id": spell_id, "client_id": client_id, "facility": facility, "visit_number": visit, "kind": kind,
            "status": status, "opened_by": opened, "admitted_at": admitted, "discharged_at": None,
            "expected_at": at, "location": location, "patient_class": "", "consultant": visit,
            "discharge_method": "", "discharge_destination": "", "discharge_pathway": pathway,
            "lives_alone": alone, "earlier_locations": earlier, "created_at": at, "updated_at": at,
        }  # fmt: skip
        rows.append(tuple(named[name] for name in COLUMNS))
    return rows


def _stored(ids: list[int]) -> list[tuple]:
    return [row[1:] for row in Spell.objects.filter(pk__in=ids).order_by("id").values_list(*COLUMNS)]


class TestBulkInsertAgreesWithItself(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.client_id = client_in(borough()).pk

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(spells)
    def test_few_rows_and_many_rows_store_the_same(self, drawn: list[tuple]) -> None:
        ids = bulk.allocate_ids(Spell, 2 * len(drawn))  # on SQLite ids follow the highest stored: take all at once
        first, second = _rows(self.client_id, drawn, ids[: len(drawn)]), _rows(self.client_id, drawn, ids[len(drawn) :])
        bulk.insert(Spell, COLUMNS, first)  # as it comes: VALUES for a few rows, COPY for more
        for row in second:  # one row at a time: always the few-rows way
            bulk.insert(Spell, COLUMNS, [row])
        stored_first, stored_second = _stored([r[0] for r in first]), _stored([r[0] for r in second])
        assert stored_first == stored_second
        assert stored_first == [row[1:] for row in first]  # and what was given (the ORM's own conversions)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite stores text of any length: there is no limit to enforce"
)
@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, bulk.FEW_ROWS + 1], ids=["few rows", "many rows"])
def test_a_value_too_long_is_refused_not_cut_short(count: int) -> None:
    client_id = client_in(borough()).pk
    row = ("x" * 181, "V", "inpatient", "admitted", "", "admission", None, None, None, [], datetime.now(UTC))
    rows = _rows(client_id, [row] * count, bulk.allocate_ids(Spell, count))
    import psycopg

    # COPY goes through the driver's own cursor, so its error is the driver's.
    with pytest.raises((DataError, IntegrityError, psycopg.errors.DataError)), transaction.atomic():
        bulk.insert(Spell, COLUMNS, rows)
    assert not Spell.objects.filter(pk__in=[r[0] for r in rows]).exists()
