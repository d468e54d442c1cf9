"""Compiled queries (core.compiled) return what the ORM returns, for any keys: a differential test.

The feed's batch reads run SQL that the ORM built once, with marker arguments; here each of them
is run next to the queryset it came from, over data the feed itself wrote (clients, spells with
moves, diagnoses, discharge follow-ups, crises), with random subsets of known and unknown keys,
empty ones included. On SQLite both paths are the ORM; on PostgreSQL the compiled SQL runs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from joinedup.clients.models import Client
from joinedup.core.compiled import Compiled
from joinedup.crisis.admissions import _WITH_CRISIS
from joinedup.hospital import batch_state, followup
from joinedup.hospital.models import Spell
from tests.crisis_factories import crisis_setup, raised
from tests.factories import VALID_NHS_NUMBERS, borough, client_in
from tests.hl7_messages import Adt, Patient
from tests.hospital_factories import feed_for, feed_settings

UNKNOWN_ID = 10**9
MOMENTS = [datetime(2025, 1, day, 12, tzinfo=UTC) for day in (1, 6, 8, 20)] + [datetime.now(UTC) + timedelta(days=1)]


def _sorted(rows: list[tuple]) -> list[tuple]:
    return sorted(rows, key=repr)


def _same(query: Compiled, *args: object, ordered: bool = False) -> None:
    compiled, orm = query.rows(*args), list(query.build(*args))
    assert all(isinstance(row, tuple) for row in compiled)
    if ordered:
        assert compiled == orm
    else:
        assert _sorted(compiled) == _sorted(orm)


class TestCompiledQueriesAgreeWithTheOrm(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        feed_settings.enable()
        cls.addClassCleanup(feed_settings.disable)
        b = borough()
        feed = feed_for(b)
        numbers = VALID_NHS_NUMBERS[:4]
        for number in numbers:
            client_in(b, nhs_number=number)
        dementia = (("F03", "Unspecified dementia"),)
        for n, number in enumerate(numbers[:3]):
            patient = Patient(number, family=f"F{n}")  # born on the day client_in gives
            feed.send(
                Adt("A01", patient, at="20250106100000", visit=f"V{n}"),
                Adt("A02", patient, at="20250106120000", visit=f"V{n}", prior_ward="WARD7^BAY2^BED3",
                    ward="WARD9^BAY1^BED1"),
                Adt("A08", patient, at="20250107100000", visit=f"V{n}", diagnoses=dementia if n < 2 else ()),
            )  # fmt: skip
            if n < 2:
                feed.send(Adt("A03", patient, at="20250108110000", visit=f"V{n}", discharged="20250108110000"))
        crisis_setup(b)
        raised(b, client=Client.objects.get(nhs_number=numbers[0]))
        cls.numbers = [*numbers, VALID_NHS_NUMBERS[5]]  # the last is no client's
        cls.client_ids = [*Client.objects.filter(nhs_number__in=numbers).values_list("id", flat=True), UNKNOWN_ID]
        cls.spell_ids = [*Spell.objects.values_list("id", flat=True), UNKNOWN_ID]

    def test_the_data_has_what_the_queries_read(self) -> None:
        assert len(batch_state._SPELLS.rows(self.client_ids)) == 3
        assert batch_state._DIAGNOSIS_CODES.rows(self.spell_ids)
        assert batch_state._OPEN_FOLLOW_UPS.rows(self.client_ids)
        assert any(row[-1] for row in batch_state._SPELLS.rows(self.client_ids))  # earlier locations (JSON)
        assert _WITH_CRISIS.rows(self.client_ids, MOMENTS[0] - timedelta(days=3650), MOMENTS[-1])

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def test_every_batch_read(self, data: st.DataObject) -> None:
        numbers = data.draw(st.lists(st.sampled_from(self.numbers), unique=True))
        ids = data.draw(st.lists(st.sampled_from(self.client_ids), unique=True))
        spells = data.draw(st.lists(st.sampled_from(self.spell_ids), unique=True))
        earliest, latest = sorted(data.draw(st.lists(st.sampled_from(MOMENTS), min_size=2, max_size=2)))
        _same(batch_state._CLIENTS_BY_NUMBER, numbers)
        _same(batch_state._CLIENTS_BY_NUMBER_OR_ID, numbers, ids)
        _same(batch_state._SPELLS, ids, ordered=True)
        _same(batch_state._DIAGNOSIS_CODES, spells)
        _same(batch_state._OPEN_FOLLOW_UPS, ids)
        _same(followup._DIAGNOSES, spells, ordered=True)
        _same(_WITH_CRISIS, ids, earliest, latest)


def test_a_compiled_query_refuses_arguments_it_cannot_place(db) -> None:
    with pytest.raises(ValueError, match=r"list .* and datetime"):
        Compiled(lambda n: Client.objects.filter(pk=n).values_list("id"), int)
    with pytest.raises(TypeError, match="expected 1 arguments"):
        Compiled(lambda ids: Client.objects.filter(pk__any_of=ids).values_list("id"), list).rows()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only PostgreSQL reuses the SQL; SQLite builds each query afresh"
)
def test_a_compiled_query_refuses_sql_it_cannot_reuse(db) -> None:
    with pytest.raises(ValueError, match="values_list"):
        Compiled(lambda ids: Client.objects.filter(pk__any_of=ids).values("id"), list).rows([1])
    with pytest.raises(ValueError, match="appear once"):
        Compiled(lambda ids: Client.objects.filter(pk__in=[1, 2]).values_list("id"), list).rows([1])
