"""Condition: the client's needs (ids "need-<id>") and the Conditions imported from other systems.

A need in JoinedUp is a category and the practitioner's words, not a coded diagnosis: it is served
as a problem-list Condition whose code is text only and whose category says the kind of need, with
its status as the clinical status (ADR 0027). Imported Conditions (coded: SNOMED CT, ICD-10) are
served as they came (ids "source-<id>").
"""

from __future__ import annotations

from typing import Any

from joinedup.clients.models import Need
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound
from joinedup.fhir import queries
from joinedup.fhir.mappers.common import PATIENT_PARAMETER, Mapper, instant, reference, text
from joinedup.fhir.mappers.source import PREFIX, read_source
from joinedup.fhir.mappers.source import to_fhir as source_to_fhir
from joinedup.fhir.models import SourceResource
from joinedup.fhir.registry import Page, Search
from joinedup.fhir.search import reference_id

CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CLINICAL_STATUS = {"open": "active", "met": "resolved", "no_longer_needed": "inactive"}
NEED = "need-"


def need_to_fhir(need: Need) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": f"{NEED}{need.pk}",
        "clinicalStatus": {"coding": [{"system": CLINICAL, "code": CLINICAL_STATUS[need.status]}]},
        "category": [
            {"coding": [{"system": CATEGORY, "code": "problem-list-item", "display": "Problem List Item"}]},
            text(f"Need: {need.get_category_display()}"),
        ],
        "code": text(need.description),
        "subject": reference("Patient", need.client_id),
        "recordedDate": instant(need.recorded_at),
        "recorder": reference("Practitioner", need.recorded_by_id),
    }


class ConditionMapper(Mapper):
    resource_type = "Condition"
    documentation = "Needs (need-<id>) and imported Conditions (source-<id>) of clients the caller may see."
    search_parameters = (PATIENT_PARAMETER,)
    serves_imported = True

    def read(self, actor: Actor, resource_id: str) -> dict[str, Any]:
        if resource_id.startswith(PREFIX):
            return read_source(actor, "Condition", resource_id)
        need = Need.objects.filter(pk=queries.numeric_id(resource_id, NEED)).first()
        if need is None:
            raise NotFound("condition")
        queries.client_for_read(actor, need.client_id, f"Condition/{resource_id}")
        return need_to_fhir(need)

    def search(self, actor: Actor, search: Search) -> Page:
        """Needs first, then imported Conditions, each in client order; `_offset` runs over both."""
        needs = Need.objects.filter(client__in=queries.scoped_clients(actor))
        imported = queries.source_resources(actor, "Condition")
        for value in search.values.get("patient", []):
            client_id = reference_id(value, "Patient")
            needs = needs.filter(client_id=client_id) if client_id.isdigit() else needs.none()
            imported = imported.filter(client_id=client_id) if client_id.isdigit() else imported.none()
        end = search.offset + search.count + 1
        both: list[Any] = list(needs.order_by("client_id", "id")[:end])
        both += list(imported.order_by("client_id", "id")[: max(end - len(both), 0)])
        window = both[search.offset : search.offset + search.count]
        shown = [(type(row).__name__, row.pk, row.client_id) for row in window]
        queries.audited(actor, shown, "FHIR Condition search")
        resources = [need_to_fhir(r) if isinstance(r, Need) else source_to_fhir(r) for r in window]
        return Page(resources, more=len(both) > search.offset + search.count)

    def of_client(self, actor: Actor, client: Any) -> list[dict[str, Any]]:
        imported = SourceResource.objects.filter(client=client, resource_type="Condition").order_by("id")
        return [need_to_fhir(n) for n in client.needs.order_by("id")] + [source_to_fhir(r) for r in imported]
