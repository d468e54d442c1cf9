"""Patient/$everything: the client's record as one searchset Bundle, audited as one view."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from joinedup.core.access import Actor
from joinedup.fhir import queries
from joinedup.fhir.mappers.source import kept_of_client
from joinedup.fhir.registry import mappers
from joinedup.fhir.search import entries


def everything(actor: Actor, resource_id: str, base: str) -> dict[str, Any]:
    """Every resource about the client that the caller may see: JoinedUp's records through each
    mapper, then the resources imported about them that no mapper serves."""
    client = queries.client_for_read(actor, queries.numeric_id(resource_id), "Patient/$everything")
    resources: list[dict[str, Any]] = []
    for mapper in mappers():
        if mapper.resource_type != "AuditEvent":  # the access history has its own rule and search
            resources += mapper.of_client(actor, client)
    resources += kept_of_client(client, {m.resource_type for m in mappers() if m.serves_imported})
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": timezone.now().isoformat(),
        "total": len(resources),
        "link": [{"relation": "self", "url": f"{base}/Patient/{client.pk}/$everything"}],
        "entry": entries(base, resources),  # never empty: the Patient is always there
    }
