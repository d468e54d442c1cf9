"""Agreement of JoinedUp's FHIR validation with the official (HL7 Java) validator's expected outcomes.

The cases are those of fhir_validator_testcases (FHIR/fhir-test-cases, R4) that JoinedUp can judge
as the official validator did: JSON payloads (or payloads that are not JSON at all), of the resource
types the FHIR interface accepts, validated against the base specification alone: no implementation
guide packages, no supporting profiles, no terminology server. A case agrees when both call it valid
(no fatal or error issue) or both call it invalid.

    uv run --frozen python -m tests.fhir_agreement        # prints each case and the rate
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from joinedup.fhir.validation.validator import default_validator

# What the FHIR interface reads, searches, imports or keeps: see docs/fhir-validation.md.
ACCEPTED_TYPES = frozenset(
    {
        "Patient", "Practitioner", "PractitionerRole", "Organization", "EpisodeOfCare", "CareTeam",
        "ServiceRequest", "Task", "Condition", "Consent", "AuditEvent", "CarePlan", "Goal", "Encounter",
        "Flag", "Bundle",
    }
)  # fmt: skip
NOT_JSON = "(xml or non-json)"


@dataclass(frozen=True)
class Case:
    name: str
    file: Path
    expected_valid: bool
    module: str
    description: str


@dataclass(frozen=True)
class Verdict:
    case: Case
    valid: bool
    first_problem: str

    @property
    def agrees(self) -> bool:
        return self.valid == self.case.expected_valid


def cases(folder: Path, *, with_terminology: bool = False) -> list[Case]:
    """The cases of INDEX.csv that JoinedUp can judge (see the module's docstring)."""
    found = []
    with (folder / "INDEX.csv").open(newline="") as index:
        for row in csv.DictReader(index):
            manifest = json.loads(row["manifest_entry"])
            if manifest.get("use-test") is False or not row["file"].endswith(".json"):
                continue
            if row["resourceType"] not in ACCEPTED_TYPES and row["resourceType"] != NOT_JSON:
                continue
            if row["packages"] or row["supporting"]:
                continue
            if row["needs_terminology_server"] == "True" and not with_terminology:
                continue
            errors = int(row["expected_fatal"] or 0) + int(row["expected_error"] or 0)
            found.append(Case(row["name"], folder / row["file"], errors == 0, row["module"], row["description"]))
    return found


def judge(case: Case) -> Verdict:
    _, issues = default_validator().validate_json(case.file.read_bytes())
    errors = [issue for issue in issues if issue.is_error]
    first = f"{errors[0].expression}: {errors[0].diagnostics}" if errors else ""
    return Verdict(case, not errors, first)


def agreement(verdicts: list[Verdict]) -> float:
    return sum(v.agrees for v in verdicts) / len(verdicts) if verdicts else 0.0


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path("../shared/corpora/fhir_validator_testcases/dev")
    for with_terminology in (False, True):
        verdicts = [judge(case) for case in cases(folder, with_terminology=with_terminology)]
        print(f"\n## {'with' if with_terminology else 'without'} terminology-server cases")
        for verdict in verdicts:
            mark = "agree   " if verdict.agrees else "DISAGREE"
            expected = "valid" if verdict.case.expected_valid else "invalid"
            print(f"{mark} {verdict.case.name:45} expected {expected:7} {verdict.first_problem[:110]}")
        agreeing = sum(v.agrees for v in verdicts)
        print(f"agreement: {agreeing}/{len(verdicts)} = {agreement(verdicts):.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
