"""Flag: what everyone working with the client should see at once, open (active) until closed (inactive)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from joinedup.clients.models import Flag
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound
from joinedup.fhir import queries
from joinedup.fhir.mappers.common import PATIENT_PARAMETER, Mapper, page_of, period, reference, without_empty
from joinedup.fhir.registry import BadRequest, Page, Search, SearchParameter
from joinedup.fhir.search import reference_id


def to_fhir(flag: Flag) -> dict[str, Any]:
    if flag.raised_by is not None:
        author = reference("Practitioner", flag.raised_by_id, flag.raised_by.display_name)
    else:
        author = {"display": f"JoinedUp ({flag.source})"}
    return without_empty(
        {
            "resourceType": "Flag",
            "id": str(flag.pk),
            "status": "active" if flag.closed_at is None else "inactive",
            # The kind of flag is JoinedUp's own word (dementia-new, bounce...): a code with no system.
            "code": {"coding": [{"code": flag.code, "display": flag.text}], "text": flag.text},
            "subject": reference("Patient", flag.client_id),
            "period": period(flag.raised_at, flag.closed_at),
            "author": author,
        }
    )


def visible_flags(actor: Actor) -> QuerySet[Flag]:
    return Flag.objects.filter(client__in=queries.scoped_clients(actor)).select_related("raised_by")


class FlagMapper(Mapper):
    resource_type = "Flag"
    documentation = "Flags on clients the caller may see: active while open, inactive once closed."
    search_parameters = (PATIENT_PARAMETER, SearchParameter("status", "token", "active (open) or inactive (closed)"))

    def read(self, actor: Actor, resource_id: str) -> dict[str, Any]:
        flag = Flag.objects.select_related("raised_by").filter(pk=queries.numeric_id(resource_id)).first()
        if flag is None:
            raise NotFound("flag")
        queries.client_for_read(actor, flag.client_id, f"Flag/{flag.pk}")
        return to_fhir(flag)

    def search(self, actor: Actor, search: Search) -> Page:
        rows = visible_flags(actor)
        for value in search.values.get("patient", []):
            client_id = reference_id(value, "Patient")
            rows = rows.filter(client_id=client_id) if client_id.isdigit() else rows.none()
        for value in search.values.get("status", []):
            if value not in ("active", "inactive"):
                raise BadRequest("Flag status is active or inactive")
            rows = rows.filter(closed_at__isnull=value == "active")
        shown, page = page_of(rows.order_by("client_id", "-raised_at", "-id"), search, to_fhir)
        queries.audited(actor, [("Flag", f.pk, f.client_id) for f in shown], "FHIR Flag search")
        return page

    def of_client(self, actor: Actor, client: Any) -> list[dict[str, Any]]:
        return [to_fhir(f) for f in Flag.objects.filter(client=client).select_related("raised_by")]
