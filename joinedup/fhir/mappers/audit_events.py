"""AuditEvent: who saw or changed a client's record, for those allowed to read it.

As on the access history page: only members of the client's accountable team or locality MDT may
read a client's audit events, and reading them is itself audited. Events about no client (sign-ins,
tokens, imports) are not served.
"""

from __future__ import annotations

from typing import Any

from joinedup.clients.queries import access_history
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound
from joinedup.core.models import AuditEvent
from joinedup.fhir import queries
from joinedup.fhir.mappers.common import PATIENT_PARAMETER, Mapper, instant, reference, text
from joinedup.fhir.registry import BadRequest, Page, Search
from joinedup.fhir.search import reference_id

ACTION = {"create": "C", "update": "U", "view": "R", "list": "R", "search": "R", "revoke": "U"}
OUTCOME = {"success": "0", "refused": "4"}
EVENT_TYPE = {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest"}
SOURCE_TYPE = {"system": "http://terminology.hl7.org/CodeSystem/security-source-type", "code": "4"}


def to_fhir(event: AuditEvent) -> dict[str, Any]:
    who = reference("Practitioner", event.actor_id, event.actor_username) if event.actor_id else None
    agent = {"who": who or {"display": event.actor_username}, "requestor": True}
    if event.actor_roles:
        agent["role"] = [text(role) for role in event.actor_roles.split(",")]
    return {
        "resourceType": "AuditEvent",
        "id": str(event.pk),
        "type": {**EVENT_TYPE, "display": "RESTful Operation"},
        "action": ACTION.get(event.action, "E"),
        "recorded": instant(event.occurred_at),
        "outcome": OUTCOME.get(event.outcome, "8"),
        "outcomeDesc": event.reason or event.outcome,
        "agent": [agent],
        "source": {"observer": {"display": f"JoinedUp ({event.channel})"}, "type": [SOURCE_TYPE]},
        "entity": [
            {
                "what": reference("Patient", event.client_id),
                "description": f"{event.action} {event.object_type} {event.object_id}".strip(),
            }
        ],
    }


class AuditEventMapper(Mapper):
    resource_type = "AuditEvent"
    documentation = "A client's access history: for their accountable team and locality MDT only. Search needs patient."
    search_parameters = (PATIENT_PARAMETER,)

    def read(self, actor: Actor, resource_id: str) -> dict[str, Any]:
        event = AuditEvent.objects.filter(pk=queries.numeric_id(resource_id), client_id__isnull=False).first()
        if event is None or event.client_id is None:
            raise NotFound("audit event")
        access_history(actor, event.client_id, limit=0)  # refuses (audited) unless the caller may read it
        return to_fhir(event)

    def search(self, actor: Actor, search: Search) -> Page:
        patients = search.values.get("patient", [])
        if len(patients) != 1:
            raise BadRequest("AuditEvent search needs exactly one patient: ?patient=Patient/<id>")
        client_id = reference_id(patients[0], "Patient")
        if not client_id.isdigit():
            raise NotFound("client")
        client, _ = access_history(actor, int(client_id), limit=0)
        rows = AuditEvent.objects.filter(client_id=client.pk).order_by("-id")
        found = list(rows[search.offset : search.offset + search.count + 1])
        return Page([to_fhir(e) for e in found[: search.count]], more=len(found) > search.count)
