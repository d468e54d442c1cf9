"""Imported resources kept as source data, served back as they came (ids "source-<id>").

A resource read from another system that JoinedUp does not (yet) map into its own records is kept
whole (fhir.models.SourceResource) and linked to its client. It is served with the client's scope:
its id becomes "source-<id>", its subject or patient the client's Patient; other references stay as
the sending system wrote them. Resources linked to no client are never served.
"""

from __future__ import annotations

from typing import Any

from joinedup.core.access import Actor
from joinedup.core.errors import NotFound
from joinedup.fhir import queries
from joinedup.fhir.mappers.common import reference
from joinedup.fhir.models import SourceResource
from joinedup.fhir.rules import SUBJECT_KEYS

PREFIX = "source-"


def to_fhir(row: SourceResource) -> dict[str, Any]:
    resource = dict(row.content)
    resource["id"] = f"{PREFIX}{row.pk}"
    for key in SUBJECT_KEYS:
        target = resource.get(key)
        if type(target) is dict and str(target.get("reference", "")).startswith("Patient/") and row.client_id:
            resource[key] = {**target, **reference("Patient", row.client_id)}
    return resource


def read_source(actor: Actor, resource_type: str, resource_id: str) -> dict[str, Any]:
    row = queries.source_resources(actor, resource_type).filter(pk=queries.numeric_id(resource_id, PREFIX)).first()
    if row is None:
        raise NotFound(resource_type)
    queries.client_for_read(actor, row.client_id, f"{resource_type}/{resource_id}")
    return to_fhir(row)


def kept_of_client(client: Any, served: set[str]) -> list[dict[str, Any]]:
    """Every imported resource about the client but those whose mappers serve them already, and the
    Patient (the client is): for Patient/$everything."""
    rows = SourceResource.objects.filter(client=client).exclude(resource_type__in=served | {"Patient"})
    return [to_fhir(row) for row in rows.order_by("resource_type", "id")]


def read(mapper: Any, actor: Actor, resource_id: str) -> dict[str, Any]:
    """A read of any served type: an imported resource ("source-<id>") if its mapper leaves those here."""
    if resource_id.startswith(PREFIX) and not mapper.serves_imported:
        return read_source(actor, mapper.resource_type, resource_id)
    return mapper.read(actor, resource_id)
