"""What an imported CarePlan, Goal or CareTeam says, in the care plans part's terms (ADR 0046). Pure.

References are named from what the import holds (`found`: referenced resources by "Type/id", the
resource's own contained ones by "#id"), else from the reference's display, else as written. Nothing
is added: a plan keeps its own status and dates, a member their own role and period.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from joinedup.careplans.rules.elsewhere import (
    Activity,
    GoalFromElsewhere,
    MemberFromElsewhere,
    PlanFromElsewhere,
    Target,
    TeamFromElsewhere,
)
from joinedup.fhir.rules import ODS_SYSTEM, ods_code_of

CARE_TYPES = frozenset({"CarePlan", "Goal", "CareTeam"})
# Resources whose names an imported care record may need.
NAMED_TYPES = frozenset(
    {"Practitioner", "PractitionerRole", "Organization", "RelatedPerson", "Patient", "Condition", "CareTeam"}
)
_KINDS = {
    "Practitioner": "person",
    "PractitionerRole": "person",
    "RelatedPerson": "related person",
    "Patient": "client",
    "Organization": "organisation",
    "CareTeam": "team",
}
Found = Mapping[str, dict[str, Any]]


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if type(v) is dict] if type(value) is list else []


def _list(value: Any) -> list[Any]:
    return value if type(value) is list else []


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def concept_text(concept: Any) -> str:
    """A CodeableConcept in words: its text, else its first coding's display, else its code."""
    if type(concept) is not dict:
        return ""
    if _str(concept.get("text")):
        return _str(concept["text"])
    codings = _dicts(concept.get("coding"))
    return next((_str(c.get("display")) for c in codings if _str(c.get("display"))), "") or next(
        (_str(c.get("code")) for c in codings if _str(c.get("code"))), ""
    )


def _human_name(resource: dict[str, Any]) -> str:
    names = _dicts(resource.get("name"))
    names.sort(key=lambda n: n.get("use") not in ("official", "usual"))
    for name in names:
        if _str(name.get("text")):
            return _str(name["text"])
        parts = [*_list(name.get("prefix")), *_list(name.get("given")), name.get("family")]
        words = " ".join(_str(p) for p in parts if _str(p))
        if words:
            return words
    return ""


def name_of(resource: dict[str, Any] | None, found: Found) -> str:
    """What a resource is called, by its type."""
    if not resource:
        return ""
    kind = resource.get("resourceType")
    if kind in ("Practitioner", "RelatedPerson", "Patient"):
        return _human_name(resource)
    if kind in ("Organization", "CareTeam"):
        return _str(resource.get("name"))
    if kind == "Condition":
        return concept_text(resource.get("code"))
    if kind == "PractitionerRole":
        person = _target(resource.get("practitioner"), found, {})
        role = ", ".join(t for t in (concept_text(c) for c in _dicts(resource.get("code"))) if t)
        return ", ".join(part for part in (name_of(person, found), role) if part)
    return ""


def _target(ref: Any, found: Found, contained: Found) -> dict[str, Any] | None:
    if type(ref) is not dict:
        return None
    reference = _str(ref.get("reference"))
    return contained.get(reference) if reference.startswith("#") else found.get(reference)


def _type_of(ref: dict[str, Any], target: dict[str, Any] | None) -> str:
    if target is not None:
        return str(target.get("resourceType", ""))
    reference = _str(ref.get("reference"))
    return reference.split("/")[0] if "/" in reference else _str(ref.get("type"))


def named(ref: Any, found: Found, contained: Found) -> str:
    """A Reference in words: its display, else the name of what it points to, else as written."""
    if type(ref) is not dict:
        return ""
    if _str(ref.get("display")):
        return _str(ref["display"])
    name = name_of(_target(ref, found, contained), found)
    identifier = ref.get("identifier")
    if not name and type(identifier) is dict:
        name = _str(identifier.get("value"))
        name = f"ODS {name}" if name and identifier.get("system") == ODS_SYSTEM else name
    return name or _str(ref.get("reference"))


def _ods(ref: Any, found: Found, contained: Found) -> str:
    """The ODS code of a referenced Organization (its identifier, or the reference's)."""
    if type(ref) is not dict:
        return ""
    identifier = ref.get("identifier")
    if type(identifier) is dict and identifier.get("system") == ODS_SYSTEM and _str(identifier.get("value")):
        return _str(identifier["value"]).upper()
    target = _target(ref, found, contained)
    return (ods_code_of(target) or "") if target and target.get("resourceType") == "Organization" else ""


def references(resource: dict[str, Any]) -> set[str]:
    """Every "Type/id" reference in the resource to a type whose name it may need."""
    return {r for r in _all_references(resource) if r.split("/")[0] in NAMED_TYPES and r.count("/") == 1}


def _all_references(value: Any) -> Iterator[str]:
    if type(value) is dict:
        if type(value.get("reference")) is str:
            yield value["reference"]
        for inner in value.values():
            yield from _all_references(inner)
    elif type(value) is list:
        for inner in value:
            yield from _all_references(inner)


def _contained(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"#{c['id']}": c for c in _dicts(resource.get("contained")) if _str(c.get("id"))}


def _period(value: Any) -> tuple[str, str]:
    return (_str(value.get("start")), _str(value.get("end"))) if type(value) is dict else ("", "")


