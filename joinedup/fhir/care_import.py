"""Imported CarePlans, Goals and CareTeams about known clients become the care plans part's records of
care from elsewhere, through its service (careplans.services.elsewhere; ADR 0046).

In the import batch's transaction, after the batch's source resources are stored: the practitioners,
organisations, conditions... they refer to are named from the resources the import holds, by
identity, in one query per type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from joinedup.careplans.services.elsewhere import Recorded, forget_from_elsewhere, record_from_elsewhere
from joinedup.core.access import Actor
from joinedup.fhir import care_in
from joinedup.fhir.models import SourceResource

if TYPE_CHECKING:
    from joinedup.fhir.preparing import Prepared

REASON = "FHIR import"
MAPPED_TO = {"CarePlan": "ExternalCarePlan", "Goal": "ExternalGoal", "CareTeam": "ExternalCareTeamMember"}


def _fetch(wanted: set[str], found: dict[str, dict[str, Any]]) -> None:
    by_type: dict[str, set[str]] = {}
    for ref in wanted - set(found):
        kind, _, rid = ref.partition("/")
        by_type.setdefault(kind, set()).add(rid)
    for kind, ids in by_type.items():
        rows = SourceResource.objects.filter(resource_type=kind, resource_id__in=ids)
        for rid, content in rows.values_list("resource_id", "content"):
            found[f"{kind}/{rid}"] = content


def _found_for(resources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The resources they refer to, and those a PractitionerRole among them refers to."""
    found: dict[str, dict[str, Any]] = {}
    _fetch(set().union(*(care_in.references(r) for r in resources)), found)
    roles = [r for r in found.values() if r.get("resourceType") == "PractitionerRole"]
    if roles:
        _fetch(set().union(*(care_in.references(r) for r in roles)), found)
    return found


def record_care(actor: Actor, items: list[tuple[Prepared, int]]) -> Recorded:
    """Each (CarePlan, Goal or CareTeam, its client's id) as care from elsewhere."""
    if not items:
        return Recorded()
    resources = [orjson.loads(item.data) for item, _ in items]
    found = _found_for(resources)
    made: dict[str, list[Any]] = {"CarePlan": [], "Goal": [], "CareTeam": []}
    build = {"CarePlan": care_in.plan_from, "Goal": care_in.goal_from, "CareTeam": care_in.team_from}
    for (item, client_id), resource in zip(items, resources, strict=True):
        key = f"{item.resource_type}/{item.resource_id}"
        made[item.resource_type].append(build[item.resource_type](resource, client_id, key, item.file, found))
    return record_from_elsewhere(actor, REASON, plans=made["CarePlan"], goals=made["Goal"], teams=made["CareTeam"])


def forget_care(actor: Actor, keys: list[str]) -> None:
    """What a newer copy no longer says about a known client stops being shown as theirs."""
    if keys:
        forget_from_elsewhere(actor, REASON, keys)
