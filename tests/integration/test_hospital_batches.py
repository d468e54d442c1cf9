"""Properties of the feed over random message streams: batching changes nothing, invariants hold.

The same stream of ADT messages for a few people, applied as one batch, as
single messages, or split at random, leaves the same spells, acknowledgements
and feed exceptions; every client the feed registers has someone accountable
(invariant 1); every AA is stored once (invariant 5).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from joinedup.clients.queries import accountability_violations
from joinedup.hospital.adt.mapping import read
from joinedup.hospital.ingest import apply_batch
from joinedup.hospital.models import FeedException, FeedMessage, Spell
from tests.factories import VALID_NHS_NUMBERS, borough
from tests.hl7_messages import Adt, Patient
from tests.hospital_factories import feed_for, feed_settings

PEOPLE = [Patient(n, family=f"P{i}") for i, n in enumerate(VALID_NHS_NUMBERS[:3])]
TRIGGERS = ["A01", "A02", "A03", "A08", "A11", "A12", "A13", "A04", "A05"]
stream = st.lists(
    st.tuples(
        st.sampled_from(TRIGGERS), st.integers(0, 2), st.sampled_from(["V1", "V2"]), st.sampled_from(["W1", "W2"])
    ),
    min_size=1,
    max_size=18,
)


def _messages(items) -> list[bytes]:
    return [
        Adt(trigger, PEOPLE[who], at=f"202501{n // 24 + 6:02d}{n % 24:02d}0000", visit=visit, ward=ward,
            control_id=f"S{n}").bytes()
        for n, (trigger, who, visit, ward) in enumerate(items)
    ]  # fmt: skip


def _state() -> tuple:
    spells = sorted(
        Spell.objects.values_list("client__nhs_number", "visit_number", "status", "location", "admitted_at")
    )
    messages = sorted(FeedMessage.objects.values_list("control_id", "ack_code", "outcome"))
    return spells, messages, FeedException.objects.count()


class BatchingChangesNothing(TestCase):
    def setUp(self) -> None:
        feed_settings.enable()
        self.addCleanup(feed_settings.disable)
        self.feed = feed_for(borough())

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(stream, st.lists(st.integers(1, 5), min_size=1, max_size=10))
    def test_same_result_however_the_stream_is_batched(self, items, cuts) -> None:
        from django.db import transaction

        messages = [read(m)[0][0] for m in _messages(items)]
        results = []
        for splitting in ("one batch", "one by one", "random"):
            sid = transaction.savepoint()
            if splitting == "one batch":
                batches = [messages]
            elif splitting == "one by one":
                batches = [[m] for m in messages]
            else:
                batches, start = [], 0
                for size in cuts * (len(messages) + 1):
                    if start >= len(messages):
                        break
                    batches.append(messages[start : start + size])
                    start += size
            codes = [o.code for batch in batches for o in apply_batch(batch)]
            assert accountability_violations() == []
            stored = list(FeedMessage.objects.values_list("facility", "control_id", "digest"))
            assert len(stored) == len(set(stored)) == len(messages)
            results.append((codes, _state()))
            transaction.savepoint_rollback(sid)
        assert results[0] == results[1] == results[2]
