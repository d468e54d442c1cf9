"""Patient: a client, with the NHS number as the UK Core identifier (https://fhir.nhs.uk/Id/nhs-number)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from joinedup.clients.models import Client, ClientStatus
from joinedup.core.access import Actor
from joinedup.fhir import queries
from joinedup.fhir.mappers.common import NHS_NUMBER_SYSTEM, ODS_SYSTEM, Mapper, page_of, reference, without_empty
from joinedup.fhir.registry import BadRequest, Page, Search, SearchParameter
from joinedup.fhir.search import date_criterion, token

_DATE_LOOKUPS = {"eq": "", "gt": "__gt", "lt": "__lt", "ge": "__gte", "le": "__lte"}


def to_fhir(client: Client) -> dict[str, Any]:
    practice = client.gp_practice
    return without_empty(
        {
            "resourceType": "Patient",
            "id": str(client.pk),
            "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": client.nhs_number}] if client.nhs_number else [],
            "active": client.status == ClientStatus.ACTIVE,
            "name": [{"use": "official", "family": client.family_name, "given": client.given_name.split()}],
            "telecom": [{"system": "phone", "value": client.phone}] if client.phone else [],
            "gender": client.sex,
            "birthDate": client.date_of_birth.isoformat(),
            "deceasedBoolean": True if client.status == ClientStatus.DECEASED else None,
            "address": [without_empty({"text": client.address, "postalCode": client.postcode})]
            if client.address or client.postcode
            else [],
            "generalPractitioner": [
                {
                    **reference("Organization", practice.pk, practice.name),
                    "identifier": {"system": ODS_SYSTEM, "value": practice.ods_code},
                }
            ]
            if practice is not None
            else [],
            "managingOrganization": reference(
                "Organization", client.holding_organisation_id, client.holding_organisation.name
            ),
        }
    )


def _identifier(rows: QuerySet[Client], value: str) -> QuerySet[Client]:
    system, code = token(value)
    if system not in (None, NHS_NUMBER_SYSTEM):
        return rows.none()  # JoinedUp holds no other identifiers of clients
    return rows.filter(nhs_number=code.replace(" ", ""))


def _name(rows: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
    term = value.strip()
    if name == "family":
        return rows.filter(family_name__istartswith=term)
    if name == "given":
        return rows.filter(given_name__istartswith=term)
    return rows.filter(Q(family_name__istartswith=term) | Q(given_name__istartswith=term))


def _birthdate(rows: QuerySet[Client], value: str) -> QuerySet[Client]:
    prefix, day = date_criterion(value)
    if prefix == "ne":
        return rows.exclude(date_of_birth=day)
    return rows.filter(**{f"date_of_birth{_DATE_LOOKUPS[prefix]}": day})


class PatientMapper(Mapper):
    resource_type = "Patient"
    documentation = "Clients the caller has a legitimate relationship with (consent honoured); every read audited."
    search_parameters = (
        SearchParameter("_id", "token", "The client's id"),
        SearchParameter("identifier", "token", f"The NHS number: {NHS_NUMBER_SYSTEM}|9434765919"),
        SearchParameter("name", "string", "The start of the family or a given name"),
        SearchParameter("family", "string", "The start of the family name"),
        SearchParameter("given", "string", "The start of a given name"),
        SearchParameter("birthdate", "date", "The date of birth (YYYY-MM-DD; prefixes eq, ne, gt, lt, ge, le)"),
    )

    def read(self, actor: Actor, resource_id: str) -> dict[str, Any]:
        client = queries.client_for_read(actor, queries.numeric_id(resource_id), "Patient")
        return to_fhir(client)

    def search(self, actor: Actor, search: Search) -> Page:
        rows = queries.scoped_clients(actor).select_related("gp_practice", "holding_organisation")
        for name, values in search.values.items():
            for value in values:
                if name == "_id":
                    rows = rows.filter(pk=value) if value.isdigit() else rows.none()
                elif name == "identifier":
                    rows = _identifier(rows, value)
                elif name in ("name", "family", "given"):
                    rows = _name(rows, name, value)
                elif name == "birthdate":
                    rows = _birthdate(rows, value)
                else:
                    raise BadRequest(f"Unknown parameter {name}")
        shown, page = page_of(rows.order_by("family_name", "given_name", "id"), search, to_fhir)
        queries.audited(actor, [("Client", c.pk, c.pk) for c in shown], "FHIR Patient search")
        return page

    def of_client(self, actor: Actor, client: Any) -> list[dict[str, Any]]:
        return [to_fhir(client)]
