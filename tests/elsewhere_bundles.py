"""Hand-made bundles of care from elsewhere: a CareTeam, a CarePlan and a Goal about one client, with the
practitioners, organisations, carer and condition they refer to, as another system would send them."""

from __future__ import annotations

import copy
from typing import Any

from tests.integration.fhir_helpers import ODS, patient, transaction

NUMBER = "9990000018"
SDS = "https://fhir.nhs.uk/Id/sds-user-id"


def organisation(oid: str, ods: str, name: str) -> dict[str, Any]:
    return {"resourceType": "Organization", "id": oid, "identifier": [{"system": ODS, "value": ods}], "name": name}


def care_team(tid: str = "ct1", subject: str = "urn:uuid:p1", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "CareTeam",
        "id": tid,
        "status": "active",
        "name": "Memory support team",
        "subject": {"reference": subject},
        "managingOrganization": [{"reference": "urn:uuid:o1"}],
        "participant": [
            {
                "role": [{"coding": [{"system": "http://snomed.info/sct", "code": "224546007",
                                      "display": "Community psychiatric nurse"}]}],
                "member": {"reference": "urn:uuid:pr1"},
                "onBehalfOf": {"reference": "urn:uuid:o1"},
                "period": {"start": "2024-01-10"},
            },
            {"role": [{"text": "Hospice at home"}], "member": {"reference": "urn:uuid:o2"},
             "period": {"start": "2024-02", "end": "2024-05-31"}},
            {"role": [{"text": "Main carer"}], "member": {"reference": "urn:uuid:rp1"}},
            {"role": [{"text": "GP"}], "member": {"display": "Dr Amina Ahmed"}},
        ],
        **extra,
    }  # fmt: skip


def goal(gid: str = "g1", subject: str = "urn:uuid:p1", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Goal",
        "id": gid,
        "lifecycleStatus": "active",
        "achievementStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/goal-achievement",
                                          "code": "improving"}]},
        "description": {"text": "Walk to the park with my grandson"},
        "subject": {"reference": subject},
        "target": [{"measure": {"text": "Distance walked"},
                    "detailQuantity": {"value": 500, "unit": "m"}, "dueDate": "2026-06-01"}],
        **extra,
    }  # fmt: skip


def care_plan(pid: str = "cp1", subject: str = "urn:uuid:p1", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "CarePlan",
        "id": pid,
        "status": "active",
        "intent": "plan",
        "title": "Memory care plan",
        "description": "Support to stay at home with memory loss",
        "category": [{"text": "Dementia care"}],
        "subject": {"reference": subject},
        "period": {"start": "2024-01-10"},
        "author": {"reference": "urn:uuid:pr1"},
        "addresses": [{"reference": "urn:uuid:c1"}],
        "goal": [{"reference": "urn:uuid:g1"}],
        "activity": [{"detail": {"status": "scheduled", "description": "Memory clinic review every 3 months",
                                 "performer": [{"reference": "urn:uuid:o1"}]}}],
        **extra,
    }  # fmt: skip


def others() -> list[dict[str, Any]]:
    """What the care records refer to: the client, two organisations (one JoinedUp knows by ODS code), a
    nurse, the client's daughter, the condition the plan is for."""
    return [
        patient("p1", nhs=NUMBER),
        organisation("o1", "RV3", "Riverside Mental Health"),
        organisation("o2", "ZZ991", "Elsewhere Hospice"),
        {"resourceType": "Practitioner", "id": "pr1", "identifier": [{"system": SDS, "value": "555123456789"}],
         "name": [{"family": "Nurseson", "given": ["Nia"]}]},
        {"resourceType": "RelatedPerson", "id": "rp1", "patient": {"reference": "urn:uuid:p1"},
         "name": [{"text": "Grace Okafor (daughter)"}]},
        {"resourceType": "Condition", "id": "c1", "subject": {"reference": "urn:uuid:p1"},
         "code": {"coding": [{"system": "http://snomed.info/sct", "code": "52448006", "display": "Dementia"}]}},
    ]  # fmt: skip


def bundle(*extra: dict[str, Any]) -> dict[str, Any]:
    """The client's care team, plan and goal, with what they refer to, and any `extra` resources."""
    return transaction(*others(), care_team(), care_plan(), goal(), *copy.deepcopy(list(extra)))
