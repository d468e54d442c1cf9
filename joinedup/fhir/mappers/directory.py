"""Practitioner and Organization: the directory, which holds no client data (any signed-in caller)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from joinedup.core.access import Actor
from joinedup.core.errors import NotFound
from joinedup.directory.models import Organisation, Practitioner
from joinedup.fhir import queries
from joinedup.fhir.mappers.common import ODS_SYSTEM, Mapper, page_of, without_empty
from joinedup.fhir.registry import Page, Search, SearchParameter
from joinedup.fhir.search import token


def practitioner_to_fhir(practitioner: Practitioner) -> dict[str, Any]:
    """R4's Practitioner names no employer (that is PractitionerRole's, not served)."""
    return without_empty(
        {
            "resourceType": "Practitioner",
            "id": str(practitioner.pk),
            "active": practitioner.is_active,
            "name": [
                without_empty(
                    {
                        "text": practitioner.display_name,
                        "family": practitioner.last_name,
                        "given": [practitioner.first_name] if practitioner.first_name else [],
                    }
                )
            ],
            "telecom": [{"system": "phone", "value": practitioner.phone, "use": "work"}] if practitioner.phone else [],
            "qualification": [{"code": {"text": practitioner.get_profession_display()}}]
            if practitioner.profession
            else [],
        }
    )


def organisation_to_fhir(organisation: Organisation) -> dict[str, Any]:
    return {
        "resourceType": "Organization",
        "id": str(organisation.pk),
        "identifier": [{"system": ODS_SYSTEM, "value": organisation.ods_code}],
        "active": True,
        "type": [{"text": organisation.get_kind_display()}],
        "name": organisation.name,
    }


class PractitionerMapper(Mapper):
    resource_type = "Practitioner"
    documentation = "Practitioners of the directory."
    search_parameters = (
        SearchParameter("_id", "token", "The practitioner's id"),
        SearchParameter("name", "string", "The start of the family or given name"),
    )

    def read(self, actor: Actor, resource_id: str) -> dict[str, Any]:
        found = Practitioner.objects.select_related("organisation").filter(pk=queries.numeric_id(resource_id)).first()
        if found is None or actor.user_id is None:
            raise NotFound("practitioner")
        return practitioner_to_fhir(found)

    def search(self, actor: Actor, search: Search) -> Page:
        rows = Practitioner.objects.select_related("organisation")
        for value in search.values.get("_id", []):
            rows = rows.filter(pk=value) if value.isdigit() else rows.none()
        for value in search.values.get("name", []):
            rows = rows.filter(Q(last_name__istartswith=value) | Q(first_name__istartswith=value))
        return page_of(rows.order_by("last_name", "first_name", "id"), search, practitioner_to_fhir)[1]


class OrganizationMapper(Mapper):
    resource_type = "Organization"
    documentation = "Organisations of the directory, identified by ODS code."
    search_parameters = (
        SearchParameter("_id", "token", "The organisation's id"),
        SearchParameter("identifier", "token", f"The ODS code: {ODS_SYSTEM}|RYX"),
        SearchParameter("name", "string", "The start of the name"),
    )

    def read(self, actor: Actor, resource_id: str) -> dict[str, Any]:
        found = Organisation.objects.filter(pk=queries.numeric_id(resource_id)).first()
        if found is None or actor.user_id is None:
            raise NotFound("organisation")
        return organisation_to_fhir(found)

    def search(self, actor: Actor, search: Search) -> Page:
        rows = Organisation.objects.all()
        for value in search.values.get("_id", []):
            rows = rows.filter(pk=value) if value.isdigit() else rows.none()
        for value in search.values.get("identifier", []):
            system, code = token(value)
            rows = rows.filter(ods_code__iexact=code) if system in (None, ODS_SYSTEM) else rows.none()
        for value in search.values.get("name", []):
            rows = rows.filter(name__istartswith=value)
        return page_of(rows.order_by("name", "id"), search, organisation_to_fhir)[1]
