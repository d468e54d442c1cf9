"""Rules that span a resource: contained resources (dom-2 to dom-5) and bundles (bdl-*). Pure."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from joinedup.fhir.validation.references import referenced_type

if TYPE_CHECKING:
    from joinedup.fhir.validation.validator import Run, Validator

_ABSOLUTE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.\-]*:\S+")
_SINGLE_LINKS = frozenset({"self", "first", "previous", "prev", "next", "last"})
_WITH_REQUEST = frozenset({"batch", "transaction", "history"})
_WITH_RESPONSE = frozenset({"batch-response", "transaction-response", "history"})
_MUST_RESOLVE = frozenset({"transaction", "batch", "document", "message"})


def check_contained(resource: dict[str, Any], path: str, run: Run) -> None:
    """Contained resources have ids, nest no further, carry no version or security, and are referenced."""
    contained = resource.get("contained")
    ids = set()
    if type(contained) is list:
        for index, inner in enumerate(contained):
            if type(inner) is not dict:
                continue
            here = f"{path}.contained[{index}]"
            inner_id = inner.get("id")
            if not inner_id:
                run.error("invalid", "A contained resource must have an id", here)
            if "contained" in inner:
                run.error("invariant", "A contained resource cannot contain resources (dom-2)", here)
            meta = inner.get("meta")
            if type(meta) is dict and ("versionId" in meta or "lastUpdated" in meta):
                run.error("invariant", "A contained resource has no meta.versionId or meta.lastUpdated (dom-4)", here)
            if type(meta) is dict and "security" in meta:
                run.error("invariant", "A contained resource has no security label (dom-5)", here)
            if isinstance(inner_id, str) and inner_id not in run.local_refs and "" not in run.local_refs:
                run.error(
                    "invariant",
                    f"The contained resource {inner_id!r} is not referenced from the rest of the resource (dom-3)",
                    here,
                )
            ids.add(inner_id)
    for missing in sorted(run.local_refs - ids - {""}):
        run.error("not-found", f"The local reference #{missing} names no contained resource", path)


def check_bundle(validator: Validator, bundle: dict[str, Any], path: str, run: Run) -> None:
    """The bundle's own rules; its entries' resources were walked with the rest of it."""
    kind = bundle.get("type")
    _links(bundle, path, run)
    if "total" in bundle and kind not in ("searchset", "history"):
        run.error("invariant", "total is only for a searchset or history bundle (bdl-1)", path)
    entries = bundle.get("entry")
    if type(entries) is not list:
        return
    full_urls: Counter[tuple[str, Any]] = Counter()
    for index, entry in enumerate(entries):
        if type(entry) is not dict:
            continue
        here = f"{path}.entry[{index}]"
        _entry(entry, kind, here, run)
        full_url = entry.get("fullUrl")
        resource = entry.get("resource")
        if isinstance(full_url, str):
            version = resource.get("meta", {}).get("versionId") if type(resource) is dict else None
            full_urls[(full_url, version)] += 1
            if full_urls[(full_url, version)] == 2:
                run.error("invariant", f"The fullUrl {full_url} appears more than once (bdl-7)", here)
    _document_or_message(bundle, kind, entries, path, run)


def _links(bundle: dict[str, Any], path: str, run: Run) -> None:
    links = bundle.get("link")
    if type(links) is not list:
        return
    seen: set[str] = set()
    for index, link in enumerate(links):
        relation = link.get("relation") if type(link) is dict else None
        if relation in _SINGLE_LINKS:
            if relation in seen:
                run.error("invalid", f"The link relation {relation!r} can only occur once", f"{path}.link[{index}]")
            seen.add(relation)


def _entry(entry: dict[str, Any], kind: Any, here: str, run: Run) -> None:
    if "search" in entry and kind != "searchset":
        run.error("invariant", "entry.search is only for a searchset bundle (bdl-2)", here)
    if kind in _WITH_REQUEST and "request" not in entry:
        run.error("invariant", f"Every entry of a {kind} bundle needs a request (bdl-3)", here)
    if kind not in _WITH_REQUEST and "request" in entry:
        run.error("invariant", f"An entry of a {kind} bundle has no request (bdl-3)", here)
    if kind not in _WITH_RESPONSE and "response" in entry:
        run.error("invariant", f"An entry of a {kind} bundle has no response (bdl-4)", here)
    if not ("resource" in entry or "request" in entry or "response" in entry):
        run.error("invariant", "An entry needs a resource, a request or a response (bdl-5)", here)
    resource = entry.get("resource")
    is_result = kind == "searchset" and type(resource) is dict and resource.get("resourceType") != "OperationOutcome"
    if is_result and not resource.get("id"):  # type: ignore[union-attr]
        run.error("invalid", "Search results must have ids", f"{here}.resource")
    full_url = entry.get("fullUrl")
    if not isinstance(full_url, str):
        return
    if not _ABSOLUTE.fullmatch(full_url):
        run.error("invalid", f"The fullUrl must be an absolute URL (not {full_url!r})", here)
    elif "/_history/" in full_url:
        run.error("invariant", "The fullUrl cannot be a version-specific reference (bdl-8)", here)
    if type(resource) is dict and isinstance(resource.get("id"), str) and not full_url.startswith("urn:"):
        named = referenced_type(full_url)
        if named is not None and not full_url.endswith(f"{resource.get('resourceType')}/{resource['id']}"):
            run.error("invalid", f"The fullUrl {full_url} does not match the resource's type and id", here)


def _document_or_message(bundle: dict[str, Any], kind: Any, entries: list[Any], path: str, run: Run) -> None:
    first = entries[0].get("resource") if entries and type(entries[0]) is dict else None
    first_type = first.get("resourceType") if type(first) is dict else None
    if kind == "document":
        identifier = bundle.get("identifier")
        if type(identifier) is not dict or "system" not in identifier or "value" not in identifier:
            run.error("invariant", "A document bundle needs an identifier with a system and a value (bdl-9)", path)
        if "timestamp" not in bundle:
            run.error("invariant", "A document bundle needs a timestamp (bdl-10)", path)
        if first_type != "Composition":
            run.error("invariant", "A document bundle starts with a Composition (bdl-11)", path)
    elif kind == "message" and first_type != "MessageHeader":
        run.error("invariant", "A message bundle starts with a MessageHeader (bdl-12)", path)


def unresolved_references(entries: Any, references: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The urn: references inside a bundle that name none of its entries' fullUrls."""
    if not references:
        return []
    full_urls = {e.get("fullUrl") for e in entries if type(e) is dict} if type(entries) is list else set()
    return [(reference, where) for reference, where in references if reference not in full_urls]


def report_unresolved(kind: Any, unresolved: list[tuple[str, str]], run: Run) -> None:
    """A transaction, batch, document or message must resolve its urn: references; elsewhere it is a warning."""
    report = run.error if kind in _MUST_RESOLVE else run.warning
    for reference, where in unresolved:
        report("not-found", f"The reference {reference} names no entry of the bundle", where)
