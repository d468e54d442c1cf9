"""Agreement with the official FHIR validator on fhir_validator_testcases/dev (see tests/fhir_agreement.py).

The floor is what JoinedUp reached when docs/fhir-validation.md was written: a change that makes
JoinedUp disagree with the official validator more often fails here.
"""

from __future__ import annotations

from tests.corpora import corpus
from tests.fhir_agreement import agreement, cases, judge

AGREEING_FLOOR = 70  # of 77 cases: 90.9 %
RATE_FLOOR = 0.90


def test_agreement_with_the_official_validator_does_not_drop() -> None:
    verdicts = [judge(case) for case in cases(corpus("fhir_validator_testcases") / "dev")]
    assert len(verdicts) >= 70
    disagreeing = [(v.case.name, v.case.expected_valid, v.first_problem) for v in verdicts if not v.agrees]
    assert sum(v.agrees for v in verdicts) >= AGREEING_FLOOR, disagreeing
    assert agreement(verdicts) >= RATE_FLOOR, disagreeing


def test_every_invalid_case_agreed_on_is_refused_with_a_located_error() -> None:
    for verdict in (judge(case) for case in cases(corpus("fhir_validator_testcases") / "dev")):
        if verdict.agrees and not verdict.case.expected_valid:
            assert verdict.first_problem, verdict.case.name
