"""Bounded fuzzing of what JoinedUp reads from other systems (scripts/fuzz runs the same targets longer).

Random and broken HL7 v2 frames get an event or an AR/AE refusal and an ACK; random and broken FHIR
JSON gets OperationOutcome issues; a broken file to import gets its problems listed. Never another
exception. Examples that once crashed are kept as regressions.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from tests import fuzz_targets as targets

BOUNDED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@BOUNDED
@given(targets.hl7_inputs)
def test_hl7_frames_get_an_event_or_a_documented_refusal(data: bytes) -> None:
    targets.hl7_frame(data)


@BOUNDED
@given(targets.fhir_inputs)
def test_fhir_json_gets_operation_outcome_issues(data: bytes) -> None:
    targets.fhir_json(data)


@settings(max_examples=60, deadline=None)
@given(targets.ndjson_inputs)
def test_fhir_files_to_import_get_their_problems_listed(data: bytes) -> None:
    targets.fhir_file(data, ".ndjson")
    targets.fhir_file(data, ".json")


@pytest.mark.parametrize("seed", targets.HL7_SEEDS)
def test_the_hl7_seeds_are_events(seed: bytes) -> None:
    received, _ = targets.read(seed)
    assert all(one.event is not None for one in received), [one.refusal for one in received]


@pytest.mark.parametrize("seed", targets.FHIR_SEEDS)
def test_the_fhir_seeds_are_valid(seed: bytes) -> None:
    _, issues = targets.default_validator().validate_json(seed)
    assert not [issue for issue in issues if issue.is_error], issues


@settings(max_examples=25, deadline=None)
@given(targets.mllp_inputs)
def test_random_bytes_on_an_mllp_connection_get_answers_or_a_close(sent: tuple[bytes, int]) -> None:
    targets.mllp_connection(*sent)