def source_of(resource: dict[str, Any], found: Found) -> str:
    """Who sent it: the system its meta names, else the organisation that manages it (a CareTeam's
    managingOrganization, a CarePlan authored by an Organization); "" when it says neither."""
    meta = resource.get("meta")
    if type(meta) is dict and _str(meta.get("source")):
        return _str(meta["source"])
    contained = _contained(resource)
    managers = _dicts(resource.get("managingOrganization"))
    if managers:
        return named(managers[0], found, contained)
    author = resource.get("author")
    if type(author) is dict and _type_of(author, _target(author, found, contained)) == "Organization":
        return named(author, found, contained)
    return ""


def plan_from(resource: dict[str, Any], client_id: int, key: str, source_file: str, found: Found) -> PlanFromElsewhere:
    contained = _contained(resource)
    start, end = _period(resource.get("period"))
    return PlanFromElsewhere(
        key=key,
        client_id=client_id,
        source=source_of(resource, found),
        source_file=source_file,
        status=_str(resource.get("status")),
        intent=_str(resource.get("intent")),
        title=_str(resource.get("title")),
        description=_str(resource.get("description")),
        categories=tuple(t for t in (concept_text(c) for c in _dicts(resource.get("category"))) if t),
        period_start=start,
        period_end=end,
        author=named(resource.get("author"), found, contained),
        addresses=tuple(t for t in (named(r, found, contained) for r in _dicts(resource.get("addresses"))) if t),
        activities=tuple(_activity(a, found, contained) for a in _dicts(resource.get("activity"))),
        goal_keys=tuple(
            ref for ref in (_str(g.get("reference")) for g in _dicts(resource.get("goal"))) if ref.startswith("Goal/")
        ),
    )


def _activity(activity: dict[str, Any], found: Found, contained: Found) -> Activity:
    detail = activity.get("detail") if type(activity.get("detail")) is dict else {}
    assert isinstance(detail, dict)
    what = concept_text(detail.get("code")) or _str(detail.get("description"))
    what = what or named(activity.get("reference"), found, contained)
    what = what or "; ".join(concept_text(c) for c in _dicts(activity.get("outcomeCodeableConcept")))
    performers = tuple(p for p in (named(r, found, contained) for r in _dicts(detail.get("performer"))) if p)
    return Activity(what=what or "Not described", status=_str(detail.get("status")), performers=performers)


def goal_from(resource: dict[str, Any], client_id: int, key: str, source_file: str, found: Found) -> GoalFromElsewhere:
    return GoalFromElsewhere(
        key=key,
        client_id=client_id,
        source=source_of(resource, found),
        source_file=source_file,
        description=concept_text(resource.get("description")) or "Not described",
        lifecycle_status=_str(resource.get("lifecycleStatus")),
        achievement_status=concept_text(resource.get("achievementStatus")),
        start=_str(resource.get("startDate")) or concept_text(resource.get("startCodeableConcept")),
        targets=tuple(_target_of(t) for t in _dicts(resource.get("target"))),
    )


def _quantity(value: Any) -> str:
    if type(value) is not dict or "value" not in value:
        return ""
    unit = _str(value.get("unit")) or _str(value.get("code"))
    return " ".join(p for p in (_str(value.get("comparator")), str(value["value"]), unit) if p)


def _target_of(target: dict[str, Any]) -> Target:
    if "detailQuantity" in target:
        detail = _quantity(target["detailQuantity"])
    elif type(target.get("detailRange")) is dict:
        low, high = _quantity(target["detailRange"].get("low")), _quantity(target["detailRange"].get("high"))
        detail = f"{low} to {high}" if low and high else f"at least {low}" if low else f"at most {high}" if high else ""
    elif "detailCodeableConcept" in target:
        detail = concept_text(target["detailCodeableConcept"])
    elif type(target.get("detailRatio")) is dict:
        ratio = target["detailRatio"]
        detail = f"{_quantity(ratio.get('numerator'))} per {_quantity(ratio.get('denominator'))}"
    else:
        value = next((target[k] for k in ("detailString", "detailInteger", "detailBoolean") if k in target), "")
        detail = str(value).lower() if isinstance(value, bool) else str(value)
    due = _str(target.get("dueDate")) or (f"in {_quantity(target['dueDuration'])}" if "dueDuration" in target else "")
    return Target(measure=concept_text(target.get("measure")), detail=detail, due=due)


def team_from(resource: dict[str, Any], client_id: int, key: str, source_file: str, found: Found) -> TeamFromElsewhere:
    contained = _contained(resource)
    return TeamFromElsewhere(
        key=key,
        client_id=client_id,
        source=source_of(resource, found),
        source_file=source_file,
        name=_str(resource.get("name")),
        status=_str(resource.get("status")),
        members=tuple(_member(p, found, contained) for p in _dicts(resource.get("participant"))),
    )


def _member(participant: dict[str, Any], found: Found, contained: Found) -> MemberFromElsewhere:
    ref = participant.get("member") if type(participant.get("member")) is dict else {}
    assert isinstance(ref, dict)
    target = _target(ref, found, contained)
    kind = _KINDS.get(_type_of(ref, target), "")
    roles = [concept_text(r) for r in _dicts(participant.get("role"))]
    acts_for = participant.get("onBehalfOf")
    if target is not None and target.get("resourceType") == "PractitionerRole":
        acts_for = acts_for or target.get("organization")
    own_ods = _ods(ref, found, contained)  # an organisation named by its ODS code alone is one
    kind = kind or ("organisation" if own_ods else "")
    ods = own_ods if kind == "organisation" else _ods(acts_for, found, contained)
    start, end = _period(participant.get("period"))
    return MemberFromElsewhere(
        name=named(ref, found, contained) or "Not named",
        kind=kind,
        roles=tuple(r for r in roles if r),
        organisation=named(acts_for, found, contained),
        ods_code=ods,
        period_start=start,
        period_end=end,
    )
