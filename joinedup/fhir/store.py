"""Writing imported source resources in bulk: COPY on PostgreSQL, one multi-row statement elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from django.db import connection

from joinedup.fhir.models import SourceResource

COLUMNS = (
    "resource_type",
    "resource_id",
    "content",
    "content_hash",
    "client_id",
    "category",
    "mapped_to",
    "last_updated",
    "source_file",
    "imported_at",
)


def insert(rows: Sequence[tuple[Any, ...]], imported_at: datetime) -> None:
    """Insert new source resources: rows of COLUMNS but the last, the JSON already serialised."""
    if not rows:
        return
    table = SourceResource._meta.db_table
    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row[:2], row[2].decode(), *row[3:], imported_at))
            return
        when = connection.ops.adapt_datetimefield_value(imported_at)
        marks = ", ".join(["%s"] * len(COLUMNS))
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 (names are constants)
            [(*row[:2], row[2].decode(), *row[3:], when) for row in rows],
        )


def changed_row(pk: int, values: tuple[Any, ...]) -> SourceResource:
    """A kept resource with new content (values as for insert)."""
    fields = dict(zip(COLUMNS, values, strict=False))
    fields["content"] = orjson.loads(fields["content"])
    return SourceResource(pk=pk, **fields)


def update(items: Sequence[SourceResource], imported_at: datetime) -> None:
    """Replace the content of changed source resources (a newer copy of the same resource)."""
    for item in items:
        item.imported_at = imported_at
    SourceResource.objects.bulk_update(
        items,
        ["content", "content_hash", "client", "category", "mapped_to", "last_updated", "source_file", "imported_at"],
    )
