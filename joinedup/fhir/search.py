"""Search requests and searchset bundles: parameters checked, pages with next links, `_count`."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone

from joinedup.fhir.registry import BadRequest, Page, ResourceMapper, Search

DEFAULT_COUNT = 50
# Parameters every search takes; _format only to ask for JSON, the one format served.
COMMON = ("_count", "_offset", "_format")
JSON_FORMATS = ("json", "application/json", "application/fhir+json")
_DATE = re.compile(r"(eq|ne|gt|lt|ge|le)?(\d{4}-\d{2}-\d{2})")


def parse(mapper: ResourceMapper, query: QueryDict) -> Search:
    """The search the query asks for; BadRequest naming the parameter that cannot be served."""
    known = {p.name for p in mapper.search_parameters}
    values: dict[str, list[str]] = {}
    for name in query:
        base = name.split(":", 1)[0]
        if base in COMMON:
            continue
        if base not in known or ":" in name:
            allowed = ", ".join(sorted(known | set(COMMON)))
            raise BadRequest(f"{mapper.resource_type} cannot be searched by {name!r} (it can by: {allowed})")
        values[name] = [v for v in query.getlist(name) if v.strip()]
        if not values[name]:
            raise BadRequest(f"The search parameter {name!r} has no value")
    fmt = query.get("_format")
    if fmt is not None and fmt not in JSON_FORMATS:
        raise BadRequest("Only JSON is served: leave out _format or ask for application/fhir+json")
    return Search(values, _integer(query, "_count", DEFAULT_COUNT, 1), _integer(query, "_offset", 0, 0))


def _integer(query: QueryDict, name: str, default: int, minimum: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise BadRequest(f"{name} must be a whole number, at least {minimum}")
    value = int(raw)
    return min(value, settings.JOINEDUP_FHIR_MAX_COUNT) if name == "_count" else value


def date_criterion(value: str) -> tuple[str, date]:
    """A date search value: (prefix, day); FHIR prefixes eq, ne, gt, lt, ge, le."""
    match = _DATE.fullmatch(value)
    if match is None:
        raise BadRequest(f"{value!r} is not a date search value: give YYYY-MM-DD, with a prefix such as ge if wanted")
    try:
        return match.group(1) or "eq", date.fromisoformat(match.group(2))
    except ValueError as error:
        raise BadRequest(f"{value!r} is not a day of the calendar") from error


def token(value: str) -> tuple[str | None, str]:
    """A token search value: (system or None, code); `system|code`, `|code` or `code`."""
    if "|" in value:
        system, code = value.split("|", 1)
        return system or None, code
    return None, value


def reference_id(value: str, resource_type: str) -> str:
    """The id in a reference search value: `Patient/12` or `12`."""
    return value.removeprefix(f"{resource_type}/")


def searchset(base: str, resource_type: str, search: Search, page: Page) -> dict[str, Any]:
    """The searchset Bundle of a page, with self and (when more follow) next links."""
    link = [{"relation": "self", "url": _page_url(base, resource_type, search, search.offset)}]
    if page.more:
        link.append({"relation": "next", "url": _page_url(base, resource_type, search, search.offset + search.count)})
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": timezone.now().isoformat(),
        "link": link,
    }
    if page.resources:  # FHIR has no empty arrays: no matches, no entry
        bundle["entry"] = entries(base, page.resources)
    return bundle


def entries(base: str, resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
        for r in resources
    ]


def _page_url(base: str, resource_type: str, search: Search, offset: int) -> str:
    pairs = [(name, value) for name, values in search.values.items() for value in values]
    pairs += [("_count", str(search.count)), ("_offset", str(offset))]
    return f"{base}/{resource_type}?{urlencode(pairs)}"
