"""Reads for the FHIR interface: scoped by the access policy and audited, like every read of a client.

A resource about a client is the caller's to see exactly when the client is (core.access); a refusal
looks like absence. Every resource shown is audited before it is returned.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet

from joinedup.clients.models import Client
from joinedup.clients.queries import visible_client
from joinedup.core import audit
from joinedup.core.access import Actor, visible_clients
from joinedup.core.audit import Entry
from joinedup.core.errors import NotFound
from joinedup.fhir.models import SourceResource


def client_for_read(actor: Actor, client_id: int | None, what: str) -> Client:
    """The client a resource is about, if the actor may see them (the view is audited); else NotFound."""
    if client_id is None:
        raise NotFound(what)
    client, _ = visible_client(actor, client_id, what=f"FHIR {what}")
    return client


def scoped_clients(actor: Actor) -> QuerySet[Client]:
    return visible_clients(actor)


def audited(actor: Actor, shown: Iterable[tuple[str, object, int | None]], reason: str) -> None:
    """One audit event per resource shown in a list: (object type, id, client id)."""
    entries = [Entry("list", kind, object_id, client_id, reason) for kind, object_id, client_id in shown]
    if entries:
        with transaction.atomic():
            audit.record_many(actor, entries)


def numeric_id(resource_id: str, prefix: str = "") -> int:
    """The database id in a resource id ("12", "need-12"); NotFound for anything else."""
    if prefix:
        if not resource_id.startswith(prefix):
            raise NotFound("resource")
        resource_id = resource_id[len(prefix) :]
    if not resource_id.isdigit() or len(resource_id) > 18:
        raise NotFound("resource")
    return int(resource_id)


def source_resources(actor: Actor, resource_type: str | None = None) -> QuerySet[SourceResource]:
    """Imported resources about clients the actor may see (never those linked to no client)."""
    rows = SourceResource.objects.filter(client__in=visible_clients(actor))
    return rows.filter(resource_type=resource_type) if resource_type else rows
