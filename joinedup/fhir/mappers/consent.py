"""Consent: each decision about consent to share; the newest is active, those before it inactive."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, QuerySet

from joinedup.clients.models import ConsentDecision
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound
from joinedup.fhir import queries
from joinedup.fhir.mappers.common import PATIENT_PARAMETER, Mapper, instant, page_of, reference, without_empty
from joinedup.fhir.registry import Page, Search
from joinedup.fhir.search import reference_id

SCOPE = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]}
CATEGORY = {"coding": [{"system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent"}]}
POLICY = {"text": "Sharing the client's record between the organisations of the integrated care system"}
PROVISION = {"given": "permit", "refused": "deny"}


def to_fhir(decision: ConsentDecision, current: bool) -> dict[str, Any]:
    if decision.decision == "not_asked":
        status = "proposed" if current else "inactive"
    else:
        status = "active" if current else "inactive"
    provision = PROVISION.get(decision.decision)
    return without_empty(
        {
            "resourceType": "Consent",
            "id": str(decision.pk),
            "status": status,
            "scope": SCOPE,
            "category": [CATEGORY],
            "patient": reference("Patient", decision.client_id),
            "dateTime": instant(decision.recorded_at),
            "organization": [reference("Organization", decision.client.holding_organisation_id)],
            "policyRule": POLICY,
            "provision": {"type": provision} if provision else None,
        }
    )


def _newest_ids(decisions: QuerySet[ConsentDecision]) -> set[int]:
    """The current decision of each client among these: the newest recorded (then the highest id)."""
    latest = decisions.values("client_id").annotate(at=Max("recorded_at"))
    newest: dict[int, tuple[Any, int]] = {}
    wanted = {row["client_id"]: row["at"] for row in latest}
    rows = ConsentDecision.objects.filter(client_id__in=wanted).values_list("client_id", "recorded_at", "pk")
    for client_id, at, pk in rows:
        if at == wanted[client_id] and pk > newest.get(client_id, (None, 0))[1]:
            newest[client_id] = (at, pk)
    return {pk for _, pk in newest.values()}


class ConsentMapper(Mapper):
    resource_type = "Consent"
    documentation = "Consent to share: the current decision is active (or proposed when not yet asked)."
    search_parameters = (PATIENT_PARAMETER,)

    def read(self, actor: Actor, resource_id: str) -> dict[str, Any]:
        decision = ConsentDecision.objects.select_related("client").filter(pk=queries.numeric_id(resource_id)).first()
        if decision is None:
            raise NotFound("consent")
        queries.client_for_read(actor, decision.client_id, f"Consent/{decision.pk}")
        current = _newest_ids(ConsentDecision.objects.filter(client_id=decision.client_id))
        return to_fhir(decision, decision.pk in current)

    def search(self, actor: Actor, search: Search) -> Page:
        rows = ConsentDecision.objects.filter(client__in=queries.scoped_clients(actor)).select_related("client")
        for value in search.values.get("patient", []):
            client_id = reference_id(value, "Patient")
            rows = rows.filter(client_id=client_id) if client_id.isdigit() else rows.none()
        shown, _ = page_of(rows.order_by("client_id", "-recorded_at", "-id"), search, lambda d: {})
        current = _newest_ids(ConsentDecision.objects.filter(client_id__in={d.client_id for d in shown}))
        queries.audited(actor, [("ConsentDecision", d.pk, d.client_id) for d in shown], "FHIR Consent search")
        more = rows.order_by("client_id", "-recorded_at", "-id")[search.offset + search.count :].exists()
        return Page([to_fhir(d, d.pk in current) for d in shown], more=more)

    def of_client(self, actor: Actor, client: Any) -> list[dict[str, Any]]:
        decisions = ConsentDecision.objects.filter(client=client).select_related("client")
        current = _newest_ids(decisions)
        return [to_fhir(d, d.pk in current) for d in decisions.order_by("-recorded_at", "-id")]
