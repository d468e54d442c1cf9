"""ServiceRequest and Task: a referral (handover) is a request, and a task that tracks its state.

As in the NHS Booking and Referral Standard, the ServiceRequest says what is asked and the Task
(id "referral-<id>") where it stands: requested, on hold while information is asked for, accepted,
rejected (declined, with the reason) or cancelled (withdrawn). A draft is its sending team's alone.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from joinedup.core.access import Actor
from joinedup.core.errors import NotFound
from joinedup.fhir import queries
from joinedup.fhir.mappers.common import (
    PATIENT_PARAMETER,
    Mapper,
    instant,
    page_of,
    period,
    reference,
    text,
    without_empty,
)
from joinedup.fhir.registry import BadRequest, Page, Search, SearchParameter
from joinedup.fhir.search import reference_id
from joinedup.handover.models import Referral

REQUEST_STATUS = {
    "draft": "draft",
    "sent": "active",
    "information_requested": "active",
    "accepted": "completed",
    "declined": "revoked",
    "withdrawn": "revoked",
}
TASK_STATUS = {
    "draft": "draft",
    "sent": "requested",
    "information_requested": "on-hold",
    "accepted": "accepted",
    "declined": "rejected",
    "withdrawn": "cancelled",
}
PRIORITY = {"emergency": "stat", "urgent": "urgent", "routine": "routine"}
KIND = {"transfer_of_care": "Transfer of care", "request_for_service": "Request for a service"}
_RELATED = ("sending_team__organisation", "receiving_team__organisation", "referrer")


def visible_referrals(actor: Actor) -> QuerySet[Referral]:
    """Referrals of clients the actor may see; a draft only for its sending team."""
    rows = Referral.objects.filter(client__in=queries.scoped_clients(actor)).select_related(*_RELATED)
    return rows.filter(~Q(state="draft") | Q(sending_team_id__in=actor.team_ids))


def referral(actor: Actor, referral_id: int) -> Referral:
    found = visible_referrals(actor).filter(pk=referral_id).first()
    if found is None:
        raise NotFound("referral")
    queries.client_for_read(actor, found.client_id, f"referral {found.pk}")
    return found


def request_to_fhir(row: Referral) -> dict[str, Any]:
    receiving = row.receiving_team
    return without_empty(
        {
            "resourceType": "ServiceRequest",
            "id": str(row.pk),
            "status": REQUEST_STATUS[row.state],
            "intent": "order",
            "category": [text(KIND.get(row.kind, row.kind))],
            "priority": PRIORITY.get(row.urgency, "routine"),
            "code": text(f"{KIND.get(row.kind, row.kind)} to {receiving.name}"),
            "subject": reference("Patient", row.client_id),
            "authoredOn": instant(row.sent_at or row.created_at),
            "requester": reference("Practitioner", row.referrer_id, row.referrer.display_name),
            "performer": [reference("Organization", receiving.organisation_id, receiving.name)],
        }
    )


def task_to_fhir(row: Referral) -> dict[str, Any]:
    reason = row.decline_reason or row.withdraw_reason
    return without_empty(
        {
            "resourceType": "Task",
            "id": f"referral-{row.pk}",
            "status": TASK_STATUS[row.state],
            "businessStatus": text(row.get_state_display()),
            "statusReason": text(reason) if reason and row.state in ("declined", "withdrawn") else None,
            "intent": "order",
            "priority": PRIORITY.get(row.urgency, "routine"),
            "focus": reference("ServiceRequest", row.pk),
            "for": reference("Patient", row.client_id),
            "authoredOn": instant(row.sent_at or row.created_at),
            "lastModified": instant(row.updated_at),
            "requester": reference("Organization", row.sending_team.organisation_id, row.sending_team.name),
            "owner": reference("Organization", row.receiving_team.organisation_id, row.receiving_team.name),
            "restriction": {"period": period(None, row.deadline_at)} if row.deadline_at else None,
        }
    )


def filtered(rows: QuerySet[Referral], search: Search, statuses: dict[str, str]) -> QuerySet[Referral]:
    for value in search.values.get("patient", []):
        client_id = reference_id(value, "Patient")
        rows = rows.filter(client_id=client_id) if client_id.isdigit() else rows.none()
    for value in search.values.get("status", []):
        states = [state for state, status in statuses.items() if status == value]
        if value not in statuses.values():
            raise BadRequest(f"status is one of {', '.join(sorted(set(statuses.values())))}")
        rows = rows.filter(state__in=states)
    return rows.order_by("-created_at", "-id")


class ServiceRequestMapper(Mapper):
    resource_type = "ServiceRequest"
    documentation = "Referrals between teams; the Task referral-<id> tracks each one's state."
    search_parameters = (PATIENT_PARAMETER, SearchParameter("status", "token", "draft, active, completed, revoked"))

    def read(self, actor: Actor, resource_id: str) -> dict[str, Any]:
        return request_to_fhir(referral(actor, queries.numeric_id(resource_id)))

    def search(self, actor: Actor, search: Search) -> Page:
        shown, page = page_of(filtered(visible_referrals(actor), search, REQUEST_STATUS), search, request_to_fhir)
        queries.audited(actor, [("Referral", r.pk, r.client_id) for r in shown], "FHIR ServiceRequest search")
        return page

    def of_client(self, actor: Actor, client: Any) -> list[dict[str, Any]]:
        return [request_to_fhir(r) for r in visible_referrals(actor).filter(client=client).order_by("-created_at")]
