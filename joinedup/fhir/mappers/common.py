"""What every mapper needs: references, periods, pages of query results, and the base mapper."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from joinedup.fhir.registry import Page, ResourceMapper, Search, SearchParameter

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
PATIENT_PARAMETER = SearchParameter("patient", "reference", "The client: Patient/<id>")

M = TypeVar("M", bound=Model)


def reference(resource_type: str, resource_id: object, display: str = "") -> dict[str, str]:
    found = {"reference": f"{resource_type}/{resource_id}"}
    if display:
        found["display"] = display
    return found


def instant(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def period(start: datetime | None, end: datetime | None) -> dict[str, str]:
    found = {}
    if start is not None:
        found["start"] = start.isoformat()
    if end is not None:
        found["end"] = end.isoformat()
    return found


def text(value: str) -> dict[str, str]:
    return {"text": value}


def page_of(rows: QuerySet[M], search: Search, to_fhir: Callable[[M], dict[str, Any]]) -> tuple[list[M], Page]:
    """One page of an ordered query: count + 1 rows fetched to know whether another page follows."""
    found = list(rows[search.offset : search.offset + search.count + 1])
    shown = found[: search.count]
    return shown, Page([to_fhir(row) for row in shown], more=len(found) > search.count)


def without_empty(resource: dict[str, Any]) -> dict[str, Any]:
    """FHIR has no empty values: leave out what has none."""
    return {key: value for key, value in resource.items() if value not in (None, "", [], {})}


# Every mapper's base: see joinedup.fhir.registry.
Mapper = ResourceMapper
