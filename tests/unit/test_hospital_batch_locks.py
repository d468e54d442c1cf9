"""The lock keys of a batch: two batches that name one person, or one message, always share a key."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from joinedup.hospital.adt.mapping import Received, read
from joinedup.hospital.batch_locks import keys
from tests.factories import VALID_NHS_NUMBERS
from tests.hl7_messages import Adt, Patient

CONTROL_IDS = [f"M{n}" for n in range(6)]


def _received(number: str, control_id: str, facility: str = "RCB") -> Received:
    received, _ = read(Adt("A01", Patient(number), control_id=control_id, facility=facility).bytes())
    return received[0]


messages = st.builds(_received, st.sampled_from(VALID_NHS_NUMBERS), st.sampled_from(CONTROL_IDS))
batches = st.lists(messages, min_size=1, max_size=8)


def _people(batch: list[Received]) -> set[str]:
    return {r.event.person.nhs_number for r in batch if r.event is not None and r.event.person.nhs_number}


def _messages(batch: list[Received]) -> set[tuple[str, str]]:
    return {(r.facility, r.control_id) for r in batch if r.replay_of is None}


@given(batches, batches)
def test_batches_naming_one_person_or_one_message_share_a_key(first: list[Received], second: list[Received]) -> None:
    shared = set(keys(first, {})) & set(keys(second, {}))
    if _people(first) & _people(second) or _messages(first) & _messages(second):
        assert shared
    else:
        assert not shared  # people and messages apart never wait for each other (64-bit keys: no collisions here)


@given(batches)
def test_keys_are_taken_in_ascending_order_each_once(batch: list[Received]) -> None:
    ordered = keys(batch, {})
    assert ordered == sorted(set(ordered))
    assert len(ordered) == len(_people(batch)) + len(_messages(batch))
    assert all(-(2**63) <= key < 2**63 for key in ordered)  # a PostgreSQL bigint


def test_a_client_named_by_id_is_the_same_person_as_their_nhs_number() -> None:
    by_number = _received(VALID_NHS_NUMBERS[0], "M1")
    by_id = replace(_received(VALID_NHS_NUMBERS[1], "M2"), client_id=42)
    assert set(keys([by_number], {})) & set(keys([by_id], {42: VALID_NHS_NUMBERS[0]}))
    assert not set(keys([by_number], {})) & set(keys([by_id], {42: None}))


def test_a_replayed_message_is_locked_by_its_person_only() -> None:
    replay = replace(_received(VALID_NHS_NUMBERS[0], "M1"), replay_of=7)
    assert len(keys([replay], {})) == 1
    assert set(keys([replay], {})) < set(keys([_received(VALID_NHS_NUMBERS[0], "M1")], {}))
