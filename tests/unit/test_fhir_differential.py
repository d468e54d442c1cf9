"""Differential test: JoinedUp's validator against fhir.resources (R4B models) on the same resources.

Where the two disagree, the reason must be one of those known: a resource type that R4B removed
(fhir.resources has no model for it), or a check fhir.resources does not make (required bindings,
invariants, reference targets, bundle and contained-resource rules, extension contexts, the NHS number).
"""

from __future__ import annotations

import gzip
import json
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

from joinedup.fhir.validation.validator import default_validator
from tests.corpora import corpus

# Checks of JoinedUp's that fhir.resources does not make (it checks structure and primitives only).
NOT_CHECKED_BY_FHIR_RESOURCES = ("code-invalid", "invariant", "not-found")
NOT_CHECKED_MESSAGES = ("is not a valid target", "fullUrl", "NHS number", "extension", "narrative", "contained")


def _theirs(resource: dict[str, Any]) -> str | None:
    try:
        model = get_fhir_model_class(resource["resourceType"])
    except (KeyError, ValueError) as error:
        return f"no R4B model: {error}"
    try:
        model.model_validate(resource)
    except Exception as error:  # pydantic's ValidationError, or the model's own
        return str(error).splitlines()[0]
    return None


def _resources() -> list[tuple[str, dict[str, Any]]]:
    found = [(p.name, json.loads(p.read_text())) for p in sorted(corpus("fhir_r4_examples").glob("dev/*.json"))]
    for path in sorted(corpus("synthea_fhir_r4").glob("dev/*.json.gz"))[:10]:
        bundle = json.loads(gzip.decompress(path.read_bytes()))
        found += [(path.name, entry["resource"]) for entry in bundle["entry"]]
    return found


def _explained(resource: dict[str, Any], ours: list[Any], theirs: str | None) -> bool:
    if theirs is not None and not ours:
        # R4B removed these types (MedicinalProduct*, EffectEvidenceSynthesis, SubstanceSpecification...).
        return theirs.startswith("no R4B model")
    return all(
        issue.code in NOT_CHECKED_BY_FHIR_RESOURCES or any(m in issue.diagnostics for m in NOT_CHECKED_MESSAGES)
        for issue in ours
    )


def test_every_disagreement_with_fhir_resources_is_explained() -> None:
    unexplained = []
    disagreements = 0
    for name, resource in _resources():
        ours = [issue for issue in default_validator().validate(resource) if issue.is_error]
        theirs = _theirs(resource)
        if bool(ours) != (theirs is not None):
            disagreements += 1
            if not _explained(resource, ours, theirs):
                unexplained.append((name, ours[:2], theirs))
    assert unexplained == []
    assert disagreements < 40  # a handful: removed types, spec examples with wrong reference targets
