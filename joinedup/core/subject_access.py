"""Subject access: everything JoinedUp holds about one person, found by walking the models.

A table is about a client when it has a foreign key to the client, or to a row that is
itself about the client (a referral's transitions, a care plan's goals...), found
through Django's model graph, so that a table added later is exported without being
listed here. Tables that name a client another way (the audit log's plain `client_id`,
a message held with the person's NHS number) declare it in `PERSON_FIELDS`.
`tests/integration/test_subject_access.py` fails when a table mentions a client in a
way this module does not follow.
"""

from __future__ import annotations

import html
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from joinedup.core import audit
from joinedup.core.access import Actor

# Fields that name a client without a foreign key: (app_label.ModelName, field, what it holds).
PERSON_FIELDS: list[tuple[str, str, str]] = [
    ("core.AuditEvent", "client_id", "client_id"),
]


HOLDS = ("client_id", "nhs_number", "mentions_nhs_number")


def register_person_field(model_label: str, field_name: str, holds: str) -> None:
    """For an app whose table names a client by `client_id` (an integer) or `nhs_number` (ten digits),
    or holds text that may mention their NHS number (`mentions_nhs_number`: a message kept as received)."""
    if holds not in HOLDS:
        raise ValueError(f"holds must be one of {', '.join(HOLDS)}")
    if (model_label, field_name, holds) not in PERSON_FIELDS:
        PERSON_FIELDS.append((model_label, field_name, holds))


@dataclass(frozen=True)
class ClientLink:
    """How a table names a client: foreign-key lookups to the client, or a field holding its id or NHS number."""

    model: type[models.Model]
    lookups: tuple[str, ...]  # e.g. ("client", "task__client"); any of them may lead to the client
    holds: str = "client"  # "client" (foreign-key lookups), or one of HOLDS


def client_model() -> type[models.Model]:
    return apps.get_model("clients", "Client")


def _foreign_keys_to(target: type[models.Model]) -> Iterator[tuple[type[models.Model], str]]:
    for model in apps.get_models():
        for field_ in model._meta.get_fields():
            if (field_.many_to_one or field_.one_to_one) and field_.concrete and field_.related_model is target:
                yield model, field_.name


_MAX_DEPTH = 4  # a goal of a care plan of a client is 2; nothing here is deeper than 3


def links_to_client() -> list[ClientLink]:
    """Every table about a client, with every foreign-key path (up to _MAX_DEPTH) that reaches it."""
    client = client_model()
    lookups: dict[type[models.Model], list[str]] = {}
    frontier: list[tuple[type[models.Model], str, tuple[type[models.Model], ...]]] = [(client, "", (client,))]
    for _ in range(_MAX_DEPTH):
        next_frontier = []
        for target, suffix, seen in frontier:
            for model, name in _foreign_keys_to(target):
                if model in seen:
                    continue
                lookup = f"{name}__{suffix}" if suffix else name
                lookups.setdefault(model, []).append(lookup)
                next_frontier.append((model, lookup, (*seen, model)))
        frontier = next_frontier
    links = [ClientLink(model, tuple(found)) for model, found in lookups.items()]
    for label, field_name, holds in PERSON_FIELDS:
        links.append(ClientLink(apps.get_model(label), (field_name,), holds))
    return sorted(links, key=lambda link: (link.model._meta.label, link.holds))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@dataclass
class Export:
    client: Any
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {label: len(rows) for label, rows in self.tables.items()}


def _rows(link: ClientLink, client: Any) -> list[dict[str, Any]]:
    value = client.pk if link.holds in ("client", "client_id") else client.nhs_number
    if value is None:
        return []
    matches = Q()
    for lookup in link.lookups:
        key = f"{lookup}__contains" if link.holds == "mentions_nhs_number" else lookup
        matches |= Q(**{key: value})
    names = [f.attname for f in link.model._meta.concrete_fields]
    rows = link.model._default_manager.filter(matches).distinct().order_by("pk").values(*names)
    return [{name: _plain(cell) for name, cell in row.items()} for row in rows]


def gather(client: Any) -> Export:
    export = Export(client=client)
    export.tables["clients.Client"] = [
        {f.attname: _plain(getattr(client, f.attname)) for f in client._meta.concrete_fields}
    ]
    for link in links_to_client():
        rows = export.tables.setdefault(link.model._meta.label, [])
        held = {row.get("id") for row in rows}
        rows.extend(row for row in _rows(link, client) if row.get("id") not in held)
    return export


def _html(export: Export, requested_by: str) -> str:
    client = export.client
    parts = [
        "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>",
        f"<title>Subject access request: {html.escape(client.full_name)}</title></head><body>",
        f"<h1>Everything JoinedUp holds about {html.escape(client.full_name)}</h1>",
        f"<p>NHS number: {html.escape(client.nhs_number_display)}. Produced {timezone.localtime():%d %B %Y %H:%M}"
        f" for: {html.escape(requested_by)}. Each table is also in data/ as JSON.</p>",
    ]
    for label, rows in export.tables.items():
        parts.append(f"<h2>{html.escape(label)} ({len(rows)})</h2>")
        if not rows:
            parts.append("<p>Nothing held.</p>")
            continue
        columns = list(rows[0])
        head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(json.dumps(r[c], default=str))}</td>" for c in columns) + "</tr>"
            for r in rows
        )
        parts.append(f"<table border='1'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    parts.append("</body></html>")
    return "".join(parts)


def export_to(path: Path, client: Any, *, actor: Actor, requested_by: str) -> Export:
    """Write the bundle (summary.html and data/*.json in one zip), audited in the same transaction."""
    with transaction.atomic():
        export = gather(client)
        audit.record(
            actor,
            "subject_access_export",
            object_type="Client",
            object_id=client.pk,
            client_id=client.pk,
            reason=f"subject access request: {requested_by}"[:500],
            detail={"tables": export.counts, "file": path.name},
        )
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            bundle.writestr("summary.html", _html(export, requested_by))
            for label, rows in export.tables.items():
                bundle.writestr(f"data/{label}.json", json.dumps(rows, indent=2, default=str))
    return export
